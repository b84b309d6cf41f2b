//! CEL text to a spanned syntax tree.
//!
//! [`parse`] reads the whole CEL grammar (langdef.md "Syntax"): literals of every form and
//! escape, operators with CEL's precedence, field selection, indexing, calls, list and map
//! literals (with the optional elements `[?e]`, `{?k: e}`), optional selection and indexing
//! (`a.?b`, `a[?k]`), message constructions (reported as unsupported later), macros and `//`
//! comments.
//! It reports every error it can find, each with a span, and never recurses deeper than
//! [`Limits::max_expr_depth`](crate::Limits).

pub(crate) mod ast;
mod lexer;
mod literals;
mod macros;
mod parser;
mod primary;
#[cfg(test)]
mod tests;
mod token;

pub(crate) use ast::{BinaryOp, Expr, ExprKind, Ident, Macro, MacroKind, UnaryOp};
pub(crate) use macros::MACRO_NAMES;

use crate::Limits;
use crate::diagnostic::Diagnostic;

/// Parses `source` as one CEL expression.
///
/// # Errors
///
/// Every syntax error found, in source order; never empty.
pub(crate) fn parse(source: &str, limits: &Limits) -> Result<Expr, Vec<Diagnostic>> {
    parser::parse(source, limits)
}
