//! Property-testing support: `proptest` strategies for changes, topologies and contexts.
//!
//! Property-test your own rule set: state what must always hold ("no production change
//! without a rollback plan is ever allowed") and let proptest search for a counterexample among
//! thousands of valid, varied documents. Shrinking turns a failure into a small change.
//!
//! ```
//! use changeguard::testing::{ChangeStrategy, arb_context, arb_topology};
//! use changeguard::{Outcome, Policy};
//! use proptest::prelude::*;
//!
//! let policy = Policy::well_architected();
//! proptest!(ProptestConfig::with_cases(64), |(
//!     change in ChangeStrategy::default().environment("production").without_rollback(),
//!     topology in arb_topology(),
//!     context in arb_context(),
//! )| {
//!     let assessment = policy.assess(&change, &topology, &context);
//!     prop_assert_ne!(assessment.outcome, Outcome::Allow, "{}", assessment);
//! });
//! ```
//!
//! The generated documents share pools of names, so that they meet: changes name services of
//! [`SERVICES`] (and sometimes [`UNKNOWN_SERVICE`], which no generated topology has), approvals come
//! from the identities of [`PEOPLE`] (including the author, written in another case or with
//! spaces), and contexts hold freezes, error budgets and incidents around the same dates.
//!
//! # Policy-aware generation
//!
//! Random text never says `production` or names a required check. [`scenarios`] draws whole
//! inputs ([`Scenario`]: change, context, topology) from what a policy talks about, its
//! [`Vocabulary`] (environments and aliases, roles, string and number constants, the services
//! of its `[test_topology]`), and [`search`] looks for a counterexample among them,
//! deterministically for a seed, and shrinks it:
//!
//! ```
//! use changeguard::testing::{SearchOptions, Trial, scenarios, search};
//! use changeguard::{Outcome, Policy};
//!
//! let policy = Policy::well_architected();
//! let inputs = scenarios(&policy.vocabulary());
//! // A false claim: "no change to production is ever denied".
//! let found = search(&inputs, &SearchOptions::new(256, 1), |s| {
//!     if s.change.environment != "production" {
//!         return Trial::Skip;
//!     }
//!     match policy.assess(&s.change, &s.topology, &s.context).outcome {
//!         Outcome::Deny => Trial::Fail,
//!         _ => Trial::Pass,
//!     }
//! });
//! let shrunk = found.counterexample.expect("a denied production change");
//! assert_eq!(policy.assess(&shrunk.change, &shrunk.topology, &shrunk.context).outcome, Outcome::Deny);
//! assert_eq!(shrunk.change.services.len(), 1);
//! ```

mod scenario;
mod search;

use std::collections::BTreeMap;

use proptest::collection::{btree_map, btree_set, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::strategy::{BoxedStrategy, NewTree, ValueTree};
use proptest::test_runner::TestRunner;

use crate::cel::Timestamp;
use crate::input::{
    Approval, Category, Change, ChangeKind, CheckStatus, Context, Freeze, Incident, Migration, Rollback,
    ServiceChange, Size, Strategy as Rollout, StrategyType,
};
use crate::topology::{Dependency, DependencyKind, Service, Topology};

pub use scenario::{Scenario, Vocabulary, approvals, scenarios};
pub use search::{Search, SearchOptions, Trial, search, seeded_runner};

/// Service names generated changes and topologies use.
pub const SERVICES: &[&str] = &[
    "frontend",
    "api-gateway",
    "checkout",
    "payments",
    "cart",
    "catalog",
    "search",
    "orders",
    "ledger",
    "auth",
];

/// A service name that no generated topology contains.
pub const UNKNOWN_SERVICE: &str = "legacy-batch";

/// Identities of authors and approvers.
pub const PEOPLE: &[&str] = &["ann", "bob", "cy", "dee", "eve"];

/// Roles approvals are given in.
pub const ROLES: &[&str] = &["developer", "sre-lead", "change-manager", "principal-engineer", "security"];

/// Environments changes deploy to.
pub const ENVIRONMENTS: &[&str] = &["production", "prod", "staging", "qa", "dev"];

/// Names of CI checks.
pub const CHECKS: &[&str] = &[
    "build",
    "unit-tests",
    "integration-tests",
    "security-scan",
    "config-lint",
    "migration-dry-run",
    "infra-plan",
];

const TEAMS: &[&str] = &["web", "payments", "shopping", "platform", "identity"];
const REGIONS: &[&str] = &["eu-west-1", "us-east-1", "ap-southeast-2"];

/// 2026-01-05T00:00:00Z, a Monday: generated dates fall in the 10 weeks after it.
const BASE: i64 = 1_767_571_200;
const SPAN: i64 = 70 * 86_400;

fn timestamp(offset: i64) -> Timestamp {
    Timestamp::new(BASE + offset.rem_euclid(SPAN), 0).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn arb_time() -> impl Strategy<Value = Timestamp> {
    (0..SPAN).prop_map(timestamp)
}

fn arb_version() -> impl Strategy<Value = semver::Version> {
    (0u64..4, 0u64..12, 0u64..20, option::weighted(0.15, select(&["alpha.1", "beta.2", "rc.1"][..])))
        .prop_map(|(major, minor, patch, pre)| {
            let mut v = semver::Version::new(major, minor, patch);
            if let Some(p) = pre {
                v.pre = semver::Prerelease::new(p).unwrap_or(semver::Prerelease::EMPTY);
            }
            v
        })
}

/// A pair of versions covering every kind of bump, or absent versions.
fn arb_versions() -> impl Strategy<Value = (Option<semver::Version>, Option<semver::Version>)> {
    prop_oneof![
        1 => Just((None, None)),
        1 => arb_version().prop_map(|v| (None, Some(v))),
        6 => (arb_version(), 0u8..6).prop_map(|(from, bump)| {
            let mut to = from.clone();
            match bump {
                0 => { to.major += 1; to.minor = 0; to.patch = 0; to.pre = semver::Prerelease::EMPTY; }
                1 => { to.minor += 1; to.patch = 0; to.pre = semver::Prerelease::EMPTY; }
                2 => { to.patch += 1; to.pre = semver::Prerelease::EMPTY; }
                3 => { to.pre = semver::Prerelease::EMPTY; }
                4 => { to = semver::Version::new(from.major.saturating_sub(1), from.minor, 0); }
                _ => {}
            }
            (Some(from), Some(to))
        }),
    ]
}

fn arb_service_change(names: Vec<String>) -> impl Strategy<Value = ServiceChange> {
    let kinds = prop_oneof![
        3 => Just(vec![ChangeKind::Code]),
        2 => subsequence(ChangeKind::ALL.to_vec(), 1..=3),
    ];
    (select(names), arb_versions(), kinds).prop_map(|(name, (from, to), kinds)| ServiceChange {
        name,
        from,
        to,
        kinds,
    })
}

fn arb_rollout(kind: Option<StrategyType>) -> BoxedStrategy<Rollout> {
    let kind = match kind {
        Some(k) => Just(k).boxed(),
        // Progressive rollouts more often than not, as in practice; every type appears.
        None => prop_oneof![2 => select(&[StrategyType::Canary, StrategyType::Rolling][..]), 3 => select(StrategyType::ALL)].boxed(),
    };
    (kind, option::weighted(0.3, btree_set(1u32..100, 0..4)), 0u32..120, proptest::bool::weighted(0.2))
        .prop_map(|(kind, steps, bake_minutes, in_place)| {
            let steps = steps.map(|s| {
                let mut v: Vec<u32> = s.into_iter().collect();
                v.push(100);
                v
            });
            Rollout { kind, steps, bake_minutes, in_place }
        })
        .boxed()
}

/// An identity as someone might type it: `ann`, `Ann`, ` ANN `.
fn spelled(name: &'static str) -> impl Strategy<Value = String> {
    (0u8..4).prop_map(move |style| match style {
        0 | 1 => name.to_owned(),
        2 => {
            let mut c = name.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
        _ => format!(" {} ", name.to_uppercase()),
    })
}

/// Check statuses, mostly passed (as in real pipelines).
fn arb_status() -> impl Strategy<Value = CheckStatus> {
    prop_oneof![
        17 => Just(CheckStatus::Passed),
        1 => Just(CheckStatus::Failed),
        1 => Just(CheckStatus::Pending),
        1 => Just(CheckStatus::Skipped),
    ]
}

fn arb_approval() -> impl Strategy<Value = Approval> {
    (select(PEOPLE).prop_flat_map(spelled), select(ROLES), option::weighted(0.3, arb_time()))
        .prop_map(|(by, role, at)| Approval { by: by.into(), role: role.to_owned(), at })
}

/// A strategy for [`Change`]s, with builder methods to constrain it.
///
/// ```
/// use changeguard::input::{Category, StrategyType};
/// use changeguard::testing::ChangeStrategy;
///
/// let emergency_big_bang = ChangeStrategy::default()
///     .environment("production")
///     .category(Category::Emergency)
///     .strategy_type(StrategyType::AllAtOnce);
/// # let _ = emergency_big_bang;
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
#[allow(clippy::option_option, reason = "unconstrained, constrained to absent, constrained to a value")]
pub struct ChangeStrategy {
    environment: Option<String>,
    category: Option<Category>,
    strategy_type: Option<StrategyType>,
    services: Option<Vec<String>>,
    author: Option<String>,
    rollback: Option<Option<Rollback>>,
    migration: Option<Option<Migration>>,
    approvals: Option<Vec<Approval>>,
    checks: Option<BTreeMap<String, CheckStatus>>,
}

impl ChangeStrategy {
    /// Every change deploys to `environment`.
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self
    }

    /// Every change is of `category`.
    pub fn category(mut self, category: Category) -> Self {
        self.category = Some(category);
        self
    }

    /// Every change rolls out with `kind` (steps and bake time still vary).
    pub fn strategy_type(mut self, kind: StrategyType) -> Self {
        self.strategy_type = Some(kind);
        self
    }

    /// Changes deploy services among `names` (instead of [`SERVICES`]).
    pub fn services(mut self, names: &[&str]) -> Self {
        self.services = Some(names.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// Every change is authored by `author`.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = Some(author.into());
        self
    }

    /// No change has a rollback plan.
    pub fn without_rollback(mut self) -> Self {
        self.rollback = Some(None);
        self
    }

    /// Every change has exactly this rollback plan.
    pub fn rollback(mut self, rollback: Rollback) -> Self {
        self.rollback = Some(Some(rollback));
        self
    }

    /// Every change carries exactly this migration (or none).
    pub fn migration(mut self, migration: Option<Migration>) -> Self {
        self.migration = Some(migration);
        self
    }

    /// Every change carries exactly these approvals.
    pub fn approvals(mut self, approvals: Vec<Approval>) -> Self {
        self.approvals = Some(approvals);
        self
    }

    /// Every change reports exactly these checks.
    pub fn checks(mut self, checks: BTreeMap<String, CheckStatus>) -> Self {
        self.checks = Some(checks);
        self
    }

    /// The strategy, boxed.
    pub fn build(&self) -> BoxedStrategy<Change> {
        let c = self.clone();
        let mut names: Vec<String> =
            c.services.clone().unwrap_or_else(|| SERVICES.iter().map(|s| (*s).to_owned()).collect());
        if c.services.is_none() {
            names.push(UNKNOWN_SERVICE.to_owned());
        }
        let identity = (
            "CHG-[0-9]{1,5}",
            "[a-z ]{0,16}",
            c.category.map_or_else(|| select(Category::ALL).boxed(), |k| Just(k).boxed()),
            c.environment
                .clone()
                .map_or_else(|| select(ENVIRONMENTS).prop_map(str::to_owned).boxed(), |e| Just(e).boxed()),
            c.author
                .clone()
                .map_or_else(|| select(PEOPLE).prop_map(str::to_owned).boxed(), |a| Just(a).boxed()),
        );
        let rollout = (
            vec(arb_service_change(names), 1..4),
            arb_rollout(c.strategy_type),
            option::weighted(
                0.7,
                (0u64..60, 0u64..3000, 0u64..3000).prop_map(|(files, lines_added, lines_removed)| Size {
                    files,
                    lines_added,
                    lines_removed,
                }),
            ),
            c.rollback.map_or_else(
                || {
                    option::weighted(
                        0.8,
                        (proptest::bool::weighted(0.8), any::<bool>(), any::<bool>(), option::of(0u64..120))
                            .prop_map(|(plan, tested, automated, minutes)| Rollback {
                                plan,
                                tested,
                                automated,
                                minutes,
                            }),
                    )
                    .boxed()
                },
                |r| Just(r).boxed(),
            ),
            c.migration.map_or_else(
                || {
                    option::weighted(
                        0.25,
                        (any::<bool>(), any::<bool>()).prop_map(|(reversible, backward_compatible)| {
                            Migration { reversible, backward_compatible }
                        }),
                    )
                    .boxed()
                },
                |m| Just(m).boxed(),
            ),
        );
        let evidence = (
            c.approvals.map_or_else(|| vec(arb_approval(), 0..4).boxed(), |a| Just(a).boxed()),
            c.checks.map_or_else(
                || {
                    // Each usual check reported most of the time, mostly passed.
                    proptest::collection::vec((proptest::bool::weighted(0.85), arb_status()), CHECKS.len())
                        .prop_map(|reported| {
                            CHECKS
                                .iter()
                                .zip(reported)
                                .filter(|(_, (present, _))| *present)
                                .map(|(name, (_, status))| ((*name).to_owned(), status))
                                .collect::<BTreeMap<_, _>>()
                        })
                        .boxed()
                },
                |k| Just(k).boxed(),
            ),
            prop_oneof![
                1 => subsequence(vec!["dev".to_owned(), "qa".to_owned(), "staging".to_owned()], 0..=3),
                1 => Just(vec!["staging".to_owned()]),
            ],
            option::weighted(0.5, arb_time()),
            subsequence(REGIONS.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), 0..=2),
            btree_map("[a-z]{1,6}", "[a-z0-9]{0,6}", 0..3),
        );
        (identity, rollout, evidence).prop_map(assemble).boxed()
    }
}

/// Who made a change and where it goes: id, title, category, environment, author.
type Identification = (String, String, Category, String, String);
/// What a change deploys and how: services, strategy, size, rollback, migration.
type Deployment = (Vec<ServiceChange>, Rollout, Option<Size>, Option<Rollback>, Option<Migration>);
/// What a change brings as evidence: approvals, checks, environments tested in, schedule,
/// regions, labels.
type Evidence = (
    Vec<Approval>,
    BTreeMap<String, CheckStatus>,
    Vec<String>,
    Option<Timestamp>,
    Vec<String>,
    BTreeMap<String, String>,
);

/// A change from its generated parts (the title trimmed).
fn assemble(
    (
        (id, title, category, environment, author),
        (services, strategy, size, rollback, migration),
        (approvals, checks, tested_in, scheduled_at, regions, labels),
    ): (Identification, Deployment, Evidence),
) -> Change {
    Change {
        id,
        title: title.trim().to_owned(),
        category,
        environment,
        author: author.into(),
        services,
        strategy,
        size,
        rollback,
        migration,
        approvals,
        checks,
        tested_in,
        scheduled_at,
        regions,
        labels,
        attributes: serde_json::Map::new(),
    }
}

impl Strategy for ChangeStrategy {
    type Tree = Box<dyn ValueTree<Value = Change>>;
    type Value = Change;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.build().new_tree(runner)
    }
}

/// Valid, varied changes: every category, strategy type and step list, absent and present
/// optional parts, approvals by the author (any case and spacing) and by others in several
/// roles, checks in every state, every kind of version bump, and sometimes an unknown service.
pub fn arb_change() -> impl Strategy<Value = Change> {
    ChangeStrategy::default()
}

/// Valid topologies over [`SERVICES`]: tiers, teams, traffic shares and regions varied, hard and
/// soft dependencies, cycles, and sometimes no services at all.
pub fn arb_topology() -> impl Strategy<Value = Topology> {
    let services = subsequence(SERVICES.to_vec(), 0..=SERVICES.len()).prop_flat_map(|names| {
        let n = names.len();
        let attrs = vec(
            (
                option::of(0u32..4),
                option::of(select(TEAMS)),
                0u32..=100,
                subsequence(REGIONS.to_vec(), 0..=2),
            ),
            n,
        );
        let edges = vec((0..n.max(1), 0..n.max(1), proptest::bool::weighted(0.2)), 0..(n * 2 + 1));
        (Just(names), attrs, edges)
    });
    services.prop_map(|(names, attrs, edges)| {
        let services: Vec<Service> = names
            .iter()
            .zip(attrs)
            .map(|(name, (tier, team, share, regions))| Service {
                name: (*name).to_owned(),
                tier,
                team: team.map(str::to_owned),
                traffic_share: f64::from(share) / 100.0,
                regions: regions.into_iter().map(str::to_owned).collect(),
                tags: BTreeMap::new(),
            })
            .collect();
        let dependencies: Vec<Dependency> = edges
            .into_iter()
            .filter(|(a, b, _)| a != b)
            .filter_map(|(a, b, soft)| {
                let from = names.get(a)?;
                let to = names.get(b)?;
                let kind = if soft { DependencyKind::Soft } else { DependencyKind::Hard };
                Some(Dependency { from: (*from).to_owned(), to: (*to).to_owned(), kind })
            })
            .collect();
        Topology::new(&services, &dependencies).unwrap_or_default()
    })
}

/// Valid contexts: a time in the same weeks as generated changes, freezes that do and don't
/// cover them (some environment-specific, some exempting categories), error budgets (some
/// exhausted) and incidents on the services of [`SERVICES`].
pub fn arb_context() -> impl Strategy<Value = Context> {
    let freeze = (
        "[a-z]{3,10}",
        0..SPAN,
        3_600i64..(14 * 86_400),
        subsequence(vec!["production".to_owned(), "prod".to_owned(), "staging".to_owned()], 0..=2),
        subsequence(Category::ALL.to_vec(), 0..=2),
    )
        .prop_map(|(name, start, length, environments, exempt)| Freeze {
            name,
            start: timestamp(start),
            end: timestamp(start)
                .checked_add(crate::cel::Duration::new(length, 0).unwrap_or(crate::cel::Duration::ZERO))
                .unwrap_or_else(|_| timestamp(start)),
            environments,
            exempt,
        })
        .prop_filter("a freeze ends after it starts", |f| f.end > f.start);
    let incident = (
        "INC-[0-9]{3}",
        subsequence(SERVICES.to_vec(), 1..=2),
        select(&["sev1", "sev2", "sev3", "sev4"][..]),
    )
        .prop_map(|(id, services, severity)| Incident {
            id,
            services: services.into_iter().map(str::to_owned).collect(),
            severity: severity.to_owned(),
        });
    (
        arb_time(),
        vec(freeze, 0..3),
        btree_map(select(SERVICES).prop_map(str::to_owned), -50i32..=100, 0..4),
        vec(incident, 0..3),
    )
        .prop_map(|(now, freezes, budgets, incidents)| Context {
            now,
            freezes,
            error_budgets: budgets.into_iter().map(|(k, v)| (k, f64::from(v) / 100.0)).collect(),
            incidents,
            attributes: serde_json::Map::new(),
        })
}
