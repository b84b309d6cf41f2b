//! The change and the context as [`Document`]s: their shape is their type, and building one
//! checks its validation rules.

use crate::diagnostic::Diagnostics;
use crate::document::{Document, json_constructors};
use crate::input::{Change, Context};
use crate::limits::Limits;

/// A document read as its own shape, then validated by its `validate`.
macro_rules! validated_document {
    ($ty:ident, $name:literal) => {
        impl Document for $ty {
            const NAME: &'static str = $name;
            type Shape = $ty;

            fn build(document: $ty, _limits: &Limits) -> Result<$ty, Diagnostics> {
                document.validate()?;
                Ok(document)
            }
        }
    };
}

validated_document!(Change, "change");
validated_document!(Context, "context");

json_constructors! {
    Change, "change",
    /// Reads and [validates](Change::validate) a change from JSON text.
    ///
    /// ```
    /// let change = changeguard::input::Change::from_json(
    ///     r#"{ "id": "CHG-1", "environment": "production", "author": "ann",
    ///          "services": [{ "name": "checkout", "from": "1.4.2", "to": "v1.5.0" }] }"#,
    /// )?;
    /// assert_eq!(change.services[0].bump(), changeguard::input::Bump::Minor);
    /// # Ok::<(), changeguard::Diagnostics>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the text is not JSON, or does not have the shape of a change (every such
    /// problem, with its field path and span), or breaks a validation rule (every broken rule,
    /// each with its field path and span).
}

json_constructors! {
    Context, "context",
    /// Reads and [validates](Context::validate) a context from JSON text.
    ///
    /// # Errors
    ///
    /// When the text is not JSON, or does not have the shape of a context (every such
    /// problem, with its field path and span), or breaks a validation rule (every broken rule).
}
