//! The statistics behind the health judge: two-sample tests on canary against baseline.
//!
//! Every function here is pure and total: it takes samples or counts, never panics, and
//! reports unusable input ([`StatsError`]) instead of returning NaN. A sample's `-0.0` is
//! read as `0.0` (they are equal, and tie, as in SciPy): its sign must not move a rank. The results agree with
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

mod band;
mod fisher;
mod matrix;
mod select;
mod shift;

pub use fisher::fisher_exact;
pub(crate) use select::sorted;
pub(crate) use shift::shift_estimate_sorted;
pub use shift::{Shift, hodges_lehmann, pairwise_difference, shift_estimate, shift_interval};

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

pub(crate) fn check(sample: &[f64]) -> Result<(), StatsError> {
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

/// The sum of the average ranks (1-based) of the values of `x` among those of `x` and `y`,
/// and the sizes of the groups of tied values, from the two sorted samples.
///
/// Ranks are halves of integers and their sums stay far below 2^52, so the sum is exact
/// whatever the order of addition.
fn rank_sum_sorted(x: &[f64], y: &[f64]) -> (f64, Vec<usize>) {
    match below_without_ties(x, y) {
        // Without ties, the rank of `x[i]` is `i + 1` plus the number of `y` values below it.
        Some(below) => {
            let n = x.len() as u64;
            ((n * (n + 1) / 2 + below) as f64, Vec::new())
        }
        None => rank_sum_with_ties(x, y),
    }
}

/// How many pairs have the `y` value below the `x` value, or `None` when a value occurs
/// more than once in the two samples.
///
/// The samples are merged by a walk over `x` that steps over four `y` values at a time
/// without a branch; the four quarters of `x` are walked side by side, each from where its
/// first value falls among `y`, so that the processor overlaps them.
fn below_without_ties(x: &[f64], y: &[f64]) -> Option<u64> {
    let repeats =
        |s: &[f64]| s.windows(2).any(|w| w.first().map(|v| v.to_bits()) == w.get(1).map(|v| v.to_bits()));
    if repeats(x) || repeats(y) {
        return None;
    }
    let ky: Vec<i64> = y.iter().map(|&v| select::key(v)).collect();
    // Four quarters of equal length (the first `x.len() % 4` values are walked on their own).
    let (head, body) = x.split_at(x.len() % 4);
    let quarter = body.len() / 4;
    let (a, rest) = body.split_at(quarter);
    let (b, rest) = rest.split_at(quarter);
    let (c, d) = rest.split_at(quarter);
    let start = |q: &[f64]| q.first().map_or(0, |&v| ky.partition_point(|&k| k < select::key(v)));
    let mut walks = [start(a), start(b), start(c), start(d)];
    let (mut below, mut tied) = (0_u64, false);
    let mut visit = |walk: &mut usize, v: f64| {
        let kx = select::key(v);
        *walk = skip_below(&ky, *walk, kx);
        tied |= ky.get(*walk) == Some(&kx);
        below += *walk as u64;
    };
    let mut first = 0;
    for &v in head {
        visit(&mut first, v);
    }
    for (((&va, &vb), &vc), &vd) in a.iter().zip(b).zip(c).zip(d) {
        let [wa, wb, wc, wd] = &mut walks;
        visit(wa, va);
        visit(wb, vb);
        visit(wc, vc);
        visit(wd, vd);
    }
    (!tied).then_some(below)
}

/// The index of the first of the ascending `keys`, from `at` on, that is not below `bound`.
#[inline]
fn skip_below(keys: &[i64], mut at: usize, bound: i64) -> usize {
    loop {
        if let Some(&[a, b, c, d]) = keys.get(at..at + 4) {
            let step = usize::from(a < bound)
                + usize::from(b < bound)
                + usize::from(c < bound)
                + usize::from(d < bound);
            at += step;
            if step < 4 {
                return at;
            }
        } else {
            while keys.get(at).is_some_and(|&k| k < bound) {
                at += 1;
            }
            return at;
        }
    }
}

/// [`rank_sum_sorted`] for samples with ties: a walk over the groups of equal values.
fn rank_sum_with_ties(x: &[f64], y: &[f64]) -> (f64, Vec<usize>) {
    let (mut rest_x, mut rest_y) = (x, y);
    let (mut sum, mut ties, mut start) = (0.0, Vec::new(), 0_usize);
    loop {
        let value = match (rest_x.first(), rest_y.first()) {
            (Some(a), Some(b)) => {
                if a.total_cmp(b) == Ordering::Greater {
                    *b
                } else {
                    *a
                }
            }
            (Some(a), None) => *a,
            (None, Some(b)) => *b,
            (None, None) => break,
        };
        let equal = |v: &f64| v.total_cmp(&value) == Ordering::Equal;
        let (in_x, in_y) =
            (rest_x.iter().take_while(|v| equal(v)).count(), rest_y.iter().take_while(|v| equal(v)).count());
        let size = in_x + in_y;
        // Ranks start + 1 ..= start + size share their mean.
        sum += (2 * start + size + 1) as f64 / 2.0 * in_x as f64;
        if size > 1 {
            ties.push(size);
        }
        start += size;
        rest_x = rest_x.get(in_x..).unwrap_or_default();
        rest_y = rest_y.get(in_y..).unwrap_or_default();
    }
    (sum, ties)
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
    Ok(mann_whitney_sorted(&sorted(x), &sorted(y), alternative, method))
}

/// [`mann_whitney_u`] on samples already checked and sorted in the total order.
pub(crate) fn mann_whitney_sorted(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    method: Method,
) -> TestResult {
    let (n1, n2) = (x.len(), y.len());
    let (r1, ties) = rank_sum_sorted(x, y);
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
    TestResult { statistic: u1, pvalue: (p * factor).clamp(0.0, 1.0), exact }
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
    let (cx, cy) = (median(x), median(y));
    brown_forsythe_centred(x, y, (cx, deviation_sum(x, cx)), (cy, deviation_sum(y, cy)))
}

/// [`brown_forsythe`] on checked samples, each given with its median and the sum of its
/// absolute deviations from it ([`deviation_sum`]).
pub(crate) fn brown_forsythe_centred(
    x: &[f64],
    y: &[f64],
    (centre_x, sx): (f64, f64),
    (centre_y, sy): (f64, f64),
) -> Result<TestResult, StatsError> {
    if x.len() + y.len() < 3 {
        return Err(StatsError::Empty);
    }
    if let Some(result) = brown_forsythe_f(x, y, (centre_x, sx), (centre_y, sy)) {
        return Ok(result);
    }
    // The deviations, their sums or their squares overflowed (values near `f64::MAX`). The
    // statistic is the same when every value is scaled by one factor, so the samples are
    // scaled down by a power of two until nothing can overflow.
    let largest = x.iter().chain(y).fold(centre_x.abs().max(centre_y.abs()), |m, v| m.max(v.abs()));
    let exponent = (largest.log2().ceil() as i32 + 2).clamp(0, 1000);
    let factor = 2.0_f64.powi(-exponent);
    let (xs, ys): (Vec<f64>, Vec<f64>) =
        (x.iter().map(|v| v * factor).collect(), y.iter().map(|v| v * factor).collect());
    let (cx, cy) = (centre_x * factor, centre_y * factor);
    brown_forsythe_f(&xs, &ys, (cx, deviation_sum(&xs, cx)), (cy, deviation_sum(&ys, cy)))
        .ok_or(StatsError::NotFinite)
}

/// The Brown-Forsythe F test from the samples' centres and deviation sums, or `None` when a
/// sum of squares is not a finite number.
fn brown_forsythe_f(
    x: &[f64],
    y: &[f64],
    (centre_x, sx): (f64, f64),
    (centre_y, sy): (f64, f64),
) -> Option<TestResult> {
    let n = x.len() + y.len();
    // The absolute deviations are recomputed rather than stored: no allocation.
    let (mx, my) = (sx / x.len() as f64, sy / y.len() as f64);
    let grand = (sx + sy) / n as f64;
    let between = x.len() as f64 * (mx - grand).powi(2) + y.len() as f64 * (my - grand).powi(2);
    let within: f64 = deviations(x, centre_x).map(|z| (z - mx).powi(2)).sum::<f64>()
        + deviations(y, centre_y).map(|z| (z - my).powi(2)).sum::<f64>();
    if !(between.is_finite() && within.is_finite()) {
        return None;
    }
    let dof = (n - 2) as f64;
    if within <= 0.0 {
        let pvalue = if between > 0.0 { 0.0 } else { 1.0 };
        return Some(TestResult {
            statistic: if between > 0.0 { f64::INFINITY } else { 0.0 },
            pvalue,
            exact: true,
        });
    }
    let statistic = dof * between / within;
    if statistic.is_nan() || statistic < 0.0 {
        return None;
    }
    let pvalue = if statistic.is_infinite() {
        0.0
    } else {
        FisherSnedecor::new(1.0, dof).map_or(1.0, |f| f.sf(statistic))
    };
    Some(TestResult { statistic, pvalue: pvalue.clamp(0.0, 1.0), exact: true })
}

/// The sum of the absolute deviations of `sample` from `centre`.
pub(crate) fn deviation_sum(sample: &[f64], centre: f64) -> f64 {
    deviations(sample, centre).sum()
}

/// The absolute deviations of `sample` from `centre`.
fn deviations(sample: &[f64], centre: f64) -> impl Iterator<Item = f64> + '_ {
    sample.iter().map(move |v| (v - centre).abs())
}

/// The median of a non-empty sample (the mean of the middle two for an even count).
fn median(sample: &[f64]) -> f64 {
    quantile_sorted(&sorted(sample), 0.5)
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
    let sorted = sorted(sample);
    let q1 = quantile_sorted(&sorted, 0.25);
    let q3 = quantile_sorted(&sorted, 0.75);
    let reach = k * (q3 - q1);
    let (low, high) = (q1 - reach, q3 + reach);
    Ok(sample.iter().copied().partition(|&v| v >= low && v <= high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merge_walk_without_ties_agrees_with_the_walk_over_tied_groups() {
        // A linear congruential generator: distinct values, both signs.
        let mut state = 0x1234_5678_u64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / f64::from(1 << 20) - 4e6
        };
        for (n, m) in [(1, 1), (1, 9), (9, 1), (7, 300), (501, 499), (1000, 1000)] {
            let x = sorted(&(0..n).map(|_| next()).collect::<Vec<f64>>());
            let y = sorted(&(0..m).map(|_| next()).collect::<Vec<f64>>());
            assert!(below_without_ties(&x, &y).is_some(), "{n} {m}");
            assert_eq!(rank_sum_sorted(&x, &y), rank_sum_with_ties(&x, &y), "{n} {m}");
        }
    }

    #[test]
    fn a_repeated_value_sends_the_rank_sum_to_the_walk_over_tied_groups() {
        let (x, y) = ([1.0, 2.0, 3.0], [0.5, 2.0, 4.0]);
        assert_eq!(below_without_ties(&x, &y), None);
        assert_eq!(rank_sum_sorted(&x, &y), (2.0 + 3.5 + 5.0, vec![2]));
        assert_eq!(below_without_ties(&[1.0, 1.0], &[2.0]), None);
        assert_eq!(below_without_ties(&[1.0], &[2.0, 2.0]), None);
        // `-0.0` and `0.0` are different values in the total order.
        assert_eq!(below_without_ties(&[0.0], &[-0.0]), Some(1));
    }
}
