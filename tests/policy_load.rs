#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! Loading policies (SPEC §3, §4.4, §1.3): every problem reported at once, each with its kind,
//! message, path, line:column and help; warnings that do not stop loading; TOML and JSON forms.
//! And bad input documents (§2): changes, contexts and topologies, through the library.

use changeguard::diagnostic::LineCol;
use changeguard::{Change, Context, DiagnosticKind as K, Diagnostics, Policy, Severity, Topology};

const HEAD: &str = "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n";

/// One expected diagnostic: kind, path, message, line, column (of the span start), help.
type Want<'a> = (K, &'a str, &'a str, usize, usize, Option<&'a str>);

/// The diagnostics of a failed load, in source order, as comparable tuples.
fn got(
    text: &str,
    d: &Diagnostics,
    severity: Severity,
) -> Vec<(K, String, String, usize, usize, Option<String>)> {
    let mut v: Vec<_> = d
        .iter()
        .filter(|d| d.severity() == severity)
        .map(|d| {
            let at = LineCol::of(text, d.span().expect("every policy diagnostic has a span").start);
            (
                d.kind(),
                d.path().unwrap_or("").to_owned(),
                d.message().to_owned(),
                at.line,
                at.col,
                d.help().map(str::to_owned),
            )
        })
        .collect();
    v.sort_by_key(|t| (t.3, t.4));
    v
}

fn own(want: &[Want<'_>]) -> Vec<(K, String, String, usize, usize, Option<String>)> {
    want.iter()
        .map(|(k, p, m, l, c, h)| (*k, (*p).to_owned(), (*m).to_owned(), *l, *c, h.map(str::to_owned)))
        .collect()
}

#[track_caller]
fn assert_errors(text: &str, want: &[Want<'_>]) {
    let Err(d) = Policy::from_toml(text) else {
        panic!("loaded, expected errors:\n{text}");
    };
    assert_eq!(got(text, &d, Severity::Error), own(want), "\n{}", d.render(Some("p.toml"), text));
}

// ------------------------------------------------------------------------------------------
// Unknown keys, with a did-you-mean.

#[test]
fn unknown_top_level_keys() {
    let text = format!("{HEAD}\n[rules]\nx = 1\n\n[decison]\napproval_at = \"high\"\n\n[frobnicate]\n");
    assert_errors(
        &text,
        &[
            (K::UnknownKey, "rules", "unknown key `rules`", 5, 2, Some("did you mean `rule`?")),
            (K::UnknownKey, "decison", "unknown key `decison`", 8, 2, Some("did you mean `decision`?")),
            (
                K::UnknownKey,
                "frobnicate",
                "unknown key `frobnicate`",
                11,
                2,
                Some(
                    "expected one of `policy`, `params`, `let`, `risk`, `risk_levels`, `rule`, `decision`, `blast`, `health`, `test`, `test_topology`, `property`",
                ),
            ),
        ],
    );
}

#[test]
fn unknown_keys_in_sections() {
    let text = format!(
        "{HEAD}descripton = \"d\"\n\n[decision]\napproval_role = [\"x\"]\n\n[risk_levels]\nhihg = 40\n\n[blast]\nmax_dept = 2\n\n\
         [[risk]]\nid = \"f\"\npoints = 3\nrefs = []\n\n[[rule]]\nid = \"r\"\nrequire = 'true || false'\nenforcment = \"hard\"\n"
    );
    assert_errors(
        &text,
        &[
            (
                K::UnknownKey,
                "policy.descripton",
                "unknown key `descripton`",
                4,
                1,
                Some("did you mean `description`?"),
            ),
            (
                K::UnknownKey,
                "decision.approval_role",
                "unknown key `approval_role`",
                7,
                1,
                Some("did you mean `approval_roles`?"),
            ),
            (K::UnknownKey, "risk_levels.hihg", "unknown key `hihg`", 10, 1, Some("did you mean `high`?")),
            (
                K::UnknownKey,
                "blast.max_dept",
                "unknown key `max_dept`",
                13,
                1,
                Some("did you mean `max_depth`?"),
            ),
            (
                K::UnknownKey,
                "risk[0].refs",
                "unknown key `refs`",
                18,
                1,
                Some("expected one of `id`, `when`, `points`, `reason`, `references`, `description`"),
            ),
            (
                K::UnknownKey,
                "rule[0].enforcment",
                "unknown key `enforcment`",
                23,
                1,
                Some("did you mean `enforcement`?"),
            ),
        ],
    );
}

#[test]
fn a_misspelt_required_key_is_unknown_and_missing() {
    let text =
        format!("{HEAD}\n[[rule]]\nid = \"r\"\nrequires = 'true'\n\n[[risk]]\nid = \"f\"\npoint = 3\n");
    assert_errors(
        &text,
        &[
            (K::MissingKey, "rule[r]", "missing key `require` in `rule[r]`", 5, 1, None),
            (
                K::UnknownKey,
                "rule[0].requires",
                "unknown key `requires`",
                7,
                1,
                Some("did you mean `require`?"),
            ),
            (K::MissingKey, "risk[f]", "missing key `points` in `risk[f]`", 9, 1, None),
            (K::UnknownKey, "risk[0].point", "unknown key `point`", 11, 1, Some("did you mean `points`?")),
        ],
    );
}

// ------------------------------------------------------------------------------------------
// [policy]

#[test]
fn a_missing_policy_section() {
    assert_errors(
        "[[rule]]\nid = \"r\"\nrequire = 'change.id != \"\"'\n",
        &[(
            K::MissingKey,
            "policy",
            "missing `[policy]` section",
            1,
            1,
            Some("start the document with `[policy]`, `name = \"…\"` and `version = \"1.0.0\"`"),
        )],
    );
}

#[test]
fn a_missing_name_and_version() {
    assert_errors(
        "[policy]\ndescription = \"d\"\n",
        &[
            (K::MissingKey, "policy", "missing key `name` in `policy`", 1, 1, None),
            (K::MissingKey, "policy", "missing key `version` in `policy`", 1, 1, None),
        ],
    );
}

#[test]
fn versions_must_be_semantic_versions() {
    for (version, message) in [
        (
            "1.4",
            "`1.4` is not a semantic version: unexpected end of input while parsing minor version number",
        ),
        (
            "latest",
            "`latest` is not a semantic version: unexpected character 'l' while parsing major version number",
        ),
        (
            "1.4.0.1",
            "`1.4.0.1` is not a semantic version: unexpected character '.' after patch version number",
        ),
    ] {
        let text = format!("[policy]\nname = \"p\"\nversion = \"{version}\"\n");
        assert_errors(
            &text,
            &[(K::InvalidValue, "policy.version", message, 3, 11, Some("write a version like `1.4.0`"))],
        );
    }
    let p = Policy::from_toml("[policy]\nname = \"p\"\nversion = \"v2.1.0-rc.1\"\n").unwrap();
    assert_eq!(p.version().to_string(), "2.1.0-rc.1");
}

#[test]
fn the_version_must_be_a_string_and_the_name_not_empty() {
    assert_errors(
        "[policy]\nname = \"\"\nversion = 1\n",
        &[
            (K::InvalidValue, "policy.name", "`policy.name` must not be empty", 2, 8, None),
            (
                K::InvalidValue,
                "policy.version",
                "`policy.version` must be a string, found an integer",
                3,
                11,
                None,
            ),
        ],
    );
}

// ------------------------------------------------------------------------------------------
// Ids and enumerations

#[test]
fn duplicate_ids_are_reported_per_section() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r\"\nrequire = 'false'\n[[rule]]\nid = \"r\"\nrequire = 'false'\n\
         [[risk]]\nid = \"r\"\npoints = 1\n[[risk]]\nid = \"r\"\npoints = 2\n"
    );
    let help = Some("ids must be unique within their section");
    assert_errors(
        &text,
        &[
            (K::DuplicateId, "rule[1].id", "duplicate id `r`", 8, 6, help),
            (K::DuplicateId, "risk[1].id", "duplicate id `r`", 14, 6, help),
        ],
    );
}

#[test]
fn ids_have_a_syntax() {
    let help =
        Some("ids start with a lowercase letter or digit and contain only `a-z`, `0-9`, `_`, `.` and `-`");
    for bad in ["Two_Approvers", "-x", "", "a b", "règle", "_x", ".x"] {
        let text = format!("{HEAD}[[rule]]\nid = \"{bad}\"\nrequire = 'false'\n");
        assert_errors(&text, &[(K::InvalidValue, "rule[0].id", &format!("invalid id `{bad}`"), 5, 6, help)]);
    }
    for good in ["a", "9", "ops06-bp03", "a.b_c-d", "0x"] {
        let text = format!(
            "{HEAD}[[rule]]\nid = \"{good}\"\nrequire = 'false'\n[[risk]]\nid = \"{good}\"\npoints = 1\n"
        );
        assert!(Policy::from_toml(&text).is_ok(), "{good}");
    }
}

#[test]
fn enumerations_suggest_the_closest_value() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r\"\nenforcement = \"hardd\"\nrequire = 'false'\n[[rule]]\nid = \"s\"\nenforcement = \"blocking\"\nrequire = 'false'\n\
         [decision]\napproval_at = \"hihg\"\ndeny_at = \"extreme\"\non_error = \"fail_close\"\n"
    );
    assert_errors(
        &text,
        &[
            (
                K::InvalidValue,
                "rule[r].enforcement",
                "unknown enforcement level `hardd`",
                6,
                15,
                Some("did you mean `hard`?"),
            ),
            (
                K::InvalidValue,
                "rule[s].enforcement",
                "unknown enforcement level `blocking`",
                10,
                15,
                Some("use `advisory`, `soft` or `hard`"),
            ),
            (
                K::InvalidValue,
                "decision.approval_at",
                "unknown risk level `hihg`",
                13,
                15,
                Some("did you mean `high`?"),
            ),
            (
                K::InvalidValue,
                "decision.deny_at",
                "unknown risk level `extreme`",
                14,
                11,
                Some("use `low`, `medium`, `high` or `critical`"),
            ),
            (
                K::InvalidValue,
                "decision.on_error",
                "unknown error handling `fail_close`",
                15,
                12,
                Some("did you mean `fail_closed`?"),
            ),
        ],
    );
}

#[test]
fn risk_levels_and_blast_settings_are_checked() {
    let text =
        format!("{HEAD}[risk_levels]\nmedium = 60\nhigh = 50\ncritical = 101\n[blast]\nmax_depth = -1\n");
    let d = Policy::from_toml(&text).unwrap_err();
    let paths: Vec<&str> = d.errors().map(|d| d.path().unwrap()).collect();
    assert!(paths.contains(&"risk_levels.critical"), "{paths:?}");
    assert!(paths.contains(&"risk_levels"), "{paths:?}");
    assert!(paths.contains(&"blast.max_depth"), "{paths:?}");
}

// ------------------------------------------------------------------------------------------
// Expressions

#[test]
fn a_misspelt_field_points_at_the_field_inside_the_string() {
    let text = format!("{HEAD}\n[[rule]]\nid = \"prod\"\nrequire = 'change.enviroment == \"production\"'\n");
    assert_errors(
        &text,
        &[(
            K::UnknownField,
            "rule[prod].require",
            "unknown field `enviroment` on `changeguard.Change`",
            7,
            19,
            Some("did you mean `environment`?"),
        )],
    );
    // The caret covers exactly the field name.
    let d = Policy::from_toml(&text).unwrap_err();
    let span = d.items()[0].span().unwrap();
    assert_eq!(&text[span.start as usize..span.end as usize], "enviroment");
    let rendered = d.render(Some("p.toml"), &text);
    assert!(rendered.contains(" --> p.toml:7:19\n"), "{rendered}");
    assert!(rendered.contains("\n  |                   ^^^^^^^^^^\n"), "{rendered}");
}

#[test]
fn places_in_multi_line_strings_lets_factors_and_templates() {
    let text = format!(
        "{HEAD}[let]\nnames = 'change.services.map(s, s.nmae)'\n\n[[risk]]\nid = \"f\"\nwhen = 'change.strategy.typ == \"canary\"'\npoints = 1\n\n\
         [[rule]]\nid = \"multi\"\nrequire = '''\nchange.services.all(s,\n    s.kindz.size() > 0)\n'''\nmessage = \"has {{{{ change.approvers().size() }}}} and {{{{ change.titel }}}}\"\n"
    );
    assert_errors(
        &text,
        &[
            (
                K::UnknownField,
                "let.names",
                "unknown field `nmae` on `changeguard.ServiceChange`",
                5,
                35,
                Some("did you mean `name`?"),
            ),
            (
                K::UnknownField,
                "risk[f].when",
                "unknown field `typ` on `changeguard.Strategy`",
                9,
                25,
                Some("did you mean `type`?"),
            ),
            (
                K::UnknownField,
                "rule[multi].require",
                "unknown field `kindz` on `changeguard.ServiceChange`",
                16,
                7,
                Some("did you mean `kinds`?"),
            ),
            (
                K::UnknownField,
                "rule[multi].message",
                "unknown field `titel` on `changeguard.Change`",
                18,
                62,
                Some("did you mean `title`?"),
            ),
        ],
    );
}

#[test]
fn unknown_variables_and_functions_suggest_the_closest_name() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r\"\nwhen = 'chnage.id == \"x\"'\nrequire = 'change.id.startWith(\"x\")'\n"
    );
    assert_errors(
        &text,
        &[
            (
                K::UnknownVariable,
                "rule[r].when",
                "unknown variable `chnage`",
                6,
                9,
                Some("did you mean `change`?"),
            ),
            (
                K::UnknownFunction,
                "rule[r].require",
                "unknown function `startWith`",
                7,
                22,
                Some("did you mean `startsWith`?"),
            ),
        ],
    );
}

#[test]
fn type_errors_are_load_errors() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"typ\"\nrequire = '''change.size.files > \"3\"'''\n[[rule]]\nid = \"notbool\"\nrequire = \"change.services.size()\"\n\
         [[rule]]\nid = \"when-str\"\nwhen = 'change.id'\nrequire = 'true || false'\n[[risk]]\nid = \"pts\"\npoints = 'change.id'\n"
    );
    let d = Policy::from_toml(&text).unwrap_err();
    let errs = got(&text, &d, Severity::Error);
    let summary: Vec<(K, &str, usize, usize)> =
        errs.iter().map(|(k, p, _, l, c, _)| (*k, p.as_str(), *l, *c)).collect();
    assert_eq!(
        summary,
        [
            (K::NoMatchingOverload, "rule[typ].require", 6, 32),
            (K::TypeMismatch, "rule[notbool].require", 9, 12),
            (K::TypeMismatch, "rule[when-str].when", 12, 9),
            (K::TypeMismatch, "risk[pts].points", 16, 11),
        ]
    );
    assert_eq!(errs[0].2, "no matching overload for `>` with argument types (int, string)");
    assert_eq!(errs[1].2, "`rule[notbool].require` must be a `bool` expression, found `int`");
    assert_eq!(errs[2].2, "`rule[when-str].when` must be a `bool` expression, found `string`");
    assert_eq!(errs[3].2, "`risk[pts].points` must be a `int` expression, found `string`");
}

#[test]
fn syntax_errors_in_expressions_are_placed() {
    let text = format!("{HEAD}[[rule]]\nid = \"r\"\nrequire = 'change.id == '\n");
    let d = Policy::from_toml(&text).unwrap_err();
    let e = d.errors().next().unwrap();
    assert_eq!(e.path(), Some("rule[r].require"));
    let at = LineCol::of(&text, e.span().unwrap().start);
    // At the end of the expression, where an operand is missing.
    assert_eq!((at.line, at.col), (6, 25));
}

#[test]
fn a_let_that_refers_to_itself_or_forms_a_cycle() {
    let help = Some("a `let` may use other `let` entries, but not itself, directly or indirectly");
    let text = format!(
        "{HEAD}[let]\nme = 'me && true'\na = 'b || change.id == \"\"'\nb = 'a'\n[[rule]]\nid = \"r\"\nrequire = 'me || a || b'\n"
    );
    assert_errors(
        &text,
        &[
            (K::CyclicLet, "let.me", "`let` entry `me` refers to itself", 5, 1, help),
            (K::CyclicLet, "let.a", "`let` entries form a cycle: a → b → a", 6, 1, help),
        ],
    );
}

#[test]
fn risk_is_not_available_in_factors_and_lets() {
    let help =
        Some("the risk score is computed from the factors; use `risk` in `[[rule]]` conditions and messages");
    let text = format!(
        "{HEAD}[let]\nok = 'risk.score > 3'\n[[risk]]\nid = \"f\"\nwhen = 'risk.score > 10'\npoints = 'risk.score'\n[[rule]]\nid = \"r\"\nrequire = 'ok'\n"
    );
    assert_errors(
        &text,
        &[
            (K::UnknownVariable, "let.ok", "`risk` cannot be used in a `let` entry", 5, 7, help),
            (K::UnknownVariable, "risk[f].when", "`risk` cannot be used in a risk factor", 8, 9, help),
            (K::UnknownVariable, "risk[f].points", "`risk` cannot be used in a risk factor", 9, 11, help),
        ],
    );
    // In rules, rule templates and factor reasons it is fine.
    let ok = format!(
        "{HEAD}[[risk]]\nid = \"f\"\npoints = 1\nreason = \"now {{{{ risk.score }}}}\"\n[[rule]]\nid = \"r\"\nwhen = 'risk.score > 0'\nrequire = 'risk.level == \"low\"'\nmessage = \"{{{{ risk.level }}}}\"\n"
    );
    Policy::from_toml(&ok).unwrap();
}

#[test]
fn invalid_literals_are_load_errors() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"re\"\nrequire = 'change.id.matches(\"[a-\")'\n[[rule]]\nid = \"ver\"\nrequire = 'semver(\"1.0.0\").satisfies(\">>1\")'\n\
         [[rule]]\nid = \"tz\"\nrequire = 'change.when.getHours(\"Mars/Olympus\") > 3'\n"
    );
    assert_errors(
        &text,
        &[
            (
                K::InvalidRegex,
                "rule[re].require",
                "invalid regular expression `[a-`: unclosed character class",
                6,
                30,
                None,
            ),
            (
                K::InvalidLiteral,
                "rule[ver].require",
                "invalid version requirement `>>1`: unexpected character '>' while parsing major version number",
                9,
                38,
                None,
            ),
            (K::InvalidLiteral, "rule[tz].require", "unknown time zone `Mars/Olympus`", 12, 33, None),
        ],
    );
}

#[test]
fn template_errors_are_placed_inside_the_message() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"t\"\nrequire = 'false'\nmessage = \"has {{{{ change.approvers().size() }}}} and {{{{ change.nope }}}}\"\nremediation = \"unclosed {{{{ change.id\"\n"
    );
    let d = Policy::from_toml(&text).unwrap_err();
    let errs = got(&text, &d, Severity::Error);
    let summary: Vec<(K, &str, usize, usize)> =
        errs.iter().map(|(k, p, _, l, c, _)| (*k, p.as_str(), *l, *c)).collect();
    assert_eq!(
        summary,
        [(K::UnknownField, "rule[t].message", 7, 62), (K::UnexpectedToken, "rule[t].remediation", 8, 25)]
    );
    assert_eq!(errs[1].2, "unclosed `{{` in message template");
    assert_eq!(errs[1].5.as_deref(), Some("close the interpolation with `}}`"));
}

#[test]
fn limits_are_load_errors() {
    let deep = format!("{}true{}", "(".repeat(65), ")".repeat(65));
    let text = format!("{HEAD}[[rule]]\nid = \"deep\"\nrequire = '{deep}'\n");
    let d = Policy::from_toml(&text).unwrap_err();
    let e = d.errors().next().unwrap();
    assert_eq!(e.kind(), K::LimitExceeded);
    assert_eq!(e.message(), "limit exceeded: expression nesting depth 65 > 64");
    assert_eq!(e.path(), Some("rule[deep].require"));
    let shallow = format!("{}change.id != \"\"{}", "(".repeat(40), ")".repeat(40));
    Policy::from_toml(&format!("{HEAD}[[rule]]\nid = \"ok\"\nrequire = '{shallow}'\n")).unwrap();

    let mut limits = changeguard::Limits::default();
    limits.max_rules = 2;
    let three = format!(
        "{HEAD}[[risk]]\nid = \"f\"\npoints = 1\n[[rule]]\nid = \"a\"\nrequire = 'false'\n[[rule]]\nid = \"b\"\nrequire = 'false'\n"
    );
    let d = Policy::from_text_with_limits(&three, &limits).unwrap_err();
    assert_eq!(d.errors().next().unwrap().kind(), K::LimitExceeded);
    assert!(d.errors().next().unwrap().message().contains("3 rules and factors > 2"), "{d}");

    let big = format!("{HEAD}# {}\n", "x".repeat(1 << 20));
    let d = Policy::from_toml(&big).unwrap_err();
    assert_eq!(d.errors().next().unwrap().kind(), K::LimitExceeded);

    let nested = format!("{HEAD}[params]\nx = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Policy::from_toml(&nested).is_err());
    let nested = format!(
        "{{\"policy\": {{\"name\": \"p\", \"version\": \"1.0.0\"}}, \"params\": {{\"x\": {}{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(Policy::from_json(&nested).is_err());
}

#[test]
fn constant_folding_of_lets_is_bounded() {
    let lets: String =
        (1..=20).map(|i| format!("l{i} = 'l{} + l{}'\n", i - 1, i - 1)).collect::<Vec<_>>().concat();
    let text = format!("{HEAD}[let]\nl0 = '[1, 2]'\n{lets}[[rule]]\nid = \"r\"\nrequire = 'size(l20) > 0'\n");
    let mut limits = changeguard::Limits::default();
    limits.max_eval_cost = 10_000;
    let start = std::time::Instant::now();
    let loaded = Policy::from_text_with_limits(&text, &limits);
    // Two million elements built at load time: either refused, or at least not silently paid for.
    assert!(loaded.is_err(), "loaded in {:?}", start.elapsed());
}

#[test]
fn malformed_toml_is_reported_with_its_place() {
    let text = format!("{HEAD}\n[[rule]]\nid = \"r\"\nrequire = 'true\n");
    let d = Policy::from_toml(&text).unwrap_err();
    let e = d.errors().next().unwrap();
    assert_eq!(e.kind(), K::InvalidDocument);
    assert!(e.message().starts_with("invalid TOML"), "{}", e.message());
    let at = LineCol::of(&text, e.span().unwrap().start);
    assert_eq!((at.line, at.col), (7, 16));
    // Not TOML at all.
    assert!(Policy::from_toml("this is not toml").is_err());
    assert!(Policy::from_toml("").is_err());
}

#[test]
fn wrongly_typed_values_are_reported() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r\"\nrequire = true\ndry_run = \"yes\"\noverride_roles = \"sre\"\n[[risk]]\nid = \"f\"\npoints = 2.5\n[decision]\napproval_roles = \"sre\"\n"
    );
    let d = Policy::from_toml(&text).unwrap_err();
    let paths: Vec<&str> = d.errors().map(|d| d.path().unwrap()).collect();
    for p in [
        "rule[r].require",
        "rule[r].dry_run",
        "rule[r].override_roles",
        "risk[f].points",
        "decision.approval_roles",
    ] {
        assert!(paths.contains(&p), "{p} not in {paths:?}");
    }
    assert!(d.errors().all(|d| d.span().is_some()));
}

// ------------------------------------------------------------------------------------------
// Policy tests embedded in the document

#[test]
fn broken_test_documents_are_load_errors() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"t\"\nrequire = 'false'\n\
         [[test]]\nname = \"no author\"\nchange = {{ id = \"t1\", environment = \"production\", services = [] }}\nexpect = {{ outcome = \"deny\" }}\n\
         [[test]]\nname = \"typos\"\nchange = {{ id = \"t1\", environment = \"production\", author = \"a\", services = [{{ name = \"x\" }}], enviroment = 1 }}\n\
         context = {{ now = \"yesterday\" }}\nexpect = {{ outcome = \"denied\", risk_level = \"hi\" }}\n\
         [[test]]\nname = \"no expectation\"\nchange = {{ id = \"t1\", environment = \"production\", author = \"a\", services = [{{ name = \"x\" }}] }}\n"
    );
    let d = Policy::from_toml(&text).unwrap_err();
    let errs = got(&text, &d, Severity::Error);
    let summary: Vec<(&str, &str, usize)> =
        errs.iter().map(|(_, p, m, l, _, _)| (p.as_str(), m.as_str(), *l)).collect();
    assert_eq!(
        summary,
        [
            ("test[no author].change.author", "missing field `author`", 9),
            ("test[typos].change.enviroment", "unknown field `enviroment`", 13),
            (
                "test[typos].context.now",
                "invalid timestamp `yesterday`: expected RFC 3339 like `2026-03-02T10:00:00Z`",
                14
            ),
            ("test[typos].expect.outcome", "unknown outcome `denied`", 15),
            ("test[typos].expect.risk_level", "unknown risk level `hi`", 15),
            ("test[no expectation]", "missing key `expect` in `test[no expectation]`", 16),
        ]
    );
    assert_eq!(errs[1].5.as_deref(), Some("did you mean `environment`?"));
}

#[test]
fn a_broken_test_topology_is_a_load_error() {
    let text = format!(
        "{HEAD}[test_topology]\nservices = [{{ name = \"a\" }}]\ndependencies = [{{ from = \"a\", to = \"b\" }}]\n"
    );
    let d = Policy::from_toml(&text).unwrap_err();
    let e = d.errors().next().unwrap();
    assert_eq!(e.path(), Some("test_topology.dependencies[0].to"));
    assert_eq!(e.message(), "unknown service `b`");
    assert!(e.span().is_some());
}

// ------------------------------------------------------------------------------------------
// Everything at once

#[test]
fn every_problem_is_reported_at_once() {
    let text = "[policy]\nname = \"broken\"\nversion = \"one\"\n\n[params]\nlimit = 3\n\n[let]\nloop = 'loop'\n\n\
                [[risk]]\nid = \"Bad Id\"\nwhen = 'risk.score > 1'\npoints = 5\n\n\
                [[rule]]\nid = \"r\"\nenforcement = \"sof\"\nrequire = 'change.enviroment == \"production\"'\n\n\
                [[rule]]\nid = \"r\"\nrequire = 'change.size.files > \"3\"'\n\n[decision]\ndeny_at = \"severe\"\n\n[extra]\n";
    let d = Policy::from_toml(text).unwrap_err();
    let errs = got(text, &d, Severity::Error);
    let summary: Vec<(&str, usize)> = errs.iter().map(|(_, p, _, l, _, _)| (p.as_str(), *l)).collect();
    assert_eq!(
        summary,
        [
            ("policy.version", 3),
            ("let.loop", 9),
            ("risk[0].id", 12),
            ("risk[Bad Id].when", 13),
            ("rule[r].enforcement", 18),
            ("rule[r].require", 19),
            ("rule[1].id", 22),
            ("rule[r].require", 23),
            ("decision.deny_at", 26),
            ("extra", 28),
        ]
    );
    // Rendered rustc-style, each with its place.
    let rendered = d.render(Some("broken.toml"), text);
    assert_eq!(rendered.matches("error[").count(), 10, "{rendered}");
    for line in [3, 9, 12, 13, 18, 19, 22, 23, 26, 28] {
        assert!(rendered.contains(&format!("--> broken.toml:{line}:")), "line {line}:\n{rendered}");
    }
}

// ------------------------------------------------------------------------------------------
// Warnings

#[test]
fn warnings_do_not_stop_loading() {
    let text = format!(
        "{HEAD}[params]\nused = 1\nunused = 2\n[let]\nflag = 'change.environment == \"production\" && params.used > 0'\nspare = 'change.id'\n\
         [[rule]]\nid = \"never\"\nwhen = 'false'\nrequire = 'flag'\n[[rule]]\nid = \"vacuous\"\nrequire = 'true'\n\
         [[rule]]\nid = \"real\"\nrequire = 'flag'\n[[risk]]\nid = \"nf\"\nwhen = 'false && true'\npoints = 3\n"
    );
    let p = Policy::from_toml(&text).unwrap();
    let mut w: Vec<(K, &str, usize)> = p
        .warnings()
        .iter()
        .map(|d| {
            assert_eq!(d.severity(), Severity::Warning);
            (d.kind(), d.path().unwrap(), LineCol::of(&text, d.span().unwrap().start).line)
        })
        .collect();
    w.sort_by_key(|t| (t.2, t.1));
    assert_eq!(
        w,
        [
            (K::Unused, "params.unused", 6),
            (K::Unused, "let.spare", 9),
            (K::NeverApplies, "rule[never]", 12),
            (K::NeverApplies, "rule[vacuous]", 16),
            (K::NeverApplies, "risk[nf]", 22),
        ]
    );
    let messages: Vec<&str> = p.warnings().iter().map(changeguard::Diagnostic::message).collect();
    assert!(messages.contains(&"`let` entry `spare` is never used"), "{messages:?}");
    assert!(messages.contains(&"parameter `unused` is never used"), "{messages:?}");
    assert!(messages.contains(&"this rule can never apply: `when` is always false"), "{messages:?}");
    assert!(messages.contains(&"this risk factor can never apply: `when` is always false"), "{messages:?}");
}

#[test]
fn a_clean_policy_has_no_warnings() {
    let text = format!(
        "{HEAD}[params]\nenvs = [\"production\"]\n[let]\nprod = 'change.environment in params.envs'\n[[rule]]\nid = \"r\"\nrequire = '!prod'\n"
    );
    assert!(Policy::from_toml(&text).unwrap().warnings().is_empty());
}

#[test]
fn params_used_as_a_whole_count_as_used() {
    let text = format!(
        "{HEAD}[params]\na = 1\nb = 2\n[[rule]]\nid = \"r\"\nrequire = 'params.size() == 2 && change.id != \"\"'\n"
    );
    assert!(Policy::from_toml(&text).unwrap().warnings().is_empty());
}

// ------------------------------------------------------------------------------------------
// JSON policies

#[test]
fn json_policies_have_the_same_shape_and_placed_diagnostics() {
    let json = r#"{
  "policy": { "name": "j", "version": "1.0.0" },
  "params": { "envs": ["production"] },
  "let": { "prod": "change.environment in params.envs" },
  "risk": [{ "id": "f", "when": "prod", "points": 30, "reason": "prod" }],
  "rule": [{ "id": "r", "enforcement": "hard", "require": "change.id.startsWith('CHG')" }],
  "decision": { "approval_at": "medium" }
}"#;
    let p = Policy::from_json(json).unwrap();
    assert_eq!(p.name(), "j");
    assert_eq!(p.rule_ids().collect::<Vec<_>>(), ["r"]);
    assert_eq!(p.factor_ids().collect::<Vec<_>>(), ["f"]);
    // from_text tells JSON from TOML.
    let q = Policy::from_text_with_limits(json, &changeguard::Limits::default()).unwrap();
    assert_eq!(q.name(), "j");

    let bad = "{\n  \"policy\": { \"name\": \"j\", \"version\": \"1.0.0\", \"nmae\": 1 },\n  \"rule\": [{ \"id\": \"r\", \"require\": \"change.enviroment == 'p'\" }]\n}";
    let d = Policy::from_json(bad).unwrap_err();
    let errs = got(bad, &d, Severity::Error);
    let summary: Vec<(&str, usize, usize, Option<&str>)> =
        errs.iter().map(|(_, p, _, l, c, h)| (p.as_str(), *l, *c, h.as_deref())).collect();
    assert_eq!(
        summary,
        [
            ("policy.nmae", 2, 48, Some("did you mean `name`?")),
            ("rule[r].require", 3, 44, Some("did you mean `environment`?")),
        ]
    );
    assert!(Policy::from_json("{ \"policy\": ").is_err());
}

// ------------------------------------------------------------------------------------------
// Bad input documents (§2), through the library

type InputWant<'a> = (&'a str, &'a str, Option<&'a str>, usize, usize);

#[track_caller]
fn assert_input_errors(text: &str, d: &Diagnostics, want: &[InputWant<'_>]) {
    let got: Vec<(String, String, Option<String>, usize, usize)> = d
        .iter()
        .map(|d| {
            let at = d.span().map(|s| LineCol::of(text, s.start));
            (
                d.path().unwrap_or("").to_owned(),
                d.message().to_owned(),
                d.help().map(str::to_owned),
                at.map_or(0, |a| a.line),
                at.map_or(0, |a| a.col),
            )
        })
        .collect();
    let want: Vec<(String, String, Option<String>, usize, usize)> = want
        .iter()
        .map(|(p, m, h, l, c)| ((*p).to_owned(), (*m).to_owned(), h.map(str::to_owned), *l, *c))
        .collect();
    assert_eq!(got, want, "\n{}", d.render(Some("input.json"), text));
}

#[test]
fn bad_changes() {
    let cases: &[(&str, InputWant<'_>)] = &[
        (
            "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [{ \"name\": \"api\" }], \"enviroment\": 3 }",
            ("enviroment", "unknown field `enviroment`", Some("did you mean `environment`?"), 2, 36),
        ),
        (
            "{ \"id\": \"c\", \"environment\": \"production\",\n  \"services\": [{ \"name\": \"api\" }] }",
            ("author", "missing field `author`", None, 2, 35),
        ),
        (
            "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [{ \"name\": \"api\", \"to\": \"1.x\" }] }",
            (
                "services[0].to",
                "invalid version `1.x`: unexpected character 'x' while parsing minor version number",
                Some("versions follow semantic versioning, e.g. `1.4.2` or `v2.0.0-rc.1`"),
                2,
                39,
            ),
        ),
        (
            "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [{ \"name\": \"api\" }], \"scheduled_at\": \"2026-13-01\" }",
            (
                "scheduled_at",
                "invalid timestamp `2026-13-01`: expected RFC 3339 like `2026-03-02T10:00:00Z`",
                None,
                2,
                52,
            ),
        ),
        (
            "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [] }",
            (
                "services",
                "a change must deploy at least one service, `services` is empty",
                Some("list the services it deploys, e.g. `[{ \"name\": \"checkout\" }]`"),
                2,
                15,
            ),
        ),
        (
            "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\", \"services\": [{ \"name\": \"api\" }],\n  \"strategy\": { \"type\": \"canary\", \"steps\": [10, 50] } }",
            (
                "strategy.steps",
                "the last step is `50`, not 100",
                Some("a rollout ends with all traffic: add `100` as the last step"),
                2,
                44,
            ),
        ),
    ];
    for (text, want) in cases {
        let d = Change::from_json(text).unwrap_err();
        assert_input_errors(text, &d, std::slice::from_ref(want));
    }
}

#[test]
fn a_change_with_several_validation_problems_reports_them_all() {
    let text = "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [],\n  \"strategy\": { \"type\": \"canary\", \"steps\": [10, 50] } }";
    let d = Change::from_json(text).unwrap_err();
    let paths: Vec<&str> = d.iter().map(|d| d.path().unwrap()).collect();
    assert_eq!(paths, ["services", "strategy.steps"]);
}

#[test]
fn a_change_with_several_shape_problems_reports_them_all() {
    let text = "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [{ \"name\": \"api\", \"to\": \"1.x\" }], \"enviroment\": 3 }";
    let d = Change::from_json(text).unwrap_err();
    let mut paths: Vec<&str> = d.iter().map(|d| d.path().unwrap()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["enviroment", "services[0].to"]);
}

#[test]
fn bad_contexts() {
    let text = "{ \"now\": \"2026-03-02T10:00:00Z\",\n  \"freezes\": [{ \"name\": \"f\", \"start\": \"2026-03-01T00:00:00Z\", \"ends\": \"2026-03-03T00:00:00Z\" }] }";
    let d = Context::from_json(text).unwrap_err();
    let e = d.iter().next().unwrap();
    assert_eq!(e.path(), Some("freezes[0].ends"));
    assert_eq!(e.message(), "unknown field `ends`");
    assert_eq!(e.help(), Some("did you mean `end`?"));
    assert_eq!(LineCol::of(text, e.span().unwrap().start).line, 2);

    let d = Context::from_json("{ \"freezes\": [] }").unwrap_err();
    assert_eq!(d.iter().next().unwrap().message(), "missing field `now`");
}

const BAD_TOPOLOGY: &str = r#"{
  "services": [
    { "name": "checkout" },
    { "name": "payments", "traffic_share": 1.5 },
    { "name": "checkout" }
  ],
  "dependencies": [
    { "from": "checkout", "to": "paymnts" },
    { "from": "payments", "to": "payments" }
  ]
}"#;

#[test]
fn bad_topologies_report_every_problem_with_a_path_and_help() {
    let d = Topology::from_json(BAD_TOPOLOGY).unwrap_err();
    let mut got: Vec<(&str, &str, Option<&str>)> =
        d.iter().map(|d| (d.path().unwrap(), d.message(), d.help())).collect();
    got.sort_unstable();
    assert_eq!(
        got,
        [
            ("dependencies[0].to", "unknown service `paymnts`", Some("did you mean `payments`?")),
            (
                "dependencies[1]",
                "service `payments` depends on itself",
                Some("remove `dependencies[1]`; cycles through other services are allowed")
            ),
            (
                "services[1].traffic_share",
                "traffic share `1.5` of service `payments` is outside [0, 1]",
                Some("a traffic share is the fraction of all user requests, from 0 to 1")
            ),
            (
                "services[2].name",
                "duplicate service `checkout`",
                Some("`checkout` is first declared at `services[0]`; rename or remove one")
            ),
        ]
    );
}

#[test]
fn bad_topology_diagnostics_point_into_the_text() {
    let d = Topology::from_json(BAD_TOPOLOGY).unwrap_err();
    let mut lines: Vec<usize> =
        d.iter().map(|d| LineCol::of(BAD_TOPOLOGY, d.span().unwrap().start).line).collect();
    lines.sort_unstable();
    assert_eq!(lines, [4, 5, 8, 9]);
}

#[test]
fn topology_shape_errors_point_into_the_text() {
    let text = "{ \"services\": [{ \"name\": \"a\", \"tier\": 1, \"teams\": \"x\" }] }";
    let d = Topology::from_json(text).unwrap_err();
    let e = d.iter().next().unwrap();
    assert!(e.message().contains("teams"), "{}", e.message());
    assert!(e.span().is_some());
}

// ------------------------------------------------------------------------------------------
// The environment vocabulary (`params.environments`).

#[test]
fn environment_vocabularies_are_checked() {
    let help_alias = Some(
        "aliases match by canonical form (case, width and invisible characters do not count): give each spelling to one environment",
    );
    let text = format!(
        "{HEAD}[params]\nenvironments = {{ production = [\"prod\", 3], staging = [\"PROD \", \"\\u200b\"] }}\nstrictest_environment = \"qa\"\n"
    );
    assert_errors(
        &text,
        &[
            (
                K::InvalidValue,
                "params.environments.production",
                "an alias in `params.environments.production` must be a string, found an integer",
                5,
                40,
                None,
            ),
            (
                K::InvalidValue,
                "params.environments.staging",
                "environment alias `PROD ` of `staging` is also an alias of `production`",
                5,
                55,
                help_alias,
            ),
            (
                K::InvalidValue,
                "params.environments.staging",
                "environment alias `\u{200b}` is empty once canonical",
                5,
                64,
                None,
            ),
            (
                K::InvalidValue,
                "params.strictest_environment",
                "`qa` is not a declared environment",
                6,
                25,
                Some("name one of the keys or aliases of `params.environments`"),
            ),
        ],
    );
    let text = format!("{HEAD}[params]\nenvironments = {{ production = [] }}\n");
    assert_errors(
        &text,
        &[(
            K::MissingKey,
            "params.strictest_environment",
            "`params.environments` needs `params.strictest_environment`",
            5,
            1,
            Some(
                "name the declared environment that an unknown environment is treated as, e.g. `strictest_environment = \"production\"`",
            ),
        )],
    );
    let text =
        format!("{HEAD}[params]\nenvironments = [\"production\"]\nstrictest_environment = \"production\"\n");
    assert_errors(
        &text,
        &[(
            K::InvalidValue,
            "params.environments",
            "`params.environments` must be a table of environment names to lists of aliases",
            5,
            16,
            Some("write `environments = { production = [\"prod\"], staging = [\"stage\"] }`"),
        )],
    );
    // A well-formed vocabulary loads, and its parameters are never "unused".
    let text = format!(
        "{HEAD}[params]\nenvironments = {{ production = [\"prod\"] }}\nstrictest_environment = \"PROD\"\n"
    );
    let p = Policy::from_toml(&text).unwrap();
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
}

#[test]
fn constant_points_outside_the_documented_range_are_load_errors() {
    let help = Some(
        "scores are clamped to 0..=100: give a factor a few points, or a negative few to lower the score",
    );
    let text = format!(
        "{HEAD}[[risk]]\nid = \"huge\"\npoints = 9223372036854775807\n\n[[risk]]\nid = \"low\"\npoints = -1001\n\n\
         [[risk]]\nid = \"folded\"\npoints = '500 * 3'\n\n[[risk]]\nid = \"edge\"\npoints = 1000\n\n\
         [[risk]]\nid = \"computed\"\npoints = 'change.services.size() * 5000'\n"
    );
    assert_errors(
        &text,
        &[
            (
                K::InvalidValue,
                "risk[huge].points",
                "`risk[huge].points` is 9223372036854775807, outside -1000..=1000",
                6,
                10,
                help,
            ),
            (
                K::InvalidValue,
                "risk[low].points",
                "`risk[low].points` is -1001, outside -1000..=1000",
                10,
                10,
                help,
            ),
            (
                K::InvalidValue,
                "risk[folded].points",
                "`risk[folded].points` is 1500, outside -1000..=1000",
                14,
                10,
                help,
            ),
        ],
    );
    assert_eq!(changeguard::policy::POINTS_RANGE, -1000..=1000);
}

#[test]
fn errors_in_a_test_document_point_at_the_key_or_value_inside_its_table() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"t\"\nrequire = 'false'\n\
         [[test]]\nname = \"placed\"\nexpect = {{ outcome = \"deny\" }}\n\
         [test.change]\nid = \"c\"\nenvironment = 7\nauthor = \"a\"\nenviroment = \"p\"\n\
         services = [{{ name = \"x\", to = \"1.x\" }}]\n\
         size = {{ files = \"3\", lines_added = 1, lines_removed = 1 }}\n\
         [test.context]\nnow = \"2026-03-02T10:00:00Z\"\nfreezes = [{{ name = \"f\", start = \"2026-03-02T00:00:00Z\", end = \"2026-03-01T00:00:00Z\" }}]\n\
         [test.topology]\nservices = [{{ name = \"x\", tier = -1 }}]\n"
    );
    let d = Policy::from_toml(&text).unwrap_err();
    let errs = got(&text, &d, Severity::Error);
    let summary: Vec<(&str, &str, usize, usize)> =
        errs.iter().map(|(_, p, m, l, c, _)| (p.as_str(), m.as_str(), *l, *c)).collect();
    assert_eq!(
        summary,
        [
            (
                "test[placed].change.environment",
                "`environment`: invalid type: integer `7`, expected a string",
                12,
                15
            ),
            ("test[placed].change.enviroment", "unknown field `enviroment`", 14, 1),
            (
                "test[placed].change.services[0].to",
                "invalid version `1.x`: unexpected character 'x' while parsing minor version number",
                15,
                32
            ),
            (
                "test[placed].change.size.files",
                "`size.files`: invalid type: string \"3\", expected a non-negative integer",
                16,
                18
            ),
            (
                "test[placed].context.freezes[0].end",
                "freeze `f` ends at `2026-03-01T00:00:00Z`, which is not after its start `2026-03-02T00:00:00Z`",
                19,
                64
            ),
            (
                "test[placed].topology.services[0].tier",
                "`services[0].tier`: invalid value: integer `-1`, expected an integer from 0 to 4294967295",
                21,
                34
            ),
        ]
    );
    assert_eq!(errs[1].5.as_deref(), Some("did you mean `environment`?"));
}

#[test]
fn every_document_has_from_format_and_from_format_with_limits() {
    let toml = format!("{HEAD}[[rule]]\nid = \"r\"\nrequire = 'true'\n");
    let json = r#"{"policy": {"name": "p", "version": "1.0.0"}, "rule": [{"id": "r", "require": "true"}]}"#;
    let mut tight = changeguard::Limits::default();
    tight.max_policy_bytes = 10;
    tight.max_document_bytes = 10;
    let roomy = changeguard::Limits::default();
    for (text, read) in [
        (toml.as_str(), Policy::from_toml_with_limits as fn(&str, &changeguard::Limits) -> _),
        (json, Policy::from_json_with_limits),
        (toml.as_str(), Policy::from_text_with_limits),
        (json, Policy::from_text_with_limits),
    ] {
        assert!(read(text, &roomy).is_ok(), "{text}");
        assert_eq!(read(text, &tight).unwrap_err().items()[0].kind(), K::LimitExceeded, "{text}");
    }
    let change = r#"{"id": "c", "environment": "dev", "author": "ann", "services": [{"name": "api"}]}"#;
    assert_eq!(
        Change::from_json_with_limits(change, &tight).unwrap_err().items()[0].kind(),
        K::LimitExceeded
    );
    let context = r#"{"now": "2026-03-02T10:00:00Z"}"#;
    assert_eq!(
        Context::from_json_with_limits(context, &tight).unwrap_err().items()[0].kind(),
        K::LimitExceeded
    );
    let topology = r#"{"services": [{"name": "api"}]}"#;
    assert_eq!(
        Topology::from_json_with_limits(topology, &tight).unwrap_err().items()[0].kind(),
        K::LimitExceeded
    );
    let observations = r#"{"metrics": {}}"#;
    assert_eq!(
        changeguard::health::Observations::from_json_with_limits(observations, &tight).unwrap_err().items()
            [0]
        .kind(),
        K::LimitExceeded
    );
    // The old names still read, deprecated.
    #[allow(deprecated)]
    {
        assert!(Policy::from_text(&toml, &roomy).is_ok());
        assert!(changeguard::health::Observations::from_json_with(observations, &roomy).is_ok());
    }
}
