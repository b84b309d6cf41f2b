//! The goals of a policy and their observation, assessment after assessment.

use std::collections::HashMap;

use super::probe::{Builder, Goals, Observer, Part};
use super::{Coverage, Goal, GoalKind};
use crate::cel::{Program, syntax};
use crate::diagnostic::Span;
use crate::input::{Change, Context};
use crate::policy::assess::{Replay, assess, replay};
use crate::policy::assessment::Assessment;
use crate::policy::model::{CompiledPolicy, Outcome, Points, constant_bool};
use crate::policy::sources::{ExprSource, Sources};
use crate::topology::Topology;

/// Adds the goals of one expression's operands.
struct Sink<'g> {
    goals: &'g mut Vec<Goal>,
    source: &'g ExprSource,
    sources: &'g Sources,
}

impl Goals for Sink<'_> {
    fn operand(&mut self, span: Span) -> usize {
        let first = self.goals.len();
        let text = self
            .source
            .text
            .value
            .get(span.start as usize..span.end as usize)
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        let at = self.sources.line_col(self.source.offset(span));
        for kind in [GoalKind::True, GoalKind::False] {
            self.goals.push(Goal {
                item: self.source.path.clone(),
                kind,
                text: text.clone(),
                line: at.line,
                column: at.col,
                covered: false,
            });
        }
        first
    }
}

/// The parts to observe and the goals of the items.
struct Probes {
    /// The parts of each expression, by path (a message has one per interpolation).
    exprs: HashMap<String, Vec<Part>>,
    /// Per factor: the goals fired and not fired.
    factors: Vec<[Option<usize>; 2]>,
    /// Per rule: the goals not applicable, satisfied and violated.
    rules: Vec<[Option<usize>; 3]>,
    /// The goals of the three outcomes, in [`Outcome::ALL`] order.
    outcomes: usize,
}

/// Per factor: fired, not fired; per rule: not applicable, satisfied, violated; each seen or
/// not (`None`: impossible).
pub(crate) type ItemsSeen = (Vec<[Option<bool>; 2]>, Vec<[Option<bool>; 3]>);

/// Measures the coverage of a policy by the assessments made through it.
pub(crate) struct Recorder<'p> {
    policy: &'p CompiledPolicy,
    probes: Probes,
    goals: Vec<Goal>,
    hits: Vec<bool>,
}

fn constant(p: Option<&Program>) -> Option<bool> {
    p.and_then(constant_bool)
}

impl<'p> Recorder<'p> {
    pub(crate) fn new(policy: &'p CompiledPolicy) -> Self {
        let sources = &policy.sources;
        let mut goals = Vec::new();
        let mut exprs: HashMap<String, Vec<Part>> = HashMap::new();
        for source in &sources.exprs {
            let Some(env) = sources.env(source.env) else { continue };
            let Ok(ast) = syntax::parse(&source.text.value, &policy.limits) else { continue };
            let part = Builder { env, goals: Sink { goals: &mut goals, source, sources } }.root(&ast);
            exprs.entry(source.path.clone()).or_default().push(part);
        }
        let item =
            |goals: &mut Vec<Goal>, path: String, span: Option<&Span>, kind: GoalKind, possible: bool| {
                if !possible {
                    return None;
                }
                let at = span.map(|s| sources.line_col(s.start));
                goals.push(Goal {
                    item: path,
                    kind,
                    text: None,
                    line: at.map_or(0, |a| a.line),
                    column: at.map_or(0, |a| a.col),
                    covered: false,
                });
                Some(goals.len() - 1)
            };
        let mut factors = Vec::with_capacity(policy.factors.len());
        for (i, f) in policy.factors.iter().enumerate() {
            let (path, span) = (format!("risk[{}]", f.id), sources.factors.get(i));
            let when = constant(f.when.as_ref());
            factors.push([
                item(&mut goals, path.clone(), span, GoalKind::Fired, when != Some(false)),
                item(&mut goals, path, span, GoalKind::NotFired, f.when.is_some() && when != Some(true)),
            ]);
        }
        let mut rules = Vec::with_capacity(policy.rules.len());
        for (i, r) in policy.rules.iter().enumerate() {
            let (path, span) = (format!("rule[{}]", r.id), sources.rules.get(i));
            let (when, require) = (constant(r.when.as_ref()), constant(Some(&r.require)));
            let applies = when != Some(false);
            rules.push([
                item(&mut goals, path.clone(), span, GoalKind::NotApplicable, r.when.is_some() && applies),
                item(&mut goals, path.clone(), span, GoalKind::Satisfied, applies && require != Some(false)),
                item(&mut goals, path, span, GoalKind::Violated, applies && require != Some(true)),
            ]);
        }
        let outcomes = goals.len();
        for o in Outcome::ALL {
            item(&mut goals, String::from("decision"), None, GoalKind::of_outcome(*o), true);
        }
        let hits = vec![false; goals.len()];
        Recorder { policy, probes: Probes { exprs, factors, rules, outcomes }, goals, hits }
    }

    /// Assesses the inputs, as [`crate::Policy::assess`] does, and observes the goals.
    pub(crate) fn assess(&mut self, change: &Change, topology: &Topology, context: &Context) -> Assessment {
        let policy = self.policy;
        let a = assess(policy, &policy.limits, change, topology, context);
        let hits = &mut self.hits;
        replay(policy, (change, topology, context), &a, &self.probes, |r, probes| {
            let mut observer = Observer { activation: r.activation(), limits: &policy.limits, hits };
            probes.observe(&mut observer, r, policy, &a);
        });
        a
    }

    /// Per factor, whether it was seen fired and not fired; per rule, whether it was seen not
    /// applicable, satisfied and violated (`None`: the goal is impossible).
    #[cfg_attr(not(feature = "proptest"), allow(dead_code))]
    pub(crate) fn items(&self) -> ItemsSeen {
        let seen = |g: &Option<usize>| g.map(|g| self.hits.get(g).copied().unwrap_or(false));
        let factors = self.probes.factors.iter().map(|goals| goals.each_ref().map(seen)).collect();
        let rules = self.probes.rules.iter().map(|goals| goals.each_ref().map(seen)).collect();
        (factors, rules)
    }

    /// The coverage of the assessments made so far, goals in the order of the text.
    pub(crate) fn finish(self) -> Coverage {
        let mut goals: Vec<Goal> =
            self.goals.into_iter().zip(self.hits).map(|(g, covered)| Goal { covered, ..g }).collect();
        goals.sort_by_key(|g| (g.line == 0, g.line, g.column));
        Coverage { goals }
    }
}

impl Probes {
    /// Observes the parts of the expression at `path`; the value of the first, when it is a
    /// boolean.
    fn expr<'a>(&'a self, o: &mut Observer<'_, 'a>, path: &str) -> Option<Result<bool, ()>> {
        let mut first = None;
        for (i, part) in self.exprs.get(path).into_iter().flatten().enumerate() {
            let value = o.part(part);
            if i == 0 {
                first = value;
            }
        }
        first
    }

    fn observe<'a>(
        &'a self,
        o: &mut Observer<'_, 'a>,
        replay: &Replay<'_, 'a>,
        policy: &CompiledPolicy,
        a: &Assessment,
    ) {
        for (f, goals) in policy.factors.iter().zip(&self.factors) {
            let path = format!("risk[{}]", f.id);
            let when = match f.when {
                Some(_) => self.expr(o, &format!("{path}.when")),
                None => Some(Ok(true)),
            };
            let fired = a.risk.factors.iter().any(|h| h.id == f.id);
            let [yes, no] = goals;
            o.hit(if fired { *yes } else { *no });
            if when == Some(Ok(true)) && matches!(f.points, Points::Expr(_)) {
                self.expr(o, &format!("{path}.points"));
            }
            if fired {
                self.expr(o, &format!("{path}.reason"));
            }
        }
        for (r, goals) in policy.rules.iter().zip(&self.rules) {
            let path = format!("rule[{}]", r.id);
            let when = match r.when {
                Some(_) => self.expr(o, &format!("{path}.when")),
                None => Some(Ok(true)),
            };
            let require =
                if when == Some(Ok(true)) { self.expr(o, &format!("{path}.require")) } else { None };
            let violated = a.violations.iter().any(|v| v.rule == r.id);
            let [not_applicable, satisfied, violated_goal] = goals;
            o.hit(match (violated, when) {
                (true, _) => *violated_goal,
                (false, Some(Ok(false))) => *not_applicable,
                (false, _) => *satisfied,
            });
            if require == Some(Ok(false)) {
                self.expr(o, &format!("{path}.message"));
            }
            if violated {
                self.expr(o, &format!("{path}.remediation"));
            }
        }
        let index = Outcome::ALL.iter().position(|x| *x == a.outcome).unwrap_or(0);
        o.hit(Some(self.outcomes + index));
        // The `let` entries the assessment computed (reading one may compute others).
        let mut done = vec![false; policy.lets.len()];
        loop {
            let todo: Vec<usize> =
                replay.computed_lets().into_iter().filter(|i| done.get(*i) == Some(&false)).collect();
            if todo.is_empty() {
                break;
            }
            for i in todo {
                if let (Some(d), Some(l)) = (done.get_mut(i), policy.lets.get(i)) {
                    *d = true;
                    self.expr(o, &format!("let.{}", l.name));
                }
            }
        }
    }
}
