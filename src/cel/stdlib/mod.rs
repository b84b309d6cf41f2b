//! The standard library: declarations (for the checker) and implementations (for evaluation).
//!
//! Every function is a list of [`Overload`]s. Each overload has a signature the checker uses
//! to type calls and an implementation the evaluator calls. When the checker cannot tell which
//! overload applies (an argument is `dyn`), the evaluator picks the first overload whose
//! parameter types match the runtime values ([`matches_type`]).
//!
//! Operators (`+`, `==`, `[]`, `in`…) are not here: they live in the evaluator.

use std::sync::OnceLock;

use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

/// A one-argument implementation (for receiver-style calls, the receiver is the argument).
pub(crate) type Fn1 = for<'a> fn(&Value<'a>) -> Result<Value<'a>, EvalError>;
/// A two-argument implementation.
pub(crate) type Fn2 = for<'a> fn(&Value<'a>, &Value<'a>) -> Result<Value<'a>, EvalError>;
/// A three-argument implementation.
pub(crate) type Fn3 = for<'a> fn(&Value<'a>, &Value<'a>, &Value<'a>) -> Result<Value<'a>, EvalError>;

/// An implementation, by arity.
#[derive(Clone, Copy)]
pub(crate) enum Impl {
    /// One argument.
    F1(Fn1),
    /// Two arguments.
    F2(Fn2),
    /// Three arguments.
    F3(Fn3),
}

/// One signature of a function, with its implementation.
pub(crate) struct Overload {
    /// A unique id, e.g. `size_string`, used in messages and tests.
    pub(crate) id: &'static str,
    /// The function name as written in expressions.
    pub(crate) function: &'static str,
    /// Whether it is called receiver-style (`s.size()`) rather than globally (`size(s)`).
    pub(crate) receiver: bool,
    /// Parameter types; for receiver-style calls the receiver comes first.
    pub(crate) params: Vec<Type>,
    /// Result type.
    pub(crate) result: Type,
    /// The implementation; its arity equals `params.len()`.
    pub(crate) imp: Impl,
}

/// All overloads of the standard library and its extensions.
pub(crate) fn overloads() -> &'static [Overload] {
    static ALL: OnceLock<Vec<Overload>> = OnceLock::new();
    ALL.get_or_init(build)
}

fn build() -> Vec<Overload> {
    Vec::new()
}

/// Whether `value` can be passed where `ty` is expected (type parameters and `dyn` accept
/// anything; list and map element types are not inspected).
pub(crate) fn matches_type(value: &Value<'_>, ty: &Type) -> bool {
    match ty {
        Type::Dyn | Type::Param(_) => true,
        Type::Null => matches!(value, Value::Null),
        Type::Bool => matches!(value, Value::Bool(_)),
        Type::Int => matches!(value, Value::Int(_)),
        Type::Uint => matches!(value, Value::Uint(_)),
        Type::Double => matches!(value, Value::Double(_)),
        Type::String => matches!(value, Value::String(_)),
        Type::Bytes => matches!(value, Value::Bytes(_)),
        Type::Timestamp => matches!(value, Value::Timestamp(_)),
        Type::Duration => matches!(value, Value::Duration(_)),
        Type::Semver => matches!(value, Value::Semver(_)),
        Type::List(_) => matches!(value, Value::List(_)),
        Type::Map(_, _) => matches!(value, Value::Map(_)),
        Type::Type => matches!(value, Value::Type(_)),
        Type::Object(o) => matches!(value, Value::Object(v) if v.object_type() == &**o),
    }
}
