//! The outcome of an assessment from its violations and risk level: which facts decide it, and
//! which approvals would help ([Outcome and reasons](crate::policy#outcome-and-reasons)).

use std::fmt::Write as _;

use super::assessment::{Reason, ReasonKind, RequiredApproval, Violation};
use super::model::{CompiledPolicy, DecisionSettings, Enforcement, Outcome, Rule};
use crate::input::Change;

/// Who may override a soft violation of `rule`: its `override_roles`, else the roles that
/// may approve a risky change (empty: any role).
pub(crate) fn override_roles<'p>(rule: &'p Rule, decision: &'p DecisionSettings) -> &'p [String] {
    if rule.override_roles.is_empty() { &decision.approval_roles } else { &rule.override_roles }
}

/// The facts that decide an outcome.
pub(crate) struct Facts {
    /// Counted hard violations.
    hard: usize,
    /// Counted soft violations that no approval overrides.
    soft: usize,
    /// The `deny_at` level, when the risk level reaches it.
    risk_deny: Option<super::model::RiskLevel>,
    /// The risk level reaches `approval_at` and nobody approved in an approval role.
    risk_approval: bool,
}

impl Facts {
    /// The facts of the counted (not dry-run) violations `counted`, each given as its
    /// enforcement and whether an approval overrides it, at the risk level `level`.
    pub(crate) fn of(
        d: &DecisionSettings,
        change: &Change,
        level: super::model::RiskLevel,
        counted: impl Iterator<Item = (Enforcement, bool)>,
    ) -> Facts {
        let (mut hard, mut soft) = (0, 0);
        for (enforcement, overridden) in counted {
            match enforcement {
                Enforcement::Hard => hard += 1,
                Enforcement::Soft if !overridden => soft += 1,
                _ => {}
            }
        }
        Facts {
            hard,
            soft,
            risk_deny: d.deny_at.filter(|at| level >= *at),
            risk_approval: level >= d.approval_at && !change.is_approved_by_role_in(&d.approval_roles),
        }
    }

    /// The outcome they decide.
    pub(crate) fn outcome(&self) -> Outcome {
        if self.hard > 0 || self.risk_deny.is_some() {
            Outcome::Deny
        } else if self.soft > 0 || self.risk_approval {
            Outcome::NeedsApproval
        } else {
            Outcome::Allow
        }
    }
}

/// The outcome, the facts that determined it, and the approvals that would help
/// ([Outcome and reasons](crate::policy#outcome-and-reasons)).
pub(crate) fn decide(
    policy: &CompiledPolicy,
    change: &Change,
    score: i64,
    level: super::model::RiskLevel,
    violations: &[Violation],
) -> (Outcome, Vec<Reason>, Vec<RequiredApproval>) {
    let d = &policy.decision;
    let counted = || violations.iter().filter(|v| !v.dry_run);
    let hard: Vec<&Violation> = counted().filter(|v| v.enforcement == Enforcement::Hard).collect();
    let soft: Vec<&Violation> =
        counted().filter(|v| v.enforcement == Enforcement::Soft && v.overridden_by.is_none()).collect();
    let facts = Facts::of(d, change, level, counted().map(|v| (v.enforcement, v.overridden_by.is_some())));
    let Facts { risk_deny, risk_approval, .. } = facts;
    let outcome = facts.outcome();

    let mut required = Vec::new();
    for v in &soft {
        let roles = policy
            .rules
            .iter()
            .find(|r| r.id == v.rule)
            .map(|r| override_roles(r, d).to_vec())
            .unwrap_or_default();
        required.push(RequiredApproval { roles, reason: format!("soft rule `{}`: {}", v.rule, v.message) });
    }
    if risk_approval {
        required.push(RequiredApproval {
            roles: d.approval_roles.clone(),
            reason: format!(
                "risk level {level} (score {score}) is at or above `approval_at` {}",
                d.approval_at
            ),
        });
    }

    let mut reasons = Vec::new();
    if outcome == Outcome::Deny {
        for v in &hard {
            reasons.push(Reason {
                kind: ReasonKind::HardViolation,
                rule: Some(v.rule.clone()),
                detail: v.message.clone(),
            });
        }
        if let Some(at) = risk_deny {
            reasons.push(Reason {
                kind: ReasonKind::RiskDeny,
                rule: None,
                detail: format!("risk level {level} (score {score}) is at or above `deny_at` {at}"),
            });
        }
    } else if outcome == Outcome::NeedsApproval {
        for v in &soft {
            reasons.push(Reason {
                kind: ReasonKind::SoftViolation,
                rule: Some(v.rule.clone()),
                detail: v.message.clone(),
            });
        }
        if risk_approval {
            let who = if d.approval_roles.is_empty() {
                String::from("anyone but the author")
            } else {
                d.approval_roles.join(" or ")
            };
            reasons.push(Reason {
                kind: ReasonKind::RiskApproval,
                rule: None,
                detail: format!("risk level {level} (score {score}) needs an approval from {who}"),
            });
        }
    } else {
        let overridden = counted().filter(|v| v.overridden_by.is_some()).count();
        // The sentence of almost every assessment, written without the formatting machinery.
        let mut detail = String::with_capacity(96);
        detail.push_str("no rule blocks the change and risk is ");
        detail.push_str(level.as_str());
        detail.push_str(" (score ");
        crate::cel::eval::push_int(score, &mut detail);
        detail.push(')');
        if overridden > 0 {
            let _ = write!(detail, "; {overridden} soft violation(s) overridden by approval");
        }
        reasons.push(Reason { kind: ReasonKind::Allow, rule: None, detail });
    }
    (outcome, reasons, required)
}
