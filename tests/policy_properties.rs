//! `[[property]]` entries and test files: loading with diagnostics, checking over generated
//! inputs, counterexamples that really break the property and are shrunk, vacuous and weak
//! preconditions, determinism.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use changeguard::input::{Change, Context, canonical_name};
use changeguard::policy::{PropertyStatus, TestOptions, test_file_policy};
use changeguard::{DiagnosticKind, Limits, Outcome, Policy, Topology};

/// A policy with a soft freeze rule (overridable by an `sre-lead`) and a hard rule on a
/// security scan in production; and properties over it, one of them false.
/// The text of `tests/data/properties/{name}.toml`: `demo` is a policy with a soft freeze rule
/// (overridable by an `sre-lead`) and a hard rule on a security scan in production; the others
/// are properties over it (`false` does not hold), and a rule (`contractors`).
fn data(name: &str) -> String {
    std::fs::read_to_string(format!("tests/data/properties/{name}.toml")).unwrap()
}

/// The demo policy with the named parts appended.
fn demo(parts: &[&str]) -> Policy {
    let extra: String = parts.iter().map(|p| data(p)).collect();
    policy(&extra)
}

fn policy(extra: &str) -> Policy {
    Policy::from_toml(&format!("{}{extra}", data("demo")))
        .unwrap_or_else(|d| panic!("{}", d.render(None, extra)))
}

fn is_prod(change: &Change) -> bool {
    canonical_name(&change.environment) != "staging"
}

/// The false property, in Rust: a production change held back by a freeze and not denied.
fn breaks(p: &Policy, change: &Change, topology: &Topology, context: &Context) -> bool {
    let a = p.assess(change, topology, context);
    is_prod(change) && a.violations.iter().any(|v| &*v.rule == "frozen") && a.outcome != Outcome::Deny
}

#[test]
fn a_false_property_fails_with_a_counterexample_that_really_breaks_it_and_is_shrunk() {
    let p = demo(&["false"]);
    let report = p.run_tests(&TestOptions::default().with_seed(5));
    assert_eq!((report.passed(), report.failed()), (0, 1));
    let result = &report.properties[0];
    assert_eq!(result.status, PropertyStatus::Failed);
    assert_eq!(result.cases, 256);
    let c = result.counterexample.as_ref().expect("a counterexample");
    assert!(c.shrinks > 0);
    assert_eq!(c.reason, "`expect` is false");
    // Assessed, it breaks `expect`: not denied, though in production during a freeze.
    assert!(breaks(&p, &c.change, &c.topology, &c.context), "{c:?}");
    assert_ne!(p.assess(&c.change, &c.topology, &c.context).outcome, Outcome::Deny);
    assert_eq!(p.assess(&c.change, &c.topology, &c.context).outcome, c.outcome);
    // Shrunk: one service, and no approval or check that the failure does not need.
    assert_eq!(c.change.services.len(), 1);
    for i in 0..c.change.approvals.len() {
        let mut smaller = c.change.clone();
        smaller.approvals.remove(i);
        assert!(!breaks(&p, &smaller, &c.topology, &c.context), "approval {i} is not needed: {c:?}");
    }
    for name in c.change.checks.keys() {
        let mut smaller = c.change.clone();
        smaller.checks.remove(name);
        assert!(!breaks(&p, &smaller, &c.topology, &c.context), "check {name} is not needed: {c:?}");
    }
    assert_eq!(c.context.freezes.len(), 1, "one freeze is all it takes");
    assert!(c.context.incidents.is_empty() && c.context.error_budgets.is_empty());
    // It needs the scan to have passed (else the hard rule denies).
    assert_eq!(c.change.checks.len(), 1);
}

#[test]
fn the_counterexample_pastes_as_a_passing_test_and_reads_as_json_documents() {
    let p = demo(&["false"]);
    let report = p.run_tests(&TestOptions::default().with_seed(9).with_cases(300));
    let result = &report.properties[0];
    let c = result.counterexample.as_ref().unwrap();
    let table = c.to_test_toml(&result.name, report.seed, result.cases);
    assert!(table.contains("# replay: changeguard test FILE --seed 9 --cases 300"), "{table}");
    assert!(table.contains("[[test]]") && table.contains("[test.expect]"), "{table}");
    // The policy's own test topology: not repeated in the table.
    assert!(!table.contains("[test.topology]"), "{table}");
    let pasted = policy(&format!("{}\n{table}", data("false")));
    let again = pasted.run_tests(&TestOptions::default().with_seed(9).with_cases(300));
    assert_eq!(again.cases.len(), 1);
    assert!(again.cases[0].passed(), "{:?}", again.cases[0]);
    assert_eq!(again.cases[0].outcome, c.outcome);
    let json = c.to_json_value();
    let change = Change::from_json(&json["change"].to_string()).unwrap();
    let context = Context::from_json(&json["context"].to_string()).unwrap();
    assert_eq!(change, c.change);
    assert_eq!(context, c.context);
    assert!(json.get("topology").is_none());
}

#[test]
fn properties_that_hold_pass_on_every_case() {
    let p = demo(&["true", "monotone"]);
    let report = p.run_tests(&TestOptions::default().with_seed(1));
    for r in &report.properties {
        assert_eq!(r.status, PropertyStatus::Held, "{}: {}", r.name, r.summary());
        assert!(r.counterexample.is_none());
    }
    let [scan, risk, approval] = &report.properties[..] else { panic!() };
    assert_eq!((scan.cases, scan.tried), (256, 256));
    assert!(scan.accepted > 20 && scan.accepted < 256, "{}", scan.accepted);
    assert_eq!(approval.accepted, 256);
    assert_eq!((risk.cases, risk.tried), (50, 50));
    // `--cases` overrides a property's `cases`.
    let report = p.run_tests(&TestOptions::default().with_cases(20));
    assert!(report.properties.iter().all(|r| r.tried == 20));
}

#[test]
fn monotonicity_breaks_when_an_approval_can_make_things_stricter() {
    let p = demo(&["contractors", "monotone"]);
    let report = p.run_tests(&TestOptions::default().with_seed(2).with_cases(2000));
    let r = &report.properties[0];
    assert_eq!(r.status, PropertyStatus::Failed, "{}", r.summary());
    let c = r.counterexample.as_ref().unwrap();
    let extra = c.extra_approval.as_ref().unwrap();
    assert_eq!(extra.role, "contractor");
    assert_eq!(c.outcome_with_approval, Some(Outcome::Deny));
    assert_ne!(c.outcome, Outcome::Deny);
    let mut approved = c.change.clone();
    approved.approvals.push(extra.clone());
    assert_eq!(p.assess(&approved, &c.topology, &c.context).outcome, Outcome::Deny);
    assert!(c.change.approvals.is_empty(), "{:?}", c.change.approvals);
    assert!(c.to_test_toml(&r.name, 2, 2000).contains("with one more approval, by"));
}

#[test]
fn a_precondition_that_accepts_nothing_is_vacuous_and_one_that_accepts_little_is_weak() {
    // Top-level keys, so before the policy's tables.
    let p = Policy::from_toml(&format!("{}{}", data("preconditions"), data("demo"))).unwrap();
    let report = p.run_tests(&TestOptions::default().with_seed(4));
    let [nothing, rare] = &report.properties[..] else { panic!() };
    assert_eq!(nothing.status, PropertyStatus::Vacuous);
    assert_eq!((nothing.tried, nothing.accepted), (256, 0));
    assert!(!nothing.passed());
    assert_eq!(rare.status, PropertyStatus::Weak, "{}", rare.summary());
    assert!(rare.accepted > 0 && rare.accepted * 100 < rare.tried, "{} of {}", rare.accepted, rare.tried);
    assert!(rare.passed());
    assert_eq!((report.passed(), report.failed()), (1, 1));
}

#[test]
fn a_run_is_decided_by_its_seed() {
    let p = demo(&["false", "true", "monotone"]);
    let a = p.run_tests(&TestOptions::default().with_seed(77));
    let b = p.run_tests(&TestOptions::default().with_seed(77));
    assert_eq!(a, b);
    let c = p.run_tests(&TestOptions::default().with_seed(78));
    assert_ne!(
        format!("{:?}", a.properties[0].counterexample),
        format!("{:?}", c.properties[0].counterexample)
    );
}

fn load_error(extra: &str) -> Vec<(DiagnosticKind, String, String, usize)> {
    let text = format!("{}{extra}", data("demo"));
    let Err(d) = Policy::from_toml(&text) else { panic!("loaded:\n{extra}") };
    d.items()
        .iter()
        .map(|d| {
            let line = d.span().map_or(0, |s| text[..s.start as usize].matches('\n').count() + 1);
            (d.kind(), d.path().unwrap_or("").to_owned(), d.message().to_owned(), line)
        })
        .collect()
}

#[test]
fn properties_are_type_checked_at_load_with_places() {
    let base = data("demo").matches('\n').count();
    let e = load_error("[[property]]\nname = \"p\"\nexpect = 'assessment.outcome'\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, DiagnosticKind::TypeMismatch);
    assert_eq!(e[0].1, "property[p].expect");
    assert_eq!(e[0].3, base + 3);
    let e = load_error(
        "[[property]]\nname = \"p\"\ngiven = 'is_prod'\nexpect = 'assessment.outcom == \"deny\"'\n",
    );
    assert_eq!((e[0].0, e[0].1.as_str()), (DiagnosticKind::UnknownField, "property[p].expect"), "{e:?}");
    let e = load_error("[[property]]\nname = \"p\"\ngiven = 'chnage.id == \"x\"'\nexpect = 'true'\n");
    assert_eq!((e[0].0, e[0].1.as_str()), (DiagnosticKind::UnknownVariable, "property[p].given"), "{e:?}");
    let e = load_error("[[property]]\nname = \"p\"\n");
    assert_eq!(
        (e[0].0, e[0].2.as_str()),
        (DiagnosticKind::MissingKey, "missing key `expect` in `property[p]`")
    );
    let e = load_error("[[property]]\nname = \"p\"\nexpect = 'true'\ncases = 0\n");
    assert_eq!((e[0].0, e[0].1.as_str()), (DiagnosticKind::InvalidValue, "property[p].cases"), "{e:?}");
    let e = load_error(
        "[[property]]\nname = \"p\"\nexpect = 'true'\n[[property]]\nname = \"p\"\nexpect = 'true'\n",
    );
    assert_eq!((e[0].0, e[0].2.as_str()), (DiagnosticKind::DuplicateId, "duplicate property name `p`"));
    // Outside properties, `assessment` is no variable, and no `let` may take its name.
    let e = load_error("[[rule]]\nid = \"r\"\nrequire = 'assessment.outcome == \"allow\"'\n");
    assert_eq!(e[0].0, DiagnosticKind::UnknownVariable, "{e:?}");
    let text = data("demo").replace("[let]\n", "[let]\nassessment = 'true'\n");
    assert!(Policy::from_toml(&text).is_err());
}

#[test]
fn a_test_file_names_its_policy_and_sees_its_lets() {
    let file = format!("policy = \"../demo.toml\"\n{}{}{}", data("false"), data("true"), data("monotone"));
    let limits = Limits::default();
    assert_eq!(test_file_policy(&file, &limits).unwrap().as_deref(), Some("../demo.toml"));
    assert_eq!(test_file_policy(&data("demo"), &limits).unwrap(), None);
    let p = policy("");
    assert_eq!(p.property_count(), 0);
    let suite = p.test_suite(&file).unwrap_or_else(|d| panic!("{}", d.render(None, &file)));
    let report = suite.run(&TestOptions::default().with_seed(5));
    assert_eq!(report.properties.len(), 4);
    assert_eq!((report.passed(), report.failed()), (3, 1));
    // The same property from the policy and from the test file finds the same counterexample.
    let embedded = demo(&["false"]).run_tests(&TestOptions::default().with_seed(5));
    assert_eq!(report.properties[0], embedded.properties[0]);
    // A test file's problems are reported with their places.
    let bad = "policy = \"x.toml\"\n[[property]]\nname = \"p\"\nexpect = 'is_prod + 1'\n[rule]\n";
    let d = p.test_suite(bad).unwrap_err();
    let kinds: Vec<DiagnosticKind> = d.items().iter().map(changeguard::Diagnostic::kind).collect();
    assert!(kinds.contains(&DiagnosticKind::UnknownKey), "{kinds:?}");
    assert!(kinds.contains(&DiagnosticKind::NoMatchingOverload), "{kinds:?}");
}
