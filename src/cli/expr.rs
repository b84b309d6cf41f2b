//! `changeguard expr`.

use std::process::ExitCode;

use changeguard::Limits;
use changeguard::cel::{Canonical, ExprOutcome, evaluate_expression};

use crate::{EXIT_INVALID, read_input};

/// Arguments of `changeguard expr`.
#[derive(clap::Args)]
pub(crate) struct ExprArgs {
    /// Skip the type checker and evaluate dynamically.
    #[arg(long)]
    no_check: bool,
    /// A JSON object whose entries are bound as variables of type `dyn`.
    #[arg(long, value_name = "FILE")]
    bindings: Option<String>,
    /// The expression, or `-` to read it from standard input.
    #[arg(allow_hyphen_values = true)]
    expr: String,
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub(crate) fn run(args: &ExprArgs, limits: &Limits) -> ExitCode {
    let source = if args.expr == "-" {
        match read_input("-", limits.max_document_bytes) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(EXIT_INVALID);
            }
        }
    } else {
        args.expr.clone()
    };
    let bindings = match &args.bindings {
        None => serde_json::Map::new(),
        Some(path) => {
            let text = match read_input(path, limits.max_document_bytes) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(EXIT_INVALID);
                }
            };
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Object(map)) => map,
                Ok(_) => {
                    eprintln!("error: bindings in `{path}` must be a JSON object");
                    return ExitCode::from(EXIT_INVALID);
                }
                Err(e) => {
                    eprintln!(
                        "error: invalid JSON in `{path}` at line {}, column {}: {e}",
                        e.line(),
                        e.column()
                    );
                    return ExitCode::from(EXIT_INVALID);
                }
            }
        }
    };
    match evaluate_expression(&source, &bindings, !args.no_check, limits) {
        ExprOutcome::Value(v) => {
            outln!("{}", Canonical(&v));
            ExitCode::SUCCESS
        }
        ExprOutcome::EvalError(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        ExprOutcome::CompileError(d) => {
            eprint!("{}", d.render(None, &source));
            ExitCode::from(EXIT_INVALID)
        }
    }
}
