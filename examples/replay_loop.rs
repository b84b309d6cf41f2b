//! A fixed workload for instruction counting: 2 000 decision records of the bundled example
//! changes (as `benches/replay.rs` writes them) read from their JSON lines and decided again
//! with the built-in policy over the shop topology, on one thread. Run with
//! `valgrind --tool=callgrind --toggle-collect=replay_loop::run target/release/examples/replay_loop`.
//! With `--print N` it writes N such records to standard output instead (the input of a
//! memory measurement of `changeguard replay`).

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    reason = "a measuring harness over bundled documents known to be valid"
)]

use changeguard::cel::Timestamp;
use changeguard::replay::{DecisionRecord, Location, Replayer, topology_digest};
use std::io::Write as _;

use changeguard::{Change, Context, Limits, Policy, Topology};

const RECORDS: usize = 2000;

#[inline(never)]
fn run(replayer: &Replayer<'_>, lines: &[String], limits: &Limits) -> u64 {
    let mut report = replayer.report(3);
    for (i, l) in lines.iter().enumerate() {
        let at = Location::new("loop", i as u64 + 1);
        match DecisionRecord::from_json_line(l, limits) {
            Ok(r) => replayer.replay_into(&mut report, &at, &r),
            Err(e) => report.add_malformed(at, &e),
        }
    }
    std::hint::black_box(report).records
}

/// Record `i`: the bundled example change `i mod 5`, with its own id, as one JSON line.
fn line(policy: &Policy, topology: &Topology, context: &Context, changes: &[Change], i: usize) -> String {
    let mut change = changes[i % changes.len()].clone();
    change.id = format!("CHG-{i}");
    let assessment = policy.assess(&change, topology, context);
    DecisionRecord::new(
        policy,
        topology_digest(topology),
        change,
        context.clone(),
        &assessment,
        Timestamp::UNIX_EPOCH,
    )
    .to_json_line()
}

fn main() {
    let policy = Policy::well_architected();
    let topology = Topology::from_json(include_str!("topology-shop.json")).unwrap();
    let context = Context::from_json(include_str!("context.json")).unwrap();
    let changes: Vec<Change> = [
        include_str!("change-canary-safe.json"),
        include_str!("change-config-only.json"),
        include_str!("change-emergency-hotfix.json"),
        include_str!("change-friday-all-at-once.json"),
        include_str!("change-irreversible-migration.json"),
    ]
    .iter()
    .map(|t| Change::from_json(t).unwrap())
    .collect();
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, n] = args.as_slice()
        && flag == "--print"
    {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for i in 0..n.parse::<usize>().unwrap() {
            writeln!(out, "{}", line(&policy, &topology, &context, &changes, i)).unwrap();
        }
        return;
    }
    let lines: Vec<String> = (0..RECORDS).map(|i| line(&policy, &topology, &context, &changes, i)).collect();
    let replayer = Replayer::new(&policy, &topology);
    println!("{}", run(&replayer, &lines, &Limits::default()));
}
