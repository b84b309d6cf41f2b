//! `changeguard assess`.

use std::process::ExitCode;

use changeguard::{Change, Context, Diagnostics, Limits, Outcome, Policy, Topology};

use crate::{EXIT_INVALID, display_name, read_input};

/// Output formats.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
}

/// Arguments of `changeguard assess`.
#[derive(clap::Args)]
pub(crate) struct AssessArgs {
    /// The policy (TOML or JSON); the built-in policy when absent.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// The change (JSON), or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    change: String,
    /// The service topology (JSON); empty when absent.
    #[arg(long, value_name = "FILE")]
    topology: Option<String>,
    /// The context (JSON); `now` is the current time when absent.
    #[arg(long, value_name = "FILE")]
    context: Option<String>,
    /// How to print the assessment.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Append the decision, with its inputs, as one JSON line to this file (created when
    /// absent): a log that `changeguard replay` reads.
    #[arg(long, value_name = "FILE")]
    record: Option<String>,
}

/// Reads and parses one input; on failure prints the diagnostics against the file's text.
#[allow(clippy::print_stderr)]
pub(crate) fn load<T>(
    path: &str,
    limits: &Limits,
    parse: impl Fn(&str) -> Result<T, Diagnostics>,
) -> Result<T, ExitCode> {
    let text = read_input(path, limits.max_document_bytes).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(EXIT_INVALID)
    })?;
    parse(&text).map_err(|d| {
        eprint!("{}", d.render(Some(display_name(path)), &text));
        ExitCode::from(EXIT_INVALID)
    })
}

/// Appends `line` and a newline to `path` in one write, creating the file when absent.
fn append_line(path: &str, line: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    file.write_all(&bytes)
}

/// The policy at `path`, or the built-in one when there is none.
pub(crate) fn load_policy(path: Option<&str>, limits: &Limits) -> Result<Policy, ExitCode> {
    path.map_or_else(
        || Ok(Policy::well_architected()),
        |path| load(path, limits, |t| Policy::from_text_with_limits(t, limits)),
    )
}

/// The topology at `path`, or the empty one when there is none.
pub(crate) fn load_topology(path: Option<&str>, limits: &Limits) -> Result<Topology, ExitCode> {
    path.map_or_else(
        || Ok(Topology::default()),
        |path| load(path, limits, |t| Topology::from_json_with_limits(t, limits)),
    )
}

fn now() -> changeguard::cel::Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    changeguard::cel::Timestamp::new(secs, 0).unwrap_or(changeguard::cel::Timestamp::UNIX_EPOCH)
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub(crate) fn run(args: &AssessArgs, limits: &Limits) -> ExitCode {
    let stdin_uses =
        [Some(&args.change), args.policy.as_ref(), args.topology.as_ref(), args.context.as_ref()]
            .iter()
            .filter(|p| p.is_some_and(|p| p == "-"))
            .count();
    if stdin_uses > 1 {
        eprintln!("error: only one input can be read from standard input (`-`)");
        return ExitCode::from(EXIT_INVALID);
    }
    let policy = match load_policy(args.policy.as_deref(), limits) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let change = match load(&args.change, limits, |t| Change::from_json_with_limits(t, limits)) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let topology = match load_topology(args.topology.as_deref(), limits) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let context = match &args.context {
        None => Context::new(now()),
        Some(path) => match load(path, limits, |t| Context::from_json_with_limits(t, limits)) {
            Ok(c) => c,
            Err(code) => return code,
        },
    };
    let assessment = policy.assess(&change, &topology, &context);
    if let Some(path) = &args.record {
        let digest = changeguard::replay::topology_digest(&topology);
        let record =
            changeguard::replay::DecisionRecord::new(&policy, digest, change, context, &assessment, now());
        if let Err(e) = append_line(path, &record.to_json_line()) {
            eprintln!("error: cannot write the record to `{path}`: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    }
    match args.format {
        Format::Text => out!("{assessment}"),
        Format::Json => outln!("{}", assessment.to_json_pretty()),
        Format::Markdown => out!("{}", assessment.to_markdown()),
    }
    ExitCode::from(match assessment.outcome {
        Outcome::Allow => 0,
        Outcome::Deny => 1,
        Outcome::NeedsApproval => 3,
    })
}
