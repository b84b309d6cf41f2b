//! [`DecisionRecord`]: one decision as a line of JSON, with the inputs that made it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Limits;
use crate::cel::Timestamp;
use crate::document::line::{self, LineFault};
use crate::input::{Change, Context};
use crate::policy::{Assessment, Outcome, Policy, Reason, RiskLevel};

/// The version of the record format this crate writes and reads.
pub const RECORD_FORMAT: u32 = 1;

/// One decision, with everything needed to make it again: the policy that made it (name,
/// version, digest of its text), the change and context as read, the digest of the topology,
/// and the decision itself. Written one per line by `changeguard assess --record` (see
/// [Decision records](crate::replay#decision-records)); a service that embeds the crate logs
/// the same lines with [`DecisionRecord::to_json_line`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    /// The record format, [`RECORD_FORMAT`].
    pub format: u32,
    /// When the decision was made (by the caller's clock; the library reads none).
    pub recorded_at: Timestamp,
    /// The policy that decided.
    pub policy: PolicyRef,
    /// The digest of the topology the change was assessed over ([`topology_digest`]).
    pub topology_digest: String,
    /// The change, as read.
    pub change: Change,
    /// The context, as read.
    pub context: Context,
    /// What was decided.
    pub decision: Decision,
}

/// Which policy: its name, version and the digest of its text.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    /// The policy's name.
    pub name: String,
    /// The policy's version.
    pub version: String,
    /// [`Policy::digest`].
    pub digest: String,
}

impl PolicyRef {
    /// The reference of `policy`.
    #[must_use]
    pub fn of(policy: &Policy) -> PolicyRef {
        PolicyRef {
            name: policy.name().to_owned(),
            version: policy.version().to_string(),
            digest: policy.digest().to_owned(),
        }
    }
}

/// The decision part of an assessment: what replay compares.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The outcome.
    pub outcome: Outcome,
    /// The risk score, 0 to 100.
    pub score: i64,
    /// The risk level.
    pub level: RiskLevel,
    /// The ids of the factors that fired, in policy order.
    pub factors: Vec<String>,
    /// The ids of the violated rules that count (not dry-run), in policy order.
    pub violations: Vec<String>,
    /// The reasons for the outcome.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// The decision part of `assessment`.
    #[must_use]
    pub fn of(assessment: &Assessment) -> Decision {
        Decision {
            outcome: assessment.outcome,
            score: assessment.risk.score,
            level: assessment.risk.level,
            factors: assessment.risk.factors.iter().map(|f| f.id.to_string()).collect(),
            violations: assessment.violated_rules().map(str::to_owned).collect(),
            reasons: assessment.reasons.clone(),
        }
    }
}

/// The digest of a compiled topology, `sha256:` and hex: what records name the topology by.
///
/// Taken over the topology's content in name order (services with their tier, team, traffic
/// share, regions and tags; dependencies with their kind), so the order and layout of the
/// document play no part. The empty topology (no `--topology`) has a digest too.
#[must_use]
pub fn topology_digest(topology: &crate::Topology) -> String {
    let mut d = crate::digest::Fields::new();
    for s in topology.services() {
        d.field(b"service").field(s.name().as_bytes());
        d.field(&s.tier().map_or(-1, i64::from).to_le_bytes());
        d.field(s.team().unwrap_or("").as_bytes());
        d.field(&s.traffic_share().to_bits().to_le_bytes());
        for r in s.regions() {
            d.field(b"region").field(r.as_bytes());
        }
        for (k, v) in s.tags() {
            d.field(b"tag").field(k.as_bytes()).field(v.as_bytes());
        }
    }
    for dep in topology.dependencies() {
        let kind: &[u8] = match dep.kind {
            crate::DependencyKind::Hard => b"hard",
            crate::DependencyKind::Soft => b"soft",
        };
        d.field(b"dependency").field(dep.from.as_bytes()).field(dep.to.as_bytes()).field(kind);
    }
    d.finish()
}

impl DecisionRecord {
    /// The record of `assessment`, made by `policy` for `change` in `context` over the topology
    /// whose digest is `topology_digest` ([`topology_digest`], computed once per topology),
    /// at `recorded_at`.
    #[must_use]
    pub fn new(
        policy: &Policy,
        topology_digest: impl Into<String>,
        change: Change,
        context: Context,
        assessment: &Assessment,
        recorded_at: Timestamp,
    ) -> DecisionRecord {
        DecisionRecord {
            format: RECORD_FORMAT,
            recorded_at,
            policy: PolicyRef::of(policy),
            topology_digest: topology_digest.into(),
            change,
            context,
            decision: Decision::of(assessment),
        }
    }

    /// The record as one line of JSON, without the newline.
    #[must_use]
    pub fn to_json_line(&self) -> String {
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a record from one line of JSON (a trailing `\r` is allowed): the format version
    /// first, then the record, then the change's and the context's validation rules, so that
    /// replay decides on exactly the inputs the original assessment saw.
    ///
    /// # Errors
    ///
    /// A [`RecordError`] whose [kind](RecordError::kind) says whether the line is too long
    /// (over [`Limits::max_document_bytes`]), cut short, not JSON, of an unknown format
    /// version, or not a valid record.
    pub fn from_json_line(text: &str, limits: &Limits) -> Result<DecisionRecord, RecordError> {
        let text = text.strip_suffix('\r').unwrap_or(text);
        if text.len() > limits.max_document_bytes {
            return Err(RecordError::new(
                RecordErrorKind::TooLong,
                format!(
                    "line of {} bytes > {} (`max_document_bytes`)",
                    text.len(),
                    limits.max_document_bytes
                ),
            ));
        }
        let record = match line::json_value::<DecisionRecord>(text) {
            Ok(record) => record,
            Err(problem) => {
                let kind = match problem.fault {
                    LineFault::Truncated => RecordErrorKind::Truncated,
                    LineFault::Syntax => RecordErrorKind::NotJson,
                    LineFault::Shape => match line::json_value::<FormatProbe>(text) {
                        Ok(FormatProbe { format: Some(v) }) if v != u64::from(RECORD_FORMAT) => {
                            return Err(unknown_format(v));
                        }
                        _ => RecordErrorKind::Invalid,
                    },
                };
                return Err(RecordError::new(kind, problem.message));
            }
        };
        if record.format != RECORD_FORMAT {
            return Err(unknown_format(u64::from(record.format)));
        }
        for (what, result) in [("change", record.change.validate()), ("context", record.context.validate())] {
            if let Err(diags) = result {
                let first = diags.errors().next();
                let message = first.map_or_else(String::new, |d| match d.path() {
                    Some(path) => format!("`{what}.{path}`: {}", d.message()),
                    None => format!("`{what}`: {}", d.message()),
                });
                return Err(RecordError::new(RecordErrorKind::Invalid, message));
            }
        }
        Ok(record)
    }
}

fn unknown_format(v: u64) -> RecordError {
    RecordError::new(
        RecordErrorKind::UnknownFormat,
        format!("unknown record format `{v}`; this version reads format {RECORD_FORMAT}"),
    )
}

/// Only the format version of a line, whatever else it holds.
#[derive(Deserialize)]
struct FormatProbe {
    format: Option<u64>,
}

/// Why a line is not a decision record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    kind: RecordErrorKind,
    message: String,
}

/// The kinds of [`RecordError`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordErrorKind {
    /// Longer than the limit on one line.
    TooLong,
    /// The line ends inside a JSON value.
    Truncated,
    /// Not JSON.
    NotJson,
    /// A `format` this version does not read.
    UnknownFormat,
    /// JSON, but not a valid record (a missing or wrongly typed field, an invalid change or
    /// context).
    Invalid,
}

impl RecordErrorKind {
    /// The kind as written in reports (`truncated`, `not_json`…).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RecordErrorKind::TooLong => "too_long",
            RecordErrorKind::Truncated => "truncated",
            RecordErrorKind::NotJson => "not_json",
            RecordErrorKind::UnknownFormat => "unknown_format",
            RecordErrorKind::Invalid => "invalid",
        }
    }
}

impl RecordError {
    /// An error of `kind` saying `message`.
    #[must_use]
    pub fn new(kind: RecordErrorKind, message: impl Into<String>) -> RecordError {
        RecordError { kind, message: message.into() }
    }

    /// What kind of problem.
    #[must_use]
    pub fn kind(&self) -> RecordErrorKind {
        self.kind
    }

    /// The message (lowercase, user input in backticks).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RecordError {}
