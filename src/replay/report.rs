//! [`ReplayReport`]: what a policy change does to a set of decisions, and how two reports of
//! disjoint sets merge into the report of their union.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::record::{Decision, PolicyRef, RecordError, RecordErrorKind};
use crate::policy::Outcome;

/// The version of the report format.
pub const REPORT_FORMAT: u32 = 1;

/// How many records of one kind a report names (topology mismatches, malformed lines); the
/// rest are counted.
pub const NAMED_LIMIT: usize = 100;

/// Where a record is: its source (a file name, `-` for standard input) and its line, from 1.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The file, or whatever names the stream (shared by every record of the stream).
    pub source: Arc<str>,
    /// The line, from 1.
    pub line: u64,
}

impl Location {
    /// Line `line` of `source`.
    #[must_use]
    pub fn new(source: impl Into<Arc<str>>, line: u64) -> Location {
        Location { source: source.into(), line }
    }
}

/// One value per outcome: a row of the transition matrix ([`Row`], counts per new outcome) and
/// the matrix itself ([`Transitions`], rows per old outcome). Serializes as an object keyed by
/// the outcomes' names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerOutcome<T> {
    /// For `allow`.
    pub allow: T,
    /// For `needs_approval`.
    pub needs_approval: T,
    /// For `deny`.
    pub deny: T,
}

/// How many records went from one old outcome to each new one.
pub type Row = PerOutcome<u64>;

/// The 3 × 3 matrix of outcomes: old outcome (the outer key), then new outcome, then the count.
pub type Transitions = PerOutcome<Row>;

impl<T> PerOutcome<T> {
    fn slot(&mut self, outcome: Outcome) -> &mut T {
        match outcome {
            Outcome::Allow => &mut self.allow,
            Outcome::NeedsApproval => &mut self.needs_approval,
            Outcome::Deny => &mut self.deny,
        }
    }
}

impl<T: Copy> PerOutcome<T> {
    /// The value for `outcome`.
    #[must_use]
    pub fn get(&self, outcome: Outcome) -> T {
        let mut copy = *self;
        *copy.slot(outcome)
    }
}

impl Transitions {
    /// How many records went from `from` to `to`.
    #[must_use]
    pub fn count(&self, from: Outcome, to: Outcome) -> u64 {
        self.get(from).get(to)
    }

    /// Counts one record.
    pub fn add(&mut self, from: Outcome, to: Outcome) {
        *self.slot(from).slot(to) += 1;
    }

    /// Records whose new outcome is more permissive than the old one.
    #[must_use]
    pub fn relaxed(&self) -> u64 {
        self.cells().filter(|(from, to, _)| to < from).map(|(.., n)| n).sum()
    }

    /// Records whose new outcome is stricter than the old one.
    #[must_use]
    pub fn tightened(&self) -> u64 {
        self.cells().filter(|(from, to, _)| to > from).map(|(.., n)| n).sum()
    }

    /// Every cell: old outcome, new outcome, count.
    pub fn cells(&self) -> impl Iterator<Item = (Outcome, Outcome, u64)> + '_ {
        Outcome::ALL
            .iter()
            .flat_map(move |&from| Outcome::ALL.iter().map(move |&to| (from, to, self.count(from, to))))
    }

    fn merge(&mut self, other: &Transitions) {
        for (from, to, n) in other.cells() {
            *self.slot(from).slot(to) += n;
        }
    }
}

/// How a rule's violations or a factor's firings moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Churn {
    /// Records in which it is violated (fires) under the new policy and was not under the old.
    pub newly: u64,
    /// Records in which it was violated (fired) under the old policy and is not under the new.
    pub no_longer: u64,
}

/// A record whose outcome changed, as an example.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Where the record is.
    pub at: Location,
    /// The change's id.
    pub change: String,
    /// The old outcome.
    pub from: Outcome,
    /// The new outcome.
    pub to: Outcome,
    /// The old reasons, one sentence each.
    pub old_reasons: Vec<String>,
    /// The new reasons.
    pub new_reasons: Vec<String>,
}

/// A record assessed over another topology than the one given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mismatch {
    /// Where the record is.
    pub at: Location,
    /// The change's id.
    pub change: String,
    /// The digest the record names.
    pub topology_digest: String,
}

/// A line that is not a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Malformed {
    /// Where the line is.
    pub at: Location,
    /// What kind of problem.
    pub kind: RecordErrorKind,
    /// What is wrong.
    pub message: String,
}

/// A count, with the first [`NAMED_LIMIT`] items named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally<T> {
    /// How many.
    pub count: u64,
    /// The first of them, in input order.
    pub named: Vec<T>,
}

impl<T> Default for Tally<T> {
    fn default() -> Self {
        Tally { count: 0, named: Vec::new() }
    }
}

impl<T> Tally<T> {
    fn add(&mut self, item: T) {
        self.count += 1;
        if self.named.len() < NAMED_LIMIT {
            self.named.push(item);
        }
    }

    fn merge(&mut self, other: Tally<T>) {
        self.count += other.count;
        let room = NAMED_LIMIT.saturating_sub(self.named.len());
        self.named.extend(other.named.into_iter().take(room));
    }
}

/// One record decided twice: the old decision (recorded, or made by the old policy) and the
/// new one. Made by [`Replayer::decide`](super::Replayer::decide), counted by
/// [`ReplayReport::add`]. Deciding is the costly part and can run in parallel; counting is
/// cheap and keeps input order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replayed {
    /// The change's id.
    pub change: String,
    /// The old decision.
    pub old: Decision,
    /// The new decision.
    pub new: Decision,
    /// The topology digest the record names, when it differs from the replay's.
    pub other_topology: Option<String>,
}

/// What a new policy does to a set of decisions. Serializes to the JSON of [The replay
/// report](crate::replay#the-replay-report); reports of disjoint sets of records
/// [merge](ReplayReport::merge) into the report of their union.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayReport {
    /// [`REPORT_FORMAT`].
    pub format: u32,
    /// The policy the records were decided again with.
    pub policy: PolicyRef,
    /// The digest of the topology they were decided over.
    pub topology_digest: String,
    /// The most examples kept per transition.
    pub max_examples: usize,
    /// Records decided again.
    pub records: u64,
    /// Old outcome → new outcome.
    pub transitions: Transitions,
    /// Per rule that moved: newly violated, no longer violated.
    pub rules: BTreeMap<String, Churn>,
    /// Per factor that moved: newly fired, no longer fired.
    pub factors: BTreeMap<String, Churn>,
    /// New score minus old score → how many records (every record counts, shift 0 included).
    pub score_shifts: BTreeMap<i64, u64>,
    /// Up to `max_examples` records per changed transition, in input order.
    pub examples: Vec<Example>,
    /// Records assessed over another topology.
    pub topology_mismatches: Tally<Mismatch>,
    /// Lines that are not records: counted, located, and not decided.
    pub malformed: Tally<Malformed>,
}

/// Why two reports do not merge.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// They replay different policies.
    #[error("the reports replay different policies: `{0}` and `{1}`")]
    Policy(String, String),
    /// They replay over different topologies.
    #[error("the reports replay over different topologies: `{0}` and `{1}`")]
    Topology(String, String),
    /// They keep a different number of examples.
    #[error("the reports keep different numbers of examples: {0} and {1}")]
    Examples(usize, usize),
    /// A format this version does not read.
    #[error("unknown report format `{0}`; this version reads format {REPORT_FORMAT}")]
    Format(u32),
}

impl ReplayReport {
    /// An empty report of replays with the policy `policy` over the topology `topology_digest`,
    /// keeping up to `max_examples` examples per transition.
    #[must_use]
    pub fn new(policy: PolicyRef, topology_digest: impl Into<String>, max_examples: usize) -> ReplayReport {
        ReplayReport {
            format: REPORT_FORMAT,
            policy,
            topology_digest: topology_digest.into(),
            max_examples,
            records: 0,
            transitions: Transitions::default(),
            rules: BTreeMap::new(),
            factors: BTreeMap::new(),
            score_shifts: BTreeMap::new(),
            examples: Vec::new(),
            topology_mismatches: Tally::default(),
            malformed: Tally::default(),
        }
    }

    /// Counts one record decided twice, found at `at`.
    #[allow(clippy::needless_pass_by_value, reason = "a decided record is counted once, and given up")]
    pub fn add(&mut self, at: Location, r: Replayed) {
        let new = Side::of(&r.new);
        self.count(&at, &r.change, &r.old, &new, r.other_topology.as_deref(), || sentences(&r.new));
    }

    /// Counts the record of change `change` found at `at`, decided `old` and then `new`, over
    /// the topology `other_topology` names when it is not the report's. The new reasons are
    /// asked for, and `at` copied, only when the record is kept (as an example or a mismatch).
    pub(crate) fn count<F: AsRef<str>, V: AsRef<str>>(
        &mut self,
        at: &Location,
        change: &str,
        old: &Decision,
        new: &Side<'_, F, V>,
        other_topology: Option<&str>,
        new_reasons: impl FnOnce() -> Vec<String>,
    ) {
        self.records += 1;
        let (from, to) = (old.outcome, new.outcome);
        self.transitions.add(from, to);
        churn(&mut self.rules, &old.violations, new.violations);
        churn(&mut self.factors, &old.factors, new.factors);
        *self.score_shifts.entry(new.score.saturating_sub(old.score)).or_insert(0) += 1;
        if let Some(digest) = other_topology {
            self.topology_mismatches.add(Mismatch {
                at: at.clone(),
                change: change.to_owned(),
                topology_digest: digest.to_owned(),
            });
        }
        if from != to && self.example_count(from, to) < self.max_examples {
            self.examples.push(Example {
                at: at.clone(),
                change: change.to_owned(),
                from,
                to,
                old_reasons: sentences(old),
                new_reasons: new_reasons(),
            });
        }
    }

    /// Counts a line that is not a record.
    pub fn add_malformed(&mut self, at: Location, error: &RecordError) {
        self.malformed.add(Malformed { at, kind: error.kind(), message: error.message().to_owned() });
    }

    fn example_count(&self, from: Outcome, to: Outcome) -> usize {
        self.examples.iter().filter(|e| e.from == from && e.to == to).count()
    }

    /// Adds `other`, the report of records that come after this report's: the result is the
    /// report of both sets, as if replayed in one run (examples and named items are the first
    /// ones of `self`, then of `other`).
    ///
    /// # Errors
    ///
    /// When the reports replay different policies (by digest) or topologies, keep different
    /// numbers of examples, or `other` is of an unknown format; `self` is then unchanged.
    pub fn merge(&mut self, other: ReplayReport) -> Result<(), MergeError> {
        if other.format != REPORT_FORMAT {
            return Err(MergeError::Format(other.format));
        }
        if other.policy.digest != self.policy.digest {
            return Err(MergeError::Policy(self.policy.digest.clone(), other.policy.digest));
        }
        if other.topology_digest != self.topology_digest {
            return Err(MergeError::Topology(self.topology_digest.clone(), other.topology_digest));
        }
        if other.max_examples != self.max_examples {
            return Err(MergeError::Examples(self.max_examples, other.max_examples));
        }
        self.records += other.records;
        self.transitions.merge(&other.transitions);
        for (map, theirs) in [(&mut self.rules, other.rules), (&mut self.factors, other.factors)] {
            for (id, c) in theirs {
                let mine = map.entry(id).or_default();
                mine.newly += c.newly;
                mine.no_longer += c.no_longer;
            }
        }
        for (shift, n) in other.score_shifts {
            *self.score_shifts.entry(shift).or_insert(0) += n;
        }
        for e in other.examples {
            if self.example_count(e.from, e.to) < self.max_examples {
                self.examples.push(e);
            }
        }
        self.topology_mismatches.merge(other.topology_mismatches);
        self.malformed.merge(other.malformed);
        Ok(())
    }

    /// Records whose outcome became more permissive.
    #[must_use]
    pub fn relaxed(&self) -> u64 {
        self.transitions.relaxed()
    }

    /// Records whose outcome became stricter.
    #[must_use]
    pub fn tightened(&self) -> u64 {
        self.transitions.tightened()
    }

    /// The report as pretty-printed JSON.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a report from its JSON text.
    ///
    /// # Errors
    ///
    /// A message saying why the text is not a report.
    pub fn from_json(text: &str) -> Result<ReplayReport, String> {
        crate::document::line::json_value(text).map_err(|p| p.message)
    }
}

/// What a report counts of a new decision: outcome, score, and the ids of the fired factors
/// and of the counted violations (as [`Decision`] has them, or borrowed from the policy).
pub(crate) struct Side<'d, F, V> {
    pub(crate) outcome: Outcome,
    pub(crate) score: i64,
    pub(crate) factors: &'d [F],
    pub(crate) violations: &'d [V],
}

impl Side<'_, String, String> {
    fn of(d: &Decision) -> Side<'_, String, String> {
        Side { outcome: d.outcome, score: d.score, factors: &d.factors, violations: &d.violations }
    }
}

/// The sentences of a decision's reasons.
fn sentences(d: &Decision) -> Vec<String> {
    d.reasons.iter().map(|r| r.detail.clone()).collect()
}

/// Counts, per id, those in `new` and not `old` and those in `old` and not `new`. Ids come in
/// policy order and are few, so a linear search beats a set.
fn churn<N: AsRef<str>>(map: &mut BTreeMap<String, Churn>, old: &[String], new: &[N]) {
    for id in new.iter().map(AsRef::as_ref).filter(|id| !old.iter().any(|o| o == id)) {
        map.entry(id.to_owned()).or_default().newly += 1;
    }
    for id in old.iter().filter(|id| !new.iter().any(|n| n.as_ref() == id.as_str())) {
        map.entry(id.clone()).or_default().no_longer += 1;
    }
}
