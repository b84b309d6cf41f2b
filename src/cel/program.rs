//! The compile driver (parse, check, lower) and the compiled program.

use std::sync::Arc;

use super::check;
use super::env::Env;
use super::eval::{Activation, Budget, Ctx};
use super::ir::Node;
use super::types::Type;
use super::value::{EvalError, Value};
use crate::diagnostic::{Diagnostic, Diagnostics};

impl Env {
    /// Parses, type-checks and compiles `source`.
    ///
    /// # Errors
    ///
    /// Every syntax and type error, each with a span into `source`.
    pub fn compile(&self, source: &str) -> Result<Program, Diagnostics> {
        self.compile_with(source, true)
    }

    /// Parses and compiles `source` without type checking: every expression is typed `dyn`
    /// and type errors surface when evaluating, as CEL allows. Names must still resolve.
    ///
    /// # Errors
    ///
    /// Every syntax error and unresolvable name.
    pub fn compile_unchecked(&self, source: &str) -> Result<Program, Diagnostics> {
        self.compile_with(source, false)
    }

    fn compile_with(&self, source: &str, checked: bool) -> Result<Program, Diagnostics> {
        let ast = super::syntax::parse(source, self.limits()).map_err(Diagnostics::new)?;
        self.compile_ast(&ast, checked).map_err(Diagnostics::new)
    }

    /// Compiles an already parsed expression.
    ///
    /// # Errors
    ///
    /// Every type error (when `checked`) and unresolvable name.
    pub(crate) fn compile_ast(
        &self,
        ast: &super::syntax::Expr,
        checked: bool,
    ) -> Result<Program, Vec<Diagnostic>> {
        let out = check::check(self, ast, checked);
        if out.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(out.diagnostics);
        }
        Ok(Program {
            root: out.node,
            result: out.ty,
            references: out.references.into(),
            limits: self.limits().clone(),
        })
    }
}

/// A compiled expression: immutable, `Send + Sync`, evaluated any number of times.
pub struct Program {
    root: Node,
    result: Type,
    references: Arc<[usize]>,
    limits: crate::Limits,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program").field("result", &self.result).finish_non_exhaustive()
    }
}

impl Program {
    /// The static type of the result (`dyn` when unchecked).
    #[must_use]
    pub fn result_type(&self) -> &Type {
        &self.result
    }

    /// The compiled tree.
    pub(crate) fn root(&self) -> &Node {
        &self.root
    }

    /// The slots of the variables and constants the expression refers to, sorted, distinct.
    #[must_use]
    pub fn references(&self) -> &[usize] {
        &self.references
    }

    /// The value, when the whole expression folded to a constant at compile time.
    #[must_use]
    pub fn constant(&self) -> Option<&Value<'static>> {
        self.root.as_const()
    }

    /// Evaluates the program with a fresh budget (the environment's limits).
    ///
    /// # Errors
    ///
    /// The evaluation error, when the expression evaluates to one.
    pub fn evaluate<'a>(&'a self, activation: &dyn Activation<'a>) -> Result<Value<'a>, EvalError> {
        let budget = Budget::with_limits(&self.limits);
        self.evaluate_with(activation, &budget)
    }

    /// Evaluates a condition: the program must give a bool (a value of another type is an
    /// evaluation error). Faster than [`Program::evaluate_with`] for conditions: common boolean
    /// shapes are evaluated without building values.
    ///
    /// # Errors
    ///
    /// The evaluation error, or a `no matching overload` error when the value is not a bool.
    pub(crate) fn evaluate_bool_with<'a>(
        &'a self,
        activation: &dyn Activation<'a>,
        budget: &Budget,
    ) -> Result<bool, EvalError> {
        let ctx = Ctx { activation, budget };
        self.root.eval_bool_as(&ctx, None, "condition")
    }

    /// Evaluates the program, spending from `budget` (share one budget across the
    /// evaluations that make up one decision).
    ///
    /// # Errors
    ///
    /// The evaluation error, when the expression evaluates to one.
    pub(crate) fn evaluate_with<'a>(
        &'a self,
        activation: &dyn Activation<'a>,
        budget: &Budget,
    ) -> Result<Value<'a>, EvalError> {
        let ctx = Ctx { activation, budget };
        self.root.eval(&ctx, None)
    }

    /// Appends the value to `out` as text for people (strings without quotes, lists as
    /// `a, b`, other values in canonical form), building no intermediate string for
    /// concatenations and `join`s: how policy messages are rendered.
    pub(crate) fn write_text_with<'a>(
        &'a self,
        activation: &dyn Activation<'a>,
        budget: &Budget,
        out: &mut String,
    ) -> Result<(), EvalError> {
        let ctx = Ctx { activation, budget };
        self.root.write_text(&ctx, None, out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cel::Type;

    /// Writing a message in place gives the text, the error and the cost that evaluating the
    /// value and then formatting it would. The expressions read variables, so nothing folds.
    #[test]
    fn text_written_in_place_matches_the_value() {
        let mut env = Env::new();
        env.declare("names", Type::List(Arc::new(Type::String)));
        env.declare("n", Type::Int);
        env.declare("d", Type::Dyn);
        let long = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(3);
        let bindings = vec![
            Value::list(vec![Value::str("x"), Value::str("y"), Value::str(&long)]),
            Value::Int(7),
            Value::list(vec![Value::str("x"), Value::Int(1)]),
        ];
        let mut compiled = 0;
        for source in [
            r#""a" + names[0] + string(n)"#,
            r#"names.join(", ")"#,
            r"names.join()",
            r#"names.filter(x, x == "none").join("-")"#,
            r"d.join(', ')",
            r#"n > 2 ? names.join(" ") : "no""#,
            r#"n < 2 ? "no" : names[1] + "!""#,
            r#"n / 0 > 1 ? "a" : "b""#,
            r"names",
            r"[n, n]",
            r"n",
            r"d",
            r#"names.map(x, x + "!").join(" ")"#,
            r#"names.map(x, x != "y", "<" + x + ">").join(", ")"#,
            r#"names.map(x, names.join("/") + x).join(";")"#,
            r#"names.map(x, x.size() < 5, "-").join()"#,
            r#"names.map(x, x + string(n / (n - 7))).join(" ")"#,
            r#""[" + names.join("/") + "] " + names.map(x, x + x).join(",")"#,
            r"-n * 1000000007",
            r"[-n, 0, n]",
        ] {
            let program = match env.compile(source) {
                Ok(p) => p,
                Err(e) => panic!("`{source}` does not compile: {e}"),
            };
            assert!(program.constant().is_none(), "`{source}` folded");
            compiled += 1;
            let budget_value = Budget::new(1000);
            let expected = program.evaluate_with(&bindings, &budget_value).map(|v| {
                let mut s = String::new();
                crate::cel::eval::write_plain(&v, &mut s);
                s
            });
            let budget_text = Budget::new(1000);
            let mut text = String::from("> ");
            let written = program.write_text_with(&bindings, &budget_text, &mut text);
            match (&expected, &written) {
                (Ok(e), Ok(())) => assert_eq!(text, format!("> {e}"), "{source}"),
                (Err(e), Err(w)) => assert_eq!(e.to_string(), w.to_string(), "{source}"),
                _ => panic!("`{source}`: value {expected:?}, text {written:?}"),
            }
            assert_eq!(budget_value.spent(), budget_text.spent(), "cost of `{source}`");
        }
        assert_eq!(compiled, 20);
    }
}
