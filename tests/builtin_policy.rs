#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! The built-in policy (`Policy::well_architected()`, `src/policy/well_architected.toml`): it
//! loads without warnings, its own `[[test]]` cases pass and exercise every rule and factor,
//! every rule and factor cites Well-Architected practices, and the bundled examples tell their
//! story:
//!
//! - `change-canary-safe.json` → **allow**: a 5% canary of payments with a tested, automated
//!   rollback, two reviewers, green checks and a staging run. Its blast radius reaches tier-0
//!   services, six teams and a sev1 incident on checkout, which keeps it at low risk, not zero.
//! - `change-friday-all-at-once.json` → **deny**: a Friday-evening, in-place, all-at-once
//!   release of two major versions (9,000 lines), never run in staging, with an integration
//!   test failing, the security scan pending, an untested 90-minute manual rollback and a
//!   self-approval. Hard rules `required-checks` and `progressive-rollout-critical-tier`
//!   deny it, and so does its critical risk.
//! - `change-emergency-hotfix.json` → **needs approval**: an emergency fix for the sev1 on
//!   checkout, deployed during the Black Friday freeze. Emergencies are exempt from the freeze,
//!   the change window and the open-incident rule, but its risk is high (sev1 on the changed
//!   service, Friday afternoon, Black Friday, integration tests skipped): an SRE lead or a
//!   change manager must approve it; the incident commander's approval is not one of those
//!   roles. Filed as a normal change, the same change is denied (freeze, open incident).
//! - `change-irreversible-migration.json` → **deny**: an irreversible schema migration
//!   scheduled inside the Black Friday / Cyber Monday freeze at 07:00, with an untested
//!   4-hour rollback: the freeze denies it, its risk is critical, and the one-way door needs a
//!   principal engineer. Rescheduled after the freeze with a rehearsed, automated rollback, it
//!   needs approvals (one-way door and high risk), and is allowed once a principal engineer and
//!   an SRE lead approve.
//! - `change-config-only.json` → **allow**: a pre-authorised standard change flipping a
//!   feature flag, progressively; it qualifies as standard (small, low risk). `ab-testing` is
//!   not in the topology, so the blast radius is unknown: that needs an approval (an unknown
//!   blast radius never looks safer than a known one), which a change manager gave; the
//!   violation stays in the assessment as overridden, with a few risk points.

use std::collections::BTreeSet;

use changeguard::cel::Timestamp;
use changeguard::input::{Approval, Category, Change, Context, Rollback};
use changeguard::policy::{Assessment, Enforcement, Outcome, RiskLevel, WELL_ARCHITECTED_TOML};
use changeguard::{Policy, Topology};

fn policy() -> Policy {
    Policy::well_architected()
}

fn document() -> toml::Table {
    toml::from_str(WELL_ARCHITECTED_TOML).expect("the built-in policy is valid TOML")
}

fn json(v: &toml::Value) -> String {
    serde_json::to_string(v).unwrap()
}

fn example(name: &str) -> String {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Examples {
    topology: Topology,
    context: Context,
}

impl Examples {
    /// The built-in policy's assessment of `change` in the example topology and context.
    fn assess(&self, change: &Change) -> Assessment {
        policy().assess(change, &self.topology, &self.context)
    }
}

fn examples() -> Examples {
    Examples {
        topology: Topology::from_json(&example("topology-shop.json")).unwrap(),
        context: Context::from_json(&example("context.json")).unwrap(),
    }
}

fn change(name: &str) -> Change {
    Change::from_json(&example(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn counted(a: &Assessment) -> BTreeSet<&str> {
    a.violated_rules().collect()
}

fn by_enforcement(a: &Assessment, e: Enforcement) -> BTreeSet<&str> {
    a.violations.iter().filter(|v| v.enforcement == e && !v.dry_run).map(|v| &*v.rule).collect()
}

fn factors(a: &Assessment) -> BTreeSet<&str> {
    a.risk.factors.iter().map(|f| &*f.id).collect()
}

fn set<'a>(items: &[&'a str]) -> BTreeSet<&'a str> {
    items.iter().copied().collect()
}

fn approval(by: &str, role: &str) -> Approval {
    Approval { by: by.into(), role: role.into(), at: None }
}

// ------------------------------------------------------------------------------------------
// Loading and the policy's own tests.

#[test]
fn loads_without_warnings() {
    // `well_architected()` falls back to an empty policy should the text ever fail to load:
    // load the text directly to see its diagnostics.
    let direct = Policy::from_toml(WELL_ARCHITECTED_TOML)
        .unwrap_or_else(|d| panic!("{}", d.render(Some("well_architected.toml"), WELL_ARCHITECTED_TOML)));
    assert!(direct.warnings().is_empty(), "{:?}", direct.warnings());
    let p = policy();
    assert_eq!(p.name(), "well-architected");
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    assert_eq!(p.decision().approval_at, RiskLevel::High);
    assert_eq!(p.decision().deny_at, Some(RiskLevel::Critical));
    assert_eq!(p.decision().approval_roles, ["sre-lead", "change-manager"]);
    assert!(p.rule_ids().count() >= 15);
    assert!(p.factor_ids().count() >= 25);
    assert!((30..=100).contains(&p.test_count()), "{} tests", p.test_count());
}

#[test]
fn its_own_tests_pass() {
    let report = policy().run_tests(&changeguard::policy::TestOptions::default());
    let failures: Vec<String> = report
        .cases
        .iter()
        .filter(|c| !c.passed())
        .map(|c| format!("{}:\n  {}", c.name, c.mismatches.join("\n  ")))
        .collect();
    assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(report.passed(), policy().test_count() + policy().property_count());
}

/// The invariants the built-in policy states about itself hold, each checked on inputs that
/// meet its precondition (none vacuous or weak).
#[cfg(feature = "proptest")]
#[test]
fn its_own_properties_hold() {
    use changeguard::policy::{PropertyStatus, TestOptions};
    let report = policy().run_tests(&TestOptions::default().with_cases(256).with_seed(3));
    let names: Vec<&str> = report.properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "a production change during a freeze is never allowed",
            "self-approval never counts",
            "a hard violation always denies",
            "more approvals never make the outcome stricter",
            "a failing required check never allows",
        ]
    );
    for p in &report.properties {
        assert_eq!(p.status, PropertyStatus::Held, "{}: {}", p.name, p.summary());
    }
}

/// Each built-in property can fail: weaken the rule it guards and it finds a counterexample.
#[cfg(feature = "proptest")]
#[test]
fn its_properties_catch_a_weakened_policy() {
    use changeguard::policy::{PropertyStatus, TestOptions};
    let text = changeguard::policy::WELL_ARCHITECTED_TOML;
    let weakened = [
        // The freeze rule no longer looks at freezes.
        (
            "require = 'active_freezes.size() == 0'",
            "require = 'true'",
            "a production change during a freeze is never allowed",
        ),
        // Required checks no longer block.
        (
            "id = \"required-checks\"\ndescription = \"Production changes have passed the checks their kinds of change require\"\nenforcement = \"hard\"",
            "id = \"required-checks\"\ndescription = \"Production changes have passed the checks their kinds of change require\"\nenforcement = \"advisory\"",
            "a failing required check never allows",
        ),
        // A rule that penalises approvals: one more can make the outcome stricter.
        (
            "[[rule]]\nid = \"self-approval\"",
            "[[rule]]\nid = \"too-many-cooks\"\nenforcement = \"hard\"\nrequire = 'change.approvals.size() < 3'\n\n[[rule]]\nid = \"self-approval\"",
            "more approvals never make the outcome stricter",
        ),
    ];
    for (from, to, property) in weakened {
        assert!(text.contains(from), "{from}");
        let p = Policy::from_toml(&text.replace(from, to)).unwrap();
        let report = p.run_tests(&TestOptions::default().with_cases(1000).with_seed(3));
        let r = report.properties.iter().find(|r| r.name == property).unwrap();
        assert_eq!(r.status, PropertyStatus::Failed, "{property}: {}", r.summary());
        assert!(r.counterexample.is_some());
    }
}

/// The assessments of the policy's `[[test]]` cases, built as `changeguard test` builds them.
fn assess_cases() -> Vec<(String, Assessment)> {
    let doc = document();
    let p = policy();
    let shared = doc.get("test_topology").map(|t| Topology::from_json(&json(t)).unwrap());
    let empty = Topology::default();
    let cases = doc["test"].as_array().unwrap();
    let runner = p.run_tests(&changeguard::policy::TestOptions::default());
    assert_eq!(runner.cases.len(), cases.len());
    cases
        .iter()
        .zip(&runner.cases)
        .map(|(case, result)| {
            let name = case["name"].as_str().unwrap().to_owned();
            assert_eq!(name, result.name);
            let change = Change::from_json(&json(&case["change"])).unwrap();
            let own = case.get("topology").map(|t| Topology::from_json(&json(t)).unwrap());
            let topology = own.as_ref().or(shared.as_ref()).unwrap_or(&empty);
            let context = match case.get("context") {
                Some(c) => Context::from_json(&json(c)).unwrap(),
                None => Context::new(change.scheduled_at.unwrap_or(Timestamp::UNIX_EPOCH)),
            };
            let a = p.assess(&change, topology, &context);
            assert_eq!(a.outcome, result.outcome, "{name}: the runner and this test disagree");
            (name, a)
        })
        .collect()
}

#[test]
fn its_tests_cover_every_rule_factor_and_outcome() {
    let p = policy();
    let cases = assess_cases();
    let mut violated = BTreeSet::new();
    let mut fired = BTreeSet::new();
    let mut outcomes = BTreeSet::new();
    let mut levels = BTreeSet::new();
    for (_, a) in &cases {
        violated.extend(a.violations.iter().map(|v| v.rule.clone()));
        fired.extend(a.risk.factors.iter().map(|f| f.id.clone()));
        outcomes.insert(a.outcome.as_str());
        levels.insert(a.risk.level.as_str());
    }
    let unviolated: Vec<&str> = p.rule_ids().filter(|r| !violated.contains(*r)).collect();
    assert!(unviolated.is_empty(), "rules never violated by a test: {unviolated:?}");
    let unfired: Vec<&str> = p.factor_ids().filter(|f| !fired.contains(*f)).collect();
    assert!(unfired.is_empty(), "factors that never fire in a test: {unfired:?}");
    // Every rule is also satisfied (or not applicable) somewhere: no rule is always violated.
    for rule in p.rule_ids() {
        assert!(
            cases.iter().any(|(_, a)| a.violations.iter().all(|v| &*v.rule != rule)),
            "`{rule}` is violated in every test"
        );
    }
    assert_eq!(outcomes, set(&["allow", "deny", "needs_approval"]));
    assert_eq!(levels, set(&["critical", "high", "low", "medium"]));
    // Overrides, shadow mode and fail-closed errors are each shown by at least one case.
    let named = |name: &str| &cases.iter().find(|(n, _)| n == name).unwrap().1;
    let overridden = named("an SRE lead's approval overrides soft rules and accepts high risk");
    assert_eq!(overridden.outcome, Outcome::Allow);
    let counted_violations = overridden.violations.iter().filter(|v| !v.dry_run);
    assert_eq!(counted_violations.clone().count(), 2);
    assert!(counted_violations.clone().all(|v| v.overridden_by.as_deref() == Some("carol")));
    let shadow = named("a careful canary on the payment path scores low");
    assert_eq!(shadow.outcome, Outcome::Allow);
    assert!(shadow.violations.iter().any(|v| v.dry_run && &*v.rule == "two-approvers-critical-tier"));
    let failed = named("malformed business events fail closed");
    assert!(failed.errors.iter().any(|e| e.rule == "business-event" && e.field == "when"));
    assert!(factors(failed).contains("business-event"));
    let exempt = named("emergencies are exempt from freezes");
    assert_eq!(exempt.outcome, Outcome::Allow);
    // No other case errs: a policy that fails closed by accident would look stricter than it is.
    for (name, a) in &cases {
        if name != "malformed business events fail closed" {
            assert!(a.errors.is_empty(), "{name}: {:?}", a.errors);
        }
    }
}

// ------------------------------------------------------------------------------------------
// Every rule and factor explains itself and cites practices.

fn looks_like_practice_id(r: &str) -> bool {
    // `OPS06-BP03`, `REL08-BP04`, or a whole question such as `REL08`.
    let pillar = ["OPS", "REL", "SEC", "PERF", "COST", "SUS"].iter().find(|p| r.starts_with(**p));
    let Some(pillar) = pillar else { return false };
    let rest = &r[pillar.len()..];
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    match rest.split_once("-BP") {
        Some((q, bp)) => digits(q) && digits(bp),
        None => digits(rest),
    }
}

#[test]
fn every_rule_and_factor_cites_practices_and_explains_itself() {
    assert!(looks_like_practice_id("OPS06-BP03"));
    assert!(looks_like_practice_id("REL08"));
    assert!(!looks_like_practice_id("OPS6-BP03"));
    assert!(!looks_like_practice_id("ops06-bp03"));
    let doc = document();
    let sections = [("risk", "reason"), ("rule", "message")];
    for (section, text) in sections {
        let entries = doc[section].as_array().unwrap();
        assert!(!entries.is_empty());
        for e in entries {
            let id = e["id"].as_str().unwrap();
            let refs = e.get("references").and_then(toml::Value::as_array);
            let refs: Vec<&str> =
                refs.map(|r| r.iter().filter_map(toml::Value::as_str).collect()).unwrap_or_default();
            assert!(!refs.is_empty(), "{section} `{id}` has no references");
            for r in &refs {
                assert!(looks_like_practice_id(r), "{section} `{id}`: `{r}` is not a practice id");
            }
            for key in [text, "description"] {
                let s = e.get(key).and_then(toml::Value::as_str).unwrap_or("");
                assert!(s.trim().len() > 10, "{section} `{id}` needs a `{key}`");
            }
            if section == "rule" {
                let enforcement = e.get("enforcement").and_then(toml::Value::as_str).unwrap_or("soft");
                if enforcement != "advisory" || e.get("dry_run").is_some() {
                    assert!(e.get("remediation").is_some(), "rule `{id}` needs a remediation");
                }
                if enforcement == "soft" {
                    assert!(
                        e.get("override_roles").is_some(),
                        "soft rule `{id}` should name its override roles"
                    );
                }
            }
        }
    }
    // The policy shows both kinds of adaptable pieces.
    assert!(doc["params"].as_table().unwrap().len() >= 10);
    assert!(doc["let"].as_table().unwrap().len() >= 10);
    assert!(
        doc["rule"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.get("dry_run").and_then(toml::Value::as_bool) == Some(true))
    );
}

// ------------------------------------------------------------------------------------------
// The bundled examples.

#[test]
fn the_safe_canary_is_allowed() {
    let ex = examples();
    let a = ex.assess(&change("change-canary-safe.json"));
    assert_eq!(a.outcome, Outcome::Allow, "{a}");
    assert_eq!(a.risk.level, RiskLevel::Low);
    assert!(counted(&a).is_empty(), "{:?}", counted(&a));
    // Low, not zero: it reaches tier-0 services, six teams and the sev1 incident on checkout.
    assert_eq!(factors(&a), set(&["active-incident", "critical-tier", "high-traffic", "many-teams"]));
    assert_eq!(a.risk.score, 25);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
}

#[test]
fn the_friday_all_at_once_release_is_denied() {
    let ex = examples();
    let a = ex.assess(&change("change-friday-all-at-once.json"));
    assert_eq!(a.outcome, Outcome::Deny, "{a}");
    assert_eq!(a.risk.level, RiskLevel::Critical);
    assert_eq!(a.risk.score, 100);
    assert_eq!(
        by_enforcement(&a, Enforcement::Hard),
        set(&["required-checks", "progressive-rollout-critical-tier"])
    );
    assert_eq!(
        by_enforcement(&a, Enforcement::Soft),
        set(&["rollback-tested", "preproduction-testing", "change-window"])
    );
    assert_eq!(by_enforcement(&a, Enforcement::Advisory), set(&["self-approval"]));
    for f in [
        "all-at-once",
        "mutable-deployment",
        "rollback-untested",
        "rollback-slow",
        "untested-in-preproduction",
        "checks-failed",
        "checks-unfinished",
        "large-change",
        "major-version",
        "risky-time",
        "error-budget-exhausted",
    ] {
        assert!(factors(&a).contains(f), "{f} should fire: {:?}", factors(&a));
    }
    let time = a.risk.factors.iter().find(|f| &*f.id == "risky-time").unwrap();
    assert!(time.reason.contains("Friday 17:45 Europe/London"), "{}", time.reason);
    let checks = a.violations.iter().find(|v| &*v.rule == "required-checks").unwrap();
    assert!(checks.message.contains("security-scan (pending)"), "{}", checks.message);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
}

#[test]
fn the_emergency_hotfix_in_the_freeze_needs_an_approval() {
    let ex = examples();
    let hotfix = change("change-emergency-hotfix.json");
    let a = ex.assess(&hotfix);
    assert_eq!(a.outcome, Outcome::NeedsApproval, "{a}");
    assert_eq!(a.risk.level, RiskLevel::High);
    // Not held back by the freeze, the change window or the open incident it fixes.
    assert_eq!(counted(&a), set(&["emergency-review"]));
    assert_eq!(a.required_approvals.len(), 1);
    assert_eq!(a.required_approvals[0].roles, ["sre-lead", "change-manager"]);
    assert!(factors(&a).contains("active-incident"));
    assert!(factors(&a).contains("business-event"));

    // An SRE lead's approval is all it takes.
    let mut approved = hotfix.clone();
    approved.approvals.push(approval("li.wei", "sre-lead"));
    let a = ex.assess(&approved);
    assert_eq!(a.outcome, Outcome::Allow, "{a}");

    // Filed as a normal change, the freeze and the open incident deny it.
    let normal = Change { category: Category::Normal, ..hotfix };
    let a = ex.assess(&normal);
    assert_eq!(a.outcome, Outcome::Deny, "{a}");
    let hard = by_enforcement(&a, Enforcement::Hard);
    assert!(hard.contains("change-freeze") && hard.contains("open-incident"), "{hard:?}");
}

#[test]
fn the_irreversible_migration_is_denied_in_the_freeze_and_needs_a_senior_approval_after_it() {
    let ex = examples();
    let migration = change("change-irreversible-migration.json");
    let a = ex.assess(&migration);
    assert_eq!(a.outcome, Outcome::Deny, "{a}");
    assert_eq!(a.risk.level, RiskLevel::Critical);
    assert_eq!(by_enforcement(&a, Enforcement::Hard), set(&["change-freeze"]));
    assert!(by_enforcement(&a, Enforcement::Soft).contains("one-way-door"));
    assert!(factors(&a).contains("irreversible-migration"));

    // After the freeze, in business hours, with a rehearsed automated rollback: the one-way
    // door and the high risk still need approvals…
    let mut prepared = migration;
    prepared.scheduled_at = Some(Timestamp::parse("2026-12-02T10:00:00Z").unwrap());
    prepared.rollback = Some(Rollback { plan: true, tested: true, automated: true, minutes: Some(30) });
    let a = ex.assess(&prepared);
    assert_eq!(a.outcome, Outcome::NeedsApproval, "{a}");
    assert_eq!(a.risk.level, RiskLevel::High);
    assert_eq!(counted(&a), set(&["one-way-door"]));

    // …from a principal engineer (the one-way door) and an SRE lead (the risk).
    prepared.approvals.push(approval("grace.ho", "principal-engineer"));
    let a = ex.assess(&prepared);
    assert_eq!(a.outcome, Outcome::NeedsApproval, "{a}");
    prepared.approvals.push(approval("li.wei", "sre-lead"));
    let a = ex.assess(&prepared);
    assert_eq!(a.outcome, Outcome::Allow, "{a}");
    let door = a.violations.iter().find(|v| &*v.rule == "one-way-door").unwrap();
    assert_eq!(door.overridden_by.as_deref(), Some("grace.ho"));
}

#[test]
fn the_config_only_standard_change_is_allowed_once_a_change_manager_accepts_the_unknown_blast_radius() {
    let ex = examples();
    let a = ex.assess(&change("change-config-only.json"));
    assert_eq!(a.outcome, Outcome::Allow, "{a}");
    assert_eq!(a.risk.level, RiskLevel::Low);
    assert_eq!(counted(&a), set(&["blast-radius-known"]));
    assert_eq!(by_enforcement(&a, Enforcement::Soft), set(&["blast-radius-known"]));
    let v = a.violations.iter().find(|v| &*v.rule == "blast-radius-known").unwrap();
    assert_eq!(v.overridden_by.as_deref(), Some("grace.kim"));
    assert_eq!(a.blast_radius.unknown, ["ab-testing"]);
    assert_eq!(factors(&a), set(&["config-change", "incomplete-blast-radius"]));
    // Without the change manager's approval, it waits for one.
    let mut c = change("change-config-only.json");
    c.approvals.retain(|a| a.role != "change-manager");
    let a = ex.assess(&c);
    assert_eq!(a.outcome, Outcome::NeedsApproval, "{a}");
}

#[test]
fn assessments_are_deterministic() {
    let ex = examples();
    let again = Policy::from_toml(WELL_ARCHITECTED_TOML).unwrap();
    for name in [
        "change-canary-safe.json",
        "change-friday-all-at-once.json",
        "change-emergency-hotfix.json",
        "change-irreversible-migration.json",
        "change-config-only.json",
    ] {
        let c = change(name);
        let first = serde_json::to_string(&ex.assess(&c)).unwrap();
        let second = serde_json::to_string(&ex.assess(&c)).unwrap();
        let third = serde_json::to_string(&again.assess(&c, &ex.topology, &ex.context)).unwrap();
        assert_eq!(first, second, "{name}");
        assert_eq!(first, third, "{name}");
    }
}

#[test]
fn the_author_respelt_cannot_approve_the_emergency_hotfix() {
    let ex = examples();
    let text = example("change-emergency-hotfix.json");
    // The honest author's approval as SRE lead does not count: still needs approval.
    for by in [
        "aisha.rahman",
        "aisha.rahman\\u200b",
        "aisha\\u200d.rahman",
        "\\ufeffaisha.rahman",
        "ai\\u00adsha.rahman",
        "ａｉｓｈａ．ｒａｈｍａｎ",
        "\\u0430isha.rahman",
        " Aisha.Rahman\\t",
    ] {
        let approval = format!(r#"{{ "by": "{by}", "role": "sre-lead" }}, {{ "by": "li.wei""#);
        let json = text.replacen(r#"{ "by": "li.wei""#, &approval, 1);
        assert_ne!(json, text);
        let c = Change::from_json(&json).unwrap_or_else(|e| panic!("{by}: {e}"));
        assert_eq!(c.approvals.len(), 2);
        let a = ex.assess(&c);
        assert_eq!(a.outcome, Outcome::NeedsApproval, "{by}: {a}");
        assert!(c.approvers().iter().all(|p| p != "aisha.rahman"), "{by}: {:?}", c.approvers());
    }
    // Someone else's approval in the same role does count.
    let json = text.replacen(
        r#"{ "by": "li.wei""#,
        r#"{ "by": "ben.okafor", "role": "sre-lead" }, { "by": "li.wei""#,
        1,
    );
    let a = ex.assess(&Change::from_json(&json).unwrap());
    assert_eq!(a.outcome, Outcome::Allow, "{a}");
}

/// The rules that decide (hard and soft), apart from the advisory ones.
fn deciding(a: &Assessment) -> BTreeSet<&str> {
    let mut out = by_enforcement(a, Enforcement::Hard);
    out.extend(by_enforcement(a, Enforcement::Soft));
    out
}

#[test]
fn respelt_and_unknown_environments_get_the_controls_of_production() {
    let ex = examples();
    let honest = ex.assess(&change("change-friday-all-at-once.json"));
    assert_eq!(honest.outcome, Outcome::Deny);
    for (spelling, known) in [
        ("Production", true),
        ("PRODUCTION", true),
        ("production ", true),
        ("production\u{200b}", true),
        ("ｐｒｏｄ", true),
        ("prod", true),
        ("staging-eu-weird", false),
    ] {
        let mut c = change("change-friday-all-at-once.json");
        c.environment = spelling.into();
        let a = ex.assess(&c);
        assert_eq!(a.outcome, honest.outcome, "{spelling:?}: {a}");
        assert_eq!(a.risk.score, honest.risk.score, "{spelling:?}");
        assert_eq!(factors(&a), factors(&honest), "{spelling:?}");
        assert_eq!(deciding(&a), deciding(&honest), "{spelling:?}");
        let unknown = a.violations.iter().find(|v| &*v.rule == "unknown-environment");
        assert_eq!(unknown.is_none(), known, "{spelling:?}");
        if let Some(v) = unknown {
            assert_eq!(v.enforcement, Enforcement::Advisory);
            assert!(v.message.contains("treated as the strictest, production"), "{}", v.message);
        }
    }
    // A declared non-production environment, respelt, is still that environment.
    let mut c = change("change-friday-all-at-once.json");
    c.environment = " Staging\u{feff}".into();
    let a = ex.assess(&c);
    assert_eq!((a.outcome, a.risk.score), (Outcome::Allow, 0), "{a}");
    assert!(deciding(&a).is_empty(), "{a}");
    assert!(a.violations.iter().all(|v| &*v.rule != "unknown-environment"), "{a}");
}

fn freeze_context(environments: &str) -> Context {
    Context::from_json(&format!(
        r#"{{ "now": "2026-12-04T12:00:00Z",
             "freezes": [{{ "name": "december", "start": "2026-12-01T00:00:00Z",
                            "end": "2026-12-10T00:00:00Z", "environments": {environments} }}] }}"#
    ))
    .unwrap()
}

#[test]
fn freezes_name_environments_by_canonical_form_and_alias() {
    let ex = examples();
    let frozen = |freeze_envs: &str, change_env: &str| {
        let mut c = change("change-friday-all-at-once.json");
        c.environment = change_env.into();
        let a = policy().assess(&c, &ex.topology, &freeze_context(freeze_envs));
        a.violations.iter().any(|v| &*v.rule == "change-freeze")
    };
    assert!(frozen(r#"["Production"]"#, "production"));
    assert!(frozen(r#"["PRODUCTION\u200b "]"#, "production"));
    assert!(frozen(r#"["production"]"#, "Prod"));
    assert!(frozen(r#"["prod"]"#, "live"));
    // An unknown environment is the strictest one, for freezes too.
    assert!(frozen(r#"["production"]"#, "staging-eu-weird"));
    assert!(frozen(r#"["staging-eu-weird"]"#, "staging-eu-weird"));
    assert!(!frozen(r#"["staging"]"#, "production"));
    assert!(!frozen(r#"["production"]"#, "Stage"));
}

#[test]
fn respelt_service_names_are_the_topology_services() {
    let ex = examples();
    for name in [
        "change-friday-all-at-once.json",
        "change-canary-safe.json",
        "change-emergency-hotfix.json",
        "change-irreversible-migration.json",
    ] {
        let honest = ex.assess(&change(name));
        for respell in [
            |s: &str| {
                let mut c = s.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
            },
            |s: &str| format!("{s} "),
            |s: &str| format!("{s}\u{200b}"),
            |s: &str| s.to_uppercase(),
        ] {
            let mut c = change(name);
            for s in &mut c.services {
                s.name = respell(&s.name);
            }
            let a = ex.assess(&c);
            let what = format!("{name} with {:?}", c.services.iter().map(|s| &s.name).collect::<Vec<_>>());
            assert_eq!(a.outcome, honest.outcome, "{what}: {a}");
            assert_eq!(a.risk.score, honest.risk.score, "{what}");
            assert_eq!(factors(&a), factors(&honest), "{what}");
            assert_eq!(counted(&a), counted(&honest), "{what}");
            assert_eq!(a.blast_radius.impacted, honest.blast_radius.impacted, "{what}");
            assert!(a.blast_radius.unknown.is_empty(), "{what}");
        }
    }
}

/// The most permissive outcome first: `a` is no more permissive than `b`.
fn no_more_permissive(a: Outcome, b: Outcome) -> bool {
    let rank = |o: Outcome| match o {
        Outcome::Allow => 0,
        Outcome::NeedsApproval => 1,
        Outcome::Deny => 2,
    };
    rank(a) >= rank(b)
}

#[test]
fn an_unknown_blast_radius_never_relaxes_a_production_change() {
    let ex = examples();
    let none = Topology::default();
    for name in [
        "change-friday-all-at-once.json",
        "change-canary-safe.json",
        "change-emergency-hotfix.json",
        "change-irreversible-migration.json",
        "change-config-only.json",
    ] {
        let honest = ex.assess(&change(name));
        // A service spelt so that no canonical form finds it, or no topology at all.
        let mut renamed = change(name);
        for s in &mut renamed.services {
            s.name = format!("{}-x", s.name);
        }
        for (what, c, topology) in
            [("renamed", &renamed, &ex.topology), ("without topology", &change(name), &none)]
        {
            let mut c = c.clone();
            // Without the approval that accepts an unknown blast radius.
            c.approvals.retain(|a| a.role != "change-manager" && a.role != "sre-lead");
            let a = policy().assess(&c, topology, &ex.context);
            assert!(no_more_permissive(a.outcome, honest.outcome), "{name} {what}: {a}");
            assert_ne!(a.outcome, Outcome::Allow, "{name} {what}: {a}");
            let v = a.violations.iter().find(|v| &*v.rule == "blast-radius-known").unwrap();
            assert!(v.message.starts_with("The blast radius is unknown: "), "{}", v.message);
            if what == "without topology" {
                assert!(v.message.contains("no topology was given"), "{}", v.message);
            } else {
                assert!(v.message.contains("not in the topology"), "{}", v.message);
            }
        }
    }
    // On an unknown environment too; not on a declared non-production one.
    let mut c = change("change-canary-safe.json");
    c.environment = "prod-eu-new".into();
    c.approvals.retain(|a| a.role != "change-manager" && a.role != "sre-lead");
    assert_eq!(policy().assess(&c, &none, &ex.context).outcome, Outcome::NeedsApproval);
    c.environment = "dev".into();
    assert_eq!(policy().assess(&c, &none, &ex.context).outcome, Outcome::Allow);
}
