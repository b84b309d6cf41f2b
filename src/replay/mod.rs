//! Replay: decide recorded changes again with another policy, and compare two policies.
//!
//! Everything here is a pure function of its arguments: records and inputs come in as
//! iterators, reports come out, and nothing is read or written. A record is decided and counted
//! into a report by [`Replayer::replay_into`]; reports of consecutive runs of records
//! [merge](ReplayReport::merge) in input order into the report of all of them, so that a caller
//! may count runs in parallel, as `changeguard replay` does, and shards of a log on several
//! machines.
//!
#![doc = include_str!("../../docs/reference/replay.md")]

mod diff;
mod record;
mod render;
mod report;
#[cfg(feature = "proptest")]
mod search;

pub use diff::{Behaviour, Counterexample, DiffReport, Search, compare, compare_all};
pub use record::{
    Decision, DecisionRecord, PolicyRef, RECORD_FORMAT, RecordError, RecordErrorKind, topology_digest,
};
pub use report::{
    Churn, Example, Location, Malformed, MergeError, Mismatch, NAMED_LIMIT, PerOutcome, REPORT_FORMAT,
    ReplayReport, Replayed, Row, Tally, Transitions,
};

#[cfg(feature = "proptest")]
pub use search::{DEFAULT_INPUTS, search};

use crate::input::{Change, Context};
use crate::{Policy, Topology};

/// Decides records again with one policy over one topology.
#[derive(Clone, Debug)]
pub struct Replayer<'a> {
    policy: &'a Policy,
    topology: &'a Topology,
    topology_digest: String,
}

impl<'a> Replayer<'a> {
    /// A replayer with `policy` over `topology` (digested once, here).
    #[must_use]
    pub fn new(policy: &'a Policy, topology: &'a Topology) -> Replayer<'a> {
        Replayer { policy, topology, topology_digest: topology_digest(topology) }
    }

    /// The digest of the replay's topology.
    #[must_use]
    pub fn topology_digest(&self) -> &str {
        &self.topology_digest
    }

    /// An empty report for this replayer, keeping up to `max_examples` examples per transition.
    #[must_use]
    pub fn report(&self, max_examples: usize) -> ReplayReport {
        ReplayReport::new(PolicyRef::of(self.policy), self.topology_digest.clone(), max_examples)
    }

    /// Decides `record`'s change again, in its context, with the new policy: the old decision
    /// is the recorded one.
    #[must_use]
    pub fn decide(&self, record: DecisionRecord) -> Replayed {
        let new = Decision::of(&self.policy.assess(&record.change, self.topology, &record.context));
        let other_topology =
            (record.topology_digest != self.topology_digest).then_some(record.topology_digest);
        Replayed { change: record.change.id, old: record.decision, new, other_topology }
    }

    /// Decides `record`'s change again, as [`decide`](Replayer::decide) does, and counts it
    /// in `report` (one of this replayer's [reports](Replayer::report)) as found at `at`
    /// (copied only when the report keeps the record, as an example or a mismatch):
    /// what [`ReplayReport::add`] of the decision would count, made faster by deciding
    /// without the texts of an assessment. Only a record that becomes an example of its
    /// transition is assessed in full, for its new reasons.
    pub fn replay_into(&self, report: &mut ReplayReport, at: &Location, record: &DecisionRecord) {
        let (change, context) = (&record.change, &record.context);
        let verdict = self.policy.verdict(change, self.topology, context);
        let new = report::Side {
            outcome: verdict.outcome,
            score: verdict.score,
            factors: &verdict.factors,
            violations: &verdict.violations,
        };
        let other_topology =
            (record.topology_digest != self.topology_digest).then_some(record.topology_digest.as_str());
        report.count(at, &change.id, &record.decision, &new, other_topology, || {
            let assessment = self.policy.assess(change, self.topology, context);
            assessment.reasons.into_iter().map(|r| r.detail).collect()
        });
    }

    /// Decides a change in a context with `old` and with this replayer's policy, over the same
    /// topology: the exact comparison of two policies on one input.
    #[must_use]
    pub fn decide_both(&self, old: &Policy, change: &Change, context: &Context) -> Replayed {
        let before = Decision::of(&old.assess(change, self.topology, context));
        let after = Decision::of(&self.policy.assess(change, self.topology, context));
        Replayed { change: change.id.clone(), old: before, new: after, other_topology: None }
    }
}

/// Replays `records` (each with where it was found, or why it is not a record) with `policy`
/// over `topology`, in order, keeping up to `max_examples` examples per transition. Malformed
/// lines are counted and located in the report, never skipped silently.
#[must_use]
pub fn replay<I>(policy: &Policy, topology: &Topology, max_examples: usize, records: I) -> ReplayReport
where
    I: IntoIterator<Item = (Location, Result<DecisionRecord, RecordError>)>,
{
    let replayer = Replayer::new(policy, topology);
    let mut report = replayer.report(max_examples);
    for (at, record) in records {
        match record {
            Ok(record) => replayer.replay_into(&mut report, &at, &record),
            Err(e) => report.add_malformed(at, &e),
        }
    }
    report
}

/// Adds every record to `report`, decided by `decide`, and every malformed line.
fn count<I>(mut report: ReplayReport, records: I, decide: impl Fn(DecisionRecord) -> Replayed) -> ReplayReport
where
    I: IntoIterator<Item = (Location, Result<DecisionRecord, RecordError>)>,
{
    for (at, record) in records {
        match record {
            Ok(record) => report.add(at, decide(record)),
            Err(e) => report.add_malformed(at, &e),
        }
    }
    report
}
