#![doc = include_str!("../README.md")]

pub mod cel;
pub mod diagnostic;
pub mod fuzzy;
mod limits;
pub mod policy;

pub use diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Severity, Span};
pub use limits::Limits;
pub use policy::{Outcome, Policy};
