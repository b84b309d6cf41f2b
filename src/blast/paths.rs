//! The paths of a blast radius, kept as parent links and written out only when read.
//!
//! A report lists, for every impacted or degraded service, a chain of services from a changed
//! one. Spelling every chain out as strings costs an allocation per step; most assessments never
//! look at them. `Paths` keeps service ids and parent links over the topology's shared name
//! table, and builds the map of chains the first time it is dereferenced (it dereferences to
//! `BTreeMap<String, Vec<String>>`, so `paths["frontend"]` reads as before).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::topology::strings::StringTable;

/// A node without a parent: the chain starts there.
const ROOT: u32 = u32::MAX;

/// For each impacted or degraded service, a shortest chain of services from a changed one to
/// it, both ends included, e.g. `["payments", "checkout", "frontend"]`.
///
/// Dereferences to the map of chains, built on first use.
#[derive(Clone, Default)]
pub struct Paths {
    compact: Option<Compact>,
    map: OnceLock<BTreeMap<String, Vec<String>>>,
}

/// Service ids over a shared name table, each with the position of its parent.
#[derive(Clone)]
struct Compact {
    names: Arc<StringTable>,
    /// `(service id, position of its parent in this list or ROOT)`, sorted by id (name order).
    nodes: Vec<(u32, u32)>,
}

impl Compact {
    /// The position of the first node with the most hops to its changed service, and that
    /// number of hops; `None` when there are no nodes.
    fn deepest(&self) -> Option<(u32, usize)> {
        let depth = |mut at: u32| {
            let mut d = 0usize;
            while let Some((_, parent)) = self.nodes.get(at as usize) {
                if *parent == ROOT || d > self.nodes.len() {
                    break;
                }
                at = *parent;
                d += 1;
            }
            d
        };
        let (mut best, mut best_depth) = (None, 0usize);
        for pos in 0..self.nodes.len() as u32 {
            let d = depth(pos);
            if best.is_none() || d > best_depth {
                best = Some(pos);
                best_depth = d;
            }
        }
        best.map(|b| (b, best_depth))
    }
}

impl Paths {
    /// Paths over `names`: `nodes` holds, sorted by id, each service and its parent's id (or
    /// `None` for a changed service).
    #[cfg(test)]
    pub(crate) fn from_parents(names: Arc<StringTable>, parents: &[(u32, Option<u32>)]) -> Paths {
        Paths::from_parent_ids(
            names,
            parents.iter().map(|&(id, parent)| (id, parent.unwrap_or(ROOT))).collect(),
        )
    }

    /// Paths over `names`: `nodes` holds, sorted by id, each service and its parent's id (or
    /// `u32::MAX` for a changed service); parent ids become positions in place.
    pub(crate) fn from_parent_ids(names: Arc<StringTable>, mut nodes: Vec<(u32, u32)>) -> Paths {
        for i in 0..nodes.len() {
            let Some(&(_, parent)) = nodes.get(i) else { break };
            let position = match parent {
                ROOT => ROOT,
                id => nodes.binary_search_by_key(&id, |(n, _)| *n).map_or(ROOT, |p| p as u32),
            };
            if let Some((_, p)) = nodes.get_mut(i) {
                *p = position;
            }
        }
        Paths { compact: Some(Compact { names, nodes }), map: OnceLock::new() }
    }

    /// The number of services with a path, without building the chains.
    #[must_use]
    pub fn count(&self) -> usize {
        match (&self.compact, self.map.get()) {
            (Some(c), _) => c.nodes.len(),
            (None, Some(m)) => m.len(),
            (None, None) => 0,
        }
    }

    /// One longest chain (the first by the name of its last service among the longest), without
    /// building the others; `None` when there are no paths.
    #[must_use]
    pub fn longest(&self) -> Option<Vec<&str>> {
        let Some(c) = &self.compact else {
            let map = self.map.get()?;
            let longest = map.values().map(Vec::len).max()?;
            return map.values().find(|v| v.len() == longest).map(|v| v.iter().map(String::as_str).collect());
        };
        let (mut at, depth) = c.deepest()?;
        let mut chain = Vec::with_capacity(depth + 1);
        for _ in 0..=depth {
            let (id, parent) = c.nodes.get(at as usize)?;
            chain.push(c.names.get(*id).unwrap_or(""));
            at = *parent;
        }
        chain.reverse();
        Some(chain)
    }

    /// [`Paths::longest`] with `f` applied to each name, collected straight into a shared
    /// slice (one allocation); empty when there are no paths.
    pub(crate) fn longest_with<'s, T>(&'s self, mut f: impl FnMut(&'s str) -> T) -> std::sync::Arc<[T]> {
        let Some(c) = &self.compact else {
            return self.longest().unwrap_or_default().into_iter().map(f).collect();
        };
        let Some((mut at, depth)) = c.deepest() else { return std::sync::Arc::from(Vec::new()) };
        // Walked from the end of the chain back to its changed service, then reversed in place.
        let mut chain: std::sync::Arc<[T]> = (0..=depth)
            .map(|_| {
                let (id, parent) = c.nodes.get(at as usize).copied().unwrap_or((u32::MAX, ROOT));
                at = parent;
                f(c.names.get(id).unwrap_or(""))
            })
            .collect();
        if let Some(items) = std::sync::Arc::get_mut(&mut chain) {
            items.reverse();
        }
        chain
    }

    fn build(&self) -> BTreeMap<String, Vec<String>> {
        let Some(c) = &self.compact else { return BTreeMap::new() };
        let name = |pos: u32| {
            c.nodes.get(pos as usize).and_then(|(id, _)| c.names.get(*id)).unwrap_or("").to_owned()
        };
        let mut map = BTreeMap::new();
        for (pos, _) in c.nodes.iter().enumerate() {
            let mut chain = Vec::new();
            let mut at = pos as u32;
            // Parents are strictly closer to the change; the bound guards against a cycle.
            for _ in 0..=c.nodes.len() {
                chain.push(name(at));
                match c.nodes.get(at as usize) {
                    Some((_, parent)) if *parent != ROOT => at = *parent,
                    _ => break,
                }
            }
            chain.reverse();
            map.insert(name(pos as u32), chain);
        }
        map
    }
}

impl Deref for Paths {
    type Target = BTreeMap<String, Vec<String>>;

    fn deref(&self) -> &Self::Target {
        self.map.get_or_init(|| self.build())
    }
}

impl From<BTreeMap<String, Vec<String>>> for Paths {
    fn from(map: BTreeMap<String, Vec<String>>) -> Self {
        Paths { compact: None, map: OnceLock::from(map) }
    }
}

impl PartialEq for Paths {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Paths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl Serialize for Paths {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Paths {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, Vec<String>>::deserialize(deserializer).map(Paths::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_follow_parents() {
        let names = Arc::new(StringTable::concat(["a", "b", "c", "d"], 4).unwrap());
        // a changed; b <- a; c <- b; d <- a.
        let p = Paths::from_parents(names, &[(0, None), (1, Some(0)), (2, Some(1)), (3, Some(0))]);
        assert_eq!(p.count(), 4);
        assert_eq!(p["c"], ["a", "b", "c"]);
        assert_eq!(p["d"], ["a", "d"]);
        assert_eq!(p["a"], ["a"]);
        assert_eq!(p.longest(), Some(vec!["a", "b", "c"]));
        let json = serde_json::to_string(&p).unwrap();
        let back: Paths = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.count(), 4);
        // The shared-slice form gives the same chain, compact or spelled out.
        assert_eq!(&*p.longest_with(str::to_owned), ["a", "b", "c"]);
        assert_eq!(&*back.longest_with(str::to_owned), ["a", "b", "c"]);
        assert!(Paths::default().longest_with(str::to_owned).is_empty());
    }
}
