//! Policy unit tests (`[[test]]`, see [Policy tests](crate::policy#policy-tests)), run as a pure function.

use super::Policy;
use super::assessment::Assessment;
use super::model::{Outcome, TestCase};
use crate::cel::Timestamp;
use crate::input::Context;
use crate::topology::Topology;

/// The result of running a policy's `[[test]]` cases.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct TestReport {
    /// One result per case, in document order.
    pub cases: Vec<CaseResult>,
}

/// The result of one test case.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// What the case expected and did not get, one line each; empty when it passed.
    pub mismatches: Vec<String>,
    /// The outcome the policy decided.
    pub outcome: Outcome,
}

impl CaseResult {
    /// Whether the case passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

impl TestReport {
    /// How many cases passed.
    #[must_use]
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed()).count()
    }

    /// How many cases failed.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }

    /// Whether every case passed.
    #[must_use]
    pub fn all_passed(&self) -> bool {
        self.failed() == 0
    }
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    v
}

/// Compares an assessment with what a case expects.
fn mismatches(case: &TestCase, a: &Assessment) -> Vec<String> {
    let e = &case.expect;
    let mut out = Vec::new();
    if a.outcome != e.outcome {
        out.push(format!("outcome: expected {}, got {}", e.outcome, a.outcome));
    }
    if let Some(want) = &e.violations {
        let want = sorted(want.iter().cloned());
        let got = sorted(a.violated_rules().map(str::to_owned));
        if want != got {
            out.push(format!("violations: expected [{}], got [{}]", want.join(", "), got.join(", ")));
        }
    }
    if let Some(level) = e.risk_level
        && a.risk.level != level
    {
        out.push(format!("risk_level: expected {level}, got {} (score {})", a.risk.level, a.risk.score));
    }
    if let Some(score) = e.risk_score
        && a.risk.score != score
    {
        out.push(format!("risk_score: expected {score}, got {}", a.risk.score));
    }
    if let Some(want) = &e.impacted {
        let want = sorted(want.iter().cloned());
        if want != a.blast_radius.impacted {
            out.push(format!(
                "impacted: expected [{}], got [{}]",
                want.join(", "),
                a.blast_radius.impacted.join(", ")
            ));
        }
    }
    if !out.is_empty() && !a.errors.is_empty() {
        for err in &a.errors {
            out.push(format!("note: `{}` ({}) failed to evaluate: {}", err.rule, err.field, err.message));
        }
    }
    out
}

pub(crate) fn run(policy: &Policy) -> TestReport {
    run_with(policy, |change, topology, context| policy.assess(change, topology, context))
}

/// Runs the cases, assessing each with `assess`.
pub(crate) fn run_with(
    policy: &Policy,
    mut assess: impl FnMut(&crate::input::Change, &Topology, &Context) -> Assessment,
) -> TestReport {
    let empty = Topology::default();
    let cases = policy
        .inner
        .tests
        .iter()
        .map(|case| {
            let topology = case.topology.as_ref().or(policy.inner.test_topology.as_ref()).unwrap_or(&empty);
            let default_context;
            let context = match &case.context {
                Some(c) => c,
                None => {
                    default_context = Context::new(case.change.scheduled_at.unwrap_or(Timestamp::UNIX_EPOCH));
                    &default_context
                }
            };
            let a = assess(&case.change, topology, context);
            CaseResult { name: case.name.clone(), mismatches: mismatches(case, &a), outcome: a.outcome }
        })
        .collect();
    TestReport { cases }
}
