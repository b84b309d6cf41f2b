#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! The policy environment (SPEC §4.4) as policies see it through `Policy::assess`: `change`
//! and its computed parts, `context`, `active_freezes`, `params`, `let`, `blast` (§5.4 over a
//! realistic topology), attributes and absent optional objects.

mod common;

use changeguard::policy::Assessment;
use changeguard::{Change, Context, Outcome, Policy, Topology};
use serde_json::{Value, json};

const NOW: &str = "2026-03-02T10:00:00Z";

fn data(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn topology() -> Topology {
    Topology::from_json(&data("topology.json")).unwrap()
}

/// A production change by `ann` to `api`, with `extra` members merged in.
fn change(extra: &Value) -> Change {
    common::production_change("CHG-7", extra)
}

fn context(extra: &Value) -> Context {
    Context::from_json(&common::merged(json!({ "now": NOW }), extra).to_string()).unwrap()
}

/// A policy whose one hard rule requires `expr`, after `preamble` (params, lets, settings).
fn probe_policy(preamble: &str, expr: &str) -> Policy {
    let text = format!(
        "[policy]\nname = \"probe\"\nversion = \"1.0.0\"\n{preamble}\n[[rule]]\nid = \"probe\"\nenforcement = \"hard\"\nrequire = '''{expr}'''\n"
    );
    Policy::from_toml(&text).unwrap_or_else(|d| panic!("{}", d.render(Some("probe.toml"), &text)))
}

/// Whether `expr` holds for the change, or the evaluation error.
fn holds_with(preamble: &str, expr: &str, c: &Change, ctx: &Context, t: &Topology) -> Result<bool, String> {
    let a = probe_policy(preamble, expr).assess(c, t, ctx);
    if let Some(e) = a.errors.first() {
        return Err(e.message.clone());
    }
    Ok(a.violations.is_empty())
}

fn holds(expr: &str, c: &Change, ctx: &Context) -> Result<bool, String> {
    holds_with("", expr, c, ctx, &Topology::default())
}

#[track_caller]
fn assert_holds(expr: &str, c: &Change, ctx: &Context) {
    assert_eq!(holds(expr, c, ctx), Ok(true), "{expr}");
}

#[track_caller]
fn assert_errors(expr: &str, c: &Change, ctx: &Context, needle: &str) {
    match holds(expr, c, ctx) {
        Err(m) => assert!(m.contains(needle), "{expr}: error `{m}` does not mention `{needle}`"),
        Ok(b) => panic!("{expr}: expected an evaluation error, got {b}"),
    }
}

// ------------------------------------------------------------------------------------------
// change.approvers()

fn approved_by(author: &str, list: &[(&str, &str)]) -> Change {
    let mut c = change(&json!({
        "approvals": list.iter().map(|(by, role)| json!({ "by": by, "role": role })).collect::<Vec<_>>()
    }));
    c.author = author.into();
    c
}

#[test]
fn approvers_are_distinct_sorted_normalized_and_exclude_the_author() {
    let c = approved_by(
        "ann",
        &[
            (" Zoe ", "dev"),
            ("bob", "dev"),
            ("Bob", "sre-lead"),
            (" ANN ", "sre-lead"),
            ("cy", "dev"),
            ("ann", "dev"),
        ],
    );
    let ctx = context(&json!({}));
    assert_holds(r#"change.approvers() == ["bob", "cy", "zoe"]"#, &c, &ctx);
    assert_holds("change.approvers().size() == 3", &c, &ctx);
    assert_holds(r#"!("ann" in change.approvers())"#, &c, &ctx);
    // The raw approvals are all there.
    assert_holds("change.approvals.size() == 6", &c, &ctx);
}

#[test]
fn an_author_written_with_spaces_and_capitals_is_still_the_author() {
    let c = approved_by(" Ann ", &[("ann", "dev"), ("ANN", "sre-lead"), ("bob", "dev")]);
    assert_holds(r#"change.approvers() == ["bob"]"#, &c, &context(&json!({})));
}

#[test]
fn only_self_approvals_leave_no_approvers() {
    let c = approved_by("ann", &[("ann", "sre-lead"), (" Ann", "dev")]);
    let ctx = context(&json!({}));
    assert_holds("change.approvers().size() == 0", &c, &ctx);
    assert_holds(r#"change.approvers("sre-lead") == []"#, &c, &ctx);
}

#[test]
fn approvers_with_a_role_keep_those_who_approved_in_it() {
    let c = approved_by(
        "ann",
        &[("Dan", "sre-lead"), ("bob", "dev"), ("cy", "sre-lead"), ("ann", "sre-lead"), ("dan", "dev")],
    );
    let ctx = context(&json!({}));
    assert_holds(r#"change.approvers("sre-lead") == ["cy", "dan"]"#, &c, &ctx);
    assert_holds(r#"change.approvers("dev") == ["bob", "dan"]"#, &c, &ctx);
    assert_holds(r#"change.approvers("director") == []"#, &c, &ctx);
}

// ------------------------------------------------------------------------------------------
// change: defaults and computed fields

#[test]
fn change_defaults_and_computed_fields_are_visible() {
    let c = change(&json!({}));
    let ctx = context(&json!({}));
    for expr in [
        r#"change.id == "CHG-7" && change.title == "" && change.category == "normal""#,
        r#"change.environment == "production" && change.author == "ann""#,
        r#"change.strategy.type == "all_at_once" && change.strategy.steps == [100]"#,
        "change.strategy.first_step == 100 && change.strategy.bake_minutes == 0 && !change.strategy.in_place",
        r#"change.services[0].kinds == ["code"] && change.services[0].bump == "unknown""#,
        "change.approvals == [] && change.checks == {} && change.tested_in == [] && change.regions == []",
        "change.labels == {} && change.attributes == {}",
        r#"change.when == timestamp("2026-03-02T10:00:00Z") && change.when == context.now"#,
        "!has(change.size) && !has(change.rollback) && !has(change.migration) && !has(change.scheduled_at)",
        "!has(change.services[0].from) && !has(change.services[0].to)",
    ] {
        assert_holds(expr, &c, &ctx);
    }
}

#[test]
fn strategy_defaults_depend_on_the_type() {
    let ctx = context(&json!({}));
    for (ty, steps) in [
        ("rolling", "[25, 50, 75, 100]"),
        ("canary", "[10, 100]"),
        ("linear", "[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]"),
        ("blue_green", "[100]"),
        ("one_box", "[1, 100]"),
        ("feature_flag", "[1, 100]"),
    ] {
        let c = change(&json!({ "strategy": { "type": ty } }));
        assert_holds(&format!("change.strategy.steps == {steps}"), &c, &ctx);
        assert_holds(&format!("change.strategy.first_step == {steps}[0]"), &c, &ctx);
    }
    let c = change(
        &json!({ "strategy": { "type": "canary", "steps": [2, 30, 100], "bake_minutes": 15, "in_place": true } }),
    );
    assert_holds("change.strategy.steps == [2, 30, 100] && change.strategy.first_step == 2", &c, &ctx);
    assert_holds("change.strategy.bake_minutes == 15 && change.strategy.in_place", &c, &ctx);
}

#[test]
fn version_bumps_are_computed() {
    let ctx = context(&json!({}));
    let c = change(&json!({ "services": [
        { "name": "a", "from": "1.2.3", "to": "2.0.0" },
        { "name": "b", "from": "v1.2.3", "to": "1.3.0" },
        { "name": "c", "from": "1.2.3", "to": "1.2.4" },
        { "name": "d", "from": "1.2.3", "to": "1.2.3" },
        { "name": "e", "from": "1.2.3", "to": "1.2.2" },
        { "name": "f", "to": "1.0.0", "kinds": ["schema", "config"] }
    ] }));
    assert_holds(
        r#"change.services.map(s, s.bump) == ["major", "minor", "patch", "none", "downgrade", "unknown"]"#,
        &c,
        &ctx,
    );
    assert_holds(r#"change.services[1].from == "1.2.3" && change.services[5].to == "1.0.0""#, &c, &ctx);
    assert_holds(r#"change.services[5].kinds == ["schema", "config"]"#, &c, &ctx);
    assert_holds(r#"change.services.exists(s, s.to.startsWith("2."))"#, &c, &ctx);
}

#[test]
fn when_is_the_scheduled_time_when_given() {
    let c = change(&json!({ "scheduled_at": "2026-03-06T16:30:00Z" }));
    let ctx = context(&json!({}));
    assert_holds(
        r#"change.when == timestamp("2026-03-06T16:30:00Z") && change.when != context.now"#,
        &c,
        &ctx,
    );
    assert_holds("has(change.scheduled_at) && change.when.getDayOfWeek() == 5", &c, &ctx);
    assert_holds(r#"change.when.getHours("Europe/Paris") == 17"#, &c, &ctx);
}

#[test]
fn optional_objects_are_absent_and_their_fields_are_runtime_errors() {
    let c = change(&json!({}));
    let ctx = context(&json!({}));
    assert_errors("change.size.files > 10", &c, &ctx, "size");
    assert_errors("change.rollback.plan", &c, &ctx, "rollback");
    assert_errors("change.migration.reversible", &c, &ctx, "migration");
    assert_holds("!has(change.rollback) || change.rollback.plan", &c, &ctx);

    let c = change(&json!({
        "size": { "files": 12, "lines_added": 300, "lines_removed": 50 },
        "rollback": { "plan": true, "tested": false, "automated": true },
        "migration": { "reversible": false, "backward_compatible": true }
    }));
    assert_holds("has(change.size) && change.size.files == 12 && change.size.lines_added == 300", &c, &ctx);
    assert_holds("change.size.lines_removed == 50", &c, &ctx);
    assert_holds("change.rollback.plan && !change.rollback.tested && change.rollback.automated", &c, &ctx);
    assert_holds("!has(change.rollback.minutes)", &c, &ctx);
    assert_holds("!change.migration.reversible && change.migration.backward_compatible", &c, &ctx);
}

#[test]
fn maps_and_lists_of_the_change_are_typed() {
    let c = change(&json!({
        "checks": { "unit": "passed", "e2e": "pending" },
        "labels": { "ticket": "PAY-1" },
        "tested_in": ["staging", "qa"],
        "regions": ["eu-west-1"],
        "approvals": [{ "by": "bob", "role": "dev", "at": "2026-03-01T09:00:00Z" }]
    }));
    let ctx = context(&json!({}));
    assert_holds(r#"change.checks["unit"] == "passed" && change.checks.e2e == "pending""#, &c, &ctx);
    assert_holds(r#"change.labels.ticket.startsWith("PAY-") && "staging" in change.tested_in"#, &c, &ctx);
    assert_holds(r#"change.approvals[0].at < context.now && change.approvals[0].role == "dev""#, &c, &ctx);
    assert_errors(r#"change.labels["owner"] == "x""#, &c, &ctx, "owner");
    assert_errors(r#"change.checks["lint"] == "passed""#, &c, &ctx, "lint");
}

#[test]
fn attributes_are_dynamic() {
    let c = change(
        &json!({ "attributes": { "pci_scope": true, "owner": { "team": "payments", "size": 4 }, "tags": ["a", "b"] } }),
    );
    let ctx = context(&json!({ "attributes": { "on_call": { "payments": "li.wei" }, "ratio": 0.5 } }));
    assert_holds(r#"change.attributes.pci_scope && change.attributes.owner.team == "payments""#, &c, &ctx);
    assert_holds("change.attributes.owner.size == 4 && change.attributes.tags.size() == 2", &c, &ctx);
    assert_holds(
        r#"context.attributes.on_call.payments == "li.wei" && context.attributes.ratio == 0.5"#,
        &c,
        &ctx,
    );
    assert_holds("!has(change.attributes.missing) && has(change.attributes.owner)", &c, &ctx);
    assert_errors("change.attributes.missing == 1", &c, &ctx, "missing");
}

// ------------------------------------------------------------------------------------------
// context and active_freezes

#[test]
fn context_fields_are_visible() {
    let c = change(&json!({}));
    let ctx = context(&json!({
        "error_budgets": { "api": 0.4, "cart": -0.12 },
        "incidents": [{ "id": "INC-1", "services": ["api"], "severity": "sev1" }],
        "freezes": [{ "name": "f", "start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z" }]
    }));
    assert_holds(r#"context.now == timestamp("2026-03-02T10:00:00Z")"#, &c, &ctx);
    assert_holds(r#"context.error_budgets["cart"] < 0.0 && context.error_budgets.api == 0.4"#, &c, &ctx);
    assert_holds(r#"!("search" in context.error_budgets)"#, &c, &ctx);
    assert_holds(
        r#"context.incidents.exists(i, i.severity == "sev1" && change.services.exists(s, s.name in i.services))"#,
        &c,
        &ctx,
    );
    assert_holds(r#"context.freezes[0].name == "f" && context.freezes[0].exempt == ["emergency"]"#, &c, &ctx);
    assert_holds("context.freezes[0].environments == []", &c, &ctx);
}

/// The start and end of a freeze two days long around the context's `now` (2026-03-02 10:00).
const MAR_1: &str = "2026-03-01T00:00:00Z";
const MAR_3: &str = "2026-03-03T00:00:00Z";

fn freeze(name: &str, start: &str, end: &str, extra: &Value) -> Value {
    common::merged(json!({ "name": name, "start": start, "end": end }), extra)
}

fn active(c: &Change, freezes: &[Value]) -> String {
    // Render `active_freezes` through a message template: names joined by ", ".
    let text = "[policy]\nname = \"probe\"\nversion = \"1.0.0\"\n[[rule]]\nid = \"show\"\nenforcement = \"advisory\"\nrequire = 'false'\nmessage = \"[{{ active_freezes }}]\"\n";
    let p = Policy::from_toml(text).unwrap();
    let a = p.assess(c, &Topology::default(), &context(&json!({ "freezes": freezes })));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    a.violations[0].message.clone()
}

#[test]
fn active_freezes_cover_the_change_time_and_environment() {
    let over_now = freeze("launch", MAR_1, MAR_3, &json!({}));
    let later = freeze("quarter-end", "2026-03-30T00:00:00Z", "2026-04-02T00:00:00Z", &json!({}));
    let staging_only = freeze("staging-rebuild", MAR_1, MAR_3, &json!({ "environments": ["staging"] }));
    let prod_named =
        freeze("prod-freeze", MAR_1, MAR_3, &json!({ "environments": ["staging", "production"] }));
    let all = [over_now.clone(), later.clone(), staging_only.clone(), prod_named.clone()];

    // `when` = now: inside `launch` and `prod-freeze`, in document order.
    assert_eq!(active(&change(&json!({})), &all), "[launch, prod-freeze]");
    // Scheduled inside `quarter-end` although now is inside `launch`.
    assert_eq!(active(&change(&json!({ "scheduled_at": "2026-03-31T12:00:00Z" })), &all), "[quarter-end]");
    // A staging change is held by the freezes for all environments and for staging.
    assert_eq!(
        active(&change(&json!({ "environment": "staging" })), &all),
        "[launch, staging-rebuild, prod-freeze]"
    );
    // Nothing covers a change scheduled between the freezes.
    assert_eq!(active(&change(&json!({ "scheduled_at": "2026-03-15T12:00:00Z" })), &all), "[]");
    // Environments match exactly.
    assert_eq!(active(&change(&json!({ "environment": "prod" })), &[prod_named]), "[]");
}

#[test]
fn freezes_exempt_emergencies_by_default_and_what_they_list_otherwise() {
    let default = freeze("default", MAR_1, MAR_3, &json!({}));
    let standard = freeze("standard-ok", MAR_1, MAR_3, &json!({ "exempt": ["standard"] }));
    let none = freeze("total", MAR_1, MAR_3, &json!({ "exempt": [] }));
    let all = [default, standard, none];
    assert_eq!(active(&change(&json!({ "category": "emergency" })), &all), "[standard-ok, total]");
    assert_eq!(active(&change(&json!({ "category": "standard" })), &all), "[default, total]");
    assert_eq!(active(&change(&json!({ "category": "normal" })), &all), "[default, standard-ok, total]");
}

#[test]
fn a_freeze_covers_its_start_but_not_its_end() {
    // Interpretation of "cover": start <= when < end.
    let f = freeze("f", "2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z", &json!({}));
    let active_at = |when: &str| active(&change(&json!({ "scheduled_at": when })), std::slice::from_ref(&f));
    assert_eq!(active(&change(&json!({})), std::slice::from_ref(&f)), "[f]");
    assert_eq!(active_at("2026-03-02T11:59:59Z"), "[f]");
    assert_eq!(active_at("2026-03-02T12:00:00Z"), "[]");
    // A `scheduled_at` before `now` is judged at `now`: scheduling into the past escapes
    // nothing (issue 16, time).
    assert_eq!(active_at("2026-03-02T09:59:59Z"), "[f]");
    assert_eq!(active_at("1970-01-01T00:00:00Z"), "[f]");
    let later = freeze("later", "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z", &json!({}));
    assert_eq!(active(&change(&json!({ "scheduled_at": "2025-06-01T00:00:00Z" })), &[later]), "[]");
}

#[test]
fn active_freezes_is_a_list_of_strings() {
    let c = change(&json!({}));
    let ctx = context(&json!({ "freezes": [freeze("f", MAR_1, MAR_3, &json!({}))] }));
    assert_holds(
        r#"active_freezes == ["f"] && "f" in active_freezes && active_freezes.size() == 1"#,
        &c,
        &ctx,
    );
    assert_holds(r#"active_freezes.all(f, f.startsWith("f"))"#, &c, &ctx);
}

// ------------------------------------------------------------------------------------------
// params and let

const PARAMS: &str = r#"
[params]
text = "production"
count = 3
ratio = 2.5
negative = -7
flag = true
when = 2026-01-01T00:00:00Z
list = ["staging", "production"]
numbers = [1, 2, 3]
inline = { key = "value", n = 1 }
mixed = [{ name = "a" }, { name = "b" }]

[params.nested]
limit = 40

[params.nested.deeper]
name = "deep"
"#;

#[test]
fn params_of_every_toml_type_are_available() {
    let c = change(&json!({}));
    let ctx = context(&json!({}));
    for expr in [
        r#"params.text == "production" && type(params.text) == string"#,
        "params.count == 3 && type(params.count) == int",
        "params.ratio == 2.5 && type(params.ratio) == double",
        "params.negative == -7",
        "params.flag && type(params.flag) == bool",
        r#"params.when == timestamp("2026-01-01T00:00:00Z")"#,
        r#"params.list == ["staging", "production"] && change.environment in params.list"#,
        "params.numbers.sum() == 6",
        r#"params.inline.key == "value" && params.inline.n == 1"#,
        r#"params.mixed.map(m, m.name) == ["a", "b"]"#,
        r#"params.nested.limit == 40 && params.nested.deeper.name == "deep""#,
        r#"params["text"] == "production""#,
    ] {
        assert_eq!(holds_with(PARAMS, expr, &c, &ctx, &Topology::default()), Ok(true), "{expr}");
    }
}

#[test]
fn an_unknown_param_is_a_load_error() {
    let text = "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n[params]\nlimit = 3\n[[rule]]\nid = \"r\"\nrequire = 'params.limt > 1'\n";
    let err = Policy::from_toml(text).unwrap_err();
    assert!(err.has_errors());
    let d = err.errors().next().unwrap();
    assert_eq!(d.path(), Some("rule[r].require"));
    assert!(d.message().contains("limt"), "{}", d.message());
    assert_eq!(d.help(), Some("did you mean `limit`?"));
}

const LETS: &str = r#"
[params]
production = ["production", "prod"]

[let]
is_prod = 'change.environment in params.production'
names = 'change.services.map(s, s.name)'
touches_payments = 'names.exists(n, n.startsWith("pay"))'
prod_payments = 'is_prod && touches_payments'
"#;

#[test]
fn lets_are_computed_and_reused_by_other_lets_and_rules() {
    let ctx = context(&json!({}));
    let t = Topology::default();
    let pay = change(&json!({ "services": [{ "name": "payments" }, { "name": "api" }] }));
    assert_eq!(
        holds_with(LETS, r#"prod_payments && names == ["payments", "api"]"#, &pay, &ctx, &t),
        Ok(true)
    );
    let staging = change(&json!({ "environment": "staging", "services": [{ "name": "payments" }] }));
    assert_eq!(
        holds_with(LETS, "!prod_payments && touches_payments && !is_prod", &staging, &ctx, &t),
        Ok(true)
    );
}

#[test]
fn lets_may_be_declared_after_their_users() {
    let preamble = "[let]\nboth = 'first && second'\nfirst = 'change.id == \"CHG-7\"'\nsecond = 'first'\n";
    let r = holds_with(preamble, "both", &change(&json!({})), &context(&json!({})), &Topology::default());
    assert_eq!(r, Ok(true));
}

#[test]
fn a_let_is_computed_at_most_once_per_assessment() {
    // 1 000 comprehension steps, used by 50 rules: within a 5 000-step budget only when cached.
    let costly = "[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, [0,1,2,3,4,5,6,7,8,9].all(c, change.id != \"\")))";
    let rule = |i| format!("[[rule]]\nid = \"r{i}\"\nrequire = 'costly'\n");
    let p = common::policy_of_rules(&format!("[let]\ncostly = '{costly}'\n"), 50, rule, 5_000);
    let a = p.assess(&change(&json!({})), &Topology::default(), &context(&json!({})));
    assert!(a.errors.is_empty(), "{:?}", a.errors.first());
    assert_eq!(a.outcome, Outcome::Allow);
}

#[test]
fn an_erroring_let_errors_each_user() {
    let preamble = "[let]\nfiles = 'change.size.files'\n";
    let p = probe_policy(preamble, "files < 10");
    let a = p.assess(&change(&json!({})), &Topology::default(), &context(&json!({})));
    // The rule that reads it, and the `let` itself (once), are reported.
    let errors: Vec<(&str, &str)> = a.errors.iter().map(|e| (e.rule.as_str(), e.field.as_str())).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, "probe");
    assert_eq!(errors[1], ("let.files", "let"));
    assert_eq!(a.outcome, Outcome::Deny);
}

// ------------------------------------------------------------------------------------------
// blast (§5.4) through `assess`

fn blast_of(services: &[&str], extra: &Value, blast_settings: &str) -> Assessment {
    let mut e = extra.clone();
    e["services"] = json!(services.iter().map(|s| json!({ "name": s })).collect::<Vec<_>>());
    let text = format!("[policy]\nname = \"b\"\nversion = \"1.0.0\"\n{blast_settings}\n");
    Policy::from_toml(&text).unwrap().assess(&change(&e), &topology(), &context(&json!({})))
}

#[track_caller]
fn assert_close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-12, "{got} != {want}");
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn blast_follows_hard_edges_and_degrades_one_soft_hop() {
    let b = blast_of(&["payments"], &json!({}), "").blast_radius;
    assert_eq!(b.changed, strings(&["payments"]));
    assert_eq!(b.impacted, strings(&["api", "checkout", "payments", "web"]));
    assert_eq!(b.degraded, strings(&["reports"]));
    assert!(b.unknown.is_empty());
    assert!(b.complete);
    assert_eq!(b.services, 4);
    assert_eq!(b.paths.len(), 5);
    assert_eq!(b.paths["payments"], strings(&["payments"]));
    assert_eq!(b.paths["web"], strings(&["payments", "checkout", "api", "web"]));
    assert_eq!(b.paths["reports"], strings(&["payments", "reports"]));
    assert_close(b.traffic_share, 1.0);
    assert_close(b.exposure, 1.0);
    assert_eq!(b.min_tier, Some(0));
    assert_eq!(b.teams, strings(&["finance", "payments", "platform", "web"]));
    assert_eq!(b.regions, strings(&["eu-west-1", "us-east-1"]));
}

#[test]
fn a_soft_dependency_does_not_propagate_further() {
    let b = blast_of(&["notifications"], &json!({}), "").blast_radius;
    assert_eq!(b.impacted, strings(&["notifications"]));
    // checkout degrades; api, which depends hard on checkout, is not touched.
    assert_eq!(b.degraded, strings(&["checkout"]));
    assert_eq!(b.paths["checkout"], strings(&["notifications", "checkout"]));
    assert_eq!(b.services, 1);
    assert_close(b.traffic_share, 0.2);
    assert_eq!(b.min_tier, Some(2));
    assert_eq!(b.teams, strings(&["engagement", "payments"]));
    assert_eq!(b.regions, strings(&["eu-west-1"]));
}

#[test]
fn shortest_paths_through_a_deep_chain() {
    let b = blast_of(&["postgres-ledger"], &json!({}), "").blast_radius;
    assert_eq!(b.impacted, strings(&["api", "checkout", "ledger", "payments", "postgres-ledger", "web"]));
    assert_eq!(b.degraded, strings(&["reports"]));
    // reports depends softly on both ledger and payments: the shorter chain wins.
    assert_eq!(b.paths["reports"], strings(&["postgres-ledger", "ledger", "reports"]));
    assert_eq!(b.paths["web"], strings(&["postgres-ledger", "ledger", "payments", "checkout", "api", "web"]));
    assert_eq!(b.teams, strings(&["data", "finance", "payments", "platform", "web"]));
}

#[test]
fn a_widely_used_service_impacts_all_its_hard_callers() {
    let b = blast_of(&["catalog"], &json!({}), "").blast_radius;
    assert_eq!(b.impacted, strings(&["admin", "api", "cart", "catalog", "checkout", "search", "web"]));
    assert!(b.degraded.is_empty());
    assert_eq!(b.paths["checkout"], strings(&["catalog", "cart", "checkout"]));
    assert_eq!(b.paths["web"], strings(&["catalog", "api", "web"]));
    assert_eq!(b.services, 7);
    assert_eq!(
        b.teams,
        strings(&["backoffice", "catalog", "discovery", "payments", "platform", "shopping", "web"])
    );
}

#[test]
fn max_depth_bounds_the_hard_hops() {
    let a = blast_of(&["postgres-ledger"], &json!({}), "[blast]\nmax_depth = 2\n");
    let b = a.blast_radius;
    assert_eq!(b.impacted, strings(&["ledger", "payments", "postgres-ledger"]));
    assert_eq!(b.degraded, strings(&["reports"]));
    assert_eq!(b.services, 3);
    assert_close(b.traffic_share, 0.3);
    let one = blast_of(&["postgres-ledger"], &json!({}), "[blast]\nmax_depth = 1\n").blast_radius;
    assert_eq!(one.impacted, strings(&["ledger", "postgres-ledger"]));
    assert_eq!(one.degraded, strings(&["reports"]));
}

#[test]
fn unknown_services_make_the_blast_radius_incomplete() {
    let b = blast_of(&["fraud", "ghost", "apple"], &json!({}), "").blast_radius;
    assert_eq!(b.changed, strings(&["fraud"]));
    assert_eq!(b.unknown, strings(&["apple", "ghost"]));
    assert!(!b.complete);
    assert_eq!(b.impacted, strings(&["fraud"]));
    assert_eq!(b.degraded, strings(&["payments"]));

    let b = blast_of(&["ghost"], &json!({}), "").blast_radius;
    assert!(b.changed.is_empty() && b.impacted.is_empty() && b.paths.is_empty());
    assert_eq!((b.services, b.min_tier, b.complete), (0, None, false));
    assert_close(b.traffic_share, 0.0);
    assert_close(b.exposure, 0.0);
}

#[test]
fn an_empty_topology_knows_no_service() {
    let text = "[policy]\nname = \"b\"\nversion = \"1.0.0\"\n";
    let a = Policy::from_toml(text).unwrap().assess(
        &change(&json!({})),
        &Topology::default(),
        &context(&json!({})),
    );
    assert_eq!(a.blast_radius.unknown, strings(&["api"]));
    assert!(!a.blast_radius.complete);
}

#[test]
fn exposure_scales_the_traffic_share_by_the_first_step() {
    let cases = [
        (json!({}), 1.0),
        (json!({ "strategy": { "type": "canary" } }), 0.1),
        (json!({ "strategy": { "type": "canary", "steps": [5, 100] } }), 0.05),
        (json!({ "strategy": { "type": "one_box" } }), 0.01),
        (json!({ "strategy": { "type": "rolling" } }), 0.25),
    ];
    for (extra, exposure) in cases {
        let b = blast_of(&["payments"], &extra, "").blast_radius;
        assert!((b.exposure - exposure).abs() < 1e-12, "{extra}: {}", b.exposure);
    }
    let b = blast_of(&["notifications"], &json!({ "strategy": { "type": "linear" } }), "").blast_radius;
    assert!((b.exposure - 0.02).abs() < 1e-12, "{}", b.exposure);
}

#[test]
fn tiers_default_to_the_policys_blast_default_tier() {
    let b = blast_of(&["reports"], &json!({}), "").blast_radius;
    assert_eq!(b.impacted, strings(&["reports"]));
    assert_eq!(b.degraded, strings(&["admin"]));
    assert_eq!(b.min_tier, Some(3));
    let b = blast_of(&["reports"], &json!({}), "[blast]\ndefault_tier = 1\n").blast_radius;
    assert_eq!(b.min_tier, Some(1));
    // A declared tier is kept.
    let b = blast_of(&["notifications"], &json!({}), "[blast]\ndefault_tier = 1\n").blast_radius;
    assert_eq!(b.min_tier, Some(2));
}

#[test]
fn change_regions_override_the_services_regions() {
    let b = blast_of(&["payments"], &json!({ "regions": ["us-east-1"] }), "").blast_radius;
    assert_eq!(b.regions, strings(&["us-east-1"]));
    let b = blast_of(&["payments"], &json!({ "regions": ["us-east-1", "ap-southeast-2"] }), "").blast_radius;
    assert_eq!(b.regions, strings(&["ap-southeast-2", "us-east-1"]));
}

#[test]
fn blast_fields_are_visible_to_policies() {
    let c = change(
        &json!({ "services": [{ "name": "payments" }, { "name": "ghost" }], "strategy": { "type": "canary" } }),
    );
    let ctx = context(&json!({}));
    let t = topology();
    for expr in [
        r#"blast.changed == ["payments"] && blast.unknown == ["ghost"] && !blast.complete"#,
        r#"blast.impacted == ["api", "checkout", "payments", "web"] && blast.degraded == ["reports"]"#,
        "blast.services == 4 && blast.min_tier == 0 && blast.traffic_share == 1.0",
        "blast.exposure > 0.09 && blast.exposure < 0.11",
        r#"blast.paths["web"] == ["payments", "checkout", "api", "web"] && blast.paths.size() == 5"#,
        r#"blast.teams == ["finance", "payments", "platform", "web"]"#,
        r#"blast.regions == ["eu-west-1", "us-east-1"]"#,
        r#""web" in blast.impacted && blast.impacted.exists(s, s == "api")"#,
    ] {
        assert_eq!(holds_with("", expr, &c, &ctx, &t), Ok(true), "{expr}");
    }
    // No impacted service: `min_tier` is null.
    let ghost = change(&json!({ "services": [{ "name": "ghost" }] }));
    assert_eq!(holds_with("", "blast.min_tier == null && blast.services == 0", &ghost, &ctx, &t), Ok(true));
}

#[test]
fn the_assessment_reports_the_same_blast_radius_the_policy_saw() {
    let text = "[policy]\nname = \"b\"\nversion = \"1.0.0\"\n[[rule]]\nid = \"small\"\nrequire = 'blast.services <= 3'\nmessage = \"{{ blast.services }} services: {{ blast.impacted }}\"\n";
    let c = change(&json!({ "services": [{ "name": "payments" }] }));
    let a = Policy::from_toml(text).unwrap().assess(&c, &topology(), &context(&json!({})));
    assert_eq!(a.violations[0].message, "4 services: api, checkout, payments, web");
    assert_eq!(a.blast_radius.services, 4);
}

/// Macros over the input documents' own lists and maps (host data, read element by element),
/// with one and two variables, nested, and keeping elements beyond the step that read them.
#[test]
fn comprehensions_over_input_lists_and_maps() {
    let c = change(&json!({
        "services": [
            { "name": "api", "from": "1.0.0", "to": "2.0.0", "kinds": ["code", "config"] },
            { "name": "web", "from": "1.0.0", "to": "1.0.1" },
            { "name": "db", "kinds": ["schema"] }
        ],
        "checks": { "build": "passed", "lint": "failed", "unit": "pending" },
        "tested_in": ["staging", "qa"],
        "labels": { "team": "core", "ticket": "T-1" }
    }));
    let ctx = context(&json!({ "error_budgets": { "api": -0.1, "web": 0.5, "db": 0.0 } }));
    for expr in [
        // A host list of objects, one and two variables.
        r#"change.services.exists(s, s.name == "web")"#,
        r#"change.services.all(i, s, i < 3 && s.name != "")"#,
        r#"change.services.exists(i, s, i == 2 && s.name == "db")"#,
        r#"change.services.map(s, s.name) == ["api", "web", "db"]"#,
        r#"change.services.transformList(i, s, string(i) + s.name) == ["0api", "1web", "2db"]"#,
        r#"change.services.map(s, s.name != "web", s.name) == ["api", "db"]"#,
        // Filtered elements outlive their step and are still readable.
        r#"change.services.filter(s, s.bump == "major").map(s, s.name) == ["api"]"#,
        r#"change.services.filter(s, "schema" in s.kinds)[0].name == "db""#,
        "change.services.filter(s, false) == [] && change.services.filter(s, false).size() == 0",
        // Nested: the inner body reads the outer variable.
        r#"change.services.exists(s, s.kinds.exists(k, k == "config" && s.name == "api"))"#,
        r#"change.services.map(s, s.kinds.map(k, s.name + ":" + k)) == [["api:code", "api:config"], ["web:code"], ["db:schema"]]"#,
        // A host list of strings.
        r#"change.tested_in.map(e, e + "!") == ["staging!", "qa!"]"#,
        r#"change.tested_in.exists_one(e, e == "qa")"#,
        // Host maps (sorted by key), one and two variables.
        r#"change.checks.map(n, n) == ["build", "lint", "unit"]"#,
        r#"change.checks.exists(n, st, n == "lint" && st == "failed")"#,
        r#"change.checks.all(n, st, st != "skipped")"#,
        r#"change.checks.transformList(n, st, st != "passed", n) == ["lint", "unit"]"#,
        r#"change.checks.transformMap(n, st, st == "passed", n + "=" + st) == {"build": "build=passed"}"#,
        r#"change.labels.filter(k, k.startsWith("t")) == ["team", "ticket"]"#,
        r#"context.error_budgets.transformList(s, left, left <= 0.0, s) == ["api", "db"]"#,
        r#"context.error_budgets.exists(s, left, s == "web" && left == 0.5)"#,
    ] {
        assert_holds(expr, &c, &ctx);
    }
}
