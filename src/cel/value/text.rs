//! Strings and bytes, borrowed or shared.

use std::fmt;
use std::sync::Arc;

/// A string, borrowed or shared.
#[derive(Clone)]
pub struct Str<'a>(pub(super) StrRepr<'a>);

#[derive(Clone)]
pub(super) enum StrRepr<'a> {
    Borrowed(&'a str),
    Shared(Arc<str>),
}

impl<'a> Str<'a> {
    /// A string borrowing `s`.
    #[must_use]
    pub fn borrowed(s: &'a str) -> Self {
        Str(StrRepr::Borrowed(s))
    }

    /// A string sharing `s`.
    #[must_use]
    pub fn shared(s: Arc<str>) -> Str<'static> {
        Str(StrRepr::Shared(s))
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            StrRepr::Borrowed(s) => s,
            StrRepr::Shared(s) => s,
        }
    }

    /// The text borrowed for `'a`, when this string borrows it (not when it is shared).
    #[must_use]
    pub fn as_borrowed(&self) -> Option<&'a str> {
        match &self.0 {
            StrRepr::Borrowed(s) => Some(s),
            StrRepr::Shared(_) => None,
        }
    }

    /// A copy that owns its text.
    #[must_use]
    pub fn to_shared(&self) -> Str<'static> {
        match &self.0 {
            StrRepr::Borrowed(s) => Str::shared(Arc::from(*s)),
            StrRepr::Shared(s) => Str(StrRepr::Shared(s.clone())),
        }
    }

    /// A view of this string that borrows for `'b` (no reference counting).
    #[must_use]
    pub fn reborrow<'b>(&'b self) -> Str<'b>
    where
        'a: 'b,
    {
        Str(StrRepr::Borrowed(self.as_str()))
    }
}

impl PartialEq for Str<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Str<'_> {}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A byte sequence, borrowed or shared.
#[derive(Clone)]
pub struct Bytes<'a>(BytesRepr<'a>);

#[derive(Clone)]
enum BytesRepr<'a> {
    Borrowed(&'a [u8]),
    Shared(Arc<[u8]>),
}

impl<'a> Bytes<'a> {
    /// Bytes borrowing `b`.
    #[must_use]
    pub fn borrowed(b: &'a [u8]) -> Self {
        Bytes(BytesRepr::Borrowed(b))
    }

    /// Bytes sharing `b`.
    #[must_use]
    pub fn shared(b: Arc<[u8]>) -> Bytes<'static> {
        Bytes(BytesRepr::Shared(b))
    }

    /// The content.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            BytesRepr::Borrowed(b) => b,
            BytesRepr::Shared(b) => b,
        }
    }

    /// A copy that owns its content.
    #[must_use]
    pub fn to_shared(&self) -> Bytes<'static> {
        match &self.0 {
            BytesRepr::Borrowed(b) => Bytes::shared(Arc::from(*b)),
            BytesRepr::Shared(b) => Bytes(BytesRepr::Shared(b.clone())),
        }
    }

    /// A view of these bytes that borrows for `'b`.
    #[must_use]
    pub fn reborrow<'b>(&'b self) -> Bytes<'b>
    where
        'a: 'b,
    {
        Bytes(BytesRepr::Borrowed(self.as_slice()))
    }
}

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}
