//! Syntax errors other than in literals, with message, help and span asserted together;
//! recovery and several errors from one input.

use super::{ESCAPE_HELP, check_errors, check_errors_with};
use crate::Limits;
use crate::diagnostic::DiagnosticKind::{
    InvalidEscape, InvalidMacro, InvalidNumber, LimitExceeded, ReservedWord, UnexpectedCharacter,
    UnexpectedToken, Unsupported, UnterminatedString,
};

const HAS_HELP: Option<&str> = Some("write `has(x.field)` to test whether `x` has `field`");
const OPERATOR: &str = "an operator or the end of the expression";

#[test]
fn unexpected_tokens() {
    check_errors(&[
        (
            "",
            &[(UnexpectedToken, "empty expression", Some("write a CEL expression, such as `true`"), (0, 0))],
        ),
        (
            " // only a comment",
            &[(
                UnexpectedToken,
                "empty expression",
                Some("write a CEL expression, such as `true`"),
                (18, 18),
            )],
        ),
        ("1 + )", &[(UnexpectedToken, "unexpected token `)`, expected an expression", None, (4, 5))]),
        ("1 +", &[(UnexpectedToken, "unexpected end of input, expected an expression", None, (3, 3))]),
        ("* 2", &[(UnexpectedToken, "unexpected token `*`, expected an expression", None, (0, 1))]),
        ("(1", &[(UnexpectedToken, "unexpected end of input, expected `)`", None, (2, 2))]),
        ("(1 2)", &[(UnexpectedToken, "unexpected number `2`, expected `)`", None, (3, 4))]),
        ("[1, 2", &[(UnexpectedToken, "unexpected end of input, expected `,` or `]`", None, (5, 5))]),
        ("{1: 2", &[(UnexpectedToken, "unexpected end of input, expected `,` or `}`", None, (5, 5))]),
        ("a[1", &[(UnexpectedToken, "unexpected end of input, expected `]`", None, (3, 3))]),
        ("x.f(", &[(UnexpectedToken, "unexpected end of input, expected an expression", None, (4, 4))]),
        (
            "f(1,)",
            &[(
                UnexpectedToken,
                "unexpected token `)`, expected an expression",
                Some("remove the trailing `,`"),
                (4, 5),
            )],
        ),
        (
            "{a}",
            &[(
                UnexpectedToken,
                "unexpected token `}`, expected `:`",
                Some("map entries are written `key: value`"),
                (2, 3),
            )],
        ),
        ("M{1: 2}", &[(UnexpectedToken, "unexpected number `1`, expected a field name", None, (2, 3))]),
        (
            "M{f = 2}",
            &[
                (UnexpectedCharacter, "unexpected `=`", Some("use `==` to compare"), (4, 5)),
                (
                    UnexpectedToken,
                    "unexpected token `=`, expected `:`",
                    Some("fields are initialized as `field: value`"),
                    (4, 5),
                ),
            ],
        ),
        (
            "a ? b",
            &[(
                UnexpectedToken,
                "unexpected end of input, expected `:`",
                Some("a conditional is written `condition ? value : other`"),
                (5, 5),
            )],
        ),
        (
            "a b",
            &[(UnexpectedToken, &format!("unexpected identifier `b`, expected {OPERATOR}"), None, (2, 3))],
        ),
        (
            "a and b",
            &[(
                UnexpectedToken,
                &format!("unexpected identifier `and`, expected {OPERATOR}"),
                Some("use `&&` for logical and"),
                (2, 5),
            )],
        ),
        (
            "(a or b)",
            &[(
                UnexpectedToken,
                "unexpected identifier `or`, expected `)`",
                Some("use `||` for logical or"),
                (3, 5),
            )],
        ),
        (
            "a.true",
            &[(
                UnexpectedToken,
                "unexpected keyword `true`, expected a field name",
                Some("`true` is a keyword; select the key with an index instead, as in `x['true']`"),
                (2, 6),
            )],
        ),
        (
            "a.in || b",
            &[(
                UnexpectedToken,
                "unexpected keyword `in`, expected a field name",
                Some("`in` is a keyword; select the key with an index instead, as in `x['in']`"),
                (2, 4),
            )],
        ),
        ("a.'b'", &[(UnexpectedToken, "unexpected string literal, expected a field name", None, (2, 5))]),
        (". 1", &[(UnexpectedToken, "unexpected number `1`, expected a name after `.`", None, (2, 3))]),
        (
            "1.",
            &[(
                UnexpectedToken,
                "unexpected end of input, expected a field name",
                Some("a double needs digits after the point, as in `1.0`"),
                (2, 2),
            )],
        ),
        (
            "1. + 2",
            &[(
                UnexpectedToken,
                "unexpected token `+`, expected a field name",
                Some("a double needs digits after the point, as in `1.0`"),
                (3, 4),
            )],
        ),
        ("a.1", &[(UnexpectedToken, &format!("unexpected number `.1`, expected {OPERATOR}"), None, (1, 3))]),
        (
            "f'x'",
            &[(
                UnexpectedToken,
                &format!("unexpected string literal, expected {OPERATOR}"),
                Some("a quote cannot follow a name; the only string prefixes are `r`, `b` and `br`"),
                (1, 4),
            )],
        ),
        (
            "x in in",
            &[
                (UnexpectedToken, "unexpected keyword `in`, expected an expression", None, (5, 7)),
                (UnexpectedToken, "unexpected end of input, expected an expression", None, (7, 7)),
            ],
        ),
    ]);
}

#[test]
fn unexpected_characters() {
    check_errors(&[
        ("a = b", &[(UnexpectedCharacter, "unexpected `=`", Some("use `==` to compare"), (2, 3))]),
        ("a & b", &[(UnexpectedCharacter, "unexpected `&`", Some("use `&&` for logical and"), (2, 3))]),
        ("a | b", &[(UnexpectedCharacter, "unexpected `|`", Some("use `||` for logical or"), (2, 3))]),
        (
            "a;",
            &[(
                UnexpectedCharacter,
                "unexpected character `;`",
                Some("a CEL expression is a single expression, without `;`"),
                (1, 2),
            )],
        ),
        (
            "é",
            &[(
                UnexpectedCharacter,
                "unexpected character `é`",
                Some("identifiers may contain only ASCII letters, digits and `_`"),
                (0, 2),
            )],
        ),
        (
            "changé == 1",
            &[(
                UnexpectedCharacter,
                "unexpected character `é`",
                Some("identifiers may contain only ASCII letters, digits and `_`"),
                (5, 7),
            )],
        ),
        (
            "a #$ b",
            &[
                (UnexpectedCharacter, "unexpected characters `#$`", None, (2, 4)),
                (UnexpectedToken, &format!("unexpected identifier `b`, expected {OPERATOR}"), None, (5, 6)),
            ],
        ),
        (
            "\u{201c}x\u{201d}",
            &[
                (
                    UnexpectedCharacter,
                    "unexpected character `\u{201c}`",
                    Some("use straight quotes `\"` or `'` around strings"),
                    (0, 3),
                ),
                (
                    UnexpectedCharacter,
                    "unexpected character `\u{201d}`",
                    Some("use straight quotes `\"` or `'` around strings"),
                    (4, 7),
                ),
            ],
        ),
        (
            "a\x0bb",
            &[
                (
                    UnexpectedCharacter,
                    "unexpected character `\\u{b}`",
                    Some("only spaces, tabs, line breaks and form feeds may separate tokens"),
                    (1, 2),
                ),
                (UnexpectedToken, &format!("unexpected identifier `b`, expected {OPERATOR}"), None, (2, 3)),
            ],
        ),
        (
            "`x`",
            &[
                (
                    UnexpectedCharacter,
                    "unexpected character `` ` ``",
                    Some("use `\"` or `'` around strings"),
                    (0, 1),
                ),
                (
                    UnexpectedCharacter,
                    "unexpected character `` ` ``",
                    Some("use `\"` or `'` around strings"),
                    (2, 3),
                ),
            ],
        ),
        (
            "rb'x'",
            &[(
                UnexpectedToken,
                "invalid string prefix `rb`",
                Some("write raw bytes literals with the `b` first, as in `br'…'`"),
                (0, 2),
            )],
        ),
    ]);
}

#[test]
fn reserved_words() {
    check_errors(&[
        (
            "if",
            &[(
                ReservedWord,
                "reserved word `if` cannot be used as an identifier",
                Some("CEL has no `if`; write a conditional as `condition ? value : other`"),
                (0, 2),
            )],
        ),
        (
            "x + var",
            &[(
                ReservedWord,
                "reserved word `var` cannot be used as an identifier",
                Some("`var` is reserved in CEL; it can only be a field name, as in `x.var`"),
                (4, 7),
            )],
        ),
        (
            ".let",
            &[(
                ReservedWord,
                "reserved word `let` cannot be used as an identifier",
                Some("`let` is reserved in CEL; it can only be a field name, as in `x.let`"),
                (1, 4),
            )],
        ),
        (
            "return(1)",
            &[(
                ReservedWord,
                "reserved word `return` cannot be used as an identifier",
                Some("`return` is reserved in CEL; it can only be a field name, as in `x.return`"),
                (0, 6),
            )],
        ),
        (
            "x.all(for, true)",
            &[(
                ReservedWord,
                "reserved word `for` cannot be used as an identifier",
                Some("`for` is reserved in CEL; it can only be a field name, as in `x.for`"),
                (6, 9),
            )],
        ),
    ]);
    for word in [
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "namespace",
        "package",
        "return",
        "var",
        "void",
        "while",
    ] {
        let diags = crate::cel::syntax::parse(word, &Limits::default()).unwrap_err();
        assert_eq!(diags.len(), 1, "{word}");
        assert_eq!(diags[0].kind(), ReservedWord, "{word}");
        crate::cel::syntax::parse(&format!("a.{word} || a.{word}() || M{{{word}: 1}}"), &Limits::default())
            .unwrap();
    }
}

#[test]
fn invalid_macros() {
    let var_help = Some("write it as `list.all(x, …)`, where `x` names each element");
    check_errors(&[
        ("has(a)", &[(InvalidMacro, "the argument of `has` must be a field selection", HAS_HELP, (4, 5))]),
        (
            "has(a.b())",
            &[(InvalidMacro, "the argument of `has` must be a field selection", HAS_HELP, (4, 9))],
        ),
        ("has(a[0])", &[(InvalidMacro, "the argument of `has` must be a field selection", HAS_HELP, (4, 8))]),
        ("has()", &[(InvalidMacro, "`has` takes exactly one argument, found 0", HAS_HELP, (0, 5))]),
        ("has(a.b, c)", &[(InvalidMacro, "`has` takes exactly one argument, found 2", HAS_HELP, (0, 11))]),
        (
            "x.all(1, p)",
            &[(InvalidMacro, "the iteration variable of `all` must be a simple name", var_help, (6, 7))],
        ),
        (
            "x.all(y.z, p)",
            &[(InvalidMacro, "the iteration variable of `all` must be a simple name", var_help, (6, 9))],
        ),
        (
            "x.map(.y, t)",
            &[(
                InvalidMacro,
                "the iteration variable of `map` must be a simple name",
                Some("write it as `list.map(x, …)`, where `x` names each element"),
                (6, 8),
            )],
        ),
        (
            "x.transformMap(k.a, v, t)",
            &[(
                InvalidMacro,
                "the iteration variable of `transformMap` must be a simple name",
                Some("write it as `list.transformMap(k, v, …)`, where `k, v` names each element"),
                (15, 18),
            )],
        ),
        (
            "x.all(k, k, p)",
            &[(
                InvalidMacro,
                "the two iteration variables of `all` are both named `k`",
                Some("give the index or key and the value different names"),
                (9, 10),
            )],
        ),
        (
            "x.exists(1, 2, p)",
            &[
                (
                    InvalidMacro,
                    "the iteration variable of `exists` must be a simple name",
                    Some("write it as `list.exists(k, v, …)`, where `k, v` names each element"),
                    (9, 10),
                ),
                (
                    InvalidMacro,
                    "the iteration variable of `exists` must be a simple name",
                    Some("write it as `list.exists(k, v, …)`, where `k, v` names each element"),
                    (12, 13),
                ),
            ],
        ),
    ]);
}

#[test]
fn optional_syntax() {
    super::check(&[
        ("a.?b", "(.? a b)"),
        ("a.?b.c", "(. (.? a b) c)"),
        ("a[?b]", "([?] a b)"),
        ("a.?b[?0].?c", "(.? ([?] (.? a b) 0) c)"),
        ("[?a, b, ?c]", "[?a b ?c]"),
        // The value of an optional entry carries the mark.
        ("{?a: 1, 'b': c}", r#"{a: ?1, "b": c}"#),
    ]);
    let field = Some("test for the field first, as in `has(x.field) ? x.field : other`");
    check_errors(&[
        ("a?.b", &[(Unsupported, "optional field selection `?.` is not supported", field, (1, 3))]),
        (
            "a.?b()",
            &[(
                Unsupported,
                "a method cannot be called with `.?`",
                Some("call it with `.`, or map the optional value with `optMap`"),
                (2, 4),
            )],
        ),
        (
            "M{?f: 1}",
            &[(
                Unsupported,
                "optional field initializers `?field:` are not supported",
                Some("set the field unconditionally"),
                (2, 3),
            )],
        ),
    ]);
    // With spaces, `c ? .x : y` is a conditional with an absolute name.
    super::check(&[("c ? .x : y", "(? c .x y)"), ("c ?.5 : 1", "(? c 0.5 1)")]);
}

#[test]
fn several_errors_are_reported_in_source_order() {
    let src = "a.all(1, p) && 'x\\q' && 9223372036854775808 && if && (b +)";
    check_errors(&[(
        src,
        &[
            (
                InvalidMacro,
                "the iteration variable of `all` must be a simple name",
                Some("write it as `list.all(x, …)`, where `x` names each element"),
                (6, 7),
            ),
            (InvalidEscape, r"invalid escape sequence `\q`", ESCAPE_HELP, (17, 19)),
            (
                InvalidNumber,
                "integer literal `9223372036854775808` is out of range for int",
                Some("use a uint literal: `9223372036854775808u`"),
                (24, 43),
            ),
            (
                ReservedWord,
                "reserved word `if` cannot be used as an identifier",
                Some("CEL has no `if`; write a conditional as `condition ? value : other`"),
                (47, 49),
            ),
            (UnexpectedToken, "unexpected token `)`, expected an expression", None, (57, 58)),
        ],
    )]);
}

#[test]
fn recovery_skips_to_the_next_element() {
    check_errors(&[
        (
            "f(1 2, 3 4)",
            &[
                (UnexpectedToken, "unexpected number `2`, expected `,` or `)`", None, (4, 5)),
                (UnexpectedToken, "unexpected number `4`, expected `,` or `)`", None, (9, 10)),
            ],
        ),
        (
            "[a b, (c d), e f]",
            &[
                (UnexpectedToken, "unexpected identifier `b`, expected `,` or `]`", None, (3, 4)),
                (UnexpectedToken, "unexpected identifier `d`, expected `)`", None, (9, 10)),
                (UnexpectedToken, "unexpected identifier `f`, expected `,` or `]`", None, (15, 16)),
            ],
        ),
        (
            "{1: 2 3, 4 5: 6, 7: if}",
            &[
                (UnexpectedToken, "unexpected number `3`, expected `,` or `}`", None, (6, 7)),
                (
                    UnexpectedToken,
                    "unexpected number `5`, expected `:`",
                    Some("map entries are written `key: value`"),
                    (11, 12),
                ),
                (
                    ReservedWord,
                    "reserved word `if` cannot be used as an identifier",
                    Some("CEL has no `if`; write a conditional as `condition ? value : other`"),
                    (20, 22),
                ),
            ],
        ),
        // A missing `]` is noticed at the `)` that closes the call around the list.
        (
            "f([1, 2) + 'x",
            &[
                (UnexpectedToken, "unexpected token `)`, expected `,` or `]`", None, (7, 8)),
                (UnterminatedString, "unterminated string literal", Some("add the closing `'`"), (11, 13)),
            ],
        ),
        (
            "a ) + b c",
            &[
                (UnexpectedToken, &format!("unexpected token `)`, expected {OPERATOR}"), None, (2, 3)),
                (UnexpectedToken, &format!("unexpected identifier `c`, expected {OPERATOR}"), None, (8, 9)),
            ],
        ),
        ("[,]", &[(UnexpectedToken, "unexpected token `,`, expected an expression", None, (1, 2))]),
        (
            "f(x, if, y.?z())",
            &[
                (
                    ReservedWord,
                    "reserved word `if` cannot be used as an identifier",
                    Some("CEL has no `if`; write a conditional as `condition ? value : other`"),
                    (5, 7),
                ),
                (
                    Unsupported,
                    "a method cannot be called with `.?`",
                    Some("call it with `.`, or map the optional value with `optMap`"),
                    (11, 13),
                ),
            ],
        ),
    ]);
}

#[test]
fn source_size_limit() {
    let limits = Limits { max_expr_bytes: 10, ..Limits::default() };
    check_errors_with(
        &limits,
        &[(
            "1 + 2 + 3 + 4",
            &[(
                LimitExceeded,
                "limit exceeded: expression size 13 bytes > 10",
                Some("shorten the expression, or raise the `max_expr_bytes` limit"),
                (10, 13),
            )],
        )],
    );
    crate::cel::syntax::parse("1 + 2 + 34", &limits).unwrap();
}
