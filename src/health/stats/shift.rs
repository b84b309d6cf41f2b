//! The shift of one sample against another: the Hodges-Lehmann estimate and its interval,
//! from order statistics of the pairwise differences found without forming them.

use std::borrow::Cow;

use statrs::distribution::ContinuousCDF;

use super::matrix::Matrix;
use super::{StatsError, check, sorted};

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
/// The three order statistics of the differences (the median and the interval's ends) are
/// found in one search: estimates from a thinned copy of the matrix of differences, exact
/// counts in `O(n1 + n2)` around them, and a direct selection among the few thousand
/// candidates left (see the `matrix` module).
///
/// # Errors
/// [`StatsError::Empty`] or [`StatsError::NotFinite`] for an unusable sample.
pub fn shift_estimate(baseline: &[f64], canary: &[f64], confidence: f64) -> Result<Shift, StatsError> {
    Ok(Differences::new(baseline, canary)?.shift(confidence))
}

/// [`shift_estimate`] on samples already checked and sorted in the total order.
pub(crate) fn shift_estimate_sorted(baseline: &[f64], canary: &[f64], confidence: f64) -> Shift {
    let diffs = Differences { rows: Cow::Borrowed(canary), cols: baseline.iter().rev().copied().collect() };
    diffs.shift(confidence)
}

/// The quantile of the standard normal distribution.
fn normal_quantile(p: f64) -> f64 {
    statrs::distribution::Normal::standard().inverse_cdf(p.clamp(1e-300, 1.0 - 1e-16))
}

/// The pairwise differences `canary[j] - baseline[i]`, held as a sorted matrix
/// ([`Matrix`]): the canary ascending along rows, the baseline descending along columns.
struct Differences<'a> {
    /// The canary, borrowed when it came sorted.
    rows: Cow<'a, [f64]>,
    cols: Vec<f64>,
}

impl Differences<'_> {
    fn new(baseline: &[f64], canary: &[f64]) -> Result<Self, StatsError> {
        check(baseline)?;
        check(canary)?;
        let rows = sorted(canary);
        let mut cols = sorted(baseline);
        // Descending, so that canary - baseline ascends along each row.
        cols.reverse();
        Ok(Self { rows: Cow::Owned(rows), cols })
    }

    fn matrix(&self) -> Matrix<'_> {
        Matrix::new(&self.rows, &self.cols)
    }

    fn len(&self) -> u64 {
        self.matrix().len()
    }

    /// The ranks of the median: one rank, or the two middle ones.
    fn median_ranks(&self) -> (u64, u64) {
        let n = self.len();
        if n % 2 == 1 { (n / 2 + 1, n / 2 + 1) } else { (n / 2, n / 2 + 1) }
    }

    /// The ranks of the interval's ends at `confidence`.
    fn interval_ranks(&self, confidence: f64) -> (u64, u64) {
        let n = self.len();
        let (f1, f2) = (self.cols.len() as f64, self.rows.len() as f64);
        let alpha = (1.0 - confidence).clamp(1e-12, 1.0);
        let z = normal_quantile(1.0 - alpha / 2.0);
        let reach = z * (f1 * f2 * (f1 + f2 + 1.0) / 12.0).sqrt();
        let k = (f1 * f2 / 2.0 - reach).floor().max(1.0) as u64;
        let k = k.min(n.div_ceil(2));
        (k, n + 1 - k)
    }

    /// The entries of the given ranks (1-based, each within `1..=len`, in any order, repeats
    /// allowed), in the order asked, found in one search.
    fn orders<const N: usize>(&self, ranks: [u64; N]) -> [f64; N] {
        let mut unique = ranks.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let values = self.matrix().select(&unique);
        ranks.map(|r| unique.binary_search(&r).ok().and_then(|i| values.get(i)).copied().unwrap_or(f64::NAN))
    }

    fn order(&self, rank: u64) -> f64 {
        let [v] = self.orders([rank]);
        v
    }

    fn median(&self) -> f64 {
        let (m1, m2) = self.median_ranks();
        let [l, u] = self.orders([m1, m2]);
        midpoint(m1 == m2, l, u)
    }

    fn interval(&self, confidence: f64) -> (f64, f64) {
        let (k1, k2) = self.interval_ranks(confidence);
        let [low, high] = self.orders([k1, k2]);
        (low, high)
    }

    fn shift(&self, confidence: f64) -> Shift {
        let (m1, m2) = self.median_ranks();
        let (k1, k2) = self.interval_ranks(confidence);
        let [low, l, u, high] = self.orders([k1, m1, m2, k2]);
        Shift { estimate: midpoint(m1 == m2, l, u), low, high }
    }
}

/// The middle of the two middle order statistics, or the one when `single`.
fn midpoint(single: bool, l: f64, u: f64) -> f64 {
    if single { l } else { l + (u - l) / 2.0 }
}
