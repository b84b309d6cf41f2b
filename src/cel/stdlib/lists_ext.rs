//! More list extensions, receiver-style: `isSorted` (Kubernetes).
//!
//! Elements are ordered as by `sort` in the list extensions: a list mixing kinds that cannot be
//! ordered against each other, or holding NaN, is an error rather than `false`.

use std::cmp::Ordering;

use super::compare::compare;
use super::lists::{check_orderable, list_arg};
use super::{Impl, Overload, method};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

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
