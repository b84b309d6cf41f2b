//! Compile and evaluation time of representative policy expressions, over a host object
//! (`change`, with a list of ten service objects) as the policy engine evaluates them.
//!
//! Run with `cargo bench --bench cel`; each expression has a `compile/…` and an `eval/…`
//! benchmark.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::hint::black_box;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use changeguard::cel::{Env, HostList, List, Object, ObjectType, Type, Value};
use criterion::{Criterion, criterion_group, criterion_main};

fn service_type() -> &'static Arc<ObjectType> {
    static TYPE: OnceLock<Arc<ObjectType>> = OnceLock::new();
    TYPE.get_or_init(|| {
        Arc::new(ObjectType::new("bench.Service").field("name", Type::String).field("tier", Type::Int))
    })
}

fn change_type() -> &'static Arc<ObjectType> {
    static TYPE: OnceLock<Arc<ObjectType>> = OnceLock::new();
    TYPE.get_or_init(|| {
        Arc::new(
            ObjectType::new("bench.Change")
                .field("environment", Type::String)
                .field("title", Type::String)
                .field("version", Type::String)
                .field("lines_added", Type::Int)
                .field("lines_removed", Type::Int)
                .field("services", Type::list(Type::object(service_type()))),
        )
    })
}

struct Service {
    name: String,
    tier: i64,
}

impl Object for Service {
    fn object_type(&self) -> &ObjectType {
        service_type()
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        match index {
            0 => Some(Value::str(&self.name)),
            1 => Some(Value::Int(self.tier)),
            _ => None,
        }
    }
}

struct Services(Vec<Service>);

impl HostList for Services {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.0.get(index).map(|s| Value::Object(s))
    }
}

struct Change {
    environment: String,
    title: String,
    version: String,
    lines_added: i64,
    lines_removed: i64,
    services: Services,
}

impl Object for Change {
    fn object_type(&self) -> &ObjectType {
        change_type()
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        match index {
            0 => Some(Value::str(&self.environment)),
            1 => Some(Value::str(&self.title)),
            2 => Some(Value::str(&self.version)),
            3 => Some(Value::Int(self.lines_added)),
            4 => Some(Value::Int(self.lines_removed)),
            5 => Some(Value::List(List::host(&self.services))),
            _ => None,
        }
    }
}

fn sample() -> Change {
    Change {
        environment: "production".to_owned(),
        title: "feat(checkout): retry payment authorisation".to_owned(),
        version: "1.5.2".to_owned(),
        lines_added: 240,
        lines_removed: 35,
        // The service that matches comes last, so `exists` visits all ten.
        services: Services(
            (0..10)
                .map(|i| Service { name: format!("service-{i}"), tier: if i == 9 { 0 } else { 2 } })
                .collect(),
        ),
    }
}

/// (name, expression), each evaluating to `true` over [`sample`].
const EXPRESSIONS: [(&str, &str); 6] = [
    ("field_eq", r#"change.environment == "production""#),
    ("exists_10", "change.services.exists(s, s.tier == 0)"),
    ("regex", r#"change.title.matches("^(feat|fix|chore)\\([a-z-]+\\): .+")"#),
    ("semver", r#"semver(change.version).isGreaterThan(semver("1.4.0"))"#),
    ("in_list", r#"change.environment in ["production", "prod", "live", "prd"]"#),
    ("arithmetic", "change.lines_added + change.lines_removed * 2 - 10 > 250"),
];

/// Optional values and `cel.bind` (the optional-values and bindings extensions), each `true`
/// over [`sample`].
const OPTIONAL_EXPRESSIONS: [(&str, &str); 2] = [
    ("optional", "change.services[?9].?tier.orValue(1) == 0 && !change.services[?10].hasValue()"),
    ("bind", "cel.bind(s, change.services, s.size() == 10 && s.exists(x, x.tier == 0))"),
];

/// One row per extension library family, each evaluating to `true` over [`sample`] (kept
/// apart from [`EXPRESSIONS`], whose rows are the baseline of the instruction counts).
const EXTENSIONS: [(&str, &str); 4] = [
    ("math", "math.greatest(change.lines_added, change.lines_removed, 100) == 240"),
    (
        "lists_sets",
        "sets.intersects(change.services.map(s, s.tier).distinct(), [0]) && change.services.slice(0, 3).size() == 3",
    ),
    ("network", r#"cidr("10.0.0.0/8").containsIP(ip("10.0." + string(change.lines_removed) + ".1"))"#),
    ("quantity", r#"quantity(string(change.lines_added) + "Mi").isGreaterThan(quantity("250M"))"#),
];

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
