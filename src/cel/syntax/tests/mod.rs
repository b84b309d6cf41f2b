//! Tests of the CEL lexer and parser.
//!
//! Trees are compared as S-expressions (see [`sexpr`]), errors as (kind, message, help, span)
//! tuples, both through table runners that report every failing case at once.

mod errors;
mod grammar;
mod limits;
mod literal_errors;
mod literals;

use super::ast::{Expr, ExprKind, UnaryOp};
use super::parse;
use crate::Limits;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};
use std::fmt::Write as _;

/// The help of an invalid escape such as `\q`.
pub(super) const ESCAPE_HELP: Option<&str> =
    Some(r"write `\\` for a backslash, or use a raw string such as `r'\d+'`");

/// Renders a tree compactly:
///
/// | node | rendering |
/// |------|-----------|
/// | literals | `null`, `true`, `1`, `1u`, `1.5`, `"s"` (Rust escapes), `b"\xff"` |
/// | identifiers | `x`, `.x` (absolute) |
/// | selection, index | `(. x f)`, `([] x i)` |
/// | calls | `(call f a b)`, `(method f target a b)` |
/// | operators | `(! x)`, `(- x)`, `(+ a b)`, `(&& a b c)`, `(|| a b)`, `(? c a b)` |
/// | literals | `[a b]`, `{k: v, k: v}`, `Name{f: v, g: w}` |
/// | macros | `(has target field)`, `(all target [x] p)`, `(map target [x] p t)` |
/// | errors | `<error>` |
pub(super) fn sexpr(expr: &Expr) -> String {
    let mut out = String::new();
    render(&mut out, expr);
    out
}

fn render_all<'e>(out: &mut String, exprs: impl IntoIterator<Item = &'e Expr>) {
    for e in exprs {
        out.push(' ');
        render(out, e);
    }
}

fn render(out: &mut String, expr: &Expr) {
    match &expr.kind {
        ExprKind::Null => out.push_str("null"),
        ExprKind::Bool(b) => write!(out, "{b}").unwrap(),
        ExprKind::Int(i) => write!(out, "{i}").unwrap(),
        ExprKind::Uint(u) => write!(out, "{u}u").unwrap(),
        ExprKind::Double(d) => write!(out, "{d:?}").unwrap(),
        ExprKind::String(s) => write!(out, "{s:?}").unwrap(),
        ExprKind::Bytes(b) => write!(out, "b\"{}\"", b.escape_ascii()).unwrap(),
        ExprKind::Ident { name, absolute } => {
            write!(out, "{}{}", if *absolute { "." } else { "" }, name.name).unwrap();
        }
        ExprKind::Select { operand, field } => {
            out.push_str("(. ");
            render(out, operand);
            write!(out, " {})", field.name).unwrap();
        }
        ExprKind::Index { operand, index } | ExprKind::OptIndex { operand, index } => {
            out.push_str(if matches!(expr.kind, ExprKind::Index { .. }) { "([]" } else { "([?]" });
            render_all(out, [&**operand, &**index]);
            out.push(')');
        }
        ExprKind::OptSelect { operand, field } => {
            out.push_str("(.? ");
            render(out, operand);
            write!(out, " {})", field.name).unwrap();
        }
        ExprKind::OptElement(inner) => {
            out.push('?');
            render(out, inner);
        }
        ExprKind::Call { target: None, function, args } => {
            write!(out, "(call {}", function.name).unwrap();
            render_all(out, args);
            out.push(')');
        }
        ExprKind::Call { target: Some(target), function, args } => {
            write!(out, "(method {}", function.name).unwrap();
            render_all(out, std::iter::once(&**target).chain(args));
            out.push(')');
        }
        ExprKind::Unary { op, operand } => {
            out.push_str(if *op == UnaryOp::Not { "(!" } else { "(-" });
            render_all(out, [&**operand]);
            out.push(')');
        }
        ExprKind::Binary { op, lhs, rhs, .. } => {
            write!(out, "({}", op.symbol()).unwrap();
            render_all(out, [&**lhs, &**rhs]);
            out.push(')');
        }
        ExprKind::And(items) | ExprKind::Or(items) => {
            out.push_str(if matches!(expr.kind, ExprKind::And(_)) { "(&&" } else { "(||" });
            render_all(out, items);
            out.push(')');
        }
        ExprKind::Conditional { cond, then, otherwise } => {
            out.push_str("(?");
            render_all(out, [&**cond, &**then, &**otherwise]);
            out.push(')');
        }
        ExprKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                render(out, item);
            }
            out.push(']');
        }
        ExprKind::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(out, k);
                out.push_str(": ");
                render(out, v);
            }
            out.push('}');
        }
        ExprKind::Struct { name, fields } => {
            write!(out, "{}{{", name.name).unwrap();
            for (i, (f, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write!(out, "{}: ", f.name).unwrap();
                render(out, v);
            }
            out.push('}');
        }
        ExprKind::Macro(m) => {
            write!(out, "({} ", m.kind.name()).unwrap();
            render(out, &m.target);
            if let Some(field) = &m.field {
                write!(out, " {}", field.name).unwrap();
            }
            if !m.vars.is_empty() {
                let vars: Vec<&str> = m.vars.iter().map(|v| v.name.as_str()).collect();
                write!(out, " [{}]", vars.join(" ")).unwrap();
            }
            render_all(out, &m.args);
            out.push(')');
        }
        ExprKind::Error => out.push_str("<error>"),
    }
}

/// `src` for a failure message, shortened when long.
fn short(src: &str) -> String {
    if src.len() <= 80 {
        return format!("{src:?}");
    }
    let head: String = src.chars().take(60).collect();
    format!("{head:?}… ({} bytes)", src.len())
}

/// Parses `src` with default limits, panicking with the rendered diagnostics on failure.
pub(super) fn parse_ok(src: &str) -> Expr {
    match parse(src, &Limits::default()) {
        Ok(expr) => expr,
        Err(diags) => panic!("{} failed:\n{diags:#?}", short(src)),
    }
}

/// Checks that each `(source, s-expression)` parses to that tree; reports all mismatches.
pub(super) fn check(cases: &[(&str, &str)]) {
    let mut failures = String::new();
    for (src, want) in cases {
        match parse(src, &Limits::default()) {
            Ok(expr) => {
                let got = sexpr(&expr);
                if got != *want {
                    writeln!(failures, "{src:?}\n   want {want}\n    got {got}").unwrap();
                }
            }
            Err(diags) => writeln!(failures, "{src:?}\n   want {want}\n    got {diags:#?}").unwrap(),
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}

/// One expected diagnostic: kind, message, help, and the source text its span covers together
/// with where that text starts.
pub(super) type Want<'a> = (DiagnosticKind, &'a str, Option<&'a str>, (u32, u32));

fn describe(d: &Diagnostic) -> String {
    let span = d.span().map(|s| (s.start, s.end));
    format!("({:?}, {:?}, {:?}, {span:?})", d.kind(), d.message(), d.help())
}

/// Checks the diagnostics of each failing source, all fields at once; reports all mismatches.
pub(super) fn check_errors(cases: &[(&str, &[Want<'_>])]) {
    check_errors_with(&Limits::default(), cases);
}

pub(super) fn check_errors_with(limits: &Limits, cases: &[(&str, &[Want<'_>])]) {
    let mut failures = String::new();
    for (src, want) in cases {
        let got = match parse(src, limits) {
            Ok(expr) => vec![format!("parsed as {}", sexpr(&expr))],
            Err(diags) => diags.iter().map(describe).collect(),
        };
        let want: Vec<String> = want
            .iter()
            .map(|(kind, message, help, (start, end))| {
                let d = Diagnostic::error(*kind, *message).with_span(Span::new(*start, *end));
                describe(&match help {
                    Some(h) => d.with_help(*h),
                    None => d,
                })
            })
            .collect();
        if got != want {
            writeln!(failures, "{}\n   want {want:#?}\n    got {got:#?}", short(src)).unwrap();
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}
