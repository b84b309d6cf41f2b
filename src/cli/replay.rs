//! `changeguard replay`.

use std::process::ExitCode;

use changeguard::Limits;
use changeguard::replay::{ReplayReport, Replayer};

use crate::EXIT_INVALID;
use crate::assess::{Format, load, load_policy, load_topology};

/// Which transitions fail the run.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum FailOn {
    /// A decision became more permissive.
    Relaxed,
    /// A decision became stricter.
    Tightened,
    /// Any outcome changed.
    Any,
    /// Never.
    None,
}

impl FailOn {
    /// Whether `report` has a transition this setting fails on.
    pub(crate) fn matches(self, report: &ReplayReport) -> bool {
        match self {
            FailOn::Relaxed => report.relaxed() > 0,
            FailOn::Tightened => report.tightened() > 0,
            FailOn::Any => report.relaxed() + report.tightened() > 0,
            FailOn::None => false,
        }
    }
}

/// Arguments of `changeguard replay`.
#[derive(clap::Args)]
pub(crate) struct ReplayArgs {
    /// The new policy (TOML or JSON); the built-in policy when absent.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// The topology to decide over (JSON); empty when absent. Records assessed over another
    /// topology are counted and named.
    #[arg(long, value_name = "FILE")]
    topology: Option<String>,
    /// Which outcome changes make the exit status 1.
    #[arg(long, value_enum, default_value = "relaxed")]
    fail_on: FailOn,
    /// Stop with exit status 2 at the first malformed line.
    #[arg(long)]
    strict: bool,
    /// The most examples shown per transition.
    #[arg(long, value_name = "N", default_value_t = 3)]
    examples: usize,
    /// The files are JSON replay reports to merge, not records.
    #[arg(long)]
    merge: bool,
    /// Threads deciding records (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// How to print the report.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Decision records, one JSON line each (`-` for standard input); with `--merge`, reports.
    #[arg(value_name = "RECORDS", required = true)]
    records: Vec<String>,
}

/// Sets the number of rayon threads, once per process.
pub(crate) fn set_threads(threads: Option<usize>) {
    if let Some(n) = threads {
        // Only fails when a pool exists already: the default one is then used.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
}

/// Prints `report` in `format`.
pub(crate) fn print(report: &ReplayReport, format: Format) {
    match format {
        Format::Text => out!("{report}"),
        Format::Json => outln!("{}", report.to_json_pretty()),
        Format::Markdown => out!("{}", report.to_markdown()),
    }
}

#[allow(clippy::print_stderr)]
pub(crate) fn run(args: &ReplayArgs, limits: &Limits) -> ExitCode {
    if args.records.iter().filter(|p| *p == "-").count() > 1 {
        eprintln!("error: standard input (`-`) can be read only once");
        return ExitCode::from(EXIT_INVALID);
    }
    set_threads(args.threads);
    let report = if args.merge {
        match merge(&args.records, limits) {
            Ok(r) => r,
            Err(code) => return code,
        }
    } else {
        let (policy, topology) = match (
            load_policy(args.policy.as_deref(), limits),
            load_topology(args.topology.as_deref(), limits),
        ) {
            (Ok(p), Ok(t)) => (p, t),
            (Err(code), _) | (_, Err(code)) => return code,
        };
        let replayer = Replayer::new(&policy, &topology);
        let mut report = replayer.report(args.examples);
        if let Err(code) =
            crate::records::run(&args.records, limits, args.strict, &mut report, |report, at, r| {
                replayer.replay_into(report, at, &r);
            })
        {
            return code;
        }
        report
    };
    print(&report, args.format);
    if report.malformed.count > 0 {
        eprintln!(
            "error: {} malformed lines were not replayed (the report above counts and locates them)",
            report.malformed.count
        );
        return ExitCode::from(EXIT_INVALID);
    }
    ExitCode::from(u8::from(args.fail_on.matches(&report)))
}

/// The report of the union of the reports in `paths`.
#[allow(clippy::print_stderr)]
fn merge(paths: &[String], limits: &Limits) -> Result<ReplayReport, ExitCode> {
    let mut merged: Option<ReplayReport> = None;
    for path in paths {
        let report = load(path, limits, |t| {
            ReplayReport::from_json(t).map_err(|m| {
                changeguard::Diagnostics::single(changeguard::Diagnostic::error(
                    changeguard::DiagnosticKind::InvalidInput,
                    format!("not a replay report: {m}"),
                ))
            })
        })?;
        if report.format != changeguard::replay::REPORT_FORMAT {
            eprintln!(
                "error: `{}` is a report of format {}; this version reads format {}",
                crate::display_name(path),
                report.format,
                changeguard::replay::REPORT_FORMAT
            );
            return Err(ExitCode::from(EXIT_INVALID));
        }
        match &mut merged {
            None => merged = Some(report),
            Some(m) => m.merge(report).map_err(|e| {
                eprintln!("error: cannot merge `{}`: {e}", crate::display_name(path));
                ExitCode::from(EXIT_INVALID)
            })?,
        }
    }
    merged.ok_or_else(|| ExitCode::from(EXIT_INVALID))
}
