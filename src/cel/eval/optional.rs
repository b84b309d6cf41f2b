//! The optional-values extension: optional selection and indexing (`x.?f`, `x[?k]`, and
//! plain selection and indexing of an optional value), literals with optional elements,
//! `or` / `orValue`, `optMap` / `optFlatMap`, and `cel.bind`.

use std::sync::Arc;

use super::ops;
use super::{Ctx, NULL, Res, Scope};
use crate::cel::ir::Node;
use crate::cel::stdlib::Cost;
use crate::cel::value::{EvalError, List, MapBuilder, OptionalValue, Value};

/// What an element gives: itself, or for an optional element `?e` (`optional`) the value it
/// holds, or nothing for none.
fn element(v: Value<'_>, optional: bool) -> Result<Option<Value<'_>>, EvalError> {
    match v {
        v if !optional => Ok(Some(v)),
        Value::Optional(o) => Ok(o.get().cloned()),
        other => Err(EvalError::no_such_overload(format!(
            "an optional element (`?e`) must be an optional value, found `{}`",
            other.type_name()
        ))),
    }
}

/// A list literal with optional elements ([`Node::ListOpt`]) or a map literal with optional
/// entries ([`Node::MapOpt`]): an element or entry whose value is none is left out.
pub(crate) fn literal<'a>(node: &'a Node, ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    match node {
        Node::ListOpt { items, optional } => {
            ctx.budget.charge(Cost::list(items.len(), 0))?;
            let mut out = Vec::with_capacity(items.len());
            for (item, opt) in items.iter().zip(optional) {
                out.extend(element(item.eval(ctx, scope)?, *opt)?);
            }
            Ok(Value::List(List::shared(Arc::from(out))))
        }
        Node::MapOpt { entries, optional } => {
            ctx.budget.charge(Cost::list(entries.len(), 0))?;
            let mut b = MapBuilder::with_capacity(entries.len());
            for ((k, v), opt) in entries.iter().zip(optional) {
                let key = super::map_key(&k.eval(ctx, scope)?)?;
                if let Some(value) = element(v.eval(ctx, scope)?, *opt)? {
                    b.push(key, value);
                }
            }
            super::build_literal_map(b)
        }
        _ => Err(EvalError::no_such_overload("internal error: not a literal with optional elements")),
    }
}

/// The optional value `node` gives, or the error of calling `function` on something else.
fn eval_optional<'a>(
    node: &'a Node,
    function: &str,
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Result<OptionalValue<'a>, EvalError> {
    match node.eval(ctx, scope)? {
        Value::Optional(o) => Ok(o),
        other => Err(ops::no_overload_n(function, &[other])),
    }
}

/// `a.or(b)` (`value` false: `b` is an optional) or `a.orValue(b)` (`value` true): `a` when
/// it holds a value (its value, for `orValue`), else `b`, which is evaluated only then.
pub(crate) fn or<'a>(
    [a, b]: &'a [Node; 2],
    or_value: bool,
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    let function = if or_value { "orValue" } else { "or" };
    let o = eval_optional(a, function, ctx, scope)?;
    match (o.get(), or_value) {
        (Some(v), true) => Ok(v.clone()),
        (Some(_), false) => Ok(Value::Optional(o)),
        (None, true) => b.eval(ctx, scope),
        (None, false) => match b.eval(ctx, scope)? {
            other @ Value::Optional(_) => Ok(other),
            other => Err(ops::no_overload_n(function, &[Value::Optional(o), other])),
        },
    }
}

/// `cel.bind(x, init, body)`: `init` evaluated once, then `body` with `x` bound to it.
pub(crate) fn bind<'a>(pair: &'a [Node; 2], ctx: &Ctx<'a, '_>, scope: Option<&Scope<'_, 'a>>) -> Res<'a> {
    let [init, body] = pair;
    let value = init.eval(ctx, scope)?;
    body.eval(ctx, Some(&Scope::new(scope, [&value, &NULL])))
}

/// `o.optMap(x, t)` (`flat` false: `optional.of(t)`) or `o.optFlatMap(x, t)` (`flat` true: `t`,
/// which must be an optional), with `x` bound to the value of `o`; none when `o` is none.
pub(crate) fn apply<'a>(
    pair: &'a [Node; 2],
    flat: bool,
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
) -> Res<'a> {
    let [target, body] = pair;
    let o = eval_optional(target, if flat { "optFlatMap" } else { "optMap" }, ctx, scope)?;
    let Some(value) = o.get() else { return Ok(Value::Optional(o)) };
    let result = body.eval(ctx, Some(&Scope::new(scope, [value, &NULL])))?;
    match result {
        r @ Value::Optional(_) if flat => Ok(r),
        other if flat => Err(EvalError::no_such_overload(format!(
            "the expression of `optFlatMap` must give an optional value, found `{}`",
            other.type_name()
        ))),
        other => Ok(Value::Optional(OptionalValue::of(other))),
    }
}
