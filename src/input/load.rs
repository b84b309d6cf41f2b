//! Reading input documents from JSON text, and turning what goes wrong into diagnostics with a
//! field path, a span and, for misspelt names, a "did you mean".

use serde::de::DeserializeOwned;
use serde_json::error::Category as JsonCategory;

use crate::diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Span};
use crate::fuzzy;
use crate::input::path::{self, FieldPath, Seg};
use crate::input::serde_util::Obj;
use crate::limits::Limits;

/// A problem found by validation: where, what, and advice.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) path: FieldPath,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl Problem {
    pub(crate) fn new(path: FieldPath, message: impl Into<String>) -> Self {
        Problem { path, message: message.into(), help: None }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic, with a span when `text` (the document) is given and has the path.
    fn diagnostic(self, text: Option<&str>) -> Diagnostic {
        let mut d = Diagnostic::error(DiagnosticKind::InvalidInput, self.message);
        if !self.path.is_root() {
            d = d.with_path(self.path.to_string());
        }
        if let Some(located) = text.and_then(|t| path::locate(t, &self.path)) {
            d = d.with_span(located.value);
        }
        if let Some(help) = self.help {
            d = d.with_help(help);
        }
        d
    }
}

/// All `problems` as diagnostics, or `Ok` when there are none.
pub(crate) fn report(problems: Vec<Problem>, text: Option<&str>) -> Result<(), Diagnostics> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(Diagnostics::new(problems.into_iter().map(|p| p.diagnostic(text)).collect()))
}

/// The error for a `what` document (`change`, `context`, `topology`) of `len` bytes when
/// `len` is over `limits.max_document_bytes`. Checked before anything is parsed.
pub(crate) fn check_size(len: usize, what: &str, limits: &Limits) -> Result<(), Diagnostics> {
    if len <= limits.max_document_bytes {
        return Ok(());
    }
    Err(single(
        Diagnostic::error(
            DiagnosticKind::LimitExceeded,
            format!(
                "limit exceeded: {what} document of {len} bytes > {} (`max_document_bytes`)",
                limits.max_document_bytes
            ),
        )
        .with_help(format!("raise `Limits::max_document_bytes` if this {what} is legitimate")),
    ))
}

/// Each object in free JSON (`attributes`) becomes a B-tree map, whose first node takes about
/// 640 bytes however few keys it holds: 80 times the text of `{"a":1},`. So that memory stays a
/// small multiple of the document's size, `attributes` may hold one object with keys per
/// [`BYTES_PER_OBJECT`] bytes of the document, and [`FREE_OBJECTS`] more.
const BYTES_PER_OBJECT: usize = 32;

/// Objects that `attributes` may hold whatever the document's size.
const FREE_OBJECTS: usize = 1024;

/// Refuses a document whose `attributes` holds more objects than [`BYTES_PER_OBJECT`] allows.
/// A scan of the text, before anything is built; text that is not JSON is left to the parser.
fn check_free_json(text: &str, what: &str) -> Result<(), Diagnostics> {
    let path = FieldPath::root().key("attributes");
    let Some(located) = path::locate(text, &path) else { return Ok(()) };
    let (start, end) = (located.value.start as usize, located.value.end as usize);
    let objects = text.as_bytes().get(start..end).map_or(0, count_objects);
    let allowed = (text.len() / BYTES_PER_OBJECT).saturating_add(FREE_OBJECTS);
    if objects <= allowed {
        return Ok(());
    }
    Err(single(
        Diagnostic::error(
            DiagnosticKind::LimitExceeded,
            format!(
                "limit exceeded: `attributes` holds {objects} objects, more than the {allowed} a {what} \
                 document of {} bytes may hold",
                text.len()
            ),
        )
        .with_path("attributes")
        // The key, not the value: rendering a caret under megabytes of value is work too.
        .with_span(located.key.unwrap_or(located.value))
        .with_help(format!(
            "each object takes about 640 bytes in memory, so one per {BYTES_PER_OBJECT} bytes of \
             document (and {FREE_OBJECTS} more) are accepted; flatten the attributes"
        )),
    ))
}

/// The objects with at least one key in the JSON `bytes` (strings skipped).
fn count_objects(bytes: &[u8]) -> usize {
    let mut count = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'{' {
            let next = bytes.iter().skip(i + 1).find(|c| !c.is_ascii_whitespace());
            if next != Some(&b'}') {
                count += 1;
            }
        }
    }
    count
}

/// Reads a `T` from JSON `text`; `what` names the document in messages (`change`, `context`).
/// A text over `limits.max_document_bytes` is refused before it is parsed.
pub(crate) fn from_json<T: DeserializeOwned>(
    text: &str,
    what: &str,
    limits: &Limits,
) -> Result<T, Diagnostics> {
    check_size(text.len(), what, limits)?;
    check_free_json(text, what)?;
    let first = text.bytes().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(single(
            Diagnostic::error(DiagnosticKind::InvalidInput, format!("empty {what} document"))
                .with_span(path::token_ending_at(text, text.len()))
                .with_help(format!("a {what} is a JSON object: `{{ … }}`")),
        ));
    };
    if let Some(found) = text.as_bytes().get(first).and_then(|&b| non_object(b)) {
        let end =
            text.get(first..).and_then(|rest| rest.chars().next()).map_or(first, |c| first + c.len_utf8());
        return Err(single(
            Diagnostic::error(
                DiagnosticKind::InvalidInput,
                format!("expected the {what} document to be a JSON object, found {found}"),
            )
            .with_span(span(first, end))
            .with_help(format!("a {what} is a JSON object: `{{ … }}`")),
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let first_error = match serde_path_to_error::deserialize::<_, Obj<T>>(&mut de) {
        Ok(value) => {
            if let Err(err) = de.end() {
                return Err(single(from_serde(text, None, &err)));
            }
            return Ok(value.0);
        }
        Err(err) => (convert_path(err.path()), err.into_inner()),
    };
    Err(Diagnostics::new(all_shape_errors::<T>(text, first_error)))
}

/// The longest document for which [`all_shape_errors`] looks past the first error. Each look
/// reads the whole document again, as a `serde_json::Value` that takes several times the text's
/// size, so a long document gets its first shape error only.
const MAX_REREAD_BYTES: usize = 256 << 10;

/// More than the first shape error (serde stops there): each problem found is taken out of the
/// document (an unknown field removed, a bad value replaced by `null`) and the document read
/// again, until it reads or a problem cannot be taken out. A missing field that is the likely
/// intent of a misspelt one, or that was taken out, is not reported again.
fn all_shape_errors<T: DeserializeOwned>(
    text: &str,
    first: (Option<FieldPath>, serde_json::Error),
) -> Vec<Diagnostic> {
    let mut diagnostics = vec![from_serde(text, first.0.as_ref(), &first.1)];
    let mut pending = first;
    let mut excused: Vec<String> = Vec::new();
    let mut nulled: Vec<FieldPath> = Vec::new();
    if text.len() > MAX_REREAD_BYTES {
        return diagnostics;
    }
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(text) else { return diagnostics };
    for _ in 0..64 {
        let (Some(at), err) = &pending else { break };
        let message = bare_message(err);
        let taken_out = match parse_unknown(&message).filter(|u| u.noun == "field") {
            Some(unknown) => {
                if let Some(s) = fuzzy::closest(unknown.name, unknown.expected.iter().copied()) {
                    excused.push(s.to_owned());
                }
                remove_key(&mut doc, at, unknown.name)
            }
            None if nulled.contains(at) => false,
            None => {
                nulled.push(at.clone());
                if let Some(Seg::Key(k)) = at.segs().last() {
                    excused.push(k.clone());
                }
                set_null(&mut doc, at)
            }
        };
        if !taken_out {
            break;
        }
        match serde_path_to_error::deserialize::<_, Obj<T>>(&doc) {
            Ok(_) => break,
            Err(err) => {
                let path = convert_path(err.path());
                let next = bare_message(err.inner());
                let missing = next.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`'));
                if missing.is_some_and(|m| excused.iter().any(|s| s == m))
                    || path.as_ref().is_some_and(|p| nulled.contains(p))
                {
                    break;
                }
                diagnostics.push(from_serde(text, path.as_ref(), err.inner()));
                pending = (path, err.into_inner());
            }
        }
    }
    diagnostics
}

/// The value at `segs` inside `doc`, when there is one.
fn value_at<'d>(doc: &'d mut serde_json::Value, segs: &[Seg]) -> Option<&'d mut serde_json::Value> {
    let mut at = doc;
    for seg in segs {
        at = match (seg, at) {
            (Seg::Key(k), serde_json::Value::Object(m)) => m.get_mut(k)?,
            (Seg::Index(i), serde_json::Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Replaces the value at `path` by `null`.
fn set_null(doc: &mut serde_json::Value, path: &FieldPath) -> bool {
    let Some(at) = value_at(doc, path.segs()) else { return false };
    if at.is_null() {
        return false;
    }
    *at = serde_json::Value::Null;
    true
}

/// Removes `key` from the object at `path` (the path of the unknown field itself, or of its
/// object: serde reports either).
fn remove_key(doc: &mut serde_json::Value, path: &FieldPath, key: &str) -> bool {
    let segs = path.segs();
    let segs = match segs.last() {
        Some(Seg::Key(k)) if k == key => segs.get(..segs.len() - 1).unwrap_or(&[]),
        _ => segs,
    };
    match value_at(doc, segs) {
        Some(serde_json::Value::Object(m)) => m.remove(key).is_some(),
        _ => false,
    }
}

fn single(d: Diagnostic) -> Diagnostics {
    Diagnostics::single(d)
}

fn span(start: usize, end: usize) -> Span {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Span::new(clamp(start), clamp(end))
}

/// What a document starting with byte `b` is, when that is a JSON value other than an object.
fn non_object(b: u8) -> Option<&'static str> {
    match b {
        b'{' => None,
        b'[' => Some("a list"),
        b'"' => Some("a string"),
        b'-' | b'0'..=b'9' => Some("a number"),
        b't' | b'f' => Some("a boolean"),
        b'n' => Some("null"),
        _ => Some("text that is not JSON"),
    }
}

/// Our path for `serde_path_to_error`'s, or `None` when serde could not tell the place.
pub(crate) fn convert_path(p: &serde_path_to_error::Path) -> Option<FieldPath> {
    use serde_path_to_error::Segment;
    let mut out = FieldPath::root();
    for seg in p {
        match seg {
            Segment::Seq { index } => out.push(Seg::Index(*index)),
            Segment::Map { key } => out.push(Seg::Key(key.clone())),
            Segment::Enum { variant } => out.push(Seg::Key(variant.clone())),
            Segment::Unknown => return None,
        }
    }
    Some(out)
}

/// `serde_json`'s message without its ` at line L column C` suffix.
fn bare_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match full.strip_suffix(&suffix) {
        Some(bare) => bare.to_owned(),
        None => full,
    }
}

/// The diagnostic for a `serde_json` error at `path` (`None` = unknown place) in `text`.
fn from_serde(text: &str, path: Option<&FieldPath>, err: &serde_json::Error) -> Diagnostic {
    let message = bare_message(err);
    let at = path::offset_after(text, err.line(), err.column());
    let serde_span = match err.classify() {
        JsonCategory::Eof => span(text.len(), text.len()),
        // A syntax error is at the character that could not be read.
        JsonCategory::Syntax | JsonCategory::Io => path::char_ending_at(text, at),
        JsonCategory::Data => path::token_ending_at(text, at),
    };
    let mut d = match err.classify() {
        JsonCategory::Syntax | JsonCategory::Eof | JsonCategory::Io => Diagnostic::error(
            DiagnosticKind::InvalidInput,
            format!(
                "invalid JSON: {}",
                message.replace("EOF while parsing", "unexpected end of input while parsing")
            ),
        )
        .with_span(serde_span),
        JsonCategory::Data => data_error(text, path, &message, serde_span),
    };
    if let Some(p) = path.filter(|p| !p.is_root() && d.path().is_none()) {
        d = d.with_path(p.to_string());
    }
    d
}

/// A serde data error: the value does not fit the document's shape.
fn data_error(text: &str, path: Option<&FieldPath>, message: &str, serde_span: Span) -> Diagnostic {
    let located = path.and_then(|p| path::locate(text, p));
    if let Some(unknown) = parse_unknown(message) {
        let span = match located {
            Some(l) if unknown.noun == "field" => l.key.unwrap_or(l.value),
            Some(l) => l.value,
            None => serde_span,
        };
        let help = fuzzy::did_you_mean(unknown.name, unknown.expected.iter().copied()).unwrap_or_else(|| {
            if unknown.expected.is_empty() {
                format!("no {}s are allowed here", unknown.noun)
            } else if unknown.noun == "field" {
                format!("known fields: {}", quote_all(&unknown.expected))
            } else {
                format!("expected {}", crate::input::serde_util::one_of(&unknown.expected))
            }
        });
        return Diagnostic::error(
            DiagnosticKind::InvalidInput,
            format!("unknown {} `{}`", unknown.noun, unknown.name),
        )
        .with_span(span)
        .with_help(help);
    }
    for prefix in ["missing field `", "duplicate field `", "duplicate key `"] {
        if let Some(field) = message.strip_prefix(prefix).and_then(|rest| rest.strip_suffix('`')) {
            let mut d = Diagnostic::error(DiagnosticKind::InvalidInput, message).with_span(serde_span);
            if let Some(p) = path {
                d = d.with_path(p.key(field).to_string());
            }
            return d;
        }
    }
    let span = located.map_or(serde_span, |l| l.value);
    let d = Diagnostic::error(DiagnosticKind::InvalidInput, describe(path, message)).with_span(span);
    if message.starts_with("invalid version `") {
        d.with_help("versions follow semantic versioning, e.g. `1.4.2` or `v2.0.0-rc.1`")
    } else {
        d
    }
}

/// A wrong type or value, prefixed by the path, in words a JSON author knows.
fn describe(path: Option<&FieldPath>, message: &str) -> String {
    let mut text = message.to_owned();
    for (rust, json) in [
        ("expected u64", "expected a non-negative integer"),
        ("expected u32", "expected a non-negative integer below 2^32"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected an object"),
    ] {
        if let Some(head) = text.strip_suffix(rust) {
            text = format!("{head}{json}");
        }
    }
    let is_shape = text.starts_with("invalid type:")
        || text.starts_with("invalid value:")
        || text.starts_with("invalid length");
    match path {
        Some(p) if is_shape && !p.is_root() => format!("`{p}`: {text}"),
        _ => text,
    }
}

fn quote_all(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// The parts of serde's ``unknown field `x`, expected one of `a`, `b` `` (or `variant`, or the
/// nouns of our own text enums).
struct Unknown<'m> {
    noun: &'m str,
    name: &'m str,
    expected: Vec<&'m str>,
}

fn parse_unknown(message: &str) -> Option<Unknown<'_>> {
    let rest = message.strip_prefix("unknown ")?;
    let (noun, rest) = rest.split_once(" `")?;
    if noun.is_empty() || !noun.bytes().all(|b| b.is_ascii_lowercase() || b == b' ') {
        return None;
    }
    // The name is the user's and may contain anything; the list after it is ours, so split at
    // the last separator.
    for none in ["`, there are no fields", "`, there are no variants"] {
        if let Some(name) = rest.strip_suffix(none) {
            return Some(Unknown { noun, name, expected: Vec::new() });
        }
    }
    let cut = rest.rfind("`, expected ")?;
    let name = rest.get(..cut)?;
    let list = rest.get(cut + "`, expected ".len()..)?;
    let list = list.strip_prefix("one of ").unwrap_or(list);
    let expected: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    Some(Unknown { noun, name, expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_serde_unknown_messages() {
        let u = parse_unknown("unknown field `enviroment`, expected one of `id`, `title`, `environment`")
            .unwrap();
        assert_eq!((u.noun, u.name), ("field", "enviroment"));
        assert_eq!(u.expected, ["id", "title", "environment"]);
        let u = parse_unknown("unknown field `x`, expected `a` or `b`").unwrap();
        assert_eq!(u.expected, ["a", "b"]);
        let u = parse_unknown("unknown field `x`, expected `a`").unwrap();
        assert_eq!(u.expected, ["a"]);
        let u = parse_unknown("unknown field `x`, there are no fields").unwrap();
        assert!(u.expected.is_empty());
        let u =
            parse_unknown("unknown strategy type `a`, expected b`, expected `canary` or `linear`").unwrap();
        assert_eq!((u.noun, u.name), ("strategy type", "a`, expected b"));
        assert_eq!(u.expected, ["canary", "linear"]);
        assert!(parse_unknown("unknown thing").is_none());
        assert!(parse_unknown("invalid type: string \"x\", expected u32").is_none());
    }

    #[test]
    fn describes_types_for_json_authors() {
        let p = FieldPath::root().key("size").key("files");
        assert_eq!(
            describe(Some(&p), "invalid type: string \"3\", expected u64"),
            "`size.files`: invalid type: string \"3\", expected a non-negative integer"
        );
        assert_eq!(
            describe(None, "invalid type: null, expected a string"),
            "invalid type: null, expected a string"
        );
    }
}
