//! [`Budget`]: what one assessment may spend, and the cache of the regular expressions it
//! compiled at run time.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use crate::Limits;
use crate::cel::stdlib::cost::SLOT_BYTES;
use crate::cel::stdlib::regex::{RegexOp, regex_call};
use crate::cel::stdlib::{Cost, no_such_overload};
use crate::cel::value::{EvalError, EvalErrorKind, Value};

/// What one assessment (or one standalone evaluation) may spend, shared by all its
/// evaluations: evaluation steps, the size of each value built, and run-time regular
/// expressions, which it also caches.
///
/// Steps: one per comprehension iteration, one per list or map element built, scanned by `in`
/// or compared by `==`, one per 16 bytes of string or bytes built (or scanned, by the string
/// functions that read their whole input); a regular expression compiled at run time costs one
/// step per byte of its pattern. Every charge is made before the work or the allocation it
/// pays for, from sizes already known.
#[derive(Debug)]
pub(crate) struct Budget {
    remaining: Cell<u64>,
    limit: u64,
    pub(super) max_value_bytes: usize,
    max_regexes: usize,
    max_regex_bytes: usize,
    /// Patterns compiled at run time, by text; created on the first one, so that an
    /// evaluation without run-time patterns neither builds nor drops a table.
    regexes: RefCell<Option<HashMap<Box<str>, regex::Regex>>>,
}

impl Budget {
    /// A budget of `steps`, with the other limits at their defaults (for tests and fuzzing).
    #[cfg(any(test, feature = "fuzzing"))]
    #[must_use]
    pub(crate) fn new(steps: u64) -> Self {
        Budget::with_limits(&Limits { max_eval_cost: steps, ..Limits::default() })
    }

    /// A budget of `limits.max_eval_cost` steps that also enforces `limits.max_value_bytes`,
    /// `limits.max_runtime_regexes` and `limits.max_regex_bytes`.
    #[must_use]
    pub(crate) fn with_limits(limits: &Limits) -> Self {
        Budget {
            remaining: Cell::new(limits.max_eval_cost),
            limit: limits.max_eval_cost,
            max_value_bytes: limits.max_value_bytes,
            max_regexes: limits.max_runtime_regexes,
            max_regex_bytes: limits.max_regex_bytes,
            regexes: RefCell::new(None),
        }
    }

    /// A fresh budget with the same limits (nothing spent, no pattern cached).
    #[must_use]
    pub(crate) fn renewed(&self) -> Budget {
        Budget {
            remaining: Cell::new(self.limit),
            limit: self.limit,
            max_value_bytes: self.max_value_bytes,
            max_regexes: self.max_regexes,
            max_regex_bytes: self.max_regex_bytes,
            regexes: RefCell::new(None),
        }
    }

    /// Spends `steps`.
    ///
    /// # Errors
    ///
    /// When the budget is exhausted.
    #[inline]
    pub(crate) fn spend(&self, steps: u64) -> Result<(), EvalError> {
        let left = self.remaining.get();
        if left < steps {
            return Err(self.exhausted());
        }
        self.remaining.set(left - steps);
        Ok(())
    }

    /// Pays for building a value of `cost.bytes` bytes with `cost.steps` steps: refused when
    /// the value would be larger than the limit, or the steps are not left.
    #[inline]
    pub(crate) fn charge(&self, cost: Cost) -> Result<(), EvalError> {
        self.check_size(cost.bytes)?;
        self.spend(cost.steps)
    }

    /// Refuses a value of `bytes` bytes when it is larger than the limit.
    #[inline]
    pub(crate) fn check_size(&self, bytes: usize) -> Result<(), EvalError> {
        if bytes > self.max_value_bytes {
            return Err(self.too_large(bytes));
        }
        Ok(())
    }

    /// Refuses a list or map of `n` elements or entries when it is larger than the limit.
    #[inline]
    pub(crate) fn check_elements(&self, n: usize) -> Result<(), EvalError> {
        self.check_size(n.saturating_mul(SLOT_BYTES))
    }

    /// The most elements a list may have within the size limit.
    pub(crate) fn max_elements(&self) -> usize {
        self.max_value_bytes / SLOT_BYTES
    }

    #[cold]
    #[inline(never)]
    fn too_large(&self, bytes: usize) -> EvalError {
        EvalError::new(
            EvalErrorKind::LimitExceeded,
            format!(
                "limit exceeded: a value of {bytes} bytes would be built, more than the {} allowed",
                self.max_value_bytes
            ),
        )
    }

    #[cold]
    #[inline(never)]
    pub(super) fn text_too_long(&self) -> EvalError {
        EvalError::new(
            EvalErrorKind::LimitExceeded,
            format!(
                "limit exceeded: a text longer than the {} bytes allowed would be built",
                self.max_value_bytes
            ),
        )
    }

    #[cold]
    #[inline(never)]
    fn exhausted(&self) -> EvalError {
        self.remaining.set(0);
        EvalError::new(
            EvalErrorKind::CostLimitExceeded,
            format!("limit exceeded: evaluation cost budget of {} steps", self.limit),
        )
    }

    /// The number of steps this budget started with.
    #[must_use]
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }

    /// Steps spent so far (for tests and fuzzing).
    #[cfg(any(test, feature = "fuzzing"))]
    #[must_use]
    pub(crate) fn spent(&self) -> u64 {
        self.limit - self.remaining.get()
    }

    /// Whether `pattern` matches somewhere in `text`, compiling the pattern on its first use
    /// in this budget's evaluations and reusing it afterwards. A new pattern costs one step per
    /// byte, paid before compiling, and counts against the limit of distinct patterns;
    /// matching costs one step per 16 bytes of text.
    pub(crate) fn regex_is_match(&self, pattern: &str, text: &str) -> Result<bool, EvalError> {
        self.spend((text.len() / 16) as u64)?;
        Ok(self.regex(pattern)?.is_match(text))
    }

    /// The compiled `pattern`: from this budget's cache, or compiled (one step per byte of the
    /// pattern, paid first) and cached, within the limit of distinct run-time patterns.
    pub(crate) fn regex(&self, pattern: &str) -> Result<regex::Regex, EvalError> {
        let cached = match self.regexes.borrow().as_ref() {
            Some(m) if let Some(re) = m.get(pattern) => return Ok(re.clone()),
            Some(m) => m.len(),
            None => 0,
        };
        if cached >= self.max_regexes {
            return Err(EvalError::new(
                EvalErrorKind::LimitExceeded,
                format!(
                    "limit exceeded: more than {} distinct regular expressions compiled at run time",
                    self.max_regexes
                ),
            ));
        }
        self.spend(pattern.len() as u64)?;
        let re = crate::cel::stdlib::regex::compile_runtime(pattern, self.max_regex_bytes)
            .map_err(EvalError::invalid_argument)?;
        self.regexes.borrow_mut().get_or_insert_with(HashMap::new).insert(pattern.into(), re.clone());
        Ok(re)
    }
}

/// `find`, `findAll` or a `regex` function with a pattern known only at run time
/// (`args[1]`), compiled and charged through `budget` as for `matches`.
///
/// # Errors
///
/// `no such overload` when the pattern is not a string; an invalid pattern; the budget, or
/// the limit on distinct run-time patterns, exceeded.
#[inline(never)]
pub(super) fn regex_with<'a>(
    op: RegexOp,
    args: &[&Value<'a>],
    budget: &Budget,
) -> Result<Value<'a>, EvalError> {
    let [text, Value::String(pattern), rest @ ..] = args else {
        return Err(no_such_overload(op.name(), args));
    };
    let re = budget.regex(pattern.as_str())?;
    let operands: Vec<&Value<'a>> = std::iter::once(*text).chain(rest.iter().copied()).collect();
    regex_call(op, &re, &operands, &mut |cost| budget.charge(cost))
}

/// `text.matches(pattern)` with a pattern known only at run time, compiled (once per
/// pattern) and charged through `budget`.
///
/// # Errors
///
/// `no such overload` when either is not a string; an invalid pattern; the budget, or the
/// limit on distinct run-time patterns, exceeded.
pub(super) fn matches_with<'a>(
    text: &Value<'_>,
    pattern: &Value<'_>,
    budget: &Budget,
) -> Result<Value<'a>, EvalError> {
    let (Value::String(t), Value::String(p)) = (text, pattern) else {
        return Err(no_such_overload("matches", &[text, pattern]));
    };
    budget.regex_is_match(p.as_str(), t.as_str()).map(Value::Bool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_needs_two_strings() {
        let budget = Budget::new(1_000);
        assert!(matches!(
            matches_with(&Value::str("abc"), &Value::str("^a"), &budget),
            Ok(Value::Bool(true))
        ));
        let e = matches_with(&Value::Int(1), &Value::str("x"), &budget).unwrap_err();
        assert_eq!(e.message(), "no such overload: `matches(int, string)`");
    }

    #[test]
    fn runtime_patterns_are_compiled_once_charged_and_capped() {
        let limits = Limits { max_eval_cost: 10_000, max_runtime_regexes: 3, ..crate::Limits::default() };
        let budget = Budget::with_limits(&limits);
        let pattern = "a".repeat(100);
        for _ in 0..50 {
            assert!(matches!(m_with(&budget, "b", &pattern), Ok(false)));
        }
        // Compiled once: 100 steps for the pattern, nothing per use of a short text.
        assert_eq!(budget.spent(), 100);
        for p in ["x", "y"] {
            assert!(m_with(&budget, "x", p).is_ok());
        }
        let e = m_with(&budget, "x", "z").unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::LimitExceeded);
        assert_eq!(
            e.message(),
            "limit exceeded: more than 3 distinct regular expressions compiled at run time"
        );
        // Known patterns still work.
        assert!(matches!(m_with(&budget, "xx", "x"), Ok(true)));
        // A pattern longer than the steps left is refused before compiling.
        let budget = Budget::with_limits(&limits);
        let e = m_with(&budget, "x", &"a".repeat(20_000)).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::CostLimitExceeded);
    }

    #[test]
    fn find_shares_the_cache_and_limit_of_matches() {
        let limits = Limits { max_runtime_regexes: 1, ..crate::Limits::default() };
        let budget = Budget::with_limits(&limits);
        let found = regex_with(RegexOp::Find, &[&Value::str("abc"), &Value::str("b+")], &budget).unwrap();
        assert_eq!(found.as_str(), Some("b"));
        assert!(matches!(m_with(&budget, "abb", "b+"), Ok(true)));
        let args = [&Value::str("abc"), &Value::str("c"), &Value::Int(1)];
        let e = regex_with(RegexOp::FindAllN, &args, &budget).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::LimitExceeded);
        let e = regex_with(RegexOp::Find, &[&Value::str("abc"), &Value::Int(1)], &budget).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::NoSuchOverload);
    }

    #[test]
    fn regex_functions_share_the_cache_and_the_size_limit() {
        let limits = Limits { max_runtime_regexes: 1, max_value_bytes: 64, ..crate::Limits::default() };
        let budget = Budget::with_limits(&limits);
        let (text, pattern) = (Value::str("a-b"), Value::str("([a-z])"));
        let found = regex_with(RegexOp::Extract, &[&text, &pattern], &budget).unwrap();
        let Value::Optional(found) = found else { panic!("{found:?}") };
        assert_eq!(found.get().and_then(Value::as_str), Some("a"));
        let args = [&text, &pattern, &Value::str(r"<\1\1>"), &Value::Int(1)];
        let replaced = regex_with(RegexOp::ReplaceN, &args, &budget).unwrap();
        assert_eq!(replaced.as_str(), Some("<aa>-b"));
        // 60 references to a one-byte group, for each of two matches: 121 bytes, over 64.
        let long = Value::string(r"\1".repeat(60));
        let e = regex_with(RegexOp::Replace, &[&text, &pattern, &long], &budget).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::LimitExceeded);
        assert!(e.message().starts_with("limit exceeded: a value of 121 bytes"), "{}", e.message());
        let e = regex_with(RegexOp::ExtractAll, &[&text, &Value::str("x")], &budget).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::LimitExceeded);
    }

    fn m_with(budget: &Budget, text: &str, pattern: &str) -> Result<bool, EvalError> {
        matches_with(&Value::str(text), &Value::str(pattern), budget).map(|v| v.as_bool().unwrap())
    }
}
