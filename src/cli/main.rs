//! The `changeguard` command-line tool.
//!
//! This is the only place allowed to touch files, standard input and the clock.

mod expr;

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Decides whether a software change may be deployed.
#[derive(Parser)]
#[command(name = "changeguard", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile and evaluate one CEL expression and print its value.
    Expr(expr::ExprArgs),
}

/// Exit status for invalid input or usage.
pub(crate) const EXIT_INVALID: u8 = 2;

/// Reads a file, or standard input for `-`.
pub(crate) fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("error: cannot read `{path}`: {e}"))
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INVALID } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Expr(args) => expr::run(&args),
    }
}
