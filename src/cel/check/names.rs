//! Identifiers, qualified names, field selection and indexing.

use std::sync::Arc;

use super::{Checker, Typed, fold};
use crate::cel::env::DeclKind;
use crate::cel::ir::{FieldRef, Node};
use crate::cel::syntax::{Expr, ExprKind, Ident};
use crate::cel::types::Type;
use crate::cel::value::{TypeValue, Value};
use crate::diagnostic::{DiagnosticKind, Span};
use crate::fuzzy;

/// Type names usable as values (`type(x) == int`).
fn type_name_value(name: &str) -> Option<TypeValue<'static>> {
    Some(match name {
        "int" => TypeValue::Int,
        "uint" => TypeValue::Uint,
        "double" => TypeValue::Double,
        "bool" => TypeValue::Bool,
        "string" => TypeValue::String,
        "bytes" => TypeValue::Bytes,
        "list" => TypeValue::List,
        "map" => TypeValue::Map,
        "null_type" => TypeValue::Null,
        "type" => TypeValue::Type,
        "google.protobuf.Timestamp" => TypeValue::Timestamp,
        "google.protobuf.Duration" => TypeValue::Duration,
        "kubernetes.Semver" => TypeValue::Semver,
        "optional_type" => TypeValue::Optional,
        other => TypeValue::Opaque(crate::cel::value::OpaqueKind::from_name(other)?),
    })
}

/// The dotted name of a chain of identifiers and field selections (`a.b.c`), if it is one.
pub(super) fn qualified_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Ident { name, .. } => Some(name.name.clone()),
        ExprKind::Select { operand, field } => {
            let mut base = qualified_name(operand)?;
            base.push('.');
            base.push_str(&field.name);
            Some(base)
        }
        _ => None,
    }
}

/// The first identifier of a qualified name chain.
pub(super) fn head_ident(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Ident { name, .. } => Some(&name.name),
        ExprKind::Select { operand, .. } => head_ident(operand),
        _ => None,
    }
}

impl Checker<'_> {
    pub(super) fn local(&self, name: &str) -> Option<(u32, u8, Type)> {
        for (depth, scope) in self.scopes.iter().rev().enumerate() {
            if let Some(i) = scope.names.iter().position(|n| n == name) {
                let ty = scope.types.get(i).cloned().unwrap_or(Type::Dyn);
                return Some((depth as u32, i as u8, ty));
            }
        }
        None
    }

    /// A declared variable or constant, by its (possibly dotted) name.
    fn global(&mut self, name: &str) -> Option<Typed> {
        let (slot, decl) = self.env.lookup(name)?;
        let typed = match &decl.kind {
            DeclKind::Variable => Typed::new(Node::Global(slot), decl.ty.clone()),
            DeclKind::Constant(v) => Typed::constant(v.clone(), decl.ty.clone()),
            // Reported where the name is spelled ([`Checker::ident`]).
            DeclKind::Unavailable { .. } => return None,
        };
        self.references.insert(slot);
        Some(typed)
    }

    pub(super) fn ident(&mut self, name: &str, span: Span) -> Typed {
        if let Some((depth, index, ty)) = self.local(name) {
            return Typed::new(Node::Local { depth, index }, ty);
        }
        if let Some(t) = self.global(name) {
            return t;
        }
        if let Some((_, decl)) = self.env.lookup(name)
            && let DeclKind::Unavailable { place, because } = &decl.kind
        {
            let message = format!("`{name}` cannot be used in {place}");
            if !self.checked {
                return super::failed_with(crate::cel::EvalErrorKind::UnboundVariable, message);
            }
            let help = Some(because.clone());
            return self.error_help(DiagnosticKind::UnknownVariable, span, message, help);
        }
        if let Some(tv) = type_name_value(name) {
            return Typed::constant(Value::Type(tv), Type::Type);
        }
        if !self.checked {
            // Unchecked, an unknown name is an error only if evaluated (`x || true` is true).
            return super::failed_with(
                crate::cel::EvalErrorKind::UnboundVariable,
                format!("no such attribute: `{name}`"),
            );
        }
        let locals: Vec<String> = self.scopes.iter().flat_map(|s| s.names.iter().cloned()).collect();
        let help =
            fuzzy::did_you_mean(name, locals.iter().map(String::as_str).chain(self.env.variable_names()));
        self.error_help(DiagnosticKind::UnknownVariable, span, format!("unknown variable `{name}`"), help)
    }

    pub(super) fn select(&mut self, whole: &Expr, operand: &Expr, field: &Ident) -> Typed {
        // A dotted name may be one variable (`a.b.c`) unless its head is a local variable.
        if let Some(head) = head_ident(whole)
            && self.local(head).is_none()
            && let Some(name) = qualified_name(whole)
        {
            if let Some(t) = self.global(&name) {
                return t;
            }
            if let Some(tv) = type_name_value(&name) {
                return Typed::constant(Value::Type(tv), Type::Type);
            }
        }
        let target = self.expr(operand);
        // A declared constant map's keys are known: a missing one is a typo, not a run-time
        // fact. (A map literal keeps CEL's run-time `no such key`.)
        let declared_constant = qualified_name(operand).is_some_and(|n| {
            self.env.lookup(&n).is_some_and(|(_, d)| matches!(d.kind, DeclKind::Constant(_)))
        });
        if self.checked
            && declared_constant
            && let Some(Value::Map(m)) = target.node.as_const()
            && m.get(&crate::cel::value::Key::String(crate::cel::value::Str::borrowed(&field.name))).is_none()
        {
            let keys: Vec<String> =
                m.iter().filter_map(|(k, _)| k.to_value().as_str().map(str::to_owned)).collect();
            let help = fuzzy::did_you_mean(&field.name, keys.iter().map(String::as_str));
            let what =
                qualified_name(operand).map_or_else(|| "this constant map".to_owned(), |n| format!("`{n}`"));
            return self.error_help(
                DiagnosticKind::UnknownField,
                field.span,
                format!("{what} has no entry `{}`", field.name),
                help,
            );
        }
        if matches!(target.ty, Type::Optional(_)) {
            // Selecting from an optional value is optional selection.
            return self.opt_select_typed(target, field);
        }
        let (field_ref, ty) = match self.field(&target.ty, field, false) {
            Ok(found) => found,
            Err(t) => return t,
        };
        let t = fold::fold(self, Typed::new(Node::Select(Box::new(target.node), field_ref), ty));
        match t.node {
            Node::Select(operand, field) => Typed::new(super::special::field(*operand, field), t.ty),
            node => Typed::new(node, t.ty),
        }
    }

    /// Resolves `field` on a value of type `ty`; `for_has` words errors for `has()`.
    pub(super) fn field(
        &mut self,
        ty: &Type,
        field: &Ident,
        for_has: bool,
    ) -> Result<(FieldRef, Type), Typed> {
        let name: Arc<str> = Arc::from(field.name.as_str());
        match ty {
            Type::Object(o) => match o.field_index(&field.name) {
                Some(index) => {
                    let decl_ty = o.fields().get(index).map_or(Type::Dyn, |f| f.ty.clone());
                    Ok((FieldRef::Object { index, name, ty: o.clone() }, decl_ty))
                }
                None => {
                    let help = fuzzy::did_you_mean(&field.name, o.fields().iter().map(|f| f.name.as_str()))
                        .or_else(|| {
                            let names: Vec<String> =
                                o.fields().iter().map(|f| format!("`{}`", f.name)).collect();
                            Some(format!("the fields of `{}` are {}", o.name(), names.join(", ")))
                        });
                    Err(self.error_help(
                        DiagnosticKind::UnknownField,
                        field.span,
                        format!("unknown field `{}` on `{}`", field.name, o.name()),
                        help,
                    ))
                }
            },
            Type::Map(k, v) => {
                if matches!(**k, Type::String | Type::Dyn | Type::Param(_)) {
                    Ok((FieldRef::Dynamic(name), (**v).clone()))
                } else {
                    Err(self.error(
                        DiagnosticKind::TypeMismatch,
                        field.span,
                        format!("cannot select field `{}` from a map with `{k}` keys", field.name),
                    ))
                }
            }
            Type::Dyn | Type::Param(_) => Ok((FieldRef::Dynamic(name), Type::Dyn)),
            // `has(o.f)` of an optional `o` tests the field of its value.
            Type::Optional(inner) if for_has => self.field(inner, field, for_has),
            other => {
                let what =
                    if for_has { "`has()` cannot test fields of" } else { "cannot select a field from" };
                Err(self.error(
                    DiagnosticKind::TypeMismatch,
                    field.span,
                    format!("{what} a value of type `{other}` (field `{}`)", field.name),
                ))
            }
        }
    }

    pub(super) fn index(&mut self, operand: &Expr, index: &Expr, span: Span) -> Typed {
        let c = self.expr(operand);
        let i = self.expr(index);
        if matches!(c.ty, Type::Optional(_)) {
            // Indexing an optional value is optional indexing.
            return self.opt_index_typed(c, i, index.span, span);
        }
        let ty = match self.element_type(&c.ty, &i.ty, index.span, span) {
            Ok(ty) => ty,
            Err(t) => return t,
        };
        fold::fold(self, Typed::new(Node::Index(Box::new([c.node, i.node])), ty))
    }

    /// The type of an element of a `container` indexed by an `index` (at `index_span`, in an
    /// indexing at `span`), or the reported error.
    pub(super) fn element_type(
        &mut self,
        container: &Type,
        index: &Type,
        index_span: Span,
        span: Span,
    ) -> Result<Type, Typed> {
        match container {
            Type::List(elem) => {
                if !matches!(index, Type::Int | Type::Uint | Type::Dyn) {
                    return Err(self.error(
                        DiagnosticKind::TypeMismatch,
                        index_span,
                        format!("a list index must be an `int`, found `{index}`"),
                    ));
                }
                Ok((**elem).clone())
            }
            Type::Map(k, v) => {
                let compatible =
                    **k == *index || k.is_dyn() || index.is_dyn() || matches!(**k, Type::Param(_));
                if !compatible {
                    return Err(self.error(
                        DiagnosticKind::TypeMismatch,
                        index_span,
                        format!("this map has `{k}` keys, but the index is a `{index}`"),
                    ));
                }
                Ok((**v).clone())
            }
            Type::Dyn | Type::Param(_) => Ok(Type::Dyn),
            other => Err(self.error(
                DiagnosticKind::TypeMismatch,
                span,
                format!("a value of type `{other}` cannot be indexed"),
            )),
        }
    }
}
