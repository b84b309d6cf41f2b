#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
// Reports are deterministic: exact float equality is what is tested.
#![allow(clippy::float_cmp)]
//! Topology validation and the blast radius (SPEC §2.2, §5.4, §6), including a model-based
//! property test against a naive breadth-first search.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use changeguard::topology::ServiceRef;
use changeguard::{
    BlastOptions, BlastRadius, Dependency, DependencyKind, Diagnostic, DiagnosticKind, Limits, Service,
    Topology,
};
use proptest::prelude::*;

fn svc(name: &str) -> Service {
    Service::new(name)
}

fn topo(services: &[Service], deps: &[Dependency]) -> Topology {
    Topology::new(services, deps).unwrap()
}

/// A topology of plain services `names` and `(from, to, hard)` edges.
fn graph(names: &[&str], edges: &[(&str, &str, bool)]) -> Topology {
    let services: Vec<Service> = names.iter().map(|n| svc(n)).collect();
    let deps: Vec<Dependency> = edges
        .iter()
        .map(|&(f, t, hard)| if hard { Dependency::hard(f, t) } else { Dependency::soft(f, t) })
        .collect();
    topo(&services, &deps)
}

fn blast(t: &Topology, changed: &[&str]) -> BlastRadius {
    t.blast_radius(changed, &BlastOptions::default())
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------- blast radius rules

#[test]
fn hard_chain_is_impacted_with_paths() {
    let t = graph(
        &["checkout", "frontend", "payments"],
        &[("checkout", "payments", true), ("frontend", "checkout", true)],
    );
    let b = blast(&t, &["payments"]);
    assert_eq!(b.changed, strings(&["payments"]));
    assert_eq!(b.impacted, strings(&["checkout", "frontend", "payments"]));
    assert_eq!(b.services, 3);
    assert_eq!(b.paths["frontend"], strings(&["payments", "checkout", "frontend"]));
    assert_eq!(b.paths["payments"], strings(&["payments"]));
    assert!(b.degraded.is_empty() && b.unknown.is_empty() && b.complete);
}

#[test]
fn soft_edges_degrade_without_propagating() {
    // report --soft--> payments; pdf --hard--> report: pdf is neither impacted nor degraded.
    let t = graph(&["payments", "pdf", "report"], &[("report", "payments", false), ("pdf", "report", true)]);
    let b = blast(&t, &["payments"]);
    assert_eq!(b.impacted, strings(&["payments"]));
    assert_eq!(b.degraded, strings(&["report"]));
    assert_eq!(b.paths["report"], strings(&["payments", "report"]));
    assert!(!b.paths.contains_key("pdf"));
}

#[test]
fn hard_then_soft_degrades_the_last_hop() {
    let t = graph(&["a", "b", "c", "d"], &[("b", "a", true), ("c", "b", false), ("d", "c", false)]);
    let b = blast(&t, &["a"]);
    assert_eq!(b.impacted, strings(&["a", "b"]));
    assert_eq!(b.degraded, strings(&["c"]));
    assert_eq!(b.paths["c"], strings(&["a", "b", "c"]));
}

#[test]
fn hard_and_soft_parallel_edges_count_as_hard() {
    let t = graph(&["a", "b"], &[("b", "a", false), ("b", "a", true), ("b", "a", false)]);
    assert_eq!(t.dependency_count(), 1);
    let b = blast(&t, &["a"]);
    assert_eq!(b.impacted, strings(&["a", "b"]));
    assert!(b.degraded.is_empty());
}

#[test]
fn max_depth_bounds_hard_hops_and_degraded_may_be_one_further() {
    let t = graph(
        &["s0", "s1", "s2", "s3", "soft3"],
        &[("s1", "s0", true), ("s2", "s1", true), ("s3", "s2", true), ("soft3", "s2", false)],
    );
    let options = BlastOptions { max_depth: 2, ..BlastOptions::default() };
    let b = t.blast_radius(&["s0"], &options);
    assert_eq!(b.impacted, strings(&["s0", "s1", "s2"]));
    assert_eq!(b.degraded, strings(&["soft3"]));
    assert_eq!(b.paths["soft3"].len(), 4);
    let unlimited = blast(&t, &["s0"]);
    assert_eq!(unlimited.services, 4);
    let one = t.blast_radius(&["s0"], &BlastOptions { max_depth: 1, ..BlastOptions::default() });
    assert_eq!(one.impacted, strings(&["s0", "s1"]));
}

#[test]
fn several_changed_services_take_the_nearest() {
    let t = graph(
        &["a", "b", "c", "x", "y"],
        &[("b", "a", true), ("c", "b", true), ("c", "y", true), ("x", "c", true)],
    );
    let b = blast(&t, &["y", "a", "a"]);
    assert_eq!(b.changed, strings(&["a", "y"]));
    assert_eq!(b.impacted, strings(&["a", "b", "c", "x", "y"]));
    assert_eq!(b.paths["c"], strings(&["y", "c"]));
    assert_eq!(b.paths["x"], strings(&["y", "c", "x"]));
}

#[test]
fn a_changed_service_reached_from_another_keeps_its_own_path() {
    let t = graph(&["a", "b"], &[("b", "a", true)]);
    let b = blast(&t, &["a", "b"]);
    assert_eq!(b.paths["b"], strings(&["b"]));
}

#[test]
fn cycles_terminate() {
    let t =
        graph(&["a", "b", "c"], &[("a", "b", true), ("b", "a", true), ("c", "a", true), ("a", "c", false)]);
    let b = blast(&t, &["a"]);
    assert_eq!(b.impacted, strings(&["a", "b", "c"]));
    assert_eq!(b.paths["b"], strings(&["a", "b"]));
    assert_eq!(b.paths["a"], strings(&["a"]));
    assert!(b.degraded.is_empty());
}

#[test]
fn unknown_services_make_the_report_incomplete() {
    let t = graph(&["payments"], &[]);
    let b = blast(&t, &["zeta", "payments", "alpha", "zeta"]);
    assert_eq!(b.unknown, strings(&["alpha", "zeta"]));
    assert_eq!(b.changed, strings(&["payments"]));
    assert!(!b.complete);
}

#[test]
fn regions_come_from_impacted_services_unless_the_change_names_some() {
    let mut a = svc("a");
    a.regions = strings(&["us-east-1", "eu-west-1", "us-east-1"]);
    let mut b = svc("b");
    b.regions = strings(&["ap-south-1"]);
    let nowhere = svc("c");
    let mut degraded = svc("d");
    degraded.regions = strings(&["sa-east-1"]);
    let t = topo(&[a, b, nowhere, degraded], &[Dependency::hard("b", "a"), Dependency::soft("d", "a")]);
    assert_eq!(blast(&t, &["a"]).regions, strings(&["ap-south-1", "eu-west-1", "us-east-1"]));
    assert!(blast(&t, &["c"]).regions.is_empty());
    let given = strings(&["us", "eu", "us"]);
    let b = t.blast_radius(&["c"], &BlastOptions { regions: &given, ..BlastOptions::default() });
    assert_eq!(b.regions, strings(&["eu", "us"]));
    // Regions the topology knows, alone and mixed with one it does not: the same sorted,
    // distinct list either way, and the same JSON.
    let known = strings(&["us-east-1", "ap-south-1", "us-east-1"]);
    let b = t.blast_radius(&["c"], &BlastOptions { regions: &known, ..BlastOptions::default() });
    assert_eq!(b.regions, strings(&["ap-south-1", "us-east-1"]));
    assert_eq!(b.regions.len(), 2);
    assert!(serde_json::to_string(&b).unwrap().contains(r#""regions":["ap-south-1","us-east-1"]"#));
    let mixed = strings(&["us-east-1", "mars-1", "ap-south-1"]);
    let b = t.blast_radius(&["c"], &BlastOptions { regions: &mixed, ..BlastOptions::default() });
    assert_eq!(b.regions, strings(&["ap-south-1", "mars-1", "us-east-1"]));
}

#[test]
fn tiers_default_and_the_most_critical_wins() {
    let mut a = svc("a");
    a.tier = Some(2);
    let t = topo(&[a, svc("b")], &[Dependency::hard("b", "a")]);
    assert_eq!(blast(&t, &["a"]).min_tier, Some(2));
    assert_eq!(blast(&t, &["b"]).min_tier, Some(3));
    let five = BlastOptions { default_tier: 1, ..BlastOptions::default() };
    assert_eq!(t.blast_radius(&["a"], &five).min_tier, Some(1));
    assert_eq!(blast(&t, &["nope"]).min_tier, None);
}

#[test]
fn traffic_share_is_the_largest_and_exposure_scales_with_the_first_step() {
    let mut a = svc("a");
    a.traffic_share = 0.25;
    let mut b = svc("b");
    b.traffic_share = 0.5;
    let mut soft = svc("soft");
    soft.traffic_share = 1.0;
    let t = topo(&[a, b, soft], &[Dependency::hard("b", "a"), Dependency::soft("soft", "a")]);
    let canary = BlastOptions { first_step: 10, ..BlastOptions::default() };
    let r = t.blast_radius(&["a"], &canary);
    assert_eq!(r.traffic_share, 0.5);
    assert_eq!(r.exposure, 0.05);
    let over = BlastOptions { first_step: 250, ..BlastOptions::default() };
    assert_eq!(t.blast_radius(&["a"], &over).exposure, 0.5);
    assert_eq!(blast(&t, &["x"]).traffic_share, 0.0);
}

#[test]
fn teams_include_degraded_services() {
    let mut a = svc("a");
    a.team = Some("payments".into());
    let mut b = svc("b");
    b.team = Some("web".into());
    let mut c = svc("c");
    c.team = Some("payments".into());
    let t = topo(
        &[a, b, c, svc("d")],
        &[Dependency::soft("b", "a"), Dependency::hard("c", "a"), Dependency::hard("d", "c")],
    );
    assert_eq!(blast(&t, &["a"]).teams, strings(&["payments", "web"]));
}

#[test]
fn ties_go_to_the_first_name_one_hop_closer() {
    // Declared in an order unrelated to names: the parent is chosen by name, not position.
    let t = graph(
        &["top", "zed", "mid", "alpha", "root"],
        &[
            ("zed", "root", true),
            ("alpha", "root", true),
            ("top", "zed", true),
            ("top", "alpha", true),
            ("mid", "zed", false),
            ("mid", "alpha", false),
        ],
    );
    let b = blast(&t, &["root"]);
    assert_eq!(b.paths["top"], strings(&["root", "alpha", "top"]));
    assert_eq!(b.paths["mid"], strings(&["root", "alpha", "mid"]));
    // Between two changed services, the first by name.
    let t = graph(&["x", "y", "z"], &[("z", "y", true), ("z", "x", true)]);
    assert_eq!(blast(&t, &["y", "x"]).paths["z"], strings(&["x", "z"]));
    // A degraded service hangs off the closest impacted service before the first by name.
    let t = graph(
        &["a", "b", "c", "s"],
        &[("b", "c", true), ("a", "b", true), ("s", "a", false), ("s", "b", false)],
    );
    assert_eq!(blast(&t, &["c"]).paths["s"], strings(&["c", "b", "s"]));
}

#[test]
fn empty_topology_knows_nothing() {
    let t = Topology::default();
    assert!(t.is_empty());
    assert_eq!(t, Topology::new(&[], &[]).unwrap());
    let b = blast(&t, &["a"]);
    assert_eq!(b.unknown, strings(&["a"]));
    assert_eq!((b.services, b.min_tier, b.traffic_share, b.complete), (0, None, 0.0, false));
    assert_eq!(blast(&t, &[]), BlastRadius::default());
}

#[test]
fn report_json_has_the_spec_shape() {
    let json = r#"{"services": [
        {"name": "payments", "tier": 0, "team": "payments", "traffic_share": 1.0, "regions": ["eu-west-1"]},
        {"name": "checkout", "tier": 1, "team": "payments", "traffic_share": 0.35},
        {"name": "frontend", "team": "web", "traffic_share": 1.0}],
      "dependencies": [{"from": "checkout", "to": "payments"}, {"from": "frontend", "to": "checkout", "kind": "hard"}]}"#;
    let t = Topology::from_json(json).unwrap();
    let b = t.blast_radius(&["payments"], &BlastOptions { first_step: 10, ..BlastOptions::default() });
    let expected = r#"{"changed":["payments"],"impacted":["checkout","frontend","payments"],"degraded":[],"unknown":[],"paths":{"checkout":{"predecessor":"payments","dependency":"hard","hops":1},"frontend":{"predecessor":"checkout","dependency":"hard","hops":2},"payments":{"hops":0}},"services":3,"traffic_share":1.0,"exposure":0.1,"min_tier":0,"teams":["payments","web"],"regions":["eu-west-1"],"complete":true}"#;
    assert_eq!(serde_json::to_string(&b).unwrap(), expected);
    let back: BlastRadius = serde_json::from_str(expected).unwrap();
    assert_eq!(back, b);
}

#[test]
fn id_level_reach_reads_without_strings() {
    let t = graph(&["a", "b", "c"], &[("b", "a", true), ("c", "b", false)]);
    let a = t.id("a").unwrap();
    let (b, c) = (t.id("b").unwrap(), t.id("c").unwrap());
    let reach = t.reach(&[a, a], &BlastOptions::default());
    assert_eq!(reach.changed().collect::<Vec<_>>(), vec![a]);
    assert_eq!((reach.services(), reach.degraded_count()), (2, 1));
    assert!(reach.is_impacted(b) && reach.is_degraded(c) && !reach.is_impacted(c));
    assert_eq!(reach.path(c), Some(vec![a, b, c]));
    assert_eq!((reach.distance(c), reach.parent(a)), (Some(2), None));
    drop(reach);
    assert!(t.scratch_heap_bytes() > 0, "scratch is pooled for reuse");
}

// ---------------------------------------------------------------- topology and validation

#[test]
fn service_accessors() {
    fn shareable<T: Send + Sync>() {}
    let mut s = svc("checkout");
    s.tier = Some(1);
    s.team = Some("payments".into());
    s.traffic_share = 0.35;
    s.regions = strings(&["us-east-1", "eu-west-1", "eu-west-1"]);
    s.tags = BTreeMap::from([("pci".into(), "true".into()), ("owner".into(), "ann".into())]);
    let t = topo(&[s, svc("api")], &[Dependency::hard("api", "checkout")]);
    let c: ServiceRef<'_> = t.service("checkout").unwrap();
    assert_eq!(
        (c.name(), c.tier(), c.team(), c.traffic_share()),
        ("checkout", Some(1), Some("payments"), 0.35)
    );
    assert_eq!(c.regions().collect::<Vec<_>>(), ["eu-west-1", "us-east-1"]);
    assert_eq!(c.tags().collect::<Vec<_>>(), [("owner", "ann"), ("pci", "true")]);
    assert_eq!((c.tag("pci"), c.tag("nope")), (Some("true"), None));
    assert_eq!(c.callers(DependencyKind::Hard).map(|s| s.name()).collect::<Vec<_>>(), ["api"]);
    assert_eq!(t.services().map(|s| s.name()).collect::<Vec<_>>(), ["api", "checkout"]);
    assert!(t.service("nope").is_none());
    assert!(t.heap_bytes() > 0);
    shareable::<Topology>();
}

/// Every diagnostic on one line: `code path: message (help)`.
fn problems_with(services: &[Service], deps: &[Dependency], limits: &Limits) -> Vec<String> {
    let errors = Topology::with_limits(services, deps, limits).unwrap_err();
    errors
        .iter()
        .map(|d| {
            let help = d.help().map(|h| format!(" ({h})")).unwrap_or_default();
            format!("{} {}: {}{help}", d.kind().code(), d.path().unwrap_or(""), d.message())
        })
        .collect()
}

#[test]
fn every_validation_error_is_reported_at_once() {
    let mut bad_share = svc("ledger");
    bad_share.traffic_share = 1.5;
    let mut nan = svc("nan");
    nan.traffic_share = f64::NAN;
    let mut tier = svc("tiered");
    tier.tier = Some(10);
    let mut team = svc("teamless");
    team.team = Some(String::new());
    team.regions = strings(&["eu", ""]);
    let services = [svc("payments"), bad_share, svc("payments"), svc(""), nan, tier, team];
    let deps = [
        Dependency::hard("payments", "paymnts"),
        Dependency::soft("zzzzzzzz", "payments"),
        Dependency::hard("ledger", "ledger"),
        Dependency::hard("", "payments"),
    ];
    let share_help = "(a traffic share is the fraction of all user requests, from 0 to 1)";
    let expected = [
        format!("E0401 services[1].traffic_share: traffic share `1.5` of service `ledger` is outside [0, 1] {share_help}"),
        "E0403 services[2].name: duplicate service `payments` (`payments` is first declared at `services[0]`; rename or remove one)".to_owned(),
        "E0401 services[3].name: service name is empty (give every service a unique, non-empty name)".to_owned(),
        format!("E0401 services[4].traffic_share: traffic share of service `nan` is not a number {share_help}"),
        "E0401 services[5].tier: tier `10` of service `tiered` is out of range (tiers go from 0 (most critical) to 9)".to_owned(),
        "E0401 services[6].team: team of service `teamless` is empty (leave `team` out when the service has no team)".to_owned(),
        "E0401 services[6].regions[1]: region of service `teamless` is empty (remove the empty region)".to_owned(),
        "E0402 dependencies[0].to: unknown service `paymnts` (did you mean `payments`?)".to_owned(),
        "E0402 dependencies[1].from: unknown service `zzzzzzzz` (declare `zzzzzzzz` in `services`, or fix the name)".to_owned(),
        "E0404 dependencies[2]: service `ledger` depends on itself (remove `dependencies[2]`; cycles through other services are allowed)".to_owned(),
        "E0401 dependencies[3].from: service name is empty (name a service declared in `services`)".to_owned(),
    ];
    assert_eq!(problems_with(&services, &deps, &Limits::default()), expected);
    let kinds: Vec<DiagnosticKind> = Topology::new(&services[..3], &deps[2..3])
        .unwrap_err()
        .iter()
        .map(changeguard::Diagnostic::kind)
        .collect();
    assert_eq!(
        kinds,
        [DiagnosticKind::InvalidInput, DiagnosticKind::DuplicateService, DiagnosticKind::SelfDependency]
    );
}

#[test]
fn limits_stop_loading_before_anything_else() {
    let mut limits = Limits::default();
    limits.max_services = 2;
    limits.max_dependencies = 1;
    let services = [svc("a"), svc("b"), svc("a")];
    let deps = [Dependency::hard("a", "b"), Dependency::hard("a", "x")];
    assert_eq!(
        problems_with(&services, &deps, &limits),
        [
            "E0108 services: limit exceeded: 3 services > 2 (raise `Limits::max_services` to load a larger topology)",
            "E0108 dependencies: limit exceeded: 2 dependencies > 1 (raise `Limits::max_dependencies` to load a larger topology)",
        ]
    );
    assert!(Topology::with_limits(&services[..2], &deps[..1], &limits).is_ok());
}

#[test]
fn json_errors_point_into_the_text() {
    let err = Topology::from_json("{\"services\": [{\"name\": \"a\", \"nmae\": 1}]}").unwrap_err();
    let d = &err.items()[0];
    assert_eq!(
        (d.kind(), d.message(), d.help()),
        (DiagnosticKind::InvalidInput, "unknown field `nmae`", Some("did you mean `name`?"))
    );
    assert_eq!(d.span().map(|s| (s.start, s.end)), Some((28, 34)));

    let err =
        Topology::from_json("{\"dependencies\": [{\"from\": \"a\", \"to\": \"b\", \"kind\": \"hadr\"}]}")
            .unwrap_err();
    let d = &err.items()[0];
    assert_eq!((d.message(), d.help()), ("unknown value `hadr`", Some("did you mean `hard`?")));

    let err = Topology::from_json("{\n  \"services\": [\n    {\"name\": 3}\n  ]\n}").unwrap_err();
    let d = &err.items()[0];
    assert_eq!(d.message(), "`services[0].name`: invalid type: integer `3`, expected a string");
    let rendered = d.render(Some("topology.json"), "{\n  \"services\": [\n    {\"name\": 3}\n  ]\n}");
    assert!(rendered.contains("--> topology.json:3:"), "{rendered}");

    let err = Topology::from_json(r#"{"services": [{"name": "a", "tier": -1, "traffic_share": "x"}]}"#)
        .unwrap_err();
    let messages: Vec<&str> = err.iter().map(Diagnostic::message).collect();
    assert_eq!(
        messages,
        [
            "`services[0].tier`: invalid value: integer `-1`, expected an integer from 0 to 4294967295",
            "`services[0].traffic_share`: invalid type: string \"x\", expected a number",
        ]
    );
    let err = Topology::from_json(r#"{"services": {}}"#).unwrap_err();
    assert_eq!(err.items()[0].message(), "`services`: invalid type: map, expected a list");

    let err = Topology::from_json("{\"services\": [").unwrap_err();
    assert_eq!(err.items()[0].message(), "invalid JSON: unexpected end of input while parsing a list");

    let err =
        Topology::from_json(r#"{"services": [{"name": "a"}], "dependencies": [{"from": "a", "to": "b"}]}"#)
            .unwrap_err();
    assert_eq!(err.items()[0].path(), Some("dependencies[0].to"));
}

#[test]
fn serde_round_trip_gives_an_equal_topology() {
    let json = r#"{"services": [
        {"name": "web", "tier": 2, "team": "front", "traffic_share": 0.75, "regions": ["us", "eu", "us"],
         "tags": {"pci": "false", "lang": "ts"}},
        {"name": "api", "traffic_share": 0.5}, {"name": "db", "tier": 0}],
      "dependencies": [{"from": "web", "to": "api"}, {"from": "api", "to": "db", "kind": "soft"},
        {"from": "web", "to": "db", "kind": "soft"}, {"from": "web", "to": "db"}, {"from": "db", "to": "web"}]}"#;
    let t = Topology::from_json(json).unwrap();
    let text = serde_json::to_string(&t).unwrap();
    let back: Topology = serde_json::from_str(&text).unwrap();
    assert_eq!(back, t);
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    assert!(text.contains(r#"{"name":"web","tier":2,"team":"front","traffic_share":0.75,"regions":["eu","us"],"tags":{"lang":"ts","pci":"false"}}"#), "{text}");
    // Deserializing validates.
    let bad = r#"{"services": [{"name": "a"}, {"name": "a"}]}"#;
    let err = serde_json::from_str::<Topology>(bad).unwrap_err().to_string();
    assert!(err.contains("duplicate service `a`"), "{err}");
    // Order of the document does not matter.
    let reordered = graph(&["b", "a"], &[("b", "a", true)]);
    assert_eq!(reordered, graph(&["a", "b"], &[("b", "a", true), ("b", "a", true)]));
    assert_ne!(reordered, graph(&["a", "b"], &[("b", "a", false)]));
    let doc = changeguard::TopologyDocument::from(&t);
    assert_eq!(Topology::try_from(doc).unwrap(), t);
}

// ---------------------------------------------------------------- model-based property test

/// A naive model: adjacency lists and a plain breadth-first search.
#[derive(Debug)]
struct Model {
    names: Vec<String>,
    /// `(caller, callee) -> hard?`, parallel edges merged with hard winning.
    edges: BTreeMap<(usize, usize), bool>,
}

impl Model {
    fn callers(&self, callee: usize, hard: bool) -> impl Iterator<Item = usize> + '_ {
        self.edges.iter().filter(move |&(&(_, to), &h)| to == callee && h == hard).map(|(&(from, _), _)| from)
    }

    /// Hop distances of impacted services, and of degraded ones.
    fn distances(&self, changed: &[String], max_depth: u32) -> (BTreeMap<usize, u32>, BTreeMap<usize, u32>) {
        let mut impacted = BTreeMap::new();
        let mut queue = VecDeque::new();
        for (i, n) in self.names.iter().enumerate() {
            if changed.contains(n) {
                impacted.insert(i, 0);
                queue.push_back(i);
            }
        }
        while let Some(u) = queue.pop_front() {
            let d = impacted[&u];
            if max_depth != 0 && d >= max_depth {
                continue;
            }
            for v in self.callers(u, true) {
                if let std::collections::btree_map::Entry::Vacant(e) = impacted.entry(v) {
                    e.insert(d + 1);
                    queue.push_back(v);
                }
            }
        }
        let mut degraded = BTreeMap::new();
        for (&u, &d) in &impacted {
            for v in self.callers(u, false) {
                if !impacted.contains_key(&v) {
                    let e = degraded.entry(v).or_insert(d + 1);
                    *e = (*e).min(d + 1);
                }
            }
        }
        (impacted, degraded)
    }
}

fn model_strategy() -> impl Strategy<Value = (Model, Vec<String>, u32)> {
    (1usize..10)
        .prop_flat_map(|n| {
            let names = proptest::sample::subsequence((b'a'..=b'z').collect::<Vec<u8>>(), n).prop_shuffle();
            let edges = proptest::collection::vec((0..n, 0..n, proptest::bool::weighted(0.7)), 0..25);
            let changed =
                proptest::collection::vec(prop_oneof![4 => (0..n).prop_map(Some), 1 => Just(None)], 0..4);
            (names, edges, changed, 0u32..4)
        })
        .prop_map(|(names, edges, changed, max_depth)| {
            let names: Vec<String> = names.into_iter().map(|b| format!("{}{}", b as char, b % 3)).collect();
            let mut merged = BTreeMap::new();
            for (from, to, hard) in edges.into_iter().filter(|(f, t, _)| f != t) {
                *merged.entry((from, to)).or_insert(false) |= hard;
            }
            let changed =
                changed.into_iter().map(|c| c.map_or("unknown".to_owned(), |i| names[i].clone())).collect();
            (Model { names, edges: merged }, changed, max_depth)
        })
}

proptest! {
    #[test]
    fn blast_radius_matches_a_naive_bfs((model, changed, max_depth) in model_strategy()) {
        let services: Vec<Service> = model.names.iter().rev().map(|n| svc(n)).collect();
        let deps: Vec<Dependency> = model.edges.iter().map(|(&(f, t), &hard)| {
            let (f, t) = (model.names[f].clone(), model.names[t].clone());
            if hard { Dependency::hard(f, t) } else { Dependency::soft(f, t) }
        }).collect();
        let t = topo(&services, &deps);
        let options = BlastOptions { max_depth, ..BlastOptions::default() };
        let report = t.blast_radius(&changed, &options);
        // The report built from a reach the caller keeps is the same.
        let resolved = t.resolve(&changed);
        let kept = t.reach(&resolved.known, &options);
        prop_assert_eq!(&BlastRadius::from_reach(&kept, &resolved.unknown, options.regions), &report);
        let (impacted, degraded) = model.distances(&changed, max_depth);
        let set = |m: &BTreeMap<usize, u32>| m.keys().map(|&i| model.names[i].clone()).collect::<BTreeSet<_>>();
        prop_assert_eq!(report.impacted.iter().cloned().collect::<BTreeSet<_>>(), set(&impacted));
        prop_assert_eq!(report.degraded.iter().cloned().collect::<BTreeSet<_>>(), set(&degraded));
        prop_assert!(report.impacted.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(report.degraded.windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(report.complete, !changed.iter().any(|c| c == "unknown"));
        prop_assert_eq!(report.paths.len(), impacted.len() + degraded.len());
        let index = |n: &str| model.names.iter().position(|m| m == n).unwrap();
        for (&v, &d) in impacted.iter().chain(&degraded) {
            let path = &report.paths[&model.names[v]];
            prop_assert_eq!(path.len() as u32, d + 1);
            prop_assert!(changed.contains(&path[0]));
            prop_assert_eq!(path.last().unwrap(), &model.names[v]);
            // The linear form says the same: the chain rebuilt from predecessors, the hops, and
            // the kind of the last dependency.
            let chain = report.paths.chain(&model.names[v]).unwrap();
            prop_assert_eq!(&chain, path);
            let step = report.paths.step(&model.names[v]).unwrap();
            prop_assert_eq!(step.hops, d);
            if d == 0 {
                prop_assert_eq!((step.predecessor, step.dependency), (None, None));
                continue;
            }
            let is_degraded = degraded.contains_key(&v);
            prop_assert_eq!(step.predecessor, Some(path[path.len() - 2].as_str()));
            let kind = if is_degraded { DependencyKind::Soft } else { DependencyKind::Hard };
            prop_assert_eq!(step.dependency, Some(kind));
            // Consecutive elements are real edges: hard, except a degraded service's last hop.
            for (k, pair) in path.windows(2).enumerate() {
                let hard = !(is_degraded && k + 2 == path.len());
                prop_assert_eq!(model.edges.get(&(index(&pair[1]), index(&pair[0]))), Some(&hard));
            }
            // The parent is the first name among the candidates one hop closer, and the path
            // is the parent's path extended.
            let parent = &path[path.len() - 2];
            let best = model.callers_of_inverse(v, !is_degraded)
                .filter(|u| impacted.get(u) == Some(&(d - 1)))
                .map(|u| model.names[u].clone())
                .min()
                .unwrap();
            prop_assert_eq!(parent, &best);
            prop_assert_eq!(&report.paths[parent][..], &path[..path.len() - 1]);
        }
        let impacted_names = set(&impacted);
        let teams: Vec<String> = Vec::new();
        prop_assert_eq!(report.teams, teams);
        prop_assert_eq!(report.services, impacted_names.len());
        prop_assert_eq!(report.min_tier, (!impacted.is_empty()).then_some(3));
    }

    #[test]
    fn loading_never_panics(text in ".{0,200}") {
        let _ = Topology::from_json(&text);
    }

    #[test]
    fn round_trips((model, _, _) in model_strategy()) {
        let services: Vec<Service> = model.names.iter().map(|n| svc(n)).collect();
        let deps: Vec<Dependency> = model.edges.iter().map(|(&(f, t), &hard)| {
            let (f, t) = (model.names[f].clone(), model.names[t].clone());
            if hard { Dependency::hard(f, t) } else { Dependency::soft(f, t) }
        }).collect();
        let t = topo(&services, &deps);
        let back: Topology = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        prop_assert_eq!(back, t);
    }
}

impl Model {
    /// The services that `v` depends on with an edge of the given hardness.
    fn callers_of_inverse(&self, v: usize, hard: bool) -> impl Iterator<Item = usize> + '_ {
        self.edges.iter().filter(move |&(&(from, _), &h)| from == v && h == hard).map(|(&(_, to), _)| to)
    }
}

#[test]
fn a_key_given_twice_in_a_topology_is_an_error_naming_its_path() {
    let tags = r#"{"services": [{"name": "a"}, {"name": "pay", "tags": {"pci": "true", "pci": "false"}}]}"#;
    let err = Topology::from_json(tags).unwrap_err();
    let d = &err.items()[0];
    assert_eq!(d.kind(), DiagnosticKind::InvalidInput);
    assert_eq!(d.message(), "duplicate key `pci`");
    assert_eq!(d.path(), Some("services[1].tags.pci"));
    assert!(serde_json::from_str::<Topology>(tags).unwrap_err().to_string().contains("duplicate key `pci`"));
    // Fields of services and dependencies, and the document's own, are unique too.
    for (text, message) in [
        (r#"{"services": [{"name": "a", "tier": 0, "tier": 3}]}"#, "duplicate field `tier`"),
        (
            r#"{"services": [{"name": "a"}, {"name": "b"}], "dependencies": [{"from": "a", "to": "b", "kind": "hard", "kind": "soft"}]}"#,
            "duplicate field `kind`",
        ),
        (r#"{"services": [], "services": [{"name": "a"}]}"#, "duplicate field `services`"),
    ] {
        let err = Topology::from_json(text).unwrap_err();
        assert_eq!(err.items()[0].message(), message, "{text}");
    }
    // The same tag on two services is fine.
    let ok = r#"{"services": [{"name": "a", "tags": {"pci": "1"}}, {"name": "b", "tags": {"pci": "2"}}]}"#;
    assert_eq!(Topology::from_json(ok).unwrap().len(), 2);
}

// ---------------------------------------------------------------- canonical service names

#[test]
fn changed_services_match_topology_names_by_canonical_form() {
    let t = graph(&["checkout", "payments"], &[("checkout", "payments", true)]);
    let honest = blast(&t, &["payments"]);
    for spelling in
        ["Payments", "payments ", "payments\u{200b}", "PAYMENTS", "ｐａｙｍｅｎｔｓ", " Pay\u{ad}ments"]
    {
        assert_eq!(t.id(spelling), t.id("payments"), "{spelling:?}");
        let b = blast(&t, &[spelling]);
        assert_eq!(b.changed, honest.changed, "{spelling:?}");
        assert_eq!(b.impacted, honest.impacted, "{spelling:?}");
        assert!(b.complete && b.unknown.is_empty(), "{spelling:?}");
    }
    assert!(t.id("payment").is_none());
    // A topology that spells a name in another form is found from any spelling too.
    let t = graph(&["Checkout", "Payments"], &[("Checkout", "Payments", true)]);
    for spelling in ["payments", "Payments", "PAYMENTS\u{feff}"] {
        let b = blast(&t, &[spelling]);
        assert_eq!(b.impacted, strings(&["Checkout", "Payments"]), "{spelling:?}");
    }
}

#[test]
fn service_names_that_canonicalise_alike_are_a_load_error() {
    let services =
        [svc("payments"), svc("Payments"), svc("CHECKOUT"), svc("checkout\u{200b}"), svc("\u{200b}")];
    let help = |other: &str, at: usize| {
        format!(
            "service names match by canonical form (case, width, invisible characters and surrounding whitespace do not count), so `{other}` at `services[{at}]` is the same name; rename or remove one"
        )
    };
    assert_eq!(
        problems_with(&services, &[], &Limits::default()),
        [
            format!(
                "E0403 services[1].name: services `Payments` and `payments` have the same canonical name `payments` ({})",
                help("payments", 0)
            ),
            format!(
                "E0403 services[3].name: services `checkout\u{200b}` and `CHECKOUT` have the same canonical name `checkout` ({})",
                help("CHECKOUT", 2)
            ),
            "E0401 services[4].name: service name `\\u{200b}` is empty once canonical (a service name needs a visible character)"
                .to_owned(),
        ]
    );
}

/// The assessment JSON of a change to the end of a chain of `n` services.
fn chain_assessment_json(n: usize) -> String {
    let services: Vec<Service> = (0..n).map(|i| Service::new(format!("svc-{i:05}"))).collect();
    let deps: Vec<Dependency> =
        (1..n).map(|i| Dependency::hard(format!("svc-{i:05}"), format!("svc-{:05}", i - 1))).collect();
    let t = Topology::new(&services, &deps).unwrap();
    let change = changeguard::Change::from_json(
        r#"{"id": "chain", "environment": "production", "author": "ann",
            "services": [{"name": "svc-00000"}], "strategy": {"type": "all_at_once"}}"#,
    )
    .unwrap();
    let context = changeguard::Context::new(changeguard::cel::Timestamp::UNIX_EPOCH);
    let a = changeguard::Policy::well_architected().assess(&change, &t, &context);
    assert_eq!(a.blast_radius.services, n);
    a.to_json_pretty()
}

#[test]
fn assessment_json_grows_linearly_with_a_dependency_chain() {
    let (small, large) = (chain_assessment_json(200), chain_assessment_json(400));
    // Whole chains per service would make this ratio about 4; one predecessor each, about 2.
    let ratio = large.len() as f64 / small.len() as f64;
    assert!(ratio < 2.5, "{} → {} bytes: ratio {ratio}", small.len(), large.len());
    let json: serde_json::Value = serde_json::from_str(&large).unwrap();
    let paths = &json["blast_radius"]["paths"];
    assert_eq!(paths.as_object().unwrap().len(), 400);
    assert_eq!(
        paths["svc-00399"],
        serde_json::json!({"predecessor": "svc-00398", "dependency": "hard", "hops": 399})
    );
    // Any chain is rebuilt from the JSON by following predecessors.
    let back: BlastRadius = serde_json::from_value(json["blast_radius"].clone()).unwrap();
    assert_eq!(back.paths.chain("svc-00399").unwrap().len(), 400);
}

#[test]
fn every_problem_of_a_topology_is_reported_at_once() {
    let text = r#"{
  "services": [
    {"name": "a", "tier": "one", "nmae": "x"},
    {"name": 2, "traffic_share": "half"},
    {"tier": 1}
  ],
  "dependencies": [{"from": "a", "to": "b", "kind": "hadr"}, {"from": "a"}]
}"#;
    let err = Topology::from_json(text).unwrap_err();
    let got: Vec<(&str, &str)> = err.iter().map(|d| (d.path().unwrap(), d.message())).collect();
    assert_eq!(
        got,
        [
            (
                "services[0].tier",
                "`services[0].tier`: invalid type: string \"one\", expected an integer from 0 to 4294967295"
            ),
            ("services[0].nmae", "unknown field `nmae`"),
            ("services[1].name", "`services[1].name`: invalid type: integer `2`, expected a string"),
            (
                "services[1].traffic_share",
                "`services[1].traffic_share`: invalid type: string \"half\", expected a number"
            ),
            ("services[2].name", "missing field `name`"),
            ("dependencies[0].kind", "unknown value `hadr`"),
            ("dependencies[1].to", "missing field `to`"),
        ]
    );
    assert!(err.iter().all(|d| d.span().is_some()));
    assert_eq!(err.items()[1].help(), Some("did you mean `name`?"));
}
