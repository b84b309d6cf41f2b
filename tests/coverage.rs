//! Test coverage of policies (`Policy::run_tests_with_coverage`, `Policy::coverage_of`): the
//! goals, how they are accounted, their places, truncation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use changeguard::policy::{Coverage, GoalKind};
use changeguard::{Change, Context, Policy, Topology};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/bench/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The goals not covered, as `line:column kind item`.
fn uncovered(c: &Coverage) -> Vec<String> {
    c.uncovered()
        .map(|g| {
            format!("{}:{} {:?} {} {}", g.line, g.column, g.kind, g.item, g.text.as_deref().unwrap_or(""))
        })
        .map(|s| s.trim_end().to_owned())
        .collect()
}

fn change(environment: &str, services: usize, approved: bool) -> Change {
    let services: Vec<String> =
        (0..services).map(|i| format!(r#"{{"name": "s{i}", "from": "1.0.0", "to": "1.0.1"}}"#)).collect();
    let approvals = if approved { r#"[{"by": "bob", "role": "engineer"}]"# } else { "[]" };
    Change::from_json(&format!(
        r#"{{"id": "C", "environment": "{environment}", "author": "ann", "services": [{}], "approvals": {approvals}}}"#,
        services.join(",")
    ))
    .unwrap()
}

fn coverage(policy: &Policy, changes: &[Change]) -> Coverage {
    let topology = Topology::default();
    let context = Context::new(changeguard::cel::Timestamp::UNIX_EPOCH);
    policy.coverage_of(changes.iter().map(|c| (c, &topology, &context)))
}

#[test]
fn without_assessments_nothing_is_covered_and_every_goal_is_listed() {
    let policy = Policy::from_toml(&fixture("small.toml")).unwrap();
    let c = coverage(&policy, &[]);
    assert_eq!(c.covered(), 0);
    assert_eq!(c.percent(), 0);
    // Operands: `prod`'s condition; `prod`, the size test and the whole `when` of the factor;
    // the `?:` condition of its points; the rule's `when`, its `!`, the operand of the `!`, the
    // category test and the whole `require`: 10 operands, 2 goals each. The factor fires or
    // not (2), the rule is not applicable, satisfied or violated (3), three outcomes.
    assert_eq!(c.total(), 10 * 2 + 2 + 3 + 3);
}

#[test]
fn goals_are_observed_as_the_evaluator_reaches_operands() {
    let policy = Policy::from_toml(&fixture("small.toml")).unwrap();
    // A staging change: `prod` is false, so the rest of the factor's `&&` is not reached,
    // nor its points, nor the rule's `require`.
    let c = coverage(&policy, &[change("staging", 2, false)]);
    let left = uncovered(&c);
    let has = |line: &str| left.iter().any(|l| l == line);
    for unreached in [
        "12:17 True risk[bundle].when change.services.size() > 1",
        "12:17 False risk[bundle].when change.services.size() > 1",
        "13:11 False risk[bundle].points change.services.size() > 3",
        "18:49 False rule[reviewed].require change.category == \"emergency\"",
    ] {
        assert!(has(unreached), "{unreached} in {left:#?}");
    }
    for reached in [
        "12:9 False risk[bundle].when prod",
        "17:9 False rule[reviewed].when prod",
        "11:1 NotFired risk[bundle]",
    ] {
        assert!(!has(reached), "{reached} in {left:#?}");
    }
    assert!(!has("16:1 NotApplicable rule[reviewed]"), "{left:#?}");

    // Production, bundled, unreviewed; then a big reviewed one; then a single reviewed one.
    let all = [
        change("staging", 2, false),
        change("production", 2, false),
        change("production", 4, true),
        change("production", 1, true),
    ];
    let c = coverage(&policy, &all);
    // Left: no emergency change, and nothing denies.
    assert_eq!(
        uncovered(&c),
        vec!["18:49 True rule[reviewed].require change.category == \"emergency\"", "0:0 Deny decision"],
        "{}",
        c.render(None)
    );
}

#[test]
fn the_percentage_is_truncated_never_rounded_up() {
    let policy = Policy::from_toml(&fixture("untested_rule.toml")).unwrap();
    let (report, c) = policy.run_tests_with_coverage(&changeguard::policy::TestOptions::default());
    assert!(report.all_passed());
    // 16 of 23 is 69.6 %: reported as 69.
    assert_eq!((c.covered(), c.total(), c.percent()), (16, 23, 69));
    assert!(c.render(None).starts_with("coverage: 69% (16 of 23 goals)\n"));
}

#[test]
fn an_untested_rule_is_named_with_its_line() {
    let policy = Policy::from_toml(&fixture("untested_rule.toml")).unwrap();
    let (_, c) = policy.run_tests_with_coverage(&changeguard::policy::TestOptions::default());
    let rule: Vec<_> = c.uncovered().filter(|g| g.item == "rule[emergency-ticket]").collect();
    assert_eq!(rule.iter().map(|g| g.kind).collect::<Vec<_>>(), [GoalKind::Satisfied, GoalKind::Violated]);
    assert!(rule.iter().all(|g| (g.line, g.column) == (21, 1)));
    let text = c.render(Some("p.toml"));
    assert!(text.contains("  p.toml:21:1: `rule[emergency-ticket]` was never violated\n"), "{text}");
    assert!(
        text.contains("  p.toml:23:9: `change.category == \"emergency\"` in `rule[emergency-ticket].when` was never true\n"),
        "{text}"
    );
}

#[test]
fn coverage_is_measured_when_tests_fail_and_results_do_not_change() {
    let text = fixture("untested_rule.toml").replace(
        r#"expect = { outcome = "needs_approval", violations = ["reviewed"] }"#,
        r#"expect = { outcome = "deny" }"#,
    );
    let policy = Policy::from_toml(&text).unwrap();
    let (report, c) = policy.run_tests_with_coverage(&changeguard::policy::TestOptions::default());
    assert_eq!(report.failed(), 1);
    assert_eq!(report, policy.run_tests(&changeguard::policy::TestOptions::default()));
    assert_eq!((c.covered(), c.total()), (16, 23));
}

#[test]
fn the_json_form_has_the_counts_and_the_goals_left() {
    let policy = Policy::from_toml(&fixture("untested_rule.toml")).unwrap();
    let (_, c) = policy.run_tests_with_coverage(&changeguard::policy::TestOptions::default());
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["percent"], 69);
    assert_eq!(json["covered"], 16);
    assert_eq!(json["total"], 23);
    let first = &json["uncovered"][0];
    assert_eq!(first["item"], "rule[reviewed].message");
    assert_eq!(first["kind"], "true");
    assert_eq!(first["text"], "change.approvals.size() > 0");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(18), Some(15)));
    assert_eq!(json["uncovered"].as_array().unwrap().len(), 7);
}

#[test]
fn the_built_in_policy_tests_cover_all_of_it() {
    let policy = Policy::well_architected();
    let options = changeguard::policy::TestOptions::default();
    let (report, c) = policy.run_tests_with_coverage(&options);
    assert!(report.all_passed());
    assert_eq!(report, policy.run_tests(&options));
    assert_eq!(c.percent(), 100, "{}", c.render(Some("well_architected.toml")));
}
