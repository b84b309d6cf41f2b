//! The reference in `docs/reference/` (the module docs of `changeguard::policy`, `::input` and
//! `::topology`) cannot go stale: every document it shows after a `<!-- doc-check: … -->`
//! marker is loaded here, and every field its variable tables list is compiled in a policy. The
//! README's policy is checked the same way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::fmt::Write as _;

use changeguard::{Assessment, Change, Context, Policy, Topology};

const POLICY: &str = include_str!("../docs/reference/policy.md");
const EXPRESSIONS: &str = include_str!("../docs/reference/expressions.md");
const DECISION: &str = include_str!("../docs/reference/decision.md");
const ASSESSMENT: &str = include_str!("../docs/reference/assessment.md");
const INPUTS: &str = include_str!("../docs/reference/inputs.md");
const TOPOLOGY: &str = include_str!("../docs/reference/topology.md");
const REPLAY: &str = include_str!("../docs/reference/replay.md");

const README: &str = include_str!("../README.md");

const ALL: [(&str, &str); 8] = [
    ("README.md", README),
    ("policy.md", POLICY),
    ("expressions.md", EXPRESSIONS),
    ("decision.md", DECISION),
    ("assessment.md", ASSESSMENT),
    ("inputs.md", INPUTS),
    ("topology.md", TOPOLOGY),
    ("replay.md", REPLAY),
];

/// What follows a marker: the fenced code block, or the table, right after it.
#[derive(Debug)]
struct Checked {
    file: &'static str,
    kind: String,
    body: String,
}

/// Every `<!-- doc-check: KIND -->` marker with the block or table after it.
fn checked() -> Vec<Checked> {
    let mut out = Vec::new();
    for (file, text) in ALL {
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(kind) = line.trim().strip_prefix("<!-- doc-check:").and_then(|r| r.strip_suffix("-->"))
            else {
                continue;
            };
            let mut body = String::new();
            match lines.next() {
                Some(fence) if fence.starts_with("```") => {
                    for l in lines.by_ref() {
                        if l.starts_with("```") {
                            break;
                        }
                        body.push_str(l);
                        body.push('\n');
                    }
                }
                Some(row) if row.starts_with('|') => {
                    body.push_str(row);
                    body.push('\n');
                    while let Some(l) = lines.next_if(|l| l.starts_with('|')) {
                        body.push_str(l);
                        body.push('\n');
                    }
                }
                other => panic!("{file}: marker `{kind}` is followed by {other:?}, not a block or a table"),
            }
            out.push(Checked { file, kind: kind.trim().to_owned(), body });
        }
    }
    out
}

fn of_kind(kind: &str) -> Vec<Checked> {
    let found: Vec<Checked> = checked().into_iter().filter(|c| c.kind == kind).collect();
    assert!(!found.is_empty(), "no `{kind}` block in the reference");
    found
}

#[test]
fn every_marker_has_a_known_kind() {
    for c in checked() {
        let known = [
            "policy",
            "policy-json",
            "change",
            "context",
            "topology",
            "assessment",
            "record",
            "replay-report",
        ]
        .contains(&c.kind.as_str())
            || c.kind.starts_with("fields ");
        assert!(known, "{}: unknown doc-check kind `{}`", c.file, c.kind);
    }
}

#[test]
fn the_example_policy_loads_without_warnings_and_its_tests_pass() {
    for c in of_kind("policy") {
        let policy = match Policy::from_toml(&c.body) {
            Ok(p) => p,
            Err(d) => panic!(
                "{}: the example policy does not load:\n{}",
                c.file,
                d.render(Some("policy.md"), &c.body)
            ),
        };
        assert!(policy.warnings().is_empty(), "{}: warnings {:?}", c.file, policy.warnings());
        let report = policy.run_tests(&changeguard::policy::TestOptions::default());
        assert!(!report.cases.is_empty(), "{}: the example has tests", c.file);
        for case in &report.cases {
            assert!(case.passed(), "{}: test `{}` fails: {:?}", c.file, case.name, case.mismatches);
        }
        if c.file == "policy.md" {
            // The complete example uses every section.
            assert!(report.cases.len() >= 2 && policy.health().is_some());
        }
    }
}

#[test]
fn the_example_json_policy_loads_and_its_tests_pass() {
    for c in of_kind("policy-json") {
        let policy = Policy::from_json(&c.body)
            .unwrap_or_else(|d| panic!("{}: {}", c.file, d.render(Some("policy.json"), &c.body)));
        let report = policy.run_tests(&changeguard::policy::TestOptions::default());
        assert!(!report.cases.is_empty() && report.all_passed(), "{}: {:?}", c.file, report.cases);
    }
}

#[test]
fn the_example_documents_read_and_round_trip() {
    for c in of_kind("change") {
        let change = Change::from_json(&c.body).unwrap_or_else(|d| panic!("{}: {d:?}", c.file));
        assert_eq!(Change::from_json(&change.to_json_pretty()).unwrap(), change);
    }
    for c in of_kind("context") {
        let context = Context::from_json(&c.body).unwrap_or_else(|d| panic!("{}: {d:?}", c.file));
        assert_eq!(Context::from_json(&context.to_json_pretty()).unwrap(), context);
    }
    for c in of_kind("topology") {
        let topology = Topology::from_json(&c.body).unwrap_or_else(|d| panic!("{}: {d:?}", c.file));
        assert!(!topology.is_empty());
    }
}

/// The example assessment has exactly the fields an assessment has: read as an
/// [`Assessment`] and written back, it is the same JSON (a missing field fails to read, an extra
/// one is not written back).
#[test]
fn the_example_assessment_has_every_field_and_no_other() {
    for c in of_kind("assessment") {
        let shown: serde_json::Value = serde_json::from_str(&c.body).expect("JSON");
        let assessment: Assessment =
            serde_json::from_str(&c.body).unwrap_or_else(|e| panic!("{}: not an assessment: {e}", c.file));
        let written = serde_json::to_value(&assessment).expect("serializes");
        assert_eq!(written, shown, "{}", c.file);
    }
}

/// The expression naming field `name` of the object at `prefix` (`change.services[0]`); a
/// method's parameter gets an argument.
fn field_expr(prefix: &str, name: &str) -> String {
    let name = name.replace("(role)", "(\"sre-lead\")");
    format!("{prefix}.{name}")
}

/// The first cell of each row of a field table, without its backticks (header and rule rows
/// skipped).
fn field_names(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(2)
        .filter_map(|row| row.split('|').nth(1))
        .map(|cell| cell.trim().trim_matches('`').to_owned())
        .collect()
}

#[test]
fn every_documented_field_exists_in_the_policy_environment() {
    let mut rules = String::new();
    let mut count = 0;
    for c in checked().into_iter().filter(|c| c.kind.starts_with("fields ")) {
        let prefix = c.kind.trim_start_matches("fields ").trim();
        for name in field_names(&c.body) {
            let expr = field_expr(prefix, &name);
            let _ = write!(rules, "[[rule]]\nid = \"f{count}\"\nrequire = '[{expr}].size() == 1'\n\n");
            count += 1;
        }
    }
    assert!(count > 80, "{count} fields documented");
    let text = format!("[policy]\nname = \"fields\"\nversion = \"1.0.0\"\n\n{rules}");
    if let Err(d) = Policy::from_toml(&text) {
        panic!("documented fields that do not exist:\n{}", d.render(Some("fields.toml"), &text));
    }
}

/// A field that does not exist makes the check above fail: it is not vacuous.
#[test]
fn a_field_that_does_not_exist_is_caught() {
    let text = format!(
        "[policy]\nname = \"fields\"\nversion = \"1.0.0\"\n\n[[rule]]\nid = \"f\"\nrequire = '[{}].size() == 1'\n",
        field_expr("change", "enviroment")
    );
    assert!(Policy::from_toml(&text).is_err());
}

/// Every top-level key of the policy format has its section in the reference. The keys are
/// the ones the loader accepts: those it lists when it meets a key it does not know.
#[test]
fn every_policy_section_is_documented() {
    let errors = Policy::from_toml("zzzzzzzzzzzz = 1\n").unwrap_err();
    let unknown = errors.iter().find(|d| d.message() == "unknown key `zzzzzzzzzzzz`").unwrap();
    let keys: Vec<&str> = unknown.help().unwrap().split('`').skip(1).step_by(2).collect();
    assert!(keys.contains(&"policy") && keys.contains(&"test_topology"), "{keys:?}");
    for key in keys {
        assert!(POLICY.contains(&format!("| `{key}` |")), "`{key}` is missing from the table of keys");
    }
}

/// The example record reads as a record (format, shape, the change's and context's rules) and
/// has exactly the fields a record has.
#[test]
fn the_example_record_reads_and_has_every_field_and_no_other() {
    use changeguard::replay::DecisionRecord;
    for c in of_kind("record") {
        let record = DecisionRecord::from_json_line(&c.body, &changeguard::Limits::default())
            .unwrap_or_else(|e| panic!("{}: not a record: {e}", c.file));
        let shown: serde_json::Value = serde_json::from_str(&c.body).expect("JSON");
        let written: serde_json::Value = serde_json::from_str(&record.to_json_line()).expect("JSON");
        assert_eq!(written, shown, "{}", c.file);
    }
}

/// The example replay report has exactly the fields a report has.
#[test]
fn the_example_replay_report_has_every_field_and_no_other() {
    use changeguard::replay::ReplayReport;
    for c in of_kind("replay-report") {
        let report =
            ReplayReport::from_json(&c.body).unwrap_or_else(|e| panic!("{}: not a report: {e}", c.file));
        let shown: serde_json::Value = serde_json::from_str(&c.body).expect("JSON");
        assert_eq!(serde_json::to_value(&report).expect("serializes"), shown, "{}", c.file);
    }
}
