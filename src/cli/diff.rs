//! `changeguard diff`.

use std::process::ExitCode;

use changeguard::replay::{DEFAULT_INPUTS, DiffReport, Replayer, search};
use changeguard::{Limits, Policy};

use crate::assess::{Format, load, load_topology};

/// Arguments of `changeguard diff`.
#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The old policy (TOML or JSON).
    #[arg(value_name = "OLD")]
    old: String,
    /// The new policy (TOML or JSON).
    #[arg(value_name = "NEW")]
    new: String,
    /// Decision records whose inputs both policies decide (`-` for standard input); takes every
    /// file that follows, so give OLD and NEW first.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    records: Vec<String>,
    /// The topology to decide over (JSON); empty when absent.
    #[arg(long, value_name = "FILE")]
    topology: Option<String>,
    /// How many generated inputs to search (0: none).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_INPUTS)]
    generate: u32,
    /// The seed of the generator.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The most examples shown per transition over records.
    #[arg(long, value_name = "N", default_value_t = 3)]
    examples: usize,
    /// Stop with exit status 2 at the first malformed record line.
    #[arg(long)]
    strict: bool,
    /// Threads deciding records (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// How to print the report.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[allow(clippy::print_stderr)]
pub(crate) fn run(args: &DiffArgs, limits: &Limits) -> ExitCode {
    crate::replay::set_threads(args.threads);
    let read = |path: &str| load(path, limits, |t| Policy::from_text_with_limits(t, limits));
    let (old, new) = match (read(&args.old), read(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let topology = match load_topology(args.topology.as_deref(), limits) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut report = DiffReport::new(&old, &new);
    if !args.records.is_empty() {
        let replayer = Replayer::new(&new, &topology);
        let mut over_records = replayer.report(args.examples);
        let count = |report: &mut changeguard::replay::ReplayReport,
                     at: &changeguard::replay::Location,
                     r: changeguard::replay::DecisionRecord| {
            report.add(at.clone(), replayer.decide_both(&old, &r.change, &r.context));
        };
        if let Err(code) = crate::records::run(&args.records, limits, args.strict, &mut over_records, count) {
            return code;
        }
        report.records = Some(over_records);
    }
    if args.generate > 0 {
        report.generated =
            Some(search(&old, &new, args.topology.is_some().then_some(&topology), args.generate, args.seed));
    }
    match args.format {
        Format::Text => out!("{report}"),
        Format::Json => outln!("{}", report.to_json_pretty()),
        Format::Markdown => out!("{}", report.to_markdown()),
    }
    if report.records.as_ref().is_some_and(|r| r.malformed.count > 0) {
        eprintln!(
            "error: malformed record lines were not compared (the report above counts and locates them)"
        );
        return ExitCode::from(crate::EXIT_INVALID);
    }
    ExitCode::from(u8::from(report.differs()))
}
