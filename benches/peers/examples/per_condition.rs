//! Rough cost of each of the 20 conditions in each engine: for every condition, a rule set of
//! its 10 replicas is timed (fastest of 9 rounds over every scenario) and the cost of an empty
//! rule set subtracted, then divided by 10. Not a criterion benchmark: a quick look at where
//! the time goes. `cargo run --release --example per_condition`

use std::hint::black_box;
use std::time::Instant;

use changeguard_peers::cedar_impl::CedarEngine;
use changeguard_peers::cel_impl::CelEngine;
use changeguard_peers::changeguard_impl::ChangeguardEngine;
use changeguard_peers::rego_impl::{RegoInterpreter, RegoVm};
use changeguard_peers::{Cond, Engine, Prepared, RuleSet, Scenarios};

const REPLICAS: u32 = 10;

/// Fastest time of one decision, in microseconds.
fn time<E: Engine>(engine: E, scenarios: &Scenarios) -> f64 {
    let p = Prepared::new(engine, scenarios);
    let mut best = f64::INFINITY;
    for _ in 0..9 {
        let start = Instant::now();
        for _ in 0..20 {
            for input in &p.inputs {
                black_box(p.engine.outcome(black_box(input)));
            }
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / (20 * p.inputs.len()) as f64;
        best = best.min(per);
    }
    best
}

fn costs(rules: &RuleSet, scenarios: &Scenarios) -> [f64; 5] {
    let context = &scenarios.list[0].context;
    [
        time(ChangeguardEngine::new(rules, &scenarios.topology), scenarios),
        time(CedarEngine::new(rules, context), scenarios),
        time(RegoVm::new(rules), scenarios),
        time(RegoInterpreter::new(rules), scenarios),
        time(CelEngine::new(rules), scenarios),
    ]
}

fn main() {
    let scenarios = Scenarios::load();
    let base = costs(&RuleSet::with_conditions(&[], 1), &scenarios);
    println!("µs per decision and condition ({REPLICAS} replicas timed, fixed cost subtracted)\n");
    println!(
        "{:<22} {:>11} {:>11} {:>11} {:>11} {:>15}",
        "condition", "changeguard", "cedar", "regorus-rvm", "regorus", "cel-interpreter"
    );
    let fixed: Vec<String> = base.iter().map(|t| format!("{t:.2}")).collect();
    println!(
        "{:<22} {:>11} {:>11} {:>11} {:>11} {:>15}",
        "(fixed cost)", fixed[0], fixed[1], fixed[2], fixed[3], fixed[4]
    );
    for cond in Cond::ALL {
        let c = costs(&RuleSet::with_conditions(&[cond], REPLICAS), &scenarios);
        let per: Vec<String> =
            c.iter().zip(&base).map(|(t, b)| format!("{:.2}", (t - b) / f64::from(REPLICAS))).collect();
        println!(
            "{:<22} {:>11} {:>11} {:>11} {:>11} {:>15}",
            cond.name(),
            per[0],
            per[1],
            per[2],
            per[3],
            per[4]
        );
    }
}
