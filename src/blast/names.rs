//! The name lists of a blast radius (services, teams, regions), kept as ids and spelled out only
//! when read as strings.
//!
//! Most assessments only decide: they test whether a service is impacted or count the teams,
//! and never look at the lists as `String`s. `Names` keeps sorted ids over one of the topology's
//! shared string tables, answers `len`, `contains` and iteration over `&str` from them, and
//! builds the `Vec<String>` it dereferences to the first time it is asked for one.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::topology::strings::StringTable;

/// A sorted list of distinct names, e.g. `["checkout", "payments"]`.
///
/// Dereferences to `Vec<String>`, built on first use; [`Names::len`], [`Names::contains_name`]
/// and [`Names::iter_str`] read the names without building it. Compares equal to a list of the
/// same names, whatever the representation.
#[derive(Clone, Default)]
pub struct Names {
    compact: Option<Compact>,
    list: OnceLock<Vec<String>>,
}

/// Ids over a shared table whose id order is the names' byte order.
#[derive(Clone)]
struct Compact {
    table: Arc<StringTable>,
    /// Sorted and distinct.
    ids: Vec<u32>,
}

impl Names {
    /// The names with ids `ids` in `table`, whose id order must be the names' order; `ids` is
    /// sorted and deduplicated here.
    pub(crate) fn from_ids(table: Arc<StringTable>, mut ids: Vec<u32>) -> Names {
        ids.sort_unstable();
        ids.dedup();
        Names { compact: Some(Compact { table, ids }), list: OnceLock::new() }
    }

    /// The number of names.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.compact {
            Some(c) => c.ids.len(),
            None => self.list.get().map_or(0, Vec::len),
        }
    }

    /// Whether there are no names.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name at `index`, without building the list.
    #[must_use]
    pub fn get_str(&self, index: usize) -> Option<&str> {
        match &self.compact {
            Some(c) => c.table.get(*c.ids.get(index)?),
            None => self.list.get()?.get(index).map(String::as_str),
        }
    }

    /// The names in order, without building the list.
    pub fn iter_str(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get_str(i).unwrap_or(""))
    }

    /// Whether `name` is in the list, by binary search and without building it.
    #[must_use]
    pub fn contains_name(&self, name: &str) -> bool {
        match &self.compact {
            // Ids sort as their names do: searching the (shorter) list of ids by name compares
            // fewer strings than finding the name's id in the whole table first.
            Some(c) => c.ids.binary_search_by(|&id| c.table.get(id).unwrap_or_default().cmp(name)).is_ok(),
            None => self.list.get().is_some_and(|l| l.binary_search_by(|n| n.as_str().cmp(name)).is_ok()),
        }
    }

    fn build(&self) -> Vec<String> {
        self.iter_str().map(str::to_owned).collect()
    }
}

impl Deref for Names {
    type Target = Vec<String>;

    fn deref(&self) -> &Vec<String> {
        self.list.get_or_init(|| self.build())
    }
}

impl From<Vec<String>> for Names {
    /// Names from a list, sorted and deduplicated.
    fn from(mut list: Vec<String>) -> Self {
        list.sort_unstable();
        list.dedup();
        Names { compact: None, list: OnceLock::from(list) }
    }
}

impl FromIterator<String> for Names {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        Names::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        if let (Some(a), Some(b)) = (&self.compact, &other.compact)
            && Arc::ptr_eq(&a.table, &b.table)
        {
            return a.ids == b.ids;
        }
        self.len() == other.len() && self.iter_str().eq(other.iter_str())
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Names {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter_str().eq(other.iter().map(AsRef::as_ref))
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Names {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Names {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<&[S]> for Names {
    fn eq(&self, other: &&[S]) -> bool {
        *self == **other
    }
}

impl<S: AsRef<str>> PartialEq<Names> for Vec<S> {
    fn eq(&self, other: &Names) -> bool {
        *other == self[..]
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<Names> for [S; N] {
    fn eq(&self, other: &Names) -> bool {
        *other == self[..]
    }
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter_str()).finish()
    }
}

impl Serialize for Names {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter_str())
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<String>::deserialize(deserializer).map(Names::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Arc<StringTable> {
        Arc::new(StringTable::concat(["api", "checkout", "payments", "search"], 25).unwrap())
    }

    #[test]
    fn ids_read_as_sorted_distinct_names() {
        let n = Names::from_ids(table(), vec![2, 0, 2, 1]);
        assert_eq!(n.len(), 3);
        assert_eq!(n.iter_str().collect::<Vec<_>>(), ["api", "checkout", "payments"]);
        assert_eq!(n, ["api", "checkout", "payments"]);
        assert_eq!(n[1], "checkout");
        assert!(n.contains_name("payments"));
        assert!(!n.contains_name("search"));
        assert!(!n.contains_name("zzz"));
        assert_eq!(format!("{n:?}"), r#"["api", "checkout", "payments"]"#);
    }

    #[test]
    fn both_forms_agree_and_round_trip_through_json() {
        let compact = Names::from_ids(table(), vec![3, 1]);
        let listed = Names::from(vec!["search".to_owned(), "checkout".to_owned()]);
        assert_eq!(compact, listed);
        assert_eq!(listed, ["checkout", "search"]);
        assert!(listed.contains_name("search") && !listed.contains_name("api"));
        assert_ne!(compact, Names::from_ids(table(), vec![3]));
        let json = serde_json::to_string(&compact).unwrap();
        assert_eq!(json, r#"["checkout","search"]"#);
        let back: Names = serde_json::from_str(&json).unwrap();
        assert_eq!(back, compact);
        assert_eq!(back.get_str(1), Some("search"));
        assert!(Names::default().is_empty());
    }
}
