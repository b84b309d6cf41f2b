//! Macros: `has()` and the comprehensions.

use super::{Checker, LocalScope, Typed, fold};
use crate::cel::eval::{Comprehension, IterKind, Node};
use crate::cel::syntax::{Macro, MacroKind};
use crate::cel::types::Type;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

impl Checker<'_> {
    pub(super) fn macro_call(&mut self, m: &Macro, span: Span) -> Typed {
        if m.kind == MacroKind::Has {
            return self.has(m, span);
        }
        let range = self.expr(&m.target);
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
            MacroKind::Has => return self.has(m, span),
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
        };
        let node = Node::Comprehension(Box::new(Comprehension {
            kind,
            range: range.node,
            two_vars: two,
            filter: filter.map(|f| f.node),
            body: body.node,
        }));
        Typed::new(node, ty)
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
