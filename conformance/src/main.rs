//! Runs cel-spec conformance test files (`*.textproto`) through changeguard's CEL engine,
//! each runnable case type-checked and unchecked, and prints what passed, failed and was
//! skipped, per file and with the reasons for skipping. See README.md.

mod expected;
mod textproto;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use changeguard::Limits;
use changeguard::cel::{Canonical, Env, Type, Value};

use expected::Skip;
use textproto::{Field, Message};

/// The outcome of one run of a case.
enum Run {
    Pass,
    Fail(String),
}

/// A case of a test file, ready to run.
struct Case {
    label: String,
    expr: String,
    bindings: Vec<(String, Value<'static>)>,
    /// `None`: an error is expected.
    want: Option<Value<'static>>,
    /// Whether the file asks not to type-check it.
    unchecked_only: bool,
}

fn case(file: &str, section: &str, t: &Message) -> Result<Case, Skip> {
    let name = t.text("name").unwrap_or_default();
    let label = format!("{file}/{section}/{name}");
    for option in ["container", "check_only", "disable_macros", "locale"] {
        if t.has(option) {
            return Err(format!("option `{option}`"));
        }
    }
    if t.has("type_env") {
        return Err("option `type_env` (declared types)".to_owned());
    }
    let expr = match t.get("expr") {
        Some(Field::Str(b)) => String::from_utf8(b.clone()).map_err(|_| "an expression that is not UTF-8")?,
        _ => return Err("no expression".to_owned()),
    };
    let mut bindings = Vec::new();
    for b in t.all("bindings") {
        let Field::Message(b) = b else { return Err("malformed binding".to_owned()) };
        let key = b.text("key").ok_or("malformed binding")?;
        let value = b.message("value").ok_or("malformed binding")?;
        bindings.push((key, expected::binding(value)?));
    }
    let want = if t.has("eval_error") {
        None
    } else if t.has("unknown") || t.has("any_eval_errors") || t.has("any_unknowns") {
        return Err("an unknown or alternative result".to_owned());
    } else if let Some(v) = t.message("value") {
        Some(expected::value(v)?)
    } else if let Some(r) = t.message("typed_result").and_then(|r| r.message("result")) {
        Some(expected::value(r)?)
    } else {
        Some(Value::Bool(true))
    };
    let unchecked_only = t.text("disable_check").as_deref() == Some("true");
    Ok(Case { label, expr, bindings, want, unchecked_only })
}

/// Compiles and evaluates `c` (type-checked when `checked`) and compares with what it expects.
fn run(c: &Case, checked: bool) -> Run {
    let mut env = Env::with_limits(Limits::default());
    let mut values = Vec::with_capacity(c.bindings.len());
    for (name, value) in &c.bindings {
        env.declare(name.as_str(), Type::Dyn);
        values.push(value.clone());
    }
    let program = if checked { env.compile(&c.expr) } else { env.compile_unchecked(&c.expr) };
    let result = match program {
        Err(d) => Err(format!("compile error: {}", d.iter().next().map_or_else(String::new, |d| d.message().to_owned()))),
        Ok(p) => p.evaluate(&values).map(|v| v.to_owned_value()).map_err(|e| format!("error: {}", e.message())),
    };
    match (&c.want, result) {
        (None, Err(_)) => Run::Pass,
        (None, Ok(v)) => Run::Fail(format!("expected an error, got {}", Canonical(&v))),
        (Some(_), Err(e)) => Run::Fail(e),
        (Some(w), Ok(v)) if expected::same(&v, w) => Run::Pass,
        (Some(w), Ok(v)) => Run::Fail(format!("got {}, want {}", Canonical(&v), Canonical(w))),
    }
}

/// Counts for one file.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    checked_failed: usize,
    unchecked_failed: usize,
    skipped: BTreeMap<String, usize>,
}

fn run_file(path: &Path, verbose: bool, total: &mut Tally) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file = textproto::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tally = Tally::default();
    for section in file.all("section") {
        let Field::Message(section) = section else { continue };
        let section_name = section.text("name").unwrap_or_default();
        for t in section.all("test") {
            let Field::Message(t) = t else { continue };
            let c = match case(&name, &section_name, t) {
                Ok(c) => c,
                Err(why) => {
                    *tally.skipped.entry(why).or_default() += 1;
                    continue;
                }
            };
            let checked = if c.unchecked_only { Run::Pass } else { run(&c, true) };
            let unchecked = run(&c, false);
            let mut ok = true;
            for (mode, r) in [("checked", &checked), ("unchecked", &unchecked)] {
                if let Run::Fail(why) = r {
                    ok = false;
                    if mode == "checked" {
                        tally.checked_failed += 1;
                    } else {
                        tally.unchecked_failed += 1;
                    }
                    if verbose {
                        println!("FAIL {} ({mode}): {why}\n     expr: {}", c.label, c.expr);
                    }
                }
            }
            if ok {
                tally.passed += 1;
            } else {
                tally.failed += 1;
            }
        }
    }
    let skipped: usize = tally.skipped.values().sum();
    println!(
        "{name:<16} {:>4} passed {:>4} failed ({} checked, {} unchecked) {:>4} skipped",
        tally.passed, tally.failed, tally.checked_failed, tally.unchecked_failed, skipped
    );
    for (why, n) in &tally.skipped {
        println!("{:<16}      skipped {n:>4}: {why}", "");
    }
    total.passed += tally.passed;
    total.failed += tally.failed;
    total.checked_failed += tally.checked_failed;
    total.unchecked_failed += tally.unchecked_failed;
    for (why, n) in tally.skipped {
        *total.skipped.entry(why).or_default() += n;
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose" || a == "-v");
    args.retain(|a| a != "--verbose" && a != "-v");
    let Some((dir, names)) = args.split_first() else {
        eprintln!("usage: changeguard-conformance [--verbose] DIR [NAME…]   (NAME: a file stem, e.g. optionals)");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let mut files: Vec<PathBuf> = if names.is_empty() {
        match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "textproto"))
                .collect(),
            Err(e) => {
                eprintln!("{}: {e}", dir.display());
                return ExitCode::from(2);
            }
        }
    } else {
        names.iter().map(|n| dir.join(format!("{n}.textproto"))).collect()
    };
    files.sort();
    let mut total = Tally::default();
    for f in &files {
        if let Err(e) = run_file(f, verbose, &mut total) {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    let runnable = total.passed + total.failed;
    let skipped: usize = total.skipped.values().sum();
    #[allow(clippy::cast_precision_loss)]
    let percent = if runnable == 0 { 0.0 } else { 100.0 * total.passed as f64 / runnable as f64 };
    println!(
        "total: {} passed, {} failed ({} checked, {} unchecked), {skipped} skipped: {percent:.1}% of {runnable} runnable cases",
        total.passed, total.failed, total.checked_failed, total.unchecked_failed
    );
    if total.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
