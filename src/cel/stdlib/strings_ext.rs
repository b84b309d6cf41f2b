//! More string extensions, receiver-style, with the semantics of cel-go's `ext/strings`:
//! `charAt`, `lastIndexOf`, `substring` and `reverse`.
//!
//! Strings are handled by code point, as everywhere in CEL: `"héllo".reverse()` is `"olléh"`
//! and `"héllo".charAt(1)` is `"é"`. An index past the end, or negative, is an
//! `index out of range` error; the end itself is allowed (`"abc".charAt(3)` is `""`).

use super::cost::{copy_receiver, read_receiver};
use super::{Impl, Overload, int_from_usize, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, EvalErrorKind, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Int as I, String as S};
    let (read, copy) = (read_receiver as super::CostFn, copy_receiver as super::CostFn);
    out.extend([
        method("string_reverse", "reverse", vec![S], S, Impl::F1(reverse)).priced(copy),
        method("string_char_at_int", "charAt", vec![S, I], S, Impl::F2(char_at)).priced(read),
        method("string_last_index_of_string", "lastIndexOf", vec![S, S], I, Impl::F2(rindex)).priced(read),
        method("string_last_index_of_string_int", "lastIndexOf", vec![S, S, I], I, Impl::F3(rindex_from))
            .priced(read),
        method("string_substring_int", "substring", vec![S, I], S, Impl::F2(substring)).priced(copy),
        method("string_substring_int_int", "substring", vec![S, I, I], S, Impl::F3(substring_range))
            .priced(copy),
    ]);
}

/// The code points of a string in reverse order.
fn reverse<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let s = v.as_str().ok_or_else(|| no_such_overload("reverse", &[v]))?;
    if s.chars().nth(1).is_none() {
        return Ok(v.clone());
    }
    Ok(Value::string(s.chars().rev().collect::<String>()))
}

/// `index out of range: <i>`.
pub(super) fn out_of_range(index: i64) -> EvalError {
    EvalError::new(EvalErrorKind::IndexOutOfBounds, format!("index out of range: {index}"))
}

/// The byte offset of code point `index` in `s`, which may be the size of `s` (its end).
/// A negative index or one past the end is an error.
pub(super) fn byte_offset(s: &str, index: i64) -> Result<usize, EvalError> {
    let n = usize::try_from(index).map_err(|_| out_of_range(index))?;
    if n == 0 {
        return Ok(0);
    }
    s.char_indices().map(|(i, _)| i).chain([s.len()]).nth(n).ok_or_else(|| out_of_range(index))
}

/// The number of code points before byte offset `at` (a character boundary) of `s`.
pub(super) fn code_points_before(s: &str, at: usize) -> Value<'static> {
    int_from_usize(s.get(..at).map_or(0, |p| p.chars().count()))
}

/// A piece of the receiver string: a borrowed receiver gives a borrowed piece, nothing copied.
fn piece<'a>(v: &Value<'a>, range: std::ops::Range<usize>) -> Value<'a> {
    if let Value::String(s) = v
        && let Some(borrowed) = s.as_borrowed()
    {
        return Value::str(borrowed.get(range).unwrap_or_default());
    }
    Value::string(v.as_str().and_then(|s| s.get(range)).unwrap_or_default())
}

fn string_and_int<'v>(function: &str, s: &'v Value<'_>, i: &Value<'_>) -> Result<(&'v str, i64), EvalError> {
    match (s, i) {
        (Value::String(s), Value::Int(i)) => Ok((s.as_str(), *i)),
        _ => Err(no_such_overload(function, &[s, i])),
    }
}

/// The code point at `index` as a string; `""` at the end of the string.
fn char_at<'a>(s: &Value<'a>, index: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (text, i) = string_and_int("charAt", s, index)?;
    let start = byte_offset(text, i)?;
    let len = text.get(start..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
    Ok(piece(s, start..start + len))
}

/// The code points from `start` to the end.
fn substring<'a>(s: &Value<'a>, start: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (text, i) = string_and_int("substring", s, start)?;
    let from = byte_offset(text, i)?;
    Ok(piece(s, from..text.len()))
}

/// The code points from `start` (included) to `end` (excluded).
fn substring_range<'a>(s: &Value<'a>, start: &Value<'a>, end: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (Value::String(text), Value::Int(i), Value::Int(j)) = (s, start, end) else {
        return Err(no_such_overload("substring", &[s, start, end]));
    };
    let (text, i, j) = (text.as_str(), *i, *j);
    if i > j {
        return Err(EvalError::invalid_argument(format!("invalid substring range. start: {i}, end: {j}")));
    }
    let from = byte_offset(text, i)?;
    let to = byte_offset(text, j)?;
    Ok(piece(s, from..to))
}

fn rindex<'a>(s: &Value<'a>, sub: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (Value::String(text), Value::String(sub)) = (s, sub) else {
        return Err(no_such_overload("lastIndexOf", &[s, sub]));
    };
    let (text, sub) = (text.as_str(), sub.as_str());
    Ok(text.rfind(sub).map_or(Value::Int(-1), |at| code_points_before(text, at)))
}

/// The code-point index of the last occurrence of `sub` that starts at or before code point
/// `offset`; -1 when there is none. An offset outside `0..=size` is an error.
fn rindex_from<'a>(s: &Value<'a>, sub: &Value<'a>, offset: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (Value::String(text), Value::String(sub), Value::Int(offset)) = (s, sub, offset) else {
        return Err(no_such_overload("lastIndexOf", &[s, sub, offset]));
    };
    let (text, sub) = (text.as_str(), sub.as_str());
    let start = byte_offset(text, *offset)?;
    // A match starting at or before `start` ends at most `sub.len()` bytes after it.
    let mut end = start.saturating_add(sub.len()).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window = text.get(..end).unwrap_or_default();
    Ok(window.rfind(sub).map_or(Value::Int(-1), |at| code_points_before(text, at)))
}

#[cfg(test)]
mod tests {
    use super::super::strings::tests::{int, s};
    use super::*;

    fn text(v: Result<Value<'_>, EvalError>) -> String {
        v.unwrap().as_str().unwrap().to_owned()
    }

    #[test]
    fn char_at_and_substring_count_code_points() {
        assert_eq!(text(char_at(&s("©αT"), &Value::Int(1))), "α");
        assert_eq!(text(char_at(&s("hello"), &Value::Int(5))), "");
        assert_eq!(char_at(&s("hello"), &Value::Int(6)).unwrap_err().message(), "index out of range: 6");
        assert_eq!(
            char_at(&s("hello"), &Value::Int(-1)).unwrap_err().kind(),
            EvalErrorKind::IndexOutOfBounds
        );
        assert_eq!(text(substring(&s("ta©o©αT"), &Value::Int(4))), "©αT");
        assert_eq!(text(substring_range(&s("ta©o©αT"), &Value::Int(2), &Value::Int(6))), "©o©α");
        let e = substring_range(&s("tacocat"), &Value::Int(4), &Value::Int(3)).unwrap_err();
        assert_eq!(e.message(), "invalid substring range. start: 4, end: 3");
        let e = substring_range(&s("tacocat"), &Value::Int(49), &Value::Int(50)).unwrap_err();
        assert_eq!(e.message(), "index out of range: 49");
        let e = substring_range(&s("tacocat"), &Value::Int(1), &Value::Int(i64::MAX)).unwrap_err();
        assert_eq!(e.message(), format!("index out of range: {}", i64::MAX));
    }

    #[test]
    fn pieces_of_borrowed_strings_borrow() {
        let owner = String::from("tacocat");
        let Value::String(out) = substring(&Value::str(&owner), &Value::Int(4)).unwrap() else { panic!() };
        assert!(out.as_borrowed().is_some());
        assert_eq!(out.as_str(), "cat");
    }

    #[test]
    fn last_index_of_counts_code_points() {
        let li = |a: &str, sub: &str| int(rindex(&s(a), &s(sub)));
        let lio = |a: &'static str, sub: &'static str, n: i64| rindex_from(&s(a), &s(sub), &Value::Int(n));
        for (text, sub, at) in [("hello mellow", "", 12), ("hello mellow", "ello", 7), ("ta©o©αT", "©", 4)]
        {
            assert_eq!(li(text, sub), at);
        }
        assert_eq!(li("hello mellow", "jello"), -1);
        assert_eq!(li("", "@@"), -1);
        assert_eq!(int(lio("hello mellow", "ello", 6)), 1);
        assert_eq!(int(lio("tacocat", "", 3)), 3);
        assert_eq!(int(lio("ta©o©αT", "©", 3)), 2);
        assert_eq!(int(lio("ta©o©αT", "©α", 4)), 4);
        assert_eq!(int(lio("bananananana", "nana", 7)), 6);
        assert_eq!(int(lio("abc", "c", 3)), 2);
        for bad in [-1, 30, i64::MIN, i64::MAX] {
            assert_eq!(lio("tacocat", "a", bad).unwrap_err().message(), format!("index out of range: {bad}"));
        }
    }
}
