//! Operators and precedence, member expressions, aggregates, macros, comments and spans.

use super::{check, parse_ok, sexpr};
use crate::cel::syntax::{BinaryOp, ExprKind};
use crate::diagnostic::Span;

#[test]
fn precedence_and_associativity() {
    check(&[
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b || c", "(|| (&& a b) c)"),
        ("a || b || c", "(|| a b c)"),
        ("a && b && c && d", "(&& a b c d)"),
        ("(a || b) || c", "(|| (|| a b) c)"),
        ("a || (b || c)", "(|| a (|| b c))"),
        ("a || b ? c : d", "(? (|| a b) c d)"),
        ("a ? b : c ? d : e", "(? a b (? c d e))"),
        ("a ? b || c : d && e", "(? a (|| b c) (&& d e))"),
        ("a && b == c", "(&& a (== b c))"),
        ("-a.b", "(- (. a b))"),
        ("!a == b", "(== (! a) b)"),
        ("!a.b()", "(! (method b a))"),
        ("!!a", "(! (! a))"),
        ("!-a", "(! (- a))"),
        ("a in b == c", "(== (in a b) c)"),
        ("a == b in c", "(in (== a b) c)"),
        ("a < b == c > d", "(> (== (< a b) c) d)"),
        ("a <= b != c >= d", "(>= (!= (<= a b) c) d)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 * 2 + 3", "(+ (* 1 2) 3)"),
        ("8 / 4 % 3 * 2", "(* (% (/ 8 4) 3) 2)"),
        ("a + b < c * d", "(< (+ a b) (* c d))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("-a * -b", "(* (- a) (- b))"),
        ("x in [1, 2] && !y", "(&& (in x [1 2]) (! y))"),
    ]);
}

#[test]
fn members_calls_and_identifiers() {
    check(&[
        ("x", "x"),
        ("_a1", "_a1"),
        ("int", "int"),
        (".x", ".x"),
        (".x.y", "(. .x y)"),
        ("a.b.c", "(. (. a b) c)"),
        ("a[0]", "([] a 0)"),
        ("a[0][b]", "([] ([] a 0) b)"),
        ("a['k'].b", "(. ([] a \"k\") b)"),
        ("f()", "(call f)"),
        ("f(1, 2)", "(call f 1 2)"),
        ("a.f()", "(method f a)"),
        ("a.b.f(1)", "(method f (. a b) 1)"),
        (".f(1)", "(call .f 1)"),
        ("a.b(c).d[e]", "([] (. (method b a c) d) e)"),
        ("f(a, b)[0].c", "(. ([] (call f a b) 0) c)"),
        ("'abc'.size()", "(method size \"abc\")"),
        ("1.foo", "(. 1 foo)"),
        ("[1][0]", "([] [1] 0)"),
        // Reserved words other than `true false null in` may follow a `.`.
        ("a.as", "(. a as)"),
        ("a.while.for", "(. (. a while) for)"),
        ("a.if() || true", "(|| (method if a) true)"),
        ("{'let': 1}.let", "(. {\"let\": 1} let)"),
    ]);
}

#[test]
fn lists_maps_and_messages() {
    check(&[
        ("[]", "[]"),
        ("[1]", "[1]"),
        ("[1, 2, 3]", "[1 2 3]"),
        ("[1, 2,]", "[1 2]"),
        ("[[1], []]", "[[1] []]"),
        ("{}", "{}"),
        ("{'a': 1}", "{\"a\": 1}"),
        ("{1: 2, 3: 4,}", "{1: 2, 3: 4}"),
        ("{a: b}", "{a: b}"),
        ("{'k': {'n': [1]}}", "{\"k\": {\"n\": [1]}}"),
        ("Msg{}", "Msg{}"),
        ("Msg{a: 1}", "Msg{a: 1}"),
        ("a.b.Msg{f: 1, g: [2],}", "a.b.Msg{f: 1, g: [2]}"),
        (".a.Msg{f: 1}", ".a.Msg{f: 1}"),
        ("Msg{if: 1, as: 2, while: 3}", "Msg{if: 1, as: 2, while: 3}"),
        ("Msg{f: 1}.f", "(. Msg{f: 1} f)"),
        ("Msg{}.child.child", "(. (. Msg{} child) child)"),
        ("A{a: B{b: 1}}", "A{a: B{b: 1}}"),
        ("x == Msg{}", "(== x Msg{})"),
    ]);
}

#[test]
fn macros() {
    check(&[
        ("has(a.b)", "(has a b)"),
        ("has(a.b.c)", "(has (. a b) c)"),
        ("has(a[0].b)", "(has ([] a 0) b)"),
        ("has(.a.b)", "(has .a b)"),
        ("x.all(y, p)", "(all x [y] p)"),
        ("x.exists(y, p)", "(exists x [y] p)"),
        ("x.exists_one(y, p)", "(exists_one x [y] p)"),
        ("x.existsOne(y, p)", "(exists_one x [y] p)"),
        ("x.all(k, v, p)", "(all x [k v] p)"),
        ("x.exists(k, v, p)", "(exists x [k v] p)"),
        ("x.exists_one(k, v, p)", "(exists_one x [k v] p)"),
        ("x.existsOne(k, v, p)", "(exists_one x [k v] p)"),
        ("x.map(y, t)", "(map x [y] t)"),
        ("x.map(y, p, t)", "(map x [y] p t)"),
        ("x.filter(y, p)", "(filter x [y] p)"),
        ("x.transformList(i, v, t)", "(transformList x [i v] t)"),
        ("x.transformList(i, v, p, t)", "(transformList x [i v] p t)"),
        ("x.transformMap(k, v, t)", "(transformMap x [k v] t)"),
        ("x.transformMap(k, v, p, t)", "(transformMap x [k v] p t)"),
        ("[1, 2].map(x, x * 2).filter(y, y > 2)", "(filter (map [1 2] [x] (* x 2)) [y] (> y 2))"),
        ("x.all(y, y.exists(z, z == y))", "(all x [y] (exists y [z] (== z y)))"),
        ("a.b.all(y, has(y.c))", "(all (. a b) [y] (has y c))"),
        // The name matches but no form has this many arguments: an ordinary call.
        ("x.all(y)", "(method all x y)"),
        ("x.exists()", "(method exists x)"),
        ("x.exists(a, b, c, d)", "(method exists x a b c d)"),
        ("x.map(y)", "(method map x y)"),
        ("x.map(a, b, c, d)", "(method map x a b c d)"),
        ("x.filter(a, b, c)", "(method filter x a b c)"),
        ("x.transformList(i, v)", "(method transformList x i v)"),
        ("x.transformMap(a, b, c, d, e)", "(method transformMap x a b c d e)"),
        // Receiver macros are not global functions, and `has` is not a method.
        ("all(x, p)", "(call all x p)"),
        ("map(x, t)", "(call map x t)"),
        ("x.has(y)", "(method has x y)"),
        (".has(a.b)", "(call .has (. a b))"),
    ]);
}

#[test]
fn macro_parts_have_spans() {
    let expr = parse_ok("x.all(y, y > 0)");
    assert_eq!(expr.span, Span::new(0, 15));
    let ExprKind::Macro(m) = &expr.kind else { panic!("{expr:?}") };
    assert_eq!(m.target.span, Span::new(0, 1));
    assert_eq!(m.vars[0].span, Span::new(6, 7));
    assert_eq!(m.args[0].span, Span::new(9, 14));
    let expr = parse_ok("has(a.bc)");
    assert_eq!(expr.span, Span::new(0, 9));
    let ExprKind::Macro(m) = &expr.kind else { panic!("{expr:?}") };
    assert_eq!(m.target.span, Span::new(4, 5));
    assert_eq!(m.field.as_ref().unwrap().span, Span::new(6, 8));
}

#[test]
fn whitespace_and_comments() {
    // The conformance "whitespace" and "comments" tests: every token separated by one kind of
    // whitespace, or by a comment and a line feed.
    let tokens = [
        "[",
        ".",
        "cel.",
        "expr",
        ".conformance.",
        "proto3.",
        "TestAllTypes",
        "{",
        "single_int64",
        ":",
        "int",
        "(",
        "17",
        ")",
        "}",
        ".",
        "single_int64",
        "]",
        "[",
        "0",
        "]",
        "==",
        "(",
        "18",
        "-",
        "1",
        ")",
        "&&",
        "!",
        "false",
        "?",
        "1",
        ":",
        "2",
    ];
    let want = "(? (&& (== ([] [(. .cel.expr.conformance.proto3.TestAllTypes{single_int64: (call int 17)} \
                single_int64)] 0) (- 18 1)) (! false)) 1 2)";
    for separator in [" ", "\t", "\n", "\x0c", "\r", "\r\n", "  \t\n ", "// @\n", "// @\r\n", " // a // b\n"]
    {
        let src = tokens.join(separator);
        assert_eq!(sexpr(&parse_ok(&src)), want, "{src:?}");
    }
    check(&[
        ("1 + // one\n 2", "(+ 1 2)"),
        ("a // trailing comment", "a"),
        ("// leading\na", "a"),
        ("a // \r b\n", "a"),
        ("a /// triple\n", "a"),
        ("a / b", "(/ a b)"),
        ("'//not a comment'", "\"//not a comment\""),
    ]);
}

#[test]
fn conformance_nesting_and_repetition() {
    check(&[
        ("a[a[a[a[a[a[a[a[a[a[a[a[0]]]]]]]]]]]]", &format!("{}0{}", "([] a ".repeat(12), ")".repeat(12))),
        ("int(uint(int(uint(7))))", "(call int (call uint (call int (call uint 7))))"),
    ]);
    let parens = format!("{}7{}", "(".repeat(32), ")".repeat(32));
    assert_eq!(sexpr(&parse_ok(&parens)), "7");
    let list = format!("size({}0{})", "[".repeat(12), "]".repeat(12));
    assert_eq!(sexpr(&parse_ok(&list)), format!("(call size {}0{})", "[".repeat(12), "]".repeat(12)));
    let conditional = format!("{}false", "true ? true : ".repeat(24));
    assert!(matches!(parse_ok(&conditional).kind, ExprKind::Conditional { .. }));
    let or = format!("{}true", "false || ".repeat(32));
    let ExprKind::Or(items) = parse_ok(&or).kind else { panic!() };
    assert_eq!(items.len(), 33);
    let not = format!("{}true", "!".repeat(32));
    assert_eq!(sexpr(&parse_ok(&not)), format!("{}true{}", "(! ".repeat(32), ")".repeat(32)));
    let message = format!("{}A{{payload: 1}}{}.payload", "A{child: ".repeat(11), "}".repeat(11));
    assert!(matches!(parse_ok(&message).kind, ExprKind::Select { .. }));
    let select = format!("A{{}}{}.f", ".child".repeat(10));
    assert!(matches!(parse_ok(&select).kind, ExprKind::Select { .. }));
    let index = format!("{}'foo'{}{}", "[".repeat(12), "]".repeat(12), "[0]".repeat(12));
    assert!(matches!(parse_ok(&index).kind, ExprKind::Index { .. }));
    let add =
        "3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3";
    assert!(matches!(parse_ok(add).kind, ExprKind::Binary { op: BinaryOp::Add, .. }));
    let items: Vec<String> = (0..32).map(|i| format!("{i}: 'v'")).collect();
    let ExprKind::Index { operand, .. } = parse_ok(&format!("{{{}}}[17]", items.join(", "))).kind else {
        panic!()
    };
    assert!(matches!(&operand.kind, ExprKind::Map(entries) if entries.len() == 32));
}

/// `(start, end)` of a span.
fn at(span: Span) -> (u32, u32) {
    (span.start, span.end)
}

#[test]
fn spans_cover_each_node() {
    let expr = parse_ok("a + b * c");
    assert_eq!(at(expr.span), (0, 9));
    let ExprKind::Binary { op_span, rhs, .. } = &expr.kind else { panic!() };
    assert_eq!(at(*op_span), (2, 3));
    assert_eq!(at(rhs.span), (4, 9));
    let ExprKind::Binary { op_span, .. } = &rhs.kind else { panic!() };
    assert_eq!(at(*op_span), (6, 7));

    let expr = parse_ok("  x.f(1)  ");
    assert_eq!(at(expr.span), (2, 8));
    let ExprKind::Call { function, target, .. } = &expr.kind else { panic!() };
    assert_eq!(at(function.span), (4, 5));
    assert_eq!(at(target.as_ref().unwrap().span), (2, 3));

    let expr = parse_ok("(a) * b in c");
    assert_eq!(at(expr.span), (0, 12));
    let ExprKind::Binary { op_span, lhs, .. } = &expr.kind else { panic!() };
    assert_eq!(at(*op_span), (8, 10));
    let ExprKind::Binary { lhs, .. } = &lhs.kind else { panic!() };
    assert_eq!(at(lhs.span), (0, 3), "parentheses belong to the expression they enclose");

    let expr = parse_ok("a.b.C{f: 1}");
    assert_eq!(at(expr.span), (0, 11));
    let ExprKind::Struct { name, fields } = &expr.kind else { panic!() };
    assert_eq!((name.name.as_str(), at(name.span)), ("a.b.C", (0, 5)));
    assert_eq!(at(fields[0].0.span), (6, 7));
    assert_eq!(at(fields[0].1.span), (9, 10));

    let expr = parse_ok(".xy");
    let ExprKind::Ident { name, absolute: true } = &expr.kind else { panic!() };
    assert_eq!((at(expr.span), at(name.span)), ((0, 3), (1, 3)));

    let expr = parse_ok("a.bc");
    let ExprKind::Select { field, .. } = &expr.kind else { panic!() };
    assert_eq!((at(expr.span), at(field.span)), ((0, 4), (2, 4)));

    let expr = parse_ok(".f(x)");
    let ExprKind::Call { function, .. } = &expr.kind else { panic!() };
    assert_eq!((at(expr.span), at(function.span)), ((0, 5), (0, 2)));

    for (src, span) in [
        ("-1", (0, 2)),
        ("- 1", (0, 3)),
        ("!a", (0, 2)),
        ("a[0]", (0, 4)),
        ("f(x, y)", (0, 7)),
        ("[1, 2]", (0, 6)),
        ("{a: 1}", (0, 6)),
        ("a && b && c", (0, 11)),
        ("a || b", (0, 6)),
        ("a ? b : c", (0, 9)),
        ("(a + b)", (0, 7)),
        (" ( ( a ) ) ", (1, 10)),
        ("x.all(y, y)", (0, 11)),
        ("a +\n  b // c", (0, 7)),
    ] {
        assert_eq!(at(parse_ok(src).span), span, "{src:?}");
    }
}

#[test]
fn a_policy_expression() {
    let src = r#"change.environment == "prod" && change.size.files > 3 && !has(change.rollback)
        || change.approvers().exists(a, a.startsWith("sec-") && a in params.security_team)
        ? 'high' : context.freezes.map(f, f.name).size() > 0"#;
    let want = "(? (|| (&& (== (. change environment) \"prod\") (> (. (. change size) files) 3) \
                (! (has change rollback))) (exists (method approvers change) [a] (&& (method startsWith a \
                \"sec-\") (in a (. params security_team))))) \"high\" (> (method size (map (. context freezes) \
                [f] (. f name))) 0))";
    assert_eq!(sexpr(&parse_ok(src)), want);
}
