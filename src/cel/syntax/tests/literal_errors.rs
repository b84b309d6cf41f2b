//! Errors in literals: unterminated strings, bad escapes, malformed and out-of-range numbers,
//! with message, help and span asserted together.

use super::{ESCAPE_HELP, check_errors};
use crate::diagnostic::DiagnosticKind::{InvalidEscape, InvalidNumber, UnterminatedString};

const BYTES_UNICODE_HELP: Option<&str> =
    Some(r"`\u` and `\U` escapes are for strings; in bytes write each byte as `\xHH`");
const INT_RANGE: Option<&str> = Some("ints range from `-9223372036854775808` to `9223372036854775807`");

#[test]
fn unterminated_literals() {
    let line_help = "add the closing `'` before the end of the line; a literal that spans lines needs triple quotes `'''`";
    check_errors(&[
        ("'abc", &[(UnterminatedString, "unterminated string literal", Some("add the closing `'`"), (0, 4))]),
        (
            "b\"abc",
            &[(UnterminatedString, "unterminated bytes literal", Some("add the closing `\"`"), (0, 5))],
        ),
        (
            "'''abc''",
            &[(UnterminatedString, "unterminated string literal", Some("add the closing `'''`"), (0, 8))],
        ),
        (
            "r'abc",
            &[(UnterminatedString, "unterminated string literal", Some("add the closing `'`"), (0, 5))],
        ),
        (
            "'abc\\",
            &[(UnterminatedString, "unterminated string literal", Some("add the closing `'`"), (0, 5))],
        ),
        ("'abc\n + 1", &[(UnterminatedString, "unterminated string literal", Some(line_help), (0, 4))]),
        ("'abc\r\n + 1", &[(UnterminatedString, "unterminated string literal", Some(line_help), (0, 4))]),
        ("'a\\\n + 1", &[(UnterminatedString, "unterminated string literal", Some(line_help), (0, 3))]),
    ]);
}

#[test]
fn invalid_escapes() {
    check_errors(&[
        ("'ab\\qc'", &[(InvalidEscape, r"invalid escape sequence `\q`", ESCAPE_HELP, (3, 5))]),
        ("'\\d+'", &[(InvalidEscape, r"invalid escape sequence `\d`", ESCAPE_HELP, (1, 3))]),
        // langdef: `\u` and `\U` are "valid only for string literals".
        ("b'\\u00ff'", &[(InvalidEscape, r"invalid escape sequence `\u00ff`", BYTES_UNICODE_HELP, (2, 8))]),
        (
            "b'a\\U0001F431'",
            &[(InvalidEscape, r"invalid escape sequence `\U0001F431`", BYTES_UNICODE_HELP, (3, 13))],
        ),
        ("b'\\é'", &[(InvalidEscape, r"invalid escape sequence `\é`", ESCAPE_HELP, (2, 5))]),
        (
            "'\\\x01'",
            &[(InvalidEscape, r"invalid escape sequence: `\` followed by `\u{1}`", ESCAPE_HELP, (1, 3))],
        ),
        (
            "'\\x4'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\x4`",
                Some(r"`\x` must be followed by 2 hexadecimal digits"),
                (1, 4),
            )],
        ),
        (
            "'\\xg0'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\x`",
                Some(r"`\x` must be followed by 2 hexadecimal digits"),
                (1, 3),
            )],
        ),
        (
            "'\\u12'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\u12`",
                Some(r"`\u` must be followed by 4 hexadecimal digits"),
                (1, 5),
            )],
        ),
        (
            "'\\u{1F600}'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\u`",
                Some(r"`\u` must be followed by 4 hexadecimal digits"),
                (1, 3),
            )],
        ),
        (
            "'\\U0001F60'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\U0001F60`",
                Some(r"`\U` must be followed by 8 hexadecimal digits"),
                (1, 10),
            )],
        ),
        (
            "'\\0'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\0`",
                Some(r"an octal escape has three digits, from `\000` to `\377`"),
                (1, 3),
            )],
        ),
        (
            "'\\01'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\01`",
                Some(r"an octal escape has three digits, from `\000` to `\377`"),
                (1, 4),
            )],
        ),
        (
            "'\\400'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\400`",
                Some(r"octal escapes go from `\000` to `\377`"),
                (1, 5),
            )],
        ),
        ("b'\\8'", &[(InvalidEscape, r"invalid escape sequence `\8`", ESCAPE_HELP, (2, 4))]),
        (
            "'\\uD800'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\uD800`",
                Some(
                    r"surrogate code points are not characters; use `\U` with the code point of the character",
                ),
                (1, 7),
            )],
        ),
        (
            "'\\uDFFF'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\uDFFF`",
                Some(
                    r"surrogate code points are not characters; use `\U` with the code point of the character",
                ),
                (1, 7),
            )],
        ),
        (
            "\"\\uD83D\\uDE00\"",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\uD83D\uDE00`",
                Some(r"surrogate pairs are not allowed; write the code point as `\U0001F600`"),
                (1, 13),
            )],
        ),
        (
            "'\\U00110000'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\U00110000`",
                Some(r"code points go up to `\U0010FFFF`"),
                (1, 11),
            )],
        ),
        (
            "'\\U0000D800'",
            &[(
                InvalidEscape,
                r"invalid escape sequence `\U0000D800`",
                Some(
                    r"surrogate code points are not characters; use `\U` with the code point of the character",
                ),
                (1, 11),
            )],
        ),
        (
            "'''a\\\nb'''",
            &[(
                InvalidEscape,
                r"invalid escape sequence: `\` at the end of a line",
                Some(r"CEL has no line continuations; write `\n` for a line break"),
                (4, 5),
            )],
        ),
        (
            "'\\q\\w'",
            &[
                (InvalidEscape, r"invalid escape sequence `\q`", ESCAPE_HELP, (1, 3)),
                (InvalidEscape, r"invalid escape sequence `\w`", ESCAPE_HELP, (3, 5)),
            ],
        ),
    ]);
}

#[test]
fn invalid_numbers() {
    let uint_help = Some("uints go up to `18446744073709551615u`");
    check_errors(&[
        (
            "9223372036854775808",
            &[(
                InvalidNumber,
                "integer literal `9223372036854775808` is out of range for int",
                Some("use a uint literal: `9223372036854775808u`"),
                (0, 19),
            )],
        ),
        (
            "-9223372036854775809",
            &[(
                InvalidNumber,
                "integer literal `-9223372036854775809` is out of range for int",
                INT_RANGE,
                (0, 20),
            )],
        ),
        (
            "18446744073709551616",
            &[(
                InvalidNumber,
                "integer literal `18446744073709551616` is out of range for int",
                INT_RANGE,
                (0, 20),
            )],
        ),
        (
            "-(9223372036854775808)",
            &[(
                InvalidNumber,
                "integer literal `9223372036854775808` is out of range for int",
                Some("use a uint literal: `9223372036854775808u`"),
                (2, 21),
            )],
        ),
        (
            "0x8000000000000000",
            &[(
                InvalidNumber,
                "integer literal `0x8000000000000000` is out of range for int",
                Some("use a uint literal: `0x8000000000000000u`"),
                (0, 18),
            )],
        ),
        (
            "-0x8000000000000001",
            &[(
                InvalidNumber,
                "integer literal `-0x8000000000000001` is out of range for int",
                INT_RANGE,
                (0, 19),
            )],
        ),
        (
            "18446744073709551616u",
            &[(
                InvalidNumber,
                "integer literal `18446744073709551616u` is out of range for uint",
                uint_help,
                (0, 21),
            )],
        ),
        (
            "0x10000000000000000u",
            &[(
                InvalidNumber,
                "integer literal `0x10000000000000000u` is out of range for uint",
                uint_help,
                (0, 20),
            )],
        ),
        (
            "1e400",
            &[(
                InvalidNumber,
                "double literal `1e400` is out of range",
                Some("doubles go up to about `1.8e308`"),
                (0, 5),
            )],
        ),
        (
            "1.5u",
            &[(
                InvalidNumber,
                "invalid number literal `1.5u`",
                Some("only integer literals can have a `u` suffix"),
                (0, 4),
            )],
        ),
        (
            "0x",
            &[(
                InvalidNumber,
                "invalid number literal `0x`",
                Some(
                    "write a hex literal as `0x` followed by hex digits, like `0x1F`, optionally with a `u` suffix",
                ),
                (0, 2),
            )],
        ),
        (
            "0xfg",
            &[(
                InvalidNumber,
                "invalid number literal `0xfg`",
                Some(
                    "write a hex literal as `0x` followed by hex digits, like `0x1F`, optionally with a `u` suffix",
                ),
                (0, 4),
            )],
        ),
        (
            "0X1F",
            &[(
                InvalidNumber,
                "invalid number literal `0X1F`",
                Some("hex literals start with a lowercase `0x`, as in `0x1F`"),
                (0, 4),
            )],
        ),
        (
            "12ab + 1",
            &[(
                InvalidNumber,
                "invalid number literal `12ab`",
                Some("a number cannot be followed directly by letters or `_`"),
                (0, 4),
            )],
        ),
        (
            "1e",
            &[(
                InvalidNumber,
                "invalid number literal `1e`",
                Some("an exponent needs digits, as in `1e3`"),
                (0, 2),
            )],
        ),
        (
            "1uu",
            &[(
                InvalidNumber,
                "invalid number literal `1uu`",
                Some("a number cannot be followed directly by letters or `_`"),
                (0, 3),
            )],
        ),
    ]);
}
