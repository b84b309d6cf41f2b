//! CEL, the Common Expression Language: parsed, type-checked and compiled once, evaluated fast.
//!
//! The module is usable on its own, without policies:
//!
//! ```
//! use changeguard::cel::{Env, Value};
//!
//! let env = Env::new();
//! let program = env.compile("[1, 2, 3].map(x, x * 2).filter(y, y > 2)").unwrap();
//! let value = program.evaluate(&changeguard::cel::NoVariables).unwrap();
//! assert_eq!(changeguard::cel::Canonical(&value).to_string(), "[4, 6]");
//! ```
#![doc = include_str!("../../docs/reference/cel.md")]

mod check;
pub(crate) mod display;
mod env;
pub(crate) mod eval;
mod expr;
mod ir;
pub mod json;
mod literals;
pub(crate) mod normal;
mod program;
pub(crate) mod stdlib;
pub(crate) mod syntax;
pub(crate) mod types;
pub(crate) mod value;

pub use display::Canonical;
pub use env::Env;
pub(crate) use eval::Budget;
#[cfg(feature = "fuzzing")]
pub(crate) use eval::write_plain;
pub use eval::{Activation, NoVariables};
#[doc(hidden)]
pub use expr::{ExprOutcome, evaluate_expression};
pub use literals::Literals;
pub use program::Program;
pub use types::Type;
pub use value::{
    Bytes, Duration, EvalError, EvalErrorKind, FieldDecl, HostList, HostMap, Key, List, Map, MapBuilder,
    MapValue, MethodDecl, NamedFormat, Object, ObjectType, Opaque, OpaqueKind, OptionalValue, Semver, Str,
    Timestamp, TypeValue, Url, Value,
};
