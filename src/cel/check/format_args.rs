//! `"literal".format([…])` validated at load time: the clauses of the format string parse, the
//! list literal holds one argument per clause, and each argument's type suits its verb (cel-go
//! validates such calls the same way).

use super::{Checker, Typed};
use crate::cel::stdlib::format::{Clause, check_format};
use crate::cel::syntax::{Expr, ExprKind};
use crate::cel::types::Type;
use crate::diagnostic::{DiagnosticKind, Span};

impl Checker<'_> {
    /// Checks a `format` call whose receiver is a string literal; the first problem found,
    /// reported, as the call's result.
    pub(super) fn check_format_call(
        &mut self,
        target: Option<&Expr>,
        args: &[Expr],
        arg_types: &[Type],
    ) -> Option<Typed> {
        let Some(Expr { kind: ExprKind::String(text), span }) = target else { return None };
        if !self.checked {
            return None;
        }
        let clauses = match check_format(text) {
            Ok(clauses) => clauses,
            Err(e) => {
                let at = inner_span(*span, text, &e.at);
                return Some(self.error(DiagnosticKind::InvalidLiteral, at, e.message));
            }
        };
        let [list @ Expr { kind: ExprKind::List(items), .. }] = args else { return None };
        if clauses.len() != items.len() {
            let message = format!(
                "`format` is given {} argument{} for {} clause{}",
                items.len(),
                if items.len() == 1 { "" } else { "s" },
                clauses.len(),
                if clauses.len() == 1 { "" } else { "s" },
            );
            let help = format!("the format string {text:?} takes one list element per `%` clause");
            return Some(self.error_help(DiagnosticKind::TypeMismatch, list.span, message, Some(help)));
        }
        let elem = match arg_types.get(1) {
            Some(Type::List(elem)) => (**elem).clone(),
            _ => Type::Dyn,
        };
        for (clause, item) in clauses.iter().zip(items) {
            let ty = literal_type(item).unwrap_or_else(|| elem.clone());
            if !clause.verb.accepts_type(&ty) {
                let message = clause.verb.refusal(&format!("`{ty}`"));
                let help = clause_help(text, clause);
                return Some(self.error_help(DiagnosticKind::TypeMismatch, item.span, message, Some(help)));
            }
        }
        None
    }
}

/// The type of a literal element, known even in a list of mixed elements (typed `list(dyn)`).
fn literal_type(e: &Expr) -> Option<Type> {
    Some(match e.kind {
        ExprKind::Null => Type::Null,
        ExprKind::Bool(_) => Type::Bool,
        ExprKind::Int(_) => Type::Int,
        ExprKind::Uint(_) => Type::Uint,
        ExprKind::Double(_) => Type::Double,
        ExprKind::String(_) => Type::String,
        ExprKind::Bytes(_) => Type::Bytes,
        _ => return None,
    })
}

fn clause_help(text: &str, clause: &Clause) -> String {
    format!("it is formatted by the clause `{}`", text.get(clause.at.clone()).unwrap_or("%"))
}

/// The place of bytes `at` of a string literal's value in the source, when the literal is
/// written plainly (quotes around the text, no escapes); the whole literal otherwise.
fn inner_span(literal: Span, text: &str, at: &std::ops::Range<usize>) -> Span {
    let plain = usize::try_from(literal.end.saturating_sub(literal.start)).ok() == Some(text.len() + 2);
    match (plain, u32::try_from(at.start), u32::try_from(at.end)) {
        (true, Ok(s), Ok(e)) => Span::new(literal.start + 1 + s, literal.start + 1 + e),
        _ => literal,
    }
}
