//! A fixed workload for instruction counting: the well-architected policy assesses the bundled
//! canary change 200 times. Run with
//! `valgrind --tool=callgrind --toggle-collect=assess_loop::run target/release/examples/assess_loop`.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a measuring harness over bundled documents known to be valid"
)]

use changeguard::{Change, Context, Policy, Topology};

#[inline(never)]
fn run(policy: &Policy, change: &Change, topology: &Topology, context: &Context) -> usize {
    let mut reasons = 0;
    for _ in 0..200 {
        reasons += std::hint::black_box(policy.assess(change, topology, context)).reasons.len();
    }
    reasons
}

fn main() {
    let policy = Policy::well_architected();
    let change = Change::from_json(include_str!("change-canary-safe.json")).unwrap();
    let topology = Topology::from_json(include_str!("topology-shop.json")).unwrap();
    let context = Context::from_json(include_str!("context.json")).unwrap();
    println!("{}", run(&policy, &change, &topology, &context));
}
