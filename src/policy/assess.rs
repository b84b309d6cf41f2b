//! The assessment of a change: risk, rules, overrides, errors, outcome.
//!
//! Architecture Invariant: assessing never fails and never panics. An evaluation error is
//! recorded in the assessment and counts as the policy's `on_error` says. Under `fail_closed`:
//! a rule whose `when` or `require` fails counts as violated at its own enforcement; a factor
//! whose `when` fails while its points are a literal counts those points when they are
//! positive and 0 otherwise (an error never lowers the score); a factor whose points
//! cannot be known (its `points` expression fails, or its `when` fails while its points are an
//! expression) is a hard violation named after the factor, so the outcome is `deny`. So is,
//! under `fail_closed`, whatever else fails where it can change the outcome: a factor's reason
//! that cannot be written (a hard violation named after the factor), a `let` that fails while a
//! factor or a counted rule reads it (a hard violation named `let.<name>`, once per `let`,
//! whether it failed then or earlier and was cached), and the message or remediation of a
//! counted rule that cannot be written (the rule's violation becomes hard and cannot be
//! overridden). A counted rule is one that is neither advisory nor a dry run: what fails only in
//! those is recorded in the errors and changes nothing. Under `fail_open` such items are
//! dropped. Points are summed in `i128` and clamped to 0..=100, so the score does not depend on
//! the order of the factors; constant points outside [`super::model::POINTS_RANGE`] do not load.

use std::cell::{Cell, OnceCell, RefCell};
use std::sync::Arc;

use super::assessment::{Assessment, EvaluationError, FactorHit, PolicyInfo, Risk, Violation};
use super::decide::override_roles;
use super::env::{ACTIVE_FREEZES, BLAST, CHANGE, CONTEXT, LET_BASE, PARAMS, RISK};
use super::model::CompiledPolicy;
use super::model::{Enforcement, OnError, Part, Points, Rule, Template};
use super::objects::{ChangeView, ContextView};
use super::views::{BlastView, RiskView};
use crate::Limits;
use crate::blast::BlastOptions;
use crate::cel::value::reborrow;
use crate::cel::{Activation, Budget, EvalError, EvalErrorKind, List, Object, ObjectType, Program, Value};
use crate::input::{Change, Context};
use crate::topology::Topology;

/// Lets cached inline when a policy has at most this many (the common case), else on the heap.
const INLINE_LETS: usize = 32;

/// One lazily computed `let`. A bool, the most common value, is kept in `bool` alone: reading
/// it as a condition is then one load, and the slot has nothing to drop.
#[derive(Default)]
struct LetSlot<'a> {
    computing: Cell<bool>,
    bool: Cell<Option<bool>>,
    value: OnceCell<Result<Value<'a>, EvalError>>,
}

/// The variables of one assessment.
struct Vars<'a> {
    change: &'a ChangeView<'a>,
    context: &'a ContextView<'a>,
    blast: &'a BlastView<'a>,
    risk: Option<&'a RiskView<'a>>,
    lets: &'a [super::model::Let],
    cache: &'a [LetSlot<'a>],
    budget: &'a Budget,
    /// Whether the item being evaluated can affect the decision (a risk factor, or a rule that
    /// is neither advisory nor a dry run): a `let` that fails while it reads it counts.
    counted: Cell<bool>,
    /// The `let`s (by index) that failed while an item that counts read them.
    failed_lets: RefCell<Vec<usize>>,
    /// The variables declared after the `let`s, in properties only (`assessment`,
    /// `assessment_with_approval`).
    extra: [Option<&'a dyn Object>; 2],
}

impl<'a> Activation<'a> for Vars<'a> {
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
        match slot {
            CHANGE => Ok(Value::Object(self.change)),
            CONTEXT => Ok(Value::Object(self.context)),
            BLAST => Ok(Value::Object(self.blast)),
            ACTIVE_FREEZES => Ok(Value::List(List::borrowed(&self.context.active_freezes))),
            RISK => match self.risk {
                Some(r) => Ok(Value::Object(r)),
                None => Err(EvalError::new(EvalErrorKind::UnboundVariable, "`risk` is not available here")),
            },
            PARAMS => Err(EvalError::new(EvalErrorKind::UnboundVariable, "`params` is a constant")),
            _ => {
                let i = slot - LET_BASE;
                let result = self.resolve_let(i, slot);
                if result.is_err() && self.counted.get() {
                    let mut failed = self.failed_lets.borrow_mut();
                    if !failed.contains(&i) {
                        failed.push(i);
                    }
                }
                result
            }
        }
    }

    /// A `let` computed before, when it is a bool.
    #[inline]
    fn known_bool(&self, slot: usize) -> Option<bool> {
        self.cache.get(slot.wrapping_sub(LET_BASE))?.bool.get()
    }

    /// `change.x`, `context.x` and `blast.x` read by concrete type, without dynamic calls.
    fn object_field(&self, slot: usize, ty: &ObjectType, index: usize) -> Option<Option<Value<'a>>> {
        match slot {
            CHANGE if std::ptr::eq(ty, self.change.object_type()) => Some(self.change.field(index)),
            BLAST if std::ptr::eq(ty, self.blast.object_type()) => Some(self.blast.field(index)),
            CONTEXT if std::ptr::eq(ty, self.context.object_type()) => Some(self.context.field(index)),
            _ => None,
        }
    }
}

impl<'a> Vars<'a> {
    /// The value of the `let` at index `i` (variable slot `slot`): cached, or computed now.
    #[inline]
    fn resolve_let(&self, i: usize, slot: usize) -> Result<Value<'a>, EvalError> {
        let (Some(cell), Some(def)) = (self.cache.get(i), self.lets.get(i)) else {
            if let Some(Some(object)) = self.extra.get(i.wrapping_sub(self.lets.len())) {
                return Ok(Value::Object(*object));
            }
            return Err(EvalError::new(
                EvalErrorKind::UnboundVariable,
                format!("no variable in slot {slot}"),
            ));
        };
        if let Some(b) = cell.bool.get() {
            return Ok(Value::Bool(b));
        }
        if let Some(v) = cell.value.get() {
            // A view of the cached value: no reference counting.
            return match v {
                Ok(Value::Bool(b)) => Ok(Value::Bool(*b)),
                Ok(v) => Ok(reborrow(v)),
                Err(e) => Err(e.clone()),
            };
        }
        if cell.computing.replace(true) {
            return Err(EvalError::new(
                EvalErrorKind::UnboundVariable,
                format!("`{}` depends on itself", def.name),
            ));
        }
        // A bool (by its checked type) is computed as a condition, without a value.
        let result = if def.is_bool {
            def.program.evaluate_bool_with(self, self.budget).map(Value::Bool)
        } else {
            def.program.evaluate_with(self, self.budget)
        };
        cell.computing.set(false);
        if let Ok(Value::Bool(b)) = result {
            cell.bool.set(Some(b));
            return Ok(Value::Bool(b));
        }
        cell.value.get_or_init(|| result).as_ref().map(reborrow).map_err(Clone::clone)
    }

    /// The `let`s that failed while an item that counts read them, in policy order, with
    /// their errors.
    fn failed_lets(&self) -> Vec<(&'a str, String)> {
        let mut failed = self.failed_lets.borrow().clone();
        failed.sort_unstable();
        failed
            .into_iter()
            .filter_map(|i| {
                let def = self.lets.get(i)?;
                let message = match self.cache.get(i).and_then(|c| c.value.get()) {
                    Some(Err(e)) => e.message().to_owned(),
                    _ => String::from("it could not be computed"),
                };
                Some((def.name.as_str(), message))
            })
            .collect()
    }
}

/// Evaluates a condition: `Ok(bool)` or the error (a non-bool result is an error too).
fn eval_bool<'a>(p: &'a Program, vars: &Vars<'a>) -> Result<bool, EvalError> {
    p.evaluate_bool_with(vars, vars.budget)
}

fn eval_int<'a>(p: &'a Program, vars: &Vars<'a>) -> Result<i64, EvalError> {
    match p.evaluate_with(vars, vars.budget)? {
        Value::Int(i) => Ok(i),
        Value::Uint(u) => Ok(i64::try_from(u).unwrap_or(i64::MAX)),
        other => Err(EvalError::no_such_overload(format!(
            "`points` must be an int, found `{}`",
            other.type_name()
        ))),
    }
}

fn render<'a>(t: &'a Template, vars: &Vars<'a>) -> Result<String, EvalError> {
    // Room for the text to grow: lists and numbers written in place are usually longer than
    // the expressions that produce them, and growing the text means copying it.
    let mut out = String::with_capacity(t.source.len() * 2);
    render_into(t, vars, &mut out)?;
    Ok(out)
}

/// Appends the text of `t` to `out` (on error, `out` holds a partial text).
fn render_into<'a>(t: &'a Template, vars: &Vars<'a>, out: &mut String) -> Result<(), EvalError> {
    for part in &t.parts {
        match part {
            Part::Text(s) => out.push_str(s),
            Part::Expr(p) => p.write_text_with(vars, vars.budget, out)?,
        }
    }
    Ok(())
}

fn error(rule: &str, field: &str, e: &EvalError) -> EvaluationError {
    EvaluationError { rule: rule.to_owned(), field: field.to_owned(), message: e.message().to_owned() }
}

/// A factor that fired, before its reason is rendered.
struct Fired {
    index: usize,
    points: i64,
    failed: bool,
}

/// What an assessment computes before evaluating anything: the views of the inputs and the
/// blast radius. Allocates; evaluation afterwards does not, beyond the values expressions build.
pub(crate) struct Prepared<'a> {
    change_view: ChangeView<'a>,
    context_view: ContextView<'a>,
    radius: crate::blast::BlastRadius,
    /// How many services the topology has (0: no topology was given).
    topology_services: usize,
    budget: Budget,
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(
        policy: &CompiledPolicy,
        limits: &Limits,
        change: &'a Change,
        topology: &Topology,
        context: &'a Context,
    ) -> Self {
        let change_view = ChangeView::new(change, context, &policy.environments, topology);
        let radius = topology.blast_radius_of(
            change_view.services().iter().map(|s| s.name.as_str()),
            &BlastOptions {
                max_depth: policy.blast.max_depth,
                default_tier: policy.blast.default_tier,
                first_step: change.strategy.first_step(),
                regions: &change.regions,
            },
        );
        let context_view = ContextView::new(context, change, &policy.environments, &change_view.environment);
        Prepared {
            change_view,
            context_view,
            radius,
            topology_services: topology.len(),
            budget: Budget::with_limits(limits),
        }
    }
}

/// The variables of `prepared`, with a fresh `let` cache (on the stack for policies with few
/// `let` entries), bound to `$vars` in the calling function.
macro_rules! vars {
    ($vars:ident, $policy:expr, $prepared:expr, $blast:expr, $budget:expr) => {
        let inline: [LetSlot<'_>; INLINE_LETS] = std::array::from_fn(|_| LetSlot::default());
        let heap: Vec<LetSlot<'_>>;
        let cache: &[LetSlot<'_>] = if $policy.lets.len() <= INLINE_LETS {
            inline.get(..$policy.lets.len()).unwrap_or(&[])
        } else {
            heap = (0..$policy.lets.len()).map(|_| LetSlot::default()).collect();
            &heap
        };
        #[allow(unused_mut)]
        let mut $vars = Vars {
            change: &$prepared.change_view,
            context: &$prepared.context_view,
            blast: $blast,
            risk: None,
            lets: &$policy.lets,
            cache,
            budget: $budget,
            counted: Cell::new(true),
            failed_lets: RefCell::new(Vec::new()),
            extra: [None, None],
        };
    };
}

/// Evaluates every factor's and rule's conditions and counts how many fire and are violated,
/// building no output: the path that `assess` takes through conditions, for measurements.
/// Rules see no `risk`.
pub(crate) fn count_conditions(policy: &CompiledPolicy, prepared: &Prepared<'_>) -> (usize, usize) {
    let blast_view = BlastView::new(&prepared.radius, prepared.topology_services);
    let budget = prepared.budget.renewed();
    vars!(vars, policy, prepared, &blast_view, &budget);
    {
        let mut fired = 0;
        for f in &policy.factors {
            let applies = f.when.as_ref().map_or(Ok(true), |w| eval_bool(w, &vars)).unwrap_or(false);
            if applies && !matches!(&f.points, Points::Expr(p) if eval_int(p, &vars).is_err()) {
                fired += 1;
            }
        }
        let mut violated = 0;
        for rule in &policy.rules {
            let applies = rule.when.as_ref().map_or(Ok(true), |w| eval_bool(w, &vars)).unwrap_or(true);
            if applies && !eval_bool(&rule.require, &vars).unwrap_or(false) {
                violated += 1;
            }
        }
        (fired, violated)
    }
}

/// What evaluating the policy produced, before the decision: ids and texts still borrowed
/// from the policy (`'p`) and the change (`'c`), so that a decision without texts copies none.
struct Evaluated<'p, 'c> {
    score: i64,
    level: super::model::RiskLevel,
    factors: Vec<Hit<'p>>,
    violations: Vec<Found<'p, 'c>>,
    errors: Vec<EvaluationError>,
}

pub(crate) fn assess(
    policy: &CompiledPolicy,
    limits: &Limits,
    change: &Change,
    topology: &Topology,
    context: &Context,
) -> Assessment {
    let prepared = Prepared::new(policy, limits, change, topology, context);
    let blast_view = BlastView::new(&prepared.radius, prepared.topology_services);
    let evaluated = evaluate(policy, change, &prepared, &blast_view, Texts::Kept);
    let Evaluated { score, level, factors, violations, errors } = evaluated;
    let factors = factors.into_iter().map(Hit::into_factor_hit).collect();
    let violations: Vec<Violation> = violations.into_iter().map(Found::into_violation).collect();
    let (outcome, reasons, required_approvals) =
        super::decide::decide(policy, change, score, level, &violations);
    Assessment {
        outcome,
        reasons,
        change: change.id.clone(),
        policy: PolicyInfo { name: policy.name.clone(), version: policy.version_text.clone() },
        risk: Risk { score, level, factors },
        violations,
        required_approvals,
        blast_radius: prepared.radius,
        errors,
    }
}

fn evaluate<'p, 'c>(
    policy: &'p CompiledPolicy,
    change: &'c Change,
    prepared: &Prepared<'_>,
    blast_view: &BlastView<'_>,
    texts: Texts,
) -> Evaluated<'p, 'c> {
    vars!(vars, policy, prepared, blast_view, &prepared.budget);
    // Where rule texts go when they are not kept: rendered all the same (whether they render
    // decides under fail_closed), into one buffer.
    let mut scratch = String::new();
    let mut errors = Vec::new();
    let fail_closed = policy.decision.on_error == OnError::FailClosed;
    // Risk factors.
    // At most one entry per factor: sized once, never grown.
    let mut fired = Vec::with_capacity(policy.factors.len());
    // Under fail_closed, a factor whose points cannot be known (its points expression failed,
    // or its condition failed and its points are an expression) is counted as a hard violation:
    // the outcome becomes `deny`, naming the factor and the error.
    let mut failed_factors: Vec<(&'p Arc<str>, &'static str, String)> = Vec::new();
    for (index, f) in policy.factors.iter().enumerate() {
        let applies = f.when.as_ref().map_or(Ok(true), |w| eval_bool(w, &vars));
        match applies {
            Ok(false) => {}
            Ok(true) => match &f.points {
                Points::Literal(p) => fired.push(Fired { index, points: *p, failed: false }),
                Points::Expr(p) => match eval_int(p, &vars) {
                    Ok(points) => fired.push(Fired { index, points, failed: false }),
                    Err(e) => {
                        errors.push(error(&f.id, "points", &e));
                        if fail_closed {
                            failed_factors.push((&f.id, "points", e.message().to_owned()));
                        }
                    }
                },
            },
            Err(e) => {
                errors.push(error(&f.id, "when", &e));
                match (fail_closed, &f.points) {
                    // Whether the factor applies is unknown: counting negative points would
                    // lower the score on an error, so only positive points are counted.
                    (true, Points::Literal(p)) => {
                        fired.push(Fired { index, points: (*p).max(0), failed: true });
                    }
                    (true, Points::Expr(_)) => {
                        failed_factors.push((&f.id, "when", e.message().to_owned()));
                    }
                    (false, _) => {}
                }
            }
        }
    }
    // Summed wide: no order of points can wrap before the clamp.
    let total: i128 = fired.iter().map(|f| i128::from(f.points)).sum();
    let score = i64::try_from(total.clamp(0, 100)).unwrap_or(100);
    let level = policy.levels.level(score);
    // Factor reasons may mention `risk`: they see the score and the fired factors, without
    // reasons; rules then see everything.
    let early_risk = RiskView::new(
        score,
        level,
        fired
            .iter()
            .filter_map(|f| policy.factors.get(f.index).map(|d| (&*d.id, f.points, "", &d.references))),
    );
    vars.risk = Some(&early_risk);

    vars.counted.set(true);
    let mut factors: Vec<Hit<'p>> = Vec::with_capacity(fired.len());
    for f in &fired {
        let Some(def) = policy.factors.get(f.index) else { continue };
        let reason = match render(&def.reason, &vars) {
            Ok(r) => r,
            Err(e) => {
                errors.push(error(&def.id, "reason", &e));
                if fail_closed {
                    failed_factors.push((&def.id, "reason", e.message().to_owned()));
                }
                def.reason.source.clone()
            }
        };
        let reason = if f.failed {
            format!("{reason} (counted because its condition failed to evaluate)")
        } else {
            reason
        };
        factors.push(Hit { def, points: f.points, reason });
    }
    let risk_view = RiskView::new(
        score,
        level,
        factors.iter().map(|f| (&*f.def.id, f.points, f.reason.as_str(), &f.def.references)),
    );
    vars.risk = Some(&risk_view);

    // Rules.
    let mut violations: Vec<Found<'p, 'c>> = failed_factors
        .into_iter()
        .map(|(id, field, message)| {
            Found::hard(
                Id::Policy(id),
                texts.keep(|| {
                    format!("risk factor could not be evaluated ({field}: {message}); counted as deny (fail closed)")
                }),
            )
        })
        .collect();
    for rule in &policy.rules {
        // Advisory and dry-run rules cannot change the outcome: what fails in them only is
        // recorded.
        let counts = !rule.dry_run && rule.enforcement != Enforcement::Advisory;
        vars.counted.set(counts);
        // A message or remediation that cannot be rendered: which, and why.
        let mut unrendered: Option<(&'static str, String)> = None;
        let applies = rule.when.as_ref().map_or(Ok(true), |w| eval_bool(w, &vars));
        let outcome = match applies {
            Ok(false) => Ok(false),
            Ok(true) => eval_bool(&rule.require, &vars).map(|ok| !ok).map_err(|e| ("require", e)),
            Err(e) => Err(("when", e)),
        };
        let message = match outcome {
            Ok(false) => continue,
            Ok(true) => violation_message(rule, &vars, &mut errors, &mut unrendered, texts, &mut scratch),
            Err((field, e)) => {
                errors.push(error(&rule.id, field, &e));
                if !fail_closed {
                    continue;
                }
                texts.keep(|| {
                    format!(
                        "could not be evaluated ({field}: {}); counted as violated (fail closed)",
                        e.message()
                    )
                })
            }
        };
        let remediation = rule.remediation.as_ref().map(|t| match texts.render(t, &vars, &mut scratch) {
            Ok(r) => r,
            Err(e) => {
                errors.push(error(&rule.id, "remediation", &e));
                unrendered.get_or_insert(("remediation", e.message().to_owned()));
                texts.keep(|| t.source.clone())
            }
        });
        // Under fail_closed, a rule that counts and whose text cannot be rendered is a hard
        // violation: nobody can approve, or act on, what they cannot read.
        if let Some((field, e)) = unrendered.filter(|_| fail_closed && counts) {
            let message = texts.keep(|| {
                format!("{message} ({field} could not be evaluated: {e}; counted as deny (fail closed))")
            });
            violations.push(Found {
                remediation,
                references: Some(&rule.references),
                ..Found::hard(Id::Policy(&rule.id), message)
            });
            continue;
        }
        let overridden_by = if rule.enforcement == Enforcement::Soft {
            change.approval_in_roles(override_roles(rule, &policy.decision)).map(|a| a.by.canonical())
        } else {
            None
        };
        violations.push(Found {
            rule: Id::Policy(&rule.id),
            enforcement: rule.enforcement,
            message,
            remediation,
            references: Some(&rule.references),
            overridden_by,
            dry_run: rule.dry_run,
        });
    }

    // `let`s that failed while something that counts read them: under fail_closed, each is a
    // hard violation named after it (the items that read it failed closed on their own too).
    for (name, message) in vars.failed_lets() {
        let id = format!("let.{name}");
        errors.push(EvaluationError {
            rule: id.clone(),
            field: String::from("let"),
            message: message.clone(),
        });
        if fail_closed {
            let message = texts.keep(|| {
                format!(
                    "`let` entry `{name}` could not be evaluated ({message}); counted as deny (fail closed)"
                )
            });
            violations.push(Found::hard(Id::Owned(id), message));
        }
    }

    Evaluated { score, level, factors, violations, errors }
}

fn violation_message<'a>(
    rule: &'a Rule,
    vars: &Vars<'a>,
    errors: &mut Vec<EvaluationError>,
    unrendered: &mut Option<(&'static str, String)>,
    texts: Texts,
    scratch: &mut String,
) -> String {
    match &rule.message {
        Some(t) => match texts.render(t, vars, scratch) {
            Ok(m) => m,
            Err(e) => {
                errors.push(error(&rule.id, "message", &e));
                *unrendered = Some(("message", e.message().to_owned()));
                texts.keep(|| t.source.clone())
            }
        },
        None if !rule.description.is_empty() => texts.keep(|| rule.description.clone()),
        None => texts.keep(|| format!("rule `{}` is violated", rule.id)),
    }
}

#[cfg(feature = "proptest")]
mod property;
#[cfg(feature = "proptest")]
pub(crate) use property::check_property;

mod replay;
pub(crate) use replay::{Replay, replay};

mod verdict;
use verdict::{Found, Hit, Id, Texts};
pub(crate) use verdict::{Verdict, verdict};

#[cfg(test)]
mod tests;
