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

/// Per-node search state, valid only when its stamp is the current generation.
#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    stamp: u32,
    parent: u32,
    depth: u32,
}

/// How a node was reached by the current search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reached {
    /// By [`bfs`].
    Search,
    /// By [`hop`] only.
    Hop,
}

/// Reusable scratch state for searches over a graph of a fixed number of nodes.
///
/// Each search calls [`Marks::start`], which advances the generation: marks stamped with an older
/// generation count as unvisited, so nothing is cleared between searches. A search owns two
/// consecutive stamps, one for nodes reached by [`bfs`] and one for nodes reached by [`hop`].
#[derive(Clone, Debug)]
pub(crate) struct Marks {
    marks: Vec<Mark>,
    generation: u32,
}

impl Marks {
    /// Scratch state for `nodes` nodes.
    pub(crate) fn new(nodes: usize) -> Marks {
        Marks { marks: vec![Mark::default(); nodes], generation: 0 }
    }

    /// Number of nodes this scratch state covers.
    pub(crate) fn nodes(&self) -> usize {
        self.marks.len()
    }

    /// Forgets the previous search: every node becomes unvisited.
    pub(crate) fn start(&mut self) {
        if let Some(next) = self.generation.checked_add(2).filter(|g| g.checked_add(1).is_some()) {
            self.generation = next;
        } else {
            // Once every two billion searches: really clear.
            self.marks.fill(Mark::default());
            self.generation = 2;
        }
    }

    fn search_stamp(&self) -> u32 {
        self.generation
    }

    fn hop_stamp(&self) -> u32 {
        self.generation.wrapping_add(1)
    }

    /// How `node` was reached by the current search, with its parent and depth, if at all.
    ///
    /// A source is its own parent, at depth 0.
    #[inline]
    pub(crate) fn get(&self, node: u32) -> Option<(Reached, u32, u32)> {
        let mark = self.marks.get(node as usize)?;
        if mark.stamp == self.search_stamp() {
            Some((Reached::Search, mark.parent, mark.depth))
        } else if mark.stamp == self.hop_stamp() {
            Some((Reached::Hop, mark.parent, mark.depth))
        } else {
            None
        }
    }
}

/// Breadth-first search from `sources` along the rows of `graph`, at most `max_depth` steps
/// (0 = unlimited), after [`Marks::start`].
///
/// Every reached node is appended to `order` in visit order (sources first, in the order given,
/// then by non-decreasing depth). A node's parent is the smallest node, one step closer to the
/// sources, whose row lists it; a source is its own parent. Sources outside the graph and repeated
/// sources are skipped.
pub(crate) fn bfs(graph: &Csr, sources: &[u32], max_depth: u32, marks: &mut Marks, order: &mut Vec<u32>) {
    let stamp = marks.search_stamp();
    let first = order.len();
    for &source in sources {
        if let Some(mark) = marks.marks.get_mut(source as usize)
            && mark.stamp != stamp
        {
            *mark = Mark { stamp, parent: source, depth: 0 };
            order.push(source);
        }
    }
    let mut head = first;
    while let Some(&node) = order.get(head) {
        head += 1;
        let depth = marks.marks.get(node as usize).map_or(0, |m| m.depth);
        if max_depth != 0 && depth >= max_depth {
            continue;
        }
        let next = depth.saturating_add(1);
        for &target in graph.row(node) {
            let Some(mark) = marks.marks.get_mut(target as usize) else { continue };
            if mark.stamp != stamp {
                *mark = Mark { stamp, parent: node, depth: next };
                order.push(target);
            } else if mark.depth == next && node < mark.parent {
                mark.parent = node;
            }
        }
    }
}

/// One step along the rows of `graph` from `from` (nodes reached by the current [`bfs`], in
/// non-decreasing depth), marking the targets that the search did not reach.
///
/// Each newly marked node is appended to `out`, at the smallest depth of a node listing it plus
/// one; its parent is the smallest such node at that depth.
pub(crate) fn hop(graph: &Csr, from: &[u32], marks: &mut Marks, out: &mut Vec<u32>) {
    let search = marks.search_stamp();
    let stamp = marks.hop_stamp();
    for &node in from {
        let depth = marks.marks.get(node as usize).map_or(0, |m| m.depth);
        let next = depth.saturating_add(1);
        for &target in graph.row(node) {
            let Some(mark) = marks.marks.get_mut(target as usize) else { continue };
            if mark.stamp == search {
                continue;
            }
            if mark.stamp != stamp {
                *mark = Mark { stamp, parent: node, depth: next };
                out.push(target);
            } else if mark.depth == next && node < mark.parent {
                mark.parent = node;
            }
        }
    }
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
    fn bfs_picks_smallest_parent_and_stops_at_depth() {
        // 0 -> 2, 1 -> 2, 2 -> 3, 3 -> 4
        let g = Csr::from_pairs(5, &[(1, 2), (0, 2), (2, 3), (3, 4)]);
        let mut marks = Marks::new(5);
        marks.start();
        let mut order = Vec::new();
        bfs(&g, &[1, 0], 2, &mut marks, &mut order);
        assert_eq!(order, vec![1, 0, 2, 3]);
        assert_eq!(marks.get(2), Some((Reached::Search, 0, 1)));
        assert_eq!(marks.get(4), None);
        marks.start();
        assert_eq!(marks.get(2), None);
    }

    #[test]
    fn generations_wrap_by_clearing() {
        let g = Csr::from_pairs(2, &[(0, 1)]);
        let mut marks = Marks::new(2);
        marks.generation = u32::MAX - 2;
        for _ in 0..3 {
            marks.start();
            let mut order = Vec::new();
            bfs(&g, &[1], 0, &mut marks, &mut order);
            assert_eq!(order, vec![1]);
            assert_eq!(marks.get(0), None);
        }
    }
}
