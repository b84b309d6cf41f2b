//! Typed values out of a document tree with serde, finding every problem, not the first.
//!
//! Serde stops at the first error a `Deserialize` impl returns. To go on, the tree's
//! deserializer does two things:
//!
//! - **A value of the wrong type is reported and replaced on the spot.** When a field asks for
//!   an integer and the tree holds a string, the problem is recorded and the field's visitor
//!   gets a stand-in (`0`, `""`, an empty list, …), so that reading carries on with its
//!   siblings.
//! - **Whatever else stops reading is taken out, and the tree read again.** An unknown or
//!   repeated field, a bad value a visitor rejects (a malformed timestamp): the entry is left
//!   out of the next pass. A required field that is missing, or was taken out, gets a stand-in
//!   in the next pass. Each pass takes one more problem out, so passes are bounded.
//!
//! Problems under a stand-in are never reported: they are artefacts of the stand-in.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
};

use super::path::{FieldPath, Seg};
use super::tree::{DocKey, Node, NodeKind};
use crate::diagnostic::Span;
use crate::fuzzy;

/// At most this many passes over a tree: each takes one problem out.
pub(crate) const MAX_PASSES: usize = 64;

/// What went wrong, as serde's traits name it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ErrorKind {
    /// A field the type does not have.
    UnknownField {
        /// The field as written.
        name: String,
        /// The fields the type has.
        expected: &'static [&'static str],
    },
    /// A required field that is absent.
    MissingField(&'static str),
    /// A field given twice.
    DuplicateField(&'static str),
    /// Any other problem: a wrong type, a bad value, a rule of a custom `Deserialize`.
    Message(String),
    /// Already reported, or under a stand-in: reading stopped here, nothing more to say.
    Reported,
}

/// A deserialization error with the place it happened.
#[derive(Clone, Debug)]
pub(crate) struct Error {
    kind: ErrorKind,
    /// The value it happened at, or the map whose visitor raised it.
    at: Option<FieldPath>,
    /// For an error raised by a map's visitor: the index of the entry it had just read.
    entry: Option<usize>,
}

impl Error {
    fn new(kind: ErrorKind) -> Self {
        Error { kind, at: None, entry: None }
    }

    fn reported(at: &FieldPath) -> Self {
        Error { kind: ErrorKind::Reported, at: Some(at.clone()), entry: None }
    }

    /// Sets the place unless a deeper one is already known.
    fn or_at(mut self, at: &FieldPath, entry: Option<usize>) -> Self {
        if self.at.is_none() {
            self.at = Some(at.clone());
            self.entry = entry;
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::UnknownField { name, .. } => write!(f, "unknown field `{name}`"),
            ErrorKind::MissingField(name) => write!(f, "missing field `{name}`"),
            ErrorKind::DuplicateField(name) => write!(f, "duplicate field `{name}`"),
            ErrorKind::Message(message) => f.write_str(message),
            ErrorKind::Reported => f.write_str("already reported"),
        }
    }
}

impl std::error::Error for Error {}

/// An unexpected value in the words of a document author (`null`, not "unit value").
struct Shown<'a>(Unexpected<'a>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Unit => f.write_str("null"),
            other => other.fmt(f),
        }
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Message(msg.to_string()))
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::custom(format_args!("invalid type: {}, expected {exp}", Shown(unexp)))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::custom(format_args!("invalid value: {}, expected {exp}", Shown(unexp)))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::new(ErrorKind::UnknownField { name: field.to_owned(), expected })
    }

    fn missing_field(field: &'static str) -> Self {
        Error::new(ErrorKind::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Self {
        Error::new(ErrorKind::DuplicateField(field))
    }
}

/// A problem found while reading a tree.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    /// The field or value it concerns.
    pub(crate) path: FieldPath,
    /// What it is.
    pub(crate) kind: ErrorKind,
    /// The value (or, for a missing field, the end of its object).
    pub(crate) span: Option<Span>,
    /// The key, for a field that should not be there.
    pub(crate) key_span: Option<Span>,
}

/// What the passes so far have learnt about the tree.
#[derive(Default)]
struct Session {
    /// Problems recorded on the spot in the current pass.
    found: RefCell<Vec<Found>>,
    /// Map entries left out: the map's path and the entry's index.
    removed_entries: Vec<(FieldPath, usize)>,
    /// Values left out (map entries by key, list items by index).
    removed: Vec<FieldPath>,
    /// Required fields given a stand-in: the map's path and the field.
    stand_ins: Vec<(FieldPath, &'static str)>,
    /// Missing fields not to report: taken out, or the likely intent of a misspelt field.
    excused: Vec<FieldPath>,
}

impl Session {
    fn skips_entry(&self, map: &FieldPath, index: usize, key: &str) -> bool {
        self.removed_entries.iter().any(|(p, i)| *i == index && p == map)
            || (!self.removed.is_empty() && self.removed.contains(&map.key(key)))
    }

    fn skips_item(&self, item: &FieldPath) -> bool {
        !self.removed.is_empty() && self.removed.contains(item)
    }

    fn stand_ins_of(&self, map: &FieldPath) -> Vec<&'static str> {
        self.stand_ins.iter().filter(|(p, _)| p == map).map(|(_, f)| *f).collect()
    }

    fn record(&self, path: &FieldPath, kind: ErrorKind, span: Span) {
        self.found.borrow_mut().push(Found { path: path.clone(), kind, span: Some(span), key_span: None });
    }

    /// Leaves `path` out of the next pass; `false` when nothing more can be taken out.
    fn take_out(&mut self, root: &Node, path: &FieldPath) -> bool {
        let mut path = path.clone();
        loop {
            let Some(last) = path.segs().last().cloned() else { return false };
            let parent = parent_of(&path);
            let is_stand_in =
                matches!(&last, Seg::Key(k) if self.stand_ins.iter().any(|(p, f)| *p == parent && f == k));
            if !is_stand_in && !self.removed.contains(&path) && find(root, &path).is_some() {
                if let Seg::Key(_) = last {
                    self.excused.push(path.clone());
                }
                self.removed.push(path);
                return true;
            }
            // Already out, or not in the tree: take out what holds it.
            path = parent;
        }
    }
}

/// `path` without its last step.
fn parent_of(path: &FieldPath) -> FieldPath {
    let mut parent = path.clone();
    parent.pop();
    parent
}

/// The node at `path` in `root`, with the span of the key naming it.
pub(crate) fn find<'n>(root: &'n Node, path: &FieldPath) -> Option<(Option<Span>, &'n Node)> {
    let mut at = root;
    let mut key_span = None;
    for seg in path.segs() {
        (key_span, at) = match (seg, &at.kind) {
            (Seg::Key(k), NodeKind::Table(entries)) => {
                let (key, node) = entries.iter().find(|(key, _)| key.name == *k)?;
                (Some(key.span), node)
            }
            (Seg::Index(i), NodeKind::Array(items)) => (None, items.get(*i)?),
            _ => return None,
        };
    }
    Some((key_span, at))
}

/// The span of the last character of `node` (the closing brace of an object).
fn closing(node: &Node) -> Span {
    Span::new(node.span.end.saturating_sub(1).max(node.span.start), node.span.end)
}

/// Reads a `T` from `root` in at most `passes` passes, or every problem found, in the order of
/// the text.
pub(crate) fn read<T: DeserializeOwned>(root: &Node, passes: usize) -> Result<T, Vec<Found>> {
    let mut session = Session::default();
    let mut out: Vec<Found> = Vec::new();
    for _ in 0..passes.clamp(1, MAX_PASSES) {
        let result = T::deserialize(De::new(root, FieldPath::root(), &session));
        for f in session.found.take() {
            push_new(&mut out, f);
        }
        let error = match result {
            Ok(value) if out.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(e) => e,
        };
        let at = error.at.clone().unwrap_or_default();
        let progress = match error.kind {
            ErrorKind::UnknownField { ref name, expected } => {
                let path = at.key(name);
                if let Some(intent) = fuzzy::closest(name, expected.iter().copied()) {
                    session.excused.push(at.key(intent));
                }
                let key_span = entry_key(root, &at, error.entry);
                push_new(&mut out, Found { path, kind: error.kind.clone(), span: key_span, key_span });
                take_out_entry(&mut session, root, &at, error.entry)
            }
            ErrorKind::DuplicateField(name) => {
                let key_span = entry_key(root, &at, error.entry);
                push_new(
                    &mut out,
                    Found { path: at.key(name), kind: error.kind.clone(), span: key_span, key_span },
                );
                take_out_entry(&mut session, root, &at, error.entry)
            }
            ErrorKind::MissingField(name) => {
                let path = at.key(name);
                if !session.excused.contains(&path) {
                    let span = find(root, &at).map(|(_, n)| closing(n));
                    push_new(&mut out, Found { path, kind: error.kind.clone(), span, key_span: None });
                }
                if session.stand_ins.iter().any(|(p, f)| *p == at && *f == name) {
                    session.take_out(root, &at)
                } else {
                    session.stand_ins.push((at, name));
                    true
                }
            }
            ErrorKind::Message(_) => {
                // Raised by a map's visitor right after an entry (a key given twice in a map),
                // or by the visitor of the value itself.
                let (path, span, key_span) = match error.entry.and_then(|i| entry(root, &at, i)) {
                    Some(key) => (at.key(&key.name), Some(key.span), Some(key.span)),
                    None => (at.clone(), find(root, &at).map(|(_, n)| n.span), None),
                };
                push_new(&mut out, Found { path, kind: error.kind.clone(), span, key_span });
                match error.entry {
                    Some(_) => take_out_entry(&mut session, root, &at, error.entry),
                    None => session.take_out(root, &at),
                }
            }
            ErrorKind::Reported => session.take_out(root, &at),
        };
        if !progress {
            break;
        }
    }
    out.sort_by_key(|f| f.span.map_or(u32::MAX, |s| s.start));
    Err(out)
}

/// Adds `f` to `out` unless the same problem at the same place is there already.
fn push_new(out: &mut Vec<Found>, f: Found) {
    if !out.iter().any(|o| o.path == f.path && o.kind == f.kind) {
        out.push(f);
    }
}

/// Entry `index` of the map at `map`.
fn entry<'n>(root: &'n Node, map: &FieldPath, index: usize) -> Option<&'n DocKey> {
    match &find(root, map)?.1.kind {
        NodeKind::Table(entries) => entries.get(index).map(|(k, _)| k),
        _ => None,
    }
}

fn entry_key(root: &Node, map: &FieldPath, index: Option<usize>) -> Option<Span> {
    index.and_then(|i| entry(root, map, i)).map(|k| k.span)
}

fn take_out_entry(session: &mut Session, root: &Node, map: &FieldPath, index: Option<usize>) -> bool {
    match index {
        Some(i) if !session.removed_entries.iter().any(|(p, j)| p == map && *j == i) => {
            session.removed_entries.push((map.clone(), i));
            true
        }
        _ => session.take_out(root, map),
    }
}

// ------------------------------------------------------------------------------------------
// The deserializer.

/// A node to read (or a stand-in, when `node` is `None`) at a path.
struct De<'n, 's> {
    node: Option<&'n Node>,
    path: FieldPath,
    session: &'s Session,
}

impl<'n, 's> De<'n, 's> {
    fn new(node: &'n Node, path: FieldPath, session: &'s Session) -> Self {
        De { node: Some(node), path, session }
    }

    fn stand_in(path: FieldPath, session: &'s Session) -> Self {
        De { node: None, path, session }
    }

    /// Reports that the node is not what `visitor` wants (`value_error`: in range, not in
    /// type), then lets the visitor read `stand_in` instead.
    fn mismatch<'de, V, F>(
        self,
        node: &Node,
        visitor: V,
        value_error: bool,
        stand_in: F,
    ) -> Result<V::Value, Error>
    where
        V: Visitor<'de>,
        F: FnOnce(V) -> Result<V::Value, Error>,
    {
        let unexpected = unexpected(node);
        let error = if value_error {
            de::Error::invalid_value(unexpected, &visitor)
        } else {
            de::Error::invalid_type(unexpected, &visitor)
        };
        let Error { kind, .. } = error;
        self.session.record(&self.path, kind, node.span);
        stand_in(visitor).map_err(|_| Error::reported(&self.path))
    }

    /// Reads the node as what it is.
    fn natural<'de, V: Visitor<'de>>(self, node: &'n Node, visitor: V) -> Result<V::Value, Error> {
        let result: Result<V::Value, Error> = match &node.kind {
            NodeKind::Str { value, .. } | NodeKind::Datetime(value) => visitor.visit_str(value),
            NodeKind::Int(i) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            NodeKind::UInt(u) => visitor.visit_u64(*u),
            NodeKind::Float(f) => visitor.visit_f64(*f),
            NodeKind::Bool(b) => visitor.visit_bool(*b),
            NodeKind::Null => visitor.visit_unit(),
            NodeKind::Array(items) => return self.seq(items, visitor),
            NodeKind::Table(entries) => return self.map(entries, visitor),
        };
        result.map_err(|e| e.or_at(&self.path, None))
    }

    fn seq<'de, V: Visitor<'de>>(self, items: &'n [Node], visitor: V) -> Result<V::Value, Error> {
        let access = ListItems { items, next: 0, path: &self.path, session: self.session };
        visitor.visit_seq(access).map_err(|e| e.or_at(&self.path, None))
    }

    fn map<'de, V: Visitor<'de>>(self, entries: &'n [(DocKey, Node)], visitor: V) -> Result<V::Value, Error> {
        let last = Cell::new(None);
        let access = MapEntries {
            entries,
            next: 0,
            stand_ins: self.session.stand_ins_of(&self.path),
            value: None,
            path: &self.path,
            session: self.session,
            last: &last,
        };
        visitor.visit_map(access).map_err(|e| e.or_at(&self.path, last.get()))
    }

    /// A stand-in's answers: the value of the requested type that says least.
    fn fill<'de, V: Visitor<'de>>(self, visitor: V, want: Want) -> Result<V::Value, Error> {
        let result: Result<V::Value, Error> = match want {
            Want::Bool => visitor.visit_bool(false),
            Want::Int => visitor.visit_u64(0),
            Want::Float => visitor.visit_f64(0.0),
            Want::Str => visitor.visit_str(""),
            Want::Seq => {
                visitor.visit_seq(ListItems { items: &[], next: 0, path: &self.path, session: self.session })
            }
            Want::Map => {
                let last = Cell::new(None);
                visitor.visit_map(MapEntries {
                    entries: &[],
                    next: 0,
                    stand_ins: Vec::new(),
                    value: None,
                    path: &self.path,
                    session: self.session,
                    last: &last,
                })
            }
            Want::Option => visitor.visit_none(),
            Want::Unit => visitor.visit_unit(),
        };
        result.map_err(|_| Error::reported(&self.path))
    }
}

/// What a visitor asked for, for stand-ins.
#[derive(Clone, Copy)]
enum Want {
    Bool,
    Int,
    Float,
    Str,
    Seq,
    Map,
    Option,
    Unit,
}

fn unexpected(node: &Node) -> Unexpected<'_> {
    match &node.kind {
        NodeKind::Str { value, .. } | NodeKind::Datetime(value) => Unexpected::Str(value),
        NodeKind::Int(i) => match u64::try_from(*i) {
            Ok(u) => Unexpected::Unsigned(u),
            Err(_) => Unexpected::Signed(*i),
        },
        NodeKind::UInt(u) => Unexpected::Unsigned(*u),
        NodeKind::Float(f) => Unexpected::Float(*f),
        NodeKind::Bool(b) => Unexpected::Bool(*b),
        NodeKind::Null => Unexpected::Unit,
        NodeKind::Array(_) => Unexpected::Seq,
        NodeKind::Table(_) => Unexpected::Map,
    }
}

/// The integer in `node`, when it holds one.
fn integer(node: &Node) -> Option<i128> {
    match node.kind {
        NodeKind::Int(i) => Some(i128::from(i)),
        NodeKind::UInt(u) => Some(i128::from(u)),
        _ => None,
    }
}

/// `deserialize_<int>`: the integer when it fits, else a reported problem and a stand-in.
macro_rules! integers {
    ($($method:ident => $visit:ident($ty:ty);)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let Some(node) = self.node else { return self.fill(visitor, Want::Int) };
            match integer(node).map(<$ty>::try_from) {
                Some(Ok(n)) => visitor.$visit::<Error>(n).map_err(|e| e.or_at(&self.path, None)),
                Some(Err(_)) => self.mismatch(node, visitor, true, |v| v.$visit(0)),
                None => self.mismatch(node, visitor, false, |v| v.$visit(0)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for De<'_, '_> {
    type Error = Error;

    integers! {
        deserialize_i8 => visit_i8(i8);
        deserialize_i16 => visit_i16(i16);
        deserialize_i32 => visit_i32(i32);
        deserialize_i64 => visit_i64(i64);
        deserialize_u8 => visit_u8(u8);
        deserialize_u16 => visit_u16(u16);
        deserialize_u32 => visit_u32(u32);
        deserialize_u64 => visit_u64(u64);
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            Some(node) => self.natural(node, visitor),
            None => self.fill(visitor, Want::Unit),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None => self.fill(visitor, Want::Bool),
            Some(node @ Node { kind: NodeKind::Bool(_), .. }) => self.natural(node, visitor),
            Some(node) => self.mismatch(node, visitor, false, |v| v.visit_bool(false)),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None => self.fill(visitor, Want::Float),
            Some(node @ Node { kind: NodeKind::Int(_) | NodeKind::UInt(_) | NodeKind::Float(_), .. }) => {
                self.natural(node, visitor)
            }
            Some(node) => self.mismatch(node, visitor, false, |v| v.visit_f64(0.0)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None => self.fill(visitor, Want::Str),
            Some(node @ Node { kind: NodeKind::Str { .. } | NodeKind::Datetime(_), .. }) => {
                self.natural(node, visitor)
            }
            Some(node) => self.mismatch(node, visitor, false, |v| v.visit_str("")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None | Some(Node { kind: NodeKind::Null, .. }) => self.fill(visitor, Want::Option),
            Some(_) => {
                let path = self.path.clone();
                visitor.visit_some(self).map_err(|e| e.or_at(&path, None))
            }
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None | Some(Node { kind: NodeKind::Null, .. }) => self.fill(visitor, Want::Unit),
            Some(node) => self.mismatch(node, visitor, false, Visitor::visit_unit),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let path = self.path.clone();
        visitor.visit_newtype_struct(self).map_err(|e| e.or_at(&path, None))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None => self.fill(visitor, Want::Seq),
            Some(Node { kind: NodeKind::Array(items), .. }) => self.seq(items, visitor),
            Some(node) => {
                let (path, session) = (self.path.clone(), self.session);
                self.mismatch(node, visitor, false, |v| {
                    v.visit_seq(ListItems { items: &[], next: 0, path: &path, session })
                })
            }
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None => self.fill(visitor, Want::Map),
            Some(Node { kind: NodeKind::Table(entries), .. }) => self.map(entries, visitor),
            Some(node) => {
                let (path, session) = (self.path.clone(), self.session);
                self.mismatch(node, visitor, false, |v| {
                    let last = Cell::new(None);
                    v.visit_map(MapEntries {
                        entries: &[],
                        next: 0,
                        stand_ins: Vec::new(),
                        value: None,
                        path: &path,
                        session,
                        last: &last,
                    })
                })
            }
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let first = variants.first().copied().unwrap_or_default();
        match self.node {
            None => {
                let access: StrDeserializer<'_, Error> = first.into_deserializer();
                visitor.visit_enum(access).map_err(|_| Error::reported(&self.path))
            }
            Some(Node { kind: NodeKind::Str { value, .. }, .. }) => {
                let access: StrDeserializer<'_, Error> = value.as_str().into_deserializer();
                visitor.visit_enum(access).map_err(|e| e.or_at(&self.path, None))
            }
            Some(node) => self.mismatch(node, visitor, false, |v| {
                let access: StrDeserializer<'_, Error> = first.into_deserializer();
                v.visit_enum(access)
            }),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// The items of a list, those taken out skipped.
struct ListItems<'n, 's> {
    items: &'n [Node],
    next: usize,
    path: &'s FieldPath,
    session: &'s Session,
}

impl<'de> SeqAccess<'de> for ListItems<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        while let Some(item) = self.items.get(self.next) {
            let path = self.path.index(self.next);
            self.next += 1;
            if self.session.skips_item(&path) {
                continue;
            }
            let de = De::new(item, path, self.session);
            return seed.deserialize(de).map(Some);
        }
        Ok(None)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len().saturating_sub(self.next))
    }
}

/// The entries of an object, those taken out skipped, then the stand-ins for missing fields.
struct MapEntries<'n, 's> {
    entries: &'n [(DocKey, Node)],
    next: usize,
    stand_ins: Vec<&'static str>,
    /// The value of the key just read: a node, or a stand-in.
    value: Option<(FieldPath, Option<&'n Node>)>,
    path: &'s FieldPath,
    session: &'s Session,
    last: &'s Cell<Option<usize>>,
}

impl<'de> MapAccess<'de> for MapEntries<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        while let Some((key, node)) = self.entries.get(self.next) {
            let index = self.next;
            self.next += 1;
            if self.session.skips_entry(self.path, index, &key.name) {
                continue;
            }
            self.last.set(Some(index));
            self.value = Some((self.path.key(&key.name), Some(node)));
            let name: StrDeserializer<'_, Error> = key.name.as_str().into_deserializer();
            // A key the type rejects (an unknown field) is an error of the map, at this entry.
            return seed.deserialize(name).map(Some).map_err(|e| e.or_at(self.path, Some(index)));
        }
        let Some(field) = self.stand_ins.pop() else { return Ok(None) };
        self.last.set(None);
        self.value = Some((self.path.key(field), None));
        let name: StrDeserializer<'_, Error> = field.into_deserializer();
        seed.deserialize(name).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let de = match self.value.take() {
            Some((path, Some(node))) => De::new(node, path, self.session),
            Some((path, None)) => De::stand_in(path, self.session),
            None => return Err(Error::reported(self.path)),
        };
        seed.deserialize(de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len().saturating_sub(self.next) + self.stand_ins.len())
    }
}
