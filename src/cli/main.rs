//! The `changeguard` command-line tool.
//!
//! This is the only place allowed to touch files, standard input and the clock.

/// Writes to standard output, ignoring a closed pipe (`changeguard … | head` must not panic).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

mod assess;
mod check;
mod expr;

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Decides whether a software change may be deployed: risk, governance and blast radius.
#[derive(Parser)]
#[command(name = "changeguard", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Assess a change: exit 0 allow, 1 deny, 3 needs approval, 2 invalid input.
    Assess(assess::AssessArgs),
    /// Load policies and print every diagnostic: exit 0 without errors, 2 otherwise.
    Check(check::CheckArgs),
    /// Run the `[[test]]` cases of policies: exit 0 when all pass, 1 otherwise.
    Test(check::TestArgs),
    /// Compile and evaluate one CEL expression and print its value.
    Expr(expr::ExprArgs),
    /// Policy utilities.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the built-in policy, to copy and adapt.
    Default,
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

/// The name to show for a path in diagnostics.
pub(crate) fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

#[allow(clippy::print_stdout)]
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
        Command::Assess(args) => assess::run(&args),
        Command::Check(args) => check::run_check(&args),
        Command::Test(args) => check::run_test(&args),
        Command::Expr(args) => expr::run(&args),
        Command::Policy { command: PolicyCommand::Default } => {
            out!("{}", changeguard::policy::WELL_ARCHITECTED_TOML);
            ExitCode::SUCCESS
        }
    }
}
