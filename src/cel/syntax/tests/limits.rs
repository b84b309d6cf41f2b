//! The nesting depth limit ([`Limits::max_expr_depth`](crate::Limits::max_expr_depth)): deep inputs of
//! every shape give one clean error, never a stack overflow. These run in debug builds on test threads,
//! whose stacks are small.
//!
//! The inputs are larger than the default `max_expr_bytes`, which is lifted so that the parser
//! itself meets them.

use super::{ESCAPE_HELP, check_errors_with, parse_ok, sexpr};
use crate::Limits;
use crate::cel::syntax::{ExprKind, parse};
use crate::diagnostic::DiagnosticKind::{InvalidEscape, LimitExceeded};

const HELP: Option<&str> = Some("reduce the nesting, or raise the `max_expr_depth` limit");
const DEPTH_65: &str = "limit exceeded: expression nesting depth 65 > 64";
const N: usize = 100_000;

/// Default limits, except for the size of the source.
fn unbounded_size() -> Limits {
    Limits { max_expr_bytes: usize::MAX, ..Limits::default() }
}

/// Checks that `src` fails with exactly the depth-limit error at `span`.
fn limit_at(src: &str, span: (u32, u32)) {
    check_errors_with(&unbounded_size(), &[(src, &[(LimitExceeded, DEPTH_65, HELP, span)])]);
}

/// Parses `src` with [`unbounded_size`] limits.
fn parse_big(src: &str) -> crate::cel::syntax::Expr {
    parse(src, &unbounded_size()).unwrap()
}

#[test]
fn default_size_limit_rejects_huge_inputs_first() {
    let src = format!("{}1{}", "(".repeat(N), ")".repeat(N));
    let diags = parse(&src, &Limits::default()).unwrap_err();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message(), "limit exceeded: expression size 200001 bytes > 65536");
}

#[test]
fn deep_parentheses() {
    limit_at(&format!("{}1{}", "(".repeat(N), ")".repeat(N)), (64, 65));
    // Parentheses count: 63 around a literal is 64 levels, 64 is one too many.
    parse_ok(&format!("{}1{}", "(".repeat(63), ")".repeat(63)));
    limit_at(&format!("{}1{}", "(".repeat(64), ")".repeat(64)), (64, 65));
}

#[test]
fn deep_unary_operators() {
    limit_at(&format!("{}true", "!".repeat(N)), (63, 64));
    limit_at(&format!("{}1", "-".repeat(N)), (63, 64));
    limit_at(&format!("{}x", "-!".repeat(N)), (63, 64));
    parse_ok(&format!("{}x", "!".repeat(63)));
    limit_at(&format!("{}x", "!".repeat(64)), (63, 64));
    // The last `-` folds into the literal, so 64 of them before a number still fit.
    parse_ok(&format!("{}1", "-".repeat(64)));
}

#[test]
fn deep_lists_maps_and_indexes() {
    limit_at(&"[".repeat(N), (64, 65));
    limit_at(&format!("{}1{}", "[".repeat(N), "]".repeat(N)), (64, 65));
    limit_at(&"{1: ".repeat(N), (253, 254));
    limit_at(&"a[".repeat(N), (128, 129));
    limit_at(&"f(".repeat(N), (128, 129));
    limit_at(&"M{f: ".repeat(N), (320, 321));
}

#[test]
fn long_operator_chains() {
    let chain = |op: &str| format!("1{}", format!("{op}1").repeat(N));
    limit_at(&chain("+"), (127, 128));
    limit_at(&chain("*"), (127, 128));
    limit_at(&chain("=="), (190, 192));
    limit_at(&chain(" in "), (317, 319));
    limit_at(&format!("a{}", ".b".repeat(N)), (127, 128));
    limit_at(&format!("a{}", "[0]".repeat(N)), (190, 191));
    limit_at(&format!("a{}", ".f()".repeat(N)), (253, 254));
    limit_at(&format!("{}c", "a ? b : ".repeat(N)), (508, 509));
    limit_at(&format!("{}c", "a ? (b) : ".repeat(N)), (625, 626));
    // 64 terms make a tree 64 levels high; 65 terms do not fit.
    parse_ok(&format!("1{}", "+1".repeat(63)));
    limit_at(&format!("1{}", "+1".repeat(64)), (127, 128));
}

#[test]
fn and_or_chains_are_flat() {
    let and = format!("a{}", " && a".repeat(N));
    let ExprKind::And(items) = parse_big(&and).kind else { panic!() };
    assert_eq!(items.len(), N + 1);
    let or = format!("a{}", " || a".repeat(N));
    let ExprKind::Or(items) = parse_big(&or).kind else { panic!() };
    assert_eq!(items.len(), N + 1);
}

#[test]
fn nesting_is_the_height_of_the_tree() {
    let limits = Limits { max_expr_depth: 3, ..Limits::default() };
    for ok in [
        "a + b * c",
        "(a + b)",
        "[[1]]",
        "f(g(x))",
        "a.b.c",
        "x.all(y, y > 1)",
        "x.all(y, y.all(z, z))",
        "--1",
        "!!a",
        "a && b && c && (d)",
        "a ? b : c ? d : e",
        "{1: {2: 3}}",
        "M{f: [1]}",
    ] {
        assert!(parse(ok, &limits).is_ok(), "{ok}");
    }
    let depth_4 = "limit exceeded: expression nesting depth 4 > 3";
    check_errors_with(
        &limits,
        &[
            ("((a + b))", &[(LimitExceeded, depth_4, HELP, (6, 7))]),
            ("a + (b * c)", &[(LimitExceeded, depth_4, HELP, (9, 10))]),
            ("[[[1]]]", &[(LimitExceeded, depth_4, HELP, (3, 4))]),
            ("f(g(h(x)))", &[(LimitExceeded, depth_4, HELP, (6, 7))]),
            ("a.b.c.d", &[(LimitExceeded, depth_4, HELP, (5, 6))]),
            ("a + b + c + d", &[(LimitExceeded, depth_4, HELP, (10, 11))]),
            ("!!!a", &[(LimitExceeded, depth_4, HELP, (2, 3))]),
            ("a && (b || (c))", &[(LimitExceeded, depth_4, HELP, (11, 12))]),
            ("(a + b) && c", &[(LimitExceeded, depth_4, HELP, (8, 10))]),
            ("a ? b : c ? d : e ? f : g", &[(LimitExceeded, depth_4, HELP, (20, 21))]),
            ("x.all(y, y.all(z, z + 1))", &[(LimitExceeded, depth_4, HELP, (22, 23))]),
        ],
    );
}

#[test]
fn parsing_stops_at_the_limit() {
    // Problems after the limit are not reported; problems before it are.
    let deep = format!("{}1{}", "(".repeat(N), ")".repeat(N));
    limit_at(&format!("{deep} + 'unterminated"), (64, 65));
    check_errors_with(
        &unbounded_size(),
        &[(
            &format!("'x\\q' + {deep}"),
            &[
                (InvalidEscape, r"invalid escape sequence `\q`", ESCAPE_HELP, (2, 4)),
                (LimitExceeded, DEPTH_65, HELP, (71, 72)),
            ],
        )],
    );
    check_errors_with(
        &unbounded_size(),
        &[(&format!("'x' + {deep}"), &[(LimitExceeded, DEPTH_65, HELP, (69, 70))])],
    );
}

#[test]
fn depth_within_the_limit_parses() {
    let src = format!("{}x{}", "f(".repeat(63), ")".repeat(63));
    let expr = parse_ok(&src);
    assert!(sexpr(&expr).starts_with("(call f (call f"));
}
