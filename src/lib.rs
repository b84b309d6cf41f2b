#![doc = include_str!("../README.md")]

pub mod cel;
pub mod diagnostic;
#[doc(hidden)]
pub mod fuzzing;
pub mod fuzzy;
pub mod input;
mod limits;
pub mod policy;

pub use diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Severity, Span};
pub use input::{Change, Context};
pub use limits::Limits;
pub use policy::{Outcome, Policy};
