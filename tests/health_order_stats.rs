//! The fast search for order statistics of the pairwise differences (the Hodges-Lehmann
//! shift and its interval) against a brute-force sort of every difference, on random samples
//! with ties, signed zeros and differences that overflow to infinity.
#![allow(clippy::float_cmp, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use changeguard::health::stats::{hodges_lehmann, pairwise_difference, shift_estimate, shift_interval};
use proptest::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal};

/// Every difference `canary[j] - baseline[i]`, sorted in the total order.
fn all_differences(baseline: &[f64], canary: &[f64]) -> Vec<f64> {
    // Samples read `-0.0` as `0.0` (adding `0.0` does that and changes nothing else).
    let mut all: Vec<f64> =
        canary.iter().flat_map(|c| baseline.iter().map(move |b| (c + 0.0) - (b + 0.0))).collect();
    all.sort_by(f64::total_cmp);
    all
}

/// The ranks of the interval's ends, as the library documents them: the normal approximation
/// of the Mann-Whitney distribution.
fn interval_ranks(n1: usize, n2: usize, confidence: f64) -> (usize, usize) {
    let (f1, f2) = (n1 as f64, n2 as f64);
    let n = n1 * n2;
    let z = Normal::standard().inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let k = (f1 * f2 / 2.0 - z * (f1 * f2 * (f1 + f2 + 1.0) / 12.0).sqrt()).floor().max(1.0) as usize;
    let k = k.min(n.div_ceil(2));
    (k, n + 1 - k)
}

fn median(all: &[f64]) -> f64 {
    let n = all.len();
    if n % 2 == 1 {
        all[n / 2]
    } else {
        let (l, u) = (all[n / 2 - 1], all[n / 2]);
        l + (u - l) / 2.0
    }
}

/// Bit-for-bit equality, so that `-0.0` and `0.0` differ.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Values with many ties, both zeros, and extremes whose differences overflow.
fn value() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        8 => (0_i32..40).prop_map(|v| f64::from(v) / 4.0),
        2 => -1000.0..1000.0_f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
    ]
}

/// Smooth values without extremes, as latencies are.
fn smooth() -> impl Strategy<Value = f64> + Clone {
    (1.0..1000.0_f64).prop_map(|v| (v / 100.0).exp())
}

fn check_all(
    baseline: &[f64],
    canary: &[f64],
    confidence: f64,
    ranks: &[usize],
) -> Result<(), TestCaseError> {
    let all = all_differences(baseline, canary);
    let n = all.len();
    for &rank in ranks {
        let rank = rank.clamp(1, n);
        let got = pairwise_difference(baseline, canary, rank as u64).unwrap();
        prop_assert!(same(got, all[rank - 1]), "rank {rank}: {got} vs {}", all[rank - 1]);
    }
    let expected = median(&all);
    let hl = hodges_lehmann(baseline, canary).unwrap();
    prop_assert!(same(hl, expected), "median {hl} vs {expected}");
    let (k1, k2) = interval_ranks(baseline.len(), canary.len(), confidence);
    let (low, high) = shift_interval(baseline, canary, confidence).unwrap();
    prop_assert!(same(low, all[k1 - 1]) && same(high, all[k2 - 1]), "interval {low} {high}");
    let shift = shift_estimate(baseline, canary, confidence).unwrap();
    prop_assert!(same(shift.estimate, expected) && same(shift.low, low) && same(shift.high, high));
    Ok(())
}

/// A baseline and a canary of `sizes` values each.
fn pair(
    values: impl Strategy<Value = f64> + Clone,
    sizes: std::ops::Range<usize>,
) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (prop::collection::vec(values.clone(), sizes.clone()), prop::collection::vec(values, sizes))
}

proptest! {
    #[test]
    fn small_samples_with_ties_zeros_and_overflow(
        (baseline, canary) in pair(value(), 1..40),
        confidence in 0.6..0.999_f64,
        ranks in prop::collection::vec(1_usize..1600, 4),
    ) {
        check_all(&baseline, &canary, confidence, &ranks)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Large enough for the thinned-matrix search: tied values with zeros and overflow, or
    /// smooth values as latencies are.
    #[test]
    fn medium_samples(
        (baseline, canary) in prop_oneof![pair(value(), 30..320), pair(smooth(), 100..400)],
        confidence in 0.6..0.999_f64,
        ranks in prop::collection::vec(1_usize..160_000, 4),
    ) {
        check_all(&baseline, &canary, confidence, &ranks)?;
    }
}

#[test]
fn a_thousand_samples_per_side_match_brute_force() {
    // The benchmark's size: the thinned-matrix estimates and interpolated probes do the work.
    let mut state = 0x2545_f491_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1_u64 << 53) as f64
    };
    for shift in [1.0, 1.1, 3.0] {
        let baseline: Vec<f64> = (0..1000).map(|_| 100.0 * (next() * 2.0).exp()).collect();
        let canary: Vec<f64> = (0..1000).map(|_| shift * 100.0 * (next() * 2.0).exp()).collect();
        check_all(&baseline, &canary, 0.98, &[1, 1000, 250_000, 499_999, 777_777, 1_000_000]).unwrap();
    }
    // Heavy ties: few distinct values.
    let baseline: Vec<f64> = (0..1000).map(|i| f64::from(i % 7)).collect();
    let canary: Vec<f64> = (0..1000).map(|i| f64::from(i % 5) + 1.0).collect();
    check_all(&baseline, &canary, 0.98, &[1, 400_000, 500_001, 1_000_000]).unwrap();
}

/// A named shape of sample, with the two sizes drawn from it.
type Shape<'a> = (&'a str, usize, usize, &'a dyn Fn(f64) -> f64);

#[test]
fn estimates_walked_in_the_thinned_matrix_leave_every_answer_exact() {
    // Sizes whose thinned matrix is walked for estimates rather than selected from, with
    // shapes that make straight-line interpolation guess badly: heavy tails, heaps of ties,
    // both zeros, and one value far out.
    let mut state = 0x9e37_79b9_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 + 0.5) / (1_u64 << 53) as f64
    };
    let shapes: [Shape<'_>; 6] = [
        ("pareto", 1000, 1000, &|u| 10.0 / u.powf(1.0 / 1.2)),
        ("wide log-normal", 900, 1100, &|u| (8.0 * (u - 0.5)).exp()),
        ("heaped", 1000, 800, &|u| (u * 12.0).floor()),
        ("zeros of both signs", 1000, 1000, &|u| {
            if u < 0.5 {
                -0.0
            } else if u < 0.9 {
                0.0
            } else {
                u
            }
        }),
        ("one far out", 1000, 1000, &|u| if u > 0.999 { 1e12 } else { u }),
        ("differences overflowing", 1000, 1000, &|u| {
            if u < 0.2 {
                -f64::MAX / 2.0
            } else if u > 0.8 {
                f64::MAX / 2.0
            } else {
                u
            }
        }),
    ];
    for (name, n, m, shape) in shapes {
        let baseline: Vec<f64> = (0..n).map(|_| shape(next())).collect();
        let canary: Vec<f64> = (0..m).map(|_| shape(next()) * 1.05).collect();
        let all = n * m;
        let result = check_all(&baseline, &canary, 0.98, &[1, all / 3, all / 2, all / 2 + 1, all - 7, all]);
        assert!(result.is_ok(), "{name}: {result:?}");
    }
}

#[test]
fn ranks_in_a_run_of_equal_differences_at_either_end_are_found_without_gathering_it() {
    // Samples of one value (every difference equal) and of two values, with one side tiny:
    // the wanted ranks at the ends of the range once made the search gather every difference.
    for (n, m) in [(3_usize, 50_000_usize), (50_000, 3), (2_000, 2_000)] {
        let (b, c) = (vec![7.0; n], vec![7.0; m]);
        let total = (n * m) as u64;
        for rank in [1, 2, total / 2, total - 1, total] {
            assert_eq!(
                pairwise_difference(&b, &c, rank).unwrap().to_bits(),
                0.0_f64.to_bits(),
                "{n}x{m} rank {rank}"
            );
        }
        let s = shift_estimate(&b, &c, 0.999_999).unwrap();
        assert_eq!((s.estimate, s.low, s.high), (0.0, 0.0, 0.0));
        // Two values: the first `n / 2` of the baseline one higher.
        let b2: Vec<f64> = (0..n).map(|i| if i < n / 2 { 8.0 } else { 7.0 }).collect();
        let below = (n / 2 * m) as u64;
        assert_eq!(pairwise_difference(&b2, &c, 1).unwrap(), -1.0);
        assert_eq!(pairwise_difference(&b2, &c, below.max(1)).unwrap(), if below == 0 { 0.0 } else { -1.0 });
        assert_eq!(pairwise_difference(&b2, &c, total).unwrap(), 0.0);
    }
    // Gathering these would take 200 GB: the process aborted.
    let (b, c) = (vec![7.0; 146_323], vec![7.0; 170_961]);
    assert_eq!(pairwise_difference(&b, &c, 1).unwrap(), 0.0);
    assert_eq!(pairwise_difference(&b, &c, 146_323 * 170_961).unwrap(), 0.0);
}
