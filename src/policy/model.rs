//! The compiled parts of a policy.

pub use super::kinds::{Enforcement, OnError, Outcome, RiskLevel};
use crate::cel::Program;

/// Score thresholds of the risk levels (score ≥ threshold).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RiskLevels {
    /// Threshold of `medium` (default 25).
    pub medium: i64,
    /// Threshold of `high` (default 50).
    pub high: i64,
    /// Threshold of `critical` (default 75).
    pub critical: i64,
}

impl Default for RiskLevels {
    fn default() -> Self {
        RiskLevels { medium: 25, high: 50, critical: 75 }
    }
}

impl RiskLevels {
    /// The level of `score`.
    #[must_use]
    pub fn level(&self, score: i64) -> RiskLevel {
        if score >= self.critical {
            RiskLevel::Critical
        } else if score >= self.high {
            RiskLevel::High
        } else if score >= self.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

/// The `[decision]` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionSettings {
    /// The risk level from which an approval is required.
    pub approval_at: RiskLevel,
    /// Who may give that approval; empty = any role.
    pub approval_roles: Vec<String>,
    /// The risk level from which the change is denied outright.
    pub deny_at: Option<RiskLevel>,
    /// What evaluation errors count as.
    pub on_error: OnError,
}

impl Default for DecisionSettings {
    fn default() -> Self {
        DecisionSettings {
            approval_at: RiskLevel::High,
            approval_roles: Vec::new(),
            deny_at: None,
            on_error: OnError::FailClosed,
        }
    }
}

/// The `[blast]` settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlastSettings {
    /// Tier of services that declare none (default 3).
    pub default_tier: u32,
    /// Most hops followed from a changed service; 0 = unlimited.
    pub max_depth: u32,
}

impl Default for BlastSettings {
    fn default() -> Self {
        BlastSettings { default_tier: 3, max_depth: 0 }
    }
}

/// A piece of an interpolated message.
pub(crate) enum Part {
    Text(String),
    Expr(Program),
}

/// A message with `{{ expr }}` interpolations.
pub(crate) struct Template {
    pub(crate) source: String,
    pub(crate) parts: Vec<Part>,
}

/// The range of a factor's constant `points`: scores are clamped to 0..=100, so more than this
/// either way is a mistake (or an attempt to overflow the sum), and loading rejects it.
pub const POINTS_RANGE: std::ops::RangeInclusive<i64> = -1000..=1000;

/// The value of a condition that is a constant.
pub(crate) fn constant_bool(p: &Program) -> Option<bool> {
    match p.constant() {
        Some(crate::cel::Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// How many points a factor adds.
pub(crate) enum Points {
    Literal(i64),
    Expr(Program),
}

/// A compiled `[[risk]]` factor.
pub(crate) struct Factor {
    /// Shared with every [`super::assessment::FactorHit`] that reports it.
    pub(crate) id: std::sync::Arc<str>,
    pub(crate) when: Option<Program>,
    pub(crate) points: Points,
    pub(crate) reason: Template,
    pub(crate) references: std::sync::Arc<[String]>,
}

/// A compiled `[[rule]]`.
pub(crate) struct Rule {
    /// Shared with every [`super::assessment::Violation`] that reports it.
    pub(crate) id: std::sync::Arc<str>,
    pub(crate) description: String,
    pub(crate) enforcement: Enforcement,
    pub(crate) when: Option<Program>,
    pub(crate) require: Program,
    pub(crate) message: Option<Template>,
    pub(crate) remediation: Option<Template>,
    pub(crate) references: std::sync::Arc<[String]>,
    pub(crate) override_roles: Vec<String>,
    pub(crate) dry_run: bool,
}

/// A compiled `let`.
pub(crate) struct Let {
    pub(crate) name: String,
    pub(crate) program: Program,
    /// Whether the checked type is `bool`: the value is then computed as a condition.
    pub(crate) is_bool: bool,
}

impl Let {
    pub(crate) fn new(name: String, program: Program) -> Self {
        let is_bool = *program.result_type() == crate::cel::Type::Bool;
        Let { name, program, is_bool }
    }
}

/// What a policy test case expects.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expect {
    pub(crate) outcome: Outcome,
    pub(crate) violations: Option<Vec<String>>,
    pub(crate) risk_level: Option<RiskLevel>,
    pub(crate) risk_score: Option<i64>,
    pub(crate) impacted: Option<Vec<String>>,
}

/// A `[[test]]` case, its documents read and validated at load time.
#[derive(Clone, Debug)]
pub(crate) struct TestCase {
    pub(crate) name: String,
    pub(crate) change: crate::input::Change,
    pub(crate) topology: Option<crate::topology::Topology>,
    pub(crate) context: Option<crate::input::Context>,
    pub(crate) expect: Expect,
}

/// A `[[property]]`: an invariant checked over generated inputs.
#[cfg_attr(
    not(feature = "proptest"),
    allow(dead_code, reason = "properties run with the `proptest` feature")
)]
#[derive(Debug)]
pub(crate) struct Property {
    pub(crate) name: String,
    /// The precondition; inputs for which it is false are skipped.
    pub(crate) given: Option<Program>,
    /// What must hold for every input that meets `given`.
    pub(crate) expect: Program,
    /// How many inputs to generate (the run's default when absent).
    pub(crate) cases: Option<u32>,
    /// Whether `given` or `expect` reads `assessment_with_approval`.
    pub(crate) with_approval: bool,
    /// Whether `given` reads the assessment (`risk`, `assessment…`): when it does not, it is
    /// evaluated first, and inputs it rejects are never assessed.
    pub(crate) given_reads_assessment: bool,
}

/// A policy compiled from its text: every section read and every expression type-checked and
/// compiled. What [`super::Policy`] shares between its clones and assessments read.
pub(crate) struct CompiledPolicy {
    pub(crate) name: std::sync::Arc<str>,
    pub(crate) version: semver::Version,
    /// `version` as text, as every assessment reports it.
    pub(crate) version_text: std::sync::Arc<str>,
    pub(crate) description: String,
    pub(crate) lets: Vec<Let>,
    pub(crate) factors: Vec<Factor>,
    pub(crate) levels: RiskLevels,
    pub(crate) rules: Vec<Rule>,
    pub(crate) decision: DecisionSettings,
    pub(crate) blast: BlastSettings,
    pub(crate) tests: Vec<TestCase>,
    pub(crate) test_topology: Option<crate::topology::Topology>,
    /// The `[[property]]` entries.
    pub(crate) properties: Vec<Property>,
    /// The environment properties are compiled in (the rules' one, with the `let`s, then
    /// `assessment` and `assessment_with_approval`): test files are compiled in it too.
    pub(crate) property_env: crate::cel::Env,
    /// The `[health]` section, when the policy has one.
    pub(crate) health: Option<super::health::HealthSection>,
    pub(crate) warnings: Vec<crate::diagnostic::Diagnostic>,
    pub(crate) limits: crate::Limits,
    /// The environment vocabulary (`params.environments`), possibly empty.
    pub(crate) environments: super::environments::Environments,
    /// Where the expressions came from (for coverage and analysis; never read by `assess`).
    pub(crate) sources: super::sources::Sources,
    /// The digest of the policy's text (`sha256:…`), set when it loads.
    pub(crate) digest: std::sync::Arc<str>,
    /// The named parts as text, for structural diffs.
    pub(crate) outline: super::outline::Outline,
}

impl CompiledPolicy {
    /// A policy with nothing in it (approval needed from `low`), used only as a last resort.
    pub(crate) fn empty() -> Self {
        CompiledPolicy {
            name: "empty".into(),
            version: semver::Version::new(0, 0, 0),
            version_text: "0.0.0".into(),
            description: String::new(),
            lets: Vec::new(),
            factors: Vec::new(),
            levels: RiskLevels::default(),
            rules: Vec::new(),
            decision: DecisionSettings { approval_at: RiskLevel::Low, ..DecisionSettings::default() },
            blast: BlastSettings::default(),
            tests: Vec::new(),
            test_topology: None,
            properties: Vec::new(),
            property_env: crate::cel::Env::new(),
            health: None,
            warnings: Vec::new(),
            limits: crate::Limits::default(),
            environments: super::environments::Environments::default(),
            sources: super::sources::Sources::default(),
            digest: crate::digest::of(b"").into(),
            outline: super::outline::Outline::default(),
        }
    }
}
