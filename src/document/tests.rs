//! Unit tests of the document reader's internals: paths, spans, finding values in the tree,
//! reading typed values with every problem. Whole documents are tested in `tests/inputs.rs`,
//! `tests/blast.rs` and `tests/policy_load.rs`.

use super::de::find;
use super::path::{FieldPath, char_ending_at, offset_after, token_ending_at};
use super::tree::parse_json_document;
use crate::Span;

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
fn finds_values_and_keys_in_the_tree() {
    let text = r#"{ "id": "x", "services": [ {"name": "a"}, { "name" : "b", "to": "1.x" } ],
  "checks": {"unit \"tests\"": "passd", "a": [1, {"b": "}]"}]}, "n": -1.5e3 }"#;
    let root = parse_json_document(text).unwrap();
    let (key, node) = find(&root, &path(&["services", "1", "to"])).unwrap();
    assert_eq!(text_at(text, key.unwrap()), "\"to\"");
    assert_eq!(text_at(text, node.span), "\"1.x\"");
    let (key, node) = find(&root, &path(&["services", "1"])).unwrap();
    assert_eq!(key, None);
    assert_eq!(text_at(text, node.span), r#"{ "name" : "b", "to": "1.x" }"#);
    let (_, node) = find(&root, &path(&["checks", "unit \"tests\""])).unwrap();
    assert_eq!(text_at(text, node.span), "\"passd\"");
    let (_, node) = find(&root, &path(&["checks", "a", "1", "b"])).unwrap();
    assert_eq!(text_at(text, node.span), "\"}]\"");
    assert_eq!(text_at(text, find(&root, &path(&["n"])).unwrap().1.span), "-1.5e3");
    assert_eq!(text_at(text, find(&root, &path(&[])).unwrap().1.span), text);
    for missing in
        [&["services", "2"][..], &["nope"], &["id", "x"], &["services", "x"], &["checks", "a", "5"]]
    {
        assert!(find(&root, &path(missing)).is_none(), "{missing:?}");
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
