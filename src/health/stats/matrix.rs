//! Order statistics of the pairwise differences of two sorted samples, found without forming
//! the differences.
//!
//! The differences `rows[r] - cols[c]`, with `rows` ascending and `cols` descending, form a
//! matrix that ascends along every row and every column. How many entries lie at or below a
//! value is counted in `O(rows + cols)` by a staircase walk. A thinned copy of the matrix
//! (every eighth row and column) is itself such a matrix, and its order statistics estimate
//! the full matrix's to within a few blocks: so the entries sought are first looked for,
//! recursively, in the thinned matrix. Two exact counts around each estimate leave a band of
//! a couple of thousand candidates; two more, where straight-line interpolation between the
//! band's ends puts the wanted ranks, leave a few hundred, which are selected directly (by
//! counting them into buckets of equal width). When an estimate misses (ties, strange
//! shapes), sampled pivots narrow the band until it is small; the answer is exact either
//! way, only the work differs. Every answer is an exact order statistic: estimates only
//! choose where to count.
//!
//! Entries are ordered by [`f64::total_cmp`] (so `-0.0` sorts before `0.0`). Plain float
//! comparisons agree with that order unless some entry is `-0.0`, which happens only when
//! `rows` holds `-0.0` and `cols` holds `0.0`; only then is the slower total order used.

use std::cmp::Ordering;

/// Matrices with at most this many entries are sorted outright.
const SMALL: u64 = 1024;
/// Bands with at most this many candidates are selected among directly.
const DIRECT: u64 = 4096;
/// Bands with at most this many candidates beyond the wanted ranks are not narrowed further
/// by interpolation.
const NARROW: u64 = 256;
/// Rounds of interpolated probes (two each) tried on a band.
const PROBES: usize = 1;
/// Sampled pivots are drawn from this many candidates.
const SAMPLE: usize = 512;
/// The thinned matrix keeps one row (and column) in this many, or in half as many when that
/// leaves it small enough to sort.
const STEP: usize = 8;
/// How far either side of an estimate (in units of the square root of the thinned matrix's
/// rows and columns, in its own ranks) the bracketing pivots are taken, for the two steps:
/// about three standard errors of the estimate, measured on log-normal samples. The coarser
/// step (a small matrix) misses more often and its bands are cheap, so it takes a wider one.
const MARGIN: [f64; 2] = [0.85, 1.2];

/// Entries `rows[r] - cols[c]`: `rows` ascending and `cols` descending in the total order.
pub(super) struct Matrix<'a> {
    rows: &'a [f64],
    cols: &'a [f64],
    /// Whether some entry may be `-0.0`, so that comparisons must use the total order.
    total: bool,
}

fn is_negative_zero(v: f64) -> bool {
    v.to_bits() == (-0.0_f64).to_bits()
}

fn le<const TOTAL: bool>(a: f64, b: f64) -> bool {
    if TOTAL { a.total_cmp(&b) != Ordering::Greater } else { a <= b }
}

fn lt<const TOTAL: bool>(a: f64, b: f64) -> bool {
    if TOTAL { a.total_cmp(&b) == Ordering::Less } else { a < b }
}

/// One value from each block of `step` (all of them when there are few): the upper middle
/// one, or the lower middle one when `lower`. Taking the upper middle of the ascending rows
/// and the lower middle of the descending columns keeps the thinned matrix's entries from
/// leaning to either side of the blocks they stand for.
fn thin(values: &[f64], step: usize, lower: bool) -> Vec<f64> {
    if values.len() < 2 * step {
        return values.to_vec();
    }
    let offset = if lower { step / 2 - 1 } else { step / 2 };
    values.iter().skip(offset).step_by(step).take(values.len() / step).copied().collect()
}

/// One end of a band: a value and how many entries are at most it.
type End = (f64, u64);

/// A run of wanted ranks close enough to share one band, with the ranks of the thinned
/// matrix's entries that bracket it (`None` past either end).
struct Group {
    /// Indices into the wanted ranks, `start..end`.
    start: usize,
    end: usize,
    low: Option<u64>,
    high: Option<u64>,
}

impl<'a> Matrix<'a> {
    /// The matrix of `rows[r] - cols[c]`; `rows` must ascend and `cols` descend in the total
    /// order.
    pub(super) fn new(rows: &'a [f64], cols: &'a [f64]) -> Self {
        let total = rows.iter().any(|&v| is_negative_zero(v)) && cols.iter().any(|&v| v.to_bits() == 0);
        Matrix { rows, cols, total }
    }

    pub(super) fn len(&self) -> u64 {
        self.rows.len() as u64 * self.cols.len() as u64
    }

    fn at(&self, row: usize, col: usize) -> f64 {
        match (self.rows.get(row), self.cols.get(col)) {
            (Some(r), Some(c)) => r - c,
            _ => f64::NAN,
        }
    }

    /// The entries of `ranks` (1-based, strictly ascending, each within `1..=len`), in order.
    pub(super) fn select(&self, ranks: &[u64]) -> Vec<f64> {
        let n = self.len();
        if n <= SMALL {
            let all: Vec<f64> = self.rows.iter().flat_map(|r| self.cols.iter().map(move |c| r - c)).collect();
            return pick_ranks(&all, ranks);
        }
        let step = if n / (STEP * STEP) as u64 > SMALL { STEP } else { STEP / 2 };
        let (grid_rows, grid_cols) = (thin(self.rows, step, false), thin(self.cols, step, true));
        let grid = Matrix { rows: &grid_rows, cols: &grid_cols, total: self.total };
        let g = grid.len();
        let scale = g as f64 / n as f64;
        let factor = if step == STEP { MARGIN[0] } else { MARGIN[1] };
        let margin = factor * ((grid_rows.len() + grid_cols.len()) as f64).sqrt() + 2.0;
        let mut groups: Vec<Group> = Vec::new();
        for (i, &rank) in ranks.iter().enumerate() {
            let centre = rank as f64 * scale;
            let low = (centre - margin).floor();
            let high = (centre + margin).ceil();
            let low = (low >= 1.0).then_some(low as u64);
            let high = (high <= g as f64).then_some(high as u64);
            match groups.last_mut() {
                Some(last) if last.high.is_none_or(|h| low.is_none_or(|l| l <= h)) => {
                    last.end = i + 1;
                    last.high = high;
                }
                _ => groups.push(Group { start: i, end: i + 1, low, high }),
            }
        }
        // The bracketing entries of every group, found together in the thinned matrix.
        let mut pivot_ranks: Vec<u64> = groups.iter().flat_map(|g| [g.low, g.high]).flatten().collect();
        pivot_ranks.sort_unstable();
        pivot_ranks.dedup();
        let pivots = grid.select(&pivot_ranks);
        let pivot = |rank: Option<u64>| {
            rank.and_then(|r| pivot_ranks.binary_search(&r).ok()).and_then(|i| pivots.get(i)).copied()
        };
        let mut out = Vec::with_capacity(ranks.len());
        let nrows = self.rows.len();
        let (mut lo, mut hi, mut counts) = (vec![0; nrows], vec![0; nrows], vec![0; nrows]);
        for group in &groups {
            let wanted = ranks.get(group.start..group.end).unwrap_or_default();
            self.bracket(wanted, [pivot(group.low), pivot(group.high)], [&mut lo, &mut hi, &mut counts]);
            out.extend(self.narrow(&mut lo, &mut hi, wanted));
        }
        out
    }

    /// Sets per-row bounds `lo..hi` of a band holding the `wanted` ranks, from exact counts
    /// at the given pivots (ascending; the whole matrix when they miss), then narrows it by
    /// probing where straight-line interpolation between the band's ends puts the wanted ranks.
    fn bracket(&self, wanted: &[u64], pivots: [Option<f64>; 2], [lo, hi, counts]: [&mut Vec<usize>; 3]) {
        let (first, last) = (wanted.first().copied().unwrap_or(1), wanted.last().copied().unwrap_or(1));
        lo.fill(0);
        hi.fill(self.cols.len());
        // The band's ends: a value with fewer than `first` entries at or below it, and one with
        // at least `last`.
        let (mut below, mut above): (Option<End>, Option<End>) = (None, None);
        let mut probe = |p: f64, lo: &mut Vec<usize>, hi: &mut Vec<usize>| {
            let c = self.count(p, true, counts);
            if c < first && below.is_none_or(|(_, b)| c > b) {
                // Everything up to `p` comes before the wanted ranks.
                std::mem::swap(lo, counts);
                below = Some((p, c));
            } else if c >= last && above.is_none_or(|(_, a)| c < a) {
                // Everything wanted is at most `p`.
                std::mem::swap(hi, counts);
                above = Some((p, c));
            }
            (below, above)
        };
        let mut ends = (None, None);
        for p in pivots.into_iter().flatten() {
            ends = probe(p, lo, hi);
        }
        for _ in 0..PROBES {
            let (Some((a, ca)), Some((b, cb))) = ends else { break };
            let excess = (cb - ca).saturating_sub(last - first);
            let width = b - a;
            if excess <= NARROW || !width.is_finite() {
                break;
            }
            // Aim an eighth of the excess outside the wanted ranks on either side.
            let pad = (excess / 8) as f64;
            let at = |rank: f64| a + width * ((rank - ca as f64) / (cb - ca) as f64).clamp(0.0, 1.0);
            for p in [at(first as f64 - pad), at(last as f64 + pad)] {
                if p > a && p < b {
                    // `+ 0.0` turns a `-0.0` into `0.0`, which plain comparisons order correctly.
                    ends = probe(p + 0.0, lo, hi);
                }
            }
            let narrowed = ends.0.zip(ends.1).map_or(u64::MAX, |((_, ca), (_, cb))| cb - ca);
            if narrowed * 2 > cb - ca {
                // Interpolation is not converging (ties, or a strange shape): leave the rest to
                // sampled pivots.
                break;
            }
        }
    }

    /// For each row, how many entries are below `pivot` (or at most `pivot` when
    /// `inclusive`), and their total. The counts fall as rows rise, so one staircase walk
    /// finds them all.
    fn count(&self, pivot: f64, inclusive: bool, per_row: &mut [usize]) -> u64 {
        match (self.total, inclusive) {
            (false, false) => self.count_by(per_row, |v| lt::<false>(v, pivot)),
            (false, true) => self.count_by(per_row, |v| le::<false>(v, pivot)),
            (true, false) => self.count_by(per_row, |v| lt::<true>(v, pivot)),
            (true, true) => self.count_by(per_row, |v| le::<true>(v, pivot)),
        }
    }

    fn count_by(&self, per_row: &mut [usize], inside: impl Fn(f64) -> bool) -> u64 {
        // The columns not yet ruled out for this row; rows ascend, so each row's count is at
        // most the previous row's.
        let mut open = self.cols;
        let mut total = 0_u64;
        for (slot, &r) in per_row.iter_mut().zip(self.rows) {
            while let [rest @ .., c] = open {
                if inside(r - c) {
                    break;
                }
                open = rest;
            }
            *slot = open.len();
            total += open.len() as u64;
        }
        total
    }

    /// The entries of `wanted` ranks (ascending, 1-based), which lie in the band `lo..hi` of
    /// each row, narrowed by sampled pivots until few candidates are left.
    fn narrow(&self, lo: &mut [usize], hi: &mut [usize], wanted: &[u64]) -> Vec<f64> {
        let (Some(&first), Some(&last)) = (wanted.first(), wanted.last()) else {
            return Vec::new();
        };
        let candidates: u64 = lo.iter().zip(hi.iter()).map(|(&l, &h)| h.saturating_sub(l) as u64).sum();
        if candidates <= DIRECT {
            let skipped: u64 = lo.iter().map(|&l| l as u64).sum();
            return self.select_in_band(lo, hi, wanted, skipped);
        }
        let nrows = self.rows.len();
        let mut below = vec![0_usize; nrows];
        let mut at_most = vec![0_usize; nrows];
        let mut prefix = vec![0_u64; nrows];
        let mut sample = Vec::with_capacity(SAMPLE);
        // A fixed seed: the same data always give the same pivots and the same work.
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64 ^ first.rotate_left(17) ^ self.len();
        loop {
            let mut candidates = 0_u64;
            for ((p, &l), &h) in prefix.iter_mut().zip(lo.iter()).zip(hi.iter()) {
                candidates += (h - l) as u64;
                *p = candidates;
            }
            let skipped: u64 = lo.iter().map(|&l| l as u64).sum();
            if candidates <= DIRECT {
                return self.select_in_band(lo, hi, wanted, skipped);
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
                return vec![l; wanted.len()];
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
            } else {
                // Keep the side of each pivot that holds every target.
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
            for (h, l) in hi.iter_mut().zip(lo.iter()) {
                *h = (*h).max(*l);
            }
            let after: u64 = lo.iter().zip(hi.iter()).map(|(&l, &h)| (h - l) as u64).sum();
            if after >= before_band {
                // No progress (pathological ties): select among what is left.
                let skipped: u64 = lo.iter().map(|&l| l as u64).sum();
                return self.select_in_band(lo, hi, wanted, skipped);
            }
        }
    }

    /// The band's entries of the `wanted` ranks, `skipped` entries lying before the band.
    fn select_in_band(&self, lo: &[usize], hi: &[usize], wanted: &[u64], skipped: u64) -> Vec<f64> {
        let mut band: Vec<i64> = Vec::with_capacity(DIRECT as usize);
        for ((&l, &h), &r) in lo.iter().zip(hi).zip(self.rows) {
            band.extend(self.cols.get(l..h).unwrap_or_default().iter().map(|c| key(r - c)));
        }
        let within: Vec<u64> = wanted.iter().map(|&w| w.saturating_sub(skipped)).collect();
        pick_keys(&band, &within).into_iter().map(value).collect()
    }
}

/// The key of a value: integers in the same order as [`f64::total_cmp`] orders the values.
fn key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The value of a [`key`] (the map is its own inverse).
fn value(k: i64) -> f64 {
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

/// The entries of `ranks` (1-based, strictly ascending) of `values`, in the total order.
fn pick_ranks(values: &[f64], ranks: &[u64]) -> Vec<f64> {
    let keys: Vec<i64> = values.iter().map(|&v| key(v)).collect();
    pick_keys(&keys, ranks).into_iter().map(value).collect()
}

/// At most this many buckets sort the keys in [`pick_keys`].
const BUCKETS: usize = 1024;

/// The keys of `ranks` (1-based, strictly ascending; clamped to the keys there are).
///
/// The keys are counted into buckets that keep their order (equal parts of the range of
/// values, or of keys when the values are not all finite), and only the buckets that hold a
/// wanted rank are gathered and sorted.
fn pick_keys(keys: &[i64], ranks: &[u64]) -> Vec<i64> {
    let (Some(&min), Some(&max)) = (keys.iter().min(), keys.iter().max()) else {
        return Vec::new();
    };
    let buckets = keys.len().next_power_of_two().clamp(16, BUCKETS);
    let (low, high) = (value(min), value(max));
    let width = high - low;
    if width.is_finite() && width > 0.0 {
        // Below 1 so that the largest value falls in the last bucket, not past it.
        let scale = buckets as f64 / width * (1.0 - 1e-9);
        pick_bucketed(keys, ranks, buckets, |k| ((value(k) - low) * scale) as usize)
    } else {
        let span = max.wrapping_sub(min) as u64;
        let shift = (64 - span.leading_zeros()).saturating_sub(buckets.trailing_zeros());
        pick_bucketed(keys, ranks, buckets, |k| (k.wrapping_sub(min) as u64 >> shift) as usize)
    }
}

/// [`pick_keys`] with `bucket`, a map of keys into `0..buckets` that never reverses their
/// order.
fn pick_bucketed(keys: &[i64], ranks: &[u64], buckets: usize, bucket: impl Fn(i64) -> usize) -> Vec<i64> {
    let n = keys.len();
    let mut counts = vec![0_u32; buckets];
    for &k in keys {
        if let Some(c) = counts.get_mut(bucket(k)) {
            *c += 1;
        }
    }
    // For each wanted rank, its bucket and its index among the gathered keys.
    let mut wanted = vec![false; buckets];
    let mut targets = Vec::with_capacity(ranks.len());
    let (mut b, mut before, mut gathered_before) = (0_usize, 0_u64, 0_u64);
    for &rank in ranks {
        let rank = rank.clamp(1, n as u64);
        while let Some(&c) = counts.get(b)
            && before + u64::from(c) < rank
        {
            before += u64::from(c);
            if wanted.get(b).copied().unwrap_or(false) {
                gathered_before += u64::from(c);
            }
            b += 1;
        }
        if let Some(w) = wanted.get_mut(b) {
            *w = true;
        }
        targets.push((gathered_before + rank - before - 1) as usize);
    }
    let mut gathered: Vec<i64> =
        keys.iter().copied().filter(|&k| wanted.get(bucket(k)).copied().unwrap_or(false)).collect();
    gathered.sort_unstable();
    targets.into_iter().map(|i| gathered.get(i).copied().unwrap_or(i64::MAX)).collect()
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
