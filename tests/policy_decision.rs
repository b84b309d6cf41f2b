#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! The decision of an assessment (SPEC §5.1, §5.2, §5.3, §5.5): outcome rules in isolation and
//! in combination, reasons and their order, overrides and self-approval, advisory and dry-run
//! rules, the risk score and levels, and evaluation errors under both `on_error` settings.

mod common;

use changeguard::policy::{Assessment, Enforcement, ReasonKind, RiskLevel};
use changeguard::{Change, Context, Limits, Outcome, Policy, Topology};
use serde_json::{Value, json};

const NOW: &str = "2026-03-02T10:00:00Z";

/// A policy with a `[policy]` header and `body`.
fn policy(body: &str) -> Policy {
    let text = format!("[policy]\nname = \"decisions\"\nversion = \"1.0.0\"\n{body}");
    Policy::from_toml(&text).unwrap_or_else(|d| panic!("{}", d.render(Some("policy.toml"), &text)))
}

/// A production change by `ann` to `api`, with `extra` members merged in.
fn change(extra: &Value) -> Change {
    common::production_change("CHG-1", extra)
}

fn approvals(list: &[(&str, &str)]) -> Value {
    json!({ "approvals": list.iter().map(|(by, role)| json!({ "by": by, "role": role })).collect::<Vec<_>>() })
}

fn context() -> Context {
    Context::from_json(&json!({ "now": NOW }).to_string()).unwrap()
}

fn assess(p: &Policy, c: &Change) -> Assessment {
    p.assess(c, &Topology::default(), &context())
}

fn kinds(a: &Assessment) -> Vec<(ReasonKind, Option<&str>)> {
    a.reasons.iter().map(|r| (r.kind, r.rule.as_deref())).collect()
}

fn violated(a: &Assessment) -> Vec<(&str, Enforcement, bool)> {
    a.violations.iter().map(|v| (&*v.rule, v.enforcement, v.dry_run)).collect()
}

/// Rules that always fail, one of each enforcement, and risk factors keyed on labels so each
/// test turns on exactly what it needs.
const MIXED: &str = r#"
[[risk]]
id = "risky"
when = '"risky" in change.labels'
points = 60
reason = "labelled risky"

[[risk]]
id = "very-risky"
when = '"very-risky" in change.labels'
points = 30
reason = "labelled very risky"

[[rule]]
id = "hard-one"
enforcement = "hard"
when = '"hard-one" in change.labels'
require = 'false'
message = "hard one is violated"

[[rule]]
id = "soft-one"
enforcement = "soft"
when = '"soft-one" in change.labels'
require = 'false'
message = "soft one is violated"
override_roles = ["change-manager"]

[[rule]]
id = "hard-two"
enforcement = "hard"
when = '"hard-two" in change.labels'
require = 'false'
message = "hard two is violated"

[[rule]]
id = "soft-two"
when = '"soft-two" in change.labels'
require = 'false'
message = "soft two is violated"

[[rule]]
id = "advice"
enforcement = "advisory"
when = '"advice" in change.labels'
require = 'false'
message = "consider something"

[decision]
approval_at = "high"
approval_roles = ["sre-lead"]
deny_at = "critical"
"#;

fn labels(names: &[&str]) -> Value {
    let map: serde_json::Map<String, Value> = names.iter().map(|n| ((*n).to_owned(), json!("x"))).collect();
    json!({ "labels": map })
}

fn with_labels_and_approvals(names: &[&str], by: &[(&str, &str)]) -> Change {
    let mut extra = labels(names);
    extra["approvals"] = approvals(by)["approvals"].clone();
    change(&extra)
}

// ------------------------------------------------------------------------------------------
// Outcome rules, one at a time.

#[test]
fn nothing_in_the_way_allows_with_one_allow_reason() {
    let a = assess(&policy(MIXED), &change(&json!({})));
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(kinds(&a), [(ReasonKind::Allow, None)]);
    assert!(a.violations.is_empty());
    assert!(a.required_approvals.is_empty());
    assert!(a.errors.is_empty());
    assert_eq!((a.risk.score, a.risk.level), (0, RiskLevel::Low));
}

#[test]
fn a_hard_violation_denies() {
    let a = assess(&policy(MIXED), &change(&labels(&["hard-one"])));
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(kinds(&a), [(ReasonKind::HardViolation, Some("hard-one"))]);
    assert_eq!(a.reasons[0].detail, "hard one is violated");
    assert_eq!(violated(&a), [("hard-one", Enforcement::Hard, false)]);
    assert_eq!(a.violations[0].message, "hard one is violated");
    assert_eq!(a.violations[0].overridden_by, None);
}

/// Which approvals override a violation: the labels that trigger rules, the approvals, the
/// outcome, and who (if anyone) overrode the first violation.
#[test]
fn overrides_follow_each_rules_roles() {
    type Case<'c> = (&'c [&'c str], &'c [(&'c str, &'c str)], Outcome, Option<&'c str>);
    let cases: [Case<'_>; 3] = [
        // No approval overrides a hard rule.
        (&["hard-one"], &[("bob", "change-manager"), ("cy", "sre-lead")], Outcome::Deny, None),
        // `sre-lead` is the decision's role, but `soft-one` names its own override roles.
        (&["soft-one"], &[("bob", "sre-lead"), ("cy", "developer")], Outcome::NeedsApproval, None),
        // A rule without override roles is overridden by the decision's roles.
        (&["soft-two"], &[("bob", "sre-lead")], Outcome::Allow, Some("bob")),
    ];
    for (names, by, outcome, overridden_by) in cases {
        let a = assess(&policy(MIXED), &with_labels_and_approvals(names, by));
        assert_eq!(a.outcome, outcome, "{names:?} {by:?}");
        assert_eq!(a.violations[0].overridden_by.as_deref(), overridden_by, "{names:?} {by:?}");
    }
}

#[test]
fn override_roles_on_a_hard_rule_never_override_it() {
    let p = policy(
        "[[rule]]\nid = \"h\"\nenforcement = \"hard\"\nrequire = 'false'\noverride_roles = [\"cto\"]\n\n\
         [[rule]]\nid = \"a\"\nenforcement = \"advisory\"\nrequire = 'false'\noverride_roles = [\"cto\"]\n",
    );
    // Loading warns that the roles are useless.
    assert_eq!(p.warnings().len(), 2, "{:?}", p.warnings());
    let a = assess(&p, &with_labels_and_approvals(&[], &[("bob", "cto")]));
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(a.violations[0].overridden_by, None);
    assert_eq!(a.violations[1].overridden_by, None);
}

#[test]
fn risk_at_deny_at_denies() {
    // 60 + 30 = 90 ≥ critical (75).
    let a = assess(&policy(MIXED), &change(&labels(&["risky", "very-risky"])));
    assert_eq!((a.risk.score, a.risk.level), (90, RiskLevel::Critical));
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(kinds(&a), [(ReasonKind::RiskDeny, None)]);
    assert!(a.violations.is_empty());
}

#[test]
fn risk_deny_is_not_lifted_by_an_approval() {
    let c = with_labels_and_approvals(&["risky", "very-risky"], &[("bob", "sre-lead")]);
    let a = assess(&policy(MIXED), &c);
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(kinds(&a), [(ReasonKind::RiskDeny, None)]);
}

#[test]
fn hard_violations_and_risk_deny_are_listed_in_that_order() {
    let a = assess(&policy(MIXED), &change(&labels(&["hard-two", "risky", "hard-one", "very-risky"])));
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(
        kinds(&a),
        [
            (ReasonKind::HardViolation, Some("hard-one")),
            (ReasonKind::HardViolation, Some("hard-two")),
            (ReasonKind::RiskDeny, None),
        ]
    );
}

#[test]
fn a_soft_violation_needs_an_approval_from_its_override_roles() {
    let a = assess(&policy(MIXED), &change(&labels(&["soft-one"])));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::SoftViolation, Some("soft-one"))]);
    assert_eq!(a.reasons[0].detail, "soft one is violated");
    assert_eq!(violated(&a), [("soft-one", Enforcement::Soft, false)]);
    assert_eq!(a.required_approvals.len(), 1);
    assert_eq!(a.required_approvals[0].roles, ["change-manager"]);
}

#[test]
fn a_soft_rule_without_override_roles_needs_the_decision_approval_roles() {
    let a = assess(&policy(MIXED), &change(&labels(&["soft-two"])));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::SoftViolation, Some("soft-two"))]);
    assert_eq!(a.required_approvals.len(), 1);
    assert_eq!(a.required_approvals[0].roles, ["sre-lead"]);
}

#[test]
fn enforcement_defaults_to_soft() {
    let a = assess(&policy(MIXED), &change(&labels(&["soft-two"])));
    assert_eq!(a.violations[0].enforcement, Enforcement::Soft);
}

#[test]
fn a_soft_violation_is_overridden_by_an_approval_in_an_override_role() {
    let c = with_labels_and_approvals(&["soft-one"], &[("bob", "change-manager")]);
    let a = assess(&policy(MIXED), &c);
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(kinds(&a), [(ReasonKind::Allow, None)]);
    assert_eq!(violated(&a), [("soft-one", Enforcement::Soft, false)]);
    assert_eq!(a.violations[0].overridden_by.as_deref(), Some("bob"));
    assert!(a.required_approvals.is_empty());
}

#[test]
fn without_any_roles_any_approval_but_the_authors_overrides() {
    let p = policy("[[rule]]\nid = \"r\"\nrequire = 'false'\n\n[decision]\napproval_at = \"critical\"\n");
    let a = assess(&p, &with_labels_and_approvals(&[], &[("ann", "x")]));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(a.required_approvals[0].roles, Vec::<String>::new());
    let a = assess(&p, &with_labels_and_approvals(&[], &[("ann", "x"), ("dan", "intern")]));
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(a.violations[0].overridden_by.as_deref(), Some("dan"));
}

#[test]
fn self_approval_never_overrides() {
    for by in ["ann", " Ann ", "ANN", "\tann"] {
        let c = with_labels_and_approvals(&["soft-one"], &[(by, "change-manager")]);
        let a = assess(&policy(MIXED), &c);
        assert_eq!(a.outcome, Outcome::NeedsApproval, "approval by {by:?}");
        assert_eq!(a.violations[0].overridden_by, None, "approval by {by:?}");
        assert_eq!(kinds(&a), [(ReasonKind::SoftViolation, Some("soft-one"))]);
    }
}

#[test]
fn an_author_with_spacing_and_case_cannot_approve_their_own_change() {
    // The author is written ` Ann `, the approval `ann`.
    let mut c =
        with_labels_and_approvals(&["soft-one", "risky"], &[("ann", "change-manager"), ("ann", "sre-lead")]);
    c.author = " Ann ".into();
    let a = assess(&policy(MIXED), &c);
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::SoftViolation, Some("soft-one")), (ReasonKind::RiskApproval, None)]);
}

#[test]
fn self_approval_never_counts_as_risk_approval() {
    let c = with_labels_and_approvals(&["risky"], &[(" ANN", "sre-lead")]);
    let a = assess(&policy(MIXED), &c);
    assert_eq!((a.risk.score, a.risk.level), (60, RiskLevel::High));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::RiskApproval, None)]);
}

#[test]
fn high_risk_without_approval_needs_one_from_the_approval_roles() {
    let a = assess(&policy(MIXED), &change(&labels(&["risky"])));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::RiskApproval, None)]);
    assert_eq!(a.required_approvals.len(), 1);
    assert_eq!(a.required_approvals[0].roles, ["sre-lead"]);
    assert!(a.violations.is_empty());
}

#[test]
fn high_risk_with_an_approval_from_the_approval_roles_is_allowed() {
    let a = assess(&policy(MIXED), &with_labels_and_approvals(&["risky"], &[("bob", "sre-lead")]));
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(kinds(&a), [(ReasonKind::Allow, None)]);
    assert!(a.required_approvals.is_empty());
}

#[test]
fn high_risk_with_an_approval_in_another_role_still_needs_one() {
    let c = with_labels_and_approvals(&["risky"], &[("bob", "change-manager")]);
    let a = assess(&policy(MIXED), &c);
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::RiskApproval, None)]);
}

#[test]
fn risk_below_approval_at_needs_nothing() {
    // 30 is medium; approval_at is high.
    let a = assess(&policy(MIXED), &change(&labels(&["very-risky"])));
    assert_eq!((a.risk.score, a.risk.level), (30, RiskLevel::Medium));
    assert_eq!(a.outcome, Outcome::Allow);
}

#[test]
fn approval_at_low_needs_an_approval_for_every_change() {
    let p = policy("[decision]\napproval_at = \"low\"\n");
    let a = assess(&p, &change(&json!({})));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::RiskApproval, None)]);
    assert_eq!(a.required_approvals[0].roles, Vec::<String>::new());
    let a = assess(&p, &with_labels_and_approvals(&[], &[("zed", "anything")]));
    assert_eq!(a.outcome, Outcome::Allow);
}

#[test]
fn decision_defaults_approval_at_high_and_no_deny_at() {
    let p = policy("[[risk]]\nid = \"all\"\npoints = 100\n");
    assert_eq!(p.decision().approval_at, RiskLevel::High);
    assert_eq!(p.decision().deny_at, None);
    let a = assess(&p, &change(&json!({})));
    assert_eq!((a.risk.score, a.risk.level), (100, RiskLevel::Critical));
    // Critical risk without `deny_at` needs an approval, it is not denied.
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::RiskApproval, None)]);
}

#[test]
fn soft_violations_and_risk_approval_are_listed_in_that_order() {
    let a = assess(&policy(MIXED), &change(&labels(&["soft-two", "risky", "soft-one"])));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(
        kinds(&a),
        [
            (ReasonKind::SoftViolation, Some("soft-one")),
            (ReasonKind::SoftViolation, Some("soft-two")),
            (ReasonKind::RiskApproval, None),
        ]
    );
    let roles: Vec<&[String]> = a.required_approvals.iter().map(|r| r.roles.as_slice()).collect();
    assert_eq!(
        roles,
        [&["change-manager".to_owned()][..], &["sre-lead".to_owned()], &["sre-lead".to_owned()]]
    );
}

#[test]
fn one_approval_may_override_a_rule_and_approve_the_risk() {
    let p =
        policy(&MIXED.replace("override_roles = [\"change-manager\"]", "override_roles = [\"sre-lead\"]"));
    let c = with_labels_and_approvals(&["soft-one", "risky"], &[("bob", "sre-lead")]);
    let a = assess(&p, &c);
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(a.violations[0].overridden_by.as_deref(), Some("bob"));
}

#[test]
fn an_overridden_rule_leaves_the_others_standing() {
    let c = with_labels_and_approvals(&["soft-one", "soft-two"], &[("bob", "change-manager")]);
    let a = assess(&policy(MIXED), &c);
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::SoftViolation, Some("soft-two"))]);
    assert_eq!(a.violations[0].overridden_by.as_deref(), Some("bob"));
    assert_eq!(a.violations[1].overridden_by, None);
}

#[test]
fn deny_lists_only_the_facts_that_deny() {
    // With a hard violation, soft violations and high risk do not determine the outcome: the
    // reasons name the deny facts; the approvals that would otherwise be needed stay listed.
    let a = assess(&policy(MIXED), &change(&labels(&["soft-one", "hard-one", "risky"])));
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(kinds(&a), [(ReasonKind::HardViolation, Some("hard-one"))]);
    assert_eq!(
        violated(&a),
        [("hard-one", Enforcement::Hard, false), ("soft-one", Enforcement::Soft, false)]
    );
}

#[test]
fn advisory_violations_are_reported_but_never_change_the_outcome() {
    let a = assess(&policy(MIXED), &change(&labels(&["advice"])));
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(kinds(&a), [(ReasonKind::Allow, None)]);
    assert_eq!(violated(&a), [("advice", Enforcement::Advisory, false)]);
    assert_eq!(a.violations[0].message, "consider something");
    assert_eq!(a.violations[0].overridden_by, None);
    assert!(a.required_approvals.is_empty());

    let a = assess(&policy(MIXED), &change(&labels(&["advice", "soft-two"])));
    assert_eq!(kinds(&a), [(ReasonKind::SoftViolation, Some("soft-two"))]);
}

const DRY: &str = r#"
[[rule]]
id = "shadow-hard"
enforcement = "hard"
require = 'change.labels.size() == 0'
dry_run = true

[[rule]]
id = "shadow-soft"
require = 'change.labels.size() == 0'
dry_run = true

[[rule]]
id = "real"
enforcement = "advisory"
require = 'change.labels.size() == 0'
"#;

#[test]
fn dry_run_rules_are_reported_and_never_count() {
    let a = assess(&policy(DRY), &change(&labels(&["x"])));
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(kinds(&a), [(ReasonKind::Allow, None)]);
    assert_eq!(
        violated(&a),
        [
            ("shadow-hard", Enforcement::Hard, true),
            ("shadow-soft", Enforcement::Soft, true),
            ("real", Enforcement::Advisory, false),
        ]
    );
    assert!(a.required_approvals.is_empty());
    assert_eq!(a.violated_rules().collect::<Vec<_>>(), ["real"]);
}

#[test]
fn violations_are_listed_in_policy_order() {
    let a =
        assess(&policy(MIXED), &change(&labels(&["advice", "soft-two", "hard-two", "soft-one", "hard-one"])));
    let ids: Vec<&str> = a.violations.iter().map(|v| &*v.rule).collect();
    assert_eq!(ids, ["hard-one", "soft-one", "hard-two", "soft-two", "advice"]);
}

#[test]
fn rule_messages_default_to_the_description() {
    let p = policy(
        "[[rule]]\nid = \"described\"\ndescription = \"changes carry a ticket\"\nrequire = 'false'\nremediation = \"add one to {{ change.id }}\"\nreferences = [\"OPS-1\", \"OPS-2\"]\n",
    );
    let a = assess(&p, &change(&json!({})));
    let v = &a.violations[0];
    assert_eq!(v.message, "changes carry a ticket");
    assert_eq!(v.remediation.as_deref(), Some("add one to CHG-1"));
    assert_eq!(*v.references, ["OPS-1", "OPS-2"]);
}

#[test]
fn a_rule_applies_only_when_its_condition_holds() {
    let p = policy(
        "[[rule]]\nid = \"prod-only\"\nenforcement = \"hard\"\nwhen = 'change.environment == \"production\"'\nrequire = 'false'\n",
    );
    assert_eq!(assess(&p, &change(&json!({}))).outcome, Outcome::Deny);
    let a = assess(&p, &change(&json!({ "environment": "staging" })));
    assert_eq!(a.outcome, Outcome::Allow);
    assert!(a.violations.is_empty());
}

// ------------------------------------------------------------------------------------------
// Risk (§5.1).

/// Factors of these points: constants within `POINTS_RANGE`, else expressions that compute
/// the points at run time (loading rejects such constants) from the change's one service.
fn factors(points: &[i64]) -> String {
    points
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let points = if changeguard::policy::POINTS_RANGE.contains(&p) {
                p.to_string()
            } else {
                format!("'{} * (change.services.size() + 1) + {}'", p / 2, p % 2)
            };
            format!("[[risk]]\nid = \"f{i}\"\npoints = {points}\nreason = \"factor {i}\"\n")
        })
        .collect::<Vec<_>>()
        .concat()
}

#[test]
fn score_is_the_clamped_sum_and_level_follows_the_default_thresholds() {
    let cases: &[(&[i64], i64, RiskLevel)] = &[
        (&[], 0, RiskLevel::Low),
        (&[24], 24, RiskLevel::Low),
        (&[25], 25, RiskLevel::Medium),
        (&[40, -15], 25, RiskLevel::Medium),
        (&[49], 49, RiskLevel::Medium),
        (&[30, 20], 50, RiskLevel::High),
        (&[74], 74, RiskLevel::High),
        (&[75], 75, RiskLevel::Critical),
        (&[60, 70], 100, RiskLevel::Critical),
        (&[-30], 0, RiskLevel::Low),
        (&[-50, 30], 0, RiskLevel::Low),
        (&[150, -60], 90, RiskLevel::Critical),
    ];
    for (points, score, level) in cases {
        let p = policy(&format!("{}\n[decision]\napproval_at = \"critical\"\n", factors(points)));
        let a = assess(&p, &change(&json!({})));
        assert_eq!((a.risk.score, a.risk.level), (*score, *level), "points {points:?}");
        // Every factor that fired is listed with its own points, even when the sum is clamped.
        let listed: Vec<i64> = a.risk.factors.iter().map(|f| f.points).collect();
        assert_eq!(listed, *points);
    }
}

#[test]
fn huge_points_saturate_instead_of_overflowing() {
    let max = i64::MAX;
    let p = policy(&format!("{}\n[decision]\napproval_at = \"critical\"\n", factors(&[max, max, 1])));
    let a = assess(&p, &change(&json!({})));
    assert_eq!((a.risk.score, a.risk.level), (100, RiskLevel::Critical));
    let p = policy(&format!("{}\n[decision]\napproval_at = \"critical\"\n", factors(&[-max, -max, 50])));
    assert_eq!(assess(&p, &change(&json!({}))).risk.score, 0);
}

#[test]
fn a_computed_points_overflow_is_an_error_not_a_panic() {
    let p = policy("[[risk]]\nid = \"big\"\npoints = '9223372036854775807 + change.services.size()'\n");
    let a = assess(&p, &change(&json!({})));
    assert_eq!(errors(&a), [("big", "points")]);
    assert_eq!(a.risk.score, 0);
    // Fail closed: the factor whose points cannot be known denies, naming itself and the error.
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(kinds(&a), [(ReasonKind::HardViolation, Some("big"))]);
    assert!(a.violations[0].message.contains("points"), "{:?}", a.violations[0]);
}

#[test]
fn erroring_factor_points_fail_closed_to_deny() {
    let sources = [
        // Overflow on author-supplied sizes.
        "points = 'change.size.lines_added * 10'",
        // Division by zero.
        "points = '10 / (change.services.size() - 1)'",
        // A missing map key in `when` while the points are an expression.
        "when = 'change.labels[\"ticket\"] == \"T-1\"'\npoints = 'change.services.size() * 7'",
    ];
    for body in sources {
        let p = policy(&format!("[[risk]]\nid = \"f\"\n{body}\n"));
        let c = change(
            &json!({ "size": { "files": 1, "lines_added": 9_223_372_036_854_775_807_i64, "lines_removed": 0 } }),
        );
        let a = assess(&p, &c);
        assert_eq!(a.errors.len(), 1, "{body}: {:?}", a.errors);
        assert_eq!(a.outcome, Outcome::Deny, "{body}");
        assert_eq!(kinds(&a), [(ReasonKind::HardViolation, Some("f"))], "{body}");
        // Fail open keeps the old behaviour: the factor is dropped, the error recorded.
        let open = policy(&format!("[[risk]]\nid = \"f\"\n{body}\n[decision]\non_error = \"fail_open\"\n"));
        let a = assess(&open, &c);
        assert_eq!((a.outcome, a.errors.len()), (Outcome::Allow, 1), "{body}");
    }
}

#[test]
fn points_sums_do_not_depend_on_order() {
    let (max, min) = (i64::MAX, i64::MIN);
    for order in [[max, max, min], [min, max, max], [max, min, max]] {
        let p = policy(&format!("{}\n[decision]\napproval_at = \"critical\"\n", factors(&order)));
        let a = assess(&p, &change(&json!({})));
        assert_eq!((a.risk.score, a.risk.level), (100, RiskLevel::Critical), "{order:?}");
    }
}

#[test]
fn custom_risk_levels_move_the_thresholds() {
    let cases =
        [(9, RiskLevel::Low), (10, RiskLevel::Medium), (20, RiskLevel::High), (30, RiskLevel::Critical)];
    for (points, level) in cases {
        let p = policy(&format!(
            "{}\n[risk_levels]\nmedium = 10\nhigh = 20\ncritical = 30\n[decision]\napproval_at = \"high\"\ndeny_at = \"critical\"\n",
            factors(&[points])
        ));
        let a = assess(&p, &change(&json!({})));
        assert_eq!(a.risk.level, level, "score {points}");
        let expected = match level {
            RiskLevel::Low | RiskLevel::Medium => Outcome::Allow,
            RiskLevel::High => Outcome::NeedsApproval,
            RiskLevel::Critical => Outcome::Deny,
        };
        assert_eq!(a.outcome, expected, "score {points}");
    }
}

#[test]
fn partial_risk_levels_keep_the_other_defaults() {
    let p = policy("[risk_levels]\nhigh = 40\n");
    let levels = p.risk_levels();
    assert_eq!((levels.medium, levels.high, levels.critical), (25, 40, 75));
}

#[test]
fn points_may_be_an_expression() {
    let p = policy(
        r#"
[[risk]]
id = "per-service"
points = 'change.services.size() * 7'
reason = "{{ change.services.size() }} services change together"

[[risk]]
id = "discount"
when = 'change.strategy.type == "canary"'
points = '-1 * change.strategy.first_step'
reason = "canary to {{ change.strategy.first_step }}%"
"#,
    );
    let c = change(&json!({
        "services": [{ "name": "a" }, { "name": "b" }, { "name": "c" }],
        "strategy": { "type": "canary", "steps": [5, 100] }
    }));
    let a = assess(&p, &c);
    let got: Vec<(&str, i64, &str)> =
        a.risk.factors.iter().map(|f| (&*f.id, f.points, f.reason.as_str())).collect();
    assert_eq!(got, [("per-service", 21, "3 services change together"), ("discount", -5, "canary to 5%")]);
    assert_eq!(a.risk.score, 16);
}

#[test]
fn factors_are_listed_in_policy_order_with_interpolated_reasons_and_references() {
    let p = policy(
        r#"
[[risk]]
id = "z-last-alphabetically"
points = 5
reason = "services: {{ change.services.map(s, s.name) }}"
references = ["REL-1"]

[[risk]]
id = "never"
when = 'false'
points = 50

[[risk]]
id = "a-first-alphabetically"
when = 'change.environment == "production"'
points = 10
reason = "{{ change.environment }} is {{ 1 + 1 }}x riskier"
references = ["OPS06-BP03", "OPS06-BP04"]
"#,
    );
    let c = change(&json!({ "services": [{ "name": "api" }, { "name": "web" }] }));
    let a = assess(&p, &c);
    assert_eq!(a.risk.score, 15);
    let got: Vec<(&str, i64, &str, Vec<&str>)> = a
        .risk
        .factors
        .iter()
        .map(|f| (&*f.id, f.points, f.reason.as_str(), f.references.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        got,
        [
            ("z-last-alphabetically", 5, "services: api, web", vec!["REL-1"]),
            ("a-first-alphabetically", 10, "production is 2x riskier", vec!["OPS06-BP03", "OPS06-BP04"]),
        ]
    );
}

#[test]
fn risk_is_visible_to_rules_and_their_messages() {
    let p = policy(
        r#"
[[risk]]
id = "base"
points = 35
reason = "base"

[[rule]]
id = "medium-needs-two"
when = 'risk.level == "medium" && risk.score >= 30 && risk.factors.exists(f, f.id == "base" && f.points == 35)'
require = 'change.approvers().size() >= 2'
message = "risk {{ risk.level }} ({{ risk.score }}) needs 2 approvers, has {{ change.approvers().size() }}"
remediation = "factors: {{ risk.factors.map(f, f.id) }}"

[decision]
approval_roles = ["sre-lead"]
"#,
    );
    let a = assess(&p, &with_labels_and_approvals(&[], &[("bob", "dev")]));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(a.violations[0].message, "risk medium (35) needs 2 approvers, has 1");
    assert_eq!(a.violations[0].remediation.as_deref(), Some("factors: base"));
    let a = assess(&p, &with_labels_and_approvals(&[], &[("bob", "dev"), ("cy", "dev")]));
    assert_eq!(a.outcome, Outcome::Allow);
}

// ------------------------------------------------------------------------------------------
// Evaluation errors (§5.3).

fn errors(a: &Assessment) -> Vec<(&str, &str)> {
    a.errors.iter().map(|e| (e.rule.as_str(), e.field.as_str())).collect()
}

const ERRORING: &str = r#"
[[rule]]
id = "size-when"
enforcement = "hard"
when = 'change.size.files > 10'
require = 'true || change.id != ""'

[[rule]]
id = "divide"
enforcement = "soft"
require = '10 / (change.services.size() - 1) > 1'

[[rule]]
id = "missing-key"
enforcement = "advisory"
require = 'change.labels["ticket"] == "T-1"'

[[rule]]
id = "shadow"
enforcement = "hard"
require = 'change.rollback.plan'
dry_run = true
"#;

#[test]
fn rule_errors_fail_closed_at_the_rules_own_enforcement() {
    let a = assess(&policy(ERRORING), &change(&json!({})));
    assert_eq!(
        errors(&a),
        [("size-when", "when"), ("divide", "require"), ("missing-key", "require"), ("shadow", "require")]
    );
    assert_eq!(
        violated(&a),
        [
            ("size-when", Enforcement::Hard, false),
            ("divide", Enforcement::Soft, false),
            ("missing-key", Enforcement::Advisory, false),
            ("shadow", Enforcement::Hard, true),
        ]
    );
    assert_eq!(a.outcome, Outcome::Deny);
    assert_eq!(kinds(&a), [(ReasonKind::HardViolation, Some("size-when"))]);
    for e in &a.errors {
        assert!(!e.message.is_empty(), "{e:?}");
    }
    assert!(a.errors[1].message.contains("division by zero"), "{:?}", a.errors[1]);
    assert!(a.errors[2].message.contains("ticket"), "{:?}", a.errors[2]);
}

#[test]
fn an_erroring_soft_rule_fails_closed_to_needs_approval() {
    let p = policy(
        "[[rule]]\nid = \"divide\"\nrequire = '10 / (change.services.size() - 1) > 1'\noverride_roles = [\"sre\"]\n",
    );
    let a = assess(&p, &change(&json!({})));
    assert_eq!(a.outcome, Outcome::NeedsApproval);
    assert_eq!(kinds(&a), [(ReasonKind::SoftViolation, Some("divide"))]);
    assert_eq!(a.required_approvals[0].roles, ["sre"]);
    // With two services there is no error and the rule holds.
    let a = assess(&p, &change(&json!({ "services": [{ "name": "a" }, { "name": "b" }] })));
    assert_eq!(a.outcome, Outcome::Allow);
    assert!(a.errors.is_empty());
}

#[test]
fn rule_errors_fail_open_when_the_policy_says_so() {
    let p = policy(&format!("{ERRORING}\n[decision]\non_error = \"fail_open\"\n"));
    assert_eq!(p.decision().on_error, changeguard::policy::OnError::FailOpen);
    let a = assess(&p, &change(&json!({})));
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(kinds(&a), [(ReasonKind::Allow, None)]);
    assert!(a.violations.is_empty());
    // The errors are still recorded.
    assert_eq!(
        errors(&a),
        [("size-when", "when"), ("divide", "require"), ("missing-key", "require"), ("shadow", "require")]
    );
}

#[test]
fn a_field_of_an_absent_object_is_a_runtime_error_with_a_message() {
    let a = assess(&policy(ERRORING), &change(&json!({})));
    let e = &a.errors[0];
    assert_eq!(e.rule, "size-when");
    assert_eq!(e.message, "field `size` is absent: test it with `has()` first", "{e:?}");
    // The same rule, with a size present, evaluates cleanly.
    let a = assess(
        &policy(ERRORING),
        &change(
            &json!({ "size": { "files": 3, "lines_added": 1, "lines_removed": 0 }, "labels": { "ticket": "T-1" }, "services": [{"name": "a"}, {"name": "b"}], "rollback": { "plan": true, "tested": true, "automated": false } }),
        ),
    );
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert!(a.violations.is_empty());
    assert_eq!(a.outcome, Outcome::Allow);
}

const ERRORING_FACTORS: &str = r#"
[[risk]]
id = "literal"
when = 'change.size.lines > 100'
points = 40
reason = "big"

[[risk]]
id = "computed"
when = 'true || change.id == ""'
points = 'change.size.files * 2'
reason = "files"

[[risk]]
id = "computed-when"
when = 'change.labels["x"] == "y"'
points = '20 + change.services.size()'

[[risk]]
id = "fine"
points = 5
reason = "fine"

[decision]
approval_at = "critical"
"#;

#[test]
fn an_erroring_factor_adds_its_literal_points_when_failing_closed() {
    let a = assess(&policy(ERRORING_FACTORS), &change(&json!({})));
    assert_eq!(errors(&a), [("literal", "when"), ("computed", "points"), ("computed-when", "when")]);
    let got: Vec<(&str, i64)> = a.risk.factors.iter().map(|f| (&*f.id, f.points)).collect();
    assert_eq!(got, [("literal", 40), ("fine", 5)]);
    assert_eq!(a.risk.score, 45);
    assert_eq!(a.risk.level, RiskLevel::Medium);
}

#[test]
fn an_erroring_factor_adds_nothing_when_failing_open() {
    let p = policy(&ERRORING_FACTORS.replace("[decision]", "[decision]\non_error = \"fail_open\""));
    let a = assess(&p, &change(&json!({})));
    assert_eq!(errors(&a), [("literal", "when"), ("computed", "points"), ("computed-when", "when")]);
    let got: Vec<(&str, i64)> = a.risk.factors.iter().map(|f| (&*f.id, f.points)).collect();
    assert_eq!(got, [("fine", 5)]);
    assert_eq!(a.risk.score, 5);
}

#[test]
fn a_template_error_is_recorded_and_the_source_text_kept() {
    let p = policy(
        "[[rule]]\nid = \"r\"\nenforcement = \"advisory\"\nrequire = 'false'\nmessage = \"ticket {{ change.labels['ticket'] }}\"\n",
    );
    let a = assess(&p, &change(&json!({})));
    assert_eq!(errors(&a), [("r", "message")]);
    assert_eq!(a.violations.len(), 1);
    assert_eq!(a.outcome, Outcome::Allow);
}

#[test]
fn a_condition_that_is_dyn_but_not_bool_is_an_error() {
    let p = policy("[[rule]]\nid = \"r\"\nenforcement = \"hard\"\nrequire = 'change.attributes.flag'\n");
    let a = assess(&p, &change(&json!({ "attributes": { "flag": "yes" } })));
    assert_eq!(errors(&a), [("r", "require")]);
    assert_eq!(a.outcome, Outcome::Deny);
    let a = assess(&p, &change(&json!({ "attributes": { "flag": true } })));
    assert!(a.errors.is_empty());
    assert_eq!(a.outcome, Outcome::Allow);
}

#[test]
fn logical_operators_absorb_errors_in_rules() {
    let p = policy(
        "[[rule]]\nid = \"r\"\nenforcement = \"hard\"\nrequire = '!has(change.size) || change.size.files < 10'\n\n[[rule]]\nid = \"s\"\nenforcement = \"hard\"\nrequire = 'change.size.files < 10 || true'\n",
    );
    let a = assess(&p, &change(&json!({})));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.outcome, Outcome::Allow);
}

/// 10⁸ iterations: far beyond the evaluation budget.
const EXPENSIVE: &str = "[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, [0,1,2,3,4,5,6,7,8,9].all(c, \
     [0,1,2,3,4,5,6,7,8,9].all(d, [0,1,2,3,4,5,6,7,8,9].all(e, [0,1,2,3,4,5,6,7,8,9].all(f, \
     [0,1,2,3,4,5,6,7,8,9].all(g, [0,1,2,3,4,5,6,7,8,9].all(h, a + b + c + d + e + f + g + h >= 0))))))))";

#[test]
fn exceeding_the_evaluation_budget_is_an_error_that_fails_closed() {
    let text = format!(
        "[policy]\nname = \"costly\"\nversion = \"1.0.0\"\n[[rule]]\nid = \"costly\"\nenforcement = \"hard\"\nrequire = '{EXPENSIVE}'\n"
    );
    let mut limits = Limits::default();
    limits.max_eval_cost = 100_000;
    let p = Policy::from_text_with_limits(&text, &limits).unwrap();
    let a = assess(&p, &change(&json!({})));
    assert_eq!(errors(&a), [("costly", "require")]);
    assert!(a.errors[0].message.contains("budget") || a.errors[0].message.contains("cost"), "{:?}", a.errors);
    assert_eq!(a.outcome, Outcome::Deny);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "ten million evaluation steps take ~15 s unoptimized: run with --release"
)]
fn the_default_evaluation_budget_stops_a_huge_comprehension() {
    let p = policy(&format!("[[rule]]\nid = \"costly\"\nenforcement = \"hard\"\nrequire = '{EXPENSIVE}'\n"));
    let start = std::time::Instant::now();
    let a = assess(&p, &change(&json!({})));
    assert_eq!(errors(&a), [("costly", "require")]);
    assert_eq!(a.outcome, Outcome::Deny);
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn the_budget_is_shared_by_the_whole_assessment() {
    // Each rule alone is affordable, together they are not.
    // About 1 110 comprehension steps each (reading `change`, so that none is folded into a
    // constant when the policy loads).
    let cheapish = "[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, [0,1,2,3,4,5,6,7,8,9].all(c, a + b + c + size(change.services) >= 0)))";
    let rule = |i| format!("[[rule]]\nid = \"r{i}\"\nenforcement = \"advisory\"\nrequire = '{cheapish}'\n");
    let p = common::policy_of_rules("", 40, rule, 20_000);
    let a = assess(&p, &change(&json!({})));
    let n = a.errors.len();
    assert!(n > 0 && n < 40, "{n} errors");
    // Once the budget is spent, every later rule errors too.
    let expected: Vec<String> = (40 - n..40).map(|i| format!("r{i}")).collect();
    let got: Vec<&str> = a.errors.iter().map(|e| e.rule.as_str()).collect();
    assert_eq!(got, expected);
}

#[test]
fn doubling_a_list_through_lets_is_bounded_by_the_budget() {
    // l16 has 2^16 × (number of services) elements; 30 entries would need tens of gigabytes.
    let lets: String =
        (1..=16).map(|i| format!("l{i} = 'l{} + l{}'\n", i - 1, i - 1)).collect::<Vec<_>>().concat();
    let text = format!(
        "[policy]\nname = \"doubling\"\nversion = \"1.0.0\"\n[let]\nl0 = 'change.services.map(s, s.name)'\n{lets}\
         [[rule]]\nid = \"big\"\nenforcement = \"hard\"\nrequire = 'size(l16) > 0'\n"
    );
    let mut limits = Limits::default();
    limits.max_eval_cost = 10_000;
    let p = Policy::from_text_with_limits(&text, &limits).unwrap();
    let a = assess(&p, &change(&json!({})));
    // The rule, and every `let` on the way that could not be computed, fail closed.
    assert_eq!(
        errors(&a),
        [("big", "require"), ("let.l13", "let"), ("let.l14", "let"), ("let.l15", "let"), ("let.l16", "let")],
        "65 536 elements copied within a 10 000-step budget"
    );
    assert_eq!(a.outcome, Outcome::Deny);
}

#[test]
fn a_negative_factor_whose_condition_fails_never_lowers_the_score() {
    let p = policy(
        r#"
[[risk]]
id = "base"
points = 30
[[risk]]
id = "discount"
when = 'change.labels["missing"] == "x"'
points = -20
[risk_levels]
medium = 20
[decision]
approval_at = "medium"
"#,
    );
    let a = assess(&p, &change(&json!({})));
    // The discount's condition failed: it is reported, and counts 0 points, not -20.
    assert!(a.errors.iter().any(|e| e.rule == "discount" && e.field == "when"), "{:?}", a.errors);
    assert_eq!(a.risk.score, 30);
    assert_eq!(a.outcome, Outcome::NeedsApproval);
}

// ------------------------------------------------------------------------------------------
// Errors in `let`s and texts fail closed too.

/// A `let` that fails (a missing label), read by a rule of the given enforcement.
fn erroring_let(enforcement: &str, extra: &str) -> String {
    format!(
        "[let]\nticket = 'change.labels[\"ticket\"]'\n\n[[rule]]\nid = \"r\"\nenforcement = \"{enforcement}\"\n\
         require = 'ticket != \"\"'\noverride_roles = [\"sre\"]\n{extra}"
    )
}

#[test]
fn an_erroring_let_read_by_a_counted_rule_denies_naming_the_let() {
    for enforcement in ["soft", "hard"] {
        let p = policy(&erroring_let(enforcement, ""));
        // Even with an approval that would override the soft rule.
        let a = assess(&p, &change(&approvals(&[("bob", "sre")])));
        assert_eq!(a.outcome, Outcome::Deny, "{enforcement}: {a}");
        let v = a.violations.iter().find(|v| &*v.rule == "let.ticket").expect("a violation for the let");
        assert_eq!(v.enforcement, Enforcement::Hard);
        assert!(v.message.contains("`ticket`") && v.message.contains("no such key"), "{}", v.message);
        assert!(kinds(&a).contains(&(ReasonKind::HardViolation, Some("let.ticket"))), "{:?}", kinds(&a));
        assert!(errors(&a).contains(&("let.ticket", "let")), "{:?}", a.errors);
        // With the label, nothing fails.
        let a = assess(&p, &change(&json!({ "labels": { "ticket": "T-1" } })));
        assert_eq!(a.outcome, Outcome::Allow, "{a}");
        assert!(a.errors.is_empty());
        // Failing open, the let is dropped with its rule.
        let open = policy(&erroring_let(enforcement, "\n[decision]\non_error = \"fail_open\"\n"));
        let a = assess(&open, &change(&json!({})));
        assert_eq!(a.outcome, Outcome::Allow, "{enforcement} fail_open: {a}");
        assert!(errors(&a).contains(&("let.ticket", "let")), "{:?}", a.errors);
    }
}

#[test]
fn an_erroring_let_read_only_by_advisory_or_dry_run_rules_is_recorded_not_counted() {
    let p = policy(&erroring_let("advisory", ""));
    let a = assess(&p, &change(&json!({})));
    assert_eq!(a.outcome, Outcome::Allow, "{a}");
    assert!(a.violations.iter().all(|v| &*v.rule != "let.ticket"), "{a}");
    let p = policy(&erroring_let("hard", "dry_run = true\n"));
    assert_eq!(assess(&p, &change(&json!({}))).outcome, Outcome::Allow);
    // Read first by an advisory rule, then by a hard one (from the cache): it counts.
    let text = format!(
        "{}\n[[rule]]\nid = \"later\"\nenforcement = \"hard\"\nrequire = 'ticket != \"nope\"'\n",
        erroring_let("advisory", "")
    );
    let a = assess(&policy(&text), &change(&json!({})));
    assert_eq!(a.outcome, Outcome::Deny, "{a}");
    assert!(kinds(&a).contains(&(ReasonKind::HardViolation, Some("let.ticket"))), "{:?}", kinds(&a));
}

#[test]
fn an_erroring_let_read_by_a_factor_denies() {
    let p = policy(
        "[let]\nbig = 'change.labels[\"size\"] == \"big\"'\n[[risk]]\nid = \"f\"\nwhen = 'big'\npoints = 10\n",
    );
    let a = assess(&p, &change(&json!({})));
    // The factor counts its literal points, and the let denies.
    assert_eq!(a.risk.score, 10);
    assert_eq!(a.outcome, Outcome::Deny, "{a}");
    assert_eq!(kinds(&a), [(ReasonKind::HardViolation, Some("let.big"))]);
}

#[test]
fn a_message_or_remediation_that_cannot_be_written_denies_a_counted_rule() {
    for (enforcement, field) in [("soft", "message"), ("hard", "message"), ("soft", "remediation")] {
        let text = format!(
            "[[rule]]\nid = \"r\"\nenforcement = \"{enforcement}\"\nrequire = 'false'\noverride_roles = [\"sre\"]\n\
             {field} = \"ticket {{{{ change.labels['ticket'] }}}}\"\n"
        );
        let a = assess(&policy(&text), &change(&approvals(&[("bob", "sre")])));
        assert_eq!(a.outcome, Outcome::Deny, "{enforcement} {field}: {a}");
        assert_eq!(errors(&a), [("r", field)]);
        assert_eq!(violated(&a), [("r", Enforcement::Hard, false)]);
        let v = &a.violations[0];
        assert!(v.overridden_by.is_none());
        assert!(v.message.contains(&format!("{field} could not be evaluated: no such key")), "{}", v.message);
        let open = policy(&format!("{text}\n[decision]\non_error = \"fail_open\"\n"));
        let a = assess(&open, &change(&approvals(&[("bob", "sre")])));
        assert_eq!(a.outcome, if enforcement == "soft" { Outcome::Allow } else { Outcome::Deny }, "{a}");
    }
}

#[test]
fn a_factor_reason_that_cannot_be_written_denies() {
    let p = policy("[[risk]]\nid = \"f\"\npoints = 5\nreason = \"ticket {{ change.labels['ticket'] }}\"\n");
    let a = assess(&p, &change(&json!({})));
    assert_eq!(errors(&a), [("f", "reason")]);
    assert_eq!(a.risk.score, 5);
    assert_eq!(a.outcome, Outcome::Deny, "{a}");
    assert_eq!(kinds(&a), [(ReasonKind::HardViolation, Some("f"))]);
    assert!(a.violations[0].message.contains("reason: no such key"), "{}", a.violations[0].message);
}
