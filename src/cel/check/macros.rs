//! Macros: `has()` and the comprehensions.

use super::{Checker, LocalScope, Typed, fold};
use crate::cel::ir::{Comprehension, IterKind, Node};
use crate::cel::syntax::{Expr, ExprKind, Ident, Macro, MacroKind};
use crate::cel::types::Type;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

/// The hidden variable holding the value of a map entry when `m.all(k, m[k] …)` is rewritten
/// to iterate entries (no identifier can be spelt with a space).
const ENTRY_VALUE: &str = " value";

/// Whether values of type `t` can be `sortBy` keys.
fn sort_key(t: &Type) -> bool {
    matches!(
        t,
        Type::Int
            | Type::Uint
            | Type::Double
            | Type::Bool
            | Type::String
            | Type::Bytes
            | Type::Timestamp
            | Type::Duration
            | Type::Dyn
    )
}

/// The dotted name of a chain of identifiers and field selections, if it is one.
fn dotted(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Ident { name, .. } => Some(name.name.clone()),
        ExprKind::Select { operand, field } => Some(format!("{}.{}", dotted(operand)?, field.name)),
        _ => None,
    }
}

/// `e` with every `range[var]` replaced by the entry-value variable, outside scopes that bind
/// `var` again; `None` when there is no such index.
fn rewrite_lookups(e: &Expr, range: &str, var: &str) -> Option<Expr> {
    let mut found = false;
    let out = rewrite(e, range, var, &mut found);
    found.then_some(out)
}

fn rewrite(e: &Expr, range: &str, var: &str, found: &mut bool) -> Expr {
    let mut go = |x: &Expr| rewrite(x, range, var, found);
    let kind = match &e.kind {
        ExprKind::Index { operand, index }
            if matches!(&index.kind, ExprKind::Ident { name, .. } if name.name == var)
                && dotted(operand).as_deref() == Some(range) =>
        {
            *found = true;
            ExprKind::Ident { name: Ident { name: ENTRY_VALUE.to_owned(), span: e.span }, absolute: false }
        }
        ExprKind::Select { operand, field } => {
            ExprKind::Select { operand: Box::new(go(operand)), field: field.clone() }
        }
        ExprKind::Index { operand, index } => {
            ExprKind::Index { operand: Box::new(go(operand)), index: Box::new(go(index)) }
        }
        ExprKind::Call { target, function, args } => ExprKind::Call {
            target: target.as_ref().map(|t| Box::new(go(t))),
            function: function.clone(),
            args: args.iter().map(&mut go).collect(),
        },
        ExprKind::Unary { op, operand } => ExprKind::Unary { op: *op, operand: Box::new(go(operand)) },
        ExprKind::Binary { op, op_span, lhs, rhs } => {
            ExprKind::Binary { op: *op, op_span: *op_span, lhs: Box::new(go(lhs)), rhs: Box::new(go(rhs)) }
        }
        ExprKind::And(items) => ExprKind::And(items.iter().map(&mut go).collect()),
        ExprKind::Or(items) => ExprKind::Or(items.iter().map(&mut go).collect()),
        ExprKind::List(items) => ExprKind::List(items.iter().map(&mut go).collect()),
        ExprKind::Conditional { cond, then, otherwise } => ExprKind::Conditional {
            cond: Box::new(go(cond)),
            then: Box::new(go(then)),
            otherwise: Box::new(go(otherwise)),
        },
        ExprKind::Map(entries) => ExprKind::Map(entries.iter().map(|(k, v)| (go(k), go(v))).collect()),
        // A nested macro that binds `var` (or reads the map through another name) is left alone.
        ExprKind::Macro(inner)
            if inner.vars.iter().any(|v| {
                v.name == var || v.name == ENTRY_VALUE || range.split('.').next() == Some(v.name.as_str())
            }) =>
        {
            e.kind.clone()
        }
        ExprKind::Macro(inner) => {
            let mut m = (**inner).clone();
            m.target = go(&inner.target);
            m.args = inner.args.iter().map(&mut go).collect();
            ExprKind::Macro(Box::new(m))
        }
        other => other.clone(),
    };
    Expr::new(e.span, kind)
}

impl Checker<'_> {
    pub(super) fn macro_call(&mut self, m: &Macro, span: Span) -> Typed {
        match m.kind {
            MacroKind::Has => return self.has(m, span),
            MacroKind::Bind | MacroKind::OptMap | MacroKind::OptFlatMap => {
                return self.binding_macro(m, span);
            }
            _ => {}
        }
        let range = self.expr(&m.target);
        // `m.all(k, m[k] == v)`: iterate the entries instead of looking every key up again.
        if let ([var], Type::Map(..), Some(name)) = (m.vars.as_slice(), &range.ty, dotted(&m.target))
            && matches!(
                m.kind,
                MacroKind::All
                    | MacroKind::Exists
                    | MacroKind::ExistsOne
                    | MacroKind::Filter
                    | MacroKind::Map
            )
        {
            let rewritten: Option<Vec<Expr>> = {
                let mut any = false;
                let args = m.args.iter().map(|a| match rewrite_lookups(a, &name, &var.name) {
                    Some(r) => {
                        any = true;
                        r
                    }
                    None => a.clone(),
                });
                let args: Vec<Expr> = args.collect();
                any.then_some(args)
            };
            if let Some(args) = rewritten {
                let pairs = Macro {
                    kind: m.kind,
                    target: m.target.clone(),
                    field: None,
                    vars: vec![var.clone(), Ident { name: ENTRY_VALUE.to_owned(), span: var.span }],
                    args,
                };
                return self.macro_call(&pairs, span);
            }
        }
        let two = m.vars.len() == 2;
        let (t0, t1) = match &range.ty {
            Type::List(e) => {
                if two {
                    (Type::Int, (**e).clone())
                } else {
                    ((**e).clone(), Type::Dyn)
                }
            }
            Type::Map(k, v) => ((**k).clone(), if two { (**v).clone() } else { Type::Dyn }),
            Type::Dyn | Type::Param(_) => (Type::Dyn, Type::Dyn),
            other => {
                return self.error(
                    DiagnosticKind::TypeMismatch,
                    m.target.span,
                    format!("`{}` needs a list or a map, found `{other}`", m.kind.name()),
                );
            }
        };
        if let [first, second] = m.vars.as_slice()
            && first.name == second.name
        {
            return self.error(
                DiagnosticKind::InvalidMacro,
                second.span,
                format!("the two variables of `{}` must have different names", m.kind.name()),
            );
        }
        self.scopes.push(LocalScope {
            names: m.vars.iter().map(|v| v.name.clone()).collect(),
            types: vec![t0.clone(), t1],
        });
        let args: Vec<Typed> = m.args.iter().map(|a| self.expr(a)).collect();
        self.scopes.pop();

        let kind = match m.kind {
            MacroKind::All => IterKind::All,
            MacroKind::Exists => IterKind::Exists,
            MacroKind::ExistsOne => IterKind::ExistsOne,
            MacroKind::Map => IterKind::Map,
            MacroKind::Filter => IterKind::Filter,
            MacroKind::TransformList => IterKind::TransformList,
            MacroKind::TransformMap => IterKind::TransformMap,
            MacroKind::TransformMapEntry => IterKind::TransformMapEntry,
            MacroKind::SortBy => IterKind::SortBy,
            MacroKind::Has | MacroKind::Bind | MacroKind::OptMap | MacroKind::OptFlatMap => {
                return self.has(m, span);
            }
        };
        let predicate_kinds =
            matches!(kind, IterKind::All | IterKind::Exists | IterKind::ExistsOne | IterKind::Filter);
        let mut args = args.into_iter();
        let (filter, body) = match (args.next(), args.next()) {
            (Some(only), None) => (None, only),
            (Some(f), Some(b)) => (Some(f), b),
            _ => {
                return self.error(
                    DiagnosticKind::InvalidMacro,
                    span,
                    format!("`{}` is missing its expression", m.kind.name()),
                );
            }
        };
        if let Some(f) = &filter {
            self.expect_bool(f, m.args.first().map_or(span, |a| a.span), m.kind);
        }
        if predicate_kinds {
            self.expect_bool(&body, m.args.last().map_or(span, |a| a.span), m.kind);
        }
        let ty = match kind {
            IterKind::All | IterKind::Exists | IterKind::ExistsOne => Type::Bool,
            IterKind::Map | IterKind::TransformList => Type::list(body.ty.clone()),
            IterKind::Filter => Type::list(t0),
            IterKind::TransformMap => Type::map(t0, body.ty.clone()),
            IterKind::TransformMapEntry => match &body.ty {
                Type::Map(..) => body.ty.clone(),
                Type::Dyn => Type::map(Type::Dyn, Type::Dyn),
                other => {
                    let span = m.args.last().map_or(span, |a| a.span);
                    return self.error(
                        DiagnosticKind::TypeMismatch,
                        span,
                        format!("the expression of `transformMapEntry` must give a map, found `{other}`"),
                    );
                }
            },
            IterKind::SortBy => {
                if !matches!(range.ty, Type::List(_) | Type::Dyn) {
                    return self.error(
                        DiagnosticKind::TypeMismatch,
                        m.target.span,
                        format!("`sortBy` needs a list, found `{}`", range.ty),
                    );
                }
                if !sort_key(&body.ty) {
                    let span = m.args.last().map_or(span, |a| a.span);
                    return self.error(
                        DiagnosticKind::TypeMismatch,
                        span,
                        format!("the key of `sortBy` must be a number, bool, string, bytes, timestamp or duration, found `{}`", body.ty),
                    );
                }
                Type::list(t0)
            }
        };
        let node = Node::Comprehension(Box::new(Comprehension {
            kind,
            range: range.node,
            two_vars: two,
            filter: filter.map(|f| f.node),
            body: body.node,
        }));
        fold::fold(self, Typed::new(node, ty))
    }

    fn expect_bool(&mut self, t: &Typed, span: Span, kind: MacroKind) {
        if !matches!(t.ty, Type::Bool | Type::Dyn) {
            self.diags.push(
                Diagnostic::error(
                    DiagnosticKind::TypeMismatch,
                    format!("the condition of `{}` must be a `bool`, found `{}`", kind.name(), t.ty),
                )
                .with_span(span),
            );
        }
    }

    fn has(&mut self, m: &Macro, span: Span) -> Typed {
        let Some(field) = &m.field else {
            return self.error(
                DiagnosticKind::InvalidMacro,
                span,
                "`has()` needs a field selection like `has(x.f)`",
            );
        };
        let target = self.expr(&m.target);
        match self.field(&target.ty, field, true) {
            Ok((field_ref, _)) => {
                fold::fold(self, Typed::new(Node::Has(Box::new(target.node), field_ref), Type::Bool))
            }
            Err(t) => t,
        }
    }
}
