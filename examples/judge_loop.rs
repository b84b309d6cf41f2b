//! A fixed workload for instruction counting: the health judge over 20 continuous metrics of
//! 1 000 samples per side, 10 times. Run with
//! `valgrind --tool=callgrind --toggle-collect=judge_loop::run target/release/examples/judge_loop`
//! and divide by 10 for one judgement.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a measuring harness over generated documents known to be valid"
)]

use changeguard::health::{Judge, MetricKind, MetricSpec, Observations, Thresholds};

/// Deterministic log-normal samples (xorshift and Box-Muller).
fn samples(seed: u64, n: usize, median: f64) -> Vec<f64> {
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
            median * (0.3 * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()).exp()
        })
        .collect()
}

#[inline(never)]
fn run(judge: &Judge, observations: &Observations) -> usize {
    let mut failed = 0;
    for _ in 0..10 {
        let verdict = std::hint::black_box(judge.judge(observations));
        failed += verdict.metrics.iter().filter(|m| m.failed).count();
    }
    failed
}

fn main() {
    let metrics =
        (0..20).map(|i| MetricSpec::new(format!("m{i}"), MetricKind::Continuous).tolerance(0.1)).collect();
    let judge = Judge::new(metrics, Thresholds::default()).unwrap();
    let mut doc = serde_json::Map::new();
    for i in 0..20_u64 {
        let canary_median = if i % 5 == 0 { 110.0 } else { 100.0 };
        doc.insert(
            format!("m{i}"),
            serde_json::json!({ "baseline": samples(2 * i + 1, 1000, 100.0), "canary": samples(2 * i + 2, 1000, canary_median) }),
        );
    }
    let observations = Observations::from_json(&serde_json::json!({ "metrics": doc }).to_string()).unwrap();
    println!("{}", run(&judge, &observations));
}
