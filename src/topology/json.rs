//! Serialization of a compiled topology back to its document shape, and loading from JSON text
//! with diagnostics that point into the text.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::{DependencyRef, ServiceRef, Topology, TopologyDocument};
use crate::{Diagnostic, DiagnosticKind, Diagnostics, Limits, Span};

impl Topology {
    /// Loads a topology from JSON text ([The topology document](crate::topology#the-topology-document))
    /// with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// A JSON syntax error or a value of the wrong shape (an unknown field, with a "did you
    /// mean"), as one diagnostic with a span into `text`; otherwise every validation problem, as
    /// [`Topology::new`] reports them.
    pub fn from_json(text: &str) -> Result<Topology, Diagnostics> {
        Topology::from_json_with_limits(text, &Limits::default())
    }

    /// Loads a topology from JSON text within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Topology::from_json`], and a [`LimitExceeded`](DiagnosticKind::LimitExceeded)
    /// diagnostic naming the document and the limit when `text` is longer than
    /// [`Limits::max_document_bytes`] (checked before it is parsed).
    pub fn from_json_with_limits(text: &str, limits: &Limits) -> Result<Topology, Diagnostics> {
        crate::input::load::check_size(text.len(), "topology", limits)?;
        let mut de = serde_json::Deserializer::from_str(text);
        let document: TopologyDocument = match serde_path_to_error::deserialize(&mut de) {
            Ok(document) => document,
            Err(e) => return Err(Diagnostics::single(shape_diagnostic(text, &e))),
        };
        de.end().map_err(|e| Diagnostics::single(json_diagnostic(text, &e)))?;
        Topology::with_limits(&document.services, &document.dependencies, limits).map_err(|d| {
            // Validation speaks in field paths; point each one into the text.
            Diagnostics::new(
                d.into_iter()
                    .map(|diag| {
                        let span = diag
                            .path()
                            .and_then(crate::input::path::FieldPath::parse)
                            .and_then(|p| crate::input::path::locate(text, &p))
                            .map(|l| l.value);
                        match (diag.span(), span) {
                            (None, Some(s)) => diag.with_span(s),
                            _ => diag,
                        }
                    })
                    .collect(),
            )
        })
    }
}

impl Serialize for Topology {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_struct("TopologyDocument", 2)?;
        document.serialize_field("services", &Seq(|| self.services()))?;
        document.serialize_field("dependencies", &Seq(|| self.dependencies()))?;
        document.end()
    }
}

/// Serializes the items of a fresh iterator as a sequence.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator<Item: Serialize>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// Serializes `(key, value)` pairs as a map.
struct Map<F>(F);

impl<'t, F, I> Serialize for Map<F>
where
    F: Fn() -> I,
    I: Iterator<Item = (&'t str, &'t str)>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map((self.0)())
    }
}

/// The same shape as [`super::Service`]: absent tier and team and empty lists are left out.
impl Serialize for ServiceRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut service = serializer.serialize_struct("Service", 6)?;
        service.serialize_field("name", self.name())?;
        match self.tier() {
            Some(tier) => service.serialize_field("tier", &tier)?,
            None => service.skip_field("tier")?,
        }
        match self.team() {
            Some(team) => service.serialize_field("team", team)?,
            None => service.skip_field("team")?,
        }
        service.serialize_field("traffic_share", &self.traffic_share())?;
        if self.regions().len() == 0 {
            service.skip_field("regions")?;
        } else {
            service.serialize_field("regions", &Seq(|| self.regions()))?;
        }
        if self.tags().len() == 0 {
            service.skip_field("tags")?;
        } else {
            service.serialize_field("tags", &Map(|| self.tags()))?;
        }
        service.end()
    }
}

impl Serialize for DependencyRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut dependency = serializer.serialize_struct("Dependency", 3)?;
        dependency.serialize_field("from", self.from)?;
        dependency.serialize_field("to", self.to)?;
        dependency.serialize_field("kind", &self.kind)?;
        dependency.end()
    }
}

/// The diagnostic for a shape error, with the path of the value when serde could tell it. A
/// key given twice is named by its own path (`services[1].tags.pci`).
fn shape_diagnostic(text: &str, error: &serde_path_to_error::Error<serde_json::Error>) -> Diagnostic {
    let d = json_diagnostic(text, error.inner());
    let duplicate = d.message().strip_prefix("duplicate key `").and_then(|k| k.strip_suffix('`'));
    match (duplicate, crate::input::load::convert_path(error.path())) {
        (Some(key), Some(path)) => {
            let path = path.key(key).to_string();
            d.with_path(path)
        }
        _ => d,
    }
}

/// The diagnostic for a `serde_json` error in `text`, with a span at the place it names.
pub(super) fn json_diagnostic(text: &str, error: &serde_json::Error) -> Diagnostic {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let at = offset_of(text, error.line(), error.column());
    if let Some((noun, name, expected)) = parse_unknown(message) {
        let span = quoted_before(text, at, name).unwrap_or_else(|| point(text, at));
        let help = crate::fuzzy::did_you_mean(name, expected.iter().copied()).unwrap_or_else(|| {
            let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
            if list.is_empty() {
                format!("no {noun} is allowed here")
            } else {
                format!("expected {}", list.join(", "))
            }
        });
        let noun = if noun == "variant" { "value" } else { noun };
        return Diagnostic::error(DiagnosticKind::InvalidInput, format!("unknown {noun} `{name}`"))
            .with_span(span)
            .with_help(help);
    }
    let mut message = message.replace("EOF while parsing", "unexpected end of input while parsing");
    // serde names Rust types; say what JSON holds instead.
    for (rust, json) in [
        ("expected u32", "expected an integer from 0 to 4294967295"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected an object"),
        ("expected struct TopologyDocument", "expected an object"),
        ("expected struct Service", "expected an object"),
        ("expected struct Dependency", "expected an object"),
    ] {
        if let Some(head) = message.strip_suffix(rust) {
            message = format!("{head}{json}");
        }
    }
    let message = match error.classify() {
        serde_json::error::Category::Data => message,
        _ => format!("invalid JSON: {message}"),
    };
    let span = if error.is_eof() { point(text, text.len()) } else { point(text, at) };
    Diagnostic::error(DiagnosticKind::InvalidInput, message).with_span(span)
}

/// Byte offset of `serde_json`'s 1-based line and column (the column counts bytes; 0 means
/// "before the first byte of the line").
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line.checked_sub(2) {
        None => 0,
        Some(skip) => text.match_indices('\n').nth(skip).map_or(text.len(), |(i, _)| i + 1),
    };
    line_start.saturating_add(column.saturating_sub(1)).min(text.len())
}

/// The span of the character at `at` (empty at the end of the text), never splitting one.
fn point(text: &str, at: usize) -> Span {
    let mut at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    let len = text.get(at..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Span::new(clamp(at), clamp(at + len))
}

/// The span of `name` when the text up to `at` ends with it in quotes (a key just read).
fn quoted_before(text: &str, at: usize, name: &str) -> Option<Span> {
    let head = text.get(..at.saturating_add(1).min(text.len()))?;
    let head = head.trim_end_matches(|c: char| c == ':' || c.is_whitespace());
    let head = head.strip_suffix('"')?.strip_suffix(name)?.strip_suffix('"')?;
    let start = u32::try_from(head.len() + 1).ok()?;
    Some(Span::new(start, start.saturating_add(u32::try_from(name.len()).ok()?)))
}

/// Splits serde's ``unknown field `x`, expected one of `a`, `b` `` into noun, name and the
/// expected names.
fn parse_unknown(message: &str) -> Option<(&str, &str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown ")?;
    let (noun, rest) = rest.split_once(" `")?;
    if !matches!(noun, "field" | "variant") {
        return None;
    }
    for nothing in ["`, there are no fields", "`, there are no variants"] {
        if let Some(name) = rest.strip_suffix(nothing) {
            return Some((noun, name, Vec::new()));
        }
    }
    // The name is user text and may hold anything; the list after it is serde's.
    let cut = rest.rfind("`, expected ")?;
    let name = rest.get(..cut)?;
    let list = rest.get(cut + "`, expected ".len()..)?;
    Some((noun, name, list.split('`').skip(1).step_by(2).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_from_line_and_column() {
        let text = "ab\ncde\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 2), 4);
        assert_eq!(offset_of(text, 3, 0), 7);
        assert_eq!(offset_of(text, 9, 9), text.len());
    }

    #[test]
    fn parses_unknown_messages() {
        let (noun, name, expected) =
            parse_unknown("unknown field `nmae`, expected one of `name`, `tier`").unwrap();
        assert_eq!((noun, name, expected), ("field", "nmae", vec!["name", "tier"]));
        let (_, name, expected) = parse_unknown("unknown variant `hadr`, expected `hard` or `soft`").unwrap();
        assert_eq!((name, expected), ("hadr", vec!["hard", "soft"]));
        assert!(parse_unknown("missing field `name`").is_none());
    }
}
