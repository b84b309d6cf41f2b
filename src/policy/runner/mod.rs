//! Policy tests (`[[test]]` cases, see [Policy tests](crate::policy#policy-tests)) and
//! properties (`[[property]]`), run as a pure function, from the policy itself or from a test
//! file ([`TestSuite`]).

mod counterexample;
#[cfg(feature = "proptest")]
mod properties;
mod report;

pub use report::{CaseResult, Counterexample, PropertyResult, PropertyStatus, TestOptions, TestReport};

use super::Policy;
use super::assessment::Assessment;
use super::model::{Property, TestCase};
use crate::Limits;
use crate::cel::Timestamp;
use crate::diagnostic::Diagnostics;
use crate::input::Context;
use crate::topology::Topology;

impl TestReport {
    /// How many cases and properties passed.
    #[must_use]
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed()).count()
            + self.properties.iter().filter(|p| p.passed()).count()
    }

    /// How many cases and properties failed.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.cases.len() + self.properties.len() - self.passed()
    }

    /// Whether every case and property passed.
    #[must_use]
    pub fn all_passed(&self) -> bool {
        self.failed() == 0
    }
}

/// The `[[test]]` cases and `[[property]]` entries of a test file, compiled against the policy
/// it names: see [`Policy::test_suite`].
#[derive(Debug)]
pub struct TestSuite {
    policy: Policy,
    tests: Vec<TestCase>,
    properties: Vec<Property>,
    test_topology: Option<Topology>,
}

impl TestSuite {
    /// Runs the file's cases and properties (over the file's `[test_topology]`, else the
    /// policy's).
    #[must_use]
    pub fn run(&self, options: &TestOptions) -> TestReport {
        run_with(&self.policy, self.suite(), options, |c, t, x| self.policy.assess(c, t, x))
    }

    /// Runs the file as [`TestSuite::run`] does, and measures the
    /// [coverage](crate::policy#coverage) of the policy by the file's `[[test]]` cases.
    #[must_use]
    pub fn run_with_coverage(&self, options: &TestOptions) -> (TestReport, super::Coverage) {
        let mut recorder = super::coverage::Recorder::new(&self.policy.inner);
        let report = run_with(&self.policy, self.suite(), options, |c, t, x| recorder.assess(c, t, x));
        (report, recorder.finish())
    }

    fn suite(&self) -> Suite<'_> {
        let topology = self.test_topology.as_ref().or(self.policy.inner.test_topology.as_ref());
        (&self.tests, &self.properties, topology)
    }

    /// The policy the file tests.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

/// The policy a test file names (its top-level `policy = "../prod.toml"`, a path relative to
/// the test file), or `None` when `text` is not a test file (a policy has a `[policy]` table).
///
/// # Errors
///
/// The text is not TOML or JSON, or is longer than [`Limits::max_policy_bytes`].
pub fn test_file_policy(text: &str, limits: &Limits) -> Result<Option<String>, Diagnostics> {
    super::load::test_file_target(text, limits)
}

impl Policy {
    /// Compiles a test file (`policy = "…"`, `[[test]]`, `[[property]]`, `[test_topology]`)
    /// against this policy: its expressions see this policy's `let` entries.
    ///
    /// # Errors
    ///
    /// Every problem of the file, with its place, as when loading a policy.
    pub fn test_suite(&self, text: &str) -> Result<TestSuite, Diagnostics> {
        let loaded = super::load::load_tests(text, &self.inner)?;
        Ok(TestSuite {
            policy: self.clone(),
            tests: loaded.tests,
            properties: loaded.properties,
            test_topology: loaded.test_topology,
        })
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

/// What a run runs: `[[test]]` cases, properties, and the topology of cases that name none.
pub(crate) type Suite<'s> = (&'s [TestCase], &'s [Property], Option<&'s Topology>);

/// Runs the cases (each assessed with `assess`, over its own topology, else `test_topology`)
/// and the properties of `policy`.
pub(crate) fn run_with(
    policy: &Policy,
    (tests, properties, test_topology): Suite<'_>,
    options: &TestOptions,
    mut assess: impl FnMut(&crate::input::Change, &Topology, &Context) -> Assessment,
) -> TestReport {
    let empty = Topology::default();
    let cases = tests
        .iter()
        .map(|case| {
            let topology = case.topology.as_ref().or(test_topology).unwrap_or(&empty);
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
    TestReport {
        cases,
        properties: run_properties(policy, properties, test_topology, options),
        seed: options.seed,
        coverage: None,
    }
}

/// Checks `properties` (not run, which fails, without the `proptest` feature).
fn run_properties(
    policy: &Policy,
    properties: &[Property],
    test_topology: Option<&Topology>,
    options: &TestOptions,
) -> Vec<report::PropertyResult> {
    #[cfg(feature = "proptest")]
    {
        properties::run(policy, properties, test_topology, options)
    }
    #[cfg(not(feature = "proptest"))]
    {
        let _ = (policy, test_topology, options);
        properties
            .iter()
            .map(|p| report::PropertyResult {
                name: p.name.clone(),
                status: PropertyStatus::NotRun,
                cases: 0,
                tried: 0,
                accepted: 0,
                counterexample: None,
            })
            .collect()
    }
}
