//! Unit tests of the input module: its internals (serde helpers, validation without text) here, the computed fields in `computed`. Loading, errors, round
//! trips and the examples are tested in `tests/inputs.rs`.

mod computed;

/// `aisha.rahman` written with invisible characters, full-width letters or a Cyrillic `а`:
/// each is the same person as the plain spelling.
pub(super) const RESPELT_AISHA: [&str; 6] = [
    "aisha.rahman\u{200b}",
    "aisha\u{200d}.rahman",
    "\u{feff}aisha.rahman",
    "ai\u{ad}sha.rahman",
    "ａｉｓｈａ．ｒａｈｍａｎ",
    "\u{430}isha.rahman",
];

use crate::cel::Timestamp;
use crate::input::derived::same_identity;
use crate::input::serde_util::{either_of, one_of, parse_version};
use crate::input::*;

#[test]
fn names_are_listed_as_messages_list_them() {
    let cases: [(&[&str], &str, &str); 4] = [
        (&[], "nothing", "nothing"),
        (&["a"], "`a`", "`a`"),
        (&["a", "b"], "`a` or `b`", "`a` or `b`"),
        (&["a", "b", "c"], "one of `a`, `b`, `c`", "`a`, `b` or `c`"),
    ];
    for (names, one, either) in cases {
        assert_eq!(one_of(names), one, "{names:?}");
        assert_eq!(either_of(names), either, "{names:?}");
    }
}

#[test]
fn text_enums_suggest_the_closest_name_else_list_them_all() {
    use crate::policy::{Enforcement, OnError};
    assert_eq!(Enforcement::name_help("hrd"), "did you mean `hard`?");
    assert_eq!(Enforcement::name_help("zzzzzz"), "use `advisory`, `soft` or `hard`");
    assert_eq!(OnError::from_name("fail_open"), Some(OnError::FailOpen));
    assert_eq!(OnError::NAMES, ["fail_closed", "fail_open"]);
}

#[test]
fn text_enums_read_and_write_their_names() {
    for (kind, text) in ChangeKind::ALL.iter().zip(ChangeKind::NAMES) {
        assert_eq!(kind.as_str(), *text);
        assert_eq!(kind.to_string(), *text);
        assert_eq!(serde_json::to_string(kind).unwrap(), format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<ChangeKind>(&format!("\"{text}\"")).unwrap(), *kind);
        assert_eq!(ChangeKind::from_name(text), Some(*kind));
    }
    assert_eq!(ChangeKind::from_name("Code"), None);
    let err = serde_json::from_str::<Category>("\"urgent\"").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown category `urgent`, expected one of `standard`, `normal`, `emergency`"),
        "{err}"
    );
    let err = serde_json::from_str::<CheckStatus>("3").unwrap_err();
    assert!(err.to_string().starts_with("invalid type: integer `3`, expected one of `passed`"), "{err}");
}

#[test]
fn timestamps_serialize_as_rfc3339() {
    let ts: Timestamp = serde_json::from_str("\"2026-03-02T11:00:00.5+01:00\"").unwrap();
    assert_eq!(serde_json::to_string(&ts).unwrap(), "\"2026-03-02T10:00:00.5Z\"");
    let err = serde_json::from_str::<Timestamp>("\"2026-02-30T00:00:00Z\"").unwrap_err();
    assert!(
        err.to_string().starts_with(
            "invalid timestamp `2026-02-30T00:00:00Z`: expected RFC 3339 like `2026-03-02T10:00:00Z`"
        ),
        "{err}"
    );
    let err = serde_json::from_str::<Timestamp>("\"9999-12-31T23:59:59-01:00\"").unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}

#[test]
fn versions_accept_one_leading_v() {
    assert_eq!(parse_version("v1.2.3").unwrap(), semver::Version::new(1, 2, 3));
    assert_eq!(parse_version("1.2.3").unwrap(), semver::Version::new(1, 2, 3));
    assert!(parse_version("vv1.2.3").is_err());
    assert!(parse_version("V1.2.3").is_err());
    assert_eq!(
        parse_version("1.x").unwrap_err(),
        "invalid version `1.x`: unexpected character 'x' while parsing minor version number"
    );
}

#[test]
fn nested_objects_must_be_objects() {
    // A derived `Deserialize` would read `["canary"]` as `{ "type": "canary" }`.
    let err = serde_json::from_str::<serde_util::Obj<Strategy>>("[\"canary\"]").err().unwrap();
    assert!(err.to_string().starts_with("invalid type: sequence, expected an object"), "{err}");
    let ok = serde_json::from_str::<serde_util::Obj<Strategy>>("{\"type\": \"canary\"}").ok().unwrap();
    assert_eq!(ok.0, Strategy::of(StrategyType::Canary));
}

#[test]
fn validation_without_text_has_paths_but_no_spans() {
    let mut change =
        Change::new(" ", "production", "", vec![ServiceChange::new("a"), ServiceChange::new("")]);
    change.approvals.push(Approval { by: "\t".into(), role: "dev".into(), at: None });
    let err = change.validate().unwrap_err();
    let got: Vec<(Option<&str>, &str)> = err.iter().map(|d| (d.path(), d.message())).collect();
    assert_eq!(
        got,
        [
            (Some("id"), "`id` is blank"),
            (Some("author"), "`author` is empty"),
            (Some("services[1].name"), "`name` is empty"),
            (Some("approvals[0].by"), "`by` is blank"),
        ]
    );
    assert!(err.iter().all(|d| d.span().is_none() && d.kind() == crate::DiagnosticKind::InvalidInput));
}

#[test]
fn identities_compare_without_allocating_as_they_normalize() {
    for (a, b, same) in [
        (" Ann ", "ann", true),
        ("ANN", "ann", true),
        ("ann", "anne", false),
        ("ÉLODIE", "élodie", true),
        ("İ", "i\u{307}", true),
        ("", "  ", true),
    ] {
        assert_eq!(same_identity(a, b), same, "{a:?} {b:?}");
        assert_eq!(canonical_name(a) == canonical_name(b), same, "{a:?} {b:?}");
    }
}

#[test]
fn reads_from_toml_too() {
    // Policy documents embed changes and contexts in `[[test]]` cases, written in TOML.
    let change: Change = toml::from_str(
        r#"
        id = "t1"
        environment = "production"
        author = "ann"
        services = [{ name = "api", to = "v2.0.0", kinds = ["code", "config"] }]
        strategy = { type = "canary", steps = [5, 100] }
        approvals = [{ by = "bob", role = "sre", at = "2026-03-02T09:00:00Z" }]
        checks = { unit = "passed" }
        "#,
    )
    .unwrap();
    change.validate().unwrap();
    assert_eq!(change.strategy.first_step(), 5);
    assert_eq!(change.services[0].to, Some(semver::Version::new(2, 0, 0)));
    let ctx: Context = toml::from_str(r#"now = "2026-03-02T10:00:00Z""#).unwrap();
    assert_eq!(ctx.now, Timestamp::parse("2026-03-02T10:00:00Z").unwrap());
    let err = toml::from_str::<Change>(r#"id = "t1""#).unwrap_err();
    assert!(err.to_string().contains("missing field `environment`"), "{err}");
    let err = toml::from_str::<Change>("id = \"t1\"\nstrategy = [\"canary\"]").unwrap_err();
    assert!(err.to_string().contains("expected an object"), "{err}");
}
