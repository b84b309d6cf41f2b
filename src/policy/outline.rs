//! The outline of a policy: its named parts as text, and the structural difference between two
//! policies' outlines ([`Policy::structural_diff`](super::Policy::structural_diff)).
//!
//! The outline is taken from the document tree when the policy loads, so that a difference is
//! one of content, not of layout: reformatting a policy, reordering keys inside a table or
//! switching between TOML and JSON changes nothing here.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::document::tree::{Node, NodeKind};

/// The part of a policy a structural change is in.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// `[policy]`: name, version, description.
    Policy,
    /// An entry of `[params]`.
    Param,
    /// An entry of `[let]`.
    Let,
    /// A `[[risk]]` factor, by id.
    Factor,
    /// A threshold of `[risk_levels]`.
    Threshold,
    /// A `[[rule]]`, by id.
    Rule,
    /// A setting of `[decision]`.
    Decision,
    /// A setting of `[blast]`.
    Blast,
    /// The `[health]` section, as a whole.
    Health,
}

impl Section {
    /// The name used in reports: the section's key in the policy (`risk`, `rule`, `let`…).
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Section::Policy => "policy",
            Section::Param => "params",
            Section::Let => "let",
            Section::Factor => "risk",
            Section::Threshold => "risk_levels",
            Section::Rule => "rule",
            Section::Decision => "decision",
            Section::Blast => "blast",
            Section::Health => "health",
        }
    }
}

/// Whether a part was added, removed or changed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// In the new policy only.
    Added,
    /// In the old policy only.
    Removed,
    /// In both, with different content.
    Changed,
}

/// One structural difference between two policies.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructuralChange {
    /// Where.
    pub section: Section,
    /// The part's name: a factor's or rule's id, a `let`'s or a setting's name.
    pub name: String,
    /// Added, removed or changed.
    pub change: ChangeKind,
    /// The old text (for a changed factor or rule, only the fields that differ), one
    /// `key = value` per line; `None` when added.
    pub old: Option<String>,
    /// The new text, as `old`; `None` when removed.
    pub new: Option<String>,
}

/// A part of a policy: its fields as text (one unnamed field for a single value).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Item {
    section: Section,
    name: String,
    fields: Vec<(String, String)>,
}

/// A policy's parts, sorted by section and name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outline {
    items: Vec<Item>,
}

impl Outline {
    /// The outline of a loaded policy's document tree.
    pub(crate) fn of(root: &Node) -> Outline {
        let mut items = Vec::new();
        let NodeKind::Table(top) = &root.kind else { return Outline { items } };
        for (key, node) in top {
            match key.name.as_str() {
                "policy" => settings(&mut items, Section::Policy, node),
                "params" => settings(&mut items, Section::Param, node),
                "let" => settings(&mut items, Section::Let, node),
                "risk_levels" => settings(&mut items, Section::Threshold, node),
                "decision" => settings(&mut items, Section::Decision, node),
                "blast" => settings(&mut items, Section::Blast, node),
                "risk" => by_id(&mut items, Section::Factor, node),
                "rule" => by_id(&mut items, Section::Rule, node),
                "health" => {
                    items.push(Item { section: Section::Health, name: String::new(), fields: fields(node) });
                }
                _ => {}
            }
        }
        items.sort_by(|a, b| (a.section, &a.name).cmp(&(b.section, &b.name)));
        Outline { items }
    }

    /// Every difference from `self` (old) to `new`, by section and name.
    pub(crate) fn diff(&self, new: &Outline) -> Vec<StructuralChange> {
        let mut changes = Vec::new();
        let (mut a, mut b) = (self.items.iter().peekable(), new.items.iter().peekable());
        loop {
            let order = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => (x.section, &x.name).cmp(&(y.section, &y.name)),
            };
            match order {
                std::cmp::Ordering::Less => {
                    if let Some(x) = a.next() {
                        changes.push(change(x, ChangeKind::Removed, Some(lines(&x.fields)), None));
                    }
                }
                std::cmp::Ordering::Greater => {
                    if let Some(y) = b.next() {
                        changes.push(change(y, ChangeKind::Added, None, Some(lines(&y.fields))));
                    }
                }
                std::cmp::Ordering::Equal => {
                    if let (Some(x), Some(y)) = (a.next(), b.next())
                        && x.fields != y.fields
                    {
                        let (old, new) = differing(&x.fields, &y.fields);
                        changes.push(change(x, ChangeKind::Changed, Some(old), Some(new)));
                    }
                }
            }
        }
        changes
    }
}

fn change(item: &Item, kind: ChangeKind, old: Option<String>, new: Option<String>) -> StructuralChange {
    StructuralChange { section: item.section, name: item.name.clone(), change: kind, old, new }
}

/// One item per entry of a table section.
fn settings(items: &mut Vec<Item>, section: Section, node: &Node) {
    if let NodeKind::Table(entries) = &node.kind {
        for (k, v) in entries {
            items.push(Item { section, name: k.name.clone(), fields: vec![(String::new(), value(v))] });
        }
    }
}

/// One item per table of an array section, named by its `id`.
fn by_id(items: &mut Vec<Item>, section: Section, node: &Node) {
    let NodeKind::Array(tables) = &node.kind else { return };
    for (i, t) in tables.iter().enumerate() {
        let id = match &t.kind {
            NodeKind::Table(entries) => entries.iter().find(|(k, _)| k.name == "id").map(|(_, v)| v),
            _ => None,
        };
        let name = match id.map(|n| &n.kind) {
            Some(NodeKind::Str { value, .. }) => value.clone(),
            _ => format!("#{}", i + 1),
        };
        let fields = fields(t).into_iter().filter(|(k, _)| k != "id").collect();
        items.push(Item { section, name, fields });
    }
}

/// A table's fields as text, sorted by key; any other value as one unnamed field.
fn fields(node: &Node) -> Vec<(String, String)> {
    match &node.kind {
        NodeKind::Table(entries) => {
            let mut f: Vec<_> = entries.iter().map(|(k, v)| (k.name.clone(), value(v))).collect();
            f.sort();
            f
        }
        _ => vec![(String::new(), value(node))],
    }
}

/// The fields of `old` and `new` that differ, as lines.
fn differing(old: &[(String, String)], new: &[(String, String)]) -> (String, String) {
    let only = |a: &[(String, String)], b: &[(String, String)]| {
        let kept: Vec<_> = a.iter().filter(|f| !b.contains(f)).cloned().collect();
        lines(&kept)
    };
    (only(old, new), only(new, old))
}

fn lines(fields: &[(String, String)]) -> String {
    let mut out = String::new();
    for (k, v) in fields {
        if !out.is_empty() {
            out.push('\n');
        }
        if k.is_empty() {
            out.push_str(v);
        } else {
            let _ = write!(out, "{k} = {v}");
        }
    }
    out
}

/// A value as one line of inline TOML.
fn value(node: &Node) -> String {
    let mut out = String::new();
    write_value(&mut out, node, 0);
    out
}

fn write_value(out: &mut String, node: &Node, depth: usize) {
    // The tree is depth-limited when read; this guard only keeps the walk bounded by itself.
    if depth > 64 {
        out.push('…');
        return;
    }
    match &node.kind {
        NodeKind::Str { value, .. } => out.push_str(&serde_json::to_string(value).unwrap_or_default()),
        NodeKind::Int(i) => {
            let _ = write!(out, "{i}");
        }
        NodeKind::UInt(u) => {
            let _ = write!(out, "{u}");
        }
        NodeKind::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        NodeKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        NodeKind::Datetime(d) => out.push_str(d),
        NodeKind::Null => out.push_str("null"),
        NodeKind::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, depth + 1);
            }
            out.push(']');
        }
        NodeKind::Table(entries) => {
            let mut sorted: Vec<_> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { " " });
                let _ = write!(out, "{} = ", k.name);
                write_value(out, v, depth + 1);
            }
            out.push_str(" }");
        }
    }
}
