//! The boolean operands of an expression, each compiled on its own from the expression's
//! syntax tree, and their observation.
//!
//! An operand is observed where the evaluator would reach it: the operands of `&&` and `||`
//! from left to right until one decides the chain (an error does not stop the chain), the
//! operand of `!` always, the branch of `?:` its condition chose. Operators inside the body of
//! a macro (`exists`, `all`, `map`…) are not observed one by one: the body runs once per
//! element, and the macro counts as one operand of the expression around it.

use crate::cel::syntax::{Expr, ExprKind, UnaryOp};
use crate::cel::{Activation, Budget, Env, Program, Type};
use crate::diagnostic::Span;

/// A subexpression and the operators directly inside it.
pub(super) struct Part {
    /// The subexpression's own program, when it is a boolean operand; with the index of its
    /// `true` goal (its `false` goal follows) unless it is a constant, which cannot be both.
    observed: Option<(Program, Option<usize>)>,
    /// The whole expression, when it is not a boolean: evaluated for what it reads (the
    /// `let` entries it computes), its value unused.
    whole: Option<Program>,
    nested: Vec<Gate>,
}

/// A boolean operator and its operands.
enum Gate {
    Logic { absorbing: bool, items: Vec<Part> },
    Not(Box<Part>),
    Cond(Box<[Part; 3]>),
}

/// A new operand goal: where it is and its text, given to the caller who numbers goals.
pub(super) trait Goals {
    /// Adds the `true` and `false` goals of the operand at `span`; returns the first index.
    fn operand(&mut self, span: Span) -> usize;
}

/// Builds the parts of one expression compiled in `env`.
pub(super) struct Builder<'e, G> {
    pub(super) env: &'e Env,
    pub(super) goals: G,
}

impl<G: Goals> Builder<'_, G> {
    /// The whole expression: observed when it is a boolean.
    pub(super) fn root(&mut self, ast: &Expr) -> Part {
        let program = self.env.compile_ast(ast, true).ok();
        let boolean = program.as_ref().is_some_and(|p| *p.result_type() == Type::Bool);
        let mut part = self.part(ast, boolean);
        if !boolean {
            part.whole = program;
        }
        part
    }

    fn part(&mut self, e: &Expr, boolean: bool) -> Part {
        let observed = if boolean {
            self.env.compile_ast(e, true).ok().map(|p| {
                let goal = p.constant().is_none().then(|| self.goals.operand(e.span));
                (p, goal)
            })
        } else {
            None
        };
        let mut nested = Vec::new();
        self.gates(e, &mut nested);
        Part { observed, whole: None, nested }
    }

    /// The operators directly inside `e` (not those inside their operands).
    fn gates(&mut self, e: &Expr, out: &mut Vec<Gate>) {
        match &e.kind {
            ExprKind::And(items) | ExprKind::Or(items) => {
                let absorbing = matches!(e.kind, ExprKind::Or(_));
                let items = items.iter().map(|i| self.part(i, true)).collect();
                out.push(Gate::Logic { absorbing, items });
            }
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                out.push(Gate::Not(Box::new(self.part(operand, true))));
            }
            ExprKind::Conditional { cond, then, otherwise } => {
                let branches_bool =
                    self.env.compile_ast(then, true).is_ok_and(|p| *p.result_type() == Type::Bool);
                let parts = [
                    self.part(cond, true),
                    self.part(then, branches_bool),
                    self.part(otherwise, branches_bool),
                ];
                out.push(Gate::Cond(Box::new(parts)));
            }
            // The body sees the macro's variables: only the range is evaluated in this scope.
            ExprKind::Macro(m) => self.gates(&m.target, out),
            _ => {
                for child in e.children() {
                    self.gates(child, out);
                }
            }
        }
    }
}

/// Evaluates parts against one assessment's variables, marking the goals observed.
pub(super) struct Observer<'o, 'a> {
    pub(super) activation: &'o dyn Activation<'a>,
    pub(super) limits: &'o crate::Limits,
    pub(super) hits: &'o mut [bool],
}

impl<'a> Observer<'_, 'a> {
    /// Marks `goal` observed.
    pub(super) fn hit(&mut self, goal: Option<usize>) {
        if let Some(hit) = goal.and_then(|g| self.hits.get_mut(g)) {
            *hit = true;
        }
    }

    /// Observes `part` and what it contains; returns its value when it is a boolean operand.
    pub(super) fn part(&mut self, part: &'a Part) -> Option<Result<bool, ()>> {
        let value = part.observed.as_ref().map(|(program, goal)| {
            let budget = Budget::with_limits(self.limits);
            let value = program.evaluate_bool_with(self.activation, &budget).map_err(drop);
            if let (Some(goal), Ok(b)) = (goal, &value)
                && let Some(hit) = self.hits.get_mut(goal + usize::from(!*b))
            {
                *hit = true;
            }
            value
        });
        if let Some(program) = &part.whole {
            let budget = Budget::with_limits(self.limits);
            drop(program.evaluate_with(self.activation, &budget));
        }
        for gate in &part.nested {
            self.gate(gate);
        }
        value
    }

    fn gate(&mut self, gate: &'a Gate) {
        match gate {
            Gate::Logic { absorbing, items } => {
                for item in items {
                    if self.part(item) == Some(Ok(*absorbing)) {
                        break;
                    }
                }
            }
            Gate::Not(p) => {
                self.part(p);
            }
            Gate::Cond(parts) => {
                let [cond, then, otherwise] = &**parts;
                match self.part(cond) {
                    Some(Ok(true)) => self.part(then),
                    Some(Ok(false)) => self.part(otherwise),
                    _ => None,
                };
            }
        }
    }
}
