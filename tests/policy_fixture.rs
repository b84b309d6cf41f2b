#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! A realistic policy (`tests/data/northwind.toml`, 13 rules and 8 risk factors) over a
//! microservice topology (`tests/data/topology.json`), assessed for two dozen changes
//! (`tests/data/changes/`): outcome, reasons, violations, risk and impacted services of each.
//! Also: the JSON form of the policy decides the same, its `[[test]]` cases pass, and
//! assessments are deterministic (SPEC §1.5).

mod common;

use changeguard::policy::{Assessment, ReasonKind, RiskLevel};
use changeguard::{Change, Context, Outcome, Policy, Topology};
use serde_json::Value;

fn data(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("tests/data/{name}: {e}"))
}

fn northwind() -> Policy {
    Policy::from_toml(&data("northwind.toml")).unwrap()
}

fn topology() -> Topology {
    Topology::from_json(&data("topology.json")).unwrap()
}

fn context() -> Context {
    Context::from_json(&data("context.json")).unwrap()
}

fn change(name: &str) -> Change {
    Change::from_json(&data(&format!("changes/{name}.json"))).unwrap()
}

fn assess(p: &Policy, name: &str) -> Assessment {
    p.assess(&change(name), &topology(), &context())
}

use Outcome::{Allow, Deny, NeedsApproval as Needs};
use RiskLevel::{Critical, High, Low, Medium};

const PAYMENTS: &[&str] = &["api", "checkout", "payments", "web"];
const CATALOG: &[&str] = &["admin", "api", "cart", "catalog", "checkout", "search", "web"];
const CART: &[&str] = &["api", "cart", "checkout", "web"];
const REDIS: &[&str] = &["api", "cart", "checkout", "redis-cart", "web"];

/// One fixture change and what the policy must decide about it.
struct Case {
    change: &'static str,
    outcome: Outcome,
    /// Counted violations (not dry-run), in policy order; overridden ones included.
    violations: &'static [&'static str],
    /// Dry-run violations.
    dry_run: &'static [&'static str],
    level: RiskLevel,
    score: i64,
    impacted: &'static [&'static str],
    reasons: &'static [ReasonKind],
    /// Rules or factors that failed to evaluate.
    errors: &'static [&'static str],
}

use ReasonKind::{Allow as A, HardViolation as H, RiskApproval as RA, RiskDeny as RD, SoftViolation as S};

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { change: "01-canary-payments", outcome: Allow, violations: &[], dry_run: &[], level: Low, score: 17, impacted: PAYMENTS, reasons: &[A], errors: &[] },
    Case { change: "02-staging-all-at-once", outcome: Allow, violations: &[], dry_run: &[], level: Medium, score: 27, impacted: PAYMENTS, reasons: &[A], errors: &[] },
    Case { change: "03-catalog-major-all-at-once", outcome: Deny, violations: &["rollback-plan"], dry_run: &["progressive-tier-0"], level: Critical, score: 91, impacted: CATALOG, reasons: &[RD], errors: &[] },
    Case { change: "04-failed-check", outcome: Deny, violations: &["required-checks"], dry_run: &[], level: Low, score: 17, impacted: PAYMENTS, reasons: &[H], errors: &[] },
    Case { change: "05-self-approved", outcome: Deny, violations: &["peer-review"], dry_run: &[], level: Low, score: 17, impacted: PAYMENTS, reasons: &[H], errors: &[] },
    Case { change: "06-spring-sale", outcome: Deny, violations: &["change-freeze"], dry_run: &[], level: Low, score: 17, impacted: PAYMENTS, reasons: &[H], errors: &[] },
    Case { change: "07-emergency-in-spring-sale", outcome: Needs, violations: &[], dry_run: &["progressive-tier-0"], level: High, score: 52, impacted: PAYMENTS, reasons: &[RA], errors: &[] },
    Case { change: "08-emergency-datacenter-move", outcome: Allow, violations: &["emergency-follow-up"], dry_run: &[], level: Medium, score: 25, impacted: &["notifications"], reasons: &[A], errors: &[] },
    Case { change: "09-standard-flag-flip", outcome: Allow, violations: &[], dry_run: &[], level: Low, score: 0, impacted: &["feature-flags"], reasons: &[A], errors: &[] },
    Case { change: "10-search-in-incident", outcome: Deny, violations: &["active-incident", "error-budget"], dry_run: &[], level: Low, score: 0, impacted: &["search"], reasons: &[H], errors: &[] },
    Case { change: "11-cart-budget-exhausted", outcome: Needs, violations: &["error-budget"], dry_run: &[], level: Low, score: 17, impacted: CART, reasons: &[S], errors: &[] },
    Case { change: "12-cart-budget-overridden", outcome: Allow, violations: &["error-budget"], dry_run: &[], level: Low, score: 17, impacted: CART, reasons: &[A], errors: &[] },
    Case { change: "13-cart-budget-self-override", outcome: Needs, violations: &["error-budget"], dry_run: &[], level: Low, score: 17, impacted: CART, reasons: &[S], errors: &[] },
    Case { change: "14-unknown-service", outcome: Needs, violations: &["known-services"], dry_run: &[], level: Medium, score: 27, impacted: PAYMENTS, reasons: &[S], errors: &[] },
    Case { change: "15-irreversible-migration", outcome: Deny, violations: &["irreversible-migration"], dry_run: &[], level: Medium, score: 30, impacted: &["api", "checkout", "ledger", "payments", "web"], reasons: &[H], errors: &[] },
    Case { change: "16-redis-major-high-risk", outcome: Needs, violations: &[], dry_run: &[], level: High, score: 55, impacted: REDIS, reasons: &[RA], errors: &[] },
    Case { change: "17-redis-major-sre-approved", outcome: Allow, violations: &[], dry_run: &[], level: High, score: 55, impacted: REDIS, reasons: &[A], errors: &[] },
    Case { change: "18-no-rollback-no-ticket", outcome: Needs, violations: &["rollback-plan", "ticket-reference"], dry_run: &[], level: Medium, score: 32, impacted: PAYMENTS, reasons: &[S, S], errors: &["ticket-reference"] },
    Case { change: "19-big-change", outcome: Allow, violations: &["change-size"], dry_run: &[], level: Low, score: 0, impacted: &["notifications"], reasons: &[A], errors: &[] },
    Case { change: "20-dev-unknown-service", outcome: Needs, violations: &["known-services"], dry_run: &[], level: Low, score: 10, impacted: &[], reasons: &[S], errors: &[] },
    Case { change: "21-prod-alias-during-sale", outcome: Allow, violations: &[], dry_run: &[], level: Medium, score: 26, impacted: CATALOG, reasons: &[A], errors: &[] },
    Case { change: "22-dry-run-only", outcome: Allow, violations: &[], dry_run: &["progressive-tier-0"], level: High, score: 52, impacted: PAYMENTS, reasons: &[A], errors: &[] },
    Case { change: "23-staging-skipped-qa-override", outcome: Allow, violations: &["tested-in-staging"], dry_run: &[], level: Low, score: 17, impacted: PAYMENTS, reasons: &[A], errors: &[] },
    Case {
        change: "24-everything-wrong", outcome: Deny,
        violations: &["required-checks", "peer-review", "change-freeze", "tested-in-staging", "rollback-plan", "ticket-reference"],
        dry_run: &["progressive-tier-0"], level: Critical, score: 91, impacted: CATALOG, reasons: &[H, H, H, RD], errors: &["ticket-reference"],
    },
];

fn check_case(p: &Policy, case: &Case) {
    let a = assess(p, case.change);
    let name = case.change;
    assert_eq!(a.outcome, case.outcome, "{name}: outcome");
    assert_eq!(a.violated_rules().collect::<Vec<_>>(), case.violations, "{name}: violations");
    let dry: Vec<&str> = a.violations.iter().filter(|v| v.dry_run).map(|v| &*v.rule).collect();
    assert_eq!(dry, case.dry_run, "{name}: dry-run violations");
    assert_eq!((a.risk.level, a.risk.score), (case.level, case.score), "{name}: risk");
    assert_eq!(a.blast_radius.impacted, case.impacted, "{name}: impacted");
    assert_eq!(a.reasons.iter().map(|r| r.kind).collect::<Vec<_>>(), case.reasons, "{name}: reasons");
    let errors: Vec<&str> = a.errors.iter().map(|e| e.rule.as_str()).collect();
    assert_eq!(errors, case.errors, "{name}: errors");
    assert_eq!(a.change, change(name).id);
    assert_eq!((&*a.policy.name, &*a.policy.version), ("northwind-production", "2.3.0"));
}

#[test]
fn every_fixture_change_gets_the_expected_decision() {
    let p = northwind();
    for case in CASES {
        check_case(&p, case);
    }
}

#[test]
fn every_fixture_change_is_in_the_table() {
    let dir = format!("{}/tests/data/changes", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
    files.sort();
    let table: Vec<&str> = CASES.iter().map(|c| c.change).collect();
    assert_eq!(files, table);
}

#[test]
fn the_json_form_of_the_policy_decides_the_same() {
    let toml = northwind();
    let json = Policy::from_json(&data("northwind.json")).unwrap();
    assert_eq!(json.rule_ids().collect::<Vec<_>>(), toml.rule_ids().collect::<Vec<_>>());
    assert_eq!(json.factor_ids().collect::<Vec<_>>(), toml.factor_ids().collect::<Vec<_>>());
    for case in CASES {
        check_case(&json, case);
        assert_eq!(assess(&json, case.change), assess(&toml, case.change), "{}", case.change);
    }
}

#[test]
fn the_fixture_policy_loads_cleanly_and_its_tests_pass() {
    let p = northwind();
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    assert_eq!(p.rule_ids().count(), 13);
    assert_eq!(p.factor_ids().count(), 8);
    let report = p.run_tests(&changeguard::policy::TestOptions::default());
    assert_eq!(report.cases.len(), 3);
    assert!(report.all_passed(), "{report:?}");
    assert_eq!((report.passed(), report.failed()), (3, 0));
}

// ------------------------------------------------------------------------------------------
// Details of selected cases

#[test]
fn factors_and_their_reasons_for_a_risky_change() {
    let a = assess(&northwind(), "03-catalog-major-all-at-once");
    let got: Vec<(&str, i64, &str)> =
        a.risk.factors.iter().map(|f| (&*f.id, f.points, f.reason.as_str())).collect();
    assert_eq!(
        got,
        [
            ("all-at-once", 25, "every customer is exposed at once"),
            ("tier-0", 15, "a tier-0 service is impacted"),
            ("wide-blast", 21, "7 services impacted"),
            ("major-bump", 15, "a major version bump"),
            ("no-tested-rollback", 15, "no tested rollback"),
        ]
    );
    assert_eq!(*a.risk.factors[0].references, ["OPS06-BP03"]);
    assert_eq!(a.violations[0].message, "no rollback plan (risk critical, score 91)");
    assert_eq!(a.violations[0].remediation.as_deref(), Some("describe how to roll back"));
    assert_eq!(a.reasons[0].detail, "risk level critical (score 91) is at or above `deny_at` critical");
}

#[test]
fn negative_points_and_interpolated_reasons() {
    let a = assess(&northwind(), "14-unknown-service");
    let got: Vec<(&str, i64, &str)> =
        a.risk.factors.iter().map(|f| (&*f.id, f.points, f.reason.as_str())).collect();
    assert_eq!(
        got,
        [
            ("tier-0", 15, "a tier-0 service is impacted"),
            ("wide-blast", 12, "4 services impacted"),
            ("incomplete-topology", 10, "unknown services: legacy-billing"),
            ("progressive", -10, "starts with 5% of traffic"),
        ]
    );
    assert_eq!(a.blast_radius.unknown, ["legacy-billing"]);
    assert!(!a.blast_radius.complete);
    assert_eq!(a.violations[0].message, "unknown services: legacy-billing");
    assert_eq!(a.required_approvals.len(), 1);
    assert_eq!(a.required_approvals[0].roles, ["platform-lead"]);
}

#[test]
fn messages_interpolate_the_facts() {
    let p = northwind();
    assert_eq!(assess(&p, "04-failed-check").violations[0].message, "required checks must pass: integration");
    assert_eq!(assess(&p, "06-spring-sale").violations[0].message, "deploys during freeze spring-sale");
    assert_eq!(
        assess(&p, "11-cart-budget-exhausted").violations[0].message,
        "error budget exhausted for cart"
    );
    assert_eq!(
        assess(&p, "19-big-change").violations[0].message,
        "120 files changed; smaller changes are safer"
    );
    let a = assess(&p, "24-everything-wrong");
    assert_eq!(a.violations[0].message, "required checks must pass: unit, integration");
    assert_eq!(a.reasons[0].detail, "required checks must pass: unit, integration");
    assert_eq!(a.reasons[0].rule.as_deref(), Some("required-checks"));
}

#[test]
fn overrides_name_who_gave_them_and_self_overrides_do_not_count() {
    let p = northwind();
    let a = assess(&p, "12-cart-budget-overridden");
    assert_eq!(a.violations[0].overridden_by.as_deref(), Some("priya"));
    assert!(a.required_approvals.is_empty());
    let a = assess(&p, "13-cart-budget-self-override");
    assert_eq!(a.violations[0].overridden_by, None);
    assert_eq!(a.required_approvals.len(), 1);
    assert_eq!(a.required_approvals[0].roles, ["sre-lead", "vp-engineering"]);
    let a = assess(&p, "23-staging-skipped-qa-override");
    assert_eq!(a.violations[0].overridden_by.as_deref(), Some("qa.lead.kim"));
}

#[test]
fn an_erroring_rule_fails_closed_and_names_its_approvers() {
    let a = assess(&northwind(), "18-no-rollback-no-ticket");
    assert_eq!(a.errors.len(), 1);
    assert_eq!((a.errors[0].rule.as_str(), a.errors[0].field.as_str()), ("ticket-reference", "require"));
    assert!(a.errors[0].message.contains("ticket"), "{:?}", a.errors[0]);
    let roles: Vec<&[String]> = a.required_approvals.iter().map(|r| r.roles.as_slice()).collect();
    assert_eq!(roles, [&["sre-lead".to_owned()][..], &["change-manager".to_owned()]]);
    assert_eq!(a.violations[0].message, "no rollback plan (risk medium, score 32)");
}

#[test]
fn high_risk_needs_the_sre_lead() {
    let a = assess(&northwind(), "16-redis-major-high-risk");
    assert_eq!(a.required_approvals.len(), 1);
    assert_eq!(a.required_approvals[0].roles, ["sre-lead"]);
    assert_eq!(a.reasons[0].rule, None);
}

#[test]
fn blast_radius_of_the_fixture_changes() {
    let p = northwind();
    let b = assess(&p, "01-canary-payments").blast_radius;
    assert_eq!(b.degraded, ["reports"]);
    assert_eq!(b.paths["web"], ["payments", "checkout", "api", "web"]);
    assert!((b.exposure - 0.05).abs() < 1e-12, "{}", b.exposure);
    assert_eq!(b.teams, ["finance", "payments", "platform", "web"]);
    let b = assess(&p, "09-standard-flag-flip").blast_radius;
    assert_eq!((b.degraded.as_slice(), b.min_tier), (&["web".to_owned()][..], Some(1)));
    assert!((b.exposure - 0.009).abs() < 1e-12, "{}", b.exposure);
    let b = assess(&p, "20-dev-unknown-service").blast_radius;
    assert_eq!((b.unknown.as_slice(), b.complete, b.min_tier), (&["ghost".to_owned()][..], false, None));
}

// ------------------------------------------------------------------------------------------
// Determinism (§1.5)

/// The topology document with its services and dependencies in another order.
fn shuffled_topology() -> Topology {
    let mut doc: Value = serde_json::from_str(&data("topology.json")).unwrap();
    for key in ["services", "dependencies"] {
        let list = doc[key].as_array_mut().unwrap();
        list.reverse();
        let n = list.len();
        list.rotate_left(n / 3);
    }
    Topology::from_json(&doc.to_string()).unwrap()
}

#[test]
fn the_same_inputs_give_byte_identical_json() {
    let p = northwind();
    for case in CASES {
        let first = assess(&p, case.change).to_json_pretty();
        let second = assess(&northwind(), case.change).to_json_pretty();
        assert_eq!(first, second, "{}", case.change);
    }
}

#[test]
fn the_order_of_the_topology_does_not_change_the_json() {
    let policy = northwind();
    let (original, shuffled) = (topology(), shuffled_topology());
    for case in CASES {
        let c = change(case.change);
        let first = policy.assess(&c, &original, &context()).to_json_pretty();
        let second = policy.assess(&c, &shuffled, &context()).to_json_pretty();
        assert_eq!(first, second, "{}", case.change);
    }
}

#[test]
fn the_order_of_approvals_and_maps_does_not_change_the_json() {
    let p = northwind();
    let mut doc: Value = serde_json::from_str(&data("changes/12-cart-budget-overridden.json")).unwrap();
    let a = p.assess(&Change::from_json(&doc.to_string()).unwrap(), &topology(), &context()).to_json_pretty();
    doc["approvals"].as_array_mut().unwrap().reverse();
    let checks = doc["checks"].as_object().unwrap().clone();
    let mut reordered = serde_json::Map::new();
    for (k, v) in checks.iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    doc["checks"] = Value::Object(reordered);
    let b = p.assess(&Change::from_json(&doc.to_string()).unwrap(), &topology(), &context()).to_json_pretty();
    assert_eq!(a, b);
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn the_json_has_exactly_the_spec_keys() {
    let json: Value =
        serde_json::from_str(&assess(&northwind(), "18-no-rollback-no-ticket").to_json_pretty()).unwrap();
    assert_eq!(keys(&json), common::ASSESSMENT_KEYS);
    assert_eq!(json["outcome"], "needs_approval");
    assert_eq!(json["change"], "CHG-18");
    assert_eq!(json["policy"], serde_json::json!({ "name": "northwind-production", "version": "2.3.0" }));
    assert_eq!(keys(&json["risk"]), ["factors", "level", "score"]);
    assert_eq!(json["risk"]["level"], "medium");
    assert_eq!(json["risk"]["score"], 32);
    assert_eq!(keys(&json["risk"]["factors"][0]), ["id", "points", "reason", "references"]);
    let violation = &json["violations"][0];
    assert_eq!(
        keys(violation),
        ["dry_run", "enforcement", "message", "overridden_by", "references", "remediation", "rule"]
    );
    assert_eq!(violation["enforcement"], "soft");
    assert_eq!(violation["overridden_by"], Value::Null);
    assert_eq!(violation["dry_run"], false);
    assert_eq!(keys(&json["reasons"][0]), ["detail", "kind", "rule"]);
    assert_eq!(json["reasons"][0]["kind"], "soft_violation");
    assert_eq!(keys(&json["required_approvals"][0]), ["reason", "roles"]);
    assert_eq!(
        keys(&json["blast_radius"]),
        [
            "changed",
            "complete",
            "degraded",
            "exposure",
            "impacted",
            "min_tier",
            "paths",
            "regions",
            "services",
            "teams",
            "traffic_share",
            "unknown"
        ]
    );
    assert_eq!(json["blast_radius"]["traffic_share"], 1.0);
    assert_eq!(json["blast_radius"]["min_tier"], 0);
    assert_eq!(
        json["blast_radius"]["paths"]["api"],
        serde_json::json!({"predecessor": "checkout", "dependency": "hard", "hops": 2})
    );
    assert_eq!(json["blast_radius"]["paths"]["payments"], serde_json::json!({"hops": 0}));
    let error = keys(&json["errors"][0]);
    assert!(error.contains(&"rule") && error.contains(&"message"), "{error:?}");
    assert_eq!(json["errors"][0]["rule"], "ticket-reference");
    // An allowed change: a single `allow` reason without a rule.
    let json: Value =
        serde_json::from_str(&assess(&northwind(), "01-canary-payments").to_json_pretty()).unwrap();
    assert_eq!(json["reasons"].as_array().unwrap().len(), 1);
    assert_eq!(json["reasons"][0]["kind"], "allow");
    assert!(json["reasons"][0].get("rule").is_none_or(Value::is_null));
    assert_eq!(json["violations"], serde_json::json!([]));
    assert_eq!(json["errors"], serde_json::json!([]));
}

#[test]
fn an_assessment_round_trips_through_json() {
    let a = assess(&northwind(), "24-everything-wrong");
    let back: Assessment = serde_json::from_str(&a.to_json_pretty()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn text_and_markdown_renderings_name_the_outcome_and_the_rules() {
    let a = assess(&northwind(), "24-everything-wrong");
    let text = a.to_string();
    let md = a.to_markdown();
    for rendered in [&text, &md] {
        assert!(rendered.to_lowercase().contains("deny"), "{rendered}");
        for rule in ["required-checks", "peer-review", "change-freeze", "ticket-reference"] {
            assert!(rendered.contains(rule), "{rule} missing from:\n{rendered}");
        }
    }
    assert!(md.contains('#') || md.contains("**") || md.contains('|'), "not markdown:\n{md}");
}

#[test]
fn policies_and_topologies_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<Topology>();
    let p = northwind();
    let t = topology();
    let ctx = context();
    let expected = assess(&p, "24-everything-wrong").to_json_pretty();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let a = p.assess(&change("24-everything-wrong"), &t, &ctx);
                assert_eq!(a.to_json_pretty(), expected);
            });
        }
    });
}
