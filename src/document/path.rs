//! Field paths into a document (`services[1].to`), and finding them in JSON text before there
//! is a tree to point into (spans of syntax errors, and the `attributes` scan).
//!
//! The locator is a small scanner, not a parser: it walks down one path without recursion and
//! gives up quietly (`None`) at anything unexpected, since a missing caret is better than a
//! wrong one.

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

/// Where a path is in a text: the value, and the key naming it when the last step is a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Located {
    /// The key of the last step, quotes included, when it is an object key.
    pub(crate) key: Option<Span>,
    /// The whole value.
    pub(crate) value: Span,
}

/// Finds `path` in the JSON `text`. `None` when the text does not have it.
pub(crate) fn locate(text: &str, path: &FieldPath) -> Option<Located> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    let mut key_span = None;
    for seg in path.segs() {
        match seg {
            Seg::Key(wanted) => {
                let (key, value) = find_member(text, pos, wanted)?;
                key_span = Some(key);
                pos = value;
            }
            Seg::Index(wanted) => {
                pos = find_element(bytes, pos, *wanted)?;
                key_span = None;
            }
        }
    }
    let end = skip_value(bytes, pos)?;
    Some(Located { key: key_span, value: span(pos, end) })
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The end (one past the closing quote) of the string starting at `pos`.
fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    if bytes.get(pos) != Some(&b'"') {
        return None;
    }
    let mut i = pos + 1;
    loop {
        match bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The end of the value starting at `pos`, nested values included, without recursion.
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match bytes.get(pos)? {
        b'"' => skip_string(bytes, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// In the object at `pos`, the key span and value start of member `wanted`.
fn find_member(text: &str, pos: usize, wanted: &str) -> Option<(Span, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(bytes, pos + 1);
    loop {
        let key_end = skip_string(bytes, i)?;
        let raw = text.get(i..key_end)?;
        i = skip_ws(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let value = skip_ws(bytes, i + 1);
        if key_matches(raw, wanted) {
            return Some((span(key_end - raw.len(), key_end), value));
        }
        i = skip_ws(bytes, skip_value(bytes, value)?);
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
}

/// Whether the JSON string literal `raw` (quotes included) spells `wanted`.
fn key_matches(raw: &str, wanted: &str) -> bool {
    match raw.get(1..raw.len().saturating_sub(1)) {
        Some(inner) if !inner.contains('\\') => inner == wanted,
        _ => serde_json::from_str::<String>(raw).is_ok_and(|key| key == wanted),
    }
}

/// In the list at `pos`, the start of element `wanted`.
fn find_element(bytes: &[u8], pos: usize, wanted: usize) -> Option<usize> {
    if bytes.get(pos) != Some(&b'[') {
        return None;
    }
    let mut i = skip_ws(bytes, pos + 1);
    for _ in 0..wanted {
        i = skip_ws(bytes, skip_value(bytes, i)?);
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
    matches!(bytes.get(i), Some(b) if *b != b']').then_some(i)
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
