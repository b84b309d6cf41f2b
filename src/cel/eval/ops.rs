//! Operators: arithmetic, comparison, equality, membership, selection and indexing.

use std::cmp::Ordering;
use std::sync::Arc;

use super::Budget;
use crate::cel::display::Canonical;
use crate::cel::ir::{ArithOp, CmpOp, FieldRef};
use crate::cel::stdlib::Cost;
use crate::cel::value::{Bytes, EvalError, Key, List, Map, OptionalValue, Str, Value};

/// The price of a concatenation `x + y`: one step per element of the resulting list, one per
/// 16 bytes (rounded up) of the resulting string or bytes, and the size of the result; nothing
/// for other operands. Without it, a comprehension that doubles a value at each nesting level
/// (`[s + s].map(t, [t + t].map(…))`) would allocate without bound.
pub(crate) fn concat_cost(x: &Value<'_>, y: &Value<'_>) -> Cost {
    let text = |n: usize| Cost { steps: u64::try_from(n.div_ceil(16)).unwrap_or(u64::MAX), bytes: n };
    match (x, y) {
        (Value::String(a), Value::String(b)) => text(a.as_str().len().saturating_add(b.as_str().len())),
        (Value::Bytes(a), Value::Bytes(b)) => text(a.as_slice().len().saturating_add(b.as_slice().len())),
        (Value::List(a), Value::List(b)) => Cost::list(a.len().saturating_add(b.len()), 0),
        _ => Cost::default(),
    }
}

pub(crate) fn no_overload1(op: &str, v: &Value<'_>) -> EvalError {
    EvalError::operand_types(format!(
        "no matching overload for `{op}` with argument type `{}`",
        v.type_name()
    ))
}

pub(crate) fn no_overload_n(op: &str, vals: &[Value<'_>]) -> EvalError {
    let types: Vec<&str> = vals.iter().map(Value::type_name).collect();
    EvalError::operand_types(format!(
        "no matching overload for `{op}` with argument types ({})",
        types.join(", ")
    ))
}

// ------------------------------------------------------------------------------------------
// Arithmetic

pub(crate) fn negate<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| EvalError::overflow("int")),
        Value::Double(d) => Ok(Value::Double(-d)),
        Value::Duration(d) => Ok(Value::Duration(crate::cel::value::Duration::from_nanos(-d.total_nanos())?)),
        other => Err(no_overload1("-", other)),
    }
}

pub(crate) fn arith<'a>(op: ArithOp, x: &Value<'a>, y: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) => int_arith(op, *a, *b).map(Value::Int),
        (Value::Uint(a), Value::Uint(b)) => uint_arith(op, *a, *b).map(Value::Uint),
        (Value::Double(a), Value::Double(b)) => match op {
            ArithOp::Add => Ok(Value::Double(a + b)),
            ArithOp::Sub => Ok(Value::Double(a - b)),
            ArithOp::Mul => Ok(Value::Double(a * b)),
            ArithOp::Div => Ok(Value::Double(a / b)),
            ArithOp::Rem => Err(no_overload_n("%", &[x.clone(), y.clone()])),
        },
        (Value::String(a), Value::String(b)) if op == ArithOp::Add => {
            if b.as_str().is_empty() {
                return Ok(x.clone());
            }
            if a.as_str().is_empty() {
                return Ok(y.clone());
            }
            let mut s = String::with_capacity(a.as_str().len() + b.as_str().len());
            s.push_str(a.as_str());
            s.push_str(b.as_str());
            Ok(Value::String(Str::shared(Arc::from(s))))
        }
        (Value::Bytes(a), Value::Bytes(b)) if op == ArithOp::Add => {
            let mut v = Vec::with_capacity(a.as_slice().len() + b.as_slice().len());
            v.extend_from_slice(a.as_slice());
            v.extend_from_slice(b.as_slice());
            Ok(Value::Bytes(Bytes::shared(Arc::from(v))))
        }
        (Value::List(a), Value::List(b)) if op == ArithOp::Add => {
            if b.is_empty() {
                return Ok(x.clone());
            }
            if a.is_empty() {
                return Ok(y.clone());
            }
            // Lists that hold their elements are copied straight into the shared list: one
            // allocation, not a vector and then a copy of it.
            if let (Some(p), Some(q)) = (a.as_slice(), b.as_slice()) {
                return Ok(Value::List(List::shared(p.iter().chain(q).cloned().collect())));
            }
            let mut v = Vec::with_capacity(a.len() + b.len());
            v.extend(a.iter());
            v.extend(b.iter());
            Ok(Value::List(List::shared(Arc::from(v))))
        }
        (Value::Timestamp(t), Value::Duration(d)) if op == ArithOp::Add => {
            Ok(Value::Timestamp(t.checked_add(*d)?))
        }
        (Value::Duration(d), Value::Timestamp(t)) if op == ArithOp::Add => {
            Ok(Value::Timestamp(t.checked_add(*d)?))
        }
        (Value::Timestamp(t), Value::Duration(d)) if op == ArithOp::Sub => {
            Ok(Value::Timestamp(t.checked_sub(*d)?))
        }
        (Value::Timestamp(a), Value::Timestamp(b)) if op == ArithOp::Sub => Ok(Value::Duration(a.since(*b)?)),
        (Value::Duration(a), Value::Duration(b)) if matches!(op, ArithOp::Add | ArithOp::Sub) => {
            let total = if op == ArithOp::Add {
                a.total_nanos() + b.total_nanos()
            } else {
                a.total_nanos() - b.total_nanos()
            };
            Ok(Value::Duration(crate::cel::value::Duration::from_nanos(total)?))
        }
        _ => Err(no_overload_n(op.symbol(), &[x.clone(), y.clone()])),
    }
}

fn int_arith(op: ArithOp, a: i64, b: i64) -> Result<i64, EvalError> {
    let r = match op {
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul => a.checked_mul(b),
        ArithOp::Div => {
            if b == 0 {
                return Err(EvalError::division_by_zero());
            }
            a.checked_div(b)
        }
        ArithOp::Rem => {
            if b == 0 {
                return Err(EvalError::modulus_by_zero());
            }
            a.checked_rem(b)
        }
    };
    r.ok_or_else(|| EvalError::overflow("int"))
}

fn uint_arith(op: ArithOp, a: u64, b: u64) -> Result<u64, EvalError> {
    let r = match op {
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul => a.checked_mul(b),
        ArithOp::Div => {
            if b == 0 {
                return Err(EvalError::division_by_zero());
            }
            a.checked_div(b)
        }
        ArithOp::Rem => {
            if b == 0 {
                return Err(EvalError::modulus_by_zero());
            }
            a.checked_rem(b)
        }
    };
    r.ok_or_else(|| EvalError::overflow("uint"))
}

// ------------------------------------------------------------------------------------------
// Ordering and equality

/// The ordering of an int and a double. As CEL specifies (and its conformance suite checks),
/// the int is converted to a double first, so precision is lost above 2^53. `None` for NaN.
pub(crate) fn cmp_int_double(i: i64, d: f64) -> Option<Ordering> {
    (i as f64).partial_cmp(&d)
}

/// The ordering of a uint and a double, the uint converted to a double first; `None` for NaN.
pub(crate) fn cmp_uint_double(u: u64, d: f64) -> Option<Ordering> {
    (u as f64).partial_cmp(&d)
}

fn cmp_int_uint(i: i64, u: u64) -> Ordering {
    if i < 0 { Ordering::Less } else { (i as u64).cmp(&u) }
}

/// The ordering of two numbers of any numeric types: `None` when not both numbers, `Some(None)`
/// when unordered (NaN).
#[allow(clippy::option_option, reason = "not numbers and unordered numbers are different answers")]
fn numeric_cmp(x: &Value<'_>, y: &Value<'_>) -> Option<Option<Ordering>> {
    Some(match (x, y) {
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Uint(a), Value::Uint(b)) => Some(a.cmp(b)),
        (Value::Double(a), Value::Double(b)) => a.partial_cmp(b),
        (Value::Int(a), Value::Uint(b)) => Some(cmp_int_uint(*a, *b)),
        (Value::Uint(a), Value::Int(b)) => Some(cmp_int_uint(*b, *a).reverse()),
        (Value::Int(a), Value::Double(b)) => cmp_int_double(*a, *b),
        (Value::Double(a), Value::Int(b)) => cmp_int_double(*b, *a).map(Ordering::reverse),
        (Value::Uint(a), Value::Double(b)) => cmp_uint_double(*a, *b),
        (Value::Double(a), Value::Uint(b)) => cmp_uint_double(*b, *a).map(Ordering::reverse),
        _ => return None,
    })
}

pub(crate) fn compare<'a>(op: CmpOp, x: &Value<'_>, y: &Value<'_>) -> Result<Value<'a>, EvalError> {
    compare_bool(op, x, y).map(Value::Bool)
}

/// `x op y` as a bool.
pub(crate) fn compare_bool(op: CmpOp, x: &Value<'_>, y: &Value<'_>) -> Result<bool, EvalError> {
    if let Some(o) = numeric_cmp(x, y) {
        return Ok(o.is_some_and(|o| op.holds(o)));
    }
    let o = match (x, y) {
        (Value::String(a), Value::String(b)) => a.as_str().cmp(b.as_str()),
        (Value::Bytes(a), Value::Bytes(b)) => a.as_slice().cmp(b.as_slice()),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Timestamp(a), Value::Timestamp(b)) => a.cmp(b),
        (Value::Duration(a), Value::Duration(b)) => a.cmp(b),
        _ => return Err(no_overload_n(op.symbol(), &[x.clone(), y.clone()])),
    };
    Ok(op.holds(o))
}

/// CEL equality: values of different kinds are unequal (numbers compare by value); lists and
/// maps compare element-wise; NaN equals nothing.
pub(crate) fn equals(x: &Value<'_>, y: &Value<'_>) -> bool {
    match (x, y) {
        (Value::String(a), Value::String(b)) => return a.as_str() == b.as_str(),
        (Value::Int(a), Value::Int(b)) => return a == b,
        (Value::Bool(a), Value::Bool(b)) => return a == b,
        _ => {}
    }
    if let Some(o) = numeric_cmp(x, y) {
        return o == Some(Ordering::Equal);
    }
    match (x, y) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::String(b)) => a.as_str() == b.as_str(),
        (Value::Bytes(a), Value::Bytes(b)) => a.as_slice() == b.as_slice(),
        (Value::Timestamp(a), Value::Timestamp(b)) => a == b,
        (Value::Duration(a), Value::Duration(b)) => a == b,
        (Value::Semver(a), Value::Semver(b)) => a.get().cmp_precedence(b.get()) == Ordering::Equal,
        (Value::Opaque(a), Value::Opaque(b)) => a == b,
        (Value::Type(a), Value::Type(b)) => a.name() == b.name(),
        (Value::Optional(a), Value::Optional(b)) => match (a.get(), b.get()) {
            (Some(p), Some(q)) => equals(p, q),
            (p, q) => p.is_none() && q.is_none(),
        },
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(p, q)| equals(&p, &q))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(&k).is_some_and(|w| equals(&v, &w)))
        }
        (Value::Object(a), Value::Object(b)) => {
            let ty = a.object_type();
            ty == b.object_type()
                && (0..ty.fields().len()).all(|i| match (a.field(i), b.field(i)) {
                    (Some(p), Some(q)) => equals(&p, &q),
                    (None, None) => true,
                    _ => false,
                })
        }
        _ => false,
    }
}

/// [`equals`], charged: one step per element or entry of two lists or maps of one size
/// compared (at every level, before comparing it), one per 16 bytes of two strings or bytes
/// of one length. Scalars cost nothing.
pub(crate) fn equals_charged(x: &Value<'_>, y: &Value<'_>, budget: &Budget) -> Result<bool, EvalError> {
    match (x, y) {
        (Value::List(a), Value::List(b)) if a.len() == b.len() => {
            budget.spend(a.len() as u64)?;
            for (p, q) in a.iter().zip(b.iter()) {
                if !equals_charged(&p, &q, budget)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        (Value::Map(a), Value::Map(b)) if a.len() == b.len() => {
            budget.spend(a.len() as u64)?;
            for (k, v) in a.iter() {
                match b.get(&k) {
                    Some(w) if equals_charged(&v, &w, budget)? => {}
                    _ => return Ok(false),
                }
            }
            Ok(true)
        }
        (Value::String(a), Value::String(b)) => {
            let (a, b) = (a.as_str(), b.as_str());
            if a.len() == b.len() && a.len() >= 16 {
                budget.spend((a.len() / 16) as u64)?;
            }
            Ok(a == b)
        }
        (Value::Bytes(a), Value::Bytes(b)) => {
            let (a, b) = (a.as_slice(), b.as_slice());
            if a.len() == b.len() && a.len() >= 16 {
                budget.spend((a.len() / 16) as u64)?;
            }
            Ok(a == b)
        }
        (Value::Optional(a), Value::Optional(b)) => match (a.get(), b.get()) {
            (Some(p), Some(q)) => equals_charged(p, q, budget),
            (p, q) => Ok(p.is_none() && q.is_none()),
        },
        _ => Ok(equals(x, y)),
    }
}

// ------------------------------------------------------------------------------------------
// Containers

/// The map key to look up for `v`: integral doubles find int and uint keys.
fn lookup_keys<'v>(v: &Value<'v>) -> Option<Key<'v>> {
    match v {
        Value::Double(d) => {
            if d.fract() != 0.0 || !d.is_finite() {
                return None;
            }
            if *d >= -9_223_372_036_854_775_808.0 && *d < 9_223_372_036_854_775_808.0 {
                Some(Key::Int(*d as i64))
            } else if *d >= 0.0 && *d < 18_446_744_073_709_551_616.0 {
                Some(Key::Uint(*d as u64))
            } else {
                None
            }
        }
        other => Key::from_value(other),
    }
}

pub(super) fn map_get<'a>(m: &Map<'a>, key: &Value<'_>) -> Result<Option<Value<'a>>, EvalError> {
    match key {
        Value::String(s) => Ok(m.get_str(s.as_str())),
        Value::Bool(_) | Value::Int(_) | Value::Uint(_) | Value::Double(_) => {
            Ok(lookup_keys(key).and_then(|k| m.get(&k)))
        }
        other => {
            Err(EvalError::no_such_overload(format!("a map cannot be indexed by a `{}`", other.type_name())))
        }
    }
}

/// `container[index]`.
pub(crate) fn index<'a>(container: &Value<'a>, index: &Value<'_>) -> Result<Value<'a>, EvalError> {
    match container {
        Value::List(l) => {
            let i = match index {
                Value::Int(i) => *i,
                Value::Uint(u) => i64::try_from(*u).unwrap_or(i64::MAX),
                Value::Double(d) if d.fract() == 0.0 && d.is_finite() => *d as i64,
                other => {
                    return Err(EvalError::no_such_overload(format!(
                        "a list index must be an int, found `{}`",
                        other.type_name()
                    )));
                }
            };
            usize::try_from(i).ok().and_then(|i| l.get(i)).ok_or_else(|| {
                EvalError::new(
                    crate::cel::value::EvalErrorKind::IndexOutOfBounds,
                    // The index as written: a uint or double index past the int range would
                    // otherwise show as the saturated `i64::MAX`.
                    format!("index out of bounds: {} (list size {})", Canonical(index), l.len()),
                )
            })
        }
        Value::Map(m) => map_get(m, index)?.ok_or_else(|| EvalError::no_such_key(KeyText(index))),
        // Indexing an optional value is optional indexing.
        Value::Optional(_) => opt_index(container, index),
        other => Err(EvalError::no_such_overload(format!(
            "a value of type `{}` cannot be indexed",
            other.type_name()
        ))),
    }
}

/// `x in container` as a bool, where `x` is a list or map compared with each element by
/// [`equals_charged`] (the scan itself is charged by the caller); otherwise as
/// [`contains_bool`].
pub(crate) fn contains_charged(
    container: &Value<'_>,
    x: &Value<'_>,
    budget: &Budget,
) -> Result<bool, EvalError> {
    if let (Value::List(l), Value::List(_) | Value::Map(_)) = (container, x) {
        for item in l.iter() {
            if equals_charged(&item, x, budget)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    contains_bool(container, x)
}

/// `x in container` as a bool.
pub(crate) fn contains_bool(container: &Value<'_>, x: &Value<'_>) -> Result<bool, EvalError> {
    match container {
        Value::List(l) if matches!(x, Value::String(_)) => Ok(l.contains_str(x.as_str().unwrap_or(""))),
        Value::List(l) => Ok(match l.as_slice() {
            Some(items) => items.iter().any(|item| equals(item, x)),
            None => l.iter().any(|item| equals(&item, x)),
        }),
        Value::Map(m) => match x {
            Value::String(s) => Ok(m.get_str(s.as_str()).is_some()),
            Value::Bool(_) | Value::Int(_) | Value::Uint(_) | Value::Double(_) => {
                Ok(lookup_keys(x).is_some_and(|k| m.get(&k).is_some()))
            }
            _ => Ok(false),
        },
        other => Err(EvalError::operand_types(format!(
            "no matching overload for `in` with a container of type `{}`",
            other.type_name()
        ))),
    }
}

/// The index of `field` in `obj`'s type: the compiled index when the object has the type the
/// checker saw (compared by identity, no string comparison), else a look-up by name.
#[inline]
pub(super) fn field_index(obj: &dyn crate::cel::value::Object, field: &FieldRef) -> Option<usize> {
    let ty = obj.object_type();
    match field {
        FieldRef::Object { index, ty: expected, .. } if std::ptr::eq(ty, &raw const **expected) => {
            Some(*index)
        }
        other => ty.field_index(other.name()),
    }
}

/// The error for reading a field that the object does not have.
#[cold]
pub(crate) fn absent_field(field: &FieldRef) -> EvalError {
    EvalError::new(
        crate::cel::value::EvalErrorKind::NoSuchField,
        format!("field `{}` is absent: test it with `has()` first", field.name()),
    )
}

/// `operand.field`.
pub(crate) fn select<'a>(operand: &Value<'a>, field: &FieldRef) -> Result<Value<'a>, EvalError> {
    match operand {
        Value::Object(obj) => match field_index(*obj, field) {
            Some(i) => obj.field(i).ok_or_else(|| absent_field(field)),
            None => Err(EvalError::no_such_field(field.name())),
        },
        Value::Map(m) => {
            m.get_str(field.name()).ok_or_else(|| EvalError::no_such_key(format_args!("`{}`", field.name())))
        }
        // Selecting from an optional value is optional selection.
        Value::Optional(_) => opt_select(operand, field),
        other => Err(EvalError::no_such_overload(format!(
            "cannot select field `{}` from a value of type `{}`",
            field.name(),
            other.type_name()
        ))),
    }
}

/// `has(operand.field)`.
pub(crate) fn has<'a>(operand: &Value<'_>, field: &FieldRef) -> Result<Value<'a>, EvalError> {
    has_bool(operand, field).map(Value::Bool)
}

/// `has(operand.field)` as a bool.
pub(crate) fn has_bool(operand: &Value<'_>, field: &FieldRef) -> Result<bool, EvalError> {
    match operand {
        Value::Object(obj) => match field_index(*obj, field) {
            Some(i) => Ok(obj.field(i).is_some()),
            None => Err(EvalError::no_such_field(field.name())),
        },
        Value::Map(m) => Ok(m.get_str(field.name()).is_some()),
        Value::Optional(o) => o.get().map_or(Ok(false), |v| has_bool(v, field)),
        other => Err(EvalError::no_such_overload(format!(
            "`has()` cannot test field `{}` of a value of type `{}`",
            field.name(),
            other.type_name()
        ))),
    }
}

/// A value shown as a map key in an error message.
struct KeyText<'v, 'a>(&'v Value<'a>);

impl std::fmt::Display for KeyText<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::cel::display::Canonical(self.0))
    }
}

pub(super) fn optional(v: Option<Value<'_>>) -> Value<'_> {
    Value::Optional(OptionalValue::from(v))
}

/// `operand.?field`: the field or entry as an optional value, none when it is absent. An
/// optional operand is looked into: none stays none.
pub(super) fn opt_select<'a>(operand: &Value<'a>, field: &FieldRef) -> Result<Value<'a>, EvalError> {
    match operand {
        Value::Optional(o) => match o.get() {
            Some(inner) => opt_select(inner, field),
            None => Ok(operand.clone()),
        },
        Value::Map(m) => Ok(optional(m.get_str(field.name()))),
        Value::Object(obj) => match field_index(*obj, field) {
            Some(i) => Ok(optional(obj.field(i))),
            None => Err(EvalError::no_such_field(field.name())),
        },
        other => select(other, field),
    }
}

/// `container[?index]`: the element or entry as an optional value, none when the index is
/// out of range or the key absent. An optional container is looked into: none stays none.
pub(super) fn opt_index<'a>(container: &Value<'a>, index_value: &Value<'_>) -> Result<Value<'a>, EvalError> {
    match container {
        Value::Optional(o) => match o.get() {
            Some(inner) => opt_index(inner, index_value),
            None => Ok(container.clone()),
        },
        Value::Map(m) => Ok(optional(map_get(m, index_value)?)),
        Value::List(l) => {
            let i = match index_value {
                Value::Int(i) => Some(*i),
                Value::Uint(u) => i64::try_from(*u).ok(),
                Value::Double(d) if d.fract() == 0.0 && d.is_finite() => Some(*d as i64),
                // The error of plain indexing, which names the index type.
                _ => return index(container, index_value),
            };
            Ok(optional(i.and_then(|i| usize::try_from(i).ok()).and_then(|i| l.get(i))))
        }
        other => index(other, index_value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_numeric_ordering_converts_to_double() {
        assert_eq!(cmp_int_double(i64::MAX, 9_223_372_036_854_775_807.0), Some(Ordering::Equal));
        assert_eq!(cmp_int_double(-1, -0.5), Some(Ordering::Less));
        assert_eq!(cmp_int_double(2, 1.5), Some(Ordering::Greater));
        assert_eq!(cmp_int_double(1, f64::NAN), None);
        assert_eq!(cmp_uint_double(u64::MAX, 1.8e19), Some(Ordering::Greater));
        assert_eq!(cmp_uint_double(3, 3.0), Some(Ordering::Equal));
        assert_eq!(cmp_int_uint(-1, 0), Ordering::Less);
    }

    #[test]
    fn heterogeneous_equality() {
        assert!(equals(&Value::Int(1), &Value::Double(1.0)));
        assert!(equals(&Value::Uint(1), &Value::Int(1)));
        assert!(!equals(&Value::Int(1), &Value::str("1")));
        assert!(!equals(&Value::Double(f64::NAN), &Value::Double(f64::NAN)));
    }

    #[test]
    fn integer_overflow_and_division() {
        assert!(arith(ArithOp::Add, &Value::Int(i64::MAX), &Value::Int(1)).is_err());
        assert!(arith(ArithOp::Div, &Value::Int(i64::MIN), &Value::Int(-1)).is_err());
        assert_eq!(
            arith(ArithOp::Div, &Value::Int(1), &Value::Int(0)).unwrap_err().message(),
            "division by zero"
        );
        assert!(arith(ArithOp::Sub, &Value::Uint(0), &Value::Uint(1)).is_err());
        assert!(negate(&Value::Int(i64::MIN)).is_err());
    }
}
