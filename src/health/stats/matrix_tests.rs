//! Unit tests of the pieces of the order-statistic search; `tests/health_order_stats.rs`
//! checks the whole search against a brute-force sort.

use super::*;

/// Deterministic values spread like latencies (no ties).
fn values(seed: u64, n: usize) -> Vec<f64> {
    let mut state = seed | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            100.0 * ((state >> 11) as f64 / (1_u64 << 53) as f64 * 2.0).exp()
        })
        .collect()
}

/// Rows ascending and columns descending, as [`Matrix`] wants them.
fn sides(n: usize, m: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rows = values(1, n);
    rows.sort_by(f64::total_cmp);
    let mut cols = values(2, m);
    cols.sort_by(|a, b| b.total_cmp(a));
    (rows, cols)
}

/// Every entry of the matrix, sorted: the brute-force answer.
fn every_entry_sorted(rows: &[f64], cols: &[f64]) -> Vec<f64> {
    let mut all: Vec<f64> = rows.iter().flat_map(|r| cols.iter().map(move |c| r - c)).collect();
    all.sort_by(f64::total_cmp);
    all
}

#[test]
fn thinning_spreads_over_every_value_when_the_size_is_not_a_multiple_of_the_step() {
    let all: Vec<f64> = (0..125).map(f64::from).collect();
    let upper = thin(&all, 8, false);
    let lower = thin(&all, 8, true);
    assert_eq!(upper.len(), 15);
    assert_eq!(lower.len(), 15);
    // The last block ends at the last value, not 5 values before it.
    assert!(upper.last().is_some_and(|&v| v >= 116.0), "{upper:?}");
    assert!(upper.iter().zip(&lower).all(|(u, l)| u >= l && u - l <= 1.0));
    assert_eq!(thin(&all[..10], 8, false), all[..10].to_vec());
}

#[test]
fn counts_at_many_values_agree_with_one_at_a_time_and_with_brute_force() {
    let (rows, cols) = sides(37, 53);
    let matrix = Matrix::new(&rows, &cols);
    let probes: Vec<f64> = (0..11).map(|i| -150.0 + 30.0 * f64::from(i)).collect();
    // Eleven values: one walk for eight of them and another for the rest.
    let together = matrix.count(probes.clone());
    for (i, &p) in probes.iter().enumerate() {
        let alone = matrix.count(vec![p]);
        let brute = rows.iter().flat_map(|r| cols.iter().map(move |c| r - c)).filter(|&e| e <= p).count();
        assert_eq!(together.totals[i], brute as u64, "value {p}");
        assert_eq!(alone.totals[0], brute as u64);
        assert_eq!(together.column(Some(i), 0), alone.column(Some(0), 0));
    }
}

#[test]
fn the_value_before_is_the_next_one_down_in_the_order_used() {
    let plain = Matrix { rows: &[], cols: &[], total: false };
    let total = Matrix { rows: &[], cols: &[], total: true };
    assert_eq!(plain.before(1.0), Some(1.0_f64.next_down()));
    // Without a `-0.0` entry, below zero is the negative number next to it.
    assert_eq!(plain.before(0.0), Some(-5e-324));
    assert_eq!(total.before(0.0).map(f64::to_bits), Some((-0.0_f64).to_bits()));
    assert_eq!(total.before(-0.0), Some(-5e-324));
    assert_eq!(plain.before(f64::NEG_INFINITY), None);
}

#[test]
fn a_guessed_window_finds_the_ranks_or_says_it_missed() {
    // Spread evenly, as the entries of a narrow band are.
    let entries: Vec<f64> = values(3, 2000).iter().map(|v| v.ln()).collect();
    let mut sorted = entries.clone();
    sorted.sort_by(f64::total_cmp);
    let (low, high) = (sorted[0].next_down(), sorted[1999]);
    let ranks = [700, 701];
    let found = pick_near(&mut entries.clone(), &ranks, (low, high));
    assert_eq!(found, Some(vec![sorted[699], sorted[700]]));
    // Bounds far from the entries' real spread put the window in the wrong place.
    let missed = pick_near(&mut entries.clone(), &ranks, (low, high * 100.0));
    assert_eq!(missed, None);
    // Too few entries to be worth a guess.
    assert_eq!(pick_near(&mut entries[..100].to_vec(), &[5], (low, high)), None);
}

#[test]
fn selecting_matches_brute_force_on_a_matrix_large_enough_for_two_thinnings() {
    let (rows, cols) = sides(700, 900);
    let matrix = Matrix::new(&rows, &cols);
    let all = every_entry_sorted(&rows, &cols);
    let ranks = [1, 2, 290_000, 315_000, 315_001, 340_000, 629_999, 630_000];
    let got = matrix.select(&ranks);
    let want: Vec<f64> = ranks.iter().map(|&r| all[r as usize - 1]).collect();
    assert_eq!(got, want);
}

#[test]
fn a_missed_bracket_gets_values_interpolated_around_the_wanted_ranks() {
    let (rows, cols) = sides(700, 900);
    let matrix = Matrix::new(&rows, &cols);
    let all = every_entry_sorted(&rows, &cols);
    let wanted = [315_000_u64, 315_001];
    // Counts well below and well above the wanted ranks: a band of 60 000.
    let (far_below, far_above) = (all[300_000], all[360_000]);
    let counts = matrix.count(vec![far_below, far_above]);
    assert!(counts.totals[1] - counts.totals[0] > DIRECT);
    let retry = matrix.retry(&counts, &wanted);
    assert_eq!(retry.len(), 2);
    let again = matrix.count(retry.clone());
    let (low, high) = (again.totals[0], again.totals[1]);
    assert!(low < 315_000 && high >= 315_001 && high - low <= DIRECT, "{low} {high}");
    // Counts that already bracket the ranks closely need no retry.
    assert!(matrix.retry(&again, &wanted).is_empty());
    // Joined counts are the counts at the values of both.
    let joined = counts.join(again);
    let together = matrix.count(vec![far_below, far_above, retry[0], retry[1]]);
    assert_eq!(joined.totals, together.totals);
    assert_eq!(joined.per_row, together.per_row);
}

#[test]
fn bands_gathered_together_are_the_bands_gathered_one_at_a_time() {
    let (rows, cols) = sides(300, 200);
    let matrix = Matrix::new(&rows, &cols);
    let all = every_entry_sorted(&rows, &cols);
    let probes: Vec<f64> = [1_000, 2_000, 9_000, 9_500, 30_000, 31_000, 40_000, 41_000, 50_000, 59_000]
        .iter()
        .map(|&r| all[r])
        .collect();
    let counts = matrix.count(probes);
    // Five bands (more than one pass takes), two of them reaching a matrix's end.
    let edges: Vec<Edges> =
        [(None, Some(0)), (Some(2), Some(3)), (Some(4), Some(5)), (Some(6), Some(7)), (Some(8), None)]
            .iter()
            .map(|&(below, above)| {
                let total = |i: Option<usize>, d: u64| i.map_or(d, |i| counts.totals[i]);
                Edges { below, above, size: total(above, matrix.len()) - total(below, 0) }
            })
            .collect();
    let together = matrix.gather_all(&counts, &edges);
    assert_eq!(together.len(), 5);
    for (band, e) in together.into_iter().zip(&edges) {
        let lo = counts.column(e.below, 0);
        let hi = counts.column(e.above, cols.len());
        let mut alone = matrix.band(lo.iter().copied().zip(hi.iter().copied()), e.size);
        let mut band = band;
        band.sort_by(f64::total_cmp);
        alone.sort_by(f64::total_cmp);
        assert_eq!(band.len() as u64, e.size);
        assert_eq!(band, alone);
    }
}

#[test]
fn a_guess_that_missed_is_answered_from_the_band_gathered_again() {
    let (rows, cols) = sides(300, 200);
    let matrix = Matrix::new(&rows, &cols);
    let all = every_entry_sorted(&rows, &cols);
    let counts = matrix.count(vec![all[20_000], all[23_000]]);
    let edges = Edges { below: Some(0), above: Some(1), size: counts.totals[1] - counts.totals[0] };
    let gathered = || matrix.gather_all(&counts, &[edges]).into_iter().next().unwrap_or_default();
    let skipped = counts.totals[0];
    let wanted = [21_000_u64, 21_001];
    // Bounds wider than the band's real spread: the guessed window lands below the wanted
    // entries, and it misses after moving the entries it kept over others.
    let (low, high) = (all[20_000], all[23_000]);
    let bounds = (low - 2.0 * (high - low), high);
    let mut clobbered = gathered();
    let within = [wanted[0] - skipped, wanted[1] - skipped];
    assert_eq!(pick_near(&mut clobbered, &within, bounds), None);
    assert_ne!(clobbered, gathered());
    let got = matrix.select_in_band(gathered(), gathered, &wanted, skipped, Some(bounds));
    assert_eq!(got, vec![all[20_999], all[21_000]]);
}

#[test]
fn estimates_in_a_smooth_matrix_come_close_to_their_ranks() {
    let (rows, cols) = sides(125, 125);
    let matrix = Matrix::new(&rows, &cols);
    let ranks = [3_000_u64, 3_018, 7_800, 7_818, 12_000, 12_018];
    let estimates = matrix.near(&ranks, 2);
    assert_eq!(estimates.len(), ranks.len());
    let counts = matrix.count(estimates);
    // The walks stop at the tolerance or after a few tries: close, not always within it.
    let misses: Vec<u64> = ranks.iter().zip(&counts.totals).map(|(&r, &c)| r.abs_diff(c)).collect();
    assert!(misses.iter().all(|&m| m <= 8), "{misses:?}");
    assert!(misses.iter().filter(|&&m| m <= 2).count() >= 4, "{misses:?}");
    // A small matrix gives its exact order statistics.
    let (rows, cols) = sides(40, 50);
    let small = Matrix::new(&rows, &cols);
    let all = every_entry_sorted(&rows, &cols);
    assert_eq!(small.near(&[1, 1000, 2000], 5), vec![all[0], all[999], all[1999]]);
}
