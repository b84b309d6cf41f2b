//! Unit tests of the assessment's internals.

use super::*;
use crate::cel::display::Canonical;

/// The bundled examples, compiled in.
fn example(name: &str) -> &'static str {
    match name {
        "topology-shop" => include_str!("../../../examples/topology-shop.json"),
        "context" => include_str!("../../../examples/context.json"),
        "change-canary-safe" => include_str!("../../../examples/change-canary-safe.json"),
        "change-friday-all-at-once" => include_str!("../../../examples/change-friday-all-at-once.json"),
        "change-irreversible-migration" => {
            include_str!("../../../examples/change-irreversible-migration.json")
        }
        other => panic!("no example {other}"),
    }
}

/// The direct field reads give what resolving the object and reading its field give, for
/// every field of `change`, `context` and `blast`; other slots and types are declined.
#[test]
fn direct_field_reads_match_reads_through_the_object() {
    let policy = crate::Policy::well_architected();
    let topology = Topology::from_json(example("topology-shop")).unwrap();
    let context = Context::from_json(example("context")).unwrap();
    let mut checked = 0;
    for name in ["change-canary-safe", "change-friday-all-at-once", "change-irreversible-migration"] {
        let change = Change::from_json(example(name)).unwrap();
        let prepared = Prepared::new(&policy.inner, &Limits::default(), &change, &topology, &context);
        let blast_view = BlastView::new(&prepared.radius, prepared.topology_services);
        vars!(vars, policy.inner, prepared, &blast_view, &prepared.budget);
        for slot in [CHANGE, CONTEXT, BLAST] {
            let Ok(Value::Object(object)) = vars.resolve(slot) else {
                panic!("slot {slot} is not an object")
            };
            let ty = object.object_type();
            for index in 0..ty.fields().len() {
                let direct = vars.object_field(slot, ty, index).expect("a direct read");
                let through = object.field(index);
                let show = |v: &Option<Value<'_>>| v.as_ref().map(|v| Canonical(v).to_string());
                assert_eq!(show(&direct), show(&through), "{name}: slot {slot}, field {index}");
                checked += 1;
            }
            // Another type than the object's: no direct read.
            let other = if slot == CHANGE { vars.blast.object_type() } else { vars.change.object_type() };
            assert!(vars.object_field(slot, other, 0).is_none());
        }
        assert!(vars.object_field(RISK, vars.change.object_type(), 0).is_none());
    }
    assert!(checked > 60, "{checked} fields checked");
}
