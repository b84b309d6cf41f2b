//! Semantic versions, with the names and meaning of the Kubernetes CEL semver library:
//! `semver(s)`, `isSemver(s)`, `v.major()`, `v.minor()`, `v.patch()`, `v.isGreaterThan(w)`,
//! `v.isLessThan(w)`, `v.compareTo(w)`, plus `v.satisfies(req)` against a Cargo-style version
//! requirement (`"^1.2"`, `">=1.0, <2.0"`).
//!
//! Parsing is strict `SemVer` 2.0 (`1.2.3`, `1.0.0-rc.1+build.5`): no leading `v`, no leading
//! zeros, all three numbers. As in Kubernetes, `semver(s, true)` and `isSemver(s, true)`
//! first normalize the text: they drop one leading `v`, drop leading zeros and complete a
//! missing minor or patch number with zero (`v1.02` reads as `1.2.0`).
//!
//! Comparisons follow `SemVer` precedence: pre-releases come before their release
//! (`1.0.0-alpha < 1.0.0`) and build metadata is ignored (`1.0.0+a` equals `1.0.0+b`).

use std::cmp::Ordering;

use ::semver::{Version, VersionReq};

use super::{Impl, Overload, global, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, EvalErrorKind, Semver, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, Int, Semver as V, String};
    out.extend([
        global("string_to_semver", "semver", vec![String], V, Impl::F1(semver)),
        global("string_to_semver_normalize", "semver", vec![String, Bool], V, Impl::F2(semver_normalize)),
        global("is_semver_string", "isSemver", vec![String], Bool, Impl::F1(is_semver)),
        global(
            "is_semver_string_normalize",
            "isSemver",
            vec![String, Bool],
            Bool,
            Impl::F2(is_semver_normalize),
        ),
        method("semver_major", "major", vec![V], Int, Impl::F1(major)),
        method("semver_minor", "minor", vec![V], Int, Impl::F1(minor)),
        method("semver_patch", "patch", vec![V], Int, Impl::F1(patch)),
        method("semver_is_greater_than", "isGreaterThan", vec![V, V], Bool, Impl::F2(is_greater_than)),
        method("semver_is_less_than", "isLessThan", vec![V, V], Bool, Impl::F2(is_less_than)),
        method("semver_compare_to", "compareTo", vec![V, V], Int, Impl::F2(compare_to)),
        method("semver_satisfies_string", "satisfies", vec![V, String], Bool, Impl::F2(satisfies)),
    ]);
}

/// Parses a version requirement such as `^1.2`, `~1.4.0` or `>=1.0, <2.0` (Cargo's syntax).
/// A pre-release version satisfies a requirement only if some comparator names a pre-release
/// of the same `major.minor.patch`.
///
/// # Errors
///
/// A message fit for a diagnostic: ``invalid version requirement `>=x`: …``.
pub(crate) fn parse_version_req(text: &str) -> Result<VersionReq, String> {
    VersionReq::parse(text).map_err(|e| format!("invalid version requirement `{text}`: {e}"))
}

/// Whether the version `v` satisfies `req`.
///
/// # Errors
///
/// `no such overload` when `v` is not a version.
pub(crate) fn semver_satisfies<'a>(v: &Value<'a>, req: &VersionReq) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Semver(s) => Ok(Value::Bool(req.matches(s.get()))),
        _ => Err(no_such_overload("satisfies", &[v])),
    }
}

fn parse(text: &str, normalize: bool) -> Result<Version, String> {
    let normalized;
    let text = if normalize {
        normalized = normalized_text(text)?;
        normalized.as_str()
    } else {
        text
    };
    Version::parse(text).map_err(|e| e.to_string())
}

/// Kubernetes' normalization: one leading `v` dropped, leading zeros dropped from the numbers,
/// a missing minor or patch number taken as zero.
fn normalized_text(text: &str) -> Result<String, String> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let mut parts: Vec<String> = text
        .splitn(3, '.')
        .map(|part| {
            if part.len() <= 1 {
                return part.to_owned();
            }
            let trimmed = part.trim_start_matches('0');
            if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                trimmed.to_owned()
            } else {
                format!("0{trimmed}")
            }
        })
        .collect();
    if parts.len() < 3 {
        if parts.last().is_some_and(|p| p.contains(['+', '-'])) {
            return Err("a short version cannot have a pre-release or build metadata".to_owned());
        }
        parts.resize(3, "0".to_owned());
    }
    Ok(parts.join("."))
}

fn string_and_flag<'v>(
    function: &str,
    s: &'v Value<'_>,
    flag: &'v Value<'_>,
) -> Result<(&'v str, bool), EvalError> {
    match (s, flag) {
        (Value::String(text), Value::Bool(b)) => Ok((text.as_str(), *b)),
        _ => Err(no_such_overload(function, &[s, flag])),
    }
}

fn to_semver<'a>(text: &str, normalize: bool) -> Result<Value<'a>, EvalError> {
    parse(text, normalize)
        .map(|v| Value::Semver(Semver::owned(v)))
        .map_err(|e| EvalError::conversion(format!("invalid semantic version `{text}`: {e}")))
}

fn semver<'a>(s: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let text = s.as_str().ok_or_else(|| no_such_overload("semver", &[s]))?;
    to_semver(text, false)
}

fn semver_normalize<'a>(s: &Value<'a>, normalize: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (text, normalize) = string_and_flag("semver", s, normalize)?;
    to_semver(text, normalize)
}

fn is_semver<'a>(s: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let text = s.as_str().ok_or_else(|| no_such_overload("isSemver", &[s]))?;
    Ok(Value::Bool(parse(text, false).is_ok()))
}

fn is_semver_normalize<'a>(s: &Value<'a>, normalize: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let (text, normalize) = string_and_flag("isSemver", s, normalize)?;
    Ok(Value::Bool(parse(text, normalize).is_ok()))
}

fn version<'v>(function: &str, v: &'v Value<'_>) -> Result<&'v Version, EvalError> {
    match v {
        Value::Semver(s) => Ok(s.get()),
        _ => Err(no_such_overload(function, &[v])),
    }
}

fn number<'a>(n: u64) -> Result<Value<'a>, EvalError> {
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| EvalError::new(EvalErrorKind::Overflow, format!("int overflow: version number `{n}`")))
}

fn major<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    number(version("major", v)?.major)
}

fn minor<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    number(version("minor", v)?.minor)
}

fn patch<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    number(version("patch", v)?.patch)
}

/// Orders two versions by precedence, or two Kubernetes quantities by amount: the ordering
/// methods `compareTo`, `isGreaterThan` and `isLessThan` are one implementation for both.
fn precedence(function: &str, v: &Value<'_>, w: &Value<'_>) -> Result<Ordering, EvalError> {
    match (v, w) {
        (Value::Semver(a), Value::Semver(b)) => Ok(a.get().cmp_precedence(b.get())),
        (Value::Opaque(a), Value::Opaque(b)) => match (a.as_quantity(), b.as_quantity()) {
            (Some(x), Some(y)) => Ok(x.cmp_amount(y)),
            _ => Err(no_such_overload(function, &[v, w])),
        },
        _ => Err(no_such_overload(function, &[v, w])),
    }
}

pub(super) fn is_greater_than<'a>(v: &Value<'a>, w: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Bool(precedence("isGreaterThan", v, w)? == Ordering::Greater))
}

pub(super) fn is_less_than<'a>(v: &Value<'a>, w: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Bool(precedence("isLessThan", v, w)? == Ordering::Less))
}

pub(super) fn compare_to<'a>(v: &Value<'a>, w: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Int(match precedence("compareTo", v, w)? {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

/// The dynamic form: parses the requirement on every call.
fn satisfies<'a>(v: &Value<'a>, req: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::String(text) = req else { return Err(no_such_overload("satisfies", &[v, req])) };
    let req = parse_version_req(text.as_str()).map_err(EvalError::invalid_argument)?;
    semver_satisfies(v, &req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Value<'static> {
        semver(&Value::string(text)).unwrap()
    }

    fn int(r: Result<Value<'_>, EvalError>) -> i64 {
        match r {
            Ok(Value::Int(i)) => i,
            other => panic!("{other:?}"),
        }
    }

    fn yes(r: Result<Value<'_>, EvalError>) -> bool {
        r.unwrap().as_bool().unwrap()
    }

    #[test]
    fn strict_parsing() {
        for good in ["1.0.0", "0.1.0-alpha.1", "1.2.3-rc.1+build.5", "10.20.30", "1.0.0+20130313144700"] {
            assert!(yes(is_semver(&Value::str(good))), "{good}");
        }
        for bad in ["v1.0.0", "1.0", "1", "01.0.0", "1.0.0-01", "1.x.0", "one", "", " 1.0.0", "1.0.0.0"] {
            assert!(!yes(is_semver(&Value::str(bad))), "{bad}");
            let e = semver(&Value::str(bad)).unwrap_err();
            assert_eq!(e.kind(), EvalErrorKind::Conversion);
            assert!(e.message().starts_with(&format!("invalid semantic version `{bad}`: ")), "{e}");
        }
        assert!(semver(&Value::Int(1)).is_err());
    }

    #[test]
    fn normalized_parsing() {
        let norm = |s: &str| semver_normalize(&Value::str(s), &Value::Bool(true)).map(|v| format!("{v:?}"));
        assert_eq!(norm("v1.0.0").unwrap(), r#"semver("1.0.0")"#);
        assert_eq!(norm("v1.02").unwrap(), r#"semver("1.2.0")"#);
        assert_eq!(norm("1").unwrap(), r#"semver("1.0.0")"#);
        assert_eq!(norm("01.002.0003-rc.1").unwrap(), r#"semver("1.2.3-rc.1")"#);
        assert_eq!(norm("1.0.0+build").unwrap(), r#"semver("1.0.0+build")"#);
        assert!(norm("1.0-rc.1").is_err());
        assert!(norm("vv1.0.0").is_err());
        assert!(norm("").is_err());
        let strict = semver_normalize(&Value::str("v1.0.0"), &Value::Bool(false));
        assert!(strict.is_err());
        assert!(yes(is_semver_normalize(&Value::str("v1.0"), &Value::Bool(true))));
        assert!(!yes(is_semver_normalize(&Value::str("v1.0"), &Value::Bool(false))));
        assert!(is_semver_normalize(&Value::str("1.0.0"), &Value::Int(1)).is_err());
    }

    #[test]
    fn numbers() {
        let x = v("1.2.3");
        assert_eq!(int(major(&x)), 1);
        assert_eq!(int(minor(&x)), 2);
        assert_eq!(int(patch(&x)), 3);
        let huge = v("18446744073709551615.0.0");
        assert_eq!(major(&huge).unwrap_err().kind(), EvalErrorKind::Overflow);
        assert!(major(&Value::str("1.2.3")).is_err());
    }

    #[test]
    fn precedence_ordering() {
        let cmp = |a: &str, b: &str| int(compare_to(&v(a), &v(b)));
        assert_eq!(cmp("1.2.3", "1.2.3"), 0);
        assert_eq!(cmp("1.2.3", "2.0.0"), -1);
        assert_eq!(cmp("1.2.3", "0.1.2"), 1);
        assert_eq!(cmp("1.10.0", "1.9.3"), 1);
        assert_eq!(cmp("1.0.0-alpha", "1.0.0"), -1);
        assert_eq!(cmp("1.0.0-alpha", "1.0.0-alpha.1"), -1);
        assert_eq!(cmp("1.0.0-alpha.beta", "1.0.0-beta"), -1);
        assert_eq!(cmp("1.0.0-beta.2", "1.0.0-beta.11"), -1);
        assert_eq!(cmp("1.0.0-rc.1", "1.0.0-beta.11"), 1);
        assert_eq!(cmp("1.0.0+a", "1.0.0+b"), 0);
        assert!(yes(is_greater_than(&v("1.10.0"), &v("1.9.3"))));
        assert!(!yes(is_greater_than(&v("1.0.0+b"), &v("1.0.0+a"))));
        assert!(yes(is_less_than(&v("1.0.0-alpha"), &v("1.0.0"))));
        assert!(!yes(is_less_than(&v("1.0.0"), &v("1.0.0"))));
        assert!(compare_to(&v("1.0.0"), &Value::str("1.0.0")).is_err());
    }

    #[test]
    fn requirements() {
        let sat = |ver: &str, req: &str| yes(satisfies(&v(ver), &Value::str(req)));
        assert!(sat("1.2.3", "^1.2"));
        assert!(!sat("2.0.0", "^1.2"));
        assert!(sat("1.5.0", ">=1.0, <2.0"));
        assert!(!sat("2.0.0", ">=1.0, <2.0"));
        assert!(sat("1.4.7", "~1.4"));
        assert!(sat("0.9.0", "*"));
        assert!(!sat("1.3.0-rc.1", ">=1.2"));
        assert!(sat("1.3.0-rc.1", ">=1.3.0-rc.0"));
        let e = satisfies(&v("1.0.0"), &Value::str(">=x")).unwrap_err();
        assert_eq!(e.kind(), EvalErrorKind::InvalidArgument);
        assert!(e.message().starts_with("invalid version requirement `>=x`: "), "{e}");
        let req = parse_version_req("^1").unwrap();
        assert!(yes(semver_satisfies(&v("1.9.9"), &req)));
        assert!(semver_satisfies(&Value::str("1.0.0"), &req).is_err());
        assert!(parse_version_req("").is_err());
    }
}
