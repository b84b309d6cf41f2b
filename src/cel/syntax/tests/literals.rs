//! Literals of every form and escape, including the cases of the conformance suite's
//! `parse.textproto` and `basic.textproto`.

use super::{check, parse_ok};
use crate::cel::syntax::ExprKind;

#[test]
fn ints_uints_and_doubles() {
    check(&[
        ("0", "0"),
        ("42", "42"),
        ("007", "7"),
        ("9223372036854775807", "9223372036854775807"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("0x55555555", "1431655765"),
        ("-0x55555555", "-1431655765"),
        ("0x1F", "31"),
        ("0xabcDEF", "11259375"),
        ("0x7FFFFFFFFFFFFFFF", "9223372036854775807"),
        ("-0x8000000000000000", "-9223372036854775808"),
        ("0u", "0u"),
        ("0U", "0u"),
        ("123456789u", "123456789u"),
        ("18446744073709551615u", "18446744073709551615u"),
        ("0x1FU", "31u"),
        ("0x55555555u", "1431655765u"),
        ("0xFFFFFFFFFFFFFFFFu", "18446744073709551615u"),
        ("0.0", "0.0"),
        ("0e+0", "0.0"),
        ("1.5", "1.5"),
        (".5", "0.5"),
        ("1e3", "1000.0"),
        ("1E3", "1000.0"),
        ("1e-3", "0.001"),
        ("1.5e-3", "0.0015"),
        ("2.5E+2", "250.0"),
        ("-2.3e+1", "-23.0"),
        ("-0.0", "-0.0"),
        ("1e308", "1e308"),
    ]);
}

#[test]
fn negation_folds_only_into_int_and_double_literals() {
    check(&[
        ("-1", "-1"),
        ("- 1", "-1"),
        ("-1.5", "-1.5"),
        ("--1", "(- -1)"),
        ("---1", "(- (- -1))"),
        ("-(1)", "(- 1)"),
        ("-1u", "(- 1u)"),
        ("-x", "(- x)"),
        ("1 - -1", "(- 1 -1)"),
        ("1--1", "(- 1 -1)"),
        ("-1 - 1", "(- -1 1)"),
        // Member selection binds tighter than negation.
        ("-2.abs()", "(- (method abs 2))"),
        ("-1[0]", "(- ([] 1 0))"),
    ]);
    // The conformance "unary_neg" repeat test: 32 minus signs.
    let expr = parse_ok(&format!("{}19", "-".repeat(32)));
    let want = format!("{}-19{}", "(- ".repeat(31), ")".repeat(31));
    assert_eq!(super::sexpr(&expr), want);
}

#[test]
fn bool_and_null() {
    check(&[("true", "true"), ("false", "false"), ("null", "null")]);
}

/// Parses each source as a string literal and compares its value.
fn check_strings(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        match parse_ok(src).kind {
            ExprKind::String(got) if got == *want => {}
            other => failures.push(format!("{src:?}: want {want:?}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Parses each source as a bytes literal and compares its value.
fn check_bytes(cases: &[(&str, &[u8])]) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        match parse_ok(src).kind {
            ExprKind::Bytes(got) if got == *want => {}
            other => failures.push(format!("{src:?}: want {want:?}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// `body` in each of the four quote forms.
fn quoted(prefix: &str, body: &str) -> [String; 4] {
    [
        format!("{prefix}'{body}'"),
        format!("{prefix}\"{body}\""),
        format!("{prefix}'''{body}'''"),
        format!("{prefix}\"\"\"{body}\"\"\""),
    ]
}

#[test]
fn string_quote_forms() {
    check_strings(&[
        ("''", ""),
        ("\"\"", ""),
        ("''''''", ""),
        ("\"\"\"\"\"\"", ""),
        ("'hello'", "hello"),
        ("\"hello\"", "hello"),
        ("'''hello'''", "hello"),
        ("\"\"\"hello\"\"\"", "hello"),
        ("'\"\"'", "\"\""),
        ("\"''\"", "''"),
        ("'''x''x'''", "x''x"),
        ("\"\"\"x\"\"x\"\"\"", "x\"\"x"),
        ("'''a\nb'''", "a\nb"),
        ("\"\"\"a\n\nb\"\"\"", "a\n\nb"),
        ("'''\\''''", "'"),
        ("'ÿ πέντε 🐱'", "ÿ πέντε 🐱"),
        ("'\u{88888}'", "\u{88888}"),
    ]);
}

#[test]
fn string_escapes() {
    let mut cases: Vec<(String, &str)> = Vec::new();
    let bodies: [(&str, &str); 13] = [
        (r#" \\ \? \" \' \` "#, " \\ ? \" ' ` "),
        (r" \a \b \f \t \v ", " \x07 \x08 \x0C \t \x0B "),
        (r" \n ", " \n "),
        (r" \r ", " \r "),
        (r" \r\n ", " \r\n "),
        (
            r" \x01 \x02 \x03 \x04 \x05 \x06 \x07 \x08 \x09 \x0B \x0C \x0E \x0F \x10 \x11 \x12 \x13 \x14 \x15 \x16 \x17 \x18 \x19 \x1A \x1B \x1C \x1D \x1E \x1f \x7F ",
            " \x01 \x02 \x03 \x04 \x05 \x06 \x07 \x08 \x09 \x0B \x0C \x0E \x0F \x10 \x11 \x12 \x13 \x14 \x15 \x16 \x17 \x18 \x19 \x1A \x1B \x1C \x1D \x1E \x1f \x7F ",
        ),
        (r" \000 \012 \177 ", " \x00 \x0A \x7F "),
        (r" \x00 \x0A \x7F ", " \x00 \x0A \x7F "),
        (r" \X00 \X0A \X7F ", " \x00 \x0A \x7F "),
        (r" \u0000 \u000A \u007F \u0100 \uFFFB ", " \x00 \x0A \x7F \u{100} \u{FFFB} "),
        (
            r" \U00000000 \U0000000A \U0000007F \U00000100 \U0000FFFB \U00010000 \U0001F62C ",
            " \x00 \x0A \x7F \u{100} \u{FFFB} \u{10000} \u{1F62C} ",
        ),
        (r" \x4a \x4B \X4c \X4D \u01aB \U000001aB ", " \x4a \x4B \x4c \x4D \u{1aB} \u{1aB} "),
        (r" \U00088888 ", " \u{88888} "),
    ];
    for (body, want) in bodies {
        for src in quoted("", body) {
            cases.push((src, want));
        }
    }
    // Code points, not bytes: `\303\277` is two characters, `\377` and `\xFF` are `ÿ`.
    cases.push((r"'\303\277'".to_owned(), "\u{C3}\u{BF}"));
    cases.push((r"'\377'".to_owned(), "ÿ"));
    cases.push((r"'\xFF'".to_owned(), "ÿ"));
    cases.push((r#""\u270c""#.to_owned(), "\u{270c}"));
    cases.push((r#""\U0001f431""#.to_owned(), "\u{1f431}"));
    cases.push((r#""\a\b\f\n\r\t\v\"\'\\""#.to_owned(), "\x07\x08\x0C\n\r\t\x0B\"'\\"));
    cases.push((r"'\''".to_owned(), "'"));
    let cases: Vec<(&str, &str)> = cases.iter().map(|(s, w)| (s.as_str(), *w)).collect();
    check_strings(&cases);
}

#[test]
fn unescaped_control_characters_are_kept() {
    let body = " \x07 \x08 \x0C \t \x0B \x01 \x1F \x7F ";
    let cases: Vec<String> = quoted("", body).into();
    let cases: Vec<(&str, &str)> = cases.iter().map(|s| (s.as_str(), body)).collect();
    check_strings(&cases);
}

#[test]
fn raw_strings_keep_backslashes() {
    let single = r#" \\ \? \" \` \a \b \f \t \v \n \r \000 \x00 \X00 \u0000 \U00000000 "#;
    let double = r" \\ \? \' \` \a \b \f \t \v \n \r \000 \x00 \X00 \u0000 \U00000000 ";
    let triple = r#" \\ \? \" \' \` \a \b \f \t \v \n \r \000 \x00 \X00 \u0000 \U00000000 "#;
    let mut cases = Vec::new();
    for prefix in ["r", "R"] {
        cases.push((format!("{prefix}'{single}'"), single));
        cases.push((format!("{prefix}\"{double}\""), double));
        cases.push((format!("{prefix}'''{triple}'''"), triple));
        cases.push((format!("{prefix}\"\"\"{triple}\"\"\""), triple));
    }
    cases.push((r#"r"\\""#.to_owned(), r"\\"));
    cases.push((r"r'\'".to_owned(), "\\"));
    cases.push(("r''''''".to_owned(), ""));
    cases.push(("r\"\"\"\"\"\"".to_owned(), ""));
    cases.push(("r''".to_owned(), ""));
    cases.push((r"r'''a\'''".to_owned(), "a\\"));
    let cases: Vec<(&str, &str)> = cases.iter().map(|(s, w)| (s.as_str(), *w)).collect();
    check_strings(&cases);
}

#[test]
fn bytes_literals() {
    check_bytes(&[
        ("b''", b""),
        ("b\"\"", b""),
        ("b'hello'", b"hello"),
        ("B\"hello\"", b"hello"),
        ("b'''hello'''", b"hello"),
        ("b\"\"\"hello\"\"\"", b"hello"),
        ("b'abc'", &[97, 98, 99]),
        ("b'ÿ'", &[0xC3, 0xBF]),
        (r"b'\303\277'", &[0xC3, 0xBF]),
        (r"b'\377'", &[0xFF]),
        (r"b'\xFF'", &[0xFF]),
        (r"b'\000\xff'", &[0, 0xFF]),
        (r"b' \000 \012 \177 \377 '", b" \x00 \x0A \x7F \xFF "),
        (r"b' \x00 \x0A \x7F \xFF '", b" \x00 \x0A \x7F \xFF "),
        (r"b' \X00 \X0A \X7F \XFF '", b" \x00 \x0A \x7F \xFF "),
        (r"B' \x4a \x4B \X4c \X4D '", b" \x4a \x4B \x4c \x4D "),
        (r#"b' \\ \? \" \' \` '"#, b" \\ ? \" ' ` "),
        (r"b''' \a \b \f \t \v '''", b" \x07 \x08 \x0C \t \x0B "),
        (r#"b""" \n \r \r\n """"#, b" \n \r \r\n "),
        ("b''' \n '''", b" \n "),
        (r"br' \\ \? \a \000 \x00 \u0000 '", br" \\ \? \a \000 \x00 \u0000 "),
        (r#"bR" \\ \' \n ""#, br" \\ \' \n "),
        (r"Br''' \\ \' '''", br" \\ \' "),
        (r#"BR""" \U00000000 """"#, br" \U00000000 "),
    ]);
}

#[test]
fn string_spans_include_prefix_and_quotes() {
    for (src, len) in [("'x'", 3), ("b'x'", 4), ("br'x'", 5), ("'''x'''", 7), ("R\"\"\"x\"\"\"", 8)] {
        let expr = parse_ok(src);
        assert_eq!((expr.span.start, expr.span.end), (0, len), "{src}");
    }
}
