//! What several integration tests check alike.
#![allow(dead_code, reason = "each test crate uses some of these")]

use changeguard::{Change, Limits, Policy};
use serde_json::{Value, json};

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

/// `base` with each member of the object `extra` set over it.
pub(crate) fn merged(mut base: Value, extra: &Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// A production change `id` by `ann` to `api`, with the members of `extra` merged in.
pub(crate) fn production_change(id: &str, extra: &Value) -> Change {
    let base = json!({
        "id": id, "environment": "production", "author": "ann",
        "services": [{ "name": "api" }]
    });
    Change::from_json(&merged(base, extra).to_string()).unwrap()
}
