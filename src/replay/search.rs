//! The behavioural diff over generated inputs: a seeded search over the policy-aware scenarios
//! of [`crate::testing`], drawn from what either policy talks about, the first difference shrunk
//! to a smallest change and context.

use super::diff::{Behaviour, Counterexample, Search, compare};
use crate::testing::{Scenario, SearchOptions, Trial, Vocabulary, scenarios};
use crate::{Policy, Topology};

/// Inputs tried by default.
pub const DEFAULT_INPUTS: u32 = 2000;

/// What both policies talk about: each list of `a` and `b`, without repeats, in order.
fn union(a: Vocabulary, b: Vocabulary) -> Vocabulary {
    fn join<T: PartialEq>(mut x: Vec<T>, y: Vec<T>) -> Vec<T> {
        for v in y {
            if !x.contains(&v) {
                x.push(v);
            }
        }
        x
    }
    Vocabulary {
        environments: join(a.environments, b.environments),
        roles: join(a.roles, b.roles),
        strings: join(a.strings, b.strings),
        ints: join(a.ints, b.ints),
        doubles: join(a.doubles, b.doubles),
        topology: a.topology.or(b.topology),
    }
}

/// Generates `inputs` scenarios from `seed`, drawn from the values either policy names
/// (environments, roles, constants) and deployed over `topology` when one is given (else the
/// policies' `[test_topology]`, else a generated one), and decides each with `old` and `new`.
/// The first on which the decisions differ (outcome, score, level, fired factors or violated
/// rules) is shrunk to a smallest change and context that still differ. The same seed gives
/// the same search. Finding nothing proves nothing: say "no difference found in N generated
/// inputs".
#[must_use]
pub fn search(old: &Policy, new: &Policy, topology: Option<&Topology>, inputs: u32, seed: u64) -> Search {
    let mut vocabulary = union(old.vocabulary(), new.vocabulary());
    if let Some(t) = topology {
        vocabulary.topology = Some(t.clone());
    }
    let differs = |s: &Scenario| {
        let before = super::Decision::of(&old.assess(&s.change, &s.topology, &s.context));
        let after = super::Decision::of(&new.assess(&s.change, &s.topology, &s.context));
        (before, after)
    };
    let found = crate::testing::search(&scenarios(&vocabulary), &SearchOptions::new(inputs, seed), |s| {
        let (before, after) = differs(s);
        if compare(&before, &after) == Behaviour::Same { Trial::Pass } else { Trial::Fail }
    });
    let example = found.counterexample.map(|s| {
        let (before, after) = differs(&s);
        Counterexample { change: s.change, context: s.context, old: before, new: after }
    });
    Search { inputs: u64::from(found.tried), seed, shrinks: u64::from(found.shrinks), example }
}
