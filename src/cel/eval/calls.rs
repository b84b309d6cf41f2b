//! Function and method calls: resolved overloads, run-time dispatch, host-object methods.

use super::{Ctx, Res, Scope, ops};
use crate::cel::ir::Node;
use crate::cel::stdlib::{Impl, Overload, matches_type};
use crate::cel::value::{EvalError, Value};

/// Charges the price of calling `overload` with `args`, when it has one, before the call.
#[inline]
fn price(ctx: &Ctx<'_, '_>, overload: &Overload, args: &[&Value<'_>]) -> Result<(), EvalError> {
    match overload.cost {
        Some(cost) => ctx.budget.charge(cost(args)),
        None => Ok(()),
    }
}

pub(super) fn call<'a>(
    overload: &Overload,
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    match (overload.imp, args) {
        (Impl::F0(f), []) => f(),
        (Impl::F1(f), [a]) => {
            let x = a.eval(ctx, scope)?;
            price(ctx, overload, &[&x])?;
            f(&x)
        }
        (Impl::F2(f), [a, b]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            price(ctx, overload, &[&x, &y])?;
            f(&x, &y)
        }
        (Impl::F3(f), [a, b, c]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            let z = c.eval(ctx, scope)?;
            price(ctx, overload, &[&x, &y, &z])?;
            f(&x, &y, &z)
        }
        (Impl::F4(f), [a, b, c, d]) => {
            let x = a.eval(ctx, scope)?;
            let y = b.eval(ctx, scope)?;
            let z = c.eval(ctx, scope)?;
            let w = d.eval(ctx, scope)?;
            price(ctx, overload, &[&x, &y, &z, &w])?;
            f(&x, &y, &z, &w)
        }
        (Impl::Matches, [a, b]) => {
            let x = a.eval_ref(ctx, scope)?;
            let y = b.eval_ref(ctx, scope)?;
            super::budget::matches_with(&x, &y, ctx.budget)
        }
        (Impl::Regex(op), _) => {
            let (vals, n) = eval_args(args, ctx, scope)?;
            let refs: Vec<&Value<'a>> = vals.iter().take(n).collect();
            super::budget::regex_with(op, &refs, ctx.budget)
        }
        _ => Err(EvalError::no_such_overload(format!(
            "internal error: arity mismatch calling `{}`",
            overload.id
        ))),
    }
}

/// Evaluates up to four arguments into a fixed array (no allocation).
fn eval_args<'a>(
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Result<([Value<'a>; 4], usize), EvalError> {
    let mut vals = [Value::Null, Value::Null, Value::Null, Value::Null];
    if args.len() > vals.len() {
        return Err(EvalError::no_such_overload("too many arguments"));
    }
    for (slot, arg) in vals.iter_mut().zip(args) {
        *slot = arg.eval(ctx, scope)?;
    }
    Ok((vals, args.len()))
}

pub(super) fn dispatch<'a>(
    name: &str,
    candidates: &[&'static Overload],
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    // One argument (conversions of `dyn` values): no argument array to fill and drop.
    if let [arg] = args {
        let v = arg.eval(ctx, scope)?;
        return dispatch_values(name, candidates, std::slice::from_ref(&v), ctx);
    }
    let (vals, n) = eval_args(args, ctx, scope)?;
    dispatch_values(name, candidates, vals.get(..n).unwrap_or(&[]), ctx)
}

/// Calls the first of `candidates` whose parameter types the values of `vals` have.
fn dispatch_values<'a>(
    name: &str,
    candidates: &[&'static Overload],
    vals: &[Value<'a>],
    ctx: &Ctx<'a, '_>,
) -> Res<'a> {
    for ov in candidates {
        if ov.params.len() == vals.len() && ov.params.iter().zip(vals).all(|(p, v)| matches_type(v, p)) {
            return match (ov.imp, vals) {
                (Impl::F0(f), []) => f(),
                (Impl::F1(f), [a]) => price(ctx, ov, &[a]).and_then(|()| f(a)),
                (Impl::F2(f), [a, b]) => price(ctx, ov, &[a, b]).and_then(|()| f(a, b)),
                (Impl::F3(f), [a, b, c]) => price(ctx, ov, &[a, b, c]).and_then(|()| f(a, b, c)),
                (Impl::F4(f), [a, b, c, d]) => price(ctx, ov, &[a, b, c, d]).and_then(|()| f(a, b, c, d)),
                (Impl::Matches, [a, b]) => super::budget::matches_with(a, b, ctx.budget),
                (Impl::Regex(op), _) => {
                    super::budget::regex_with(op, &vals.iter().collect::<Vec<_>>(), ctx.budget)
                }
                _ => Err(EvalError::no_such_overload("internal error: call arity mismatch")),
            };
        }
    }
    // A receiver of type dyn may be a host object with a method of this name.
    if let Some(Value::Object(obj)) = vals.first() {
        return call_object_method(*obj, name, vals.get(1..).unwrap_or(&[]));
    }
    Err(ops::no_overload_n(name, vals))
}

pub(super) fn method<'a>(
    index: usize,
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    // A method without arguments (`change.approvers()`): no argument array.
    if let [receiver] = args {
        return match receiver.eval(ctx, scope)? {
            Value::Object(obj) => obj.call_method(index, &[]),
            other => Err(no_such_method(&other)),
        };
    }
    let (vals, n) = eval_args(args, ctx, scope)?;
    match vals.get(..n) {
        Some([Value::Object(obj), rest @ ..]) => obj.call_method(index, rest),
        Some([other, ..]) => Err(no_such_method(other)),
        _ => Err(EvalError::no_such_overload("method call without a receiver")),
    }
}

#[cold]
fn no_such_method(receiver: &Value<'_>) -> EvalError {
    EvalError::no_such_overload(format!("no such method on a value of type `{}`", receiver.type_name()))
}

pub(super) fn dyn_method<'a>(
    name: &str,
    args: &'a [Node],
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    let (vals, n) = eval_args(args, ctx, scope)?;
    match vals.get(..n) {
        Some([Value::Object(obj), rest @ ..]) => call_object_method(*obj, name, rest),
        Some(all) => Err(ops::no_overload_n(name, all)),
        None => Err(EvalError::no_such_overload(name.to_owned())),
    }
}

fn call_object_method<'a>(obj: &'a dyn crate::cel::value::Object, name: &str, args: &[Value<'a>]) -> Res<'a> {
    let ty = obj.object_type();
    let found = ty.methods().iter().position(|m| {
        m.name == name
            && m.params.len() == args.len()
            && m.params.iter().zip(args).all(|(p, v)| matches_type(v, p))
    });
    match found {
        Some(index) => obj.call_method(index, args),
        None => Err(EvalError::no_such_overload(format!(
            "`{}` has no method `{name}` for these arguments",
            ty.name()
        ))),
    }
}
