//! Assessment speed: the built-in policy over each example change and the example topology;
//! synthetic policies of 10, 100 and 1 000 rules and factors over one change (growth should be
//! linear); and policy loading (parse + check + compile).
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::format_push_string
)]

use std::hint::black_box;
use std::time::Duration;

use changeguard::{Change, Context, Policy, Topology};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const EXAMPLES: &[&str] = &[
    "change-canary-safe",
    "change-friday-all-at-once",
    "change-emergency-hotfix",
    "change-irreversible-migration",
    "change-config-only",
];

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{}/examples/{name}.json", env!("CARGO_MANIFEST_DIR"))).expect("example")
}

/// Condition templates of a realistic governance rule set; `{i}` makes each copy distinct so
/// that nothing is shared or folded between copies.
const CONDITIONS: &[&str] = &[
    r#"change.environment == "production" && change.category != "emergency""#,
    r"change.approvers().size() >= 2 || {i} < 0",
    r#""ticket" in change.labels && change.labels["ticket"].matches("^[A-Z]+-[0-9]+$")"#,
    r#"change.services.all(s, !has(s.to_version) || s.to_version.isLessThan(semver("{i}.0.0")))"#,
    r#"change.checks.all(name, change.checks[name] == "passed")"#,
    r"active_freezes.size() == 0",
    r"has(change.rollback) && change.rollback.tested && change.rollback.automated",
    r"change.strategy.first_step <= {i} + 10",
    r#"change.tested_in.exists(e, e == "staging")"#,
    r"blast.services < {i} + 20 && blast.exposure < 0.5",
    r#"change.when.getDayOfWeek("Europe/London") != 5 || change.when.getHours("Europe/London") < 14"#,
    r#"change.services.exists(s, s.bump == "major") == false"#,
];

/// A policy of `n` rules and risk factors in all (half each), cycling through `CONDITIONS`.
fn synthetic_policy(n: usize) -> String {
    let mut s = String::from("[policy]\nname = \"synthetic\"\nversion = \"1.0.0\"\n\n");
    for i in 0..n {
        let cond = CONDITIONS[(i / 2) % CONDITIONS.len()].replace("{i}", &i.to_string());
        if i % 2 == 0 {
            s.push_str(&format!(
                "[[risk]]\nid = \"f{i}\"\nwhen = '!({cond})'\npoints = {}\nreason = \"factor {i}\"\n\n",
                1 + i % 7
            ));
        } else {
            let enforcement = ["advisory", "soft", "hard"][i % 3];
            s.push_str(&format!(
                "[[rule]]\nid = \"r{i}\"\nenforcement = \"{enforcement}\"\nrequire = '{cond}'\nmessage = \"rule {i} failed\"\n\n"
            ));
        }
    }
    s
}

/// The example shop topology with `extra` internal services added, the `i`-th depending hard
/// on the `i`-th service of the shop.
fn shop_with_internal_services(extra: usize) -> Topology {
    let mut doc: serde_json::Value = serde_json::from_str(&read("topology-shop")).expect("topology JSON");
    let names: Vec<String> = doc["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_owned())
        .collect();
    for i in 0..extra {
        let name = format!("internal-{i:02}");
        doc["services"].as_array_mut().expect("services").push(serde_json::json!({
            "name": name, "tier": 3, "team": "internal-tools", "traffic_share": 0.01, "regions": ["eu-west-1"]
        }));
        doc["dependencies"].as_array_mut().expect("dependencies").push(serde_json::json!({
            "from": name, "to": names[i % names.len()], "kind": "hard"
        }));
    }
    let topology = Topology::from_json(&doc.to_string()).expect("topology");
    assert_eq!(topology.len(), names.len() + extra);
    topology
}

fn bench(c: &mut Criterion) {
    let topology = Topology::from_json(&read("topology-shop")).expect("topology");
    let context = Context::from_json(&read("context")).expect("context");
    let builtin = Policy::well_architected();

    let mut group = c.benchmark_group("assess/builtin");
    group.measurement_time(Duration::from_secs(3));
    for name in EXAMPLES {
        let change = Change::from_json(&read(name)).expect("change");
        group.bench_function(*name, |b| b.iter(|| black_box(builtin.assess(&change, &topology, &context))));
    }
    group.finish();

    // The target's size: the shop and 13 internal services, each depending hard on one of the
    // shop's services, so that the blast radius grows with them.
    let topology_50 = shop_with_internal_services(13);
    let mut group = c.benchmark_group("assess/builtin-50-services");
    group.measurement_time(Duration::from_secs(3));
    for name in EXAMPLES {
        let change = Change::from_json(&read(name)).expect("change");
        group
            .bench_function(*name, |b| b.iter(|| black_box(builtin.assess(&change, &topology_50, &context))));
    }
    group.finish();

    let change = Change::from_json(&read("change-friday-all-at-once")).expect("change");
    let mut group = c.benchmark_group("assess/synthetic");
    group.measurement_time(Duration::from_secs(3));
    for n in [10usize, 100, 1000] {
        let policy = Policy::from_toml(&synthetic_policy(n)).expect("synthetic policy");
        group.bench_with_input(BenchmarkId::from_parameter(n), &policy, |b, p| {
            b.iter(|| black_box(p.assess(&change, &topology, &context)));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("load");
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    let builtin_text = changeguard::policy::WELL_ARCHITECTED_TOML;
    group.bench_function("builtin", |b| b.iter(|| black_box(Policy::from_toml(builtin_text).is_ok())));
    let big = synthetic_policy(1000);
    group.bench_function("synthetic-1000", |b| b.iter(|| black_box(Policy::from_toml(&big).is_ok())));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
