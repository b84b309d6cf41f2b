//! Field paths into a document (`services[1].to`), and spans of JSON text around a position
//! that `serde_json` reports (for syntax errors, before there is a tree to point into).

use std::fmt;

use crate::diagnostic::Span;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A field of an object, or a key of a map.
    Key(String),
    /// An element of a list.
    Index(usize),
}

/// A place in a document, shown as `services[1].to` or `checks["unit tests"]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldPath(Vec<Seg>);

impl FieldPath {
    /// The document itself.
    pub(crate) fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path extended by field or key `key`.
    pub(crate) fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        FieldPath(segs)
    }

    /// This path extended by list index `index`.
    pub(crate) fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        FieldPath(segs)
    }

    /// Adds a step in place.
    pub(crate) fn push(&mut self, seg: Seg) {
        self.0.push(seg);
    }

    /// Removes the last step, if any.
    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }

    /// The steps.
    pub(crate) fn segs(&self) -> &[Seg] {
        &self.0
    }

    /// Whether this is the document itself.
    pub(crate) fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads a path written as `services[2].traffic_share` (plain keys and indexes only).
    pub(crate) fn parse(text: &str) -> Option<FieldPath> {
        let mut path = FieldPath::root();
        for part in text.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (part.get(..i)?, part.get(i..)?),
                None => (part, ""),
            };
            if !key.is_empty() {
                path.push(Seg::Key(key.to_owned()));
            }
            while let Some(r) = rest.strip_prefix('[') {
                let close = r.find(']')?;
                path.push(Seg::Index(r.get(..close)?.parse().ok()?));
                rest = r.get(close + 1..)?;
            }
        }
        Some(path)
    }
}

/// Whether a key can be shown after a dot without quoting.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Seg::Key(key) => {
                    let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"));
                    write!(f, "[{quoted}]")?;
                }
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

fn span(start: usize, end: usize) -> Span {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Span::new(clamp(start), clamp(end))
}

/// The span of the token that ends at byte `end` (exclusive): a string, a number or word, or
/// a single character. Used with serde's error positions, which point at the last byte read.
pub(crate) fn token_ending_at(text: &str, end: usize) -> Span {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let Some(last_index) = end.checked_sub(1) else {
        return span(0, 0);
    };
    let start = match bytes.get(last_index) {
        Some(b'"') => string_start(bytes, last_index).unwrap_or(last_index),
        Some(b) if is_word_byte(*b) => {
            let mut i = last_index;
            while i > 0 && bytes.get(i - 1).copied().is_some_and(is_word_byte) {
                i -= 1;
            }
            i
        }
        _ => {
            // Back to the start of a multi-byte character, if the position is inside one.
            let mut i = last_index;
            while i > 0 && !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        }
    };
    span(start, end)
}

/// The span of the character that ends at byte `end` (exclusive).
pub(crate) fn char_ending_at(text: &str, end: usize) -> Span {
    let mut end = end.min(text.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let start =
        text.get(..end).and_then(|before| before.chars().next_back()).map_or(end, |c| end - c.len_utf8());
    span(start, end)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.' | b'_')
}

/// The opening quote of the string whose closing quote is at `close`.
fn string_start(bytes: &[u8], close: usize) -> Option<usize> {
    let mut i = close;
    while i > 0 {
        i -= 1;
        if bytes.get(i) == Some(&b'"') {
            let mut backslashes = 0;
            while i > backslashes && bytes.get(i - backslashes - 1) == Some(&b'\\') {
                backslashes += 1;
            }
            if backslashes % 2 == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// The byte offset just after the byte at 1-based `line` and byte `column` as `serde_json` counts
/// them (column 0 = nothing read on that line yet).
pub(crate) fn offset_after(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.bytes().enumerate().filter(|&(_, b)| b == b'\n').nth(line - 2).map_or(text.len(), |(i, _)| i + 1)
    };
    line_start.saturating_add(column).min(text.len())
}
