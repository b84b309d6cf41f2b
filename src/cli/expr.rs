//! `changeguard expr`.

use std::process::ExitCode;

use changeguard::Limits;
use changeguard::cel::{Canonical, ExprOutcome, evaluate_expression};

use crate::{EXIT_INVALID, read_input};

/// The most text `changeguard expr` prints for a value: 16 MiB. A value whose canonical text
/// is longer (a list holding one long string many times, say) is refused, exit status 1.
pub(crate) const MAX_OUTPUT_BYTES: usize = 16 << 20;

/// Arguments of `changeguard expr`. The value is printed only when its text is at most
/// 16 MiB; a longer one is an error (exit status 1).
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

/// The canonical text of `v` when it is at most `max` bytes long; `None` as soon as it grows
/// longer (the rest is not formatted).
fn bounded_text(v: &changeguard::cel::Value<'_>, max: usize) -> Option<String> {
    use std::fmt::Write as _;
    let mut out = Bounded { text: String::new(), max };
    write!(out, "{}", Canonical(v)).ok().map(|()| out.text)
}

/// A string that refuses to grow past `max` bytes.
struct Bounded {
    text: String,
    max: usize,
}

impl std::fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.text.len().saturating_add(s.len()) > self.max {
            return Err(std::fmt::Error);
        }
        self.text.push_str(s);
        Ok(())
    }
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
        ExprOutcome::Value(v) => match bounded_text(&v, MAX_OUTPUT_BYTES) {
            Some(text) => {
                outln!("{text}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!(
                    "error: the value is too large to print: its text is longer than {MAX_OUTPUT_BYTES} bytes"
                );
                ExitCode::from(1)
            }
        },
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
