//! The behavioural diff over generated inputs: a seeded search with the strategies of
//! [`crate::testing`], each difference shrunk by proptest to a smallest change and context.

use proptest::strategy::{Strategy as _, ValueTree as _};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::Replayer;
use super::diff::{Behaviour, Counterexample, Search, compare};
use crate::input::{Change, Context};
use crate::testing::{ChangeStrategy, arb_context};
use crate::{Policy, Topology};

/// Inputs tried by default.
pub const DEFAULT_INPUTS: u64 = 2000;

/// Most shrinking steps spent on the example.
const MAX_SHRINK_STEPS: u32 = 4096;

/// Generates `inputs` changes and contexts from `seed` and decides each with `old` and `new`
/// over `topology`; the first input on which they differ (outcome, score, level, factors or
/// violations) is shrunk to a smallest one that still differs. The same seed gives the same
/// search. Finding nothing proves nothing: say "no difference found in N generated inputs".
#[must_use]
pub fn search(old: &Policy, new: &Policy, topology: &Topology, inputs: u64, seed: u64) -> Search {
    let replayer = Replayer::new(new, topology);
    let differs = |(change, context): &(Change, Context)| {
        let r = replayer.decide_both(old, change, context);
        (compare(&r.old, &r.new) != Behaviour::Same).then_some(r)
    };
    let strategy = (ChangeStrategy::default().build(), arb_context());
    let mut seed_bytes = [0u8; 32];
    for (slot, byte) in seed_bytes.iter_mut().zip(seed.to_le_bytes()) {
        *slot = byte;
    }
    let config = Config { failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let mut found = Search { inputs: 0, seed, differences: 0, example: None };
    for _ in 0..inputs {
        let Ok(mut tree) = strategy.new_tree(&mut runner) else { continue };
        found.inputs += 1;
        let case = tree.current();
        let Some(first) = differs(&case) else { continue };
        found.differences += 1;
        if found.example.is_some() {
            continue;
        }
        let mut best = (case, first);
        let mut steps = 0;
        if tree.simplify() {
            while steps < MAX_SHRINK_STEPS {
                steps += 1;
                let candidate = tree.current();
                if let Some(r) = differs(&candidate) {
                    best = (candidate, r);
                    if !tree.simplify() {
                        break;
                    }
                } else if !tree.complicate() {
                    break;
                }
            }
        }
        let ((change, context), decided) = best;
        found.example = Some(Counterexample::new(change, context, decided));
    }
    found
}
