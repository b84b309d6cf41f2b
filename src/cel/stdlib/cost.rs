//! Prices of standard-library calls.
//!
//! An overload that builds a value or reads its whole input in proportion to its arguments
//! carries a [`CostFn`]: the evaluator calls it with the arguments before calling the
//! implementation, and charges the [`Cost`] to the assessment's
//! [`Budget`](crate::cel::Budget), which refuses a result larger than
//! [`Limits::max_value_bytes`](crate::Limits::max_value_bytes) and steps it does not have. A
//! price is computed from lengths the arguments already know, or from a scan that allocates
//! nothing (counting the pieces of a `split`), so that nothing is built before it is paid for.

use crate::cel::value::Value;

/// The price of one call: the budget steps it takes and the size in bytes of the value it
/// builds (0 when it builds none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cost {
    /// Budget steps.
    pub(crate) steps: u64,
    /// Size of the value built, as [`Limits::max_value_bytes`](crate::Limits::max_value_bytes)
    /// counts it.
    pub(crate) bytes: usize,
}

/// Computes the price of a call from its arguments (receiver first).
pub(crate) type CostFn = for<'a> fn(&[&Value<'a>]) -> Cost;

/// Bytes a list or map counts per element or entry.
pub(crate) const SLOT_BYTES: usize = 32;

/// Bytes of text that one budget step pays for.
const TEXT_BYTES_PER_STEP: usize = 16;

impl Cost {
    /// Reading `read` bytes of text and building a string (or bytes) of `built` bytes.
    pub(crate) fn text(read: usize, built: usize) -> Cost {
        Cost { steps: text_steps(read.saturating_add(built)), bytes: built }
    }

    /// Reading `read` bytes of text or elements (one step per element, per 16 bytes) without
    /// building anything.
    pub(crate) fn scan(steps: u64) -> Cost {
        Cost { steps, bytes: 0 }
    }

    /// Building a list or map of `elements` elements holding `text` bytes of new text.
    pub(crate) fn list(elements: usize, text: usize) -> Cost {
        Cost {
            steps: u64::try_from(elements).unwrap_or(u64::MAX).saturating_add(text_steps(text)),
            bytes: elements.saturating_mul(SLOT_BYTES).saturating_add(text),
        }
    }
}

/// Budget steps for `bytes` bytes of text: one per 16 bytes, rounded down, so that short
/// strings cost nothing.
pub(crate) fn text_steps(bytes: usize) -> u64 {
    u64::try_from(bytes / TEXT_BYTES_PER_STEP).unwrap_or(u64::MAX)
}

/// The length in bytes of a string or bytes value; 0 for other values (whose call fails
/// with a type error before building anything).
pub(crate) fn text_len(v: &Value<'_>) -> usize {
    match v {
        Value::String(s) => s.as_str().len(),
        Value::Bytes(b) => b.as_slice().len(),
        _ => 0,
    }
}

/// The number of elements of a list or entries of a map; 0 for other values.
pub(crate) fn elements(v: &Value<'_>) -> usize {
    match v {
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        _ => 0,
    }
}

/// The receiver, or `Null` when there is none (never for a declared overload).
pub(crate) fn first<'v, 'a>(args: &[&'v Value<'a>]) -> &'v Value<'a> {
    static NULL: Value<'static> = Value::Null;
    args.first().copied().unwrap_or(&NULL)
}

/// A call that reads its whole receiver string (`size`, `contains`, `indexOf`…).
pub(crate) fn read_receiver(args: &[&Value<'_>]) -> Cost {
    Cost::scan(text_steps(text_len(first(args))))
}

/// A call that reads its string argument after the receiver (`cidr.containsIP("10.0.0.1")`).
pub(crate) fn read_receiver_arg(args: &[&Value<'_>]) -> Cost {
    Cost::scan(text_steps(args.get(1).map_or(0, |v| text_len(v))))
}

/// A call that builds a string as long as its receiver (`lowerAscii`, `reverse`, `bytes(s)`…).
pub(crate) fn copy_receiver(args: &[&Value<'_>]) -> Cost {
    let n = text_len(first(args));
    Cost::text(0, n)
}

/// A call that reads every element of its receiver list once (`sum`, `min`, `isSorted`…).
pub(crate) fn scan_list(args: &[&Value<'_>]) -> Cost {
    Cost::scan(u64::try_from(elements(first(args))).unwrap_or(u64::MAX))
}

/// A call that builds a list the size of its receiver, after a scan (`distinct`).
pub(crate) fn copy_list(args: &[&Value<'_>]) -> Cost {
    Cost::list(elements(first(args)), 0)
}

/// `sort`: a list the size of its receiver, after about `n log n` comparisons.
pub(crate) fn sort_list(args: &[&Value<'_>]) -> Cost {
    let n = elements(first(args));
    let log = usize::try_from(usize::BITS - n.leading_zeros()).unwrap_or(64);
    let mut cost = Cost::list(n, 0);
    cost.steps = cost.steps.saturating_add(u64::try_from(n.saturating_mul(log)).unwrap_or(u64::MAX));
    cost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_follow_sizes() {
        let long = "x".repeat(1000);
        let s = Value::str(&long);
        assert_eq!(read_receiver(&[&s]), Cost { steps: 62, bytes: 0 });
        assert_eq!(copy_receiver(&[&s]), Cost { steps: 62, bytes: 1000 });
        assert_eq!(read_receiver(&[&Value::str("short")]), Cost::default());
        let list = Value::list((0..1024).map(Value::Int).collect::<Vec<_>>());
        assert_eq!(scan_list(&[&list]), Cost { steps: 1024, bytes: 0 });
        assert_eq!(copy_list(&[&list]), Cost { steps: 1024, bytes: 1024 * SLOT_BYTES });
        assert_eq!(sort_list(&[&list]), Cost { steps: 1024 + 1024 * 11, bytes: 1024 * SLOT_BYTES });
        assert_eq!(copy_receiver(&[]), Cost::default());
        assert_eq!(Cost::list(usize::MAX, 1).bytes, usize::MAX);
    }
}
