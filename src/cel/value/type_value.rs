//! Types as values: what `type(x)` gives.

use super::Str;

/// A CEL type used as a value: the result of `type(x)`, or a type name such as `int`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeValue<'a> {
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
    /// `list`.
    List,
    /// `map`.
    Map,
    /// `type`.
    Type,
    /// `google.protobuf.Timestamp`.
    Timestamp,
    /// `google.protobuf.Duration`.
    Duration,
    /// `kubernetes.Semver`.
    Semver,
    /// `dyn`.
    Dyn,
    /// `optional_type`.
    Optional,
    /// A library type without literals: `net.IP`, `net.CIDR`, `kubernetes.Quantity`.
    Opaque(super::OpaqueKind),
    /// A host object type, by name.
    Object(Str<'a>),
}

impl TypeValue<'_> {
    /// The type's name as CEL prints it.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            TypeValue::Object(name) => name.as_str(),
            other => other.builtin_name(),
        }
    }

    pub(super) fn builtin_name(&self) -> &'static str {
        match self {
            TypeValue::Null => "null_type",
            TypeValue::Bool => "bool",
            TypeValue::Int => "int",
            TypeValue::Uint => "uint",
            TypeValue::Double => "double",
            TypeValue::String => "string",
            TypeValue::Bytes => "bytes",
            TypeValue::List => "list",
            TypeValue::Map => "map",
            TypeValue::Type => "type",
            TypeValue::Timestamp => "google.protobuf.Timestamp",
            TypeValue::Duration => "google.protobuf.Duration",
            TypeValue::Semver => "kubernetes.Semver",
            TypeValue::Dyn => "dyn",
            TypeValue::Optional => "optional_type",
            TypeValue::Opaque(k) => k.name(),
            TypeValue::Object(_) => "object",
        }
    }

    pub(super) fn to_owned_type(&self) -> TypeValue<'static> {
        match self {
            TypeValue::Object(s) => TypeValue::Object(s.to_shared()),
            TypeValue::Null => TypeValue::Null,
            TypeValue::Bool => TypeValue::Bool,
            TypeValue::Int => TypeValue::Int,
            TypeValue::Uint => TypeValue::Uint,
            TypeValue::Double => TypeValue::Double,
            TypeValue::String => TypeValue::String,
            TypeValue::Bytes => TypeValue::Bytes,
            TypeValue::List => TypeValue::List,
            TypeValue::Map => TypeValue::Map,
            TypeValue::Type => TypeValue::Type,
            TypeValue::Timestamp => TypeValue::Timestamp,
            TypeValue::Duration => TypeValue::Duration,
            TypeValue::Semver => TypeValue::Semver,
            TypeValue::Dyn => TypeValue::Dyn,
            TypeValue::Optional => TypeValue::Optional,
            TypeValue::Opaque(k) => TypeValue::Opaque(*k),
        }
    }

    pub(super) fn reborrow(&self) -> TypeValue<'_> {
        match self {
            TypeValue::Object(s) => TypeValue::Object(s.reborrow()),
            other => other.clone(),
        }
    }
}
