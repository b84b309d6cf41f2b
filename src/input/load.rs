//! The change and the context as [`Document`]s: their shape is their type, and building one
//! checks its validation rules.

use crate::diagnostic::Diagnostics;
use crate::document::Document;
use crate::input::{Change, Context};
use crate::limits::Limits;

impl Document for Change {
    const NAME: &'static str = "change";
    type Shape = Change;

    fn build(change: Change, _limits: &Limits) -> Result<Change, Diagnostics> {
        change.validate()?;
        Ok(change)
    }
}

impl Document for Context {
    const NAME: &'static str = "context";
    type Shape = Context;

    fn build(context: Context, _limits: &Limits) -> Result<Context, Diagnostics> {
        context.validate()?;
        Ok(context)
    }
}
