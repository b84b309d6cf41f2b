//! What an expression refers to: free identifiers (for `let` dependencies and unused-entry
//! warnings) and the `params` keys it reads.

use crate::cel::syntax::{Expr, ExprKind, MacroKind};
use crate::diagnostic::Span;

/// Free identifiers of `e` (those not bound by a macro), with their spans, in source order.
pub(crate) fn free_idents(e: &Expr) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut bound = Vec::new();
    walk(e, &mut bound, &mut out);
    out
}

fn walk(e: &Expr, bound: &mut Vec<String>, out: &mut Vec<(String, Span)>) {
    match &e.kind {
        ExprKind::Ident { name, .. } => {
            if !bound.contains(&name.name) {
                out.push((name.name.clone(), name.span));
            }
        }
        ExprKind::Select { operand, .. }
        | ExprKind::OptSelect { operand, .. }
        | ExprKind::OptElement(operand)
        | ExprKind::Unary { operand, .. } => walk(operand, bound, out),
        ExprKind::Index { operand, index } | ExprKind::OptIndex { operand, index } => {
            walk(operand, bound, out);
            walk(index, bound, out);
        }
        ExprKind::Call { target, args, .. } => {
            if let Some(t) = target {
                walk(t, bound, out);
            }
            for a in args {
                walk(a, bound, out);
            }
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            walk(lhs, bound, out);
            walk(rhs, bound, out);
        }
        ExprKind::And(items) | ExprKind::Or(items) | ExprKind::List(items) => {
            for i in items {
                walk(i, bound, out);
            }
        }
        ExprKind::Conditional { cond, then, otherwise } => {
            walk(cond, bound, out);
            walk(then, bound, out);
            walk(otherwise, bound, out);
        }
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                walk(k, bound, out);
                walk(v, bound, out);
            }
        }
        ExprKind::Struct { fields, .. } => {
            for (_, v) in fields {
                walk(v, bound, out);
            }
        }
        ExprKind::Macro(m) => {
            walk(&m.target, bound, out);
            if m.kind != MacroKind::Has {
                let before = bound.len();
                bound.extend(m.vars.iter().map(|v| v.name.clone()));
                for a in &m.args {
                    walk(a, bound, out);
                }
                bound.truncate(before);
            }
        }
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Uint(_)
        | ExprKind::Double(_)
        | ExprKind::String(_)
        | ExprKind::Bytes(_)
        | ExprKind::Error => {}
    }
}

/// The keys of `params` that `e` reads as `params.key` or `params["key"]`; `None` when it
/// uses `params` as a whole (so that every key counts as used).
pub(crate) fn param_keys(e: &Expr, out: &mut Vec<String>) -> Option<()> {
    let mut whole = false;
    collect_params(e, out, &mut whole);
    (!whole).then_some(())
}

fn is_params(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Ident { name, .. } if name.name == "params")
}

fn collect_params(e: &Expr, out: &mut Vec<String>, whole: &mut bool) {
    match &e.kind {
        ExprKind::Select { operand, field } | ExprKind::OptSelect { operand, field }
            if is_params(operand) =>
        {
            out.push(field.name.clone());
        }
        ExprKind::Index { operand, index } | ExprKind::OptIndex { operand, index } if is_params(operand) => {
            match &index.kind {
                ExprKind::String(k) => out.push(k.clone()),
                _ => {
                    *whole = true;
                    collect_params(index, out, whole);
                }
            }
        }
        ExprKind::Macro(m) if m.kind == MacroKind::Has && is_params(&m.target) => {
            if let Some(f) = &m.field {
                out.push(f.name.clone());
            }
        }
        ExprKind::Ident { name, .. } if name.name == "params" => *whole = true,
        _ => for_each_child(e, |c| collect_params(c, out, whole)),
    }
}

fn for_each_child(e: &Expr, mut f: impl FnMut(&Expr)) {
    match &e.kind {
        ExprKind::Select { operand, .. }
        | ExprKind::OptSelect { operand, .. }
        | ExprKind::OptElement(operand)
        | ExprKind::Unary { operand, .. } => f(operand),
        ExprKind::Index { operand, index } | ExprKind::OptIndex { operand, index } => {
            f(operand);
            f(index);
        }
        ExprKind::Call { target, args, .. } => {
            if let Some(t) = target {
                f(t);
            }
            args.iter().for_each(&mut f);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        ExprKind::And(items) | ExprKind::Or(items) | ExprKind::List(items) => items.iter().for_each(&mut f),
        ExprKind::Conditional { cond, then, otherwise } => {
            f(cond);
            f(then);
            f(otherwise);
        }
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                f(k);
                f(v);
            }
        }
        ExprKind::Struct { fields, .. } => fields.iter().for_each(|(_, v)| f(v)),
        ExprKind::Macro(m) => {
            f(&m.target);
            m.args.iter().for_each(&mut f);
        }
        _ => {}
    }
}
