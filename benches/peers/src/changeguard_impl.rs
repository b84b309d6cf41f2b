//! changeguard: one TOML policy with a `[[rule]]` per rule, conditions in CEL over the
//! change as it is (raw identities, semver strings, RFC 3339 timestamps, the check map).
//!
//! Loaded once with [`Policy::from_toml`] (parsed, type-checked, compiled, regexes compiled).
//! The `Change`, `Context` and `Topology` are read once; each decision is one
//! [`Policy::assess`], which also computes the blast radius over the small topology, the risk
//! score (no factors here) and each violation's message.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use changeguard::input::{Change, Context};
use changeguard::policy::Policy;
use changeguard::topology::Topology;

use crate::rules::{
    CONFIG_KINDS, Cond, EMERGENCY_ROLES, Enforcement, REQUIRED_CHECKS, REVIEW_LABELS, Rule, RuleSet,
    STEPPED_STRATEGIES, list_literal, production,
};
use crate::{Decision, Engine, Outcome, Scenario};

/// changeguard with the rule set compiled into a [`Policy`].
#[derive(Debug)]
pub struct ChangeguardEngine {
    policy: Policy,
    topology: Topology,
}

/// A prepared change: changeguard's own input types.
#[derive(Debug)]
pub struct ChangeguardInput {
    change: Change,
    context: Context,
}

impl ChangeguardEngine {
    /// Compiles the rule set; `topology` is the one blast radius is computed over.
    ///
    /// # Panics
    ///
    /// When the generated policy does not load (a bug in this crate).
    #[must_use]
    pub fn new(rules: &RuleSet, topology: &Topology) -> ChangeguardEngine {
        let text = policy_toml(rules);
        let policy = match Policy::from_toml(&text) {
            Ok(p) => p,
            Err(d) => panic!("changeguard policy does not load:\n{}", d.render(Some("peers.toml"), &text)),
        };
        ChangeguardEngine { policy, topology: topology.clone() }
    }

    /// The compiled policy.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl Engine for ChangeguardEngine {
    type Input = ChangeguardInput;

    fn name(&self) -> &'static str {
        "changeguard"
    }

    fn prepare(&self, scenario: &Scenario) -> ChangeguardInput {
        ChangeguardInput { change: scenario.change.clone(), context: scenario.context.clone() }
    }

    fn outcome(&self, input: &ChangeguardInput) -> Outcome {
        convert(self.policy.assess(&input.change, &self.topology, &input.context).outcome)
    }

    fn decide(&self, input: &ChangeguardInput) -> Decision {
        let a = self.policy.assess(&input.change, &self.topology, &input.context);
        assert!(a.errors.is_empty(), "changeguard evaluation errors: {:?}", a.errors);
        let violated: BTreeSet<String> = a.violated_rules().map(str::to_owned).collect();
        Decision { outcome: convert(a.outcome), violated }
    }
}

fn convert(outcome: changeguard::Outcome) -> Outcome {
    match outcome {
        changeguard::Outcome::Allow => Outcome::Allow,
        changeguard::Outcome::NeedsApproval => Outcome::NeedsApproval,
        changeguard::Outcome::Deny => Outcome::Deny,
    }
}

/// The policy text of a rule set.
#[must_use]
pub fn policy_toml(rules: &RuleSet) -> String {
    let mut out = String::from(
        "[policy]\nname = \"peers\"\nversion = \"1.0.0\"\n\
         description = \"The peer benchmark's rule set\"\n\n\
         [decision]\napproval_at = \"critical\"\n\n\
         # Named facts, computed at most once per assessment: one production test per replica.\n\
         [let]\n",
    );
    for k in 0..rules.replicas() {
        let _ = writeln!(out, "{} = 'change.environment in {}'", is_prod(k), list_literal(&production(k)));
    }
    for rule in rules.rules() {
        let (when, require, description) = condition(rule);
        let _ = write!(out, "\n[[rule]]\nid = \"{}\"\ndescription = \"{description}\"\n", rule.id);
        match rule.enforcement() {
            Enforcement::Hard => out.push_str("enforcement = \"hard\"\n"),
            // Scenarios carry no change-manager approval: soft violations are never
            // overridden, as in the peers.
            Enforcement::Soft => {
                out.push_str("enforcement = \"soft\"\noverride_roles = [\"change-manager\"]\n")
            }
        }
        if let Some(when) = when {
            let _ = writeln!(out, "when = '''{when}'''");
        }
        let _ = writeln!(out, "require = '''{require}'''");
    }
    out
}

/// The name of the `let` that tells whether the change goes to production, for replica `k`.
fn is_prod(k: u32) -> String {
    if k == 0 { "is_prod".to_owned() } else { format!("is_prod_{k}") }
}

/// `(when, require, description)` of one rule, in changeguard's CEL.
fn condition(rule: &Rule) -> (Option<String>, String, &'static str) {
    let prod = is_prod(rule.k);
    let first_step = "change.strategy.first_step";
    match rule.cond {
        Cond::ChangeFreeze => {
            let require = if rule.k == 0 {
                "active_freezes.size() == 0".to_owned()
            } else {
                format!(
                    "!context.freezes.exists(f, f.start - duration(\"{}h\") <= change.when && change.when < f.end \
                     && (f.environments.size() == 0 || change.environment in f.environments) \
                     && !(change.category in f.exempt))",
                    rule.freeze_lead_hours()
                )
            };
            (None, require, "No change during a freeze that does not exempt its category")
        }
        Cond::SeparationOfDuties => {
            (Some(prod), "change.approvers().size() >= 2".to_owned(), "Two approvers besides the author")
        }
        Cond::RequiredChecks => (
            Some(prod),
            format!(
                "{}.all(c, c in change.checks && change.checks[c] == \"passed\")",
                list_literal(&REQUIRED_CHECKS)
            ),
            "Required checks passed",
        ),
        Cond::RollbackPlan => {
            (Some(prod), "has(change.rollback) && change.rollback.plan".to_owned(), "A rollback plan")
        }
        Cond::VersionCeiling => (
            Some(prod),
            format!(
                "change.services.all(s, !has(s.to) || semver(s.to).isLessThan(semver(\"{}\")))",
                rule.version_ceiling_text()
            ),
            "Target versions below the ceiling",
        ),
        Cond::NoFailedChecks => (
            Some(prod),
            "!change.checks.exists(c, change.checks[c] == \"failed\")".to_owned(),
            "No failed check",
        ),
        Cond::ChecksAllPassed => (
            Some(prod),
            "change.checks.all(c, change.checks[c] == \"passed\")".to_owned(),
            "Every check passed",
        ),
        Cond::RollbackTested => (
            Some(format!("{prod} && has(change.rollback) && change.rollback.plan")),
            "change.rollback.tested && change.rollback.automated".to_owned(),
            "Rollback tested and automated",
        ),
        Cond::RollbackFast => (
            Some(format!("{prod} && has(change.rollback) && has(change.rollback.minutes)")),
            format!("change.rollback.minutes <= {}", rule.max_rollback_minutes()),
            "Rollback is fast",
        ),
        Cond::PreproductionTested => (
            Some(format!("{prod} && change.category != \"emergency\"")),
            format!("change.tested_in.exists(e, e in {})", list_literal(&rule.preproduction())),
            "Deployed to pre-production first",
        ),
        Cond::ProgressiveRollout => {
            (Some(prod), format!("{first_step} <= {}", rule.max_first_step()), "Progressive first step")
        }
        Cond::BlastExposure => {
            (Some(prod), format!("blast.exposure < {}", rule.max_exposure_text()), "Limited exposure")
        }
        Cond::TicketLabel => (
            Some(prod),
            format!(
                "\"ticket\" in change.labels && change.labels[\"ticket\"].matches(\"{}\")",
                rule.ticket_pattern()
            ),
            "A well-formed ticket label",
        ),
        Cond::MajorBump => (
            Some(format!("{prod} && change.category != \"emergency\"")),
            "!change.services.exists(s, s.bump == \"major\")".to_owned(),
            "No major version bump",
        ),
        Cond::StandardChangeSize => (
            Some(format!("{prod} && change.category == \"standard\"")),
            format!("has(change.size) && change.size.lines <= {}", rule.standard_max_lines()),
            "Standard changes are small",
        ),
        Cond::OneWayDoor => (
            Some(format!("{prod} && has(change.migration)")),
            "change.migration.reversible".to_owned(),
            "Migrations are reversible",
        ),
        Cond::EmergencyReview => (
            Some(format!("{prod} && change.category == \"emergency\"")),
            format!("\"{}\" in change.labels || \"{}\" in change.labels", REVIEW_LABELS[0], REVIEW_LABELS[1]),
            "Emergency changes are reviewed",
        ),
        Cond::BakeTime => (
            Some(format!("{prod} && change.strategy.type in {}", list_literal(&STEPPED_STRATEGIES))),
            format!("change.strategy.bake_minutes >= {}", rule.min_bake_minutes()),
            "Steps bake long enough",
        ),
        Cond::EmergencyApprover => (
            Some(format!("{prod} && change.category == \"emergency\"")),
            format!(
                "change.approvers(\"{}\").size() + change.approvers(\"{}\").size() > 0",
                EMERGENCY_ROLES[0], EMERGENCY_ROLES[1]
            ),
            "Emergency changes approved by an incident commander or SRE lead",
        ),
        Cond::ConfigProgressive => (
            Some(format!(
                "{prod} && change.services.exists(s, s.kinds.exists(k, k in {}))",
                list_literal(&CONFIG_KINDS)
            )),
            format!("{first_step} <= {}", rule.max_config_first_step()),
            "Configuration changes start small",
        ),
    }
}
