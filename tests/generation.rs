//! Policy-aware generation and shrinking (`changeguard::testing::{scenarios, search}`): the
//! inputs meet what the policy talks about, a counterexample is shrunk to what the failure
//! needs, and a seed decides everything.

#![cfg(feature = "proptest")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use changeguard::input::CheckStatus;
use changeguard::testing::{Scenario, SearchOptions, Trial, Vocabulary, scenarios, search, seeded_runner};
use changeguard::{Outcome, Policy};
use proptest::strategy::{Strategy, ValueTree};

/// A policy whose vocabulary no generic pool knows: an environment `lunar` (alias `moon`), a
/// check `zeta-scan`, a role `night-owl`, a threshold of 1234 lines, and a small topology.
const ODD: &str = r#"
[policy]
name = "odd"
description = "a vocabulary of its own"
version = "1.0.0"

[[rule]]
id = "zeta"
enforcement = "soft"
override_roles = ["night-owl"]
when = 'change.canonical_environment == "lunar"'
require = '"zeta-scan" in change.checks && change.checks["zeta-scan"] == "passed"'

[params]
strictest_environment = "lunar"
environments = { lunar = ["moon"], sandbox = [] }

[[risk]]
id = "big"
when = 'has(change.size) && change.size.lines > 1234'
points = 60

[test_topology]
services = [{ name = "alpha" }, { name = "beta" }, { name = "gamma" }]
dependencies = [{ from = "alpha", to = "beta" }]
"#;

fn odd() -> Policy {
    Policy::from_toml(ODD).unwrap()
}

fn sample(vocabulary: &Vocabulary, n: usize, seed: u64) -> Vec<Scenario> {
    let strategy = scenarios(vocabulary);
    let mut runner = seeded_runner(seed);
    (0..n).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
}

#[test]
fn the_vocabulary_holds_what_the_policy_talks_about() {
    let v = odd().vocabulary();
    for env in ["lunar", "moon", "sandbox"] {
        assert!(v.environments.iter().any(|e| e == env), "{env} in {:?}", v.environments);
    }
    assert_eq!(v.roles, ["night-owl"]);
    for s in ["zeta-scan", "passed", "lunar"] {
        assert!(v.strings.iter().any(|x| x == s), "{s} in {:?}", v.strings);
    }
    assert!(v.ints.contains(&1234), "{:?}", v.ints);
    assert_eq!(v.topology.as_ref().map(changeguard::Topology::len), Some(3));

    let builtin = Policy::well_architected().vocabulary();
    for s in ["security-scan", "infra-plan", "passed", "failed"] {
        assert!(builtin.strings.iter().any(|x| x == s), "{s} in {:?}", builtin.strings);
    }
    assert!(builtin.roles.iter().any(|r| r == "sre-lead"));
    assert!(builtin.ints.contains(&30), "max_rollback_minutes is read: {:?}", builtin.ints);
}

#[test]
fn generated_inputs_meet_the_policy_where_it_decides() {
    let v = odd().vocabulary();
    let inputs = sample(&v, 400, 3);
    let count = |f: &dyn Fn(&Scenario) -> bool| inputs.iter().filter(|s| f(s)).count();
    let declared = count(&|s| ["lunar", "moon", "sandbox"].contains(&s.change.environment.as_str()));
    let zeta = count(&|s| s.change.checks.contains_key("zeta-scan"));
    let zeta_passed = count(&|s| s.change.checks.get("zeta-scan") == Some(&CheckStatus::Passed));
    let owl = count(&|s| s.change.approvals.iter().any(|a| a.role == "night-owl"));
    let near = count(&|s| s.change.size.is_some_and(|z| (1233..=1235).contains(&z.lines_added)));
    let known =
        count(&|s| s.change.services.iter().all(|x| ["alpha", "beta", "gamma"].contains(&x.name.as_str())));
    // Without the vocabulary none of these would ever appear.
    assert!(declared > 120, "{declared} of 400 in a declared environment");
    assert!(zeta > 60 && zeta_passed > 30, "{zeta} with zeta-scan, {zeta_passed} passed");
    assert!(owl > 40, "{owl} approved by a night-owl");
    assert!(near > 10, "{near} next to the 1234-line threshold");
    assert!(known > 200, "{known} deploying only services of the test topology");
    assert!(inputs.iter().all(|s| s.topology.len() == 3));
    // Every generated input is a valid document.
    for s in &inputs {
        s.change.validate().unwrap();
        s.context.validate().unwrap();
    }
    // Both sides of the rule and of the factor are reached (the policy never denies).
    let policy = odd();
    let outcomes: std::collections::BTreeSet<String> = inputs
        .iter()
        .map(|s| policy.assess(&s.change, &s.topology, &s.context).outcome.to_string())
        .collect();
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
}

#[test]
fn without_a_test_topology_one_is_generated() {
    let v = Vocabulary::default();
    let inputs = sample(&v, 100, 5);
    let sizes: std::collections::BTreeSet<usize> = inputs.iter().map(|s| s.topology.len()).collect();
    assert!(sizes.len() > 3, "{sizes:?}");
}

/// The failure needs only the failed `zeta-scan` check: everything else is shrunk away.
#[test]
fn a_counterexample_is_shrunk_to_what_the_failure_needs() {
    let policy = odd();
    let strategy = scenarios(&policy.vocabulary());
    let mut original = None;
    let found = search(&strategy, &SearchOptions::new(512, 11), |s| {
        let failed = s.change.checks.get("zeta-scan") == Some(&CheckStatus::Failed);
        if failed && original.is_none() {
            original = Some(s.clone());
        }
        if failed { Trial::Fail } else { Trial::Pass }
    });
    let s = found.counterexample.expect("a change with a failed zeta-scan");
    let original = original.unwrap();
    assert!(found.shrinks > 0);
    assert_eq!(s.change.checks.len(), 1, "{:?}", s.change.checks);
    assert_eq!(s.change.checks.get("zeta-scan"), Some(&CheckStatus::Failed));
    assert_eq!(s.change.services.len(), 1);
    assert!(s.change.approvals.is_empty());
    assert!(s.change.labels.is_empty() && s.change.tested_in.is_empty());
    assert!(
        s.context.freezes.is_empty() && s.context.incidents.is_empty() && s.context.error_budgets.is_empty()
    );
    // The original had more than that (the seed is chosen so).
    let before =
        original.change.checks.len() + original.change.services.len() + original.change.approvals.len();
    assert!(before > 3, "{original:?}");
}

/// A property that fails only with two approvals keeps both, and nothing else.
#[test]
fn shrinking_keeps_what_the_failure_needs() {
    let policy = odd();
    let strategy = scenarios(&policy.vocabulary());
    let found = search(&strategy, &SearchOptions::new(1024, 2), |s| {
        if s.change.approvals.len() >= 2 && s.change.environment == "moon" {
            Trial::Fail
        } else {
            Trial::Pass
        }
    });
    let s = found.counterexample.unwrap();
    assert_eq!(s.change.approvals.len(), 2);
    assert_eq!(s.change.environment, "moon");
    assert!(s.change.checks.is_empty());
    assert_eq!(s.change.services.len(), 1);
}

#[test]
fn a_seed_decides_the_inputs_and_the_counterexample() {
    let policy = Policy::well_architected();
    let v = policy.vocabulary();
    let a = sample(&v, 20, 42);
    let b = sample(&v, 20, 42);
    let c = sample(&v, 20, 43);
    let show = |x: &[Scenario]| format!("{x:?}");
    assert_eq!(show(&a), show(&b));
    assert_ne!(show(&a), show(&c));
    let strategy = scenarios(&v);
    let run = |seed| {
        search(&strategy, &SearchOptions::new(256, seed), |s| {
            if policy.assess(&s.change, &s.topology, &s.context).outcome == Outcome::Deny {
                Trial::Fail
            } else {
                Trial::Pass
            }
        })
    };
    let (x, y) = (run(9), run(9));
    assert_eq!(format!("{:?}", x.counterexample), format!("{:?}", y.counterexample));
    assert!(x.counterexample.is_some());
}

#[test]
fn skipped_inputs_are_counted_apart() {
    let found = search(&(0u32..100), &SearchOptions::new(200, 1), |n| {
        if n % 10 == 0 { Trial::Pass } else { Trial::Skip }
    });
    assert_eq!(found.tried, 200);
    assert!(found.accepted > 5 && found.accepted < 50, "{}", found.accepted);
    assert!(found.counterexample.is_none());
}
