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
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub(crate) fn run_check(args: &CheckArgs, limits: &Limits) -> ExitCode {
    let mut failed = false;
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
            Err(d) => {
                failed = true;
                eprint!("{}", d.render(Some(name), &text));
                let errors = d.errors().count();
                outln!("{name}: {errors} error(s), {} warning(s)", d.items().len() - errors);
            }
        }
    }
    if failed { ExitCode::from(EXIT_INVALID) } else { ExitCode::SUCCESS }
}
