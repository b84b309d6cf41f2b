//! Floats as integers in their total order, for sorting and selecting them quickly.
//!
//! [`key`] maps a float to an integer that orders as [`f64::total_cmp`] orders the floats, so
//! that sorting and selection compare integers (about three times faster than comparing
//! floats in the total order), and [`value`] maps it back.

/// The key of a value: integers in the same order as [`f64::total_cmp`] orders the values.
pub(super) fn key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The value of a [`key`] (the map is its own inverse).
pub(super) fn value(k: i64) -> f64 {
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

/// `sample` sorted in the total order, with `-0.0` read as `0.0`.
///
/// A sample's sign of zero means nothing, and in the total order `-0.0` ranks below `0.0`:
/// a canary reporting its zeros as `-0` would rank them below the baseline's zeros and could
/// hide an increase from a rank test. Adding `0.0` turns `-0.0` into `0.0` and leaves every
/// other value as it is.
pub(crate) fn sorted(sample: &[f64]) -> Vec<f64> {
    let keys: Vec<i64> = sample.iter().map(|&v| key(v + 0.0)).collect();
    sort_keys(keys).into_iter().map(value).collect()
}

/// Samples shorter than this are sorted by comparisons alone.
const RADIX: usize = 256;

/// `keys` in ascending order.
///
/// Keys of a measured sample crowd into a narrow range and spread smoothly within it. Two
/// counting passes (least significant digit first) order them by the 16 bits that lead
/// their distance from the smallest key, which leaves few pairs out of order; an insertion
/// pass puts those right. The insertion pass has a budget: when the leading bits did not
/// separate the keys (values heaped on a few points, a range stretched by outliers), the
/// keys are sorted by comparisons instead, so the cost never exceeds a comparison sort's by
/// more than the counting passes.
fn sort_keys(mut keys: Vec<i64>) -> Vec<i64> {
    let n = keys.len();
    if n < RADIX || u32::try_from(n).is_err() {
        keys.sort_unstable();
        return keys;
    }
    let (min, max) = keys.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &k| (lo.min(k), hi.max(k)));
    let span = 64 - (max.wrapping_sub(min) as u64).leading_zeros();
    let shift = span.saturating_sub(16);
    let digits = |k: i64| {
        let d = (k.wrapping_sub(min) as u64 >> shift) as usize;
        (d & 0xff, (d >> 8) & 0xff)
    };
    let (mut low, mut high) = ([0_u32; 256], [0_u32; 256]);
    for &k in &keys {
        let (l, h) = digits(k);
        if let (Some(a), Some(b)) = (low.get_mut(l), high.get_mut(h)) {
            *a += 1;
            *b += 1;
        }
    }
    // Each count becomes where its digit's keys start.
    for counts in [&mut low, &mut high] {
        let mut total = 0;
        for slot in counts.iter_mut() {
            let count = *slot;
            *slot = total;
            total += count;
        }
    }
    let mut spare = vec![0_i64; n];
    scatter(&keys, &mut spare, &mut low, |k| digits(k).0);
    scatter(&spare, &mut keys, &mut high, |k| digits(k).1);
    if !insertion_sort(&mut keys, 4 * n) {
        keys.sort_unstable();
    }
    keys
}

/// Places each of `from` in `to` at the next slot of its digit, keeping their order.
fn scatter(from: &[i64], to: &mut [i64], starts: &mut [u32; 256], digit: impl Fn(i64) -> usize) {
    for &k in from {
        if let Some(start) = starts.get_mut(digit(k))
            && let Some(slot) = to.get_mut(*start as usize)
        {
            *slot = k;
            *start += 1;
        }
    }
}

/// Sorts `keys` by insertion, unless that takes more than `budget` moves: `false` then, with
/// the keys reordered but not sorted.
fn insertion_sort(keys: &mut [i64], mut budget: usize) -> bool {
    for i in 1..keys.len() {
        let Some(&k) = keys.get(i) else { break };
        let mut j = i;
        while let Some(&before) = j.checked_sub(1).and_then(|b| keys.get(b))
            && before > k
        {
            if let Some(slot) = keys.get_mut(j) {
                *slot = before;
            }
            j -= 1;
        }
        if let Some(slot) = keys.get_mut(j) {
            *slot = k;
        }
        budget = match budget.checked_sub(i - j) {
            Some(left) => left,
            None => return false,
        };
    }
    true
}

/// The keys of `ranks` (1-based, ascending; clamped to the keys there are), found by
/// selecting each in the part of `keys` (which it reorders) that the previous one left above
/// it. A key that cannot be found (no keys at all) is `i64::MAX`.
pub(super) fn pick_keys(keys: &mut [i64], ranks: &[u64]) -> Vec<i64> {
    pick_ranks(keys, ranks, 0, i64::cmp, i64::MAX)
}

/// [`pick_keys`] for any items in the order `order`, the ranks counted from `offset` (the
/// rank `offset + 1` is the first item's); `missing` stands for an item that cannot be found.
pub(super) fn pick_ranks<T: Copy>(
    items: &mut [T],
    ranks: &[u64],
    offset: u64,
    mut order: impl FnMut(&T, &T) -> std::cmp::Ordering,
    missing: T,
) -> Vec<T> {
    let n = items.len() as u64;
    let mut out = Vec::with_capacity(ranks.len());
    // `rest` holds the items of ranks `done + 1..=n`, `last` the item of rank `done`.
    let (mut rest, mut done, mut last) = (items, 0_u64, missing);
    for &rank in ranks {
        let rank = rank.saturating_sub(offset).clamp(1, n.max(1));
        if rank > done
            && let Ok(index) = usize::try_from(rank - done - 1)
            && index < rest.len()
        {
            let (_, found, above) = rest.select_nth_unstable_by(index, &mut order);
            last = *found;
            rest = above;
            done = rank;
        }
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_the_total_order_and_map_back() {
        let values =
            [f64::NEG_INFINITY, -1e300, -1.0, -5e-324, -0.0, 0.0, 5e-324, 2.5, f64::MAX, f64::INFINITY];
        for pair in values.windows(2) {
            assert!(key(pair[0]) < key(pair[1]), "{pair:?}");
        }
        for v in values {
            assert_eq!(value(key(v)).to_bits(), v.to_bits());
        }
        // `-0.0` is read as `0.0`.
        assert_eq!(
            sorted(&[2.0, -0.0, 0.0, -3.0]).iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            [(-3.0_f64).to_bits(), 0.0_f64.to_bits(), 0.0_f64.to_bits(), 2.0_f64.to_bits()]
        );
    }

    #[test]
    fn radix_sort_agrees_with_a_comparison_sort() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let shapes: [&dyn Fn(u64, usize) -> f64; 6] = [
            // Smooth, log-normal-like.
            &|r, _| 100.0 * (1.0 + (r % 1000) as f64 / 3000.0).powi(3),
            // Every key in one bucket.
            &|_, _| 7.0,
            // Heaped on three values.
            &|r, _| [1.0, 2.0, 1e9][(r % 3) as usize],
            // Stretched by outliers.
            &|r, i| if i % 100 == 0 { 1e300 } else { (r % 1_000_000) as f64 },
            // Both signs, zeros of both signs, infinities.
            &|r, i| match i % 7 {
                0 => -0.0,
                1 => 0.0,
                2 => f64::INFINITY,
                3 => f64::NEG_INFINITY,
                _ => (r as i64) as f64,
            },
            // Already sorted, descending.
            &|_, i| -(i as f64),
        ];
        for (s, shape) in shapes.iter().enumerate() {
            for n in [0, 1, 255, 256, 257, 1000, 4099] {
                let sample: Vec<f64> = (0..n).map(|i| shape(next(), i)).collect();
                let mut expected: Vec<i64> = sample.iter().map(|&v| key(v + 0.0)).collect();
                expected.sort_unstable();
                let got: Vec<i64> = sorted(&sample).into_iter().map(key).collect();
                assert_eq!(got, expected, "shape {s}, n {n}");
            }
        }
    }

    #[test]
    fn picks_ranks_in_order_and_clamps() {
        let mut keys: Vec<i64> = (0..100).rev().collect();
        assert_eq!(pick_keys(&mut keys, &[1, 2, 50, 51, 100, 120]), [0, 1, 49, 50, 99, 99]);
        assert_eq!(pick_keys(&mut [], &[1]), [i64::MAX]);
        assert_eq!(pick_keys(&mut [7], &[1, 1]), [7, 7]);
    }
}
