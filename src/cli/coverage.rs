//! `changeguard test --coverage` and `--min-coverage`.

use changeguard::policy::Coverage;

/// The coverage options of `changeguard test`.
#[derive(clap::Args)]
pub(crate) struct CoverageArgs {
    /// Measure and print how much of each policy its tests exercise: every boolean operand
    /// seen true and false, every factor fired and not, every rule not applicable, satisfied
    /// and violated, every outcome reached.
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

    /// Whether `coverage` is below the minimum.
    pub(crate) fn below(&self, coverage: &Coverage) -> bool {
        self.min_coverage.is_some_and(|min| coverage.percent() < min)
    }

    /// Prints the coverage of the policy in file `name`; whether it is below the minimum.
    pub(crate) fn report(&self, name: &str, coverage: &Coverage) -> bool {
        out!("{name}: {}", coverage.render(Some(name)));
        match self.min_coverage {
            Some(min) if coverage.percent() < min => {
                outln!("{name}: coverage {}% is below the minimum of {min}%", coverage.percent());
                true
            }
            _ => false,
        }
    }
}
