//! The optional-values extension in the checker: `x.?f` and `x[?k]` (and plain selection and
//! indexing of an optional), list and map literals with optional elements, `or` / `orValue`,
//! and the macros that bind a variable to a value: `cel.bind`, `optMap` and `optFlatMap`.

use super::{Checker, LocalScope, Typed, fold};
use crate::cel::ir::Node;
use crate::cel::stdlib::Overload;
use crate::cel::syntax::{Expr, ExprKind, Ident, Macro, MacroKind};
use crate::cel::types::{Type, join_all};
use crate::diagnostic::{DiagnosticKind, Span};

/// The type an optional of type `t` holds: `T` for `optional_type(T)`, `t` itself otherwise
/// (optional selection also applies to plain values).
fn held(t: &Type) -> Type {
    match t {
        Type::Optional(inner) => (**inner).clone(),
        other => other.clone(),
    }
}

/// `a.or(b)` or `a.orValue(b)` on an optional, when `matching` are only those overloads: a node
/// that evaluates `b` only when `a` is none.
pub(super) fn lazy_or(
    function: &str,
    matching: &[&'static Overload],
    nodes: Vec<Node>,
) -> Result<Node, Vec<Node>> {
    let is_or =
        !matching.is_empty() && matching.iter().all(|o| crate::cel::stdlib::optional::OR_IDS.contains(&o.id));
    match <[Node; 2]>::try_from(nodes) {
        Ok(pair) if is_or => Ok(Node::OptOr { or_value: function == "orValue", pair: Box::new(pair) }),
        Ok(pair) => Err(pair.into()),
        Err(nodes) => Err(nodes),
    }
}

impl Checker<'_> {
    /// `target.?field`, or `target.field` of an optional `target`: `optional_type(F)` where
    /// `F` is the type of the field.
    pub(super) fn opt_select_typed(&mut self, target: Typed, field: &Ident) -> Typed {
        let (field_ref, ty) = match self.field(&held(&target.ty), field, false) {
            Ok(found) => found,
            Err(t) => return t,
        };
        fold::fold(self, Typed::new(Node::OptSelect(Box::new(target.node), field_ref), Type::optional(ty)))
    }

    /// `container[?index]`, or `container[index]` of an optional `container`.
    pub(super) fn opt_index_typed(
        &mut self,
        container: Typed,
        index: Typed,
        index_span: Span,
        span: Span,
    ) -> Typed {
        let ty = match self.element_type(&held(&container.ty), &index.ty, index_span, span) {
            Ok(ty) => ty,
            Err(t) => return t,
        };
        let node = Node::OptIndex(Box::new([container.node, index.node]));
        fold::fold(self, Typed::new(node, Type::optional(ty)))
    }

    /// The expression `e` of an optional element `?e`: its node, and the type of the value it
    /// holds. `e` must be an optional.
    pub(super) fn optional_element(&mut self, e: &Expr) -> Typed {
        let t = self.expr(e);
        match &t.ty {
            Type::Optional(inner) => {
                let ty = (**inner).clone();
                Typed::new(t.node, ty)
            }
            Type::Dyn => t,
            other => {
                let message = format!("an optional element `?e` needs an optional value, found `{other}`");
                self.diags.push(
                    crate::diagnostic::Diagnostic::error(DiagnosticKind::TypeMismatch, message)
                        .with_span(e.span)
                        .with_help("wrap the value with `optional.of(…)`, or drop the `?`"),
                );
                t
            }
        }
    }

    /// A list literal with optional elements `[a, ?b]`.
    pub(super) fn list_with_optionals(&mut self, items: &[Expr]) -> Typed {
        let mut nodes = Vec::with_capacity(items.len());
        let mut types = Vec::with_capacity(items.len());
        let mut optional = Vec::with_capacity(items.len());
        for item in items {
            let t = match &item.kind {
                ExprKind::OptElement(inner) => self.optional_element(inner),
                _ => self.expr(item),
            };
            optional.push(matches!(item.kind, ExprKind::OptElement(_)));
            types.push(t.ty);
            nodes.push(t.node);
        }
        let ty = Type::list(join_all(types.into_iter()));
        fold::fold(self, Typed::new(Node::ListOpt { items: nodes.into(), optional: optional.into() }, ty))
    }

    /// `cel.bind(x, init, body)`, `o.optMap(x, t)` and `o.optFlatMap(x, t)`.
    pub(super) fn binding_macro(&mut self, m: &Macro, span: Span) -> Typed {
        let target = self.expr(&m.target);
        let (Some(var), Some(body)) = (m.vars.first(), m.args.first()) else {
            return self.error(
                DiagnosticKind::InvalidMacro,
                span,
                format!("`{}` is malformed", m.kind.name()),
            );
        };
        let var_ty = match (m.kind, &target.ty) {
            (MacroKind::Bind, t) => t.clone(),
            (_, Type::Optional(inner)) => (**inner).clone(),
            (_, Type::Dyn) => Type::Dyn,
            (_, other) => {
                return self.error(
                    DiagnosticKind::TypeMismatch,
                    m.target.span,
                    format!("`{}` needs an optional value, found `{other}`", m.kind.name()),
                );
            }
        };
        self.scopes.push(LocalScope { names: vec![var.name.clone()], types: vec![var_ty, Type::Dyn] });
        let b = self.expr(body);
        self.scopes.pop();
        let pair = Box::new([target.node, b.node]);
        match m.kind {
            MacroKind::Bind => Typed::new(Node::Bind(pair), b.ty),
            MacroKind::OptMap => Typed::new(Node::OptApply { flat: false, pair }, Type::optional(b.ty)),
            _ => {
                let ty = match b.ty {
                    t @ (Type::Optional(_) | Type::Dyn) => t,
                    other => {
                        return self.error(
                            DiagnosticKind::TypeMismatch,
                            body.span,
                            format!(
                                "the expression of `optFlatMap` must give an optional value, found `{other}`"
                            ),
                        );
                    }
                };
                Typed::new(Node::OptApply { flat: true, pair }, ty)
            }
        }
    }
}
