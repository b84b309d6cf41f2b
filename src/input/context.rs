//! The evaluation context (SPEC §2.3): the time, freezes, error budgets and incidents.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Limits;
use crate::cel::Timestamp;
use crate::diagnostic::Diagnostics;
use crate::input::change::Change;
use crate::input::kinds::Category;
use crate::input::{serde_util, validate};

/// What is true when a change is assessed: the time and the state of operations.
///
/// "Now" is an input, never read from a clock: the same context gives the same assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The time of the assessment. Required.
    pub now: Timestamp,
    /// Change freezes. Default empty.
    #[serde(default, deserialize_with = "serde_util::object_list", skip_serializing_if = "Vec::is_empty")]
    pub freezes: Vec<Freeze>,
    /// Remaining error budget by service, as a fraction (may be negative when overspent).
    /// Default empty.
    #[serde(
        default,
        deserialize_with = "serde_util::unique_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub error_budgets: BTreeMap<String, f64>,
    /// Open incidents. Default empty.
    #[serde(default, deserialize_with = "serde_util::object_list", skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
    /// Organisation-specific data, `dyn` in expressions. Default empty.
    #[serde(
        default,
        deserialize_with = "serde_util::unique_json_object",
        skip_serializing_if = "serde_json::Map::is_empty"
    )]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A period during which changes are frozen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    /// The freeze's name, reported by [`Context::active_freezes`]. Required.
    pub name: String,
    /// The first instant of the freeze (inclusive). Required.
    pub start: Timestamp,
    /// The first instant after the freeze (exclusive); must be after `start`. Required.
    pub end: Timestamp,
    /// Environments frozen, matched by [canonical form](crate::input::canonical_name)
    /// (`Production` freezes `production`); empty, the default, means all of them. A policy
    /// that declares an environment vocabulary also matches them by alias, and applies a freeze
    /// of its strictest environment to a change whose environment it does not know.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    /// Categories of change the freeze lets through. Default `["emergency"]`.
    #[serde(default = "default_exempt")]
    pub exempt: Vec<Category>,
}

fn default_exempt() -> Vec<Category> {
    vec![Category::Emergency]
}

/// An open incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Identifier of the incident. Required.
    pub id: String,
    /// The services affected. Required (may be empty).
    pub services: Vec<String>,
    /// Severity as the organisation writes it (`sev1`, `critical`…). Required.
    pub severity: String,
}

impl Context {
    /// A context at `now`, with no freezes, budgets, incidents or attributes.
    #[must_use]
    pub fn new(now: Timestamp) -> Self {
        Context {
            now,
            freezes: Vec::new(),
            error_budgets: BTreeMap::new(),
            incidents: Vec::new(),
            attributes: serde_json::Map::new(),
        }
    }

    /// Reads and [validates](Context::validate) a context from JSON text.
    ///
    /// # Errors
    ///
    /// When the text is not JSON, or does not have the shape of a context (every such
    /// problem, with its field path and span), or breaks a validation rule (every broken rule).
    pub fn from_json(text: &str) -> Result<Context, Diagnostics> {
        Context::from_json_with_limits(text, &Limits::default())
    }

    /// Reads and [validates](Context::validate) a context from JSON text within `limits`: a
    /// text longer than [`Limits::max_document_bytes`] is refused before it is parsed.
    ///
    /// # Errors
    ///
    /// As [`Context::from_json`], and a [`LimitExceeded`](crate::DiagnosticKind::LimitExceeded)
    /// diagnostic naming the document and the limit when the text is too long.
    pub fn from_json_with_limits(text: &str, limits: &Limits) -> Result<Context, Diagnostics> {
        crate::document::json(text, limits)
    }

    /// Checks what the types cannot express: each freeze ends after it starts, and every error
    /// budget is a finite number.
    ///
    /// # Errors
    ///
    /// Every broken rule, each with its field path (`freezes[0].end`, `error_budgets.cart`).
    pub fn validate(&self) -> Result<(), Diagnostics> {
        crate::document::report(validate::context(self))
    }

    /// The context as pretty-printed JSON; reading it back gives an equal context (as long as
    /// every error budget is finite, which [`validate`](Context::validate) ensures).
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The freezes that hold `change` back, in document order: see [`Freeze::covers`], at
    /// [`change.when(self)`](Change::when). Allocates nothing.
    pub fn active_freezes_iter<'c>(&'c self, change: &'c Change) -> impl Iterator<Item = &'c Freeze> + 'c {
        let when = change.when(self);
        self.freezes.iter().filter(move |f| f.covers(when, &change.environment, change.category))
    }

    /// `active_freezes`: the names of the freezes that hold `change` back, in document order.
    #[must_use]
    pub fn active_freezes<'c>(&'c self, change: &'c Change) -> Vec<&'c str> {
        self.active_freezes_iter(change).map(|f| f.name.as_str()).collect()
    }
}

impl Freeze {
    /// Whether this freeze holds back a change of `category` to `environment` deploying at
    /// `when`: `start <= when < end`, `environments` is empty or names `environment` (by
    /// [canonical form](crate::input::canonical_name)), and `exempt` does not contain
    /// `category`.
    #[must_use]
    pub fn covers(&self, when: Timestamp, environment: &str, category: Category) -> bool {
        self.covers_when(when, category, |e| crate::input::same_name(e, environment))
    }

    /// As [`covers`](Freeze::covers), with `matches` telling whether an entry of
    /// `environments` names the change's environment.
    pub(crate) fn covers_when(
        &self,
        when: Timestamp,
        category: Category,
        matches: impl Fn(&str) -> bool,
    ) -> bool {
        self.start <= when
            && when < self.end
            && (self.environments.is_empty() || self.environments.iter().any(|e| matches(e)))
            && !self.exempt.contains(&category)
    }
}
