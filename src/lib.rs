#![doc = include_str!("../README.md")]
#![doc = include_str!("../docs/reference/api.md")]

pub mod blast;
pub mod cel;
pub mod diagnostic;
mod digest;
mod document;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod fuzzy;
mod graph;
pub mod health;
pub mod input;
mod limits;
pub mod policy;
pub mod replay;
#[cfg(feature = "proptest")]
pub mod testing;
pub mod topology;

pub use blast::{BlastOptions, BlastRadius, Reach};
pub use diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Severity, Span};
pub use input::{Change, Context};
pub use limits::Limits;
pub use policy::{Assessment, Outcome, Policy};
pub use topology::{Dependency, DependencyKind, Service, ServiceId, Topology, TopologyDocument};
