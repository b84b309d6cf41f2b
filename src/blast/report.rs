//! The blast-radius report: `blast_radius` in the assessment JSON.

use serde::{Deserialize, Serialize};

use super::Reach;
use super::names::Names;
use super::paths::Paths;
use crate::topology::{DependencyKind, ServiceId, Topology};

/// The blast radius of a change, as reported in an assessment.
///
/// Every list is sorted and distinct, so that the same inputs give the same JSON.
///
/// ```json
/// { "changed": ["payments"], "impacted": ["checkout", "frontend", "payments"],
///   "degraded": [], "unknown": [],
///   "paths": { "payments": { "hops": 0 },
///              "checkout": { "predecessor": "payments", "dependency": "hard", "hops": 1 },
///              "frontend": { "predecessor": "checkout", "dependency": "hard", "hops": 2 } },
///   "services": 3, "traffic_share": 1.0, "exposure": 0.1, "min_tier": 0,
///   "teams": ["payments", "web"], "regions": ["eu-west-1"], "complete": true }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlastRadius {
    /// The changed services that the topology knows.
    pub changed: Names,
    /// The changed services and every service depending on one of them through hard
    /// dependencies (within the maximum depth).
    pub impacted: Names,
    /// Services not impacted that depend softly on an impacted service.
    pub degraded: Names,
    /// The changed services that the topology does not know.
    pub unknown: Names,
    /// For each impacted or degraded service, its predecessor on a shortest chain of services
    /// from a changed one, the kind of that dependency and the number of hops (see
    /// [`crate::blast`] for how ties are broken). In JSON one entry per service, so the report
    /// grows linearly with the topology; [`Paths::chain`] rebuilds a whole chain.
    pub paths: Paths,
    /// Number of impacted services.
    pub services: usize,
    /// The largest traffic share among impacted services; 0 when none is impacted.
    pub traffic_share: f64,
    /// `traffic_share` × the first rollout step / 100.
    pub exposure: f64,
    /// The most critical tier among impacted services (the policy's default tier standing in
    /// for services that declare none); `null` when none is impacted.
    pub min_tier: Option<u32>,
    /// The teams of impacted and degraded services.
    pub teams: Names,
    /// The change's regions when it names some, else the regions of impacted services.
    pub regions: Names,
    /// Whether the topology knew every changed service (`unknown` is empty).
    pub complete: bool,
}

impl Default for BlastRadius {
    /// The blast radius of changing nothing: empty and complete.
    fn default() -> Self {
        BlastRadius {
            changed: Names::default(),
            impacted: Names::default(),
            degraded: Names::default(),
            unknown: Names::default(),
            paths: Paths::default(),
            services: 0,
            traffic_share: 0.0,
            exposure: 0.0,
            min_tier: None,
            teams: Names::default(),
            regions: Names::default(),
            complete: true,
        }
    }
}

impl BlastRadius {
    /// The report for `reach`, with the changed names the topology did not know (`unknown`) and
    /// the change's regions (`regions`, empty = the impacted services' regions).
    #[must_use]
    pub fn from_reach<S: AsRef<str>>(reach: &Reach<'_>, unknown: &[S], regions: &[String]) -> BlastRadius {
        let changed = reach.changed().map(ServiceId::get).collect();
        let unknown: Names = unknown.iter().map(|u| u.as_ref().to_owned()).collect();
        BlastRadius::build(reach, changed, reach.impacted_sorted(), reach.degraded_sorted(), unknown, regions)
    }

    /// [`BlastRadius::from_reach`], taking the reach's own lists instead of copies.
    pub(crate) fn from_owned_reach(
        mut reach: Reach<'_>,
        unknown: &[&str],
        regions: &[String],
    ) -> BlastRadius {
        let changed = reach.changed().map(ServiceId::get).collect();
        let (impacted, degraded) = reach.take_sorted();
        let unknown = if unknown.is_empty() {
            Names::default()
        } else {
            unknown.iter().map(|&u| u.to_owned()).collect()
        };
        BlastRadius::build(&reach, changed, impacted, degraded, unknown, regions)
    }

    /// The report over the impacted and degraded ids, in any order.
    fn build(
        reach: &Reach<'_>,
        changed: Vec<u32>,
        impacted: Vec<u32>,
        degraded: Vec<u32>,
        unknown: Names,
        regions: &[String],
    ) -> BlastRadius {
        let topology = reach.topology();
        let mut nodes = Vec::with_capacity(impacted.len() + degraded.len());
        let kinds = impacted.iter().map(|&id| (id, DependencyKind::Hard));
        for (id, kind) in kinds.chain(degraded.iter().map(|&id| (id, DependencyKind::Soft))) {
            let service = ServiceId::new(id);
            let parent = reach.parent(service).map_or(u32::MAX, ServiceId::get);
            nodes.push((id, parent, reach.distance(service).unwrap_or(0), kind));
        }
        nodes.sort_unstable_by_key(|&(id, ..)| id);
        let paths = Paths::from_parent_ids(topology.name_table().clone(), nodes);
        let regions = if regions.is_empty() {
            Names::from_ids(topology.region_table().clone(), super::region_ids(topology, &impacted))
        } else {
            region_names(topology, regions)
        };
        let teams =
            Names::from_ids(topology.team_table().clone(), super::team_ids(topology, &impacted, &degraded));
        let traffic_share = super::traffic_share(topology, &impacted);
        let names = |ids: Vec<u32>| Names::from_ids(topology.name_table().clone(), ids);
        BlastRadius {
            changed: names(changed),
            complete: unknown.is_empty(),
            unknown,
            paths,
            services: impacted.len(),
            traffic_share,
            exposure: reach.exposure_for(traffic_share),
            min_tier: super::min_tier(topology, &impacted, reach.default_tier()),
            teams,
            impacted: names(impacted),
            degraded: names(degraded),
            regions,
        }
    }
}

/// `regions` as a sorted, distinct name list: over the region table of `topology` when it
/// knows every one of them (no strings copied), else as copies.
fn region_names(topology: &Topology, regions: &[String]) -> Names {
    let table = topology.region_table();
    let ids: Option<Vec<u32>> = regions.iter().map(|r| table.find(r)).collect();
    match ids {
        Some(ids) => Names::from_ids(table.clone(), ids),
        None => Names::from(regions.to_vec()),
    }
}
