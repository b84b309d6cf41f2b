//! The change document (SPEC §2.1) and what is computed from it.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::Limits;
use crate::cel::Timestamp;
use crate::diagnostic::Diagnostics;
use crate::input::context::Context;
use crate::input::kinds::{Bump, Category, ChangeKind, CheckStatus, StrategyType};
use crate::input::{Identity, serde_util, validate};

/// A proposed software change: what it deploys, where, how, and the evidence around it.
///
/// Plain data: build it in code or read it with [`Change::from_json`], which also
/// [validates](Change::validate) it. Every field follows SPEC §2.1, with its defaults.
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
    #[serde(
        default,
        deserialize_with = "serde_util::unique_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
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
    #[serde(
        default,
        deserialize_with = "serde_util::unique_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// Organisation-specific data, `dyn` in expressions. Default empty.
    #[serde(
        default,
        deserialize_with = "serde_util::unique_json_object",
        skip_serializing_if = "serde_json::Map::is_empty"
    )]
    pub attributes: serde_json::Map<String, serde_json::Value>,
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
/// The SPEC gives no defaults inside `rollback`; here each flag defaults to `false`, so that
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
// Identities.

/// The canonical form of a name or identity, as [`canonical_name`](crate::input::canonical_name):
/// so that `" Ann "`, `"ANN"`, `"ann\u{200b}"` and `"ａｎｎ"` are the same person.
///
/// ```
/// assert_eq!(changeguard::input::normalize_identity("  Ann.Lee "), "ann.lee");
/// ```
#[must_use]
pub fn normalize_identity(identity: &str) -> String {
    super::canonical_name(identity)
}

/// Whether `a` and `b` have the same [`canonical_name`](crate::input::canonical_name).
#[must_use]
pub fn same_identity(a: &str, b: &str) -> bool {
    let (ta, tb) = (a.trim(), b.trim());
    if ta.bytes().all(|c| c.is_ascii_graphic()) && tb.bytes().all(|c| c.is_ascii_graphic()) {
        return ta.eq_ignore_ascii_case(tb);
    }
    super::canonical_name(a) == super::canonical_name(b)
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
            attributes: serde_json::Map::new(),
        }
    }

    /// Reads and [validates](Change::validate) a change from JSON text.
    ///
    /// ```
    /// let change = changeguard::input::Change::from_json(
    ///     r#"{ "id": "CHG-1", "environment": "production", "author": "ann",
    ///          "services": [{ "name": "checkout", "from": "1.4.2", "to": "v1.5.0" }] }"#,
    /// )?;
    /// assert_eq!(change.services[0].bump(), changeguard::input::Bump::Minor);
    /// # Ok::<(), changeguard::Diagnostics>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the text is not JSON, or does not have the shape of a change (every such
    /// problem, with its field path and span), or breaks a validation rule (every broken rule,
    /// each with its field path and span).
    pub fn from_json(text: &str) -> Result<Change, Diagnostics> {
        Change::from_json_with_limits(text, &Limits::default())
    }

    /// Reads and [validates](Change::validate) a change from JSON text within `limits`: a text
    /// longer than [`Limits::max_document_bytes`] is refused before it is parsed.
    ///
    /// # Errors
    ///
    /// As [`Change::from_json`], and a [`LimitExceeded`](crate::DiagnosticKind::LimitExceeded)
    /// diagnostic naming the document and the limit when the text is too long.
    pub fn from_json_with_limits(text: &str, limits: &Limits) -> Result<Change, Diagnostics> {
        crate::document::json(text, limits)
    }

    /// Checks what the types cannot express: `id`, `environment` and service names are not
    /// blank; `author` and every approval's `by` are valid [`Identity`]s (not blank, not empty
    /// once invisible characters are removed, no control character inside); `services` is not
    /// empty; explicit `strategy.steps` are
    /// non-empty percentages from 1 to 100, strictly ascending, ending at 100.
    ///
    /// # Errors
    ///
    /// Every broken rule, each with its field path (`services[1].name`, `strategy.steps`).
    pub fn validate(&self) -> Result<(), Diagnostics> {
        crate::document::report(validate::change(self))
    }

    /// The change as pretty-printed JSON. Absent options and empty collections are left out;
    /// reading the text back gives an equal change.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

// ------------------------------------------------------------------------------------------
// Computed fields.

impl Change {
    /// When the change is judged: the later of `scheduled_at` and `ctx.now` (`ctx.now` when it
    /// is not scheduled). A `scheduled_at` in the past escapes no freeze or window that is
    /// active now.
    #[must_use]
    pub fn when(&self, ctx: &Context) -> Timestamp {
        self.scheduled_at.map_or(ctx.now, |at| at.max(ctx.now))
    }

    /// Whether `identity` is the author: equal [`identity_key`](crate::input::identity_key)s,
    /// so a confusable or invisible-character respelling of the author is the author.
    #[must_use]
    pub fn is_author(&self, identity: &str) -> bool {
        match (super::identity_key(identity), self.author.key()) {
            (Ok(key), Ok(author)) => key == author,
            _ => false,
        }
    }

    /// The approvals given by someone other than the author, with a valid identity (see
    /// [`identity_key`](crate::input::identity_key)), in document order, duplicates included.
    /// When the author's own identity is invalid, no approval can be told apart from theirs,
    /// and none is given. Compares the keys computed when the identities were made.
    pub fn approvals_by_others(&self) -> impl Iterator<Item = &Approval> + '_ {
        let author = self.author.key().ok();
        self.approvals.iter().filter(move |a| match (author, a.by.key()) {
            (Some(author), Ok(key)) => key != author,
            _ => false,
        })
    }

    /// `change.approvers()`: the sorted [canonical names](Identity::canonical) of the distinct
    /// people (by [identity key](Identity::key)) who approved the change, other than the author.
    ///
    /// ```
    /// use changeguard::input::{Approval, Change, ServiceChange};
    /// let mut change = Change::new("c", "production", "ann", vec![ServiceChange::new("api")]);
    /// for by in [" Ann ", "Bob", "bob", "cy"] {
    ///     change.approvals.push(Approval { by: by.into(), role: "dev".into(), at: None });
    /// }
    /// assert_eq!(change.approvers(), ["bob", "cy"]);
    /// ```
    #[must_use]
    pub fn approvers(&self) -> Vec<String> {
        distinct_identities(self.approvals_by_others())
    }

    /// `change.approvers(role)`: like [`approvers`](Change::approvers), keeping the approvals
    /// given in `role`. Roles are compared trimmed and case-insensitively (as identities are),
    /// so `"SRE-Lead"` matches `"sre-lead"`.
    #[must_use]
    pub fn approvers_with_role(&self, role: &str) -> Vec<String> {
        distinct_identities(self.approvals_by_others().filter(|a| same_identity(&a.role, role)))
    }

    /// Whether someone other than the author approved in one of `roles` (compared trimmed and
    /// case-insensitively); an empty `roles` accepts any role. This is the test of SPEC §5.2
    /// (overrides) and §5.5 (risk approvals). Allocates nothing.
    #[must_use]
    pub fn is_approved_by_role_in(&self, roles: &[String]) -> bool {
        self.approvals_by_others()
            .any(|a| roles.is_empty() || roles.iter().any(|r| same_identity(&a.role, r)))
    }
}

/// The canonical names of distinct people (by identity key; the first spelling met names
/// the person), sorted. Borrows what was computed when the identities were made.
fn distinct_identities<'a>(approvals: impl Iterator<Item = &'a Approval>) -> Vec<String> {
    distinct_people(approvals).into_iter().map(str::to_owned).collect()
}

/// [`distinct_identities`], borrowed.
pub(crate) fn distinct_people<'a>(approvals: impl Iterator<Item = &'a Approval>) -> Vec<&'a str> {
    let mut people: BTreeMap<&str, &str> = BTreeMap::new();
    for a in approvals {
        if let Ok(key) = a.by.key() {
            people.entry(key).or_insert_with(|| a.by.canonical());
        }
    }
    let set: BTreeSet<&str> = people.into_values().collect();
    set.into_iter().collect()
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
