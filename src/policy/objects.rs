//! The input documents as CEL host objects: fields read in place, by index, nothing converted.
//!
//! Self-contained input types (`ServiceChange`, `Strategy`, `Approval`…) are objects
//! themselves. `change` and `context` are wrapped in views that add what an assessment
//! computes once (`when`, `approvers()`, `active_freezes`).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::environments::{Environments, Resolved};
use crate::cel::{HostList, HostMap, Key, List, Str, Timestamp, Value};
use crate::input::{
    Approval, Category, Change, ChangeKind, CheckStatus, Context, Freeze, Incident, ServiceChange, Strategy,
    canonical_name, is_canonical_ascii,
};
use crate::topology::Topology;

/// A string-keyed map read by index and by binary search: what a `BTreeMap` field becomes for
/// the duration of an assessment, so that iterating it in a comprehension is linear. Its
/// entries are plain copies (a borrowed string, a number), so that dropping it only frees the
/// list; each read makes the value.
pub(crate) struct SortedMap<'a, V> {
    entries: Vec<(&'a str, V)>,
}

/// A map entry that [`SortedMap`] stores as is and turns into a value when read.
pub(crate) trait EntryValue<'a>: Copy {
    fn value(self) -> Value<'a>;
}

impl<'a> EntryValue<'a> for &'a str {
    #[inline]
    fn value(self) -> Value<'a> {
        Value::str(self)
    }
}

impl<'a> EntryValue<'a> for f64 {
    #[inline]
    fn value(self) -> Value<'a> {
        Value::Double(self)
    }
}

impl<'a, V: EntryValue<'a>> SortedMap<'a, V> {
    /// The entries of `map`, already sorted by key.
    pub(crate) fn new<S>(map: &'a BTreeMap<String, S>, entry: impl Fn(&'a S) -> V) -> Self {
        SortedMap { entries: map.iter().map(|(k, v)| (k.as_str(), entry(v))).collect() }
    }
}

impl<'a, V: EntryValue<'a> + Send + Sync> HostMap for SortedMap<'a, V> {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn get(&self, key: &Key<'_>) -> Option<Value<'_>> {
        let Key::String(k) = key else { return None };
        self.get_str(k.as_str())
    }

    fn get_str(&self, key: &str) -> Option<Value<'_>> {
        // Checks, labels and error budgets are short lists: comparing for equality (lengths
        // first) beats ordering comparisons until a dozen entries or so.
        if self.entries.len() <= 12 {
            return self.entries.iter().find(|(e, _)| *e == key).map(|(_, v)| v.value());
        }
        let i = self.entries.binary_search_by(|(e, _)| (*e).cmp(key)).ok()?;
        self.entries.get(i).map(|(_, v)| v.value())
    }

    fn entry(&self, index: usize) -> Option<(Key<'_>, Value<'_>)> {
        self.entries.get(index).map(|(k, v)| (Key::String(Str::borrowed(k)), v.value()))
    }
}

/// `change`, with what the assessment computes from it.
pub(crate) struct ChangeView<'a> {
    pub(crate) change: &'a Change,
    pub(crate) when: Timestamp,
    /// `approvers()`: sorted, distinct, normalized, the author excluded.
    pub(crate) approvers: Vec<Value<'a>>,
    pub(super) checks: SortedMap<'a, &'a str>,
    pub(super) labels: SortedMap<'a, &'a str>,
    /// The environment resolved in the policy's vocabulary, once per assessment.
    pub(crate) environment: Resolved,
    /// The changed services with their names as the topology spells them (by canonical form),
    /// or in canonical form when the topology does not know them; `None` when every name is
    /// already so (the common case, which copies nothing).
    services: Option<Vec<ServiceChange>>,
}

/// The name `raw` stands for: the topology's spelling of the service with the same canonical
/// name, else the canonical form; `None` when that is `raw` itself.
fn resolved_service_name(topology: &Topology, raw: &str) -> Option<String> {
    match topology.service(raw) {
        Some(s) if s.name() == raw => None,
        Some(s) => Some(s.name().to_owned()),
        None if is_canonical_ascii(raw) => None,
        None => Some(canonical_name(raw)).filter(|c| c != raw),
    }
}

fn resolved_services(change: &Change, topology: &Topology) -> Option<Vec<ServiceChange>> {
    // Nothing to copy in the common case: every name already as the topology spells it.
    if change.services.iter().all(|s| resolved_service_name(topology, &s.name).is_none()) {
        return None;
    }
    Some(
        change
            .services
            .iter()
            .map(|s| ServiceChange {
                name: resolved_service_name(topology, &s.name).unwrap_or_else(|| s.name.clone()),
                ..s.clone()
            })
            .collect(),
    )
}

/// The distinct people among `approvals` (by identity key), as their canonical names, sorted:
/// see [`Change::approvers`]. Borrows the names computed when the identities were read.
fn sorted_identities<'a>(approvals: impl Iterator<Item = &'a Approval>) -> Vec<Value<'a>> {
    crate::input::distinct_people(approvals).into_iter().map(Value::str).collect()
}

impl<'a> ChangeView<'a> {
    pub(crate) fn new(
        change: &'a Change,
        context: &Context,
        environments: &Environments,
        topology: &Topology,
    ) -> Self {
        ChangeView {
            services: resolved_services(change, topology),
            environment: environments.resolve(&change.environment),
            change,
            when: change.when(context),
            approvers: sorted_identities(change.approvals_by_others()),
            checks: SortedMap::new(&change.checks, |s| s.as_str()),
            labels: SortedMap::new(&change.labels, String::as_str),
        }
    }

    /// The changed services, named as the topology names them (see the field `services`).
    pub(crate) fn services(&self) -> &Vec<ServiceChange> {
        self.services.as_ref().unwrap_or(&self.change.services)
    }

    /// `approvers(role)`: like `approvers()`, keeping the approvals given in `role`.
    pub(super) fn approvers_with_role(&self, role: &str) -> Value<'a> {
        let list = sorted_identities(self.change.approvals_in_role(role));
        Value::List(List::shared(Arc::from(list)))
    }
}

impl HostList for Strategy {
    fn len(&self) -> usize {
        self.effective_steps().len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.effective_steps().get(index).map(|s| Value::Int(i64::from(*s)))
    }
}

/// `context`, with the freezes active for the change.
pub(crate) struct ContextView<'a> {
    pub(crate) context: &'a Context,
    pub(crate) active_freezes: Vec<Value<'a>>,
    pub(super) error_budgets: SortedMap<'a, f64>,
}

impl<'a> ContextView<'a> {
    /// `change`'s environment is `environment` in the policy's vocabulary `environments`.
    pub(crate) fn new(
        context: &'a Context,
        change: &'a Change,
        environments: &Environments,
        environment: &Resolved,
    ) -> Self {
        let when = change.when(context);
        let active_freezes = context
            .freezes
            .iter()
            .filter(|f| {
                f.covers_when(when, change.category, |e| {
                    environments.freeze_names(e, &change.environment, environment)
                })
            })
            .map(|f| Value::str(&f.name))
            .collect();
        let error_budgets = SortedMap::new(&context.error_budgets, |v| *v);
        ContextView { context, active_freezes, error_budgets }
    }
}

// ------------------------------------------------------------------------------------------
// Collections of the input documents.

macro_rules! object_list {
    ($($t:ty),*) => {$(
        impl HostList for Vec<$t> {
            fn len(&self) -> usize {
                self.as_slice().len()
            }

            fn get(&self, index: usize) -> Option<Value<'_>> {
                self.as_slice().get(index).map(|o| Value::Object(o))
            }
        }
    )*};
}

object_list!(ServiceChange, Approval, Freeze, Incident, super::assessment::Violation);

impl HostList for Vec<String> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.as_slice().get(index).map(|s| Value::str(s))
    }

    fn contains_str(&self, s: &str) -> Option<bool> {
        Some(self.iter().any(|x| x == s))
    }
}

impl HostList for Vec<ChangeKind> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.as_slice().get(index).map(|k| Value::str(k.as_str()))
    }
}

impl HostList for Vec<Category> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.as_slice().get(index).map(|k| Value::str(k.as_str()))
    }
}

macro_rules! string_keyed_map {
    ($t:ty, $conv:expr) => {
        impl HostMap for BTreeMap<String, $t> {
            fn len(&self) -> usize {
                BTreeMap::len(self)
            }

            fn get(&self, key: &Key<'_>) -> Option<Value<'_>> {
                match key {
                    Key::String(s) => self.get_str(s.as_str()),
                    _ => None,
                }
            }

            fn get_str(&self, key: &str) -> Option<Value<'_>> {
                BTreeMap::get(self, key).map($conv)
            }

            fn entry(&self, index: usize) -> Option<(Key<'_>, Value<'_>)> {
                self.iter().nth(index).map(|(k, v)| (Key::String(Str::borrowed(k)), $conv(v)))
            }
        }
    };
}

#[allow(clippy::ptr_arg, reason = "the map's value type, used as a function pointer")]
fn string_value(v: &String) -> Value<'_> {
    Value::str(v)
}

#[allow(clippy::trivially_copy_pass_by_ref, reason = "used as a function pointer over map values")]
fn status_value(v: &CheckStatus) -> Value<'static> {
    Value::str(v.as_str())
}

#[allow(clippy::trivially_copy_pass_by_ref, reason = "used as a function pointer over map values")]
fn double_value(v: &f64) -> Value<'static> {
    Value::Double(*v)
}

string_keyed_map!(String, string_value);
string_keyed_map!(CheckStatus, status_value);
#[allow(clippy::ptr_arg, reason = "the map's value type, used as a function pointer")]
fn string_list_value(v: &Vec<String>) -> Value<'_> {
    Value::List(List::host(v))
}

string_keyed_map!(f64, double_value);
// `blast.paths`: service → chain of service names.
string_keyed_map!(Vec<String>, string_list_value);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::Object as _;

    #[test]
    fn sorted_maps_find_every_key_short_or_long() {
        for n in [0usize, 1, 5, 12, 13, 40] {
            let source: BTreeMap<String, String> =
                (0..n).map(|i| (format!("check-{i:02}"), format!("status-{i}"))).collect();
            let map = SortedMap::new(&source, String::as_str);
            for (k, v) in &source {
                assert_eq!(
                    map.get_str(k).and_then(|x| x.as_str().map(str::to_owned)).as_deref(),
                    Some(v.as_str())
                );
            }
            for missing in ["", "check-", "check-99", "zzz", "check-0"] {
                assert!(map.get_str(missing).is_none(), "{missing} in a map of {n}");
            }
        }
    }

    #[test]
    fn approvers_are_people_counted_by_identity_key() {
        let approvals: Vec<Approval> = ["bob ", "Bob", "b\u{43e}b", "\u{200b}", "cy"]
            .into_iter()
            .map(|by| Approval { by: by.into(), role: "dev".into(), at: None })
            .collect();
        let people = sorted_identities(approvals.iter());
        let names: Vec<Option<&str>> = people.iter().map(Value::as_str).collect();
        // A Cyrillic `о` is the same person; an invisible name is nobody.
        assert_eq!(names, [Some("bob"), Some("cy")]);
    }

    #[test]
    fn approvers_exclude_author_and_duplicates() {
        let change = Change::from_json(
            r#"{"id":"c","environment":"production","author":"ann","services":[{"name":"api"}],
                "approvals":[{"by":" ANN ","role":"x"},{"by":"Bob","role":"sre-lead"},{"by":"bob","role":"dev"},{"by":"cy","role":"dev"}]}"#,
        )
        .unwrap();
        let ctx = Context::new(Timestamp::UNIX_EPOCH);
        let view = ChangeView::new(&change, &ctx, &Environments::default(), &Topology::default());
        let names: Vec<&str> = view.approvers.iter().filter_map(Value::as_str).collect();
        assert_eq!(names, ["bob", "cy"]);
        let by_role = view.call_method(1, &[Value::str("SRE-Lead")]).unwrap();
        let Value::List(l) = by_role else { panic!() };
        assert_eq!(l.len(), 1);
    }
}
