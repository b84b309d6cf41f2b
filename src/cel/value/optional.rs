//! Optional values: a value or none (`optional.of(x)`, `optional.none()`).

use std::sync::Arc;

use super::Value;

/// A CEL optional value: either holds a value or is empty (`optional.none()`).
///
/// The held value is shared, so that copying an optional (reading a comprehension variable,
/// passing it to a function) never copies what it holds.
#[derive(Clone, Default)]
pub struct OptionalValue<'a>(Option<Arc<Value<'a>>>);

impl<'a> OptionalValue<'a> {
    /// The empty optional, `optional.none()`.
    #[must_use]
    pub fn none() -> Self {
        OptionalValue(None)
    }

    /// An optional holding `v`, `optional.of(v)`.
    #[must_use]
    pub fn of(v: Value<'a>) -> Self {
        OptionalValue(Some(Arc::new(v)))
    }

    /// The held value, if any.
    #[must_use]
    pub fn get(&self) -> Option<&Value<'a>> {
        self.0.as_deref()
    }

    /// Whether a value is held.
    #[must_use]
    pub fn has_value(&self) -> bool {
        self.0.is_some()
    }

    /// A copy that owns all its data.
    #[must_use]
    pub fn to_owned_optional(&self) -> OptionalValue<'static> {
        OptionalValue(self.0.as_deref().map(|v| Arc::new(v.to_owned_value())))
    }
}

impl<'a> From<Option<Value<'a>>> for OptionalValue<'a> {
    fn from(v: Option<Value<'a>>) -> Self {
        OptionalValue(v.map(Arc::new))
    }
}
