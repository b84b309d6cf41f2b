#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! The command-line tool (SPEC §7): `assess`, `check`, `test`, `expr` and `policy default`,
//! their exit statuses, output formats, standard input and error messages.

mod common;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// What a run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_changeguard"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

const POLICY: &str = "tests/data/northwind.toml";
const TOPOLOGY: &str = "tests/data/topology.json";
const CONTEXT: &str = "tests/data/context.json";

fn change(name: &str) -> String {
    format!("tests/data/changes/{name}.json")
}

fn data(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A file under the target's temporary directory, unique per test.
fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn assess(change_name: &str, extra: &[&str]) -> Run {
    let c = change(change_name);
    let mut args =
        vec!["assess", "--policy", POLICY, "--change", &c, "--topology", TOPOLOGY, "--context", CONTEXT];
    args.extend_from_slice(extra);
    run(&args, None)
}

// ------------------------------------------------------------------------------------------
// assess

#[test]
fn assess_exit_status_follows_the_outcome() {
    for (change_name, code, outcome) in [
        ("01-canary-payments", 0, "allow"),
        ("04-failed-check", 1, "deny"),
        ("03-catalog-major-all-at-once", 1, "deny"),
        ("11-cart-budget-exhausted", 3, "needs_approval"),
        ("16-redis-major-high-risk", 3, "needs_approval"),
        ("12-cart-budget-overridden", 0, "allow"),
    ] {
        let r = assess(change_name, &["--format", "json"]);
        assert_eq!(r.code, code, "{change_name}: {r:?}");
        let json: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(json["outcome"], outcome, "{change_name}");
        assert!(r.stderr.is_empty(), "{r:?}");
    }
}

#[test]
fn assess_json_is_the_assessment_with_exactly_the_spec_keys() {
    let r = assess("18-no-rollback-no-ticket", &["--format", "json"]);
    assert_eq!(r.code, 3, "{r:?}");
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, common::ASSESSMENT_KEYS);
    assert_eq!(json["change"], "CHG-18");
    assert_eq!(json["risk"]["score"], 32);
    assert_eq!(json["violations"][1]["rule"], "ticket-reference");
    assert_eq!(json["errors"][0]["rule"], "ticket-reference");
    assert_eq!(json["blast_radius"]["impacted"], serde_json::json!(["api", "checkout", "payments", "web"]));

    // The same document the library produces.
    let policy = changeguard::Policy::from_toml(&data(POLICY)).unwrap();
    let a = policy.assess(
        &changeguard::Change::from_json(&data(&change("18-no-rollback-no-ticket"))).unwrap(),
        &changeguard::Topology::from_json(&data(TOPOLOGY)).unwrap(),
        &changeguard::Context::from_json(&data(CONTEXT)).unwrap(),
    );
    assert_eq!(r.stdout.trim_end(), a.to_json_pretty());
}

#[test]
fn assess_text_is_the_default_format() {
    let r = assess("24-everything-wrong", &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.to_lowercase().contains("deny"), "{r:?}");
    for rule in ["required-checks", "peer-review", "change-freeze"] {
        assert!(r.stdout.contains(rule), "{rule}: {r:?}");
    }
    assert!(serde_json::from_str::<Value>(&r.stdout).is_err());
    let explicit = assess("24-everything-wrong", &["--format", "text"]);
    assert_eq!(explicit.stdout, r.stdout);
}

#[test]
fn assess_markdown_renders_for_a_pull_request() {
    let r = assess("18-no-rollback-no-ticket", &["--format", "markdown"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stdout.lines().any(|l| l.starts_with('#')), "{r:?}");
    assert!(r.stdout.contains("`rollback-plan`"), "{r:?}");
    assert!(r.stdout.contains('|'), "{r:?}");
}

#[test]
fn assess_reads_any_one_input_from_standard_input() {
    let expected = assess("11-cart-budget-exhausted", &["--format", "json"]);
    let c = change("11-cart-budget-exhausted");
    let inputs: [(&[&str], String); 4] = [
        (&["--policy", "-", "--change", &c, "--topology", TOPOLOGY, "--context", CONTEXT], data(POLICY)),
        (&["--policy", POLICY, "--change", "-", "--topology", TOPOLOGY, "--context", CONTEXT], data(&c)),
        (&["--policy", POLICY, "--change", &c, "--topology", "-", "--context", CONTEXT], data(TOPOLOGY)),
        (&["--policy", POLICY, "--change", &c, "--topology", TOPOLOGY, "--context", "-"], data(CONTEXT)),
    ];
    for (args, stdin) in inputs {
        let mut all = vec!["assess"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let r = run(&all, Some(&stdin));
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert_eq!(r.stdout, expected.stdout, "{args:?}");
    }
}

#[test]
fn assess_rejects_two_inputs_from_standard_input() {
    let r = run(&["assess", "--policy", "-", "--change", "-"], Some(""));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("standard input"), "{r:?}");
}

#[test]
fn assess_uses_the_built_in_policy_and_the_clock_when_not_told_otherwise() {
    let c = change("01-canary-payments");
    let r = run(&["assess", "--change", &c, "--format", "json"], None);
    let json: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {r:?}"));
    let expected = match json["outcome"].as_str().unwrap() {
        "allow" => 0,
        "deny" => 1,
        "needs_approval" => 3,
        other => panic!("outcome {other}"),
    };
    assert_eq!(r.code, expected, "{r:?}");
    let built_in = changeguard::Policy::well_architected();
    assert_eq!(json["policy"]["name"], built_in.name());
    assert_eq!(json["policy"]["version"], built_in.version().to_string());
    // Without a topology every service is unknown.
    assert_eq!(json["blast_radius"]["unknown"], serde_json::json!(["payments"]));
}

#[test]
fn assess_reports_bad_documents_with_file_line_and_column() {
    let bad_change = temp_file(
        "bad-change.json",
        "{ \"id\": \"c\", \"environment\": \"production\", \"author\": \"ann\",\n  \"services\": [{ \"name\": \"api\" }], \"enviroment\": 3 }\n",
    );
    let bad_change = bad_change.to_str().unwrap();
    let r = run(&["assess", "--policy", POLICY, "--change", bad_change], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(r.stderr.contains("unknown field `enviroment`"), "{r:?}");
    assert!(r.stderr.contains(&format!("{bad_change}:2:36")), "{r:?}");
    assert!(r.stderr.contains("did you mean `environment`?"), "{r:?}");

    let bad_context = temp_file("bad-context.json", "{\n  \"now\": \"yesterday\"\n}\n");
    let bad_context = bad_context.to_str().unwrap();
    let c = change("01-canary-payments");
    let r = run(&["assess", "--policy", POLICY, "--change", &c, "--context", bad_context], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("invalid timestamp `yesterday`"), "{r:?}");
    assert!(r.stderr.contains(&format!("{bad_context}:2:10")), "{r:?}");

    let bad_policy = temp_file(
        "bad-policy.toml",
        "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n[[rule]]\nid = \"r\"\nrequire = 'change.enviroment == \"x\"'\n",
    );
    let bad_policy = bad_policy.to_str().unwrap();
    let r = run(&["assess", "--policy", bad_policy, "--change", &c], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains(&format!("{bad_policy}:6:19")), "{r:?}");

    let r = run(&["assess", "--policy", POLICY, "--change", "-"], Some("{ \"id\": \"c\",\n \"nope\": 1 }"));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("<stdin>:2:"), "{r:?}");
}

const BAD_TOPOLOGY: &str = "{\n  \"services\": [\n    { \"name\": \"checkout\" },\n    { \"name\": \"checkout\" },\n    { \"name\": \"payments\" }\n  ],\n  \"dependencies\": [\n    { \"from\": \"checkout\", \"to\": \"paymnts\" }\n  ]\n}\n";

#[test]
fn assess_reports_a_bad_topology_naming_the_file_with_line_and_column() {
    let path = temp_file("bad-topology.json", BAD_TOPOLOGY);
    let path = path.to_str().unwrap();
    let c = change("01-canary-payments");
    let r = run(&["assess", "--policy", POLICY, "--change", &c, "--topology", path], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("duplicate service `checkout`"), "{r:?}");
    assert!(r.stderr.contains("unknown service `paymnts`"), "{r:?}");
    assert!(r.stderr.contains("did you mean `payments`?"), "{r:?}");
    assert!(r.stderr.contains(&format!("{path}:4:")), "{r:?}");
    assert!(r.stderr.contains(&format!("{path}:8:")), "{r:?}");
}

#[test]
fn assess_usage_errors_exit_2() {
    let c = change("01-canary-payments");
    for args in [
        vec!["assess"],
        vec!["assess", "--change", &c, "--format", "yaml"],
        vec!["assess", "--change", "tests/data/changes/does-not-exist.json"],
        vec!["assess", "--change", &c, "--bogus"],
        vec!["frobnicate"],
        vec![],
    ] {
        let r = run(&args, None);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(!r.stderr.is_empty(), "{args:?}: {r:?}");
    }
    let r = run(&["assess", "--change", "tests/data/changes/does-not-exist.json"], None);
    assert!(r.stderr.contains("does-not-exist.json"), "{r:?}");
}

#[test]
fn assess_is_deterministic_even_with_a_reordered_topology() {
    let first = assess("24-everything-wrong", &["--format", "json"]);
    let second = assess("24-everything-wrong", &["--format", "json"]);
    assert_eq!(first.stdout, second.stdout);

    let mut doc: Value = serde_json::from_str(&data(TOPOLOGY)).unwrap();
    doc["services"].as_array_mut().unwrap().reverse();
    doc["dependencies"].as_array_mut().unwrap().reverse();
    let shuffled = temp_file("shuffled-topology.json", &serde_json::to_string_pretty(&doc).unwrap());
    let c = change("24-everything-wrong");
    let r = run(
        &[
            "assess",
            "--policy",
            POLICY,
            "--change",
            &c,
            "--topology",
            shuffled.to_str().unwrap(),
            "--context",
            CONTEXT,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(r.stdout, first.stdout);
}

// ------------------------------------------------------------------------------------------
// check

#[test]
fn check_accepts_a_good_policy() {
    let r = run(&["check", POLICY], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains("error"), "{r:?}");
    assert!(!r.stderr.contains("error"), "{r:?}");
}

/// A policy with an unknown enforcement level and an unknown field.
const BAD_POLICY: &str = "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n\n[[rule]]\nid = \"r\"\nenforcement = \"hardd\"\nrequire = 'change.enviroment == \"x\"'\n";

/// A policy with an unused parameter, an unused `let` and a rule that never applies.
const WARN_POLICY: &str = "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n[params]\nunused = 1\n[let]\nspare = 'change.id'\n[[rule]]\nid = \"never\"\nwhen = 'false'\nrequire = 'change.id != \"\"'\n";

/// Runs `check` on a file `name` holding `text`, which exits with `code`: the file's path, the
/// run, and its standard output and error together.
fn check_one(name: &str, text: &str, code: i32) -> (String, Run, String) {
    let path = temp_file(name, text).to_str().unwrap().to_owned();
    let r = run(&["check", &path], None);
    assert_eq!(r.code, code, "{r:?}");
    let all = format!("{}{}", r.stdout, r.stderr);
    (path, r, all)
}

#[test]
fn check_prints_rustc_style_diagnostics_and_exits_2() {
    let (path, r, all) = check_one("check-bad.toml", BAD_POLICY, 2);
    assert_eq!(all.matches("error[").count(), 2, "{r:?}");
    for part in [
        &format!("--> {path}:7:15"),
        &format!("--> {path}:8:19"),
        "8 | require = 'change.enviroment == \"x\"'\n",
        "  |                   ^^^^^^^^^^\n",
        "help: did you mean `environment`?",
        "help: did you mean `hard`?",
        "unknown enforcement level `hardd`",
    ] {
        assert!(all.contains(part), "`{part}` missing: {r:?}");
    }
}

#[test]
fn check_reports_every_file() {
    let bad = temp_file("check-multi-bad.toml", "[policy]\nname = \"p\"\nversion = \"one\"\n");
    let bad = bad.to_str().unwrap();
    let r = run(&["check", POLICY, bad, "tests/data/northwind.json"], None);
    assert_eq!(r.code, 2, "{r:?}");
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains(POLICY), "{r:?}");
    assert!(all.contains("tests/data/northwind.json"), "{r:?}");
    assert!(all.contains(&format!("{bad}:3:11")), "{r:?}");
    let r = run(&["check", POLICY, "tests/data/northwind.json"], None);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn check_shows_warnings_and_still_exits_0() {
    let (path, r, all) = check_one("check-warn.toml", WARN_POLICY, 0);
    assert_eq!(all.matches("warning[").count(), 3, "{r:?}");
    for part in [
        "parameter `unused` is never used",
        "`let` entry `spare` is never used",
        "this rule can never apply",
        &format!("--> {path}:5:1"),
    ] {
        assert!(all.contains(part), "`{part}` missing: {r:?}");
    }
    assert!(!all.contains("error["), "{r:?}");
}

#[test]
fn check_reads_standard_input() {
    let r = run(&["check", "-"], Some(&data(POLICY)));
    assert_eq!(r.code, 0, "{r:?}");
    let r = run(&["check", "-"], Some("[policy]\nname = \"p\"\n"));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(format!("{}{}", r.stdout, r.stderr).contains("missing key `version`"), "{r:?}");
}

#[test]
fn check_without_files_or_with_a_missing_file_exits_2() {
    assert_eq!(run(&["check"], None).code, 2);
    let r = run(&["check", "tests/data/nope.toml"], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("tests/data/nope.toml"), "{r:?}");
}

// ------------------------------------------------------------------------------------------
// test

#[test]
fn test_prints_a_line_per_case_and_a_summary() {
    let r = run(&["test", POLICY], None);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{r:?}");
    for name in [
        "a reviewed canary with everything in place is allowed",
        "self-approval is no review",
        "staging needs nothing",
    ] {
        assert!(lines.iter().any(|l| l.contains(name) && l.contains("PASS")), "{name}: {r:?}");
    }
    assert_eq!(lines[3], "3 passed, 0 failed");
}

const FAILING_TESTS: &str = r#"[policy]
name = "failing"
version = "1.0.0"

[[rule]]
id = "prod-needs-review"
enforcement = "hard"
when = 'change.environment == "production"'
require = 'change.approvers().size() >= 1'

[[test]]
name = "staging passes"
change = { id = "t1", environment = "staging", author = "ann", services = [{ name = "api" }] }
expect = { outcome = "allow", violations = [] }

[[test]]
name = "wrongly expects production to pass"
change = { id = "t2", environment = "production", author = "ann", services = [{ name = "api" }] }
context = { now = "2026-03-02T10:00:00Z" }
expect = { outcome = "allow", violations = [], risk_level = "high" }

[[test]]
name = "impacted through the test topology"
change = { id = "t3", environment = "staging", author = "ann", services = [{ name = "db" }] }
topology = { services = [{ name = "db" }, { name = "api" }], dependencies = [{ from = "api", to = "db" }] }
expect = { outcome = "allow", impacted = ["api", "db"], risk_score = 0 }
"#;

#[test]
fn test_reports_failures_and_exits_1() {
    let path = temp_file("failing-tests.toml", FAILING_TESTS);
    let path = path.to_str().unwrap();
    let r = run(&["test", path], None);
    assert_eq!(r.code, 1, "{r:?}");
    let case_lines: Vec<&str> =
        r.stdout.lines().filter(|l| l.starts_with("PASS") || l.starts_with("FAIL")).collect();
    assert_eq!(case_lines.len(), 3, "{r:?}");
    assert!(case_lines[0].starts_with("PASS") && case_lines[0].contains("staging passes"), "{r:?}");
    assert!(
        case_lines[1].starts_with("FAIL") && case_lines[1].contains("wrongly expects production"),
        "{r:?}"
    );
    assert!(case_lines[2].starts_with("PASS"), "{r:?}");
    assert!(r.stdout.contains("outcome: expected allow, got deny"), "{r:?}");
    assert!(r.stdout.contains("violations: expected [], got [prod-needs-review]"), "{r:?}");
    assert!(r.stdout.contains("risk_level: expected high, got low"), "{r:?}");
    assert_eq!(r.stdout.lines().last(), Some("2 passed, 1 failed"));

    // Several files add up.
    let r = run(&["test", POLICY, path], None);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stdout.lines().last(), Some("5 passed, 1 failed"));
}

#[test]
fn the_library_runs_the_same_tests() {
    let p = changeguard::Policy::from_toml(FAILING_TESTS).unwrap();
    let report = p.run_tests(&changeguard::policy::TestOptions::default());
    let got: Vec<(&str, bool)> = report.cases.iter().map(|c| (c.name.as_str(), c.passed())).collect();
    assert_eq!(
        got,
        [
            ("staging passes", true),
            ("wrongly expects production to pass", false),
            ("impacted through the test topology", true)
        ]
    );
    assert_eq!(report.cases[1].outcome, changeguard::Outcome::Deny);
}

#[test]
fn test_of_an_invalid_policy_reports_it() {
    let path = temp_file("test-invalid.toml", "[policy]\nname = \"p\"\nversion = \"1.0\"\n");
    let r = run(&["test", path.to_str().unwrap()], None);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("is not a semantic version"), "{r:?}");
}

const UNTESTED_RULE: &str = "tests/data/bench/untested_rule.toml";

#[test]
fn test_min_coverage_fails_naming_the_untested_rule_and_its_line() {
    let r = run(&["test", "--min-coverage", "100", UNTESTED_RULE], None);
    assert_eq!(r.code, 1, "{r:?}");
    let name = UNTESTED_RULE;
    assert!(r.stdout.contains(&format!("{name}: coverage: 69% (16 of 23 goals)\n")), "{r:?}");
    assert!(
        r.stdout.contains(&format!("  {name}:21:1: `rule[emergency-ticket]` was never violated\n")),
        "{r:?}"
    );
    assert!(r.stdout.contains(&format!("{name}: coverage 69% is below the minimum of 100%\n")), "{r:?}");
    // Every test passed: only coverage failed.
    assert_eq!(r.stdout.lines().last(), Some("3 passed, 0 failed"), "{r:?}");
    // Without a minimum, coverage is only reported; without `--coverage`, not at all.
    let r = run(&["test", "--coverage", UNTESTED_RULE], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("coverage: 69%"), "{r:?}");
    let r = run(&["test", UNTESTED_RULE], None);
    assert!(!r.stdout.contains("coverage"), "{r:?}");
}

#[test]
fn test_min_coverage_compares_the_truncated_percentage() {
    // 16 of 23 goals is 69.6 %: 69 passes, 70 does not.
    assert_eq!(run(&["test", "--min-coverage", "69", UNTESTED_RULE], None).code, 0);
    let r = run(&["test", "--min-coverage", "70", UNTESTED_RULE], None);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("coverage 69% is below the minimum of 70%"), "{r:?}");
    assert_eq!(run(&["test", "--min-coverage", "101", UNTESTED_RULE], None).code, 2);
}

#[test]
fn test_reports_coverage_when_tests_fail() {
    let path = temp_file("failing-tests-coverage.toml", FAILING_TESTS);
    let path = path.to_str().unwrap();
    let r = run(&["test", "--coverage", path], None);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("FAIL"), "{r:?}");
    assert!(r.stdout.contains(&format!("{path}: coverage: ")), "{r:?}");
    // The production case was assessed: the rule was seen violated.
    assert!(!r.stdout.contains("`rule[prod-needs-review]` was never violated"), "{r:?}");
    assert!(r.stdout.contains("`rule[prod-needs-review]` was never satisfied"), "{r:?}");
}

#[test]
fn check_analyze_prints_findings_in_text_and_json() {
    let file = "tests/data/bench/analysis/factor_never_fires.toml";
    let r = run(&["check", "--analyze", "--cases", "32", file], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(&format!("{file}: ok: policy")), "{r:?}");
    assert!(
        r.stdout.contains(&format!(
            "{file}:9:1: warning: risk factor `dead` never fires: its `when` is always false (proven)"
        )),
        "{r:?}"
    );
    assert!(r.stdout.contains("(observed over 32 generated inputs)"), "{r:?}");
    let r = run(&["check", "--analyze", "--format", "json", "--cases", "32", "--seed", "3", file], None);
    assert_eq!(r.code, 0, "{r:?}");
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json[0]["file"], file);
    assert_eq!(json[0]["inputs"], 32);
    assert_eq!(json[0]["findings"][0]["kind"], "factor_never_fires");
    assert_eq!(json[0]["findings"][0]["evidence"], "proven");
    // Without `--analyze`, no analysis.
    let r = run(&["check", file], None);
    assert!(!r.stdout.contains("never fires"), "{r:?}");
}

// ------------------------------------------------------------------------------------------
// expr

fn expr(args: &[&str]) -> Run {
    let mut all = vec!["expr"];
    all.extend_from_slice(args);
    run(&all, None)
}

#[test]
fn expr_acceptance_examples() {
    for (e, out) in [
        ("[1, 2, 3].map(x, x * 2).filter(y, y > 2)", "[4, 6]\n"),
        (r#"timestamp("2026-03-29T01:30:00Z").getHours("Europe/Paris")"#, "3\n"),
        (r#"semver("1.10.0").isGreaterThan(semver("1.9.3"))"#, "true\n"),
    ] {
        let r = expr(&[e]);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, out, ""), "{e}");
    }
    let r = expr(&["1 / 0"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", "error: division by zero\n"));
}

#[test]
fn expr_prints_values_in_canonical_cel_syntax() {
    for (e, out) in [
        ("-5", "-5"),
        ("5u", "5u"),
        ("1.0", "1.0"),
        ("0.1", "0.1"),
        ("1e100", "1e100"),
        ("2.0 * 3.0", "6.0"),
        (r#"double("NaN")"#, r#"double("NaN")"#),
        ("1.0 / 0.0", r#"double("Infinity")"#),
        ("-1.0 / 0.0", r#"double("-Infinity")"#),
        (r#""a\"b""#, r#""a\"b""#),
        (r#"b"\x00a\xff""#, r#"b"\x00a\xff""#),
        ("null", "null"),
        ("[1, [true, false]]", "[1, [true, false]]"),
        (r#"{"b": 1, "a": 2}"#, r#"{"a": 2, "b": 1}"#),
        ("type(1)", "int"),
        ("type(null)", "null_type"),
        ("type(int)", "type"),
        (r#"type(timestamp("2009-02-13T23:31:30Z"))"#, "google.protobuf.Timestamp"),
        (r#"timestamp("2009-02-13T23:31:30Z")"#, r#"timestamp("2009-02-13T23:31:30Z")"#),
        (r#"timestamp("2009-02-14T00:31:30.250+01:00")"#, r#"timestamp("2009-02-13T23:31:30.25Z")"#),
        (r#"duration("1.5s")"#, r#"duration("1.5s")"#),
        (r#"duration("90m")"#, r#"duration("5400s")"#),
    ] {
        let r = expr(&[e]);
        assert_eq!((r.code, r.stdout.trim_end()), (0, out), "{e}: {r:?}");
    }
}

#[test]
fn expr_syntax_and_type_errors_exit_2_with_a_place() {
    let r = expr(&["1 + "]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(r.stderr.contains("error["), "{r:?}");
    assert!(r.stderr.contains("1:5"), "{r:?}");
    assert!(r.stderr.contains("1 | 1 + \n"), "{r:?}");
    assert!(r.stderr.contains("  |     ^\n"), "{r:?}");

    let r = expr(&["[1,\n 2] * * 3"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("2:7"), "{r:?}");

    let r = expr(&[r#"1 + "a""#]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("no matching overload"), "{r:?}");
    assert!(r.stderr.contains("1:3"), "{r:?}");

    let r = expr(&["nope + 1"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("unknown variable `nope`"), "{r:?}");
}

#[test]
fn expr_evaluation_errors_exit_1() {
    for (e, message) in [
        ("9223372036854775807 + 1", "error: int overflow\n"),
        (r#"{"a": 1}["b"]"#, "error: no such key: \"b\"\n"),
    ] {
        let r = expr(&[e]);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", message), "{e}");
    }
    let r = expr(&["[1, 2][5]"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.starts_with("error: "), "{r:?}");
}

#[test]
fn expr_refuses_to_print_a_value_over_sixteen_mebibytes() {
    // Twenty references to one 1 MiB string: a small value, 20 MiB of text.
    let bindings = temp_file("one-mebibyte.json", &format!("{{\"s\": \"{}\"}}", "a".repeat(1 << 20)));
    let b = bindings.to_str().unwrap();
    let twenty = format!("[{}]", vec!["s"; 20].join(", "));
    let r = expr(&["--bindings", b, &twenty]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "error: the value is too large to print: its text is longer than 16777216 bytes\n");
    // Fifteen of them print.
    let fifteen = format!("[{}]", vec!["s"; 15].join(", "));
    let r = expr(&["--bindings", b, &fifteen]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.len(), 15 * ((1 << 20) + 2) + 2 * 14 + 2 + 1);
}

#[test]
fn check_stops_doubling_lets_at_the_value_size_limit() {
    // 24 `let` entries, each twice the one before: computed while loading, the first over
    // 16 MiB is a load error (exit 2), reported before it is built.
    let mut policy = String::from(
        "[policy]\nname = \"doubling\"\nversion = \"1.0.0\"\n\n[let]\nv0 = '\"abcdefghijklmnop\"'\n",
    );
    for i in 1..=24 {
        writeln!(policy, "v{i} = 'v{} + v{}'", i - 1, i - 1).unwrap();
    }
    policy.push_str("\n[[rule]]\nid = \"big\"\nrequire = 'v24.size() > 0'\n");
    let r = run(&["check", "-"], Some(&policy));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("limit exceeded: a value of 33554432 bytes would be built"), "{r:?}");
}

#[test]
fn expr_binds_json_variables_as_dyn() {
    let bindings = temp_file(
        "bindings.json",
        r#"{ "n": 2, "x": 2.5, "s": "hi", "l": [1, 2], "m": { "k": true }, "nothing": null }"#,
    );
    let b = bindings.to_str().unwrap();
    for (e, out) in [
        ("n + 1", "3"),
        ("type(n)", "int"),
        ("x * 2.0", "5.0"),
        ("type(x)", "double"),
        ("s + \"!\"", "\"hi!\""),
        ("l.map(v, v * 10)", "[10, 20]"),
        ("m.k", "true"),
        ("nothing == null", "true"),
    ] {
        let r = expr(&["--bindings", b, e]);
        assert_eq!((r.code, r.stdout.trim_end()), (0, out), "{e}: {r:?}");
    }
    // Bound variables are `dyn`: a mismatch is found when evaluating, not when checking.
    let r = expr(&["--bindings", b, "n + x"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.starts_with("error: "), "{r:?}");
}

#[test]
fn expr_rejects_bindings_that_are_not_a_json_object() {
    let not_object = temp_file("bindings-list.json", "[1, 2]");
    let r = expr(&["--bindings", not_object.to_str().unwrap(), "1"]);
    assert_eq!(r.code, 2, "{r:?}");
    let invalid = temp_file("bindings-invalid.json", "{ \"a\": ");
    let r = expr(&["--bindings", invalid.to_str().unwrap(), "1"]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn expr_no_check_evaluates_dynamically() {
    // Ill-typed but never evaluated on the wrong branch: the checker refuses, dynamic evaluation does not.
    let e = r#"true ? 1 : "one""#;
    let r = expr(&["--no-check", e]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "1\n"), "{r:?}");
    let r = expr(&["--no-check", r#"1 + "a""#]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.starts_with("error: no matching overload"), "{r:?}");
    let r = expr(&[r#"1 + "a""#]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn expr_reads_the_expression_from_standard_input() {
    let r = run(&["expr", "-"], Some("[1, 2, 3]\n  .map(x, x * 2)\n  .filter(y, y > 2)\n"));
    assert_eq!((r.code, r.stdout.as_str()), (0, "[4, 6]\n"), "{r:?}");
    let r = run(&["expr", "-"], Some("1 +\n  * 2"));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("2:3"), "{r:?}");
}

#[test]
fn expr_accepts_a_double_dash_before_the_expression() {
    let r = expr(&["--", "-5 + 1"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "-4\n"), "{r:?}");
}

// ------------------------------------------------------------------------------------------
// policy default

#[test]
fn policy_default_prints_a_policy_that_check_accepts() {
    let r = run(&["policy", "default"], None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, changeguard::policy::WELL_ARCHITECTED_TOML);
    let checked = run(&["check", "-"], Some(&r.stdout));
    assert_eq!(checked.code, 0, "{checked:?}");
    let tested = run(&["test", "-"], Some(&r.stdout));
    assert_eq!(tested.code, 0, "{tested:?}");
    assert!(tested.stdout.lines().last().unwrap().ends_with(" 0 failed"), "{tested:?}");
}

// ------------------------------------------------------------------------------------------
// input size

/// Runs with `stdin` written from another thread; a write cut short because the tool stopped
/// reading is expected, not an error.
fn run_piped(args: &[&str], stdin: Vec<u8>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_changeguard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn inputs_over_the_size_limit_stop_reading_and_exit_2() {
    let c = change("01-canary-payments");
    let size = data(&c).len();
    // A file one byte over the limit.
    let limit = (size - 1).to_string();
    let r = run(&["assess", "--change", &c, "--max-input-bytes", &limit], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains(&format!("limit exceeded: `{c}` is larger than {limit} bytes")), "{r:?}");
    assert!(r.stderr.contains("--max-input-bytes"), "{r:?}");
    // The flag is global: it may come before the subcommand, and at the size the file reads.
    let exact = size.to_string();
    let r = run(&["--max-input-bytes", &exact, "assess", "--change", &c], None);
    assert!([0, 1, 3].contains(&r.code), "{r:?}");
    // A pipe much longer than the limit: the tool stops after the limit and exits 2.
    let r = run_piped(&["assess", "--change", "-", "--max-input-bytes", "1000"], vec![b' '; 4 << 20]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("limit exceeded: `<stdin>` is larger than 1000 bytes"), "{r:?}");
    // Policies and bindings are bounded too.
    let r = run(&["check", POLICY, "--max-input-bytes", "100"], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("limit exceeded"), "{r:?}");
    let bindings = temp_file("big-bindings.json", &format!("{{\"x\": \"{}\"}}", "y".repeat(200)));
    let r = run(&["expr", "--bindings", bindings.to_str().unwrap(), "--max-input-bytes", "100", "x"], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("limit exceeded"), "{r:?}");
}

#[cfg(unix)]
#[test]
fn an_endless_change_stops_at_the_default_limit() {
    let r = run(&["assess", "--change", "/dev/zero"], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("limit exceeded: `/dev/zero` is larger than 16777216 bytes"), "{r:?}");
}

#[test]
fn an_invisible_approver_is_invalid_input() {
    let text =
        data("examples/change-emergency-hotfix.json").replace(r#""by": "li.wei""#, r#""by": "\u200b""#);
    let file = temp_file("invisible-approver.json", &text);
    let r = run(&["assess", "--change", file.to_str().unwrap()], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("approvals[0].by"), "{r:?}");
    assert!(r.stderr.contains("`by` is empty once invisible characters and whitespace are removed"), "{r:?}");
}
