//! Properties of the engine over generated inputs (`changeguard::testing`): determinism, no
//! panics, self-approval is powerless, hard violations deny, more risk never lowers the score,
//! removing a soft violation's cause never tightens the outcome, fail-open is never stricter
//! than fail-closed, an evaluation error in any condition never relaxes the outcome, and the
//! generators reach every outcome of the built-in policy.
#![cfg(feature = "proptest")]
#![allow(
    clippy::format_push_string,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use changeguard::input::Approval;
use changeguard::policy::Enforcement;
use changeguard::testing::{arb_change, arb_context, arb_topology};
use changeguard::{Outcome, Policy};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

fn strictness(o: Outcome) -> u8 {
    match o {
        Outcome::Allow => 0,
        Outcome::NeedsApproval => 1,
        Outcome::Deny => 2,
    }
}

/// A respelling that a reader takes for the same name: letters upper-cased by a bit mask,
/// fullwidth letters, an invisible character inserted, surrounding whitespace.
#[derive(Debug, Clone)]
struct Respelling {
    upper: u64,
    fullwidth: bool,
    invisible: Option<(usize, usize)>,
    spaces: (bool, bool),
}

fn respelling() -> impl Strategy<Value = Respelling> {
    (
        any::<u64>(),
        any::<bool>(),
        proptest::option::of((0usize..64, 0usize..5)),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(|(upper, fullwidth, invisible, spaces)| Respelling {
            upper,
            fullwidth,
            invisible,
            spaces,
        })
}

impl Respelling {
    fn apply(&self, name: &str) -> String {
        const INVISIBLE: [char; 5] = ['\u{200b}', '\u{200d}', '\u{feff}', '\u{ad}', '\u{2060}'];
        let mut out: Vec<char> = name
            .chars()
            .enumerate()
            .map(|(i, c)| if self.upper >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
            .map(|c| match c {
                '!'..='~' if self.fullwidth => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect();
        if let Some((at, which)) = self.invisible {
            out.insert(at % (out.len() + 1), INVISIBLE[which % INVISIBLE.len()]);
        }
        let mut text: String = out.into_iter().collect();
        if self.spaces.0 {
            text.insert(0, ' ');
        }
        if self.spaces.1 {
            text.push(' ');
        }
        text
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// A policy whose rules can fail to evaluate (absent optional objects, missing keys), with
/// each enforcement level, a dry-run rule and risk factors.
fn erring_policy(on_error: &str) -> Policy {
    Policy::from_toml(&format!(
        r#"
[policy]
name = "erring"
version = "1.0.0"

[[risk]]
id = "big"
when = 'change.size.files > 20'
points = 40

[[risk]]
id = "all-at-once"
when = 'change.strategy.type == "all_at_once"'
points = 30

[[rule]]
id = "rollback-tested"
enforcement = "soft"
require = 'change.rollback.tested'

[[rule]]
id = "ticket"
enforcement = "hard"
when = 'change.environment == "production"'
require = 'change.labels["ticket"] != ""'

[[rule]]
id = "reviewed"
enforcement = "soft"
override_roles = ["sre-lead"]
require = 'change.approvers().size() >= 1'

[[rule]]
id = "shadow"
enforcement = "hard"
dry_run = true
require = 'change.services.size() == 1'

[decision]
approval_at = "high"
deny_at = "critical"
on_error = "{on_error}"
"#
    ))
    .unwrap()
}

/// Soft rules of [`soft_policy`]: (id, require).
const SOFT: [(&str, &str); 4] = [
    ("rollback", "has(change.rollback) && change.rollback.tested"),
    ("staged", r#"change.tested_in.exists(e, e == "staging")"#),
    ("checks", r#"change.checks.all(name, status, status == "passed")"#),
    ("reviewed", "change.approvers().size() >= 2"),
];

/// A policy of soft rules, a hard rule and risk factors; with `relaxed`, that soft rule's
/// condition is `true`.
fn soft_policy(relaxed: Option<usize>) -> Policy {
    let mut text = String::from(
        "[policy]\nname = \"soft\"\nversion = \"1.0.0\"\n\
         [[risk]]\nid = \"major\"\nwhen = 'change.services.exists(s, s.bump == \"major\")'\npoints = 60\n\
         [[rule]]\nid = \"freeze\"\nenforcement = \"hard\"\nrequire = 'active_freezes.size() == 0'\n",
    );
    for (i, (id, require)) in SOFT.iter().enumerate() {
        let require = if relaxed == Some(i) { "true" } else { require };
        text.push_str(&format!(
            "[[rule]]\nid = \"{id}\"\nenforcement = \"soft\"\noverride_roles = [\"sre-lead\"]\nrequire = '{require}'\n"
        ));
    }
    text.push_str("[decision]\napproval_at = \"medium\"\napproval_roles = [\"change-manager\"]\n");
    Policy::from_toml(&text).unwrap()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn assessments_are_deterministic(change in arb_change(), topology in arb_topology(), context in arb_context()) {
        let policy = Policy::well_architected();
        let a = policy.assess(&change, &topology, &context).to_json_pretty();
        let b = policy.assess(&change, &topology, &context).to_json_pretty();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn assessing_never_panics_and_hard_violations_deny(
        change in arb_change(), topology in arb_topology(), context in arb_context()
    ) {
        for policy in [Policy::well_architected(), erring_policy("fail_closed"), erring_policy("fail_open")] {
            let a = policy.assess(&change, &topology, &context);
            let hard = a.violations.iter().any(|v| !v.dry_run && v.enforcement == Enforcement::Hard);
            if hard {
                prop_assert_eq!(a.outcome, Outcome::Deny, "{}", a);
            }
            // Outcome and reasons agree.
            prop_assert!(!a.reasons.is_empty());
        }
    }

    #[test]
    fn an_approval_by_the_author_changes_nothing(
        change in arb_change(), topology in arb_topology(), context in arb_context(),
        spelling in 0usize..3, role in prop::sample::select(changeguard::testing::ROLES),
    ) {
        let policy = Policy::well_architected();
        let before = policy.assess(&change, &topology, &context);
        let mut with_self = change.clone();
        let by = match spelling {
            0 => change.author.to_string(),
            1 => change.author.to_uppercase(),
            _ => format!("  {}  ", change.author),
        };
        with_self.approvals.push(Approval { by: by.into(), role: role.to_owned(), at: None });
        let after = policy.assess(&with_self, &topology, &context);
        prop_assert_eq!(before.outcome, after.outcome);
        prop_assert_eq!(before.risk.score, after.risk.score);
        prop_assert_eq!(before.required_approvals, after.required_approvals);
        for p in [erring_policy("fail_closed"), erring_policy("fail_open")] {
            prop_assert_eq!(
                p.assess(&change, &topology, &context).outcome,
                p.assess(&with_self, &topology, &context).outcome
            );
        }
    }

    #[test]
    fn a_positive_factor_never_lowers_the_score(
        change in arb_change(), topology in arb_topology(), context in arb_context(), points in 1i64..60,
    ) {
        let base = Policy::well_architected();
        let extra = Policy::from_toml(&format!(
            "{}\n[[risk]]\nid = \"extra\"\nwhen = 'change.services.size() > 0'\npoints = {points}\n",
            changeguard::policy::WELL_ARCHITECTED_TOML
        )).unwrap();
        let a = base.assess(&change, &topology, &context);
        let b = extra.assess(&change, &topology, &context);
        prop_assert!(b.risk.score >= a.risk.score);
        prop_assert!(strictness(b.outcome) >= strictness(a.outcome));
    }

    #[test]
    fn removing_a_soft_violations_cause_never_tightens(
        change in arb_change(), topology in arb_topology(), context in arb_context(), which in 0usize..SOFT.len(),
    ) {
        // The same policy with one soft rule made unbreakable: the outcome can only relax.
        let a = soft_policy(None).assess(&change, &topology, &context);
        let b = soft_policy(Some(which)).assess(&change, &topology, &context);
        prop_assert!(strictness(b.outcome) <= strictness(a.outcome), "{} then {}", a.outcome, b.outcome);
    }

    #[test]
    fn fail_open_is_never_stricter_than_fail_closed(
        change in arb_change(), topology in arb_topology(), context in arb_context(),
    ) {
        let closed = erring_policy("fail_closed").assess(&change, &topology, &context);
        let open = erring_policy("fail_open").assess(&change, &topology, &context);
        prop_assert!(strictness(open.outcome) <= strictness(closed.outcome));
        prop_assert!(open.risk.score <= closed.risk.score);
        prop_assert_eq!(open.errors, closed.errors);
    }

    #[test]
    fn respelling_environments_and_services_never_relaxes(
        change in arb_change(), topology in arb_topology(), context in arb_context(),
        env in respelling(), services in respelling(),
    ) {
        let policy = Policy::well_architected();
        let honest = policy.assess(&change, &topology, &context);
        let mut respelt = change.clone();
        respelt.environment = env.apply(&change.environment);
        for s in &mut respelt.services {
            s.name = services.apply(&s.name);
        }
        let a = policy.assess(&respelt, &topology, &context);
        prop_assert!(
            strictness(a.outcome) >= strictness(honest.outcome),
            "{:?} / {:?}: {} then {}", respelt.environment, respelt.services.iter().map(|s| &s.name).collect::<Vec<_>>(),
            honest.outcome, a.outcome
        );
        prop_assert_eq!(a.risk.score, honest.risk.score);
    }

    #[test]
    fn documents_round_trip_through_json(change in arb_change(), topology in arb_topology(), context in arb_context()) {
        let c: changeguard::Change = serde_json::from_str(&serde_json::to_string(&change).unwrap()).unwrap();
        prop_assert_eq!(c, change);
        let x: changeguard::Context = serde_json::from_str(&serde_json::to_string(&context).unwrap()).unwrap();
        prop_assert_eq!(x, context);
        let t: changeguard::Topology = serde_json::from_str(&serde_json::to_string(&topology).unwrap()).unwrap();
        prop_assert_eq!(t, topology);
    }
}

#[test]
fn generated_changes_reach_every_outcome_of_the_built_in_policy() {
    let policy = Policy::well_architected();
    let mut runner = TestRunner::new(Config { cases: 2000, ..Config::default() });
    let mut seen = [0usize; 3];
    let strategy = (arb_change(), arb_topology(), arb_context());
    for _ in 0..2000 {
        let (change, topology, context) = strategy.new_tree(&mut runner).unwrap().current();
        seen[usize::from(strictness(policy.assess(&change, &topology, &context).outcome))] += 1;
    }
    eprintln!("allow / needs approval / deny: {seen:?}");
    assert!(seen.iter().all(|&n| n > 0), "allow / needs approval / deny: {seen:?}");
}

/// A boolean expression that type-checks but fails at run time on every change: the generators
/// never produce this label, and reading a missing map key is an evaluation error. It reads the
/// change, so constant folding cannot turn it into a load error.
const FAILS: &str = r#"change.labels["no such label: an injected error"] == "x""#;

/// `expr` made to fail whenever it is evaluated, with its own type: a conditional whose
/// condition fails has the type of its branches and evaluates to the condition's error.
fn failing(expr: &str) -> String {
    format!("(({FAILS}) ? ({expr}) : ({expr}))")
}

/// The policy text `base` once per condition (each `let`, each rule's `when` and `require`,
/// each risk factor's `when` and `points`; a missing `when` counts as `true`), that condition
/// replaced by a failing expression of its type, and once per text (a rule's `message` and
/// `remediation`, a factor's `reason`), that text replaced by a template that fails; each with
/// a label naming what fails.
fn with_each_condition_failing(base: &str) -> Vec<(String, Policy)> {
    let table: toml::Table = toml::from_str(base).unwrap();
    let mut variants: Vec<(String, toml::Table)> = Vec::new();
    if let Some(lets) = table.get("let").and_then(toml::Value::as_table) {
        for (name, expr) in lets {
            let mut t = table.clone();
            let failed = failing(expr.as_str().unwrap());
            t["let"].as_table_mut().unwrap().insert(name.clone(), failed.into());
            variants.push((format!("let {name}"), t));
        }
    }
    for (section, fields) in [("rule", ["when", "require"]), ("risk", ["when", "points"])] {
        let count = table.get(section).and_then(toml::Value::as_array).map_or(0, Vec::len);
        for i in 0..count {
            for field in fields {
                let item = &table[section][i];
                // A missing `when` is `true`: it fails as the bare failing condition.
                let expr = match item.get(field) {
                    Some(toml::Value::String(s)) => s.clone(),
                    Some(toml::Value::Integer(n)) => n.to_string(),
                    None if field == "when" => "true".to_owned(),
                    other => panic!("{section} {field}: {other:?}"),
                };
                let mut t = table.clone();
                t[section][i].as_table_mut().unwrap().insert(field.to_owned(), failing(&expr).into());
                variants.push((format!("{section} `{}` {field}", item["id"].as_str().unwrap()), t));
            }
            // Texts: a template whose interpolation fails.
            for field in ["message", "remediation", "reason"] {
                let item = &table[section][i];
                if item.get(field).is_none() {
                    continue;
                }
                let mut t = table.clone();
                let text = format!("fails: {{{{ {FAILS} }}}}");
                t[section][i].as_table_mut().unwrap().insert(field.to_owned(), text.into());
                variants.push((format!("{section} `{}` {field}", item["id"].as_str().unwrap()), t));
            }
        }
    }
    variants
        .into_iter()
        .map(|(label, t)| {
            let text = toml::to_string(&t).unwrap();
            let policy = Policy::from_toml(&text).unwrap_or_else(|d| panic!("{label}: {d:?}"));
            (label, policy)
        })
        .collect()
}

/// A small fail-closed policy whose outcome turns on its score: a factor with negative points,
/// points given by an expression, `let`s used by factors and rules, a rule that reads the score.
const SCORING_POLICY: &str = r#"
[policy]
name = "scoring"
version = "1.0.0"

[let]
prod = 'change.environment == "production"'
progressive = 'change.strategy.first_step <= 10'

[[risk]]
id = "production"
when = 'prod'
points = 30

[[risk]]
id = "progressive"
when = 'progressive'
points = -20

[[risk]]
id = "files"
when = 'has(change.size)'
points = 'change.size.files > 10 ? 20 : 0'

[[rule]]
id = "reviewed"
enforcement = "soft"
when = 'prod && risk.score >= 10'
require = 'change.approvers().size() >= 1'

[risk_levels]
medium = 20
high = 40
critical = 60

[decision]
approval_at = "medium"
deny_at = "high"
"#;

/// A policy and its variants, each with one condition failing.
type Variants = (Policy, Vec<(String, Policy)>);

/// The fail-closed policies under test, each with its variants: the built-in policy, the
/// Northwind fixture policy and [`SCORING_POLICY`] (both with a factor with negative points).
fn failing_variants() -> &'static [Variants] {
    static VARIANTS: std::sync::OnceLock<Vec<Variants>> = std::sync::OnceLock::new();
    VARIANTS.get_or_init(|| {
        let northwind = include_str!("data/northwind.toml");
        [changeguard::policy::WELL_ARCHITECTED_TOML, northwind, SCORING_POLICY]
            .into_iter()
            .map(|text| {
                let policy = Policy::from_toml(text).unwrap();
                assert_eq!(policy.decision().on_error, changeguard::policy::OnError::FailClosed);
                (policy, with_each_condition_failing(text))
            })
            .collect()
    })
}

#[test]
fn injected_failures_are_evaluation_errors_of_their_item() {
    // The injection works: on a change where every rule and factor is evaluated, each failing
    // `when` is reported as an error of its own item.
    let change =
        changeguard::Change::from_json(include_str!("../examples/change-friday-all-at-once.json")).unwrap();
    let context = changeguard::Context::new(changeguard::cel::Timestamp::UNIX_EPOCH);
    let topology = changeguard::Topology::default();
    let mut checked = 0;
    for (_, variants) in failing_variants() {
        for (label, policy) in variants.iter().filter(|(l, _)| l.ends_with(" when")) {
            let a = policy.assess(&change, &topology, &context);
            let id = label.split('`').nth(1).unwrap();
            assert!(a.errors.iter().any(|e| e.rule == id && e.field == "when"), "{label}: {:?}", a.errors);
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked}");
}

proptest! {
    // Each case assesses about 300 policy variants.
    #![proptest_config(config(48))]

    #[test]
    fn an_evaluation_error_never_relaxes(change in arb_change(), topology in arb_topology(), context in arb_context()) {
        for (policy, variants) in failing_variants() {
            let honest = policy.assess(&change, &topology, &context).outcome;
            for (label, failing) in variants {
                let outcome = failing.assess(&change, &topology, &context).outcome;
                prop_assert!(
                    strictness(outcome) >= strictness(honest),
                    "{label} failing: {honest} became {outcome}"
                );
            }
        }
    }
}
