//! Lists: borrowed, shared, or read from the host.

use std::sync::Arc;

use super::{HostList, Value, reborrow};

/// A list: borrowed elements, shared elements, or a host list read element by element.
#[derive(Clone)]
pub struct List<'a>(pub(super) ListRepr<'a>);

#[derive(Clone)]
pub(super) enum ListRepr<'a> {
    Borrowed(&'a [Value<'a>]),
    Shared(Arc<[Value<'a>]>),
    Host(&'a dyn HostList),
}

impl<'a> List<'a> {
    /// A list borrowing `items`.
    #[must_use]
    pub fn borrowed(items: &'a [Value<'a>]) -> Self {
        List(ListRepr::Borrowed(items))
    }

    /// A list sharing `items`.
    #[must_use]
    pub fn shared(items: Arc<[Value<'a>]>) -> Self {
        List(ListRepr::Shared(items))
    }

    /// A list read through the host trait.
    #[must_use]
    pub fn host(list: &'a dyn HostList) -> Self {
        List(ListRepr::Host(list))
    }

    /// The number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.0 {
            ListRepr::Borrowed(s) => s.len(),
            ListRepr::Shared(s) => s.len(),
            ListRepr::Host(h) => h.len(),
        }
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `index`.
    #[must_use]
    #[inline]
    pub fn get(&self, index: usize) -> Option<Value<'a>> {
        match &self.0 {
            ListRepr::Borrowed(s) => s.get(index).map(reborrow),
            ListRepr::Shared(s) => s.get(index).cloned(),
            ListRepr::Host(h) => h.get(index),
        }
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = Value<'a>> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// Whether the list holds the string `s` (CEL equality: only strings equal strings).
    #[must_use]
    pub fn contains_str(&self, s: &str) -> bool {
        match &self.0 {
            ListRepr::Host(h) => match h.contains_str(s) {
                Some(found) => found,
                None => self.iter().any(|v| v.as_str() == Some(s)),
            },
            ListRepr::Borrowed(items) => items.iter().any(|v| v.as_str() == Some(s)),
            ListRepr::Shared(items) => items.iter().any(|v| v.as_str() == Some(s)),
        }
    }

    /// The elements as a slice, when they are stored as one (not for host lists).
    #[must_use]
    pub fn as_slice(&self) -> Option<&[Value<'a>]> {
        match &self.0 {
            ListRepr::Borrowed(s) => Some(s),
            ListRepr::Shared(s) => Some(s),
            ListRepr::Host(_) => None,
        }
    }
}
