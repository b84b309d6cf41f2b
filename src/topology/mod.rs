//! The service topology: who calls whom, validated and compiled once into a compact index.
//!
//! [`TopologyDocument`], [`Service`] and [`Dependency`] are the plain data users write;
//! [`Topology`] is the compiled form, immutable and valid by construction, that blast-radius
//! computations (see [`crate::blast`]) run against.
//!
//! # Layout
//!
//! Services get dense `u32` ids in name order ([`ServiceId`]), so that "by id" and "by name"
//! are the same order: sorting ids sorts names, and the smallest id is the first name. Names
//! live in one buffer, found by binary search (about 20 comparisons at a million services,
//! with no memory beyond 4 bytes of offset per service; a hash table would cost 8 to 16 more
//! bytes per service for a look-up that only the changed services of an assessment need).
//! Dependencies are stored reversed, callee → callers, as compressed sparse rows: one for hard
//! edges and one for soft edges. Tiers, teams, traffic shares, regions and tags are flat vectors
//! indexed by id, teams, regions and tag texts interned in sorted string tables. The document's
//! `String`s are not kept.
//!
#![doc = include_str!("../../docs/reference/topology.md")]

mod compile;
mod document;
mod json;
pub(crate) mod strings;

use std::fmt;
use std::sync::{Mutex, PoisonError};

pub use document::{Dependency, DependencyKind, MAX_TIER, Service, TopologyDocument};

use crate::graph::{Csr, Marks, marks_heap_bytes};
use crate::{Diagnostics, Limits};
use strings::StringTable;

/// A tier byte meaning "no tier declared".
const NO_TIER: u8 = u8::MAX;
/// A team id meaning "no team declared".
const NO_TEAM: u32 = u32::MAX;

/// A service of a compiled [`Topology`], as a dense index in name order.
///
/// An id is only meaningful for the topology that issued it: with another one it names another
/// service, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(u32);

impl ServiceId {
    pub(crate) fn new(id: u32) -> Self {
        ServiceId(id)
    }

    /// The id as an index, from 0 to `topology.len() - 1`.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The id as a `u32`.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

/// The compiled index, canonical: two topologies with the same content have equal indexes.
#[derive(Clone, Debug, PartialEq)]
struct Index {
    /// Shared with blast-radius reports, which name services without copying them.
    names: std::sync::Arc<StringTable>,
    tiers: Vec<u8>,
    teams: Vec<u32>,
    /// Shared with blast-radius reports, like `names`.
    team_names: std::sync::Arc<StringTable>,
    shares: Vec<f64>,
    regions: Csr,
    /// Shared with blast-radius reports, like `names`.
    region_names: std::sync::Arc<StringTable>,
    tag_offsets: Vec<u32>,
    tags: Vec<[u32; 2]>,
    tag_texts: StringTable,
    hard_callers: Csr,
    soft_callers: Csr,
    /// The canonical forms of the names that differ from them, sorted, with their ids (names
    /// already canonical are found by `names` itself).
    canonical: Vec<(Box<str>, u32)>,
}

impl Index {
    fn empty() -> Index {
        Index {
            names: std::sync::Arc::new(StringTable::default()),
            tiers: Vec::new(),
            teams: Vec::new(),
            team_names: std::sync::Arc::new(StringTable::default()),
            shares: Vec::new(),
            regions: Csr::default(),
            region_names: std::sync::Arc::new(StringTable::default()),
            tag_offsets: vec![0],
            tags: Vec::new(),
            tag_texts: StringTable::default(),
            hard_callers: Csr::default(),
            soft_callers: Csr::default(),
            canonical: Vec::new(),
        }
    }

    fn heap_bytes(&self) -> usize {
        self.names.heap_bytes()
            + self.tiers.capacity()
            + self.teams.capacity() * size_of::<u32>()
            + self.team_names.heap_bytes()
            + self.shares.capacity() * size_of::<f64>()
            + self.regions.heap_bytes()
            + self.region_names.heap_bytes()
            + self.tag_offsets.capacity() * size_of::<u32>()
            + self.tags.capacity() * size_of::<[u32; 2]>()
            + self.tag_texts.heap_bytes()
            + self.hard_callers.heap_bytes()
            + self.soft_callers.heap_bytes()
            + self.canonical.capacity() * size_of::<(Box<str>, u32)>()
            + self.canonical.iter().map(|(c, _)| c.len()).sum::<usize>()
    }
}

/// A validated, compiled service topology.
///
/// Immutable, `Send + Sync`, meant to be loaded once and shared (in an `Arc`) by every
/// assessment. `Default` is the empty topology. Deserializing validates and compiles; serializing
/// writes a [`TopologyDocument`] again, services in name order and dependencies by callee then
/// caller, so that loading what was written gives an equal topology.
///
/// Blast-radius computations borrow scratch memory kept inside the topology (8 bytes per service
/// for each computation running at the same time, allocated on first use and reused after), so
/// that a computation reaching `k` services costs `O(k)` whatever the size of the topology.
///
/// ```
/// use changeguard::topology::{Dependency, Service, Topology};
///
/// let topology = Topology::new(
///     &[Service::new("checkout"), Service::new("payments")],
///     &[Dependency::hard("checkout", "payments")],
/// )?;
/// assert_eq!(topology.len(), 2);
/// assert_eq!(topology.service("payments").map(|s| s.name()), Some("payments"));
/// # Ok::<(), changeguard::Diagnostics>(())
/// ```
#[derive(serde::Deserialize)]
#[serde(try_from = "TopologyDocument")]
pub struct Topology {
    index: Index,
    scratch: Mutex<Vec<Marks>>,
}

impl Topology {
    /// Validates and compiles `services` and `dependencies` with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// Every problem found, each with the path of the offending field (`services[2].name`,
    /// `dependencies[3].to`): empty or duplicate names, dependencies naming unknown services
    /// (with a "did you mean"), self-dependencies, traffic shares outside `[0, 1]` or NaN, tiers
    /// above [`MAX_TIER`], empty team or region names, and more services or dependencies than
    /// the limits allow (then nothing else is checked).
    pub fn new(services: &[Service], dependencies: &[Dependency]) -> Result<Topology, Diagnostics> {
        Topology::with_limits(services, dependencies, &Limits::default())
    }

    /// Validates and compiles `services` and `dependencies` within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Topology::new`], with [`Limits::max_services`] and [`Limits::max_dependencies`] taken
    /// from `limits`.
    pub fn with_limits(
        services: &[Service],
        dependencies: &[Dependency],
        limits: &Limits,
    ) -> Result<Topology, Diagnostics> {
        let index = compile::compile(services, dependencies, limits)?;
        Ok(Topology::from_index(index))
    }

    fn from_index(index: Index) -> Topology {
        Topology { index, scratch: Mutex::new(Vec::new()) }
    }

    /// Number of services.
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.names.len()
    }

    /// Whether the topology has no services.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of distinct dependencies (parallel edges counted once).
    #[must_use]
    pub fn dependency_count(&self) -> usize {
        self.index.hard_callers.edges() + self.index.soft_callers.edges()
    }

    /// The id of the service called `name`, by binary search. Names match by
    /// [canonical form](crate::input::canonical_name): `Payments`, `payments ` and
    /// `payments\u{200b}` all find `payments` (the exact spelling is tried first).
    #[must_use]
    pub fn id(&self, name: &str) -> Option<ServiceId> {
        match self.index.names.find(name) {
            Some(id) => Some(ServiceId(id)),
            None => self.canonical_id(name),
        }
    }

    /// The id of the service whose canonical name is that of `name`.
    fn canonical_id(&self, name: &str) -> Option<ServiceId> {
        let canonical = crate::input::canonical_name(name);
        if canonical != name
            && let Some(id) = self.index.names.find(&canonical)
        {
            return Some(ServiceId(id));
        }
        let side = &self.index.canonical;
        let at = side.binary_search_by(|(c, _)| (**c).cmp(canonical.as_str())).ok()?;
        side.get(at).map(|(_, id)| ServiceId(*id))
    }

    /// The service called `name`.
    #[must_use]
    pub fn service(&self, name: &str) -> Option<ServiceRef<'_>> {
        self.id(name).map(|id| ServiceRef { index: &self.index, id: id.0 })
    }

    /// The service with id `id`, if this topology has it.
    #[must_use]
    pub fn service_by_id(&self, id: ServiceId) -> Option<ServiceRef<'_>> {
        (id.index() < self.len()).then_some(ServiceRef { index: &self.index, id: id.0 })
    }

    /// Every service, in name order.
    pub fn services(&self) -> impl ExactSizeIterator<Item = ServiceRef<'_>> + '_ {
        let count = u32::try_from(self.len()).unwrap_or(u32::MAX);
        (0..count).map(move |id| ServiceRef { index: &self.index, id })
    }

    /// Every distinct dependency, by callee name then caller name.
    pub fn dependencies(&self) -> impl Iterator<Item = DependencyRef<'_>> + '_ {
        let names = &self.index.names;
        let hard = self.index.hard_callers.pairs().map(|pair| (pair, DependencyKind::Hard));
        let soft = self.index.soft_callers.pairs().map(|pair| (pair, DependencyKind::Soft));
        crate::graph::merge_sorted(hard, soft, |(pair, _)| *pair).map(move |((callee, caller), kind)| {
            DependencyRef { from: names.get(caller).unwrap_or(""), to: names.get(callee).unwrap_or(""), kind }
        })
    }

    /// Bytes that the compiled index holds on the heap, from the capacities of its vectors.
    ///
    /// Scratch memory for blast-radius computations is not counted: see
    /// [`Topology::scratch_heap_bytes`].
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.index.heap_bytes()
    }

    /// Bytes of scratch memory currently pooled for blast-radius computations.
    #[must_use]
    pub fn scratch_heap_bytes(&self) -> usize {
        self.scratch.lock().unwrap_or_else(PoisonError::into_inner).iter().map(marks_heap_bytes).sum()
    }

    /// Scratch state for one search, from the pool or new.
    pub(crate) fn take_marks(&self) -> Marks {
        let pooled = self.scratch.lock().unwrap_or_else(PoisonError::into_inner).pop();
        pooled.unwrap_or_else(|| Marks::new(self.len()))
    }

    /// Gives scratch state back to the pool.
    pub(crate) fn return_marks(&self, marks: Marks) {
        if marks.nodes() == self.len() {
            self.scratch.lock().unwrap_or_else(PoisonError::into_inner).push(marks);
        }
    }

    pub(crate) fn hard_callers(&self) -> &Csr {
        &self.index.hard_callers
    }

    pub(crate) fn soft_callers(&self) -> &Csr {
        &self.index.soft_callers
    }

    /// The service names, by id (shared).
    pub(crate) fn name_table(&self) -> &std::sync::Arc<StringTable> {
        &self.index.names
    }

    pub(crate) fn tier_of(&self, id: u32) -> Option<u32> {
        self.index.tiers.get(id as usize).copied().filter(|&t| t != NO_TIER).map(u32::from)
    }

    pub(crate) fn share_of(&self, id: u32) -> f64 {
        self.index.shares.get(id as usize).copied().unwrap_or(0.0)
    }

    /// The team id (a rank in team-name order) of service `id`.
    pub(crate) fn team_of(&self, id: u32) -> Option<u32> {
        self.index.teams.get(id as usize).copied().filter(|&t| t != NO_TEAM)
    }

    pub(crate) fn team_table(&self) -> &std::sync::Arc<StringTable> {
        &self.index.team_names
    }

    pub(crate) fn region_table(&self) -> &std::sync::Arc<StringTable> {
        &self.index.region_names
    }

    pub(crate) fn team_name(&self, team: u32) -> &str {
        self.index.team_names.get(team).unwrap_or("")
    }

    /// The region ids (ranks in region-name order) of service `id`, sorted.
    pub(crate) fn regions_of(&self, id: u32) -> &[u32] {
        self.index.regions.row(id)
    }

    pub(crate) fn region_name(&self, region: u32) -> &str {
        self.index.region_names.get(region).unwrap_or("")
    }
}

impl Default for Topology {
    fn default() -> Self {
        Topology::from_index(Index::empty())
    }
}

impl Clone for Topology {
    /// Copies the index; the copy starts with no pooled scratch memory.
    fn clone(&self) -> Self {
        Topology::from_index(self.index.clone())
    }
}

impl PartialEq for Topology {
    /// Same services with the same attributes and the same dependencies, whatever the order of
    /// the documents they were loaded from.
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}

impl fmt::Debug for Topology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Topology")
            .field("services", &self.len())
            .field("dependencies", &self.dependency_count())
            .finish_non_exhaustive()
    }
}

impl TryFrom<TopologyDocument> for Topology {
    type Error = Diagnostics;

    fn try_from(document: TopologyDocument) -> Result<Self, Self::Error> {
        Topology::new(&document.services, &document.dependencies)
    }
}

impl TryFrom<&TopologyDocument> for Topology {
    type Error = Diagnostics;

    fn try_from(document: &TopologyDocument) -> Result<Self, Self::Error> {
        Topology::new(&document.services, &document.dependencies)
    }
}

impl From<&Topology> for TopologyDocument {
    fn from(topology: &Topology) -> Self {
        TopologyDocument {
            services: topology.services().map(|s| s.to_service()).collect(),
            dependencies: topology
                .dependencies()
                .map(|d| Dependency { from: d.from.to_owned(), to: d.to.to_owned(), kind: d.kind })
                .collect(),
        }
    }
}

/// A borrowed view of one service of a [`Topology`].
#[derive(Clone, Copy)]
pub struct ServiceRef<'t> {
    index: &'t Index,
    id: u32,
}

impl<'t> ServiceRef<'t> {
    /// The service's id.
    #[must_use]
    pub fn id(&self) -> ServiceId {
        ServiceId(self.id)
    }

    /// The service's name.
    #[must_use]
    pub fn name(&self) -> &'t str {
        self.index.names.get(self.id).unwrap_or("")
    }

    /// The declared tier, 0 being the most critical.
    #[must_use]
    pub fn tier(&self) -> Option<u32> {
        self.index.tiers.get(self.id as usize).copied().filter(|&t| t != NO_TIER).map(u32::from)
    }

    /// The owning team.
    #[must_use]
    pub fn team(&self) -> Option<&'t str> {
        let team = self.index.teams.get(self.id as usize).copied().filter(|&t| t != NO_TEAM)?;
        self.index.team_names.get(team)
    }

    /// The share of all user requests that pass through the service, in `[0, 1]`.
    #[must_use]
    pub fn traffic_share(&self) -> f64 {
        self.index.shares.get(self.id as usize).copied().unwrap_or(0.0)
    }

    /// The regions the service runs in, sorted and distinct.
    #[must_use]
    pub fn regions(&self) -> impl ExactSizeIterator<Item = &'t str> + 't {
        let names = &self.index.region_names;
        self.index.regions.row(self.id).iter().map(move |&r| names.get(r).unwrap_or(""))
    }

    /// The tags, sorted by key.
    #[must_use]
    pub fn tags(&self) -> impl ExactSizeIterator<Item = (&'t str, &'t str)> + 't {
        let texts = &self.index.tag_texts;
        self.tag_pairs().iter().map(move |&[k, v]| (texts.get(k).unwrap_or(""), texts.get(v).unwrap_or("")))
    }

    /// The value of tag `key`.
    #[must_use]
    pub fn tag(&self, key: &str) -> Option<&'t str> {
        let pairs = self.tag_pairs();
        let texts = &self.index.tag_texts;
        let at = pairs.binary_search_by(|&[k, _]| texts.get(k).unwrap_or("").cmp(key)).ok()?;
        let &[_, value] = pairs.get(at)?;
        texts.get(value)
    }

    /// The services that depend on this one with a dependency of `kind`, in name order.
    #[must_use]
    pub fn callers(&self, kind: DependencyKind) -> impl ExactSizeIterator<Item = ServiceRef<'t>> + 't {
        let index = self.index;
        let csr = match kind {
            DependencyKind::Hard => &index.hard_callers,
            DependencyKind::Soft => &index.soft_callers,
        };
        csr.row(self.id).iter().map(move |&id| ServiceRef { index, id })
    }

    fn tag_pairs(&self) -> &'t [[u32; 2]] {
        let at = self.id as usize;
        match self.index.tag_offsets.get(at..at.saturating_add(2)) {
            Some(&[start, end]) => self.index.tags.get(start as usize..end as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The service as a document entry.
    #[must_use]
    pub fn to_service(&self) -> Service {
        Service {
            name: self.name().to_owned(),
            tier: self.tier(),
            team: self.team().map(str::to_owned),
            traffic_share: self.traffic_share(),
            regions: self.regions().map(str::to_owned).collect(),
            tags: self.tags().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        }
    }
}

impl fmt::Debug for ServiceRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceRef").field("id", &self.id).field("name", &self.name()).finish()
    }
}

/// A borrowed view of one dependency of a [`Topology`]: `from` calls `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DependencyRef<'t> {
    /// The caller.
    pub from: &'t str,
    /// The callee.
    pub to: &'t str,
    /// Hard or soft.
    pub kind: DependencyKind,
}
