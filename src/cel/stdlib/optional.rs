//! The optional-values extension: `optional.of`, `optional.ofNonZeroValue`, `optional.none`,
//! `hasValue`, `value`, `or`, `orValue`, and the list functions `first` and `last`.
//!
//! `or` and `orValue` are declared here for the checker; the compiler turns a call of them on
//! an optional into a node that evaluates the alternative only when needed (see
//! [`OR_IDS`]). `optMap` and `optFlatMap` are macros.

use super::{Impl, Overload, global, method};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, OptionalValue, Timestamp, Value};

/// The overloads of `or` and `orValue` on an optional, which the compiler evaluates lazily.
pub(crate) const OR_IDS: [&str; 2] = ["optional_or_optional", "optional_or_value"];

fn a() -> Type {
    Type::Param(0)
}

fn opt_a() -> Type {
    Type::optional(a())
}

pub(super) fn declare(out: &mut Vec<Overload>) {
    out.push(global("optional_of", "optional.of", vec![a()], opt_a(), Impl::F1(of)));
    out.push(global(
        "optional_of_non_zero_value",
        "optional.ofNonZeroValue",
        vec![a()],
        opt_a(),
        Impl::F1(of_non_zero),
    ));
    out.push(global("optional_none", "optional.none", vec![], opt_a(), Impl::F0(none)));
    out.push(method("optional_has_value", "hasValue", vec![opt_a()], Type::Bool, Impl::F1(has_value)));
    out.push(method("optional_value", "value", vec![opt_a()], a(), Impl::F1(value)));
    out.push(method("optional_or_optional", "or", vec![opt_a(), opt_a()], opt_a(), Impl::F2(or)));
    out.push(method("optional_or_value", "orValue", vec![opt_a(), a()], a(), Impl::F2(or_value)));
    out.push(method("list_first", "first", vec![Type::list(a())], opt_a(), Impl::F1(first)));
    out.push(method("list_last", "last", vec![Type::list(a())], opt_a(), Impl::F1(last)));
}

#[allow(clippy::unnecessary_wraps, reason = "the signature of an implementation")]
fn of<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Optional(OptionalValue::of(v.clone())))
}

/// Whether `v` is the zero value of its type: `null`, `false`, `0`, `0u`, `0.0`, `""`, `b""`,
/// an empty list or map, a zero duration, the Unix epoch, or an empty optional.
fn is_zero(v: &Value<'_>) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Uint(u) => *u == 0,
        Value::Double(d) => *d == 0.0,
        Value::String(s) => s.as_str().is_empty(),
        Value::Bytes(b) => b.as_slice().is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Duration(d) => d.total_nanos() == 0,
        Value::Timestamp(t) => *t == Timestamp::UNIX_EPOCH,
        Value::Optional(o) => !o.has_value(),
        Value::Object(_) | Value::Semver(_) | Value::Opaque(_) | Value::Type(_) => false,
    }
}

#[allow(clippy::unnecessary_wraps, reason = "the signature of an implementation")]
fn of_non_zero<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let held = (!is_zero(v)).then(|| v.clone());
    Ok(Value::Optional(OptionalValue::from(held)))
}

#[allow(clippy::unnecessary_wraps, reason = "the signature of an implementation")]
fn none() -> Result<Value<'static>, EvalError> {
    Ok(Value::Optional(OptionalValue::none()))
}

/// The optional argument of `function`.
fn optional_arg<'v, 'a>(function: &str, v: &'v Value<'a>) -> Result<&'v OptionalValue<'a>, EvalError> {
    match v {
        Value::Optional(o) => Ok(o),
        other => Err(super::no_such_overload(function, &[other])),
    }
}

fn has_value<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Bool(optional_arg("hasValue", v)?.has_value()))
}

fn value<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    optional_arg("value", v)?.get().cloned().ok_or_else(|| {
        EvalError::invalid_argument(
            "`value()` of an empty optional (`optional.none()`): test `hasValue()` first",
        )
    })
}

fn or<'a>(v: &Value<'a>, other: &Value<'a>) -> Result<Value<'a>, EvalError> {
    optional_arg("or", other)?;
    Ok(if optional_arg("or", v)?.has_value() { v.clone() } else { other.clone() })
}

fn or_value<'a>(v: &Value<'a>, other: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(optional_arg("orValue", v)?.get().cloned().unwrap_or_else(|| other.clone()))
}

fn first<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::List(l) => Ok(Value::Optional(OptionalValue::from(l.get(0)))),
        other => Err(super::no_such_overload("first", &[other])),
    }
}

fn last<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::List(l) => {
            Ok(Value::Optional(OptionalValue::from(l.len().checked_sub(1).and_then(|i| l.get(i)))))
        }
        other => Err(super::no_such_overload("last", &[other])),
    }
}
