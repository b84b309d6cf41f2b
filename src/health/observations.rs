//! The observations document: metric samples from the canary and its baseline at one step of
//! a rollout.
//!
//! ```json
//! { "change": "CHG-1", "step": 2, "elapsed_minutes": 30,
//!   "metrics": {
//!     "latency_p99_ms": { "baseline": [12.1, 13.0, 12.7], "canary": [12.4, 19.8, 13.1] },
//!     "errors": { "baseline": { "errors": 0, "total": 10000 },
//!                 "canary": { "errors": 8, "total": 1000 } } } }
//! ```
//!
//! Each side of a metric is either a list of numbers (a continuous metric) or an object with
//! `errors` and `total` (a count metric). A metric whose query failed is written `null` or
//! left out; an empty list means the query returned nothing. Both are "no data", which the
//! policy's `missing` setting turns into a decision; neither is ever success. Numbers must be
//! finite (JSON cannot spell NaN; values beyond `f64` are rejected), counts are non-negative
//! integers with `errors <= total`, and a metric name given twice is an error.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostics;
use crate::document::path::FieldPath;
use crate::document::{self, Document, Problem};
use crate::limits::Limits;

/// One side (canary or baseline) of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Side {
    /// Samples of a continuous metric.
    Samples(Vec<f64>),
    /// Events out of a total.
    Counts {
        /// The events (errors).
        errors: u64,
        /// The trials (requests).
        total: u64,
    },
}

impl Side {
    /// How many samples or trials this side holds.
    #[must_use]
    pub fn size(&self) -> u64 {
        match self {
            Side::Samples(v) => v.len() as u64,
            Side::Counts { total, .. } => *total,
        }
    }
}

impl<'de> Deserialize<'de> for Side {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SideVisitor)
    }
}

struct SideVisitor;

impl<'de> Visitor<'de> for SideVisitor {
    type Value = Side;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of numbers, or an object with `errors` and `total`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Side, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element::<f64>()? {
            if !v.is_finite() {
                return Err(de::Error::custom("a sample must be a finite number"));
            }
            out.push(v);
        }
        Ok(Side::Samples(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Side, A::Error> {
        let (mut errors, mut total) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "errors" => &mut errors,
                "total" => &mut total,
                other => {
                    return Err(de::Error::custom(format_args!(
                        "unknown field `{other}`, expected `errors` or `total`"
                    )));
                }
            };
            if slot.is_some() {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            *slot = Some(map.next_value::<u64>()?);
        }
        let errors = errors.ok_or_else(|| de::Error::missing_field("errors"))?;
        let total = total.ok_or_else(|| de::Error::missing_field("total"))?;
        Ok(Side::Counts { errors, total })
    }
}

/// A metric's two sides.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MetricData {
    /// The baseline (the current version, or a fresh copy of it).
    pub baseline: Side,
    /// The canary (the new version).
    pub canary: Side,
}

/// Metric samples from one step of a rollout.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Observations {
    /// The change being rolled out.
    #[serde(default)]
    pub change: Option<String>,
    /// The rollout step the samples come from.
    #[serde(default)]
    pub step: Option<u32>,
    /// Minutes since the step began.
    #[serde(default)]
    pub elapsed_minutes: Option<f64>,
    /// Each metric by name; `None` when its query failed.
    #[serde(deserialize_with = "crate::input::serde_util::unique_map")]
    pub metrics: BTreeMap<String, Option<MetricData>>,
}

impl Observations {
    /// Reads an observations document with the default [`Limits`].
    ///
    /// # Errors
    /// Every problem, each with its field path: malformed JSON, wrong types, non-finite or
    /// negative numbers, `errors > total`, a metric given twice, a document over the size
    /// limit.
    pub fn from_json(text: &str) -> Result<Observations, Diagnostics> {
        Observations::from_json_with_limits(text, &Limits::default())
    }

    /// Reads an observations document under `limits`.
    ///
    /// # Errors
    /// As [`Observations::from_json`].
    pub fn from_json_with_limits(text: &str, limits: &Limits) -> Result<Observations, Diagnostics> {
        document::json(text, limits)
    }

    /// Reads an observations document under `limits`.
    ///
    /// # Errors
    /// As [`Observations::from_json`].
    #[deprecated(since = "0.3.0", note = "renamed `from_json_with_limits`, like the other documents")]
    pub fn from_json_with(text: &str, limits: &Limits) -> Result<Observations, Diagnostics> {
        Observations::from_json_with_limits(text, limits)
    }

    fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let metrics = FieldPath::root().key("metrics");
        if let Some(minutes) = self.elapsed_minutes
            && !(minutes.is_finite() && minutes >= 0.0)
        {
            problems.push(Problem::new(
                FieldPath::root().key("elapsed_minutes"),
                "`elapsed_minutes` must be a non-negative number",
            ));
        }
        for (name, data) in &self.metrics {
            let Some(data) = data else { continue };
            for (side, value) in [("baseline", &data.baseline), ("canary", &data.canary)] {
                if let Side::Counts { errors, total } = value
                    && errors > total
                {
                    problems.push(Problem::new(
                        metrics.key(name).key(side).key("errors"),
                        format!("{errors} errors out of a total of {total}: errors cannot exceed the total"),
                    ));
                }
            }
            let same_kind = matches!(
                (&data.baseline, &data.canary),
                (Side::Samples(_), Side::Samples(_)) | (Side::Counts { .. }, Side::Counts { .. })
            );
            if !same_kind {
                problems.push(
                    Problem::new(
                        metrics.key(name),
                        format!("metric `{name}` gives samples on one side and counts on the other"),
                    )
                    .help(
                        "give both sides as lists of numbers, or both as `{ \"errors\": …, \"total\": … }`",
                    ),
                );
            }
        }
        problems
    }
}

impl Document for Observations {
    const NAME: &'static str = "observations";
    type Shape = Observations;

    fn build(observations: Observations, _limits: &Limits) -> Result<Observations, Diagnostics> {
        document::report(observations.problems())?;
        Ok(observations)
    }
}
