//! Message construction: the protocol-buffer wrapper types (`google.protobuf.Int64Value{value: 1}`)
//! are values of their plain type; other messages are not supported.

use super::{Checker, Typed};
use crate::cel::syntax::{Expr, Ident};
use crate::cel::types::Type;
use crate::cel::value::Value;
use crate::diagnostic::DiagnosticKind;

/// The plain type of a wrapper type and its default value.
fn wrapper(name: &str) -> Option<(Type, Value<'static>)> {
    let name = name.strip_prefix('.').unwrap_or(name);
    Some(match name.strip_prefix("google.protobuf.")? {
        "BoolValue" => (Type::Bool, Value::Bool(false)),
        "BytesValue" => (Type::Bytes, Value::bytes(&b""[..])),
        "DoubleValue" | "FloatValue" => (Type::Double, Value::Double(0.0)),
        "Int32Value" | "Int64Value" => (Type::Int, Value::Int(0)),
        "UInt32Value" | "UInt64Value" => (Type::Uint, Value::Uint(0)),
        "StringValue" => (Type::String, Value::string("")),
        "Value" => (Type::Dyn, Value::Null),
        _ => return None,
    })
}

impl Checker<'_> {
    pub(super) fn message(&mut self, name: &Ident, fields: &[(Ident, Expr)]) -> Typed {
        let Some((ty, default)) = wrapper(&name.name) else {
            return self.error_help(
                DiagnosticKind::Unsupported,
                name.span,
                format!("message construction `{}{{…}}` is not supported", name.name),
                Some(
                    "protocol-buffer messages are not part of this CEL implementation; use a map literal"
                        .into(),
                ),
            );
        };
        match fields {
            [] => Typed::constant(default, ty),
            [(field, value)] if field.name == "value" && ty != Type::Dyn => {
                let t = self.expr(value);
                if t.ty != ty && !t.ty.is_dyn() {
                    return self.error(
                        DiagnosticKind::TypeMismatch,
                        value.span,
                        format!("`{}.value` must be a `{ty}`, found `{}`", name.name, t.ty),
                    );
                }
                Typed::new(t.node, ty)
            }
            [(field, _), ..] => self.error(
                DiagnosticKind::Unsupported,
                field.span,
                format!("field `{}` of `{}` is not supported", field.name, name.name),
            ),
        }
    }
}
