//! Replay throughput: decision records of the bundled examples (read from their JSON lines,
//! decided again with the built-in policy over the shop topology, counted as if in input
//! order), on one thread and on two, in chunks as `changeguard replay` does: each thread reads,
//! decides and counts runs of lines into a report of its own, and the reports are merged in
//! order.
#![allow(missing_docs, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::Arc;
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
    let source: Arc<str> = Arc::from("bench");
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.measurement_time(Duration::from_secs(5)).sample_size(20);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        group.bench_with_input(BenchmarkId::new("builtin_policy_examples", threads), &threads, |b, _| {
            b.iter(|| {
                let report = pool.install(|| {
                    lines
                        .par_iter()
                        .enumerate()
                        .fold(
                            || (replayer.report(3), Location::new(Arc::clone(&source), 0)),
                            |(mut report, mut at), (i, l)| {
                                at.line = i as u64 + 1;
                                match DecisionRecord::from_json_line(l, &limits) {
                                    Ok(r) => replayer.replay_into(&mut report, &at, &r),
                                    Err(e) => report.add_malformed(at.clone(), &e),
                                }
                                (report, at)
                            },
                        )
                        .map(|(report, _)| report)
                        .reduce(
                            || replayer.report(3),
                            |mut first, then| {
                                first.merge(then).expect("reports of one replayer merge");
                                first
                            },
                        )
                });
                assert_eq!(report.records, BATCH as u64);
                black_box(report)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
