//! Reading a document tree with diagnostics: unknown keys, missing keys and wrong types are
//! reported with their place, and reading goes on so that every problem is found at once.

use super::tree::{DocKey, Node, NodeKind};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Span};
use crate::fuzzy;

/// Collects diagnostics while reading.
#[derive(Default)]
pub(crate) struct Reader {
    pub(crate) diags: Vec<Diagnostic>,
}

/// A table being read: its entries, span and logical path (`rule[two-approvers]`).
#[derive(Clone, Copy)]
pub(crate) struct Table<'n> {
    pub(crate) entries: &'n [(DocKey, Node)],
    pub(crate) span: Span,
}

/// An expression's text and where it sits in the file.
#[derive(Clone, Debug)]
pub(crate) struct Text {
    pub(crate) value: String,
    /// The span of the whole string value (quotes included).
    pub(crate) span: Span,
    /// The file offset of the first content byte when the content is verbatim in the file.
    pub(crate) verbatim: Option<u32>,
}

impl<'n> Table<'n> {
    pub(crate) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
    }

    pub(crate) fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.iter().find(|(k, _)| k.name == key).map(|(k, _)| k.span)
    }
}

impl Reader {
    pub(crate) fn error(&mut self, kind: DiagnosticKind, span: Span, path: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(kind, message).with_span(span).with_path(path));
    }

    pub(crate) fn error_help(
        &mut self,
        kind: DiagnosticKind,
        span: Span,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(Diagnostic::error(kind, message).with_span(span).with_path(path).with_help(help));
    }

    fn wrong_type(&mut self, node: &Node, path: &str, expected: &str) {
        self.error(
            DiagnosticKind::InvalidValue,
            node.span,
            path,
            format!("`{path}` must be {expected}, found {}", node.type_name()),
        );
    }

    /// `node` as a table whose keys must be among `known`.
    pub(crate) fn table<'n>(&mut self, node: &'n Node, path: &str, known: &[&str]) -> Option<Table<'n>> {
        let NodeKind::Table(entries) = &node.kind else {
            self.wrong_type(node, path, "a table");
            return None;
        };
        for (key, _) in entries {
            if !known.contains(&key.name.as_str()) {
                let shown = if path.is_empty() { key.name.clone() } else { format!("{path}.{}", key.name) };
                let help = fuzzy::did_you_mean(&key.name, known.iter().copied()).unwrap_or_else(|| {
                    let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    format!("expected one of {}", list.join(", "))
                });
                self.error_help(
                    DiagnosticKind::UnknownKey,
                    key.span,
                    &shown,
                    format!("unknown key `{}`", key.name),
                    help,
                );
            }
        }
        Some(Table { entries, span: node.span })
    }

    fn missing(&mut self, t: Table<'_>, path: &str, key: &str) {
        self.error(DiagnosticKind::MissingKey, t.span, path, format!("missing key `{key}` in `{path}`"));
    }

    pub(crate) fn text(&mut self, t: Table<'_>, path: &str, key: &str, required: bool) -> Option<Text> {
        let Some(node) = t.get(key) else {
            if required {
                self.missing(t, path, key);
            }
            return None;
        };
        match &node.kind {
            NodeKind::Str { value, verbatim } => {
                Some(Text { value: value.clone(), span: node.span, verbatim: *verbatim })
            }
            _ => {
                self.wrong_type(node, &join(path, key), "a string");
                None
            }
        }
    }

    pub(crate) fn string(&mut self, t: Table<'_>, path: &str, key: &str, required: bool) -> Option<String> {
        self.text(t, path, key, required).map(|t| t.value)
    }

    pub(crate) fn int(&mut self, t: Table<'_>, path: &str, key: &str) -> Option<(i64, Span)> {
        let node = t.get(key)?;
        match node.kind {
            NodeKind::Int(i) => Some((i, node.span)),
            _ => {
                self.wrong_type(node, &join(path, key), "an integer");
                None
            }
        }
    }

    pub(crate) fn bool(&mut self, t: Table<'_>, path: &str, key: &str) -> Option<bool> {
        let node = t.get(key)?;
        match node.kind {
            NodeKind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(node, &join(path, key), "a boolean");
                None
            }
        }
    }

    pub(crate) fn strings(&mut self, t: Table<'_>, path: &str, key: &str) -> Vec<String> {
        let Some(node) = t.get(key) else { return Vec::new() };
        let NodeKind::Array(items) = &node.kind else {
            self.wrong_type(node, &join(path, key), "an array of strings");
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match &item.kind {
                NodeKind::Str { value, .. } => out.push(value.clone()),
                _ => self.wrong_type(item, &format!("{}[{i}]", join(path, key)), "a string"),
            }
        }
        out
    }

    /// The tables of an array of tables (`[[rule]]`), or of a single table given by mistake.
    pub(crate) fn tables<'n>(&mut self, t: Table<'n>, key: &str) -> Vec<&'n Node> {
        let Some(node) = t.get(key) else { return Vec::new() };
        match &node.kind {
            NodeKind::Array(items) => items.iter().collect(),
            _ => {
                self.error_help(
                    DiagnosticKind::InvalidValue,
                    node.span,
                    key,
                    format!("`{key}` must be an array of tables"),
                    format!("write each entry under its own `[[{key}]]` header"),
                );
                Vec::new()
            }
        }
    }
}

/// `path.key`, or `key` at the top level.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}
