//! `matches`, the Kubernetes regex library's `find` and `findAll`, and cel-go's regex library
//! (`regex.replace`, `regex.extract`, `regex.extractAll`, in [`super::regex_ext`]): RE2-syntax
//! regular expressions through the `regex` crate.
//!
//! A match succeeds when the pattern matches any substring (anchor with `^` and `$` to match
//! the whole text). `s.find(p)` gives the first match (`""` when there is none);
//! `s.findAll(p)` every non-overlapping match, and `s.findAll(p, n)` at most `n` of them (all
//! when `n` is negative, none when it is 0). As in RE2, `\d`, `\w`, `\s` and `\b` are ASCII
//! (rewritten by [`super::re2_classes`] before compiling). The compiler compiles literal
//! patterns once with [`compile_regex_cached`] (reporting errors at load time) and calls
//! [`regex_is_match`]; a pattern known only at run time is compiled through the assessment's [`Budget`](crate::cel::Budget), which charges
//! for it, caches it and caps how many distinct patterns one assessment compiles.

use ::regex::{Regex, RegexBuilder};

use super::re2_classes::re2_classes;

use super::cost::Cost;
use super::regex_ext;
use super::{Impl, Overload, global, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

/// The compiled-size limit of the tests (1 MiB, the default of `Limits::max_regex_bytes`).
#[cfg(test)]
const DEFAULT_REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The most memory the lazy DFA of one pattern compiled at run time may use (the crate's
/// default is 2 MiB, per pattern): with many patterns cached per assessment, kept small.
const RUNTIME_DFA_SIZE_LIMIT: usize = 256 << 10;

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, Int, String};
    let strings = || Type::list(String);
    let op = Impl::Regex;
    out.extend([
        global("matches", "matches", vec![String, String], Bool, Impl::Matches),
        method("matches_string", "matches", vec![String, String], Bool, Impl::Matches),
        method("string_find_string", "find", vec![String, String], String, Impl::Regex(RegexOp::Find)),
        method(
            "string_find_all_string",
            "findAll",
            vec![String, String],
            strings(),
            Impl::Regex(RegexOp::FindAll),
        ),
        method(
            "string_find_all_string_int",
            "findAll",
            vec![String, String, Int],
            strings(),
            Impl::Regex(RegexOp::FindAllN),
        ),
        global(
            "regex_replace_string_string_string",
            "regex.replace",
            vec![String; 3],
            String,
            op(RegexOp::Replace),
        ),
        global(
            "regex_replace_string_string_string_int",
            "regex.replace",
            vec![String, String, String, Int],
            String,
            op(RegexOp::ReplaceN),
        ),
        global(
            "regex_extract_string_string",
            "regex.extract",
            vec![String, String],
            Type::optional(String),
            op(RegexOp::Extract),
        ),
        global(
            "regex_extract_all_string_string",
            "regex.extractAll",
            vec![String, String],
            strings(),
            op(RegexOp::ExtractAll),
        ),
    ]);
}

/// What a regex call other than `matches` does with its compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegexOp {
    /// `s.find(p)`: the first match, or `""`.
    Find,
    /// `s.findAll(p)`: every match.
    FindAll,
    /// `s.findAll(p, n)`: at most `n` matches (all when `n` is negative).
    FindAllN,
    /// `regex.replace(s, p, r)`: every match replaced.
    Replace,
    /// `regex.replace(s, p, r, n)`: at most `n` matches replaced (all when `n` is negative).
    ReplaceN,
    /// `regex.extract(s, p)`: the first match or its group, optional.
    Extract,
    /// `regex.extractAll(s, p)`: every match or its group.
    ExtractAll,
}

impl RegexOp {
    /// The number of arguments, receiver and pattern included.
    pub(crate) fn arity(self) -> usize {
        match self {
            RegexOp::Find | RegexOp::FindAll | RegexOp::Extract | RegexOp::ExtractAll => 2,
            RegexOp::FindAllN | RegexOp::Replace => 3,
            RegexOp::ReplaceN => 4,
        }
    }

    /// The function name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RegexOp::Find => "find",
            RegexOp::FindAll | RegexOp::FindAllN => "findAll",
            RegexOp::Replace | RegexOp::ReplaceN => "regex.replace",
            RegexOp::Extract => "regex.extract",
            RegexOp::ExtractAll => "regex.extractAll",
        }
    }

    /// Refuses a pattern this operation cannot use (`regex.extract` and `regex.extractAll`
    /// take one capture group at most).
    ///
    /// # Errors
    ///
    /// A one-line message fit for a diagnostic.
    pub(crate) fn check_pattern(self, re: &Regex) -> Result<(), String> {
        match self {
            RegexOp::Extract | RegexOp::ExtractAll => regex_ext::at_most_one_group(self.name(), re),
            _ => Ok(()),
        }
    }

    /// Where the replacement is among the arguments, pattern included, for `regex.replace`.
    pub(crate) fn replacement_index(self) -> Option<usize> {
        matches!(self, RegexOp::Replace | RegexOp::ReplaceN).then_some(2)
    }
}

/// The limit `n` of `findAll(p, n)` or `regex.replace(s, p, r, n)`: all when negative.
fn limit(n: i64) -> usize {
    usize::try_from(n).unwrap_or(if n < 0 { usize::MAX } else { 0 })
}

/// Runs `op` with the compiled pattern `re` on `args`: the text, then the other arguments
/// (a limit, a replacement; the pattern is not among them). `charge` is called with the price
/// of each step before it is taken: reading the text (twice for `findAll`, which counts its
/// matches before building them), then the value built.
///
/// # Errors
///
/// `no such overload` for arguments of other types; a pattern or replacement `op` refuses;
/// whatever `charge` refuses.
#[inline(never)]
pub(crate) fn regex_call<'a>(
    op: RegexOp,
    re: &Regex,
    args: &[&Value<'a>],
    charge: &mut dyn FnMut(Cost) -> Result<(), EvalError>,
) -> Result<Value<'a>, EvalError> {
    use RegexOp::{Extract, ExtractAll, Find, FindAll, FindAllN, Replace, ReplaceN};
    match (op, args) {
        (Find, [Value::String(s)]) => {
            let text = s.as_str();
            charge(Cost::scan(super::cost::text_steps(text.len())))?;
            let found = re.find(text).map_or("", |m| m.as_str());
            charge(Cost::text(0, found.len()))?;
            Ok(Value::string(found))
        }
        (FindAll, [Value::String(s)]) => regex_ext::match_list(re, s.as_str(), usize::MAX, false, charge),
        (FindAllN, [Value::String(s), Value::Int(n)]) => {
            regex_ext::match_list(re, s.as_str(), limit(*n), false, charge)
        }
        (Replace, [subject @ Value::String(s), Value::String(r)]) => {
            regex_ext::replace(re, subject, s.as_str(), r.as_str(), usize::MAX, charge)
        }
        (ReplaceN, [subject @ Value::String(s), Value::String(r), Value::Int(n)]) => {
            regex_ext::replace(re, subject, s.as_str(), r.as_str(), limit(*n), charge)
        }
        (Extract, [Value::String(s)]) => regex_ext::extract(re, s.as_str(), false, charge),
        (ExtractAll, [Value::String(s)]) => regex_ext::extract(re, s.as_str(), true, charge),
        _ => {
            // The pattern, a string, is not among `args`: named in its place.
            let mut types: Vec<&str> = args.iter().map(|v| v.type_name()).collect();
            types.insert(types.len().min(1), "string");
            let message = format!("no such overload: `{}({})`", op.name(), types.join(", "));
            Err(EvalError::no_such_overload(message))
        }
    }
}

/// Compiles `pattern` (RE2 syntax), refusing patterns whose compiled form exceeds
/// `size_limit` bytes.
///
/// # Errors
///
/// A one-line message fit for a diagnostic, e.g. ``invalid regular expression `a(`: unclosed
/// group``.
#[cfg(test)]
pub(crate) fn compile_regex(pattern: &str, size_limit: usize) -> Result<Regex, String> {
    compile_uncached(pattern, size_limit)
}

/// Compiles a literal pattern at load time, memoized: a policy repeating a pattern
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

/// [`compile_regex`] for a pattern met at run time: the same size limit, a smaller lazy DFA.
pub(crate) fn compile_runtime(pattern: &str, size_limit: usize) -> Result<Regex, String> {
    let re2 = re2_classes(pattern);
    build(RegexBuilder::new(&re2).size_limit(size_limit).dfa_size_limit(RUNTIME_DFA_SIZE_LIMIT), pattern)
}

fn compile_uncached(pattern: &str, size_limit: usize) -> Result<Regex, String> {
    build(RegexBuilder::new(&re2_classes(pattern)).size_limit(size_limit), pattern)
}

fn build(builder: &RegexBuilder, pattern: &str) -> Result<Regex, String> {
    builder.build().map_err(|e| match e {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::value::EvalErrorKind;

    /// A pattern compiled as at run time, matched against `text`.
    fn m(text: &str, pattern: &str) -> Result<bool, EvalError> {
        compile_runtime(pattern, DEFAULT_REGEX_SIZE_LIMIT)
            .map_err(EvalError::invalid_argument)
            .map(|re| re.is_match(text))
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
    }
}
