//! Macros over lists and maps: `all`, `exists`, `exists_one`, `map`, `filter`, `sortBy` and
//! the two-variable `transformList` / `transformMap` / `transformMapEntry` forms.

use std::sync::Arc;

use super::{Ctx, NULL, Scope, release};
use crate::cel::ir::{Comprehension, IterKind};
use crate::cel::value::{EvalError, EvalErrorKind, Key, List, MapBuilder, Value};

/// with the step's variables in scope, charging one budget step each, until `f` answers
/// `false`. A list's own elements are lent to the scope as they are; a value made for the step
/// (an element of a host list, a map entry) lives for the step only.
#[inline]
fn each<'a>(
    range: &Value<'a>,
    two_vars: bool,
    ctx: &Ctx<'a, '_>,
    scope: Option<&Scope<'_, 'a>>,
    mut f: impl FnMut(&Scope<'_, 'a>) -> Result<bool, EvalError>,
) -> Result<(), EvalError> {
    match range {
        Value::List(l) => match l.as_slice() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    ctx.budget.spend(1)?;
                    let index = Value::Int(i as i64);
                    let vars = if two_vars { [&index, item] } else { [item, &NULL] };
                    if !f(&Scope::new(scope, vars))? {
                        break;
                    }
                }
            }
            None => {
                for i in 0..l.len() {
                    ctx.budget.spend(1)?;
                    let Some(item) = l.get(i) else { break };
                    let index = Value::Int(i as i64);
                    let vars = if two_vars { [&index, &item] } else { [&item, &NULL] };
                    let go = f(&Scope::new(scope, vars));
                    release(item);
                    if !go? {
                        break;
                    }
                }
            }
        },
        Value::Map(m) => {
            for i in 0..m.len() {
                ctx.budget.spend(1)?;
                let Some((key, value)) = m.entry(i) else { break };
                let key = key.into_value();
                let vars = if two_vars { [&key, &value] } else { [&key, &NULL] };
                let go = f(&Scope::new(scope, vars));
                release(key);
                release(value);
                if !go? {
                    break;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn condition_error(kind: IterKind, e: EvalError) -> EvalError {
    if e.is_operand_types() {
        EvalError::no_such_overload(format!(
            "the condition of `{}` must be a bool: {}",
            kind.name(),
            e.message()
        ))
    } else {
        e
    }
}

impl Comprehension {
    /// The range and its length, or the error for a range that is not a list or map.
    fn range<'a>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
    ) -> Result<(Value<'a>, usize), EvalError> {
        let range = self.range.eval(ctx, scope)?;
        let len = match &range {
            Value::List(l) => l.len(),
            Value::Map(m) => m.len(),
            other => {
                return Err(EvalError::no_such_overload(format!(
                    "`{}` needs a list or a map, found `{}`",
                    self.kind.name(),
                    other.type_name()
                )));
            }
        };
        Ok((range, len))
    }

    /// `all`, `exists` and `exists_one` as a bool.
    pub(crate) fn eval_bool<'a>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
    ) -> Result<bool, EvalError> {
        match self.kind {
            IterKind::All | IterKind::Exists => {
                let (range, _) = self.range(ctx, scope)?;
                let deciding = self.kind == IterKind::Exists;
                let mut decided = false;
                let mut error: Option<EvalError> = None;
                each(&range, self.two_vars, ctx, scope, |inner| {
                    match self.body.eval_bool_as(ctx, Some(inner), self.kind.name()) {
                        Ok(b) if b == deciding => {
                            decided = true;
                            return Ok(false);
                        }
                        Ok(_) => {}
                        Err(e) if e.kind().is_limit() => return Err(e),
                        Err(e) => {
                            error.get_or_insert(condition_error(self.kind, e));
                        }
                    }
                    Ok(true)
                })?;
                match error {
                    _ if decided => Ok(deciding),
                    Some(e) => Err(e),
                    None => Ok(!deciding),
                }
            }
            IterKind::ExistsOne => {
                let (range, _) = self.range(ctx, scope)?;
                let mut count = 0usize;
                each(&range, self.two_vars, ctx, scope, |inner| {
                    if self
                        .body
                        .eval_bool_as(ctx, Some(inner), self.kind.name())
                        .map_err(|e| condition_error(self.kind, e))?
                    {
                        count += 1;
                    }
                    Ok(true)
                })?;
                Ok(count == 1)
            }
            _ => match self.eval(ctx, scope)? {
                Value::Bool(b) => Ok(b),
                other => Err(EvalError::no_such_overload(format!(
                    "`{}` gives a `{}`, not a bool",
                    self.kind.name(),
                    other.type_name()
                ))),
            },
        }
    }

    /// Whether the optional filter of `map(x, p, t)` or of a transform rejects this step.
    #[inline]
    fn filtered_out<'a>(&'a self, ctx: &Ctx<'a, '_>, inner: &Scope<'_, 'a>) -> Result<bool, EvalError> {
        match &self.filter {
            Some(filter) => filter
                .eval_bool_as(ctx, Some(inner), self.kind.name())
                .map(|keep| !keep)
                .map_err(|e| condition_error(self.kind, e)),
            None => Ok(false),
        }
    }

    /// Appends the elements of this `map` to `out`, separated by `sep`: the text and cost of
    /// `join(sep)` on its value, without building the list or its elements. Only for a
    /// comprehension of which [`Comprehension::maps_to_text`] holds.
    pub(crate) fn write_joined<'a>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
        sep: &str,
        out: &mut String,
    ) -> Result<(), EvalError> {
        let (range, _) = self.range(ctx, scope)?;
        let mut first = true;
        let start = out.len();
        each(&range, self.two_vars, ctx, scope, |inner| {
            if self.filtered_out(ctx, inner)? {
                return Ok(true);
            }
            if !first {
                out.push_str(sep);
            }
            first = false;
            self.body.write_text(ctx, Some(inner), out)?;
            // The text may not outgrow the value size limit: checked as it grows.
            ctx.budget.check_size(out.len() - start)?;
            Ok(true)
        })
    }

    pub(crate) fn eval<'a>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
    ) -> Result<Value<'a>, EvalError> {
        if matches!(self.kind, IterKind::All | IterKind::Exists | IterKind::ExistsOne) {
            return self.eval_bool(ctx, scope).map(Value::Bool);
        }
        let (range, len) = self.range(ctx, scope)?;
        let name = self.kind.name();
        match self.kind {
            IterKind::Map | IterKind::Filter | IterKind::TransformList => {
                // The result may not outgrow the value size limit: checked as it grows.
                let most = ctx.budget.max_elements();
                let mut out = Vec::with_capacity(len.min(most));
                each(&range, self.two_vars, ctx, scope, |inner| {
                    if self.kind == IterKind::Filter {
                        if self
                            .body
                            .eval_bool_as(ctx, Some(inner), name)
                            .map_err(|e| condition_error(self.kind, e))?
                        {
                            ctx.budget.check_elements(out.len() + 1)?;
                            out.push(inner.first().clone());
                        }
                    } else if !self.filtered_out(ctx, inner)? {
                        let value = self.body.eval(ctx, Some(inner))?;
                        ctx.budget.check_elements(out.len() + 1)?;
                        out.push(value);
                    }
                    Ok(true)
                })?;
                if out.is_empty() {
                    // No shared list to allocate for nothing.
                    return Ok(Value::List(List::borrowed(&[])));
                }
                Ok(Value::List(List::shared(Arc::from(out))))
            }
            IterKind::TransformMapEntry => self.transform_map_entry(&range, ctx, scope),
            IterKind::SortBy => self.sort_by(&range, len, ctx, scope),
            _ => {
                let mut b = MapBuilder::with_capacity(len.min(ctx.budget.max_elements()));
                let mut entries = 0usize;
                each(&range, true, ctx, scope, |inner| {
                    if self.filtered_out(ctx, inner)? {
                        return Ok(true);
                    }
                    let value = self.body.eval(ctx, Some(inner))?;
                    entries += 1;
                    ctx.budget.check_elements(entries)?;
                    let key = Key::from_value(inner.first())
                        .ok_or_else(|| EvalError::invalid_argument("invalid map key"))?;
                    b.push(key, value);
                    Ok(true)
                })?;
                let map = b.build().map_err(|_| {
                    EvalError::new(EvalErrorKind::RepeatedKey, "repeated key in `transformMap` result")
                })?;
                Ok(Value::map(map))
            }
        }
    }
}

impl Comprehension {
    /// `r.transformMapEntry(k, v, [p,] e)`: the entries of the maps `e` gives, merged; a key
    /// given twice is an error.
    fn transform_map_entry<'a>(
        &'a self,
        range: &Value<'a>,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
    ) -> Result<Value<'a>, EvalError> {
        let mut b = MapBuilder::new();
        let mut entries = 0usize;
        each(range, true, ctx, scope, |inner| {
            if self.filtered_out(ctx, inner)? {
                return Ok(true);
            }
            let Value::Map(m) = self.body.eval(ctx, Some(inner))? else {
                return Err(EvalError::no_such_overload(
                    "the expression of `transformMapEntry` must give a map",
                ));
            };
            ctx.budget.spend(m.len() as u64)?;
            entries = entries.saturating_add(m.len());
            ctx.budget.check_elements(entries)?;
            for (k, v) in m.iter() {
                b.push(k, v);
            }
            Ok(true)
        })?;
        let map = b.build().map_err(|k| {
            EvalError::new(
                EvalErrorKind::RepeatedKey,
                format!("repeated key in `transformMapEntry` result: {:?}", k.to_value()),
            )
        })?;
        Ok(Value::map(map))
    }

    /// `list.sortBy(x, key)`: the elements ordered by their keys (a stable sort).
    fn sort_by<'a>(
        &'a self,
        range: &Value<'a>,
        len: usize,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
    ) -> Result<Value<'a>, EvalError> {
        if !matches!(range, Value::List(_)) {
            return Err(EvalError::no_such_overload(format!(
                "`sortBy` needs a list, found `{}`",
                range.type_name()
            )));
        }
        ctx.budget.check_elements(len)?;
        let mut keys = Vec::with_capacity(len);
        let mut items = Vec::with_capacity(len);
        each(range, false, ctx, scope, |inner| {
            keys.push(self.body.eval(ctx, Some(inner))?);
            items.push(inner.first().clone());
            Ok(true)
        })?;
        // Sorting compares about n·log2(n) pairs.
        ctx.budget.spend((len as u64).saturating_mul(u64::from(usize::BITS - len.leading_zeros())))?;
        crate::cel::stdlib::sort_by_keys(keys, items)
    }
}

#[cfg(test)]
mod tests {
    use crate::cel::{Env, NoVariables};

    fn error_of(source: &str) -> String {
        let program = Env::new().compile(source).unwrap_or_else(|d| panic!("`{source}`: {d:?}"));
        match program.evaluate(&NoVariables) {
            Err(e) => e.message().to_owned(),
            Ok(v) => panic!("`{source}` gave {}", crate::cel::Canonical(&v)),
        }
    }

    #[test]
    fn operand_type_errors_in_a_condition_name_the_macro() {
        let cases = [
            (
                "dyn([1]).all(x, x)",
                "the condition of `all` must be a bool: no matching overload for `all` with argument type `int`",
            ),
            (
                "dyn([1]).exists_one(x, x)",
                "the condition of `exists_one` must be a bool: no matching overload for `exists_one` with argument type `int`",
            ),
            (
                "dyn([1]).filter(x, x)",
                "the condition of `filter` must be a bool: no matching overload for `filter` with argument type `int`",
            ),
            (
                "[1].map(x, dyn(x), x)",
                "the condition of `map` must be a bool: no matching overload for `map` with argument type `int`",
            ),
            (
                r#"dyn([1, "a"]).all(x, x > 0)"#,
                "the condition of `all` must be a bool: no matching overload for `>` with argument types (string, int)",
            ),
            (
                r#"dyn(["a"]).all(x, x in dyn(1))"#,
                "the condition of `all` must be a bool: no matching overload for `in` with a container of type `int`",
            ),
            ("dyn([0]).all(x, 1 / x > 0)", "division by zero"),
            (
                "dyn([1]).all(x, x.size() > 0)",
                "the condition of `all` must be a bool: no matching overload for `size` with argument types (int)",
            ),
            // Other errors pass through as they are, whatever their kind.
            ("dyn([1]).all(x, x.all(y, true))", "`all` needs a list or a map, found `int`"),
        ];
        for (source, expected) in cases {
            assert_eq!(error_of(source), expected, "{source}");
        }
    }
}
