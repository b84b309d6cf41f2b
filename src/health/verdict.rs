//! What the judge answers: the decision, each metric's classification and statistics, the
//! score and the reasons.

use serde::Serialize;

/// What to do with the rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// The canary is as healthy as the baseline: go on to the next step.
    Promote,
    /// Not enough evidence yet: keep the canary at this step and judge again later.
    Continue,
    /// The canary is worse: roll it back.
    RollBack,
}

impl Decision {
    /// The name used in output (`promote`, `continue`, `roll_back`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Promote => "promote",
            Decision::Continue => "continue",
            Decision::RollBack => "roll_back",
        }
    }

    /// The CLI's exit code: 0 promote, 1 roll back, 3 continue.
    #[must_use]
    pub fn exit_code(self) -> i32 {
        match self {
            Decision::Promote => 0,
            Decision::RollBack => 1,
            Decision::Continue => 3,
        }
    }
}

/// How a metric compares with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Classification {
    /// No difference beyond the tolerance that the data can show.
    Pass,
    /// Significantly higher (or, for a spread check, more spread out) beyond the tolerance.
    High,
    /// Significantly lower beyond the tolerance.
    Low,
    /// Absent, empty, too few samples, or of the wrong kind.
    NoData,
}

impl Classification {
    /// The name used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Pass => "pass",
            Classification::High => "high",
            Classification::Low => "low",
            Classification::NoData => "no_data",
        }
    }
}

/// The statistics behind one metric's classification.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MetricStats {
    /// Samples (continuous) or trials (count) on the baseline side, after outlier removal.
    pub baseline_n: u64,
    /// Samples or trials on the canary side.
    pub canary_n: u64,
    /// The baseline's median (continuous) or event rate (count).
    pub baseline_value: f64,
    /// The canary's median or event rate.
    pub canary_value: f64,
    /// The relative change of the canary against the baseline (0.38: 38% higher); for
    /// continuous metrics the Hodges-Lehmann shift over the baseline's scale.
    pub effect: f64,
    /// The confidence interval of `effect`, for continuous metrics.
    pub interval: Option<(f64, f64)>,
    /// The p-value of the location test (Mann-Whitney or Fisher, two-sided).
    pub pvalue: f64,
    /// The canary's spread over the baseline's (mean absolute deviation from the median),
    /// for continuous metrics.
    pub spread_ratio: Option<f64>,
    /// The p-value of the spread test (Brown-Forsythe).
    pub spread_pvalue: Option<f64>,
    /// Outliers removed from the baseline and the canary.
    pub outliers_removed: (usize, usize),
}

/// One metric's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts about a metric, each shown in the output"
)]
pub struct MetricVerdict {
    /// The metric's name.
    pub name: String,
    /// How it compares with the baseline.
    pub classification: Classification,
    /// Whether it counts against the canary (a change in its bad direction, or missing data
    /// under `missing = "fail"`).
    pub failed: bool,
    /// Whether it is critical.
    pub critical: bool,
    /// Whether it enters the score.
    pub scored: bool,
    /// Whether it keeps the rollout from being promoted (no data under `missing =
    /// "continue"`, or too few samples).
    pub blocks_promotion: bool,
    /// Its share of the score.
    pub weight: f64,
    /// The significance level used (1 − confidence).
    pub alpha: f64,
    /// The tolerance used.
    pub tolerance: f64,
    /// The samples or trials required per side.
    pub min_samples: u64,
    /// The statistics, when there were data to compare.
    pub stats: Option<MetricStats>,
    /// The verdict in words.
    pub reason: String,
}

/// The judgement of one set of observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Verdict {
    /// What to do.
    pub decision: Decision,
    /// The score from 0 to 100 (the weighted share of scored metrics that did not fail), or
    /// `None` when no metric could be scored.
    pub score: Option<f64>,
    /// The thresholds applied.
    pub pass_score: f64,
    /// The marginal threshold applied.
    pub marginal_score: f64,
    /// The confidence applied.
    pub confidence: f64,
    /// Each metric the policy names, in the policy's order.
    pub metrics: Vec<MetricVerdict>,
    /// Metrics in the observations that the policy does not name (not judged).
    pub unjudged: Vec<String>,
    /// Why the decision is what it is, most important first.
    pub reasons: Vec<String>,
    /// The practices the policy's `[health]` section cites.
    pub references: Vec<String>,
}
