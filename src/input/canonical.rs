//! Canonical spellings of names and identities.
//!
//! Names that the policy compares (environments, service names, roles, check names) and
//! identities that separation of duties compares (author, approvers) are written by the change
//! author, who may respell them to slip past a rule. Two spellings that a reader takes for the
//! same name must therefore compare equal:
//!
//! - [`canonical_name`] applies Unicode NFKC (fullwidth `Ｐ` becomes `P`), full case folding
//!   (`PRODUCTION` and `production` agree, `ß` folds to `ss`), removes format characters
//!   (general category `Cf`: U+200B, U+200D, U+2060, U+FEFF, U+00AD, …), trims whitespace and
//!   collapses every inner run of whitespace into one space (`payments  api` is `payments api`).
//! - [`identity_key`] goes one step further for people: it takes the canonical name's
//!   confusable skeleton (Unicode Technical Standard #39), so that a Cyrillic `а` and a Latin
//!   `a` give the same key, and it rejects identities that are empty after canonicalisation or
//!   hold control characters.
//!
//! ```
//! use changeguard::input::{canonical_name, identity_key};
//!
//! assert_eq!(canonical_name(" Production\u{200b} "), "production");
//! assert_eq!(identity_key("\u{430}isha").unwrap(), identity_key("aisha").unwrap());
//! assert!(identity_key("\u{200b}").is_err());
//! ```

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The canonical form of a name: NFKC, full case folding, format characters removed, outer
/// whitespace trimmed and inner whitespace runs collapsed into one space.
///
/// The result is stable: `canonical_name(&canonical_name(s)) == canonical_name(s)`.
#[must_use]
pub fn canonical_name(name: &str) -> String {
    if is_plain_ascii(name) {
        return name.to_ascii_lowercase();
    }
    if name.is_ascii() {
        // ASCII is its own NFKC, holds no format character, and folds to lower case.
        return collapse_whitespace(&name.to_ascii_lowercase());
    }
    canonical_unicode(name)
}

/// [`canonical_name`] by the general route, for any text.
fn canonical_unicode(name: &str) -> String {
    // Case folding can leave text that is no longer NFKC (and NFKC can expose new upper
    // case), so fold, normalise, and fold again: the closure "NFKC_Casefold" in spirit.
    let folded = caseless::default_case_fold_str(&without_format(name).nfkc().collect::<String>());
    let folded = caseless::default_case_fold_str(&folded.nfkc().collect::<String>());
    collapse_whitespace(&without_format(&folded))
}

/// Whether two names have the same [`canonical_name`]; allocates nothing when both are plain
/// ASCII.
#[must_use]
pub fn same_name(a: &str, b: &str) -> bool {
    if is_plain_ascii(a) && is_plain_ascii(b) {
        return a.eq_ignore_ascii_case(b);
    }
    canonical_name(a) == canonical_name(b)
}

/// Whether `name` is its own [`canonical_name`], answered without allocating for plain ASCII
/// text; `false` when it cannot tell cheaply.
pub(crate) fn is_canonical_ascii(name: &str) -> bool {
    is_plain_ascii(name) && !name.bytes().any(|b| b.is_ascii_uppercase())
}

/// Why a text is not a valid identity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// Nothing is left after canonicalisation (empty, blank or only invisible characters).
    Empty,
    /// The identity holds a control character (general category `Cc`).
    Control(char),
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => {
                f.write_str("identity is empty after removing invisible characters and whitespace")
            }
            Self::Control(c) => write!(f, "identity holds the control character U+{:04X}", u32::from(*c)),
        }
    }
}

impl std::error::Error for IdentityError {}

/// The key under which two identities are the same person: the confusable skeleton (UTS #39)
/// of the [`canonical_name`].
///
/// # Errors
///
/// [`IdentityError::Control`] when the text holds a control character inside it (outer
/// whitespace such as a tab or a newline is trimmed first), and
/// [`IdentityError::Empty`] when nothing is left after canonicalisation.
pub fn identity_key(identity: &str) -> Result<String, IdentityError> {
    // Outer whitespace (a tab or a newline pasted along) is trimmed, not refused.
    identity_key_of(identity, &canonical_name(identity))
}

/// [`identity_key`] of `identity`, whose [`canonical_name`] is `canonical`.
pub(crate) fn identity_key_of(identity: &str, canonical: &str) -> Result<String, IdentityError> {
    if let Some(c) = identity.trim().chars().find(|c| c.is_control()) {
        return Err(IdentityError::Control(c));
    }
    if canonical.is_empty() {
        return Err(IdentityError::Empty);
    }
    if let Some(key) = ascii_skeleton(canonical) {
        return Ok(key);
    }
    Ok(unicode_security::skeleton(canonical).collect())
}

/// The confusable skeleton of each ASCII character, when it is ASCII text itself:
/// the skeleton of a string of such characters is then the concatenation of theirs (each step
/// of the skeleton, NFD and the prototype mapping, works character by character, and NFD leaves
/// ASCII as it is). Computed once from the Unicode tables.
fn ascii_skeletons() -> &'static [Option<Box<str>>] {
    static TABLE: std::sync::OnceLock<Vec<Option<Box<str>>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..128u8)
            .map(|b| {
                let one = char::from(b).to_string();
                let skeleton: String = unicode_security::skeleton(&one).collect();
                skeleton.is_ascii().then(|| skeleton.into_boxed_str())
            })
            .collect()
    })
}

/// The confusable skeleton of ASCII text, by table; `None` when the text is not ASCII or a
/// character's skeleton is not, for the general route to handle.
fn ascii_skeleton(text: &str) -> Option<String> {
    if !text.is_ascii() {
        return None;
    }
    let table = ascii_skeletons();
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match table.get(usize::from(b))?.as_deref()? {
            // Most characters are their own skeleton: one byte, pushed without a copy call.
            one if one.len() == 1 => out.push(char::from(*one.as_bytes().first()?)),
            more => out.push_str(more),
        }
    }
    Some(out)
}

/// ASCII text with no upper case to fold, no whitespace to trim or collapse and no control
/// character: its canonical form is its lower-case form.
pub(crate) fn is_plain_ascii(name: &str) -> bool {
    // One pass, no substring search: a space may follow only a graphic character, and the
    // text may not end with one.
    let mut after_graphic = false;
    for &b in name.as_bytes() {
        if b.is_ascii_graphic() {
            after_graphic = true;
        } else if b == b' ' && after_graphic {
            after_graphic = false;
        } else {
            return false;
        }
    }
    after_graphic || name.is_empty()
}

fn without_format(text: &str) -> String {
    text.chars().filter(|c| c.general_category() != GeneralCategory::Format).collect()
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTHOR: &str = "aisha.rahman";

    #[test]
    fn respelt_names_are_one_name() {
        for spelling in [
            "production",
            "Production",
            "PRODUCTION",
            "production ",
            " production\u{200b}",
            "ｐｒｏｄｕｃｔｉｏｎ",
            "pro\u{ad}duction",
            "\u{feff}production\u{2060}",
        ] {
            assert_eq!(canonical_name(spelling), "production", "{spelling:?}");
        }
        assert_eq!(canonical_name("Payments"), canonical_name("payments "));
        assert_eq!(canonical_name("payments \t api"), "payments api");
        assert_eq!(canonical_name("Straße"), "strasse");
        assert_ne!(canonical_name("payments"), canonical_name("payment"));
        assert!(same_name("Production", "production\u{200b}"));
        assert!(same_name("PROD", "prod"));
        assert!(!same_name("prod", "production"));
    }

    #[test]
    fn plain_ascii_is_graphic_words_single_spaced() {
        for plain in ["", "a", "a b", "A.b-c d", "x y z"] {
            assert!(is_plain_ascii(plain), "{plain:?}");
        }
        for not in [" ", " a", "a ", "a  b", "a\tb", "a\u{e9}", "\u{200b}"] {
            assert!(!is_plain_ascii(not), "{not:?}");
        }
    }

    #[test]
    fn canonical_name_is_idempotent() {
        for s in ["ＡＢＣ ｄｅｆ", "Straße", "ǅ", "ﬁle", " a\u{200d}b  c "] {
            let once = canonical_name(s);
            assert_eq!(canonical_name(&once), once, "{s:?}");
        }
    }

    #[test]
    fn respelt_identities_are_one_person() {
        let honest = identity_key(AUTHOR).unwrap();
        for spelling in super::super::tests::RESPELT_AISHA.into_iter().chain(["Aisha.Rahman "]) {
            assert_eq!(identity_key(spelling).unwrap(), honest, "{spelling:?}");
        }
        assert_ne!(identity_key("bob.jones").unwrap(), honest);
    }

    /// The general route: what [`identity_key`] computes for any valid identity.
    fn general_key(identity: &str) -> String {
        unicode_security::skeleton(&canonical_unicode(identity)).collect()
    }

    #[test]
    fn ascii_names_and_keys_by_the_short_route_equal_the_general_route() {
        let ascii: Vec<char> = (0u8..0x80).map(char::from).collect();
        for &a in &ascii {
            for &b in &ascii {
                let text: String = [' ', a, 'X', b, '\t'].iter().collect();
                let canonical = canonical_name(&text);
                assert_eq!(canonical, canonical_unicode(&text), "{text:?}");
                if let Some(key) = ascii_skeleton(&canonical) {
                    assert_eq!(key, unicode_security::skeleton(&canonical).collect::<String>(), "{text:?}");
                }
            }
        }
        // Letters, digits and the punctuation of user names take the table.
        assert!(ascii_skeleton("maria.gonzalez-2_x@example.com").is_some());
        for text in
            ["maria.gonzalez", " Tom.Baker ", "100%", "rn-m", "I1l|0O", "a  b c", "li.wei@example.com"]
        {
            assert_eq!(identity_key(text).unwrap(), general_key(text), "{text:?}");
        }
    }

    #[test]
    fn invisible_and_control_identities_are_rejected() {
        for spelling in ["", "  ", "\u{200b}", "\u{2060}", "\u{feff}\u{200d}", "\u{ad}"] {
            assert_eq!(identity_key(spelling), Err(IdentityError::Empty), "{spelling:?}");
        }
        assert_eq!(identity_key("aisha\u{7}"), Err(IdentityError::Control('\u{7}')));
        assert_eq!(identity_key("aisha\nrahman"), Err(IdentityError::Control('\n')));
        assert_eq!(identity_key("aisha\u{0}"), Err(IdentityError::Control('\u{0}')));
        assert_eq!(identity_key("\taisha\n"), identity_key("aisha"));
    }
}
