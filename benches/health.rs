//! Health judge speed: 20 metrics of 1 000 samples per side (continuous), and 20 count
//! metrics, judged with their full statistics (Mann-Whitney, Hodges-Lehmann with its
//! interval, Brown-Forsythe; Fisher's exact test).
#![allow(missing_docs, clippy::expect_used, clippy::semicolon_if_nothing_returned)]

use std::hint::black_box;

use changeguard::health::{Judge, MetricKind, MetricSpec, Observations, Thresholds};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/health_workload.rs"]
mod health_workload;

use health_workload::samples;

fn bench(c: &mut Criterion) {
    let (judge, obs) = health_workload::continuous();
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
