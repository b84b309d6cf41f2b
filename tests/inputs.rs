#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! The input documents (SPEC §2.1, §2.3): defaults, computed fields, validation, error
//! messages with their path, help and place, round trips, and the bundled examples.

use std::collections::BTreeMap;

use changeguard::cel::Timestamp;
use changeguard::diagnostic::LineCol;
use changeguard::input::{
    Approval, Bump, Category, Change, ChangeKind, CheckStatus, Context, Rollback, ServiceChange, Strategy,
    StrategyType,
};
use changeguard::{Diagnostic, DiagnosticKind, Diagnostics};
use semver::Version;

const MINIMAL: &str = r#"{ "id": "CHG-1", "environment": "production", "author": "ann",
  "services": [{ "name": "checkout" }] }"#;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn minimal() -> Change {
    Change::from_json(MINIMAL).unwrap()
}

/// A minimal change with `extra` (JSON members, without braces) added on line 3 (replacing
/// `services` when `extra` starts with it).
fn with(extra: &str) -> String {
    if extra.starts_with("\"services\"") {
        return format!(
            "{{ \"id\": \"CHG-1\", \"environment\": \"production\", \"author\": \"ann\",\n  \"title\": \"\",\n  {extra} }}"
        );
    }
    format!(
        "{{ \"id\": \"CHG-1\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [{{ \"name\": \"checkout\" }}],\n  {extra} }}"
    )
}

fn example(name: &str) -> String {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// ------------------------------------------------------------------------------------------
// Defaults.

#[test]
fn change_defaults_follow_the_spec() {
    let c = minimal();
    assert_eq!(c.id, "CHG-1");
    assert_eq!(c.title, "");
    assert_eq!(c.category, Category::Normal);
    assert_eq!(
        c.strategy,
        Strategy { kind: StrategyType::AllAtOnce, steps: None, bake_minutes: 0, in_place: false }
    );
    assert_eq!(c.size, None);
    assert_eq!(c.rollback, None);
    assert_eq!(c.migration, None);
    assert!(c.approvals.is_empty());
    assert!(c.checks.is_empty());
    assert!(c.tested_in.is_empty());
    assert_eq!(c.scheduled_at, None);
    assert!(c.regions.is_empty());
    assert!(c.labels.is_empty());
    assert!(c.attributes.is_empty());
    assert_eq!(
        c.services,
        [ServiceChange { name: "checkout".into(), from: None, to: None, kinds: vec![ChangeKind::Code] }]
    );
    assert_eq!(c, Change::new("CHG-1", "production", "ann", vec![ServiceChange::new("checkout")]));
}

#[test]
fn nested_defaults_follow_the_spec() {
    let c = Change::from_json(&with(
        r#""strategy": { "type": "canary" }, "rollback": { "plan": true },
           "approvals": [{ "by": "bob", "role": "sre" }]"#,
    ))
    .unwrap();
    assert_eq!(c.strategy, Strategy::of(StrategyType::Canary));
    assert_eq!(c.rollback, Some(Rollback { plan: true, tested: false, automated: false, minutes: None }));
    assert_eq!(c.approvals, [Approval { by: "bob".into(), role: "sre".into(), at: None }]);

    let ctx = Context::from_json(
        r#"{ "now": "2026-03-02T10:00:00Z", "freezes": [
             { "name": "f", "start": "2026-03-01T00:00:00Z", "end": "2026-03-03T00:00:00Z" }] }"#,
    )
    .unwrap();
    assert_eq!(ctx.now, ts("2026-03-02T10:00:00Z"));
    assert_eq!(ctx.freezes[0].environments, Vec::<String>::new());
    assert_eq!(ctx.freezes[0].exempt, [Category::Emergency]);
    assert!(ctx.error_budgets.is_empty() && ctx.incidents.is_empty() && ctx.attributes.is_empty());
    assert_eq!(Context::from_json(r#"{ "now": "2026-03-02T10:00:00Z" }"#).unwrap(), Context::new(ctx.now));
}

#[test]
fn explicit_nulls_mean_absent() {
    let c = Change::from_json(&with(r#""size": null, "scheduled_at": null"#)).unwrap();
    assert_eq!(c, minimal());
}

// ------------------------------------------------------------------------------------------
// Errors: message, help, path and place together.

/// Where a span starts (line, column) and the text it covers.
type Place<'t> = Option<(usize, usize, &'t str)>;

/// A document, and the message, help, path and place of its only diagnostic.
type ErrorCase = (String, &'static str, Option<&'static str>, Option<&'static str>, Place<'static>);

/// A 1-based line and column.
type LineAndColumn = (usize, usize);

/// Checks the only diagnostic of loading `text`: message, help, path and where the span
/// starts (line, column) and what it covers.
fn check_error(
    err: &Diagnostics,
    text: &str,
    message: &str,
    help: Option<&str>,
    path: Option<&str>,
    at: Option<(usize, usize, &str)>,
) {
    assert_eq!(err.items().len(), 1, "{err}");
    let d: &Diagnostic = &err.items()[0];
    assert_eq!(d.kind(), DiagnosticKind::InvalidInput);
    assert!(d.is_error());
    assert_eq!(d.message(), message, "{text}");
    assert_eq!(d.help(), help, "{text}");
    assert_eq!(d.path(), path, "{text}");
    let got = d.span().map(|s| {
        let lc = LineCol::of(text, s.start);
        (lc.line, lc.col, &text[s.start as usize..s.end as usize])
    });
    assert_eq!(got, at, "{text}");
}

#[test]
fn change_errors_name_the_problem_and_its_place() {
    let known = "known fields: `id`, `title`, `category`, `environment`, `author`, `services`, `strategy`, `size`, \
                 `rollback`, `migration`, `approvals`, `checks`, `tested_in`, `scheduled_at`, `regions`, `labels`, \
                 `attributes`";
    #[rustfmt::skip]
    let cases: &[ErrorCase] = &[
        ("{ \"id\": \"CHG-1\", \"author\": \"a\", \"services\": [{ \"name\": \"a\" }],\n  \"enviroment\": \"production\" }".into(),
         "unknown field `enviroment`", Some("did you mean `environment`?"), Some("enviroment"), Some((2, 3, "\"enviroment\""))),
        (with(r#""qqqqq": 1"#), "unknown field `qqqqq`", Some(known), Some("qqqqq"), Some((3, 3, "\"qqqqq\""))),
        (with(r#""strategy": { "type": "canary", "bake": 5 }"#), "unknown field `bake`",
         Some("known fields: `type`, `steps`, `bake_minutes`, `in_place`"), Some("strategy.bake"), Some((3, 35, "\"bake\""))),
        (with(r#""approvals": [{ "by": "bob", "rol": "sre" }]"#), "unknown field `rol`", Some("did you mean `role`?"),
         Some("approvals[0].rol"), Some((3, 32, "\"rol\""))),
        (with(r#""category": "emergancy""#), "unknown category `emergancy`", Some("did you mean `emergency`?"),
         Some("category"), Some((3, 15, "\"emergancy\""))),
        (with(r#""category": "whatever""#), "unknown category `whatever`",
         Some("expected one of `standard`, `normal`, `emergency`"), Some("category"), Some((3, 15, "\"whatever\""))),
        (with(r#""strategy": { "type": "cannary" }"#), "unknown strategy type `cannary`", Some("did you mean `canary`?"),
         Some("strategy.type"), Some((3, 25, "\"cannary\""))),
        (with(r#""checks": { "unit tests": "passd" }"#), "unknown check status `passd`", Some("did you mean `passed`?"),
         Some("checks[\"unit tests\"]"), Some((3, 29, "\"passd\""))),
        (with(r#""services": [{ "name": "a", "kinds": ["code", "confg"] }]"#), "unknown change kind `confg`",
         Some("did you mean `config`?"), Some("services[0].kinds[1]"), Some((3, 49, "\"confg\""))),
        ("{ \"id\": \"CHG-1\", \"environment\": \"p\",\n  \"services\": [{ \"name\": \"a\" }] }".into(),
         "missing field `author`", None, Some("author"), Some((2, 33, "}"))),
        (with(r#""size": { "files": 1, "lines_added": 2 }"#), "missing field `lines_removed`", None,
         Some("size.lines_removed"), Some((3, 42, "}"))),
        (with(r#""migration": { "reversible": true }"#), "missing field `backward_compatible`", None,
         Some("migration.backward_compatible"), Some((3, 37, "}"))),
        (with(r#""strategy": { "steps": [10, 100] }"#), "missing field `type`", None, Some("strategy.type"), Some((3, 36, "}"))),
        (with(r#""id": "again""#), "duplicate field `id`", None, Some("id"), Some((3, 3, "\"id\""))),
        (with(r#""size": { "files": "3", "lines_added": 0, "lines_removed": 0 }"#),
         "`size.files`: invalid type: string \"3\", expected a non-negative integer", None, Some("size.files"), Some((3, 22, "\"3\""))),
        (with(r#""rollback": { "minutes": -5 }"#),
         "`rollback.minutes`: invalid value: integer `-5`, expected a non-negative integer", None, Some("rollback.minutes"),
         Some((3, 28, "-5"))),
        (with(r#""strategy": { "type": "canary", "bake_minutes": 1.5 }"#),
         "`strategy.bake_minutes`: invalid type: floating point `1.5`, expected an integer from 0 to 4294967295", None,
         Some("strategy.bake_minutes"), Some((3, 51, "1.5"))),
        (with(r#""rollback": { "tested": "yes" }"#), "`rollback.tested`: invalid type: string \"yes\", expected a boolean",
         None, Some("rollback.tested"), Some((3, 27, "\"yes\""))),
        (with(r#""strategy": ["canary"]"#), "`strategy`: invalid type: sequence, expected an object", None,
         Some("strategy"), Some((3, 15, "[\"canary\"]"))),
        (with(r#""services": { "name": "a" }"#), "`services`: invalid type: map, expected a list", None,
         Some("services"), Some((3, 15, "{ \"name\": \"a\" }"))),
        (with(r#""tested_in": "staging""#), "`tested_in`: invalid type: string \"staging\", expected a list", None,
         Some("tested_in"), Some((3, 16, "\"staging\""))),
        (with(r#""attributes": [1]"#), "`attributes`: invalid type: sequence, expected an object", None,
         Some("attributes"), Some((3, 17, "[1]"))),
        (with(r#""labels": { "team": 7 }"#), "`labels.team`: invalid type: integer `7`, expected a string", None,
         Some("labels.team"), Some((3, 23, "7"))),
        (with(r#""scheduled_at": "2026-13-01T00:00:00Z""#),
         "invalid timestamp `2026-13-01T00:00:00Z`: expected RFC 3339 like `2026-03-02T10:00:00Z`", None,
         Some("scheduled_at"), Some((3, 19, "\"2026-13-01T00:00:00Z\""))),
        (with(r#""approvals": [{ "by": "b", "role": "r", "at": "yesterday" }]"#),
         "invalid timestamp `yesterday`: expected RFC 3339 like `2026-03-02T10:00:00Z`", None,
         Some("approvals[0].at"), Some((3, 49, "\"yesterday\""))),
        (with(r#""services": [{ "name": "a", "to": "1.x" }]"#),
         "invalid version `1.x`: unexpected character 'x' while parsing minor version number",
         Some("versions follow semantic versioning, e.g. `1.4.2` or `v2.0.0-rc.1`"), Some("services[0].to"),
         Some((3, 37, "\"1.x\""))),
        (with(r#""services": [{ "name": "a", "from": 2 }]"#),
         "`services[0].from`: invalid type: integer `2`, expected a semantic version like `1.4.2`", None,
         Some("services[0].from"), Some((3, 39, "2"))),
        (String::new(), "empty change document", Some("a change is a JSON object: `{ … }`"), None, Some((1, 1, ""))),
        (" \n ".into(), "empty change document", Some("a change is a JSON object: `{ … }`"), None, Some((2, 1, " "))),
        ("  [1, 2]".into(), "expected the change document to be a JSON object, found a list",
         Some("a change is a JSON object: `{ … }`"), None, Some((1, 3, "["))),
        ("\"x\"".into(), "expected the change document to be a JSON object, found a string",
         Some("a change is a JSON object: `{ … }`"), None, Some((1, 1, "\""))),
        ("id: CHG-1".into(), "expected the change document to be a JSON object, found text that is not JSON",
         Some("a change is a JSON object: `{ … }`"), None, Some((1, 1, "i"))),
        ("{ \"id\": \"CHG-1\",\n  \"environment\": \"p\" \"author\": \"a\" }".into(), "invalid JSON: expected `,` or `}`",
         None, None, Some((2, 22, "\""))),
        ("{ \"id\": \"CHG-1\", \"environment\": \"p\"".into(),
         "invalid JSON: unexpected end of input while parsing an object", None, None, Some((1, 36, ""))),
        (format!("{MINIMAL} {{}}"), "invalid JSON: trailing characters", None, None, Some((2, 42, "{"))),
        (with(r#""title": "a" ,"#), "invalid JSON: trailing comma", None, None, Some((3, 18, "}"))),
    ];
    for (text, message, help, path, at) in cases {
        let err = Change::from_json(text).unwrap_err();
        check_error(&err, text, message, *help, *path, *at);
    }
}

#[test]
fn validation_reports_every_problem_with_its_place() {
    let text = r#"{
  "id": " ",
  "environment": "",
  "author": "ann",
  "services": [],
  "strategy": { "type": "canary", "steps": [0, 50, 50, 40, 101] },
  "approvals": [{ "by": "bob", "role": "sre" }, { "by": "", "role": "sre" }]
}"#;
    let err = Change::from_json(text).unwrap_err();
    let got: Vec<(&str, &str, Option<LineAndColumn>)> = err
        .iter()
        .map(|d| {
            let at = d.span().map(|s| LineCol::of(text, s.start));
            (d.path().unwrap(), d.message(), at.map(|lc| (lc.line, lc.col)))
        })
        .collect();
    assert_eq!(
        got,
        [
            ("id", "`id` is blank", Some((2, 9))),
            ("environment", "`environment` is empty", Some((3, 18))),
            ("services", "a change must deploy at least one service, `services` is empty", Some((5, 15))),
            ("strategy.steps[0]", "step `0` is not a percentage from 1 to 100", Some((6, 45))),
            (
                "strategy.steps[2]",
                "step `50` does not come after `50`: steps must be strictly ascending",
                Some((6, 52))
            ),
            (
                "strategy.steps[3]",
                "step `40` does not come after `50`: steps must be strictly ascending",
                Some((6, 56))
            ),
            ("strategy.steps[4]", "step `101` is not a percentage from 1 to 100", Some((6, 60))),
            ("strategy.steps", "the last step is `101`, not 100", Some((6, 44))),
            ("approvals[1].by", "`by` is empty", Some((7, 57))),
        ]
    );
    assert!(err.iter().all(|d| d.kind() == DiagnosticKind::InvalidInput && d.help().is_some()));
    assert_eq!(err.items()[0].help(), Some("name the change, e.g. `CHG-1042`"));
    let rendered = err.render(Some("change.json"), text);
    assert!(rendered.contains("error[E0401]: `id` is blank (in `id`)\n --> change.json:2:9\n"), "{rendered}");
    assert!(rendered.contains("  |         ^^^\n"), "{rendered}");
}

#[test]
fn each_validation_rule_alone() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, &str)] = &[
        (r#""author": "  ""#, "author", "`author` is blank", "name who made the change"),
        (r#""services": [{ "name": "a" }, { "name": " " }]"#, "services[1].name", "`name` is blank",
         "name the service as the topology does"),
        (r#""strategy": { "type": "linear", "steps": [] }"#, "strategy.steps", "`steps` is empty",
         "leave `steps` out to use the steps of `linear`, `[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]`"),
        (r#""strategy": { "type": "canary", "steps": [10, 50] }"#, "strategy.steps", "the last step is `50`, not 100",
         "a rollout ends with all traffic: add `100` as the last step"),
        (r#""strategy": { "type": "canary", "steps": [100, 100] }"#, "strategy.steps[1]",
         "step `100` does not come after `100`: steps must be strictly ascending",
         "list each stage once, from the smallest share to 100"),
        (r#""approvals": [{ "by": "", "role": "sre" }]"#, "approvals[0].by", "`by` is empty", "name who approved the change"),
    ];
    for (extra, path, message, help) in cases {
        // The minimal change with the members of `extra` replacing its own.
        let mut doc: serde_json::Value = serde_json::from_str(MINIMAL).unwrap();
        let extra: serde_json::Value = serde_json::from_str(&format!("{{ {extra} }}")).unwrap();
        doc.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let err = Change::from_json(&text).unwrap_err();
        assert_eq!(err.items().len(), 1, "{err}");
        let d = &err.items()[0];
        assert_eq!((d.path(), d.message(), d.help()), (Some(*path), *message, Some(*help)), "{text}");
        assert!(d.span().is_some());
    }
    for ok in [
        r#""strategy": { "type": "canary", "steps": [1, 100] }"#,
        r#""strategy": { "type": "canary", "steps": [100] }"#,
    ] {
        Change::from_json(&with(ok)).unwrap();
    }
}

#[test]
fn context_errors() {
    let text = r#"{ "now": "2026-03-02T10:00:00Z",
  "freezes": [
    { "name": "ok", "start": "2026-03-01T00:00:00Z", "end": "2026-03-02T00:00:00Z" },
    { "name": "backwards", "start": "2026-03-02T00:00:00Z", "end": "2026-03-01T00:00:00Z" },
    { "name": "empty", "start": "2026-03-02T00:00:00Z", "end": "2026-03-02T00:00:00Z" }
  ] }"#;
    let err = Context::from_json(text).unwrap_err();
    let got: Vec<_> = err.iter().map(|d| (d.path().unwrap(), d.message(), d.help().unwrap())).collect();
    assert_eq!(
        got,
        [
            (
                "freezes[1].end",
                "freeze `backwards` ends at `2026-03-01T00:00:00Z`, which is not after its start `2026-03-02T00:00:00Z`",
                "`end` is the first instant after the freeze"
            ),
            (
                "freezes[2].end",
                "freeze `empty` ends at `2026-03-02T00:00:00Z`, which is not after its start `2026-03-02T00:00:00Z`",
                "`end` is the first instant after the freeze"
            ),
        ]
    );
    let lc = LineCol::of(text, err.items()[0].span().unwrap().start);
    assert_eq!((lc.line, lc.col), (4, 68));

    #[rustfmt::skip]
    let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        (r#"{ "nou": "2026-03-02T10:00:00Z" }"#, "unknown field `nou`", Some("did you mean `now`?"), Some("nou")),
        (r#"{ "freezes": [] }"#, "missing field `now`", None, Some("now")),
        (r#"{ "now": "2026-03-02 10:00" }"#,
         "invalid timestamp `2026-03-02 10:00`: expected RFC 3339 like `2026-03-02T10:00:00Z`", None, Some("now")),
        (r#"{ "now": "0000-12-31T00:00:00Z" }"#,
         "invalid timestamp `0000-12-31T00:00:00Z`: out of range, years 1 to 9999 are supported", None, Some("now")),
        (r#"{ "now": 1767225600 }"#,
         "`now`: invalid type: integer `1767225600`, expected an RFC 3339 timestamp like `2026-03-02T10:00:00Z`", None, Some("now")),
        (r#"{ "now": "2026-03-02T10:00:00Z", "freezes": [{ "name": "f", "start": "2026-03-01T00:00:00Z",
             "end": "2026-03-03T00:00:00Z", "exempt": ["emergancy"] }] }"#,
         "unknown category `emergancy`", Some("did you mean `emergency`?"), Some("freezes[0].exempt[0]")),
        (r#"{ "now": "2026-03-02T10:00:00Z", "error_budgets": { "cart": "low" } }"#,
         "`error_budgets.cart`: invalid type: string \"low\", expected a number", None, Some("error_budgets.cart")),
        (r#"{ "now": "2026-03-02T10:00:00Z", "incidents": [{ "id": "INC-1", "services": [] }] }"#,
         "missing field `severity`", None, Some("incidents[0].severity")),
        ("null", "expected the context document to be a JSON object, found null",
         Some("a context is a JSON object: `{ … }`"), None),
        ("", "empty context document", Some("a context is a JSON object: `{ … }`"), None),
    ];
    for (text, message, help, path) in cases {
        let err = Context::from_json(text).unwrap_err();
        assert_eq!(err.items().len(), 1, "{err}");
        let d = &err.items()[0];
        assert_eq!((d.message(), d.help(), d.path()), (*message, *help, *path), "{text}");
        assert!(d.span().is_some(), "{text}");
    }
}

#[test]
fn non_finite_error_budgets_are_rejected() {
    let mut ctx = Context::new(ts("2026-03-02T10:00:00Z"));
    ctx.error_budgets.insert("cart".into(), -0.5);
    ctx.validate().unwrap();
    ctx.error_budgets.insert("search".into(), f64::NAN);
    ctx.error_budgets.insert("checkout".into(), f64::INFINITY);
    let err = ctx.validate().unwrap_err();
    let got: Vec<_> = err.iter().map(|d| (d.path().unwrap(), d.message())).collect();
    assert_eq!(
        got,
        [
            ("error_budgets.checkout", "the error budget of `checkout` is `inf`, not a finite number"),
            ("error_budgets.search", "the error budget of `search` is `NaN`, not a finite number"),
        ]
    );
}

#[test]
fn diagnostics_display_path_message_and_help() {
    let err = Change::from_json(&with(r#""enviroment": "x""#)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "error: enviroment: unknown field `enviroment`\nhelp: did you mean `environment`?"
    );
}

// ------------------------------------------------------------------------------------------
// Round trips.

fn full_change() -> Change {
    let mut c = Change::new("CHG-9", "production", "ann", vec![ServiceChange::new("checkout")]);
    c.title = "Everything set".into();
    c.category = Category::Standard;
    c.services.push(ServiceChange {
        name: "payments".into(),
        from: Some(Version::parse("1.0.0-rc.1+b.7").unwrap()),
        to: Some(Version::new(1, 0, 0)),
        kinds: vec![ChangeKind::Schema, ChangeKind::Secret],
    });
    c.services.push(ServiceChange { kinds: vec![], ..ServiceChange::new("cart") });
    c.strategy =
        Strategy { kind: StrategyType::Linear, steps: Some(vec![5, 100]), bake_minutes: 15, in_place: true };
    c.size = Some(changeguard::input::Size { files: 1, lines_added: u64::MAX, lines_removed: 0 });
    c.rollback = Some(Rollback { plan: true, tested: false, automated: true, minutes: Some(0) });
    c.migration = Some(changeguard::input::Migration { reversible: false, backward_compatible: true });
    c.approvals.push(Approval {
        by: "bob".into(),
        role: "sre".into(),
        at: Some(ts("2026-03-01T09:00:00.25Z")),
    });
    c.checks =
        BTreeMap::from([("unit".to_owned(), CheckStatus::Passed), ("e2e".to_owned(), CheckStatus::Pending)]);
    c.tested_in = vec!["staging".into()];
    c.scheduled_at = Some(ts("2026-03-06T18:00:00Z"));
    c.regions = vec!["eu-west-1".into()];
    c.labels = BTreeMap::from([("team".to_owned(), "web".to_owned())]);
    let serde_json::Value::Object(attributes) =
        serde_json::json!({ "risk": { "manual": 3, "list": [1.5, null, "x"] } })
    else {
        unreachable!()
    };
    c.attributes = attributes;
    c
}

#[test]
fn changes_round_trip() {
    for change in [minimal(), full_change()] {
        let text = change.to_json_pretty();
        assert_eq!(Change::from_json(&text).unwrap(), change, "{text}");
        let compact = serde_json::to_string(&change).unwrap();
        assert_eq!(Change::from_json(&compact).unwrap(), change);
    }
}

#[test]
fn serialization_leaves_out_what_is_absent_or_empty() {
    let json = serde_json::to_value(minimal()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "CHG-1", "category": "normal", "environment": "production", "author": "ann",
            "services": [{ "name": "checkout", "kinds": ["code"] }],
            "strategy": { "type": "all_at_once", "bake_minutes": 0, "in_place": false }
        })
    );
    let json = serde_json::to_value(full_change()).unwrap();
    assert_eq!(json["services"][1]["from"], "1.0.0-rc.1+b.7");
    assert_eq!(json["services"][2]["kinds"], serde_json::json!([]));
    assert_eq!(json["approvals"][0]["at"], "2026-03-01T09:00:00.25Z");
    assert_eq!(
        json["rollback"],
        serde_json::json!({ "plan": true, "tested": false, "automated": true, "minutes": 0 })
    );
}

#[test]
fn contexts_round_trip() {
    let ctx = Context::new(ts("2026-03-02T10:00:00Z"));
    let text = ctx.to_json_pretty();
    assert_eq!(text, "{\n  \"now\": \"2026-03-02T10:00:00Z\"\n}");
    assert_eq!(Context::from_json(&text).unwrap(), ctx);
    // Every field set: freezes with and without their defaults, a negative budget, an incident.
    let ctx = Context::from_json(
        r#"{ "now": "2026-03-02T10:00:00Z",
             "freezes": [
               { "name": "none-exempt", "start": "2026-03-01T00:00:00Z", "end": "2026-03-03T00:00:00Z",
                 "environments": ["prod"], "exempt": [] },
               { "name": "default", "start": "2026-03-01T00:00:00Z", "end": "2026-03-03T00:00:00Z" }
             ],
             "error_budgets": { "cart": -0.125 },
             "incidents": [{ "id": "INC-1", "services": [], "severity": "sev2" }],
             "attributes": { "k": [1, 2] } }"#,
    )
    .unwrap();
    assert_eq!(ctx.freezes[1].exempt, [Category::Emergency]);
    let text = ctx.to_json_pretty();
    assert_eq!(Context::from_json(&text).unwrap(), ctx, "{text}");
}

// ------------------------------------------------------------------------------------------
// The bundled examples.

#[test]
fn example_changes_load_and_mean_what_they_say() {
    let ctx = Context::from_json(&example("context.json")).unwrap();
    assert_eq!(ctx.now, ts("2026-11-27T13:50:00Z"));
    assert!(ctx.error_budgets.values().any(|b| *b < 0.0));
    assert!(!ctx.incidents.is_empty());
    assert_eq!(Context::from_json(&ctx.to_json_pretty()).unwrap(), ctx);

    let load = |name: &str| {
        let change = Change::from_json(&example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(Change::from_json(&change.to_json_pretty()).unwrap(), change, "{name}");
        change
    };

    let safe = load("change-canary-safe.json");
    assert_eq!(safe.strategy.kind, StrategyType::Canary);
    assert_eq!(safe.strategy.first_step(), 5);
    assert_eq!(safe.approvers(), ["dev.patel", "li.wei"]);
    assert!(safe.checks.values().all(|s| *s == CheckStatus::Passed));
    assert_eq!(safe.rollback.map(|r| (r.tested, r.automated)), Some((true, true)));
    assert_eq!(safe.tested_in, ["staging"]);
    assert_eq!(safe.services[0].bump(), Bump::Minor);
    assert!(ctx.active_freezes(&safe).is_empty());

    let friday = load("change-friday-all-at-once.json");
    assert_eq!(friday.strategy.kind, StrategyType::AllAtOnce);
    assert_eq!(friday.services[0].bump(), Bump::Major);
    assert_eq!(friday.approvers(), ["sam.okafor"], "the author's own approval does not count");
    assert!(friday.checks.values().any(|s| *s == CheckStatus::Failed));
    assert_eq!(friday.rollback.map(|r| r.tested), Some(false));
    let when = friday.when(&ctx);
    assert_eq!(when, ts("2026-12-04T17:45:00Z"));
    assert_eq!(when.utc_fields().3, 17);

    let hotfix = load("change-emergency-hotfix.json");
    assert_eq!(hotfix.category, Category::Emergency);
    assert_eq!(hotfix.when(&ctx), ctx.now);
    assert!(ctx.active_freezes(&hotfix).is_empty(), "emergencies are exempt");
    let as_normal = Change { category: Category::Normal, ..hotfix };
    assert_eq!(ctx.active_freezes(&as_normal), ["black-friday-cyber-monday"]);

    let migration = load("change-irreversible-migration.json");
    assert_eq!(migration.migration.map(|m| m.reversible), Some(false));
    assert!(migration.services.iter().any(|s| s.kinds.contains(&ChangeKind::Schema)));
    assert_eq!(ctx.active_freezes(&migration), ["black-friday-cyber-monday"]);

    let config = load("change-config-only.json");
    assert!(config.services.iter().all(|s| !s.kinds.contains(&ChangeKind::Code)));
    assert_eq!(config.strategy.kind, StrategyType::FeatureFlag);
    assert_eq!(config.services[0].bump(), Bump::Unknown);
    assert!(ctx.active_freezes(&config).is_empty());

    // Every example change but one names only services of the topology.
    let topology: serde_json::Value = serde_json::from_str(&example("topology-shop.json")).unwrap();
    let known: Vec<&str> =
        topology["services"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    let unknown: Vec<String> = [&safe, &friday, &as_normal, &migration, &config]
        .iter()
        .flat_map(|c| c.services.iter().map(|s| s.name.clone()))
        .filter(|n| !known.contains(&n.as_str()))
        .collect();
    assert_eq!(unknown, ["ab-testing"]);
}

#[test]
fn example_topology_has_the_spec_shape() {
    let topology: serde_json::Value = serde_json::from_str(&example("topology-shop.json")).unwrap();
    let top = topology.as_object().unwrap();
    assert_eq!(top.keys().collect::<Vec<_>>(), ["dependencies", "services"]);
    let services = top["services"].as_array().unwrap();
    assert!((25..=50).contains(&services.len()), "{}", services.len());
    let mut names = Vec::new();
    for s in services {
        let s = s.as_object().unwrap();
        for key in s.keys() {
            assert!(
                ["name", "tier", "team", "traffic_share", "regions", "tags"].contains(&key.as_str()),
                "{key}"
            );
        }
        names.push(s["name"].as_str().unwrap());
        if let Some(tier) = s.get("tier") {
            assert!(tier.as_u64().unwrap() <= 3);
        }
        if let Some(share) = s.get("traffic_share") {
            assert!((0.0..=1.0).contains(&share.as_f64().unwrap()));
        }
        assert!(s["team"].is_string());
        assert!(s["regions"].as_array().unwrap().iter().all(serde_json::Value::is_string));
        if let Some(tags) = s.get("tags") {
            assert!(tags.as_object().unwrap().values().all(serde_json::Value::is_string));
        }
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "duplicate service names");
    let mut kinds = Vec::new();
    for d in top["dependencies"].as_array().unwrap() {
        let d = d.as_object().unwrap();
        for key in d.keys() {
            assert!(["from", "to", "kind"].contains(&key.as_str()), "{key}");
        }
        let (from, to) = (d["from"].as_str().unwrap(), d["to"].as_str().unwrap());
        assert!(names.contains(&from) && names.contains(&to) && from != to, "{from} -> {to}");
        kinds.push(d.get("kind").map_or("hard", |k| k.as_str().unwrap()));
    }
    assert!(kinds.iter().all(|k| *k == "hard" || *k == "soft"));
    assert!(kinds.contains(&"soft") && kinds.contains(&"hard"));
}

#[test]
fn a_key_given_twice_in_a_map_is_an_error_naming_it() {
    // Last-wins would let a failed check pass for a passed one.
    let text = with(r#""checks": { "security-scan": "failed", "security-scan": "passed" }"#);
    let err = Change::from_json(&text).unwrap_err();
    let d = &err.items()[0];
    assert_eq!(d.message(), "duplicate key `security-scan`");
    assert_eq!(d.path(), Some("checks.security-scan"));
    // The span is the second key.
    let second = text.rfind("\"security-scan\"").unwrap();
    assert_eq!(d.span().map(|s| s.start as usize), Some(second), "{d:?}");

    let labels = with(r#""labels": { "tier": "a", "tier": "b" }"#);
    let err = Change::from_json(&labels).unwrap_err();
    assert_eq!(err.items()[0].message(), "duplicate key `tier`");
    assert_eq!(err.items()[0].path(), Some("labels.tier"));

    let context = r#"{ "now": "2026-03-02T10:00:00Z", "error_budgets": { "api": -0.5, "api": 0.9 } }"#;
    let err = Context::from_json(context).unwrap_err();
    assert_eq!(err.items()[0].message(), "duplicate key `api`");
    assert_eq!(err.items()[0].path(), Some("error_budgets.api"));

    // Distinct keys still read.
    let ok = with(r#""checks": { "security-scan": "failed", "unit": "passed" }"#);
    assert_eq!(Change::from_json(&ok).unwrap().checks.len(), 2);
}

#[test]
fn a_key_given_twice_anywhere_in_attributes_is_an_error_naming_its_path() {
    let cases = [
        (r#"{ "owner": "a", "owner": "b" }"#, "attributes.owner", "owner"),
        (r#"{ "owner": { "team": "a", "team": "b" } }"#, "attributes.owner.team", "team"),
        (r#"{ "list": [1, { "x": { "y": 1, "y": 2 } }] }"#, "attributes.list[1].x.y", "y"),
    ];
    for (attributes, path, key) in cases {
        let change = with(&format!(r#""attributes": {attributes}"#));
        let err = Change::from_json(&change).unwrap_err();
        assert_eq!(err.items().len(), 1, "{err:?}");
        let d = &err.items()[0];
        assert_eq!(d.kind(), changeguard::DiagnosticKind::InvalidInput);
        assert_eq!(d.message(), format!("duplicate key `{key}`"));
        assert_eq!(d.path(), Some(path), "{attributes}");
        let context = format!(r#"{{ "now": "2026-03-02T10:00:00Z", "attributes": {attributes} }}"#);
        let err = Context::from_json(&context).unwrap_err();
        assert_eq!(err.items()[0].message(), format!("duplicate key `{key}`"));
        assert_eq!(err.items()[0].path(), Some(path), "{attributes}");
    }
    // The same key in different objects is fine, and values keep their JSON types.
    let ok = with(r#""attributes": { "a": { "k": 1 }, "b": { "k": [true, null, 1.5, -2, "s"] } }"#);
    let change = Change::from_json(&ok).unwrap();
    assert_eq!(
        serde_json::Value::Object(change.attributes),
        serde_json::json!({ "a": { "k": 1 }, "b": { "k": [true, null, 1.5, -2, "s"] } })
    );
}

#[test]
fn a_key_given_twice_in_a_policy_test_document_is_an_error() {
    let head = "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n[[rule]]\nid = \"r\"\nrequire = 'true'\n";
    let test = "[[test]]\nname = \"t\"\nexpect = { outcome = \"allow\" }\n";
    let change = "id = \"c\"\nenvironment = \"dev\"\nauthor = \"ann\"\nservices = [{ name = \"api\" }]\n";
    // TOML itself refuses a key given twice, in a table or an inline table.
    for twice in [
        "[test.change]\nid = \"a\"\nid = \"b\"\n".to_owned(),
        format!("[test.change]\n{change}checks = {{ scan = \"failed\", scan = \"passed\" }}\n"),
        format!("[test.change]\n{change}[test.change.attributes]\nowner = \"a\"\nowner = \"b\"\n"),
    ] {
        let policy = format!("{head}{test}{twice}");
        let err = changeguard::Policy::from_toml(&policy).unwrap_err();
        let d = err.errors().next().unwrap();
        assert_eq!(d.kind(), DiagnosticKind::InvalidDocument, "{twice}");
        assert!(d.message().contains("duplicate key"), "{}", d.message());
    }
    // The JSON form of a policy refuses it too, anywhere, naming the path.
    let json = r#"{ "policy": { "name": "p", "version": "1.0.0" },
      "rule": [{ "id": "r", "require": "true" }],
      "test": [{ "name": "t", "expect": { "outcome": "allow" },
                 "change": { "id": "c", "environment": "dev", "author": "ann", "services": [{ "name": "api" }],
                             "attributes": { "owner": { "team": "a", "team": "b" } } } }] }"#;
    let err = changeguard::Policy::from_json(json).unwrap_err();
    let d = err.errors().next().unwrap();
    assert_eq!(d.kind(), DiagnosticKind::InvalidDocument);
    assert_eq!(d.message(), "invalid JSON: duplicate key `team`");
    assert_eq!(d.path(), Some("test[0].change.attributes.owner.team"));
    let at = json.rfind("\"team\"").unwrap();
    assert_eq!(d.span().map(|s| s.start as usize), Some(at));
    let policy = r#"{ "policy": { "name": "p", "version": "1.0.0" }, "policy": { "name": "q" } }"#;
    let d = changeguard::Policy::from_json(policy).unwrap_err().errors().next().unwrap().clone();
    assert_eq!((d.message(), d.path()), ("invalid JSON: duplicate key `policy`", Some("policy")));
}

// ------------------------------------------------------------------------------------------
// Every shape problem at once.

#[test]
fn every_wrongly_typed_field_is_reported() {
    let text = r#"{ "id": 7, "title": [], "environment": "production", "author": true,
  "services": [{ "name": "checkout", "kinds": "code" }],
  "size": { "files": "3", "lines_added": -1, "lines_removed": 0 },
  "rollback": { "plan": "yes" } }"#;
    let err = Change::from_json(text).unwrap_err();
    let got: Vec<(&str, &str)> = err.iter().map(|d| (d.path().unwrap(), d.message())).collect();
    assert_eq!(
        got,
        [
            ("id", "`id`: invalid type: integer `7`, expected a string"),
            ("title", "`title`: invalid type: sequence, expected a string"),
            ("author", "`author`: invalid type: boolean `true`, expected a string"),
            ("services[0].kinds", "`services[0].kinds`: invalid type: string \"code\", expected a list"),
            ("size.files", "`size.files`: invalid type: string \"3\", expected a non-negative integer"),
            (
                "size.lines_added",
                "`size.lines_added`: invalid value: integer `-1`, expected a non-negative integer"
            ),
            ("rollback.plan", "`rollback.plan`: invalid type: string \"yes\", expected a boolean"),
        ]
    );
    // Each points at its value.
    for d in &err {
        let s = d.span().unwrap();
        let value = &text[s.start as usize..s.end as usize];
        assert!(["7", "[]", "true", "\"code\"", "\"3\"", "-1", "\"yes\""].contains(&value), "{value}");
    }
}

#[test]
fn six_wrongly_typed_fields_are_six_problems() {
    let text = r#"{ "id": 1, "environment": 2, "author": 3, "services": [{ "name": 4 }],
  "tested_in": 5, "regions": 6 }"#;
    let err = Change::from_json(text).unwrap_err();
    assert_eq!(err.items().len(), 6, "{err}");
    let paths: Vec<&str> = err.iter().map(|d| d.path().unwrap()).collect();
    assert_eq!(paths, ["id", "environment", "author", "services[0].name", "tested_in", "regions"]);
}

#[test]
fn an_empty_object_reports_every_missing_field() {
    let err = Change::from_json("{}").unwrap_err();
    let got: Vec<(&str, &str)> = err.iter().map(|d| (d.path().unwrap(), d.message())).collect();
    assert_eq!(
        got,
        [
            ("id", "missing field `id`"),
            ("environment", "missing field `environment`"),
            ("author", "missing field `author`"),
            ("services", "missing field `services`"),
        ]
    );
    assert!(err.iter().all(|d| d.span() == Some(changeguard::Span::new(1, 2))));
    // Missing, unknown and wrongly typed fields together, nested ones included.
    let text = r#"{ "id": "c", "enviroment": "p", "services": [{ "name": "a", "to": 1 }],
  "size": { "files": 1 } }"#;
    let err = Change::from_json(text).unwrap_err();
    let got: Vec<(&str, &str)> = err.iter().map(|d| (d.path().unwrap(), d.message())).collect();
    assert_eq!(
        got,
        [
            ("enviroment", "unknown field `enviroment`"),
            (
                "services[0].to",
                "`services[0].to`: invalid type: integer `1`, expected a semantic version like `1.4.2`"
            ),
            ("size.lines_added", "missing field `lines_added`"),
            ("size.lines_removed", "missing field `lines_removed`"),
            // At the closing brace of the document: problems come in the order of the text.
            ("author", "missing field `author`"),
        ]
    );
}

#[test]
fn an_out_of_range_integer_reads_the_same_in_every_document() {
    let change = with(r#""strategy": { "type": "canary", "bake_minutes": 4294967296 }"#);
    let err = Change::from_json(&change).unwrap_err();
    assert_eq!(
        err.items()[0].message(),
        "`strategy.bake_minutes`: invalid value: integer `4294967296`, expected an integer from 0 to 4294967295"
    );
    let topology = r#"{"services": [{"name": "a", "tier": 4294967296}]}"#;
    let err = changeguard::Topology::from_json(topology).unwrap_err();
    assert_eq!(
        err.items()[0].message(),
        "`services[0].tier`: invalid value: integer `4294967296`, expected an integer from 0 to 4294967295"
    );
}

#[test]
fn an_invalid_identity_is_an_input_error_naming_its_path() {
    let two = |second: &str| {
        with(&format!(
            r#""approvals": [{{ "by": "bob", "role": "sre" }}, {{ "by": "{second}", "role": "sre" }}]"#
        ))
    };
    for (by, message) in [
        ("\\u200b", "`by` is empty once invisible characters and whitespace are removed"),
        ("\\u2060 \\ufeff", "`by` is empty once invisible characters and whitespace are removed"),
        ("bob\\u0007", "`by` holds the control character U+0007"),
        ("bob\\nsmith", "`by` holds the control character U+000A"),
    ] {
        let text = two(by);
        let err = Change::from_json(&text).unwrap_err();
        assert_eq!(err.items().len(), 1, "{by}: {err:?}");
        let d = &err.items()[0];
        assert_eq!(d.kind(), DiagnosticKind::InvalidInput);
        assert_eq!((d.path(), d.message()), (Some("approvals[1].by"), message), "{by}");
        assert_eq!(d.help(), Some("name who approved the change"));
        // The span is the value.
        let at = text.rfind(&format!("\"{by}\"")).unwrap();
        assert_eq!(d.span().map(|s| s.start as usize), Some(at), "{by}");
    }
    let author = MINIMAL.replace(r#""author": "ann""#, r#""author": "\u200d""#);
    let err = Change::from_json(&author).unwrap_err();
    assert_eq!(err.items()[0].path(), Some("author"));
    // Outer whitespace is trimmed, not refused; the text is kept as written.
    let c = Change::from_json(&two("\\tcy\\n")).unwrap();
    assert_eq!(c.approvals[1].by, "\tcy\n");
    assert_eq!(c.approvers(), ["bob", "cy"]);
    // Built in code, an invalid identity is a validation error too, and nobody's approval.
    let mut c = minimal();
    c.approvals.push(Approval { by: "\u{200b}".into(), role: "sre".into(), at: None });
    assert_eq!(c.validate().unwrap_err().items()[0].path(), Some("approvals[0].by"));
    assert!(c.approvers().is_empty());
}

#[test]
fn identities_are_canonicalised_once_when_read() {
    let c = Change::from_json(&with(
        r#""approvals": [{ "by": "B\u043eb\u200b", "role": "sre" }, { "by": "bob", "role": "dev" }]"#,
    ))
    .unwrap();
    let by = &c.approvals[0].by;
    assert_eq!(by.as_str(), "B\u{43e}b\u{200b}");
    assert_eq!(by.canonical(), "b\u{43e}b");
    assert!(by.same_person(&c.approvals[1].by));
    assert_eq!(by.key(), c.approvals[1].by.key());
    // One person, named by the first spelling met.
    assert_eq!(c.approvers(), ["b\u{43e}b"]);
    // Written back as it was read.
    let back = Change::from_json(&c.to_json_pretty()).unwrap();
    assert_eq!(back, c);
    assert_eq!(back.approvals[0].by.canonical(), "b\u{43e}b");
}

#[test]
fn a_long_document_gets_its_first_problem_in_the_same_words() {
    let long = format!(
        r#"{{ "id": "c", "environment": "p", "author": 7, "services": [{{ "name": "a", "to": 1 }}], "title": "{}" }}"#,
        "t".repeat(300 << 10)
    );
    let err = Change::from_json(&long).unwrap_err();
    assert_eq!(err.items().len(), 1, "{err:?}");
    let d = &err.items()[0];
    assert_eq!(
        (d.path(), d.message()),
        (Some("author"), "`author`: invalid type: integer `7`, expected a string")
    );
    assert_eq!(d.span().map(|s| &long[s.start as usize..s.end as usize]), Some("7"));
    let short = long.replace(&"t".repeat(300 << 10), "t");
    assert_eq!(Change::from_json(&short).unwrap_err().items().len(), 2);
}
