//! The `blast` and `risk` variables as CEL host objects.

use std::sync::Arc;

use super::kinds::RiskLevel;
use crate::blast::BlastRadius;
use crate::cel::{HostList, Value};

/// `blast`: the blast radius report, read in place, and the size of the topology it was
/// computed over (`blast.topology_services`, 0 when no topology was given).
pub(crate) struct BlastView<'a> {
    pub(super) radius: &'a BlastRadius,
    pub(super) topology_services: usize,
}

impl<'a> BlastView<'a> {
    pub(crate) fn new(radius: &'a BlastRadius, topology_services: usize) -> Self {
        BlastView { radius, topology_services }
    }
}

/// A name list of the blast radius, read without spelling it out as `String`s.
impl HostList for crate::blast::Names {
    fn len(&self) -> usize {
        crate::blast::Names::len(self)
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.get_str(index).map(Value::str)
    }

    fn contains_str(&self, s: &str) -> Option<bool> {
        Some(self.contains_name(s))
    }
}

/// A factor's or rule's references, shared with the policy.
impl HostList for Arc<[String]> {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        <[String]>::get(self, index).map(|s| Value::str(s))
    }

    fn contains_str(&self, s: &str) -> Option<bool> {
        Some(self.iter().any(|x| x == s))
    }
}

/// One fired factor as seen by rules, borrowed from the assessment being built.
pub(crate) struct FactorView<'f> {
    pub(super) id: &'f str,
    pub(super) points: i64,
    pub(super) reason: &'f str,
    pub(super) references: &'f Arc<[String]>,
}

/// `risk`: the score, level and fired factors, for rules and message templates.
pub(crate) struct RiskView<'f> {
    pub(super) score: i64,
    pub(super) level: RiskLevel,
    pub(super) factors: Vec<FactorView<'f>>,
}

impl<'f> RiskView<'f> {
    /// `factors` are (id, points, reason, references) of the fired factors, in policy order.
    pub(crate) fn new(
        score: i64,
        level: RiskLevel,
        factors: impl IntoIterator<Item = (&'f str, i64, &'f str, &'f Arc<[String]>)>,
    ) -> Self {
        let factors = factors.into_iter();
        // Sized once: the factors often come filtered, which hides their number from `collect`.
        let (low, high) = factors.size_hint();
        let mut views = Vec::with_capacity(high.unwrap_or(low));
        views.extend(factors.map(|(id, points, reason, references)| FactorView {
            id,
            points,
            reason,
            references,
        }));
        RiskView { score, level, factors: views }
    }
}

impl HostList for Vec<FactorView<'_>> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.as_slice().get(index).map(|f| Value::Object(f))
    }
}

/// A risk view is also the list of its fired factors' ids (what `risk.factor_ids` reads).
impl HostList for RiskView<'_> {
    fn len(&self) -> usize {
        self.factors.len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.factors.as_slice().get(index).map(|f| Value::str(f.id))
    }
}

/// `assessment` in a property: the assessment, its risk as rules see it, and the lists
/// expressions read from it.
#[cfg_attr(
    not(feature = "proptest"),
    allow(dead_code, reason = "properties run with the `proptest` feature")
)]
pub(crate) struct AssessmentView<'a> {
    pub(super) assessment: &'a super::Assessment,
    pub(super) risk: RiskView<'a>,
    pub(super) violated: Vec<String>,
    pub(super) errors: Vec<String>,
}

#[cfg_attr(
    not(feature = "proptest"),
    allow(dead_code, reason = "properties run with the `proptest` feature")
)]
impl<'a> AssessmentView<'a> {
    pub(crate) fn new(assessment: &'a super::Assessment) -> Self {
        let risk = RiskView::new(
            assessment.risk.score,
            assessment.risk.level,
            assessment.risk.factors.iter().map(|f| (&*f.id, f.points, f.reason.as_str(), &f.references)),
        );
        let mut errors: Vec<String> = assessment.errors.iter().map(|e| e.rule.clone()).collect();
        errors.dedup();
        AssessmentView {
            assessment,
            risk,
            violated: assessment.violated_rules().map(str::to_owned).collect(),
            errors,
        }
    }

    /// 0 for `allow`, 1 for `needs_approval`, 2 for `deny`.
    pub(super) fn strictness(&self) -> i64 {
        match self.assessment.outcome {
            super::Outcome::Allow => 0,
            super::Outcome::NeedsApproval => 1,
            super::Outcome::Deny => 2,
        }
    }
}
