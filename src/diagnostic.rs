//! Diagnostics: problems found while loading text, each with a kind, a place and advice.
//!
//! Every stage that reads user text (the CEL parser and checker, the policy loader, the input
//! document loaders) reports its problems as [`Diagnostic`] values. They carry byte spans into
//! the text they came from; line and column are computed only when rendering, by
//! [`Diagnostic::render`], in the style of rustc:
//!
//! ```text
//! error[E0202]: unknown field `enviroment` on `changeguard.Change`
//!  --> policy.toml:12:18
//!    |
//! 12 | require = 'change.enviroment == "prod"'
//!    |                  ^^^^^^^^^^
//!    = help: did you mean `environment`?
//! ```

use std::fmt;

/// A half-open byte range `start..end` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    #[must_use]
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// This span moved right by `offset` bytes (used to place an expression inside a file).
    #[must_use]
    pub fn shift(self, offset: u32) -> Span {
        Span { start: self.start.saturating_add(offset), end: self.end.saturating_add(offset) }
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no bytes.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The text cannot be used.
    Error,
    /// The text can be used, but something deserves a look (an unused `let`, say).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// What kind of problem a [`Diagnostic`] reports. Each kind has a stable code (`E0101`…).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    // ---- expression syntax (E01xx)
    /// A character that cannot start a token.
    UnexpectedCharacter,
    /// A token where another was expected.
    UnexpectedToken,
    /// A string or bytes literal without its closing quote.
    UnterminatedString,
    /// A bad escape sequence in a string or bytes literal.
    InvalidEscape,
    /// A numeric literal that is malformed or out of range.
    InvalidNumber,
    /// A reserved word used as an identifier.
    ReservedWord,
    /// A macro called with arguments of the wrong shape (`has(x)`, `all(1, …)`).
    InvalidMacro,
    /// A configured limit was exceeded (nesting depth, source size…).
    LimitExceeded,
    // ---- expression checking (E02xx)
    /// A name that is not declared.
    UnknownVariable,
    /// A field that the type does not have.
    UnknownField,
    /// A function or method that is not declared.
    UnknownFunction,
    /// No overload of a function accepts the argument types.
    NoMatchingOverload,
    /// An expression has a type other than the one required.
    TypeMismatch,
    /// A literal regular expression that does not compile.
    InvalidRegex,
    /// A literal version, version requirement, time zone, timestamp or duration that is invalid.
    InvalidLiteral,
    /// A construct this implementation does not support (protocol-buffer messages).
    Unsupported,
    /// A constant expression that always fails when evaluated (`1 / 0`).
    ConstantError,
    // ---- policy documents (E03xx)
    /// The document is not valid TOML or JSON.
    InvalidDocument,
    /// A field that the document format does not have.
    UnknownKey,
    /// A required field is missing.
    MissingKey,
    /// A field has a value of the wrong type or form.
    InvalidValue,
    /// Two entries share an id.
    DuplicateId,
    /// A `let` refers to itself, directly or through others.
    CyclicLet,
    /// An entry is declared but never used.
    Unused,
    /// A rule or factor can never apply.
    NeverApplies,
    /// A setting that has no effect where it is written.
    IgnoredSetting,
    // ---- input documents and topology (E04xx)
    /// An input document does not have the expected shape.
    InvalidInput,
    /// A service name that the topology does not know.
    UnknownService,
    /// A service declared twice.
    DuplicateService,
    /// A service that depends on itself.
    SelfDependency,
}

impl DiagnosticKind {
    /// The stable code shown as `error[CODE]`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            DiagnosticKind::UnexpectedCharacter => "E0101",
            DiagnosticKind::UnexpectedToken => "E0102",
            DiagnosticKind::UnterminatedString => "E0103",
            DiagnosticKind::InvalidEscape => "E0104",
            DiagnosticKind::InvalidNumber => "E0105",
            DiagnosticKind::ReservedWord => "E0106",
            DiagnosticKind::InvalidMacro => "E0107",
            DiagnosticKind::LimitExceeded => "E0108",
            DiagnosticKind::UnknownVariable => "E0201",
            DiagnosticKind::UnknownField => "E0202",
            DiagnosticKind::UnknownFunction => "E0203",
            DiagnosticKind::NoMatchingOverload => "E0204",
            DiagnosticKind::TypeMismatch => "E0205",
            DiagnosticKind::InvalidRegex => "E0206",
            DiagnosticKind::InvalidLiteral => "E0207",
            DiagnosticKind::Unsupported => "E0208",
            DiagnosticKind::ConstantError => "E0209",
            DiagnosticKind::InvalidDocument => "E0301",
            DiagnosticKind::UnknownKey => "E0302",
            DiagnosticKind::MissingKey => "E0303",
            DiagnosticKind::InvalidValue => "E0304",
            DiagnosticKind::DuplicateId => "E0305",
            DiagnosticKind::CyclicLet => "E0306",
            DiagnosticKind::Unused => "W0307",
            DiagnosticKind::NeverApplies => "W0308",
            DiagnosticKind::IgnoredSetting => "W0309",
            DiagnosticKind::InvalidInput => "E0401",
            DiagnosticKind::UnknownService => "E0402",
            DiagnosticKind::DuplicateService => "E0403",
            DiagnosticKind::SelfDependency => "E0404",
        }
    }
}

/// One problem found in a text, with where it is and what to do about it.
///
/// Messages follow one style: lowercase, no final period, user input in backticks; advice goes
/// in [`help`](Diagnostic::help), not in the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", HelpLine(help.as_deref()))]
pub struct Diagnostic {
    kind: DiagnosticKind,
    severity: Severity,
    message: String,
    span: Option<Span>,
    help: Option<String>,
    path: Option<String>,
}

impl Diagnostic {
    /// An error of `kind` with `message`.
    #[must_use]
    pub fn error(kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            help: None,
            path: None,
        }
    }

    /// A warning of `kind` with `message`.
    #[must_use]
    pub fn warning(kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(kind, message) }
    }

    /// Sets the span this diagnostic points at.
    #[must_use]
    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Sets the advice shown as `help: …`.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the logical place of the problem, e.g. `rule[two-approvers].require`.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Moves the span right by `offset` bytes, to place an expression's diagnostic in its file.
    #[must_use]
    pub fn shifted(mut self, offset: u32) -> Self {
        self.span = self.span.map(|s| s.shift(offset));
        self
    }

    /// Replaces the span (used when an expression's text cannot be mapped byte for byte).
    #[must_use]
    pub fn respanned(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }

    /// The kind of problem.
    #[must_use]
    pub fn kind(&self) -> DiagnosticKind {
        self.kind
    }

    /// Error or warning.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Whether this is an error (as opposed to a warning).
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The message, without location or help.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in the source text the problem is, when known.
    #[must_use]
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// Advice, when there is some.
    #[must_use]
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The logical place (`rule[x].require`, `services[2].name`), when known.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// Renders the diagnostic rustc-style against the `source` text it points into.
    ///
    /// `file` names the source in the `-->` line; pass `None` for an unnamed expression, which
    /// renders the location as `line:col`.
    #[must_use]
    pub fn render(&self, file: Option<&str>, source: &str) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = write!(out, "{}[{}]: {}", self.severity, self.kind.code(), self.message);
        if let Some(path) = self.path.as_deref().filter(|p| !p.is_empty()) {
            let _ = write!(out, " (in `{path}`)");
        }
        out.push('\n');
        match self.span {
            Some(span) => {
                let loc = LineCol::of(source, span.start);
                let gutter = loc.line.to_string().len();
                let pad = " ".repeat(gutter);
                let _ = match file {
                    Some(file) => writeln!(out, "{pad}--> {file}:{}:{}", loc.line, loc.col),
                    None => writeln!(out, "{pad}--> {}:{}", loc.line, loc.col),
                };
                let line_text = line_at(source, span.start);
                let _ = writeln!(out, "{pad} |");
                let (before, after) = (
                    if line_text.clipped_before { "…" } else { "" },
                    if line_text.clipped_after { "…" } else { "" },
                );
                let _ = writeln!(out, "{} | {before}{}{after}", loc.line, line_text.text);
                let caret_start = display_width(before)
                    + display_width(line_text.text.get(..line_text.offset_in_line(span.start)).unwrap_or(""));
                let end_in_line = line_text.offset_in_line(span.end.max(span.start));
                let width = display_width(
                    line_text.text.get(line_text.offset_in_line(span.start)..end_in_line).unwrap_or(""),
                )
                .max(1);
                let _ = writeln!(out, "{pad} | {}{}", " ".repeat(caret_start), "^".repeat(width));
                if let Some(help) = &self.help {
                    let _ = writeln!(out, "{pad} = help: {help}");
                }
            }
            None => {
                if let Some(file) = file {
                    let _ = writeln!(out, " --> {file}");
                }
                if let Some(help) = &self.help {
                    let _ = writeln!(out, "  = help: {help}");
                }
            }
        }
        out
    }
}

/// The `help:` line that follows a message in [`Diagnostic`]'s `Display`, if there is help.
struct HelpLine<'h>(Option<&'h str>);

impl fmt::Display for HelpLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(help) => write!(f, "\nhelp: {help}"),
            None => Ok(()),
        }
    }
}

/// A 1-based line and column (in characters) of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in Unicode scalar values.
    pub col: usize,
}

impl LineCol {
    /// The line and column of byte `offset` in `source` (clamped to the text).
    #[must_use]
    pub fn of(source: &str, offset: u32) -> LineCol {
        let offset = floor_char_boundary(source, offset as usize);
        let before = source.get(..offset).unwrap_or("");
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).unwrap_or("").chars().count() + 1;
        LineCol { line, col }
    }
}

struct LineText<'s> {
    text: &'s str,
    start: usize,
    /// The line goes on before `text`.
    clipped_before: bool,
    /// The line goes on after `text`.
    clipped_after: bool,
}

/// The most bytes of one line shown in an excerpt: a document written on one long line (JSON
/// often is) is shown around the span, not whole.
const MAX_EXCERPT: usize = 160;

/// How much of a clipped line is shown before the span, in bytes.
const EXCERPT_BEFORE: usize = 60;

impl LineText<'_> {
    fn offset_in_line(&self, offset: u32) -> usize {
        let rel = (offset as usize).saturating_sub(self.start).min(self.text.len());
        floor_char_boundary(self.text, rel)
    }
}

fn line_at(source: &str, offset: u32) -> LineText<'_> {
    let offset = floor_char_boundary(source, offset as usize);
    let start = source.get(..offset).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
    let end = source.get(start..).and_then(|s| s.find('\n')).map_or(source.len(), |i| start + i);
    let text = source.get(start..end).unwrap_or("").trim_end_matches('\r');
    if text.len() <= MAX_EXCERPT {
        return LineText { text, start, clipped_before: false, clipped_after: false };
    }
    let from = floor_char_boundary(text, offset.saturating_sub(start).saturating_sub(EXCERPT_BEFORE));
    let to = floor_char_boundary(text, from + MAX_EXCERPT);
    LineText {
        text: text.get(from..to).unwrap_or(""),
        start: start + from,
        clipped_before: from > 0,
        clipped_after: to < text.len(),
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

/// Renders every diagnostic in `diagnostics` against `source`, separated by blank lines.
#[must_use]
pub fn render_all(diagnostics: &[Diagnostic], file: Option<&str>, source: &str) -> String {
    diagnostics.iter().map(|d| d.render(file, source)).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let src = "a + b\nchange.enviroment == 1";
        let d = Diagnostic::error(DiagnosticKind::UnknownField, "unknown field `enviroment`")
            .with_span(Span::new(13, 23))
            .with_help("did you mean `environment`?");
        let text = d.render(Some("p.toml"), src);
        assert_eq!(
            text,
            "error[E0202]: unknown field `enviroment`\n --> p.toml:2:8\n  |\n2 | change.enviroment == 1\n  |        ^^^^^^^^^^\n  = help: did you mean `environment`?\n"
        );
    }

    #[test]
    fn a_long_line_is_shown_around_the_span() {
        let src = format!("{}\"colour\"{}", "x".repeat(100_000), "y".repeat(100_000));
        let d = Diagnostic::error(DiagnosticKind::InvalidInput, "unknown field `colour`")
            .with_span(Span::new(100_000, 100_008));
        let text = d.render(Some("c.json"), &src);
        let expected_line = format!("1 | …{}\"colour\"{}…\n", "x".repeat(60), "y".repeat(92));
        let expected_caret = format!("  | {}^^^^^^^^\n", " ".repeat(61));
        assert!(text.contains(&expected_line), "{text}");
        assert!(text.contains(&expected_caret), "{text}");
        assert!(text.len() < 500, "{}", text.len());
        // Near the start of the line nothing is clipped before it.
        let d = Diagnostic::error(DiagnosticKind::InvalidInput, "x").with_span(Span::new(2, 3));
        let text = d.render(None, &src);
        assert!(text.contains(&format!("1 | {}…\n", "x".repeat(160))), "{text}");
        assert!(text.contains("  |   ^\n"), "{text}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(LineCol::of("é\nxé y", 6), LineCol { line: 2, col: 3 });
        assert_eq!(LineCol::of("abc", 99), LineCol { line: 1, col: 4 });
    }

    #[test]
    fn empty_span_gets_one_caret() {
        let d = Diagnostic::error(DiagnosticKind::UnexpectedToken, "unexpected end of input")
            .with_span(Span::new(3, 3));
        assert!(d.render(None, "1 +").ends_with("  |    ^\n"));
    }
}

/// A non-empty set of diagnostics returned by a load that failed, with warnings included.
///
/// `Display` prints each message on its own line; use [`Diagnostics::render`] with the source
/// text for rustc-style output with line, column and caret excerpt.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", Listing(items))]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Wraps `items` (callers ensure at least one is an error).
    #[must_use]
    pub fn new(items: Vec<Diagnostic>) -> Self {
        Diagnostics { items }
    }

    /// One diagnostic.
    #[must_use]
    pub fn single(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }

    /// All diagnostics, in the order found.
    #[must_use]
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Iterates over all diagnostics.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    /// Whether any diagnostic is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Renders every diagnostic rustc-style against `source`.
    #[must_use]
    pub fn render(&self, file: Option<&str>, source: &str) -> String {
        render_all(&self.items, file, source)
    }

    /// The diagnostics, consumed.
    #[must_use]
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

/// One line per diagnostic, `<severity>: [<path>: ]<message>`: the `Display` of [`Diagnostics`].
struct Listing<'d>(&'d [Diagnostic]);

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}: ", d.severity())?;
            if let Some(path) = d.path() {
                write!(f, "{path}: ")?;
            }
            fmt::Display::fmt(d, f)?;
        }
        Ok(())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'d> IntoIterator for &'d Diagnostics {
    type Item = &'d Diagnostic;
    type IntoIter = std::slice::Iter<'d, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}
