//! The blast radius of a change over a [`Topology`]: what is impacted, what is degraded, and by
//! which paths.
//!
//! Two layers:
//!
//! - [`Reach`], over service ids: which services are impacted (the changed ones and everything
//!   that depends on them through hard dependencies, breadth first) and degraded (one soft
//!   dependency away from an impacted service), each with a parent one step closer to the change.
//!   No strings are built and nothing proportional to the topology is allocated or cleared, so a
//!   small blast radius in a large topology costs microseconds. Counts, the largest traffic share
//!   and the most critical tier are read from it directly.
//! - [`BlastRadius`], the report of the assessment's `blast_radius` with names, sorted lists and paths,
//!   built from a [`Reach`].
//!
//! # Paths and ties
//!
//! A changed service's path is itself. Any other impacted service's path is its parent's path
//! followed by itself, where its parent is, among the impacted services one hop closer to the
//! change that it depends on through a hard dependency, the first by name. A degraded service's
//! path is likewise its parent's path followed by itself, its parent being, among the impacted
//! services it depends on softly, one of those closest to the change, the first by name. Every
//! path is therefore a shortest chain, and the same inputs always give the same paths.
//!
//! The report keeps and serializes each path as one link, the service's predecessor (its
//! parent), with the kind of dependency and the number of hops: the JSON grows linearly with
//! the topology, and [`Paths::chain`] rebuilds any whole path (see [`Paths`] for the shape).

mod mermaid;
mod names;
mod paths;
mod report;

pub use mermaid::MERMAID_MAX_SERVICES;
pub use names::Names;
pub use paths::{Paths, Step};
pub use report::BlastRadius;

use crate::graph::{self, Marks, Reached, Stamps};
use crate::topology::{ServiceId, Topology};

/// The parameters of a blast-radius computation, from the policy and the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlastOptions<'r> {
    /// Most hard-dependency hops from a changed service to an impacted one; 0 = unlimited.
    /// Degraded services may be one hop further.
    pub max_depth: u32,
    /// The tier of services that declare none (the policy's `blast.default_tier`, default 3).
    pub default_tier: u32,
    /// Percentage of traffic the first rollout step reaches (`change.strategy.first_step`,
    /// 1 to 100); larger values count as 100.
    pub first_step: u32,
    /// The change's regions; empty = the regions of the impacted services.
    pub regions: &'r [String],
}

impl Default for BlastOptions<'_> {
    /// Unlimited depth, default tier 3, first step 100 %, no regions given.
    fn default() -> Self {
        BlastOptions { max_depth: 0, default_tier: 3, first_step: 100, regions: &[] }
    }
}

/// Changed service names split into those a topology knows and the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved<'n> {
    /// Ids of the known names, sorted and distinct.
    pub known: Vec<ServiceId>,
    /// The unknown names, sorted and distinct.
    pub unknown: Vec<&'n str>,
}

impl Topology {
    /// Looks up each of `names` (by binary search), splitting known from unknown.
    pub fn resolve<'n, S: AsRef<str>>(&self, names: &'n [S]) -> Resolved<'n> {
        let (known, unknown) = self.resolve_ids(names.iter().map(AsRef::as_ref));
        Resolved { known: known.into_iter().map(ServiceId::new).collect(), unknown }
    }

    /// The ids of the known `names` and the unknown names, each sorted and distinct.
    fn resolve_ids<'n>(&self, names: impl ExactSizeIterator<Item = &'n str>) -> (Vec<u32>, Vec<&'n str>) {
        let mut known = Vec::with_capacity(names.len());
        let mut unknown = Vec::new();
        for name in names {
            match self.id(name) {
                Some(id) => known.push(id.get()),
                None => unknown.push(name),
            }
        }
        known.sort_unstable();
        known.dedup();
        unknown.sort_unstable();
        unknown.dedup();
        (known, unknown)
    }

    /// The blast radius over ids of a change to the services `changed` (in any order, repeats
    /// allowed; ids this topology does not have are ignored).
    ///
    /// Costs time proportional to the services reached and their dependencies, and memory
    /// proportional to the services reached, whatever the size of the topology.
    pub fn reach(&self, changed: &[ServiceId], options: &BlastOptions<'_>) -> Reach<'_> {
        let mut sources: Vec<u32> = changed.iter().map(|id| id.get()).collect();
        sources.sort_unstable();
        sources.dedup();
        self.reach_from(sources, options)
    }

    /// [`Topology::reach`] from `sources`: sorted, distinct ids.
    fn reach_from(&self, mut sources: Vec<u32>, options: &BlastOptions<'_>) -> Reach<'_> {
        sources.retain(|&id| (id as usize) < self.len());
        let mut marks = self.take_marks();
        let mut impacted = Vec::with_capacity(sources.len().max(64));
        let mut degraded = Vec::new();
        let stamps = graph::reach(
            self.hard_callers(),
            self.soft_callers(),
            &sources,
            options.max_depth,
            &mut marks,
            &mut impacted,
            &mut degraded,
        );
        let changed = sources.len();
        Reach {
            topology: self,
            marks: Some(marks),
            stamps,
            impacted,
            degraded,
            changed,
            default_tier: options.default_tier,
            first_step: options.first_step.min(100),
        }
    }

    /// The blast-radius report of a change to the services named `changed` (see the module
    /// docs for what is impacted and degraded, and how paths are chosen).
    ///
    /// Names the topology does not know are listed as `unknown` and make the report incomplete.
    pub fn blast_radius<S: AsRef<str>>(&self, changed: &[S], options: &BlastOptions<'_>) -> BlastRadius {
        self.blast_radius_of(changed.iter().map(AsRef::as_ref), options)
    }

    /// [`Topology::blast_radius`] of the services named by `changed`.
    pub(crate) fn blast_radius_of<'n>(
        &self,
        changed: impl ExactSizeIterator<Item = &'n str>,
        options: &BlastOptions<'_>,
    ) -> BlastRadius {
        let (known, unknown) = self.resolve_ids(changed);
        BlastRadius::from_owned_reach(self.reach_from(known, options), &unknown, options.regions)
    }
}

/// The blast radius over service ids: the impacted and degraded services with their parents.
///
/// Holds scratch memory borrowed from the topology, given back when dropped; keep it only as
/// long as needed (each `Reach` alive at the same time costs 8 bytes per service of the
/// topology).
pub struct Reach<'t> {
    topology: &'t Topology,
    marks: Option<Marks>,
    stamps: Stamps,
    impacted: Vec<u32>,
    degraded: Vec<u32>,
    changed: usize,
    default_tier: u32,
    first_step: u32,
}

impl<'t> Reach<'t> {
    /// The topology this blast radius is over.
    #[must_use]
    pub fn topology(&self) -> &'t Topology {
        self.topology
    }

    /// The changed services the topology knows, sorted by name.
    #[must_use]
    pub fn changed(&self) -> impl ExactSizeIterator<Item = ServiceId> + '_ {
        self.impacted.iter().take(self.changed).map(|&id| ServiceId::new(id))
    }

    /// The impacted services, changed ones included, by non-decreasing distance from the change
    /// (the changed ones first, by name).
    #[must_use]
    pub fn impacted(&self) -> impl ExactSizeIterator<Item = ServiceId> + '_ {
        self.impacted.iter().map(|&id| ServiceId::new(id))
    }

    /// The degraded services, by non-decreasing distance from the change.
    #[must_use]
    pub fn degraded(&self) -> impl ExactSizeIterator<Item = ServiceId> + '_ {
        self.degraded.iter().map(|&id| ServiceId::new(id))
    }

    /// Number of impacted services (the report's `services`).
    #[must_use]
    pub fn services(&self) -> usize {
        self.impacted.len()
    }

    /// Number of degraded services.
    #[must_use]
    pub fn degraded_count(&self) -> usize {
        self.degraded.len()
    }

    fn mark(&self, id: ServiceId) -> Option<(Reached, u32, u32)> {
        self.marks.as_ref()?.get(id.get(), self.stamps)
    }

    /// Whether `id` is impacted.
    #[must_use]
    pub fn is_impacted(&self, id: ServiceId) -> bool {
        matches!(self.mark(id), Some((Reached::Search, _, _)))
    }

    /// Whether `id` is degraded.
    #[must_use]
    pub fn is_degraded(&self, id: ServiceId) -> bool {
        matches!(self.mark(id), Some((Reached::Hop, _, _)))
    }

    /// Number of dependency hops from the change to `id`, when impacted or degraded.
    #[must_use]
    pub fn distance(&self, id: ServiceId) -> Option<u32> {
        self.mark(id).map(|(_, _, depth)| depth)
    }

    /// The service one hop closer to the change on `id`'s path; `None` for a changed service
    /// or one neither impacted nor degraded.
    #[must_use]
    pub fn parent(&self, id: ServiceId) -> Option<ServiceId> {
        self.mark(id)
            .filter(|&(_, parent, _)| parent != id.get())
            .map(|(_, parent, _)| ServiceId::new(parent))
    }

    /// The path from a changed service to `id`, both included, when impacted or degraded.
    #[must_use]
    pub fn path(&self, id: ServiceId) -> Option<Vec<ServiceId>> {
        let (_, _, depth) = self.mark(id)?;
        let mut path = Vec::with_capacity((depth as usize).saturating_add(1));
        path.push(id);
        let mut at = id;
        // Parents are strictly closer to the change, so this ends after `depth` steps.
        for _ in 0..depth {
            let Some(parent) = self.parent(at) else { break };
            path.push(parent);
            at = parent;
        }
        path.reverse();
        Some(path)
    }

    /// The largest traffic share among impacted services; 0 when none is impacted.
    #[must_use]
    pub fn traffic_share(&self) -> f64 {
        traffic_share(self.topology, &self.impacted)
    }

    /// [`traffic_share`](Reach::traffic_share) × first step / 100.
    #[must_use]
    pub fn exposure(&self) -> f64 {
        self.exposure_for(self.traffic_share())
    }

    /// The most critical (smallest) tier among impacted services, the default tier standing in
    /// for services that declare none; `None` when none is impacted.
    #[must_use]
    pub fn min_tier(&self) -> Option<u32> {
        min_tier(self.topology, &self.impacted, self.default_tier)
    }

    /// The distinct teams of impacted and degraded services, sorted.
    #[must_use]
    pub fn teams(&self) -> Vec<&'t str> {
        let topology = self.topology;
        self.team_ids().into_iter().map(|team| topology.team_name(team)).collect()
    }

    /// The distinct team ids (ranks in team-name order) of impacted and degraded services,
    /// sorted.
    pub(crate) fn team_ids(&self) -> Vec<u32> {
        team_ids(self.topology, &self.impacted, &self.degraded)
    }

    /// The distinct regions of impacted services, sorted.
    #[must_use]
    pub fn regions(&self) -> Vec<&'t str> {
        let topology = self.topology;
        self.region_ids().into_iter().map(|region| topology.region_name(region)).collect()
    }

    /// The distinct region ids (ranks in region-name order) of impacted services, sorted.
    pub(crate) fn region_ids(&self) -> Vec<u32> {
        region_ids(self.topology, &self.impacted)
    }

    /// The impacted services' ids, sorted (by name).
    pub(crate) fn impacted_sorted(&self) -> Vec<u32> {
        let mut ids = self.impacted.clone();
        ids.sort_unstable();
        ids
    }

    /// The degraded services' ids, sorted (by name).
    pub(crate) fn degraded_sorted(&self) -> Vec<u32> {
        let mut ids = self.degraded.clone();
        ids.sort_unstable();
        ids
    }

    /// The impacted and degraded ids, each sorted (the report sorts them anyway; sorting them
    /// once here makes its other sorts passes over sorted data), moved out: afterwards this
    /// reach answers only [`Reach::parent`], [`Reach::distance`] and the `is_` tests, which
    /// read the marks.
    pub(crate) fn take_sorted(&mut self) -> (Vec<u32>, Vec<u32>) {
        let mut impacted = std::mem::take(&mut self.impacted);
        let mut degraded = std::mem::take(&mut self.degraded);
        impacted.sort_unstable();
        degraded.sort_unstable();
        (impacted, degraded)
    }

    /// The exposure for a largest traffic share of `traffic_share`.
    pub(crate) fn exposure_for(&self, traffic_share: f64) -> f64 {
        traffic_share * f64::from(self.first_step) / 100.0
    }

    /// The tier of services that declare none.
    pub(crate) fn default_tier(&self) -> u32 {
        self.default_tier
    }
}

/// The largest traffic share among `impacted`; 0 when empty.
fn traffic_share(topology: &Topology, impacted: &[u32]) -> f64 {
    impacted.iter().map(|&id| topology.share_of(id)).fold(0.0, f64::max)
}

/// The most critical tier among `impacted`, `default_tier` standing in for services that
/// declare none.
fn min_tier(topology: &Topology, impacted: &[u32], default_tier: u32) -> Option<u32> {
    impacted.iter().map(|&id| topology.tier_of(id).unwrap_or(default_tier)).min()
}

/// The distinct team ids (ranks in team-name order) of `impacted` and `degraded`, sorted.
fn team_ids(topology: &Topology, impacted: &[u32], degraded: &[u32]) -> Vec<u32> {
    let mut teams = Vec::with_capacity(impacted.len() + degraded.len());
    teams.extend(impacted.iter().chain(degraded).filter_map(|&id| topology.team_of(id)));
    teams.sort_unstable();
    teams.dedup();
    teams
}

/// The distinct region ids (ranks in region-name order) of `impacted`, sorted.
fn region_ids(topology: &Topology, impacted: &[u32]) -> Vec<u32> {
    let mut regions: Vec<u32> = impacted.iter().flat_map(|&id| topology.regions_of(id)).copied().collect();
    regions.sort_unstable();
    regions.dedup();
    regions
}

impl Drop for Reach<'_> {
    fn drop(&mut self) {
        if let Some(marks) = self.marks.take() {
            self.topology.return_marks(marks);
        }
    }
}

impl std::fmt::Debug for Reach<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reach")
            .field("changed", &self.changed)
            .field("impacted", &self.impacted.len())
            .field("degraded", &self.degraded.len())
            .finish_non_exhaustive()
    }
}
