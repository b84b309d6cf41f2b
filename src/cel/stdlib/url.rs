//! The Kubernetes URL library: `url(s)` and `isURL(s)`, and the accessors `getScheme`,
//! `getHost`, `getHostname`, `getPort`, `getEscapedPath` and `getQuery` of a
//! [`Url`](crate::cel::Url).
//!
//! A URL is an absolute URI (`https://user@example.com:8080/p?q=1`) or an absolute path
//! (`/p?q=1`); a relative reference (`../p`, `example.com`) is not one. An accessor gives `""`
//! for a part the URL does not have; `getQuery` gives a map from each parameter name, decoded,
//! to its values in order (`?k=a&k=b` gives `{"k": ["a", "b"]}`).

use std::collections::HashMap;

use super::cost::{Cost, first, read_receiver, text_len};
use super::{Impl, Overload, global, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Key, MapBuilder, Opaque, OpaqueKind, OpaqueRepr, Str, Url, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, String as S};
    let u = || Type::Opaque(OpaqueKind::Url);
    let query = Type::map(S, Type::list(S));
    out.extend([
        global("string_to_url", "url", vec![S], u(), Impl::F1(url)).priced(parse_cost),
        global("is_url_string", "isURL", vec![S], Bool, Impl::F1(is_url)).priced(read_receiver),
        method("url_get_scheme", "getScheme", vec![u()], S, Impl::F1(scheme)).priced(copy_part),
        method("url_get_host", "getHost", vec![u()], S, Impl::F1(host)).priced(copy_part),
        method("url_get_hostname", "getHostname", vec![u()], S, Impl::F1(hostname)).priced(copy_part),
        method("url_get_port", "getPort", vec![u()], S, Impl::F1(port)).priced(copy_part),
        method("url_get_escaped_path", "getEscapedPath", vec![u()], S, Impl::F1(escaped_path))
            .priced(copy_part),
        method("url_get_query", "getQuery", vec![u()], query, Impl::F1(query_map)).priced(query_cost),
    ]);
}

/// Parsing reads the text and keeps it with its parsed form (about as large again).
fn parse_cost(args: &[&Value<'_>]) -> Cost {
    let n = text_len(first(args));
    Cost::text(n, n.saturating_mul(2))
}

/// A part of a URL: at most as long as its text.
fn copy_part(args: &[&Value<'_>]) -> Cost {
    as_url(first(args)).map_or(Cost::default(), |u| Cost::text(0, u.as_str().len()))
}

/// The query map: an entry and a value per parameter at most, and the decoded text.
fn query_cost(args: &[&Value<'_>]) -> Cost {
    as_url(first(args))
        .map_or(Cost::default(), |u| Cost::list(u.query_pairs().count().saturating_mul(2), u.query_len()))
}

/// The URL a value holds, if it is one.
fn as_url<'v>(v: &'v Value<'_>) -> Option<&'v Url> {
    match v {
        Value::Opaque(o) => o.as_url(),
        _ => None,
    }
}

fn url<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::String(s) = v else { return Err(no_such_overload("url", &[v])) };
    Url::parse(s.as_str()).map(|u| Value::Opaque(Opaque::new(OpaqueRepr::Url(u)))).map_err(|e| {
        EvalError::invalid_argument(format!(
            "URL parse error during conversion from string: `{}`: {e}",
            s.as_str()
        ))
    })
}

fn is_url<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::String(s) = v else { return Err(no_such_overload("isURL", &[v])) };
    Ok(Value::Bool(Url::parse(s.as_str()).is_ok()))
}

/// Applies a string accessor to a URL value.
fn part<'a>(function: &str, v: &Value<'a>, get: fn(&Url) -> &str) -> Result<Value<'a>, EvalError> {
    let Some(u) = as_url(v) else { return Err(no_such_overload(function, &[v])) };
    Ok(Value::string(get(u)))
}

fn scheme<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    part("getScheme", v, Url::scheme)
}

fn host<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    part("getHost", v, Url::host)
}

fn hostname<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    part("getHostname", v, Url::hostname)
}

fn port<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    part("getPort", v, Url::port)
}

fn escaped_path<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    part("getEscapedPath", v, Url::escaped_path)
}

/// The query as a map from each name to its values, in the order they are written.
fn query_map<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Some(u) = as_url(v) else { return Err(no_such_overload("getQuery", &[v])) };
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<Vec<Value<'static>>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (name, value) in u.query_pairs() {
        let slot = *index.entry(name.clone()).or_insert_with(|| {
            names.push(name);
            values.push(Vec::new());
            values.len() - 1
        });
        if let Some(list) = values.get_mut(slot) {
            list.push(Value::string(value));
        }
    }
    let mut map = MapBuilder::with_capacity(names.len());
    for (name, list) in names.into_iter().zip(values) {
        map.push(Key::String(Str::shared(name.into())), Value::list(list));
    }
    let map = map.build().map_err(|_| EvalError::invalid_argument("internal error: repeated query name"))?;
    Ok(Value::map(map))
}
