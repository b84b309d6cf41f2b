//! Health judge speed: 20 metrics of 1 000 samples per side (continuous), and 20 count
//! metrics, judged with their full statistics (Mann-Whitney, Hodges-Lehmann with its
//! interval, Brown-Forsythe; Fisher's exact test).
#![allow(missing_docs, clippy::expect_used, clippy::semicolon_if_nothing_returned)]

use std::hint::black_box;

use changeguard::health::{Judge, MetricKind, MetricSpec, Observations, Thresholds};
use criterion::{Criterion, criterion_group, criterion_main};

/// Deterministic log-normal-ish samples (xorshift and Box-Muller), no `rand` needed.
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
            let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
            median * (0.3 * z).exp()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let metrics: Vec<MetricSpec> =
        (0..20).map(|i| MetricSpec::new(format!("m{i}"), MetricKind::Continuous).tolerance(0.1)).collect();
    let judge = Judge::new(metrics, Thresholds::default()).expect("judge");
    let mut doc = serde_json::Map::new();
    for i in 0..20_u64 {
        doc.insert(
            format!("m{i}"),
            serde_json::json!({
                "baseline": samples(2 * i + 1, 1000, 100.0),
                "canary": samples(2 * i + 2, 1000, if i % 5 == 0 { 110.0 } else { 100.0 }),
            }),
        );
    }
    let text = serde_json::json!({ "metrics": doc }).to_string();
    let obs = Observations::from_json(&text).expect("observations");
    let (b, cn) = (samples(7, 1000, 100.0), samples(8, 1000, 104.0));
    c.bench_function("stats/mann-whitney-1000", |bch| {
        bch.iter(|| {
            changeguard::health::stats::mann_whitney_u(
                black_box(&cn),
                black_box(&b),
                changeguard::health::stats::Alternative::TwoSided,
                changeguard::health::stats::Method::Auto,
            )
        })
    });
    c.bench_function("stats/shift-estimate-1000", |bch| {
        bch.iter(|| changeguard::health::stats::shift_estimate(black_box(&b), black_box(&cn), 0.98))
    });
    c.bench_function("stats/brown-forsythe-1000", |bch| {
        bch.iter(|| changeguard::health::stats::brown_forsythe(black_box(&cn), black_box(&b)))
    });
    c.bench_function("judge/20-metrics-x-1000-samples", |b| {
        b.iter(|| black_box(judge.judge(black_box(&obs))))
    });

    let counts: Vec<MetricSpec> =
        (0..20).map(|i| MetricSpec::new(format!("e{i}"), MetricKind::Count)).collect();
    let judge = Judge::new(counts, Thresholds::default()).expect("judge");
    let mut doc = serde_json::Map::new();
    for i in 0..20_u64 {
        doc.insert(
            format!("e{i}"),
            serde_json::json!({
                "baseline": { "errors": 50 + i, "total": 100_000 },
                "canary": { "errors": 8 + i, "total": 10_000 },
            }),
        );
    }
    let text = serde_json::json!({ "metrics": doc }).to_string();
    let obs = Observations::from_json(&text).expect("observations");
    c.bench_function("judge/20-count-metrics", |b| b.iter(|| black_box(judge.judge(black_box(&obs)))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
