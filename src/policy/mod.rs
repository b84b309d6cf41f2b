//! Policies: loading, the decision about a change, and policy tests.
//!
//! # Environments
//!
//! A policy declares its environments, with their aliases, in `params.environments`, and names
//! the strictest of them in `params.strictest_environment`. A change's environment, and every
//! environment a freeze names, is matched against them by canonical form
//! ([`canonical_name`](crate::input::canonical_name): NFKC, case folding, invisible characters
//! removed, whitespace trimmed). **An environment the policy does not declare is treated as the
//! strictest one**, never as "not production": respelling or inventing an environment cannot
//! escape production controls or a production freeze. Expressions read the result, computed
//! once per assessment, as `change.canonical_environment` (the declared name) and
//! `change.environment_known`; `change.environment` stays the text as written, for messages.
//! The built-in policy declares `production`, `staging` and `development` and warns about an
//! unknown environment with its advisory rule `unknown-environment`.
//!
#![doc = include_str!("../../docs/reference/policy.md")]
#![doc = include_str!("../../docs/reference/expressions.md")]
#![doc = include_str!("../../docs/reference/decision.md")]
#![doc = include_str!("../../docs/reference/assessment.md")]

mod analysis;
mod assess;
mod assessment;
mod coverage;
mod decide;
mod env;
mod environments;
mod health;
mod kinds;
mod load;
mod model;
mod objects;
mod outline;
mod refs;
mod render;
mod runner;
mod schema;
mod sources;
mod views;
#[cfg(feature = "proptest")]
mod vocabulary;

use std::sync::Arc;

pub use analysis::{Analysis, Evidence, Finding, FindingKind, Severity as FindingSeverity};
pub(crate) use assess::Verdict;
pub use assessment::{
    Assessment, EvaluationError, FactorHit, PolicyInfo, Reason, ReasonKind, RequiredApproval, Risk, Violation,
};
pub use coverage::{Coverage, Goal, GoalKind};
pub use model::{
    BlastSettings, DecisionSettings, Enforcement, OnError, Outcome, POINTS_RANGE, RiskLevel, RiskLevels,
};
pub use outline::{ChangeKind, Section, StructuralChange};
pub use runner::{
    CaseResult, Counterexample, PropertyResult, PropertyStatus, TestOptions, TestReport, TestSuite,
    test_file_policy,
};
pub use schema::{FieldRef, MethodRef, ObjectRef, schema_reference, schema_reference_markdown};

use crate::Limits;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::input::{Change, Context};
use crate::topology::Topology;
use model::CompiledPolicy;

/// The text of the built-in policy, `changeguard policy default`.
pub const WELL_ARCHITECTED_TOML: &str = include_str!("well_architected.toml");

/// A loaded policy: parsed, type-checked and compiled. Immutable, `Send + Sync`, and cheap to
/// clone (clones share the compiled form).
#[derive(Clone)]
pub struct Policy {
    inner: Arc<CompiledPolicy>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.inner.name)
            .field("version", &self.inner.version.to_string())
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Loads a policy from TOML text with default limits.
    ///
    /// # Errors
    ///
    /// Every problem found (syntax, unknown keys, type errors in expressions…), each with its
    /// place; render them with [`Diagnostics::render`] against `text`.
    pub fn from_toml(text: &str) -> Result<Policy, Diagnostics> {
        Policy::load(text, load::Format::Toml, &Limits::default())
    }

    /// Loads a policy from JSON text of the same shape as the TOML form.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml`].
    pub fn from_json(text: &str) -> Result<Policy, Diagnostics> {
        Policy::load(text, load::Format::Json, &Limits::default())
    }

    /// Loads a policy from TOML text within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml`], and a [`LimitExceeded`](crate::DiagnosticKind::LimitExceeded)
    /// diagnostic when `text` is longer than [`Limits::max_policy_bytes`] or a limit on
    /// expressions, rules or embedded test documents is exceeded.
    pub fn from_toml_with_limits(text: &str, limits: &Limits) -> Result<Policy, Diagnostics> {
        Policy::load(text, load::Format::Toml, limits)
    }

    /// Loads a policy from JSON text within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml_with_limits`].
    pub fn from_json_with_limits(text: &str, limits: &Limits) -> Result<Policy, Diagnostics> {
        Policy::load(text, load::Format::Json, limits)
    }

    /// Loads a policy from TOML or JSON text within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_text_with_limits`].
    #[deprecated(since = "0.3.0", note = "renamed `from_text_with_limits`, like the other documents")]
    pub fn from_text(text: &str, limits: &Limits) -> Result<Policy, Diagnostics> {
        Policy::from_text_with_limits(text, limits)
    }

    /// Loads a policy from TOML or JSON text (JSON when the first non-blank character is `{`)
    /// within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_toml_with_limits`].
    pub fn from_text_with_limits(text: &str, limits: &Limits) -> Result<Policy, Diagnostics> {
        let format = if text.trim_start().starts_with('{') { load::Format::Json } else { load::Format::Toml };
        Policy::load(text, format, limits)
    }

    fn load(text: &str, format: load::Format, limits: &Limits) -> Result<Policy, Diagnostics> {
        load::load(text, format, limits).map(|l| Policy { inner: Arc::new(l) })
    }

    /// The policy's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The policy's version.
    #[must_use]
    pub fn version(&self) -> &semver::Version {
        &self.inner.version
    }

    /// The digest of the policy's text, `sha256:` and 64 hex digits: which text decided,
    /// recorded in every [decision record](crate::replay::DecisionRecord). Any edit of the
    /// text, layout included, changes it.
    #[must_use]
    pub fn digest(&self) -> &str {
        &self.inner.digest
    }

    /// Every structural difference from `self` (the old policy) to `new`: factors, rules,
    /// `let`s, parameters, thresholds and settings added, removed or changed, with their old
    /// and new text, by section and name. Layout, key order and the `[[test]]` cases play no
    /// part.
    #[must_use]
    pub fn structural_diff(&self, new: &Policy) -> Vec<StructuralChange> {
        self.inner.outline.diff(&new.inner.outline)
    }

    /// The policy's description.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// Warnings found while loading (unused entries, rules that can never apply…).
    #[must_use]
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.inner.warnings
    }

    /// The ids of the rules, in policy order.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.rules.iter().map(|r| &*r.id)
    }

    /// The ids of the risk factors, in policy order.
    pub fn factor_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.factors.iter().map(|f| &*f.id)
    }

    /// The `[decision]` settings.
    #[must_use]
    pub fn decision(&self) -> &DecisionSettings {
        &self.inner.decision
    }

    /// The `[risk_levels]` thresholds.
    #[must_use]
    pub fn risk_levels(&self) -> &RiskLevels {
        &self.inner.levels
    }

    /// The `[blast]` settings.
    #[must_use]
    pub fn blast_settings(&self) -> &BlastSettings {
        &self.inner.blast
    }

    /// The built-in policy: the deployment-risk practices of the AWS Well-Architected
    /// Framework (safe rollouts, tested rollback, pre-production testing, separation of duties,
    /// required checks, freezes, error budgets, blast radius). Its text is
    /// [`WELL_ARCHITECTED_TOML`]; it is compiled once per process and shared.
    #[must_use]
    pub fn well_architected() -> Policy {
        static BUILT_IN: std::sync::OnceLock<Result<Policy, Diagnostics>> = std::sync::OnceLock::new();
        match BUILT_IN.get_or_init(|| Policy::from_toml(WELL_ARCHITECTED_TOML)) {
            Ok(p) => p.clone(),
            // The built-in policy is tested to load; should it ever fail, an empty policy that
            // allows nothing silently is safer than a panic: every change needs approval.
            Err(_) => Policy::fallback(),
        }
    }

    fn fallback() -> Policy {
        let text = "[policy]\nname = \"built-in-unavailable\"\nversion = \"0.0.0\"\n[decision]\napproval_at = \"low\"\n";
        match Policy::from_toml(text) {
            Ok(p) => p,
            Err(_) => Policy { inner: Arc::new(CompiledPolicy::empty()) },
        }
    }

    /// Assesses `change`, deployed over `topology`, in `context`. Never fails, never panics:
    /// evaluation errors are recorded in the assessment and count as the policy's `on_error`
    /// says (fail closed by default).
    #[must_use]
    pub fn assess(&self, change: &Change, topology: &Topology, context: &Context) -> Assessment {
        assess::assess(&self.inner, &self.inner.limits, change, topology, context)
    }

    /// The decision alone (outcome, score, level, fired factors, counted violations): exactly
    /// those of [`Policy::assess`], by the same evaluation, without building the texts of the
    /// assessment around them. What replay compares.
    pub(crate) fn verdict<'p>(
        &'p self,
        change: &Change,
        topology: &Topology,
        context: &Context,
    ) -> Verdict<'p> {
        assess::verdict(&self.inner, &self.inner.limits, change, topology, context)
    }

    /// Prepares an assessment without evaluating anything: the views of the inputs and the
    /// blast radius. For measurements of the evaluation path; not a stable API.
    #[doc(hidden)]
    #[must_use]
    pub fn prepare<'a>(
        &'a self,
        change: &'a Change,
        topology: &Topology,
        context: &'a Context,
    ) -> PreparedAssessment<'a> {
        PreparedAssessment {
            loaded: &self.inner,
            prepared: assess::Prepared::new(&self.inner, &self.inner.limits, change, topology, context),
        }
    }

    /// The rollout health judge of the policy's `[health]` section, if it has one.
    #[must_use]
    pub fn health(&self) -> Option<&crate::health::Judge> {
        self.inner.health.as_ref().map(|h| &h.judge)
    }

    /// The health thresholds for a change assessed at `risk` (`[health.risk.<level>]` over
    /// `[health]`), or `None` when the policy has no `[health]` section.
    #[must_use]
    pub fn health_thresholds(&self, risk: Option<RiskLevel>) -> Option<&crate::health::Thresholds> {
        self.inner.health.as_ref().map(|h| h.thresholds(risk))
    }

    /// Judges a rollout step's `observations` with the policy's `[health]` section, under the
    /// thresholds for the change's assessed `risk` (the section's own when `None`). Never
    /// fails: a policy without a `[health]` section judges nothing and so never promotes
    /// (the decision is `continue`, with that reason).
    #[must_use]
    pub fn judge(
        &self,
        observations: &crate::health::Observations,
        risk: Option<RiskLevel>,
    ) -> crate::health::Verdict {
        match &self.inner.health {
            Some(h) => {
                let mut verdict = h.judge.judge_with(observations, h.thresholds(risk));
                verdict.references.clone_from(&h.references);
                verdict
            }
            None => crate::health::Verdict::without_health_section(observations),
        }
    }

    /// What the policy talks about, for [policy-aware generation](crate::testing#policy-aware-generation):
    /// its environments and aliases, roles, the string and number constants of its expressions
    /// (parameters included, as they are read) and its `[test_topology]`.
    #[cfg(feature = "proptest")]
    #[must_use]
    pub fn vocabulary(&self) -> crate::testing::Vocabulary {
        vocabulary::vocabulary(&self.inner)
    }

    /// Runs the policy's `[[test]]` cases and checks its `[[property]]` entries over
    /// generated inputs ([policy-aware](crate::testing#policy-aware-generation), from
    /// `options.seed`). Deterministic: the same options give the same report.
    ///
    /// ```
    /// use changeguard::Policy;
    /// use changeguard::policy::{PropertyStatus, TestOptions};
    ///
    /// let policy = Policy::from_toml(r#"
    /// [policy]
    /// name = "demo"
    /// version = "1.0.0"
    ///
    /// [[rule]]
    /// id = "no-friday"
    /// enforcement = "hard"
    /// require = 'change.when.getDayOfWeek("UTC") != 5'
    ///
    /// [[property]]
    /// name = "nothing is ever denied"
    /// expect = 'assessment.outcome != "deny"'
    /// "#).unwrap();
    /// let report = policy.run_tests(&TestOptions::default().with_cases(200).with_seed(7));
    /// assert_eq!((report.passed(), report.failed()), (0, 1));
    /// # #[cfg(feature = "proptest")] {
    /// let property = &report.properties[0];
    /// assert_eq!(property.status, PropertyStatus::Failed);
    /// // The shrunk counterexample: a change on a Friday, ready to paste as a `[[test]]`.
    /// let found = property.counterexample.as_ref().unwrap();
    /// assert_eq!(found.violations, ["no-friday"]);
    /// assert!(found.to_test_toml(&property.name, 7, 200).contains("[[test]]"));
    /// # }
    /// ```
    #[must_use]
    pub fn run_tests(&self, options: &TestOptions) -> TestReport {
        if options.coverage {
            return self.run_tests_with_coverage(options).0;
        }
        let inner = &self.inner;
        runner::run_with(
            self,
            (&inner.tests, &inner.properties, inner.test_topology.as_ref()),
            options,
            |c, t, x| self.assess(c, t, x),
        )
    }

    /// The number of `[[property]]` entries.
    #[must_use]
    pub fn property_count(&self) -> usize {
        self.inner.properties.len()
    }

    /// Runs the policy's `[[test]]` cases and properties as [`Policy::run_tests`] does, and
    /// measures the [coverage](crate::policy#coverage) of the policy by its `[[test]]` cases,
    /// whether they pass or not.
    #[must_use]
    pub fn run_tests_with_coverage(&self, options: &TestOptions) -> (TestReport, Coverage) {
        let inner = &self.inner;
        let mut recorder = coverage::Recorder::new(inner);
        let report = runner::run_with(
            self,
            (&inner.tests, &inner.properties, inner.test_topology.as_ref()),
            options,
            |change, topology, context| recorder.assess(change, topology, context),
        );
        let coverage = recorder.finish();
        (TestReport { coverage: Some(coverage.clone()), ..report }, coverage)
    }

    /// The [coverage](crate::policy#coverage) of this policy by assessments of `inputs`
    /// (change, topology, context).
    #[must_use]
    pub fn coverage_of<'i>(
        &self,
        inputs: impl IntoIterator<Item = (&'i Change, &'i Topology, &'i Context)>,
    ) -> Coverage {
        let mut recorder = coverage::Recorder::new(&self.inner);
        for (change, topology, context) in inputs {
            let _ = recorder.assess(change, topology, context);
        }
        recorder.finish()
    }

    /// The [analysis](crate::policy#analysis) of this policy: what can be proven, from the
    /// policy alone, to never matter, always matter, or repeat another part.
    ///
    /// ```
    /// use changeguard::Policy;
    /// use changeguard::policy::FindingKind;
    ///
    /// let policy = Policy::from_toml(r#"
    /// [policy]
    /// name = "p"
    /// version = "1.0.0"
    ///
    /// [decision]
    /// approval_at = "high"
    /// deny_at = "medium"
    ///
    /// [[risk]]
    /// id = "big"
    /// when = 'change.services.size() > 3'
    /// points = 60
    /// "#).unwrap();
    /// let analysis = policy.analyze();
    /// let kinds: Vec<FindingKind> = analysis.findings.iter().map(|f| f.kind).collect();
    /// // Denied from `medium`, before an approval could be asked for at `high`; and 60 points
    /// // (the only sums are 0 and 60) never make a `medium` (25..49) or `critical` score.
    /// assert_eq!(kinds, [FindingKind::DenyNotAboveApproval, FindingKind::UnreachableRiskLevel, FindingKind::UnreachableRiskLevel]);
    /// assert!(analysis.findings.iter().all(|f| f.evidence == changeguard::policy::Evidence::Proven));
    /// ```
    #[must_use]
    pub fn analyze(&self) -> Analysis {
        analysis::analyze(&self.inner)
    }

    /// [`Policy::analyze`], and what holds for every one of `options.cases` inputs generated
    /// from the policy's [vocabulary](Policy::vocabulary) (findings said to be *observed*).
    #[cfg(feature = "proptest")]
    #[must_use]
    pub fn analyze_generated(&self, options: &crate::testing::SearchOptions) -> Analysis {
        analysis::analyze_generated(&self.inner, options)
    }

    /// The number of `[[test]]` cases.
    #[must_use]
    pub fn test_count(&self) -> usize {
        self.inner.tests.len()
    }
}

/// An assessment prepared by [`Policy::prepare`]: for measurements, not a stable API.
#[doc(hidden)]
pub struct PreparedAssessment<'a> {
    loaded: &'a CompiledPolicy,
    prepared: assess::Prepared<'a>,
}

impl PreparedAssessment<'_> {
    /// Evaluates every factor's and rule's conditions (rules without `risk`) and returns how
    /// many factors fire and how many rules are violated, building no output.
    #[doc(hidden)]
    #[must_use]
    pub fn count_conditions(&self) -> (usize, usize) {
        assess::count_conditions(self.loaded, &self.prepared)
    }
}
