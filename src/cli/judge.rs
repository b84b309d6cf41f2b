//! `changeguard judge`.

use std::process::ExitCode;

use changeguard::health::{Observations, plot_svg};
use changeguard::policy::RiskLevel;
use changeguard::{Limits, Policy};

use crate::assess::{Format, load};
use crate::{EXIT_INVALID, display_name};

/// Arguments of `changeguard judge`.
#[derive(clap::Args)]
pub(crate) struct JudgeArgs {
    /// The policy (TOML or JSON) whose `[health]` section judges; the built-in policy when
    /// absent.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// The observations (JSON): each metric's baseline and canary samples or counts; `-` for
    /// standard input.
    #[arg(long, value_name = "FILE")]
    observations: String,
    /// The change's assessed risk level, which selects `[health.risk.<level>]` thresholds.
    #[arg(long, value_name = "LEVEL", value_parser = ["low", "medium", "high", "critical"])]
    risk: Option<String>,
    /// How to print the verdict.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also draw each metric, baseline against canary, with its verdict, as SVG.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
}

fn risk(name: Option<&str>) -> Option<RiskLevel> {
    match name? {
        "low" => Some(RiskLevel::Low),
        "medium" => Some(RiskLevel::Medium),
        "high" => Some(RiskLevel::High),
        "critical" => Some(RiskLevel::Critical),
        _ => None,
    }
}

/// Judges the observations: exit 0 promote, 1 roll back, 3 continue, 2 invalid input.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub(crate) fn run(args: &JudgeArgs, limits: &Limits) -> ExitCode {
    if args.policy.as_deref() == Some("-") && args.observations == "-" {
        eprintln!("error: only one input can be read from standard input (`-`)");
        return ExitCode::from(EXIT_INVALID);
    }
    let policy = match &args.policy {
        None => Policy::well_architected(),
        Some(path) => match load(path, limits, |t| Policy::from_text_with_limits(t, limits)) {
            Ok(p) => p,
            Err(code) => return code,
        },
    };
    let observations =
        match load(&args.observations, limits, |t| Observations::from_json_with_limits(t, limits)) {
            Ok(o) => o,
            Err(code) => return code,
        };
    let verdict = policy.judge(&observations, risk(args.risk.as_deref()));
    if let Some(path) = &args.plot
        && let Err(e) = std::fs::write(path, plot_svg(&verdict, &observations))
    {
        eprintln!("error: cannot write `{}`: {e}", display_name(path));
        return ExitCode::from(EXIT_INVALID);
    }
    match args.format {
        Format::Text => print!("{}", verdict.to_text()),
        Format::Markdown => print!("{}", verdict.to_markdown()),
        Format::Json => match serde_json::to_string_pretty(&verdict) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("error: cannot write the verdict as JSON: {e}");
                return ExitCode::from(EXIT_INVALID);
            }
        },
    }
    ExitCode::from(u8::try_from(verdict.decision.exit_code()).unwrap_or(EXIT_INVALID))
}
