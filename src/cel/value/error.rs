//! Evaluation errors.

use std::fmt;

/// What went wrong while evaluating an expression.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvalErrorKind {
    /// Integer division by zero.
    DivisionByZero,
    /// Integer modulus by zero.
    ModulusByZero,
    /// Integer arithmetic or a conversion overflowed its type.
    Overflow,
    /// A timestamp or duration left its range.
    OutOfRange,
    /// A map has no entry for the key.
    NoSuchKey,
    /// An object has no such field, or an optional field is absent.
    NoSuchField,
    /// A list index is negative or past the end.
    IndexOutOfBounds,
    /// No overload of a function accepts the runtime argument types.
    NoSuchOverload,
    /// An argument has the right type but an unusable value (a bad regex, time zone, format…).
    InvalidArgument,
    /// A conversion failed (`int("x")`).
    Conversion,
    /// A map literal repeats a key.
    RepeatedKey,
    /// A variable has no value in the activation.
    UnboundVariable,
    /// The evaluation cost budget is spent.
    CostLimitExceeded,
    /// Another limit of [`Limits`](crate::Limits) was reached: a value larger than
    /// `max_value_bytes`, more run-time regular expressions than `max_runtime_regexes`.
    LimitExceeded,
}

impl EvalErrorKind {
    /// Whether this is a limit of [`Limits`](crate::Limits) reached (the cost budget or
    /// another): an error that no other operand absorbs in a comprehension, and that `&&` and
    /// `||` report in preference to others.
    #[must_use]
    pub fn is_limit(self) -> bool {
        matches!(self, EvalErrorKind::CostLimitExceeded | EvalErrorKind::LimitExceeded)
    }
}

/// An error produced while evaluating: a kind and a message.
///
/// Errors are values in CEL: `false && error` is `false`. Boxed so that `Result<Value, _>` stays
/// the size of a value.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.message)]
pub struct EvalError(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: EvalErrorKind,
    message: String,
    /// Whether an operator or a function had no overload for the types of its operands (a
    /// [`EvalErrorKind::NoSuchOverload`] whose message names them): a comprehension says so
    /// about its condition. Not part of an error's identity: two errors with the same kind and
    /// message are equal.
    operand_types: bool,
}

impl PartialEq for Inner {
    fn eq(&self, other: &Inner) -> bool {
        self.kind == other.kind && self.message == other.message
    }
}

impl Eq for Inner {}

impl EvalError {
    /// An error of `kind` with `message`.
    #[must_use]
    pub fn new(kind: EvalErrorKind, message: impl Into<String>) -> Self {
        EvalError(Box::new(Inner { kind, message: message.into(), operand_types: false }))
    }

    /// A [`EvalErrorKind::NoSuchOverload`] error for operands of types that an operator or a
    /// function does not accept; `message` names the types.
    pub(crate) fn operand_types(message: impl Into<String>) -> Self {
        EvalError(Box::new(Inner {
            kind: EvalErrorKind::NoSuchOverload,
            message: message.into(),
            operand_types: true,
        }))
    }

    /// Whether this error is one of [`EvalError::operand_types`].
    pub(crate) fn is_operand_types(&self) -> bool {
        self.0.operand_types
    }

    /// `division by zero`.
    #[must_use]
    pub fn division_by_zero() -> Self {
        EvalError::new(EvalErrorKind::DivisionByZero, "division by zero")
    }

    /// `modulus by zero`.
    #[must_use]
    pub fn modulus_by_zero() -> Self {
        EvalError::new(EvalErrorKind::ModulusByZero, "modulus by zero")
    }

    /// `<what> overflow`, e.g. `int overflow`.
    #[must_use]
    pub fn overflow(what: &str) -> Self {
        EvalError::new(EvalErrorKind::Overflow, format!("{what} overflow"))
    }

    /// A value left its range.
    #[must_use]
    pub fn out_of_range(message: impl Into<String>) -> Self {
        EvalError::new(EvalErrorKind::OutOfRange, message)
    }

    /// `no such key: <key>`.
    #[must_use]
    pub fn no_such_key(key: impl fmt::Display) -> Self {
        EvalError::new(EvalErrorKind::NoSuchKey, format!("no such key: {key}"))
    }

    /// `no such field: <field>`.
    #[must_use]
    pub fn no_such_field(field: &str) -> Self {
        EvalError::new(EvalErrorKind::NoSuchField, format!("no such field: `{field}`"))
    }

    /// An overload error with a description of what was attempted.
    #[must_use]
    pub fn no_such_overload(message: impl Into<String>) -> Self {
        EvalError::new(EvalErrorKind::NoSuchOverload, message)
    }

    /// An invalid argument.
    #[must_use]
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        EvalError::new(EvalErrorKind::InvalidArgument, message)
    }

    /// A failed conversion.
    #[must_use]
    pub fn conversion(message: impl Into<String>) -> Self {
        EvalError::new(EvalErrorKind::Conversion, message)
    }

    /// The kind of error.
    #[must_use]
    pub fn kind(&self) -> EvalErrorKind {
        self.0.kind
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Debug for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EvalError({:?}: {})", self.0.kind, self.0.message)
    }
}
