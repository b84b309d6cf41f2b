//! The deserializer over the tree: what each `deserialize_*` gives a visitor, stand-ins for
//! values of the wrong type, and the entries and items taken out by earlier passes skipped.

use std::cell::Cell;

use serde::de::value::StrDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor,
};

use super::super::path::FieldPath;
use super::super::tree::{DocKey, Node, NodeKind};
use super::{Error, Session};

/// A node to read (or a stand-in, when `node` is `None`) at a path.
pub(super) struct De<'n, 's> {
    node: Option<&'n Node>,
    path: FieldPath,
    session: &'s Session,
}

impl<'n, 's> De<'n, 's> {
    pub(super) fn new(node: &'n Node, path: FieldPath, session: &'s Session) -> Self {
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

/// `deserialize_<kind>` methods that read their value as another kind does, their other
/// arguments (names, lengths, fields) not needed.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*) => $to:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Error> {
            self.$to(visitor)
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

    forward! {
        deserialize_f32() => deserialize_f64;
        deserialize_string() => deserialize_str;
        deserialize_char() => deserialize_str;
        deserialize_identifier() => deserialize_str;
        deserialize_bytes() => deserialize_any;
        deserialize_byte_buf() => deserialize_any;
        deserialize_unit_struct(_name: &'static str) => deserialize_unit;
        deserialize_tuple(_len: usize) => deserialize_seq;
        deserialize_tuple_struct(_name: &'static str, _len: usize) => deserialize_seq;
        deserialize_struct(_name: &'static str, _fields: &'static [&'static str]) => deserialize_map;
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
                self.mismatch(node, visitor, false, |v| v.visit_seq(ListItems::none(&path, session)))
            }
        }
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

impl<'s> ListItems<'_, 's> {
    /// No items: what a value of the wrong type reads as, once reported.
    fn none(path: &'s FieldPath, session: &'s Session) -> Self {
        ListItems { items: &[], next: 0, path, session }
    }
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
