//! The compilation environment: declared variables and constants, and the limits that apply.

use std::collections::HashMap;

use super::types::{Type, join_all};
use super::value::Value;
use crate::Limits;

/// What expressions may refer to: declared variables and constants, the standard library and
/// its extensions, and the limits that apply.
///
/// Build one environment, compile many expressions against it. `Env` is `Send + Sync`.
///
/// ```
/// use changeguard::cel::{Env, Type, Value};
///
/// let mut env = Env::new();
/// let x = env.declare("x", Type::Int);
/// let program = env.compile("x * 2 + 1").unwrap();
/// let mut vars = vec![Value::Null; env.slot_count()];
/// vars[x] = Value::Int(20);
/// assert!(matches!(program.evaluate(&vars), Ok(Value::Int(41))));
/// ```
#[derive(Clone, Debug)]
pub struct Env {
    vars: Vec<VarDecl>,
    by_name: HashMap<String, usize>,
    limits: Limits,
}

/// A declared variable or constant.
#[derive(Clone, Debug)]
pub(crate) struct VarDecl {
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) constant: Option<Value<'static>>,
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Env {
    /// An environment with the standard library, no variables and default limits.
    #[must_use]
    pub fn new() -> Self {
        Env::with_limits(Limits::default())
    }

    /// An environment with the standard library and the given limits.
    #[must_use]
    pub fn with_limits(limits: Limits) -> Self {
        Env { vars: Vec::new(), by_name: HashMap::new(), limits }
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Declares a variable of type `ty` and returns its slot: the index at which an
    /// [`Activation`](super::Activation) supplies its value. Declaring a name again replaces it (new slot).
    pub fn declare(&mut self, name: impl Into<String>, ty: Type) -> usize {
        self.push(VarDecl { name: name.into(), ty, constant: None })
    }

    /// Declares a constant: references to it are replaced by its value at compile time, so
    /// expressions over it fold. Returns its slot (activations need not supply it).
    pub fn declare_constant(&mut self, name: impl Into<String>, value: Value<'static>) -> usize {
        let ty = type_of_value(&value);
        self.push(VarDecl { name: name.into(), ty, constant: Some(value) })
    }

    fn push(&mut self, decl: VarDecl) -> usize {
        let slot = self.vars.len();
        self.by_name.insert(decl.name.clone(), slot);
        self.vars.push(decl);
        slot
    }

    /// The number of slots an activation for this environment has.
    #[must_use]
    pub fn slot_count(&self) -> usize {
        self.vars.len()
    }

    /// The slot of the variable called `name`.
    #[must_use]
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The declared type of the variable in `slot`.
    #[must_use]
    pub fn variable_type(&self, slot: usize) -> Option<&Type> {
        self.vars.get(slot).map(|v| &v.ty)
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<(usize, &VarDecl)> {
        let slot = *self.by_name.get(name)?;
        self.vars.get(slot).map(|d| (slot, d))
    }

    pub(crate) fn variable_names(&self) -> impl Iterator<Item = &str> {
        self.vars.iter().map(|v| v.name.as_str())
    }
}

/// The static type of a constant value.
pub(crate) fn type_of_value(v: &Value<'_>) -> Type {
    match v {
        Value::Null => Type::Null,
        Value::Bool(_) => Type::Bool,
        Value::Int(_) => Type::Int,
        Value::Uint(_) => Type::Uint,
        Value::Double(_) => Type::Double,
        Value::String(_) => Type::String,
        Value::Bytes(_) => Type::Bytes,
        Value::Timestamp(_) => Type::Timestamp,
        Value::Duration(_) => Type::Duration,
        Value::Semver(_) => Type::Semver,
        Value::Type(_) => Type::Type,
        Value::Object(_) => Type::Dyn,
        Value::List(l) => Type::list(join_all(l.iter().map(|e| type_of_value(&e)))),
        Value::Map(m) => {
            let keys = join_all(m.iter().map(|(k, _)| type_of_value(&k.to_value())));
            let values = join_all(m.iter().map(|(_, v)| type_of_value(&v)));
            Type::map(keys, values)
        }
    }
}
