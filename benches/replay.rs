//! Replay throughput: decision records of the bundled examples (read from their JSON lines,
//! decided again with the built-in policy over the shop topology, counted in input order), on
//! one thread and on two, in chunks as `changeguard replay` does.
#![allow(missing_docs, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use changeguard::cel::Timestamp;
use changeguard::replay::{DecisionRecord, Location, Replayer, topology_digest};
use changeguard::{Change, Context, Limits, Policy, Topology};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;

/// Records in one measured batch (one chunk of the CLI).
const BATCH: usize = 4096;

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))).expect("example")
}

/// `BATCH` record lines cycling through the examples, each with its own change id.
fn lines(policy: &Policy, topology: &Topology) -> Vec<String> {
    let context = Context::from_json(&example("context.json")).expect("context");
    let digest = topology_digest(topology);
    // Every bundled example change, in name order.
    let dir = format!("{}/examples", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("examples")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.starts_with("change-") && std::path::Path::new(n).extension().is_some_and(|e| e == "json")
        })
        .collect();
    names.sort();
    let changes: Vec<Change> =
        names.iter().map(|n| Change::from_json(&example(n)).expect("change")).collect();
    (0..BATCH)
        .map(|i| {
            let mut change = changes[i % changes.len()].clone();
            change.id = format!("CHG-{i}");
            let assessment = policy.assess(&change, topology, &context);
            DecisionRecord::new(
                policy,
                digest.clone(),
                change,
                context.clone(),
                &assessment,
                Timestamp::UNIX_EPOCH,
            )
            .to_json_line()
        })
        .collect()
}

fn replay(c: &mut Criterion) {
    let policy = Policy::well_architected();
    let topology = Topology::from_json(&example("topology-shop.json")).expect("topology");
    let lines = lines(&policy, &topology);
    let limits = Limits::default();
    let replayer = Replayer::new(&policy, &topology);
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.measurement_time(Duration::from_secs(5)).sample_size(20);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        group.bench_with_input(BenchmarkId::new("builtin_policy_examples", threads), &threads, |b, _| {
            b.iter(|| {
                let decided: Vec<_> = pool.install(|| {
                    lines
                        .par_iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let at = Location::new("bench", i as u64 + 1);
                            (at, DecisionRecord::from_json_line(l, &limits).map(|r| replayer.decide(r)))
                        })
                        .collect()
                });
                let mut report = replayer.report(3);
                for (at, r) in decided {
                    match r {
                        Ok(r) => report.add(at, r),
                        Err(e) => report.add_malformed(at, &e),
                    }
                }
                black_box(report)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
