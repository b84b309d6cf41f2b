//! The typed CEL environment of policies ([Expressions in a
//! policy](crate::policy#expressions-in-a-policy)): the object types of `change`, `context`, `blast`
//! and `risk`, with the field indexes the host objects answer to.

use std::sync::{Arc, OnceLock};

use crate::cel::{ObjectType, Type};

macro_rules! fields {
    ($(#[$doc:meta])* $module:ident { $($name:ident),* $(,)? }) => {
        $(#[$doc])*
        #[allow(dead_code)]
        pub(crate) mod $module {
            fields!(@consts 0usize; $($name,)*);
        }
    };
    (@consts $n:expr; $name:ident, $($rest:ident,)*) => {
        pub(crate) const $name: usize = $n;
        fields!(@consts $n + 1usize; $($rest,)*);
    };
    (@consts $n:expr;) => {};
}

fields!(
    /// Field indexes of `changeguard.Change`.
    change {
        ID, TITLE, CATEGORY, ENVIRONMENT, AUTHOR, SERVICES, STRATEGY, SIZE, ROLLBACK, MIGRATION, APPROVALS,
        CHECKS, TESTED_IN, SCHEDULED_AT, REGIONS, LABELS, ATTRIBUTES, WHEN, CANONICAL_ENVIRONMENT,
        ENVIRONMENT_KNOWN,
    }
);
fields!(
    /// Method indexes of `changeguard.Change`.
    change_methods { APPROVERS, APPROVERS_WITH_ROLE }
);
fields!(
    /// Field indexes of `changeguard.ServiceChange`.
    service { NAME, FROM, TO, KINDS, BUMP, FROM_VERSION, TO_VERSION }
);
fields!(
    /// Field indexes of `changeguard.Strategy`.
    strategy { TYPE, STEPS, BAKE_MINUTES, IN_PLACE, FIRST_STEP }
);
fields!(
    /// Field indexes of `changeguard.Size`.
    size { FILES, LINES_ADDED, LINES_REMOVED, LINES }
);
fields!(
    /// Field indexes of `changeguard.Rollback`.
    rollback { PLAN, TESTED, AUTOMATED, MINUTES }
);
fields!(
    /// Field indexes of `changeguard.Migration`.
    migration { REVERSIBLE, BACKWARD_COMPATIBLE }
);
fields!(
    /// Field indexes of `changeguard.Approval`.
    approval { BY, ROLE, AT }
);
fields!(
    /// Field indexes of `changeguard.Context`.
    context { NOW, FREEZES, ERROR_BUDGETS, INCIDENTS, ATTRIBUTES, ACTIVE_FREEZES }
);
fields!(
    /// Field indexes of `changeguard.Freeze`.
    freeze { NAME, START, END, ENVIRONMENTS, EXEMPT }
);
fields!(
    /// Field indexes of `changeguard.Incident`.
    incident { ID, SERVICES, SEVERITY }
);
fields!(
    /// Field indexes of `changeguard.BlastRadius`.
    blast {
        CHANGED, IMPACTED, DEGRADED, UNKNOWN, PATHS, SERVICES, TRAFFIC_SHARE, EXPOSURE, MIN_TIER, TEAMS, REGIONS,
        COMPLETE, LONGEST_PATH, TOPOLOGY_SERVICES,
    }
);
fields!(
    /// Field indexes of `changeguard.Risk`.
    risk { SCORE, LEVEL, FACTORS, FACTOR_IDS }
);
fields!(
    /// Field indexes of `changeguard.RiskFactor`.
    factor { ID, POINTS, REASON, REFERENCES }
);

/// The object types of the policy environment.
pub(crate) struct Schema {
    pub(crate) change: Arc<ObjectType>,
    pub(crate) service: Arc<ObjectType>,
    pub(crate) strategy: Arc<ObjectType>,
    pub(crate) size: Arc<ObjectType>,
    pub(crate) rollback: Arc<ObjectType>,
    pub(crate) migration: Arc<ObjectType>,
    pub(crate) approval: Arc<ObjectType>,
    pub(crate) context: Arc<ObjectType>,
    pub(crate) freeze: Arc<ObjectType>,
    pub(crate) incident: Arc<ObjectType>,
    pub(crate) blast: Arc<ObjectType>,
    pub(crate) risk: Arc<ObjectType>,
    pub(crate) factor: Arc<ObjectType>,
}

fn strings() -> Type {
    Type::list(Type::String)
}

/// The schema, built once.
pub(crate) fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(build)
}

fn build() -> Schema {
    let service = Arc::new(
        ObjectType::new("changeguard.ServiceChange")
            .field("name", Type::String)
            .optional_field("from", Type::String)
            .optional_field("to", Type::String)
            .field("kinds", strings())
            .field("bump", Type::String)
            .optional_field("from_version", Type::Semver)
            .optional_field("to_version", Type::Semver),
    );
    let strategy = Arc::new(
        ObjectType::new("changeguard.Strategy")
            .field("type", Type::String)
            .field("steps", Type::list(Type::Int))
            .field("bake_minutes", Type::Int)
            .field("in_place", Type::Bool)
            .field("first_step", Type::Int),
    );
    let size = Arc::new(
        ObjectType::new("changeguard.Size")
            .field("files", Type::Int)
            .field("lines_added", Type::Int)
            .field("lines_removed", Type::Int)
            .field("lines", Type::Int),
    );
    let rollback = Arc::new(
        ObjectType::new("changeguard.Rollback")
            .field("plan", Type::Bool)
            .field("tested", Type::Bool)
            .field("automated", Type::Bool)
            .optional_field("minutes", Type::Int),
    );
    let migration = Arc::new(
        ObjectType::new("changeguard.Migration")
            .field("reversible", Type::Bool)
            .field("backward_compatible", Type::Bool),
    );
    let approval = Arc::new(
        ObjectType::new("changeguard.Approval")
            .field("by", Type::String)
            .field("role", Type::String)
            .optional_field("at", Type::Timestamp),
    );
    let change = Arc::new(
        ObjectType::new("changeguard.Change")
            .field("id", Type::String)
            .field("title", Type::String)
            .field("category", Type::String)
            .field("environment", Type::String)
            .field("author", Type::String)
            .field("services", Type::list(Type::object(&service)))
            .field("strategy", Type::object(&strategy))
            .optional_field("size", Type::object(&size))
            .optional_field("rollback", Type::object(&rollback))
            .optional_field("migration", Type::object(&migration))
            .field("approvals", Type::list(Type::object(&approval)))
            .field("checks", Type::map(Type::String, Type::String))
            .field("tested_in", strings())
            .optional_field("scheduled_at", Type::Timestamp)
            .field("regions", strings())
            .field("labels", Type::map(Type::String, Type::String))
            .field("attributes", Type::Dyn)
            .field("when", Type::Timestamp)
            .field("canonical_environment", Type::String)
            .field("environment_known", Type::Bool)
            .method("approvers", vec![], strings())
            .method("approvers", vec![Type::String], strings()),
    );
    let freeze = Arc::new(
        ObjectType::new("changeguard.Freeze")
            .field("name", Type::String)
            .field("start", Type::Timestamp)
            .field("end", Type::Timestamp)
            .field("environments", strings())
            .field("exempt", strings()),
    );
    let incident = Arc::new(
        ObjectType::new("changeguard.Incident")
            .field("id", Type::String)
            .field("services", strings())
            .field("severity", Type::String),
    );
    let context = Arc::new(
        ObjectType::new("changeguard.Context")
            .field("now", Type::Timestamp)
            .field("freezes", Type::list(Type::object(&freeze)))
            .field("error_budgets", Type::map(Type::String, Type::Double))
            .field("incidents", Type::list(Type::object(&incident)))
            .field("attributes", Type::Dyn)
            .field("active_freezes", strings()),
    );
    let blast = Arc::new(
        ObjectType::new("changeguard.BlastRadius")
            .field("changed", strings())
            .field("impacted", strings())
            .field("degraded", strings())
            .field("unknown", strings())
            .field("paths", Type::map(Type::String, strings()))
            .field("services", Type::Int)
            .field("traffic_share", Type::Double)
            .field("exposure", Type::Double)
            .field("min_tier", Type::Dyn)
            .field("teams", strings())
            .field("regions", strings())
            .field("complete", Type::Bool)
            .field("longest_path", strings())
            .field("topology_services", Type::Int),
    );
    let factor = Arc::new(
        ObjectType::new("changeguard.RiskFactor")
            .field("id", Type::String)
            .field("points", Type::Int)
            .field("reason", Type::String)
            .field("references", strings()),
    );
    let risk = Arc::new(
        ObjectType::new("changeguard.Risk")
            .field("score", Type::Int)
            .field("level", Type::String)
            .field("factors", Type::list(Type::object(&factor)))
            .field("factor_ids", strings()),
    );
    Schema {
        change,
        service,
        strategy,
        size,
        rollback,
        migration,
        approval,
        context,
        freeze,
        incident,
        blast,
        risk,
        factor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &ObjectType, i: usize) -> &str {
        t.fields().get(i).map_or("", |f| f.name.as_str())
    }

    #[test]
    fn field_constants_match_declarations() {
        let s = schema();
        assert_eq!(at(&s.change, change::ID), "id");
        assert_eq!(at(&s.change, change::ENVIRONMENT), "environment");
        assert_eq!(at(&s.change, change::ATTRIBUTES), "attributes");
        assert_eq!(at(&s.change, change::WHEN), "when");
        assert_eq!(at(&s.change, change::CANONICAL_ENVIRONMENT), "canonical_environment");
        assert_eq!(at(&s.change, change::ENVIRONMENT_KNOWN), "environment_known");
        assert_eq!(s.change.fields().len(), change::ENVIRONMENT_KNOWN + 1);
        assert_eq!(at(&s.service, service::BUMP), "bump");
        assert_eq!(at(&s.service, service::TO_VERSION), "to_version");
        assert_eq!(at(&s.strategy, strategy::FIRST_STEP), "first_step");
        assert_eq!(at(&s.size, size::LINES), "lines");
        assert_eq!(at(&s.rollback, rollback::MINUTES), "minutes");
        assert_eq!(at(&s.migration, migration::BACKWARD_COMPATIBLE), "backward_compatible");
        assert_eq!(at(&s.approval, approval::AT), "at");
        assert_eq!(at(&s.context, context::ACTIVE_FREEZES), "active_freezes");
        assert_eq!(at(&s.freeze, freeze::EXEMPT), "exempt");
        assert_eq!(at(&s.incident, incident::SEVERITY), "severity");
        assert_eq!(at(&s.blast, blast::COMPLETE), "complete");
        assert_eq!(at(&s.blast, blast::LONGEST_PATH), "longest_path");
        assert_eq!(at(&s.blast, blast::TOPOLOGY_SERVICES), "topology_services");
        assert_eq!(s.blast.fields().len(), blast::TOPOLOGY_SERVICES + 1);
        assert_eq!(at(&s.risk, risk::FACTOR_IDS), "factor_ids");
        assert_eq!(at(&s.factor, factor::REFERENCES), "references");
        assert_eq!(s.change.methods().len(), change_methods::APPROVERS_WITH_ROLE + 1);
    }
}
