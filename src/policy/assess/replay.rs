//! The variables of an assessment, for evaluating a policy's expressions outside the decision
//! path: test coverage and properties.

#[allow(clippy::wildcard_imports, reason = "a part of `assess`, split off for size")]
use super::*;

/// The variables of an assessment, bound for evaluating a policy's expressions again outside
/// the decision path (test coverage): `risk` is what `assessment` found, and each `let` is
/// computed when first read, as when assessing.
pub(crate) struct Replay<'v, 'a> {
    vars: &'v Vars<'a>,
}

impl<'a> Replay<'_, 'a> {
    /// The variables, to evaluate with.
    pub(crate) fn activation(&self) -> &dyn Activation<'a> {
        self.vars
    }

    /// The indexes of the `let` entries computed so far.
    pub(crate) fn computed_lets(&self) -> Vec<usize> {
        let computed = |s: &LetSlot<'_>| s.bool.get().is_some() || s.value.get().is_some();
        self.vars.cache.iter().enumerate().filter(|(_, s)| computed(s)).map(|(i, _)| i).collect()
    }
}

/// Calls `f` with the variables of an assessment of these inputs that gave `assessment`, and
/// with `data` (what `f` evaluates, borrowed for as long as the variables).
pub(crate) fn replay<'p, T: ?Sized, R>(
    policy: &'p CompiledPolicy,
    inputs: (&Change, &Topology, &Context),
    assessment: &Assessment,
    data: &'p T,
    f: impl for<'v, 'a> FnOnce(&Replay<'v, 'a>, &'a T) -> R,
) -> R {
    let (change, topology, context) = inputs;
    let prepared = Prepared::new(policy, &policy.limits, change, topology, context);
    let blast_view = BlastView::new(&prepared.radius, prepared.topology_services);
    let risk = &assessment.risk;
    let risk_view = RiskView::new(
        risk.score,
        risk.level,
        risk.factors.iter().map(|f| (&*f.id, f.points, f.reason.as_str(), &f.references)),
    );
    vars!(vars, policy, prepared, &blast_view, &prepared.budget);
    vars.risk = Some(&risk_view);
    f(&Replay { vars: &vars }, data)
}

/// Evaluates a property over the inputs with `assessment` (and `assessment_with_approval`)
/// bound to `views`: `Ok(None)` when `given` does not hold, else whether `expect` holds.
/// Without views, only `given` is evaluated (`Ok(Some(true))` when it holds): for a `given`
/// that does not read the assessment.
#[cfg_attr(
    not(feature = "proptest"),
    allow(dead_code, reason = "properties run with the `proptest` feature")
)]
pub(crate) fn check_property(
    policy: &CompiledPolicy,
    property: &crate::policy::model::Property,
    (change, topology, context): (&Change, &Topology, &Context),
    views: [Option<&crate::policy::views::AssessmentView<'_>>; 2],
) -> Result<Option<bool>, EvalError> {
    let prepared = Prepared::new(policy, &policy.limits, change, topology, context);
    let blast_view = BlastView::new(&prepared.radius, prepared.topology_services);
    vars!(vars, policy, prepared, &blast_view, &prepared.budget);
    vars.counted.set(false);
    let [main, extra] = views;
    vars.risk = main.map(|v| &v.risk);
    vars.extra = [main.map(|v| v as &dyn Object), extra.map(|v| v as &dyn Object)];
    if let Some(given) = &property.given
        && !eval_bool(given, &vars)?
    {
        return Ok(None);
    }
    if main.is_none() {
        return Ok(Some(true));
    }
    eval_bool(&property.expect, &vars).map(Some)
}
