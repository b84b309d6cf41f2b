//! The policy schema: every object a policy expression can read (`change`, `context`, `blast`,
//! `risk` and what they contain), described once.
//!
//! Each object is one entry of the table below: its CEL type name, a doc line, and one line
//! per field (kind, name, CEL type, doc line, and how the value is read from the host object).
//! From that one description come
//!
//! - the [`ObjectType`] the checker declares (`<object>::object_type()`),
//! - the field indexes (`<object>::<field>`, a `usize` constant), in declaration order,
//! - the [`Object`] implementation that answers field `i` by a `match` on those constants
//!   (no name lookup at evaluation time),
//! - the field reference rendered for the policy format documentation ([`schema_reference`]).
//!
//! Adding a field is adding one line to its object here.

use std::sync::{Arc, OnceLock};

use super::assessment::Violation;
use super::objects::{ChangeView, ContextView};
use super::views::{AssessmentView, BlastView, FactorView, RiskView};
use crate::cel::{EvalError, List, Map, Object, ObjectType, Semver, Type, Value};
use crate::input::{Approval, Freeze, Incident, Migration, Rollback, ServiceChange, Size, Strategy};

/// Numbers the field names of an object from 0, as `usize` constants named after the fields.
macro_rules! field_indexes {
    ($n:expr;) => {};
    ($n:expr; $name:ident, $($rest:ident,)*) => {
        pub(crate) const $name: usize = $n;
        field_indexes!($n + 1usize; $($rest,)*);
    };
}

/// Adds one field to an object type under construction: `field` is always present, `optional`
/// may be absent (`has()` tells).
macro_rules! declare_field {
    (field, $t:expr, $name:expr, $ty:expr) => {
        $t.field($name, $ty)
    };
    (optional, $t:expr, $name:expr, $ty:expr) => {
        $t.optional_field($name, $ty)
    };
}

/// Whether a field kind is `optional`.
macro_rules! is_optional {
    (field) => {
        false
    };
    (optional) => {
        true
    };
}

/// The table of policy objects. Each entry:
///
/// ```text
/// /// Doc line of the object.
/// object module: HostType = "cel.TypeName", |binding| {
///     /// Doc line of the field.
///     field|optional name: CEL type => value read from `binding` (`?` for an absent field),
/// } methods {
///     /// Doc line of the method.
///     name(argument pattern => CEL type, …) -> CEL type => Result<Value, EvalError>,
/// }
/// ```
macro_rules! policy_objects {
    ($(
        $(#[doc = $tdoc:literal])*
        object $module:ident: $host:ty = $tname:literal, |$bind:ident| {
            $( $(#[doc = $fdoc:literal])* $kind:ident $field:ident : $fty:expr => $val:expr, )*
        }
        $( methods {
            $( $(#[doc = $mdoc:literal])*
               $mname:ident ( $($ppat:pat => $pty:expr),* ) -> $rty:expr => $body:expr, )*
        } )?
    )*) => {
        $(
            #[doc = concat!("The `", $tname, "` object: its field indexes and declared type.")]
            #[allow(non_upper_case_globals, reason = "field indexes are named as the fields")]
            pub(crate) mod $module {
                use super::*;

                field_indexes!(0usize; $($field,)*);

                /// The declared object type, built once.
                pub(crate) fn object_type() -> &'static Arc<ObjectType> {
                    static TYPE: OnceLock<Arc<ObjectType>> = OnceLock::new();
                    TYPE.get_or_init(|| {
                        let t = ObjectType::new($tname);
                        $( let t = declare_field!($kind, t, field_name(stringify!($field)), $fty); )*
                        $($( let t = t.method(stringify!($mname), vec![$($pty),*], $rty); )*)?
                        Arc::new(t)
                    })
                }

                /// The reference entry of this object.
                pub(super) fn reference() -> ObjectRef {
                    let t = object_type();
                    ObjectRef {
                        name: t.name().to_owned(),
                        doc: doc_line(&[$($tdoc),*]),
                        fields: vec![$(FieldRef {
                            name: field_name(stringify!($field)).to_owned(),
                            ty: t.fields().get($field).map(|f| f.ty.to_string()).unwrap_or_default(),
                            optional: is_optional!($kind),
                            doc: doc_line(&[$($fdoc),*]),
                        }),*],
                        methods: vec![$($(MethodRef {
                            name: stringify!($mname).to_owned(),
                            params: vec![$($pty.to_string()),*],
                            result: $rty.to_string(),
                            doc: doc_line(&[$($mdoc),*]),
                        }),*)?],
                    }
                }
            }

            impl Object for $host {
                #[inline]
                fn object_type(&self) -> &ObjectType {
                    $module::object_type()
                }

                #[inline]
                fn field(&self, index: usize) -> Option<Value<'_>> {
                    let $bind = self;
                    Some(match index {
                        $( $module::$field => $val, )*
                        _ => return None,
                    })
                }

                $(
                    #[allow(unused_assignments, reason = "the method counter after the last method")]
                    fn call_method<'s>(
                        &'s self,
                        index: usize,
                        args: &[Value<'s>],
                    ) -> Result<Value<'s>, EvalError> {
                        let $bind = self;
                        let mut i = 0usize;
                        $(
                            if index == i {
                                if let [$($ppat),*] = args {
                                    return $body;
                                }
                            }
                            i += 1;
                        )*
                        Err(EvalError::no_such_overload(format!(
                            "no method number {index} of `{}` takes these arguments",
                            $tname
                        )))
                    }
                )?
            }
        )*

        /// The reference entries of every policy object, in table order.
        fn all_references() -> Vec<ObjectRef> {
            vec![$($module::reference()),*]
        }
    };
}

/// A field name as written in expressions (`r#type` is `type`).
fn field_name(ident: &'static str) -> &'static str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// The doc comment lines of a table entry, joined into one line.
fn doc_line(lines: &[&str]) -> String {
    lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

fn strings() -> Type {
    Type::list(Type::String)
}

fn int(v: u64) -> Value<'static> {
    Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
}

fn count(n: usize) -> Value<'static> {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn json_object(map: &serde_json::Map<String, serde_json::Value>) -> Value<'_> {
    Value::Map(Map::host(map))
}

policy_objects! {
    /// The change being assessed (`change`).
    object change: ChangeView<'_> = "changeguard.Change", |c| {
        /// Identifier of the change, e.g. `CHG-1042`.
        field id: Type::String => Value::str(&c.change.id),
        /// A one-line summary (empty when not given).
        field title: Type::String => Value::str(&c.change.title),
        /// How the change is governed: `standard`, `normal` or `emergency`.
        field category: Type::String => Value::str(c.change.category.as_str()),
        /// The target environment, as written in the change.
        field environment: Type::String => Value::str(&c.change.environment),
        /// Who made the change.
        field author: Type::String => Value::str(&c.change.author),
        /// The services it deploys, named as the topology names them.
        field services: Type::list(Type::object(service::object_type()))
            => Value::List(List::host(c.services())),
        /// How it rolls out.
        field strategy: Type::object(strategy::object_type()) => Value::Object(&c.change.strategy),
        /// How big it is; absent when unknown.
        optional size: Type::object(size::object_type()) => Value::Object(c.change.size.as_ref()?),
        /// How it can be undone; absent when there is no rollback plan.
        optional rollback: Type::object(rollback::object_type())
            => Value::Object(c.change.rollback.as_ref()?),
        /// Present when the change migrates a data store.
        optional migration: Type::object(migration::object_type())
            => Value::Object(c.change.migration.as_ref()?),
        /// Who approved it, in what role, in document order.
        field approvals: Type::list(Type::object(approval::object_type()))
            => Value::List(List::host(&c.change.approvals)),
        /// CI check statuses by check name: `passed`, `failed`, `skipped` or `pending`.
        field checks: Type::map(Type::String, Type::String) => Value::Map(Map::host(&c.checks)),
        /// Environments the same change was deployed to first.
        field tested_in: strings() => Value::List(List::host(&c.change.tested_in)),
        /// When it is scheduled to deploy; absent when it deploys now.
        optional scheduled_at: Type::Timestamp => Value::Timestamp(c.change.scheduled_at?),
        /// The regions it deploys to; empty means everywhere its services run.
        field regions: strings() => Value::List(List::host(&c.change.regions)),
        /// Free-form labels.
        field labels: Type::map(Type::String, Type::String) => Value::Map(Map::host(&c.labels)),
        /// Organisation-specific data.
        field attributes: Type::Dyn => json_object(&c.change.attributes),
        /// When the change is judged: the later of `scheduled_at` and `context.now`.
        field when: Type::Timestamp => Value::Timestamp(c.when),
        /// The environment in the policy's vocabulary (the strictest one when unknown).
        field canonical_environment: Type::String => Value::str(&c.environment.name),
        /// Whether the policy declares the change's environment.
        field environment_known: Type::Bool => Value::Bool(c.environment.known),
    } methods {
        /// The distinct normalized identities of those who approved, other than the author.
        approvers() -> strings() => Ok(Value::List(List::borrowed(&c.approvers))),
        /// As `approvers()`, keeping the approvals given in the role (compared case-insensitively).
        approvers(Value::String(role) => Type::String) -> strings()
            => Ok(c.approvers_with_role(role.as_str())),
    }

    /// A service the change deploys (`change.services[i]`).
    object service: ServiceChange = "changeguard.ServiceChange", |s| {
        /// The service name.
        field name: Type::String => Value::str(&s.name),
        /// The version deployed now, as text; absent when not given.
        optional from: Type::String => Value::string(s.from.as_ref()?.to_string()),
        /// The version being deployed, as text; absent when not given.
        optional to: Type::String => Value::string(s.to.as_ref()?.to_string()),
        /// What the change touches: `code`, `config`, `infrastructure`, `schema`, `dependency`.
        field kinds: strings() => Value::List(List::host(&s.kinds)),
        /// How the version moves: `major`, `minor`, `patch`, `prerelease`, `none`, `downgrade`
        /// or `unknown`.
        field bump: Type::String => Value::str(s.bump().as_str()),
        /// `from` as a semantic version; absent when not given.
        optional from_version: Type::Semver => Value::Semver(Semver::borrowed(s.from.as_ref()?)),
        /// `to` as a semantic version; absent when not given.
        optional to_version: Type::Semver => Value::Semver(Semver::borrowed(s.to.as_ref()?)),
    }

    /// How the change rolls out (`change.strategy`).
    object strategy: Strategy = "changeguard.Strategy", |s| {
        /// The rollout type: `all_at_once`, `rolling`, `canary`, `linear` or `blue_green`.
        field r#type: Type::String => Value::str(s.kind.as_str()),
        /// The steps in force, in percent: the given ones, else the type's defaults.
        field steps: Type::list(Type::Int) => Value::List(List::host(s)),
        /// Minutes to wait between steps.
        field bake_minutes: Type::Int => Value::Int(i64::from(s.bake_minutes)),
        /// Whether it replaces instances in place.
        field in_place: Type::Bool => Value::Bool(s.in_place),
        /// The share exposed first, in percent.
        field first_step: Type::Int => Value::Int(i64::from(s.first_step())),
    }

    /// How big the change is (`change.size`).
    object size: Size = "changeguard.Size", |s| {
        /// Files changed.
        field files: Type::Int => int(s.files),
        /// Lines added.
        field lines_added: Type::Int => int(s.lines_added),
        /// Lines removed.
        field lines_removed: Type::Int => int(s.lines_removed),
        /// Lines added and removed.
        field lines: Type::Int => int(s.lines_added.saturating_add(s.lines_removed)),
    }

    /// How the change can be undone (`change.rollback`).
    object rollback: Rollback = "changeguard.Rollback", |r| {
        /// Whether there is a written rollback plan.
        field plan: Type::Bool => Value::Bool(r.plan),
        /// Whether the rollback was tested.
        field tested: Type::Bool => Value::Bool(r.tested),
        /// Whether the rollback is automated.
        field automated: Type::Bool => Value::Bool(r.automated),
        /// Minutes a rollback takes; absent when unknown.
        optional minutes: Type::Int => int(r.minutes?),
    }

    /// A data store migration (`change.migration`).
    object migration: Migration = "changeguard.Migration", |m| {
        /// Whether the migration can be undone.
        field reversible: Type::Bool => Value::Bool(m.reversible),
        /// Whether the old code works with the migrated store.
        field backward_compatible: Type::Bool => Value::Bool(m.backward_compatible),
    }

    /// An approval of the change (`change.approvals[i]`).
    object approval: Approval = "changeguard.Approval", |a| {
        /// Who approved, as written.
        field by: Type::String => Value::str(&a.by),
        /// In what role.
        field role: Type::String => Value::str(&a.role),
        /// When; absent when not given.
        optional at: Type::Timestamp => Value::Timestamp(a.at?),
    }

    /// The state of operations at assessment time (`context`).
    object context: ContextView<'_> = "changeguard.Context", |c| {
        /// The time of the assessment.
        field now: Type::Timestamp => Value::Timestamp(c.context.now),
        /// Change freezes.
        field freezes: Type::list(Type::object(freeze::object_type()))
            => Value::List(List::host(&c.context.freezes)),
        /// Remaining error budget by service, as a fraction.
        field error_budgets: Type::map(Type::String, Type::Double)
            => Value::Map(Map::host(&c.error_budgets)),
        /// Open incidents.
        field incidents: Type::list(Type::object(incident::object_type()))
            => Value::List(List::host(&c.context.incidents)),
        /// Organisation-specific data.
        field attributes: Type::Dyn => json_object(&c.context.attributes),
        /// The names of the freezes that hold the change back.
        field active_freezes: strings() => Value::List(List::borrowed(&c.active_freezes)),
    }

    /// A change freeze (`context.freezes[i]`).
    object freeze: Freeze = "changeguard.Freeze", |f| {
        /// The freeze's name.
        field name: Type::String => Value::str(&f.name),
        /// The first instant of the freeze.
        field start: Type::Timestamp => Value::Timestamp(f.start),
        /// The first instant after the freeze.
        field end: Type::Timestamp => Value::Timestamp(f.end),
        /// The environments frozen; empty means all of them.
        field environments: strings() => Value::List(List::host(&f.environments)),
        /// The categories of change the freeze lets through.
        field exempt: strings() => Value::List(List::host(&f.exempt)),
    }

    /// An open incident (`context.incidents[i]`).
    object incident: Incident = "changeguard.Incident", |i| {
        /// Identifier of the incident.
        field id: Type::String => Value::str(&i.id),
        /// The services affected.
        field services: strings() => Value::List(List::host(&i.services)),
        /// Severity as the organisation writes it.
        field severity: Type::String => Value::str(&i.severity),
    }

    /// The blast radius of the change over the topology (`blast`).
    object blast: BlastView<'_> = "changeguard.BlastRadius", |b| {
        /// The changed services, sorted.
        field changed: strings() => Value::List(List::host(&b.radius.changed)),
        /// The services that fail with them (hard dependencies), sorted.
        field impacted: strings() => Value::List(List::host(&b.radius.impacted)),
        /// The services that degrade with them (soft dependencies only), sorted.
        field degraded: strings() => Value::List(List::host(&b.radius.degraded)),
        /// Changed services the topology does not know, sorted.
        field unknown: strings() => Value::List(List::host(&b.radius.unknown)),
        /// For each reached service, the chain of services from a changed one to it.
        field paths: Type::map(Type::String, strings()) => Value::Map(Map::host(&*b.radius.paths)),
        /// How many services are changed, impacted or degraded.
        field services: Type::Int => count(b.radius.services),
        /// The share of traffic through the reached services.
        field traffic_share: Type::Double => Value::Double(b.radius.traffic_share),
        /// The traffic share weighted by the rollout's first step.
        field exposure: Type::Double => Value::Double(b.radius.exposure),
        /// The most critical tier reached (lowest number); `null` when none.
        field min_tier: Type::Dyn => b.radius.min_tier.map_or(Value::Null, |t| Value::Int(i64::from(t))),
        /// The teams owning reached services, sorted.
        field teams: strings() => Value::List(List::host(&b.radius.teams)),
        /// The regions reached, sorted.
        field regions: strings() => Value::List(List::host(&b.radius.regions)),
        /// Whether the walk saw everything (no depth limit cut it, no unknown service).
        field complete: Type::Bool => Value::Bool(b.radius.complete),
        /// The longest chain in `paths`.
        // Collected straight into the shared list: one allocation.
        field longest_path: strings() => Value::List(List::shared(b.radius.paths.longest_with(Value::str))),
        /// How many services the topology has (0 when none was given).
        field topology_services: Type::Int => count(b.topology_services),
    }

    /// The risk of the change (`risk`, in rules and message templates).
    object risk: RiskView<'_> = "changeguard.Risk", |r| {
        /// The score, from 0 to 100.
        field score: Type::Int => Value::Int(r.score),
        /// The level: `low`, `medium`, `high` or `critical`.
        field level: Type::String => Value::str(r.level.as_str()),
        /// The fired factors, in policy order.
        field factors: Type::list(Type::object(factor::object_type())) => Value::List(List::host(&r.factors)),
        /// The ids of the fired factors, in policy order.
        field factor_ids: strings() => Value::List(List::host(r)),
    }

    /// The decision about the change, in properties only (`assessment`, and
    /// `assessment_with_approval` for the same change with one more approval).
    object assessment: AssessmentView<'_> = "changeguard.Assessment", |a| {
        /// The outcome: `allow`, `needs_approval` or `deny`.
        field outcome: Type::String => Value::str(a.assessment.outcome.as_str()),
        /// How strict the outcome is: 0 for `allow`, 1 for `needs_approval`, 2 for `deny`.
        field strictness: Type::Int => Value::Int(a.strictness()),
        /// The risk: score, level and fired factors.
        field risk: Type::object(risk::object_type()) => Value::Object(&a.risk),
        /// Every violated rule, in policy order (advisory, dry-run and overridden ones included).
        field violations: Type::list(Type::object(violation::object_type()))
            => Value::List(List::host(&a.assessment.violations)),
        /// The ids of the violated rules that count (not dry-run), in policy order.
        field violated_rules: strings() => Value::List(List::host(&a.violated)),
        /// The ids of the rules and factors that failed to evaluate.
        field errors: strings() => Value::List(List::host(&a.errors)),
    }

    /// A violated rule (`assessment.violations[i]`).
    object violation: Violation = "changeguard.Violation", |v| {
        /// The rule's id.
        field rule: Type::String => Value::str(&v.rule),
        /// Its enforcement: `advisory`, `soft` or `hard`.
        field enforcement: Type::String => Value::str(v.enforcement.as_str()),
        /// Whether the rule is a dry run (reported, never counted).
        field dry_run: Type::Bool => Value::Bool(v.dry_run),
        /// Whether an approval in one of the rule's override roles overrode it.
        field overridden: Type::Bool => Value::Bool(v.overridden_by.is_some()),
        /// What is wrong.
        field message: Type::String => Value::str(&v.message),
    }

    /// A fired risk factor (`risk.factors[i]`).
    object factor: FactorView<'_> = "changeguard.RiskFactor", |f| {
        /// The factor's id.
        field id: Type::String => Value::str(f.id),
        /// The points it added.
        field points: Type::Int => Value::Int(f.points),
        /// Why it fired.
        field reason: Type::String => Value::str(f.reason),
        /// The factor's references.
        field references: strings() => Value::List(List::host(f.references)),
    }
}

// ------------------------------------------------------------------------------------------
// The reference.

/// One object of the policy schema, for documentation: see [`schema_reference`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectRef {
    /// The CEL type name, e.g. `changeguard.Change`.
    pub name: String,
    /// What the object is.
    pub doc: String,
    /// Its fields, in declaration order.
    pub fields: Vec<FieldRef>,
    /// Its methods, in declaration order.
    pub methods: Vec<MethodRef>,
}

/// One field of a policy object: see [`schema_reference`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldRef {
    /// The name, as written in expressions.
    pub name: String,
    /// The CEL type, as the checker writes it (`list(string)`).
    pub ty: String,
    /// Whether the field may be absent (test it with `has()`).
    pub optional: bool,
    /// What the field holds.
    pub doc: String,
}

/// One method of a policy object: see [`schema_reference`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MethodRef {
    /// The name, as written in expressions.
    pub name: String,
    /// The parameter types, not counting the receiver.
    pub params: Vec<String>,
    /// The result type.
    pub result: String,
    /// What the method returns.
    pub doc: String,
}

/// Every object a policy expression can read, with its fields, types and doc lines: the
/// same description the checker and the evaluator are built from.
///
/// ```
/// let objects = changeguard::policy::schema_reference();
/// let change = objects.iter().find(|o| o.name == "changeguard.Change").unwrap();
/// assert!(change.fields.iter().any(|f| f.name == "environment" && f.ty == "string"));
/// ```
#[must_use]
pub fn schema_reference() -> Vec<ObjectRef> {
    all_references()
}

/// The [`schema_reference`] as Markdown: a section per object, a table of its fields and methods.
#[must_use]
pub fn schema_reference_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for o in schema_reference() {
        let _ = writeln!(out, "### `{}`\n\n{}\n", o.name, o.doc);
        let _ = writeln!(out, "| Field | Type | Description |\n|---|---|---|");
        for f in &o.fields {
            let opt = if f.optional { " (optional)" } else { "" };
            let _ = writeln!(out, "| `{}` | `{}`{opt} | {} |", f.name, f.ty, f.doc.replace('|', "\\|"));
        }
        for m in &o.methods {
            let _ = writeln!(
                out,
                "| `{}({})` | `{}` | {} |",
                m.name,
                m.params.join(", "),
                m.result,
                m.doc.replace('|', "\\|")
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &ObjectType, i: usize) -> &str {
        t.fields().get(i).map_or("", |f| f.name.as_str())
    }

    #[test]
    fn field_constants_match_declarations() {
        assert_eq!(at(change::object_type(), change::id), "id");
        assert_eq!(at(change::object_type(), change::environment_known), "environment_known");
        assert_eq!(change::object_type().fields().len(), change::environment_known + 1);
        assert_eq!(at(strategy::object_type(), strategy::r#type), "type");
        assert_eq!(at(blast::object_type(), blast::topology_services), "topology_services");
        assert_eq!(blast::object_type().fields().len(), blast::topology_services + 1);
        assert_eq!(change::object_type().methods().len(), 2);
    }

    #[test]
    fn the_reference_describes_every_field_with_its_type_and_a_doc_line() {
        let objects = schema_reference();
        assert_eq!(objects.len(), 15);
        for o in &objects {
            assert!(!o.doc.is_empty(), "{}", o.name);
            for f in &o.fields {
                assert!(!f.doc.is_empty() && !f.ty.is_empty(), "{}.{}", o.name, f.name);
            }
        }
        let strategy = objects.iter().find(|o| o.name == "changeguard.Strategy").unwrap();
        let ty = strategy.fields.first().unwrap();
        assert_eq!((ty.name.as_str(), ty.ty.as_str(), ty.optional), ("type", "string", false));
        let md = schema_reference_markdown();
        assert!(
            md.contains("| `size` | `changeguard.Size` (optional) | How big it is; absent when unknown. |")
        );
        assert!(md.contains("| `approvers(string)` | `list(string)` |"));
    }
}
