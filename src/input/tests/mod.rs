//! Unit tests of the input module: its internals (paths, the locator, spans, serde helpers,
//! validation without text) here, the computed fields in `computed`. Loading, errors, round
//! trips and the examples are tested in `tests/inputs.rs`.

mod computed;

use crate::Span;
use crate::cel::Timestamp;
use crate::input::path::{FieldPath, Located, char_ending_at, locate, offset_after, token_ending_at};
use crate::input::serde_util::one_of;
use crate::input::*;

fn path(segs: &[&str]) -> FieldPath {
    let mut p = FieldPath::root();
    for seg in segs {
        p = match seg.parse::<usize>() {
            Ok(i) => p.index(i),
            Err(_) => p.key(seg),
        };
    }
    p
}

fn text_at(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

#[test]
fn paths_display_like_field_access() {
    assert_eq!(path(&[]).to_string(), "");
    assert_eq!(path(&["services", "1", "to"]).to_string(), "services[1].to");
    assert_eq!(path(&["strategy", "steps"]).to_string(), "strategy.steps");
    assert_eq!(path(&["checks", "unit tests"]).to_string(), "checks[\"unit tests\"]");
    assert_eq!(path(&["labels", "a.b"]).to_string(), "labels[\"a.b\"]");
    assert_eq!(path(&["labels", ""]).to_string(), "labels[\"\"]");
    assert_eq!(path(&["error_budgets", "redis-cart"]).to_string(), "error_budgets.redis-cart");
    assert_eq!(path(&["a\"b"]).to_string(), "[\"a\\\"b\"]");
}

#[test]
fn locates_values_and_keys() {
    let text = r#"{ "id": "x", "services": [ {"name": "a"}, { "name" : "b", "to": "1.x" } ],
  "checks": {"unit \"tests\"": "passd", "a": [1, {"b": "}]"}]}, "n": -1.5e3 }"#;
    let Located { key, value } = locate(text, &path(&["services", "1", "to"])).unwrap();
    assert_eq!(text_at(text, key.unwrap()), "\"to\"");
    assert_eq!(text_at(text, value), "\"1.x\"");
    let found = locate(text, &path(&["services", "1"])).unwrap();
    assert_eq!(found.key, None);
    assert_eq!(text_at(text, found.value), r#"{ "name" : "b", "to": "1.x" }"#);
    let found = locate(text, &path(&["checks", "unit \"tests\""])).unwrap();
    assert_eq!(text_at(text, found.value), "\"passd\"");
    let found = locate(text, &path(&["checks", "a", "1", "b"])).unwrap();
    assert_eq!(text_at(text, found.value), "\"}]\"");
    assert_eq!(text_at(text, locate(text, &path(&["n"])).unwrap().value), "-1.5e3");
    assert_eq!(text_at(text, locate(text, &path(&[])).unwrap().value), text);
    for missing in
        [&["services", "2"][..], &["nope"], &["id", "x"], &["services", "x"], &["checks", "a", "5"]]
    {
        assert_eq!(locate(text, &path(missing)), None, "{missing:?}");
    }
}

#[test]
fn locator_gives_up_quietly_on_broken_text() {
    for text in ["", "{", "{\"a\"", "{\"a\": [1, 2", "{\"a\" 1}", "[", "{\"a\": \"unterminated"] {
        assert_eq!(locate(text, &path(&["a", "3"])), None, "{text}");
    }
}

#[test]
fn token_spans_end_where_serde_stopped() {
    let text = r#"{"a": "x\"y", "b": 12.5, "c": true}"#;
    // serde reports the last byte read; the span covers the whole token ending there.
    let after_string = text.find(", \"b\"").unwrap();
    assert_eq!(text_at(text, token_ending_at(text, after_string)), r#""x\"y""#);
    let after_number = text.find(", \"c\"").unwrap();
    assert_eq!(text_at(text, token_ending_at(text, after_number)), "12.5");
    assert_eq!(text_at(text, token_ending_at(text, text.len())), "}");
    assert_eq!(token_ending_at(text, 0), Span::new(0, 0));
    assert_eq!(token_ending_at("é", 1), Span::new(0, 1));
    assert_eq!(token_ending_at("ab", 99), Span::new(0, 2));
    // A syntax error points at the one character that could not be read.
    assert_eq!(text_at(text, char_ending_at(text, after_string)), "\"");
    assert_eq!(char_ending_at("aé", 3), Span::new(1, 3));
    assert_eq!(char_ending_at("aé", 2), Span::new(0, 1));
    assert_eq!(char_ending_at("", 5), Span::new(0, 0));
}

#[test]
fn serde_positions_become_offsets() {
    let text = "{\n  \"a\": 1,\n  \"b\": 2\n}";
    assert_eq!(offset_after(text, 1, 0), 0);
    assert_eq!(offset_after(text, 1, 1), 1);
    assert_eq!(offset_after(text, 2, 3), 5);
    assert_eq!(&text[..offset_after(text, 3, 8)], "{\n  \"a\": 1,\n  \"b\": 2");
    assert_eq!(offset_after(text, 9, 9), text.len());
}

#[test]
fn one_of_matches_serde() {
    assert_eq!(one_of(&[]), "nothing");
    assert_eq!(one_of(&["a"]), "`a`");
    assert_eq!(one_of(&["a", "b"]), "`a` or `b`");
    assert_eq!(one_of(&["a", "b", "c"]), "one of `a`, `b`, `c`");
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
        assert_eq!(normalize_identity(a) == normalize_identity(b), same, "{a:?} {b:?}");
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
