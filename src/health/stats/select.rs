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

/// `sample` sorted in the total order.
pub(crate) fn sorted(sample: &[f64]) -> Vec<f64> {
    let mut keys: Vec<i64> = sample.iter().map(|&v| key(v)).collect();
    keys.sort_unstable();
    keys.into_iter().map(value).collect()
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
        assert_eq!(
            sorted(&[2.0, -0.0, 0.0, -3.0]).iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            [(-3.0_f64).to_bits(), (-0.0_f64).to_bits(), 0.0_f64.to_bits(), 2.0_f64.to_bits()]
        );
    }

    #[test]
    fn picks_ranks_in_order_and_clamps() {
        let mut keys: Vec<i64> = (0..100).rev().collect();
        assert_eq!(pick_keys(&mut keys, &[1, 2, 50, 51, 100, 120]), [0, 1, 49, 50, 99, 99]);
        assert_eq!(pick_keys(&mut [], &[1]), [i64::MAX]);
        assert_eq!(pick_keys(&mut [7], &[1, 1]), [7, 7]);
    }
}
