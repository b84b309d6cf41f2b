//! More string extensions, receiver-style: `reverse` (cel-go strings extension).
//!
//! Strings are handled by code point, as everywhere in CEL: `"héllo".reverse()` is `"olléh"`.

use super::{Impl, Overload, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    out.push(
        method("string_reverse", "reverse", vec![Type::String], Type::String, Impl::F1(reverse))
            .priced(super::cost::copy_receiver),
    );
}

/// The code points of a string in reverse order.
fn reverse<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let s = v.as_str().ok_or_else(|| no_such_overload("reverse", &[v]))?;
    if s.chars().nth(1).is_none() {
        return Ok(v.clone());
    }
    Ok(Value::string(s.chars().rev().collect::<String>()))
}
