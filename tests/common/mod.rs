//! What several integration tests check alike.
#![allow(dead_code, reason = "each test crate uses some of these")]

use changeguard::{Limits, Policy};

/// The top-level keys of an assessment's JSON (`--format json`, `Assessment::to_json_pretty`),
/// sorted.
pub(crate) const ASSESSMENT_KEYS: [&str; 9] = [
    "blast_radius",
    "change",
    "errors",
    "outcome",
    "policy",
    "reasons",
    "required_approvals",
    "risk",
    "violations",
];

/// A policy of `count` rules, the `i`-th written by `rule(i)`, after `head` (the sections that
/// come before the rules), loaded with an evaluation budget of `max_eval_cost` steps.
pub(crate) fn policy_of_rules(
    head: &str,
    count: usize,
    rule: impl Fn(usize) -> String,
    max_eval_cost: u64,
) -> Policy {
    let rules: String = (0..count).map(rule).collect();
    let text = format!("[policy]\nname = \"rules\"\nversion = \"1.0.0\"\n{head}{rules}");
    let mut limits = Limits::default();
    limits.max_eval_cost = max_eval_cost;
    Policy::from_text_with_limits(&text, &limits).unwrap()
}
