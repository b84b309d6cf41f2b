//! A fixed workload for instruction counting: the health judge over 20 continuous metrics of
//! 1 000 samples per side, 10 times. Run with
//! `valgrind --tool=callgrind --toggle-collect=judge_loop::run target/release/examples/judge_loop`
//! and divide by 10 for one judgement.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a measuring harness over generated documents known to be valid"
)]

use changeguard::health::{Judge, Observations};

#[path = "../benches/support/health_workload.rs"]
mod health_workload;

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
    let (judge, observations) = health_workload::continuous();
    println!("{}", run(&judge, &observations));
    // `judge_loop time`: the fastest and the median of 1 000 single judgements (wall time on
    // a shared machine is noisy; the fastest is the least disturbed).
    if std::env::args().nth(1).as_deref() == Some("time") {
        let mut times: Vec<std::time::Duration> = (0..1000)
            .map(|_| {
                let start = std::time::Instant::now();
                std::hint::black_box(judge.judge(&observations));
                start.elapsed()
            })
            .collect();
        times.sort_unstable();
        let (fastest, median) = (times.first().copied(), times.get(times.len() / 2).copied());
        println!(
            "judgement: fastest {} µs, median {} µs",
            fastest.unwrap_or_default().as_micros(),
            median.unwrap_or_default().as_micros()
        );
    }
}
