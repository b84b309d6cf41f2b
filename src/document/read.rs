//! Reading a document: text to [tree](super::tree), tree to its typed form
//! ([`super::de`]), then the rules the type cannot express; every problem of each step as a
//! diagnostic with a field path, a span and, for a misspelt name, a "did you mean".

use serde::Deserialize;
use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category as JsonCategory;

use super::Document;
use super::de::{self, ErrorKind, Found};
use super::path::{self, FieldPath};
use super::tree::{self, Node};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Span};
use crate::fuzzy;
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

    /// The diagnostic, with a path but no span: a reader with the tree places it.
    fn diagnostic(self) -> Diagnostic {
        let mut d = Diagnostic::error(DiagnosticKind::InvalidInput, self.message);
        if !self.path.is_root() {
            d = d.with_path(self.path.to_string());
        }
        if let Some(help) = self.help {
            d = d.with_help(help);
        }
        d
    }
}

/// All `problems` as diagnostics, or `Ok` when there are none.
pub(crate) fn report(problems: Vec<Problem>) -> Result<(), Diagnostics> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(Diagnostics::new(problems.into_iter().map(Problem::diagnostic).collect()))
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

/// Reads a `D` from JSON `text` within `limits`: the size limits first, then the document
/// straight from the text with serde. Only when that fails is the text read as a tree, to
/// report the syntax error (the nesting depth included) or every shape problem; and only when
/// `D`'s own rules fail is the tree built to place their problems.
pub(crate) fn json<D: Document>(text: &str, limits: &Limits) -> Result<D, Diagnostics> {
    let what = D::NAME;
    check_size(text.len(), what, limits)?;
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
    check_free_json(text, what)?;
    // Most documents read: straight from the text, as little memory as serde needs.
    let mut direct = serde_json::Deserializer::from_str(text);
    let problem =
        match Obj::<D::Shape>::deserialize(&mut direct).and_then(|shape| direct.end().map(|()| shape)) {
            Ok(shape) => {
                return D::build(shape.0, limits).map_err(|diags| match tree::parse_json_document(text) {
                    Ok(root) => place(diags, &root),
                    Err(_) => diags,
                });
            }
            Err(err) => err,
        };
    // Something is wrong: the syntax first, in `serde_json`'s words, with the path it stopped at.
    let mut syntax = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, Syntax>(&mut syntax) {
        Ok(Syntax) => syntax.end().map_err(|err| single(syntax_error(text, &err)))?,
        Err(err) => {
            let d = syntax_error(text, err.inner());
            return Err(single(match convert_path(err.path()).filter(|p| !p.is_root()) {
                Some(p) => d.with_path(p.to_string()),
                None => d,
            }));
        }
    }
    // A long document gets its first shape problem only: the tree would take many times the
    // text's size.
    if text.len() > MAX_REREAD_BYTES {
        let mut again = serde_json::Deserializer::from_str(text);
        let at = match serde_path_to_error::deserialize::<_, Obj<D::Shape>>(&mut again) {
            Err(err) => convert_path(err.path()),
            Ok(_) => None,
        };
        return Err(single(first_problem(text, at.as_ref(), &problem)));
    }
    // Then every shape problem, from the tree.
    let root = tree::parse_json_document(text).map_err(|diags| {
        Diagnostics::new(
            diags
                .into_iter()
                .map(|d| {
                    let nd = Diagnostic::error(DiagnosticKind::InvalidInput, d.message());
                    match d.span() {
                        Some(s) => nd.with_span(s),
                        None => nd,
                    }
                })
                .collect(),
        )
    })?;
    match from_tree::<D>(&root, limits) {
        Err(diags) => Err(diags),
        // The tree reads where the text did not (a number `serde_json` rounds differently):
        // the text's verdict stands.
        Ok(_) => Err(single(
            Diagnostic::error(DiagnosticKind::InvalidInput, describe(None, &bare_message(&problem)))
                .with_span(path::token_ending_at(
                    text,
                    path::offset_after(text, problem.line(), problem.column()),
                )),
        )),
    }
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
    let at = FieldPath::root().key("attributes");
    let Some(located) = path::locate(text, &at) else { return Ok(()) };
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

/// The longest document for which the reader looks past the first problem that stops serde:
/// each look reads the whole tree again, so a long document gets one pass.
const MAX_REREAD_BYTES: usize = 256 << 10;

/// Reads a `D` from a tree (a JSON document, or a table of a policy): every shape problem at
/// once, then `D`'s own rules, each placed in the tree by its path.
pub(crate) fn from_tree<D: Document>(root: &Node, limits: &Limits) -> Result<D, Diagnostics> {
    let len = root.json_len();
    check_size(len, D::NAME, limits)?;
    let passes = if len > MAX_REREAD_BYTES { 1 } else { de::MAX_PASSES };
    let shape = read_shape::<D::Shape>(root, passes)?;
    D::build(shape, limits).map_err(|diags| place(diags, root))
}

/// The shape of a document, or every problem with it.
fn read_shape<T: DeserializeOwned>(root: &Node, passes: usize) -> Result<T, Diagnostics> {
    match de::read::<Obj<T>>(root, passes) {
        Ok(value) => Ok(value.0),
        Err(found) if found.is_empty() => Err(single(
            Diagnostic::error(DiagnosticKind::InvalidInput, "the document could not be read")
                .with_span(root.span),
        )),
        Err(found) => Err(Diagnostics::new(found.into_iter().map(shape_error).collect())),
    }
}

/// Gives each diagnostic without a span the span of the value its path names.
fn place(diags: Diagnostics, root: &Node) -> Diagnostics {
    Diagnostics::new(
        diags
            .into_iter()
            .map(|d| {
                let found = d
                    .path()
                    .and_then(FieldPath::parse)
                    .and_then(|p| de::find(root, &p))
                    .map(|(_, node)| node.span);
                match (d.span(), found) {
                    (None, Some(s)) => d.with_span(s),
                    _ => d,
                }
            })
            .collect(),
    )
}

/// The diagnostic for a shape problem: one wording for every document.
fn shape_error(found: Found) -> Diagnostic {
    let Found { path, kind, span, key_span } = found;
    let mut d = match kind {
        ErrorKind::UnknownField { name, expected } => unknown("field", &name, expected, key_span.or(span)),
        ErrorKind::MissingField(name) => message(format!("missing field `{name}`"), span),
        ErrorKind::DuplicateField(name) => message(format!("duplicate field `{name}`"), span),
        ErrorKind::Message(text) => match parse_unknown(&text) {
            Some(u) => {
                let noun = if u.noun == "variant" { "value" } else { u.noun };
                let at = if noun == "field" { key_span.or(span) } else { span };
                unknown(noun, u.name, &u.expected, at)
            }
            None => {
                let d = message(describe(Some(&path), &text), span);
                if text.starts_with("invalid version `") {
                    d.with_help("versions follow semantic versioning, e.g. `1.4.2` or `v2.0.0-rc.1`")
                } else {
                    d
                }
            }
        },
        ErrorKind::Reported => message("the document could not be read".to_owned(), span),
    };
    if !path.is_root() {
        d = d.with_path(path.to_string());
    }
    d
}

fn message(text: String, span: Option<Span>) -> Diagnostic {
    let d = Diagnostic::error(DiagnosticKind::InvalidInput, text);
    match span {
        Some(s) => d.with_span(s),
        None => d,
    }
}

/// ``unknown <noun> `name` ``, with a "did you mean" or the names expected.
fn unknown(noun: &str, name: &str, expected: &[&str], span: Option<Span>) -> Diagnostic {
    let help = fuzzy::did_you_mean(name, expected.iter().copied()).unwrap_or_else(|| {
        if expected.is_empty() {
            format!("no {noun}s are allowed here")
        } else if noun == "field" {
            format!("known fields: {}", quote_all(expected))
        } else {
            format!("expected {}", crate::input::serde_util::one_of(expected))
        }
    });
    message(format!("unknown {noun} `{name}`"), span).with_help(help)
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

/// Any JSON value, read and dropped: checks the syntax as a typed read does (`serde_json`'s
/// skipping of an ignored value words some errors differently).
struct Syntax;

impl<'de> Deserialize<'de> for Syntax {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Syntax)
    }
}

impl<'de> Visitor<'de> for Syntax {
    type Value = Syntax;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_str<E>(self, _: &str) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_unit<E>(self) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Syntax, A::Error> {
        while seq.next_element::<Syntax>()?.is_some() {}
        Ok(Syntax)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Syntax, A::Error> {
        while map.next_entry::<Syntax, Syntax>()?.is_some() {}
        Ok(Syntax)
    }
}

/// The diagnostic for the shape problem `err` that `serde_json` stopped at, at `at`, in the
/// same words as the tree reader's.
fn first_problem(text: &str, at: Option<&FieldPath>, err: &serde_json::Error) -> Diagnostic {
    let bare = bare_message(err);
    let span = Some(path::token_ending_at(text, path::offset_after(text, err.line(), err.column())));
    let (d, path) = match parse_unknown(&bare) {
        Some(u) => {
            let noun = if u.noun == "variant" { "value" } else { u.noun };
            let path = at.map(|p| {
                if noun == "field" && p.segs().last() != Some(&super::path::Seg::Key(u.name.to_owned())) {
                    p.key(u.name)
                } else {
                    p.clone()
                }
            });
            (unknown(noun, u.name, &u.expected, span), path)
        }
        None => match bare.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
            Some(field) => (message(bare.clone(), span), at.map(|p| p.key(field))),
            None => (message(describe(at, &bare), span), at.cloned()),
        },
    };
    match path.filter(|p| !p.is_root()) {
        Some(p) => d.with_path(p.to_string()),
        None => d,
    }
}

/// Our path for `serde_path_to_error`'s, or `None` when serde could not tell the place.
fn convert_path(p: &serde_path_to_error::Path) -> Option<FieldPath> {
    use serde_path_to_error::Segment;
    let mut out = FieldPath::root();
    for seg in p {
        match seg {
            Segment::Seq { index } => out.push(super::path::Seg::Index(*index)),
            Segment::Map { key } => out.push(super::path::Seg::Key(key.clone())),
            Segment::Enum { variant } => out.push(super::path::Seg::Key(variant.clone())),
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

/// The diagnostic for a JSON syntax error in `text`, at the character that could not be read.
fn syntax_error(text: &str, err: &serde_json::Error) -> Diagnostic {
    let message = bare_message(err);
    let at = path::offset_after(text, err.line(), err.column());
    let span = match err.classify() {
        JsonCategory::Eof => span(text.len(), text.len()),
        JsonCategory::Syntax | JsonCategory::Io => path::char_ending_at(text, at),
        JsonCategory::Data => path::token_ending_at(text, at),
    };
    Diagnostic::error(
        DiagnosticKind::InvalidInput,
        format!(
            "invalid JSON: {}",
            message.replace("EOF while parsing", "unexpected end of input while parsing")
        ),
    )
    .with_span(span)
}

/// A wrong type or value, prefixed by the path, in words a JSON author knows.
fn describe(path: Option<&FieldPath>, message: &str) -> String {
    let mut text = message.to_owned();
    for (rust, json) in [
        ("expected u64", "expected a non-negative integer"),
        ("expected u32", "expected an integer from 0 to 4294967295"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected an object"),
    ] {
        if let Some(head) = text.strip_suffix(rust) {
            text = format!("{head}{json}");
        }
    }
    // A derived struct names itself: say what the document holds.
    if let Some((head, _)) = text.rsplit_once("expected struct ")
        && !head.contains("expected ")
    {
        text = format!("{head}expected an object");
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
