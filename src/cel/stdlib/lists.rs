//! List extensions, receiver-style: `sum`, `min`, `max`, `distinct` and `sort`.
//!
//! Numbers of different types are compared by value (`[1, 2u, 0.5].min()` is `0.5`); strings
//! by code point; bytes, bools, timestamps and durations are ordered too. A list mixing kinds
//! that cannot be ordered against each other (`[1, "a"]`), or holding NaN, cannot be sorted.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::compare::{HashKey, compare, equal, structural_hash};
use super::cost::{copy_list, scan_list, sort_list};
use super::{Impl, Overload, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{Duration, EvalError, List, Value};

/// The element types `min`, `max` and `sort` are declared for, with their overload ids.
const ORDERED: [(Type, &str, &str, &str); 8] = [
    (Type::Int, "list_int_min", "list_int_max", "list_int_sort"),
    (Type::Uint, "list_uint_min", "list_uint_max", "list_uint_sort"),
    (Type::Double, "list_double_min", "list_double_max", "list_double_sort"),
    (Type::String, "list_string_min", "list_string_max", "list_string_sort"),
    (Type::Bytes, "list_bytes_min", "list_bytes_max", "list_bytes_sort"),
    (Type::Bool, "list_bool_min", "list_bool_max", "list_bool_sort"),
    (Type::Timestamp, "list_timestamp_min", "list_timestamp_max", "list_timestamp_sort"),
    (Type::Duration, "list_duration_min", "list_duration_max", "list_duration_sort"),
];

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Double, Int, Uint};
    out.extend([
        method("list_int_sum", "sum", vec![Type::list(Int)], Int, Impl::F1(sum_int)).priced(scan_list),
        method("list_uint_sum", "sum", vec![Type::list(Uint)], Uint, Impl::F1(sum_uint)).priced(scan_list),
        method("list_double_sum", "sum", vec![Type::list(Double)], Double, Impl::F1(sum_double))
            .priced(scan_list),
        method(
            "list_duration_sum",
            "sum",
            vec![Type::list(Type::Duration)],
            Type::Duration,
            Impl::F1(sum_duration),
        )
        .priced(scan_list),
    ]);
    for (elem, min_id, max_id, sort_id) in ORDERED {
        out.push(
            method(min_id, "min", vec![Type::list(elem.clone())], elem.clone(), Impl::F1(min))
                .priced(scan_list),
        );
        out.push(
            method(max_id, "max", vec![Type::list(elem.clone())], elem.clone(), Impl::F1(max))
                .priced(scan_list),
        );
        out.push(
            method(sort_id, "sort", vec![Type::list(elem.clone())], Type::list(elem), Impl::F1(sort))
                .priced(sort_list),
        );
    }
    let list_a = || Type::list(Type::Param(0));
    out.push(
        method("list_distinct", "distinct", vec![list_a()], list_a(), Impl::F1(distinct)).priced(copy_list),
    );
}

pub(super) fn list_arg<'v, 'a>(function: &str, v: &'v Value<'a>) -> Result<&'v List<'a>, EvalError> {
    match v {
        Value::List(l) => Ok(l),
        _ => Err(no_such_overload(function, &[v])),
    }
}

fn sum_int<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    sum(v, Value::Int(0))
}

fn sum_uint<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    sum(v, Value::Uint(0))
}

fn sum_double<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    sum(v, Value::Double(0.0))
}

fn sum_duration<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    sum(v, Value::Duration(Duration::ZERO))
}

/// Adds the elements, which must all be of one type among int, uint, double and duration;
/// `empty` is the sum of an empty list.
fn sum<'a>(v: &Value<'a>, empty: Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("sum", v)?;
    let mut items = list.iter();
    let Some(mut total) = items.next() else { return Ok(empty) };
    if !matches!(total, Value::Int(_) | Value::Uint(_) | Value::Double(_) | Value::Duration(_)) {
        return Err(EvalError::no_such_overload(format!(
            "no such overload: `sum` of a list of `{}`",
            total.type_name()
        )));
    }
    for item in items {
        total = match (&total, &item) {
            (Value::Int(a), Value::Int(b)) => {
                Value::Int(a.checked_add(*b).ok_or_else(|| EvalError::overflow("int"))?)
            }
            (Value::Uint(a), Value::Uint(b)) => {
                Value::Uint(a.checked_add(*b).ok_or_else(|| EvalError::overflow("uint"))?)
            }
            (Value::Double(a), Value::Double(b)) => Value::Double(a + b),
            (Value::Duration(a), Value::Duration(b)) => {
                Value::Duration(Duration::from_nanos(a.total_nanos() + b.total_nanos())?)
            }
            _ => {
                return Err(EvalError::no_such_overload(format!(
                    "no such overload: `sum` of a list mixing `{}` and `{}`",
                    total.type_name(),
                    item.type_name()
                )));
            }
        };
    }
    Ok(total)
}

/// The kinds of values that can be ordered against each other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Number,
    String,
    Bytes,
    Bool,
    Timestamp,
    Duration,
}

fn class(v: &Value<'_>) -> Option<Class> {
    Some(match v {
        Value::Int(_) | Value::Uint(_) => Class::Number,
        Value::Double(d) if !d.is_nan() => Class::Number,
        Value::String(_) => Class::String,
        Value::Bytes(_) => Class::Bytes,
        Value::Bool(_) => Class::Bool,
        Value::Timestamp(_) => Class::Timestamp,
        Value::Duration(_) => Class::Duration,
        _ => return None,
    })
}

/// Checks that all elements can be ordered against each other, so that [`compare`] is a
/// total order on them.
pub(super) fn check_orderable(function: &str, list: &List<'_>) -> Result<(), EvalError> {
    let mut first: Option<(Class, Value<'_>)> = None;
    for item in list.iter() {
        let Some(c) = class(&item) else {
            return Err(match item {
                Value::Double(_) => EvalError::invalid_argument(format!("`{function}` cannot order NaN")),
                _ => EvalError::no_such_overload(format!(
                    "no such overload: `{function}` cannot order values of type `{}`",
                    item.type_name()
                )),
            });
        };
        match &first {
            None => first = Some((c, item)),
            Some((fc, fv)) if *fc != c => {
                return Err(EvalError::no_such_overload(format!(
                    "no such overload: `{function}` cannot order `{}` against `{}`",
                    fv.type_name(),
                    item.type_name()
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn min<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    extreme("min", v, Ordering::Less)
}

fn max<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    extreme("max", v, Ordering::Greater)
}

/// The first element that no other element is `wanted` of.
fn extreme<'a>(function: &str, v: &Value<'a>, wanted: Ordering) -> Result<Value<'a>, EvalError> {
    let list = list_arg(function, v)?;
    check_orderable(function, list)?;
    let mut best: Option<Value<'a>> = None;
    for item in list.iter() {
        best = match best {
            Some(b) if compare(&item, &b) != Some(wanted) => Some(b),
            _ => Some(item),
        };
    }
    best.ok_or_else(|| EvalError::invalid_argument(format!("`{function}` of an empty list")))
}

/// A stable sort (equal elements, such as `1` and `1.0`, keep their order).
fn sort<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("sort", v)?;
    check_orderable("sort", list)?;
    let mut items: Vec<Value<'a>> = list.iter().collect();
    let by = |a: &Value<'a>, b: &Value<'a>| compare(a, b).unwrap_or(Ordering::Equal);
    if items.is_sorted_by(|a, b| by(a, b) != Ordering::Greater) {
        return Ok(v.clone());
    }
    items.sort_by(by);
    Ok(Value::list(items))
}

/// The elements without repeats, keeping the first of equal elements (CEL equality, so `1`,
/// `1u` and `1.0` are repeats of one another).
fn distinct<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("distinct", v)?;
    let items: Vec<Value<'a>> = list.iter().collect();
    let mut seen: HashSet<HashKey<'_>> = HashSet::with_capacity(items.len());
    // Values without a hash key (lists, maps, objects, NaN) are compared one by one with the
    // earlier ones of the same structural hash, which keeps the work linear for lists of
    // distinct lists or maps (comparing each with all the others was quadratic).
    let mut others: HashMap<u64, Vec<&Value<'a>>> = HashMap::new();
    let mut keep = Vec::with_capacity(items.len());
    for item in &items {
        let first = if let Some(key) = HashKey::of(item) {
            seen.insert(key)
        } else {
            let bucket = others.entry(structural_hash(item)).or_default();
            let new = !bucket.iter().any(|o| equal(o, item));
            if new {
                bucket.push(item);
            }
            new
        };
        keep.push(first);
    }
    if keep.iter().all(|k| *k) {
        return Ok(v.clone());
    }
    let out: Vec<Value<'a>> =
        items.iter().zip(keep).filter(|(_, k)| *k).map(|(item, _)| item.clone()).collect();
    Ok(Value::list(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::value::{EvalErrorKind, Timestamp};

    fn list(items: Vec<Value<'static>>) -> Value<'static> {
        Value::list(items)
    }

    fn ints(items: &[i64]) -> Value<'static> {
        list(items.iter().map(|i| Value::Int(*i)).collect())
    }

    fn shown(v: &Result<Value<'_>, EvalError>) -> String {
        match v {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    #[allow(clippy::float_cmp, reason = "exact sums")]
    fn sums() {
        assert!(matches!(sum_int(&ints(&[1, 2, 3])), Ok(Value::Int(6))));
        assert!(matches!(sum_int(&ints(&[])), Ok(Value::Int(0))));
        assert!(matches!(sum_uint(&list(vec![])), Ok(Value::Uint(0))));
        assert!(matches!(sum_double(&list(vec![])), Ok(Value::Double(d)) if d == 0.0));
        assert!(matches!(sum_uint(&list(vec![Value::Uint(2), Value::Uint(3)])), Ok(Value::Uint(5))));
        assert!(
            matches!(sum_double(&list(vec![Value::Double(0.5), Value::Double(0.25)])), Ok(Value::Double(d)) if d == 0.75)
        );
        let e = sum_int(&ints(&[i64::MAX, 1])).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::Overflow);
        assert_eq!(sum_int(&ints(&[i64::MIN, -1])).unwrap_err().kind(), EvalErrorKind::Overflow);
        let e = sum_uint(&list(vec![Value::Uint(u64::MAX), Value::Uint(1)])).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::Overflow);
        let e = sum_int(&list(vec![Value::Int(1), Value::Double(1.0)])).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::NoSuchOverload);
        assert!(sum_int(&list(vec![Value::str("a")])).is_err());
        let d = |s| Value::Duration(Duration::parse(s).unwrap());
        assert_eq!(shown(&sum_duration(&list(vec![d("1h"), d("30m")]))), r#"duration("5400s")"#);
        assert!(sum_duration(&list(vec![d("5000000000s"), d("5000000000s")])).is_err());
    }

    #[test]
    #[allow(clippy::float_cmp, reason = "exact values")]
    fn min_and_max() {
        assert!(matches!(min(&ints(&[3, 1, 2])), Ok(Value::Int(1))));
        assert!(matches!(max(&ints(&[3, 1, 2])), Ok(Value::Int(3))));
        assert!(matches!(min(&ints(&[7])), Ok(Value::Int(7))));
        let mixed = list(vec![Value::Int(1), Value::Uint(2), Value::Double(0.5)]);
        assert!(matches!(min(&mixed), Ok(Value::Double(d)) if d == 0.5));
        assert!(matches!(max(&mixed), Ok(Value::Uint(2))));
        // The first of equal extremes.
        assert!(matches!(min(&list(vec![Value::Double(1.0), Value::Int(1)])), Ok(Value::Double(_))));
        let words = list(vec![Value::str("b"), Value::str("a"), Value::str("c")]);
        assert_eq!(shown(&min(&words)), r#""a""#);
        assert_eq!(shown(&max(&words)), r#""c""#);
        let e = min(&ints(&[])).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::InvalidArgument);
        assert_eq!(e.message(), "`min` of an empty list");
        let e = max(&list(vec![Value::Int(1), Value::str("a")])).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::NoSuchOverload);
        assert_eq!(e.message(), "no such overload: `max` cannot order `int` against `string`");
        let e = max(&list(vec![Value::Double(1.0), Value::Double(f64::NAN)])).unwrap_err();
        assert_eq!(e.message(), "`max` cannot order NaN");
        assert!(min(&list(vec![Value::Null])).is_err());
        let ts = |s| Value::Timestamp(Timestamp::parse(s).unwrap());
        let times = list(vec![ts("2026-01-02T00:00:00Z"), ts("2025-01-02T00:00:00Z")]);
        assert_eq!(shown(&min(&times)), r#"timestamp("2025-01-02T00:00:00Z")"#);
        assert!(min(&Value::Int(1)).is_err());
    }

    #[test]
    fn sorting() {
        assert_eq!(shown(&sort(&ints(&[3, 1, 2]))), "[1, 2, 3]");
        assert_eq!(shown(&sort(&ints(&[]))), "[]");
        let words = list(vec![Value::str("b"), Value::str("é"), Value::str("a"), Value::str("B")]);
        assert_eq!(shown(&sort(&words)), r#"["B", "a", "b", "é"]"#);
        let mixed = list(vec![Value::Double(2.5), Value::Uint(1), Value::Int(-3), Value::Double(1.0)]);
        assert_eq!(shown(&sort(&mixed)), "[-3, 1u, 1.0, 2.5]");
        let e = sort(&list(vec![Value::Int(1), Value::str("a")])).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::NoSuchOverload);
        assert!(sort(&list(vec![Value::Double(f64::NAN), Value::Double(1.0)])).is_err());
        assert!(sort(&list(vec![ints(&[1]), ints(&[0])])).is_err());
        assert_eq!(shown(&sort(&list(vec![Value::Bool(true), Value::Bool(false)]))), "[false, true]");
    }

    #[test]
    fn sorted_lists_are_returned_as_is() {
        let items = [Value::Int(1), Value::Int(2)];
        let v = Value::List(List::borrowed(&items));
        let Ok(Value::List(out)) = sort(&v) else { panic!() };
        assert!(std::ptr::eq(out.as_slice().unwrap().as_ptr(), items.as_ptr()));
        let Ok(Value::List(out)) = distinct(&v) else { panic!() };
        assert!(std::ptr::eq(out.as_slice().unwrap().as_ptr(), items.as_ptr()));
    }

    #[test]
    fn distinct_keeps_first_occurrences() {
        assert_eq!(shown(&distinct(&ints(&[1, 2, 2, 3, 1]))), "[1, 2, 3]");
        assert_eq!(shown(&distinct(&ints(&[]))), "[]");
        let mixed =
            list(vec![Value::Double(1.0), Value::Int(1), Value::Uint(1), Value::str("1"), Value::Int(2)]);
        assert_eq!(shown(&distinct(&mixed)), r#"[1.0, "1", 2]"#);
        let nested = list(vec![ints(&[1, 2]), ints(&[1]), list(vec![Value::Int(1), Value::Double(2.0)])]);
        assert_eq!(shown(&distinct(&nested)), "[[1, 2], [1]]");
        // NaN equals nothing, itself included.
        let nans = list(vec![Value::Double(f64::NAN), Value::Double(f64::NAN)]);
        assert_eq!(shown(&distinct(&nans)), r#"[double("NaN"), double("NaN")]"#);
        assert!(distinct(&Value::Null).is_err());
    }

    #[test]
    fn distinct_is_fast_on_long_lists() {
        let many = list((0..200_000).map(|i| Value::Int(i % 1000)).collect());
        let Ok(Value::List(out)) = distinct(&many) else { panic!() };
        assert_eq!(out.len(), 1000);
    }
}
