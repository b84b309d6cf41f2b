//! The Kubernetes format library: `format.named(name)`, one constructor per format
//! (`format.dns1123Label()`…), and `<format>.validate(s)`, which gives `optional.none()` when `s`
//! has the format and otherwise the list of what is wrong with it.
//!
//! What each [`NamedFormat`] accepts:
//!
//! - `dns1123Label`: at most 63 characters; lower-case ASCII letters, digits and `-`, starting
//!   and ending with a letter or digit. `dns1035Label` also starts with a letter.
//! - `dns1123Subdomain`: at most 253 characters; such labels joined by `.`.
//! - The `…Prefix` formats: the same, for the start of a generated name, so a last `-` is
//!   allowed (and not counted in the length). Every other character is checked: Kubernetes
//!   drops the character before that `-` unchecked (it takes `A-` as a label prefix) and fails
//!   with an error on `-` alone, which is refused here.
//! - `qualifiedName`: a name of at most 63 characters, ASCII letters, digits, `-`, `_` and `.`,
//!   starting and ending with a letter or digit, optionally after a `dns1123Subdomain` and `/`.
//! - `labelValue`: empty, or such a name.
//! - `uri`: what `url()` accepts, an absolute URI or an absolute path.
//! - `uuid`: 32 hexadecimal digits (either case) grouped 8-4-4-4-12, each `-` optional.
//! - `byte`: standard base64, non-empty, in groups of four with `=` padding.
//! - `date`: `YYYY-MM-DD`, a real day of the proleptic Gregorian calendar.
//! - `datetime`: such a date, `T`, `hh:mm:ss`, optional fraction, then `Z` or `±hh:mm` (`T` and
//!   `Z` in either case; seconds up to 59). Stricter than Kubernetes, which ignores text after a
//!   second `T`, takes any character before the fraction's digits (`00:00:00,5Z`) and any two
//!   digits in an offset: here the fraction follows a `.` and offsets are at most 23:59.
//!
//! Only ASCII is accepted anywhere: a look-alike (Cyrillic `а`) or an invisible character (a
//! zero-width space) makes a string invalid. Messages are fixed texts, never the input.

use super::cost::{Cost, SLOT_BYTES, first, read_receiver, text_len, text_steps};
use super::{Fn0, Impl, Overload, global, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, NamedFormat, Opaque, OpaqueKind, OpaqueRepr, OptionalValue, Url, Value};

/// The most problems one string can have (a qualified name: two for its prefix, two for its
/// name).
const MAX_PROBLEMS: usize = 4;
/// The longest message, in bytes.
const MAX_MESSAGE: usize = 200;

pub(super) fn declare(out: &mut Vec<Overload>) {
    let nf = || Type::Opaque(OpaqueKind::NamedFormat);
    out.push(
        global(
            "format_named_string",
            "format.named",
            vec![Type::String],
            Type::optional(nf()),
            Impl::F1(named),
        )
        .priced(read_receiver),
    );
    for (format, make) in CONSTRUCTORS {
        out.push(global(format.overload_id(), format.function(), vec![], nf(), Impl::F0(make)));
    }
    out.push(
        method(
            "named_format_validate_string",
            "validate",
            vec![nf(), Type::String],
            Type::optional(Type::list(Type::String)),
            Impl::F2(validate),
        )
        .priced(validate_cost),
    );
}

fn format_value(f: NamedFormat) -> Value<'static> {
    Value::Opaque(Opaque::new(OpaqueRepr::NamedFormat(f)))
}

/// One constructor per format, each an implementation without arguments.
macro_rules! constructors {
    ($($make:ident => $variant:ident),* $(,)?) => {
        $(
            #[allow(clippy::unnecessary_wraps, reason = "the signature of an implementation")]
            fn $make() -> Result<Value<'static>, EvalError> {
                Ok(format_value(NamedFormat::$variant))
            }
        )*
        const CONSTRUCTORS: [(NamedFormat, Fn0); NamedFormat::ALL.len()] =
            [$((NamedFormat::$variant, $make)),*];
    };
}

constructors! {
    make_dns1123_label => Dns1123Label,
    make_dns1123_subdomain => Dns1123Subdomain,
    make_dns1035_label => Dns1035Label,
    make_qualified_name => QualifiedName,
    make_dns1123_label_prefix => Dns1123LabelPrefix,
    make_dns1123_subdomain_prefix => Dns1123SubdomainPrefix,
    make_dns1035_label_prefix => Dns1035LabelPrefix,
    make_label_value => LabelValue,
    make_uri => Uri,
    make_uuid => Uuid,
    make_byte => Byte,
    make_date => Date,
    make_datetime => Datetime,
}

fn named<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let name = v.as_str().ok_or_else(|| no_such_overload("format.named", &[v]))?;
    Ok(Value::Optional(match NamedFormat::from_name(name) {
        Some(f) => OptionalValue::of(format_value(f)),
        None => OptionalValue::none(),
    }))
}

/// Reading the string once (parsing it as a URL builds about twice its size), and a result no
/// larger than the longest list of messages.
fn validate_cost(args: &[&Value<'_>]) -> Cost {
    let n = args.get(1).map_or(0, |v| text_len(v));
    let parsed = match first(args) {
        Value::Opaque(o) if o.as_named_format() == Some(NamedFormat::Uri) => n.saturating_mul(2),
        _ => 0,
    };
    let result = MAX_PROBLEMS.saturating_mul(SLOT_BYTES + MAX_MESSAGE);
    Cost { steps: text_steps(n.saturating_add(parsed)), bytes: parsed.saturating_add(result) }
}

fn validate<'a>(f: &Value<'a>, s: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let format = match f {
        Value::Opaque(o) => o.as_named_format(),
        _ => None,
    };
    let (Some(format), Some(text)) = (format, s.as_str()) else {
        return Err(no_such_overload("validate", &[f, s]));
    };
    let found = problems(format, text);
    Ok(Value::Optional(if found.is_empty() {
        OptionalValue::none()
    } else {
        OptionalValue::of(Value::list(found.into_iter().map(Value::string).collect::<Vec<_>>()))
    }))
}

const LABEL_MAX: usize = 63;
const SUBDOMAIN_MAX: usize = 253;

const TOO_LONG_63: &str = "must be at most 63 characters";
const TOO_LONG_253: &str = "must be at most 253 characters";
const LABEL_TEXT: &str = "must consist of lower-case letters, digits and '-', starting and ending with a letter \
                          or digit (e.g. `web-1`)";
const LABEL_PREFIX_TEXT: &str = "must consist of lower-case letters, digits and '-', starting with a letter or \
                                 digit (e.g. `web-`)";
const LABEL_1035_TEXT: &str = "must consist of lower-case letters, digits and '-', starting with a letter and \
                               ending with a letter or digit (e.g. `web-1`)";
const LABEL_1035_PREFIX_TEXT: &str = "must consist of lower-case letters, digits and '-', starting with a letter \
                                      (e.g. `web-`)";
const NO_DOTS: &str = "must not contain dots";
const SUBDOMAIN_TEXT: &str = "must consist of lower-case letters, digits, '-' and '.', each dot-separated part \
                              starting and ending with a letter or digit (e.g. `example.com`)";
const SUBDOMAIN_PREFIX_TEXT: &str = "must consist of lower-case letters, digits, '-' and '.', each dot-separated \
                                     part starting and ending with a letter or digit, except that it may end \
                                     with '-' (e.g. `example.web-`)";
const NAME_TEXT: &str = "must consist of letters, digits, '-', '_' and '.', starting and ending with a letter or \
                         digit (e.g. `My_name.1`)";
const QUALIFIED_SHAPE: &str = "must be a name, optionally after a DNS subdomain and one '/' (e.g. \
                               `example.com/My_name`)";
const UUID_TEXT: &str = "must be a UUID: 32 hexadecimal digits grouped 8-4-4-4-12 by '-'";
const BYTE_TEXT: &str = "must be standard base64: letters, digits, '+' and '/' in groups of four, the last \
                         group padded with '='";
const DATE_TEXT: &str = "must be a date that exists, written YYYY-MM-DD";
const DATETIME_TEXT: &str = "must be an RFC 3339 date and time (e.g. `2021-01-01T00:00:00Z`)";

/// What is wrong with `text` as a `format`, in order; empty when nothing is.
pub(crate) fn problems(format: NamedFormat, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |m: &str| out.push(m.to_owned());
    match format {
        NamedFormat::Dns1123Label => label(text, false, &mut push),
        NamedFormat::Dns1123LabelPrefix => label(text, true, &mut push),
        NamedFormat::Dns1035Label => label_1035(text, false, &mut push),
        NamedFormat::Dns1035LabelPrefix => label_1035(text, true, &mut push),
        NamedFormat::Dns1123Subdomain => subdomain(text, false, &mut push),
        NamedFormat::Dns1123SubdomainPrefix => subdomain(text, true, &mut push),
        NamedFormat::QualifiedName => qualified_name(text, &mut push),
        NamedFormat::LabelValue => {
            if too_long(text, LABEL_MAX) {
                push(TOO_LONG_63);
            }
            if !text.is_empty() && !is_name(text) {
                push(&format!("must be empty or {}", NAME_TEXT.trim_start_matches("must ")));
            }
        }
        NamedFormat::Uri => {
            if let Err(e) = Url::parse(text) {
                push(&format!("is not a valid URL: {e}"));
            }
        }
        NamedFormat::Uuid if !is_uuid(text) => push(UUID_TEXT),
        NamedFormat::Byte if !is_base64(text) => push(BYTE_TEXT),
        NamedFormat::Date if !is_date(text.as_bytes()) => push(DATE_TEXT),
        NamedFormat::Datetime if !is_datetime(text) => push(DATETIME_TEXT),
        NamedFormat::Uuid | NamedFormat::Byte | NamedFormat::Date | NamedFormat::Datetime => {}
    }
    out
}

/// Whether `text` has more than `max` characters (bytes are counted first: ASCII is the norm).
fn too_long(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().count() > max
}

/// `text` without the `-` that may end a prefix.
fn unmasked(text: &str, prefix: bool) -> &str {
    if prefix { text.strip_suffix('-').unwrap_or(text) } else { text }
}

fn lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// A lower-case DNS label: letters, digits and `-`, starting and ending with a letter or digit;
/// with `trailing_dash`, it may also end with a `-` after its first character.
fn is_dns_label(text: &str, trailing_dash: bool) -> bool {
    let b = text.as_bytes();
    let (Some(&head), Some(&last)) = (b.first(), b.last()) else { return false };
    let last_ok = lower_alnum(last) || (trailing_dash && last == b'-' && b.len() > 1);
    lower_alnum(head) && last_ok && b.iter().all(|&c| lower_alnum(c) || c == b'-')
}

/// Labels joined by dots; with `trailing_dash`, the last label may end with `-`.
fn is_dns_subdomain(text: &str, trailing_dash: bool) -> bool {
    let mut labels = text.rsplit('.');
    let last_ok = labels.next().is_some_and(|l| is_dns_label(l, trailing_dash));
    last_ok && labels.all(|l| is_dns_label(l, false))
}

fn label(text: &str, prefix: bool, push: &mut impl FnMut(&str)) {
    if too_long(unmasked(text, prefix), LABEL_MAX) {
        push(TOO_LONG_63);
    }
    if !is_dns_label(text, prefix) {
        push(if is_dns_subdomain(text, prefix) {
            NO_DOTS
        } else if prefix {
            LABEL_PREFIX_TEXT
        } else {
            LABEL_TEXT
        });
    }
}

fn label_1035(text: &str, prefix: bool, push: &mut impl FnMut(&str)) {
    if too_long(unmasked(text, prefix), LABEL_MAX) {
        push(TOO_LONG_63);
    }
    let starts_with_letter = text.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
    if !(starts_with_letter && is_dns_label(text, prefix)) {
        push(if prefix { LABEL_1035_PREFIX_TEXT } else { LABEL_1035_TEXT });
    }
}

fn subdomain(text: &str, prefix: bool, push: &mut impl FnMut(&str)) {
    if too_long(unmasked(text, prefix), SUBDOMAIN_MAX) {
        push(TOO_LONG_253);
    }
    if !is_dns_subdomain(text, prefix) {
        push(if prefix { SUBDOMAIN_PREFIX_TEXT } else { SUBDOMAIN_TEXT });
    }
}

/// A name of a qualified name or label value: ASCII letters, digits, `-`, `_` and `.`,
/// starting and ending with a letter or digit.
fn is_name(text: &str) -> bool {
    let b = text.as_bytes();
    let (Some(head), Some(last)) = (b.first(), b.last()) else { return false };
    head.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn qualified_name(text: &str, push: &mut impl FnMut(&str)) {
    let mut parts = text.split('/');
    let (prefix, name) = match (parts.next(), parts.next(), parts.next()) {
        (Some(name), None, _) => (None, name),
        (Some(prefix), Some(name), None) => (Some(prefix), name),
        _ => return push(QUALIFIED_SHAPE),
    };
    match prefix {
        Some("") => push("prefix part must not be empty"),
        Some(p) => subdomain(p, false, &mut |m: &str| push(&format!("prefix part {m}"))),
        None => {}
    }
    if name.is_empty() {
        return push("name part must not be empty");
    }
    if too_long(name, LABEL_MAX) {
        push(&format!("name part {TOO_LONG_63}"));
    }
    if !is_name(name) {
        push(&format!("name part {NAME_TEXT}"));
    }
}

/// Hexadecimal groups of 8, 4, 4, 4 and 12 digits, each `-` between them optional.
fn is_uuid(text: &str) -> bool {
    let mut rest = text.as_bytes();
    for (i, width) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if i > 0
            && let Some(after) = rest.strip_prefix(b"-")
        {
            rest = after;
        }
        let Some((group, after)) = rest.split_at_checked(width) else { return false };
        if !group.iter().all(u8::is_ascii_hexdigit) {
            return false;
        }
        rest = after;
    }
    rest.is_empty()
}

/// Standard base64: a non-empty whole number of groups of four symbols, with at most two `=`
/// at the end.
fn is_base64(text: &str) -> bool {
    let b = text.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return false;
    }
    let padding = if b.ends_with(b"==") { 2 } else { usize::from(b.ends_with(b"=")) };
    b.get(..b.len() - padding)
        .is_some_and(|body| body.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/'))
}

/// The value of two ASCII digits.
fn two_digits(a: u8, b: u8) -> Option<u32> {
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
}

/// `YYYY-MM-DD`, a day that exists.
fn is_date(b: &[u8]) -> bool {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *b else { return false };
    let (Some(century), Some(year_in), Some(month), Some(day)) =
        (two_digits(y1, y2), two_digits(y3, y4), two_digits(m1, m2), two_digits(d1, d2))
    else {
        return false;
    };
    let year = century * 100 + year_in;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// `hh:mm` (`sep` `:`) with hours up to 23 and minutes up to 59, and what follows it.
fn hours_minutes(b: &[u8]) -> Option<&[u8]> {
    let [h1, h2, b':', m1, m2, rest @ ..] = b else { return None };
    let (hours, minutes) = (two_digits(*h1, *h2)?, two_digits(*m1, *m2)?);
    (hours <= 23 && minutes <= 59).then_some(rest)
}

/// A date, `T`, a time with seconds and an optional fraction, and a zone.
fn is_datetime(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't']) else { return false };
    if !is_date(date.as_bytes()) {
        return false;
    }
    let Some([b':', s1, s2, rest @ ..]) = hours_minutes(time.as_bytes()) else { return false };
    if two_digits(*s1, *s2).is_none_or(|s| s > 59) {
        return false;
    }
    let zone = match rest {
        [b'.', fraction @ ..] => {
            let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            match fraction.get(digits..) {
                Some(zone) if digits > 0 => zone,
                _ => return false,
            }
        }
        _ => rest,
    };
    match zone {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', offset @ ..] => hours_minutes(offset).is_some_and(<[u8]>::is_empty),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_a_constructor_in_order() {
        let made: Vec<NamedFormat> = CONSTRUCTORS.iter().map(|(f, _)| *f).collect();
        assert_eq!(made, NamedFormat::ALL);
        for (f, make) in CONSTRUCTORS {
            let v = make().unwrap();
            assert!(matches!(&v, Value::Opaque(o) if o.as_named_format() == Some(f)));
        }
    }

    #[test]
    fn results_stay_within_what_is_charged() {
        let long = "x/".repeat(200);
        let texts = ["", "-", "a..b/", "/", "A/B", "é", &long, "-.-/-_-", "a\u{200b}b", "0.0.0/a"];
        for f in NamedFormat::ALL {
            for t in texts {
                let found = problems(f, t);
                assert!(found.len() <= MAX_PROBLEMS, "{f:?} {t:?}: {found:?}");
                assert!(found.iter().all(|m| m.len() <= MAX_MESSAGE), "{f:?} {t:?}: {found:?}");
            }
        }
        let worst =
            problems(NamedFormat::QualifiedName, &format!("{}-/{}-", "a".repeat(300), "b".repeat(70)));
        assert_eq!(worst.len(), MAX_PROBLEMS, "{worst:?}");
    }

    /// The Kubernetes patterns, as regular expressions, as a model of the hand-written checks.
    mod against_the_patterns {
        use proptest::prelude::*;
        use regex::Regex;

        use super::*;

        const LABEL: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
        const NAME: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

        fn full(pattern: &str) -> Regex {
            Regex::new(&format!("^(?:{pattern})$")).unwrap()
        }

        fn valid(f: NamedFormat, s: &str) -> bool {
            problems(f, s).is_empty()
        }

        /// Short strings, mostly of the characters that shape names (letters, digits, `-`, `.`,
        /// `/`), sometimes of others that matter to a format or never do.
        fn text() -> impl Strategy<Value = String> {
            let common = proptest::sample::select(vec!['a', 'b', '0', '-', '.', '/']);
            let rare =
                proptest::sample::select(vec!['A', 'F', 'g', '9', '_', '+', '=', 'é', '\u{430}', '\u{200b}']);
            proptest::collection::vec(prop_oneof![4 => common, 1 => rare], 0..12)
                .prop_map(|chars| chars.into_iter().collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]
            #[test]
            fn names_follow_the_kubernetes_patterns(s in text()) {
                let label = full(LABEL);
                let subdomain = full(&format!("{LABEL}(\\.{LABEL})*"));
                let label_1035 = full("[a-z]([-a-z0-9]*[a-z0-9])?");
                let name = full(NAME);
                prop_assert_eq!(valid(NamedFormat::Dns1123Label, &s), label.is_match(&s));
                prop_assert_eq!(valid(NamedFormat::Dns1123Subdomain, &s), subdomain.is_match(&s));
                prop_assert_eq!(valid(NamedFormat::Dns1035Label, &s), label_1035.is_match(&s));
                prop_assert_eq!(valid(NamedFormat::LabelValue, &s), s.is_empty() || name.is_match(&s));
                let qualified = match s.split('/').collect::<Vec<_>>().as_slice() {
                    [n] => name.is_match(n),
                    [p, n] => subdomain.is_match(p) && name.is_match(n),
                    _ => false,
                };
                prop_assert_eq!(valid(NamedFormat::QualifiedName, &s), qualified);
                // A prefix is valid when the name it starts, once a letter follows a last `-`, is.
                let completed = if s.len() > 1 && s.ends_with('-') { format!("{s}a") } else { s.clone() };
                prop_assert_eq!(valid(NamedFormat::Dns1123LabelPrefix, &s), label.is_match(&completed));
                prop_assert_eq!(valid(NamedFormat::Dns1123SubdomainPrefix, &s), subdomain.is_match(&completed));
                prop_assert_eq!(valid(NamedFormat::Dns1035LabelPrefix, &s), label_1035.is_match(&completed));
            }

            #[test]
            fn uuids_and_base64_follow_the_kubernetes_patterns(
                s in text(),
                hex in "[0-9a-fA-G]{7,8}-?[0-9a-f]{4}-{0,2}[0-9A-F]{3,4}-?[0-9a-f]{4}-?[0-9a-f]{11,13}",
                b64 in "[Aa0+/=-]{0,12}",
            ) {
                let uuid = full("(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");
                let base64 = full("([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})");
                for t in [&s, &hex, &b64] {
                    prop_assert_eq!(valid(NamedFormat::Uuid, t), uuid.is_match(t));
                    prop_assert_eq!(valid(NamedFormat::Byte, t), base64.is_match(t));
                }
            }
        }
    }

    #[test]
    fn the_validation_is_charged_by_the_input_size() {
        let text = Value::string("a".repeat(1600));
        let label = format_value(NamedFormat::Dns1123Label);
        let uri = format_value(NamedFormat::Uri);
        assert_eq!(validate_cost(&[&label, &text]).steps, 100);
        assert_eq!(validate_cost(&[&uri, &text]).steps, 300);
        assert!(validate_cost(&[&uri, &text]).bytes >= 3200);
    }
}
