//! A fixed workload for instruction counting: every expression of the CEL bench
//! (`benches/support/cel_workload.rs`) evaluated 1 000 times over its `change` object. Run with
//! `valgrind --tool=callgrind --toggle-collect='cel_loop::run*' target/release/examples/cel_loop [INDEX]`
//! (an index runs that expression alone, in the bench's order). Compare two commits by
//! building this file in both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measuring harness over expressions known to compile and hold"
)]

use std::hint::black_box;

use changeguard::cel::{Activation, Env, Program, Type, Value};

#[path = "../benches/support/cel_workload.rs"]
mod cel_workload;

const ITERATIONS: usize = 1_000;

#[inline(never)]
fn run<'a>(programs: &'a [Program], vars: &dyn Activation<'a>) -> usize {
    let mut trues = 0;
    for _ in 0..ITERATIONS {
        for p in programs {
            trues += usize::from(matches!(black_box(p.evaluate(black_box(vars))), Ok(Value::Bool(true))));
        }
    }
    trues
}

fn main() {
    let mut env = Env::new();
    env.declare("change", Type::object(cel_workload::change_type()));
    let change = cel_workload::sample();
    let vars = vec![Value::Object(&change)];
    let selected: Option<usize> = std::env::args().nth(1).map(|a| a.parse().expect("an index"));
    let all = cel_workload::EXPRESSIONS
        .into_iter()
        .chain(cel_workload::OPTIONAL_EXPRESSIONS)
        .chain(cel_workload::EXTENSIONS);
    let programs: Vec<Program> = all
        .enumerate()
        .filter(|(i, _)| selected.is_none_or(|s| s == *i))
        .map(|(_, (_, src))| env.compile(src).unwrap())
        .collect();
    println!("{} true of {}", run(&programs, &vars), programs.len() * ITERATIONS);
}
