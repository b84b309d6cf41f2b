//! What a test run reports: options, per-case and per-property results.

use crate::input::{Approval, Change, Context};
use crate::policy::model::Outcome;
use crate::topology::Topology;

/// How [`Policy::run_tests`](crate::Policy::run_tests) and [`TestSuite::run`](super::TestSuite::run)
/// run properties.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestOptions {
    /// How many inputs every property is checked on, overriding each property's `cases`
    /// (256 when neither says).
    pub cases: Option<u32>,
    /// The seed of the generated inputs: the same seed gives the same inputs and the same
    /// counterexamples.
    pub seed: u64,
    /// Whether to measure the [coverage](crate::policy#coverage) of the policy by the
    /// `[[test]]` cases ([`TestReport::coverage`]).
    pub coverage: bool,
}

impl TestOptions {
    /// Every property checked on `cases` inputs.
    #[must_use]
    pub fn with_cases(mut self, cases: u32) -> Self {
        self.cases = Some(cases);
        self
    }

    /// Inputs generated from `seed`.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Coverage measured (or not).
    #[must_use]
    pub fn with_coverage(mut self, coverage: bool) -> Self {
        self.coverage = coverage;
        self
    }
}

/// The result of running a policy's `[[test]]` cases and `[[property]]` entries.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct TestReport {
    /// One result per case, in document order.
    pub cases: Vec<CaseResult>,
    /// One result per property, in document order.
    pub properties: Vec<PropertyResult>,
    /// The seed the properties' inputs were generated from.
    pub seed: u64,
    /// The coverage of the policy by the cases, when [`TestOptions::coverage`] asked for it
    /// (measured whether the cases pass or not).
    pub coverage: Option<crate::policy::Coverage>,
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

/// How a property fared.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyStatus {
    /// `expect` held for every generated input that met `given`.
    Held,
    /// It held, but `given` accepted under 1% of the inputs: a pass that proves little.
    Weak,
    /// An input broke `expect` (or made it fail to evaluate): see the counterexample.
    Failed,
    /// `given` accepted no generated input: nothing was checked, which fails.
    Vacuous,
    /// Properties need the `proptest` feature, which this build lacks: not run, which fails.
    NotRun,
}

impl PropertyStatus {
    /// The status as one lower-case word.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyStatus::Held => "held",
            PropertyStatus::Weak => "weak",
            PropertyStatus::Failed => "failed",
            PropertyStatus::Vacuous => "vacuous",
            PropertyStatus::NotRun => "not_run",
        }
    }
}

/// The result of one property.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyResult {
    /// The property's name.
    pub name: String,
    /// Whether it held.
    pub status: PropertyStatus,
    /// How many inputs were asked for (`--cases`, else the property's `cases`, else 256): the
    /// number to replay the run with.
    pub cases: u32,
    /// How many inputs were generated (fewer than `cases` when one failed).
    pub tried: u32,
    /// How many of them met `given`.
    pub accepted: u32,
    /// The shrunk input that broke it, when it failed.
    pub counterexample: Option<Counterexample>,
}

impl PropertyResult {
    /// Whether the property passed (held, weakly or not).
    #[must_use]
    pub fn passed(&self) -> bool {
        matches!(self.status, PropertyStatus::Held | PropertyStatus::Weak)
    }

    /// One line on what happened, for people.
    #[must_use]
    pub fn summary(&self) -> String {
        let (tried, accepted) = (self.tried, self.accepted);
        match self.status {
            PropertyStatus::Held => format!("held for {accepted} of {tried} generated inputs"),
            PropertyStatus::Weak => format!(
                "weak: `given` accepted only {accepted} of {tried} generated inputs (under 1%); \
                 it held for those"
            ),
            PropertyStatus::Failed => match &self.counterexample {
                Some(c) => format!("failed after {accepted} accepted inputs: {}", c.reason),
                None => String::from("failed"),
            },
            PropertyStatus::Vacuous => {
                format!("vacuous: `given` accepted none of {tried} generated inputs, so nothing was checked")
            }
            PropertyStatus::NotRun => {
                String::from("not run: properties need changeguard built with the `proptest` feature")
            }
        }
    }
}

/// A shrunk input that breaks a property.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct Counterexample {
    /// The change.
    pub change: Change,
    /// The context.
    pub context: Context,
    /// The topology it was assessed over.
    pub topology: Topology,
    /// Whether the topology was generated (else it is the `[test_topology]`).
    pub generated_topology: bool,
    /// The approval added for `assessment_with_approval`, when the property reads it.
    pub extra_approval: Option<Approval>,
    /// The outcome of the assessment of the change as it is.
    pub outcome: Outcome,
    /// The outcome with the extra approval, when the property reads it.
    pub outcome_with_approval: Option<Outcome>,
    /// The violated rules that count, in policy order.
    pub violations: Vec<String>,
    /// Why it breaks the property: `expect` is false, or an error.
    pub reason: String,
    /// How many shrinking steps made it simpler.
    pub shrinks: u32,
}
