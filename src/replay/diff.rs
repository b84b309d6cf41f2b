//! [`DiffReport`]: two policies compared, by their text (structural) and by their decisions
//! (behavioural) over recorded and generated inputs.

use serde::{Deserialize, Serialize};

use super::Replayer;
use super::record::{Decision, DecisionRecord, PolicyRef, RecordError};
use super::report::{Location, ReplayReport};
use crate::input::{Change, Context};
use crate::policy::StructuralChange;
use crate::{Policy, Topology};

/// Whether two decisions differ in what replay compares: outcome, score, level, fired factors
/// or violated rules (the wording of reasons aside).
#[must_use]
pub fn compare(old: &Decision, new: &Decision) -> Behaviour {
    if old.outcome != new.outcome {
        Behaviour::Outcome
    } else if old.violations != new.violations
        || old.factors != new.factors
        || old.score != new.score
        || old.level != new.level
    {
        Behaviour::Details
    } else {
        Behaviour::Same
    }
}

/// How two decisions about one input compare.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Same outcome, score, level, factors and violations.
    Same,
    /// Same outcome; the score, level, factors or violations differ.
    Details,
    /// Different outcomes.
    Outcome,
}

/// Decides the inputs of `records` with `old` and with `new` over `topology`: the exact
/// behavioural difference on recorded inputs (the recorded decisions play no part, nor do
/// topology digests). Malformed lines are counted as in [`replay`](super::replay).
#[must_use]
pub fn compare_all<I>(
    old: &Policy,
    new: &Policy,
    topology: &Topology,
    max_examples: usize,
    records: I,
) -> ReplayReport
where
    I: IntoIterator<Item = (Location, Result<DecisionRecord, RecordError>)>,
{
    let replayer = Replayer::new(new, topology);
    super::count(replayer.report(max_examples), records, |r| replayer.decide_both(old, &r.change, &r.context))
}

/// A smallest input found on which two policies decide differently.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counterexample {
    /// The change.
    pub change: Change,
    /// The context.
    pub context: Context,
    /// The old policy's decision.
    pub old: Decision,
    /// The new policy's decision.
    pub new: Decision,
}

/// The result of a search over generated inputs: how many were tried (up to and including the
/// first that decides differently), and that input shrunk. No difference found is not a proof
/// that there is none.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// Inputs generated and decided with both policies; the search stops at the first
    /// difference.
    pub inputs: u64,
    /// The seed of the generator.
    pub seed: u64,
    /// How many shrinking steps made the example simpler.
    pub shrinks: u64,
    /// The first difference found, shrunk to a smallest change and context.
    pub example: Option<Counterexample>,
}

/// Two policies compared.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffReport {
    /// The old policy.
    pub old: PolicyRef,
    /// The new policy.
    pub new: PolicyRef,
    /// [`Policy::structural_diff`].
    pub structural: Vec<StructuralChange>,
    /// Over recorded inputs, when records were given ([`compare_all`]).
    pub records: Option<ReplayReport>,
    /// Over generated inputs, when a search was run.
    pub generated: Option<Search>,
}

impl DiffReport {
    /// The structural part of the comparison of `old` and `new`; the behavioural parts are
    /// filled in by the caller.
    #[must_use]
    pub fn new(old: &Policy, new: &Policy) -> DiffReport {
        DiffReport {
            old: PolicyRef::of(old),
            new: PolicyRef::of(new),
            structural: old.structural_diff(new),
            records: None,
            generated: None,
        }
    }

    /// Whether anything differs: the text or a decision.
    #[must_use]
    pub fn differs(&self) -> bool {
        !self.structural.is_empty()
            || self.records.as_ref().is_some_and(|r| {
                r.transitions.cells().any(|(a, b, n)| a != b && n > 0)
                    || !r.rules.is_empty()
                    || !r.factors.is_empty()
            })
            || self.generated.as_ref().is_some_and(|g| g.example.is_some())
    }

    /// The report as pretty-printed JSON.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
