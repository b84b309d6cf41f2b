//! JSON data as CEL values: owned conversion (for bindings) and zero-copy host views (for
//! `attributes` objects inside input documents).
//!
//! JSON integers become `int` (or `uint` above the int range), other numbers `double`, arrays
//! lists, objects maps with string keys.

use std::sync::Arc;

use serde_json::Value as Json;

use super::value::{HostList, HostMap, Key, List, Map, MapBuilder, Str, Value};

fn number<'a>(n: &serde_json::Number) -> Value<'a> {
    if let Some(i) = n.as_i64() {
        Value::Int(i)
    } else if let Some(u) = n.as_u64() {
        Value::Uint(u)
    } else {
        Value::Double(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// An owned CEL value with the content of `json`.
#[must_use]
pub fn from_json(json: &Json) -> Value<'static> {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => number(n),
        Json::String(s) => Value::String(Str::shared(Arc::from(s.as_str()))),
        Json::Array(items) => {
            let v: Vec<Value<'static>> = items.iter().map(from_json).collect();
            Value::list(v)
        }
        Json::Object(map) => {
            let mut b = MapBuilder::with_capacity(map.len());
            for (k, v) in map {
                b.push(Key::String(Str::shared(Arc::from(k.as_str()))), from_json(v));
            }
            // JSON object keys are distinct.
            Value::map(b.build().unwrap_or_default())
        }
    }
}

/// A CEL view of `json` that borrows it: nothing is copied.
#[must_use]
pub fn json_ref(json: &Json) -> Value<'_> {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => number(n),
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::List(List::host(items)),
        Json::Object(map) => Value::Map(Map::host(map)),
    }
}

impl HostList for Vec<Json> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.as_slice().get(index).map(json_ref)
    }
}

impl HostMap for serde_json::Map<String, Json> {
    fn len(&self) -> usize {
        serde_json::Map::len(self)
    }

    fn get(&self, key: &Key<'_>) -> Option<Value<'_>> {
        match key {
            Key::String(s) => self.get_str(s.as_str()),
            _ => None,
        }
    }

    fn get_str(&self, key: &str) -> Option<Value<'_>> {
        serde_json::Map::get(self, key).map(json_ref)
    }

    fn entry(&self, index: usize) -> Option<(Key<'_>, Value<'_>)> {
        self.iter().nth(index).map(|(k, v)| (Key::String(Str::borrowed(k)), json_ref(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_bind_as_cel_requires() {
        let j: Json =
            serde_json::from_str(r#"{"i": -3, "u": 18446744073709551615, "d": 1.5, "e": 2e0}"#).unwrap();
        let Value::Map(m) = from_json(&j) else { panic!("not a map") };
        let get = |k: &str| m.get(&Key::String(Str::borrowed(k))).unwrap();
        assert!(matches!(get("i"), Value::Int(-3)));
        assert!(matches!(get("u"), Value::Uint(u64::MAX)));
        assert!(matches!(get("d"), Value::Double(d) if (d - 1.5).abs() < f64::EPSILON));
        assert!(matches!(get("e"), Value::Double(d) if (d - 2.0).abs() < f64::EPSILON));
    }

    #[test]
    fn borrowed_view_reads_nested_data() {
        let j: Json = serde_json::from_str(r#"{"a": [1, {"b": "x"}]}"#).unwrap();
        let Value::Map(m) = json_ref(&j) else { panic!("not a map") };
        let Some(Value::List(l)) = m.get(&Key::String(Str::borrowed("a"))) else { panic!("not a list") };
        assert_eq!(l.len(), 2);
        let Some(Value::Map(inner)) = l.get(1) else { panic!("not a map") };
        assert_eq!(inner.get(&Key::String(Str::borrowed("b"))).unwrap().as_str(), Some("x"));
        assert_eq!(
            m.entry(0).map(|(k, _)| k.to_value().as_str().map(str::to_owned)),
            Some(Some("a".to_owned()))
        );
    }
}
