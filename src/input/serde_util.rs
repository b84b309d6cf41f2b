//! Serde helpers for the input documents: versions as text, objects that must
//! be JSON objects, and the small predicates used by `skip_serializing_if`.

use std::fmt;
use std::marker::PhantomData;

use semver::Version;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serializer};

// ------------------------------------------------------------------------------------------
// Versions: semver text, with one leading `v` accepted and dropped.

/// Parses a version as the input documents accept it: semver text with an optional leading `v`.
///
/// # Errors
///
/// When the text is not a semantic version; the message quotes the text and gives the reason,
/// e.g. ``invalid version `1.x`: unexpected character 'x' while parsing minor version number``.
pub(crate) fn parse_version(text: &str) -> Result<Version, String> {
    let bare = text.strip_prefix('v').unwrap_or(text);
    Version::parse(bare).map_err(|err| format!("invalid version `{text}`: {err}"))
}

/// A version read through [`parse_version`].
struct VersionText(Version);

impl<'de> Deserialize<'de> for VersionText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_text(deserializer, "a semantic version like `1.4.2`", |text| {
            parse_version(text).map(VersionText)
        })
    }
}

/// Reads a value written as a string: `parse` turns the text into the value or says what is
/// wrong with it; `expecting` describes the text wanted when the input is not a string at all.
pub(crate) fn from_text<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    deserializer.deserialize_str(TextVisitor { expecting, parse })
}

/// The visitor behind [`from_text`].
struct TextVisitor<T> {
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
}

impl<T> Visitor<'_> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.parse)(text).map_err(E::custom)
    }
}

/// `with` module for `Option<Version>` fields: plain semver text out, optional `v` in.
pub(crate) mod opt_version {
    use super::{Deserialize, Deserializer, Serializer, Version, VersionText};

    #[expect(clippy::ref_option, reason = "serde's `with` passes the field by reference")]
    pub(crate) fn serialize<S: Serializer>(
        version: &Option<Version>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match version {
            Some(v) => serializer.collect_str(v),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Version>, D::Error> {
        Ok(Option::<VersionText>::deserialize(deserializer)?.map(|v| v.0))
    }
}

// ------------------------------------------------------------------------------------------
// Objects. A derived `Deserialize` for a struct also accepts a JSON array, matched to the
// fields by position; an input document never means that, so nested objects are read through
// `Obj`, which asks for a map and nothing else.

/// A `T` that must be written as an object (a JSON object, a TOML table).
pub(crate) struct Obj<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(MapOnly(deserializer)).map(Obj)
    }
}

/// `deserialize_with` for a struct-typed field.
pub(crate) fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<T, D::Error> {
    Obj::<T>::deserialize(deserializer).map(|o| o.0)
}

/// `deserialize_with` for an optional struct-typed field.
pub(crate) fn opt_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Ok(Option::<Obj<T>>::deserialize(deserializer)?.map(|o| o.0))
}

/// `deserialize_with` for a list of objects.
pub(crate) fn object_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Vec::<Obj<T>>::deserialize(deserializer)?.into_iter().map(|o| o.0).collect())
}

/// A deserializer that turns every request into a request for a map.
struct MapOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for MapOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(ObjectVisitor(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(ObjectVisitor(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// Forwards maps to the wrapped visitor and describes what it expects as "an object".
struct ObjectVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for ObjectVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(map)
    }
}

// ------------------------------------------------------------------------------------------
// Text enums.

/// The list of names serde uses in its messages: ``one of `a`, `b`, `c` ``, `` `a` or `b` ``
/// or `` `a` ``.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_owned(),
        [one] => format!("`{one}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// The names as a sentence lists them: `` `a` ``, `` `a` or `b` ``, `` `a`, `b` or `c` ``.
pub(crate) fn either_of(names: &[&str]) -> String {
    match names.split_last() {
        None => "nothing".to_owned(),
        Some((last, [])) => format!("`{last}`"),
        Some((last, rest)) => {
            let quoted: Vec<String> = rest.iter().map(|n| format!("`{n}`")).collect();
            format!("{} or `{last}`", quoted.join(", "))
        }
    }
}

/// The help for an unknown name among `names`: the closest name ("did you mean"), else the
/// list of names to use.
pub(crate) fn name_help(text: &str, names: &[&str]) -> String {
    crate::fuzzy::did_you_mean(text, names.iter().copied())
        .unwrap_or_else(|| format!("use {}", either_of(names)))
}

/// Visitor for a text enum: `noun` names the enum in messages (``unknown category `x` ``).
pub(crate) struct NameVisitor<T> {
    pub(crate) noun: &'static str,
    pub(crate) names: &'static [&'static str],
    pub(crate) parse: fn(&str) -> Option<T>,
    pub(crate) marker: PhantomData<T>,
}

impl<T> Visitor<'_> for NameVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&one_of(self.names))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.parse)(text).ok_or_else(|| {
            E::custom(format_args!("unknown {} `{text}`, expected {}", self.noun, one_of(self.names)))
        })
    }
}

/// Declares a fieldless enum written as `snake_case` text, with `as_str`, `from_name`, the
/// list of names (for messages and "did you mean"), `Display` and serde: the one text-enum
/// mechanism of the crate.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $name:ident, noun = $noun:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text of every variant, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The text of this variant, as written in documents (`snake_case`).
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// The variant written as `text`, if there is one (exact, case-sensitive).
            #[must_use]
            pub fn from_name(text: &str) -> Option<Self> {
                match text {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// What to tell the writer of the unknown name `text`: the closest name, else
            /// the names to use.
            #[allow(dead_code, reason = "not every text enum is read from a policy")]
            pub(crate) fn name_help(text: &str) -> String {
                $crate::input::serde_util::name_help(text, $name::NAMES)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::input::serde_util::NameVisitor {
                    noun: $noun,
                    names: $name::NAMES,
                    parse: $name::from_name,
                    marker: ::std::marker::PhantomData,
                })
            }
        }
    };
}

pub(crate) use text_enum;

// ------------------------------------------------------------------------------------------
// Maps whose keys must be unique

/// `deserialize_with` for a map field: a key given twice is an error, not last-wins, so that
/// `"security-scan": "failed", "security-scan": "passed"` cannot pass for a passed check.
pub(crate) fn unique_map<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    deserializer: D,
) -> Result<std::collections::BTreeMap<String, V>, D::Error> {
    deserializer.deserialize_map(UniqueMap(PhantomData))
}

struct UniqueMap<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for UniqueMap<V> {
    type Value = std::collections::BTreeMap<String, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use std::collections::btree_map::Entry;
        let mut out = std::collections::BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            // One search for both the check and the insertion.
            match out.entry(key) {
                Entry::Occupied(e) => {
                    return Err(de::Error::custom(format_args!("duplicate key `{}`", e.key())));
                }
                Entry::Vacant(e) => {
                    e.insert(map.next_value::<V>()?);
                }
            }
        }
        Ok(out)
    }
}

/// `deserialize_with` for a free JSON object (`attributes`): like [`unique_map`], at every
/// depth, so that no object inside it can say one thing and then the opposite.
pub(crate) fn unique_json_object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    deserializer.deserialize_map(UniqueObject)
}

/// Reads the entries of a JSON object, refusing a key given twice.
fn unique_entries<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<serde_json::Map<String, serde_json::Value>, A::Error> {
    use serde_json::map::Entry;
    let mut out = serde_json::Map::new();
    while let Some(key) = map.next_key::<String>()? {
        // One search for both the check and the insertion.
        match out.entry(key) {
            Entry::Occupied(e) => return Err(de::Error::custom(format_args!("duplicate key `{}`", e.key()))),
            Entry::Vacant(e) => {
                let UniqueValue(value) = map.next_value()?;
                e.insert(value);
            }
        }
    }
    Ok(out)
}

/// Builds a JSON object with [`unique_entries`], and nothing else.
struct UniqueObject;

impl<'de> Visitor<'de> for UniqueObject {
    type Value = serde_json::Map<String, serde_json::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        unique_entries(map)
    }
}

/// A JSON value whose objects, at any depth, have distinct keys.
struct UniqueValue(serde_json::Value);

impl<'de> Deserialize<'de> for UniqueValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueJson).map(UniqueValue)
    }
}

/// Builds a [`serde_json::Value`], refusing a key given twice in an object.
struct UniqueJson;

impl<'de> Visitor<'de> for UniqueJson {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(UniqueJson)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(UniqueValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(serde_json::Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        unique_entries(map).map(serde_json::Value::Object)
    }
}
