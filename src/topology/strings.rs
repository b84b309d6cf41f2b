//! Sorted tables of distinct strings stored in one buffer, the interner that builds them, a
//! fast sort of many names, and the hasher used while compiling.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::ops::Range;

/// Hash maps keyed by names while compiling.
pub(crate) type NameMap<'a, V> = HashMap<&'a str, V, FoldBuild>;

/// A hasher for names: 8 bytes at a time through a folded 64×64→128-bit multiply, seeded per
/// map from the standard library's random keys, so that a crafted document cannot aim at
/// collisions it cannot see. Several times faster than `SipHash` on short names.
#[derive(Clone)]
pub(crate) struct FoldBuild {
    seed: u64,
}

impl Default for FoldBuild {
    fn default() -> Self {
        FoldBuild {
            seed: std::collections::hash_map::RandomState::new().hash_one(0x51_7c_c1_b7_27_22_0a_95u64),
        }
    }
}

impl BuildHasher for FoldBuild {
    type Hasher = FoldHasher;

    fn build_hasher(&self) -> FoldHasher {
        FoldHasher { state: self.seed }
    }
}

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// See [`FoldBuild`].
pub(crate) struct FoldHasher {
    state: u64,
}

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut state = self.state;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
            state = fold(state ^ word, MULTIPLIER);
        }
        let mut tail = [0u8; 8];
        for (slot, &byte) in tail.iter_mut().zip(chunks.remainder()) {
            *slot = byte;
        }
        let word = u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56);
        self.state = fold(state ^ word, MULTIPLIER);
    }

    fn write_u8(&mut self, byte: u8) {
        self.state = fold(self.state ^ u64::from(byte), MULTIPLIER);
    }

    fn finish(&self) -> u64 {
        fold(self.state, 0xA076_1D64_78BD_642F)
    }
}

/// A hash index over the strings of a [`StringTable`] of distinct strings, for resolving many
/// names while compiling: open addressing with linear probing at most half full, each slot the
/// high half of the hash (compared first) and the id plus one (0 = empty). Eight bytes a slot
/// keep it a third of the size of a `HashMap<&str, u32>`, so probes miss the cache less.
pub(crate) struct NameIndex {
    slots: Vec<u64>,
    mask: usize,
    build: FoldBuild,
}

impl NameIndex {
    /// Indexes every non-empty string of `table`.
    pub(crate) fn new(table: &StringTable) -> NameIndex {
        let size = table.len().saturating_mul(2).max(8).next_power_of_two();
        let mut index = NameIndex { slots: vec![0; size], mask: size - 1, build: FoldBuild::default() };
        for id in (0u32..).take(table.len()) {
            let Some(name) = table.get(id).filter(|s| !s.is_empty()) else { continue };
            let (tag, mut at) = index.place(name);
            while let Some(slot) = index.slots.get_mut(at) {
                if *slot == 0 {
                    *slot = (u64::from(tag) << 32) | u64::from(id + 1);
                    break;
                }
                at = (at + 1) & index.mask;
            }
        }
        index
    }

    fn place(&self, name: &str) -> (u32, usize) {
        let hash = self.build.hash_one(name);
        ((hash >> 32) as u32, (hash as usize) & self.mask)
    }

    /// The id of `name` in `table` (the table this index was built from).
    #[inline]
    pub(crate) fn get(&self, table: &StringTable, name: &str) -> Option<u32> {
        let (tag, mut at) = self.place(name);
        loop {
            let slot = *self.slots.get(at)?;
            if slot == 0 {
                return None;
            }
            if (slot >> 32) as u32 == tag {
                let id = (slot as u32).wrapping_sub(1);
                if table.get(id) == Some(name) {
                    return Some(id);
                }
            }
            at = (at + 1) & self.mask;
        }
    }
}

/// Bytes of a name compared per radix pass of [`sort_names`] before falling back to comparing
/// whole strings.
const RADIX_BYTES: usize = 32;

/// The 8 bytes of `s` from `at`, big-endian, zero-padded: comparing keys compares the bytes.
fn key(s: &str, at: usize) -> u64 {
    let mut word = [0u8; 8];
    for (slot, &byte) in word.iter_mut().zip(s.as_bytes().get(at..).unwrap_or(&[])) {
        *slot = byte;
    }
    u64::from_be_bytes(word)
}

/// Indices `0..count` sorted by `(name(i), i)`, and the ranges of that order where neighbours
/// may have equal names (outside them, neighbouring names differ).
///
/// Sorting 8-byte keys of integers first, then refining runs of equal keys with the next 8
/// bytes, touches each name a few times in sequence instead of at each of the `n log n` string
/// comparisons of a plain sort.
pub(crate) fn sort_names<'s>(count: u32, name: impl Fn(u32) -> &'s str) -> (Vec<u32>, Vec<Range<usize>>) {
    let mut items: Vec<(u64, u32)> = (0..count).map(|i| (key(name(i), 0), i)).collect();
    items.sort_unstable();
    let mut runs = equal_key_runs(&items, 0..items.len());
    let mut ties = Vec::new();
    let mut at = 8;
    while !runs.is_empty() {
        let mut next = Vec::new();
        for run in runs {
            let Some(slice) = items.get_mut(run.clone()) else { continue };
            if at >= RADIX_BYTES || slice.iter().all(|&(_, i)| name(i).len() <= at) {
                slice.sort_unstable_by(|a, b| name(a.1).cmp(name(b.1)).then(a.1.cmp(&b.1)));
                ties.push(run);
                continue;
            }
            for item in slice.iter_mut() {
                item.0 = key(name(item.1), at);
            }
            slice.sort_unstable();
            next.extend(equal_key_runs(&items, run));
        }
        runs = next;
        at += 8;
    }
    ties.sort_unstable_by_key(|r| r.start);
    (items.into_iter().map(|(_, i)| i).collect(), ties)
}

/// Maximal sub-ranges of `range` (longer than one) whose items share their key.
fn equal_key_runs(items: &[(u64, u32)], range: Range<usize>) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let Some(slice) = items.get(range.clone()) else { return runs };
    let mut start = 0;
    for (end, window) in (1..).zip(slice.windows(2)) {
        if let [a, b] = window
            && a.0 != b.0
        {
            if end - start > 1 {
                runs.push(range.start + start..range.start + end);
            }
            start = end;
        }
    }
    if slice.len() - start > 1 {
        runs.push(range.start + start..range.end);
    }
    runs
}

/// Strings concatenated in one buffer; string `i` is `text[ends[i - 1]..ends[i]]`. The index
/// keeps its tables sorted and distinct, so that an id is a rank and comparing ids compares the
/// strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StringTable {
    text: String,
    ends: Vec<u32>,
}

/// The strings do not fit in 4 GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooLarge;

impl StringTable {
    /// A table of `strings` in the order given; [`StringTable::find`] needs them sorted and
    /// distinct. `bytes` is their total length (a capacity hint).
    pub(crate) fn concat<'s, I>(strings: I, bytes: usize) -> Result<StringTable, TooLarge>
    where
        I: IntoIterator<Item = &'s str>,
    {
        let strings = strings.into_iter();
        let mut text = String::with_capacity(bytes);
        let mut ends = Vec::with_capacity(strings.size_hint().0);
        for s in strings {
            text.push_str(s);
            ends.push(u32::try_from(text.len()).map_err(|_| TooLarge)?);
        }
        Ok(StringTable { text, ends })
    }

    /// The string with id `id`.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&str> {
        let id = id as usize;
        let start = match id.checked_sub(1) {
            Some(prev) => *self.ends.get(prev)? as usize,
            None => 0,
        };
        let end = *self.ends.get(id)? as usize;
        self.text.get(start..end)
    }

    /// The id of `s`, by binary search.
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, u32::try_from(self.ends.len()).ok()?);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid)?.cmp(s) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Number of strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every string, in id (byte) order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..u32::try_from(self.ends.len()).unwrap_or(u32::MAX)).map(|id| self.get(id).unwrap_or(""))
    }

    /// Bytes held on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * size_of::<u32>()
    }
}

/// Collects distinct strings with provisional ids, then sorts them into a [`StringTable`].
#[derive(Default)]
pub(crate) struct Interner<'a> {
    ids: NameMap<'a, u32>,
    strings: Vec<&'a str>,
    bytes: usize,
}

impl<'a> Interner<'a> {
    /// The provisional id of `s`, adding it when new.
    pub(crate) fn intern(&mut self, s: &'a str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.ids.insert(s, id);
        self.strings.push(s);
        self.bytes = self.bytes.saturating_add(s.len());
        id
    }

    /// The sorted table and, indexed by provisional id, each string's final id.
    pub(crate) fn finish(self) -> Result<(StringTable, Vec<u32>), TooLarge> {
        drop(self.ids);
        let mut order: Vec<u32> = (0..u32::try_from(self.strings.len()).map_err(|_| TooLarge)?).collect();
        order.sort_unstable_by_key(|&id| self.strings.get(id as usize).copied().unwrap_or(""));
        let mut remap = vec![0u32; order.len()];
        for (rank, &id) in (0u32..).zip(&order) {
            if let Some(slot) = remap.get_mut(id as usize) {
                *slot = rank;
            }
        }
        let sorted = order.iter().map(|&id| self.strings.get(id as usize).copied().unwrap_or(""));
        let table = StringTable::concat(sorted, self.bytes)?;
        Ok((table, remap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_index_finds_every_name_and_nothing_else() {
        let names: Vec<String> = (0..1000).map(|i| format!("svc-{i}")).collect();
        let mut sorted: Vec<&str> = names.iter().map(String::as_str).chain([""]).collect();
        sorted.sort_unstable();
        let table = StringTable::concat(sorted.iter().copied(), 0).unwrap();
        let index = NameIndex::new(&table);
        for (id, name) in (0u32..).zip(&sorted) {
            let expected = if name.is_empty() { None } else { Some(id) };
            assert_eq!(index.get(&table, name), expected);
        }
        assert_eq!(index.get(&table, "svc-1000"), None);
        assert_eq!(NameIndex::new(&StringTable::default()).get(&StringTable::default(), "a"), None);
    }

    #[test]
    fn sorts_names_like_strings() {
        let names = [
            "b",
            "a",
            "ab\u{0}",
            "ab",
            "",
            "abcdefgh-long-name-number-two",
            "abcdefgh-long-name-number-one",
            "abcdefgh-long-name-number-one-and-then-some-more",
            "abcdefgh-long-name-number-one",
            "b",
            "abcdefgh",
            "abcdefgh\u{0}",
        ];
        let (order, ties) = sort_names(names.len() as u32, |i| names[i as usize]);
        let mut expected: Vec<u32> = (0..names.len() as u32).collect();
        expected.sort_by(|&a, &b| names[a as usize].cmp(names[b as usize]).then(a.cmp(&b)));
        assert_eq!(order, expected);
        for pair in order.windows(2) {
            let at = order.iter().position(|&x| x == pair[1]).unwrap();
            if names[pair[0] as usize] == names[pair[1] as usize] {
                assert!(ties.iter().any(|r| r.contains(&(at - 1)) && r.contains(&at)));
            }
        }
    }

    #[test]
    fn interned_ids_are_ranks() {
        let mut interner = Interner::default();
        let ids: Vec<u32> = ["b", "a", "c", "a"].into_iter().map(|s| interner.intern(s)).collect();
        let (table, remap) = interner.finish().unwrap();
        let ranks: Vec<u32> = ids.iter().map(|&id| remap[id as usize]).collect();
        assert_eq!(ranks, vec![1, 0, 2, 0]);
        assert_eq!(table.iter().collect::<Vec<_>>(), vec!["a", "b", "c"]);
        assert_eq!(table.find("c"), Some(2));
        assert_eq!(table.find("d"), None);
        assert_eq!(table.get(3), None);
    }
}
