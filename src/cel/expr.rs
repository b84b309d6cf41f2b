//! One expression, compiled and evaluated over JSON bindings: what `changeguard expr` does.

use serde_json::Value as Json;

use super::env::Env;
use super::json::from_json;
use super::types::Type;
use super::value::{EvalError, Value};
use crate::Limits;
use crate::diagnostic::Diagnostics;

/// The result of [`evaluate_expression`].
#[derive(Debug)]
pub enum ExprOutcome {
    /// The expression evaluated to this value.
    Value(Value<'static>),
    /// The expression compiled but evaluating it failed.
    EvalError(EvalError),
    /// The expression did not parse or check.
    CompileError(Diagnostics),
}

/// Compiles `source` with every binding declared as a `dyn` variable, then evaluates it.
///
/// With `checked == false` the type checker is skipped and the expression is evaluated
/// dynamically, as CEL allows.
#[must_use]
pub fn evaluate_expression(
    source: &str,
    bindings: &serde_json::Map<String, Json>,
    checked: bool,
    limits: &Limits,
) -> ExprOutcome {
    let mut env = Env::with_limits(limits.clone());
    let mut values = Vec::with_capacity(bindings.len());
    for (name, json) in bindings {
        env.declare(name.as_str(), Type::Dyn);
        values.push(from_json(json));
    }
    let program = if checked { env.compile(source) } else { env.compile_unchecked(source) };
    match program {
        Err(d) => ExprOutcome::CompileError(d),
        Ok(p) => match p.evaluate(&values) {
            Ok(v) => ExprOutcome::Value(v.to_owned_value()),
            Err(e) => ExprOutcome::EvalError(e),
        },
    }
}
