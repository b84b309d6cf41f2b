//! Searching generated inputs for a counterexample, and shrinking it: deterministic for a
//! seed, with the acceptance of a precondition counted.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// What a test says of one generated input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trial {
    /// The input does not meet the precondition: it neither passes nor fails.
    Skip,
    /// The property holds for the input.
    Pass,
    /// The property does not hold: the input is a counterexample.
    Fail,
}

/// How many inputs to try, from which seed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchOptions {
    /// How many inputs are generated (skipped ones included).
    pub cases: u32,
    /// The seed: the same seed gives the same inputs, the same counterexample and the same
    /// shrinking.
    pub seed: u64,
    /// The most simplification steps tried while shrinking a counterexample.
    pub max_shrink_steps: u32,
}

impl Default for SearchOptions {
    /// 256 inputs from seed 0.
    fn default() -> Self {
        SearchOptions::new(256, 0)
    }
}

impl SearchOptions {
    /// `cases` inputs from `seed`, at most 4096 shrinking steps.
    #[must_use]
    pub fn new(cases: u32, seed: u64) -> Self {
        SearchOptions { cases, seed, max_shrink_steps: 4096 }
    }
}

/// What a search found.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct Search<T> {
    /// How many inputs were generated.
    pub tried: u32,
    /// How many of them met the precondition (were not skipped).
    pub accepted: u32,
    /// The first failing input, shrunk: every simplification proptest knows (fewer elements,
    /// smaller numbers, earlier choices) that still fails has been made.
    pub counterexample: Option<T>,
    /// How many shrinking steps made the counterexample simpler.
    pub shrinks: u32,
}

/// A proptest runner whose random numbers come from `seed` alone.
#[must_use]
pub fn seeded_runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    for (chunk, word) in
        bytes.chunks_mut(8).zip([seed, seed ^ 0x9E37_79B9_7F4A_7C15, !seed, seed.rotate_left(17)])
    {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let config = Config { failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Generates `options.cases` inputs from `strategy` and runs `test` on each until one fails,
/// then shrinks that one: a simpler input replaces it whenever `test` still says
/// [`Trial::Fail`] for it (a simplification that is skipped or passes is undone).
///
/// ```
/// use changeguard::testing::{Trial, SearchOptions, search};
///
/// // "Every number below 1000 is below 500" is false; the smallest counterexample is 500.
/// let found = search(&(0u32..1000), &SearchOptions::new(256, 7), |n| {
///     if *n < 500 { Trial::Pass } else { Trial::Fail }
/// });
/// assert_eq!(found.counterexample, Some(500));
/// ```
pub fn search<S: Strategy>(
    strategy: &S,
    options: &SearchOptions,
    mut test: impl FnMut(&S::Value) -> Trial,
) -> Search<S::Value> {
    let mut runner = seeded_runner(options.seed);
    let mut found = Search { tried: 0, accepted: 0, counterexample: None, shrinks: 0 };
    while found.tried < options.cases {
        let Ok(mut tree) = strategy.new_tree(&mut runner) else { break };
        found.tried += 1;
        match test(&tree.current()) {
            Trial::Skip => {}
            Trial::Pass => found.accepted += 1,
            Trial::Fail => {
                found.accepted += 1;
                let (value, shrinks) = shrink(&mut tree, options.max_shrink_steps, &mut test);
                found.counterexample = Some(value);
                found.shrinks = shrinks;
                break;
            }
        }
    }
    found
}

/// Shrinks a failing value tree: proptest's simplify/complicate walk, keeping the last value
/// that fails.
fn shrink<T: ValueTree>(
    tree: &mut T,
    max_steps: u32,
    test: &mut impl FnMut(&T::Value) -> Trial,
) -> (T::Value, u32) {
    let mut last = tree.current();
    let mut shrinks = 0;
    if !tree.simplify() {
        return (last, shrinks);
    }
    for _ in 0..max_steps {
        let current = tree.current();
        if test(&current) == Trial::Fail {
            last = current;
            shrinks += 1;
            if !tree.simplify() {
                break;
            }
        } else if !tree.complicate() {
            break;
        }
    }
    (last, shrinks)
}
