//! Set relations on lists (cel-go's sets extension): `sets.contains`, `sets.equivalent` and
//! `sets.intersects`.
//!
//! Lists are read as sets: order and repeats do not matter, and elements are compared with
//! CEL equality (`1`, `1u` and `1.0` are one element). Each call hashes the elements of one
//! list once and looks up the other's, so its work is linear in the sizes of both.

use std::collections::{HashMap, HashSet};

use super::compare::{HashKey, equal, structural_hash};
use super::cost::{Cost, elements};
use super::lists::list_arg;
use super::{Impl, Overload, global};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    let list_a = || Type::list(Type::Param(0));
    for (id, function, imp) in [
        ("sets_contains", "sets.contains", contains as super::Fn2),
        ("sets_equivalent", "sets.equivalent", equivalent),
        ("sets_intersects", "sets.intersects", intersects),
    ] {
        out.push(global(id, function, vec![list_a(), list_a()], Type::Bool, Impl::F2(imp)).priced(scan_both));
    }
}

/// One step per element of both lists.
fn scan_both(args: &[&Value<'_>]) -> Cost {
    let n = args.iter().map(|v| elements(v)).fold(0usize, usize::saturating_add);
    Cost::scan(u64::try_from(n).unwrap_or(u64::MAX))
}

/// The elements of a list, for membership tests by CEL equality.
struct Members<'v, 'a> {
    keyed: HashSet<HashKey<'v>>,
    /// Elements without a hash key (lists, maps, NaN…), by structural hash.
    others: HashMap<u64, Vec<&'v Value<'a>>>,
}

impl<'v, 'a> Members<'v, 'a> {
    fn of(items: &'v [Value<'a>]) -> Self {
        let mut m = Members { keyed: HashSet::with_capacity(items.len()), others: HashMap::new() };
        for item in items {
            match HashKey::of(item) {
                Some(k) => {
                    m.keyed.insert(k);
                }
                None => m.others.entry(structural_hash(item)).or_default().push(item),
            }
        }
        m
    }

    fn contains(&self, v: &Value<'_>) -> bool {
        match HashKey::of(v) {
            Some(k) => self.keyed.contains(&k),
            None => self.others.get(&structural_hash(v)).is_some_and(|b| b.iter().any(|o| equal(o, v))),
        }
    }
}

/// The elements of the list argument `v` of `function`.
fn items<'a>(function: &str, v: &Value<'a>) -> Result<Vec<Value<'a>>, EvalError> {
    Ok(list_arg(function, v)?.iter().collect())
}

/// Whether every element of `sub` is in `of`.
fn includes(of: &[Value<'_>], sub: &[Value<'_>]) -> bool {
    if sub.is_empty() {
        return true;
    }
    let members = Members::of(of);
    sub.iter().all(|v| members.contains(v))
}

fn contains<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (a, b) = (items("sets.contains", a)?, items("sets.contains", b)?);
    Ok(Value::Bool(includes(&a, &b)))
}

fn equivalent<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (a, b) = (items("sets.equivalent", a)?, items("sets.equivalent", b)?);
    Ok(Value::Bool(includes(&a, &b) && includes(&b, &a)))
}

fn intersects<'a>(a: &Value<'a>, b: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (a, b) = (items("sets.intersects", a)?, items("sets.intersects", b)?);
    if a.is_empty() || b.is_empty() {
        return Ok(Value::Bool(false));
    }
    let members = Members::of(&a);
    Ok(Value::Bool(b.iter().any(|v| members.contains(v))))
}
