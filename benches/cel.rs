//! Compile and evaluation time of representative policy expressions, over a host object
//! (`change`, with a list of ten service objects) as the policy engine evaluates them.
//!
//! Run with `cargo bench --bench cel`; each expression has a `compile/…` and an `eval/…`
//! benchmark.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use cel_workload::{EXPRESSIONS, EXTENSIONS, OPTIONAL_EXPRESSIONS, change_type, sample};
use changeguard::cel::{Env, Type, Value};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/cel_workload.rs"]
mod cel_workload;

fn benches(c: &mut Criterion) {
    let mut env = Env::new();
    env.declare("change", Type::object(change_type()));
    let change = sample();
    let vars = vec![Value::Object(&change)];

    let mut group = c.benchmark_group("cel");
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for (name, src) in EXPRESSIONS.into_iter().chain(OPTIONAL_EXPRESSIONS).chain(EXTENSIONS) {
        let program = env.compile(src).unwrap();
        assert!(matches!(program.evaluate(&vars), Ok(Value::Bool(true))), "{name} is not true");
        group.bench_function(format!("compile/{name}"), |b| b.iter(|| env.compile(black_box(src)).unwrap()));
        group.bench_function(format!("eval/{name}"), |b| {
            b.iter(|| program.evaluate(black_box(&vars)).unwrap());
        });
    }
    group.finish();
}

criterion_group!(cel, benches);
criterion_main!(cel);
