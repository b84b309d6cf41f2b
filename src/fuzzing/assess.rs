//! Assessments of structured inputs built from the fuzzer's bytes.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};

use crate::cel::{Duration, Timestamp};
use crate::input::{
    Approval, Category, Change, ChangeKind, CheckStatus, Context, Freeze, Incident, Migration, Rollback,
    ServiceChange, Size, Strategy, StrategyType,
};
use crate::policy::{Assessment, Enforcement, Outcome};
use crate::topology::{Dependency, DependencyKind, Service};
use crate::{Policy, Topology};

const SERVICES: &[&str] =
    &["frontend", "api", "checkout", "payments", "cart", "search", "ledger", "unknown-svc"];
/// Authors: the first three people.
const AUTHORS: &[&str] = &["ann", "bob", "cy"];
/// Approvers: every spelling but the blank one.
const APPROVERS: &[&str] = &["ann", "bob", "cy", " Ann ", "BOB"];
/// The services a topology may hold (all but the unknown one).
const KNOWN: &[&str] = &["frontend", "api", "checkout", "payments", "cart", "search", "ledger"];
const ROLES: &[&str] = &["sre-lead", "change-manager", "developer", "principal-engineer"];
const ENVIRONMENTS: &[&str] = &["production", "prod", "staging", "dev"];
const CHECKS: &[&str] = &["build", "unit-tests", "security-scan", "config-lint", "migration-dry-run"];
/// 2026-01-05T00:00:00Z and a span of ten weeks.
const BASE: i64 = 1_767_571_200;
const SPAN: i64 = 70 * 86_400;

fn pick<T: Copy>(u: &mut Unstructured<'_>, items: &[T]) -> Result<T> {
    u.choose(items).copied()
}

fn time(u: &mut Unstructured<'_>) -> Result<Timestamp> {
    let offset = u.int_in_range(0..=SPAN)?;
    Ok(Timestamp::new(BASE + offset, 0).unwrap_or(Timestamp::UNIX_EPOCH))
}

fn version(u: &mut Unstructured<'_>) -> Result<Option<semver::Version>> {
    if u.ratio(1, 5)? {
        return Ok(None);
    }
    let mut v = semver::Version::new(u.int_in_range(0..=4)?, u.int_in_range(0..=9)?, u.int_in_range(0..=9)?);
    if u.ratio(1, 6)? {
        v.pre = semver::Prerelease::new("rc.1").unwrap_or(semver::Prerelease::EMPTY);
    }
    Ok(Some(v))
}

fn list<T>(
    u: &mut Unstructured<'_>,
    max: u32,
    mut item: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| item(u)).collect()
}

fn change(u: &mut Unstructured<'_>) -> Result<Change> {
    let mut services = vec![ServiceChange::new(pick(u, SERVICES)?)];
    services.extend(list(u, 2, |u| Ok(ServiceChange::new(pick(u, SERVICES)?)))?);
    for s in &mut services {
        s.from = version(u)?;
        s.to = version(u)?;
        s.kinds = vec![pick(u, ChangeKind::ALL)?];
    }
    let kind = pick(u, StrategyType::ALL)?;
    let steps = if u.ratio(1, 4)? {
        let mut steps: Vec<u32> = list(u, 3, |u| u.int_in_range(1..=99))?;
        steps.sort_unstable();
        steps.dedup();
        steps.push(100);
        Some(steps)
    } else {
        None
    };
    let mut c = Change::new("F-1", pick(u, ENVIRONMENTS)?, pick(u, AUTHORS)?, services);
    c.category = pick(u, Category::ALL)?;
    c.strategy = Strategy { kind, steps, bake_minutes: u.int_in_range(0..=60)?, in_place: u.arbitrary()? };
    c.size = if u.arbitrary()? {
        Some(Size {
            files: u.int_in_range(0..=200)?,
            lines_added: u.int_in_range(0..=5000)?,
            lines_removed: u.int_in_range(0..=5000)?,
        })
    } else {
        None
    };
    c.rollback = if u.arbitrary()? {
        Some(Rollback {
            plan: u.arbitrary()?,
            tested: u.arbitrary()?,
            automated: u.arbitrary()?,
            minutes: u.arbitrary::<Option<u8>>()?.map(u64::from),
        })
    } else {
        None
    };
    c.migration = if u.ratio(1, 4)? {
        Some(Migration { reversible: u.arbitrary()?, backward_compatible: u.arbitrary()? })
    } else {
        None
    };
    c.approvals = list(u, 3, |u| {
        Ok(Approval { by: pick(u, APPROVERS)?.into(), role: pick(u, ROLES)?.to_owned(), at: None })
    })?;
    c.checks =
        list(u, 5, |u| Ok((pick(u, CHECKS)?.to_owned(), pick(u, CheckStatus::ALL)?)))?.into_iter().collect();
    c.tested_in = list(u, 2, |u| Ok(pick(u, ENVIRONMENTS)?.to_owned()))?;
    c.scheduled_at = if u.arbitrary()? { Some(time(u)?) } else { None };
    c.regions = list(u, 2, |u| Ok(pick(u, &["eu-west-1", "us-east-1"])?.to_owned()))?;
    if u.arbitrary()? {
        c.labels.insert("ticket".to_owned(), pick(u, &["OPS-12", "nope", ""])?.to_owned());
    }
    Ok(c)
}

fn context(u: &mut Unstructured<'_>) -> Result<Context> {
    let mut ctx = Context::new(time(u)?);
    ctx.freezes = list(u, 2, |u| {
        let start = time(u)?;
        let hours = u.int_in_range(1..=500)?;
        Ok(Freeze {
            name: pick(u, &["sale", "holidays"])?.to_owned(),
            start,
            end: start.checked_add(Duration::new(hours * 3600, 0).unwrap_or(Duration::ZERO)).unwrap_or(start),
            environments: list(u, 1, |u| Ok(pick(u, ENVIRONMENTS)?.to_owned()))?,
            exempt: list(u, 2, |u| pick(u, Category::ALL))?,
        })
    })?;
    ctx.freezes.retain(|f| f.end > f.start);
    ctx.error_budgets =
        list(u, 3, |u| Ok((pick(u, SERVICES)?.to_owned(), f64::from(u.int_in_range(-50..=100)?) / 100.0)))?
            .into_iter()
            .collect::<BTreeMap<_, _>>();
    ctx.incidents = list(u, 2, |u| {
        Ok(Incident {
            id: "INC-1".to_owned(),
            services: vec![pick(u, SERVICES)?.to_owned()],
            severity: pick(u, &["sev1", "sev2", "sev3"])?.to_owned(),
        })
    })?;
    Ok(ctx)
}

fn topology(u: &mut Unstructured<'_>) -> Result<Topology> {
    let mut services = Vec::new();
    for name in KNOWN {
        if u.ratio(4, 5)? {
            let mut s = Service::new(*name);
            s.tier = if u.arbitrary()? { Some(u.int_in_range(0..=3)?) } else { None };
            s.team = Some(pick(u, &["web", "payments", "platform"])?.to_owned());
            s.traffic_share = f64::from(u.int_in_range(0..=100)?) / 100.0;
            s.regions = list(u, 2, |u| Ok(pick(u, &["eu-west-1", "us-east-1"])?.to_owned()))?;
            services.push(s);
        }
    }
    let n = services.len();
    let dependencies = if n < 2 {
        Vec::new()
    } else {
        list(u, 12, |u| {
            let a = u.choose_index(n)?;
            let b = u.choose_index(n)?;
            let kind = if u.ratio(1, 5)? { DependencyKind::Soft } else { DependencyKind::Hard };
            Ok((a, b, kind))
        })?
        .into_iter()
        .filter(|(a, b, _)| a != b)
        .filter_map(|(a, b, kind)| {
            Some(Dependency { from: services.get(a)?.name.clone(), to: services.get(b)?.name.clone(), kind })
        })
        .collect()
    };
    Ok(Topology::new(&services, &dependencies).unwrap_or_default())
}

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let erring = |on_error: &str| {
            Policy::from_toml(&format!(
                "[policy]\nname = \"erring\"\nversion = \"1.0.0\"\n\
                 [[risk]]\nid = \"big\"\nwhen = 'change.size.files > 20'\npoints = 60\n\
                 [[rule]]\nid = \"tested\"\nrequire = 'change.rollback.tested'\n\
                 [[rule]]\nid = \"ticket\"\nenforcement = \"hard\"\nrequire = 'change.labels[\"ticket\"].matches(\"^[A-Z]+-[0-9]+$\")'\n\
                 [[rule]]\nid = \"shadow\"\nenforcement = \"hard\"\ndry_run = true\nrequire = 'false'\n\
                 [decision]\ndeny_at = \"critical\"\non_error = \"{on_error}\"\n"
            ))
        };
        [Ok(Policy::well_architected()), erring("fail_closed"), erring("fail_open")].into_iter().flatten().collect()
    })
}

fn strictness(o: Outcome) -> u8 {
    match o {
        Outcome::Allow => 0,
        Outcome::NeedsApproval => 1,
        Outcome::Deny => 2,
    }
}

/// Builds a change, a topology and a context from `data` and assesses them with the built-in
/// policy and two policies whose rules fail to evaluate, checking: the same inputs give
/// byte-identical JSON; a hard violation means deny; the assessment's JSON reads back as an
/// equal assessment; fail-open is never stricter than fail-closed.
///
/// # Panics
///
/// When assessing panics or one of these properties does not hold.
pub fn assess(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(change), Ok(topology), Ok(context)) = (change(&mut u), topology(&mut u), context(&mut u)) else {
        return;
    };
    let mut outcomes = Vec::new();
    for policy in policies() {
        let a = policy.assess(&change, &topology, &context);
        let json = a.to_json_pretty();
        assert_eq!(json, policy.assess(&change, &topology, &context).to_json_pretty(), "not deterministic");
        if a.violations.iter().any(|v| !v.dry_run && v.enforcement == Enforcement::Hard) {
            assert_eq!(a.outcome, Outcome::Deny, "a hard violation does not deny:\n{a}");
        }
        let back: std::result::Result<Assessment, _> = serde_json::from_str(&json);
        assert!(back.as_ref().is_ok_and(|b| *b == a), "the assessment JSON does not read back: {back:?}");
        outcomes.push(a.outcome);
    }
    if let [_, closed, open] = outcomes.as_slice() {
        assert!(strictness(*open) <= strictness(*closed), "fail-open is stricter than fail-closed");
    }
}
