//! More list extensions, receiver-style: `isSorted` (Kubernetes), and the ordering of
//! `sortBy`.
//!
//! Elements are ordered as by `sort` in the list extensions: a list mixing kinds that cannot be
//! ordered against each other, or holding NaN, is an error rather than `false`.

use std::cmp::Ordering;

use super::compare::compare;
use super::lists::{check_orderable, list_arg};
use super::{Impl, Overload, method};
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
