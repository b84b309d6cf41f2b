//! The math extension (cel-go's `math` library): `math.greatest`, `math.least`, rounding,
//! `abs`, `sign`, the floating-point tests, `sqrt` and the bitwise functions.
//!
//! `math.greatest` and `math.least` take one number, a list of numbers, or two numbers of any
//! numeric types; more arguments are gathered into a list by the checker. Numbers of different
//! types are compared by value, the result keeps its own type, and of equal values the first
//! wins (`math.greatest(1, 1.0)` is `1`). NaN cannot be ordered: it is an error, as in the list
//! extensions' `min` and `max`.
//!
//! The bit shifts take the shift as an int: a negative one is an error, one of 64 or more
//! shifts every bit out (the result is 0), and `bitShiftRight` of an int shifts zeros in from
//! the left, whatever its sign.

use std::cmp::Ordering;

use super::compare::numeric_cmp;
use super::cost::scan_list;
use super::lists::list_arg;
use super::{Fn1, Fn2, Impl, Overload, global, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

/// The numeric types, with the word their overload ids use.
const NUMBERS: [(Type, &str); 3] = [(Type::Int, "int"), (Type::Uint, "uint"), (Type::Double, "double")];

/// The functions that take any number of numeric arguments; the checker turns a call with
/// more than two arguments into a call with one list.
pub(crate) const VARIADIC: [&str; 2] = ["math.greatest", "math.least"];

/// The one-argument functions: overload id, function, parameter type, result type.
const UNARY: [(&str, &str, Type, Type, Fn1); 18] = [
    ("math_ceil_double", "math.ceil", Type::Double, Type::Double, ceil),
    ("math_floor_double", "math.floor", Type::Double, Type::Double, floor),
    ("math_round_double", "math.round", Type::Double, Type::Double, round),
    ("math_trunc_double", "math.trunc", Type::Double, Type::Double, trunc),
    ("math_is_inf_double", "math.isInf", Type::Double, Type::Bool, is_inf),
    ("math_is_nan_double", "math.isNaN", Type::Double, Type::Bool, is_nan),
    ("math_is_finite_double", "math.isFinite", Type::Double, Type::Bool, is_finite),
    ("math_abs_int", "math.abs", Type::Int, Type::Int, abs),
    ("math_abs_uint", "math.abs", Type::Uint, Type::Uint, abs),
    ("math_abs_double", "math.abs", Type::Double, Type::Double, abs),
    ("math_sign_int", "math.sign", Type::Int, Type::Int, sign),
    ("math_sign_uint", "math.sign", Type::Uint, Type::Uint, sign),
    ("math_sign_double", "math.sign", Type::Double, Type::Double, sign),
    ("math_sqrt_int", "math.sqrt", Type::Int, Type::Double, sqrt),
    ("math_sqrt_uint", "math.sqrt", Type::Uint, Type::Double, sqrt),
    ("math_sqrt_double", "math.sqrt", Type::Double, Type::Double, sqrt),
    ("math_bit_not_int", "math.bitNot", Type::Int, Type::Int, bit_not),
    ("math_bit_not_uint", "math.bitNot", Type::Uint, Type::Uint, bit_not),
];

/// The two-argument bitwise functions: overload id, function, parameter types; the result has
/// the type of the first parameter.
const BINARY: [(&str, &str, [Type; 2], Fn2); 10] = [
    ("math_bit_and_int_int", "math.bitAnd", [Type::Int, Type::Int], bit_and),
    ("math_bit_and_uint_uint", "math.bitAnd", [Type::Uint, Type::Uint], bit_and),
    ("math_bit_or_int_int", "math.bitOr", [Type::Int, Type::Int], bit_or),
    ("math_bit_or_uint_uint", "math.bitOr", [Type::Uint, Type::Uint], bit_or),
    ("math_bit_xor_int_int", "math.bitXor", [Type::Int, Type::Int], bit_xor),
    ("math_bit_xor_uint_uint", "math.bitXor", [Type::Uint, Type::Uint], bit_xor),
    ("math_bit_shift_left_int_int", "math.bitShiftLeft", [Type::Int, Type::Int], shift_left),
    ("math_bit_shift_left_uint_int", "math.bitShiftLeft", [Type::Uint, Type::Int], shift_left),
    ("math_bit_shift_right_int_int", "math.bitShiftRight", [Type::Int, Type::Int], shift_right),
    ("math_bit_shift_right_uint_int", "math.bitShiftRight", [Type::Uint, Type::Int], shift_right),
];

pub(super) fn declare(out: &mut Vec<Overload>) {
    declare_extremes(out);
    for (id, function, param, result, imp) in UNARY {
        out.push(global(id, function, vec![param], result, Impl::F1(imp)));
    }
    for (id, function, [a, b], imp) in BINARY {
        let result = a.clone();
        out.push(global(id, function, vec![a, b], result, Impl::F2(imp)));
    }
}

/// `math.greatest` and `math.least`: one number, a list, or a pair of any numeric types.
fn declare_extremes(out: &mut Vec<Overload>) {
    for (function, one, pair, number, list) in [
        ("math.greatest", &GREATEST_ONE, &GREATEST_PAIR, greatest_one as Fn1, greatest_list as Fn1),
        ("math.least", &LEAST_ONE, &LEAST_PAIR, least_one, least_list),
    ] {
        for ((ty, _), (id, list_id)) in NUMBERS.iter().zip(one.iter()) {
            out.push(global(id, function, vec![ty.clone()], ty.clone(), Impl::F1(number)));
            out.push(
                global(list_id, function, vec![Type::list(ty.clone())], ty.clone(), Impl::F1(list))
                    .priced(scan_list),
            );
        }
        let (imp, ids) = pair;
        let mut ids = ids.iter();
        for (a, _) in &NUMBERS {
            for (b, _) in &NUMBERS {
                let result = if a == b { a.clone() } else { Type::Dyn };
                if let Some(id) = ids.next() {
                    out.push(global(id, function, vec![a.clone(), b.clone()], result, Impl::F2(*imp)));
                }
            }
        }
    }
}

/// Overload ids of the one-argument forms (a number, a list), in the order of [`NUMBERS`].
type OneIds = [(&'static str, &'static str); 3];
/// The implementation and overload ids of the pair forms, `NUMBERS × NUMBERS` in order.
type PairIds = (Fn2, [&'static str; 9]);

const GREATEST_ONE: OneIds = [
    ("math_greatest_int", "math_greatest_list_int"),
    ("math_greatest_uint", "math_greatest_list_uint"),
    ("math_greatest_double", "math_greatest_list_double"),
];
const LEAST_ONE: OneIds = [
    ("math_least_int", "math_least_list_int"),
    ("math_least_uint", "math_least_list_uint"),
    ("math_least_double", "math_least_list_double"),
];
const GREATEST_PAIR: PairIds = (
    greatest_pair,
    [
        "math_greatest_int_int",
        "math_greatest_int_uint",
        "math_greatest_int_double",
        "math_greatest_uint_int",
        "math_greatest_uint_uint",
        "math_greatest_uint_double",
        "math_greatest_double_int",
        "math_greatest_double_uint",
        "math_greatest_double_double",
    ],
);
const LEAST_PAIR: PairIds = (
    least_pair,
    [
        "math_least_int_int",
        "math_least_int_uint",
        "math_least_int_double",
        "math_least_uint_int",
        "math_least_uint_uint",
        "math_least_uint_double",
        "math_least_double_int",
        "math_least_double_uint",
        "math_least_double_double",
    ],
);

/// A number given alone is its own greatest and least.
fn greatest_one<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    keep("math.greatest", v.clone(), v, Ordering::Greater)
}

fn least_one<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    keep("math.least", v.clone(), v, Ordering::Less)
}

/// Of `best` and `next`, the one to keep when looking for the `wanted` extreme: `next` only
/// when it is strictly beyond `best`.
fn keep<'a>(
    function: &str,
    best: Value<'a>,
    next: &Value<'a>,
    wanted: Ordering,
) -> Result<Value<'a>, EvalError> {
    for v in [&best, next] {
        if !matches!(v, Value::Int(_) | Value::Uint(_) | Value::Double(_)) {
            return Err(no_such_overload(function, &[v]));
        }
    }
    match numeric_cmp(next, &best) {
        Some(o) if o == wanted => Ok(next.clone()),
        Some(_) => Ok(best),
        None => Err(EvalError::invalid_argument(format!("`{function}` cannot order NaN"))),
    }
}

fn greatest_pair<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    keep("math.greatest", a.clone(), b, Ordering::Greater)
}

fn least_pair<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    keep("math.least", a.clone(), b, Ordering::Less)
}

fn greatest_list<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    extreme_of_list("math.greatest", v, Ordering::Greater)
}

fn least_list<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    extreme_of_list("math.least", v, Ordering::Less)
}

fn extreme_of_list<'a>(function: &str, v: &Value<'a>, wanted: Ordering) -> Result<Value<'a>, EvalError> {
    let mut items = list_arg(function, v)?.iter();
    let first =
        items.next().ok_or_else(|| EvalError::invalid_argument(format!("`{function}` of an empty list")))?;
    // A one-element list is checked too: `math.greatest([dyn("a")])` is an error.
    let mut best = keep(function, first.clone(), &first, wanted)?;
    for item in items {
        best = keep(function, best, &item, wanted)?;
    }
    Ok(best)
}

/// A double argument, or the `no such overload` error of `function`.
fn double(function: &str, v: &Value<'_>) -> Result<f64, EvalError> {
    match v {
        Value::Double(d) => Ok(*d),
        _ => Err(no_such_overload(function, &[v])),
    }
}

/// Defines a function of one double argument.
macro_rules! of_double {
    ($(#[$doc:meta])* $name:ident, $function:literal, $body:expr) => {
        $(#[$doc])*
        fn $name<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
            double($function, v).map($body)
        }
    };
}

of_double!(ceil, "math.ceil", |d| Value::Double(d.ceil()));
of_double!(floor, "math.floor", |d| Value::Double(d.floor()));
of_double!(
    /// Half-way cases round away from zero (`f64::round`), as in cel-go.
    round,
    "math.round",
    |d| Value::Double(d.round())
);
of_double!(trunc, "math.trunc", |d| Value::Double(d.trunc()));
of_double!(is_inf, "math.isInf", |d| Value::Bool(d.is_infinite()));
of_double!(is_nan, "math.isNaN", |d| Value::Bool(d.is_nan()));
of_double!(is_finite, "math.isFinite", |d| Value::Bool(d.is_finite()));

/// The absolute value; `math.abs(-9223372036854775808)` overflows.
fn abs<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(|| EvalError::overflow("int")),
        Value::Uint(_) => Ok(v.clone()),
        Value::Double(d) => Ok(Value::Double(d.abs())),
        _ => Err(no_such_overload("math.abs", &[v])),
    }
}

/// -1, 0 or 1 in the argument's type; NaN for NaN, and 0 for both zeros.
fn sign<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Int(i) => Ok(Value::Int(i.signum())),
        Value::Uint(u) => Ok(Value::Uint(u64::from(*u != 0))),
        Value::Double(d) if d.is_nan() => Ok(Value::Double(*d)),
        Value::Double(d) if *d == 0.0 => Ok(Value::Double(0.0)),
        Value::Double(d) => Ok(Value::Double(d.signum())),
        _ => Err(no_such_overload("math.sign", &[v])),
    }
}

/// The square root as a double; NaN for a negative number.
#[allow(clippy::cast_precision_loss, reason = "the root of a large integer is a double anyway")]
fn sqrt<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let d = match v {
        Value::Int(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Double(d) => *d,
        _ => return Err(no_such_overload("math.sqrt", &[v])),
    };
    Ok(Value::Double(d.sqrt()))
}

fn bit_not<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Int(i) => Ok(Value::Int(!i)),
        Value::Uint(u) => Ok(Value::Uint(!u)),
        _ => Err(no_such_overload("math.bitNot", &[v])),
    }
}

/// Applies a bitwise operation to two ints or two uints.
fn bitwise<'a>(
    function: &str,
    a: &Value<'a>,
    b: &Value<'a>,
    int: fn(i64, i64) -> i64,
    uint: fn(u64, u64) -> u64,
) -> Result<Value<'a>, EvalError> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Value::Int(int(*x, *y))),
        (Value::Uint(x), Value::Uint(y)) => Ok(Value::Uint(uint(*x, *y))),
        _ => Err(no_such_overload(function, &[a, b])),
    }
}

fn bit_and<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    bitwise("math.bitAnd", a, b, |x, y| x & y, |x, y| x & y)
}

fn bit_or<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    bitwise("math.bitOr", a, b, |x, y| x | y, |x, y| x | y)
}

fn bit_xor<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    bitwise("math.bitXor", a, b, |x, y| x ^ y, |x, y| x ^ y)
}

/// Shifts the 64 bits of an int or uint by `by` (an int) with `shift`, which gives 0 for a
/// shift of 64 or more.
fn shift<'a>(
    function: &str,
    v: &Value<'a>,
    by: &Value<'a>,
    shift: fn(u64, u32) -> u64,
) -> Result<Value<'a>, EvalError> {
    let Value::Int(n) = by else { return Err(no_such_overload(function, &[v, by])) };
    if *n < 0 {
        return Err(EvalError::invalid_argument(format!("`{function}`: negative offset {n}")));
    }
    let n = u32::try_from(*n).unwrap_or(u32::MAX);
    match v {
        Value::Int(i) => {
            Ok(Value::Int(i64::from_ne_bytes(shift(u64::from_ne_bytes(i.to_ne_bytes()), n).to_ne_bytes())))
        }
        Value::Uint(u) => Ok(Value::Uint(shift(*u, n))),
        _ => Err(no_such_overload(function, &[v, by])),
    }
}

fn shift_left<'a>(v: &Value<'a>, by: &Value<'a>) -> Result<Value<'a>, EvalError> {
    shift("math.bitShiftLeft", v, by, |x, n| x.checked_shl(n).unwrap_or(0))
}

fn shift_right<'a>(v: &Value<'a>, by: &Value<'a>) -> Result<Value<'a>, EvalError> {
    shift("math.bitShiftRight", v, by, |x, n| x.checked_shr(n).unwrap_or(0))
}
