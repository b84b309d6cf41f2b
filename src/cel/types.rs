//! Static types, as the checker sees them.

use std::fmt;
use std::sync::Arc;

use super::value::ObjectType;

/// The static type of an expression.
///
/// `Dyn` is CEL's "any type, checked at run time". `Param` is a type parameter inside a
/// function signature (`list(A)`), never the type of an expression after checking.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub enum Type {
    /// Any type, checked at run time.
    Dyn,
    /// `null_type`.
    Null,
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `uint`.
    Uint,
    /// `double`.
    Double,
    /// `string`.
    String,
    /// `bytes`.
    Bytes,
    /// `google.protobuf.Timestamp`.
    Timestamp,
    /// `google.protobuf.Duration`.
    Duration,
    /// `kubernetes.Semver`.
    Semver,
    /// A library type without literals: `net.IP`, `net.CIDR`, `kubernetes.Quantity`.
    Opaque(super::value::OpaqueKind),
    /// `list(T)`.
    List(Arc<Type>),
    /// `map(K, V)`.
    Map(Arc<Type>, Arc<Type>),
    /// `optional_type(T)`: a value of type `T` or none (the optional-values extension).
    Optional(Arc<Type>),
    /// `type`: a type used as a value.
    Type,
    /// A host object type.
    Object(Arc<ObjectType>),
    /// A type parameter in a function signature.
    Param(u8),
}

impl Type {
    /// `list(elem)`.
    #[must_use]
    pub fn list(elem: Type) -> Type {
        Type::List(Arc::new(elem))
    }

    /// `map(key, value)`.
    #[must_use]
    pub fn map(key: Type, value: Type) -> Type {
        Type::Map(Arc::new(key), Arc::new(value))
    }

    /// `optional_type(inner)`.
    #[must_use]
    pub fn optional(inner: Type) -> Type {
        Type::Optional(Arc::new(inner))
    }

    /// A host object type.
    #[must_use]
    pub fn object(ty: &Arc<ObjectType>) -> Type {
        Type::Object(ty.clone())
    }

    /// Whether this is `dyn`.
    #[must_use]
    pub fn is_dyn(&self) -> bool {
        matches!(self, Type::Dyn)
    }

    /// Whether this is one of int, uint or double.
    #[must_use]
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Uint | Type::Double)
    }

    /// Whether this type can be a map key.
    #[must_use]
    pub fn is_key(&self) -> bool {
        matches!(self, Type::Bool | Type::Int | Type::Uint | Type::String | Type::Dyn | Type::Param(_))
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Dyn => f.write_str("dyn"),
            Type::Null => f.write_str("null_type"),
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Uint => f.write_str("uint"),
            Type::Double => f.write_str("double"),
            Type::String => f.write_str("string"),
            Type::Bytes => f.write_str("bytes"),
            Type::Timestamp => f.write_str("google.protobuf.Timestamp"),
            Type::Duration => f.write_str("google.protobuf.Duration"),
            Type::Semver => f.write_str("kubernetes.Semver"),
            Type::Opaque(k) => f.write_str(k.name()),
            Type::List(e) => write!(f, "list({e})"),
            Type::Map(k, v) => write!(f, "map({k}, {v})"),
            Type::Optional(t) => write!(f, "optional_type({t})"),
            Type::Type => f.write_str("type"),
            Type::Object(o) => f.write_str(o.name()),
            Type::Param(p) => write!(f, "{}", char::from(b'A' + (p % 26))),
        }
    }
}

impl fmt::Debug for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The least type covering `a` and `b`: equal types stay, differing ones become `dyn`.
pub(crate) fn join(a: &Type, b: &Type) -> Type {
    match (a, b) {
        _ if a == b => a.clone(),
        (Type::List(x), Type::List(y)) => Type::list(join(x, y)),
        (Type::Map(k1, v1), Type::Map(k2, v2)) => Type::map(join(k1, k2), join(v1, v2)),
        (Type::Optional(x), Type::Optional(y)) => Type::optional(join(x, y)),
        _ => Type::Dyn,
    }
}

/// The common type of `types`: itself when all agree, `dyn` otherwise (and when empty).
pub(crate) fn join_all(types: impl Iterator<Item = Type>) -> Type {
    let mut acc: Option<Type> = None;
    for t in types {
        acc = Some(match acc {
            None => t,
            Some(a) => join(&a, &t),
        });
    }
    acc.unwrap_or(Type::Dyn)
}
