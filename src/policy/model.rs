//! The compiled parts of a policy.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cel::Program;

/// How strongly a rule is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Enforcement {
    /// A violation is a warning; it never changes the outcome.
    Advisory,
    /// A violation needs an approval (or an override) before deploying.
    Soft,
    /// A violation denies the change.
    Hard,
}

impl Enforcement {
    /// The name as written in policies.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Enforcement::Advisory => "advisory",
            Enforcement::Soft => "soft",
            Enforcement::Hard => "hard",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "advisory" => Enforcement::Advisory,
            "soft" => Enforcement::Soft,
            "hard" => Enforcement::Hard,
            _ => return None,
        })
    }
}

impl fmt::Display for Enforcement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A risk level, from the score and the policy's thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Below the `medium` threshold.
    Low,
    /// At or above `medium`.
    Medium,
    /// At or above `high`.
    High,
    /// At or above `critical`.
    Critical,
}

impl RiskLevel {
    /// The name as written in policies and output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "low" => RiskLevel::Low,
            "medium" => RiskLevel::Medium,
            "high" => RiskLevel::High,
            "critical" => RiskLevel::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an evaluation error counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OnError {
    /// An erroring rule counts as violated at its own enforcement; an erroring factor adds its
    /// literal points when positive (never negative ones). Whatever else cannot be known and can change the outcome denies, as a
    /// hard violation named after the item: a factor whose points or reason cannot be
    /// evaluated, a `let` that fails while a factor or a counted rule reads it (named
    /// `let.<name>`), and the message or remediation of a counted (not advisory, not dry-run)
    /// rule that cannot be written.
    FailClosed,
    /// Neither counts.
    FailOpen,
}

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

/// The decision about a change.
///
/// Deliberately not `#[non_exhaustive]`: a new outcome must break callers' `match`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The change may be deployed.
    Allow,
    /// The change may be deployed once it carries the required approvals.
    NeedsApproval,
    /// The change may not be deployed as it is.
    Deny,
}

impl Outcome {
    /// The name as written in output and policy tests.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::NeedsApproval => "needs_approval",
            Outcome::Deny => "deny",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "allow" => Outcome::Allow,
            "needs_approval" => Outcome::NeedsApproval,
            "deny" => Outcome::Deny,
            _ => return None,
        })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    /// The `[health]` section, when the policy has one.
    pub(crate) health: Option<super::health::HealthSection>,
    pub(crate) warnings: Vec<crate::diagnostic::Diagnostic>,
    pub(crate) limits: crate::Limits,
    /// The environment vocabulary (`params.environments`), possibly empty.
    pub(crate) environments: super::environments::Environments,
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
            health: None,
            warnings: Vec::new(),
            limits: crate::Limits::default(),
            environments: super::environments::Environments::default(),
        }
    }
}
