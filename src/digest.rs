//! Content digests: SHA-256 (the `sha2` crate), written `sha256:` and 64 lowercase hex digits.
//!
//! Generic: knows nothing of policies. A digest of several fields prefixes each with its
//! length, so that moving bytes from one field to the next changes the digest.

use sha2::{Digest as _, Sha256};

/// The prefix of every digest: names the algorithm, so that another can follow.
pub(crate) const PREFIX: &str = "sha256:";

/// The digest of `bytes`.
pub(crate) fn of(bytes: &[u8]) -> String {
    let mut d = Fields::new();
    d.hasher.update(bytes);
    d.finish()
}

/// A digest built from fields, each length-prefixed.
pub(crate) struct Fields {
    hasher: Sha256,
}

impl Fields {
    pub(crate) fn new() -> Self {
        Fields { hasher: Sha256::new() }
    }

    /// Adds one field.
    pub(crate) fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self
    }

    /// The digest, `sha256:` and hex.
    pub(crate) fn finish(self) -> String {
        let bytes = self.hasher.finalize();
        let mut text = String::with_capacity(PREFIX.len() + 64);
        text.push_str(PREFIX);
        for b in bytes {
            text.push(hex_digit(b >> 4));
            text.push(hex_digit(b & 0xf));
        }
        text
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            super::of(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn fields_are_delimited() {
        let mut a = super::Fields::new();
        a.field(b"ab").field(b"c");
        let mut b = super::Fields::new();
        b.field(b"a").field(b"bc");
        assert_ne!(a.finish(), b.finish());
    }
}
