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
mod map;
mod time;

use std::fmt;
use std::sync::Arc;

pub use error::{EvalError, EvalErrorKind};
pub use host::{FieldDecl, HostList, HostMap, MethodDecl, Object, ObjectType};
pub use map::{Key, MapBuilder, MapValue};
pub use time::{Duration, Timestamp};

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
    /// A type, as a value (`type(1) == int`).
    Type(TypeValue<'a>),
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
            Value::Type(_) => TypeValue::Type,
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
            Value::Type(t) => Value::Type(t.to_owned_type()),
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

// ------------------------------------------------------------------------------------------
// Strings and bytes

/// A string, borrowed or shared.
#[derive(Clone)]
pub struct Str<'a>(StrRepr<'a>);

#[derive(Clone)]
enum StrRepr<'a> {
    Borrowed(&'a str),
    Shared(Arc<str>),
}

impl<'a> Str<'a> {
    /// A string borrowing `s`.
    #[must_use]
    pub fn borrowed(s: &'a str) -> Self {
        Str(StrRepr::Borrowed(s))
    }

    /// A string sharing `s`.
    #[must_use]
    pub fn shared(s: Arc<str>) -> Str<'static> {
        Str(StrRepr::Shared(s))
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            StrRepr::Borrowed(s) => s,
            StrRepr::Shared(s) => s,
        }
    }

    /// The text borrowed for `'a`, when this string borrows it (not when it is shared).
    #[must_use]
    pub fn as_borrowed(&self) -> Option<&'a str> {
        match &self.0 {
            StrRepr::Borrowed(s) => Some(s),
            StrRepr::Shared(_) => None,
        }
    }

    /// A copy that owns its text.
    #[must_use]
    pub fn to_shared(&self) -> Str<'static> {
        match &self.0 {
            StrRepr::Borrowed(s) => Str::shared(Arc::from(*s)),
            StrRepr::Shared(s) => Str(StrRepr::Shared(s.clone())),
        }
    }

    /// A view of this string that borrows for `'b` (no reference counting).
    #[must_use]
    pub fn reborrow<'b>(&'b self) -> Str<'b>
    where
        'a: 'b,
    {
        Str(StrRepr::Borrowed(self.as_str()))
    }
}

impl PartialEq for Str<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Str<'_> {}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A byte sequence, borrowed or shared.
#[derive(Clone)]
pub struct Bytes<'a>(BytesRepr<'a>);

#[derive(Clone)]
enum BytesRepr<'a> {
    Borrowed(&'a [u8]),
    Shared(Arc<[u8]>),
}

impl<'a> Bytes<'a> {
    /// Bytes borrowing `b`.
    #[must_use]
    pub fn borrowed(b: &'a [u8]) -> Self {
        Bytes(BytesRepr::Borrowed(b))
    }

    /// Bytes sharing `b`.
    #[must_use]
    pub fn shared(b: Arc<[u8]>) -> Bytes<'static> {
        Bytes(BytesRepr::Shared(b))
    }

    /// The content.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            BytesRepr::Borrowed(b) => b,
            BytesRepr::Shared(b) => b,
        }
    }

    /// A copy that owns its content.
    #[must_use]
    pub fn to_shared(&self) -> Bytes<'static> {
        match &self.0 {
            BytesRepr::Borrowed(b) => Bytes::shared(Arc::from(*b)),
            BytesRepr::Shared(b) => Bytes(BytesRepr::Shared(b.clone())),
        }
    }

    /// A view of these bytes that borrows for `'b`.
    #[must_use]
    pub fn reborrow<'b>(&'b self) -> Bytes<'b>
    where
        'a: 'b,
    {
        Bytes(BytesRepr::Borrowed(self.as_slice()))
    }
}

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

// ------------------------------------------------------------------------------------------
// Lists

/// A list: borrowed elements, shared elements, or a host list read element by element.
#[derive(Clone)]
pub struct List<'a>(ListRepr<'a>);

#[derive(Clone)]
enum ListRepr<'a> {
    Borrowed(&'a [Value<'a>]),
    Shared(Arc<[Value<'a>]>),
    Host(&'a dyn HostList),
}

impl<'a> List<'a> {
    /// A list borrowing `items`.
    #[must_use]
    pub fn borrowed(items: &'a [Value<'a>]) -> Self {
        List(ListRepr::Borrowed(items))
    }

    /// A list sharing `items`.
    #[must_use]
    pub fn shared(items: Arc<[Value<'a>]>) -> Self {
        List(ListRepr::Shared(items))
    }

    /// A list read through the host trait.
    #[must_use]
    pub fn host(list: &'a dyn HostList) -> Self {
        List(ListRepr::Host(list))
    }

    /// The number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.0 {
            ListRepr::Borrowed(s) => s.len(),
            ListRepr::Shared(s) => s.len(),
            ListRepr::Host(h) => h.len(),
        }
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `index`.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<Value<'a>> {
        match &self.0 {
            ListRepr::Borrowed(s) => s.get(index).map(reborrow),
            ListRepr::Shared(s) => s.get(index).cloned(),
            ListRepr::Host(h) => h.get(index),
        }
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = Value<'a>> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// Whether the list holds the string `s` (CEL equality: only strings equal strings).
    #[must_use]
    pub fn contains_str(&self, s: &str) -> bool {
        match &self.0 {
            ListRepr::Host(h) => match h.contains_str(s) {
                Some(found) => found,
                None => self.iter().any(|v| v.as_str() == Some(s)),
            },
            ListRepr::Borrowed(items) => items.iter().any(|v| v.as_str() == Some(s)),
            ListRepr::Shared(items) => items.iter().any(|v| v.as_str() == Some(s)),
        }
    }

    /// The elements as a slice, when they are stored as one (not for host lists).
    #[must_use]
    pub fn as_slice(&self) -> Option<&[Value<'a>]> {
        match &self.0 {
            ListRepr::Borrowed(s) => Some(s),
            ListRepr::Shared(s) => Some(s),
            ListRepr::Host(_) => None,
        }
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
        Value::Bytes(_) | Value::Semver(_) | Value::Type(_) => false,
    }
}

/// A view of `v` borrowing from the place it is stored, without reference counting.
#[must_use]
#[inline]
pub fn reborrow<'a>(v: &'a Value<'a>) -> Value<'a> {
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

// ------------------------------------------------------------------------------------------
// Maps

/// A map: borrowed, shared, or a host map read key by key.
#[derive(Clone)]
pub struct Map<'a>(MapRepr<'a>);

#[derive(Clone)]
enum MapRepr<'a> {
    Borrowed(&'a MapValue<'a>),
    Shared(Arc<MapValue<'a>>),
    Host(&'a dyn HostMap),
}

impl<'a> Map<'a> {
    /// A map borrowing `map`.
    #[must_use]
    pub fn borrowed(map: &'a MapValue<'a>) -> Self {
        Map(MapRepr::Borrowed(map))
    }

    /// A map sharing `map`.
    #[must_use]
    pub fn shared(map: Arc<MapValue<'a>>) -> Self {
        Map(MapRepr::Shared(map))
    }

    /// A map read through the host trait.
    #[must_use]
    pub fn host(map: &'a dyn HostMap) -> Self {
        Map(MapRepr::Host(map))
    }

    /// The number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.0 {
            MapRepr::Borrowed(m) => m.len(),
            MapRepr::Shared(m) => m.len(),
            MapRepr::Host(h) => h.len(),
        }
    }

    /// Whether the map is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value for `key`. Numeric keys match across int and uint when equal in value.
    #[must_use]
    pub fn get(&self, key: &Key<'_>) -> Option<Value<'a>> {
        match &self.0 {
            MapRepr::Borrowed(m) => m.get(key).map(reborrow),
            MapRepr::Shared(m) => m.get(key).cloned(),
            MapRepr::Host(h) => h.get(key),
        }
    }

    /// The value stored under the string key `key`.
    #[must_use]
    pub fn get_str(&self, key: &str) -> Option<Value<'a>> {
        match &self.0 {
            MapRepr::Borrowed(m) => m.get_str(key).map(reborrow),
            MapRepr::Shared(m) => m.get_str(key).cloned(),
            MapRepr::Host(h) => h.get_str(key),
        }
    }

    /// The entry at `index` in iteration order.
    #[must_use]
    pub fn entry(&self, index: usize) -> Option<(Key<'a>, Value<'a>)> {
        match &self.0 {
            MapRepr::Borrowed(m) => m.entry(index).map(|(k, v)| (k.reborrow(), reborrow(v))),
            MapRepr::Shared(m) => m.entry(index).map(|(k, v)| (k.clone(), v.clone())),
            MapRepr::Host(h) => h.entry(index),
        }
    }

    /// The entries in iteration order (insertion order for maps built by expressions).
    pub fn iter(&self) -> impl Iterator<Item = (Key<'a>, Value<'a>)> + '_ {
        (0..self.len()).filter_map(move |i| self.entry(i))
    }
}

// ------------------------------------------------------------------------------------------
// Semantic versions

/// A semantic version, borrowed or shared.
#[derive(Clone)]
pub struct Semver<'a>(SemverRepr<'a>);

#[derive(Clone)]
enum SemverRepr<'a> {
    Borrowed(&'a semver::Version),
    Shared(Arc<semver::Version>),
}

impl<'a> Semver<'a> {
    /// A version borrowing `v`.
    #[must_use]
    pub fn borrowed(v: &'a semver::Version) -> Self {
        Semver(SemverRepr::Borrowed(v))
    }

    /// A version owning `v`.
    #[must_use]
    pub fn owned(v: semver::Version) -> Semver<'static> {
        Semver(SemverRepr::Shared(Arc::new(v)))
    }

    /// The version.
    #[must_use]
    pub fn get(&self) -> &semver::Version {
        match &self.0 {
            SemverRepr::Borrowed(v) => v,
            SemverRepr::Shared(v) => v,
        }
    }

    /// A copy that owns its data.
    #[must_use]
    pub fn to_shared(&self) -> Semver<'static> {
        match &self.0 {
            SemverRepr::Borrowed(v) => Semver::owned((*v).clone()),
            SemverRepr::Shared(v) => Semver(SemverRepr::Shared(v.clone())),
        }
    }
}

// ------------------------------------------------------------------------------------------
// Types as values

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

    fn builtin_name(&self) -> &'static str {
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
            TypeValue::Object(_) => "object",
        }
    }

    fn to_owned_type(&self) -> TypeValue<'static> {
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
        }
    }

    fn reborrow(&self) -> TypeValue<'_> {
        match self {
            TypeValue::Object(s) => TypeValue::Object(s.reborrow()),
            other => other.clone(),
        }
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
