//! Data-driven tests of the CEL engine: one runner over the case files in `tests/cel/`.
//!
//! Each file holds groups of cases:
//!
//! ```toml
//! [[group]]
//! name = "integer overflow"
//! bindings = { x = 3 }        # optional; JSON-like values bound as `dyn` variables
//! no_check = false            # optional; true compiles without the type checker only
//! unchecked = true            # optional; false skips the unchecked re-run (see below)
//! max_eval_cost = 1000        # optional; the evaluation cost budget
//! cases = [
//!   ["1 + 2", "3"],                                       # canonical text of the value
//!   ["9223372036854775807 + 1", "error: int overflow"],   # substring of the evaluation error
//!   ["1 +", "compile: unexpected end of input"],          # substring of the first diagnostic
//! ]
//! ```
//!
//! A case expecting a value or an evaluation error runs twice: type-checked, then unchecked
//! (CEL's dynamic evaluation must agree with the checked program), unless the group says
//! `unchecked = false`. Every failure is collected and reported together.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use changeguard::Limits;
use changeguard::cel::{Canonical, ExprOutcome, evaluate_expression};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    group: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    name: String,
    #[serde(default)]
    bindings: toml::Table,
    #[serde(default)]
    no_check: bool,
    #[serde(default = "yes")]
    unchecked: bool,
    max_eval_cost: Option<u64>,
    cases: Vec<(String, String)>,
}

fn yes() -> bool {
    true
}

/// What a case expects.
enum Expected<'a> {
    Value(&'a str),
    EvalError(&'a str),
    CompileError(&'a str),
}

fn expected(text: &str) -> Expected<'_> {
    if let Some(rest) = text.strip_prefix("error: ") {
        Expected::EvalError(rest)
    } else if let Some(rest) = text.strip_prefix("compile: ") {
        Expected::CompileError(rest)
    } else {
        Expected::Value(text)
    }
}

/// TOML to JSON: integers stay integers, floats become doubles, datetimes become strings.
fn to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// The outcome of one run as text comparable with the expectation.
fn describe(outcome: &ExprOutcome) -> String {
    match outcome {
        ExprOutcome::Value(v) => Canonical(v).to_string(),
        ExprOutcome::EvalError(e) => format!("error: {}", e.message()),
        ExprOutcome::CompileError(d) => {
            format!("compile: {}", d.items().first().map_or("<no diagnostic>", |d| d.message()))
        }
    }
}

fn matches(expected: &Expected<'_>, outcome: &ExprOutcome) -> bool {
    match (expected, outcome) {
        (Expected::Value(text), ExprOutcome::Value(v)) => Canonical(v).to_string() == *text,
        (Expected::EvalError(part), ExprOutcome::EvalError(e)) => e.message().contains(part),
        (Expected::CompileError(part), ExprOutcome::CompileError(d)) => {
            d.items().first().is_some_and(|d| d.message().contains(part))
        }
        _ => false,
    }
}

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cel");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn cel_cases() {
    let mut failures = String::new();
    let mut failed = 0usize;
    let mut total = 0usize;
    let mut per_file = Vec::new();
    for path in case_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let file: CaseFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut count = 0;
        for group in &file.group {
            assert!(!group.cases.is_empty(), "{name}: group `{}` has no cases", group.name);
            let serde_json::Value::Object(bindings) = to_json(&toml::Value::Table(group.bindings.clone()))
            else {
                unreachable!("a table converts to an object")
            };
            let mut limits = Limits::default();
            if let Some(cost) = group.max_eval_cost {
                limits.max_eval_cost = cost;
            }
            for (expr, want) in &group.cases {
                count += 1;
                let want_parsed = expected(want);
                let mut modes = Vec::new();
                if !group.no_check {
                    modes.push(true);
                }
                let dynamic_too = !matches!(want_parsed, Expected::CompileError(_)) && group.unchecked;
                if group.no_check || dynamic_too {
                    modes.push(false);
                }
                for checked in modes {
                    let outcome = evaluate_expression(expr, &bindings, checked, &limits);
                    if !matches(&want_parsed, &outcome) {
                        failed += 1;
                        let mode = if checked { "checked" } else { "unchecked" };
                        let _ = writeln!(
                            failures,
                            "{name} / {} ({mode}):\n    expr:     {expr}\n    expected: {want}\n    got:      {}",
                            group.name,
                            describe(&outcome)
                        );
                    }
                }
            }
        }
        total += count;
        per_file.push(format!("{name}: {count}"));
    }
    assert!(failed == 0, "{failed} of {total} cases failed:\n{failures}");
    assert!(total >= 450, "only {total} cases: {per_file:?}");
    println!("{total} CEL cases passed ({})", per_file.join(", "));
}

/// The runner itself must tell a wrong expectation from a right one.
#[test]
fn runner_detects_mismatches() {
    let none = serde_json::Map::new();
    let limits = Limits::default();
    let three = evaluate_expression("1 + 2", &none, true, &limits);
    assert!(matches(&expected("3"), &three));
    assert!(!matches(&expected("4"), &three));
    assert!(!matches(&expected("error: 3"), &three));
    let overflow = evaluate_expression("9223372036854775807 + 1", &none, true, &limits);
    assert!(matches(&expected("error: int overflow"), &overflow));
    assert!(!matches(&expected("error: division"), &overflow));
    let syntax = evaluate_expression("1 +", &none, true, &limits);
    assert!(matches(&expected("compile: unexpected end of input"), &syntax));
    assert!(!matches(&expected("error: unexpected end of input"), &syntax));
}

/// A nested comprehension whose cost exceeds the budget fails with a clear error, and the
/// same expression passes with a budget large enough.
#[test]
fn cost_budget_stops_nested_comprehensions() {
    let none = serde_json::Map::new();
    let expr = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\
                .all(y, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(z, x + y + z > 0)))";
    let mut limits = Limits::default();
    limits.max_eval_cost = 500;
    for checked in [true, false] {
        match evaluate_expression(expr, &none, checked, &limits) {
            ExprOutcome::EvalError(e) => assert_eq!(
                e.message(),
                "limit exceeded: evaluation cost budget of 500 steps",
                "checked: {checked}"
            ),
            other => panic!("expected a cost error, got {}", describe(&other)),
        }
    }
    limits.max_eval_cost = 100_000;
    assert!(matches(&expected("true"), &evaluate_expression(expr, &none, true, &limits)));
    // The default budget (ten million steps) stops an expression of a hundred million steps.
    let huge = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(a, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(b, \
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(c, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(d, \
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(e, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(f, \
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(g, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].all(h, true))))))))";
    let outcome = evaluate_expression(huge, &none, true, &Limits::default());
    assert!(
        matches(&expected("error: limit exceeded: evaluation cost budget of 10000000 steps"), &outcome),
        "{}",
        describe(&outcome)
    );
    // Concatenation pays for what it copies and builds nothing over the value size limit: a
    // value doubled at each of 30 nesting levels (a 64 GiB string, unchecked) stops at 32 MiB,
    // before it is built, instead of exhausting memory.
    let mut doubling = "v30.size()".to_owned();
    for i in (1..=30).rev() {
        doubling = format!("[v{} + v{}].map(v{i}, {doubling})", i - 1, i - 1);
    }
    let doubling = format!("[\"{}\"].map(v0, {doubling})", "a".repeat(64));
    let outcome = evaluate_expression(&doubling, &none, true, &Limits::default());
    assert!(
        matches(
            &expected(
                "error: limit exceeded: a value of 33554432 bytes would be built, more than the 16777216 allowed"
            ),
            &outcome
        ),
        "{}",
        describe(&outcome)
    );
    // Under a larger size limit, the budget stops it.
    let mut roomy = Limits::default();
    roomy.max_value_bytes = usize::MAX;
    let outcome = evaluate_expression(&doubling, &none, true, &roomy);
    assert!(
        matches(&expected("error: limit exceeded: evaluation cost budget of 10000000 steps"), &outcome),
        "{}",
        describe(&outcome)
    );
}

/// Rows `| name | `expr` | `result` |` of the tables headed `| function | example | result |`.
fn reference_examples(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        if !line.starts_with('|') {
            in_table = false;
        } else if cells == ["function", "example", "result"] {
            in_table = true;
        } else if in_table && let [_, example, result] = cells.as_slice() {
            let unquote = |s: &str| s.strip_prefix('`').and_then(|s| s.strip_suffix('`')).map(str::to_owned);
            if let (Some(e), Some(r)) = (unquote(example), unquote(result)) {
                out.push((e, r));
            }
        }
    }
    out
}

#[test]
fn cel_reference_examples_evaluate_to_their_documented_results() {
    let text = include_str!("../docs/reference/cel.md");
    let examples = reference_examples(text);
    assert!(examples.len() >= 18, "only {} examples", examples.len());
    let mut failures = String::new();
    for (expr, want) in &examples {
        for checked in [true, false] {
            let outcome = evaluate_expression(expr, &serde_json::Map::new(), checked, &Limits::default());
            if !matches(&Expected::Value(want), &outcome) {
                let _ = writeln!(
                    failures,
                    "{expr} (checked: {checked}): expected {want}, got {}",
                    describe(&outcome)
                );
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
