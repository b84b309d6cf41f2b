//! The checker: names, types and overloads resolved, the compiled [`Node`] tree built.
//!
//! Checking and compiling are one pass: each syntax node yields its static type and its
//! compiled form. Errors are collected (every one is reported) and a failing subexpression
//! compiles to a node that fails at run time, so that checking can go on around it.

mod calls;
mod fold;
mod format_args;
mod macros;
mod names;
mod optional;
mod prepare;
mod special;
mod wrappers;

use std::collections::BTreeSet;

use super::env::Env;
use super::ir::Node;
use super::syntax::{Expr, ExprKind};
use super::types::{Type, join};
use super::value::{EvalError, Value};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

/// The least that constant folding may spend on one expression, whatever the evaluation
/// limit: constants are computed once, at load time.
const FOLD_FLOOR: u64 = 100_000;

/// What checking an expression produced.
pub(crate) struct Output {
    pub(crate) node: Node,
    pub(crate) ty: Type,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) references: Vec<usize>,
}

/// A checked subexpression.
pub(crate) struct Typed {
    pub(crate) node: Node,
    pub(crate) ty: Type,
}

impl Typed {
    fn new(node: Node, ty: Type) -> Self {
        Typed { node, ty }
    }

    fn constant(v: Value<'static>, ty: Type) -> Self {
        Typed { node: Node::Const(v), ty }
    }
}

/// Comprehension variables in scope at one nesting level.
struct LocalScope {
    names: Vec<String>,
    types: Vec<Type>,
}

pub(crate) struct Checker<'e> {
    env: &'e Env,
    checked: bool,
    diags: Vec<Diagnostic>,
    scopes: Vec<LocalScope>,
    references: BTreeSet<usize>,
    /// What constant folding may spend on this expression.
    fold_budget: crate::cel::eval::Budget,
    /// Set when folding ran out of budget.
    fold_exhausted: bool,
    /// The first error of a fold that would have built a value over the size limit.
    fold_too_large: Option<crate::cel::value::EvalError>,
}

/// Checks and compiles `ast` against `env`.
pub(crate) fn check(env: &Env, ast: &Expr, checked: bool) -> Output {
    let mut c = Checker {
        env,
        checked,
        diags: Vec::new(),
        scopes: Vec::new(),
        references: BTreeSet::new(),
        fold_budget: crate::cel::eval::Budget::with_limits(&crate::Limits {
            max_eval_cost: env.limits().max_eval_cost.max(FOLD_FLOOR),
            ..env.limits().clone()
        }),
        fold_exhausted: false,
        fold_too_large: None,
    };
    let t = c.expr(ast);
    if c.fold_exhausted {
        c.diags.push(
            Diagnostic::error(
                DiagnosticKind::LimitExceeded,
                format!(
                    "limit exceeded: this constant expression costs more than {} steps to compute",
                    c.fold_budget.limit()
                ),
            )
            .with_span(ast.span)
            .with_help("it would exceed the budget at every evaluation; simplify it"),
        );
    }
    if let Some(e) = c.fold_too_large.take() {
        c.diags.push(
            Diagnostic::error(
                DiagnosticKind::LimitExceeded,
                format!("{e} while computing this constant expression"),
            )
            .with_span(ast.span)
            .with_help("it would exceed the limit at every evaluation; simplify it"),
        );
    }
    Output { node: t.node, ty: t.ty, diagnostics: c.diags, references: c.references.into_iter().collect() }
}

impl Checker<'_> {
    fn error(&mut self, kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Typed {
        let message = message.into();
        self.diags.push(Diagnostic::error(kind, message.clone()).with_span(span));
        failed(message)
    }

    fn error_help(
        &mut self,
        kind: DiagnosticKind,
        span: Span,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Typed {
        let message = message.into();
        let mut d = Diagnostic::error(kind, message.clone()).with_span(span);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
        failed(message)
    }

    /// The type to report for a subexpression: itself when checking, `dyn` otherwise.
    fn ty(&self, t: Type) -> Type {
        if self.checked { t } else { Type::Dyn }
    }

    pub(crate) fn expr(&mut self, e: &Expr) -> Typed {
        let t = self.expr_inner(e);
        Typed { ty: self.ty(t.ty), node: t.node }
    }

    fn expr_inner(&mut self, e: &Expr) -> Typed {
        match &e.kind {
            ExprKind::Null => Typed::constant(Value::Null, Type::Null),
            ExprKind::Bool(b) => Typed::constant(Value::Bool(*b), Type::Bool),
            ExprKind::Int(i) => Typed::constant(Value::Int(*i), Type::Int),
            ExprKind::Uint(u) => Typed::constant(Value::Uint(*u), Type::Uint),
            ExprKind::Double(d) => Typed::constant(Value::Double(*d), Type::Double),
            ExprKind::String(s) => Typed::constant(Value::string(s.as_str()), Type::String),
            ExprKind::Bytes(b) => Typed::constant(Value::bytes(b.as_slice()), Type::Bytes),
            ExprKind::Ident { name, .. } => self.ident(&name.name, name.span),
            ExprKind::Select { operand, field } => self.select(e, operand, field),
            ExprKind::Index { operand, index } => self.index(operand, index, e.span),
            ExprKind::OptSelect { operand, field } => {
                let target = self.expr(operand);
                self.opt_select_typed(target, field)
            }
            ExprKind::OptIndex { operand, index } => {
                let (c, i) = (self.expr(operand), self.expr(index));
                self.opt_index_typed(c, i, index.span, e.span)
            }
            ExprKind::OptElement(_) => self.error(
                DiagnosticKind::Unsupported,
                e.span,
                "an optional element `?e` can only be an element of a list or a map literal",
            ),
            ExprKind::Call { target, function, args } => self.call(target.as_deref(), function, args, e.span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
            ExprKind::Binary { op, op_span, lhs, rhs } => self.binary(*op, *op_span, lhs, rhs),
            ExprKind::And(items) => self.logic(items, false),
            ExprKind::Or(items) => self.logic(items, true),
            ExprKind::Conditional { cond, then, otherwise } => self.conditional(cond, then, otherwise),
            ExprKind::List(items) => self.list(items),
            ExprKind::Map(entries) => self.map(entries),
            ExprKind::Struct { name, fields } => self.message(name, fields),
            ExprKind::Macro(m) => self.macro_call(m, e.span),
            ExprKind::Error => failed("invalid expression"),
        }
    }

    fn conditional(&mut self, cond: &Expr, then: &Expr, otherwise: &Expr) -> Typed {
        let c = self.expr(cond);
        if !matches!(c.ty, Type::Bool | Type::Dyn) {
            self.diags.push(
                Diagnostic::error(
                    DiagnosticKind::TypeMismatch,
                    format!("the condition of `?:` must be a `bool`, found `{}`", c.ty),
                )
                .with_span(cond.span),
            );
        }
        let t = self.expr(then);
        let o = self.expr(otherwise);
        let ty = join(&t.ty, &o.ty);
        if let Some(Value::Bool(b)) = c.node.as_const() {
            return if *b { Typed::new(t.node, ty) } else { Typed::new(o.node, ty) };
        }
        Typed::new(Node::Cond(Box::new([c.node, t.node, o.node])), ty)
    }

    fn logic(&mut self, items: &[Expr], is_or: bool) -> Typed {
        let op = if is_or { "||" } else { "&&" };
        let mut nodes = Vec::with_capacity(items.len());
        let mut all_bool = true;
        let mut absorbed = false;
        for item in items {
            // Every operand is checked, even after an absorbing constant: `true || x` still
            // reports an unknown `x`.
            let t = self.expr(item);
            match t.ty {
                Type::Bool => {}
                Type::Dyn => all_bool = false,
                ref other => {
                    all_bool = false;
                    self.diags.push(
                        Diagnostic::error(
                            DiagnosticKind::TypeMismatch,
                            format!("the operands of `{op}` must be `bool`, found `{other}`"),
                        )
                        .with_span(item.span),
                    );
                }
            }
            match t.node.as_const() {
                _ if absorbed => {}
                // The absorbing value decides the whole chain, errors included.
                Some(Value::Bool(b)) if *b == is_or => absorbed = true,
                // The neutral value changes nothing.
                Some(Value::Bool(_)) => {}
                _ => nodes.push(t.node),
            }
        }
        if absorbed {
            return Typed::constant(Value::Bool(is_or), Type::Bool);
        }
        if nodes.is_empty() {
            return Typed::constant(Value::Bool(!is_or), Type::Bool);
        }
        // Merged string tests give bools, whatever the type of the variable they read.
        let before = nodes.len();
        let mut nodes = special::merge_string_tests(nodes, is_or);
        let all_bool = all_bool || (nodes.len() == 1 && before > 1);
        if nodes.len() == 1
            && all_bool
            && let Some(only) = nodes.pop()
        {
            return Typed::new(only, Type::Bool);
        }
        let node = if is_or { Node::Or(nodes.into()) } else { Node::And(nodes.into()) };
        Typed::new(node, Type::Bool)
    }

    fn list(&mut self, items: &[Expr]) -> Typed {
        if items.iter().any(|i| matches!(i.kind, ExprKind::OptElement(_))) {
            return self.list_with_optionals(items);
        }
        let typed: Vec<Typed> = items.iter().map(|i| self.expr(i)).collect();
        let elem = super::types::join_all(typed.iter().map(|t| t.ty.clone()));
        let nodes: Vec<Node> = typed.into_iter().map(|t| t.node).collect();
        let node = Node::List(nodes.into());
        fold::fold(self, Typed::new(node, Type::list(elem)))
    }

    fn map(&mut self, entries: &[(Expr, Expr)]) -> Typed {
        let optional: Vec<bool> =
            entries.iter().map(|(_, v)| matches!(v.kind, ExprKind::OptElement(_))).collect();
        let mut nodes = Vec::with_capacity(entries.len());
        let mut key_types = Vec::with_capacity(entries.len());
        let mut value_types = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let kt = self.expr(k);
            if !kt.ty.is_key() {
                self.diags.push(
                    Diagnostic::error(
                        DiagnosticKind::TypeMismatch,
                        format!("a map key must be a `bool`, `int`, `uint` or `string`, found `{}`", kt.ty),
                    )
                    .with_span(k.span),
                );
            }
            let vt = match &v.kind {
                ExprKind::OptElement(inner) => self.optional_element(inner),
                _ => self.expr(v),
            };
            key_types.push(kt.ty);
            value_types.push(vt.ty);
            nodes.push((kt.node, vt.node));
        }
        let ty = Type::map(
            super::types::join_all(key_types.into_iter()),
            super::types::join_all(value_types.into_iter()),
        );
        let node = if optional.contains(&true) {
            Node::MapOpt { entries: nodes.into(), optional: optional.into() }
        } else {
            Node::Map(nodes.into())
        };
        fold::fold(self, Typed::new(node, ty))
    }
}

/// A node that fails at run time with `message` (used after reporting a diagnostic).
fn failed(message: impl Into<String>) -> Typed {
    Typed::new(Node::Fail(EvalError::invalid_argument(message)), Type::Dyn)
}

/// A node that fails at run time with an error of `kind`.
fn failed_with(kind: crate::cel::EvalErrorKind, message: impl Into<String>) -> Typed {
    Typed::new(Node::Fail(EvalError::new(kind, message)), Type::Dyn)
}
