//! The evaluation context ([The context document](crate::input#the-context-document)): the time,
//! freezes, error budgets and incidents.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Map;

use crate::cel::Timestamp;
use crate::input::kinds::Category;
use crate::input::serde_util::{self, unique_json_object, unique_map};

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
    #[serde(default, deserialize_with = "unique_map", skip_serializing_if = "BTreeMap::is_empty")]
    pub error_budgets: BTreeMap<String, f64>,
    /// Open incidents. Default empty.
    #[serde(default, deserialize_with = "serde_util::object_list", skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
    /// Organisation-specific data, `dyn` in expressions. Default empty.
    #[serde(default, deserialize_with = "unique_json_object", skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, serde_json::Value>,
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
            attributes: Map::new(),
        }
    }

    /// The context as pretty-printed JSON; reading it back gives an equal context (as long as
    /// every error budget is finite, which [`validate`](Context::validate) ensures).
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
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
