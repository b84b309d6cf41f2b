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

mod analyze;
mod assess;
mod check;
mod coverage;
mod diff;
mod expr;
mod judge;
mod lines;
mod records;
mod replay;
mod test;

use std::io::Read as _;
use std::process::ExitCode;

use changeguard::Limits;
use clap::{Parser, Subcommand};

/// Decides whether a software change may be deployed: risk, governance and blast radius.
#[derive(Parser)]
#[command(name = "changeguard", version, about, long_about = None)]
struct Cli {
    /// The largest input file or standard input read, in bytes (change, context, topology,
    /// bindings and policies; a policy is also bounded by its own limit of 1 MiB). Reading
    /// stops one byte past it.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = Limits::default().max_document_bytes)]
    max_input_bytes: usize,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// The library's limits, with the input sizes this command line asks for.
    fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        limits.max_document_bytes = self.max_input_bytes;
        limits.max_policy_bytes = limits.max_policy_bytes.min(self.max_input_bytes);
        limits
    }
}

#[derive(Subcommand)]
enum Command {
    /// Assess a change: exit 0 allow, 1 deny, 3 needs approval, 2 invalid input.
    Assess(assess::AssessArgs),
    /// Load policies and print every diagnostic (and, with `--analyze`, the findings of the
    /// analysis): exit 0 without errors, 2 otherwise.
    Check(check::CheckArgs),
    /// Run the `[[test]]` cases and `[[property]]` entries of policies and test files: exit 0
    /// when all pass, 1 when one fails, 2 when a file does not load.
    Test(test::TestArgs),
    /// Judge a rollout step from canary and baseline metrics: exit 0 promote, 1 roll back,
    /// 3 continue, 2 invalid input.
    Judge(judge::JudgeArgs),
    /// Compile and evaluate one CEL expression and print its value: exit 0, 1 evaluation
    /// error, 2 syntax or type error.
    Expr(expr::ExprArgs),
    /// Decide recorded decisions again with a new policy and report what changes: exit 0 when
    /// nothing matches `--fail-on`, 1 when something does, 2 on invalid input or malformed
    /// lines.
    Replay(replay::ReplayArgs),
    /// Compare two policies: their text, and their decisions over records and generated
    /// inputs. Exit 0 when nothing differs, 1 when something does, 2 on invalid input.
    Diff(diff::DiffArgs),
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

/// Reads a file, or standard input for `-`, as UTF-8 text of at most `limit` bytes.
///
/// Reading stops one byte past the limit, so that `/dev/zero` or an endless pipe ends with an
/// error instead of filling memory.
pub(crate) fn read_input(path: &str, limit: usize) -> Result<String, String> {
    let name = display_name(path);
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("error: cannot read `{path}`: {e}"))?;
        file.take(cap).read_to_end(&mut bytes)
    };
    read.map_err(|e| format!("error: cannot read `{name}`: {e}"))?;
    if bytes.len() > limit {
        return Err(format!(
            "error: limit exceeded: `{name}` is larger than {limit} bytes\n\
             help: raise `--max-input-bytes` if this input is legitimate"
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("error: cannot read `{name}`: {e}"))
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
    let limits = cli.limits();
    match cli.command {
        Command::Assess(args) => assess::run(&args, &limits),
        Command::Check(args) => check::run_check(&args, &limits),
        Command::Test(args) => test::run(&args, &limits),
        Command::Expr(args) => expr::run(&args, &limits),
        Command::Judge(args) => judge::run(&args, &limits),
        Command::Replay(args) => replay::run(&args, &limits),
        Command::Diff(args) => diff::run(&args, &limits),
        Command::Policy { command: PolicyCommand::Default } => {
            out!("{}", changeguard::policy::WELL_ARCHITECTED_TOML);
            ExitCode::SUCCESS
        }
    }
}
