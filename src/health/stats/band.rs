//! The entries of a band of the matrix of differences, gathered row by row, and the guess
//! that finds wanted ranks among them without sorting them (see the `matrix` module).

use std::cmp::Ordering;

use super::select::pick_ranks;

/// The entries of a band, as they are gathered row by row.
pub(super) struct Band {
    entries: Vec<f64>,
    len: usize,
}

impl Band {
    /// Room for `size` entries, and four slots more: a row whose band is narrow writes four
    /// entries and keeps its own, so the common row is one unconditional write.
    pub(super) fn new(size: u64) -> Self {
        let size = usize::try_from(size).unwrap_or(0);
        Band { entries: vec![0.0; size.saturating_add(4)], len: 0 }
    }

    /// Adds the entries `r - cols[c]` of the columns `l..h`.
    #[inline]
    pub(super) fn put(&mut self, cols: &[f64], r: f64, l: usize, h: usize) {
        let width = h.saturating_sub(l);
        let len = self.len;
        if width <= 4
            && let Some(&[a, b, c, d]) = cols.get(l..l + 4)
            && let Some(slots) = self.entries.get_mut(len..len + 4)
        {
            slots.copy_from_slice(&[r - a, r - b, r - c, r - d]);
            self.len = len + width;
        } else if let Some(from) = cols.get(l..h)
            && let Some(slots) = self.entries.get_mut(len..len + width)
        {
            for (slot, &c) in slots.iter_mut().zip(from) {
                *slot = r - c;
            }
            self.len = len + width;
        } else if let Some(from) = cols.get(l..h) {
            // Only when the band's size fell short of its edges: cost time, not entries.
            self.len = append(&mut self.entries, len, r, from);
        }
    }

    pub(super) fn finish(mut self) -> Vec<f64> {
        self.entries.truncate(self.len);
        self.entries
    }
}

/// The entries of `ranks` (1-based, ascending) among `entries` (none of them `-0.0`), which
/// lie above `low` and at most `high`; `None` when the guess below misses them, after moving
/// some entries over others.
///
/// Within a narrow band the entries are spread almost evenly, so straight-line interpolation
/// between its ends tells about where each wanted rank lies: one pass counts the entries
/// below a window around those places and moves the window's entries to the front, and the
/// wanted ones are selected among those.
pub(super) fn pick_near(entries: &mut [f64], ranks: &[u64], (low, high): (f64, f64)) -> Option<Vec<f64>> {
    let n = entries.len();
    let (&first, &last) = (ranks.first()?, ranks.last()?);
    if !near_applies(n, (low, high)) {
        return None;
    }
    let reach = (n as f64).sqrt() + 16.0;
    let at = |rank: f64| low + (high - low) * (rank / n as f64).clamp(0.0, 1.0);
    let (from, to) = (at(first as f64 - reach), at(last as f64 + reach));
    let (mut below, mut kept) = (0_u64, 0_usize);
    for i in 0..n {
        let v = entries.get(i).copied().unwrap_or(0.0);
        below += u64::from(v < from);
        // `kept <= i`: the entry at `kept` has been read already.
        if let Some(slot) = entries.get_mut(kept) {
            *slot = v;
        }
        kept += usize::from(v >= from && v <= to);
    }
    if below < first && below + kept as u64 >= last {
        let window = entries.get_mut(..kept).unwrap_or_default();
        // Without `-0.0` (or NaN), plain comparisons are the total order.
        let order = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(Ordering::Equal);
        return Some(pick_ranks(window, ranks, below, order, f64::NAN));
    }
    None
}

/// Whether [`pick_near`] looks among `n` entries between `low` and `high` (otherwise it
/// leaves them as they are): when there are enough of them for its guess to pay, and the
/// ends are finite and apart.
pub(super) fn near_applies(n: usize, (low, high): (f64, f64)) -> bool {
    n >= 256 && low.is_finite() && high.is_finite() && high > low
}

/// Writes `r - c` for each of `from` after the first `len` of `entries`, growing them, and
/// returns how many entries are written.
#[cold]
#[inline(never)]
fn append(entries: &mut Vec<f64>, len: usize, r: f64, from: &[f64]) -> usize {
    entries.truncate(len);
    entries.extend(from.iter().map(|&c| r - c));
    let written = entries.len();
    entries.resize(written + 4, 0.0);
    written
}
