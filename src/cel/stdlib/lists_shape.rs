//! List extensions that reshape or search a list: `slice`, `flatten` and `reverse` (cel-go's
//! lists library), `indexOf` and `lastIndexOf` (Kubernetes' list library).
//!
//! Elements are found by CEL equality (`[1, 2].indexOf(2.0)` is 1). Each call is priced by the
//! elements it reads and the list it builds, before building it.

use super::compare::equal;
use super::cost::{Cost, SLOT_BYTES, copy_list, elements, first, scan_list};
use super::lists::list_arg;
use super::{Impl, Overload, int_from_usize, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, List, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::Int;
    let a = || Type::Param(0);
    let list_a = || Type::list(a());
    out.extend([
        method("list_slice", "slice", vec![list_a(), Int, Int], list_a(), Impl::F3(slice)).priced(slice_cost),
        method("list_flatten", "flatten", vec![list_a()], Type::list(Type::Dyn), Impl::F1(flatten))
            .priced(flatten_cost),
        method(
            "list_flatten_int",
            "flatten",
            vec![list_a(), Int],
            Type::list(Type::Dyn),
            Impl::F2(flatten_to),
        )
        .priced(flatten_cost),
        method("list_reverse", "reverse", vec![list_a()], list_a(), Impl::F1(reverse)).priced(copy_list),
        method("list_index_of", "indexOf", vec![list_a(), a()], Int, Impl::F2(index_of)).priced(scan_list),
        method("list_last_index_of", "lastIndexOf", vec![list_a(), a()], Int, Impl::F2(last_index_of))
            .priced(scan_list),
    ]);
}

/// The bounds of `list.slice(start, end)`, or the reason they are refused.
fn slice_bounds(list: &List<'_>, start: &Value<'_>, end: &Value<'_>) -> Result<(usize, usize), EvalError> {
    let (Value::Int(s), Value::Int(e)) = (start, end) else {
        return Err(no_such_overload("slice", &[start, end]));
    };
    let refuse = |why: String| Err(EvalError::out_of_range(format!("cannot `slice({s}, {e})`: {why}")));
    if *s < 0 || *e < 0 {
        return refuse("negative indexes are not supported".into());
    }
    if s > e {
        return refuse("the start index must not be greater than the end index".into());
    }
    match (usize::try_from(*s), usize::try_from(*e)) {
        (Ok(s), Ok(e)) if e <= list.len() => Ok((s, e)),
        _ => refuse(format!("the list has {} elements", list.len())),
    }
}

fn slice_cost(args: &[&Value<'_>]) -> Cost {
    match args {
        [Value::List(l), start, end] => {
            slice_bounds(l, start, end).map_or(Cost::default(), |(s, e)| Cost::list(e - s, 0))
        }
        _ => Cost::default(),
    }
}

/// The elements from `start` (included) to `end` (excluded).
fn slice<'a>(v: &Value<'a>, start: &Value<'a>, end: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("slice", v)?;
    let (s, e) = slice_bounds(list, start, end)?;
    if s == 0 && e == list.len() {
        return Ok(v.clone());
    }
    Ok(Value::list(list.iter().skip(s).take(e - s).collect::<Vec<_>>()))
}

/// The depth argument of `flatten`: 1 when absent; a negative one is an error.
fn depth(arg: Option<&Value<'_>>) -> Result<u64, EvalError> {
    match arg {
        None => Ok(1),
        Some(Value::Int(d)) => u64::try_from(*d).map_err(|_| {
            EvalError::invalid_argument(format!("`flatten({d})`: the depth must not be negative"))
        }),
        Some(other) => Err(no_such_overload("flatten", &[other])),
    }
}

/// Visits the elements of `list` flattened to `depth` levels, in order, without recursion;
/// returns how many elements (nested lists included) it read.
fn walk_flat<'a>(list: &List<'a>, depth: u64, visit: &mut dyn FnMut(Value<'a>)) -> usize {
    let mut read = 0usize;
    // Each entry: a list, the index of its next element, and how many levels may still open.
    let mut stack: Vec<(List<'a>, usize, u64)> = vec![(list.clone(), 0, depth)];
    while let Some((current, index, levels)) = stack.last_mut() {
        let Some(item) = current.get(*index) else {
            stack.pop();
            continue;
        };
        *index += 1;
        read = read.saturating_add(1);
        match item {
            Value::List(inner) if *levels > 0 => {
                let below = *levels - 1;
                stack.push((inner, 0, below));
            }
            other => visit(other),
        }
    }
    read
}

fn flatten_cost(args: &[&Value<'_>]) -> Cost {
    let Value::List(list) = first(args) else { return Cost::default() };
    let Ok(depth) = depth(args.get(1).copied()) else { return Cost::default() };
    let mut built = 0usize;
    let read = walk_flat(list, depth, &mut |_| built += 1);
    Cost { steps: u64::try_from(read).unwrap_or(u64::MAX), bytes: built.saturating_mul(SLOT_BYTES) }
}

fn flatten<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    flatten_list(v, None)
}

fn flatten_to<'a>(v: &Value<'a>, depth: &Value<'a>) -> Result<Value<'a>, EvalError> {
    flatten_list(v, Some(depth))
}

/// The elements of `v`, with those that are lists replaced by their own elements, `depth`
/// levels down.
fn flatten_list<'a>(v: &Value<'a>, levels: Option<&Value<'a>>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("flatten", v)?;
    let levels = depth(levels)?;
    let mut out = Vec::with_capacity(list.len());
    walk_flat(list, levels, &mut |item| out.push(item));
    Ok(Value::list(out))
}

/// The elements in reverse order.
fn reverse<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("reverse", v)?;
    let mut items: Vec<Value<'a>> = list.iter().collect();
    items.reverse();
    Ok(Value::list(items))
}

/// The index of the first element equal to `x`, or -1.
fn index_of<'a>(v: &Value<'a>, x: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("indexOf", v)?;
    Ok(list.iter().position(|item| equal(&item, x)).map_or(Value::Int(-1), int_from_usize))
}

/// The index of the last element equal to `x`, or -1.
fn last_index_of<'a>(v: &Value<'a>, x: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let list = list_arg("lastIndexOf", v)?;
    let n = elements(v);
    let found = (0..n).rev().find(|i| list.get(*i).is_some_and(|item| equal(&item, x)));
    Ok(found.map_or(Value::Int(-1), int_from_usize))
}
