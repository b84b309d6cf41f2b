//! The CEL environments policies are compiled in, and their variable slots.

use crate::Limits;
use crate::cel::{Env, Type, Value};

use super::schema;

/// Slot of `change`.
pub(crate) const CHANGE: usize = 0;
/// Slot of `context`.
pub(crate) const CONTEXT: usize = 1;
/// Slot of `blast`.
pub(crate) const BLAST: usize = 2;
/// Slot of `params` (a constant).
pub(crate) const PARAMS: usize = 3;
/// Slot of `active_freezes`.
pub(crate) const ACTIVE_FREEZES: usize = 4;
/// Slot of `risk` (rules and templates only).
pub(crate) const RISK: usize = 5;
/// Slot of the first `let`.
pub(crate) const LET_BASE: usize = 6;

/// Why `risk` cannot be used in `let` entries and risk factors.
const RISK_HELP: &str =
    "the risk score is computed from the factors; use `risk` in `[[rule]]` conditions and messages";

/// The names every policy expression may use, for messages.
pub(crate) const BUILTIN_NAMES: [&str; 6] =
    ["change", "context", "blast", "params", "active_freezes", "risk"];

/// The names only properties may use, declared after the `let`s.
pub(crate) const PROPERTY_NAMES: [&str; 2] = ["assessment", "assessment_with_approval"];

/// The environments: `let` entries and risk factors cannot use `risk` (it is computed from
/// the factors), rules and message templates can. All have the same slots.
pub(crate) struct PolicyEnvs {
    pub(crate) lets: Env,
    pub(crate) factor: Env,
    pub(crate) rule: Env,
}

impl PolicyEnvs {
    pub(crate) fn new(limits: &Limits, params: &Value<'static>) -> Self {
        let make = |risk_unavailable_in: Option<&str>| {
            let mut env = Env::with_limits(limits.clone());
            let slots = [
                env.declare("change", Type::object(schema::change::object_type())),
                env.declare("context", Type::object(schema::context::object_type())),
                env.declare("blast", Type::object(schema::blast::object_type())),
                env.declare_constant("params", params.clone()),
                env.declare("active_freezes", Type::list(Type::String)),
                match risk_unavailable_in {
                    None => env.declare("risk", Type::object(schema::risk::object_type())),
                    Some(place) => env.declare_unavailable(
                        "risk",
                        Type::object(schema::risk::object_type()),
                        place,
                        RISK_HELP,
                    ),
                },
            ];
            debug_assert_eq!(slots, [CHANGE, CONTEXT, BLAST, PARAMS, ACTIVE_FREEZES, RISK]);
            env
        };
        PolicyEnvs {
            lets: make(Some("a `let` entry")),
            factor: make(Some("a risk factor")),
            rule: make(None),
        }
    }

    /// The environment of properties: the rules' one (with every `let`), then `assessment`
    /// and `assessment_with_approval`. Returns it with the slot of `assessment_with_approval`.
    pub(crate) fn property_env(&self) -> (Env, usize) {
        let mut env = self.rule.clone();
        let ty = Type::object(schema::assessment::object_type());
        let [main, extra] = PROPERTY_NAMES;
        env.declare(main, ty.clone());
        let slot = env.declare(extra, ty);
        (env, slot)
    }

    /// Declares the next `let` in both environments; constants fold into their users.
    pub(crate) fn declare_let(&mut self, name: &str, ty: Type, constant: Option<Value<'static>>) -> usize {
        match constant {
            Some(v) => {
                self.rule.declare_constant(name, v.clone());
                self.factor.declare_constant(name, v.clone());
                self.lets.declare_constant(name, v)
            }
            None => {
                self.rule.declare(name, ty.clone());
                self.factor.declare(name, ty.clone());
                self.lets.declare(name, ty)
            }
        }
    }
}
