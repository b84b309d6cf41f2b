//! What the judge is told by the policy: the metrics to watch and the thresholds to apply.

/// What a metric's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetricKind {
    /// Samples of a continuous quantity (latency, CPU): compared by rank (Mann-Whitney), by
    /// shift (Hodges-Lehmann) and by spread (Brown-Forsythe).
    Continuous,
    /// Events out of a total (errors out of requests): compared exactly (Fisher).
    Count,
}

impl MetricKind {
    /// The name as written in policies and output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Continuous => "continuous",
            MetricKind::Count => "count",
        }
    }
}

/// Which direction of change is bad for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// Higher values are worse (latency, errors).
    Increase,
    /// Lower values are worse (throughput, cache hit rate).
    Decrease,
    /// Any change is bad.
    Either,
}

impl Direction {
    /// The name as written in policies and output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
            Direction::Either => "either",
        }
    }
}

/// What an absent or empty metric means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Missing {
    /// Not enough evidence yet: the rollout continues, and cannot be promoted.
    Continue,
    /// The metric counts as failed (and, when critical, rolls back).
    Fail,
    /// The metric is left out of the score; the rollout may be promoted without it.
    Ignore,
}

impl Missing {
    /// The name as written in policies and output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::Continue => "continue",
            Missing::Fail => "fail",
            Missing::Ignore => "ignore",
        }
    }
}

/// One metric the judge compares between canary and baseline.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetricSpec {
    /// The metric's name, as keyed in the observations.
    pub name: String,
    /// Samples or counts.
    pub kind: MetricKind,
    /// Which change is bad.
    pub bad: Direction,
    /// A failed critical metric rolls the change back whatever the score.
    pub critical: bool,
    /// The metric's share of the score, relative to the others' (default 1).
    pub weight: f64,
    /// The relative change that is acceptable (0.10: up to 10% worse passes), for the shift
    /// of continuous metrics, the rate of count metrics and the spread.
    pub tolerance: f64,
    /// The fewest samples per side (continuous) or trials per side (count) for a verdict.
    pub min_samples: u64,
    /// What an absent or empty metric means.
    pub missing: Missing,
}

impl MetricSpec {
    /// A metric with the defaults: `bad = increase`, not critical, weight 1, tolerance 0,
    /// `min_samples` 10 for samples and 100 for counts, `missing = continue`.
    #[must_use]
    pub fn new(name: impl Into<String>, kind: MetricKind) -> Self {
        MetricSpec {
            name: name.into(),
            kind,
            bad: Direction::Increase,
            critical: false,
            weight: 1.0,
            tolerance: 0.0,
            min_samples: match kind {
                MetricKind::Continuous => 10,
                MetricKind::Count => 100,
            },
            missing: Missing::Continue,
        }
    }

    /// Sets which change is bad.
    #[must_use]
    pub fn bad(mut self, bad: Direction) -> Self {
        self.bad = bad;
        self
    }

    /// Makes the metric critical (or not).
    #[must_use]
    pub fn critical(mut self, critical: bool) -> Self {
        self.critical = critical;
        self
    }

    /// Sets the acceptable relative change.
    #[must_use]
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Sets the fewest samples (or trials) per side.
    #[must_use]
    pub fn min_samples(mut self, min_samples: u64) -> Self {
        self.min_samples = min_samples;
        self
    }

    /// Sets what an absent metric means.
    #[must_use]
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Sets the weight.
    #[must_use]
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }
}

/// The thresholds of one judgement.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Thresholds {
    /// The score (0–100) at or above which the canary is promoted.
    pub pass_score: f64,
    /// The score below which the canary is rolled back; between the two, the rollout
    /// continues.
    pub marginal_score: f64,
    /// The confidence of each test (0.98: a difference is significant at p < 0.02).
    pub confidence: f64,
    /// Multiplies every metric's `min_samples` (at least 1): riskier changes need more
    /// evidence.
    pub min_samples_factor: f64,
    /// Whether IQR outliers are removed from continuous samples before comparing.
    pub remove_outliers: bool,
}

impl Default for Thresholds {
    /// Kayenta's defaults: pass at 95, roll back under 75, 98% confidence.
    fn default() -> Self {
        Thresholds {
            pass_score: 95.0,
            marginal_score: 75.0,
            confidence: 0.98,
            min_samples_factor: 1.0,
            remove_outliers: false,
        }
    }
}

impl Thresholds {
    /// Sets the pass and marginal scores.
    #[must_use]
    pub fn scores(mut self, pass: f64, marginal: f64) -> Self {
        self.pass_score = pass;
        self.marginal_score = marginal;
        self
    }

    /// Sets the confidence.
    #[must_use]
    pub fn confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }

    /// Sets the sample multiplier.
    #[must_use]
    pub fn min_samples_factor(mut self, factor: f64) -> Self {
        self.min_samples_factor = factor;
        self
    }

    /// Turns outlier removal on or off.
    #[must_use]
    pub fn remove_outliers(mut self, on: bool) -> Self {
        self.remove_outliers = on;
        self
    }
}
