//! Every limit of SPEC §8 firing: a clear load error, or a fail-closed evaluation error — never
//! a panic, a stack overflow, a runaway allocation or a hang.
#![allow(
    clippy::format_push_string,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

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
    let d = Policy::from_text(text, limits).unwrap_err();
    d.errors().next().unwrap().clone()
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
    let policy = Policy::from_text(&text, &l).unwrap();
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

#[test]
fn the_budget_also_bounds_a_plain_expression() {
    let mut l = limits();
    l.max_eval_cost = 1_000;
    let env = Env::with_limits(l);
    let list = format!("[{}]", (0..40).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    let p = env.compile(&format!("{list}.map(x, {list}.map(y, x * y)).size() > 0")).unwrap();
    let e = p.evaluate(&NoVariables).unwrap_err();
    assert_eq!(e.kind(), EvalErrorKind::CostLimitExceeded);
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
    let mut l = limits();
    l.max_eval_cost = 5_000;
    let env = Env::with_limits(l);
    let list = format!("[{}]", (0..200).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    let p = env.compile(&format!("[{list}.map(x, x * 2)].all(l, l.all(e, e in l))")).unwrap();
    let e = p.evaluate(&NoVariables).unwrap_err();
    assert_eq!(e.kind(), EvalErrorKind::CostLimitExceeded);
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
    assert!(Policy::from_text(&text, &limits()).is_ok());
    let mut small = limits();
    small.max_document_bytes = 100;
    let e = first_error(&text, &small);
    assert_eq!(e.kind(), DiagnosticKind::LimitExceeded);
    assert_eq!(e.path(), Some("test[t].change"));
    assert!(e.message().starts_with("limit exceeded: change document of "), "{}", e.message());
}
