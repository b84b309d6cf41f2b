//! The `blast` and `risk` variables as CEL host objects.

use std::sync::Arc;

use super::model::RiskLevel;
use super::schema::{self, schema};
use crate::blast::BlastRadius;
use crate::cel::{HostList, List, Map, Object, ObjectType, Value};

/// `blast`: the blast radius report, read in place, and the size of the topology it was
/// computed over (`blast.topology_services`, 0 when no topology was given).
pub(crate) struct BlastView<'a> {
    radius: &'a BlastRadius,
    topology_services: usize,
}

impl<'a> BlastView<'a> {
    pub(crate) fn new(radius: &'a BlastRadius, topology_services: usize) -> Self {
        BlastView { radius, topology_services }
    }
}

fn count(n: usize) -> Value<'static> {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

impl Object for BlastView<'_> {
    fn object_type(&self) -> &ObjectType {
        &schema().blast
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        use schema::blast as f;
        let r = self.radius;
        Some(match index {
            f::CHANGED => Value::List(List::host(&r.changed)),
            f::IMPACTED => Value::List(List::host(&r.impacted)),
            f::DEGRADED => Value::List(List::host(&r.degraded)),
            f::UNKNOWN => Value::List(List::host(&r.unknown)),
            f::PATHS => Value::Map(Map::host(&*r.paths)),
            f::SERVICES => count(r.services),
            f::TRAFFIC_SHARE => Value::Double(r.traffic_share),
            f::EXPOSURE => Value::Double(r.exposure),
            f::MIN_TIER => r.min_tier.map_or(Value::Null, |t| Value::Int(i64::from(t))),
            f::TEAMS => Value::List(List::host(&r.teams)),
            f::REGIONS => Value::List(List::host(&r.regions)),
            f::COMPLETE => Value::Bool(r.complete),
            // Collected straight into the shared list: one allocation.
            f::LONGEST_PATH => Value::List(List::shared(r.paths.longest_with(Value::str))),
            f::TOPOLOGY_SERVICES => count(self.topology_services),
            _ => return None,
        })
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
    id: &'f str,
    points: i64,
    reason: &'f str,
    references: &'f Arc<[String]>,
}

impl Object for FactorView<'_> {
    fn object_type(&self) -> &ObjectType {
        &schema().factor
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        use schema::factor as f;
        Some(match index {
            f::ID => Value::str(self.id),
            f::POINTS => Value::Int(self.points),
            f::REASON => Value::str(self.reason),
            f::REFERENCES => Value::List(List::host(self.references)),
            _ => return None,
        })
    }
}

/// `risk`: the score, level and fired factors, for rules and message templates.
pub(crate) struct RiskView<'f> {
    score: i64,
    level: RiskLevel,
    factors: Vec<FactorView<'f>>,
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

impl Object for RiskView<'_> {
    fn object_type(&self) -> &ObjectType {
        &schema().risk
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        use schema::risk as f;
        Some(match index {
            f::SCORE => Value::Int(self.score),
            f::LEVEL => Value::str(self.level.as_str()),
            f::FACTORS => Value::List(List::host(&self.factors)),
            f::FACTOR_IDS => Value::List(List::host(self)),
            _ => return None,
        })
    }
}
