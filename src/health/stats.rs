//! The statistics behind the health judge: two-sample tests on canary against baseline.
//!
//! Every function here is pure and total: it takes samples or counts, never panics, and
//! reports unusable input ([`StatsError`]) instead of returning NaN. The results agree with
//! SciPy to floating-point precision; `tests/health_stats.rs` compares them against
//! reference vectors that `scripts/health_vectors.py` produced with SciPy and NumPy.
//!
//! | question | function | reference |
//! |---|---|---|
//! | is one sample shifted against the other? | [`mann_whitney_u`] | `scipy.stats.mannwhitneyu` |
//! | by how much? | [`hodges_lehmann`], [`shift_interval`] | median of pairwise differences |
//! | did a rare event become more frequent? | [`fisher_exact`] | `scipy.stats.fisher_exact` |
//! | did the spread change? | [`brown_forsythe`] | `scipy.stats.levene(center="median")` |
//! | which samples are outliers? | [`iqr_outliers`] | Tukey fences on NumPy's quartiles |

use std::cmp::Ordering;

use statrs::distribution::{ContinuousCDF, FisherSnedecor};
use statrs::function::erf::erfc;
use statrs::function::factorial::ln_binomial;

/// Why a statistic could not be computed from the samples given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// One of the samples is empty.
    #[error("a sample is empty")]
    Empty,
    /// A sample holds NaN or an infinity.
    #[error("a sample holds a value that is not a finite number")]
    NotFinite,
    /// A count table is impossible (more events than trials).
    #[error("a count is larger than its total")]
    BadCounts,
}

/// Which direction of difference a test looks for, stated for the first sample against the
/// second (for the health judge: canary against baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Alternative {
    /// Any difference.
    TwoSided,
    /// The first sample is stochastically larger (a latency increase, more errors).
    Greater,
    /// The first sample is stochastically smaller.
    Less,
}

/// How the p-value of the Mann-Whitney test is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Exact when one sample has at most 8 values and no value is tied, as SciPy chooses;
    /// the normal approximation otherwise.
    Auto,
    /// The exact distribution of U. Ties are ignored, as SciPy does; samples too large for
    /// exact counts in 128 bits fall back to the normal approximation.
    Exact,
    /// The normal approximation with tie and continuity corrections.
    Asymptotic,
}

/// A test statistic with its p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct TestResult {
    /// The statistic: U of the first sample, the sample odds ratio, or the F statistic.
    pub statistic: f64,
    /// The probability, under the null hypothesis, of a result at least as extreme.
    pub pvalue: f64,
    /// Whether the p-value came from an exact distribution rather than an approximation.
    pub exact: bool,
}

fn check(sample: &[f64]) -> Result<(), StatsError> {
    if sample.is_empty() {
        return Err(StatsError::Empty);
    }
    if sample.iter().any(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite);
    }
    Ok(())
}

/// The upper tail of the standard normal distribution, `P(Z > z)`.
fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Average ranks (1-based) of `x` followed by `y`, and the sizes of the groups of tied values.
fn ranks(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<(f64, usize)> = x.iter().chain(y).copied().zip(0..).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; order.len()];
    let mut ties = Vec::new();
    let mut start = 0;
    for group in order.chunk_by(|a, b| a.0.total_cmp(&b.0) == Ordering::Equal) {
        let end = start + group.len();
        // Ranks start..end (0-based) share their mean, 1-based.
        let mean = (start + end + 1) as f64 / 2.0;
        for &(_, index) in group {
            if let Some(slot) = ranks.get_mut(index) {
                *slot = mean;
            }
        }
        if group.len() > 1 {
            ties.push(group.len());
        }
        start = end;
    }
    (ranks, ties)
}

/// The Mann-Whitney U test of `x` against `y`.
///
/// The statistic is U of `x`: the number of pairs in which the `x` value is larger, counting
/// ties as one half. [`Alternative::Greater`] asks whether `x` tends to be larger.
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample.
pub fn mann_whitney_u(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    method: Method,
) -> Result<TestResult, StatsError> {
    check(x)?;
    check(y)?;
    let (n1, n2) = (x.len(), y.len());
    let (ranks, ties) = ranks(x, y);
    let r1: f64 = ranks.iter().take(n1).sum();
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let (u, factor) = match alternative {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    let want_exact = match method {
        Method::Exact => true,
        Method::Asymptotic => false,
        Method::Auto => n1.min(n2) <= 8 && ties.is_empty(),
    };
    let exact = if want_exact { u_distribution(n1, n2).map(|counts| counts.sf(u)) } else { None };
    let (p, exact) = match exact {
        Some(p) => (p, true),
        None => (asymptotic_sf(u, n1, n2, &ties), false),
    };
    Ok(TestResult { statistic: u1, pvalue: (p * factor).clamp(0.0, 1.0), exact })
}

/// `P(U >= u)` under the normal approximation with tie and continuity corrections.
fn asymptotic_sf(u: f64, n1: usize, n2: usize, ties: &[usize]) -> f64 {
    let (f1, f2) = (n1 as f64, n2 as f64);
    let n = f1 + f2;
    let tie_term: f64 = ties
        .iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum();
    let variance = f1 * f2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if variance.is_nan() || variance <= 0.0 {
        // Every value is tied (or one value in all): the data say nothing.
        return 1.0;
    }
    let z = (u - f1 * f2 / 2.0 - 0.5) / variance.sqrt();
    normal_sf(z)
}

/// The exact null distribution of U for sample sizes `n1` and `n2`, as counts.
struct UCounts {
    counts: Vec<i128>,
    total: i128,
}

impl UCounts {
    /// `P(U >= u)`; a fractional `u` (from ties) is truncated, as SciPy does.
    fn sf(&self, u: f64) -> f64 {
        let from = if u <= 0.0 { 0 } else { u as usize };
        let above: i128 = self.counts.iter().skip(from).sum();
        above as f64 / self.total as f64
    }
}

/// Counts the arrangements of `n1` and `n2` values by their U, or `None` when the counts
/// would not fit in 128 bits.
///
/// The counts are the coefficients of the Gaussian binomial coefficient
/// `[n1 + n2 choose m]_q` with `m = min(n1, n2)`, built as the product over `i` of
/// `(1 - q^(M + i)) / (1 - q^i)`; after each factor the polynomial again has non-negative
/// integer coefficients, which keeps the arithmetic exact.
fn u_distribution(n1: usize, n2: usize) -> Option<UCounts> {
    let (m, big) = (n1.min(n2), n1.max(n2));
    // C(n, m) bounds every coefficient; keep it well inside i128.
    if ln_binomial((m + big) as u64, m as u64) > 80.0 {
        return None;
    }
    let len = m.checked_mul(big)?.checked_add(1)?;
    let mut poly = vec![0_i128; len];
    *poly.first_mut()? = 1;
    for i in 1..=m {
        // Multiply by (1 - q^(big + i)).
        let shift = big + i;
        for k in (shift..len).rev() {
            let lower = poly.get(k - shift).copied().unwrap_or(0);
            if let Some(c) = poly.get_mut(k) {
                *c -= lower;
            }
        }
        // Divide by (1 - q^i): a running sum with stride i.
        for k in i..len {
            let lower = poly.get(k - i).copied().unwrap_or(0);
            if let Some(c) = poly.get_mut(k) {
                *c += lower;
            }
        }
    }
    let total = poly.iter().sum();
    Some(UCounts { counts: poly, total })
}

/// The Hodges-Lehmann estimate of the shift of `canary` against `baseline`: the median of
/// all differences `canary[j] - baseline[i]`.
///
/// The `n1 n2` differences are never formed: order statistics are found by counting in the
/// sorted samples (see [`shift_estimate`]).
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample.
pub fn hodges_lehmann(baseline: &[f64], canary: &[f64]) -> Result<f64, StatsError> {
    Ok(Differences::new(baseline, canary)?.median())
}

/// The `rank`-th smallest (1-based, clamped to the valid range) of the differences
/// `canary[j] - baseline[i]`.
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample.
pub fn pairwise_difference(baseline: &[f64], canary: &[f64], rank: u64) -> Result<f64, StatsError> {
    let diffs = Differences::new(baseline, canary)?;
    Ok(diffs.order(rank.clamp(1, diffs.len())))
}

/// A distribution-free confidence interval for the shift of `canary` against `baseline`, at
/// `confidence` (for example 0.95): the order statistics of the pairwise differences that the
/// normal approximation of the Mann-Whitney distribution puts at each end.
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample.
pub fn shift_interval(baseline: &[f64], canary: &[f64], confidence: f64) -> Result<(f64, f64), StatsError> {
    let diffs = Differences::new(baseline, canary)?;
    Ok(diffs.interval(confidence))
}

/// A shift and its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Shift {
    /// The Hodges-Lehmann estimate.
    pub estimate: f64,
    /// The lower end of the interval.
    pub low: f64,
    /// The upper end of the interval.
    pub high: f64,
}

/// [`hodges_lehmann`] and [`shift_interval`] together, sorting the samples once.
///
/// Each order statistic of the differences is found by narrowing a band of candidates
/// between two pivots: the pivots are order statistics of a random sample of the band (with
/// a fixed seed, so results are reproducible), and their exact ranks are counted in
/// `O(n1 + n2)` by walking the sorted samples. A few rounds shrink a million candidates to a
/// few thousand, which are then selected directly.
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample.
pub fn shift_estimate(baseline: &[f64], canary: &[f64], confidence: f64) -> Result<Shift, StatsError> {
    let diffs = Differences::new(baseline, canary)?;
    let (low, high) = diffs.interval(confidence);
    Ok(Shift { estimate: diffs.median(), low, high })
}

/// The quantile of the standard normal distribution.
fn normal_quantile(p: f64) -> f64 {
    statrs::distribution::Normal::standard().inverse_cdf(p.clamp(1e-300, 1.0 - 1e-16))
}

/// Candidates few enough to select among directly.
const DIRECT: u64 = 4096;
/// Pivots are drawn from a sample of this many candidates.
const SAMPLE: usize = 512;

/// The matrix of differences `canary[i] - baseline_desc[j]`, ascending along rows and
/// columns, searched without being formed.
struct Differences {
    rows: Vec<f64>,
    cols: Vec<f64>,
}

impl Differences {
    fn new(baseline: &[f64], canary: &[f64]) -> Result<Self, StatsError> {
        check(baseline)?;
        check(canary)?;
        let mut rows = canary.to_vec();
        rows.sort_unstable_by(f64::total_cmp);
        let mut cols = baseline.to_vec();
        // Descending, so that canary - baseline ascends along each row.
        cols.sort_unstable_by(|a, b| b.total_cmp(a));
        Ok(Self { rows, cols })
    }

    fn len(&self) -> u64 {
        self.rows.len() as u64 * self.cols.len() as u64
    }

    fn at(&self, row: usize, col: usize) -> f64 {
        match (self.rows.get(row), self.cols.get(col)) {
            (Some(r), Some(c)) => r - c,
            _ => f64::NAN,
        }
    }

    fn median(&self) -> f64 {
        let n = self.len();
        if n % 2 == 1 {
            self.order(n / 2 + 1)
        } else {
            let pair = self.orders(n / 2, 2);
            let (lower, upper) = (pair.first().copied(), pair.get(1).copied());
            match (lower, upper) {
                (Some(l), Some(u)) => l + (u - l) / 2.0,
                _ => f64::NAN,
            }
        }
    }

    fn interval(&self, confidence: f64) -> (f64, f64) {
        let n = self.len();
        let (f1, f2) = (self.cols.len() as f64, self.rows.len() as f64);
        let alpha = (1.0 - confidence).clamp(1e-12, 1.0);
        let z = normal_quantile(1.0 - alpha / 2.0);
        let reach = z * (f1 * f2 * (f1 + f2 + 1.0) / 12.0).sqrt();
        let k = (f1 * f2 / 2.0 - reach).floor().max(1.0) as u64;
        let k = k.min(n.div_ceil(2));
        (self.order(k), self.order(n + 1 - k))
    }

    /// For each row, how many entries are below `pivot` (or at most `pivot` when
    /// `inclusive`), and their total. The counts fall as rows rise, so one staircase walk
    /// finds them all.
    fn count(&self, pivot: f64, inclusive: bool, per_row: &mut [usize]) -> u64 {
        let ncols = self.cols.len();
        let mut col = ncols;
        let mut total = 0_u64;
        for (row, slot) in per_row.iter_mut().enumerate() {
            // Rows ascend, so this row's count is at most the previous row's.
            while col > 0 {
                let value = self.at(row, col - 1);
                let inside = if inclusive { value <= pivot } else { value < pivot };
                if inside {
                    break;
                }
                col -= 1;
            }
            *slot = col;
            total += col as u64;
        }
        total
    }

    /// The `rank`-th smallest entry, 1-based; `rank` is within `1..=len`.
    fn order(&self, rank: u64) -> f64 {
        self.orders(rank, 1).first().copied().unwrap_or(f64::NAN)
    }

    /// The entries of ranks `first..first + count` (1-based, `count` small), in order.
    fn orders(&self, first: u64, count: u64) -> Vec<f64> {
        let last = first + count.max(1) - 1;
        let nrows = self.rows.len();
        let mut lo = vec![0_usize; nrows];
        let mut hi = vec![self.cols.len(); nrows];
        let mut below = vec![0_usize; nrows];
        let mut at_most = vec![0_usize; nrows];
        let mut prefix = vec![0_u64; nrows];
        let mut sample = Vec::with_capacity(SAMPLE);
        // A fixed seed: the same data always give the same pivots and the same work.
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64 ^ first.rotate_left(17) ^ self.len();
        loop {
            let mut candidates = 0_u64;
            for ((p, &l), &h) in prefix.iter_mut().zip(&lo).zip(&hi) {
                candidates += (h - l) as u64;
                *p = candidates;
            }
            let skipped: u64 = lo.iter().map(|&l| l as u64).sum();
            if candidates <= DIRECT {
                return self.select_in_band(&lo, &hi, first - skipped, last - skipped);
            }
            // Draw the sample, uniformly over the band.
            sample.clear();
            for _ in 0..SAMPLE {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let t = rng % candidates;
                let row = prefix.partition_point(|&p| p <= t);
                let before = row.checked_sub(1).and_then(|r| prefix.get(r)).copied().unwrap_or(0);
                let col = lo.get(row).copied().unwrap_or(0) + (t - before) as usize;
                sample.push(self.at(row, col));
            }
            // Pivots three standard deviations either side of where the targets fall.
            let s = SAMPLE as f64;
            let q_first = (first - skipped) as f64 / candidates as f64;
            let q_last = (last - skipped) as f64 / candidates as f64;
            let spread = |q: f64| 3.0 * (s * q * (1.0 - q)).sqrt() + 2.0;
            let low_index = (q_first * s - spread(q_first)).floor();
            let high_index = (q_last * s + spread(q_last)).ceil();
            let low_pivot = (low_index >= 0.0).then(|| pick(&mut sample, low_index as usize));
            let high_pivot = (high_index < s - 1.0).then(|| pick(&mut sample, high_index as usize));
            let n_below = match low_pivot {
                Some(p) => self.count(p, false, &mut below),
                None => {
                    below.fill(0);
                    0
                }
            };
            let n_at_most = match high_pivot {
                Some(p) => self.count(p, true, &mut at_most),
                None => {
                    at_most.fill(self.cols.len());
                    self.len()
                }
            };
            if let (Some(l), Some(h)) = (low_pivot, high_pivot)
                && l.total_cmp(&h) == Ordering::Equal
                && first > n_below
                && last <= n_at_most
            {
                // Every target equals the one pivot value.
                return vec![l; (last - first + 1) as usize];
            }
            let before_band = candidates;
            if last <= n_below {
                for (h, &b) in hi.iter_mut().zip(&below) {
                    *h = (*h).min(b);
                }
            } else if first > n_at_most {
                for (l, &a) in lo.iter_mut().zip(&at_most) {
                    *l = (*l).max(a);
                }
            } else if first > n_below && last <= n_at_most {
                for ((l, h), (&b, &a)) in lo.iter_mut().zip(hi.iter_mut()).zip(below.iter().zip(&at_most)) {
                    *l = (*l).max(b);
                    *h = (*h).min(a);
                }
            } else {
                // The targets straddle a pivot: keep the side that holds them all.
                if first > n_below {
                    for (l, &b) in lo.iter_mut().zip(&below) {
                        *l = (*l).max(b);
                    }
                }
                if last <= n_at_most {
                    for (h, &a) in hi.iter_mut().zip(&at_most) {
                        *h = (*h).min(a);
                    }
                }
            }
            for (h, l) in hi.iter_mut().zip(&lo) {
                *h = (*h).max(*l);
            }
            let after: u64 = lo.iter().zip(&hi).map(|(&l, &h)| (h - l) as u64).sum();
            if after >= before_band {
                // No progress (pathological ties): select among what is left.
                let skipped: u64 = lo.iter().map(|&l| l as u64).sum();
                return self.select_in_band(&lo, &hi, first - skipped, last - skipped);
            }
        }
    }

    /// The band's entries of ranks `first..=last` (1-based within the band).
    fn select_in_band(&self, lo: &[usize], hi: &[usize], first: u64, last: u64) -> Vec<f64> {
        let mut band: Vec<f64> = Vec::new();
        for (row, (&l, &h)) in lo.iter().zip(hi).enumerate() {
            band.extend((l..h).map(|col| self.at(row, col)));
        }
        let Some(max_index) = band.len().checked_sub(1) else {
            return Vec::new();
        };
        let start = (first.saturating_sub(1) as usize).min(max_index);
        let end = (last.saturating_sub(1) as usize).min(max_index);
        band.select_nth_unstable_by(start, f64::total_cmp);
        // The entries after `start` are all at least it; bring the next smallest forward one
        // at a time (the count is small).
        for k in start + 1..=end {
            let Some(rest) = band.get_mut(k..) else { break };
            let smallest = rest.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
            rest.swap(0, smallest);
        }
        band.get(start..=end).map(<[f64]>::to_vec).unwrap_or_default()
    }
}

/// The `index`-th smallest of `values` (which it reorders).
fn pick(values: &mut [f64], index: usize) -> f64 {
    let index = index.min(values.len().saturating_sub(1));
    if values.is_empty() {
        return f64::NAN;
    }
    let (_, v, _) = values.select_nth_unstable_by(index, f64::total_cmp);
    *v
}

/// Fisher's exact test on the 2×2 table `[[a, b], [c, d]]`, with SciPy's orientation:
/// [`Alternative::Greater`] asks whether the odds `a / b` exceed `c / d`.
///
/// For the health judge the first row is the canary (errors, successes) and the second the
/// baseline. The statistic is the sample odds ratio `(a d) / (b c)` (infinite when `b c` is
/// zero); a table with an empty row or column says nothing, and gives NaN with p = 1.
///
/// The tails are summed outward from the observed table, each term from the last by the
/// ratio of consecutive hypergeometric probabilities, until the terms no longer change the
/// sum; the work is proportional to the width of the distribution, not to the counts.
///
/// # Errors
/// Never for valid counts; [`StatsError::BadCounts`] is reserved for callers that build the
/// table from events and totals.
pub fn fisher_exact(table: [[u64; 2]; 2], alternative: Alternative) -> Result<TestResult, StatsError> {
    let [[a, b], [c, d]] = table;
    let row0 = a.checked_add(b).ok_or(StatsError::BadCounts)?;
    let row1 = c.checked_add(d).ok_or(StatsError::BadCounts)?;
    let col0 = a.checked_add(c).ok_or(StatsError::BadCounts)?;
    let col1 = b.checked_add(d).ok_or(StatsError::BadCounts)?;
    let total = row0.checked_add(row1).ok_or(StatsError::BadCounts)?;
    if row0 == 0 || row1 == 0 || col0 == 0 || col1 == 0 {
        return Ok(TestResult { statistic: f64::NAN, pvalue: 1.0, exact: true });
    }
    let statistic =
        if b == 0 || c == 0 { f64::INFINITY } else { (a as f64 * d as f64) / (b as f64 * c as f64) };
    let h = Hypergeometric { total, successes: row0, draws: col0 };
    let pvalue = match alternative {
        Alternative::Greater => h.upper_tail(a),
        Alternative::Less => h.lower_tail(a),
        Alternative::TwoSided => h.two_sided(a),
    };
    Ok(TestResult { statistic, pvalue: pvalue.clamp(0.0, 1.0), exact: true })
}

/// The hypergeometric distribution of the top-left cell of a 2×2 table with fixed margins.
struct Hypergeometric {
    total: u64,
    successes: u64,
    draws: u64,
}

impl Hypergeometric {
    fn low(&self) -> u64 {
        (self.draws + self.successes).saturating_sub(self.total)
    }

    fn high(&self) -> u64 {
        self.successes.min(self.draws)
    }

    fn mode(&self) -> u64 {
        let m = ((self.draws as f64 + 1.0) * (self.successes as f64 + 1.0) / (self.total as f64 + 2.0))
            .floor() as u64;
        m.clamp(self.low(), self.high())
    }

    fn ln_pmf(&self, k: u64) -> f64 {
        ln_binomial(self.successes, k) + ln_binomial(self.total - self.successes, self.draws - k)
            - ln_binomial(self.total, self.draws)
    }

    /// `pmf(k + 1) / pmf(k)`.
    fn ratio_up(&self, k: u64) -> f64 {
        let (s, n, t) = (self.successes as f64, self.draws as f64, self.total as f64);
        let k = k as f64;
        ((s - k) * (n - k)) / ((k + 1.0) * (t - s - n + k + 1.0))
    }

    /// Sums `pmf` from `k` away from the mode (upward when `up`), stopping when the terms
    /// no longer change the sum.
    fn tail_from(&self, k: u64, up: bool) -> f64 {
        let mut term = self.ln_pmf(k).exp();
        let mut sum = 0.0;
        let mut k = k;
        loop {
            sum += term;
            if term <= sum * 1e-17 || term == 0.0 {
                return sum;
            }
            if up {
                if k >= self.high() {
                    return sum;
                }
                term *= self.ratio_up(k);
                k += 1;
            } else {
                if k <= self.low() {
                    return sum;
                }
                term /= self.ratio_up(k - 1);
                k -= 1;
            }
        }
    }

    /// `P(K >= k)`.
    fn upper_tail(&self, k: u64) -> f64 {
        if k <= self.low() {
            1.0
        } else if k > self.mode() {
            self.tail_from(k, true)
        } else {
            1.0 - self.tail_from(k - 1, false)
        }
    }

    /// `P(K <= k)`.
    fn lower_tail(&self, k: u64) -> f64 {
        if k >= self.high() {
            1.0
        } else if k < self.mode() {
            self.tail_from(k, false)
        } else {
            1.0 - self.tail_from(k + 1, true)
        }
    }

    /// The probability of a table no more likely than the observed one.
    fn two_sided(&self, k: u64) -> f64 {
        let mode = self.mode();
        let observed = self.ln_pmf(k);
        let peak = self.ln_pmf(mode);
        // Tables within a relative 1e-7 of the observed probability count as equally extreme.
        let threshold = observed + 1e-7;
        if (peak - observed).abs() <= 1e-14 {
            return 1.0;
        }
        if k < mode {
            // The first table above the mode no more likely than the observed one.
            match self.first_at_most(mode, self.high(), threshold, true) {
                Some(other) => self.tail_from(k, false) + self.tail_from(other, true),
                None => self.tail_from(k, false),
            }
        } else {
            match self.first_at_most(self.low(), mode, threshold, false) {
                Some(other) => self.tail_from(k, true) + self.tail_from(other, false),
                None => self.tail_from(k, true),
            }
        }
    }

    /// On the side of the mode between `from` and `to`, the table closest to the mode whose
    /// log-probability is at most `threshold`; the probabilities are monotone there, so a
    /// binary search finds it.
    fn first_at_most(&self, from: u64, to: u64, threshold: f64, above_mode: bool) -> Option<u64> {
        if above_mode {
            // Decreasing on [from, to]: the smallest k with ln_pmf(k) <= threshold.
            if self.ln_pmf(to) > threshold {
                return None;
            }
            let (mut lo, mut hi) = (from, to);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.ln_pmf(mid) <= threshold {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            Some(lo)
        } else {
            // Increasing on [from, to]: the largest k with ln_pmf(k) <= threshold.
            if self.ln_pmf(from) > threshold {
                return None;
            }
            let (mut lo, mut hi) = (from, to);
            while lo < hi {
                let mid = lo + (hi - lo).div_ceil(2);
                if self.ln_pmf(mid) <= threshold {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            Some(lo)
        }
    }
}

/// The Brown-Forsythe test for equal spread: Levene's test on absolute deviations from each
/// sample's median, with its F distribution.
///
/// A canary with the baseline's median but twice its spread passes a rank test; this one
/// catches it. When neither sample varies at all, there is no evidence and p = 1.
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample, and
/// [`StatsError::Empty`] when there are fewer than three values in all.
pub fn brown_forsythe(x: &[f64], y: &[f64]) -> Result<TestResult, StatsError> {
    check(x)?;
    check(y)?;
    let n = x.len() + y.len();
    if n < 3 {
        return Err(StatsError::Empty);
    }
    let deviations = |sample: &[f64]| -> Vec<f64> {
        let centre = median(sample);
        sample.iter().map(|v| (v - centre).abs()).collect()
    };
    let (zx, zy) = (deviations(x), deviations(y));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mx, my) = (mean(&zx), mean(&zy));
    let grand = (zx.iter().sum::<f64>() + zy.iter().sum::<f64>()) / n as f64;
    let between = x.len() as f64 * (mx - grand).powi(2) + y.len() as f64 * (my - grand).powi(2);
    let within: f64 =
        zx.iter().map(|z| (z - mx).powi(2)).sum::<f64>() + zy.iter().map(|z| (z - my).powi(2)).sum::<f64>();
    let dof = (n - 2) as f64;
    if within.is_nan() || within <= 0.0 {
        let pvalue = if between > 0.0 { 0.0 } else { 1.0 };
        return Ok(TestResult {
            statistic: if between > 0.0 { f64::INFINITY } else { 0.0 },
            pvalue,
            exact: true,
        });
    }
    let statistic = dof * between / within;
    let pvalue = FisherSnedecor::new(1.0, dof).map_or(1.0, |f| f.sf(statistic));
    Ok(TestResult { statistic, pvalue: pvalue.clamp(0.0, 1.0), exact: true })
}

/// The median of a non-empty sample (the mean of the middle two for an even count).
fn median(sample: &[f64]) -> f64 {
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile_sorted(&sorted, 0.5)
}

/// The `q` quantile of sorted values, interpolating linearly between order statistics as
/// NumPy's default does; NaN for no values.
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let fraction = position - below as f64;
    let low = sorted.get(below).copied().unwrap_or(f64::NAN);
    let high = sorted.get((below + 1).min(last)).copied().unwrap_or(low);
    low + (high - low) * fraction
}

/// Splits `sample` into the values inside Tukey's fences (`k` interquartile ranges beyond
/// the quartiles; 1.5 is customary) and the outliers, each in their original order.
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample.
pub fn iqr_outliers(sample: &[f64], k: f64) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    check(sample)?;
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q1 = quantile_sorted(&sorted, 0.25);
    let q3 = quantile_sorted(&sorted, 0.75);
    let reach = k * (q3 - q1);
    let (low, high) = (q1 - reach, q3 + reach);
    Ok(sample.iter().copied().partition(|&v| v >= low && v <= high))
}
