//! More list extensions: `isSorted` (Kubernetes), `lists.range` (cel-go), and the ordering
//! of `sortBy`.
//!
//! Elements are ordered as by `sort` in the list extensions: a list mixing kinds that cannot be
//! ordered against each other, or holding NaN, is an error rather than `false`.

use std::cmp::Ordering;

use super::compare::compare;
use super::cost::Cost;
use super::lists::{check_orderable, list_arg};
use super::{Impl, Overload, global, method};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, List, Value};

/// The element types `isSorted` is declared for, with their overload ids.
const SORTABLE: [(Type, &str); 8] = [
    (Type::Int, "list_int_is_sorted"),
    (Type::Uint, "list_uint_is_sorted"),
    (Type::Double, "list_double_is_sorted"),
    (Type::String, "list_string_is_sorted"),
    (Type::Bytes, "list_bytes_is_sorted"),
    (Type::Bool, "list_bool_is_sorted"),
    (Type::Timestamp, "list_timestamp_is_sorted"),
    (Type::Duration, "list_duration_is_sorted"),
];

pub(super) fn declare(out: &mut Vec<Overload>) {
    for (elem, id) in SORTABLE {
        out.push(
            method(id, "isSorted", vec![Type::list(elem)], Type::Bool, Impl::F1(is_sorted))
                .priced(super::cost::scan_list),
        );
    }
    out.push(
        global("lists_range", "lists.range", vec![Type::Int], Type::list(Type::Int), Impl::F1(range))
            .priced(range_cost),
    );
}

/// The longest list `lists.range` builds, whatever the budget (the budget refuses much less
/// under the default limits).
const MAX_RANGE: i64 = 1 << 24;

/// The length of `lists.range(n)`: `n`, or 0 when `n` is negative.
fn range_len(v: &Value<'_>) -> usize {
    match v {
        Value::Int(n) => usize::try_from(*n).unwrap_or(if *n < 0 { 0 } else { usize::MAX }),
        _ => 0,
    }
}

fn range_cost(args: &[&Value<'_>]) -> Cost {
    Cost::list(range_len(super::cost::first(args)), 0)
}

/// `lists.range(n)`: the ints from 0 to `n - 1` (empty when `n` is not positive).
fn range<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::Int(n) = v else { return Err(super::no_such_overload("lists.range", &[v])) };
    if *n > MAX_RANGE {
        return Err(EvalError::invalid_argument(format!(
            "`lists.range({n})`: more than {MAX_RANGE} elements"
        )));
    }
    Ok(Value::list((0..(*n).max(0)).map(Value::Int).collect::<Vec<_>>()))
}

/// Whether no element is greater than the one after it.
fn is_sorted<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("isSorted", v)?;
    check_orderable("isSorted", list)?;
    let mut previous: Option<Value<'a>> = None;
    for item in list.iter() {
        if let Some(p) = &previous
            && compare(p, &item) == Some(Ordering::Greater)
        {
            return Ok(Value::Bool(false));
        }
        previous = Some(item);
    }
    Ok(Value::Bool(true))
}

/// `items` ordered by `keys` (one key per item, in order): a stable sort. The keys must be
/// orderable against each other, as the elements of a list given to `sort`.
pub(crate) fn sort_by_keys<'a>(keys: Vec<Value<'a>>, items: Vec<Value<'a>>) -> Result<Value<'a>, EvalError> {
    check_orderable("sortBy", &List::borrowed(&keys))?;
    let mut pairs: Vec<(Value<'a>, Value<'a>)> = keys.into_iter().zip(items).collect();
    pairs.sort_by(|(a, _), (b, _)| compare(a, b).unwrap_or(Ordering::Equal));
    Ok(Value::list(pairs.into_iter().map(|(_, item)| item).collect::<Vec<_>>()))
}
