//! Order statistics of the pairwise differences of two sorted samples, found without forming
//! the differences.
//!
//! The differences `rows[r] - cols[c]`, with `rows` ascending and `cols` descending, form a
//! matrix that ascends along every row and every column. How many entries of each row lie at
//! or below a value is counted in `O(rows + cols)` by a staircase walk, and the walks for
//! several values share one pass over the rows (they are independent, so the processor
//! overlaps them), each stepping over four columns at a time without a branch.
//!
//! A thinned copy of the matrix (every eighth row and column) is itself such a matrix, and
//! its order statistics estimate the full matrix's to within a few blocks: so values just
//! below and above each wanted entry are first looked for in the thinned matrix. A large
//! thinned matrix is searched recursively, exactly; a small one (up to a few hundred rows and
//! columns) only needs values whose counts come near the ranks wanted, so it is walked at
//! entries of its own thinned copy that bracket them and then at values interpolated between
//! the counts found, a walk or two more. One walk of the full matrix counts at all the values;
//! the entries between the two values around a wanted rank (a band of a couple of thousand)
//! are gathered, and the wanted ones selected in a window of about a hundred where
//! straight-line interpolation between the band's ends puts them.
//! When an estimate misses, one more walk counts at values interpolated between the known
//! counts; when that misses too (ties, strange shapes), sampled pivots narrow the band until
//! it is small. The answer is exact either way, only the work differs. Every answer is an exact
//! order statistic: estimates only choose where to count.
//!
//! Entries are ordered by [`f64::total_cmp`] (so `-0.0` sorts before `0.0`). Plain float
//! comparisons agree with that order unless some entry is `-0.0`, which happens only when
//! `rows` holds `-0.0` and `cols` holds `0.0`; only then is the slower total order used.

use std::cmp::Ordering;

use super::band::{Band, near_applies, pick_near};
use super::select::{key, pick_keys, value};

/// Matrices with at most this many entries are selected from directly.
const SMALL: u64 = 1024;
/// Bands with at most this many candidates are selected among directly.
const DIRECT: u64 = 8192;
/// How far (in ranks) beyond the wanted ones a second walk aims, when the first one's
/// bracket missed.
const RETRY: f64 = 1024.0;
/// Matrices with at most this many entries give exact order statistics where estimates are
/// asked for ([`Matrix::near`]).
const NEAR_MIN: u64 = 4096;
/// Thinned matrices with at most this many rows and columns together give estimates by
/// [`Matrix::near`]; larger ones, exact order statistics.
const NEAR_REACH: usize = 600;
/// ... and at least this many of each.
const NEAR_SIDE: usize = 64;
/// How many entries of the thinned copy either side of where a rank falls among them bracket
/// it, for the first walk.
const NEAR_BRACKET: usize = 2;
/// How many walks an estimate may take, after the first.
const NEAR_WALKS: usize = 2;
/// Sampled pivots are drawn from this many candidates.
const SAMPLE: usize = 512;
/// The thinned matrix keeps one row (and column) in this many, or in half as many when it
/// would have fewer than 64 entries.
const STEP: usize = 8;
/// How far either side of an estimate (in units of the square root of the thinned matrix's
/// rows and columns, in its own ranks) the bracketing pivots are taken, for the two steps.
/// For the finer step, about one and a half standard errors of the estimate: on samples of
/// log-normal, uniform, Pareto and exponential shapes and unequal sizes, one judgement in
/// four misses a bracket and pays one more walk ([`RETRY`]), which costs less than the wider
/// bands of three standard errors cost every judgement. The coarser step (a small matrix) misses
/// more often and its bands are cheap, so it takes a wider one.
const MARGIN: [f64; 2] = [0.45, 1.2];

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

/// One value from each of `len / step` equal blocks (all of them when there are few): the
/// upper middle one, or the lower middle one when `lower`. Taking the upper middle of the
/// ascending rows and the lower middle of the descending columns keeps the thinned matrix's
/// entries from leaning to either side of the blocks they stand for; blocks of a fractional
/// size keep the thinned values spread over all of `values`.
fn thin(values: &[f64], step: usize, lower: bool) -> Vec<f64> {
    if values.len() < 2 * step {
        return values.to_vec();
    }
    let blocks = values.len() / step;
    let size = values.len() as f64 / blocks as f64;
    (0..blocks)
        .filter_map(|t| {
            let middle = (t as f64 + 0.5) * size;
            let index = if lower { middle.ceil() as usize - 1 } else { middle.floor() as usize };
            values.get(index).copied()
        })
        .collect()
}

/// A run of wanted ranks close enough to share one band, with the ranks of the thinned
/// matrix's entries that bracket it (`None` past either end).
struct Group {
    /// Indices into the wanted ranks, `start..end`.
    start: usize,
    end: usize,
    low: Option<u64>,
    high: Option<u64>,
}

/// Counts at several values at once: for value `i`, how many entries are at most it, in all
/// (`totals[i]`) and in each row (`per_row[row * values + i]`).
struct Counts {
    values: Vec<f64>,
    totals: Vec<u64>,
    per_row: Vec<usize>,
}

impl Counts {
    /// These counts and `more`, at the values of both.
    fn join(self, more: Counts) -> Counts {
        if self.values.is_empty() {
            return more;
        }
        if more.values.is_empty() {
            return self;
        }
        let (k, j) = (self.values.len().max(1), more.values.len().max(1));
        let mut per_row = Vec::with_capacity(self.per_row.len() + more.per_row.len());
        for (a, b) in self.per_row.chunks_exact(k).zip(more.per_row.chunks_exact(j)) {
            per_row.extend_from_slice(a);
            per_row.extend_from_slice(b);
        }
        let values = self.values.into_iter().chain(more.values).collect();
        let totals = self.totals.into_iter().chain(more.totals).collect();
        Counts { values, totals, per_row }
    }

    /// How many entries of each row are at most value `i`, or `default` for every row when
    /// there is no such value.
    fn column(&self, i: Option<usize>, default: usize) -> Vec<usize> {
        let k = self.values.len().max(1);
        match i {
            Some(i) => self.per_row.iter().skip(i).step_by(k).copied().collect(),
            None => vec![default; self.per_row.len() / k],
        }
    }

    /// Each value with its total count.
    fn pairs(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.values.iter().copied().zip(self.totals.iter().copied())
    }

    /// The value with the largest count below `first` and the one with the smallest count of
    /// at least `last`: the tightest known band around the ranks `first..=last`.
    fn around(&self, first: u64, last: u64) -> (Option<usize>, Option<usize>) {
        let indexed = || self.totals.iter().copied().enumerate();
        let below = indexed().filter(|&(_, c)| c < first).max_by_key(|&(_, c)| c).map(|(i, _)| i);
        let above = indexed().filter(|&(_, c)| c >= last).min_by_key(|&(_, c)| c).map(|(i, _)| i);
        (below, above)
    }
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

    /// The largest value that orders below `v` among this matrix's possible entries, or `None`
    /// when nothing does: counting entries at most it counts those below `v`.
    fn before(&self, v: f64) -> Option<f64> {
        if v == f64::NEG_INFINITY || v.is_nan() {
            None
        } else if self.total && v.to_bits() == 0 {
            Some(-0.0)
        } else {
            // Without a `-0.0` entry, the float below `0.0` is the negative one next to it,
            // which `next_down` gives for either zero.
            Some(v.next_down())
        }
    }

    /// The entries of `ranks` (1-based, strictly ascending, each within `1..=len`), in order.
    pub(super) fn select(&self, ranks: &[u64]) -> Vec<f64> {
        let n = self.len();
        if n <= SMALL {
            let mut all: Vec<i64> =
                self.rows.iter().flat_map(|r| self.cols.iter().map(move |c| key(r - c))).collect();
            return pick_keys(&mut all, ranks).into_iter().map(value).collect();
        }
        let step = if n / (STEP * STEP) as u64 >= 64 { STEP } else { STEP / 2 };
        let (grid_rows, grid_cols) = (thin(self.rows, step, false), thin(self.cols, step, true));
        let grid = Matrix { rows: &grid_rows, cols: &grid_cols, total: self.total };
        let g = grid.len();
        let scale = g as f64 / n as f64;
        let factor = if step == STEP { MARGIN[0] } else { MARGIN[1] };
        let margin = factor * ((grid_rows.len() + grid_cols.len()) as f64).sqrt() + 2.0;
        let mut groups: Vec<Group> = Vec::new();
        let mut group_centre = f64::NEG_INFINITY;
        for (i, &rank) in ranks.iter().enumerate() {
            let centre = rank as f64 * scale;
            let low = (centre - margin).floor();
            let high = (centre + margin).ceil();
            let low = (low >= 1.0).then_some(low as u64);
            let high = (high <= g as f64).then_some(high as u64);
            match groups.last_mut() {
                // Ranks close together share a band; ranks further apart get their own, which
                // costs two more counts in the walk but keeps each band small.
                Some(last) if centre - group_centre <= margin => {
                    last.end = i + 1;
                    last.high = high;
                }
                _ => {
                    group_centre = centre;
                    groups.push(Group { start: i, end: i + 1, low, high });
                }
            }
        }
        // The bracketing entries of every group, found together in the thinned matrix.
        let mut pivot_ranks: Vec<u64> = groups.iter().flat_map(|g| [g.low, g.high]).flatten().collect();
        pivot_ranks.sort_unstable();
        pivot_ranks.dedup();
        // A small thinned matrix is walked a few times for estimates; a large one (its walks
        // would cost more than its own thinned matrix and bands) or a narrow one (its own
        // thinned copy would be too coarse to start from) is selected from exactly.
        let (short, long) = (grid_rows.len().min(grid_cols.len()), grid_rows.len().max(grid_cols.len()));
        let pivots = if short >= NEAR_SIDE && short + long <= NEAR_REACH {
            grid.near(&pivot_ranks, (margin / 4.0).max(1.0) as u64)
        } else {
            grid.select(&pivot_ranks)
        };
        let pivot = |rank: Option<u64>| {
            rank.and_then(|r| pivot_ranks.binary_search(&r).ok()).and_then(|i| pivots.get(i)).copied()
        };
        // Count below each group's low pivot and at most its high pivot, all in one walk.
        let mut values: Vec<f64> = Vec::with_capacity(2 * groups.len());
        for group in &groups {
            values.extend(pivot(group.low).and_then(|p| self.before(p)));
            values.extend(pivot(group.high));
        }
        let mut counts = self.count(values);
        let wanted = |g: &Group| ranks.get(g.start..g.end).unwrap_or_default();
        // A bracket that missed gets one more walk, at values interpolated between the
        // counts known around its ranks, before the slower narrowing by sampled pivots.
        let retry: Vec<f64> = groups.iter().flat_map(|g| self.retry(&counts, wanted(g))).collect();
        if !retry.is_empty() {
            counts = counts.join(self.count(retry));
        }
        let plans: Vec<Plan> = groups.iter().map(|g| self.plan(&counts, wanted(g))).collect();
        // The bands small enough to gather are gathered together, in one pass over the rows.
        let edges: Vec<Edges> = plans
            .iter()
            .filter_map(|p| match *p {
                Plan::Band { edges, .. } => Some(edges),
                Plan::Found(_) | Plan::Narrow { .. } => None,
            })
            .collect();
        let mut bands = self.gather_all(&counts, &edges).into_iter();
        let mut out = Vec::with_capacity(ranks.len());
        for (group, plan) in groups.iter().zip(plans) {
            let wanted = wanted(group);
            match plan {
                Plan::Found(found) => out.extend(found),
                Plan::Band { edges, skipped, bounds } => {
                    let entries = bands.next().unwrap_or_default();
                    let again = || self.gather_all(&counts, &[edges]).into_iter().next().unwrap_or_default();
                    out.extend(self.select_in_band(entries, again, wanted, skipped, bounds));
                }
                Plan::Narrow { below, above } => {
                    let mut lo = counts.column(below, 0);
                    let mut hi = counts.column(above, self.cols.len());
                    out.extend(self.narrow(&mut lo, &mut hi, wanted));
                }
            }
        }
        out
    }

    /// Values whose counts lie close to each of `ranks` (ascending), where only estimates
    /// are needed: the values only choose where a larger matrix is counted.
    ///
    /// A small matrix gives its exact order statistics. A larger one starts from those of a
    /// thinned copy, counts at them in one walk, and moves each value by straight-line
    /// interpolation between the nearest known counts, a walk at a time, until every count
    /// is within `tolerance` of its rank (or [`NEAR_WALKS`] walks are done).
    fn near(&self, ranks: &[u64], tolerance: u64) -> Vec<f64> {
        let n = self.len();
        if n <= NEAR_MIN {
            return self.select(ranks);
        }
        // The thinned copy's entries, sorted: about where each rank falls among them is known
        // (ranks thin evenly), and the entries a few places either side bracket it.
        let (rows, cols) = (thin(self.rows, STEP, false), thin(self.cols, STEP, true));
        let mut thinned: Vec<i64> = rows.iter().flat_map(|r| cols.iter().map(move |c| key(r - c))).collect();
        thinned.sort_unstable();
        let scale = thinned.len() as f64 / n as f64;
        // Ranks whose brackets overlap share one around them all.
        let last = thinned.len().saturating_sub(1);
        let mut brackets: Vec<(usize, usize)> = Vec::new();
        for &r in ranks {
            let at = r as f64 * scale;
            let below = (at.floor() as usize).saturating_sub(NEAR_BRACKET + 1);
            let above = (at.ceil() as usize).saturating_add(NEAR_BRACKET).min(last);
            match brackets.last_mut() {
                Some(b) if below <= b.1 => b.1 = b.1.max(above),
                _ => brackets.push((below, above)),
            }
        }
        let mut first: Vec<i64> = brackets
            .iter()
            .flat_map(|&(b, a)| [thinned.get(b).copied(), thinned.get(a).copied()])
            .flatten()
            .collect();
        first.dedup();
        let counts = self.count(first.into_iter().map(value).collect());
        let mut known: Vec<(f64, u64)> = counts.pairs().collect();
        for _ in 0..NEAR_WALKS {
            let mut next: Vec<f64> = Vec::new();
            for &rank in ranks {
                if known.iter().any(|&(_, c)| c.abs_diff(rank) <= tolerance) {
                    continue;
                }
                let below = known.iter().filter(|&&(_, c)| c < rank).max_by_key(|&&(_, c)| c);
                let above = known.iter().filter(|&&(_, c)| c > rank).min_by_key(|&&(_, c)| c);
                // Beyond the known counts, the matrix's ends stand in (near enough for a
                // guess: the count at the smallest entry is at least 1).
                let (v0, c0) = below.copied().unwrap_or((self.at(0, 0), 1));
                let (v1, c1) = above.copied().unwrap_or((
                    self.at(self.rows.len().wrapping_sub(1), self.cols.len().wrapping_sub(1)),
                    n,
                ));
                if c1 > c0 && v1 > v0 && v0.is_finite() && v1.is_finite() {
                    let v = v0 + (v1 - v0) * ((rank - c0.min(rank)) as f64 / (c1 - c0) as f64);
                    if v > v0 && v < v1 {
                        next.push(v);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            next.sort_by(f64::total_cmp);
            next.dedup();
            let counts = self.count(next);
            known.extend(counts.pairs());
        }
        ranks
            .iter()
            .map(|&rank| known.iter().min_by_key(|&&(_, c)| c.abs_diff(rank)).map_or(f64::NAN, |&(v, _)| v))
            .collect()
    }

    /// Two values to count at, around the ranks `wanted` (ascending), when `counts` leave too
    /// wide a band around them: where straight-line interpolation between the nearest counts
    /// (or the matrix's ends) puts ranks [`RETRY`] below and above them.
    fn retry(&self, counts: &Counts, wanted: &[u64]) -> Vec<f64> {
        let (Some(&first), Some(&last)) = (wanted.first(), wanted.last()) else {
            return Vec::new();
        };
        let (below, above) = counts.around(first, last);
        let known = |i: Option<usize>| i.and_then(|i| Some((*counts.values.get(i)?, *counts.totals.get(i)?)));
        let ends = (
            known(below).or_else(|| Some((self.at(0, 0), 0))),
            known(above).or_else(|| {
                Some((self.at(self.rows.len().wrapping_sub(1), self.cols.len().wrapping_sub(1)), self.len()))
            }),
        );
        let (Some((v0, c0)), Some((v1, c1))) = ends else {
            return Vec::new();
        };
        if c1.saturating_sub(c0) <= DIRECT || !(v0.is_finite() && v1.is_finite() && v1 > v0) {
            return Vec::new();
        }
        let at = |rank: f64| v0 + (v1 - v0) * ((rank - c0 as f64) / (c1 - c0) as f64).clamp(0.0, 1.0);
        vec![at(first as f64 - RETRY), at(last as f64 + RETRY)]
    }

    /// How the entries of the `wanted` ranks (ascending) are found, from the tightest band
    /// that `counts` leave around them.
    fn plan(&self, counts: &Counts, wanted: &[u64]) -> Plan {
        let (Some(&first), Some(&last)) = (wanted.first(), wanted.last()) else {
            return Plan::Found(Vec::new());
        };
        let (below, above) = counts.around(first, last);
        let value_of = |i: Option<usize>| i.and_then(|i| counts.values.get(i)).copied();
        if let (Some(v), Some(b)) = (value_of(above), value_of(below))
            && self.before(v).is_some_and(|p| p.total_cmp(&b) == Ordering::Equal)
        {
            // Nothing lies strictly between the two: every target equals the upper value.
            return Plan::Found(vec![v; wanted.len()]);
        }
        let total =
            |i: Option<usize>, default: u64| i.and_then(|i| counts.totals.get(i)).copied().unwrap_or(default);
        let skipped = total(below, 0);
        let size = total(above, self.len()).saturating_sub(skipped);
        if size <= DIRECT {
            let bounds = value_of(below).zip(value_of(above));
            Plan::Band { edges: Edges { below, above, size }, skipped, bounds }
        } else {
            Plan::Narrow { below, above }
        }
    }

    /// The entries of each band of `edges`, in no particular order, gathered in one pass over
    /// the rows (four bands at a time, their state kept in registers).
    fn gather_all(&self, counts: &Counts, edges: &[Edges]) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(edges.len());
        for chunk in edges.chunks(4) {
            match *chunk {
                [a] => out.extend(self.gather([a], counts)),
                [a, b] => out.extend(self.gather([a, b], counts)),
                [a, b, c] => out.extend(self.gather([a, b, c], counts)),
                [a, b, c, d] => out.extend(self.gather([a, b, c, d], counts)),
                _ => {}
            }
        }
        out
    }

    /// The entries of `G` bands, each between the counts of two values (or a matrix's end).
    fn gather<const G: usize>(&self, edges: [Edges; G], counts: &Counts) -> [Vec<f64>; G] {
        let k = counts.values.len().max(1);
        // An index past the row stands for a missing value: the row's end, either way.
        let lo = edges.map(|e| e.below.unwrap_or(usize::MAX));
        let hi = edges.map(|e| e.above.unwrap_or(usize::MAX));
        let mut bands = edges.map(|e| Band::new(e.size.min(self.len())));
        let cols = self.cols.len();
        for (row, &r) in counts.per_row.chunks_exact(k).zip(self.rows) {
            for ((band, &l), &h) in bands.iter_mut().zip(&lo).zip(&hi) {
                let l = row.get(l).copied().unwrap_or(0);
                let h = row.get(h).copied().unwrap_or(cols);
                band.put(self.cols, r, l, h);
            }
        }
        bands.map(Band::finish)
    }

    /// For each of `values`, how many entries of each row are at most it. The counts fall as
    /// rows rise, so one staircase walk per value finds them all; the walks share the pass.
    fn count(&self, values: Vec<f64>) -> Counts {
        if self.total {
            self.count_by(values, |e, v| e.total_cmp(&v) == Ordering::Greater)
        } else {
            self.count_by(values, |e, v| e > v)
        }
    }

    fn count_by(&self, values: Vec<f64>, above: impl Fn(f64, f64) -> bool + Copy) -> Counts {
        // The walks for up to eight values are unrolled (their state kept in registers); more
        // values, which no caller asks for, take several passes.
        let k = values.len();
        let mut totals = Vec::with_capacity(k);
        let mut per_row = Vec::new();
        for (chunk, first) in values.chunks(8).zip((0..).step_by(8)) {
            let walk = match *chunk {
                [a] => self.walk(&[a], above),
                [a, b] => self.walk(&[a, b], above),
                [a, b, c] => self.walk(&[a, b, c], above),
                [a, b, c, d] => self.walk(&[a, b, c, d], above),
                [a, b, c, d, e] => self.walk(&[a, b, c, d, e], above),
                [a, b, c, d, e, f] => self.walk(&[a, b, c, d, e, f], above),
                [a, b, c, d, e, f, g] => self.walk(&[a, b, c, d, e, f, g], above),
                [a, b, c, d, e, f, g, h] => self.walk(&[a, b, c, d, e, f, g, h], above),
                _ => (Vec::new(), Vec::new()),
            };
            totals.extend(walk.0);
            if k <= 8 {
                per_row = walk.1;
                break;
            }
            per_row.resize(self.rows.len() * k, 0);
            let width = chunk.len().max(1);
            for (row, walked) in per_row.chunks_exact_mut(k.max(1)).zip(walk.1.chunks_exact(width)) {
                if let Some(slots) = row.get_mut(first..first + width) {
                    slots.copy_from_slice(walked);
                }
            }
        }
        Counts { values, totals, per_row }
    }

    /// The staircase walks for `K` values side by side: the totals, and the counts of each
    /// row (`K` to a row).
    fn walk<const K: usize>(
        &self,
        values: &[f64; K],
        above: impl Fn(f64, f64) -> bool + Copy,
    ) -> (Vec<u64>, Vec<usize>) {
        let mut per_row = Vec::with_capacity(self.rows.len() * K);
        // For each value, the columns not yet ruled out for this row; rows ascend, so each
        // row's count is at most the previous row's.
        let mut open = [self.cols.len(); K];
        for &r in self.rows {
            for (open, &v) in open.iter_mut().zip(values) {
                *open = shrink(self.cols, r, *open, |e| above(e, v));
            }
            per_row.extend_from_slice(&open);
        }
        let mut totals = [0_u64; K];
        for row in per_row.chunks_exact(K) {
            for (total, &count) in totals.iter_mut().zip(row) {
                *total += count as u64;
            }
        }
        (totals.to_vec(), per_row)
    }

    /// The entries of `wanted` ranks (ascending, 1-based), which lie in the band `lo..hi` of
    /// each row, narrowed by sampled pivots until few candidates are left.
    fn narrow(&self, lo: &mut [usize], hi: &mut [usize], wanted: &[u64]) -> Vec<f64> {
        let (Some(&first), Some(&last)) = (wanted.first(), wanted.last()) else {
            return Vec::new();
        };
        let nrows = self.rows.len();
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
                let edges = || lo.iter().copied().zip(hi.iter().copied());
                return self.select_in_band(self.band(edges(), candidates), Vec::new, wanted, skipped, None);
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
            // Each pivot is counted at and just below: when the wanted ranks lie in a run of
            // entries equal to a pivot (all of them, for samples of one value), the two counts
            // show it, even with no pivot on the other side.
            let mut values: Vec<f64> = Vec::with_capacity(4);
            for p in [low_pivot, high_pivot].into_iter().flatten() {
                values.extend(self.before(p));
                values.push(p);
            }
            values.sort_by(f64::total_cmp);
            values.dedup_by(|a, b| a.total_cmp(b) == Ordering::Equal);
            let counts = self.count(values);
            let (below, above) = counts.around(first, last);
            let value_of = |i: Option<usize>| i.and_then(|i| counts.values.get(i)).copied();
            if let (Some(v), Some(b)) = (value_of(above), value_of(below))
                && self.before(v).is_some_and(|p| p.total_cmp(&b) == Ordering::Equal)
            {
                // Every target equals the one pivot value.
                return vec![v; wanted.len()];
            }
            for (l, c) in lo.iter_mut().zip(counts.column(below, 0)) {
                *l = (*l).max(c);
            }
            for (h, c) in hi.iter_mut().zip(counts.column(above, usize::MAX)) {
                *h = (*h).min(c);
            }
            for (h, l) in hi.iter_mut().zip(lo.iter()) {
                *h = (*h).max(*l);
            }
            let after: u64 = lo.iter().zip(hi.iter()).map(|(&l, &h)| (h - l) as u64).sum();
            if after >= candidates {
                // No progress (pathological ties): select among what is left.
                let skipped: u64 = lo.iter().map(|&l| l as u64).sum();
                let edges = || lo.iter().copied().zip(hi.iter().copied());
                return self.select_in_band(self.band(edges(), after), Vec::new, wanted, skipped, None);
            }
        }
    }

    /// The band's entries of the `wanted` ranks, `skipped` entries lying before the band:
    /// `entries` are the band's, and `again` gathers them again. `bounds`, when known, are
    /// values below and at least every entry of the band.
    fn select_in_band(
        &self,
        mut entries: Vec<f64>,
        again: impl Fn() -> Vec<f64>,
        wanted: &[u64],
        skipped: u64,
        bounds: Option<(f64, f64)>,
    ) -> Vec<f64> {
        let within: Vec<u64> = wanted.iter().map(|&w| w.saturating_sub(skipped)).collect();
        // Plain comparisons order the entries correctly unless some may be `-0.0`.
        let near = !self.total && bounds.is_some_and(|b| near_applies(entries.len(), b));
        if near && let Some(found) = bounds.and_then(|b| pick_near(&mut entries, &within, b)) {
            return found;
        }
        // A guess that missed has written over some entries: they are gathered again.
        let mut keys: Vec<i64> = if near { again() } else { entries }.into_iter().map(key).collect();
        pick_keys(&mut keys, &within).into_iter().map(value).collect()
    }

    /// The band's entries, the columns `lo..hi` of each row as `edges` gives them (`size` in
    /// all), in no particular order.
    fn band(&self, edges: impl Iterator<Item = (usize, usize)>, size: u64) -> Vec<f64> {
        let mut band = Band::new(size.min(self.len()));
        for ((l, h), &r) in edges.zip(self.rows) {
            band.put(self.cols, r, l, h);
        }
        band.finish()
    }
}

/// The edges of a band: the indices of the counted values below and at its top (`None`: the
/// matrix's first or last entry), and how many entries lie between.
#[derive(Clone, Copy)]
struct Edges {
    below: Option<usize>,
    above: Option<usize>,
    size: u64,
}

/// How the entries of a group of ranks are found, once the counts around them are known.
enum Plan {
    /// Already found.
    Found(Vec<f64>),
    /// Among the entries of a band small enough to gather, after `skipped` entries;
    /// `bounds` are the values of its edges.
    Band { edges: Edges, skipped: u64, bounds: Option<(f64, f64)> },
    /// Among the entries between the counts at two values, narrowed first.
    Narrow { below: Option<usize>, above: Option<usize> },
}

/// How many of `cols[..open]` remain once those whose entry `row - c` is `above` are dropped
/// from the end (where the entries are largest). Four columns are tested at once without a
/// branch: those above form a run at the end, so their number is how far to step.
#[inline]
fn shrink(cols: &[f64], row: f64, mut open: usize, above: impl Fn(f64) -> bool) -> usize {
    loop {
        if let Some(&[a, b, c, d]) = cols.get(open.wrapping_sub(4)..open) {
            let drop = usize::from(above(row - a))
                + usize::from(above(row - b))
                + usize::from(above(row - c))
                + usize::from(above(row - d));
            open -= drop;
            if drop < 4 {
                return open;
            }
        } else {
            while let Some(&c) = open.checked_sub(1).and_then(|i| cols.get(i))
                && above(row - c)
            {
                open -= 1;
            }
            return open;
        }
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

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
