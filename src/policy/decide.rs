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
    let risk_deny = d.deny_at.filter(|at| level >= *at);
    let risk_approval = level >= d.approval_at && !change.is_approved_by_role_in(&d.approval_roles);

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
    let outcome = if !hard.is_empty() || risk_deny.is_some() {
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
        Outcome::Deny
    } else if !soft.is_empty() || risk_approval {
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
        Outcome::NeedsApproval
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
        Outcome::Allow
    };
    (outcome, reasons, required)
}
