//! The standard library: declarations (for the checker) and implementations (for evaluation).
//!
//! Every function is a list of [`Overload`]s. Each overload has a signature the checker uses
//! to type calls and an implementation the evaluator calls. When the checker cannot tell which
//! overload applies (an argument is `dyn`), the evaluator picks the first overload whose
//! parameter types match the runtime values ([`matches_type`]).
//!
//! Operators (`+`, `==`, `[]`, `in`…) are not here: they live in the evaluator.
//!
//! Implementations never trust that list elements have the declared element type (a `dyn`
//! list can reach any overload), and report a mismatch as a `no such overload` error. A `dyn`
//! list can therefore give a result of another type than the one declared: `sum` of a `dyn`
//! list of durations reaches `list_int_sum` first and returns a duration, so the checker
//! should type such calls `dyn`.
//!
//! Helpers for the compiler, to prepare constant arguments once at load time:
//! [`regex::compile_regex_cached`] and [`regex::regex_is_match`] for `matches`,
//! [`time::parse_time_zone`], [`time::TimeField`] and [`time::timestamp_field`] for the
//! timestamp getters with a time zone, and [`semver::parse_version_req`] and
//! [`semver::semver_satisfies`] for `satisfies`.

mod compare;
mod conversions;
pub(crate) mod cost;
mod encoders;
pub(crate) mod format;
mod lists;
mod lists_ext;
mod lists_shape;
pub(crate) mod math;
mod named_format;
mod net;
pub(crate) mod optional;
mod quantity;
mod re2_classes;
pub(crate) mod regex;
pub(crate) mod regex_ext;
pub(crate) mod semver;
mod sets;
pub(crate) mod strings;
mod strings_ext;
pub(crate) mod time;
mod url;

use std::sync::OnceLock;

pub(crate) use cost::{Cost, CostFn};
pub(crate) use lists_ext::sort_by_keys;

use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

/// An implementation without arguments (`optional.none()`).
pub(crate) type Fn0 = fn() -> Result<Value<'static>, EvalError>;
/// A one-argument implementation (for receiver-style calls, the receiver is the argument).
pub(crate) type Fn1 = for<'a> fn(&Value<'a>) -> Result<Value<'a>, EvalError>;
/// A two-argument implementation.
pub(crate) type Fn2 = for<'a> fn(&Value<'a>, &Value<'a>) -> Result<Value<'a>, EvalError>;
/// A three-argument implementation.
pub(crate) type Fn3 = for<'a> fn(&Value<'a>, &Value<'a>, &Value<'a>) -> Result<Value<'a>, EvalError>;
/// A four-argument implementation (a receiver and three arguments: `s.replace(old, new, n)`).
pub(crate) type Fn4 =
    for<'a> fn(&Value<'a>, &Value<'a>, &Value<'a>, &Value<'a>) -> Result<Value<'a>, EvalError>;

/// An implementation, by arity.
#[derive(Clone, Copy)]
pub(crate) enum Impl {
    /// No argument.
    F0(Fn0),
    /// One argument.
    F1(Fn1),
    /// Two arguments.
    F2(Fn2),
    /// Three arguments.
    F3(Fn3),
    /// Four arguments.
    F4(Fn4),
    /// `matches` with a pattern known only at run time: the evaluator compiles it through the
    /// assessment's [`Budget`](crate::cel::Budget), which charges for it and caches it.
    Matches,
    /// `find`, `findAll` or a function of the `regex` namespace (the pattern is the second
    /// argument), compiled like `matches`.
    Regex(regex::RegexOp),
}

impl Impl {
    /// The number of arguments the implementation takes.
    pub(crate) fn arity(self) -> usize {
        match self {
            Impl::F0(_) => 0,
            Impl::F1(_) => 1,
            Impl::F2(_) | Impl::Matches => 2,
            Impl::Regex(op) => op.arity(),
            Impl::F3(_) => 3,
            Impl::F4(_) => 4,
        }
    }
}

/// One signature of a function, with its implementation.
pub(crate) struct Overload {
    /// A unique id, e.g. `size_string`, used in messages and tests.
    pub(crate) id: &'static str,
    /// The function name as written in expressions.
    pub(crate) function: &'static str,
    /// Whether it is called receiver-style (`s.size()`) rather than globally (`size(s)`).
    pub(crate) receiver: bool,
    /// Parameter types; for receiver-style calls the receiver comes first.
    pub(crate) params: Vec<Type>,
    /// Result type.
    pub(crate) result: Type,
    /// The implementation; its arity equals `params.len()`.
    pub(crate) imp: Impl,
    /// What a call costs, computed from the arguments before the implementation runs; `None`
    /// for overloads whose work and result are small and bounded whatever the arguments.
    pub(crate) cost: Option<CostFn>,
}

impl Overload {
    /// This overload, priced by `cost`.
    fn priced(self, cost: CostFn) -> Self {
        Overload { cost: Some(cost), ..self }
    }
}

/// All overloads of the standard library and its extensions.
pub(crate) fn overloads() -> &'static [Overload] {
    static ALL: OnceLock<Vec<Overload>> = OnceLock::new();
    ALL.get_or_init(build)
}

fn build() -> Vec<Overload> {
    let mut out = Vec::with_capacity(128);
    strings::declare(&mut out);
    strings_ext::declare(&mut out);
    format::declare(&mut out);
    encoders::declare(&mut out);
    regex::declare(&mut out);
    lists::declare(&mut out);
    lists_ext::declare(&mut out);
    lists_shape::declare(&mut out);
    conversions::declare(&mut out);
    time::declare(&mut out);
    semver::declare(&mut out);
    optional::declare(&mut out);
    url::declare(&mut out);
    sets::declare(&mut out);
    math::declare(&mut out);
    net::declare(&mut out);
    quantity::declare(&mut out);
    named_format::declare(&mut out);
    out
}

/// A global overload: `function(params…)`.
fn global(id: &'static str, function: &'static str, params: Vec<Type>, result: Type, imp: Impl) -> Overload {
    Overload { id, function, receiver: false, params, result, imp, cost: None }
}

/// A receiver-style overload: `params[0].function(params[1..]…)`.
fn method(id: &'static str, function: &'static str, params: Vec<Type>, result: Type, imp: Impl) -> Overload {
    Overload { id, function, receiver: true, params, result, imp, cost: None }
}

/// The error `` no such overload: `f(int, string)` `` naming the runtime argument types.
pub(crate) fn no_such_overload(function: &str, args: &[&Value<'_>]) -> EvalError {
    let types: Vec<&str> = args.iter().map(|v| v.type_name()).collect();
    EvalError::no_such_overload(format!("no such overload: `{function}({})`", types.join(", ")))
}

/// An int value from a count or index, which always fits: Rust sizes are below `isize::MAX`.
fn int_from_usize(n: usize) -> Value<'static> {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Whether `value` can be passed where `ty` is expected (type parameters and `dyn` accept
/// anything; list and map element types are not inspected).
pub(crate) fn matches_type(value: &Value<'_>, ty: &Type) -> bool {
    match ty {
        Type::Dyn | Type::Param(_) => true,
        Type::Null => matches!(value, Value::Null),
        Type::Bool => matches!(value, Value::Bool(_)),
        Type::Int => matches!(value, Value::Int(_)),
        Type::Uint => matches!(value, Value::Uint(_)),
        Type::Double => matches!(value, Value::Double(_)),
        Type::String => matches!(value, Value::String(_)),
        Type::Bytes => matches!(value, Value::Bytes(_)),
        Type::Timestamp => matches!(value, Value::Timestamp(_)),
        Type::Duration => matches!(value, Value::Duration(_)),
        Type::Semver => matches!(value, Value::Semver(_)),
        Type::Opaque(k) => matches!(value, Value::Opaque(o) if o.kind() == *k),
        Type::List(_) => matches!(value, Value::List(_)),
        Type::Map(_, _) => matches!(value, Value::Map(_)),
        Type::Optional(_) => matches!(value, Value::Optional(_)),
        Type::Type => matches!(value, Value::Type(_)),
        Type::Object(o) => matches!(value, Value::Object(v) if v.object_type() == &**o),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn arity_matches_params() {
        for o in overloads() {
            assert_eq!(o.imp.arity(), o.params.len(), "{}", o.id);
            if o.receiver {
                assert!(!o.params.is_empty(), "{}", o.id);
            }
        }
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for o in overloads() {
            assert!(seen.insert(o.id), "duplicate overload id {}", o.id);
            assert!(
                o.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                o.id
            );
        }
    }

    #[test]
    fn signatures_do_not_overlap() {
        // Two overloads of one function with the same call style and the same parameter
        // types (type parameters erased) could never be told apart.
        let mut seen = HashSet::new();
        for o in overloads() {
            let erased: Vec<String> = o.params.iter().map(ToString::to_string).collect();
            assert!(seen.insert((o.function, o.receiver, erased.clone())), "{} overlaps: {erased:?}", o.id);
        }
    }

    #[test]
    fn every_function_of_the_spec_is_declared() {
        let names: HashSet<&str> = overloads().iter().map(|o| o.function).collect();
        for f in [
            "size",
            "contains",
            "startsWith",
            "endsWith",
            "matches",
            "int",
            "uint",
            "double",
            "string",
            "bytes",
            "bool",
            "type",
            "dyn",
            "timestamp",
            "duration",
            "getFullYear",
            "getMonth",
            "getDayOfYear",
            "getDate",
            "getDayOfMonth",
            "getDayOfWeek",
            "getHours",
            "getMinutes",
            "getSeconds",
            "getMilliseconds",
            "lowerAscii",
            "upperAscii",
            "trim",
            "split",
            "join",
            "replace",
            "indexOf",
            "sum",
            "min",
            "max",
            "distinct",
            "sort",
            "isSorted",
            "reverse",
            "semver",
            "isSemver",
            "major",
            "minor",
            "patch",
            "isGreaterThan",
            "isLessThan",
            "compareTo",
            "satisfies",
            "regex.replace",
            "regex.extract",
            "regex.extractAll",
        ] {
            assert!(names.contains(f), "{f} is not declared");
        }
    }

    /// Calls the first overload of `function` that accepts `args`, as the evaluator does.
    fn call(function: &str, receiver: bool, args: &[Value<'static>]) -> Result<Value<'static>, EvalError> {
        let o = overloads()
            .iter()
            .find(|o| {
                o.function == function
                    && o.receiver == receiver
                    && o.params.len() == args.len()
                    && o.params.iter().zip(args).all(|(t, v)| matches_type(v, t))
            })
            .unwrap_or_else(|| panic!("no overload of {function} for {args:?}"));
        invoke(o, args)
    }

    fn invoke(overload: &Overload, args: &[Value<'static>]) -> Result<Value<'static>, EvalError> {
        match (overload.imp, args) {
            (Impl::F0(imp), []) => imp(),
            (Impl::F1(imp), [first]) => imp(first),
            (Impl::F2(imp), [first, second]) => imp(first, second),
            (Impl::F3(imp), [first, second, third]) => imp(first, second, third),
            (Impl::F4(imp), [first, second, third, fourth]) => imp(first, second, third, fourth),
            (Impl::Matches, [text, Value::String(pattern)]) => {
                let re =
                    regex::compile_runtime(pattern.as_str(), 1 << 20).map_err(EvalError::invalid_argument)?;
                regex::regex_is_match(&re, text)
            }
            (Impl::Regex(op), [text, Value::String(pattern), rest @ ..]) => {
                let re =
                    regex::compile_runtime(pattern.as_str(), 1 << 20).map_err(EvalError::invalid_argument)?;
                let rest: Vec<&Value<'static>> = std::iter::once(text).chain(rest).collect();
                regex::regex_call(op, &re, &rest, &mut |_| Ok(()))
            }
            _ => panic!("arity mismatch in {}", overload.id),
        }
    }

    #[test]
    fn dispatch_picks_by_runtime_type() {
        assert!(matches!(call("size", false, &[Value::str("héllo")]), Ok(Value::Int(5))));
        assert!(matches!(call("size", true, &[Value::bytes(&b"h\xc3\xa9"[..])]), Ok(Value::Int(3))));
        assert!(matches!(call("int", false, &[Value::Double(-1.5)]), Ok(Value::Int(-1))));
        let seven = call("string", false, &[Value::Uint(7)]).unwrap();
        assert_eq!(seven.as_str(), Some("7"));
        // A dyn list reaches the first `sum` overload whatever its elements.
        assert!(matches!(call("sum", true, &[Value::list(vec![Value::Uint(2)])]), Ok(Value::Uint(2))));
        let replaced =
            call("replace", true, &[Value::str("aaa"), Value::str("a"), Value::str("b"), Value::Int(2)]);
        assert_eq!(replaced.unwrap().as_str(), Some("bba"));
    }

    fn sample(ty: &Type) -> Value<'static> {
        use crate::cel::value::{Duration, Key, MapBuilder, Semver, Timestamp, TypeValue};
        match ty {
            Type::Null => Value::Null,
            Type::Bool => Value::Bool(true),
            Type::Uint => Value::Uint(1),
            Type::Double => Value::Double(1.5),
            Type::String => Value::str("1"),
            Type::Bytes => Value::bytes(&b"1"[..]),
            Type::Timestamp => Value::Timestamp(Timestamp::UNIX_EPOCH),
            Type::Duration => Value::Duration(Duration::new(90, 0).unwrap()),
            Type::Semver => Value::Semver(Semver::owned(::semver::Version::new(1, 2, 3))),
            Type::List(elem) => Value::list(vec![sample(elem), sample(elem)]),
            Type::Map(_, _) => {
                let mut m = MapBuilder::new();
                m.push(Key::Int(1), Value::Int(1));
                Value::map(m.build().unwrap())
            }
            Type::Type => Value::Type(TypeValue::Int),
            Type::Optional(inner) => Value::Optional(crate::cel::value::OptionalValue::of(sample(inner))),
            Type::Opaque(kind) => opaque_sample(*kind, 1),
            _ => Value::Int(1),
        }
    }

    /// An IP address, CIDR prefix, quantity, URL or named format made from `n`.
    fn opaque_sample(kind: crate::cel::value::OpaqueKind, n: u64) -> Value<'static> {
        use crate::cel::value::{Cidr, Opaque, OpaqueKind, OpaqueRepr, quantity::Quantity};
        let addr = |n: u64| {
            if n.is_multiple_of(2) {
                std::net::IpAddr::from(u32::try_from(n >> 32).unwrap_or(0).to_be_bytes())
            } else {
                std::net::IpAddr::from(u128::from(n).rotate_right(17).to_be_bytes())
            }
        };
        let repr = match kind {
            OpaqueKind::Ip => OpaqueRepr::Ip(addr(n)),
            OpaqueKind::Url => {
                let urls =
                    ["https://example.com", "/p?k=a&k=b", "https://u:p@[::1]:80/a b?x=%zz#f", "mailto:x@y"];
                let text = urls.get(usize::try_from(n % 4).unwrap_or(0)).copied().unwrap_or("/");
                OpaqueRepr::Url(crate::cel::value::Url::parse(text).unwrap())
            }
            OpaqueKind::NamedFormat => {
                let all = crate::cel::value::NamedFormat::ALL;
                let format = all.get(usize::try_from(n % 13).unwrap_or(0)).copied();
                OpaqueRepr::NamedFormat(format.unwrap_or(crate::cel::value::NamedFormat::Uri))
            }
            OpaqueKind::Cidr => {
                let a = addr(n);
                let bits = u8::try_from(n % 33).unwrap_or(0);
                OpaqueRepr::Cidr(Cidr { addr: a, bits })
            }
            _ => {
                let texts =
                    ["1", "-1.5Gi", "250m", "1e3", "0", "9999999999999999999999999999999999999G", "1n"];
                let text = texts.get(usize::try_from(n % 7).unwrap_or(0)).copied().unwrap_or("1");
                OpaqueRepr::Quantity(Quantity::parse(text).unwrap())
            }
        };
        Value::Opaque(Opaque::new(repr))
    }

    #[test]
    fn results_have_the_declared_types() {
        // Every overload succeeds on some sample arguments, with a result of the declared type.
        let texts = ["1", "UTC", "1.2.3", "2009-02-13T23:31:30Z", "1.5s", "10.0.0.1", "10.0.0.0/8", "/p?q=1"];
        for o in overloads() {
            let mut ran = false;
            for text in texts {
                let args: Vec<Value<'static>> = o
                    .params
                    .iter()
                    .map(|t| if *t == Type::String { Value::str(text) } else { sample(t) })
                    .collect();
                if let Ok(result) = invoke(o, &args) {
                    ran = true;
                    assert!(matches_type(&result, &o.result), "{}: {result:?} is not a {}", o.id, o.result);
                }
            }
            assert!(ran, "{} failed on every sample", o.id);
        }
    }

    mod never_panic {
        use proptest::prelude::*;

        use super::*;
        use crate::cel::value::{Duration, Key, MapBuilder, Semver, Timestamp};

        const TEXTS: [&str; 22] = [
            "",
            "10.0.0.1",
            "::1",
            "10.0.0.0/8",
            "fe80::/10",
            "1.5Gi",
            "-250m",
            "UTC",
            "Europe/Paris",
            "+05:30",
            "-25:00",
            "1.2.3",
            "v1.2",
            "^1.2",
            "2009-02-13T23:31:30Z",
            "1h30m",
            "a(",
            "(a*)*$",
            "NaN",
            "-1e400",
            "TRUE",
            "héllo wörld",
        ];

        fn scalar() -> BoxedStrategy<Value<'static>> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                prop_oneof![any::<i64>(), -3i64..20, Just(i64::MIN), Just(i64::MAX)].prop_map(Value::Int),
                prop_oneof![any::<u64>(), Just(u64::MAX)].prop_map(Value::Uint),
                prop_oneof![any::<f64>(), Just(f64::NAN), Just(-0.0), Just(1e300)].prop_map(Value::Double),
                text().prop_map(Value::string),
                proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::bytes),
                (-62_135_596_800i64..=253_402_300_799, 0u32..1_000_000_000)
                    .prop_map(|(s, n)| Value::Timestamp(Timestamp::new(s, n).unwrap())),
                (-9_223_372_036i64..=9_223_372_036)
                    .prop_map(|s| Value::Duration(Duration::new(s, 0).unwrap())),
                (any::<u64>(), 0u64..3, 0u64..3)
                    .prop_map(|(a, b, c)| { Value::Semver(Semver::owned(::semver::Version::new(a, b, c))) }),
                (0usize..5, any::<u64>()).prop_map(|(k, n)| {
                    use crate::cel::value::OpaqueKind;
                    let kinds = [
                        OpaqueKind::Ip,
                        OpaqueKind::Cidr,
                        OpaqueKind::Quantity,
                        OpaqueKind::Url,
                        OpaqueKind::NamedFormat,
                    ];
                    let kind = kinds.get(k).copied();
                    super::opaque_sample(kind.unwrap_or(OpaqueKind::Ip), n)
                }),
            ]
            .boxed()
        }

        fn text() -> BoxedStrategy<String> {
            prop_oneof![proptest::sample::select(&TEXTS[..]).prop_map(str::to_owned), "\\PC{0,12}"].boxed()
        }

        fn value_of(ty: &Type) -> BoxedStrategy<Value<'static>> {
            match ty {
                Type::String => text().prop_map(Value::string).boxed(),
                Type::Int => prop_oneof![any::<i64>(), -3i64..20].prop_map(Value::Int).boxed(),
                Type::List(elem) => {
                    let elem = value_of(elem);
                    prop_oneof![
                        proptest::collection::vec(elem, 0..6),
                        proptest::collection::vec(scalar(), 0..6)
                    ]
                    .prop_map(Value::list)
                    .boxed()
                }
                Type::Map(_, _) => proptest::collection::vec((any::<i64>(), scalar()), 0..4)
                    .prop_map(|entries| {
                        let mut m = MapBuilder::new();
                        for (k, v) in entries {
                            m.push(Key::Int(k), v);
                        }
                        m.build().map_or(Value::Null, Value::map)
                    })
                    .boxed(),
                Type::Param(_) | Type::Dyn => scalar(),
                Type::Optional(inner) => prop_oneof![
                    Just(Value::Optional(crate::cel::value::OptionalValue::none())),
                    value_of(inner).prop_map(|v| Value::Optional(crate::cel::value::OptionalValue::of(v))),
                ]
                .boxed(),
                other => {
                    let ty = other.clone();
                    scalar().prop_filter("type", move |v| matches_type(v, &ty)).boxed()
                }
            }
        }

        fn deep_matches(v: &Value<'_>, ty: &Type) -> bool {
            match (v, ty) {
                (Value::List(l), Type::List(elem)) => l.iter().all(|x| deep_matches(&x, elem)),
                _ => matches_type(v, ty),
            }
        }

        fn call() -> impl Strategy<Value = (usize, Vec<Value<'static>>)> {
            (0..overloads().len()).prop_flat_map(|i| {
                let params = overloads().get(i).map(|o| o.params.clone()).unwrap_or_default();
                let args: Vec<_> = params.iter().map(value_of).collect();
                (Just(i), args)
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]
            #[test]
            fn overloads_never_panic((i, args) in call()) {
                let o = overloads().get(i).unwrap();
                if let Ok(result) = invoke(o, &args) {
                    // A list of other elements (a `dyn` list) may give a result of another type.
                    let typed = o.params.iter().zip(&args).all(|(t, v)| deep_matches(v, t));
                    prop_assert!(!typed || matches_type(&result, &o.result), "{}: {:?}", o.id, result);
                    let _ = crate::cel::display::Canonical(&result).to_string();
                }
            }
        }
    }

    #[test]
    fn no_such_overload_names_types() {
        let e = no_such_overload("size", &[&Value::Bool(true), &Value::Int(1)]);
        assert_eq!(e.message(), "no such overload: `size(bool, int)`");
        assert_eq!(e.kind(), crate::cel::value::EvalErrorKind::NoSuchOverload);
    }
}
