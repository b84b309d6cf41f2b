//! Every limit of SPEC §8 firing: a clear load error, or a fail-closed evaluation error — never
//! a panic, a stack overflow, a runaway allocation or a hang.
#![allow(clippy::format_push_string, clippy::unwrap_used, clippy::panic, missing_docs)]

use changeguard::cel::{Env, EvalErrorKind, NoVariables};
use changeguard::{Change, Context, DiagnosticKind, Limits, Outcome, Policy, Service, Topology};

const HEAD: &str = "[policy]\nname = \"limits\"\nversion = \"1.0.0\"\n";

fn limits() -> Limits {
    Limits::default()
}

fn change() -> Change {
    Change::from_json(
        r#"{"id": "c", "environment": "production", "author": "ann", "services": [{"name": "api"}]}"#,
    )
    .unwrap()
}

fn context() -> Context {
    Context::from_json(r#"{"now": "2026-03-02T10:00:00Z"}"#).unwrap()
}

fn first_error(text: &str, limits: &Limits) -> changeguard::Diagnostic {
    let d = Policy::from_text_with_limits(text, limits).unwrap_err();
    d.errors().next().unwrap().clone()
}

/// Assesses `c` under the policy `text` loaded within `limits`: it is denied, its first
/// evaluation error saying `needle`.
fn assert_denied_by_error(text: &str, limits: &Limits, c: &Change, needle: &str) {
    let a = Policy::from_text_with_limits(text, limits).unwrap().assess(c, &Topology::default(), &context());
    assert_eq!(a.outcome, Outcome::Deny);
    let first = a.errors.first().map(|e| e.message.as_str());
    assert!(first.is_some_and(|m| m.contains(needle)), "{first:?}");
}

#[test]
fn deeply_nested_expressions_are_a_load_error() {
    // 100 000 nested parentheses: the depth limit stops the parser long before the stack ends.
    let mut l = limits();
    l.max_expr_bytes = 1 << 20;
    let expr = format!("{}true{}", "(".repeat(100_000), ")".repeat(100_000));
    let text = format!("{HEAD}[[rule]]\nid = \"deep\"\nrequire = '{expr}'\n");
    let e = first_error(&text, &l);
    assert_eq!(e.kind(), DiagnosticKind::LimitExceeded);
    assert_eq!(e.message(), "limit exceeded: expression nesting depth 65 > 64");
    // With default limits the expression is first too long.
    let e = first_error(&text, &limits());
    assert_eq!(e.kind(), DiagnosticKind::LimitExceeded);
    // A configured depth applies.
    let mut shallow = limits();
    shallow.max_expr_depth = 8;
    let e = first_error(
        &format!("{HEAD}[[rule]]\nid = \"r\"\nrequire = '((((((((((1 == 1))))))))))'\n"),
        &shallow,
    );
    assert_eq!(e.message(), "limit exceeded: expression nesting depth 9 > 8");
}

#[test]
fn a_fifty_megabyte_policy_is_refused_before_parsing() {
    let text = format!("{HEAD}# {}\n", "x".repeat(50 << 20));
    let start = std::time::Instant::now();
    let e = first_error(&text, &limits());
    assert_eq!(e.kind(), DiagnosticKind::LimitExceeded);
    assert!(e.message().contains("policy source"), "{}", e.message());
    assert!(start.elapsed().as_secs() < 5, "refused in {:?}", start.elapsed());
}

#[test]
fn too_many_rules_are_a_load_error() {
    let mut l = limits();
    l.max_rules = 10;
    let mut text = String::from(HEAD);
    for i in 0..11 {
        text.push_str(&format!("[[rule]]\nid = \"r{i}\"\nrequire = 'true'\n"));
    }
    let e = first_error(&text, &l);
    assert_eq!(e.kind(), DiagnosticKind::LimitExceeded);
    assert!(e.message().contains("11 rules and factors > 10"), "{}", e.message());
}

#[test]
fn an_exponential_comprehension_nest_is_cut_by_the_budget_and_fails_closed() {
    let list = format!("[{}]", (0..30).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    let nest = format!(
        "{list}.all(a, {list}.all(b, {list}.all(c, {list}.all(d, {list}.all(e, a + b + c + d + e >= 0)))))"
    );
    let text = format!("{HEAD}[[rule]]\nid = \"nest\"\nenforcement = \"hard\"\nrequire = '{nest}'\n");
    let mut l = limits();
    l.max_eval_cost = 100_000;
    let policy = Policy::from_text_with_limits(&text, &l).unwrap();
    let start = std::time::Instant::now();
    let a = policy.assess(&change(), &Topology::default(), &context());
    assert!(start.elapsed().as_secs() < 5);
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(a.errors.len(), 1);
    assert!(
        a.errors[0].message.contains("evaluation cost budget of 100000 steps"),
        "{}",
        a.errors[0].message
    );
}

/// Evaluates the expression `expr` builds around the list `[0, 1, …, len - 1]` within an
/// evaluation budget of `cost` steps: the error it must end in, a spent budget.
fn over_budget(cost: u64, len: u32, expr: impl Fn(&str) -> String) -> changeguard::cel::EvalError {
    let mut l = limits();
    l.max_eval_cost = cost;
    let list = format!("[{}]", (0..len).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    let p = Env::with_limits(l).compile(&expr(&list)).unwrap();
    let e = p.evaluate(&NoVariables).unwrap_err();
    assert_eq!(e.kind(), EvalErrorKind::CostLimitExceeded, "{e}");
    e
}

#[test]
fn the_budget_also_bounds_a_plain_expression() {
    over_budget(1_000, 40, |list| format!("{list}.map(x, {list}.map(y, x * y)).size() > 0"));
}

#[test]
fn a_regex_too_large_is_a_load_error() {
    let mut l = limits();
    l.max_regex_bytes = 10_000;
    let text = format!("{HEAD}[[rule]]\nid = \"re\"\nrequire = 'change.id.matches(\"(a{{100}}){{100}}\")'\n");
    let e = first_error(&text, &l);
    assert_eq!(e.kind(), DiagnosticKind::InvalidRegex);
    assert!(e.message().contains("too large"), "{}", e.message());
    // Backtracking patterns that are exponential elsewhere run in linear time here.
    let policy = Policy::from_toml(&format!(
        "{HEAD}[[rule]]\nid = \"re\"\nrequire = 'change.title.matches(\"^(a+)+$\")'\n"
    ))
    .unwrap();
    let mut c = change();
    c.title = format!("{}b", "a".repeat(50_000));
    let start = std::time::Instant::now();
    let a = policy.assess(&c, &Topology::default(), &context());
    assert!(start.elapsed().as_secs() < 5);
    assert_eq!(a.violations.len(), 1);
}

#[test]
fn topology_size_limits_are_load_errors() {
    let mut l = limits();
    l.max_services = 3;
    let services: Vec<Service> = (0..4).map(|i| Service::new(format!("s{i}"))).collect();
    let e = Topology::with_limits(&services, &[], &l).unwrap_err();
    assert_eq!(e.errors().next().unwrap().kind(), DiagnosticKind::LimitExceeded);
    let mut l = limits();
    l.max_dependencies = 1;
    let deps = vec![changeguard::Dependency::hard("s0", "s1"), changeguard::Dependency::hard("s1", "s2")];
    let e = Topology::with_limits(&services, &deps, &l).unwrap_err();
    assert_eq!(e.errors().next().unwrap().kind(), DiagnosticKind::LimitExceeded);
}

#[test]
fn deep_json_policies_and_inputs_are_refused_without_overflow() {
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Policy::from_json(&nested).is_err());
    assert!(Change::from_json(&nested).is_err());
    assert!(Topology::from_json(&nested).is_err());
}

#[test]
fn membership_in_a_list_is_charged_by_the_length_scanned() {
    let e = over_budget(5_000, 200, |list| format!("[{list}.map(x, x * 2)].all(l, l.all(e, e in l))"));
    assert!(e.to_string().contains("evaluation cost budget of 5000 steps"), "{e}");
}

#[test]
fn every_input_document_is_refused_over_the_size_limit_before_parsing() {
    let mut small = limits();
    small.max_document_bytes = 64;
    // Not even JSON: the size is checked before anything is parsed.
    let too_long = "x".repeat(65);
    let cases: [(&str, Option<changeguard::Diagnostics>); 3] = [
        ("change", Change::from_json_with_limits(&too_long, &small).err()),
        ("context", Context::from_json_with_limits(&too_long, &small).err()),
        ("topology", Topology::from_json_with_limits(&too_long, &small).err()),
    ];
    for (what, err) in cases {
        let err = err.unwrap_or_else(|| panic!("{what} accepted"));
        assert_eq!(err.items().len(), 1, "{what}: {err:?}");
        let d = &err.items()[0];
        assert_eq!(d.kind(), DiagnosticKind::LimitExceeded, "{what}");
        assert_eq!(
            d.message(),
            format!("limit exceeded: {what} document of 65 bytes > 64 (`max_document_bytes`)")
        );
        assert_eq!(
            d.help(),
            Some(format!("raise `Limits::max_document_bytes` if this {what} is legitimate").as_str())
        );
    }
    // At the limit, a document reads as usual.
    let ctx = r#"{"now": "2026-03-02T10:00:00Z"}"#;
    let mut exact = limits();
    exact.max_document_bytes = ctx.len();
    assert!(Context::from_json_with_limits(ctx, &exact).is_ok());
    assert_eq!(limits().max_document_bytes, 16 << 20);
}

#[test]
fn documents_inside_a_policy_test_follow_the_policy_limits() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"r\"\nrequire = 'true'\n\n[[test]]\nname = \"t\"\nexpect = {{ outcome = \"allow\" }}\n\
         [test.change]\nid = \"c\"\nenvironment = \"dev\"\nauthor = \"ann\"\ntitle = \"{}\"\nservices = [{{ name = \"api\" }}]\n",
        "t".repeat(200)
    );
    assert!(Policy::from_text_with_limits(&text, &limits()).is_ok());
    let mut small = limits();
    small.max_document_bytes = 100;
    let e = first_error(&text, &small);
    assert_eq!(e.kind(), DiagnosticKind::LimitExceeded);
    assert_eq!(e.path(), Some("test[t].change"));
    assert!(e.message().starts_with("limit exceeded: change document of "), "{}", e.message());
}

#[test]
fn a_long_document_gets_only_its_first_shape_error() {
    // Finding more errors reads the document again per error; past 256 KiB that is not done.
    let doc = |title: &str| {
        format!(
            r#"{{"id": "c", "environment": "dev", "author": "ann", "services": [{{"name": "api"}}],
                "title": "{title}", "colour": 1, "flavour": 2}}"#
        )
    };
    let short = Change::from_json(&doc("t")).unwrap_err();
    assert_eq!(short.items().len(), 2, "{short:?}");
    let long = Change::from_json(&doc(&"t".repeat(300 << 10))).unwrap_err();
    assert_eq!(long.items().len(), 1, "{long:?}");
    assert_eq!(long.items()[0].message(), "unknown field `colour`");
}

#[test]
fn attributes_dense_with_objects_are_refused_before_they_are_built() {
    // Each object would take about 640 bytes in memory: 80 times the text of `{"a":1},`.
    let doc = |items: &str| {
        format!(
            r#"{{"id": "c", "environment": "dev", "author": "ann", "services": [{{"name": "api"}}],
                "attributes": {{"xs": [{items}]}}}}"#
        )
    };
    let dense = doc(&vec![r#"{"a":1}"#; 5000].join(","));
    let err = Change::from_json(&dense).unwrap_err();
    let d = &err.items()[0];
    assert_eq!(d.kind(), DiagnosticKind::LimitExceeded);
    assert_eq!(d.path(), Some("attributes"));
    let allowed = dense.len() / 32 + 1024;
    assert_eq!(
        d.message(),
        format!(
            "limit exceeded: `attributes` holds 5001 objects, more than the {allowed} a change document of {} bytes may hold",
            dense.len()
        )
    );
    let ctx = format!(
        r#"{{"now": "2026-03-02T10:00:00Z", "attributes": {{"xs": [{}]}}}}"#,
        vec!["{\"a\":1}"; 5000].join(",")
    );
    assert_eq!(Context::from_json(&ctx).unwrap_err().items()[0].kind(), DiagnosticKind::LimitExceeded);
    // Objects with more to them, empty objects and braces inside strings are fine.
    let roomy = doc(&vec![r#"{"a":"a value long enough to pay for its map"}"#; 5000].join(","));
    assert_eq!(Change::from_json(&roomy).unwrap().attributes["xs"].as_array().unwrap().len(), 5000);
    let empty = doc(&vec!["{ }"; 5000].join(","));
    assert!(Change::from_json(&empty).is_ok());
    let quoted = doc(&vec![r#""{\"a\":{\"b\":1}}""#; 5000].join(","));
    assert!(Change::from_json(&quoted).is_ok());
}

/// An environment with a string variable `s` (slot 0) and a list of ints `l` (slot 1), and
/// the given budget.
fn string_env(steps: u64) -> Env {
    let mut l = limits();
    l.max_eval_cost = steps;
    let mut env = Env::with_limits(l);
    env.declare("s", changeguard::cel::Type::String);
    env.declare("l", changeguard::cel::Type::list(changeguard::cel::Type::Int));
    env
}

fn eval_err(env: &Env, expr: &str, s: &str, n: i64) -> changeguard::cel::EvalError {
    let p = env.compile(expr).unwrap_or_else(|d| panic!("{expr}: {d}"));
    let list = changeguard::cel::Value::list((0..n).map(changeguard::cel::Value::Int).collect::<Vec<_>>());
    let vars = vec![changeguard::cel::Value::str(s), list];
    match p.evaluate(&vars) {
        Ok(v) => panic!("{expr}: no error, got {v:?}"),
        Err(e) => e,
    }
}

#[test]
fn string_building_is_charged_before_it_allocates() {
    let long = "x".repeat(10_000);
    // Each of these builds or reads about 10 KB per iteration of a 200-step loop: within the
    // 20 000 steps of the loops alone, far over them with what they build.
    for expr in [
        "l.map(i, s).join().size() > 0",
        "l.map(i, s).join(\", \").size() > 0",
        "l.all(i, (s + s).size() > 0)",
        "l.all(i, s.lowerAscii() != \"\")",
        "l.all(i, s.upperAscii() != \"\")",
        "l.all(i, s.reverse() != \"\")",
        "l.all(i, s.replace(\"x\", \"yy\") != \"\")",
        "l.all(i, s.split(\"\").size() > 0)",
        "l.all(i, s.split(\"x\").size() > 0)",
        "l.all(i, bytes(s).size() > 0)",
        "l.all(i, s == s + \"\")",
        "l.all(i, l.map(j, j).sort().size() > 0)",
        "l.all(i, l.map(j, j).distinct().size() > 0)",
        "l.all(i, l == l)",
        "l.all(i, [l, l] == [l, l])",
        "l.all(i, {1: l} == {1: l})",
        "l.all(i, l in [l, l])",
    ] {
        let e = eval_err(&string_env(20_000), expr, &long, 200);
        assert_eq!(e.kind(), EvalErrorKind::CostLimitExceeded, "{expr}: {e}");
        // The same loops over short strings and lists fit.
        let env = string_env(20_000);
        let p = env.compile(expr).unwrap();
        let vars = vec![
            changeguard::cel::Value::str("ab"),
            changeguard::cel::Value::list((0..10).map(changeguard::cel::Value::Int).collect::<Vec<_>>()),
        ];
        assert!(p.evaluate(&vars).is_ok(), "{expr}");
    }
}

#[test]
fn no_value_over_the_size_limit_is_built_at_run_time() {
    let mut l = limits();
    l.max_value_bytes = 100_000;
    l.max_eval_cost = u64::MAX;
    let mut env = Env::with_limits(l);
    env.declare("s", changeguard::cel::Type::String);
    env.declare("l", changeguard::cel::Type::list(changeguard::cel::Type::Int));
    let long = "x".repeat(10_000);
    for expr in [
        "l.map(i, s).join().size()",
        "(s + s + s + s + s + s + s + s + s + s + s).size()",
        "s.replace(\"x\", \"xxxxxxxxxxx\").size()",
        "s.replace(\"\", s).size()",
        "s.split(\"\").size()",
        "l.map(i, i).size()",
        "l.map(i, [i, i]).map(p, p[0]).size()",
        "l.filter(i, true).size()",
        "l.transformMap(i, v, v).size()",
    ] {
        let e = eval_err(&env, expr, &long, 4_000);
        assert_eq!(e.kind(), EvalErrorKind::LimitExceeded, "{expr}: {e}");
        let m = e.to_string();
        assert!(m.starts_with("limit exceeded: a value of "), "{expr}: {m}");
        assert!(m.ends_with("bytes would be built, more than the 100000 allowed"), "{expr}: {m}");
    }
}

/// A policy of `n` `let` entries, each doubling the one before, from `first`.
fn doubling_policy(first: &str, double: &str, n: usize) -> String {
    let mut text = format!("{HEAD}[let]\nv0 = '{first}'\n");
    for i in 1..=n {
        let prev = format!("v{}", i - 1);
        text.push_str(&format!("v{i} = '{}'\n", double.replace('P', &prev)));
    }
    text.push_str(&format!(
        "\n[[rule]]\nid = \"big\"\nenforcement = \"hard\"\nrequire = 'v{n}.size() > 0'\n"
    ));
    text
}

#[test]
fn a_let_doubling_a_list_forty_times_from_the_change_fails_closed() {
    for (double, kind) in
        [("P + P", EvalErrorKind::LimitExceeded), ("P + P", EvalErrorKind::CostLimitExceeded)]
    {
        let mut l = limits();
        if kind == EvalErrorKind::CostLimitExceeded {
            l.max_eval_cost = 100_000;
        }
        let policy = Policy::from_text_with_limits(&doubling_policy("[change.id]", double, 40), &l).unwrap();
        let a = policy.assess(&change(), &Topology::default(), &context());
        assert_eq!(a.outcome, Outcome::Deny, "{kind:?}");
        assert!(!a.errors.is_empty());
        assert!(a.errors.iter().all(|e| e.message.contains("limit exceeded")), "{:?}", a.errors);
    }
    // A string doubled from the change: stopped at the size limit.
    let policy =
        Policy::from_text_with_limits(&doubling_policy("change.id + change.id", "P + P", 40), &limits())
            .unwrap();
    let a = policy.assess(&change(), &Topology::default(), &context());
    assert_eq!(a.outcome, Outcome::Deny);
    assert!(a.errors.iter().any(|e| e.message.contains("more than the 16777216 allowed")), "{:?}", a.errors);
}

#[test]
fn doubling_lets_of_constants_are_a_load_error() {
    // 24 lets, each twice the one before, computed while loading (they are constants): the
    // one over the size limit is a load error, found before it is built.
    for (first, double) in [("[\"abcdefgh\"]", "P + P"), ("\"abcdefghijklmnop\"", "P + P")] {
        let text = doubling_policy(first, double, 24);
        let e = first_error(&text, &limits());
        assert_eq!(e.kind(), DiagnosticKind::LimitExceeded, "{first}: {}", e.message());
        assert!(e.message().contains("more than the 16777216 allowed"), "{}", e.message());
        assert!(e.message().ends_with("while computing this constant expression"), "{}", e.message());
    }
}

#[test]
fn constant_folding_builds_nothing_over_the_size_limit() {
    // `replace` makes a string just under the limit, `split("")` would make a list of sixteen
    // million strings from it: refused while loading, before the list is built.
    let text = format!(
        "{HEAD}[[rule]]\nid = \"fold\"\nrequire = '\"{}\".replace(\"\", \"{}\").split(\"\").size() > 0'\n",
        "x".repeat(4000),
        "y".repeat(4000)
    );
    let e = first_error(&text, &limits());
    assert_eq!(e.kind(), DiagnosticKind::LimitExceeded, "{}", e.message());
    assert!(e.message().contains("more than the 16777216 allowed"), "{}", e.message());
    // Under a smaller limit, the `replace` itself is refused.
    let mut small = limits();
    small.max_value_bytes = 1 << 20;
    let e = first_error(&text, &small);
    assert!(e.message().contains("a value of 16008000 bytes would be built"), "{}", e.message());
}

#[test]
fn run_time_patterns_are_charged_cached_and_capped() {
    // 5 000 items, each a new 18 KB pattern: stopped at the cap on distinct run-time patterns
    // (or at the budget, when smaller), failing closed.
    let text = format!(
        "{HEAD}[[rule]]\nid = \"re\"\nenforcement = \"hard\"\nrequire = '!change.tested_in.exists(t, t.matches(change.title + t))'\n"
    );
    let mut c = change();
    c.title = "a".repeat(18_000);
    c.tested_in = (0..5_000).map(|i| format!("env-{i}")).collect();
    let needle = "more than 100 distinct regular expressions compiled at run time";
    assert_denied_by_error(&text, &limits(), &c, needle);
    let mut small = limits();
    small.max_eval_cost = 100_000;
    assert_denied_by_error(&text, &small, &c, "evaluation cost budget of 100000 steps");
    // One pattern used 5 000 times is compiled once: 18 000 steps, and the loop.
    let text = format!(
        "{HEAD}[[rule]]\nid = \"re\"\nenforcement = \"hard\"\nrequire = '!change.tested_in.exists(t, t.matches(change.title))'\n"
    );
    let mut tight = limits();
    tight.max_eval_cost = 30_000;
    tight.max_runtime_regexes = 1;
    let policy = Policy::from_text_with_limits(&text, &tight).unwrap();
    let a = policy.assess(&c, &Topology::default(), &context());
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.outcome, Outcome::Allow);
}

#[test]
fn a_message_printing_a_long_text_stops_at_the_size_limit() {
    // A list of 2^18 references to the change's id is a small value (8 MiB) with a text of
    // 2^18 times the id: the message stops at the size limit, and the rule fails closed.
    let mut text = format!("{HEAD}[let]\nv0 = '[change.id]'\n");
    for i in 1..=18 {
        text.push_str(&format!("v{i} = 'v{} + v{}'\n", i - 1, i - 1));
    }
    text.push_str(
        "[[rule]]\nid = \"loud\"\nenforcement = \"hard\"\nrequire = 'false'\nmessage = \"ids: {{ v18 }}\"\n",
    );
    let policy = Policy::from_text_with_limits(&text, &limits()).unwrap();
    let mut c = change();
    c.id = "i".repeat(1000);
    let a = policy.assess(&c, &Topology::default(), &context());
    assert_eq!(a.outcome, Outcome::Deny);
    assert!(
        a.errors
            .iter()
            .any(|e| e.message
                == "limit exceeded: a text longer than the 16777216 bytes allowed would be built"),
        "{:?}",
        a.errors
    );
    assert!(a.violations.iter().all(|v| v.message.len() < 1 << 20));
}

#[test]
fn calls_chosen_at_run_time_are_priced_too() {
    // Unchecked, every call is dispatched on the runtime types: the same prices apply.
    let mut bindings = serde_json::Map::new();
    bindings.insert("s".to_owned(), serde_json::Value::String("x".repeat(10_000)));
    for (expr, message) in [
        (
            "s.replace(\"\", s)",
            "limit exceeded: a value of 100020000 bytes would be built, more than the 16777216 allowed",
        ),
        ("s.split(\"\")", "limit exceeded: evaluation cost budget of 5000 steps"),
        ("[s, s, s, s, s, s, s, s, s].join()", "limit exceeded: evaluation cost budget of 5000 steps"),
        ("s.matches(s + \"x\")", "limit exceeded: evaluation cost budget of 5000 steps"),
    ] {
        let mut l = limits();
        l.max_eval_cost = 5_000;
        for checked in [true, false] {
            match changeguard::cel::evaluate_expression(expr, &bindings, checked, &l) {
                changeguard::cel::ExprOutcome::EvalError(e) => assert_eq!(e.to_string(), message, "{expr}"),
                other => panic!("{expr}: {other:?}"),
            }
        }
    }
}
