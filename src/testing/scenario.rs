//! Policy-aware generation: changes, contexts and topologies drawn from what a policy talks
//! about (its [`Vocabulary`]), mixed with the usual pools and with random values.

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::strategy::{BoxedStrategy, Union};

use super::{
    CHECKS, ENVIRONMENTS, PEOPLE, REGIONS, ROLES, SERVICES, UNKNOWN_SERVICE, arb_rollout, arb_status,
    arb_time, arb_topology, arb_versions, spelled,
};
use crate::cel::{Duration, Timestamp};
use crate::input::{
    Approval, Category, Change, ChangeKind, CheckStatus, Context, Freeze, Incident, Migration, Rollback,
    ServiceChange, Size,
};
use crate::topology::Topology;

/// What a policy talks about: the values generated inputs are drawn from, so that they meet
/// the policy's decisions. Build it with [`Policy::vocabulary`](crate::Policy::vocabulary), or
/// by hand from [`Vocabulary::default`].
#[non_exhaustive]
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// Declared environments and their aliases.
    pub environments: Vec<String>,
    /// Roles the policy names (approval roles, override roles).
    pub roles: Vec<String>,
    /// Every string constant of the policy's expressions and parameters.
    pub strings: Vec<String>,
    /// Every integer constant of the policy's expressions and parameters.
    pub ints: Vec<i64>,
    /// Every floating-point constant of the policy's expressions and parameters.
    pub doubles: Vec<f64>,
    /// The policy's `[test_topology]`: generated changes deploy its services. Without one, a
    /// topology over [`SERVICES`] is generated with each input.
    pub topology: Option<Topology>,
}

/// One generated input: a change, the context it is assessed in and the topology it deploys
/// over.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The change.
    pub change: Change,
    /// The context.
    pub context: Context,
    /// The topology.
    pub topology: Topology,
}

/// Random lower-case words of 1 to 8 letters (no regex compiled per case).
fn word() -> BoxedStrategy<String> {
    vec(select(&['a', 'e', 'i', 'o', 'r', 's', 't', 'n', 'x', '-'][..]), 1..8)
        .prop_map(|cs| {
            let w: String = cs.into_iter().collect();
            w.trim_matches('-').to_owned()
        })
        .prop_filter("not empty", |w| !w.is_empty())
        .boxed()
}

/// Draws from `primary` (the policy's own values for this place) most of the time, from
/// `other` (the policy's other strings) and `usual` (the generic pools) sometimes, and a random
/// word rarely. Shrinks towards the policy's values.
fn pool(primary: &[String], other: &[String], usual: &[&'static str], words: u32) -> BoxedStrategy<String> {
    // Blank text is no valid name: such constants are left out.
    let valid =
        |v: &[String]| -> Vec<String> { v.iter().filter(|s| !s.trim().is_empty()).cloned().collect() };
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = Vec::new();
    for (weight, values) in [(6, valid(primary)), (2, valid(other))] {
        if !values.is_empty() {
            arms.push((weight, select(values).boxed()));
        }
    }
    if !usual.is_empty() {
        arms.push((3, select(usual.to_vec()).prop_map(str::to_owned).boxed()));
    }
    arms.push((words, word()));
    Union::new_weighted(arms).boxed()
}

/// Numbers in `range`, half of the time next to a constant of the policy (one below, equal,
/// one above), so that comparisons with those constants are exercised on both sides.
fn number(ints: &[i64], range: std::ops::Range<u64>) -> BoxedStrategy<u64> {
    let near: Vec<u64> = ints
        .iter()
        .flat_map(|&n| [n.saturating_sub(1), n, n.saturating_add(1)])
        .filter_map(|n| u64::try_from(n).ok())
        .filter(|n| *n <= range.end.saturating_mul(100))
        .collect();
    if near.is_empty() { range.boxed() } else { prop_oneof![1 => range, 1 => select(near)].boxed() }
}

/// Fractions (error budgets) from -0.5 to 1, half of the time at or next to a constant.
fn fraction(doubles: &[f64]) -> BoxedStrategy<f64> {
    let random = (-50i32..=100).prop_map(|p| f64::from(p) / 100.0);
    let near: Vec<f64> =
        doubles.iter().filter(|d| (-1.0..=1.0).contains(*d)).flat_map(|&d| [d - 0.01, d, d + 0.01]).collect();
    if near.is_empty() { random.boxed() } else { prop_oneof![1 => random, 1 => select(near)].boxed() }
}

/// The pools a scenario is drawn from, built once from a vocabulary.
struct Pools {
    environments: BoxedStrategy<String>,
    roles: BoxedStrategy<String>,
    checks: BoxedStrategy<String>,
    strings: BoxedStrategy<String>,
    services: Vec<String>,
    ints: Vec<i64>,
    doubles: Vec<f64>,
}

impl Pools {
    fn new(v: &Vocabulary) -> Pools {
        let mut services: Vec<String> = match &v.topology {
            Some(t) => t.services().map(|s| s.name().to_owned()).collect(),
            None => SERVICES.iter().map(|s| (*s).to_owned()).collect(),
        };
        services.push(UNKNOWN_SERVICE.to_owned());
        Pools {
            environments: pool(&v.environments, &[], ENVIRONMENTS, 1),
            roles: pool(&v.roles, &v.strings, ROLES, 1),
            checks: pool(&v.strings, &[], CHECKS, 1),
            strings: pool(&v.strings, &[], &[], 2),
            services,
            ints: v.ints.clone(),
            doubles: v.doubles.clone(),
        }
    }

    fn service(&self) -> BoxedStrategy<ServiceChange> {
        let kinds = prop_oneof![
            3 => Just(vec![ChangeKind::Code]),
            2 => subsequence(ChangeKind::ALL.to_vec(), 1..=3),
        ];
        (select(self.services.clone()), arb_versions(), kinds)
            .prop_map(|(name, (from, to), kinds)| ServiceChange { name, from, to, kinds })
            .boxed()
    }

    fn approval(&self) -> BoxedStrategy<Approval> {
        (select(PEOPLE).prop_flat_map(spelled), self.roles.clone(), option::weighted(0.3, arb_time()))
            .prop_map(|(by, role, at)| Approval { by: by.into(), role, at })
            .boxed()
    }

    fn size(&self) -> BoxedStrategy<Option<Size>> {
        let n = |r| number(&self.ints, r);
        option::weighted(0.7, (n(0..60), n(0..3000), n(0..3000)))
            .prop_map(|s| {
                s.map(|(files, lines_added, lines_removed)| Size { files, lines_added, lines_removed })
            })
            .boxed()
    }

    fn rollback(&self) -> BoxedStrategy<Option<Rollback>> {
        let parts = (
            proptest::bool::weighted(0.8),
            any::<bool>(),
            any::<bool>(),
            option::of(number(&self.ints, 0..120)),
        );
        option::weighted(
            0.8,
            parts.prop_map(|(plan, tested, automated, minutes)| Rollback {
                plan,
                tested,
                automated,
                minutes,
            }),
        )
        .boxed()
    }

    fn checks(&self) -> BoxedStrategy<BTreeMap<String, CheckStatus>> {
        vec((self.checks.clone(), arb_status()), 0..8).prop_map(|v| v.into_iter().collect()).boxed()
    }

    fn change(&self) -> BoxedStrategy<Change> {
        let who = (
            (0u32..10_000).prop_map(|n| format!("CHG-{n}")),
            self.strings.clone(),
            select(Category::ALL),
            self.environments.clone(),
            select(PEOPLE).prop_map(str::to_owned),
        );
        let what = (
            vec(self.service(), 1..4),
            arb_rollout(None),
            self.size(),
            self.rollback(),
            option::weighted(
                0.25,
                (any::<bool>(), any::<bool>()).prop_map(|(reversible, backward_compatible)| Migration {
                    reversible,
                    backward_compatible,
                }),
            ),
        );
        let evidence = (
            vec(self.approval(), 0..5),
            self.checks(),
            vec(self.environments.clone(), 0..3),
            option::weighted(0.5, arb_time()),
            subsequence(REGIONS.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), 0..=2),
            btree_map(self.strings.clone(), self.strings.clone(), 0..3),
        );
        (who, what, evidence).prop_map(super::assemble).boxed()
    }

    fn context(&self) -> BoxedStrategy<Context> {
        // Freezes around `now`: from a week before it to three days after, one hour to two
        // weeks long, so that about half of them hold a change back.
        let freeze = (
            self.strings.clone(),
            -7 * 86_400i64..3 * 86_400,
            3_600i64..(14 * 86_400),
            vec(self.environments.clone(), 0..2),
            subsequence(Category::ALL.to_vec(), 0..=1),
        );
        let incident = (
            (0u32..1000).prop_map(|n| format!("INC-{n}")),
            vec(select(self.services.clone()), 0..3),
            prop_oneof![
                3 => select(&["sev1", "sev2", "sev3", "sev4"][..]).prop_map(str::to_owned),
                1 => self.strings.clone(),
            ],
        )
            .prop_map(|(id, services, severity)| Incident { id, services, severity });
        (
            arb_time(),
            vec(freeze, 0..3),
            btree_map(select(self.services.clone()), fraction(&self.doubles), 0..4),
            vec(incident, 0..3),
        )
            .prop_map(|(now, freezes, error_budgets, incidents)| Context {
                now,
                freezes: freezes
                    .into_iter()
                    .map(|(name, start, length, environments, exempt)| {
                        let start = shifted(now, start);
                        Freeze { name, start, end: shifted(start, length), environments, exempt }
                    })
                    .collect(),
                error_budgets,
                incidents,
                attributes: serde_json::Map::new(),
            })
            .boxed()
    }
}

fn shifted(t: Timestamp, seconds: i64) -> Timestamp {
    Duration::new(seconds, 0).ok().and_then(|d| t.checked_add(d).ok()).unwrap_or(t)
}

/// Approvals by the usual people (spelled in several ways, the author among them) in the
/// roles of `vocabulary` (mostly) and the usual roles: what
/// `assessment_with_approval` adds in a property.
pub fn approvals(vocabulary: &Vocabulary) -> BoxedStrategy<Approval> {
    Pools::new(vocabulary).approval()
}

/// Scenarios drawn from `vocabulary`: environments (declared names and aliases), roles, check
/// names and strings of the policy, numbers next to its constants, the services of its test
/// topology, mixed with the usual pools of this module and random words. Shrinking removes
/// services (down to one), approvals, checks, freezes, incidents, error budgets and labels,
/// and moves values towards the policy's own.
pub fn scenarios(vocabulary: &Vocabulary) -> BoxedStrategy<Scenario> {
    let pools = Pools::new(vocabulary);
    let topology = match &vocabulary.topology {
        Some(t) => Just(t.clone()).boxed(),
        None => arb_topology().boxed(),
    };
    (pools.change(), pools.context(), topology)
        .prop_map(|(change, context, topology)| Scenario { change, context, topology })
        .boxed()
}
