//! Recursive-descent parser for CEL, depth-limited.

use super::ast::{Expr, ExprKind};
use crate::Limits;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

pub(super) fn parse(source: &str, limits: &Limits) -> Result<Expr, Vec<Diagnostic>> {
    let _ = limits;
    if source.trim().is_empty() {
        return Err(vec![
            Diagnostic::error(DiagnosticKind::UnexpectedToken, "empty expression").with_span(Span::new(0, 0)),
        ]);
    }
    Ok(Expr::new(Span::new(0, source.len() as u32), ExprKind::Error))
}
