//! Typed values out of a document tree with serde, finding every problem, not the first.
//!
//! Serde stops at the first error a `Deserialize` impl returns. To go on, the tree's
//! deserializer does two things:
//!
//! - **A value of the wrong type is reported and replaced on the spot.** When a field asks for
//!   an integer and the tree holds a string, the problem is recorded and the field's visitor
//!   gets a stand-in (`0`, `""`, an empty list, …), so that reading carries on with its
//!   siblings.
//! - **Whatever else stops reading is taken out, and the tree read again.** An unknown or
//!   repeated field, a bad value a visitor rejects (a malformed timestamp): the entry is left
//!   out of the next pass. A required field that is missing, or was taken out, gets a stand-in
//!   in the next pass. Each pass takes one more problem out, so passes are bounded.
//!
//! Problems under a stand-in are never reported: they are artefacts of the stand-in.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeOwned, Unexpected};

use super::path::{FieldPath, Seg};

mod walk;

use super::tree::{DocKey, Node, NodeKind};
use crate::diagnostic::Span;
use crate::fuzzy;
use walk::De;

/// At most this many passes over a tree: each takes one problem out.
pub(crate) const MAX_PASSES: usize = 64;

/// What went wrong, as serde's traits name it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ErrorKind {
    /// A field the type does not have.
    UnknownField {
        /// The field as written.
        name: String,
        /// The fields the type has.
        expected: &'static [&'static str],
    },
    /// A required field that is absent.
    MissingField(&'static str),
    /// A field given twice.
    DuplicateField(&'static str),
    /// Any other problem: a wrong type, a bad value, a rule of a custom `Deserialize`.
    Message(String),
    /// Already reported, or under a stand-in: reading stopped here, nothing more to say.
    Reported,
}

/// A deserialization error with the place it happened.
#[derive(Clone, Debug)]
pub(crate) struct Error {
    kind: ErrorKind,
    /// The value it happened at, or the map whose visitor raised it.
    at: Option<FieldPath>,
    /// For an error raised by a map's visitor: the index of the entry it had just read.
    entry: Option<usize>,
}

impl Error {
    fn new(kind: ErrorKind) -> Self {
        Error { kind, at: None, entry: None }
    }

    fn reported(at: &FieldPath) -> Self {
        Error { kind: ErrorKind::Reported, at: Some(at.clone()), entry: None }
    }

    /// Sets the place unless a deeper one is already known.
    fn or_at(mut self, at: &FieldPath, entry: Option<usize>) -> Self {
        if self.at.is_none() {
            self.at = Some(at.clone());
            self.entry = entry;
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::UnknownField { name, .. } => write!(f, "unknown field `{name}`"),
            ErrorKind::MissingField(name) => write!(f, "missing field `{name}`"),
            ErrorKind::DuplicateField(name) => write!(f, "duplicate field `{name}`"),
            ErrorKind::Message(message) => f.write_str(message),
            ErrorKind::Reported => f.write_str("already reported"),
        }
    }
}

impl std::error::Error for Error {}

/// An unexpected value in the words of a document author (`null`, not "unit value").
struct Shown<'a>(Unexpected<'a>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Unit => f.write_str("null"),
            other => other.fmt(f),
        }
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Message(msg.to_string()))
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::custom(format_args!("invalid type: {}, expected {exp}", Shown(unexp)))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::custom(format_args!("invalid value: {}, expected {exp}", Shown(unexp)))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::new(ErrorKind::UnknownField { name: field.to_owned(), expected })
    }

    fn missing_field(field: &'static str) -> Self {
        Error::new(ErrorKind::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Self {
        Error::new(ErrorKind::DuplicateField(field))
    }
}

/// A problem found while reading a tree.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    /// The field or value it concerns.
    pub(crate) path: FieldPath,
    /// What it is.
    pub(crate) kind: ErrorKind,
    /// The value (or, for a missing field, the end of its object).
    pub(crate) span: Option<Span>,
    /// The key, for a field that should not be there.
    pub(crate) key_span: Option<Span>,
}

/// What the passes so far have learnt about the tree.
#[derive(Default)]
struct Session {
    /// Problems recorded on the spot in the current pass.
    found: RefCell<Vec<Found>>,
    /// Map entries left out: the map's path and the entry's index.
    removed_entries: Vec<(FieldPath, usize)>,
    /// Values left out (map entries by key, list items by index).
    removed: Vec<FieldPath>,
    /// Required fields given a stand-in: the map's path and the field.
    stand_ins: Vec<(FieldPath, &'static str)>,
    /// Missing fields not to report: taken out, or the likely intent of a misspelt field.
    excused: Vec<FieldPath>,
}

impl Session {
    fn skips_entry(&self, map: &FieldPath, index: usize, key: &str) -> bool {
        self.removed_entries.iter().any(|(p, i)| *i == index && p == map)
            || (!self.removed.is_empty() && self.removed.contains(&map.key(key)))
    }

    fn skips_item(&self, item: &FieldPath) -> bool {
        !self.removed.is_empty() && self.removed.contains(item)
    }

    fn stand_ins_of(&self, map: &FieldPath) -> Vec<&'static str> {
        self.stand_ins.iter().filter(|(p, _)| p == map).map(|(_, f)| *f).collect()
    }

    fn record(&self, path: &FieldPath, kind: ErrorKind, span: Span) {
        self.found.borrow_mut().push(Found { path: path.clone(), kind, span: Some(span), key_span: None });
    }

    /// Leaves `path` out of the next pass; `false` when nothing more can be taken out.
    fn take_out(&mut self, root: &Node, path: &FieldPath) -> bool {
        let mut path = path.clone();
        loop {
            let Some(last) = path.segs().last().cloned() else { return false };
            let parent = parent_of(&path);
            let is_stand_in =
                matches!(&last, Seg::Key(k) if self.stand_ins.iter().any(|(p, f)| *p == parent && f == k));
            if !is_stand_in && !self.removed.contains(&path) && find(root, &path).is_some() {
                if let Seg::Key(_) = last {
                    self.excused.push(path.clone());
                }
                self.removed.push(path);
                return true;
            }
            // Already out, or not in the tree: take out what holds it.
            path = parent;
        }
    }
}

/// `path` without its last step.
fn parent_of(path: &FieldPath) -> FieldPath {
    let mut parent = path.clone();
    parent.pop();
    parent
}

/// The node at `path` in `root`, with the span of the key naming it.
pub(crate) fn find<'n>(root: &'n Node, path: &FieldPath) -> Option<(Option<Span>, &'n Node)> {
    let mut at = root;
    let mut key_span = None;
    for seg in path.segs() {
        (key_span, at) = match (seg, &at.kind) {
            (Seg::Key(k), NodeKind::Table(entries)) => {
                let (key, node) = entries.iter().find(|(key, _)| key.name == *k)?;
                (Some(key.span), node)
            }
            (Seg::Index(i), NodeKind::Array(items)) => (None, items.get(*i)?),
            _ => return None,
        };
    }
    Some((key_span, at))
}

/// The span of the last character of `node` (the closing brace of an object).
fn closing(node: &Node) -> Span {
    Span::new(node.span.end.saturating_sub(1).max(node.span.start), node.span.end)
}

/// Reads a `T` from `root` in at most `passes` passes, or every problem found, in the order of
/// the text.
pub(crate) fn read<T: DeserializeOwned>(root: &Node, passes: usize) -> Result<T, Vec<Found>> {
    let mut session = Session::default();
    let mut out: Vec<Found> = Vec::new();
    for _ in 0..passes.clamp(1, MAX_PASSES) {
        let result = T::deserialize(De::new(root, FieldPath::root(), &session));
        for f in session.found.take() {
            push_new(&mut out, f);
        }
        let error = match result {
            Ok(value) if out.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(e) => e,
        };
        let at = error.at.clone().unwrap_or_default();
        let progress = match error.kind {
            ErrorKind::UnknownField { ref name, expected } => {
                let path = at.key(name);
                if let Some(intent) = fuzzy::closest(name, expected.iter().copied()) {
                    session.excused.push(at.key(intent));
                }
                let key_span = entry_key(root, &at, error.entry);
                push_new(&mut out, Found { path, kind: error.kind.clone(), span: key_span, key_span });
                take_out_entry(&mut session, root, &at, error.entry)
            }
            ErrorKind::DuplicateField(name) => {
                let key_span = entry_key(root, &at, error.entry);
                push_new(
                    &mut out,
                    Found { path: at.key(name), kind: error.kind.clone(), span: key_span, key_span },
                );
                take_out_entry(&mut session, root, &at, error.entry)
            }
            ErrorKind::MissingField(name) => {
                let path = at.key(name);
                if !session.excused.contains(&path) {
                    let span = find(root, &at).map(|(_, n)| closing(n));
                    push_new(&mut out, Found { path, kind: error.kind.clone(), span, key_span: None });
                }
                if session.stand_ins.iter().any(|(p, f)| *p == at && *f == name) {
                    session.take_out(root, &at)
                } else {
                    session.stand_ins.push((at, name));
                    true
                }
            }
            ErrorKind::Message(_) => {
                // Raised by a map's visitor right after an entry (a key given twice in a map),
                // or by the visitor of the value itself.
                let (path, span, key_span) = match error.entry.and_then(|i| entry(root, &at, i)) {
                    Some(key) => (at.key(&key.name), Some(key.span), Some(key.span)),
                    None => (at.clone(), find(root, &at).map(|(_, n)| n.span), None),
                };
                push_new(&mut out, Found { path, kind: error.kind.clone(), span, key_span });
                match error.entry {
                    Some(_) => take_out_entry(&mut session, root, &at, error.entry),
                    None => session.take_out(root, &at),
                }
            }
            ErrorKind::Reported => session.take_out(root, &at),
        };
        if !progress {
            break;
        }
    }
    out.sort_by_key(|f| f.span.map_or(u32::MAX, |s| s.start));
    Err(out)
}

/// Adds `f` to `out` unless the same problem at the same place is there already.
fn push_new(out: &mut Vec<Found>, f: Found) {
    if !out.iter().any(|o| o.path == f.path && o.kind == f.kind) {
        out.push(f);
    }
}

/// Entry `index` of the map at `map`.
fn entry<'n>(root: &'n Node, map: &FieldPath, index: usize) -> Option<&'n DocKey> {
    match &find(root, map)?.1.kind {
        NodeKind::Table(entries) => entries.get(index).map(|(k, _)| k),
        _ => None,
    }
}

fn entry_key(root: &Node, map: &FieldPath, index: Option<usize>) -> Option<Span> {
    index.and_then(|i| entry(root, map, i)).map(|k| k.span)
}

fn take_out_entry(session: &mut Session, root: &Node, map: &FieldPath, index: Option<usize>) -> bool {
    match index {
        Some(i) if !session.removed_entries.iter().any(|(p, j)| p == map && *j == i) => {
            session.removed_entries.push((map.clone(), i));
            true
        }
        _ => session.take_out(root, map),
    }
}
