//! The topology document: plain data, as written in JSON ([The topology
//! document](crate::topology#the-topology-document)).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::input::serde_util::unique_map;

/// The most critical tier is 0; [`MAX_TIER`] is the least critical one a service may declare.
pub const MAX_TIER: u32 = 9;

/// A service of the topology, as written in the document.
///
/// ```json
/// { "name": "checkout", "tier": 1, "team": "payments", "traffic_share": 0.35,
///   "regions": ["eu-west-1"], "tags": { "pci": "true" } }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Unique, non-empty name.
    pub name: String,
    /// Criticality from 0 (most critical) to [`MAX_TIER`]; absent = the policy's
    /// `blast.default_tier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<u32>,
    /// Owning team (non-empty when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Share of all user requests that pass through the service, in `[0, 1]`. Default 0.
    #[serde(default)]
    pub traffic_share: f64,
    /// Regions the service runs in, a set: order and repetitions are not kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Free-form labels; a key given twice is an error.
    #[serde(default, deserialize_with = "unique_map", skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Service {
    /// A service called `name` with every other field at its default.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Service { name: name.into(), ..Service::default() }
    }
}

/// How strongly a caller depends on its callee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DependencyKind {
    /// The caller fails when the callee fails: impact propagates through it.
    #[default]
    Hard,
    /// The caller degrades when the callee fails: impact stops after one step.
    Soft,
}

/// An edge of the topology: `from` depends on (calls) `to`.
///
/// Several edges between the same two services collapse into one; when one of them is hard, the
/// dependency is hard.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// The caller.
    pub from: String,
    /// The callee.
    pub to: String,
    /// Hard (default) or soft.
    #[serde(default)]
    pub kind: DependencyKind,
}

impl Dependency {
    /// A hard dependency of `from` on `to`.
    #[must_use]
    pub fn hard(from: impl Into<String>, to: impl Into<String>) -> Self {
        Dependency { from: from.into(), to: to.into(), kind: DependencyKind::Hard }
    }

    /// A soft dependency of `from` on `to`.
    #[must_use]
    pub fn soft(from: impl Into<String>, to: impl Into<String>) -> Self {
        Dependency { from: from.into(), to: to.into(), kind: DependencyKind::Soft }
    }
}

/// A whole topology document: `{ "services": [...], "dependencies": [...] }`, both optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologyDocument {
    /// The services, names unique.
    #[serde(default)]
    pub services: Vec<Service>,
    /// The dependencies between them.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
}
