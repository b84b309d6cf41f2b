//! Per-decision time of changeguard, Cedar, Rego (regorus interpreter and RVM) and CEL
//! (cel-interpreter) on the same rule set, for 20 and 200 conditions, all in one process.
//!
//! Before anything is timed, every engine must reach changeguard's decision (outcome and
//! violated rules) on every scenario. One benchmark iteration decides every scenario once;
//! the summary divides by the number of scenarios. At the end a table of per-decision times
//! and ratios to changeguard is printed and written to `target/peers-summary.md`.
//!
//! `cargo bench -- changeguard` reruns only changeguard (the table then shows what ran).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use changeguard_peers::{Engine, Prepared, Suite};
use criterion::{BenchmarkGroup, Criterion, Throughput, measurement::WallTime};

/// Per-iteration times (ns) of each call criterion made, by benchmark id.
static SAMPLES: Mutex<BTreeMap<(u32, &'static str), Vec<f64>>> = Mutex::new(BTreeMap::new());

const SAMPLE_SIZE: usize = 30;

fn bench_engine<E: Engine>(group: &mut BenchmarkGroup<'_, WallTime>, rules: u32, prepared: &Prepared<E>) {
    let name = prepared.engine.name();
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                for input in &prepared.inputs {
                    black_box(prepared.engine.outcome(black_box(input)));
                }
            }
            let elapsed = start.elapsed();
            if let Ok(mut s) = SAMPLES.lock() {
                s.entry((rules, name)).or_default().push(elapsed.as_nanos() as f64 / iters as f64);
            }
            elapsed
        });
    });
}

fn run(c: &mut Criterion, replicas: u32) -> Suite {
    let suite = Suite::new(replicas);
    match suite.verify() {
        Ok(table) => eprintln!("all engines agree on every scenario, {table}"),
        Err(e) => panic!("engines disagree, nothing timed:\n{e}"),
    }
    let rules = u32::try_from(suite.rules.len()).unwrap_or(u32::MAX);
    let mut group = c.benchmark_group(format!("decision/{rules}"));
    group.throughput(Throughput::Elements(suite.scenarios.list.len() as u64));
    group.sample_size(SAMPLE_SIZE);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    bench_engine(&mut group, rules, &suite.changeguard);
    bench_engine(&mut group, rules, &suite.cedar);
    bench_engine(&mut group, rules, &suite.rego);
    bench_engine(&mut group, rules, &suite.rego_vm);
    bench_engine(&mut group, rules, &suite.cel);
    group.finish();
    suite
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => f64::midpoint(v[n / 2 - 1], v[n / 2]),
    }
}

fn format_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn summary(scenarios: usize) -> String {
    let samples = SAMPLES.lock().map(|s| s.clone()).unwrap_or_default();
    let mut out = String::from("# changeguard and its peers: time per decision\n\n");
    let _ = writeln!(
        out,
        "One benchmark iteration decides each of the {scenarios} scenarios once; times are per \
         decision (iteration time / {scenarios}). *Median* is the median of criterion's \
         {SAMPLE_SIZE} samples, *fastest* the fastest sample, which is less disturbed by other \
         processes on a shared machine. Ratio = engine time / changeguard time (above 1: slower \
         than changeguard).\n"
    );
    let mut rule_counts: Vec<u32> = samples.keys().map(|(r, _)| *r).collect();
    rule_counts.dedup();
    for rules in rule_counts {
        let _ = writeln!(
            out,
            "## {rules} conditions\n\n| engine | median | ratio | fastest | ratio |\n|---|---:|---:|---:|---:|"
        );
        let mut rows: Vec<(&str, f64, f64)> = samples
            .iter()
            .filter(|((r, _), _)| *r == rules)
            .map(|((_, name), v)| {
                // criterion's measured samples are its last SAMPLE_SIZE calls (warm-up first).
                let mut last: Vec<f64> = v.iter().rev().take(SAMPLE_SIZE).copied().collect();
                let fastest = last.iter().copied().fold(f64::INFINITY, f64::min);
                let n = scenarios as f64;
                (*name, median(&mut last) / n, fastest / n)
            })
            .collect();
        rows.sort_by(|a, b| a.1.total_cmp(&b.1));
        let base = rows.iter().find(|(n, _, _)| *n == "changeguard").map(|(_, m, f)| (*m, *f));
        let ratio = |t: f64, b: Option<f64>| b.map_or_else(|| "–".to_owned(), |b| format!("{:.2}×", t / b));
        for (name, m, f) in &rows {
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} |",
                format_ns(*m),
                ratio(*m, base.map(|b| b.0)),
                format_ns(*f),
                ratio(*f, base.map(|b| b.1))
            );
        }
        out.push('\n');
    }
    out
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from)
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let small = run(&mut c, 1);
    let scenarios = small.scenarios.list.len();
    drop(small);
    drop(run(&mut c, 10));
    c.final_summary();
    let table = summary(scenarios);
    println!("\n{table}");
    let path = target_dir().join("peers-summary.md");
    match std::fs::write(&path, &table) {
        Ok(()) => println!("written to {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}
