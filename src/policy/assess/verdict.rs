//! The decision alone: what replay compares (outcome, score, level, fired factors, violated
//! rules), made by the same evaluation as an assessment, without keeping its texts.
//!
//! Texts that can change the decision are still produced: a factor's reason (rules may read it
//! through `risk`, and under `fail_closed` a reason that cannot be rendered is a hard violation)
//! and a rule's message and remediation (rendered into one reused buffer, since only whether
//! they render decides). What is skipped is building the assessment around them: copies of
//! the texts, the reasons and required approvals, the ids shared with the policy.

#[allow(clippy::wildcard_imports, reason = "the evaluation's types live in the parent")]
use super::*;
use crate::policy::Outcome;
use crate::policy::decide::Facts;
use crate::policy::model::{Factor, RiskLevel};

/// Whether an evaluation keeps the texts of rule violations.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Texts {
    /// Kept: an assessment.
    Kept,
    /// Rendered (whether they render can decide) but not kept: a verdict.
    Dropped,
}

impl Texts {
    /// The text `make` builds, when texts are kept; else an empty string, without building it.
    pub(super) fn keep(self, make: impl FnOnce() -> String) -> String {
        match self {
            Texts::Kept => make(),
            Texts::Dropped => String::new(),
        }
    }

    /// Renders `t`: into a new string when texts are kept, else into `scratch` (cleared
    /// first), giving an empty string.
    pub(super) fn render<'a>(
        self,
        t: &'a Template,
        vars: &Vars<'a>,
        scratch: &mut String,
    ) -> Result<String, EvalError> {
        match self {
            Texts::Kept => render(t, vars),
            Texts::Dropped => {
                scratch.clear();
                render_into(t, vars, scratch)?;
                Ok(String::new())
            }
        }
    }
}

/// A factor that fired, with its reason.
pub(super) struct Hit<'a> {
    pub(super) def: &'a Factor,
    pub(super) points: i64,
    pub(super) reason: String,
}

impl Hit<'_> {
    /// The hit as an assessment reports it.
    pub(super) fn into_factor_hit(self) -> FactorHit {
        FactorHit {
            id: self.def.id.clone(),
            points: self.points,
            reason: self.reason,
            references: self.def.references.clone(),
        }
    }
}

/// The id of a violation: a rule's or a factor's (shared with the policy), or made up (`let.x`).
pub(super) enum Id<'a> {
    Policy(&'a Arc<str>),
    Owned(String),
}

/// A violation found, borrowing what it can from the policy and the change.
pub(super) struct Found<'p, 'c> {
    pub(super) rule: Id<'p>,
    pub(super) enforcement: Enforcement,
    pub(super) message: String,
    pub(super) remediation: Option<String>,
    /// The rule's references; `None` for none.
    pub(super) references: Option<&'p Arc<[String]>>,
    /// For a soft rule: the canonical name of who overrode it.
    pub(super) overridden_by: Option<&'c str>,
    pub(super) dry_run: bool,
}

impl<'p> Found<'p, '_> {
    /// A hard violation that counts, with no remediation nor references.
    pub(super) fn hard(rule: Id<'p>, message: String) -> Self {
        Found {
            rule,
            enforcement: Enforcement::Hard,
            message,
            remediation: None,
            references: None,
            overridden_by: None,
            dry_run: false,
        }
    }

    /// The violation as an assessment reports it.
    pub(super) fn into_violation(self) -> Violation {
        Violation {
            rule: match self.rule {
                Id::Policy(id) => id.clone(),
                Id::Owned(id) => Arc::from(id),
            },
            enforcement: self.enforcement,
            message: self.message,
            remediation: self.remediation,
            references: self.references.map_or_else(|| Arc::from(Vec::new()), Arc::clone),
            overridden_by: self.overridden_by.map(str::to_owned),
            dry_run: self.dry_run,
        }
    }
}

/// The decision part of an assessment, with ids borrowed from the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verdict<'p> {
    /// The outcome.
    pub(crate) outcome: Outcome,
    /// The risk score.
    pub(crate) score: i64,
    /// The risk level.
    pub(crate) level: RiskLevel,
    /// The ids of the factors that fired, in policy order.
    pub(crate) factors: Vec<&'p str>,
    /// The ids of the violated rules that count (not dry-run), in policy order.
    pub(crate) violations: Vec<std::borrow::Cow<'p, str>>,
}

/// The verdict of `policy` on `change` over `topology` in `context`: exactly the outcome,
/// score, level, factors and counted violations of [`assess`](super::assess).
pub(crate) fn verdict<'p>(
    policy: &'p CompiledPolicy,
    limits: &Limits,
    change: &Change,
    topology: &Topology,
    context: &Context,
) -> Verdict<'p> {
    let prepared = Prepared::new(policy, limits, change, topology, context);
    let blast_view = BlastView::new(&prepared.radius, prepared.topology_services);
    let Evaluated { score, level, factors, violations, .. } =
        evaluate(policy, change, &prepared, &blast_view, Texts::Dropped);
    let counted = || violations.iter().filter(|v| !v.dry_run);
    let facts = Facts::of(
        &policy.decision,
        change,
        level,
        counted().map(|v| (v.enforcement, v.overridden_by.is_some())),
    );
    let violations = counted()
        .map(|v| match &v.rule {
            Id::Policy(id) => std::borrow::Cow::Borrowed(&***id),
            Id::Owned(id) => std::borrow::Cow::Owned(id.clone()),
        })
        .collect();
    Verdict {
        outcome: facts.outcome(),
        score,
        level,
        factors: factors.iter().map(|h| &*h.def.id).collect(),
        violations,
    }
}
