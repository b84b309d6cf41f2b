//! Canonical CEL text of a value: what [`Canonical`] displays and `changeguard expr` prints.
//!
//! The text is valid CEL that evaluates back to an equal value (for every kind but host
//! objects, printed as maps, and types, printed by name).

use std::fmt::{self, Write as _};

use super::value::Value;

/// Displays a value in canonical CEL syntax: `-5`, `5u`, `1.0`, `"a\"b"`, `b"\xff"`,
/// `[1, 2]`, `{"a": 1}` (entries sorted by key text), `timestamp("…")`, `duration("1.5s")`.
///
/// - Doubles use the shortest text that reads back as the same double, always with a `.` or an
///   exponent: plain from `0.0001` up to below `1e16` (`1.0`, `0.1`, `123.456`), with an
///   exponent and no `+` otherwise (`1e100`, `1.5e-7`, `1e16`); `-0.0` keeps its sign;
///   non-finite doubles print as `double("NaN")`, `double("Infinity")` and
///   `double("-Infinity")`.
/// - Strings print as JSON strings: `"` and `\` are escaped, control characters use `\n`,
///   `\r`, `\t`, `\b`, `\f` or `\u00XX`, everything else is kept as is.
/// - Bytes keep printable ASCII (with `"` and `\` escaped) and print every other byte as
///   `\xHH`.
/// - Map entries, and the present fields of host objects, are sorted by their key's text.
/// - Types print by name (`int`, `google.protobuf.Timestamp`); semantic versions as
///   `semver("1.2.3")`; optional values as `optional.of(1)` and `optional.none()`.
pub struct Canonical<'v, 'a>(pub &'v Value<'a>);

/// Values debug-print as their canonical text.
impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Canonical(self), f)
    }
}

impl fmt::Display for Canonical<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Uint(u) => write!(f, "{u}u"),
            Value::Double(d) => write_double(f, *d),
            Value::String(s) => write_string(f, s.as_str()),
            Value::Bytes(b) => write_bytes(f, b.as_slice()),
            Value::List(l) => {
                f.write_char('[')?;
                for (i, item) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Canonical(&item))?;
                }
                f.write_char(']')
            }
            Value::Map(m) => {
                let entries = m.iter().map(|(k, v)| (Canonical(&k.to_value()).to_string(), v));
                write_entries(f, entries.collect())
            }
            Value::Object(o) => {
                let ty = o.object_type();
                let mut entries = Vec::with_capacity(ty.fields().len());
                for (i, field) in ty.fields().iter().enumerate() {
                    if let Some(v) = o.field(i) {
                        let mut key = String::new();
                        write_string(&mut key, &field.name)?;
                        entries.push((key, v));
                    }
                }
                write_entries(f, entries)
            }
            Value::Timestamp(t) => write!(f, "timestamp(\"{t}\")"),
            Value::Duration(d) => write!(f, "duration(\"{d}\")"),
            Value::Semver(v) => write!(f, "semver(\"{}\")", v.get()),
            Value::Opaque(o) => write!(f, "{o}"),
            Value::Type(t) => f.write_str(t.name()),
            Value::Optional(o) => match o.get() {
                Some(v) => write!(f, "optional.of({})", Canonical(v)),
                None => f.write_str("optional.none()"),
            },
        }
    }
}

/// Writes `{k: v, …}` with the entries sorted by key text.
fn write_entries(f: &mut fmt::Formatter<'_>, mut entries: Vec<(String, Value<'_>)>) -> fmt::Result {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    f.write_char('{')?;
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{key}: {}", Canonical(value))?;
    }
    f.write_char('}')
}

fn write_double(f: &mut impl fmt::Write, d: f64) -> fmt::Result {
    if d.is_nan() {
        return f.write_str("double(\"NaN\")");
    }
    if d.is_infinite() {
        return f.write_str(if d > 0.0 { "double(\"Infinity\")" } else { "double(\"-Infinity\")" });
    }
    let magnitude = d.abs();
    if magnitude == 0.0 || (1e-4..1e16).contains(&magnitude) {
        // Shortest round-trip digits, plain; below 1e16 no zeros are padded in.
        let plain = d.to_string();
        f.write_str(&plain)?;
        if !plain.contains('.') {
            f.write_str(".0")?;
        }
        Ok(())
    } else {
        // Shortest round-trip digits with an exponent: `1e100`, `1.5e-7`.
        write!(f, "{d:e}")
    }
}

fn write_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

fn write_bytes(f: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    f.write_str("b\"")?;
    for &b in bytes {
        match b {
            b'"' => f.write_str("\\\"")?,
            b'\\' => f.write_str("\\\\")?,
            0x20..=0x7e => f.write_char(char::from(b))?,
            _ => write!(f, "\\x{b:02x}")?,
        }
    }
    f.write_char('"')
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cel::types::Type;
    use crate::cel::value::{
        Duration, Key, List, MapBuilder, Object, ObjectType, Semver, Str, Timestamp, TypeValue,
    };

    fn show(v: &Value<'_>) -> String {
        Canonical(v).to_string()
    }

    #[test]
    fn scalars() {
        assert_eq!(show(&Value::Null), "null");
        assert_eq!(show(&Value::Bool(true)), "true");
        assert_eq!(show(&Value::Bool(false)), "false");
        assert_eq!(show(&Value::Int(-5)), "-5");
        assert_eq!(show(&Value::Int(i64::MIN)), "-9223372036854775808");
        assert_eq!(show(&Value::Uint(5)), "5u");
        assert_eq!(show(&Value::Uint(u64::MAX)), "18446744073709551615u");
    }

    #[test]
    fn doubles() {
        for (d, want) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e100, "1e100"),
            (1.5e-7, "1.5e-7"),
            (123.456, "123.456"),
            (-2.5, "-2.5"),
            (0.0001, "0.0001"),
            (0.000_01, "1e-5"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e16"),
            (9_223_372_036_854_775_808.0, "9.223372036854776e18"),
            (1.0 / 3.0, "0.3333333333333333"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (-1e-300, "-1e-300"),
            (f64::NAN, "double(\"NaN\")"),
            (f64::INFINITY, "double(\"Infinity\")"),
            (f64::NEG_INFINITY, "double(\"-Infinity\")"),
        ] {
            assert_eq!(show(&Value::Double(d)), want, "{d:?}");
        }
    }

    #[test]
    fn doubles_round_trip() {
        let mut x = 0.123_456_789_f64;
        for _ in 0..200 {
            for d in [x, -x, 1.0 / x] {
                let text = show(&Value::Double(d));
                assert!(text.contains('.') || text.contains('e'), "{text}");
                assert!(!text.contains('+'), "{text}");
                assert_eq!(text.parse::<f64>().unwrap().to_bits(), d.to_bits(), "{text}");
            }
            x *= 7.31;
        }
    }

    #[test]
    fn strings_are_json() {
        assert_eq!(show(&Value::str("a\"b")), r#""a\"b""#);
        assert_eq!(show(&Value::str("back\\slash")), r#""back\\slash""#);
        assert_eq!(show(&Value::str("l1\nl2\r\t\u{8}\u{c}")), r#""l1\nl2\r\t\b\f""#);
        assert_eq!(show(&Value::str("\u{0}\u{1f}\u{7f}")), r#""\u0000\u001f\u007f""#);
        assert_eq!(show(&Value::str("héllo 😀 ’")), "\"héllo 😀 ’\"");
        assert_eq!(show(&Value::str("")), r#""""#);
        let json = show(&Value::str("x\u{1}\"\\é"));
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), "x\u{1}\"\\é");
    }

    #[test]
    fn bytes_escape_all_but_printable_ascii() {
        assert_eq!(show(&Value::bytes(&b"abc"[..])), r#"b"abc""#);
        assert_eq!(show(&Value::bytes(&b"\xff\x00\n"[..])), r#"b"\xff\x00\x0a""#);
        assert_eq!(show(&Value::bytes(&b"a\"b\\c ~"[..])), r#"b"a\"b\\c ~""#);
        assert_eq!(show(&Value::bytes("é".as_bytes())), r#"b"\xc3\xa9""#);
        assert_eq!(show(&Value::bytes(&b"\x7f"[..])), r#"b"\x7f""#);
        assert_eq!(show(&Value::bytes(Vec::new())), r#"b"""#);
    }

    #[test]
    fn lists_and_maps() {
        assert_eq!(show(&Value::list(vec![])), "[]");
        let inner = Value::list(vec![Value::Int(1), Value::str("x")]);
        assert_eq!(show(&Value::list(vec![inner.clone(), Value::Double(2.0)])), r#"[[1, "x"], 2.0]"#);
        assert_eq!(show(&Value::map(MapBuilder::new().build().unwrap())), "{}");
        let mut m = MapBuilder::new();
        m.push(Key::String(Str::borrowed("b")), Value::Int(2));
        m.push(Key::String(Str::borrowed("a")), inner);
        m.push(Key::Int(10), Value::Null);
        m.push(Key::Int(-1), Value::Null);
        m.push(Key::Uint(3), Value::Bool(true));
        m.push(Key::Bool(true), Value::Uint(1));
        let mut nested = MapBuilder::new();
        nested.push(Key::String(Str::borrowed("z")), Value::Int(1));
        nested.push(Key::String(Str::borrowed("y")), Value::Int(2));
        m.push(Key::String(Str::borrowed("c")), Value::map(nested.build().unwrap()));
        let v = Value::map(m.build().unwrap());
        // Sorted by key text: `"` < `-` < digits < `t`.
        assert_eq!(
            show(&v),
            r#"{"a": [1, "x"], "b": 2, "c": {"y": 2, "z": 1}, -1: null, 10: null, 3u: true, true: 1u}"#
        );
        let items = [Value::Int(1)];
        assert_eq!(show(&Value::List(List::borrowed(&items))), "[1]");
    }

    #[test]
    fn time_semver_and_types() {
        let t = Timestamp::parse("2009-02-13T23:31:30Z").unwrap();
        assert_eq!(show(&Value::Timestamp(t)), r#"timestamp("2009-02-13T23:31:30Z")"#);
        let t = Timestamp::parse("2009-02-13T23:31:30.120+01:00").unwrap();
        assert_eq!(show(&Value::Timestamp(t)), r#"timestamp("2009-02-13T22:31:30.12Z")"#);
        assert_eq!(show(&Value::Duration(Duration::parse("1.5s").unwrap())), r#"duration("1.5s")"#);
        assert_eq!(show(&Value::Duration(Duration::parse("-1m").unwrap())), r#"duration("-60s")"#);
        let v = Semver::owned(semver::Version::parse("1.2.3-rc.1+build").unwrap());
        assert_eq!(show(&Value::Semver(v)), r#"semver("1.2.3-rc.1+build")"#);
        for (t, want) in [
            (TypeValue::Int, "int"),
            (TypeValue::Null, "null_type"),
            (TypeValue::List, "list"),
            (TypeValue::Map, "map"),
            (TypeValue::Type, "type"),
            (TypeValue::Timestamp, "google.protobuf.Timestamp"),
            (TypeValue::Duration, "google.protobuf.Duration"),
        ] {
            assert_eq!(show(&Value::Type(t)), want);
        }
    }

    struct Change {
        ty: Arc<ObjectType>,
        id: String,
        files: Option<i64>,
    }

    impl Object for Change {
        fn object_type(&self) -> &ObjectType {
            &self.ty
        }

        fn field(&self, index: usize) -> Option<Value<'_>> {
            match index {
                0 => Some(Value::str(&self.id)),
                1 => self.files.map(Value::Int),
                _ => None,
            }
        }
    }

    #[test]
    fn objects_print_as_maps_of_present_fields() {
        let ty = Arc::new(
            ObjectType::new("test.Change")
                .field("id", Type::String)
                .optional_field("files", Type::Int)
                .optional_field("absent", Type::Int),
        );
        let c = Change { ty: ty.clone(), id: "c-1".into(), files: Some(3) };
        assert_eq!(show(&Value::Object(&c)), r#"{"files": 3, "id": "c-1"}"#);
        let c = Change { ty, id: "c\"2".into(), files: None };
        assert_eq!(show(&Value::Object(&c)), r#"{"id": "c\"2"}"#);
        assert_eq!(show(&Value::list(vec![Value::Object(&c)])), r#"[{"id": "c\"2"}]"#);
    }
}
