//! The health judge's measured workload, shared by `benches/health.rs` and
//! `examples/judge_loop.rs` so that the bench and the instruction count judge the same data:
//! 20 continuous metrics of 1 000 samples per side, every fifth one regressed by 10%.

use changeguard::health::{Judge, MetricKind, MetricSpec, Observations, Thresholds};

/// Deterministic log-normal-ish samples (xorshift and Box-Muller), no `rand` needed.
pub(crate) fn samples(seed: u64, n: usize, median: f64) -> Vec<f64> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        ((state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 + 0.5) / (1_u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u, v) = (next(), next());
            let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
            median * (0.3 * z).exp()
        })
        .collect()
}

/// The judge of 20 continuous metrics (tolerance 10%) and the observations it judges.
///
/// # Panics
///
/// Never: the judge and the document are valid by construction.
#[expect(clippy::expect_used, reason = "a fixed workload, valid by construction")]
pub(crate) fn continuous() -> (Judge, Observations) {
    let metrics =
        (0..20).map(|i| MetricSpec::new(format!("m{i}"), MetricKind::Continuous).tolerance(0.1)).collect();
    let judge = Judge::new(metrics, Thresholds::default()).expect("judge");
    let mut doc = serde_json::Map::new();
    for i in 0..20_u64 {
        let canary_median = if i % 5 == 0 { 110.0 } else { 100.0 };
        doc.insert(
            format!("m{i}"),
            serde_json::json!({
                "baseline": samples(2 * i + 1, 1000, 100.0),
                "canary": samples(2 * i + 2, 1000, canary_median),
            }),
        );
    }
    let text = serde_json::json!({ "metrics": doc }).to_string();
    (judge, Observations::from_json(&text).expect("observations"))
}
