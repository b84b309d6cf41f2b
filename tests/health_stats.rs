//! The health judge's statistics against reference values from `SciPy` and `NumPy`
//! (`tests/data/health/vectors.json`, written by `scripts/health_vectors.py`).
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_cmp, missing_docs)]

use changeguard::health::stats::{
    Alternative, Method, StatsError, TestResult, brown_forsythe, fisher_exact, hodges_lehmann, iqr_outliers,
    mann_whitney_u, pairwise_difference, shift_interval,
};
use serde_json::Value;

/// The reference cases of one function.
fn cases(function: &str) -> Vec<Value> {
    let text = include_str!("data/health/vectors.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    doc.get(function).and_then(Value::as_array).unwrap().clone()
}

/// The test's statistic and p-value agree with the reference `case` (`statistic`, `pvalue`)
/// within the relative tolerances given.
fn assert_agrees(r: &TestResult, case: &Value, statistic_tolerance: f64, p_tolerance: f64) {
    let (stat, p) = (case["statistic"].as_f64().unwrap(), case["pvalue"].as_f64().unwrap());
    assert!(close(r.statistic, stat, statistic_tolerance), "statistic {} vs {stat} in {case}", r.statistic);
    assert!(close(r.pvalue, p, p_tolerance), "p {} vs {p} in {case}", r.pvalue);
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn alternative(v: &Value) -> Alternative {
    match v.as_str().unwrap() {
        "two-sided" => Alternative::TwoSided,
        "greater" => Alternative::Greater,
        "less" => Alternative::Less,
        other => panic!("unknown alternative {other}"),
    }
}

/// Relative agreement, with an absolute floor for values near zero.
fn close(actual: f64, expected: f64, rel: f64) -> bool {
    if expected.is_nan() {
        return actual.is_nan();
    }
    if expected.is_infinite() {
        return actual == expected;
    }
    (actual - expected).abs() <= rel * expected.abs().max(1e-300) || (actual - expected).abs() < 1e-15
}

#[test]
fn mann_whitney_matches_scipy() {
    let cases = cases("mann_whitney");
    assert!(cases.len() > 50);
    for case in &cases {
        let (x, y) = (floats(&case["x"]), floats(&case["y"]));
        let method = match case["method"].as_str().unwrap() {
            "exact" => Method::Exact,
            "asymptotic" => Method::Asymptotic,
            _ => Method::Auto,
        };
        let r = mann_whitney_u(&x, &y, alternative(&case["alternative"]), method).unwrap();
        assert_agrees(&r, case, 1e-12, 1e-9);
    }
}

#[test]
fn mann_whitney_auto_picks_exact_only_for_small_untied_samples() {
    let small = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0, 7.0], Alternative::Less, Method::Auto);
    assert!(small.unwrap().exact);
    let tied = mann_whitney_u(&[1.0, 2.0, 2.0], &[4.0, 5.0, 6.0], Alternative::Less, Method::Auto);
    assert!(!tied.unwrap().exact);
    let big: Vec<f64> = (0..20).map(f64::from).collect();
    let large = mann_whitney_u(&big, &big, Alternative::TwoSided, Method::Auto).unwrap();
    assert!(!large.exact);
    // Too many arrangements for exact counts: the approximation is used, and says so.
    let huge: Vec<f64> = (0..300).map(f64::from).collect();
    let shifted: Vec<f64> = (0..300).map(|v| f64::from(v) + 0.5).collect();
    let r = mann_whitney_u(&huge, &shifted, Alternative::TwoSided, Method::Exact).unwrap();
    assert!(!r.exact);
    assert!(r.pvalue > 0.5);
}

#[test]
fn unusable_samples_are_errors_not_nan() {
    let two_sided = Alternative::TwoSided;
    assert_eq!(mann_whitney_u(&[], &[1.0], two_sided, Method::Auto), Err(StatsError::Empty));
    assert_eq!(mann_whitney_u(&[f64::NAN], &[1.0], two_sided, Method::Auto), Err(StatsError::NotFinite));
    assert_eq!(hodges_lehmann(&[1.0], &[f64::INFINITY]), Err(StatsError::NotFinite));
    assert_eq!(brown_forsythe(&[1.0], &[]), Err(StatsError::Empty));
    assert_eq!(iqr_outliers(&[], 1.5), Err(StatsError::Empty));
}

#[test]
fn hodges_lehmann_matches_numpy() {
    for case in cases("hodges_lehmann") {
        let baseline = floats(&case["baseline"]);
        let canary = floats(&case["canary"]);
        let shift = hodges_lehmann(&baseline, &canary).unwrap();
        let expected = case["shift"].as_f64().unwrap();
        assert!(close(shift, expected, 1e-12), "shift {shift} vs {expected}");
        for (rank, value) in case["order_ranks"].as_array().unwrap().iter().zip(floats(&case["order"])) {
            let got = pairwise_difference(&baseline, &canary, rank.as_u64().unwrap()).unwrap();
            assert_eq!(got, value, "order statistic {rank}");
        }
    }
}

#[test]
fn every_order_statistic_of_the_differences_is_found() {
    // Brute force over a small grid with ties, against sorting all differences.
    let baseline = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
    let canary = [2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0, 2.0, 8.0, 4.0, 5.0, 9.0];
    let mut all: Vec<f64> = canary.iter().flat_map(|c| baseline.iter().map(move |b| c - b)).collect();
    all.sort_by(f64::total_cmp);
    for (i, expected) in all.iter().enumerate() {
        let got = pairwise_difference(&baseline, &canary, i as u64 + 1).unwrap();
        assert_eq!(got, *expected, "rank {}", i + 1);
    }
}

#[test]
fn the_shift_interval_brackets_the_estimate_and_narrows_with_samples() {
    let baseline: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i % 7)).collect();
    let canary: Vec<f64> = (0..40).map(|i| 110.0 + f64::from(i % 7)).collect();
    let shift = hodges_lehmann(&baseline, &canary).unwrap();
    assert_eq!(shift, 10.0);
    let (low, high) = shift_interval(&baseline, &canary, 0.95).unwrap();
    assert!(low <= shift && shift <= high, "{low} {shift} {high}");
    let (wide_low, wide_high) = shift_interval(&baseline, &canary, 0.999).unwrap();
    assert!(wide_low <= low && wide_high >= high);
    let (small_low, small_high) = shift_interval(&baseline[..8], &canary[..8], 0.95).unwrap();
    assert!(small_high - small_low >= high - low);
}

#[test]
fn fisher_exact_matches_scipy() {
    let cases = cases("fisher_exact");
    assert!(cases.len() > 20);
    for case in &cases {
        let t = &case["table"];
        let cell = |r: usize, c: usize| t[r][c].as_u64().unwrap();
        let table = [[cell(0, 0), cell(0, 1)], [cell(1, 0), cell(1, 1)]];
        let r = fisher_exact(table, alternative(&case["alternative"])).unwrap();
        let expected_stat: f64 = case["statistic_text"].as_str().unwrap().parse().unwrap();
        assert!(close(r.statistic, expected_stat, 1e-12), "odds {} in {case}", r.statistic);
        let p = case["pvalue"].as_f64().unwrap();
        assert!(close(r.pvalue, p, 1e-9), "p {} vs {p} in {case}", r.pvalue);
    }
}

#[test]
fn fisher_exact_handles_large_counts_quickly_and_sanely() {
    // A billion requests: the sums walk the width of the distribution, not the counts.
    let same = fisher_exact([[1_000, 999_999_000], [1_000, 999_999_000]], Alternative::Greater).unwrap();
    assert!(same.pvalue > 0.4, "{}", same.pvalue);
    let worse = fisher_exact([[1_500, 999_998_500], [1_000, 999_999_000]], Alternative::Greater).unwrap();
    assert!(worse.pvalue < 1e-20, "{}", worse.pvalue);
    let overflow = fisher_exact([[u64::MAX, 1], [1, 1]], Alternative::Greater);
    assert_eq!(overflow, Err(StatsError::BadCounts));
}

#[test]
fn brown_forsythe_matches_scipy() {
    for case in &cases("brown_forsythe") {
        let r = brown_forsythe(&floats(&case["x"]), &floats(&case["y"])).unwrap();
        assert_agrees(&r, case, 1e-10, 1e-8);
    }
}

#[test]
fn constant_samples_carry_no_evidence() {
    let r = mann_whitney_u(&[3.0; 6], &[3.0; 9], Alternative::TwoSided, Method::Auto).unwrap();
    assert_eq!(r.pvalue, 1.0);
    let r = brown_forsythe(&[3.0; 6], &[3.0; 9]).unwrap();
    assert_eq!(r.pvalue, 1.0);
}

#[test]
fn iqr_outliers_uses_tukey_fences() {
    let sample = [10.0, 11.0, 12.0, 11.5, 10.5, 300.0, 11.2, -200.0];
    let (kept, removed) = iqr_outliers(&sample, 1.5).unwrap();
    assert_eq!(removed, vec![300.0, -200.0]);
    assert_eq!(kept.len(), 6);
}

#[test]
fn order_statistics_of_large_samples_match_brute_force() {
    // Large enough for the sampled-pivot search (75 000 differences), with many ties.
    let mut state = 0x1234_5678_u64;
    let mut next = |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m) as f64
    };
    let baseline: Vec<f64> = (0..300).map(|_| next(400) / 4.0).collect();
    let canary: Vec<f64> = (0..250).map(|_| next(500) / 4.0).collect();
    let mut all: Vec<f64> = canary.iter().flat_map(|c| baseline.iter().map(move |b| c - b)).collect();
    all.sort_by(f64::total_cmp);
    for rank in (1..=all.len()).step_by(997).chain([all.len() / 2, all.len() / 2 + 1, all.len()]) {
        let got = pairwise_difference(&baseline, &canary, rank as u64).unwrap();
        assert_eq!(got, all[rank - 1], "rank {rank}");
    }
    let n = all.len();
    let median = f64::midpoint(all[n / 2 - 1], all[n / 2]);
    assert_eq!(hodges_lehmann(&baseline, &canary).unwrap(), median);
    // Constant samples: every difference is the same.
    assert_eq!(hodges_lehmann(&[2.0; 300], &[5.0; 300]).unwrap(), 3.0);
}

#[test]
fn brown_forsythe_on_values_near_the_largest_float_neither_panics_nor_changes() {
    // The deviations' squares overflow, which once reached the F distribution as NaN (a
    // panic inside statrs); the statistic does not change when every value is scaled.
    let x = [1.0, 2.0, 4.0, 8.0, 9.5, 3.0, 2.5];
    let y = [1.5, 2.0, 2.2, 2.4, 2.6, 3.0];
    let plain = brown_forsythe(&x, &y).unwrap();
    let scale = 2.0_f64.powi(1000);
    let (xs, ys): (Vec<f64>, Vec<f64>) =
        (x.iter().map(|v| v * scale).collect(), y.iter().map(|v| v * scale).collect());
    let huge = brown_forsythe(&xs, &ys).unwrap();
    assert!((huge.pvalue - plain.pvalue).abs() < 1e-12, "{} vs {}", huge.pvalue, plain.pvalue);
    assert!((huge.statistic - plain.statistic).abs() <= 1e-9 * plain.statistic);
    // Both signs at the edge of the range: differences overflow to infinity.
    let edge = [1.5e308, -1.5e308, 1.0, 2.0, 3.0];
    let r = brown_forsythe(&edge, &[1.0, 2.0, 3.0, 1e308]).unwrap();
    assert!((0.0..=1.0).contains(&r.pvalue), "{}", r.pvalue);
}

#[test]
fn fisher_exact_with_very_large_counts_is_approximated_without_a_jump_or_a_loss_of_precision() {
    // A table whose cell deviates by 1.5 standard deviations from its expectation, at sizes
    // either side of the switch to the normal approximation (a standard deviation of 1 000)
    // and far past it, where the exact sums lost precision (p = 1 or 0) and took seconds.
    let table = |cell: u64| {
        let off = (1.5 * (cell as f64).sqrt() / 2.0) as u64;
        [[cell + off, cell - off], [cell - off, cell + off]]
    };
    let below = fisher_exact(table(3_900_000), Alternative::TwoSided).unwrap();
    let above = fisher_exact(table(4_100_000), Alternative::TwoSided).unwrap();
    assert!(below.exact && !above.exact);
    assert!((below.pvalue - above.pvalue).abs() < 0.005, "{} vs {}", below.pvalue, above.pvalue);
    for cell in [1_000_000_000_000_u64, 1_000_000_000_000_000, 4_000_000_000_000_000_000] {
        for (alternative, expected) in
            [(Alternative::TwoSided, above.pvalue), (Alternative::Greater, above.pvalue / 2.0)]
        {
            let r = fisher_exact(table(cell), alternative).unwrap();
            assert!((r.pvalue - expected).abs() < 0.005, "{cell}: {} vs {expected}", r.pvalue);
        }
    }
    // Margins past half of `u64::MAX` (the lower end of the cell's range once overflowed).
    let r = fisher_exact([[u64::MAX / 2, u64::MAX / 4], [u64::MAX / 8, 3]], Alternative::Less).unwrap();
    assert!((0.0..=1.0).contains(&r.pvalue));
}
