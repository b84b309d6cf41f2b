//! The Kubernetes quantity library: `quantity()`, `isQuantity`, `sign`, `isInteger`,
//! `asInteger`, `asApproximateFloat`, `add`, `sub`, `compareTo`, `isGreaterThan` and
//! `isLessThan` on `kubernetes.Quantity` values.
//!
//! Amounts are exact decimals ([`Quantity`]): comparison never goes through a double, and a
//! sum that needs more digits than a quantity holds is an overflow error. The ordering methods
//! are the semver library's, which order quantities by amount.

use super::cost::read_receiver;
use super::semver::{compare_to, is_greater_than, is_less_than};
use super::{Impl, Overload, global, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::quantity::Quantity;
use crate::cel::value::{EvalError, Opaque, OpaqueKind, OpaqueRepr, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, Double, Int, String};
    let q = || Type::Opaque(OpaqueKind::Quantity);
    out.extend([
        global("string_to_quantity", "quantity", vec![String], q(), Impl::F1(to_quantity))
            .priced(read_receiver),
        global("is_quantity_string", "isQuantity", vec![String], Bool, Impl::F1(is_quantity))
            .priced(read_receiver),
        method("quantity_sign", "sign", vec![q()], Int, Impl::F1(sign)),
        method("quantity_is_integer", "isInteger", vec![q()], Bool, Impl::F1(is_integer)),
        method("quantity_as_integer", "asInteger", vec![q()], Int, Impl::F1(as_integer)),
        method("quantity_as_approximate_float", "asApproximateFloat", vec![q()], Double, Impl::F1(as_float)),
        method("quantity_add_quantity", "add", vec![q(), q()], q(), Impl::F2(add)),
        method("quantity_add_int", "add", vec![q(), Int], q(), Impl::F2(add)),
        method("quantity_sub_quantity", "sub", vec![q(), q()], q(), Impl::F2(sub)),
        method("quantity_sub_int", "sub", vec![q(), Int], q(), Impl::F2(sub)),
        method("quantity_compare_to", "compareTo", vec![q(), q()], Int, Impl::F2(compare_to)),
        method("quantity_is_greater_than", "isGreaterThan", vec![q(), q()], Bool, Impl::F2(is_greater_than)),
        method("quantity_is_less_than", "isLessThan", vec![q(), q()], Bool, Impl::F2(is_less_than)),
    ]);
}

fn quantity_value(q: Quantity) -> Value<'static> {
    Value::Opaque(Opaque::new(OpaqueRepr::Quantity(q)))
}

/// The quantity `v` (an int counts as a whole quantity for `add` and `sub`).
fn arg(function: &str, v: &Value<'_>) -> Result<Quantity, EvalError> {
    match v {
        Value::Opaque(o) => o.as_quantity().cloned(),
        Value::Int(i) => Some(Quantity::from_int(*i)),
        _ => None,
    }
    .ok_or_else(|| no_such_overload(function, &[v]))
}

fn to_quantity<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let text = v.as_str().ok_or_else(|| no_such_overload("quantity", &[v]))?;
    Quantity::parse(text).map(quantity_value).map_err(EvalError::invalid_argument)
}

fn is_quantity<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let text = v.as_str().ok_or_else(|| no_such_overload("isQuantity", &[v]))?;
    Ok(Value::Bool(Quantity::parse(text).is_ok()))
}

fn sign<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Int(arg("sign", v)?.sign()))
}

/// Whether the amount is a whole number that fits an int.
fn is_integer<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Bool(arg("isInteger", v)?.as_int().is_some()))
}

fn as_integer<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let q = arg("asInteger", v)?;
    q.as_int().map(Value::Int).ok_or_else(|| {
        EvalError::out_of_range(format!(
            "cannot convert quantity `{q}` to an int: it is not a whole number that fits"
        ))
    })
}

fn as_float<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Double(arg("asApproximateFloat", v)?.as_f64()))
}

fn add<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (x, y) = (arg("add", a)?, arg("add", b)?);
    x.checked_add(&y).map(quantity_value).ok_or_else(|| EvalError::overflow("quantity"))
}

fn sub<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (x, y) = (arg("sub", a)?, arg("sub", b)?);
    x.checked_sub(&y).map(quantity_value).ok_or_else(|| EvalError::overflow("quantity"))
}
