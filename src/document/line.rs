//! One JSON value per line, read straight into a type: the decision records of a log and
//! saved reports. A line is small and read often, so no tree is built; a line that does not
//! read is told apart as cut short, not JSON, or JSON of the wrong shape.

use serde::de::DeserializeOwned;
use serde_json::error::Category;

/// What is wrong with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineFault {
    /// The text ends inside a value: a line cut short.
    Truncated,
    /// Not JSON.
    Syntax,
    /// JSON, but not of the expected shape.
    Shape,
}

/// Why a line did not read: the fault and a message that says where.
#[derive(Clone, Debug)]
pub(crate) struct LineProblem {
    pub(crate) fault: LineFault,
    pub(crate) message: String,
}

/// Reads a `T` from one JSON text (its length is the caller's to bound).
pub(crate) fn json_value<T: DeserializeOwned>(text: &str) -> Result<T, LineProblem> {
    let err = match serde_json::from_str::<T>(text) {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    let fault = match err.classify() {
        Category::Eof => LineFault::Truncated,
        Category::Syntax | Category::Io => LineFault::Syntax,
        Category::Data => LineFault::Shape,
    };
    let message = match fault {
        LineFault::Truncated => format!("the text ends inside a value (column {})", err.column()),
        LineFault::Syntax => format!("not JSON: {}", strip_position(&err)),
        LineFault::Shape => {
            // Only now is the path worth finding: read again, tracking it.
            let mut de = serde_json::Deserializer::from_str(text);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) if !e.path().to_string().is_empty() && e.path().to_string() != "." => {
                    format!("`{}`: {}", e.path(), strip_position(e.inner()))
                }
                _ => strip_position(&err),
            }
        }
    };
    Err(LineProblem { fault, message })
}

/// `serde_json`'s message without its " at line 1 column N" (the caller names the line).
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_owned(),
        None => text,
    }
}
