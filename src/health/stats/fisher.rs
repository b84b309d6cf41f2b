//! Fisher's exact test on a 2×2 table of counts.

use statrs::function::factorial::ln_binomial;

use super::{Alternative, StatsError, TestResult};

/// Fisher's exact test on the 2×2 table `[[a, b], [c, d]]`, with SciPy's orientation:
/// [`Alternative::Greater`] asks whether the odds `a / b` exceed `c / d`.
///
/// For the health judge the first row is the canary (errors, successes) and the second the
/// baseline. The statistic is the sample odds ratio `(a d) / (b c)` (infinite when `b c` is
/// zero); a table with an empty row or column says nothing, and gives NaN with p = 1.
///
/// The tails are summed outward from the observed table, each term from the last by the
/// ratio of consecutive hypergeometric probabilities, until the terms no longer change the
/// sum; the work is proportional to the width of the distribution, not to the counts. When
/// that width (the cell's standard deviation) passes 1 000, as with millions of trials on
/// each side and a rate far from zero, the p-value comes from the normal approximation with a
/// continuity correction instead (`exact` is then `false`): bounded work, and no loss of
/// precision with counts up to `u64::MAX`.
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
    if let Some(sd) = h.sd().filter(|&sd| sd > NORMAL_SD) {
        return Ok(TestResult { statistic, pvalue: h.normal(a, sd, alternative), exact: false });
    }
    let pvalue = match alternative {
        Alternative::Greater => h.upper_tail(a),
        Alternative::Less => h.lower_tail(a),
        Alternative::TwoSided => h.two_sided(a),
    };
    Ok(TestResult { statistic, pvalue: pvalue.clamp(0.0, 1.0), exact: true })
}

/// Past this standard deviation of the top-left cell, the p-value comes from the normal
/// approximation: the exact sums would take time in proportion to it (a few million terms
/// for a billion trials a side), and their log-probabilities lose precision once the counts
/// pass about 10^13, while the approximation's error is far below anything a decision sees.
const NORMAL_SD: f64 = 1000.0;

/// The hypergeometric distribution of the top-left cell of a 2×2 table with fixed margins.
struct Hypergeometric {
    total: u64,
    successes: u64,
    draws: u64,
}

impl Hypergeometric {
    fn low(&self) -> u64 {
        // `draws + successes - total`, without overflowing (`successes <= total`).
        self.draws.saturating_sub(self.total - self.successes)
    }

    fn high(&self) -> u64 {
        self.successes.min(self.draws)
    }

    fn mode(&self) -> u64 {
        let m = ((self.draws as f64 + 1.0) * (self.successes as f64 + 1.0) / (self.total as f64 + 2.0))
            .floor() as u64;
        m.clamp(self.low(), self.high())
    }

    /// The standard deviation of the cell, or `None` for a total too small to have one.
    fn sd(&self) -> Option<f64> {
        let (t, s, n) = (self.total as f64, self.successes as f64, self.draws as f64);
        let variance = (n * (s / t)) * ((t - s) / t) * ((t - n) / (t - 1.0));
        (t > 1.0 && variance.is_finite() && variance >= 0.0).then(|| variance.sqrt())
    }

    /// The p-value of `k` by the normal approximation with a continuity correction; the
    /// two-sided one is twice the smaller tail.
    fn normal(&self, k: u64, sd: f64, alternative: Alternative) -> f64 {
        let mean = self.draws as f64 * (self.successes as f64 / self.total as f64);
        let k = k as f64;
        let upper = super::normal_sf((k - 0.5 - mean) / sd);
        let lower = super::normal_sf((mean - k - 0.5) / sd);
        let p = match alternative {
            Alternative::Greater => upper,
            Alternative::Less => lower,
            Alternative::TwoSided => 2.0 * upper.min(lower),
        };
        if p.is_nan() { 1.0 } else { p.clamp(0.0, 1.0) }
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
