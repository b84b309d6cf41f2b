//! What is computed from the input documents, for the policy language and for callers: when a
//! change is judged (`change.when`), who approved it (`change.approvers()`, the role tests of
//! overrides and risk approvals), which freezes hold it back (`active_freezes`), and how
//! identities compare.
//!
//! The documents themselves (`change.rs`, `context.rs`) are plain data that know nothing of
//! each other; the facts that need both live here.

use std::collections::{BTreeMap, BTreeSet};

use crate::cel::Timestamp;
use crate::input::change::{Approval, Change};
use crate::input::context::{Context, Freeze};

// ------------------------------------------------------------------------------------------
// Identities.

/// Whether `a` and `b` have the same [`canonical_name`](crate::input::canonical_name).
#[must_use]
pub(crate) fn same_identity(a: &str, b: &str) -> bool {
    let (ta, tb) = (a.trim(), b.trim());
    if ta.bytes().all(|c| c.is_ascii_graphic()) && tb.bytes().all(|c| c.is_ascii_graphic()) {
        return ta.eq_ignore_ascii_case(tb);
    }
    super::canonical_name(a) == super::canonical_name(b)
}

// ------------------------------------------------------------------------------------------
// The change.

impl Change {
    /// When the change is judged: the later of `scheduled_at` and `ctx.now` (`ctx.now` when it
    /// is not scheduled). A `scheduled_at` in the past escapes no freeze or window that is
    /// active now.
    #[must_use]
    pub fn when(&self, ctx: &Context) -> Timestamp {
        self.scheduled_at.map_or(ctx.now, |at| at.max(ctx.now))
    }

    /// Whether `identity` is the author: equal [`identity_key`](crate::input::identity_key)s,
    /// so a confusable or invisible-character respelling of the author is the author.
    #[must_use]
    pub fn is_author(&self, identity: &str) -> bool {
        match (super::identity_key(identity), self.author.key()) {
            (Ok(key), Ok(author)) => key == author,
            _ => false,
        }
    }

    /// The approvals given by someone other than the author, with a valid identity (see
    /// [`identity_key`](crate::input::identity_key)), in document order, duplicates included.
    /// When the author's own identity is invalid, no approval can be told apart from theirs,
    /// and none is given. Compares the keys computed when the identities were made.
    pub fn approvals_by_others(&self) -> impl Iterator<Item = &Approval> + '_ {
        let author = self.author.key().ok();
        self.approvals.iter().filter(move |a| match (author, a.by.key()) {
            (Some(author), Ok(key)) => key != author,
            _ => false,
        })
    }

    /// `change.approvers()`: the sorted [canonical names](crate::input::Identity::canonical) of the distinct
    /// people (by [identity key](crate::input::Identity::key)) who approved the change, other than the author.
    ///
    /// ```
    /// use changeguard::input::{Approval, Change, ServiceChange};
    /// let mut change = Change::new("c", "production", "ann", vec![ServiceChange::new("api")]);
    /// for by in [" Ann ", "Bob", "bob", "cy"] {
    ///     change.approvals.push(Approval { by: by.into(), role: "dev".into(), at: None });
    /// }
    /// assert_eq!(change.approvers(), ["bob", "cy"]);
    /// ```
    #[must_use]
    pub fn approvers(&self) -> Vec<String> {
        distinct_identities(self.approvals_by_others())
    }

    /// `change.approvers(role)`: like [`approvers`](Change::approvers), keeping the approvals
    /// given in `role`. Roles are compared trimmed and case-insensitively (as identities are),
    /// so `"SRE-Lead"` matches `"sre-lead"`.
    #[must_use]
    pub fn approvers_with_role(&self, role: &str) -> Vec<String> {
        distinct_identities(self.approvals_in_role(role))
    }

    /// The approvals by someone other than the author given in `role` (compared trimmed and
    /// case-insensitively), in document order: what `change.approvers(role)` counts.
    pub(crate) fn approvals_in_role<'c, 'r>(
        &'c self,
        role: &'r str,
    ) -> impl Iterator<Item = &'c Approval> + use<'c, 'r> {
        self.approvals_by_others().filter(move |a| same_identity(&a.role, role))
    }

    /// The first approval by someone other than the author in one of `roles` (compared trimmed
    /// and case-insensitively; an empty `roles` accepts any role), in document order: the one
    /// test of a soft rule's override ([Rules and enforcement](crate::policy#rules-and-enforcement))
    /// and of a risk approval ([Outcome and reasons](crate::policy#outcome-and-reasons)).
    /// Allocates nothing.
    ///
    /// ```
    /// use changeguard::input::{Approval, Change, ServiceChange};
    /// let mut change = Change::new("c", "production", "ann", vec![ServiceChange::new("api")]);
    /// for (by, role) in [("ann", "sre-lead"), ("bob", "dev"), ("cy", "SRE-Lead ")] {
    ///     change.approvals.push(Approval { by: by.into(), role: role.into(), at: None });
    /// }
    /// let found = change.approval_in_roles(&["sre-lead".to_owned()]).map(|a| a.by.canonical());
    /// assert_eq!(found, Some("cy"), "the author's own approval does not count");
    /// assert_eq!(change.approval_in_roles(&[]).map(|a| a.by.canonical()), Some("bob"));
    /// ```
    #[must_use]
    pub fn approval_in_roles(&self, roles: &[String]) -> Option<&Approval> {
        self.approvals_by_others()
            .find(|a| roles.is_empty() || roles.iter().any(|r| same_identity(&a.role, r)))
    }

    /// Whether someone other than the author approved in one of `roles` (compared trimmed and
    /// case-insensitively); an empty `roles` accepts any role: see
    /// [`approval_in_roles`](Change::approval_in_roles). Allocates nothing.
    #[must_use]
    pub fn is_approved_by_role_in(&self, roles: &[String]) -> bool {
        self.approval_in_roles(roles).is_some()
    }
}

/// The canonical names of distinct people (by identity key; the first spelling met names
/// the person), sorted. Borrows what was computed when the identities were made.
fn distinct_identities<'a>(approvals: impl Iterator<Item = &'a Approval>) -> Vec<String> {
    distinct_people(approvals).into_iter().map(str::to_owned).collect()
}

/// [`distinct_identities`], borrowed.
pub(crate) fn distinct_people<'a>(approvals: impl Iterator<Item = &'a Approval>) -> Vec<&'a str> {
    let mut people: BTreeMap<&str, &str> = BTreeMap::new();
    for a in approvals {
        if let Ok(key) = a.by.key() {
            people.entry(key).or_insert_with(|| a.by.canonical());
        }
    }
    let set: BTreeSet<&str> = people.into_values().collect();
    set.into_iter().collect()
}

// ------------------------------------------------------------------------------------------
// The context.

impl Context {
    /// The freezes that hold `change` back, in document order: see [`Freeze::covers`], at
    /// [`change.when(self)`](Change::when). Allocates nothing.
    pub fn active_freezes_iter<'c>(&'c self, change: &'c Change) -> impl Iterator<Item = &'c Freeze> + 'c {
        let when = change.when(self);
        self.freezes.iter().filter(move |f| f.covers(when, &change.environment, change.category))
    }

    /// `active_freezes`: the names of the freezes that hold `change` back, in document order.
    #[must_use]
    pub fn active_freezes<'c>(&'c self, change: &'c Change) -> Vec<&'c str> {
        self.active_freezes_iter(change).map(|f| f.name.as_str()).collect()
    }
}
