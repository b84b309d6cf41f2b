//! `changeguard test --coverage` and `--min-coverage`.

use changeguard::policy::Coverage;

use crate::test::FileRun;

/// The coverage options of `changeguard test`.
#[derive(clap::Args)]
pub(crate) struct CoverageArgs {
    /// Measure and print how much of each policy its tests exercise: every boolean operand
    /// seen true and false, every factor fired and not, every rule not applicable, satisfied
    /// and violated, every outcome reached (in JSON: each file's `coverage`).
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when a policy's coverage, truncated to a whole percentage, is below PCT.
    /// Implies `--coverage`.
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u32).range(0..=100))]
    min_coverage: Option<u32>,
}

impl CoverageArgs {
    /// Whether coverage is measured.
    pub(crate) fn wanted(&self) -> bool {
        self.coverage || self.min_coverage.is_some()
    }

    /// The coverage of each file that ran.
    fn each(runs: &[FileRun]) -> impl Iterator<Item = (&str, &Coverage)> {
        runs.iter().filter_map(|run| Some((run.name.as_str(), run.result.as_ref().ok()?.coverage.as_ref()?)))
    }

    fn is_below(&self, coverage: &Coverage) -> bool {
        self.min_coverage.is_some_and(|min| coverage.percent() < min)
    }

    /// Whether a file's coverage is below the minimum (said on standard error when `say`).
    #[allow(clippy::print_stderr)]
    pub(crate) fn below(&self, runs: &[FileRun], say: bool) -> bool {
        let mut below = false;
        for (name, coverage) in Self::each(runs) {
            if self.is_below(coverage) {
                if say {
                    let (percent, min) = (coverage.percent(), self.min_coverage.unwrap_or(0));
                    eprintln!("{name}: coverage {percent}% is below the minimum of {min}%");
                }
                below = true;
            }
        }
        below
    }

    /// Prints each file's coverage, and whether it is below the minimum.
    pub(crate) fn print(&self, runs: &[FileRun]) {
        for (name, coverage) in Self::each(runs) {
            out!("{name}: {}", coverage.render(Some(name)));
            if self.is_below(coverage) {
                let min = self.min_coverage.unwrap_or(0);
                outln!("{name}: coverage {}% is below the minimum of {min}%", coverage.percent());
            }
        }
    }
}
