//! The shift of one sample against another: the Hodges-Lehmann estimate and its interval,
//! from order statistics of the pairwise differences found without forming them.

use std::cmp::Ordering;

use statrs::distribution::ContinuousCDF;

use super::{StatsError, check};

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
