//! Topology compilation and blast-radius computation on synthetic layered topologies of 1 000,
//! 100 000 and 1 000 000 services.
//!
//! The topology: a root platform service; a bottom layer (a tenth of the services) depending on
//! it; then layers of decreasing size where each service has five dependencies on services near
//! its own position in the layer below, the first hard and each other one soft with probability
//! 1/4 (a fifth of all edges). Names are a bijective hash of the index, so name order (= id
//! order) is unrelated to the structure and memory access is as scattered as it gets.
//!
//! Memory is measured with `Topology::heap_bytes`, the sum of the capacities of the index's
//! vectors, and printed on stderr along with the sizes of the reaches measured.
#![allow(missing_docs, clippy::print_stderr, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use changeguard::{BlastOptions, Dependency, DependencyKind, Service, ServiceId, Topology};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// `SplitMix64`: a tiny, good-enough generator with a fixed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A bijection on `u32`, so that names are distinct and unrelated to positions.
fn scramble(i: u32) -> u32 {
    let mut x = i.wrapping_mul(0x9E37_79B1);
    x ^= x >> 15;
    x = x.wrapping_mul(0x85EB_CA77);
    x ^ (x >> 13)
}

fn name(i: usize) -> String {
    format!("svc-{:08x}", scramble(u32::try_from(i).expect("fits")))
}

/// Services and dependencies of a layered topology of `n` services (`n >= 100`).
fn generate(n: usize) -> (Vec<Service>, Vec<Dependency>) {
    const SHARES: [usize; 7] = [10, 30, 25, 18, 10, 5, 2];
    const WINDOW: i64 = 8;
    let mut rng = Rng(0x5EED);
    let regions = ["ap-south-1", "eu-west-1", "us-east-1"];
    // Layer bounds; the root is service 0, alone below layer 0.
    let mut bounds = vec![(0usize, 1usize)];
    let mut start = 1;
    for (layer, share) in SHARES.iter().enumerate() {
        let end = if layer + 1 == SHARES.len() { n } else { (start + (n - 1) * share / 100).min(n) };
        bounds.push((start, end));
        start = end;
    }
    let mut services = Vec::with_capacity(n);
    let mut dependencies = Vec::with_capacity(n * 5);
    for (layer, &(start, end)) in bounds.iter().enumerate() {
        let size = end - start;
        for i in start..end {
            let mut service = Service::new(name(i));
            service.tier = (rng.below(5) > 0).then(|| u32::try_from(rng.below(5)).expect("small"));
            service.team = Some(format!("team-{:05}", i / 25));
            service.traffic_share = rng.below(1001) as f64 / 1000.0 / (layer as f64 + 1.0);
            let first = rng.below(3) as usize;
            service.regions.push(regions[first].to_owned());
            if rng.below(3) == 0 {
                service.regions.push(regions[(first + 1) % 3].to_owned());
            }
            if i % 10 == 0 {
                service.tags.insert("pci".to_owned(), "true".to_owned());
            }
            services.push(service);
            if layer == 0 {
                continue;
            }
            if layer == 1 {
                dependencies.push(Dependency::hard(name(i), name(0)));
                continue;
            }
            let (below_start, below_end) = bounds[layer - 1];
            let below = (below_end - below_start) as i64;
            let center = below_start as i64 + ((i - start) as i64 * below) / size as i64;
            let mut picked: Vec<i64> = Vec::with_capacity(5);
            while picked.len() < 5.min(below as usize) {
                let offset = rng.below(2 * WINDOW as u64 + 1) as i64 - WINDOW;
                let target = (center + offset).clamp(below_start as i64, below_end as i64 - 1);
                if !picked.contains(&target) {
                    picked.push(target);
                }
            }
            for (k, &target) in picked.iter().enumerate() {
                let kind =
                    if k > 0 && rng.below(4) == 0 { DependencyKind::Soft } else { DependencyKind::Hard };
                dependencies.push(Dependency { from: name(i), to: name(target as usize), kind });
            }
        }
    }
    (services, dependencies)
}

/// The plain baseline: reverse hard adjacency as `Vec<Vec<u32>>`.
fn plain_adjacency(topology: &Topology) -> Vec<Vec<u32>> {
    let mut adjacency = vec![Vec::new(); topology.len()];
    for service in topology.services() {
        for caller in service.callers(DependencyKind::Hard) {
            adjacency[service.id().index()].push(caller.id().get());
        }
    }
    adjacency
}

/// Plain breadth-first search: visited flags and a queue, allocated per call.
fn plain_bfs(adjacency: &[Vec<u32>], source: u32) -> usize {
    let mut visited = vec![false; adjacency.len()];
    let mut queue = vec![source];
    visited[source as usize] = true;
    let mut head = 0;
    while let Some(&node) = queue.get(head) {
        head += 1;
        for &next in &adjacency[node as usize] {
            if !visited[next as usize] {
                visited[next as usize] = true;
                queue.push(next);
            }
        }
    }
    queue.len()
}

/// A service whose blast radius has tens of impacted services, looked for from the top layers.
fn typical_leaf(topology: &Topology, n: usize) -> ServiceId {
    let options = BlastOptions::default();
    (0..n)
        .rev()
        .step_by(7)
        .filter_map(|i| topology.id(&name(i)))
        .find(|&id| (20..=60).contains(&topology.reach(&[id], &options).services()))
        .expect("a service with tens of impacted services")
}

/// Nanoseconds this thread has spent on a CPU (Linux), so that timings leave out the time
/// other processes sharing the machine hold it; wall time elsewhere.
fn on_cpu_nanos() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// How long `f` takes, on-CPU time when available.
fn timed<T>(mut f: impl FnMut() -> T) -> Duration {
    let (cpu, wall) = (on_cpu_nanos(), Instant::now());
    black_box(f());
    match (cpu, on_cpu_nanos()) {
        (Some(before), Some(after)) => Duration::from_nanos(after.saturating_sub(before)),
        _ => wall.elapsed(),
    }
}

/// Whole-graph reach against the plain BFS, interleaved, taking the fastest of 20 batches of
/// each (batches long enough for the scheduler tick that on-CPU time is counted in).
fn compare_with_plain(topology: &Topology, root: ServiceId) -> String {
    let adjacency = plain_adjacency(topology);
    let options = BlastOptions::default();
    let reps = (2_000_000 / topology.len()).max(2);
    let (mut ours, mut plain) = (Duration::MAX, Duration::MAX);
    for _ in 0..20 {
        ours = ours
            .min(timed(|| (0..reps).map(|_| topology.reach(&[root], &options).services()).sum::<usize>()));
        plain = plain.min(timed(|| (0..reps).map(|_| plain_bfs(&adjacency, root.get())).sum::<usize>()));
    }
    let (ours, plain) = (ours / reps as u32, plain / reps as u32);
    format!(
        "whole graph, fastest of 20 batches of {reps} (on-CPU time): {ours:.2?} vs plain BFS {plain:.2?} (x{:.2})",
        ours.as_secs_f64() / plain.as_secs_f64()
    )
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("blast_radius");
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    for n in [1_000usize, 100_000, 1_000_000] {
        let (services, dependencies) = generate(n);
        let topology = Topology::new(&services, &dependencies).expect("valid topology");
        let options = BlastOptions::default();
        let root = topology.id(&name(0)).expect("root");
        let leaf = typical_leaf(&topology, n);
        let leaf_name = topology.service_by_id(leaf).expect("leaf").name().to_owned();
        {
            let whole = topology.reach(&[root], &options);
            let small = topology.reach(&[leaf], &options);
            eprintln!(
                "n={n}: {} dependencies in the document, {} distinct ({} soft); index heap {:.1} MiB; \
                 whole-graph reach {} impacted; leaf `{leaf_name}` reach {} impacted + {} degraded",
                dependencies.len(),
                topology.dependency_count(),
                topology.services().map(|s| s.callers(DependencyKind::Soft).len()).sum::<usize>(),
                topology.heap_bytes() as f64 / f64::from(1 << 20),
                whole.services(),
                small.services(),
                small.degraded_count(),
            );
        }
        eprintln!("n={n}: {}", compare_with_plain(&topology, root));
        let compile =
            (0..3).map(|_| timed(|| Topology::new(&services, &dependencies))).min().unwrap_or_default();
        eprintln!("n={n}: compile, fastest of 3 (on-CPU time): {compile:.2?}");

        if n == 1_000_000 {
            group.sample_size(10);
        }
        group.bench_function(BenchmarkId::new("compile", n), |b| {
            b.iter_with_large_drop(|| Topology::new(black_box(&services), black_box(&dependencies)));
        });
        group.sample_size(100);
        drop((services, dependencies));

        group.bench_function(BenchmarkId::new("whole_graph", n), |b| {
            b.iter(|| {
                let reach = topology.reach(black_box(&[root]), &options);
                black_box((reach.services(), reach.degraded_count()))
            });
        });
        let adjacency = plain_adjacency(&topology);
        group.bench_function(BenchmarkId::new("whole_graph_plain_bfs", n), |b| {
            b.iter(|| black_box(plain_bfs(&adjacency, black_box(root.get()))));
        });
        drop(adjacency);
        group.bench_function(BenchmarkId::new("leaf", n), |b| {
            b.iter(|| {
                let reach = topology.reach(black_box(&[leaf]), &options);
                black_box((reach.services(), reach.min_tier(), reach.traffic_share()))
            });
        });
        group.bench_function(BenchmarkId::new("leaf_report", n), |b| {
            b.iter(|| black_box(topology.blast_radius(black_box(&[leaf_name.as_str()]), &options)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
