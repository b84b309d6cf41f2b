//! `changeguard test`: the `[[test]]` cases and `[[property]]` entries of policies and test
//! files, reported as text, JSON or JUnit XML.

use std::path::Path;
use std::process::ExitCode;

use changeguard::policy::{
    Coverage, PropertyResult, PropertyStatus, TestOptions, TestReport, test_file_policy,
};
use changeguard::{Limits, Policy};

use crate::{EXIT_INVALID, display_name, read_input};

mod junit;

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A line per case and property, counterexamples as `[[test]]` tables.
    Text,
    /// One JSON document.
    Json,
    /// JUnit XML: a suite per file, a case per test and property.
    Junit,
}

/// Arguments of `changeguard test`.
#[derive(clap::Args)]
pub(crate) struct TestArgs {
    /// Policy files and test files (TOML or JSON); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// The report's format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// How many inputs every property is checked on (overrides each property's `cases`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    cases: Option<u32>,
    /// The seed of the generated inputs: the same seed replays the same run.
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    coverage: crate::coverage::CoverageArgs,
}

/// One file's outcome: its report, or why it could not be run.
pub(crate) struct FileRun {
    pub(crate) name: String,
    pub(crate) result: Result<TestReport, String>,
    pub(crate) coverage: Option<Coverage>,
}

/// A report, with the coverage when it was measured.
type Measured = (TestReport, Option<Coverage>);

/// Loads `path` as a policy or a test file (whose `policy` is read relative to it) and runs it.
fn run_file(path: &str, limits: &Limits, options: &TestOptions, coverage: bool) -> Result<Measured, String> {
    let name = display_name(path);
    let text = read_input(path, limits.max_document_bytes)?;
    let target = test_file_policy(&text, limits).map_err(|d| d.render(Some(name), &text))?;
    let Some(target) = target else {
        let policy = Policy::from_text_with_limits(&text, limits).map_err(|d| d.render(Some(name), &text))?;
        if coverage {
            let (report, c) = policy.run_tests_with_coverage(options);
            return Ok((report, Some(c)));
        }
        return Ok((policy.run_tests(options), None));
    };
    let base = if path == "-" { Path::new(".") } else { Path::new(path).parent().unwrap_or(Path::new(".")) };
    let policy_path = base.join(&target);
    let policy_name = policy_path.display().to_string();
    let policy_text = read_input(&policy_name, limits.max_document_bytes)?;
    let policy = Policy::from_text_with_limits(&policy_text, limits)
        .map_err(|d| d.render(Some(&policy_name), &policy_text))?;
    let suite = policy.test_suite(&text).map_err(|d| d.render(Some(name), &text))?;
    if coverage {
        let (report, c) = suite.run_with_coverage(options);
        return Ok((report, Some(c)));
    }
    Ok((suite.run(options), None))
}

fn status_word(p: &PropertyResult) -> &'static str {
    match p.status {
        PropertyStatus::Held => "PASS",
        PropertyStatus::Weak => "WEAK",
        _ => "FAIL",
    }
}

fn print_text(runs: &[FileRun], args: &TestArgs) {
    for run in runs {
        let name = &run.name;
        let Ok(report) = &run.result else { continue };
        for case in &report.cases {
            if case.passed() {
                outln!("PASS {name}: {}", case.name);
            } else {
                outln!("FAIL {name}: {}", case.name);
                for m in &case.mismatches {
                    outln!("     {m}");
                }
            }
        }
        for p in &report.properties {
            outln!("{} {name}: property `{}`: {}", status_word(p), p.name, p.summary());
            if let Some(c) = &p.counterexample {
                outln!("{}", c.to_test_toml(&p.name, report.seed, p.cases));
            }
        }
        if let Some(coverage) = &run.coverage {
            args.coverage.report(name, coverage);
        }
    }
}

fn json(runs: &[FileRun], passed: usize, failed: usize) -> serde_json::Value {
    let files: Vec<serde_json::Value> = runs
        .iter()
        .map(|run| match &run.result {
            Err(e) => serde_json::json!({ "file": run.name, "error": e }),
            Ok(report) => serde_json::json!({
                "file": run.name,
                "seed": report.seed,
                "coverage": run.coverage.as_ref().map(|c| serde_json::json!({
                    "percent": c.percent(),
                    "covered": c.covered(),
                    "total": c.total(),
                    "uncovered": c.uncovered().map(changeguard::policy::Goal::describe).collect::<Vec<_>>(),
                })),
                "cases": report.cases.iter().map(|c| serde_json::json!({
                    "name": c.name,
                    "passed": c.passed(),
                    "outcome": c.outcome.as_str(),
                    "mismatches": c.mismatches,
                })).collect::<Vec<_>>(),
                "properties": report.properties.iter().map(|p| serde_json::json!({
                    "name": p.name,
                    "passed": p.passed(),
                    "status": p.status.as_str(),
                    "tried": p.tried,
                    "accepted": p.accepted,
                    "summary": p.summary(),
                    "counterexample": p.counterexample.as_ref().map(|c| {
                        let mut v = c.to_json_value();
                        if let Some(o) = v.as_object_mut() {
                            o.insert("outcome".into(), c.outcome.as_str().into());
                            o.insert("violations".into(), c.violations.clone().into());
                            o.insert("reason".into(), c.reason.clone().into());
                            o.insert("replay".into(), format!("--seed {} --cases {}", report.seed, p.cases).into());
                        }
                        v
                    }),
                })).collect::<Vec<_>>(),
            }),
        })
        .collect();
    serde_json::json!({ "files": files, "passed": passed, "failed": failed })
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub(crate) fn run(args: &TestArgs, limits: &Limits) -> ExitCode {
    let mut options = TestOptions::default().with_seed(args.seed);
    if let Some(n) = args.cases {
        options = options.with_cases(n);
    }
    let runs: Vec<FileRun> = args
        .files
        .iter()
        .map(|path| {
            let name = display_name(path).to_owned();
            match run_file(path, limits, &options, args.coverage.wanted()) {
                Ok((report, coverage)) => FileRun { name, result: Ok(report), coverage },
                Err(e) => FileRun { name, result: Err(e), coverage: None },
            }
        })
        .collect();
    let (mut passed, mut failed, mut invalid, mut below) = (0usize, 0usize, false, false);
    for run in &runs {
        match &run.result {
            Ok(report) => {
                passed += report.passed();
                failed += report.failed();
                if let Some(c) = &run.coverage
                    && args.coverage.below(c)
                {
                    below = true;
                    if args.format != Format::Text {
                        eprintln!("{}: coverage {}% is below the minimum", run.name, c.percent());
                    }
                }
            }
            Err(e) => {
                eprint!("{e}");
                if !e.ends_with('\n') {
                    eprintln!();
                }
                invalid = true;
            }
        }
    }
    let summary = format!("{passed} passed, {failed} failed");
    match args.format {
        Format::Text => {
            print_text(&runs, args);
            outln!("{summary}");
        }
        Format::Json => {
            outln!("{}", serde_json::to_string_pretty(&json(&runs, passed, failed)).unwrap_or_default());
            eprintln!("{summary}");
        }
        Format::Junit => {
            out!("{}", junit::render(&runs));
            eprintln!("{summary}");
        }
    }
    if invalid {
        ExitCode::from(EXIT_INVALID)
    } else if failed > 0 || below {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
