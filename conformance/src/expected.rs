//! The values of the test files (`cel.expr.Value` messages) as changeguard values, and the
//! comparison of a result with the expected value.

use changeguard::cel::{Duration, Key, List, MapBuilder, Timestamp, Value};

use crate::textproto::{Field, Message};

/// Why a test cannot run here.
pub type Skip = String;

fn parse_num<T: std::str::FromStr>(text: &str) -> Result<T, Skip> {
    text.parse().map_err(|_| format!("bad number `{text}`"))
}

fn double(text: &str) -> Result<f64, Skip> {
    match text.to_ascii_lowercase().as_str() {
        "nan" => Ok(f64::NAN),
        "inf" | "infinity" => Ok(f64::INFINITY),
        "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
        _ => parse_num(text),
    }
}

fn string_of(m: &Message, name: &str) -> Result<String, Skip> {
    match m.get(name) {
        Some(Field::Str(b)) => String::from_utf8(b.clone()).map_err(|_| "a string that is not UTF-8".to_owned()),
        _ => Err(format!("malformed `{name}`")),
    }
}

/// A `cel.expr.Value` message as a value.
pub fn value(m: &Message) -> Result<Value<'static>, Skip> {
    let Some((kind, field)) = m.fields.first() else { return Err("empty value".to_owned()) };
    Ok(match (kind.as_str(), field) {
        ("null_value", _) => Value::Null,
        ("bool_value", Field::Word(w)) => Value::Bool(w == "true"),
        ("int64_value", Field::Word(w)) => Value::Int(parse_num(w)?),
        ("uint64_value", Field::Word(w)) => Value::Uint(parse_num(w)?),
        ("double_value", Field::Word(w)) => Value::Double(double(w)?),
        ("string_value", _) => Value::string(string_of(m, "string_value")?),
        ("bytes_value", Field::Str(b)) => Value::bytes(b.clone()),
        ("type_value", _) => return Err("a type value".to_owned()),
        ("list_value", Field::Message(l)) => {
            let items: Result<Vec<Value<'static>>, Skip> = l
                .all("values")
                .map(|v| match v {
                    Field::Message(v) => value(v),
                    _ => Err("malformed list".to_owned()),
                })
                .collect();
            Value::list(items?)
        }
        ("map_value", Field::Message(mv)) => {
            let mut b = MapBuilder::new();
            for e in mv.all("entries") {
                let Field::Message(e) = e else { return Err("malformed map".to_owned()) };
                let (Some(k), Some(v)) = (e.message("key"), e.message("value")) else {
                    return Err("malformed map entry".to_owned());
                };
                let key = Key::from_value(&value(k)?).ok_or("a map key of another type")?;
                b.push(key.to_owned_key(), value(v)?);
            }
            Value::map(b.build().map_err(|_| "a map with a repeated key".to_owned())?)
        }
        ("object_value", Field::Message(o)) => object(o)?,
        ("enum_value", _) => return Err("an enum value".to_owned()),
        (other, _) => return Err(format!("a value of kind `{other}`")),
    })
}

/// A `google.protobuf.Any` holding a timestamp or a duration; other messages are skipped.
fn object(any: &Message) -> Result<Value<'static>, Skip> {
    let Some((url, Field::Message(m))) = any.fields.first() else { return Err("malformed object".to_owned()) };
    let seconds: i64 = m.text("seconds").map_or(Ok(0), |s| parse_num(&s))?;
    let nanos: i64 = m.text("nanos").map_or(Ok(0), |s| parse_num(&s))?;
    if url.ends_with("google.protobuf.Timestamp]") {
        let nanos = u32::try_from(nanos).map_err(|_| "negative nanos")?;
        return Timestamp::new(seconds, nanos).map(Value::Timestamp).map_err(|e| e.message().to_owned());
    }
    if url.ends_with("google.protobuf.Duration]") {
        return Duration::new(seconds, nanos).map(Value::Duration).map_err(|e| e.message().to_owned());
    }
    Err("a protobuf message".to_owned())
}

/// Whether `got` is `want`, type for type (`1`, `1u` and `1.0` differ; NaN is NaN).
pub fn same(got: &Value<'_>, want: &Value<'_>) -> bool {
    match (got, want) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Uint(a), Value::Uint(b)) => a == b,
        (Value::Double(a), Value::Double(b)) => (a.is_nan() && b.is_nan()) || a == b,
        (Value::String(a), Value::String(b)) => a.as_str() == b.as_str(),
        (Value::Bytes(a), Value::Bytes(b)) => a.as_slice() == b.as_slice(),
        (Value::Timestamp(a), Value::Timestamp(b)) => a == b,
        (Value::Duration(a), Value::Duration(b)) => a == b,
        (Value::List(a), Value::List(b)) => same_lists(a, b),
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(&k).is_some_and(|w| same(&v, &w)))
        }
        _ => false,
    }
}

fn same_lists(a: &List<'_>, b: &List<'_>) -> bool {
    a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same(&x, &y))
}

/// A value for a variable binding (`ExprValue { value: … }`).
pub fn binding(m: &Message) -> Result<Value<'static>, Skip> {
    match m.message("value") {
        Some(v) => value(v),
        None => Err("a binding that is not a value".to_owned()),
    }
}

