//! Evaluating conditions allocates nothing: counted with a counting global allocator (`dhat`).
//!
//! Preparing an assessment (the views of the inputs, the blast radius) allocates, and so does
//! building the assessment's output; the conditions in between must not. The rule set covers
//! the shapes of SPEC's governance decisions: environment and category checks, counting
//! distinct approvers other than the author, a regex on a label, a version comparison, all
//! checks passed, a freeze window, blast-radius facts, time of day in a time zone, lets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use changeguard::{Change, Context, Policy, Topology};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const POLICY: &str = r#"
[policy]
name = "no-alloc"
version = "1.0.0"

[params]
production = ["production", "prod"]
business = { start = 9, end = 17 }

[let]
is_prod = 'change.environment in params.production'
reviewed = 'change.approvers().size() >= 2'

[[risk]]
id = "all-at-once"
when = 'is_prod && change.strategy.type == "all_at_once"'
points = 30

[[risk]]
id = "major"
when = 'change.services.exists(s, s.bump == "major")'
points = 20

[[risk]]
id = "wide"
when = 'blast.exposure > 0.25 || blast.services > 10'
points = 10

[[risk]]
id = "late"
when = 'change.when.getHours("Europe/London") >= params.business.end || change.when.getDayOfWeek("Europe/London") in [0, 6]'
points = 10

[[rule]]
id = "reviewed"
enforcement = "hard"
when = 'is_prod && change.category != "emergency"'
require = 'reviewed'

[[rule]]
id = "ticket"
require = '"ticket" in change.labels && change.labels["ticket"].matches("^[A-Z]+-[0-9]+$")'

[[rule]]
id = "version"
require = 'change.services.all(s, !has(s.to_version) || s.to_version.isLessThan(semver("3.0.0")))'

[[rule]]
id = "checks"
enforcement = "hard"
require = 'change.checks.all(name, status, status == "passed")'

[[rule]]
id = "freeze"
enforcement = "hard"
require = 'active_freezes.size() == 0 || change.category == "emergency"'

[[rule]]
id = "rollback"
require = 'has(change.rollback) && change.rollback.tested && change.rollback.automated'

[[rule]]
id = "staged"
require = 'change.tested_in.exists(e, e == "staging")'

[[rule]]
id = "tier0"
require = 'blast.min_tier != 0 || change.strategy.first_step <= 10'

[[rule]]
id = "incident"
require = '!context.incidents.exists(i, i.severity == "sev1" && i.services.exists(s, s in blast.impacted))'
"#;

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{}/examples/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn evaluating_conditions_allocates_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let policy = Policy::from_toml(POLICY).unwrap();
    let topology = Topology::from_json(&read("topology-shop")).unwrap();
    let context = Context::from_json(&read("context")).unwrap();
    for name in ["change-canary-safe", "change-friday-all-at-once", "change-config-only"] {
        let change = Change::from_json(&read(name)).unwrap();
        let prepared = policy.prepare(&change, &topology, &context);
        // Warm up: the regex engine fills its per-thread cache on first use.
        let expected = prepared.count_conditions();
        let before = dhat::HeapStats::get();
        for _ in 0..10 {
            assert_eq!(prepared.count_conditions(), expected);
        }
        let after = dhat::HeapStats::get();
        assert_eq!(
            after.total_blocks - before.total_blocks,
            0,
            "{name}: {} allocations ({} bytes) evaluating conditions",
            after.total_blocks - before.total_blocks,
            after.total_bytes - before.total_bytes
        );
        // The conditions decide something: not all fire, not none.
        assert!(expected.0 + expected.1 > 0, "{name}: {expected:?}");
    }
}
