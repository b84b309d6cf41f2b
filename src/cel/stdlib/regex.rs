//! `matches`: RE2-syntax regular expressions through the `regex` crate.
//!
//! A match succeeds when the pattern matches any substring (anchor with `^` and `$` to match
//! the whole text). The compiler should compile literal patterns once with [`compile_regex`]
//! (reporting errors at load time) and call [`regex_is_match`]; the overloads here compile the
//! pattern on every call, with [`DEFAULT_REGEX_SIZE_LIMIT`].

use ::regex::{Regex, RegexBuilder};

use super::{Impl, Overload, global, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

/// The compiled-size limit used for patterns only known at run time (1 MiB, the default of
/// `Limits::max_regex_bytes`).
pub(crate) const DEFAULT_REGEX_SIZE_LIMIT: usize = 1 << 20;

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, String};
    out.extend([
        global("matches", "matches", vec![String, String], Bool, Impl::F2(matches)),
        method("matches_string", "matches", vec![String, String], Bool, Impl::F2(matches)),
    ]);
}

/// Compiles `pattern` (RE2 syntax), refusing patterns whose compiled form exceeds
/// `size_limit` bytes.
///
/// # Errors
///
/// A one-line message fit for a diagnostic, e.g. ``invalid regular expression `a(`: unclosed
/// group``.
pub(crate) fn compile_regex(pattern: &str, size_limit: usize) -> Result<Regex, String> {
    compile_uncached(pattern, size_limit)
}

/// [`compile_regex`] for literal patterns at load time, memoized: a policy repeating a pattern
/// in many rules compiles it once (`Regex` clones share their program). The memo holds at most
/// `MEMO_CAPACITY` patterns and starts over when full.
pub(crate) fn compile_regex_cached(pattern: &str, size_limit: usize) -> Result<Regex, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    const MEMO_CAPACITY: usize = 1024;
    static MEMO: OnceLock<Mutex<HashMap<(String, usize), Regex>>> = OnceLock::new();
    let memo = MEMO.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (pattern.to_owned(), size_limit);
    if let Ok(m) = memo.lock()
        && let Some(re) = m.get(&key)
    {
        return Ok(re.clone());
    }
    let re = compile_uncached(pattern, size_limit)?;
    if let Ok(mut m) = memo.lock() {
        if m.len() >= MEMO_CAPACITY {
            m.clear();
        }
        m.insert(key, re.clone());
    }
    Ok(re)
}

fn compile_uncached(pattern: &str, size_limit: usize) -> Result<Regex, String> {
    RegexBuilder::new(pattern).size_limit(size_limit).build().map_err(|e| match e {
        ::regex::Error::Syntax(text) => {
            // The crate renders the pattern with a caret under the problem, then
            // `error: <what>`; keep only the last part.
            let detail =
                text.lines().rev().find_map(|l| l.strip_prefix("error: ")).unwrap_or_else(|| text.trim());
            format!("invalid regular expression `{pattern}`: {detail}")
        }
        ::regex::Error::CompiledTooBig(limit) => {
            format!("regular expression `{pattern}` is too large: it compiles to more than {limit} bytes")
        }
        other => format!("invalid regular expression `{pattern}`: {other}"),
    })
}

/// Whether `re` matches somewhere in `text`, which must be a string.
///
/// # Errors
///
/// `no such overload` when `text` is not a string.
pub(crate) fn regex_is_match<'a>(re: &Regex, text: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match text {
        Value::String(s) => Ok(Value::Bool(re.is_match(s.as_str()))),
        _ => Err(no_such_overload("matches", &[text])),
    }
}

fn matches<'a>(text: &Value<'a>, pattern: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (Value::String(_), Value::String(p)) = (text, pattern) else {
        return Err(no_such_overload("matches", &[text, pattern]));
    };
    let re = compile_regex(p.as_str(), DEFAULT_REGEX_SIZE_LIMIT).map_err(EvalError::invalid_argument)?;
    regex_is_match(&re, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::value::EvalErrorKind;

    fn m(text: &str, pattern: &str) -> Result<bool, EvalError> {
        matches(&Value::str(text), &Value::str(pattern)).map(|v| v.as_bool().unwrap())
    }

    #[test]
    fn matches_any_substring() {
        assert!(m("hello", "ell").unwrap());
        assert!(m("hello", "^h.*o$").unwrap());
        assert!(!m("hello", "^ell").unwrap());
        assert!(m("", "").unwrap());
        assert!(m("héllo", "^h.llo$").unwrap());
        assert!(m("release-1.2.3", r"^release-\d+\.\d+\.\d+$").unwrap());
        assert!(m("ABC", "(?i)abc").unwrap());
        assert!(!m("abc\ndef", "^def").unwrap());
        assert!(m("abc\ndef", "(?m)^def").unwrap());
        assert!(m("cows", "").unwrap());
        assert!(!m("", "foo|bar").unwrap());
        assert!(m("banana", "ba(na)*").unwrap());
        assert!(m("mañana", "a+ñ+a+").unwrap());
        assert!(m("\u{1F431}\u{1F600}\u{1F600}", "(a|\u{1F600}){2}").unwrap());
    }

    #[test]
    fn bad_patterns_are_invalid_arguments() {
        let e = m("x", "a(").unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::InvalidArgument);
        assert_eq!(e.message(), "invalid regular expression `a(`: unclosed group");
        // RE2 has no backreferences or lookaround.
        assert!(m("aa", r"(a)\1").is_err());
        assert!(m("ab", "a(?=b)").is_err());
    }

    #[test]
    fn size_limit_is_enforced() {
        let e = compile_regex(r"\w{1000}", 1 << 10).unwrap_err();
        assert!(e.starts_with("regular expression `\\w{1000}` is too large"), "{e}");
        assert!(!e.contains('\n'));
        assert!(compile_regex(r"\w{10}", DEFAULT_REGEX_SIZE_LIMIT).is_ok());
        let e = m("x", r"\w{1000}{1000}").unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::InvalidArgument);
    }

    #[test]
    fn precompiled_use() {
        let re = compile_regex("^[a-z]+$", DEFAULT_REGEX_SIZE_LIMIT).unwrap();
        assert!(matches!(regex_is_match(&re, &Value::str("abc")), Ok(Value::Bool(true))));
        assert!(matches!(regex_is_match(&re, &Value::str("ab1")), Ok(Value::Bool(false))));
        assert!(regex_is_match(&re, &Value::Int(1)).is_err());
        assert!(matches(&Value::Int(1), &Value::str("x")).is_err());
    }
}
