//! `size`, the string tests of the standard library (`contains`, `startsWith`, `endsWith`) and
//! the string extensions (`lowerAscii`, `upperAscii`, `trim`, `split`, `join`, `replace`,
//! `indexOf`), with the semantics of cel-go's `ext/strings`.
//!
//! Indices and sizes count Unicode code points, not bytes.

use super::cost::{Cost, copy_receiver, first, read_receiver, text_len};
use super::{Impl, Overload, global, int_from_usize, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, EvalErrorKind, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, Bytes, Int, String};
    let list_a = || Type::list(Type::Param(0));
    let map_ab = || Type::map(Type::Param(0), Type::Param(1));
    let strings = || Type::list(String);
    out.extend([
        global("size_string", "size", vec![String], Int, Impl::F1(size)).priced(read_receiver),
        method("string_size", "size", vec![String], Int, Impl::F1(size)).priced(read_receiver),
        global("size_bytes", "size", vec![Bytes], Int, Impl::F1(size)),
        method("bytes_size", "size", vec![Bytes], Int, Impl::F1(size)),
        global("size_list", "size", vec![list_a()], Int, Impl::F1(size)),
        method("list_size", "size", vec![list_a()], Int, Impl::F1(size)),
        global("size_map", "size", vec![map_ab()], Int, Impl::F1(size)),
        method("map_size", "size", vec![map_ab()], Int, Impl::F1(size)),
        method("contains_string", "contains", vec![String, String], Bool, Impl::F2(contains))
            .priced(read_receiver),
        method("starts_with_string", "startsWith", vec![String, String], Bool, Impl::F2(starts_with)),
        method("ends_with_string", "endsWith", vec![String, String], Bool, Impl::F2(ends_with)),
        method("string_lower_ascii", "lowerAscii", vec![String], String, Impl::F1(lower_ascii))
            .priced(copy_receiver),
        method("string_upper_ascii", "upperAscii", vec![String], String, Impl::F1(upper_ascii))
            .priced(copy_receiver),
        method("string_trim", "trim", vec![String], String, Impl::F1(trim)).priced(copy_receiver),
        method("string_split_string", "split", vec![String, String], strings(), Impl::F2(split))
            .priced(split_cost),
        method("string_split_string_int", "split", vec![String, String, Int], strings(), Impl::F3(split_n))
            .priced(split_cost),
        method("list_join", "join", vec![strings()], String, Impl::F1(join)).priced(join_cost),
        method("list_join_string", "join", vec![strings(), String], String, Impl::F2(join_sep))
            .priced(join_cost),
        method(
            "string_replace_string_string",
            "replace",
            vec![String, String, String],
            String,
            Impl::F3(replace),
        )
        .priced(replace_cost),
        method(
            "string_replace_string_string_int",
            "replace",
            vec![String, String, String, Int],
            String,
            Impl::F4(replace_n),
        )
        .priced(replace_cost),
        method("string_index_of_string", "indexOf", vec![String, String], Int, Impl::F2(index_of))
            .priced(read_receiver),
        method(
            "string_index_of_string_int",
            "indexOf",
            vec![String, String, Int],
            Int,
            Impl::F3(index_of_from),
        )
        .priced(read_receiver),
    ]);
}

/// A string result, reusing `original` when the text did not change.
fn string_result<'a>(original: &Value<'a>, text: &str, changed: bool) -> Value<'a> {
    if changed { Value::string(text) } else { original.clone() }
}

/// Code points of a string, bytes of bytes, elements of a list, entries of a map.
fn size<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let n = match v {
        Value::String(s) => s.as_str().chars().count(),
        Value::Bytes(b) => b.as_slice().len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        _ => return Err(no_such_overload("size", &[v])),
    };
    Ok(int_from_usize(n))
}

fn two_strings<'v>(
    function: &str,
    a: &'v Value<'_>,
    b: &'v Value<'_>,
) -> Result<(&'v str, &'v str), EvalError> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok((x.as_str(), y.as_str())),
        _ => Err(no_such_overload(function, &[a, b])),
    }
}

fn int_arg(function: &str, args: &[&Value<'_>], v: &Value<'_>) -> Result<i64, EvalError> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(no_such_overload(function, args)),
    }
}

fn contains<'a>(s: &Value<'a>, sub: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (s, sub) = two_strings("contains", s, sub)?;
    Ok(Value::Bool(s.contains(sub)))
}

fn starts_with<'a>(s: &Value<'a>, prefix: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (s, prefix) = two_strings("startsWith", s, prefix)?;
    Ok(Value::Bool(s.starts_with(prefix)))
}

fn ends_with<'a>(s: &Value<'a>, suffix: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (s, suffix) = two_strings("endsWith", s, suffix)?;
    Ok(Value::Bool(s.ends_with(suffix)))
}

fn lower_ascii<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let s = v.as_str().ok_or_else(|| no_such_overload("lowerAscii", &[v]))?;
    if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Ok(v.clone());
    }
    Ok(Value::string(s.to_ascii_lowercase()))
}

fn upper_ascii<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let s = v.as_str().ok_or_else(|| no_such_overload("upperAscii", &[v]))?;
    if !s.bytes().any(|b| b.is_ascii_lowercase()) {
        return Ok(v.clone());
    }
    Ok(Value::string(s.to_ascii_uppercase()))
}

/// Removes leading and trailing Unicode white space (`White_Space`, as Go's `TrimSpace`).
/// A borrowed string gives a borrowed slice of itself: nothing is copied.
fn trim<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    if let Value::String(s) = v
        && let Some(borrowed) = s.as_borrowed()
    {
        return Ok(Value::str(borrowed.trim()));
    }
    let s = v.as_str().ok_or_else(|| no_such_overload("trim", &[v]))?;
    let t = s.trim();
    Ok(string_result(v, t, t.len() != s.len()))
}

fn split<'a>(s: &Value<'a>, sep: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (s, sep) = two_strings("split", s, sep)?;
    Ok(split_into(s, sep, usize::MAX))
}

/// At most `n` pieces, the last holding the rest of the text; all of them when `n` is
/// negative, none when it is zero.
fn split_n<'a>(s: &Value<'a>, sep: &Value<'a>, n: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let limit = int_arg("split", &[s, sep, n], n)?;
    let (s, sep) = two_strings("split", s, sep)?;
    let limit = if limit < 0 { usize::MAX } else { usize::try_from(limit).unwrap_or(usize::MAX) };
    Ok(split_into(s, sep, limit))
}

/// The number of pieces `split` gives (at most `limit`), counted without building them.
fn split_count(s: &str, sep: &str, limit: usize) -> usize {
    if limit == 0 {
        0
    } else if sep.is_empty() {
        s.chars().count().min(limit)
    } else {
        s.matches(sep).count().saturating_add(1).min(limit)
    }
}

/// `split`: a list of its pieces, which hold a copy of the text.
fn split_cost(args: &[&Value<'_>]) -> Cost {
    let [Value::String(s), Value::String(sep), rest @ ..] = args else { return Cost::default() };
    let limit = match rest.first() {
        Some(Value::Int(n)) if *n >= 0 => usize::try_from(*n).unwrap_or(usize::MAX),
        _ => usize::MAX,
    };
    let (s, sep) = (s.as_str(), sep.as_str());
    Cost::list(split_count(s, sep, limit), s.len())
}

fn split_into<'a>(s: &str, sep: &str, limit: usize) -> Value<'a> {
    let piece = |p: &str| Value::string(p);
    let items: Vec<Value<'a>> = if limit == 0 {
        Vec::new()
    } else if sep.is_empty() {
        // Each code point on its own, the last piece taking the rest.
        let mut items = Vec::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if items.len() + 1 == limit {
                break;
            }
            let Some((head, tail)) = rest.split_at_checked(c.len_utf8()) else { break };
            items.push(piece(head));
            rest = tail;
        }
        if !rest.is_empty() {
            items.push(piece(rest));
        }
        items
    } else {
        s.splitn(limit, sep).map(piece).collect()
    };
    Value::list(items)
}

/// `join`: a string of the elements and separators, measured without building it.
fn join_cost(args: &[&Value<'_>]) -> Cost {
    let sep = args.get(1).map_or(0, |v| text_len(v));
    Cost::text(0, join_len(first(args), sep))
}

/// The length of `list.join(sep)` for a separator of `sep` bytes (elements that are not
/// strings count nothing: the call fails on them).
pub(crate) fn join_len(list: &Value<'_>, sep: usize) -> usize {
    let Value::List(items) = list else { return 0 };
    let seps = sep.saturating_mul(items.len().saturating_sub(1));
    match items.as_slice() {
        Some(slice) => slice.iter().fold(seps, |n, item| n.saturating_add(text_len(item))),
        None => items.iter().fold(seps, |n, item| n.saturating_add(text_len(&item))),
    }
}

fn join<'a>(list: &Value<'a>) -> Result<Value<'a>, EvalError> {
    join_with(list, "", &[list])
}

fn join_sep<'a>(list: &Value<'a>, sep: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let s = sep.as_str().ok_or_else(|| no_such_overload("join", &[list, sep]))?;
    join_with(list, s, &[list, sep])
}

fn join_with<'a>(list: &Value<'a>, sep: &str, args: &[&Value<'_>]) -> Result<Value<'a>, EvalError> {
    let mut out = String::new();
    join_into(list, sep, args, &mut out)?;
    Ok(Value::string(out))
}

/// Appends the strings of `list` to `out`, separated by `sep`. On error `out` is left as it was.
pub(crate) fn join_into(
    list: &Value<'_>,
    sep: &str,
    args: &[&Value<'_>],
    out: &mut String,
) -> Result<(), EvalError> {
    let Value::List(items) = list else { return Err(no_such_overload("join", args)) };
    if let Some(slice) = items.as_slice() {
        // Stored elements are read in place: checked and measured first, then written in
        // one allocation at most.
        let mut len = sep.len() * slice.len().saturating_sub(1);
        for (i, item) in slice.iter().enumerate() {
            match item {
                Value::String(s) => len += s.as_str().len(),
                other => return Err(not_a_string(i, other)),
            }
        }
        out.reserve(len);
        for (i, item) in slice.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(item.as_str().unwrap_or(""));
        }
        return Ok(());
    }
    // A host list builds each element on request: written in one pass.
    let start = out.len();
    for (i, item) in items.iter().enumerate() {
        match &item {
            Value::String(s) => {
                if i > 0 {
                    out.push_str(sep);
                }
                out.push_str(s.as_str());
            }
            other => {
                out.truncate(start);
                return Err(not_a_string(i, other));
            }
        }
    }
    Ok(())
}

#[cold]
fn not_a_string(i: usize, other: &Value<'_>) -> EvalError {
    EvalError::no_such_overload(format!(
        "no such overload: `join` expects a list of strings, element {i} is of type `{}`",
        other.type_name()
    ))
}

fn replace<'a>(s: &Value<'a>, old: &Value<'a>, new: &Value<'a>) -> Result<Value<'a>, EvalError> {
    replace_impl(s, old, new, -1, &[s, old, new])
}

/// Replaces the first `n` occurrences (all when `n` is negative).
fn replace_n<'a>(
    s: &Value<'a>,
    old: &Value<'a>,
    new: &Value<'a>,
    n: &Value<'a>,
) -> Result<Value<'a>, EvalError> {
    let limit = int_arg("replace", &[s, old, new, n], n)?;
    replace_impl(s, old, new, limit, &[s, old, new, n])
}

/// How many occurrences `replace` replaces (at most `limit`, all when negative) and the size
/// of its result, counted without building it.
fn replace_plan(s: &str, old: &str, new: &str, limit: i64) -> (usize, usize) {
    let limit = if limit < 0 { usize::MAX } else { usize::try_from(limit).unwrap_or(usize::MAX) };
    // The empty string matches before every code point and at the end, as in Go.
    let matches =
        if old.is_empty() { s.chars().count().saturating_add(1) } else { s.matches(old).count() }.min(limit);
    let size = s
        .len()
        .saturating_sub(matches.saturating_mul(old.len()))
        .saturating_add(matches.saturating_mul(new.len()));
    (matches, size)
}

/// `replace`: reads the text, builds the result when something is replaced.
fn replace_cost(args: &[&Value<'_>]) -> Cost {
    let [Value::String(s), Value::String(old), Value::String(new), rest @ ..] = args else {
        return Cost::default();
    };
    let limit = match rest.first() {
        Some(Value::Int(n)) => *n,
        _ => -1,
    };
    let s = s.as_str();
    let (matches, size) = replace_plan(s, old.as_str(), new.as_str(), limit);
    if matches == 0 { Cost::text(s.len(), 0) } else { Cost::text(s.len(), size) }
}

fn replace_impl<'a>(
    v: &Value<'a>,
    old: &Value<'a>,
    new: &Value<'a>,
    limit: i64,
    args: &[&Value<'_>],
) -> Result<Value<'a>, EvalError> {
    let (Some(s), Some(old), Some(new)) = (v.as_str(), old.as_str(), new.as_str()) else {
        return Err(no_such_overload("replace", args));
    };
    let (matches, size) = replace_plan(s, old, new, limit);
    if matches == 0 {
        return Ok(v.clone());
    }
    let out = if old.is_empty() {
        let mut out = String::with_capacity(size);
        let mut done = 0;
        for c in s.chars() {
            if done < matches {
                out.push_str(new);
                done += 1;
            }
            out.push(c);
        }
        if done < matches {
            out.push_str(new);
        }
        out
    } else {
        s.replacen(old, new, matches)
    };
    Ok(Value::string(out))
}

fn index_of<'a>(s: &Value<'a>, sub: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (text, sub) = two_strings("indexOf", s, sub)?;
    find_from(text, sub, 0)
}

/// The code-point index of the first occurrence of `sub` at or after code point `offset`;
/// -1 when there is none. An offset outside `0..=size` is an error.
fn index_of_from<'a>(s: &Value<'a>, sub: &Value<'a>, offset: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let start = int_arg("indexOf", &[s, sub, offset], offset)?;
    let (text, sub) = two_strings("indexOf", s, sub)?;
    find_from(text, sub, start)
}

fn find_from<'a>(text: &str, sub: &str, offset: i64) -> Result<Value<'a>, EvalError> {
    let out_of_range =
        || EvalError::new(EvalErrorKind::IndexOutOfBounds, format!("index out of range: {offset}"));
    let start = usize::try_from(offset).map_err(|_| out_of_range())?;
    // The byte position of code point `start`; `start` may equal the size.
    let byte_start = if start == 0 {
        0
    } else {
        text.char_indices().map(|(i, _)| i).chain([text.len()]).nth(start).ok_or_else(out_of_range)?
    };
    let rest = text.get(byte_start..).ok_or_else(out_of_range)?;
    Ok(match rest.find(sub) {
        Some(pos) => {
            let prefix = rest.get(..pos).unwrap_or_default();
            int_from_usize(start + prefix.chars().count())
        }
        None => Value::Int(-1),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cel::value::{Bytes, Key, List, MapBuilder};

    pub(crate) fn s(text: &str) -> Value<'_> {
        Value::str(text)
    }

    fn text(v: &Value<'_>) -> String {
        v.as_str().unwrap().to_owned()
    }

    fn texts(v: &Value<'_>) -> Vec<String> {
        let Value::List(l) = v else { panic!("not a list: {v:?}") };
        l.iter().map(|x| text(&x)).collect()
    }

    pub(crate) fn int(v: Result<Value<'_>, EvalError>) -> i64 {
        match v {
            Ok(Value::Int(i)) => i,
            other => panic!("not an int: {other:?}"),
        }
    }

    #[test]
    fn size_counts_code_points_bytes_elements_entries() {
        assert_eq!(int(size(&s(""))), 0);
        assert_eq!(int(size(&s("héllo"))), 5);
        assert_eq!(int(size(&s("😀👍"))), 2);
        assert_eq!(int(size(&Value::Bytes(Bytes::borrowed("é".as_bytes())))), 2);
        let items = [Value::Int(1), Value::Null];
        assert_eq!(int(size(&Value::List(List::borrowed(&items)))), 2);
        let mut m = MapBuilder::new();
        m.push(Key::Int(1), Value::Null);
        assert_eq!(int(size(&Value::map(m.build().unwrap()))), 1);
        assert_eq!(size(&Value::Int(1)).unwrap_err().kind(), EvalErrorKind::NoSuchOverload);
    }

    #[test]
    fn substring_tests() {
        assert!(matches!(contains(&s("hello"), &s("ell")), Ok(Value::Bool(true))));
        assert!(matches!(contains(&s("hello"), &s("")), Ok(Value::Bool(true))));
        assert!(matches!(contains(&s("hello"), &s("lo!")), Ok(Value::Bool(false))));
        assert!(matches!(starts_with(&s("hello"), &s("he")), Ok(Value::Bool(true))));
        assert!(matches!(starts_with(&s("hello"), &s("lo")), Ok(Value::Bool(false))));
        assert!(matches!(ends_with(&s("héllo"), &s("llo")), Ok(Value::Bool(true))));
        assert!(matches!(ends_with(&s("hello"), &s("he")), Ok(Value::Bool(false))));
        assert!(contains(&s("a"), &Value::Int(1)).is_err());
    }

    #[test]
    fn case_and_trim() {
        assert_eq!(text(&lower_ascii(&s("GrÜN Äpfel Q9")).unwrap()), "grÜn Äpfel q9");
        assert_eq!(text(&upper_ascii(&s("grün äpfel q9")).unwrap()), "GRüN äPFEL Q9");
        assert_eq!(text(&trim(&s(" \t\r spaced out \n\u{b}\u{c}")).unwrap()), "spaced out");
        assert_eq!(text(&trim(&s("\u{a0}\u{2003}x y\u{3000}")).unwrap()), "x y");
        // Zero-width space is not white space.
        assert_eq!(text(&trim(&s("\u{200b}x")).unwrap()), "\u{200b}x");
        assert_eq!(text(&trim(&s("   ")).unwrap()), "");
        assert!(trim(&Value::Null).is_err());
    }

    #[test]
    fn split_like_go() {
        let sp = |a: &str, sep: &str| texts(&split(&s(a), &s(sep)).unwrap());
        let spn = |a: &str, sep: &str, n: i64| texts(&split_n(&s(a), &s(sep), &Value::Int(n)).unwrap());
        assert_eq!(sp("red green blue", " "), ["red", "green", "blue"]);
        assert_eq!(sp("a,b,", ","), ["a", "b", ""]);
        assert_eq!(sp("", ","), [""]);
        assert_eq!(sp("héllo", ""), ["h", "é", "l", "l", "o"]);
        assert!(sp("", "").is_empty());
        assert!(spn("red green blue", " ", 0).is_empty());
        assert_eq!(spn("red green blue", " ", 1), ["red green blue"]);
        assert_eq!(spn("red green blue", " ", 2), ["red", "green blue"]);
        assert_eq!(spn("red green blue", " ", -1), ["red", "green", "blue"]);
        assert_eq!(spn("a b", " ", i64::MAX), ["a", "b"]);
        assert_eq!(spn("a b", " ", i64::MIN), ["a", "b"]);
        assert_eq!(spn("abc", "", 2), ["a", "bc"]);
        assert_eq!(spn("abc", "", 1), ["abc"]);
        assert_eq!(spn("abc", "", 10), ["a", "b", "c"]);
    }

    #[test]
    fn join_lists_of_strings() {
        let items = [s("blast"), s("radius")];
        let list = Value::List(List::borrowed(&items));
        assert_eq!(text(&join(&list).unwrap()), "blastradius");
        assert_eq!(text(&join_sep(&list, &s(" ")).unwrap()), "blast radius");
        let empty = Value::list(Vec::new());
        assert_eq!(text(&join(&empty).unwrap()), "");
        assert_eq!(text(&join_sep(&empty, &s("/")).unwrap()), "");
        let mixed = Value::list(vec![s("a"), Value::Int(1)]);
        let e = join(&mixed).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::NoSuchOverload);
        assert!(e.message().contains("element 1"), "{e}");
    }

    #[test]
    fn replace_like_go() {
        let r = |a: &str, old: &str, new: &str| text(&replace(&s(a), &s(old), &s(new)).unwrap());
        let rn = |a: &str, old: &str, new: &str, n: i64| {
            text(&replace_n(&s(a), &s(old), &s(new), &Value::Int(n)).unwrap())
        };
        assert_eq!(r("one two one", "one", "1"), "1 two 1");
        assert_eq!(rn("one two one", "one", "1", -1), "1 two 1");
        assert_eq!(rn("one two one", "one", "1", 1), "1 two one");
        assert_eq!(rn("one two one", "one", "1", 0), "one two one");
        assert_eq!(rn("one two one", "one", "1", i64::MAX), "1 two 1");
        assert_eq!(r("abc", "", "-"), "-a-b-c-");
        assert_eq!(rn("abc", "", "-", 2), "-a-bc");
        assert_eq!(r("", "", "-"), "-");
        assert_eq!(r("héé", "é", "e"), "hee");
        assert_eq!(r("aaa", "a", ""), "");
        assert_eq!(r("abc", "x", "y"), "abc");
    }

    #[test]
    fn prices_are_the_sizes_built() {
        let long = "x".repeat(5000);
        // Replacing the empty string: 5001 copies of the replacement between the code points.
        let cost = replace_cost(&[&s(&long), &s(""), &s(&long)]);
        assert_eq!(cost.bytes, 5000 + 5001 * 5000);
        let cost = replace_cost(&[&s(&long), &s("x"), &s("yy"), &Value::Int(10)]);
        assert_eq!(cost.bytes, 5010);
        assert_eq!(replace_cost(&[&s(&long), &s("z"), &s("yy")]).bytes, 0);
        let cost = split_cost(&[&s("a,b,,c"), &s(",")]);
        assert_eq!(cost.bytes, 4 * super::super::cost::SLOT_BYTES + 6);
        assert_eq!(split_cost(&[&s("a,b,,c"), &s(","), &Value::Int(2)]).steps, 2);
        assert_eq!(split_cost(&[&s("héllo"), &s("")]).steps, 5);
        let items = [s("ab"), s("cde")];
        let list = Value::List(crate::cel::value::List::borrowed(&items));
        assert_eq!(join_cost(&[&list, &s(", ")]).bytes, 7);
        assert_eq!(join_cost(&[&list]).bytes, 5);
    }

    #[test]
    fn index_of_counts_code_points() {
        let ix = |a: &str, sub: &str| int(index_of(&s(a), &s(sub)));
        let ixn = |a: &'static str, sub: &'static str, n: i64| index_of_from(&s(a), &s(sub), &Value::Int(n));
        assert_eq!(ix("yellow fellow", ""), 0);
        assert_eq!(ix("yellow fellow", "ello"), 1);
        assert_eq!(ix("yellow fellow", "hello"), -1);
        assert_eq!(ix("", "a"), -1);
        assert_eq!(ix("", ""), 0);
        assert_eq!(ix("héllo wörld", "wö"), 6);
        assert_eq!(int(ixn("yellow fellow", "", 2)), 2);
        assert_eq!(int(ixn("yellow fellow", "ello", 2)), 8);
        assert_eq!(int(ixn("héllo héllo", "é", 2)), 7);
        assert_eq!(int(ixn("abc", "c", 3)), -1);
        assert_eq!(int(ixn("abc", "", 3)), 3);
        for bad in [20, 4, -1, i64::MIN, i64::MAX] {
            let e = ixn("abc", "ello", bad).unwrap_err();
            assert_eq!(e.kind(), EvalErrorKind::IndexOutOfBounds);
            assert_eq!(e.message(), format!("index out of range: {bad}"));
        }
    }

    #[test]
    fn unchanged_strings_are_reused() {
        let owner = String::from("already lower");
        let v = Value::str(&owner);
        let Value::String(out) = lower_ascii(&v).unwrap() else { panic!() };
        assert!(std::ptr::eq(out.as_str(), owner.as_str()));
        let Value::String(out) = trim(&v).unwrap() else { panic!() };
        assert!(std::ptr::eq(out.as_str(), owner.as_str()));
    }
}
