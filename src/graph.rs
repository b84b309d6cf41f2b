//! Graph algorithms over dense `u32` node ids, knowing nothing of services or policies.
//!
//! - [`Csr`]: compressed sparse rows, the adjacency of every node in two flat arrays.
//! - [`Marks`]: per-node scratch state (visited, parent, depth) reused across searches thanks to
//!   generation stamps, so that a search touching `k` nodes costs `O(k)` however large the graph
//!   is: nothing is cleared between searches.
//! - [`bfs`] and [`hop`]: a multi-source, depth-bounded breadth-first search and a one-step
//!   expansion, both choosing each node's parent deterministically (the smallest id one hop
//!   closer to the sources).

/// Compressed sparse rows: row `r` lists `targets[offsets[r]..offsets[r + 1]]`, sorted and
/// distinct, so that two graphs with the same edges compare equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Csr {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Default for Csr {
    fn default() -> Self {
        Csr { offsets: vec![0], targets: Vec::new() }
    }
}

impl Csr {
    /// Builds `rows` rows from `(row, target)` pairs; pairs naming a row `>= rows` are ignored.
    ///
    /// Each row ends up sorted and free of duplicates. The caller keeps `pairs.len()` below
    /// `u32::MAX` (the topology's limits do).
    pub(crate) fn from_pairs(rows: usize, pairs: &[(u32, u32)]) -> Csr {
        // Counting sort: counts, prefix sums, then scatter.
        let mut starts = vec![0u32; rows.saturating_add(1)];
        for &(row, _) in pairs {
            if let Some(count) = starts.get_mut((row as usize).saturating_add(1)) {
                *count = count.saturating_add(1);
            }
        }
        let mut total = 0u32;
        for start in &mut starts {
            total = total.saturating_add(*start);
            *start = total;
        }
        let mut cursor: Vec<u32> = starts.iter().take(rows).copied().collect();
        let mut targets = vec![0u32; total as usize];
        for &(row, target) in pairs {
            if let Some(at) = cursor.get_mut(row as usize) {
                if let Some(slot) = targets.get_mut(*at as usize) {
                    *slot = target;
                }
                *at = at.saturating_add(1);
            }
        }
        drop(cursor);
        // Sort each row and squeeze out duplicates, compacting in place.
        let mut offsets = Vec::with_capacity(starts.len());
        offsets.push(0u32);
        let mut write = 0usize;
        for bounds in starts.windows(2) {
            let (start, end) = match *bounds {
                [start, end] => (start as usize, end as usize),
                _ => (0, 0),
            };
            if let Some(row) = targets.get_mut(start..end) {
                row.sort_unstable();
            }
            let mut last = None;
            for read in start..end {
                let Some(&target) = targets.get(read) else { break };
                if last != Some(target) {
                    if let Some(slot) = targets.get_mut(write) {
                        *slot = target;
                    }
                    write += 1;
                    last = Some(target);
                }
            }
            offsets.push(u32::try_from(write).unwrap_or(u32::MAX));
        }
        targets.truncate(write);
        targets.shrink_to_fit();
        Csr { offsets, targets }
    }

    /// Removes from each row the targets that the same row of `other` also lists.
    pub(crate) fn remove_common(&mut self, other: &Csr) {
        let mut write = 0usize;
        let mut offsets = Vec::with_capacity(self.offsets.len());
        offsets.push(0u32);
        for (row, bounds) in self.offsets.windows(2).enumerate() {
            let (start, end) = match *bounds {
                [start, end] => (start as usize, end as usize),
                _ => (0, 0),
            };
            let exclude = other.row(u32::try_from(row).unwrap_or(u32::MAX));
            let mut ex = exclude.iter().peekable();
            for read in start..end {
                let Some(&target) = self.targets.get(read) else { break };
                while ex.next_if(|&&e| e < target).is_some() {}
                if ex.peek() == Some(&&target) {
                    continue;
                }
                if let Some(slot) = self.targets.get_mut(write) {
                    *slot = target;
                }
                write += 1;
            }
            offsets.push(u32::try_from(write).unwrap_or(u32::MAX));
        }
        self.targets.truncate(write);
        self.targets.shrink_to_fit();
        self.offsets = offsets;
    }

    /// The targets of `row`, sorted; empty for a row that does not exist.
    #[inline]
    pub(crate) fn row(&self, row: u32) -> &[u32] {
        let row = row as usize;
        match self.offsets.get(row..row.saturating_add(2)) {
            Some(&[start, end]) => self.targets.get(start as usize..end as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of edges (targets over all rows).
    pub(crate) fn edges(&self) -> usize {
        self.targets.len()
    }

    /// Every `(row, target)` pair, by row then target.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..u32::try_from(self.rows()).unwrap_or(u32::MAX))
            .flat_map(move |row| self.row(row).iter().map(move |&target| (row, target)))
    }

    /// Bytes held on the heap (capacities, not lengths).
    pub(crate) fn heap_bytes(&self) -> usize {
        (self.offsets.capacity() + self.targets.capacity()) * size_of::<u32>()
    }
}

/// Per-node search state: a stamp saying which search reached the node, how and at what depth,
/// and the node's parent.
#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    stamp: u32,
    parent: u32,
}

/// How a node was reached by a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reached {
    /// By the breadth-first search.
    Search,
    /// By the final one-step expansion only.
    Hop,
}

/// The stamps one search used: `base + d` for nodes at depth `d` of the breadth-first search,
/// `hop + d` for nodes at depth `d` reached by the final step, all below `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamps {
    base: u32,
    hop: u32,
    end: u32,
}

/// Reusable scratch state for searches over a graph of a fixed number of nodes.
///
/// Stamps only grow from one search to the next, so a mark left by an older search is below the
/// current base and counts as unvisited: nothing is cleared between searches. A search of a
/// graph of `n` nodes uses at most `2n + 2` stamps; when the next ones could overflow, every mark
/// is cleared once (after billions of small searches, or thousands of searches as deep as the
/// graph, which cost that much anyway).
#[derive(Clone, Debug)]
pub(crate) struct Marks {
    marks: Vec<Mark>,
    next: u32,
}

impl Marks {
    /// Scratch state for `nodes` nodes (at most 2³⁰).
    pub(crate) fn new(nodes: usize) -> Marks {
        Marks { marks: vec![Mark::default(); nodes], next: 1 }
    }

    /// Number of nodes this scratch state covers.
    pub(crate) fn nodes(&self) -> usize {
        self.marks.len()
    }

    /// The first stamp of a new search, with room for all it may use.
    fn begin(&mut self) -> u32 {
        let room = (self.marks.len() as u64).saturating_mul(2).saturating_add(4);
        if u64::from(self.next).saturating_add(room) >= u64::from(u32::MAX) {
            self.marks.fill(Mark::default());
            self.next = 1;
        }
        self.next
    }

    /// How `node` was reached by the search that used `stamps`, with its parent and depth.
    ///
    /// A source is its own parent, at depth 0.
    #[inline]
    pub(crate) fn get(&self, node: u32, stamps: Stamps) -> Option<(Reached, u32, u32)> {
        let mark = self.marks.get(node as usize)?;
        if (stamps.base..stamps.hop).contains(&mark.stamp) {
            Some((Reached::Search, mark.parent, mark.stamp - stamps.base))
        } else if (stamps.hop..stamps.end).contains(&mark.stamp) {
            Some((Reached::Hop, mark.parent, mark.stamp - stamps.hop))
        } else {
            None
        }
    }
}

/// Levels of a search at least this large are expanded in id order.
const SORTED_LEVEL: usize = 4096;

/// A breadth-first search from `sources` along the rows of `search`, at most `max_depth` steps
/// (0 = unlimited), then one step along the rows of `hop` from every node it reached.
///
/// Nodes reached by the search are appended to `reached` by non-decreasing depth, sources first
/// (repeats and nodes outside the graph skipped; within a depth the order is unspecified, but
/// sorted sources stay sorted). A node's parent is the smallest node one step closer to the
/// sources whose row lists it, whatever the order of expansion; a source is its own parent.
///
/// Nodes reached only by the final step are appended to `hopped` by non-decreasing depth: one
/// more than the smallest depth of a reached node whose `hop` row lists them, their parent being
/// the smallest such node at that depth.
///
/// Time is proportional to the edges leaving the nodes reached, plus sorting each level; nothing
/// proportional to the graph is allocated or cleared.
/// Marks the `targets` of `node` not yet reached in this search (stamps below `base`) with
/// `stamp` and `node` as parent, appending them to `found`; a target already stamped `stamp`
/// takes `node` as parent when its id is smaller (the first name among equally close parents).
#[inline]
fn visit(targets: &[u32], node: u32, marks: &mut Marks, base: u32, stamp: u32, found: &mut Vec<u32>) {
    for &target in targets {
        let Some(mark) = marks.marks.get_mut(target as usize) else { continue };
        if mark.stamp < base {
            *mark = Mark { stamp, parent: node };
            found.push(target);
        } else if mark.stamp == stamp && node < mark.parent {
            mark.parent = node;
        }
    }
}

pub(crate) fn reach(
    search: &Csr,
    hop: &Csr,
    sources: &[u32],
    max_depth: u32,
    marks: &mut Marks,
    reached: &mut Vec<u32>,
    hopped: &mut Vec<u32>,
) -> Stamps {
    let base = marks.begin();
    let first = reached.len();
    for &source in sources {
        if let Some(mark) = marks.marks.get_mut(source as usize)
            && mark.stamp < base
        {
            *mark = Mark { stamp: base, parent: source };
            reached.push(source);
        }
    }
    // A node at depth `d` is stamped `base + d`; `levels` counts the depths searched.
    let mut levels = 0u32;
    let mut start = first;
    let mut stamp = base;
    while start < reached.len() {
        let end = reached.len();
        levels = levels.saturating_add(1);
        // A large level is expanded in id order, reading the rows in address order, which the
        // cache prefetches: a third faster at a million nodes, while sorting a small level that
        // fits in the cache anyway costs more than it saves.
        if end - start >= SORTED_LEVEL
            && let Some(level) = reached.get_mut(start..end)
        {
            level.sort_unstable();
        }
        let depth = stamp - base;
        if max_depth != 0 && depth >= max_depth {
            break;
        }
        stamp += 1;
        for at in start..end {
            let Some(&node) = reached.get(at) else { break };
            visit(search.row(node), node, marks, base, stamp, reached);
        }
        start = end;
    }
    // A node one soft hop from a node at depth `d` is stamped `hop_base + 1 + d`. `reached` is
    // in depth order, so the first stamp a node gets is from the shallowest depth.
    let hop_base = base.saturating_add(levels);
    for at in first..reached.len() {
        let Some(&node) = reached.get(at) else { break };
        let depth = marks.marks.get(node as usize).map_or(0, |m| m.stamp.saturating_sub(base));
        let stamp = hop_base.saturating_add(1).saturating_add(depth);
        visit(hop.row(node), node, marks, base, stamp, hopped);
    }
    let end = hop_base.saturating_add(levels).saturating_add(1);
    marks.next = end;
    Stamps { base, hop: hop_base, end }
}

/// Merges two iterators sorted by `key` into one sorted iterator (ties: `a` first).
pub(crate) fn merge_sorted<T, K, A, B, F>(a: A, b: B, key: F) -> impl Iterator<Item = T>
where
    K: Ord,
    A: Iterator<Item = T>,
    B: Iterator<Item = T>,
    F: Fn(&T) -> K,
{
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if key(y) < key(x) => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// Bytes held on the heap by `marks`.
pub(crate) fn marks_heap_bytes(marks: &Marks) -> usize {
    marks.marks.capacity() * size_of::<Mark>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_sorted_and_distinct() {
        let csr = Csr::from_pairs(3, &[(2, 1), (0, 2), (2, 0), (2, 1), (7, 7), (0, 1)]);
        assert_eq!(csr.row(0), &[1, 2]);
        assert_eq!(csr.row(1), &[] as &[u32]);
        assert_eq!(csr.row(2), &[0, 1]);
        assert_eq!(csr.row(9), &[] as &[u32]);
        assert_eq!(csr.edges(), 4);
        assert_eq!(csr.pairs().collect::<Vec<_>>(), vec![(0, 1), (0, 2), (2, 0), (2, 1)]);
    }

    #[test]
    fn remove_common_keeps_the_rest() {
        let mut a = Csr::from_pairs(2, &[(0, 1), (0, 2), (0, 3), (1, 0)]);
        let b = Csr::from_pairs(2, &[(0, 2), (0, 5), (1, 1)]);
        a.remove_common(&b);
        assert_eq!(a, Csr::from_pairs(2, &[(0, 1), (0, 3), (1, 0)]));
    }

    #[test]
    fn reach_picks_smallest_parent_and_stops_at_depth() {
        // 0 -> 2, 1 -> 2, 2 -> 3, 3 -> 4; hop: 2 -> 5, 1 -> 5, 0 -> 3
        let g = Csr::from_pairs(6, &[(1, 2), (0, 2), (2, 3), (3, 4)]);
        let h = Csr::from_pairs(6, &[(2, 5), (1, 5), (0, 3)]);
        let mut marks = Marks::new(6);
        let (mut order, mut hopped) = (Vec::new(), Vec::new());
        let stamps = reach(&g, &h, &[1, 0, 1], 2, &mut marks, &mut order, &mut hopped);
        assert_eq!(order, vec![1, 0, 2, 3]);
        assert_eq!(hopped, vec![5]);
        assert_eq!(marks.get(2, stamps), Some((Reached::Search, 0, 1)));
        assert_eq!(marks.get(3, stamps), Some((Reached::Search, 2, 2)));
        assert_eq!(marks.get(5, stamps), Some((Reached::Hop, 1, 1)));
        assert_eq!(marks.get(4, stamps), None);
        let (mut order, mut hopped) = (Vec::new(), Vec::new());
        let again = reach(&g, &h, &[3], 0, &mut marks, &mut order, &mut hopped);
        assert_eq!((order, hopped), (vec![3, 4], vec![]));
        assert_eq!(marks.get(2, again), None);
        assert_eq!(marks.get(4, again), Some((Reached::Search, 3, 1)));
    }

    /// Levels large enough to be sorted before expansion give the same parents and depths.
    #[test]
    fn large_levels_keep_the_smallest_parent() {
        let n = 30_000u32;
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            u32::try_from(state % u64::from(n)).unwrap()
        };
        let pairs: Vec<(u32, u32)> = (0..4 * n).map(|_| (next(), next())).collect();
        let soft: Vec<(u32, u32)> = (0..n).map(|_| (next(), next())).collect();
        let (g, h) = (Csr::from_pairs(n as usize, &pairs), Csr::from_pairs(n as usize, &soft));
        let mut marks = Marks::new(n as usize);
        let (mut order, mut hopped) = (Vec::new(), Vec::new());
        let stamps = reach(&g, &h, &[7, 3], 0, &mut marks, &mut order, &mut hopped);
        assert!(order.len() > 2 * SORTED_LEVEL, "the test needs large levels");
        let depth = |v: u32| marks.get(v, stamps).map(|(_, _, d)| d);
        let mut best: Vec<Option<u32>> = vec![None; n as usize];
        for (graph, reached) in [(&g, Reached::Search), (&h, Reached::Hop)] {
            for (u, v) in graph.pairs() {
                let (Some((Reached::Search, _, du)), Some((kind, _, dv))) =
                    (marks.get(u, stamps), marks.get(v, stamps))
                else {
                    continue;
                };
                if kind == reached && dv == du + 1 {
                    let slot = &mut best[v as usize];
                    *slot = Some(slot.map_or(u, |b| b.min(u)));
                }
            }
        }
        for &v in order.iter().chain(&hopped) {
            let (_, parent, d) = marks.get(v, stamps).unwrap();
            if d > 0 {
                assert_eq!(Some(parent), best[v as usize], "parent of {v}");
                assert_eq!(depth(parent), Some(d - 1));
            }
        }
        assert!(order.windows(2).all(|w| depth(w[0]) <= depth(w[1])));
    }

    #[test]
    fn stamps_overflowing_clear_the_marks() {
        let g = Csr::from_pairs(2, &[(0, 1)]);
        let mut marks = Marks::new(2);
        marks.next = u32::MAX - 9;
        for _ in 0..5 {
            let (mut order, mut hopped) = (Vec::new(), Vec::new());
            let stamps = reach(&g, &Csr::default(), &[1], 0, &mut marks, &mut order, &mut hopped);
            assert_eq!(order, vec![1]);
            assert_eq!(marks.get(0, stamps), None);
        }
    }
}
