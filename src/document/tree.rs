//! The spanned document tree, read from TOML or JSON text: every value with its byte span.
//!
//! Every document is read in two steps: text to this tree, then the tree to its typed form,
//! by [`super::reader`] (the policy) or [`super::de`] (the serde types of the input
//! documents), which report unknown keys, missing ones and wrong types with their places.
//! The tree keeps, for each string, where its decoded content starts in the file when it is
//! written verbatim, so that errors inside an expression point at the right column.

use super::path::{FieldPath, Seg};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};

/// A value with its span in the source text.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) kind: NodeKind,
    pub(crate) span: Span,
}

/// A key with its span.
#[derive(Clone, Debug)]
pub(crate) struct DocKey {
    pub(crate) name: String,
    pub(crate) span: Span,
}

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    /// A string; `verbatim` is the file offset of its content when it has no escapes.
    Str {
        value: String,
        verbatim: Option<u32>,
    },
    Int(i64),
    /// An integer above `i64::MAX` (JSON input documents only).
    UInt(u64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Null,
    Array(Vec<Node>),
    Table(Vec<(DocKey, Node)>),
}

impl Node {
    pub(crate) fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Str { .. } => "a string",
            NodeKind::Int(_) | NodeKind::UInt(_) => "an integer",
            NodeKind::Float(_) => "a float",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Datetime(_) => "a datetime",
            NodeKind::Null => "null",
            NodeKind::Array(_) => "an array",
            NodeKind::Table(_) => "a table",
        }
    }

    /// The length of the node written as compact JSON (escapes aside): the size a document
    /// embedded in a policy is measured by, whatever format it is written in.
    pub(crate) fn json_len(&self) -> usize {
        let separators = |n: usize| n.saturating_sub(1);
        match &self.kind {
            NodeKind::Str { value, .. } | NodeKind::Datetime(value) => value.len() + 2,
            NodeKind::Int(i) => i.to_string().len(),
            NodeKind::UInt(u) => u.to_string().len(),
            NodeKind::Float(f) => f.to_string().len(),
            NodeKind::Bool(true) | NodeKind::Null => 4,
            NodeKind::Bool(false) => 5,
            NodeKind::Array(items) => {
                2 + separators(items.len()) + items.iter().map(Node::json_len).sum::<usize>()
            }
            NodeKind::Table(entries) => {
                2 + separators(entries.len())
                    + entries.iter().map(|(k, v)| k.name.len() + 3 + v.json_len()).sum::<usize>()
            }
        }
    }
}

fn span_of(r: &std::ops::Range<usize>) -> Span {
    Span::new(r.start as u32, r.end as u32)
}

/// Where the decoded content of a TOML string written at `span` starts, if verbatim.
fn toml_verbatim(source: &str, span: Span, decoded: &str) -> Option<u32> {
    let raw = source.get(span.start as usize..span.end as usize)?;
    for delim in ["'''", "\"\"\"", "'", "\""] {
        if let Some(inner) = raw.strip_prefix(delim).and_then(|r| r.strip_suffix(delim)) {
            let mut offset = span.start + delim.len() as u32;
            let mut inner = inner;
            if delim.len() == 3 {
                // A newline right after the opening delimiter is not part of the string.
                if let Some(rest) = inner.strip_prefix("\r\n") {
                    inner = rest;
                    offset += 2;
                } else if let Some(rest) = inner.strip_prefix('\n') {
                    inner = rest;
                    offset += 1;
                }
            }
            return (inner == decoded).then_some(offset);
        }
    }
    None
}

/// Parses TOML text into a spanned tree, or every syntax error found.
pub(crate) fn parse_toml(source: &str) -> Result<Node, Vec<Diagnostic>> {
    let (table, errors) = toml::de::DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        return Err(errors
            .into_iter()
            .map(|e| {
                let d = Diagnostic::error(
                    DiagnosticKind::InvalidDocument,
                    format!("invalid TOML: {}", e.message()),
                );
                match e.span() {
                    Some(s) => d.with_span(span_of(&s)),
                    None => d,
                }
            })
            .collect());
    }
    let span = Span::new(0, source.len() as u32);
    let entries = table.into_inner();
    Ok(Node { kind: NodeKind::Table(convert_table(source, entries)), span })
}

fn convert_table(source: &str, table: toml::de::DeTable<'_>) -> Vec<(DocKey, Node)> {
    table
        .into_iter()
        .map(|(k, v)| {
            let key = DocKey { name: k.get_ref().to_string(), span: span_of(&k.span()) };
            (key, convert_value(source, v))
        })
        .collect()
}

fn convert_value(source: &str, v: toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let span = span_of(&v.span());
    let kind = match v.into_inner() {
        DeValue::String(s) => {
            let value = s.to_string();
            let verbatim = toml_verbatim(source, span, &value);
            NodeKind::Str { value, verbatim }
        }
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => NodeKind::Int(n),
            Err(_) => NodeKind::Float(f64::NAN),
        },
        DeValue::Float(f) => NodeKind::Float(parse_toml_float(f.as_str())),
        DeValue::Boolean(b) => NodeKind::Bool(b),
        DeValue::Datetime(d) => NodeKind::Datetime(d.to_string()),
        DeValue::Array(items) => {
            NodeKind::Array(items.into_iter().map(|i| convert_value(source, i)).collect())
        }
        DeValue::Table(t) => NodeKind::Table(convert_table(source, t)),
    };
    Node { kind, span }
}

fn parse_toml_float(text: &str) -> f64 {
    match text {
        "inf" | "+inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "+nan" | "-nan" => f64::NAN,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

/// Parses JSON policy text into a spanned tree; a key given twice is an error.
pub(crate) fn parse_json(source: &str) -> Result<Node, Vec<Diagnostic>> {
    parse_json_with(source, false)
}

/// Parses a JSON input document into a spanned tree. A key given twice is kept, for the
/// typed reader to name (a field or a map key), and integers take the whole `u64` range.
pub(crate) fn parse_json_document(source: &str) -> Result<Node, Vec<Diagnostic>> {
    parse_json_with(source, true)
}

fn parse_json_with(source: &str, document: bool) -> Result<Node, Vec<Diagnostic>> {
    let mut p = JsonParser {
        s: source.as_bytes(),
        pos: 0,
        depth: 0,
        at: FieldPath::root(),
        duplicate: None,
        document,
    };
    let node = p.value().map_err(|(msg, at)| {
        let d = json_error(&msg, at);
        vec![match p.duplicate.take() {
            Some(path) => d.with_path(path.to_string()),
            None => d,
        }]
    })?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(vec![json_error("unexpected text after the document", p.pos)]);
    }
    Ok(node)
}

fn json_error(message: &str, at: usize) -> Diagnostic {
    Diagnostic::error(DiagnosticKind::InvalidDocument, format!("invalid JSON: {message}"))
        .with_span(Span::new(at as u32, at as u32 + 1))
}

/// JSON nesting deeper than this is rejected rather than recursed into.
pub(crate) const MAX_JSON_DEPTH: usize = 128;

struct JsonParser<'s> {
    s: &'s [u8],
    pos: usize,
    depth: usize,
    /// The path of the value being read.
    at: FieldPath,
    /// The path of a key given twice, when that is the error.
    duplicate: Option<FieldPath>,
    /// An input document: keys may repeat, integers are `u64` above `i64::MAX`.
    document: bool,
}

type JResult<T> = Result<T, (String, usize)>;

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.pos).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8, what: &str) -> JResult<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err((format!("expected {what}"), self.pos))
        }
    }

    /// An object or array from its opening byte (at `pos`) to `close`: `item` reads each
    /// member, separated by commas; nesting counts one level while inside.
    fn sequence(
        &mut self,
        close: u8,
        unclosed: &str,
        mut item: impl FnMut(&mut Self) -> JResult<()>,
    ) -> JResult<()> {
        self.enter()?;
        self.pos += 1;
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
        } else {
            loop {
                item(self)?;
                self.ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(c) if c == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err((unclosed.into(), self.pos)),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn value(&mut self) -> JResult<Node> {
        self.ws();
        let start = self.pos;
        let kind = match self.peek() {
            None => return Err(("unexpected end of input, expected a value".into(), self.pos)),
            Some(b'{') => {
                let mut entries = Vec::new();
                let mut seen = std::collections::HashSet::new();
                self.sequence(b'}', "expected `,` or `}` in an object", |p| {
                    p.ws();
                    let key_start = p.pos;
                    let (name, _) = p.string()?;
                    if !seen.insert(name.clone()) && !p.document {
                        p.duplicate = Some(p.at.key(&name));
                        return Err((format!("duplicate key `{name}`"), key_start));
                    }
                    let key = DocKey { name, span: Span::new(key_start as u32, p.pos as u32) };
                    p.eat(b':', "`:` after an object key")?;
                    p.at.push(Seg::Key(key.name.clone()));
                    let v = p.value()?;
                    p.at.pop();
                    entries.push((key, v));
                    Ok(())
                })?;
                NodeKind::Table(entries)
            }
            Some(b'[') => {
                let mut items = Vec::new();
                self.sequence(b']', "expected `,` or `]` in an array", |p| {
                    p.at.push(Seg::Index(items.len()));
                    let item = p.value()?;
                    p.at.pop();
                    items.push(item);
                    Ok(())
                })?;
                NodeKind::Array(items)
            }
            Some(b'"') => {
                let (value, verbatim) = self.string()?;
                NodeKind::Str { value, verbatim }
            }
            Some(b't') => self.word("true", NodeKind::Bool(true))?,
            Some(b'f') => self.word("false", NodeKind::Bool(false))?,
            Some(b'n') => self.word("null", NodeKind::Null)?,
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number()?,
            Some(_) => return Err(("unexpected character, expected a value".into(), self.pos)),
        };
        Ok(Node { kind, span: Span::new(start as u32, self.pos as u32) })
    }

    fn enter(&mut self) -> JResult<()> {
        self.depth += 1;
        if self.depth > MAX_JSON_DEPTH {
            return Err((format!("nesting deeper than {MAX_JSON_DEPTH} levels"), self.pos));
        }
        Ok(())
    }

    fn word(&mut self, w: &str, kind: NodeKind) -> JResult<NodeKind> {
        if self.s.get(self.pos..self.pos + w.len()) == Some(w.as_bytes()) {
            self.pos += w.len();
            Ok(kind)
        } else {
            Err(("unexpected word, expected a value".into(), self.pos))
        }
    }

    fn number(&mut self) -> JResult<NodeKind> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        let text = std::str::from_utf8(self.s.get(start..self.pos).unwrap_or(&[])).unwrap_or("");
        if !text.contains(['.', 'e', 'E'])
            && let Ok(i) = text.parse::<i64>()
        {
            return Ok(NodeKind::Int(i));
        }
        if self.document
            && text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(u) = text.parse::<u64>()
        {
            return Ok(NodeKind::UInt(u));
        }
        text.parse::<f64>().map(NodeKind::Float).map_err(|_| (format!("invalid number `{text}`"), start))
    }

    /// A string; returns its value and, when it has no escapes, the offset of its content.
    fn string(&mut self) -> JResult<(String, Option<u32>)> {
        if self.peek() != Some(b'"') {
            return Err(("expected a string".into(), self.pos));
        }
        self.pos += 1;
        let content_start = self.pos;
        let mut out: Vec<u8> = Vec::new();
        let mut escaped = false;
        loop {
            match self.peek() {
                None => return Err(("unterminated string".into(), content_start.saturating_sub(1))),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    escaped = true;
                    let esc = self.s.get(self.pos + 1).copied();
                    self.pos += 2;
                    match esc {
                        Some(b'"') => out.push(b'"'),
                        Some(b'\\') => out.push(b'\\'),
                        Some(b'/') => out.push(b'/'),
                        Some(b'b') => out.push(8),
                        Some(b'f') => out.push(12),
                        Some(b'n') => out.push(b'\n'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'u') => {
                            let c = self.unicode_escape()?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(("invalid escape in string".into(), self.pos.saturating_sub(2))),
                    }
                }
                Some(c) if c < 0x20 => return Err(("control character in string".into(), self.pos)),
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        let value =
            String::from_utf8(out).map_err(|_| ("invalid UTF-8 in string".to_owned(), content_start))?;
        Ok((value, (!escaped).then_some(content_start as u32)))
    }

    fn hex4(&mut self) -> JResult<u32> {
        let text = self.s.get(self.pos..self.pos + 4).and_then(|b| std::str::from_utf8(b).ok());
        let v = text
            .and_then(|t| u32::from_str_radix(t, 16).ok())
            .ok_or(("invalid `\\u` escape".to_owned(), self.pos))?;
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> JResult<char> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(("unpaired surrogate in `\\u` escape".into(), self.pos));
            }
            self.pos += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(("unpaired surrogate in `\\u` escape".into(), self.pos));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or(("invalid `\\u` escape".to_owned(), self.pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(n: &Node) -> &[(DocKey, Node)] {
        match &n.kind {
            NodeKind::Table(t) => t,
            _ => panic!("not a table"),
        }
    }

    #[test]
    fn toml_strings_know_where_their_content_is() {
        let src = "a = 'x > 1'\nb = \"y\\n\"\nc = '''\n  z'''\n";
        let doc = parse_toml(src).unwrap();
        let t = table(&doc);
        let verbatim = |i: usize| match &t[i].1.kind {
            NodeKind::Str { verbatim, .. } => *verbatim,
            _ => panic!(),
        };
        assert_eq!(verbatim(0), Some(5));
        assert_eq!(&src[5..10], "x > 1");
        assert_eq!(verbatim(1), None);
        let c = verbatim(2).unwrap() as usize;
        assert_eq!(&src[c..c + 3], "  z");
    }

    #[test]
    fn toml_errors_are_all_reported() {
        let errs = parse_toml("a = 1\na = 2\nb = [").unwrap_err();
        assert!(errs.len() >= 2, "{errs:?}");
        assert!(errs.iter().all(|e| e.span().is_some()));
    }

    #[test]
    fn json_tree_with_spans() {
        let src = r#"{"policy": {"name": "x", "n": [1, 2.5, true, null, "a\"b"]}}"#;
        let doc = parse_json(src).unwrap();
        let policy = &table(&doc)[0];
        assert_eq!(policy.0.name, "policy");
        let inner = table(&policy.1);
        match &inner[0].1.kind {
            NodeKind::Str { value, verbatim: Some(off) } => {
                assert_eq!(value, "x");
                assert_eq!(&src[*off as usize..=*off as usize], "x");
            }
            other => panic!("{other:?}"),
        }
        let NodeKind::Array(items) = &inner[1].1.kind else { panic!() };
        assert!(matches!(items[4].kind, NodeKind::Str { verbatim: None, .. }));
    }

    #[test]
    fn json_errors_have_places() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "\"abc", "[01x]", &"[".repeat(1000)] {
            let errs = parse_json(bad).unwrap_err();
            assert!(errs[0].span().is_some(), "{bad}");
        }
    }
}
