#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! `changeguard assess --record`, `replay` and `diff` (issue 20): the record log, exit
//! statuses, malformed lines, `--strict`, standard input, `--merge` and the report formats.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SHOP: &str = "examples/topology-shop.json";
const CONTEXT: &str = "examples/context.json";
const CHANGES: [&str; 5] = [
    "examples/change-canary-safe.json",
    "examples/change-config-only.json",
    "examples/change-emergency-hotfix.json",
    "examples/change-friday-all-at-once.json",
    "examples/change-irreversible-migration.json",
];

/// Runs the tool in the crate's directory with `stdin` (from a file) as standard input:
/// (exit code, stdout, stderr).
fn cg(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let input = scratch(&format!("stdin-{}", args.join("_").replace(['/', '.'], "")));
    std::fs::write(&input, stdin.unwrap_or_default()).unwrap();
    let Output { status, stdout, stderr } = Command::new(env!("CARGO_BIN_EXE_changeguard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::from(std::fs::File::open(&input).unwrap()))
        .output()
        .unwrap();
    (status.code().unwrap(), String::from_utf8(stdout).unwrap(), String::from_utf8(stderr).unwrap())
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-replay");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// A record log of the five bundled examples, made with `assess --record`.
fn log(name: &str) -> PathBuf {
    let path = scratch(name);
    for change in CHANGES {
        let p = path.to_str().unwrap();
        let (code, ..) = cg(
            &["assess", "--change", change, "--context", CONTEXT, "--topology", SHOP, "--record", p],
            None,
        );
        assert!(matches!(code, 0 | 1 | 3));
    }
    path
}

/// The built-in policy with a stricter `[decision]`.
fn stricter() -> PathBuf {
    let path = scratch("stricter.toml");
    let text = changeguard::policy::WELL_ARCHITECTED_TOML
        .replace("\napproval_at = \"high\"", "\napproval_at = \"medium\"")
        .replace("\ndeny_at = \"critical\"", "\ndeny_at = \"high\"");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn assess_record_appends_one_line_per_decision() {
    let path = log("append.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 5);
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["format"], 1);
        assert_eq!(record["policy"]["name"], "well-architected");
    }
}

#[test]
fn replay_exit_status_follows_fail_on() {
    let records = log("fail-on.jsonl");
    let (r, new) = (records.to_str().unwrap(), stricter());
    let new = new.to_str().unwrap();
    let same = cg(&["replay", "--topology", SHOP, r], None);
    assert_eq!(same.0, 0, "{same:?}");
    assert!(same.1.contains("relaxed: 0, tightened: 0"), "{}", same.1);
    assert_eq!(cg(&["replay", "--policy", new, "--topology", SHOP, r], None).0, 0);
    assert_eq!(cg(&["replay", "--policy", new, "--topology", SHOP, "--fail-on", "tightened", r], None).0, 1);
    assert_eq!(cg(&["replay", "--policy", new, "--topology", SHOP, "--fail-on", "any", r], None).0, 1);
    assert_eq!(cg(&["replay", "--policy", new, "--topology", SHOP, "--fail-on", "none", r], None).0, 0);
    assert_eq!(cg(&["replay", "--policy", "no-such.toml", r], None).0, 2);
}

#[test]
fn replay_reads_standard_input_and_prints_the_json_matrix() {
    let records = std::fs::read(log("stdin.jsonl")).unwrap();
    let (code, out, err) = cg(&["replay", "--topology", SHOP, "--format", "json", "-"], Some(&records));
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = &json["transitions"];
    let diagonal: u64 = ["allow", "needs_approval", "deny"].iter().map(|o| t[o][o].as_u64().unwrap()).sum();
    assert_eq!(diagonal, 5);
    assert_eq!(json["records"], 5);
}

#[test]
fn replay_names_records_of_another_topology() {
    let records = log("topology.jsonl");
    let (code, out, _) = cg(&["replay", records.to_str().unwrap()], None);
    assert_eq!(code, 0);
    assert!(out.contains("5 records were assessed over another topology"), "{out}");
    assert!(out.contains("CHG-2026-0412 ("), "{out}");
}

#[test]
fn malformed_lines_are_reported_and_the_rest_replayed_unless_strict() {
    let good = std::fs::read_to_string(log("malformed-src.jsonl")).unwrap();
    let first = good.lines().next().unwrap();
    let mut text = String::new();
    text.push_str(&first[..first.len() - 40]);
    text.push('\n');
    text.push_str(&first.replacen("\"format\":1", "\"format\":9", 1));
    text.push('\n');
    text.push_str("not json at all\n");
    text.push_str(&good);
    let path = scratch("malformed.jsonl");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    let (code, out, err) = cg(&["replay", "--topology", SHOP, p], None);
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("replayed 5 records"), "{out}");
    assert!(out.contains("malformed lines: 3"), "{out}");
    for (line, kind) in [(1, "truncated"), (2, "unknown_format"), (3, "not_json")] {
        assert!(out.contains(&format!("{p}:{line}: {kind}")), "{out}");
    }
    let (code, out, err) = cg(&["replay", "--strict", "--topology", SHOP, p], None);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains(&format!("{p}:1: truncated")), "{err}");
}

#[test]
fn an_overlong_line_is_skipped_without_being_held() {
    let mut input = vec![b'x'; 1 << 20];
    input.push(b'\n');
    input.extend(std::fs::read(log("long-src.jsonl")).unwrap());
    let (code, out, _) = cg(&["--max-input-bytes", "65536", "replay", "--topology", SHOP, "-"], Some(&input));
    assert_eq!(code, 2);
    assert!(out.contains("replayed 5 records") && out.contains("<stdin>:1: too_long"), "{out}");
}

#[test]
fn merged_reports_equal_the_report_of_the_union() {
    let text = std::fs::read_to_string(log("merge-src.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (a, b, all) = (scratch("a.jsonl"), scratch("b.jsonl"), scratch("all.jsonl"));
    std::fs::write(&a, lines[..2].join("\n")).unwrap();
    std::fs::write(&b, lines[2..].join("\n")).unwrap();
    std::fs::write(&all, lines.join("\n")).unwrap();
    let new = stricter();
    let report = |records: &Path, name: &str| {
        let (_, out, _) = cg(
            &[
                "replay",
                "--policy",
                new.to_str().unwrap(),
                "--topology",
                SHOP,
                "--format",
                "json",
                "--fail-on",
                "none",
                records.to_str().unwrap(),
            ],
            None,
        );
        let path = scratch(name);
        std::fs::write(&path, out.replace("a.jsonl", "X").replace("b.jsonl", "X")).unwrap();
        (path, out)
    };
    let (ra, _) = report(&a, "ra.json");
    let (rb, _) = report(&b, "rb.json");
    let (_, whole) = report(&all, "rall.json");
    let (code, merged, err) = cg(
        &[
            "replay",
            "--merge",
            "--format",
            "json",
            "--fail-on",
            "none",
            ra.to_str().unwrap(),
            rb.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let norm = |s: &str| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        // Line numbers restart in each shard; compare without the places of examples.
        for e in v["examples"].as_array_mut().unwrap() {
            e["at"] = serde_json::Value::Null;
        }
        v
    };
    assert_eq!(norm(&merged), norm(&whole));
}

#[test]
fn diff_prints_the_structural_change_and_says_when_it_found_nothing() {
    let new = stricter();
    let (code, out, _) = cg(
        &["diff", "--generate", "40", "examples/../src/policy/well_architected.toml", new.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 1);
    assert!(out.contains("changed decision.deny_at\n  old: \"critical\"\n  new: \"high\""), "{out}");
    let builtin = "src/policy/well_architected.toml";
    let (code, out, _) = cg(&["diff", "--generate", "25", builtin, builtin], None);
    assert_eq!(code, 0);
    assert!(out.contains("No difference found in 25 generated inputs"), "{out}");
    let records = log("diff.jsonl");
    let (code, out, _) = cg(
        &[
            "diff",
            builtin,
            new.to_str().unwrap(),
            "--generate",
            "0",
            "--format",
            "markdown",
            "--topology",
            SHOP,
            "--records",
            records.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("| decision | `deny_at` | changed |") && out.contains("#### Recorded inputs"),
        "{out}"
    );
}

#[test]
fn threads_count_in_parallel_and_report_in_input_order() {
    // Many runs of lines per chunk, so that each thread counts several reports: examples,
    // malformed lines and the first malformed line under `--strict` are those of input order.
    let good = std::fs::read_to_string(log("order-src.jsonl")).unwrap();
    let mut text = String::new();
    for i in 0..200 {
        for (j, line) in good.lines().enumerate() {
            text.push_str(&line.replacen("\"id\":\"", &format!("\"id\":\"R{i}-{j}-"), 1));
            text.push('\n');
        }
        if i % 37 == 36 {
            text.push_str("not json ");
            text.push_str(&i.to_string());
            text.push('\n');
        }
    }
    let path = scratch("order.jsonl");
    std::fs::write(&path, &text).unwrap();
    let (p, policy) = (path.to_str().unwrap(), stricter());
    let run = |threads: &str, strict: bool| {
        let mut args =
            vec!["replay", "--policy", policy.to_str().unwrap(), "--topology", SHOP, "--format", "json"];
        args.extend(["--examples", "2", "--threads", threads, p]);
        if strict {
            args.push("--strict");
        }
        cg(&args, None)
    };
    let (code, one, _) = run("1", false);
    assert_eq!(code, 2);
    let (_, two, _) = run("2", false);
    assert_eq!(one, two);
    let report = changeguard::replay::ReplayReport::from_json(&two).unwrap();
    assert_eq!(report.records, 1000);
    assert_eq!(report.malformed.count, 5);
    let lines: Vec<u64> = report.malformed.named.iter().map(|m| m.at.line).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    // The examples of a transition are its first records: from the first copy of the log.
    assert!(!report.examples.is_empty());
    for e in &report.examples {
        let first = report.examples.iter().find(|f| (f.from, f.to) == (e.from, e.to)).unwrap();
        assert!(first.change.starts_with("R0-") && first.at.line <= e.at.line, "{:?}", report.examples);
    }
    let (code, out, err) = run("2", true);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains(&format!("{p}:{}: not_json", lines[0])), "{err}");
}
