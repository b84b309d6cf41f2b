//! Where evaluation reads the values of declared variables.

use crate::cel::value::{EvalError, EvalErrorKind, ObjectType, Value};

/// Supplies the values of declared variables during evaluation.
///
/// Slots are the indexes returned when variables were declared in the environment.
pub trait Activation<'a> {
    /// The value of the variable in `slot`.
    ///
    /// # Errors
    ///
    /// When the variable has no value (an unbound variable is an evaluation error, as in CEL),
    /// or when computing it failed (a lazily computed variable).
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError>;

    /// Field `index` of the host object in `slot`, read directly: an optional fast path for
    /// activations that hold their objects by concrete type, taken for `variable.field`
    /// expressions. `ty` is the object type the checker saw; answer only when the object in
    /// `slot` has exactly this type (compare by address).
    ///
    /// `None` (the default) means no fast path: the evaluator then calls
    /// [`Activation::resolve`] and [`crate::cel::Object::field`]. `Some(None)` means the field
    /// is absent.
    fn object_field(&self, slot: usize, ty: &ObjectType, index: usize) -> Option<Option<Value<'a>>> {
        let _ = (slot, ty, index);
        None
    }

    /// The variable in `slot` when its value is a bool that is already at hand (a lazily
    /// computed variable computed before): an optional fast path for conditions such as
    /// `is_prod && …`, which read the same variables again and again.
    ///
    /// `None` (the default) means no fast path: the evaluator then calls
    /// [`Activation::resolve`].
    fn known_bool(&self, slot: usize) -> Option<bool> {
        let _ = slot;
        None
    }
}

impl<'a> Activation<'a> for [Value<'a>] {
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
        self.get(slot).cloned().ok_or_else(|| unbound(slot))
    }
}

impl<'a> Activation<'a> for Vec<Value<'a>> {
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
        self.as_slice().resolve(slot)
    }
}

/// An activation with no variables.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoVariables;

impl<'a> Activation<'a> for NoVariables {
    fn resolve(&self, slot: usize) -> Result<Value<'a>, EvalError> {
        Err(unbound(slot))
    }
}

fn unbound(slot: usize) -> EvalError {
    EvalError::new(EvalErrorKind::UnboundVariable, format!("no value for variable number {slot}"))
}
