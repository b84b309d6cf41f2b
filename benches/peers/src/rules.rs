//! The rule set: 20 conditions from changeguard's built-in policy, and their replicas.
//!
//! Replica `k` (0 for the 20-condition set, 0..10 for the 200-condition set) gives every
//! condition distinct constants: the production environments gain `prod-k`, the
//! pre-production ones `qa-k`, thresholds move by `k`, the version ceiling is `5.k.0`, the
//! ticket pattern allows at most `k + 3` digits, a freeze starts `k` hours earlier. No engine
//! can therefore fold two replicas into one, and the replicas of one condition may disagree
//! about a scenario (the agreement test checks every one of them).

use std::collections::HashMap;

/// How a violated rule counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Enforcement {
    /// Denies the change.
    Hard,
    /// Needs an approval.
    Soft,
}

/// The 20 conditions. Each is described by the question the rule asks; a rule is violated
/// when its guard holds and its requirement does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    /// Hard: the change deploys inside a freeze window that covers its environment and does
    /// not exempt its category (window widened by `k` hours before its start).
    ChangeFreeze,
    /// Hard, production: at least 2 distinct approvers other than the author, identities
    /// compared after trimming and lower-casing.
    SeparationOfDuties,
    /// Hard, production: `build`, `unit-tests` and `security-scan` have passed.
    RequiredChecks,
    /// Hard, production: a rollback plan exists.
    RollbackPlan,
    /// Hard, production: every service's target version is below `5.k.0` (semver).
    VersionCeiling,
    /// Hard, production: no check failed.
    NoFailedChecks,
    /// Soft, production: every reported check passed (none pending or skipped).
    ChecksAllPassed,
    /// Soft, production with a rollback plan: the rollback is tested and automated.
    RollbackTested,
    /// Soft, production with a rollback duration: it takes at most `30 + k` minutes.
    RollbackFast,
    /// Soft, production, not emergency: deployed to a pre-production environment first.
    PreproductionTested,
    /// Soft, production: the first rollout step is at most `25 + k` percent.
    ProgressiveRollout,
    /// Soft, production: blast exposure (share of requests hit by the first step) below
    /// `0.50 + k/100`.
    BlastExposure,
    /// Soft, production: label `ticket` matches `^[A-Z]+-[0-9]+$` (`{1,k+3}` digits for k > 0).
    TicketLabel,
    /// Soft, production, not emergency: no service bumps its major version.
    MajorBump,
    /// Soft, production standard changes: size known and at most `100 + k` lines.
    StandardChangeSize,
    /// Soft, production with a migration: the migration is reversible.
    OneWayDoor,
    /// Soft, production emergency: a `post-incident-review` or `postmortem` label.
    EmergencyReview,
    /// Soft, production canary, linear or rolling: bakes at least `10 + k` minutes per step.
    BakeTime,
    /// Soft, production emergency: approved by an incident commander or SRE lead other than
    /// the author.
    EmergencyApprover,
    /// Soft, production, touching config, secrets or infrastructure: first step at most
    /// `10 + k` percent.
    ConfigProgressive,
}

impl Cond {
    /// Every condition, in policy order.
    pub const ALL: [Cond; 20] = [
        Cond::ChangeFreeze,
        Cond::SeparationOfDuties,
        Cond::RequiredChecks,
        Cond::RollbackPlan,
        Cond::VersionCeiling,
        Cond::NoFailedChecks,
        Cond::ChecksAllPassed,
        Cond::RollbackTested,
        Cond::RollbackFast,
        Cond::PreproductionTested,
        Cond::ProgressiveRollout,
        Cond::BlastExposure,
        Cond::TicketLabel,
        Cond::MajorBump,
        Cond::StandardChangeSize,
        Cond::OneWayDoor,
        Cond::EmergencyReview,
        Cond::BakeTime,
        Cond::EmergencyApprover,
        Cond::ConfigProgressive,
    ];

    /// The rule id of replica 0.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Cond::ChangeFreeze => "change-freeze",
            Cond::SeparationOfDuties => "separation-of-duties",
            Cond::RequiredChecks => "required-checks",
            Cond::RollbackPlan => "rollback-plan",
            Cond::VersionCeiling => "version-ceiling",
            Cond::NoFailedChecks => "no-failed-checks",
            Cond::ChecksAllPassed => "checks-all-passed",
            Cond::RollbackTested => "rollback-tested",
            Cond::RollbackFast => "rollback-fast",
            Cond::PreproductionTested => "preproduction-tested",
            Cond::ProgressiveRollout => "progressive-rollout",
            Cond::BlastExposure => "blast-exposure",
            Cond::TicketLabel => "ticket-label",
            Cond::MajorBump => "major-bump",
            Cond::StandardChangeSize => "standard-change-size",
            Cond::OneWayDoor => "one-way-door",
            Cond::EmergencyReview => "emergency-review",
            Cond::BakeTime => "bake-time",
            Cond::EmergencyApprover => "emergency-approver",
            Cond::ConfigProgressive => "config-progressive",
        }
    }

    /// Hard or soft.
    #[must_use]
    pub fn enforcement(self) -> Enforcement {
        match self {
            Cond::ChangeFreeze
            | Cond::SeparationOfDuties
            | Cond::RequiredChecks
            | Cond::RollbackPlan
            | Cond::VersionCeiling
            | Cond::NoFailedChecks => Enforcement::Hard,
            _ => Enforcement::Soft,
        }
    }
}

/// The checks every production change must have passed.
pub const REQUIRED_CHECKS: [&str; 3] = ["build", "unit-tests", "security-scan"];
/// Strategies that roll out in several steps with a bake time between them.
pub const STEPPED_STRATEGIES: [&str; 3] = ["canary", "linear", "rolling"];
/// Kinds of change that count as configuration.
pub const CONFIG_KINDS: [&str; 3] = ["config", "secret", "infrastructure"];
/// Roles that may approve an emergency change.
pub const EMERGENCY_ROLES: [&str; 2] = ["incident-commander", "sre-lead"];
/// Labels that show an emergency change's review is scheduled.
pub const REVIEW_LABELS: [&str; 2] = ["post-incident-review", "postmortem"];

/// One rule: a condition with the constants of replica `k`.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The condition.
    pub cond: Cond,
    /// The replica.
    pub k: u32,
    /// The rule id: the condition's name, with `-k` for k > 0.
    pub id: String,
}

impl Rule {
    /// Hard or soft.
    #[must_use]
    pub fn enforcement(&self) -> Enforcement {
        self.cond.enforcement()
    }

    /// Environments that count as production.
    #[must_use]
    pub fn production(&self) -> Vec<String> {
        production(self.k)
    }

    /// Environments that count as pre-production.
    #[must_use]
    pub fn preproduction(&self) -> Vec<String> {
        let mut v = vec!["staging".to_owned(), "preprod".to_owned(), "uat".to_owned()];
        if self.k > 0 {
            v.push(format!("qa-{}", self.k));
        }
        v
    }

    /// Hours a freeze is widened by, before its start.
    #[must_use]
    pub fn freeze_lead_hours(&self) -> i64 {
        i64::from(self.k)
    }

    /// The exclusive version ceiling, `(major, minor, patch)`.
    #[must_use]
    pub fn version_ceiling(&self) -> (u64, u64, u64) {
        (5, u64::from(self.k), 0)
    }

    /// The exclusive version ceiling as text.
    #[must_use]
    pub fn version_ceiling_text(&self) -> String {
        let (a, b, c) = self.version_ceiling();
        format!("{a}.{b}.{c}")
    }

    /// The pattern a ticket label must match (RE2 syntax, no backslashes).
    #[must_use]
    pub fn ticket_pattern(&self) -> String {
        if self.k == 0 { "^[A-Z]+-[0-9]+$".to_owned() } else { format!("^[A-Z]+-[0-9]{{1,{}}}$", self.k + 3) }
    }

    /// The longest acceptable rollback, in minutes.
    #[must_use]
    pub fn max_rollback_minutes(&self) -> i64 {
        30 + i64::from(self.k)
    }

    /// The largest progressive first step, in percent.
    #[must_use]
    pub fn max_first_step(&self) -> i64 {
        25 + i64::from(self.k)
    }

    /// The exclusive exposure limit as decimal text with two digits (`0.50`).
    #[must_use]
    pub fn max_exposure_text(&self) -> String {
        format!("0.{}", 50 + self.k)
    }

    /// The largest standard change, in lines.
    #[must_use]
    pub fn standard_max_lines(&self) -> i64 {
        100 + i64::from(self.k)
    }

    /// The shortest bake time between steps, in minutes.
    #[must_use]
    pub fn min_bake_minutes(&self) -> i64 {
        10 + i64::from(self.k)
    }

    /// The largest first step of a configuration change, in percent.
    #[must_use]
    pub fn max_config_first_step(&self) -> i64 {
        10 + i64::from(self.k)
    }
}

/// The rules of one benchmark: the 20 conditions, replicated.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    enforcement: HashMap<String, Enforcement>,
    replicas: u32,
}

impl RuleSet {
    /// The 20 conditions times `replicas` (1 gives 20 rules, 10 gives 200).
    #[must_use]
    pub fn new(replicas: u32) -> RuleSet {
        RuleSet::with_conditions(&Cond::ALL, replicas)
    }

    /// Some of the conditions times `replicas`: to look at the cost of one condition.
    #[must_use]
    pub fn with_conditions(conditions: &[Cond], replicas: u32) -> RuleSet {
        let mut rules = Vec::new();
        for k in 0..replicas {
            for &cond in conditions {
                let id = if k == 0 { cond.name().to_owned() } else { format!("{}-{k}", cond.name()) };
                rules.push(Rule { cond, k, id });
            }
        }
        let enforcement = rules.iter().map(|r| (r.id.clone(), r.enforcement())).collect();
        RuleSet { rules, enforcement, replicas }
    }

    /// The rules, replica by replica, in policy order.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// How many times the 20 conditions are replicated.
    #[must_use]
    pub fn replicas(&self) -> u32 {
        self.replicas
    }

    /// The number of rules.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The enforcement of rule `id`.
    #[must_use]
    pub fn enforcement(&self, id: &str) -> Option<Enforcement> {
        self.enforcement.get(id).copied()
    }
}

/// Environments that count as production in replica `k`.
#[must_use]
pub fn production(k: u32) -> Vec<String> {
    let mut v = vec!["production".to_owned(), "prod".to_owned()];
    if k > 0 {
        v.push(format!("prod-{k}"));
    }
    v
}

/// `["a", "b"]`: a list literal in CEL and Cedar syntax.
#[must_use]
pub fn list_literal<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{}\"", s.as_ref())).collect();
    format!("[{}]", quoted.join(", "))
}

/// `(x == "a" || x == "b")`: membership written as comparisons, for the engines that have no
/// named facts and build a fresh collection each time they evaluate a literal (Cedar,
/// cel-interpreter).
#[must_use]
pub fn any_equal<S: AsRef<str>>(x: &str, items: &[S]) -> String {
    let tests: Vec<String> = items.iter().map(|s| format!("{x} == \"{}\"", s.as_ref())).collect();
    format!("({})", tests.join(" || "))
}

/// `{"a", "b"}`: a set literal in Rego syntax.
#[must_use]
pub fn set_literal<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{}\"", s.as_ref())).collect();
    format!("{{{}}}", quoted.join(", "))
}
