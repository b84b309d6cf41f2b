//! The assessment of a change ([The assessment](crate::policy#the-assessment)): outcome, reasons, risk,
//! violations, approvals, blast radius and evaluation errors.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::kinds::{Enforcement, Outcome, RiskLevel};
use crate::blast::BlastRadius;

/// The decision about one change, with everything that determined it.
///
/// Serializes to the JSON described in [The assessment](crate::policy#the-assessment); renders as text
/// for a terminal ([`Display`](std::fmt::Display)) and as Markdown for a pull-request comment
/// ([`Assessment::to_markdown`]).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// `allow`, `needs_approval` or `deny`.
    pub outcome: Outcome,
    /// The facts that determined the outcome, in the order of [Outcome and
    /// reasons](crate::policy#outcome-and-reasons).
    pub reasons: Vec<Reason>,
    /// The change's id.
    pub change: String,
    /// The policy that decided.
    pub policy: PolicyInfo,
    /// The risk score, its level and the factors behind it.
    pub risk: Risk,
    /// Every violated rule, in policy order (advisory and dry-run ones included).
    pub violations: Vec<Violation>,
    /// Approvals that would let the change through.
    pub required_approvals: Vec<RequiredApproval>,
    /// What the change can break. Its `paths` give one predecessor per impacted or degraded
    /// service, not whole chains, so the JSON grows linearly with the topology (see
    /// [`crate::blast::Paths`]).
    pub blast_radius: BlastRadius,
    /// Errors met while evaluating rules and factors.
    pub errors: Vec<EvaluationError>,
}

/// Which policy decided.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// The policy's name.
    pub name: Arc<str>,
    /// The policy's version.
    pub version: Arc<str>,
}

/// One determining fact.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// What kind of fact.
    pub kind: ReasonKind,
    /// The rule, for rule violations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Arc<str>>,
    /// A sentence for people.
    pub detail: String,
}

/// The kinds of determining fact.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// A hard rule is violated: deny.
    HardViolation,
    /// The risk level reaches `deny_at`: deny.
    RiskDeny,
    /// A soft rule is violated and not overridden: needs approval.
    SoftViolation,
    /// The risk level reaches `approval_at` without an approval: needs approval.
    RiskApproval,
    /// Nothing stands in the way.
    Allow,
}

/// The risk of the change.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// The score, 0 to 100.
    pub score: i64,
    /// The level of the score.
    pub level: RiskLevel,
    /// Every factor that fired, in policy order.
    pub factors: Vec<FactorHit>,
}

/// A risk factor that fired.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorHit {
    /// The factor's id (shared with the policy: cloning it copies no text).
    pub id: Arc<str>,
    /// The points it added (may be negative).
    pub points: i64,
    /// Why, interpolated.
    pub reason: String,
    /// Practice ids (shared with the policy).
    pub references: Arc<[String]>,
}

/// A violated rule.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The rule's id (shared with the policy: cloning it copies no text).
    pub rule: Arc<str>,
    /// Its enforcement level.
    pub enforcement: Enforcement,
    /// What is wrong, interpolated.
    pub message: String,
    /// What to do about it, interpolated.
    pub remediation: Option<String>,
    /// Practice ids (shared with the policy).
    pub references: Arc<[String]>,
    /// For a soft rule: who overrode it with an approval in an override role.
    pub overridden_by: Option<String>,
    /// Whether the rule is in shadow mode (reported, never counted).
    pub dry_run: bool,
}

/// An approval that would let the change through.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredApproval {
    /// Roles that may give it (empty = any role), from someone other than the author.
    pub roles: Vec<String>,
    /// Why it is needed.
    pub reason: String,
}

/// An error met while evaluating part of the policy.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationError {
    /// The id of the rule or risk factor.
    pub rule: String,
    /// Which part failed: `when`, `require`, `points`, `message`, `remediation` or `reason`.
    pub field: String,
    /// The error.
    pub message: String,
}

impl Assessment {
    /// The JSON text ([The assessment](crate::policy#the-assessment)), pretty-printed. Identical inputs
    /// give identical text.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Ids of the violated rules that count (not dry-run), in policy order.
    pub fn violated_rules(&self) -> impl Iterator<Item = &str> {
        self.violations.iter().filter(|v| !v.dry_run).map(|v| &*v.rule)
    }
}
