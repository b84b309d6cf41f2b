//! Maps: keys, sorted entries, and map values (borrowed, shared or read from the host).

use std::cmp::Ordering;
use std::sync::Arc;

use super::{HostMap, Str, Value, reborrow};

/// A map key: CEL allows bool, int, uint and string keys.
///
/// Int and uint keys that are equal in value are the same key (`{1: "a"}[1u] == "a"`).
#[derive(Clone, Debug)]
pub enum Key<'a> {
    /// A bool key.
    Bool(bool),
    /// An int key.
    Int(i64),
    /// A uint key.
    Uint(u64),
    /// A string key.
    String(Str<'a>),
}

impl<'a> Key<'a> {
    /// The key as a value.
    #[must_use]
    pub fn to_value(&self) -> Value<'a> {
        match self {
            Key::Bool(b) => Value::Bool(*b),
            Key::Int(i) => Value::Int(*i),
            Key::Uint(u) => Value::Uint(*u),
            Key::String(s) => Value::String(s.clone()),
        }
    }

    /// The key as a value, moved.
    #[must_use]
    pub fn into_value(self) -> Value<'a> {
        match self {
            Key::Bool(b) => Value::Bool(b),
            Key::Int(i) => Value::Int(i),
            Key::Uint(u) => Value::Uint(u),
            Key::String(s) => Value::String(s),
        }
    }

    /// The key for `value`, if the value can be a key. An integral double finds the int or
    /// uint key of the same value, as CEL's numeric equality requires.
    #[must_use]
    pub fn from_value(value: &Value<'a>) -> Option<Key<'a>> {
        match value {
            Value::Bool(b) => Some(Key::Bool(*b)),
            Value::Int(i) => Some(Key::Int(*i)),
            Value::Uint(u) => Some(Key::Uint(*u)),
            Value::String(s) => Some(Key::String(s.clone())),
            _ => None,
        }
    }

    /// A copy that owns its data.
    #[must_use]
    pub fn to_owned_key(&self) -> Key<'static> {
        match self {
            Key::Bool(b) => Key::Bool(*b),
            Key::Int(i) => Key::Int(*i),
            Key::Uint(u) => Key::Uint(*u),
            Key::String(s) => Key::String(s.to_shared()),
        }
    }

    /// A view of this key borrowing for `'b`.
    #[must_use]
    pub fn reborrow<'b>(&'b self) -> Key<'b>
    where
        'a: 'b,
    {
        match self {
            Key::String(s) => Key::String(s.reborrow()),
            Key::Bool(b) => Key::Bool(*b),
            Key::Int(i) => Key::Int(*i),
            Key::Uint(u) => Key::Uint(*u),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Key::Bool(_) => 0,
            Key::Int(_) | Key::Uint(_) => 1,
            Key::String(_) => 2,
        }
    }

    fn numeric(&self) -> i128 {
        match self {
            Key::Int(i) => i128::from(*i),
            Key::Uint(u) => i128::from(*u),
            _ => 0,
        }
    }
}

impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::String(a), Key::String(b)) => a.as_str().cmp(b.as_str()),
            (a, b) if a.rank() == 1 && b.rank() == 1 => a.numeric().cmp(&b.numeric()),
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key<'_> {}

/// Maps with more entries than this get a sorted index for lookups.
const INDEX_THRESHOLD: usize = 8;

/// The entries of a map, in insertion order, with distinct keys.
#[derive(Clone, Debug, Default)]
pub struct MapValue<'a> {
    entries: Vec<(Key<'a>, Value<'a>)>,
    /// Entry positions sorted by key, present for maps above `INDEX_THRESHOLD` entries.
    index: Vec<u32>,
}

impl<'a> MapValue<'a> {
    /// The number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value stored under `key`.
    #[must_use]
    pub fn get(&self, key: &Key<'_>) -> Option<&Value<'a>> {
        if self.index.is_empty() {
            return self.entries.iter().find(|(k, _)| k.reborrow() == *key).map(|(_, v)| v);
        }
        let pos = self
            .index
            .binary_search_by(|&i| {
                self.entries.get(i as usize).map_or(Ordering::Less, |(k, _)| k.reborrow().cmp(key))
            })
            .ok()?;
        let i = *self.index.get(pos)?;
        self.entries.get(i as usize).map(|(_, v)| v)
    }

    /// The value stored under the string key `key` (what [`MapValue::get`] finds for a string
    /// key, without building a [`Key`]).
    #[must_use]
    pub fn get_str(&self, key: &str) -> Option<&Value<'a>> {
        let is_key = |k: &Key<'a>| matches!(k, Key::String(s) if s.as_str() == key);
        if self.index.is_empty() {
            return self.entries.iter().find(|(k, _)| is_key(k)).map(|(_, v)| v);
        }
        // Strings sort after every other kind of key.
        let pos = self
            .index
            .binary_search_by(|&i| match self.entries.get(i as usize) {
                Some((Key::String(s), _)) => s.as_str().cmp(key),
                _ => Ordering::Less,
            })
            .ok()?;
        let i = *self.index.get(pos)?;
        self.entries.get(i as usize).map(|(_, v)| v)
    }

    /// The entry at `index` in insertion order.
    #[must_use]
    pub fn entry(&self, index: usize) -> Option<(&Key<'a>, &Value<'a>)> {
        self.entries.get(index).map(|(k, v)| (k, v))
    }

    /// The entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key<'a>, &Value<'a>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// Builds a [`MapValue`], rejecting repeated keys.
#[derive(Debug, Default)]
pub struct MapBuilder<'a> {
    entries: Vec<(Key<'a>, Value<'a>)>,
}

impl<'a> MapBuilder<'a> {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        MapBuilder { entries: Vec::new() }
    }

    /// An empty builder with room for `n` entries.
    #[must_use]
    pub fn with_capacity(n: usize) -> Self {
        MapBuilder { entries: Vec::with_capacity(n) }
    }

    /// Adds an entry. Repeated keys are detected by [`build`](Self::build).
    pub fn push(&mut self, key: Key<'a>, value: Value<'a>) {
        self.entries.push((key, value));
    }

    /// The finished map.
    ///
    /// # Errors
    ///
    /// Returns the first repeated key (in key order) when two entries share a key; maps built
    /// by expressions report this as a runtime error.
    pub fn build(self) -> Result<MapValue<'a>, Key<'a>> {
        let entries = self.entries;
        if entries.len() <= INDEX_THRESHOLD {
            for (i, (k, _)) in entries.iter().enumerate() {
                if entries.iter().skip(i + 1).any(|(other, _)| other == k) {
                    return Err(k.clone());
                }
            }
            return Ok(MapValue { entries, index: Vec::new() });
        }
        let mut index: Vec<u32> = (0..entries.len() as u32).collect();
        let key_at = |i: u32| entries.get(i as usize).map(|(k, _)| k);
        index.sort_by(|&a, &b| key_at(a).cmp(&key_at(b)));
        for pair in index.windows(2) {
            if let [a, b] = pair
                && let (Some(ka), Some(kb)) = (key_at(*a), key_at(*b))
                && ka == kb
            {
                return Err(ka.clone());
            }
        }
        Ok(MapValue { entries, index })
    }
}

// ------------------------------------------------------------------------------------------
// Map values

/// A map: borrowed, shared, or a host map read key by key.
#[derive(Clone)]
pub struct Map<'a>(pub(super) MapRepr<'a>);

#[derive(Clone)]
pub(super) enum MapRepr<'a> {
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
    #[inline]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_keys_match_across_int_and_uint() {
        let mut b = MapBuilder::new();
        b.push(Key::Int(1), Value::str("one"));
        b.push(Key::Uint(1), Value::str("dup"));
        assert!(matches!(b.build(), Err(Key::Int(1) | Key::Uint(1))));
        let mut b = MapBuilder::new();
        b.push(Key::Int(1), Value::str("one"));
        let m = b.build().unwrap();
        assert_eq!(m.get(&Key::Uint(1)).and_then(Value::as_str), Some("one"));
    }

    #[test]
    fn large_maps_use_the_index() {
        let mut b = MapBuilder::new();
        for i in (0..100).rev() {
            b.push(Key::Int(i), Value::Int(i * 2));
        }
        let m = b.build().unwrap();
        for i in 0..100 {
            assert!(matches!(m.get(&Key::Int(i)), Some(Value::Int(v)) if *v == i * 2));
        }
        assert!(m.get(&Key::Int(100)).is_none());
        assert!(m.get(&Key::String(Str::borrowed("x"))).is_none());
    }

    /// `get_str` finds what `get` finds with a string key, in small and indexed maps whose
    /// keys mix every kind.
    #[test]
    fn string_lookups_agree_with_key_lookups() {
        let int = |v: &Value<'_>| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        };
        for size in [3_i64, 8, 9, 40] {
            let mut b = MapBuilder::new();
            for i in (0..size).rev() {
                b.push(Key::String(Str::shared(std::sync::Arc::from(format!("k{i}")))), Value::Int(i));
                b.push(Key::Int(i), Value::Int(-i));
            }
            b.push(Key::Bool(true), Value::Null);
            let m = b.build().unwrap();
            for probe in (0..=size).map(|i| format!("k{i}")).chain([String::new(), "zz".to_owned()]) {
                let by_key = m.get(&Key::String(Str::borrowed(&probe))).and_then(int);
                assert_eq!(m.get_str(&probe).and_then(int), by_key, "{probe} in {size}");
                assert_eq!(by_key.is_some(), probe != format!("k{size}") && probe.len() > 1 && probe != "zz");
            }
        }
    }
}

#[cfg(test)]
mod dup_tests {
    use super::*;

    #[test]
    fn large_maps_reject_repeated_keys() {
        let mut b = MapBuilder::new();
        for i in 0..50 {
            b.push(Key::Int(i), Value::Null);
        }
        b.push(Key::Uint(7), Value::Null);
        assert!(matches!(b.build(), Err(Key::Int(7) | Key::Uint(7))));
    }
}
