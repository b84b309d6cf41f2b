//! [`Identity`]: a person's name as written, with its canonical forms computed once.

use std::fmt;
use std::ops::Deref;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

use super::canonical::{IdentityError, canonical_name, identity_key_of};

/// Who made or approved a change (`author`, `approvals[].by`): the text as written, with its
/// [`canonical_name`] and [`identity_key`](crate::input::identity_key) computed once, when the identity is made.
///
/// Separation of duties compares keys, so evaluation never canonicalises a name again. The
/// fields are private, so the keys always belong to the text. An identity that is empty after
/// canonicalisation or holds a control character can be made (reading a document keeps going
/// to report every problem), but [`Change::validate`](crate::input::Change::validate) rejects
/// it, and it is nobody's for separation of duties.
///
/// It derefs to the text and serializes as the text.
///
/// ```
/// use changeguard::input::Identity;
///
/// let a = Identity::new("Aisha.Rahman\u{200b}");
/// assert_eq!(a.as_str(), "Aisha.Rahman\u{200b}");
/// assert_eq!(a.canonical(), "aisha.rahman");
/// assert!(a.same_person(&Identity::new("\u{430}isha.rahman")));
/// assert!(Identity::new("\u{200b}").key().is_err());
/// ```
#[derive(Clone)]
pub struct Identity {
    text: String,
    /// The canonical name, when it differs from `text`.
    canonical: Option<Box<str>>,
    key: Result<Box<str>, IdentityError>,
}

impl Identity {
    /// The identity written `text`, canonicalised now.
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let canonical = canonical_name(&text);
        let key = identity_key_of(&text, &canonical).map(String::into_boxed_str);
        let canonical = (canonical != text).then(|| canonical.into_boxed_str());
        Identity { text, canonical, key }
    }

    /// The text as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The [`canonical_name`]: what `change.approvers()` and reports show.
    #[must_use]
    pub fn canonical(&self) -> &str {
        self.canonical.as_deref().unwrap_or(&self.text)
    }

    /// The [`identity_key`](crate::input::identity_key) under which two spellings are the same person.
    ///
    /// # Errors
    ///
    /// Why the text is not a valid identity.
    pub fn key(&self) -> Result<&str, &IdentityError> {
        self.key.as_deref()
    }

    /// Whether `self` and `other` are the same person: both valid, with equal keys.
    #[must_use]
    pub fn same_person(&self, other: &Identity) -> bool {
        matches!((self.key(), other.key()), (Ok(a), Ok(b)) if a == b)
    }

    /// The text, given back.
    #[must_use]
    pub fn into_string(self) -> String {
        self.text
    }
}

impl Deref for Identity {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Identity {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl From<String> for Identity {
    fn from(text: String) -> Self {
        Identity::new(text)
    }
}

impl From<&str> for Identity {
    fn from(text: &str) -> Self {
        Identity::new(text)
    }
}

impl From<Identity> for String {
    fn from(identity: Identity) -> Self {
        identity.text
    }
}

/// Equality is of the text as written, like a `String` field's; compare people with
/// [`Identity::same_person`].
impl PartialEq for Identity {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Identity {}

impl PartialEq<str> for Identity {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Identity {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for Identity {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Identity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Identity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::input::serde_util::from_text(deserializer, "a string", |text| Ok(Identity::new(text)))
    }
}
