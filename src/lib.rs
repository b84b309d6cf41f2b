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

/// The stages inside the modules are not part of the API: each of these fails to compile.
///
/// ```compile_fail
/// let _ = changeguard::cel::syntax::parse("1 + 1", &changeguard::Limits::default());
/// ```
///
/// ```compile_fail
/// let _ = changeguard::cel::Budget::new(1_000);
/// ```
///
/// ```compile_fail
/// let _: Option<changeguard::cel::value::Value<'static>> = None;
/// ```
///
/// ```compile_fail
/// let env = changeguard::cel::Env::new();
/// let program = env.compile("1").unwrap();
/// let _ = program.evaluate_with(&changeguard::cel::NoVariables, todo!());
/// ```
///
/// ```compile_fail
/// let _ = changeguard::input::normalize_identity("Ann");
/// ```
///
/// Their public faces do:
///
/// ```
/// let env = changeguard::cel::Env::new();
/// let program = env.compile("1 + 1").unwrap();
/// let _: changeguard::cel::Value<'_> = program.evaluate(&changeguard::cel::NoVariables).unwrap();
/// assert_eq!(changeguard::input::canonical_name(" Ann "), "ann");
/// ```
#[cfg(doctest)]
pub struct InternalsAreNotReachable;
