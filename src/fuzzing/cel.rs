//! CEL: parsing and evaluation.

use serde_json::Value as Json;

use crate::Limits;
use crate::cel::json::from_json;
use crate::cel::{Activation, Budget, Canonical, Env, ExprOutcome, Type, Value, evaluate_expression};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The evaluation cost budget of [`cel_eval`]: small, so that each input runs quickly.
const FUZZ_EVAL_COST: u64 = 20_000;

/// Parses `data` (when it is UTF-8) as one CEL expression with default limits, then renders
/// every diagnostic against the text.
///
/// # Panics
///
/// When parsing panics, or a diagnostic points outside the text.
pub fn cel_parse(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else { return };
    if let Err(diagnostics) = crate::cel::syntax::parse(source, &Limits::default()) {
        assert!(!diagnostics.is_empty(), "a failed parse reports no diagnostic");
        check_diagnostics(&diagnostics, source);
    }
}

/// Compiles and evaluates an expression over JSON bindings, checked and unchecked, and checks
/// that the results agree and that printed values read back as themselves.
///
/// `data` is the expression, optionally followed by a NUL byte and a JSON object of bindings
/// (each bound as a `dyn` variable, as `changeguard expr --bindings` does). Evaluation runs
/// with a small cost budget. The properties checked:
///
/// - every diagnostic points inside the expression text;
/// - an expression that type-checks also compiles unchecked;
/// - when both the checked and the unchecked program evaluate to a value, the two values
///   print the same;
/// - a value printed with [`Canonical`] is CEL text that evaluates to a value printed the same
///   (unless the printed text exceeds a limit, such as the nesting depth of deep bindings);
/// - with typed declarations, writing the value as message text in place gives the text, error
///   and cost of evaluating it and formatting the value (or, when its text is over the value
///   size limit, a size error; when both fail at a limit, possibly another one).
///
/// # Panics
///
/// When the library panics, or one of these properties does not hold.
pub fn cel_eval(data: &[u8]) {
    let (expr, rest) = match data.iter().position(|&b| b == 0) {
        Some(at) => (data.get(..at).unwrap_or_default(), data.get(at + 1..).unwrap_or_default()),
        None => (data, &[][..]),
    };
    let Ok(source) = std::str::from_utf8(expr) else { return };
    let bindings = match serde_json::from_slice::<Json>(rest) {
        Ok(Json::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let limits = Limits { max_eval_cost: FUZZ_EVAL_COST, ..Limits::default() };

    let checked = evaluate_expression(source, &bindings, true, &limits);
    let unchecked = evaluate_expression(source, &bindings, false, &limits);
    for outcome in [&checked, &unchecked] {
        match outcome {
            ExprOutcome::CompileError(d) => check_diagnostics(d.items(), source),
            ExprOutcome::EvalError(e) => {
                assert!(!e.message().is_empty(), "an evaluation error has no message");
            }
            ExprOutcome::Value(v) => round_trip(v),
        }
    }
    if let (ExprOutcome::Value(a), ExprOutcome::Value(b)) = (&checked, &unchecked) {
        let (a, b) = (Canonical(a).to_string(), Canonical(b).to_string());
        assert_eq!(a, b, "`{source}`: the checked and unchecked programs disagree");
    }
    let checks = !matches!(checked, ExprOutcome::CompileError(_));
    let compiles_unchecked = !matches!(unchecked, ExprOutcome::CompileError(_));
    assert!(!checks || compiles_unchecked, "`{source}` type-checks but does not compile unchecked");
    // The same expression with each variable declared with the static type of its value: a
    // program that compiles must give the value that the `dyn` declarations gave.
    let mut env = Env::with_limits(limits);
    let mut values = Vec::with_capacity(bindings.len());
    for (name, value) in &bindings {
        env.declare(name.as_str(), static_type(value));
        values.push(from_json(value));
    }
    match env.compile(source) {
        Err(d) => check_diagnostics(d.items(), source),
        Ok(program) => {
            let typed = program.evaluate(&values);
            if let (Ok(typed), ExprOutcome::Value(dynamic)) = (&typed, &checked) {
                let (a, b) = (Canonical(typed).to_string(), Canonical(dynamic).to_string());
                assert_eq!(a, b, "`{source}`: typed and `dyn` declarations disagree");
            }
            same_text_in_place(source, &program, &values);
        }
    }
}

/// Checks that writing the value as text in place (how messages are rendered) gives the text,
/// the error and the cost that evaluating it and then formatting the value give.
fn same_text_in_place<'a>(source: &str, program: &'a crate::cel::Program, values: &dyn Activation<'a>) {
    let value_budget = Budget::new(FUZZ_EVAL_COST);
    let value = program.evaluate_with(values, &value_budget);
    let text_budget = Budget::new(FUZZ_EVAL_COST);
    let mut text = String::new();
    let written = program.write_text_with(values, &text_budget, &mut text);
    // A small value can have a text over the size limit, which only writing it refuses.
    if let (Ok(v), Err(e)) = (&value, &written)
        && e.kind() == crate::cel::EvalErrorKind::LimitExceeded
    {
        let mut plain = String::new();
        crate::cel::write_plain(v, &mut plain);
        assert!(
            plain.len() > Limits::default().max_value_bytes,
            "`{source}`: writing refused a short text: {e}"
        );
        return;
    }
    assert_eq!(value.is_ok(), written.is_ok(), "`{source}`: evaluating gives {value:?}, writing {written:?}");
    if let Ok(v) = &value {
        let mut plain = String::new();
        crate::cel::write_plain(v, &mut plain);
        assert_eq!(plain, text, "`{source}`: the text written in place differs");
    }
    if let (Err(a), Err(b)) = (&value, &written) {
        if a.kind().is_limit() && b.kind().is_limit() {
            // Writing in place checks the size of the text as it grows, evaluating checks
            // the value once measured: a limit may be reached at another point, or another
            // limit first.
            return;
        }
        assert_eq!(a.to_string(), b.to_string(), "`{source}`: different errors");
    }
    assert_eq!(value_budget.spent(), text_budget.spent(), "`{source}`: different costs");
}

/// Checks that the canonical text of `value` evaluates to a value with the same text.
fn round_trip(value: &Value<'_>) {
    let printed = Canonical(value).to_string();
    let reprinted = match evaluate_expression(&printed, &serde_json::Map::new(), true, &Limits::default()) {
        ExprOutcome::Value(again) => Canonical(&again).to_string(),
        ExprOutcome::CompileError(d) if d.iter().all(|d| d.kind() == DiagnosticKind::LimitExceeded) => return,
        ExprOutcome::CompileError(d) => format!("compile error: {d}"),
        ExprOutcome::EvalError(e) => format!("evaluation error: {e}"),
    };
    assert_eq!(printed, reprinted, "a printed value does not read back as itself");
}

/// The static type a JSON value would be declared with by a host that knows its shape.
fn static_type(json: &Json) -> Type {
    match json {
        Json::Null => Type::Null,
        Json::Bool(_) => Type::Bool,
        Json::Number(n) if n.is_i64() => Type::Int,
        Json::Number(n) if n.is_u64() => Type::Uint,
        Json::Number(_) => Type::Double,
        Json::String(_) => Type::String,
        Json::Array(_) => Type::list(Type::Dyn),
        Json::Object(_) => Type::map(Type::String, Type::Dyn),
    }
}

/// Checks that every diagnostic points inside `source` at character boundaries, and renders
/// it (rendering must not panic either).
pub(crate) fn check_diagnostics(diagnostics: &[Diagnostic], source: &str) {
    for d in diagnostics {
        assert!(!d.message().is_empty(), "a diagnostic has no message");
        if let Some(span) = d.span() {
            let (start, end) = (span.start as usize, span.end as usize);
            assert!(start <= end && end <= source.len(), "span {start}..{end} outside the text: {d}");
            assert!(
                source.is_char_boundary(start) && source.is_char_boundary(end),
                "span {start}..{end} splits a character: {d}"
            );
        }
        let _ = d.render(None, source);
        let _ = d.render(Some("policy.toml"), source);
    }
}
