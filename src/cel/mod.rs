//! CEL, the Common Expression Language: parsed, type-checked and compiled once, evaluated fast.
//!
//! The module is usable on its own, without policies.

pub mod display;
pub(crate) mod stdlib;
pub mod syntax;
pub mod types;
pub mod value;

pub use display::Canonical;
pub use types::Type;
pub use value::{
    Bytes, Duration, EvalError, EvalErrorKind, FieldDecl, HostList, HostMap, Key, List, Map, MapBuilder,
    MapValue, MethodDecl, Object, ObjectType, Semver, Str, Timestamp, TypeValue, Value,
};
