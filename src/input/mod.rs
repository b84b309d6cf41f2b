//! The input documents: the [`Change`] to assess and the [`Context`] it is assessed in.
//!
//! They are plain data with public fields, read from JSON (or any serde format) and written
//! back the same way. [`Change::from_json`] and [`Context::from_json`] read text and report
//! problems as [`Diagnostics`](crate::Diagnostics): a misspelt field gets a "did you mean",
//! every diagnostic carries the field path (`services[1].to`) and a span into the text, and
//! validation reports every broken rule at once.
//!
//! ```
//! use changeguard::input::{Change, Context};
//!
//! let err = Change::from_json(r#"{ "id": "CHG-1", "enviroment": "production" }"#).unwrap_err();
//! let d = &err.items()[0];
//! assert_eq!(d.message(), "unknown field `enviroment`");
//! assert_eq!(d.help(), Some("did you mean `environment`?"));
//!
//! let ctx = Context::from_json(r#"{ "now": "2026-03-02T10:00:00Z" }"#)?;
//! assert!(ctx.freezes.is_empty());
//! # Ok::<(), changeguard::Diagnostics>(())
//! ```
//!
//! What the policy language computes from them (`change.when`, `change.approvers()`,
//! `active_freezes`, a service's `bump`, a strategy's `first_step`) is defined here as plain
//! functions, with allocation-free building blocks for the evaluator.
//!
//! Timestamps are [`Timestamp`](crate::cel::Timestamp)s, written as RFC 3339 text; versions are
//! [`semver::Version`]s, written as semver text (a leading `v` is accepted when reading).
//!
#![doc = include_str!("../../docs/reference/inputs.md")]

mod canonical;
mod change;
mod context;
mod derived;
mod identity;
mod kinds;
mod load;
pub(crate) mod serde_util;
mod validate;

#[cfg(test)]
mod tests;

pub use canonical::{IdentityError, canonical_name, identity_key, same_name};
pub(crate) use canonical::{is_canonical_ascii, is_plain_ascii};
pub use change::{Approval, Change, Migration, Rollback, ServiceChange, Size, Strategy};
pub use context::{Context, Freeze, Incident};
pub(crate) use derived::distinct_people;
pub use identity::Identity;
pub use kinds::{Bump, Category, ChangeKind, CheckStatus, StrategyType};
