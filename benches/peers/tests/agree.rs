//! Every engine reaches the same decision — the same outcome and the same set of violated
//! rules — on every scenario, for the 20-rule and the 200-rule sets.

use changeguard_peers::{Outcome, Suite};

#[test]
fn twenty_rules_agree_and_match_the_expected_outcomes() {
    let suite = Suite::new(1);
    let table = suite.verify().unwrap_or_else(|e| panic!("engines disagree:\n{e}"));
    println!("{table}");
    let decisions = suite.changeguard.decisions();
    for (scenario, decision) in suite.scenarios.list.iter().zip(&decisions) {
        assert_eq!(decision.outcome, scenario.expected, "{}: {:?}", scenario.name, decision.violated);
    }
}

#[test]
fn two_hundred_rules_agree() {
    let suite = Suite::new(10);
    let table = suite.verify().unwrap_or_else(|e| panic!("engines disagree:\n{e}"));
    println!("{table}");
}

#[test]
fn the_scenarios_cover_the_edge_cases() {
    let suite = Suite::new(1);
    let decisions = suite.changeguard.decisions();
    let by_name = |name: &str| {
        let i = suite.scenarios.list.iter().position(|s| s.name == name).unwrap_or_else(|| panic!("{name}"));
        &decisions[i]
    };
    let violates = |name: &str, rule: &str| {
        assert!(
            by_name(name).violated.contains(rule),
            "{name} should violate {rule}: {:?}",
            by_name(name).violated
        );
    };
    // Self-approval and a duplicate approver written differently leave one approver.
    violates("self-approval", "separation-of-duties");
    assert_eq!(by_name("self-approval").violated.len(), 1);
    // A freeze covering the change; an emergency is exempt from the same freeze.
    violates("in-freeze", "change-freeze");
    assert!(!by_name("emergency-hotfix-in-freeze").violated.contains("change-freeze"));
    // A freeze for every environment.
    violates("staging-in-maintenance", "change-freeze");
    // A failing check.
    violates("failing-check", "no-failed-checks");
    violates("failing-check", "required-checks");
    // A major version bump, and a label failing the regex.
    violates("major-bump-bad-ticket", "major-bump");
    violates("major-bump-bad-ticket", "ticket-label");
    // A version at or above the ceiling.
    violates("version-ceiling-standard", "version-ceiling");
    // Every outcome is reached.
    for outcome in [Outcome::Allow, Outcome::NeedsApproval, Outcome::Deny] {
        assert!(decisions.iter().any(|d| d.outcome == outcome), "no scenario reaches {outcome:?}");
    }
}

#[test]
fn replicas_are_distinct() {
    // The 200-rule set's replicas use distinct constants: no two rules have the same text,
    // and replicas of one condition can decide a scenario differently.
    let suite = Suite::new(10);
    let decisions = suite.changeguard.decisions();
    let i = suite.scenarios.list.iter().position(|s| s.name == "version-ceiling-standard").unwrap_or(0);
    let violated = &decisions[i].violated;
    assert!(violated.contains("version-ceiling-2"), "{violated:?}");
    assert!(!violated.contains("version-ceiling-3"), "{violated:?}");
    let texts = changeguard_peers::cel_impl::CelEngine::sources(&suite.rules);
    let distinct: std::collections::BTreeSet<_> = texts.iter().map(|(_, t)| t).collect();
    assert_eq!(distinct.len(), texts.len(), "two rules have the same CEL text");
}
