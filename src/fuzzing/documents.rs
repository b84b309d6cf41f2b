//! Documents: policies and input documents read from arbitrary text.

use super::cel::check_diagnostics;
use crate::{Change, Context, Limits, Policy, Topology};

/// Loads `data` as a policy (TOML, or JSON when it starts with `{`) with small limits. A policy
/// that loads runs its own `[[test]]` cases; one that does not reports diagnostics that point
/// inside the text.
///
/// # Panics
///
/// When loading or assessing panics, or a diagnostic points outside the text.
pub fn policy_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = Limits { max_eval_cost: 20_000, max_rules: 200, ..Limits::default() };
    match Policy::from_text_with_limits(text, &limits) {
        Ok(policy) => {
            check_diagnostics(policy.warnings(), text);
            let report = policy.run_tests(&crate::policy::TestOptions::default());
            assert_eq!(report.cases.len(), policy.test_count(), "a test case went missing");
        }
        Err(d) => {
            assert!(d.has_errors(), "a failed load reports no error");
            check_diagnostics(d.items(), text);
        }
    }
}

/// Reads `data` as a change, a context and a topology (JSON). Whatever reads must write back
/// to JSON that reads as an equal document; whatever does not reports diagnostics inside the
/// text.
///
/// # Panics
///
/// When reading panics, a diagnostic points outside the text, or a round trip changes a
/// document.
pub fn input_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Change::from_json(text) {
        Ok(c) => {
            let again = Change::from_json(&c.to_json_pretty());
            assert!(again.as_ref().is_ok_and(|a| *a == c), "a change does not round-trip: {again:?}");
        }
        Err(d) => check_diagnostics(d.items(), text),
    }
    match Context::from_json(text) {
        Ok(c) => {
            let again = Context::from_json(&c.to_json_pretty());
            assert!(again.as_ref().is_ok_and(|a| *a == c), "a context does not round-trip: {again:?}");
        }
        Err(d) => check_diagnostics(d.items(), text),
    }
    match Topology::from_json(text) {
        Ok(t) => {
            let json = serde_json::to_string(&t).unwrap_or_default();
            let again = Topology::from_json(&json);
            assert!(again.as_ref().is_ok_and(|a| *a == t), "a topology does not round-trip: {again:?}");
        }
        Err(d) => check_diagnostics(d.items(), text),
    }
}
