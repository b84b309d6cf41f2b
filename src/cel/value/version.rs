//! Semantic versions, borrowed or shared.

use std::sync::Arc;

/// A semantic version, borrowed or shared.
#[derive(Clone)]
pub struct Semver<'a>(SemverRepr<'a>);

#[derive(Clone)]
enum SemverRepr<'a> {
    Borrowed(&'a semver::Version),
    Shared(Arc<semver::Version>),
}

impl<'a> Semver<'a> {
    /// A version borrowing `v`.
    #[must_use]
    pub fn borrowed(v: &'a semver::Version) -> Self {
        Semver(SemverRepr::Borrowed(v))
    }

    /// A version owning `v`.
    #[must_use]
    pub fn owned(v: semver::Version) -> Semver<'static> {
        Semver(SemverRepr::Shared(Arc::new(v)))
    }

    /// The version.
    #[must_use]
    pub fn get(&self) -> &semver::Version {
        match &self.0 {
            SemverRepr::Borrowed(v) => v,
            SemverRepr::Shared(v) => v,
        }
    }

    /// A copy that owns its data.
    #[must_use]
    pub fn to_shared(&self) -> Semver<'static> {
        match &self.0 {
            SemverRepr::Borrowed(v) => Semver::owned((*v).clone()),
            SemverRepr::Shared(v) => Semver(SemverRepr::Shared(v.clone())),
        }
    }
}
