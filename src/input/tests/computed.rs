//! The computed fields of the change and context (see [`crate::input`]): `bump`,
//! `effective_steps` / `first_step`, `when`, `approvers()`, `approvers(role)`, approvals by role
//! and `active_freezes`.

use semver::Version;

use crate::cel::Timestamp;
use crate::input::{
    Approval, Bump, Category, Change, Context, Freeze, ServiceChange, Strategy, StrategyType, canonical_name,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn minimal() -> Change {
    Change::new("CHG-1", "production", "ann", vec![ServiceChange::new("checkout")])
}

fn service(from: Option<&str>, to: Option<&str>) -> ServiceChange {
    ServiceChange {
        from: from.map(|v| Version::parse(v).unwrap()),
        to: to.map(|v| Version::parse(v).unwrap()),
        ..ServiceChange::new("api")
    }
}

#[test]
fn bump_for_every_kind() {
    for (from, to, bump) in [
        (Some("1.2.3"), Some("2.0.0"), Bump::Major),
        (Some("1.2.3"), Some("2.0.0-alpha.1"), Bump::Major),
        (Some("1.9.9"), Some("2.1.0"), Bump::Major),
        (Some("1.2.3"), Some("1.3.0"), Bump::Minor),
        (Some("1.2.3"), Some("1.3.0-rc.1"), Bump::Minor),
        (Some("1.2.3"), Some("1.2.4"), Bump::Patch),
        (Some("1.2.3-rc.1"), Some("1.2.3"), Bump::Prerelease),
        (Some("1.2.3-alpha"), Some("1.2.3-beta"), Bump::Prerelease),
        (Some("1.2.3-rc.1"), Some("1.2.4"), Bump::Patch),
        (Some("1.2.3"), Some("1.2.3"), Bump::None),
        (Some("1.2.3+build.1"), Some("1.2.3+build.2"), Bump::None),
        (Some("1.2.3"), Some("1.2.2"), Bump::Downgrade),
        (Some("2.0.0"), Some("1.9.9"), Bump::Downgrade),
        (Some("1.2.3"), Some("1.2.3-rc.1"), Bump::Downgrade),
        (Some("1.2.3-beta"), Some("1.2.3-alpha"), Bump::Downgrade),
        (None, Some("1.0.0"), Bump::Unknown),
        (Some("1.0.0"), None, Bump::Unknown),
        (None, None, Bump::Unknown),
    ] {
        assert_eq!(service(from, to).bump(), bump, "{from:?} -> {to:?}");
    }
    assert_eq!(Bump::Prerelease.to_string(), "prerelease");
    assert_eq!(Bump::Downgrade.as_str(), "downgrade");
}

#[test]
fn versions_read_with_or_without_v_and_write_plain() {
    let c = Change::from_json(
        r#"{ "id": "c", "environment": "p", "author": "a",
             "services": [{ "name": "api", "from": "v1.2.3", "to": "1.3.0-rc.1+sha.5114f85" }] }"#,
    )
    .unwrap();
    assert_eq!(c.services[0].from, Some(Version::new(1, 2, 3)));
    assert_eq!(c.services[0].bump(), Bump::Minor);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["services"][0]["from"], "1.2.3");
    assert_eq!(json["services"][0]["to"], "1.3.0-rc.1+sha.5114f85");
}

#[test]
fn effective_steps_for_every_strategy() {
    for (kind, steps) in [
        (StrategyType::AllAtOnce, &[100][..]),
        (StrategyType::BlueGreen, &[100]),
        (StrategyType::Rolling, &[25, 50, 75, 100]),
        (StrategyType::Canary, &[10, 100]),
        (StrategyType::Linear, &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]),
        (StrategyType::OneBox, &[1, 100]),
        (StrategyType::FeatureFlag, &[1, 100]),
    ] {
        let s = Strategy::of(kind);
        assert_eq!(s.effective_steps(), steps, "{kind}");
        assert_eq!(s.first_step(), steps[0], "{kind}");
        let text = format!(
            r#"{{ "id": "c", "environment": "p", "author": "a", "services": [{{ "name": "s" }}],
                 "strategy": {{ "type": "{kind}" }} }}"#
        );
        assert_eq!(Change::from_json(&text).unwrap().strategy.effective_steps(), steps);
    }
    assert_eq!(StrategyType::ALL.len(), 7);
    let explicit = Strategy { steps: Some(vec![5, 50, 100]), ..Strategy::of(StrategyType::Canary) };
    assert_eq!(explicit.effective_steps(), [5, 50, 100]);
    assert_eq!(explicit.first_step(), 5);
    let empty = Strategy { steps: Some(vec![]), ..Strategy::of(StrategyType::Canary) };
    assert_eq!(empty.first_step(), 100);
}

fn approved(author: &str, approvals: &[(&str, &str)]) -> Change {
    let mut c = Change::new("c", "production", author, vec![ServiceChange::new("api")]);
    c.approvals = approvals
        .iter()
        .map(|(by, role)| Approval { by: (*by).into(), role: (*role).into(), at: None })
        .collect();
    c
}

#[test]
fn approvers_exclude_the_author_and_duplicates() {
    let c = approved(
        "Ann",
        &[
            (" ann ", "dev"),
            ("ANN", "sre"),
            ("zoe", "dev"),
            ("Bob", "sre-lead"),
            (" bob", "dev"),
            ("carl", "Dev"),
            ("  ", "dev"),
        ],
    );
    assert_eq!(c.approvers(), ["bob", "carl", "zoe"]);
    assert_eq!(c.approvers_with_role("dev"), ["bob", "carl", "zoe"]);
    assert_eq!(c.approvers_with_role(" SRE-Lead "), ["bob"]);
    assert_eq!(c.approvers_with_role("sre"), Vec::<String>::new());
    assert_eq!(c.approvals_by_others().count(), 4);
    assert!(c.is_author(" aNN"));
    assert!(!c.is_author("anne"));
    assert_eq!(approved("ann", &[]).approvers(), Vec::<String>::new());
    assert_eq!(approved("ann", &[("Ann", "x"), ("ann ", "y")]).approvers(), Vec::<String>::new());
    assert_eq!(canonical_name("  Zoë.Ünal\t"), "zoë.ünal");
}

#[test]
fn respelt_author_is_not_an_independent_approver() {
    for by in super::RESPELT_AISHA.into_iter().chain(["\u{200b}", "\u{2060}"]) {
        let c = approved("aisha.rahman", &[(by, "sre-lead")]);
        assert_eq!(c.approvers(), Vec::<String>::new(), "{by:?}");
        assert!(!c.is_approved_by_role_in(&[]), "{by:?}");
    }
    // Two respellings of one other person are one approver.
    let c = approved("aisha.rahman", &[("bob", "dev"), ("ｂｏｂ\u{200b}", "dev"), ("b\u{43e}b", "dev")]);
    assert_eq!(c.approvers(), ["bob"]);
}

#[test]
fn approval_by_role_ignores_the_author() {
    let roles = |r: &[&str]| r.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let c = approved("ann", &[("Ann", "change-manager"), ("bob", "Engineer")]);
    assert!(!c.is_approved_by_role_in(&roles(&["change-manager"])));
    assert!(c.is_approved_by_role_in(&roles(&["engineer"])));
    assert!(c.is_approved_by_role_in(&roles(&["sre", " ENGINEER "])));
    assert!(c.is_approved_by_role_in(&[]));
    assert!(!approved("ann", &[("ann", "engineer")]).is_approved_by_role_in(&[]));
    assert!(!approved("ann", &[]).is_approved_by_role_in(&[]));
}

#[test]
fn when_is_scheduled_at_or_now() {
    let ctx = Context::new(ts("2026-03-02T10:00:00Z"));
    let mut c = minimal();
    assert_eq!(c.when(&ctx), ctx.now);
    c.scheduled_at = Some(ts("2026-03-06T18:00:00+01:00"));
    assert_eq!(c.when(&ctx), ts("2026-03-06T17:00:00Z"));
    for past in ["2025-06-01T00:00:00Z", "1970-01-01T00:00:00Z"] {
        c.scheduled_at = Some(ts(past));
        assert_eq!(c.when(&ctx), ctx.now, "{past}");
    }
}

fn freeze(name: &str, start: &str, end: &str, environments: &[&str], exempt: &[Category]) -> Freeze {
    Freeze {
        name: name.into(),
        start: ts(start),
        end: ts(end),
        environments: environments.iter().map(|e| (*e).to_owned()).collect(),
        exempt: exempt.to_vec(),
    }
}

#[test]
fn active_freezes_cover_time_environment_and_category() {
    let mut ctx = Context::new(ts("2026-03-02T10:00:00Z"));
    ctx.freezes = vec![
        freeze("all-envs", "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z", &[], &[Category::Emergency]),
        freeze(
            "prod-only",
            "2026-03-01T00:00:00Z",
            "2026-03-03T00:00:00Z",
            &["production"],
            &[Category::Emergency],
        ),
        freeze("staging-only", "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z", &["staging"], &[]),
        freeze("no-exemptions", "2026-03-02T10:00:00Z", "2026-03-02T10:00:01Z", &[], &[]),
        freeze("standard-exempt", "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z", &[], &[Category::Standard]),
        freeze("ended", "2026-03-01T00:00:00Z", "2026-03-02T10:00:00Z", &[], &[]),
        freeze("later", "2026-03-02T10:00:00.000000001Z", "2026-03-09T00:00:00Z", &[], &[]),
    ];
    let mut c = minimal();
    // start inclusive, end exclusive; document order.
    assert_eq!(ctx.active_freezes(&c), ["all-envs", "prod-only", "no-exemptions", "standard-exempt"]);
    c.category = Category::Emergency;
    assert_eq!(ctx.active_freezes(&c), ["no-exemptions", "standard-exempt"]);
    c.category = Category::Standard;
    c.environment = "staging".into();
    assert_eq!(ctx.active_freezes(&c), ["all-envs", "staging-only", "no-exemptions"]);
    // Environments match by canonical form.
    c.environment = "Production\u{200b} ".into();
    assert_eq!(ctx.active_freezes(&c), ["all-envs", "prod-only", "no-exemptions"]);
    c.environment = "prod".into();
    assert_eq!(ctx.active_freezes(&c), ["all-envs", "no-exemptions"]);
    c.scheduled_at = Some(ts("2026-03-05T00:00:00Z"));
    assert_eq!(ctx.active_freezes(&c), ["later"]);
    assert_eq!(ctx.active_freezes_iter(&c).count(), 1);
    c.scheduled_at = Some(ts("2026-03-09T00:00:00Z"));
    assert!(ctx.active_freezes(&c).is_empty());
}
