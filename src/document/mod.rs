//! The one reader of documents: every JSON or TOML text the crate reads goes through here.
//!
//! A document is read in steps, each reporting every problem it finds, not the first:
//!
//! 1. **Limits.** A text over [`Limits::max_document_bytes`] (a policy: `max_policy_bytes`)
//!    is refused before it is parsed; nesting deeper than [`tree::MAX_JSON_DEPTH`] is refused
//!    while parsing, without recursion.
//! 2. **Text to tree** ([`tree`]): every value with its byte span, so that a problem found
//!    later points at its key or value (line and column are computed when rendering).
//! 3. **Tree to type.** The policy is read by [`reader`], section by section. The input
//!    documents (change, context, topology, observations, and the same documents embedded in
//!    a policy's tests) are read with serde by [`de`], which reports every wrongly typed,
//!    unknown, repeated or missing field at once.
//! 4. **Rules the type cannot express**: each document's own validation, its problems placed
//!    in the tree by their field paths.
//!
//! One wording throughout: serde's Rust type names become what a document author writes
//! (`expected an integer from 0 to 4294967295`, `expected a list`), and every message about a
//! value's shape starts with its path.

pub(crate) mod de;
pub(crate) mod line;
pub(crate) mod path;
mod read;
pub(crate) mod reader;
pub(crate) mod tree;

#[cfg(test)]
mod tests;

use serde::de::DeserializeOwned;

pub(crate) use read::{Problem, from_tree, json, report};

use crate::diagnostic::Diagnostics;
use crate::limits::Limits;

/// A document type read by this module.
pub(crate) trait Document: Sized {
    /// What the document is called in messages (`change`, `topology`).
    const NAME: &'static str;
    /// The plain data read from the tree.
    type Shape: DeserializeOwned;

    /// The document from its shape: checks the rules the shape cannot express.
    ///
    /// # Errors
    ///
    /// Every broken rule, each with the field path of what breaks it.
    fn build(shape: Self::Shape, limits: &Limits) -> Result<Self, Diagnostics>;
}

/// Writes the JSON constructors of a [`Document`] type (`noun` names it in their docs): `from_json` (with the docs given, and
/// the default [`Limits`]) and `from_json_with_limits`, both reading through [`json`].
macro_rules! json_constructors {
    ($ty:ident, $noun:literal, $(#[$doc:meta])*) => {
        impl $ty {
            $(#[$doc])*
            pub fn from_json(text: &str) -> Result<$ty, $crate::Diagnostics> {
                $ty::from_json_with_limits(text, &$crate::Limits::default())
            }

            #[doc = concat!("Reads a ", $noun, " from JSON text within `limits`, as [`", stringify!($ty), "::from_json`] does")]
            /// within the default ones.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($ty), "::from_json`], and a")]
            /// [`LimitExceeded`](crate::DiagnosticKind::LimitExceeded) diagnostic naming the
            /// document and the limit when `text` is longer than
            /// [`Limits::max_document_bytes`](crate::Limits::max_document_bytes) (checked before
            /// it is parsed).
            pub fn from_json_with_limits(text: &str, limits: &$crate::Limits) -> Result<$ty, $crate::Diagnostics> {
                $crate::document::json(text, limits)
            }
        }
    };
}

pub(crate) use json_constructors;
