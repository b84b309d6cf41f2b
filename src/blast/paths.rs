//! The paths of a blast radius, kept as predecessor links.
//!
//! A report could list, for every impacted or degraded service, the whole chain of services from
//! a changed one; over a long dependency chain that is quadratic in the topology (a chain of
//! 10 000 services spells out 50 million names). `Paths` keeps instead, for each service, its
//! predecessor (the service one hop closer to the change), the kind of dependency between the
//! two and the number of hops, over the topology's shared name table. That is what the JSON
//! holds, so the report grows linearly with the topology; any one chain is rebuilt by following
//! predecessors ([`Paths::chain`]). The map of every chain is still available by dereferencing
//! (`paths["frontend"]`), built on first use, for callers who want it and can afford it.
//!
//! The JSON shape is documented on [`Paths`].

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::de::Error as _;
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::topology::DependencyKind;
use crate::topology::strings::StringTable;

/// A node without a predecessor: the chain starts there.
const ROOT: u32 = u32::MAX;

/// For each impacted or degraded service, how it is reached from the change: its predecessor on
/// a shortest chain of services from a changed one, the kind of that dependency and the number
/// of hops.
///
/// [`Paths::chain`] rebuilds one chain, e.g. `["payments", "checkout", "frontend"]`; dereferencing
/// gives the map of every chain, built on first use (its size is quadratic in the length of the
/// longest chain).
///
/// # JSON
///
/// An object with one member per impacted or degraded service:
///
/// ```json
/// { "payments": { "hops": 0 },
///   "checkout": { "predecessor": "payments", "dependency": "hard", "hops": 1 },
///   "frontend": { "predecessor": "checkout", "dependency": "hard", "hops": 2 },
///   "reports":  { "predecessor": "payments", "dependency": "soft", "hops": 1 } }
/// ```
///
/// A changed service has `hops` 0 and neither `predecessor` nor `dependency`. Any other service
/// names its `predecessor`, which it depends on through a `dependency` that is `"hard"` for an
/// impacted service and `"soft"` for a degraded one, and its `hops` are its predecessor's plus
/// one. Reading JSON back checks all of that, so a chain followed through predecessors always
/// ends at a changed service.
#[derive(Clone, Default)]
pub struct Paths {
    compact: Compact,
    map: OnceLock<BTreeMap<String, Vec<String>>>,
}

/// Service ids over a shared name table, each with the position of its predecessor.
#[derive(Clone, Default)]
struct Compact {
    names: Arc<StringTable>,
    /// Sorted by id (name order).
    nodes: Vec<Node>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Node {
    id: u32,
    /// Position of the predecessor in the list of nodes, or `ROOT`.
    parent: u32,
    hops: u32,
    /// The dependency on the predecessor (`Hard` for a changed service, which has none).
    kind: DependencyKind,
}

/// How one service is reached from the change: one entry of [`Paths`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step<'p> {
    /// The service one hop closer to the change; `None` for a changed service.
    pub predecessor: Option<&'p str>,
    /// How the service depends on its predecessor (`Hard` for impacted services, `Soft` for
    /// degraded ones); `None` for a changed service.
    pub dependency: Option<DependencyKind>,
    /// Number of dependency hops from a changed service (0 for a changed service).
    pub hops: u32,
}

/// The JSON form of a [`Step`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDoc<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    predecessor: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dependency: Option<DependencyKind>,
    hops: u32,
}

impl Compact {
    fn name(&self, pos: u32) -> &str {
        self.nodes.get(pos as usize).and_then(|n| self.names.get(n.id)).unwrap_or("")
    }

    fn position(&self, service: &str) -> Option<u32> {
        self.nodes
            .binary_search_by(|n| self.names.get(n.id).unwrap_or("").cmp(service))
            .ok()
            .map(|p| p as u32)
    }

    fn step(&self, node: &Node) -> Step<'_> {
        let root = node.parent == ROOT;
        Step {
            predecessor: (!root).then(|| self.name(node.parent)),
            dependency: (!root).then_some(node.kind),
            hops: node.hops,
        }
    }

    /// The chain ending at position `pos`, walked back through predecessors then reversed.
    fn chain_with<'s, T>(&'s self, pos: u32, mut f: impl FnMut(&'s str) -> T) -> Vec<T> {
        let mut chain = Vec::new();
        let mut at = pos;
        // Predecessors have one hop fewer, so this ends; the bound guards against a cycle.
        for _ in 0..=self.nodes.len() {
            chain.push(f(self.name(at)));
            match self.nodes.get(at as usize) {
                Some(n) if n.parent != ROOT => at = n.parent,
                _ => break,
            }
        }
        chain.reverse();
        chain
    }

    /// The position of the first node with the most hops; `None` when there are no nodes.
    fn deepest(&self) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for (pos, n) in self.nodes.iter().enumerate() {
            if best.is_none_or(|(_, hops)| n.hops > hops) {
                best = Some((pos as u32, n.hops));
            }
        }
        best.map(|(pos, _)| pos)
    }
}

impl Paths {
    /// Paths over `names`: `nodes` holds, sorted by id, each service, its predecessor's id (or
    /// `None` for a changed service), its hops and the kind of dependency on its predecessor.
    #[cfg(test)]
    pub(crate) fn from_parents(
        names: Arc<StringTable>,
        parents: &[(u32, Option<u32>, u32, DependencyKind)],
    ) -> Paths {
        Paths::from_parent_ids(
            names,
            parents
                .iter()
                .map(|&(id, parent, hops, kind)| (id, parent.unwrap_or(ROOT), hops, kind))
                .collect(),
        )
    }

    /// Paths over `names`: `nodes` holds, sorted by id, each service, its predecessor's id (or
    /// `u32::MAX` for a changed service), its hops and the kind of dependency on its predecessor.
    pub(crate) fn from_parent_ids(
        names: Arc<StringTable>,
        nodes: Vec<(u32, u32, u32, DependencyKind)>,
    ) -> Paths {
        let ids: Vec<u32> = nodes.iter().map(|n| n.0).collect();
        let nodes = nodes
            .into_iter()
            .map(|(id, parent, hops, kind)| {
                let parent = match parent {
                    ROOT => ROOT,
                    p => ids.binary_search(&p).map_or(ROOT, |pos| pos as u32),
                };
                Node { id, parent, hops, kind }
            })
            .collect();
        Paths { compact: Compact { names, nodes }, map: OnceLock::new() }
    }

    /// The number of services with a path, without building the chains.
    #[must_use]
    pub fn count(&self) -> usize {
        self.compact.nodes.len()
    }

    /// How `service` is reached from the change; `None` when it is neither impacted nor degraded.
    #[must_use]
    pub fn step(&self, service: &str) -> Option<Step<'_>> {
        let pos = self.compact.position(service)?;
        self.compact.nodes.get(pos as usize).map(|n| self.compact.step(n))
    }

    /// Every service with a path and how it is reached, by name.
    pub fn steps(&self) -> impl ExactSizeIterator<Item = (&str, Step<'_>)> + '_ {
        let c = &self.compact;
        c.nodes.iter().map(move |n| (c.names.get(n.id).unwrap_or(""), c.step(n)))
    }

    /// The chain of services from a changed one to `service`, both included, rebuilt from
    /// predecessors without building the other chains; `None` when `service` is neither
    /// impacted nor degraded.
    #[must_use]
    pub fn chain(&self, service: &str) -> Option<Vec<&str>> {
        let pos = self.compact.position(service)?;
        Some(self.compact.chain_with(pos, |s| s))
    }

    /// One longest chain (the first by the name of its last service among the longest), without
    /// building the others; `None` when there are no paths.
    #[must_use]
    pub fn longest(&self) -> Option<Vec<&str>> {
        let pos = self.compact.deepest()?;
        Some(self.compact.chain_with(pos, |s| s))
    }

    /// [`Paths::longest`] with `f` applied to each name, collected into a shared slice; empty
    /// when there are no paths.
    pub(crate) fn longest_with<'s, T>(&'s self, f: impl FnMut(&'s str) -> T) -> Arc<[T]> {
        match self.compact.deepest() {
            Some(pos) => Arc::from(self.compact.chain_with(pos, f)),
            None => Arc::from(Vec::new()),
        }
    }

    fn build(&self) -> BTreeMap<String, Vec<String>> {
        let c = &self.compact;
        (0..c.nodes.len() as u32)
            .map(|pos| (c.name(pos).to_owned(), c.chain_with(pos, str::to_owned)))
            .collect()
    }
}

impl Deref for Paths {
    type Target = BTreeMap<String, Vec<String>>;

    /// The map of every chain, built on first use.
    fn deref(&self) -> &Self::Target {
        self.map.get_or_init(|| self.build())
    }
}

impl PartialEq for Paths {
    /// Equal when they hold the same services reached in the same way (compared without
    /// building chains).
    fn eq(&self, other: &Self) -> bool {
        self.count() == other.count() && self.steps().eq(other.steps())
    }
}

impl fmt::Debug for Paths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.steps()).finish()
    }
}

impl Serialize for Paths {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.count()))?;
        for (name, step) in self.steps() {
            let doc = StepDoc { predecessor: step.predecessor, dependency: step.dependency, hops: step.hops };
            map.serialize_entry(name, &doc)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Paths {
    /// Reads the JSON shown on [`Paths`], checking that every predecessor is listed,
    /// that `predecessor` and `dependency` are given together and only when `hops` is not 0,
    /// and that `hops` is one more than the predecessor's.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let docs = BTreeMap::<String, StepDoc<String>>::deserialize(deserializer)?;
        let bytes = docs.keys().map(String::len).sum();
        let names = StringTable::concat(docs.keys().map(String::as_str), bytes)
            .map_err(|_| D::Error::custom("paths: names too large"))?;
        let mut nodes = Vec::with_capacity(docs.len());
        for (id, (name, doc)) in docs.iter().enumerate() {
            let id = u32::try_from(id).map_err(|_| D::Error::custom("paths: too many services"))?;
            let (parent, kind) = match (&doc.predecessor, doc.dependency, doc.hops) {
                (None, None, 0) => (ROOT, DependencyKind::Hard),
                (Some(p), Some(kind), hops) if hops > 0 => {
                    let parent = names.find(p).ok_or_else(|| {
                        D::Error::custom(format!("paths: predecessor `{p}` of `{name}` is not listed"))
                    })?;
                    let expected = docs.get(p).map(|d| d.hops.saturating_add(1));
                    if expected != Some(hops) {
                        return Err(D::Error::custom(format!(
                            "paths: `{name}` has {hops} hops but its predecessor `{p}` is not one hop closer"
                        )));
                    }
                    (parent, kind)
                }
                _ => {
                    return Err(D::Error::custom(format!(
                        "paths: `{name}` needs both `predecessor` and `dependency` when its hops are not 0, neither when they are"
                    )));
                }
            };
            nodes.push(Node { id, parent, hops: doc.hops, kind });
        }
        Ok(Paths { compact: Compact { names: Arc::new(names), nodes }, map: OnceLock::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DependencyKind::{Hard, Soft};

    fn sample() -> Paths {
        let names = Arc::new(StringTable::concat(["a", "b", "c", "d"], 4).unwrap());
        // a changed; b <- a (hard); c <- b (hard); d <- a (soft).
        Paths::from_parents(
            names,
            &[(0, None, 0, Hard), (1, Some(0), 1, Hard), (2, Some(1), 2, Hard), (3, Some(0), 1, Soft)],
        )
    }

    #[test]
    fn chains_follow_predecessors() {
        let p = sample();
        assert_eq!(p.count(), 4);
        assert_eq!(p.chain("c"), Some(vec!["a", "b", "c"]));
        assert_eq!(p.chain("x"), None);
        assert_eq!(p["c"], ["a", "b", "c"]);
        assert_eq!(p["d"], ["a", "d"]);
        assert_eq!(p["a"], ["a"]);
        assert_eq!(p.longest(), Some(vec!["a", "b", "c"]));
        assert_eq!(p.step("d"), Some(Step { predecessor: Some("a"), dependency: Some(Soft), hops: 1 }));
        assert_eq!(p.step("a"), Some(Step { predecessor: None, dependency: None, hops: 0 }));
        assert_eq!(&*p.longest_with(str::to_owned), ["a", "b", "c"]);
        assert!(Paths::default().longest_with(str::to_owned).is_empty());
        assert_eq!(Paths::default().longest(), None);
    }

    #[test]
    fn json_holds_one_predecessor_per_service_and_reads_back() {
        let p = sample();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"a":{"hops":0},"b":{"predecessor":"a","dependency":"hard","hops":1},"c":{"predecessor":"b","dependency":"hard","hops":2},"d":{"predecessor":"a","dependency":"soft","hops":1}}"#
        );
        let back: Paths = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(back["c"], ["a", "b", "c"]);
        assert_eq!(back.longest(), Some(vec!["a", "b", "c"]));
    }

    #[test]
    fn json_with_broken_links_is_rejected() {
        for bad in [
            r#"{"b":{"predecessor":"a","dependency":"hard","hops":1}}"#,
            r#"{"a":{"hops":0},"b":{"predecessor":"a","dependency":"hard","hops":2}}"#,
            r#"{"a":{"predecessor":"b","dependency":"hard","hops":1},"b":{"predecessor":"a","dependency":"hard","hops":1}}"#,
            r#"{"a":{"hops":0},"b":{"predecessor":"a","hops":1}}"#,
            r#"{"a":{"hops":1}}"#,
            r#"{"a":{"hops":0,"dependency":"soft"}}"#,
            r#"{"a":{"hops":0,"extra":1}}"#,
            r#"{"a":["a"]}"#,
        ] {
            assert!(serde_json::from_str::<Paths>(bad).is_err(), "{bad}");
        }
    }
}
