//! Timestamps on the wire: RFC 3339 text, the same text as `Display` (a boundary type's
//! serde impl, beside the type).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{EvalErrorKind, Timestamp};

/// The example shown when a timestamp cannot be read.
const TIMESTAMP_EXAMPLE: &str = "2026-03-02T10:00:00Z";

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TimestampVisitor)
    }
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an RFC 3339 timestamp like `{TIMESTAMP_EXAMPLE}`")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
        Timestamp::parse(text).map_err(|err| {
            if err.kind() == EvalErrorKind::OutOfRange {
                E::custom(format_args!(
                    "invalid timestamp `{text}`: out of range, years 1 to 9999 are supported"
                ))
            } else {
                E::custom(format_args!(
                    "invalid timestamp `{text}`: expected RFC 3339 like `{TIMESTAMP_EXAMPLE}`"
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_travel_as_their_display_text() {
        let t = Timestamp::parse("2026-03-02T10:00:00Z").unwrap_or_else(|e| panic!("{e:?}"));
        let json = serde_json::to_string(&t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json, format!("\"{t}\""));
        let back: Timestamp = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.to_string(), t.to_string());
    }

    #[test]
    fn unreadable_timestamps_say_why() {
        let cases = [
            ("\"yesterday\"", "invalid timestamp `yesterday`: expected RFC 3339 like `2026-03-02T10:00:00Z`"),
            ("\"10000-01-01T00:00:00Z\"", "invalid timestamp `10000-01-01T00:00:00Z`:"),
            ("3", "an RFC 3339 timestamp like `2026-03-02T10:00:00Z`"),
        ];
        for (json, expected) in cases {
            let error =
                serde_json::from_str::<Timestamp>(json).err().unwrap_or_else(|| panic!("{json} was read"));
            assert!(error.to_string().contains(expected), "{json}: {error}");
        }
    }
}
