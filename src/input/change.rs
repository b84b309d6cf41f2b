//! The change document ([The change document](crate::input#the-change-document)). What is
//! computed from it is in `derived.rs`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use semver::Version;
use serde::{Deserialize, Serialize};
use serde_json::Map;

use crate::cel::Timestamp;
use crate::input::Identity;
use crate::input::kinds::{Bump, Category, ChangeKind, CheckStatus, StrategyType};
use crate::input::serde_util::{self, unique_json_object, unique_map};

/// A proposed software change: what it deploys, where, how, and the evidence around it.
///
/// Plain data: build it in code or read it with [`Change::from_json`], which also
/// [validates](Change::validate) it. Every field, with its default, is described in
/// [The change document](crate::input#the-change-document).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Identifier of the change, e.g. `CHG-1042`. Required, not blank.
    pub id: String,
    /// A one-line summary. Default empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// How the change is governed. Default [`Category::Normal`].
    #[serde(default)]
    pub category: Category,
    /// Where it deploys, e.g. `production`. Required, not blank.
    pub environment: String,
    /// Who made the change. Required, a valid [`Identity`] (canonicalised when read).
    pub author: Identity,
    /// The services it deploys. Required, at least one.
    #[serde(deserialize_with = "serde_util::object_list")]
    pub services: Vec<ServiceChange>,
    /// How it rolls out. Default `{ "type": "all_at_once" }`.
    #[serde(default, deserialize_with = "serde_util::object")]
    pub strategy: Strategy,
    /// How big it is; `None` means unknown, not zero.
    #[serde(default, deserialize_with = "serde_util::opt_object", skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    /// How it can be undone; `None` means there is no rollback plan.
    #[serde(default, deserialize_with = "serde_util::opt_object", skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Rollback>,
    /// Present when the change migrates a data store.
    #[serde(default, deserialize_with = "serde_util::opt_object", skip_serializing_if = "Option::is_none")]
    pub migration: Option<Migration>,
    /// Who approved it, in what role. Default empty.
    #[serde(default, deserialize_with = "serde_util::object_list", skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    /// CI checks by name. Default empty.
    #[serde(default, deserialize_with = "unique_map", skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, CheckStatus>,
    /// Environments the same change was deployed to first. Default empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tested_in: Vec<String>,
    /// When it will deploy; `None` means at `context.now` (see [`Change::when`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<Timestamp>,
    /// Where it deploys; empty means everywhere its services run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Free-form labels. Default empty.
    #[serde(default, deserialize_with = "unique_map", skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Organisation-specific data, `dyn` in expressions. Default empty.
    #[serde(default, deserialize_with = "unique_json_object", skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, serde_json::Value>,
}

/// One service that a change deploys, and how its version moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceChange {
    /// The service's name, as in the topology. Required, not blank.
    pub name: String,
    /// The version running before; a leading `v` is accepted in documents and dropped.
    #[serde(default, with = "serde_util::opt_version", skip_serializing_if = "Option::is_none")]
    pub from: Option<Version>,
    /// The version deployed; a leading `v` is accepted in documents and dropped.
    #[serde(default, with = "serde_util::opt_version", skip_serializing_if = "Option::is_none")]
    pub to: Option<Version>,
    /// What the change touches. Default `["code"]`.
    #[serde(default = "default_kinds")]
    pub kinds: Vec<ChangeKind>,
}

fn default_kinds() -> Vec<ChangeKind> {
    vec![ChangeKind::Code]
}

/// How a change rolls out. The default is `{ "type": "all_at_once" }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// The rollout type, written `type` in documents. Required when `strategy` is given.
    #[serde(rename = "type")]
    pub kind: StrategyType,
    /// Ascending percentages of traffic or hosts, ending at 100; `None` = the type's default
    /// (see [`Strategy::effective_steps`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<u32>>,
    /// Minutes to watch each step before the next. Default 0.
    #[serde(default)]
    pub bake_minutes: u32,
    /// A mutable deployment that modifies existing hosts. Default `false`.
    #[serde(default)]
    pub in_place: bool,
}

/// The size of a change. All three counts are required when `size` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Size {
    /// Files touched.
    pub files: u64,
    /// Lines added.
    pub lines_added: u64,
    /// Lines removed.
    pub lines_removed: u64,
}

/// How a change can be undone.
///
/// Each flag defaults to `false`, so that
/// `{ "plan": true }` reads as "there is a plan, not tested, not automated": a flag that is
/// not claimed is not credited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    /// A rollback or fix-forward plan is documented. Default `false`.
    #[serde(default)]
    pub plan: bool,
    /// The plan was exercised before this deployment. Default `false`.
    #[serde(default)]
    pub tested: bool,
    /// Rollback starts by itself on pre-defined conditions. Default `false`.
    #[serde(default)]
    pub automated: bool,
    /// How many minutes a rollback takes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u64>,
}

/// A data-store migration carried by a change. Both flags are required.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    /// The migration can be undone without losing data.
    pub reversible: bool,
    /// The previous version of the code works with the migrated store.
    pub backward_compatible: bool,
}

/// An approval of a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Who approved. Required, a valid [`Identity`] (canonicalised when read).
    pub by: Identity,
    /// In what capacity, e.g. `sre-lead`. Compared trimmed and case-insensitively.
    pub role: String,
    /// When, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
}

// ------------------------------------------------------------------------------------------
// Loading.

impl Change {
    /// A change with the required fields and every other field at its default.
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        environment: impl Into<String>,
        author: impl Into<Identity>,
        services: Vec<ServiceChange>,
    ) -> Self {
        Change {
            id: id.into(),
            title: String::new(),
            category: Category::default(),
            environment: environment.into(),
            author: author.into(),
            services,
            strategy: Strategy::default(),
            size: None,
            rollback: None,
            migration: None,
            approvals: Vec::new(),
            checks: BTreeMap::new(),
            tested_in: Vec::new(),
            scheduled_at: None,
            regions: Vec::new(),
            labels: BTreeMap::new(),
            attributes: Map::new(),
        }
    }

    /// The change as pretty-printed JSON. Absent options and empty collections are left out;
    /// reading the text back gives an equal change.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl ServiceChange {
    /// A change to service `name` with no versions and the default kinds (`["code"]`).
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        ServiceChange { name: name.into(), from: None, to: None, kinds: default_kinds() }
    }

    /// How the version moves from `from` to `to`; [`Bump::Unknown`] when either is absent.
    /// See [`Bump::between`].
    #[must_use]
    pub fn bump(&self) -> Bump {
        match (&self.from, &self.to) {
            (Some(from), Some(to)) => Bump::between(from, to),
            _ => Bump::Unknown,
        }
    }
}

impl Bump {
    /// How a version moves from `from` to `to`, by semver precedence (build metadata ignored):
    /// [`Downgrade`](Bump::Downgrade) when `to` is lower, [`None`](Bump::None) when equal, else
    /// the first of major, minor and patch that increased, else (same numbers, later
    /// pre-release, as in `1.0.0-rc.1` → `1.0.0`) [`Prerelease`](Bump::Prerelease).
    /// Allocates nothing.
    #[must_use]
    pub fn between(from: &Version, to: &Version) -> Bump {
        match precedence(to, from) {
            Ordering::Less => Bump::Downgrade,
            Ordering::Equal => Bump::None,
            Ordering::Greater if to.major != from.major => Bump::Major,
            Ordering::Greater if to.minor != from.minor => Bump::Minor,
            Ordering::Greater if to.patch != from.patch => Bump::Patch,
            Ordering::Greater => Bump::Prerelease,
        }
    }
}

/// Semver precedence: numbers, then pre-release (a release ranks above its pre-releases);
/// build metadata plays no part.
fn precedence(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch).cmp(&(b.major, b.minor, b.patch)).then_with(|| a.pre.cmp(&b.pre))
}

impl Strategy {
    /// A strategy of type `kind` with the type's default steps, no bake time, not in place.
    #[must_use]
    pub fn of(kind: StrategyType) -> Self {
        Strategy { kind, ..Strategy::default() }
    }

    /// The steps in force: `steps` when given, else the type's
    /// [default steps](StrategyType::default_steps). Allocates nothing.
    #[must_use]
    pub fn effective_steps(&self) -> &[u32] {
        match &self.steps {
            Some(steps) => steps,
            None => self.kind.default_steps(),
        }
    }

    /// `first_step`: the share of traffic or hosts exposed first, in percent. An explicit empty
    /// `steps` (which validation rejects) counts as 100, the most exposed.
    #[must_use]
    pub fn first_step(&self) -> u32 {
        self.effective_steps().first().copied().unwrap_or(100)
    }
}
