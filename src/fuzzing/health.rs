//! The health judge: observations read from arbitrary text, and its statistics on samples
//! built from arbitrary bytes, checked against a brute-force reference.

use std::sync::OnceLock;

use super::cel::check_diagnostics;
use crate::health::stats::{
    Alternative, Method, brown_forsythe, fisher_exact, mann_whitney_u, pairwise_difference, shift_estimate,
};
use crate::health::{Decision, Judge, Observations, Verdict, plot_svg};
use crate::{Limits, Policy};

/// The built-in policy, loaded once: its `[health]` section judges the observations.
fn builtin() -> Option<&'static Policy> {
    static POLICY: OnceLock<Option<Policy>> = OnceLock::new();
    POLICY
        .get_or_init(|| {
            Policy::from_text_with_limits(crate::policy::WELL_ARCHITECTED_TOML, &Limits::default()).ok()
        })
        .as_ref()
}

/// Reads `data` as an observations document and judges it with the built-in policy at three
/// risk levels, and with outliers removed. A document that does not read reports diagnostics inside the text. A verdict
/// never promotes on a metric that blocks promotion or without a score, always gives a
/// reason, and renders as text, Markdown and SVG.
///
/// # Panics
///
/// When reading, judging or rendering panics, or a property above does not hold.
pub fn health_judge(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let observations = match Observations::from_json(text) {
        Ok(o) => o,
        Err(d) => {
            assert!(d.has_errors(), "a failed read reports no error");
            check_diagnostics(d.items(), text);
            return;
        }
    };
    let Some(policy) = builtin() else { return };
    // The built-in judge at three risk levels, and with outliers removed.
    let mut verdicts: Vec<Verdict> =
        [None, Some(crate::policy::RiskLevel::Low), Some(crate::policy::RiskLevel::Critical)]
            .into_iter()
            .map(|risk| policy.judge(&observations, risk))
            .collect();
    if let Some(judge) = policy.health()
        && let Ok(trimming) = Judge::new(judge.metrics().to_vec(), judge.thresholds().remove_outliers(true))
    {
        verdicts.push(trimming.judge(&observations));
    }
    for verdict in verdicts {
        assert!(!verdict.reasons.is_empty(), "a verdict gives no reason");
        if verdict.decision == Decision::Promote {
            assert!(verdict.score.is_some(), "promoted without a score");
            assert!(verdict.metrics.iter().all(|m| !m.blocks_promotion), "promoted past a blocking metric");
            assert!(
                verdict.metrics.iter().all(|m| !(m.critical && m.failed)),
                "promoted past a failed critical metric"
            );
        }
        if let Some(score) = verdict.score {
            assert!((0.0..=100.0).contains(&score) && score.is_sign_positive(), "score {score}");
        }
        assert!(!verdict.to_text().is_empty() && !verdict.to_markdown().is_empty());
        let svg = plot_svg(&verdict, &observations);
        assert!(svg.starts_with("<svg"), "the plot is not an SVG");
        assert!(
            !svg.contains("\"NaN\"") && !svg.contains("\"inf\"") && !svg.contains("\"-inf\""),
            "a coordinate is not a number"
        );
    }
}

/// Reads bytes: the first ones choose the sizes and shape of two samples, the rest seed a
/// generator. Sizes reach past the thinned-matrix search's thresholds (up to 700 a side);
/// shapes include heaps of ties, both zeros, far-out values and differences that overflow.
struct Samples {
    bytes: Vec<u8>,
    at: usize,
    state: u64,
}

impl Samples {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1_u64 << 53) as f64
    }

    /// One value of `shape`.
    fn value(&mut self, shape: u8, scale: f64) -> f64 {
        let u = self.unit();
        let v = match shape % 6 {
            // Smooth.
            0 => 100.0 * (0.3 * (u - 0.5)).exp(),
            // Heaps of ties.
            1 => (u * 7.0).floor(),
            // Heavy tail.
            2 => 10.0 / u.powf(0.8),
            // Both zeros and a few values.
            3 => match self.next() % 4 {
                0 => -0.0,
                1 | 2 => 0.0,
                _ => u,
            },
            // Overflowing differences.
            4 => match self.next() % 5 {
                0 => -f64::MAX / 1.5,
                1 => f64::MAX / 1.5,
                _ => u,
            },
            // Raw bits, finite only.
            _ => {
                let v = f64::from_bits(self.next());
                if v.is_finite() { v } else { u }
            }
        };
        // A sample holds finite values only (the documents refuse others).
        let scaled = v * scale;
        if scaled.is_finite() { scaled } else { v }
    }

    fn sample(&mut self, n: usize, shape: u8, scale: f64) -> Vec<f64> {
        (0..n).map(|_| self.value(shape, scale)).collect()
    }
}

/// Every difference `canary[j] - baseline[i]` (`-0.0` read as `0.0`), sorted in the total
/// order: the reference the search must agree with.
fn all_differences(baseline: &[f64], canary: &[f64]) -> Vec<f64> {
    let mut all: Vec<f64> =
        canary.iter().flat_map(|c| baseline.iter().map(move |b| (c + 0.0) - (b + 0.0))).collect();
    all.sort_by(f64::total_cmp);
    all
}

/// Builds two samples from `data` and checks the order statistics of their differences (the
/// Hodges-Lehmann shift, its interval's ends and four other ranks) against a brute-force sort
/// of every difference, bit for bit; the other statistics must not panic and must give
/// p-values in `[0, 1]`.
///
/// # Panics
///
/// When a statistic panics, an order statistic differs from the brute-force one, or a p-value
/// is out of range.
pub fn health_stats(data: &[u8]) {
    let mut s = Samples { bytes: data.to_vec(), at: 0, state: 0x9e37_79b9_7f4a_7c15 };
    let n = 1 + usize::from(s.byte()) * 700 / 255;
    let m = 1 + usize::from(s.byte()) * 700 / 255;
    let (shape_b, shape_c) = (s.byte(), s.byte());
    let shift = 1.0 + f64::from(s.byte()) / 255.0;
    let confidence = 0.5 + f64::from(s.byte()) / 256.0 * 0.49;
    for chunk in data.get(6..).unwrap_or_default().chunks(8) {
        let mut word = [0_u8; 8];
        for (w, b) in word.iter_mut().zip(chunk) {
            *w = *b;
        }
        s.state ^= u64::from_le_bytes(word);
        s.next();
    }
    s.state |= 1;
    let baseline = s.sample(n, shape_b, 1.0);
    let canary = s.sample(m, shape_c, shift);
    let all = all_differences(&baseline, &canary);
    let total = all.len();
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
    let at = |rank: usize| all.get(rank.clamp(1, total) - 1).copied().unwrap_or(f64::NAN);
    for rank in [1, total / 3, total / 2 + 1, total.saturating_sub(5), total] {
        let got = pairwise_difference(&baseline, &canary, rank as u64).unwrap_or(f64::NAN);
        assert!(same(got, at(rank)), "rank {rank} of {n}x{m}: {got} against {}", at(rank));
    }
    if let Ok(found) = shift_estimate(&baseline, &canary, confidence) {
        let median = if total % 2 == 1 {
            at(total / 2 + 1)
        } else {
            let (l, u) = (at(total / 2), at(total / 2 + 1));
            l + (u - l) / 2.0
        };
        assert!(
            same(found.estimate, median) || (found.estimate.is_nan() && median.is_nan()),
            "median of {n}x{m}"
        );
        assert!(found.low.total_cmp(&found.high).is_le(), "interval ends out of order");
    }
    for alternative in [Alternative::TwoSided, Alternative::Greater, Alternative::Less] {
        if let Ok(r) = mann_whitney_u(&canary, &baseline, alternative, Method::Auto) {
            assert!((0.0..=1.0).contains(&r.pvalue), "Mann-Whitney p {}", r.pvalue);
        }
    }
    if let Ok(r) = brown_forsythe(&canary, &baseline) {
        assert!(r.pvalue.is_nan() || (0.0..=1.0).contains(&r.pvalue), "Brown-Forsythe p {}", r.pvalue);
    }
    // Counts of every size, up to the largest a document can spell.
    let counts = |s: &mut Samples| {
        let total = match s.next() % 4 {
            0 => s.next() % 20,
            1 => s.next() % 1_000_000_000,
            2 => s.next(),
            _ => u64::MAX - s.next() % 3,
        };
        (s.next() % total.saturating_add(1).max(1), total)
    };
    let ((eb, tb), (ec, tc)) = (counts(&mut s), counts(&mut s));
    for alternative in [Alternative::TwoSided, Alternative::Greater, Alternative::Less] {
        if let Ok(r) = fisher_exact([[ec, tc - ec.min(tc)], [eb, tb - eb.min(tb)]], alternative) {
            assert!((0.0..=1.0).contains(&r.pvalue), "Fisher p {} for {ec}/{tc} against {eb}/{tb}", r.pvalue);
        }
    }
}
