//! The change data: ten changes, one shared context (three freeze windows) and a small
//! topology, as changeguard reads them. Every engine's input is derived from these.

use changeguard::blast::BlastOptions;
use changeguard::input::{Change, Context};
use changeguard::topology::Topology;

use crate::Outcome;

/// The evaluation context shared by every scenario: "now" and three freezes, one of them
/// for every environment.
pub const CONTEXT_JSON: &str = r#"{
  "now": "2026-11-27T13:50:00Z",
  "freezes": [
    { "name": "black-friday-cyber-monday", "start": "2026-11-26T00:00:00Z",
      "end": "2026-12-01T06:00:00Z", "environments": ["production"] },
    { "name": "db-maintenance", "start": "2026-12-05T22:00:00Z",
      "end": "2026-12-06T04:00:00Z" },
    { "name": "year-end", "start": "2026-12-18T00:00:00Z", "end": "2027-01-04T00:00:00Z",
      "environments": ["production", "prod"], "exempt": ["emergency", "standard"] }
  ]
}"#;

/// A small shop: `frontend → checkout → payments` hard, `frontend ⇢ search` soft, and two
/// leaves. Exposure = largest traffic share among impacted services × first step.
pub const TOPOLOGY_JSON: &str = r#"{
  "services": [
    { "name": "frontend", "tier": 0, "team": "web", "traffic_share": 1.0 },
    { "name": "checkout", "tier": 1, "team": "payments", "traffic_share": 0.4 },
    { "name": "payments", "tier": 0, "team": "payments", "traffic_share": 0.35 },
    { "name": "catalog", "tier": 2, "team": "catalog", "traffic_share": 0.7 },
    { "name": "search", "tier": 2, "team": "search", "traffic_share": 0.45 },
    { "name": "reports", "tier": 3, "team": "data", "traffic_share": 0.05 }
  ],
  "dependencies": [
    { "from": "frontend", "to": "checkout" },
    { "from": "checkout", "to": "payments" },
    { "from": "frontend", "to": "search", "kind": "soft" }
  ]
}"#;

/// `(name, expected outcome of the 20-rule set, change JSON)`.
pub const CHANGES: &[(&str, Outcome, &str)] = &[
    (
        "canary-safe",
        Outcome::Allow,
        r#"{ "id": "CHG-1", "category": "normal", "environment": "production",
             "author": "maria.gonzalez",
             "services": [{ "name": "payments", "from": "4.12.3", "to": "4.13.0", "kinds": ["code"] }],
             "strategy": { "type": "canary", "steps": [5, 25, 50, 100], "bake_minutes": 30 },
             "size": { "files": 7, "lines_added": 182, "lines_removed": 64 },
             "rollback": { "plan": true, "tested": true, "automated": true, "minutes": 5 },
             "approvals": [{ "by": "dev.patel", "role": "senior-engineer" },
                           { "by": "li.wei", "role": "sre-lead" }],
             "checks": { "build": "passed", "unit-tests": "passed", "security-scan": "passed",
                         "integration-tests": "passed" },
             "tested_in": ["staging"], "scheduled_at": "2026-12-02T09:30:00Z",
             "labels": { "ticket": "PAY-881", "team": "payments" } }"#,
    ),
    (
        "self-approval",
        Outcome::Deny,
        r#"{ "id": "CHG-2", "environment": "production", "author": "Ann.Lee",
             "services": [{ "name": "reports", "from": "1.2.0", "to": "1.2.1" }],
             "strategy": { "type": "canary", "steps": [10, 100], "bake_minutes": 15 },
             "size": { "files": 2, "lines_added": 10, "lines_removed": 3 },
             "rollback": { "plan": true, "tested": true, "automated": true, "minutes": 3 },
             "approvals": [{ "by": " ann.lee ", "role": "senior-engineer" },
                           { "by": "BOB", "role": "senior-engineer" },
                           { "by": "bob ", "role": "sre-lead" }],
             "checks": { "build": "passed", "unit-tests": "passed", "security-scan": "passed" },
             "tested_in": ["uat"], "scheduled_at": "2026-12-03T10:00:00Z",
             "labels": { "ticket": "REP-12" } }"#,
    ),
    (
        "in-freeze",
        Outcome::Deny,
        r#"{ "id": "CHG-3", "environment": "production", "author": "sam",
             "services": [{ "name": "catalog", "from": "2.3.0", "to": "2.4.0" }],
             "strategy": { "type": "linear", "bake_minutes": 20 },
             "size": { "files": 4, "lines_added": 40, "lines_removed": 12 },
             "rollback": { "plan": true, "tested": true, "automated": true, "minutes": 10 },
             "approvals": [{ "by": "kim", "role": "senior-engineer" },
                           { "by": "lee", "role": "senior-engineer" }],
             "checks": { "build": "passed", "unit-tests": "passed", "security-scan": "passed" },
             "tested_in": ["staging"], "scheduled_at": "2026-11-27T15:00:00Z",
             "labels": { "ticket": "CAT-2044" } }"#,
    ),
    (
        "emergency-hotfix-in-freeze",
        Outcome::NeedsApproval,
        r#"{ "id": "CHG-4", "category": "emergency", "environment": "production",
             "author": "aisha.rahman",
             "services": [{ "name": "checkout", "from": "4.4.1", "to": "4.4.2" }],
             "rollback": { "plan": true, "tested": false, "automated": true },
             "approvals": [{ "by": "omar", "role": "incident-commander" },
                           { "by": "li.wei", "role": "SRE-Lead" }],
             "checks": { "build": "passed", "unit-tests": "passed", "security-scan": "passed" },
             "scheduled_at": "2026-11-28T02:10:00Z",
             "labels": { "ticket": "INC-2304", "incident": "INC-2304" } }"#,
    ),
    (
        "failing-check",
        Outcome::Deny,
        r#"{ "id": "CHG-5", "environment": "production", "author": "noor",
             "services": [{ "name": "search", "from": "3.1.0", "to": "3.2.0" }],
             "strategy": { "type": "canary", "steps": [5, 100], "bake_minutes": 30 },
             "size": { "files": 12, "lines_added": 300, "lines_removed": 20 },
             "rollback": { "plan": true, "tested": true, "automated": true, "minutes": 8 },
             "approvals": [{ "by": "kim", "role": "senior-engineer" },
                           { "by": "lee", "role": "sre-lead" }],
             "checks": { "build": "passed", "unit-tests": "passed", "security-scan": "failed",
                         "integration-tests": "pending" },
             "tested_in": ["staging"], "scheduled_at": "2026-12-02T11:00:00Z",
             "labels": { "ticket": "SRCH-77" } }"#,
    ),
    (
        "major-bump-bad-ticket",
        Outcome::NeedsApproval,
        r#"{ "id": "CHG-6", "environment": "production", "author": "paul",
             "services": [{ "name": "checkout", "from": "2.9.1", "to": "3.0.0" },
                          { "name": "catalog", "from": "1.4.0", "to": "1.4.1", "kinds": ["config"] }],
             "strategy": { "type": "rolling" },
             "size": { "files": 30, "lines_added": 700, "lines_removed": 250 },
             "rollback": { "plan": true, "tested": true, "automated": true, "minutes": 20 },
             "approvals": [{ "by": "kim", "role": "senior-engineer" },
                           { "by": "lee", "role": "senior-engineer" }],
             "checks": { "build": "passed", "unit-tests": "passed", "security-scan": "passed" },
             "tested_in": ["preprod"], "scheduled_at": "2026-12-09T10:00:00Z",
             "labels": { "ticket": "chk-42" } }"#,
    ),
    (
        "version-ceiling-standard",
        Outcome::Deny,
        r#"{ "id": "CHG-7", "category": "standard", "environment": "prod", "author": "zoe",
             "services": [{ "name": "reports", "from": "4.9.0", "to": "5.2.0" }],
             "strategy": { "type": "one_box", "bake_minutes": 5 },
             "size": { "files": 9, "lines_added": 250, "lines_removed": 50 },
             "rollback": { "plan": true, "tested": true, "automated": false, "minutes": 45 },
             "approvals": [{ "by": "kim", "role": "change-advisor" },
                           { "by": "lee", "role": "senior-engineer" }],
             "checks": { "build": "passed", "unit-tests": "passed", "security-scan": "passed" },
             "tested_in": ["staging"], "scheduled_at": "2026-12-20T10:00:00Z",
             "labels": { "ticket": "OPS-123456" } }"#,
    ),
    (
        "staging-in-maintenance",
        Outcome::Deny,
        r#"{ "id": "CHG-8", "environment": "staging", "author": "sam",
             "services": [{ "name": "payments", "from": "4.13.0", "to": "6.0.0" }],
             "scheduled_at": "2026-12-05T23:30:00Z" }"#,
    ),
    (
        "staging-plain",
        Outcome::Allow,
        r#"{ "id": "CHG-9", "environment": "staging", "author": "sam",
             "services": [{ "name": "payments", "from": "4.13.0", "to": "6.0.0" }],
             "checks": { "build": "failed" },
             "scheduled_at": "2026-12-07T10:00:00Z" }"#,
    ),
    (
        "irreversible-migration",
        Outcome::Deny,
        r#"{ "id": "CHG-10", "environment": "production", "author": "eve",
             "services": [{ "name": "catalog", "from": "2.4.0", "to": "2.5.0", "kinds": ["code", "schema"] }],
             "strategy": { "type": "blue_green", "bake_minutes": 0 },
             "migration": { "reversible": false, "backward_compatible": true },
             "approvals": [{ "by": "kim", "role": "senior-engineer" }],
             "checks": { "build": "passed", "unit-tests": "skipped", "security-scan": "passed" },
             "tested_in": ["staging"], "scheduled_at": "2026-12-10T10:00:00Z",
             "labels": { "ticket": "CAT-9" } }"#,
    ),
];

/// One change with everything computed from it that some engine receives ready-made.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// A short name.
    pub name: &'static str,
    /// The outcome the 20-rule set should reach (a sanity check of the data).
    pub expected: Outcome,
    /// The change, as changeguard reads it.
    pub change: Change,
    /// The context, as changeguard reads it (the same for every scenario).
    pub context: Context,
    /// `change.when` in Unix seconds: `scheduled_at`, else `context.now`.
    pub when_unix: i64,
    /// The blast radius exposure over the topology, computed by changeguard's blast module:
    /// the peers cannot walk a dependency graph, so they all receive this number.
    pub exposure: f64,
}

/// The scenarios and the topology they are assessed on.
#[derive(Debug)]
pub struct Scenarios {
    /// The small topology (changeguard computes blast radius over it).
    pub topology: Topology,
    /// The scenarios.
    pub list: Vec<Scenario>,
}

impl Scenarios {
    /// Loads every scenario.
    ///
    /// # Panics
    ///
    /// When the built-in data does not load (a bug in this crate).
    #[must_use]
    pub fn load() -> Scenarios {
        let topology = Topology::from_json(TOPOLOGY_JSON).expect("topology");
        let context = Context::from_json(CONTEXT_JSON).expect("context");
        let list = CHANGES
            .iter()
            .map(|&(name, expected, json)| {
                let change = Change::from_json(json).unwrap_or_else(|e| panic!("{name}: {e:?}"));
                let when_unix = change.when(&context).unix_seconds();
                let names: Vec<&str> = change.services.iter().map(|s| s.name.as_str()).collect();
                let options =
                    BlastOptions { first_step: change.strategy.first_step(), ..BlastOptions::default() };
                let exposure = topology.blast_radius(&names, &options).exposure;
                Scenario { name, expected, change, context: context.clone(), when_unix, exposure }
            })
            .collect();
        Scenarios { topology, list }
    }
}

/// Unix seconds of a changeguard timestamp.
#[must_use]
pub fn unix(t: changeguard::cel::Timestamp) -> i64 {
    t.unix_seconds()
}

/// The scenario as one JSON document, the way a Rego or CEL user would pass a change to the
/// engine: `{ change, context, blast }`, every collection present (empty when absent from the
/// change), defaults filled in, versions as semver text, and times as Unix seconds
/// (`change.when`, each freeze's `start` and `end`), since neither peer reads RFC 3339
/// cheaply. `blast.exposure` is [`Scenario::exposure`].
#[must_use]
pub fn document(scenario: &Scenario) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let c = &scenario.change;
    let services: Vec<Value> = c
        .services
        .iter()
        .map(|s| {
            let mut o = Map::new();
            o.insert("name".into(), json!(s.name));
            if let Some(v) = &s.from {
                o.insert("from".into(), json!(v.to_string()));
            }
            if let Some(v) = &s.to {
                o.insert("to".into(), json!(v.to_string()));
            }
            o.insert("kinds".into(), json!(s.kinds.iter().map(ToString::to_string).collect::<Vec<_>>()));
            Value::Object(o)
        })
        .collect();
    let mut strategy = Map::new();
    strategy.insert("type".into(), json!(c.strategy.kind.to_string()));
    if let Some(steps) = &c.strategy.steps {
        strategy.insert("steps".into(), json!(steps));
    }
    strategy.insert("bake_minutes".into(), json!(c.strategy.bake_minutes));
    strategy.insert("in_place".into(), json!(c.strategy.in_place));
    let mut change = Map::new();
    change.insert("id".into(), json!(c.id));
    change.insert("category".into(), json!(c.category.to_string()));
    change.insert("environment".into(), json!(c.environment));
    change.insert("author".into(), json!(c.author));
    change.insert("services".into(), Value::Array(services));
    change.insert("strategy".into(), Value::Object(strategy));
    if let Some(s) = &c.size {
        change.insert(
            "size".into(),
            json!({ "files": s.files, "lines_added": s.lines_added, "lines_removed": s.lines_removed }),
        );
    }
    if let Some(r) = &c.rollback {
        let mut o = Map::new();
        o.insert("plan".into(), json!(r.plan));
        o.insert("tested".into(), json!(r.tested));
        o.insert("automated".into(), json!(r.automated));
        if let Some(m) = r.minutes {
            o.insert("minutes".into(), json!(m));
        }
        change.insert("rollback".into(), Value::Object(o));
    }
    if let Some(m) = &c.migration {
        change.insert(
            "migration".into(),
            json!({ "reversible": m.reversible, "backward_compatible": m.backward_compatible }),
        );
    }
    change.insert(
        "approvals".into(),
        Value::Array(c.approvals.iter().map(|a| json!({ "by": a.by, "role": a.role })).collect()),
    );
    change.insert(
        "checks".into(),
        Value::Object(c.checks.iter().map(|(k, v)| (k.clone(), json!(v.to_string()))).collect()),
    );
    change.insert("tested_in".into(), json!(c.tested_in));
    change.insert("labels".into(), json!(c.labels));
    change.insert("when".into(), json!(scenario.when_unix));
    let freezes: Vec<Value> = scenario
        .context
        .freezes
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "start": unix(f.start),
                "end": unix(f.end),
                "environments": f.environments,
                "exempt": f.exempt.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "change": Value::Object(change),
        "context": { "freezes": freezes },
        "blast": { "exposure": scenario.exposure },
    })
}
