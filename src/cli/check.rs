//! `changeguard check`.

use std::process::ExitCode;

use changeguard::diagnostic::render_all;
use changeguard::{Limits, Policy};

use crate::{EXIT_INVALID, display_name, read_input};

/// Arguments of `changeguard check`.
#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Policy files (TOML or JSON); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    analyze: crate::analyze::AnalyzeArgs,
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub(crate) fn run_check(args: &CheckArgs, limits: &Limits) -> ExitCode {
    let mut failed = false;
    let mut json = Vec::new();
    for path in &args.files {
        let name = display_name(path);
        let text = match read_input(path, limits.max_document_bytes) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
        };
        match Policy::from_text_with_limits(&text, limits) {
            Ok(policy) => {
                if !policy.warnings().is_empty() {
                    eprint!("{}", render_all(policy.warnings(), Some(name), &text));
                }
                if !args.analyze.json() {
                    outln!(
                        "{name}: ok: policy `{}` {}, {} rules, {} risk factors, {} tests, {} warnings",
                        policy.name(),
                        policy.version(),
                        policy.rule_ids().count(),
                        policy.factor_ids().count(),
                        policy.test_count(),
                        policy.warnings().len()
                    );
                }
                args.analyze.run(name, &policy, &mut json);
            }
            Err(d) => {
                failed = true;
                eprint!("{}", d.render(Some(name), &text));
                let errors = d.errors().count();
                if !args.analyze.json() {
                    outln!("{name}: {errors} error(s), {} warning(s)", d.items().len() - errors);
                }
            }
        }
    }
    if args.analyze.json() {
        outln!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
    }
    if failed { ExitCode::from(EXIT_INVALID) } else { ExitCode::SUCCESS }
}
