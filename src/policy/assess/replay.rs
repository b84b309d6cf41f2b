//! The variables of an assessment bound again after it, for evaluating a policy's expressions
//! outside the decision path (test coverage).

#[allow(clippy::wildcard_imports, reason = "the `vars!` macro names the parent's items")]
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
