//! Values as text for people: message templates write straight into their output.

use super::{Ctx, Scope, charged_join, ops};
use crate::cel::ir::Node;
use crate::cel::stdlib::Cost;
use crate::cel::value::{EvalError, Value};

impl Node {
    /// Appends the value of this node to `out` as text for people ([`write_plain`]), writing
    /// concatenations, `join`s and the chosen branch of a conditional straight into `out`
    /// instead of building intermediate strings. Same value, errors and cost as [`Node::eval`];
    /// on error, `out` holds a partial text.
    pub(crate) fn write_text<'a>(
        &'a self,
        ctx: &Ctx<'a, '_>,
        scope: Option<&Scope<'_, 'a>>,
        out: &mut String,
    ) -> Result<(), EvalError> {
        let start = out.len();
        match self {
            Node::Const(Value::String(s)) => {
                out.push_str(s.as_str());
                return Ok(());
            }
            Node::Concat(parts) => {
                for part in parts {
                    if part.writes_string() {
                        // Charged for what it writes, as its own evaluation is.
                        part.write_text(ctx, scope, out)?;
                        continue;
                    }
                    match &*part.eval_ref(ctx, scope)? {
                        Value::String(s) => out.push_str(s.as_str()),
                        other => return Err(ops::no_overload1("+", other)),
                    }
                }
            }
            Node::Join { list, sep } => match &**list {
                Node::Comprehension(c) if c.maps_to_text() => {
                    c.write_joined(ctx, scope, sep.as_deref().unwrap_or(""), out)?;
                }
                // Paid for as its evaluation is.
                _ => return charged_join(ctx, &*list.eval_ref(ctx, scope)?, sep.as_deref(), out),
            },
            Node::Cond(parts) => {
                let [c, t, e] = &**parts;
                let branch = if c.eval_bool_as(ctx, scope, "?:")? { t } else { e };
                return branch.write_text(ctx, scope, out);
            }
            other => {
                // A small value can have a long text: written up to the size limit.
                let max = start.saturating_add(ctx.budget.max_value_bytes);
                if !write_plain_within(&other.eval(ctx, scope)?, out, max) {
                    return Err(ctx.budget.text_too_long());
                }
                return Ok(());
            }
        }
        // The charge their evaluation makes for the string they would have built, made once
        // the parts are known.
        ctx.budget.charge(Cost::text(0, out.len() - start))
    }
}

/// Appends `list.join(sep)` to `out`.
pub(super) fn join(list: &Value<'_>, sep: Option<&str>, out: &mut String) -> Result<(), EvalError> {
    match sep {
        Some(s) => crate::cel::stdlib::strings::join_into(list, s, &[list, &Value::str(s)], out),
        None => crate::cel::stdlib::strings::join_into(list, "", &[list], out),
    }
}

/// A value as text for people: strings without quotes, lists as `a, b`, other values in
/// their canonical form.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn write_plain(v: &Value<'_>, out: &mut String) {
    write_plain_within(v, out, usize::MAX);
}

/// [`write_plain`], stopping as soon as `out` would grow past `max` bytes: `false` then, with
/// a partial text in `out`. A list holding one long string many times is small, its text is
/// not: this bounds the text without bounding the value.
pub(crate) fn write_plain_within(v: &Value<'_>, out: &mut String, max: usize) -> bool {
    use std::fmt::Write as _;
    match v {
        Value::String(s) => {
            if out.len().saturating_add(s.as_str().len()) > max {
                return false;
            }
            out.push_str(s.as_str());
        }
        Value::Int(i) => push_int(*i, out),
        Value::Uint(u) => push_decimal(*u, out),
        Value::Timestamp(t) => {
            let _ = write!(out, "{t}");
        }
        Value::Duration(d) => {
            let _ = write!(out, "{d}");
        }
        Value::List(l) => {
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !write_plain_within(&item, out, max) {
                    return false;
                }
            }
        }
        other => {
            let mut capped = Capped { out, max };
            if write!(capped, "{}", crate::cel::display::Canonical(other)).is_err() {
                return false;
            }
        }
    }
    out.len() <= max
}

/// A string that refuses to grow past `max` bytes.
struct Capped<'o> {
    out: &'o mut String,
    max: usize,
}

impl std::fmt::Write for Capped<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.out.len().saturating_add(s.len()) > self.max {
            return Err(std::fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
}

/// Appends `i` in decimal, as `{i}` formats it.
pub(crate) fn push_int(i: i64, out: &mut String) {
    if i < 0 {
        out.push('-');
    }
    push_decimal(i.unsigned_abs(), out);
}

/// Appends `n` in decimal (what `{n}` formats, without the formatting machinery: messages
/// print counts and percentages often).
fn push_decimal(mut n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut used = 0;
    for slot in digits.iter_mut().rev() {
        // The remainder is below 10, so it fits.
        *slot = b'0' + (n % 10) as u8;
        used += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let text = digits.get(digits.len() - used..).unwrap_or_default();
    out.push_str(std::str::from_utf8(text).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_formatting_writes_them() {
        let ints = [0, 1, -1, 9, 10, -10, 99, 100, 12_345, -987_654_321, i64::MAX, i64::MIN];
        for i in ints {
            let mut out = String::from("n=");
            write_plain(&Value::Int(i), &mut out);
            assert_eq!(out, format!("n={i}"));
        }
        for u in [0, 7, 10, 1_000_000, u64::MAX] {
            let mut out = String::new();
            write_plain(&Value::Uint(u), &mut out);
            assert_eq!(out, u.to_string());
        }
    }
}
