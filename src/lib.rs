#![doc = include_str!("../README.md")]

pub mod cel;
pub mod diagnostic;
pub mod fuzzy;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
mod limits;
pub mod policy;

pub use diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Severity, Span};
pub use input::{Change, Context};
pub use limits::Limits;
pub use policy::{Outcome, Policy};
