//! CEL equality and ordering of runtime values, as `distinct`, `sort`, `min` and `max` need them.
//!
//! Numbers compare by value across int, uint and double (`1 == 1u == 1.0`), exactly, without
//! rounding through a double. NaN equals nothing and is not ordered. Values of different kinds
//! are unequal and not ordered.

use std::cmp::Ordering;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::cel::value::Value;

/// 2^63, the first double above every int.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^64, the first double above every uint.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// CEL equality (`==`): numeric across types, element-wise for lists, key-wise for maps.
pub(super) fn equal(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x.as_str() == y.as_str(),
        (Value::Bytes(x), Value::Bytes(y)) => x.as_slice() == y.as_slice(),
        (Value::Timestamp(x), Value::Timestamp(y)) => x == y,
        (Value::Duration(x), Value::Duration(y)) => x == y,
        (Value::Semver(x), Value::Semver(y)) => x.get().cmp_precedence(y.get()) == Ordering::Equal,
        (Value::Opaque(x), Value::Opaque(y)) => x == y,
        (Value::Type(x), Value::Type(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(left, right)| equal(&left, &right))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(key, left)| y.get(&key).is_some_and(|right| equal(&left, &right)))
        }
        (Value::Object(x), Value::Object(y)) => {
            let ty = x.object_type();
            ty == y.object_type()
                && (0..ty.fields().len()).all(|i| match (x.field(i), y.field(i)) {
                    (None, None) => true,
                    (Some(left), Some(right)) => equal(&left, &right),
                    _ => false,
                })
        }
        _ => numeric_cmp(a, b) == Some(Ordering::Equal),
    }
}

/// CEL ordering (`<`): numbers across types, strings by code point, bytes, bools, timestamps
/// and durations. `None` when the values are of different kinds or a NaN is involved.
pub(super) fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        // UTF-8 byte order is code point order.
        (Value::String(x), Value::String(y)) => Some(x.as_str().cmp(y.as_str())),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.as_slice().cmp(y.as_slice())),
        (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        _ => numeric_cmp(a, b),
    }
}

/// Compares two numbers of any numeric types by value; `None` for non-numbers and NaN.
pub(super) fn numeric_cmp(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => x.partial_cmp(y),
        (Value::Double(x), _) => integer(b).and_then(|y| cmp_int_double(y, *x)).map(Ordering::reverse),
        (_, Value::Double(y)) => integer(a).and_then(|x| cmp_int_double(x, *y)),
        _ => Some(integer(a)?.cmp(&integer(b)?)),
    }
}

fn integer(v: &Value<'_>) -> Option<i128> {
    match v {
        Value::Int(i) => Some(i128::from(*i)),
        Value::Uint(u) => Some(i128::from(*u)),
        _ => None,
    }
}

/// Compares an int or uint (widened) with a double, exactly.
fn cmp_int_double(i: i128, d: f64) -> Option<Ordering> {
    if d.is_nan() {
        return None;
    }
    if d >= TWO_POW_64 {
        return Some(Ordering::Less);
    }
    if d < -TWO_POW_63 {
        return Some(Ordering::Greater);
    }
    // Within (-2^63 - 1, 2^64) the integral part of `d` converts to i128 exactly.
    let whole = d.trunc();
    match i.cmp(&(whole as i128)) {
        Ordering::Equal => (whole - d).partial_cmp(&0.0),
        other => Some(other),
    }
}

/// A hashable stand-in for values whose CEL equality is plain equality of this key, so that
/// `distinct` need not compare every pair. `None` for values compared structurally (lists,
/// maps, objects) and for NaN, which equals nothing.
#[derive(PartialEq, Eq, Hash)]
pub(super) enum HashKey<'v> {
    Null,
    Bool(bool),
    /// Every int, uint and integral double, by value.
    Integer(i128),
    /// A non-integral double, by its bits (with `-0.0` folded into `Integer(0)` above).
    Fraction(u64),
    String(&'v str),
    Bytes(&'v [u8]),
    Timestamp(crate::cel::value::Timestamp),
    Duration(crate::cel::value::Duration),
}

impl<'v> HashKey<'v> {
    pub(super) fn of(v: &'v Value<'_>) -> Option<HashKey<'v>> {
        Some(match v {
            Value::Null => HashKey::Null,
            Value::Bool(b) => HashKey::Bool(*b),
            Value::Int(_) | Value::Uint(_) => HashKey::Integer(integer(v)?),
            Value::Double(d) => {
                if d.is_nan() {
                    return None;
                }
                if d.fract() == 0.0 && *d >= -TWO_POW_63 && *d < TWO_POW_64 {
                    HashKey::Integer(*d as i128)
                } else {
                    HashKey::Fraction(d.to_bits())
                }
            }
            Value::String(s) => HashKey::String(s.as_str()),
            Value::Bytes(b) => HashKey::Bytes(b.as_slice()),
            Value::Timestamp(t) => HashKey::Timestamp(*t),
            Value::Duration(d) => HashKey::Duration(*d),
            _ => return None,
        })
    }
}

/// A hash of `v` consistent with [`equal`] (equal values hash the same), for values that
/// have no [`HashKey`]: lists hash their elements in order, maps their entries in any order,
/// scalars by their hash key. Values without one (NaN, which equals nothing, and host
/// objects, types and versions) hash by a common tag, so they share a bucket.
pub(super) fn structural_hash(v: &Value<'_>) -> u64 {
    let mut hasher = DefaultHasher::new();
    hash_into(v, &mut hasher);
    hasher.finish()
}

fn hash_into(v: &Value<'_>, hasher: &mut DefaultHasher) {
    match v {
        Value::List(items) => {
            1u8.hash(hasher);
            items.len().hash(hasher);
            for item in items.iter() {
                hash_into(&item, hasher);
            }
        }
        Value::Map(entries) => {
            2u8.hash(hasher);
            entries.len().hash(hasher);
            // Entry order does not matter for equality: combine the entries' hashes with a
            // commutative sum.
            let mut sum = 0u64;
            for (key, value) in entries.iter() {
                let mut entry = DefaultHasher::new();
                hash_into(&key.to_value(), &mut entry);
                hash_into(&value, &mut entry);
                sum = sum.wrapping_add(entry.finish());
            }
            sum.hash(hasher);
        }
        other => match HashKey::of(other) {
            Some(key) => {
                3u8.hash(hasher);
                key.hash(hasher);
            }
            None => 4u8.hash(hasher),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::value::{Key, MapBuilder, Str, Timestamp};

    #[test]
    fn numbers_compare_exactly_across_types() {
        use Ordering::{Equal, Greater, Less};
        let cases: [(Value<'_>, Value<'_>, Option<Ordering>); 14] = [
            (Value::Int(1), Value::Uint(1), Some(Equal)),
            (Value::Int(-1), Value::Uint(0), Some(Less)),
            (Value::Int(1), Value::Double(1.0), Some(Equal)),
            (Value::Int(1), Value::Double(1.5), Some(Less)),
            (Value::Int(-1), Value::Double(-1.5), Some(Greater)),
            (Value::Double(1.5), Value::Int(1), Some(Greater)),
            (Value::Int(9_007_199_254_740_993), Value::Double(9_007_199_254_740_992.0), Some(Greater)),
            (Value::Int(i64::MAX), Value::Double(TWO_POW_63), Some(Less)),
            (Value::Int(i64::MIN), Value::Double(-TWO_POW_63), Some(Equal)),
            (Value::Uint(u64::MAX), Value::Double(TWO_POW_64), Some(Less)),
            (Value::Uint(u64::MAX), Value::Double(-1e300), Some(Greater)),
            (Value::Int(0), Value::Double(-0.0), Some(Equal)),
            (Value::Int(1), Value::Double(f64::NAN), None),
            (Value::Double(f64::NAN), Value::Double(f64::NAN), None),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(&a, &b), want, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn structural_hash_agrees_with_equality() {
        let list = |items: Vec<Value<'static>>| Value::list(items);
        let map = |entries: Vec<(Key<'static>, Value<'static>)>| {
            let mut b = MapBuilder::new();
            for (k, v) in entries {
                b.push(k, v);
            }
            Value::map(b.build().unwrap())
        };
        let equal_pairs = [
            (list(vec![Value::Int(1)]), list(vec![Value::Double(1.0)])),
            (list(vec![Value::Uint(1), Value::str("a")]), list(vec![Value::Int(1), Value::str("a")])),
            (
                map(vec![(Key::Int(1), Value::Int(2)), (Key::String(Str::borrowed("b")), Value::Null)]),
                map(vec![(Key::String(Str::borrowed("b")), Value::Null), (Key::Uint(1), Value::Double(2.0))]),
            ),
            (list(vec![list(vec![Value::Double(-0.0)])]), list(vec![list(vec![Value::Int(0)])])),
        ];
        for (a, b) in &equal_pairs {
            assert!(equal(a, b), "{a:?} == {b:?}");
            assert_eq!(structural_hash(a), structural_hash(b), "{a:?} and {b:?}");
        }
        let a = list(vec![Value::Int(1), Value::Int(2)]);
        let b = list(vec![Value::Int(2), Value::Int(1)]);
        assert!(!equal(&a, &b));
        assert_ne!(structural_hash(&a), structural_hash(&b));
    }

    #[test]
    fn different_kinds_are_unequal_and_unordered() {
        assert!(!equal(&Value::Int(1), &Value::str("1")));
        assert!(!equal(&Value::Null, &Value::Bool(false)));
        assert_eq!(compare(&Value::Int(1), &Value::str("1")), None);
        assert_eq!(compare(&Value::Null, &Value::Null), None);
        assert!(equal(&Value::Null, &Value::Null));
        assert!(!equal(&Value::Double(f64::NAN), &Value::Double(f64::NAN)));
    }

    #[test]
    fn strings_order_by_code_point() {
        assert_eq!(compare(&Value::str("a"), &Value::str("b")), Some(Ordering::Less));
        assert_eq!(compare(&Value::str("é"), &Value::str("z")), Some(Ordering::Greater));
        assert_eq!(compare(&Value::str("ab"), &Value::str("a")), Some(Ordering::Greater));
        let t0 = Value::Timestamp(Timestamp::UNIX_EPOCH);
        let t1 = Value::Timestamp(Timestamp::new(1, 0).unwrap());
        assert_eq!(compare(&t0, &t1), Some(Ordering::Less));
        assert!(equal(&t1, &t1.clone()));
    }

    #[test]
    fn aggregates_compare_structurally() {
        let a = Value::list(vec![Value::Int(1), Value::str("x")]);
        let b = Value::list(vec![Value::Double(1.0), Value::str("x")]);
        let c = Value::list(vec![Value::Int(1)]);
        assert!(equal(&a, &b));
        assert!(!equal(&a, &c));
        let map = |v: i64| {
            let mut m = MapBuilder::new();
            m.push(Key::Int(1), Value::Int(v));
            m.push(Key::String(crate::cel::value::Str::borrowed("k")), Value::Null);
            Value::map(m.build().unwrap())
        };
        assert!(equal(&map(2), &map(2)));
        assert!(!equal(&map(2), &map(3)));
        assert!(!equal(&map(2), &a));
    }

    #[test]
    fn hash_keys_agree_with_equality() {
        let values = [
            Value::Int(1),
            Value::Uint(1),
            Value::Double(1.0),
            Value::Double(1.5),
            Value::Double(-0.0),
            Value::Int(0),
            Value::str("1"),
            Value::Bool(true),
            Value::Null,
        ];
        for a in &values {
            for b in &values {
                let (ka, kb) = (HashKey::of(a).unwrap(), HashKey::of(b).unwrap());
                assert_eq!(ka == kb, equal(a, b), "{a:?} vs {b:?}");
            }
        }
        assert!(HashKey::of(&Value::Double(f64::NAN)).is_none());
        assert!(HashKey::of(&Value::list(vec![])).is_none());
    }
}
