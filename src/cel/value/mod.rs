//! CEL values.
//!
//! [`Value<'a>`] is what expressions evaluate to. The lifetime lets a value borrow from the
//! data being evaluated and from the compiled program, so that reading `change.environment` or
//! a string constant copies nothing: strings, bytes, lists and maps each come either borrowed
//! (`'a`) or shared (`Arc`, for values created during evaluation). `Value<'static>` is a fully
//! owned value.
//!
//! Host data (the structs a program is evaluated over) is read through the [`Object`],
//! [`HostList`] and [`HostMap`] traits, never by converting it into maps first.

mod error;
mod host;
mod list;
mod map;
mod named_format;
mod opaque;
mod optional;
pub(crate) mod quantity;
mod text;
mod time;
mod time_serde;
mod type_value;
mod url;
mod version;

use std::sync::Arc;

pub use error::{EvalError, EvalErrorKind};
pub use host::{FieldDecl, HostList, HostMap, MethodDecl, Object, ObjectType};
pub use list::List;
use list::ListRepr;
use map::MapRepr;
pub use map::{Key, Map, MapBuilder, MapValue};
pub use named_format::NamedFormat;
pub(crate) use opaque::{Cidr, OpaqueRepr};
pub use opaque::{Opaque, OpaqueKind};
pub use optional::OptionalValue;
use text::StrRepr;
pub use text::{Bytes, Str};
pub use time::{Duration, Timestamp};
pub use type_value::TypeValue;
pub use url::Url;
pub use version::Semver;

/// A CEL value, possibly borrowing from data that lives for `'a`.
#[derive(Clone)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A signed 64-bit integer.
    Int(i64),
    /// An unsigned 64-bit integer.
    Uint(u64),
    /// A 64-bit float.
    Double(f64),
    /// A Unicode string.
    String(Str<'a>),
    /// A byte sequence.
    Bytes(Bytes<'a>),
    /// A list.
    List(List<'a>),
    /// A map with bool, int, uint or string keys.
    Map(Map<'a>),
    /// A host object with declared fields (a `Change`, say).
    Object(&'a dyn Object),
    /// A point in time, nanosecond precision, years 1 to 9999.
    Timestamp(Timestamp),
    /// A span of time, nanosecond precision, about ±292 years (64-bit nanoseconds, as cel-go).
    Duration(Duration),
    /// A semantic version (the Kubernetes `semver` library type).
    Semver(Semver<'a>),
    /// A value of a library type without literals: an IP address, a CIDR prefix, a quantity, a
    /// URL, a named format.
    Opaque(Opaque),
    /// A type, as a value (`type(1) == int`).
    Type(TypeValue<'a>),
    /// An optional value: a value or none (`optional.of(1)`, `optional.none()`, `m.?key`).
    Optional(OptionalValue<'a>),
}

impl<'a> Value<'a> {
    /// A string value that owns its text.
    #[must_use]
    pub fn string(s: impl Into<Arc<str>>) -> Value<'static> {
        Value::String(Str::shared(s.into()))
    }

    /// A string value borrowing its text.
    #[must_use]
    pub fn str(s: &'a str) -> Value<'a> {
        Value::String(Str::borrowed(s))
    }

    /// A bytes value that owns its content.
    #[must_use]
    pub fn bytes(b: impl Into<Arc<[u8]>>) -> Value<'static> {
        Value::Bytes(Bytes::shared(b.into()))
    }

    /// A list value owning its elements.
    #[must_use]
    pub fn list(items: impl Into<Arc<[Value<'a>]>>) -> Value<'a> {
        Value::List(List::shared(items.into()))
    }

    /// A map value.
    #[must_use]
    pub fn map(map: MapValue<'a>) -> Value<'a> {
        Value::Map(Map::shared(Arc::new(map)))
    }

    /// The CEL type of this value.
    #[must_use]
    pub fn type_value(&self) -> TypeValue<'a> {
        match self {
            Value::Null => TypeValue::Null,
            Value::Bool(_) => TypeValue::Bool,
            Value::Int(_) => TypeValue::Int,
            Value::Uint(_) => TypeValue::Uint,
            Value::Double(_) => TypeValue::Double,
            Value::String(_) => TypeValue::String,
            Value::Bytes(_) => TypeValue::Bytes,
            Value::List(_) => TypeValue::List,
            Value::Map(_) => TypeValue::Map,
            Value::Object(o) => TypeValue::Object(o.object_type().name_ref()),
            Value::Timestamp(_) => TypeValue::Timestamp,
            Value::Duration(_) => TypeValue::Duration,
            Value::Semver(_) => TypeValue::Semver,
            Value::Opaque(o) => TypeValue::Opaque(o.kind()),
            Value::Type(_) => TypeValue::Type,
            Value::Optional(_) => TypeValue::Optional,
        }
    }

    /// The name of this value's type, as used in error messages (`int`, `list`…).
    #[must_use]
    pub fn type_name(&self) -> &str {
        match self {
            Value::Object(o) => o.object_type().name(),
            other => other.type_value().builtin_name(),
        }
    }

    /// The value as a bool, if it is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value as a string slice, if it is a string.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A copy that owns all its data, converting borrowed strings, lists, maps and host data
    /// into shared values. Host objects become maps from field name to value (absent fields
    /// are left out); host lists and maps become lists and maps.
    #[must_use]
    pub fn to_owned_value(&self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Uint(u) => Value::Uint(*u),
            Value::Double(d) => Value::Double(*d),
            Value::String(s) => Value::String(s.to_shared()),
            Value::Bytes(b) => Value::Bytes(b.to_shared()),
            Value::List(l) => {
                let items: Vec<Value<'static>> = l.iter().map(|v| v.to_owned_value()).collect();
                Value::list(items)
            }
            Value::Map(m) => {
                let mut b = MapBuilder::with_capacity(m.len());
                for (k, v) in m.iter() {
                    b.push(k.to_owned_key(), v.to_owned_value());
                }
                // The keys were already distinct.
                Value::map(b.build().unwrap_or_default())
            }
            Value::Object(o) => {
                let ty = o.object_type();
                let mut b = MapBuilder::with_capacity(ty.fields().len());
                for (i, f) in ty.fields().iter().enumerate() {
                    if let Some(v) = o.field(i) {
                        b.push(Key::String(Str::shared(Arc::from(f.name.as_str()))), v.to_owned_value());
                    }
                }
                Value::map(b.build().unwrap_or_default())
            }
            Value::Timestamp(t) => Value::Timestamp(*t),
            Value::Duration(d) => Value::Duration(*d),
            Value::Semver(v) => Value::Semver(v.to_shared()),
            Value::Opaque(o) => Value::Opaque(o.clone()),
            Value::Type(t) => Value::Type(t.to_owned_type()),
            Value::Optional(o) => Value::Optional(o.to_owned_optional()),
        }
    }
}

impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value<'_> {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<u64> for Value<'_> {
    fn from(u: u64) -> Self {
        Value::Uint(u)
    }
}

impl From<f64> for Value<'_> {
    fn from(d: f64) -> Self {
        Value::Double(d)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::String(Str::shared(Arc::from(s)))
    }
}

impl From<Timestamp> for Value<'_> {
    fn from(t: Timestamp) -> Self {
        Value::Timestamp(t)
    }
}

impl From<Duration> for Value<'_> {
    fn from(d: Duration) -> Self {
        Value::Duration(d)
    }
}

/// Whether dropping `v` would release nothing (no shared string, bytes, list, map or version):
/// the evaluator then forgets such a value instead of calling its drop code.
#[inline]
pub(crate) fn owns_nothing(v: &Value<'_>) -> bool {
    match v {
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Uint(_)
        | Value::Double(_)
        | Value::Object(_)
        | Value::Timestamp(_)
        | Value::Duration(_) => true,
        Value::String(s) => matches!(s.0, StrRepr::Borrowed(_)),
        Value::List(l) => !matches!(l.0, ListRepr::Shared(_)),
        Value::Map(m) => !matches!(m.0, MapRepr::Shared(_)),
        Value::Optional(o) => !o.has_value(),
        Value::Bytes(_) | Value::Semver(_) | Value::Opaque(_) | Value::Type(_) => false,
    }
}

/// A view of `v` borrowing from the place it is stored, without reference counting.
#[must_use]
#[inline]
pub(crate) fn reborrow<'a>(v: &'a Value<'a>) -> Value<'a> {
    match v {
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Int(*i),
        Value::Null => Value::Null,
        Value::Object(o) => Value::Object(*o),
        Value::String(s) => Value::String(s.reborrow()),
        Value::Bytes(b) => Value::Bytes(b.reborrow()),
        Value::List(l) => match &l.0 {
            ListRepr::Shared(s) => Value::List(List::borrowed(s)),
            _ => v.clone(),
        },
        Value::Map(m) => match &m.0 {
            MapRepr::Shared(s) => Value::Map(Map::borrowed(s)),
            _ => v.clone(),
        },
        Value::Semver(s) => Value::Semver(Semver::borrowed(s.get())),
        Value::Type(t) => Value::Type(t.reborrow()),
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_without_shared_data_are_forgotten() {
        let text = String::from("x");
        let items = [Value::Int(1)];
        for plain in [
            Value::Null,
            Value::Int(1),
            Value::Double(0.5),
            Value::str(&text),
            Value::List(List::borrowed(&items)),
        ] {
            assert!(owns_nothing(&plain), "{}", plain.type_name());
        }
        let shared = [
            Value::string("x"),
            Value::bytes(vec![1u8]),
            Value::List(List::shared(Arc::from(vec![Value::Int(1)]))),
            Value::map(MapValue::default()),
        ];
        for owning in &shared {
            assert!(!owns_nothing(owning), "{}", owning.type_name());
        }
    }

    #[test]
    fn value_stays_small() {
        assert!(std::mem::size_of::<Value<'_>>() <= 32, "{}", std::mem::size_of::<Value<'_>>());
    }

    #[test]
    fn owned_copy_of_borrowed_list() {
        let items = [Value::str("a"), Value::Int(1)];
        let v = Value::List(List::borrowed(&items)).to_owned_value();
        match v {
            Value::List(l) => assert_eq!(l.len(), 2),
            _ => panic!("not a list"),
        }
    }
}
