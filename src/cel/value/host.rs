//! Host data: reading application structs from CEL without converting them.
//!
//! An [`Object`] exposes fields by index, as declared by its [`ObjectType`]; the checker
//! resolves `change.environment` to "field 3 of `changeguard.Change`" once, at compile time, so
//! evaluation is one virtual call and no string comparison. Methods (`change.approvers()`) are
//! declared the same way and dispatched by index. [`HostList`] and [`HostMap`] let a host expose
//! its collections lazily.

use std::fmt;
use std::sync::Arc;

use super::{EvalError, Key, Str, Value};
use crate::cel::types::Type;

/// A host struct readable from CEL, with fields and methods declared by an [`ObjectType`].
///
/// Implementations return borrowed values wherever they can (`Value::str(&self.name)`), which
/// is what makes evaluation allocation-free.
pub trait Object: Send + Sync {
    /// The declared type; `field(i)` answers for `object_type().fields()[i]`.
    fn object_type(&self) -> &ObjectType;

    /// The value of field `index`, or `None` when the field is absent (an optional field that
    /// is not set). `has(x.f)` is false exactly when this returns `None`.
    fn field(&self, index: usize) -> Option<Value<'_>>;

    /// Calls method `index` of `object_type().methods()` with arguments already checked
    /// against its declaration.
    ///
    /// # Errors
    ///
    /// Whatever error the method defines; the default implementation has no methods.
    fn call_method<'s>(&'s self, index: usize, args: &[Value<'s>]) -> Result<Value<'s>, EvalError> {
        let _ = args;
        Err(EvalError::no_such_overload(format!(
            "`{}` has no method number {index}",
            self.object_type().name()
        )))
    }
}

/// A list owned by the host, read element by element.
pub trait HostList: Send + Sync {
    /// The number of elements.
    fn len(&self) -> usize;

    /// Whether there are no elements.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `index`, `None` past the end.
    fn get(&self, index: usize) -> Option<Value<'_>>;

    /// Whether the list holds the string `s`, when the host can answer without building
    /// values (`None`: ask element by element).
    fn contains_str(&self, s: &str) -> Option<bool> {
        let _ = s;
        None
    }
}

/// A map owned by the host, read key by key.
pub trait HostMap: Send + Sync {
    /// The number of entries.
    fn len(&self) -> usize;

    /// Whether there are no entries.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value for `key`, `None` when absent.
    fn get(&self, key: &Key<'_>) -> Option<Value<'_>>;

    /// The value for the string key `key`, `None` when absent: the common look-up, which a
    /// host map keyed by strings can answer without building a [`Key`].
    fn get_str(&self, key: &str) -> Option<Value<'_>> {
        self.get(&Key::String(super::Str::borrowed(key)))
    }

    /// The entry at `index` in a fixed iteration order, `None` past the end.
    fn entry(&self, index: usize) -> Option<(Key<'_>, Value<'_>)>;
}

/// The declaration of a host object type: its name, fields and methods.
///
/// Build one with [`ObjectType::new`] and the `field` / `optional_field` / `method` builder
/// methods, then share it (`Arc`) between the checker environment and the host objects.
#[derive(Clone)]
pub struct ObjectType {
    name: Arc<str>,
    fields: Vec<FieldDecl>,
    methods: Vec<MethodDecl>,
}

/// A declared field of an [`ObjectType`].
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct FieldDecl {
    /// The field name, as written in expressions.
    pub name: String,
    /// The field's CEL type.
    pub ty: Type,
    /// Whether the field may be absent (test it with `has()`).
    pub optional: bool,
}

/// A declared method of an [`ObjectType`], called receiver-style (`obj.name(args)`).
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct MethodDecl {
    /// The method name.
    pub name: String,
    /// Parameter types, not counting the receiver.
    pub params: Vec<Type>,
    /// Result type.
    pub result: Type,
}

impl ObjectType {
    /// An object type named `name` (e.g. `changeguard.Change`) with no fields yet.
    #[must_use]
    pub fn new(name: impl Into<Arc<str>>) -> Self {
        ObjectType { name: name.into(), fields: Vec::new(), methods: Vec::new() }
    }

    /// Adds a field that is always present.
    #[must_use]
    pub fn field(mut self, name: impl Into<String>, ty: Type) -> Self {
        self.fields.push(FieldDecl { name: name.into(), ty, optional: false });
        self
    }

    /// Adds a field that may be absent.
    #[must_use]
    pub fn optional_field(mut self, name: impl Into<String>, ty: Type) -> Self {
        self.fields.push(FieldDecl { name: name.into(), ty, optional: true });
        self
    }

    /// Adds a method. Methods may share a name if their parameter counts differ.
    #[must_use]
    pub fn method(mut self, name: impl Into<String>, params: Vec<Type>, result: Type) -> Self {
        self.methods.push(MethodDecl { name: name.into(), params, result });
        self
    }

    /// The type name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn name_ref(&self) -> Str<'_> {
        Str::borrowed(&self.name)
    }

    /// The declared fields, in index order.
    #[must_use]
    pub fn fields(&self) -> &[FieldDecl] {
        &self.fields
    }

    /// The declared methods, in index order.
    #[must_use]
    pub fn methods(&self) -> &[MethodDecl] {
        &self.methods
    }

    /// The index of the field called `name`.
    #[must_use]
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

impl fmt::Debug for ObjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectType")
            .field("name", &self.name)
            .field("fields", &self.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PartialEq for ObjectType {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ObjectType {}
