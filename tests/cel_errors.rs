//! Compile errors rendered in full (message, code, place, caret and help together), and host
//! objects read by field, `has()` and method at run time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use changeguard::Limits;
use changeguard::cel::{
    Canonical, Env, EvalError, EvalErrorKind, List, Object, ObjectType, Program, Type, Value,
};

// ------------------------------------------------------------------------------------------
// A host object type

/// The declared type of [`TestChange`]: three fields, one optional, and a method with two
/// overloads.
fn change_type() -> &'static Arc<ObjectType> {
    static TYPE: OnceLock<Arc<ObjectType>> = OnceLock::new();
    TYPE.get_or_init(|| {
        Arc::new(
            ObjectType::new("test.Change")
                .field("environment", Type::String)
                .field("services", Type::list(Type::String))
                .optional_field("size", Type::Int)
                .method("approvers", vec![], Type::list(Type::String))
                .method("approvers", vec![Type::String], Type::list(Type::String)),
        )
    })
}

struct TestChange {
    environment: String,
    services: Vec<Value<'static>>,
    size: Option<i64>,
    /// (who, role)
    approvals: Vec<(String, String)>,
}

impl Object for TestChange {
    fn object_type(&self) -> &ObjectType {
        change_type()
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        match index {
            0 => Some(Value::str(&self.environment)),
            1 => Some(Value::List(List::borrowed(&self.services))),
            2 => self.size.map(Value::Int),
            _ => None,
        }
    }

    fn call_method<'s>(&'s self, index: usize, args: &[Value<'s>]) -> Result<Value<'s>, EvalError> {
        let role = match (index, args) {
            (0, []) => None,
            (1, [Value::String(role)]) => Some(role.as_str()),
            _ => return Err(EvalError::no_such_overload("bad call of `approvers`")),
        };
        let names: Vec<Value<'s>> = self
            .approvals
            .iter()
            .filter(|(_, r)| role.is_none_or(|want| want == r))
            .map(|(who, _)| Value::str(who))
            .collect();
        Ok(Value::list(names))
    }
}

/// An environment with `change` (a `test.Change`), `tags` (a `map(string, string)`) and
/// `count` (an `int`).
fn env() -> Env {
    let mut env = Env::new();
    env.declare("change", Type::object(change_type()));
    env.declare("tags", Type::map(Type::String, Type::String));
    env.declare("count", Type::Int);
    env
}

// ------------------------------------------------------------------------------------------
// Rendered compile errors

/// Compiles each expression in [`env`] and compares every rendered diagnostic with the
/// expected text; reports all mismatches together.
fn check_rendered(env: &Env, cases: &[(&str, &str)]) {
    let mut failures = String::new();
    for (src, want) in cases {
        let got = match env.compile(src) {
            Ok(_) => "compiled without error\n".to_owned(),
            Err(d) => d.render(None, src),
        };
        if got != *want {
            let _ = writeln!(failures, "── {src:?}\nwant:\n{want}\ngot:\n{got}");
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}

#[test]
fn syntax_errors() {
    check_rendered(
        &env(),
        &[
            (
                "1 +",
                "error[E0102]: unexpected end of input, expected an expression
 --> 1:4
  |
1 | 1 +
  |    ^
",
            ),
            (
                "(1 + 2",
                "error[E0102]: unexpected end of input, expected `)`
 --> 1:7
  |
1 | (1 + 2
  |       ^
",
            ),
            (
                r#"{"a" 1}"#,
                r#"error[E0102]: unexpected number `1`, expected `:`
 --> 1:6
  |
1 | {"a" 1}
  |      ^
  = help: map entries are written `key: value`
"#,
            ),
            (
                "1 2",
                "error[E0102]: unexpected number `2`, expected an operator or the end of the expression
 --> 1:3
  |
1 | 1 2
  |   ^
",
            ),
            (
                "@n",
                "error[E0101]: unexpected character `@`
 --> 1:1
  |
1 | @n
  | ^
",
            ),
            (
                "'abc",
                "error[E0103]: unterminated string literal
 --> 1:1
  |
1 | 'abc
  | ^^^^
  = help: add the closing `'`
",
            ),
            (
                r#""\q""#,
                r#"error[E0104]: invalid escape sequence `\q`
 --> 1:2
  |
1 | "\q"
  |  ^^
  = help: write `\\` for a backslash, or use a raw string such as `r'\d+'`
"#,
            ),
            (
                r#"b"\u00e9""#,
                r#"error[E0104]: invalid escape sequence `\u00e9`
 --> 1:3
  |
1 | b"\u00e9"
  |   ^^^^^^
  = help: `\u` and `\U` escapes are for strings; in bytes write each byte as `\xHH`
"#,
            ),
            (
                "9223372036854775808",
                "error[E0105]: integer literal `9223372036854775808` is out of range for int
 --> 1:1
  |
1 | 9223372036854775808
  | ^^^^^^^^^^^^^^^^^^^
  = help: use a uint literal: `9223372036854775808u`
",
            ),
            (
                "if",
                "error[E0106]: reserved word `if` cannot be used as an identifier
 --> 1:1
  |
1 | if
  | ^^
  = help: CEL has no `if`; write a conditional as `condition ? value : other`
",
            ),
            (
                "has(1)",
                "error[E0107]: the argument of `has` must be a field selection
 --> 1:5
  |
1 | has(1)
  |     ^
  = help: write `has(x.field)` to test whether `x` has `field`
",
            ),
            (
                "[1].all(1, true)",
                "error[E0107]: the iteration variable of `all` must be a simple name
 --> 1:9
  |
1 | [1].all(1, true)
  |         ^
  = help: write it as `list.all(x, …)`, where `x` names each element
",
            ),
            (
                "Foo{a: 1}",
                "error[E0208]: message construction `Foo{…}` is not supported
 --> 1:1
  |
1 | Foo{a: 1}
  | ^^^
  = help: protocol-buffer messages are not part of this CEL implementation; use a map literal
",
            ),
        ],
    );
}

#[test]
fn name_errors_suggest_close_names() {
    check_rendered(
        &env(),
        &[
            (
                "chnage.environment",
                "error[E0201]: unknown variable `chnage`
 --> 1:1
  |
1 | chnage.environment
  | ^^^^^^
  = help: did you mean `change`?
",
            ),
            (
                r#"change.enviroment == "prod""#,
                r#"error[E0202]: unknown field `enviroment` on `test.Change`
 --> 1:8
  |
1 | change.enviroment == "prod"
  |        ^^^^^^^^^^
  = help: did you mean `environment`?
"#,
            ),
            (
                "has(change.nope)",
                "error[E0202]: unknown field `nope` on `test.Change`
 --> 1:12
  |
1 | has(change.nope)
  |            ^^^^
  = help: the fields of `test.Change` are `environment`, `services`, `size`
",
            ),
            (
                r#"sise("a")"#,
                r#"error[E0203]: unknown function `sise`
 --> 1:1
  |
1 | sise("a")
  | ^^^^
  = help: did you mean `size`?
"#,
            ),
            (
                r#""a".startswith("b")"#,
                r#"error[E0203]: unknown function `startswith`
 --> 1:5
  |
1 | "a".startswith("b")
  |     ^^^^^^^^^^
  = help: did you mean `startsWith`?
"#,
            ),
            (
                "lists.rnage(5)",
                "error[E0203]: unknown function `lists.rnage`
 --> 1:1
  |
1 | lists.rnage(5)
  | ^^^^^^^^^^^
  = help: did you mean `lists.range`?
",
            ),
            (
                "range(5)",
                "error[E0203]: unknown function `range`
 --> 1:1
  |
1 | range(5)
  | ^^^^^
  = help: did you mean `lists.range(…)`?
",
            ),
            (
                "[1].range()",
                "error[E0203]: unknown function `range`
 --> 1:5
  |
1 | [1].range()
  |     ^^^^^
  = help: did you mean `lists.range(…)` (a global function, not a method)?
",
            ),
            (
                "lists.range(1, 2)",
                "error[E0204]: no matching overload for `lists.range(int, int)`
 --> 1:1
  |
1 | lists.range(1, 2)
  | ^^^^^^^^^^^
  = help: `lists.range` accepts `lists.range(int)`
",
            ),
            (
                "format.dns1123label()",
                "error[E0203]: unknown function `format.dns1123label`
 --> 1:1
  |
1 | format.dns1123label()
  | ^^^^^^^^^^^^^^^^^^^
  = help: did you mean `format.dns1123Label`?
",
            ),
            (
                "dns1123Label()",
                "error[E0203]: unknown function `dns1123Label`
 --> 1:1
  |
1 | dns1123Label()
  | ^^^^^^^^^^^^
  = help: did you mean `format.dns1123Label(…)`?
",
            ),
            (
                "regex.extractall('a', 'b')",
                "error[E0203]: unknown function `regex.extractall`
 --> 1:1
  |
1 | regex.extractall('a', 'b')
  | ^^^^^^^^^^^^^^^^
  = help: did you mean `regex.extractAll`?
",
            ),
            (
                "extract('a', 'b')",
                "error[E0203]: unknown function `extract`
 --> 1:1
  |
1 | extract('a', 'b')
  | ^^^^^^^
  = help: did you mean `regex.extract(…)`?
",
            ),
            (
                r"regex.replace('test', '(.)', '\\2')",
                r"error[E0207]: invalid replacement `\2`: `\2` refers to group 2, but the pattern has 1 capture group(s)
 --> 1:30
  |
1 | regex.replace('test', '(.)', '\\2')
  |                              ^^^^^
",
            ),
            (
                "regex.extract('a', '(a)(b)')",
                "error[E0206]: regular expression `(a)(b)` has 2 capture groups: `regex.extract` takes one at most
 --> 1:20
  |
1 | regex.extract('a', '(a)(b)')
  |                    ^^^^^^^^
",
            ),
            (
                "format.named('uuid').validate('x')",
                "error[E0204]: no matching overload for `optional_type(kubernetes.NamedFormat).validate(string)`
 --> 1:22
  |
1 | format.named('uuid').validate('x')
  |                      ^^^^^^^^
  = help: `validate` accepts `kubernetes.NamedFormat.validate(string)`
",
            ),
            (
                "change.aprovers()",
                "error[E0203]: unknown method `aprovers` on `test.Change`
 --> 1:8
  |
1 | change.aprovers()
  |        ^^^^^^^^
  = help: did you mean `approvers`?
",
            ),
        ],
    );
}

#[test]
fn overload_and_type_errors() {
    check_rendered(
        &env(),
        &[
            (
                "size(1, 2)",
                "error[E0204]: no matching overload for `size(int, int)`
 --> 1:1
  |
1 | size(1, 2)
  | ^^^^
  = help: `size` accepts `size(string)`, `size(bytes)`, `size(list(A))`, `size(map(A, B))`
",
            ),
            (
                "change.approvers(1)",
                "error[E0204]: no matching overload for `test.Change.approvers(int)`
 --> 1:8
  |
1 | change.approvers(1)
  |        ^^^^^^^^^
  = help: `approvers` accepts `approvers()`, `approvers(string)`
",
            ),
            (
                r#"change.size > "3""#,
                r#"error[E0204]: no matching overload for `>` with argument types (int, string)
 --> 1:13
  |
1 | change.size > "3"
  |             ^
  = help: convert the other operand with `string()`
"#,
            ),
            (
                r#"change.environment == "production" && change.services.exists(s, s == 1)"#,
                r#"error[E0204]: no matching overload for `==` with argument types (string, int)
 --> 1:67
  |
1 | change.environment == "production" && change.services.exists(s, s == 1)
  |                                                                   ^^
  = help: convert the other operand with `string()`
"#,
            ),
            (
                "[1, 2].filter(x, x + 1)",
                "error[E0205]: the condition of `filter` must be a `bool`, found `int`
 --> 1:18
  |
1 | [1, 2].filter(x, x + 1)
  |                  ^^^^^
",
            ),
            (
                "change.services.all(s, s)",
                "error[E0205]: the condition of `all` must be a `bool`, found `string`
 --> 1:24
  |
1 | change.services.all(s, s)
  |                        ^
",
            ),
            (
                "count ? 2 : 3",
                "error[E0205]: the condition of `?:` must be a `bool`, found `int`
 --> 1:1
  |
1 | count ? 2 : 3
  | ^^^^^
",
            ),
            (
                "change.environment.nope",
                "error[E0205]: cannot select a field from a value of type `string` (field `nope`)
 --> 1:20
  |
1 | change.environment.nope
  |                    ^^^^
",
            ),
        ],
    );
}

#[test]
fn invalid_literal_arguments_point_at_the_literal() {
    check_rendered(
        &env(),
        &[
            (
                r#"change.environment.matches("prod(")"#,
                r#"error[E0206]: invalid regular expression `prod(`: unclosed group
 --> 1:28
  |
1 | change.environment.matches("prod(")
  |                            ^^^^^^^
"#,
            ),
            (
                r#"timestamp(0).getHours("Mars/Olympus")"#,
                r#"error[E0207]: unknown time zone `Mars/Olympus`
 --> 1:23
  |
1 | timestamp(0).getHours("Mars/Olympus")
  |                       ^^^^^^^^^^^^^^
"#,
            ),
            (
                r#"timestamp(0).getMinutes("+25:00")"#,
                r#"error[E0207]: invalid time zone offset `+25:00`: expected `±HH:MM`
 --> 1:25
  |
1 | timestamp(0).getMinutes("+25:00")
  |                         ^^^^^^^^
"#,
            ),
            (
                r#"semver("1.0.0").satisfies(">=1.0,, <2")"#,
                r#"error[E0207]: invalid version requirement `>=1.0,, <2`: unexpected character ',' while parsing major version number
 --> 1:27
  |
1 | semver("1.0.0").satisfies(">=1.0,, <2")
  |                           ^^^^^^^^^^^^
"#,
            ),
        ],
    );
}

#[test]
fn several_errors_are_reported_together() {
    check_rendered(
        &env(),
        &[
            (
                "x + y + z",
                "error[E0201]: unknown variable `x`
 --> 1:1
  |
1 | x + y + z
  | ^

error[E0201]: unknown variable `y`
 --> 1:5
  |
1 | x + y + z
  |     ^

error[E0201]: unknown variable `z`
 --> 1:9
  |
1 | x + y + z
  |         ^
",
            ),
            (
                "count +\n  foo(2) +\n  change.enviroment.bar()",
                "error[E0203]: unknown function `foo`
 --> 2:3
  |
2 |   foo(2) +
  |   ^^^

error[E0202]: unknown field `enviroment` on `test.Change`
 --> 3:10
  |
3 |   change.enviroment.bar()
  |          ^^^^^^^^^^
  = help: did you mean `environment`?
",
            ),
        ],
    );
}

#[test]
fn nesting_depth_limit() {
    let env = env();
    let nested = |depth: usize| format!("{}count{}", "(".repeat(depth), ")".repeat(depth));
    // 63 parentheses around a name: 64 levels, the default limit, compile; one more does not.
    assert!(env.compile(&nested(63)).is_ok());
    let src = nested(64);
    let d = env.compile(&src).unwrap_err();
    let want = format!(
        "error[E0108]: limit exceeded: expression nesting depth 65 > 64
 --> 1:65
  |
1 | {src}
  | {}^^^^^
  = help: reduce the nesting, or raise the `max_expr_depth` limit
",
        " ".repeat(64)
    );
    assert_eq!(d.render(None, &src), want);
    // A deep expression of another shape, under a smaller limit, is reported the same way.
    let mut limits = Limits::default();
    limits.max_expr_depth = 8;
    let small = Env::with_limits(limits);
    let d = small.compile("[[[[[[[[[1]]]]]]]]]").unwrap_err();
    assert_eq!(d.items()[0].message(), "limit exceeded: expression nesting depth 9 > 8");
}

// ------------------------------------------------------------------------------------------
// Host objects at run time

fn sample() -> TestChange {
    TestChange {
        environment: "production".to_owned(),
        services: vec![Value::str("api"), Value::str("db")],
        size: None,
        approvals: vec![("ann".to_owned(), "sre".to_owned()), ("bob".to_owned(), "dev".to_owned())],
    }
}

/// Evaluates `src` over `change` and prints the value or `error: <message>`.
fn run(env: &Env, change: &TestChange, src: &str) -> String {
    let program: Program = env.compile(src).unwrap_or_else(|d| panic!("{src}: {}", d.render(None, src)));
    let tags = changeguard::cel::json::from_json(&serde_json::json!({"team": "payments"}));
    let vars: Vec<Value<'_>> = vec![Value::Object(change), tags, Value::Int(3)];
    match program.evaluate(&vars) {
        Ok(v) => Canonical(&v).to_string(),
        Err(e) => format!("error: {}", e.message()),
    }
}

/// Evaluates each case over its change and compares with the value expected (or a part of the
/// error message, after `error: `); reports all mismatches together.
fn check_runs(env: &Env, cases: &[(&TestChange, &str, &str)]) {
    let mut failures = String::new();
    for (change, src, want) in cases {
        let got = run(env, change, src);
        let ok = match want.strip_prefix("error: ") {
            Some(part) => got.strip_prefix("error: ").is_some_and(|m| m.contains(part)),
            None => got == *want,
        };
        if !ok {
            let _ = writeln!(failures, "{src}\n   want {want}\n    got {got}");
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}

#[test]
fn host_objects_at_run_time() {
    let env = env();
    let change = sample();
    let sized = TestChange { size: Some(120), ..sample() };
    let cases: &[(&TestChange, &str, &str)] = &[
        (&change, r#"change.environment == "production""#, "true"),
        (&change, "change.environment.size()", "10"),
        (&change, "change.services", r#"["api", "db"]"#),
        (&change, r#"change.services.exists(s, s == "db")"#, "true"),
        (&change, r#""api" in change.services"#, "true"),
        (&change, "has(change.environment)", "true"),
        (&change, "has(change.size)", "false"),
        (&change, "change.size", "error: field `size` is absent: test it with `has()` first"),
        (&change, "has(change.size) && change.size > 100", "false"),
        (&change, "change.size > 100 && has(change.size)", "false"),
        (&sized, "has(change.size) && change.size > 100", "true"),
        (&sized, "change.size", "120"),
        (&change, "change.approvers()", r#"["ann", "bob"]"#),
        (&change, r#"change.approvers("sre")"#, r#"["ann"]"#),
        (&change, r#"change.approvers("nobody").size()"#, "0"),
        (&change, "type(change)", "test.Change"),
        (&change, "dyn(change).environment", r#""production""#),
        (&change, "dyn(change).nope", "error: "),
        (&change, "change", r#"{"environment": "production", "services": ["api", "db"]}"#),
        (&sized, "change", r#"{"environment": "production", "services": ["api", "db"], "size": 120}"#),
        (&change, "tags.team + string(count)", r#""payments3""#),
    ];
    check_runs(&env, cases);
}

#[test]
fn unbound_host_variable_is_an_evaluation_error() {
    let env = env();
    let program = env.compile("count + 1").unwrap();
    let err = program.evaluate(&changeguard::cel::NoVariables).unwrap_err();
    assert_eq!(err.kind(), EvalErrorKind::UnboundVariable);
}

#[test]
fn format_strings_are_checked_where_the_clause_is() {
    check_rendered(
        &env(),
        &[
            (
                r#""%s owns %q".format(["a", "b"])"#,
                r#"error[E0207]: could not parse formatting clause: unrecognized formatting clause "q"
 --> 1:10
  |
1 | "%s owns %q".format(["a", "b"])
  |          ^^
"#,
            ),
            (
                r#""%s\n%q".format(["a", "b"])"#,
                r#"error[E0207]: could not parse formatting clause: unrecognized formatting clause "q"
 --> 1:1
  |
1 | "%s\n%q".format(["a", "b"])
  | ^^^^^^^^
"#,
            ),
            (
                r#""%s has %d".format(["a", "b"])"#,
                "error[E0205]: decimal clause can only be used on ints, uints, and doubles, was given `string`
 --> 1:26
  |
1 | \"%s has %d\".format([\"a\", \"b\"])
  |                          ^^^
  = help: it is formatted by the clause `%d`
",
            ),
        ],
    );
}

#[test]
fn optional_selection_of_host_object_fields() {
    let (change, sized) = (sample(), TestChange { size: Some(120), ..sample() });
    check_runs(
        &env(),
        &[
            (&change, "change.?size", "optional.none()"),
            (&sized, "change.?size", "optional.of(120)"),
            (&change, "change.?size.orValue(0) > 100", "false"),
            (&sized, "change.?size.orValue(0) > 100", "true"),
            (&change, "change.?environment.value()", r#""production""#),
            (&change, "optional.of(change).size.hasValue()", "false"),
            (&change, "has(optional.of(change).size)", "false"),
            (&sized, "has(optional.of(change).size)", "true"),
            (&change, "dyn(change).?nope", "error: "),
            (&change, "tags.?team.orValue('none') + tags.?owner.orValue('-')", r#""payments-""#),
            (&change, "cel.bind(s, change.services, s[?1].orValue('') + s[?2].orValue('!'))", r#""db!""#),
        ],
    );
}

#[test]
fn optional_and_macro_errors_are_rendered_with_help() {
    check_rendered(
        &env(),
        &[
            (
                "change.?sise",
                "error[E0202]: unknown field `sise` on `test.Change`
 --> 1:9
  |
1 | change.?sise
  |         ^^^^
  = help: did you mean `size`?
",
            ),
            (
                "[?count]",
                "error[E0205]: an optional element `?e` needs an optional value, found `int`
 --> 1:3
  |
1 | [?count]
  |   ^^^^^
  = help: wrap the value with `optional.of(…)`, or drop the `?`
",
            ),
            (
                "change.services.sortby()",
                "error[E0203]: unknown function `sortby`
 --> 1:17
  |
1 | change.services.sortby()
  |                 ^^^^^^
  = help: did you mean `sortBy`?
",
            ),
        ],
    );
}

#[test]
fn did_you_mean_knows_the_text_extensions() {
    check_rendered(
        &env(),
        &[
            (
                "base64.encod(b'x')",
                "error[E0203]: unknown function `base64.encod`
 --> 1:1
  |
1 | base64.encod(b'x')
  | ^^^^^^^^^^^^
  = help: did you mean `base64.encode`?
",
            ),
            (
                "quote('a')",
                "error[E0203]: unknown function `quote`
 --> 1:1
  |
1 | quote('a')
  | ^^^^^
  = help: did you mean `strings.quote(…)`?
",
            ),
            (
                "'a'.charat(0)",
                "error[E0203]: unknown function `charat`
 --> 1:5
  |
1 | 'a'.charat(0)
  |     ^^^^^^
  = help: did you mean `charAt`?
",
            ),
        ],
    );
}
