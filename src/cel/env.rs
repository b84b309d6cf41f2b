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

/// A declared name.
#[derive(Clone, Debug)]
pub(crate) struct VarDecl {
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) kind: DeclKind,
}

/// What a declared name stands for.
#[derive(Clone, Debug)]
pub(crate) enum DeclKind {
    /// A variable, whose value the activation supplies.
    Variable,
    /// A constant, folded into the expressions that use it.
    Constant(Value<'static>),
    /// A name that exists, but not for expressions compiled in this environment: using one is
    /// an error that says where it cannot be used (`place`) and why (`because`).
    Unavailable { place: String, because: String },
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
        self.push(VarDecl { name: name.into(), ty, kind: DeclKind::Variable })
    }

    /// Declares a constant: references to it are replaced by its value at compile time, so
    /// expressions over it fold. Returns its slot (activations need not supply it).
    pub fn declare_constant(&mut self, name: impl Into<String>, value: Value<'static>) -> usize {
        let ty = type_of_value(&value);
        self.push(VarDecl { name: name.into(), ty, kind: DeclKind::Constant(value) })
    }

    /// Declares a name that expressions compiled in this environment may not use, although it
    /// means something elsewhere: typically a variable of a sibling environment, declared here
    /// too so that both have the same slots. Using it is a compile error saying that
    /// ``"`name` cannot be used in {place}"``, with `because` as its help. Returns its slot
    /// (activations need not supply it).
    ///
    /// ```
    /// use changeguard::cel::{Env, Type};
    ///
    /// let mut env = Env::new();
    /// env.declare_unavailable("total", Type::Int, "a partial sum", "the total is known at the end");
    /// let errors = env.compile("total > 3").unwrap_err();
    /// let error = errors.items().first().unwrap();
    /// assert_eq!(error.message(), "`total` cannot be used in a partial sum");
    /// assert_eq!(error.help(), Some("the total is known at the end"));
    /// ```
    pub fn declare_unavailable(
        &mut self,
        name: impl Into<String>,
        ty: Type,
        place: impl Into<String>,
        because: impl Into<String>,
    ) -> usize {
        let kind = DeclKind::Unavailable { place: place.into(), because: because.into() };
        self.push(VarDecl { name: name.into(), ty, kind })
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

    /// The names expressions may use (for suggestions).
    pub(crate) fn variable_names(&self) -> impl Iterator<Item = &str> {
        self.vars.iter().filter(|v| !matches!(v.kind, DeclKind::Unavailable { .. })).map(|v| v.name.as_str())
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
        Value::Opaque(o) => Type::Opaque(o.kind()),
        Value::Type(_) => Type::Type,
        Value::Object(_) => Type::Dyn,
        Value::Optional(o) => Type::optional(o.get().map_or(Type::Dyn, type_of_value)),
        Value::List(l) => Type::list(join_all(l.iter().map(|e| type_of_value(&e)))),
        Value::Map(m) => {
            let keys = join_all(m.iter().map(|(k, _)| type_of_value(&k.to_value())));
            let values = join_all(m.iter().map(|(_, v)| type_of_value(&v)));
            Type::map(keys, values)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::{NoVariables, Program};
    use crate::diagnostic::DiagnosticKind;

    fn env() -> Env {
        let mut env = Env::new();
        env.declare("score", Type::Int);
        env.declare_unavailable("total", Type::Int, "a partial sum", "the total is known at the end");
        env
    }

    #[test]
    fn an_unavailable_name_says_where_and_why() {
        for source in ["total > 3", "score + total", "[total].size()"] {
            let errors = env().compile(source).err().unwrap_or_else(|| panic!("`{source}` compiled"));
            let [error] = errors.items() else { panic!("`{source}`: {errors:?}") };
            assert_eq!(error.kind(), DiagnosticKind::UnknownVariable, "{source}");
            assert_eq!(error.message(), "`total` cannot be used in a partial sum", "{source}");
            assert_eq!(error.help(), Some("the total is known at the end"), "{source}");
        }
    }

    #[test]
    fn an_unavailable_name_keeps_its_slot_is_never_suggested_and_can_be_shadowed() {
        let env = env();
        assert_eq!(env.slot("total"), Some(1));
        assert_eq!(env.slot_count(), 2);
        let errors = env.compile("totl > 3").err().unwrap_or_else(|| panic!("`totl` compiled"));
        let [error] = errors.items() else { panic!("{errors:?}") };
        assert_eq!(error.message(), "unknown variable `totl`");
        assert_eq!(error.help(), None);
        let shadowed: Program =
            env.compile("[1, 2].all(total, total > 0)").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(shadowed.evaluate(&NoVariables), Ok(Value::Bool(true))));
    }

    #[test]
    fn unchecked_an_unavailable_name_fails_only_when_evaluated() {
        let env = env();
        let ast =
            crate::cel::syntax::parse("true || total > 0", env.limits()).unwrap_or_else(|e| panic!("{e:?}"));
        let program = env.compile_ast(&ast, false).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(program.evaluate(&NoVariables), Ok(Value::Bool(true))));
        let ast = crate::cel::syntax::parse("total > 0", env.limits()).unwrap_or_else(|e| panic!("{e:?}"));
        let program = env.compile_ast(&ast, false).unwrap_or_else(|e| panic!("{e:?}"));
        let error = program.evaluate(&NoVariables).err().unwrap_or_else(|| panic!("evaluated"));
        assert_eq!(error.message(), "`total` cannot be used in a partial sum");
    }
}
