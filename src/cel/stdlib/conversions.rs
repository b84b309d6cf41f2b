//! Type conversions: `int`, `uint`, `double`, `string`, `bytes`, `bool`, `timestamp`,
//! `duration`, `dyn` and `type`, with cel-go's range rules and text formats.

use super::{Impl, Overload, global, no_such_overload};
use crate::cel::display::Canonical;
use crate::cel::types::Type;
use crate::cel::value::{Duration, EvalError, EvalErrorKind, Timestamp, Value};

/// 2^63 as a double: doubles at or beyond ±2^63 do not convert to int.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^64 as a double: doubles at or beyond it do not convert to uint.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, Bytes, Double, Duration as Dur, Int, String, Timestamp as Ts, Uint};
    let conv = |id, function, from: Type, to: Type, imp| global(id, function, vec![from], to, Impl::F1(imp));
    out.extend([
        conv("int64_to_int64", "int", Int, Int, to_int),
        conv("uint64_to_int64", "int", Uint, Int, to_int),
        conv("double_to_int64", "int", Double, Int, to_int),
        conv("string_to_int64", "int", String, Int, to_int),
        conv("timestamp_to_int64", "int", Ts, Int, to_int),
        conv("uint64_to_uint64", "uint", Uint, Uint, to_uint),
        conv("int64_to_uint64", "uint", Int, Uint, to_uint),
        conv("double_to_uint64", "uint", Double, Uint, to_uint),
        conv("string_to_uint64", "uint", String, Uint, to_uint),
        conv("double_to_double", "double", Double, Double, to_double),
        conv("int64_to_double", "double", Int, Double, to_double),
        conv("uint64_to_double", "double", Uint, Double, to_double),
        conv("string_to_double", "double", String, Double, to_double),
        conv("string_to_string", "string", String, String, to_string),
        conv("int64_to_string", "string", Int, String, to_string),
        conv("uint64_to_string", "string", Uint, String, to_string),
        conv("double_to_string", "string", Double, String, to_string),
        conv("bytes_to_string", "string", Bytes, String, to_string).priced(super::cost::copy_receiver),
        conv("bool_to_string", "string", Bool, String, to_string),
        conv("timestamp_to_string", "string", Ts, String, to_string),
        conv("duration_to_string", "string", Dur, String, to_string),
        conv("bytes_to_bytes", "bytes", Bytes, Bytes, to_bytes),
        conv("string_to_bytes", "bytes", String, Bytes, to_bytes).priced(super::cost::copy_receiver),
        conv("bool_to_bool", "bool", Bool, Bool, to_bool),
        conv("string_to_bool", "bool", String, Bool, to_bool),
        conv("timestamp_to_timestamp", "timestamp", Ts, Ts, to_timestamp),
        conv("string_to_timestamp", "timestamp", String, Ts, to_timestamp),
        conv("int64_to_timestamp", "timestamp", Int, Ts, to_timestamp),
        conv("duration_to_duration", "duration", Dur, Dur, to_duration),
        conv("string_to_duration", "duration", String, Dur, to_duration),
        conv("to_dyn", "dyn", Type::Param(0), Type::Dyn, to_dyn),
        conv("type", "type", Type::Param(0), Type::Type, to_type),
    ]);
}

fn cannot_convert(v: &Value<'_>, to: &str) -> EvalError {
    EvalError::conversion(format!("cannot convert `{}` to {to}", Canonical(v)))
}

fn out_of_range(v: &Value<'_>, to: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Overflow,
        format!("{to} overflow: `{}` is out of the {to} range", Canonical(v)),
    )
}

/// Parses a base-10 integer as Go's `strconv.ParseInt` / `ParseUint` do: an optional sign
/// (`-` for unsigned is an error, `+` only for signed), digits, nothing else.
fn parse_integer<T: std::str::FromStr<Err = std::num::ParseIntError>>(
    v: &Value<'_>,
    text: &str,
    to: &str,
    signed: bool,
) -> Result<T, EvalError> {
    if !signed && text.starts_with('+') {
        return Err(cannot_convert(v, to));
    }
    text.parse::<T>().map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => out_of_range(v, to),
        _ => cannot_convert(v, to),
    })
}

fn to_int<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Int(match v {
        Value::Int(i) => *i,
        Value::Uint(u) => i64::try_from(*u).map_err(|_| out_of_range(v, "int"))?,
        // Truncates toward zero; ±2^63 themselves are out of range, as in cel-go.
        Value::Double(d) if *d > -TWO_POW_63 && *d < TWO_POW_63 => d.trunc() as i64,
        Value::Double(_) => return Err(out_of_range(v, "int")),
        Value::String(s) => parse_integer(v, s.as_str(), "int", true)?,
        Value::Timestamp(t) => t.unix_seconds(),
        _ => return Err(no_such_overload("int", &[v])),
    }))
}

fn to_uint<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Uint(match v {
        Value::Uint(u) => *u,
        Value::Int(i) => u64::try_from(*i).map_err(|_| out_of_range(v, "uint"))?,
        // Negative doubles are out of range even above -1, as in cel-go.
        Value::Double(d) if *d >= 0.0 && *d < TWO_POW_64 => d.trunc() as u64,
        Value::Double(_) => return Err(out_of_range(v, "uint")),
        Value::String(s) => parse_integer(v, s.as_str(), "uint", false)?,
        _ => return Err(no_such_overload("uint", &[v])),
    }))
}

fn to_double<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Double(match v {
        Value::Double(d) => *d,
        Value::Int(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::String(s) => parse_double(v, s.as_str())?,
        _ => return Err(no_such_overload("double", &[v])),
    }))
}

/// Parses a double as Go's `strconv.ParseFloat` does: decimal with optional exponent, or
/// `NaN`, `Inf` and `Infinity` in any case with an optional sign. Values too large for a
/// double are errors rather than infinities.
fn parse_double(v: &Value<'_>, text: &str) -> Result<f64, EvalError> {
    let d: f64 = text.parse().map_err(|_| cannot_convert(v, "double"))?;
    if d.is_infinite() {
        let word = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
        if word != "inf" && word != "infinity" {
            return Err(out_of_range(v, "double"));
        }
    }
    Ok(d)
}

fn to_string<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(match v {
        Value::String(_) => v.clone(),
        Value::Int(i) => Value::string(i.to_string()),
        Value::Uint(u) => Value::string(u.to_string()),
        Value::Double(d) => Value::string(format_double_go(*d)),
        Value::Bytes(b) => match std::str::from_utf8(b.as_slice()) {
            Ok(s) => Value::string(s),
            Err(_) => {
                return Err(EvalError::conversion(format!(
                    "cannot convert `{}` to string: invalid UTF-8",
                    Canonical(v)
                )));
            }
        },
        Value::Bool(b) => Value::str(if *b { "true" } else { "false" }),
        Value::Timestamp(t) => Value::string(t.to_string()),
        Value::Duration(d) => Value::string(d.to_string()),
        _ => return Err(no_such_overload("string", &[v])),
    })
}

/// A double as Go's `%g` prints it (what cel-go's `string(double)` returns): the shortest
/// digits that round-trip, in exponent form (`1e+06`, `1.5e-07`) when the decimal exponent is
/// below -4 or at least 6, else in plain form (`123.456`, `-0.0045`, `100000`).
pub(super) fn format_double_go(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_owned();
    }
    if d.is_infinite() {
        return if d > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `-4.5e-3`, `1e100`, `0e0`.
    let sci = format!("{d:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        return format!("{d}");
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

fn to_bytes<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Bytes(_) => Ok(v.clone()),
        Value::String(s) => Ok(Value::bytes(s.as_str().as_bytes())),
        _ => Err(no_such_overload("bytes", &[v])),
    }
}

/// Accepts exactly the spellings cel-go accepts: `1 t true TRUE True` and `0 f false FALSE
/// False`.
fn to_bool<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Bool(_) => Ok(v.clone()),
        Value::String(s) => match s.as_str() {
            "1" | "t" | "true" | "TRUE" | "True" => Ok(Value::Bool(true)),
            "0" | "f" | "false" | "FALSE" | "False" => Ok(Value::Bool(false)),
            _ => Err(cannot_convert(v, "bool")),
        },
        _ => Err(no_such_overload("bool", &[v])),
    }
}

fn to_timestamp<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Timestamp(match v {
        Value::Timestamp(t) => *t,
        Value::String(s) => Timestamp::parse(s.as_str())?,
        Value::Int(secs) => Timestamp::new(*secs, 0)
            .map_err(|_| EvalError::out_of_range(format!("timestamp out of range: `{secs}` seconds")))?,
        _ => return Err(no_such_overload("timestamp", &[v])),
    }))
}

fn to_duration<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Duration(match v {
        Value::Duration(d) => *d,
        Value::String(s) => Duration::parse(s.as_str())?,
        _ => return Err(no_such_overload("duration", &[v])),
    }))
}

#[allow(clippy::unnecessary_wraps, reason = "the signature of an `Impl::F1`")]
fn to_dyn<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(v.clone())
}

#[allow(clippy::unnecessary_wraps, reason = "the signature of an `Impl::F1`")]
fn to_type<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Type(v.type_value()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::value::TypeValue;

    fn shown(v: &Result<Value<'_>, EvalError>) -> String {
        match v {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error({:?}): {e}", e.kind()),
        }
    }

    fn s(text: &str) -> Value<'_> {
        Value::str(text)
    }

    #[test]
    fn to_int_boundaries() {
        let cases: [(Value<'_>, &str); 19] = [
            (Value::Int(-5), "-5"),
            (Value::Uint(42), "42"),
            (Value::Uint(9_223_372_036_854_775_807), "9223372036854775807"),
            (
                Value::Uint(u64::MAX),
                "error(Overflow): int overflow: `18446744073709551615u` is out of the int range",
            ),
            (Value::Double(-123.456), "-123"),
            (Value::Double(1.9), "1"),
            (Value::Double(-7.9), "-7"),
            (Value::Double(11.5), "11"),
            (Value::Double(-3.5), "-3"),
            (Value::Double(36_028_797_018_963_968.0), "36028797018963968"),
            (Value::Double(9_223_372_036_854_774_784.0), "9223372036854774784"),
            (
                Value::Double(TWO_POW_63),
                "error(Overflow): int overflow: `9.223372036854776e18` is out of the int range",
            ),
            (
                Value::Double(-TWO_POW_63),
                "error(Overflow): int overflow: `-9.223372036854776e18` is out of the int range",
            ),
            (Value::Double(1e99), "error(Overflow): int overflow: `1e99` is out of the int range"),
            (
                Value::Double(f64::NAN),
                "error(Overflow): int overflow: `double(\"NaN\")` is out of the int range",
            ),
            (s("987"), "987"),
            (s("-9223372036854775808"), "-9223372036854775808"),
            (
                s("9223372036854775808"),
                "error(Overflow): int overflow: `\"9223372036854775808\"` is out of the int range",
            ),
            (s("x"), "error(Conversion): cannot convert `\"x\"` to int"),
        ];
        for (v, want) in cases {
            assert_eq!(shown(&to_int(&v)), want, "int({v:?})");
        }
        for bad in ["", " 1", "1.0", "0x10", "1_000"] {
            assert_eq!(to_int(&s(bad)).unwrap_err().kind(), EvalErrorKind::Conversion, "{bad:?}");
        }
        assert_eq!(shown(&to_int(&s("+5"))), "5");
        let ts = Value::Timestamp(Timestamp::parse("2004-09-16T23:59:59Z").unwrap());
        assert_eq!(shown(&to_int(&ts)), "1095379199");
        let before_epoch = Value::Timestamp(Timestamp::parse("1969-12-31T23:59:59.5Z").unwrap());
        assert_eq!(shown(&to_int(&before_epoch)), "-1");
        assert!(to_int(&Value::Null).is_err());
    }

    #[test]
    fn to_uint_boundaries() {
        let cases: [(Value<'_>, &str); 12] = [
            (Value::Int(1729), "1729u"),
            (Value::Int(i64::MAX), "9223372036854775807u"),
            (Value::Int(-1), "error(Overflow): uint overflow: `-1` is out of the uint range"),
            (Value::Double(3.7), "3u"),
            (Value::Double(25.5), "25u"),
            (Value::Double(-0.0), "0u"),
            (Value::Double(-0.5), "error(Overflow): uint overflow: `-0.5` is out of the uint range"),
            (Value::Double(18_446_744_073_709_549_568.0), "18446744073709549568u"),
            (
                Value::Double(TWO_POW_64),
                "error(Overflow): uint overflow: `1.8446744073709552e19` is out of the uint range",
            ),
            (Value::Double(6.022e23), "error(Overflow): uint overflow: `6.022e23` is out of the uint range"),
            (s("300"), "300u"),
            (
                s("18446744073709551616"),
                "error(Overflow): uint overflow: `\"18446744073709551616\"` is out of the uint range",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(shown(&to_uint(&v)), want, "uint({v:?})");
        }
        for bad in ["-1", "+1", "", "1u"] {
            assert!(to_uint(&s(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(shown(&to_uint(&s("18446744073709551615"))), "18446744073709551615u");
    }

    #[test]
    #[allow(clippy::float_cmp, reason = "exact conversions")]
    fn to_double_forms() {
        let d = |v: Value<'_>| match to_double(&v) {
            Ok(Value::Double(d)) => d,
            other => panic!("{}", shown(&other)),
        };
        assert_eq!(d(Value::Int(-1_000_000_000_000_000)), -1e15);
        assert_eq!(d(Value::Int(i64::MAX)), TWO_POW_63);
        assert_eq!(d(Value::Uint(u64::MAX)), TWO_POW_64);
        assert_eq!(d(s("0")), 0.0);
        assert!(d(s("-0.0")).is_sign_negative());
        assert_eq!(d(s("123.456")), 123.456);
        assert_eq!(d(s("6.02214e23")), 6.02214e23);
        assert_eq!(d(s("1.38e-23")), 1.38e-23);
        assert_eq!(d(s("-84.32e7")), -8.432e8);
        assert_eq!(d(s("-5.43e-21")), -5.43e-21);
        assert_eq!(d(s(".5")), 0.5);
        assert_eq!(d(s("1E3")), 1000.0);
        assert!(d(s("NaN")).is_nan());
        assert!(d(s("nan")).is_nan());
        assert_eq!(d(s("Infinity")), f64::INFINITY);
        assert_eq!(d(s("-Infinity")), f64::NEG_INFINITY);
        assert_eq!(d(s("+Inf")), f64::INFINITY);
        assert_eq!(d(s("1e-400")), 0.0);
        assert_eq!(to_double(&s("1e400")).unwrap_err().kind(), EvalErrorKind::Overflow);
        for bad in ["", "x", "1e", "1.0.0", " 1", "Infinit", "0x1p-2"] {
            assert_eq!(to_double(&s(bad)).unwrap_err().kind(), EvalErrorKind::Conversion, "{bad:?}");
        }
    }

    #[test]
    fn double_text_like_go() {
        for (d, want) in [
            (123.456, "123.456"),
            (-4.5e-3, "-0.0045"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (100_000.0, "100000"),
            (123_456.0, "123456"),
            (1_000_000.0, "1e+06"),
            (1_234_567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.000_01, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (-2.5e-300, "-2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ] {
            assert_eq!(format_double_go(d), want, "{d}");
        }
    }

    #[test]
    fn to_string_of_everything() {
        let b = |x: &'static [u8]| Value::bytes(x);
        let cases: [(Value<'_>, &str); 11] = [
            (Value::Int(-456), r#""-456""#),
            (Value::Uint(9876), r#""9876""#),
            (Value::Double(123.456), r#""123.456""#),
            (Value::Double(-4.5e-3), r#""-0.0045""#),
            (b(b"abc"), r#""abc""#),
            (b(b"\xc3\xbf"), r#""ÿ""#),
            (b(b"\x00\xff"), r#"error(Conversion): cannot convert `b"\x00\xff"` to string: invalid UTF-8"#),
            (Value::Bool(true), r#""true""#),
            (
                Value::Timestamp(Timestamp::parse("9999-12-31T23:59:59.999999999Z").unwrap()),
                r#""9999-12-31T23:59:59.999999999Z""#,
            ),
            (Value::Duration(Duration::parse("1000000s").unwrap()), r#""1000000s""#),
            (s("hello"), r#""hello""#),
        ];
        for (v, want) in cases {
            assert_eq!(shown(&to_string(&v)), want, "string({v:?})");
        }
        assert!(to_string(&Value::Null).is_err());
    }

    #[test]
    fn to_bytes_and_bool() {
        assert_eq!(shown(&to_bytes(&s("ÿ"))), r#"b"\xc3\xbf""#);
        assert_eq!(shown(&to_bytes(&s(""))), r#"b"""#);
        assert_eq!(shown(&to_bytes(&Value::bytes(&b"abc"[..]))), r#"b"abc""#);
        for t in ["1", "t", "true", "TRUE", "True"] {
            assert!(matches!(to_bool(&s(t)), Ok(Value::Bool(true))), "{t}");
        }
        for f in ["0", "f", "false", "FALSE", "False"] {
            assert!(matches!(to_bool(&s(f)), Ok(Value::Bool(false))), "{f}");
        }
        for bad in ["TrUe", "FaLsE", "yes", "", " true", "T", "F"] {
            assert_eq!(to_bool(&s(bad)).unwrap_err().kind(), EvalErrorKind::Conversion, "{bad}");
        }
        assert!(matches!(to_bool(&Value::Bool(false)), Ok(Value::Bool(false))));
        assert!(to_bool(&Value::Int(1)).is_err());
    }

    #[test]
    fn to_timestamp_and_duration() {
        assert_eq!(shown(&to_timestamp(&Value::Int(1_000_000_000))), r#"timestamp("2001-09-09T01:46:40Z")"#);
        assert_eq!(
            shown(&to_timestamp(&Value::Int(-62_135_596_800))),
            r#"timestamp("0001-01-01T00:00:00Z")"#
        );
        assert_eq!(
            shown(&to_timestamp(&Value::Int(253_402_300_799))),
            r#"timestamp("9999-12-31T23:59:59Z")"#
        );
        for bad in [-62_135_596_801, 253_402_300_800, i64::MIN, i64::MAX] {
            assert_eq!(to_timestamp(&Value::Int(bad)).unwrap_err().kind(), EvalErrorKind::OutOfRange);
        }
        assert_eq!(shown(&to_timestamp(&s("2009-02-13T23:31:30Z"))), r#"timestamp("2009-02-13T23:31:30Z")"#);
        assert_eq!(to_timestamp(&s("0000-01-01T00:00:00Z")).unwrap_err().kind(), EvalErrorKind::OutOfRange);
        assert!(to_timestamp(&s("10000-01-01T00:00:00Z")).is_err());
        assert!(to_timestamp(&s("yesterday")).is_err());
        let t = Value::Timestamp(Timestamp::UNIX_EPOCH);
        assert_eq!(shown(&to_timestamp(&t)), r#"timestamp("1970-01-01T00:00:00Z")"#);
        assert_eq!(shown(&to_duration(&s("1h30m"))), r#"duration("5400s")"#);
        assert_eq!(shown(&to_duration(&s("-1.5s"))), r#"duration("-1.5s")"#);
        assert_eq!(to_duration(&s("320000000000s")).unwrap_err().kind(), EvalErrorKind::OutOfRange);
        assert!(to_duration(&s("1 hour")).is_err());
        let d = Value::Duration(Duration::ZERO);
        assert_eq!(shown(&to_duration(&d)), r#"duration("0s")"#);
        assert!(to_duration(&Value::Int(1)).is_err());
    }

    #[test]
    fn dyn_and_type() {
        assert_eq!(shown(&to_dyn(&Value::list(vec![Value::Int(1), s("one")]))), r#"[1, "one"]"#);
        assert!(matches!(to_type(&Value::Int(1)), Ok(Value::Type(TypeValue::Int))));
        assert!(matches!(to_type(&Value::Uint(1)), Ok(Value::Type(TypeValue::Uint))));
        assert!(matches!(to_type(&Value::Null), Ok(Value::Type(TypeValue::Null))));
        assert!(matches!(to_type(&Value::Type(TypeValue::Int)), Ok(Value::Type(TypeValue::Type))));
        let ts = Value::Timestamp(Timestamp::UNIX_EPOCH);
        assert_eq!(shown(&to_type(&ts)), "google.protobuf.Timestamp");
    }
}
