//! Properties evaluated over an assessment's variables, with `assessment` and
//! `assessment_with_approval` bound after the `let` entries.

use super::{BlastView, Cell, CompiledPolicy, EvalError, Object, Prepared, RefCell, Vars, eval_bool};
use super::{Change, Context, INLINE_LETS, LetSlot, Topology};
use crate::policy::model::Property;
use crate::policy::views::AssessmentView;

/// Evaluates a property over the inputs with `assessment` (and `assessment_with_approval`)
/// bound to `views`: `Ok(None)` when `given` does not hold, else whether `expect` holds.
/// Without views, only `given` is evaluated (`Ok(Some(true))` when it holds): for a `given`
/// that does not read the assessment.
pub(crate) fn check_property(
    policy: &CompiledPolicy,
    property: &Property,
    (change, topology, context): (&Change, &Topology, &Context),
    views: [Option<&AssessmentView<'_>>; 2],
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
