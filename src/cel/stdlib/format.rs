//! `format`: `"%s is %d".format([name, n])`, with the verbs and semantics of cel-go's strings
//! extension (its second formatting version).
//!
//! A clause is `%` followed by an optional precision (`.3`) and a verb; `%%` writes `%`.
//!
//! | verb | accepts | writes |
//! |---|---|---|
//! | `%s` | every value but objects and versions | the value as text; lists as `[a, b]`, maps as `{k: v}` sorted by key text |
//! | `%d` | int, uint, double | decimal digits; a double in the shortest plain form |
//! | `%f` | int, uint, double | fixed point, 6 digits or the precision after the point |
//! | `%e` | int, uint, double | scientific, `1.052033e+03` |
//! | `%b`, `%o` | int, uint (and bool for `%b`) | binary, octal |
//! | `%x`, `%X` | int, uint, string, bytes | hexadecimal, lower or upper case |
//!
//! NaN and the infinities print as `NaN`, `Infinity` and `-Infinity` under every verb that
//! takes a double. A precision above [`MAX_PRECISION`] is an error; the text built is priced
//! by a first pass that only counts its bytes, and a result over [`MAX_FORMAT_BYTES`] is
//! refused before anything is built.
//!
//! The checker validates a literal format string with [`check_format`]: a bad clause, too few
//! or too many arguments in a list literal, and arguments of a type the verb refuses are load
//! errors.

use std::fmt;
use std::ops::Range;

use super::cost::Cost;
use super::{Impl, Overload, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

/// The largest precision a clause may ask for (`%.500f`).
pub(crate) const MAX_PRECISION: usize = 500;

/// The largest text `format` builds, whatever the limits: the pricing pass stops counting
/// there, and such a call is refused as larger than any value may be.
pub(crate) const MAX_FORMAT_BYTES: usize = 64 << 20;

/// How deeply lists and maps may nest inside a `%s` argument.
const MAX_DEPTH: usize = 64;

/// The precision of `%f` and `%e` when none is given.
const DEFAULT_PRECISION: usize = 6;

pub(super) fn declare(out: &mut Vec<Overload>) {
    out.push(
        method(
            "string_format_list",
            "format",
            vec![Type::String, Type::list(Type::Dyn)],
            Type::String,
            Impl::F2(format),
        )
        .priced(format_cost),
    );
}

/// A formatting verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    /// `%s`.
    Str,
    /// `%d`.
    Decimal,
    /// `%f`, with its precision.
    Fixed(usize),
    /// `%e`, with its precision.
    Scientific(usize),
    /// `%b`.
    Binary,
    /// `%o`.
    Octal,
    /// `%x` (`false`) or `%X` (`true`).
    Hex(bool),
}

impl Verb {
    /// What the verb accepts, for messages.
    pub(crate) fn refusal(self, given: &str) -> String {
        let what = match self {
            Verb::Str => {
                "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, \
                 types, durations, and timestamps"
            }
            Verb::Decimal => "decimal clause can only be used on ints, uints, and doubles",
            Verb::Fixed(_) => "fixed-point clause can only be used on ints, uints, and doubles",
            Verb::Scientific(_) => "scientific clause can only be used on ints, uints, and doubles",
            Verb::Binary => "only ints, uints, and bools can be formatted as binary",
            Verb::Octal => "octal clause can only be used on ints and uints",
            Verb::Hex(_) => "only ints, uints, bytes, and strings can be formatted as hex",
        };
        format!("{what}, was given {given}")
    }

    /// Whether a value of static type `ty` may be given to this verb (`dyn` may).
    pub(crate) fn accepts_type(self, ty: &Type) -> bool {
        let numeric = matches!(ty, Type::Int | Type::Uint | Type::Double);
        match ty {
            Type::Dyn | Type::Param(_) => true,
            _ => match self {
                Verb::Str => !matches!(ty, Type::Object(_) | Type::Semver | Type::Opaque(_)),
                Verb::Decimal | Verb::Fixed(_) | Verb::Scientific(_) => numeric,
                Verb::Binary => matches!(ty, Type::Int | Type::Uint | Type::Bool),
                Verb::Octal => matches!(ty, Type::Int | Type::Uint),
                Verb::Hex(_) => matches!(ty, Type::Int | Type::Uint | Type::String | Type::Bytes),
            },
        }
    }
}

/// A problem in a format string: where it is (a byte range of the format string) and what.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ClauseError {
    pub(crate) at: Range<usize>,
    pub(crate) message: String,
}

/// One clause of a format string, parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Clause {
    pub(crate) verb: Verb,
    /// The clause's bytes in the format string, from its `%`.
    pub(crate) at: Range<usize>,
}

/// Parses the clause whose `%` is at byte `start` of `text` (not `%%`).
fn parse_clause(text: &str, start: usize) -> Result<Clause, ClauseError> {
    let rest = text.get(start + 1..).unwrap_or_default();
    let fail = |end: usize, message: String| ClauseError { at: start..end, message };
    let mut precision = None;
    let mut body = rest;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        let end = start + 2 + digits;
        if digits == after_dot.len() {
            return Err(fail(
                end,
                "could not parse formatting clause: could not find end of precision specifier".into(),
            ));
        }
        let text_digits = after_dot.get(..digits).unwrap_or_default();
        let p = match text_digits.parse::<usize>() {
            Ok(p) if p <= MAX_PRECISION => p,
            Ok(_) | Err(_) if digits > 0 => {
                return Err(fail(
                    end,
                    format!(
                        "could not parse formatting clause: precision {text_digits} exceeds the maximum of {MAX_PRECISION}"
                    ),
                ));
            }
            _ => return Err(fail(end, "could not parse formatting clause: precision has no digits".into())),
        };
        precision = Some(p);
        body = after_dot.get(digits..).unwrap_or_default();
    }
    let Some(c) = body.chars().next() else {
        return Err(fail(text.len(), "unexpected end of string".into()));
    };
    let end = text.len() - body.len() + c.len_utf8();
    let p = precision.unwrap_or(DEFAULT_PRECISION);
    let verb = match c {
        's' => Verb::Str,
        'd' => Verb::Decimal,
        'f' => Verb::Fixed(p),
        'e' => Verb::Scientific(p),
        'b' => Verb::Binary,
        'o' => Verb::Octal,
        'x' => Verb::Hex(false),
        'X' => Verb::Hex(true),
        other => {
            return Err(fail(
                end,
                format!("could not parse formatting clause: unrecognized formatting clause \"{other}\""),
            ));
        }
    };
    Ok(Clause { verb, at: start..end })
}

/// The clauses of a literal format string, for the checker; the first problem otherwise.
///
/// # Errors
///
/// A clause that does not parse, with its place in `text`.
pub(crate) fn check_format(text: &str) -> Result<Vec<Clause>, ClauseError> {
    let mut clauses = Vec::new();
    let mut i = 0;
    while let Some(offset) = text.get(i..).and_then(|rest| rest.find('%')) {
        let start = i + offset;
        if text.get(start + 1..).is_some_and(|r| r.starts_with('%')) {
            i = start + 2;
            continue;
        }
        let clause = parse_clause(text, start)?;
        i = clause.at.end;
        clauses.push(clause);
    }
    Ok(clauses)
}

/// Why formatting stopped.
enum Stop {
    /// The call fails with this error.
    Error(EvalError),
    /// The text grew past [`MAX_FORMAT_BYTES`] while being counted.
    TooLarge,
}

impl From<fmt::Error> for Stop {
    fn from(_: fmt::Error) -> Self {
        Stop::TooLarge
    }
}

fn failure(message: String) -> Stop {
    Stop::Error(EvalError::invalid_argument(message))
}

/// Where formatted text goes: a string being built, or a counter of its bytes.
trait Sink: fmt::Write {
    /// Whether only the size matters (map entries need not be sorted).
    fn counting(&self) -> bool;
}

impl Sink for String {
    fn counting(&self) -> bool {
        false
    }
}

/// Counts bytes, failing past [`MAX_FORMAT_BYTES`].
#[derive(Default)]
struct Counter(usize);

impl fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        if self.0 > MAX_FORMAT_BYTES { Err(fmt::Error) } else { Ok(()) }
    }
}

impl Sink for Counter {
    fn counting(&self) -> bool {
        true
    }
}

/// Formats `text` with the elements of `args` into `out`.
fn run(text: &str, args: &Value<'_>, out: &mut impl Sink) -> Result<(), Stop> {
    let Value::List(list) = args else { return Err(failure("format arguments must be a list".into())) };
    let mut next_arg = 0;
    let mut i = 0;
    while let Some(offset) = text.get(i..).and_then(|rest| rest.find('%')) {
        let start = i + offset;
        out.write_str(text.get(i..start).unwrap_or_default())?;
        if text.get(start + 1..).is_some_and(|r| r.starts_with('%')) {
            out.write_char('%')?;
            i = start + 2;
            continue;
        }
        let Some(arg) = list.get(next_arg) else {
            return Err(failure(format!("index {next_arg} out of range")));
        };
        let clause = parse_clause(text, start).map_err(|e| failure(e.message))?;
        write_clause(clause.verb, &arg, out)?;
        next_arg += 1;
        i = clause.at.end;
    }
    out.write_str(text.get(i..).unwrap_or_default())?;
    Ok(())
}

fn write_clause(verb: Verb, arg: &Value<'_>, out: &mut impl Sink) -> Result<(), Stop> {
    let refused = || failure(format!("error during formatting: {}", verb.refusal(arg.type_name())));
    match verb {
        Verb::Str => write_plain(arg, out, 0),
        Verb::Decimal => match arg {
            Value::Int(i) => Ok(write!(out, "{i}")?),
            Value::Uint(u) => Ok(write!(out, "{u}")?),
            Value::Double(d) => Ok(write_double(*d, out)?),
            _ => Err(refused()),
        },
        Verb::Fixed(p) | Verb::Scientific(p) => {
            let d = match arg {
                Value::Int(i) => *i as f64,
                Value::Uint(u) => *u as f64,
                Value::Double(d) => *d,
                _ => return Err(refused()),
            };
            if !d.is_finite() {
                return Ok(write_double(d, out)?);
            }
            if let Verb::Fixed(_) = verb {
                return Ok(write!(out, "{d:.p$}")?);
            }
            let sci = format!("{d:.p$e}");
            let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
            let exp: i32 = exp.parse().unwrap_or(0);
            let sign = if exp < 0 { '-' } else { '+' };
            Ok(write!(out, "{mantissa}e{sign}{:02}", exp.unsigned_abs())?)
        }
        Verb::Binary => match arg {
            Value::Bool(b) => Ok(out.write_char(if *b { '1' } else { '0' })?),
            Value::Int(i) => Ok(write!(out, "{}{:b}", sign(*i), i.unsigned_abs())?),
            Value::Uint(u) => Ok(write!(out, "{u:b}")?),
            _ => Err(refused()),
        },
        Verb::Octal => match arg {
            Value::Int(i) => Ok(write!(out, "{}{:o}", sign(*i), i.unsigned_abs())?),
            Value::Uint(u) => Ok(write!(out, "{u:o}")?),
            _ => Err(refused()),
        },
        Verb::Hex(upper) => {
            let bytes = match arg {
                Value::Int(i) if upper => return Ok(write!(out, "{}{:X}", sign(*i), i.unsigned_abs())?),
                Value::Int(i) => return Ok(write!(out, "{}{:x}", sign(*i), i.unsigned_abs())?),
                Value::Uint(u) if upper => return Ok(write!(out, "{u:X}")?),
                Value::Uint(u) => return Ok(write!(out, "{u:x}")?),
                Value::String(s) => s.as_str().as_bytes(),
                Value::Bytes(b) => b.as_slice(),
                _ => return Err(refused()),
            };
            for b in bytes {
                if upper { write!(out, "{b:02X}")? } else { write!(out, "{b:02x}")? }
            }
            Ok(())
        }
    }
}

fn sign(i: i64) -> &'static str {
    if i < 0 { "-" } else { "" }
}

/// A double in its shortest plain form; `NaN`, `Infinity`, `-Infinity`.
fn write_double(d: f64, out: &mut impl fmt::Write) -> fmt::Result {
    if d.is_nan() {
        out.write_str("NaN")
    } else if d.is_infinite() {
        out.write_str(if d > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        write!(out, "{d}")
    }
}

/// A value as `%s` writes it.
fn write_plain(v: &Value<'_>, out: &mut impl Sink, depth: usize) -> Result<(), Stop> {
    if depth > MAX_DEPTH {
        return Err(failure(format!("error during formatting: lists and maps nest deeper than {MAX_DEPTH}")));
    }
    match v {
        Value::Null => out.write_str("null")?,
        Value::Bool(b) => write!(out, "{b}")?,
        Value::Int(i) => write!(out, "{i}")?,
        Value::Uint(u) => write!(out, "{u}")?,
        Value::Double(d) => write_double(*d, out)?,
        Value::String(s) => out.write_str(s.as_str())?,
        Value::Bytes(b) => out.write_str(&String::from_utf8_lossy(b.as_slice()))?,
        Value::Timestamp(t) => write!(out, "{t}")?,
        Value::Duration(d) => write!(out, "{d}")?,
        Value::Type(t) => out.write_str(t.name())?,
        Value::List(items) => {
            out.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_plain(&item, out, depth + 1)?;
            }
            out.write_char(']')?;
        }
        Value::Map(m) => {
            out.write_char('{')?;
            if out.counting() {
                // The size does not depend on the order.
                for (i, (k, v)) in m.iter().enumerate() {
                    out.write_str(if i > 0 { ", " } else { "" })?;
                    write_plain(&k.to_value(), out, depth + 1)?;
                    out.write_str(": ")?;
                    write_plain(&v, out, depth + 1)?;
                }
            } else {
                let mut entries = Vec::with_capacity(m.len());
                for (k, v) in m.iter() {
                    let (mut key, mut value) = (String::new(), String::new());
                    write_plain(&k.to_value(), &mut key, depth + 1)?;
                    write_plain(&v, &mut value, depth + 1)?;
                    entries.push((key, value));
                }
                entries.sort();
                for (i, (k, v)) in entries.iter().enumerate() {
                    write!(out, "{}{k}: {v}", if i > 0 { ", " } else { "" })?;
                }
            }
            out.write_char('}')?;
        }
        _ => {
            return Err(failure(format!("error during formatting: {}", Verb::Str.refusal(v.type_name()))));
        }
    }
    Ok(())
}

/// The price of `format`: the format string read and the text built, counted by a first pass
/// that builds nothing. A text past [`MAX_FORMAT_BYTES`] is priced as larger than any value.
fn format_cost(args: &[&Value<'_>]) -> Cost {
    let [Value::String(text), list] = args else { return Cost::default() };
    let text = text.as_str();
    let mut counter = Counter::default();
    match run(text, list, &mut counter) {
        Err(Stop::TooLarge) => Cost::text(text.len(), usize::MAX),
        // A failing call builds nothing but what was counted before the failure was found.
        Ok(()) | Err(Stop::Error(_)) => Cost::text(text.len(), counter.0),
    }
}

fn format<'a>(text: &Value<'a>, args: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::String(s) = text else { return Err(no_such_overload("format", &[text, args])) };
    if !matches!(args, Value::List(_)) {
        return Err(no_such_overload("format", &[text, args]));
    }
    let mut out = String::new();
    match run(s.as_str(), args, &mut out) {
        Ok(()) => Ok(Value::string(out)),
        Err(Stop::Error(e)) => Err(e),
        Err(Stop::TooLarge) => Err(EvalError::invalid_argument("internal error: formatting failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::value::EvalErrorKind;

    fn f(text: &str, args: Vec<Value<'static>>) -> Result<String, String> {
        format(&Value::str(text), &Value::list(args))
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .map_err(|e| e.message().to_owned())
    }

    #[test]
    fn verbs() {
        assert_eq!(f("%%%s%%", vec![Value::str("text")]).unwrap(), "%text%");
        assert_eq!(f("%.3f", vec![Value::Double(1.2345)]).unwrap(), "1.234");
        assert_eq!(f("%.6e", vec![Value::Double(1_052.032_911_275)]).unwrap(), "1.052033e+03");
        assert_eq!(f("%e", vec![Value::Double(2.5)]).unwrap(), "2.500000e+00");
        assert_eq!(f("%e", vec![Value::Double(1e-300)]).unwrap(), "1.000000e-300");
        assert_eq!(f("%f", vec![Value::Int(3)]).unwrap(), "3.000000");
        assert_eq!(
            f("%b %b %b", vec![Value::Int(5), Value::Int(-5), Value::Bool(true)]).unwrap(),
            "101 -101 1"
        );
        assert_eq!(f("%o %o", vec![Value::Int(11), Value::Uint(65535)]).unwrap(), "13 177777");
        assert_eq!(f("%x %X", vec![Value::Int(-30), Value::Uint(6000)]).unwrap(), "-1e 1770");
        assert_eq!(f("%x", vec![Value::Int(i64::MIN)]).unwrap(), "-8000000000000000");
        assert_eq!(f("%X", vec![Value::str("Hello world!")]).unwrap(), "48656C6C6F20776F726C6421");
        assert_eq!(f("%d %d", vec![Value::Double(f64::NAN), Value::Double(-0.5)]).unwrap(), "NaN -0.5");
        assert_eq!(f("%s", vec![Value::Double(1e21)]).unwrap(), "1000000000000000000000");
        assert_eq!(f("é%sé", vec![Value::Null]).unwrap(), "énullé");
    }

    #[test]
    fn errors_in_the_order_of_cel_go() {
        assert_eq!(f("%d %d %d", vec![Value::Int(0), Value::Int(1)]).unwrap_err(), "index 2 out of range");
        assert_eq!(f("%", vec![]).unwrap_err(), "index 0 out of range");
        assert_eq!(f("%", vec![Value::Int(1)]).unwrap_err(), "unexpected end of string");
        assert_eq!(
            f("%a", vec![Value::Int(1)]).unwrap_err(),
            "could not parse formatting clause: unrecognized formatting clause \"a\""
        );
        assert_eq!(
            f("%é", vec![Value::Int(1)]).unwrap_err(),
            "could not parse formatting clause: unrecognized formatting clause \"é\""
        );
        assert!(f("%.3", vec![Value::Int(1)]).unwrap_err().contains("end of precision specifier"));
        assert!(f("%.501f", vec![Value::Int(1)]).unwrap_err().contains("exceeds the maximum of 500"));
        assert!(f("%.99999999999999999999999f", vec![Value::Int(1)]).unwrap_err().contains("exceeds"));
        assert!(f("%.f", vec![Value::Int(1)]).unwrap_err().contains("no digits"));
        assert_eq!(
            f("%b", vec![Value::str("abc")]).unwrap_err(),
            "error during formatting: only ints, uints, and bools can be formatted as binary, was given string"
        );
        let e = format(&Value::str("%d"), &Value::list(vec![Value::Null])).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::InvalidArgument);
    }

    #[test]
    fn check_finds_clauses_and_places_problems() {
        let clauses = check_format("a %s %% %.2f é%X").unwrap();
        let verbs: Vec<Verb> = clauses.iter().map(|c| c.verb).collect();
        assert_eq!(verbs, [Verb::Str, Verb::Fixed(2), Verb::Hex(true)]);
        assert_eq!(clauses.get(1).map(|c| c.at.clone()), Some(8..12));
        assert_eq!(check_format("ok %z").unwrap_err().at, 3..5);
        assert_eq!(check_format("ok %").unwrap_err().at, 3..4);
        assert!(Verb::Decimal.accepts_type(&Type::Double));
        assert!(!Verb::Octal.accepts_type(&Type::Double));
        assert!(Verb::Str.accepts_type(&Type::list(Type::Int)));
    }

    #[test]
    fn huge_texts_are_priced_before_they_are_built() {
        let big = Value::string("x".repeat(1 << 20));
        let list = Value::list(vec![big; 100]);
        let cost = format_cost(&[&Value::str("%s"), &Value::list(vec![list])]);
        assert_eq!(cost.bytes, usize::MAX);
        let cost = format_cost(&[&Value::str("%.500f"), &Value::list(vec![Value::Double(1e308)])]);
        assert_eq!(cost.bytes, 309 + 1 + 500);
    }
}
