//! Decision records, replay and diff (issue 20): records round-trip, replay agrees with
//! assessing both policies, malformed lines are counted and located, reports merge, and the
//! structural and behavioural diffs find what changed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use changeguard::cel::Timestamp;
use changeguard::policy::{ChangeKind, Section};
use changeguard::replay::{
    self, DecisionRecord, Location, RecordError, RecordErrorKind, ReplayReport, Transitions, compare_all,
    topology_digest,
};
use changeguard::testing::{ChangeStrategy, arb_context};
use changeguard::{Change, Context, Limits, Policy, Topology};
use proptest::prelude::*;

const SHOP: &str = include_str!("../examples/topology-shop.json");
const CONTEXT: &str = include_str!("../examples/context.json");
const CHANGES: [&str; 5] = [
    include_str!("../examples/change-canary-safe.json"),
    include_str!("../examples/change-config-only.json"),
    include_str!("../examples/change-emergency-hotfix.json"),
    include_str!("../examples/change-friday-all-at-once.json"),
    include_str!("../examples/change-irreversible-migration.json"),
];

/// The built-in policy, stricter: approvals from `medium`, denial from `high`, and a new hard
/// rule for staging blue/green rollouts.
fn tightened() -> Policy {
    let text = changeguard::policy::WELL_ARCHITECTED_TOML
        .replace("\napproval_at = \"high\"", "\napproval_at = \"medium\"")
        .replace("\ndeny_at = \"critical\"", "\ndeny_at = \"high\"");
    Policy::from_toml(&text).unwrap()
}

/// The built-in policy with one more hard rule that only staging blue/green changes meet.
fn narrow() -> Policy {
    let text = format!(
        "{}\n[[rule]]\nid = \"staging-blue-green\"\ndescription = \"no blue/green in staging\"\n\
         enforcement = \"hard\"\n\
         when = 'change.canonical_environment == \"staging\" && change.strategy.type == \"blue_green\"'\n\
         require = 'false'\nmessage = \"blue/green is not allowed in staging\"\n",
        changeguard::policy::WELL_ARCHITECTED_TOML
    );
    Policy::from_toml(&text).unwrap()
}

fn at(line: u64) -> Location {
    Location::new("records.jsonl", line)
}

fn record(policy: &Policy, topology: &Topology, change: Change, context: Context) -> DecisionRecord {
    let assessment = policy.assess(&change, topology, &context);
    DecisionRecord::new(
        policy,
        topology_digest(topology),
        change,
        context,
        &assessment,
        Timestamp::UNIX_EPOCH,
    )
}

/// The records of the bundled examples, decided by the built-in policy over the shop.
fn example_lines() -> Vec<String> {
    let policy = Policy::well_architected();
    let topology = Topology::from_json(SHOP).unwrap();
    let context = Context::from_json(CONTEXT).unwrap();
    CHANGES
        .iter()
        .map(|c| record(&policy, &topology, Change::from_json(c).unwrap(), context.clone()).to_json_line())
        .collect()
}

fn read(lines: &[String]) -> Vec<(Location, Result<DecisionRecord, RecordError>)> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| (at(i as u64 + 1), DecisionRecord::from_json_line(l, &Limits::default())))
        .collect()
}

#[test]
fn a_record_line_reads_back_equal() {
    for line in example_lines() {
        assert!(!line.contains('\n'));
        let record = DecisionRecord::from_json_line(&line, &Limits::default()).unwrap();
        assert_eq!(record.to_json_line(), line);
        assert_eq!(record.format, replay::RECORD_FORMAT);
        assert!(record.policy.digest.starts_with("sha256:") && record.policy.digest.len() == 7 + 64);
    }
}

#[test]
fn replaying_with_the_same_policy_changes_nothing() {
    let topology = Topology::from_json(SHOP).unwrap();
    let report = replay::replay(&Policy::well_architected(), &topology, 3, read(&example_lines()));
    assert_eq!(report.records, 5);
    assert_eq!(report.relaxed() + report.tightened(), 0);
    assert!(report.rules.is_empty() && report.factors.is_empty() && report.examples.is_empty());
    assert_eq!(report.score_shifts.get(&0), Some(&5));
    assert_eq!(report.topology_mismatches.count, 0);
}

#[test]
fn a_tightened_policy_shows_in_the_matrix_and_the_examples() {
    let topology = Topology::from_json(SHOP).unwrap();
    let report = replay::replay(&tightened(), &topology, 3, read(&example_lines()));
    assert!(report.tightened() > 0);
    assert_eq!(report.relaxed(), 0);
    let example = &report.examples[0];
    assert!(example.to > example.from);
    assert!(!example.old_reasons.is_empty() && !example.new_reasons.is_empty());
    // The JSON matrix is keyed old, then new, with the assessment's outcome names.
    let json: serde_json::Value = serde_json::from_str(&report.to_json_pretty()).unwrap();
    let from = example.from.as_str();
    let to = example.to.as_str();
    assert!(json["transitions"][from][to].as_u64().unwrap() >= 1);
    assert!(report.to_markdown().contains("| old ↓ / new → | allow | needs_approval | deny |"));
}

#[test]
fn records_over_another_topology_are_counted_and_named() {
    let report = replay::replay(&Policy::well_architected(), &Topology::default(), 3, read(&example_lines()));
    assert_eq!(report.records, 5);
    assert_eq!(report.topology_mismatches.count, 5);
    assert_eq!(report.topology_mismatches.named[0].change, "CHG-2026-0412");
    assert_eq!(report.topology_mismatches.named[0].at, at(1));
}

#[test]
fn malformed_lines_are_counted_and_located_and_the_rest_is_replayed() {
    let mut lines = example_lines();
    let good = lines[0].clone();
    let truncated = good[..good.len() / 2].to_owned();
    let unknown = good.replacen("\"format\":1", "\"format\":2", 1);
    let unknown_shape = r#"{"format": 7, "something": "else"}"#.to_owned();
    let invalid = good.replacen("\"environment\":\"production\"", "\"environment\":\"\"", 1);
    lines.insert(1, truncated);
    lines.insert(3, unknown);
    lines.insert(4, "this is not json".to_owned());
    lines.insert(5, unknown_shape);
    lines.push(invalid);
    let report =
        replay::replay(&Policy::well_architected(), &Topology::from_json(SHOP).unwrap(), 3, read(&lines));
    assert_eq!(report.records, 5);
    assert_eq!(report.malformed.count, 5);
    let found: Vec<(u64, RecordErrorKind)> =
        report.malformed.named.iter().map(|m| (m.at.line, m.kind)).collect();
    assert_eq!(
        found,
        vec![
            (2, RecordErrorKind::Truncated),
            (4, RecordErrorKind::UnknownFormat),
            (5, RecordErrorKind::NotJson),
            (6, RecordErrorKind::UnknownFormat),
            (10, RecordErrorKind::Invalid),
        ]
    );
    assert!(
        report.malformed.named[4].message.contains("change.environment"),
        "{:?}",
        report.malformed.named[4]
    );
    let text = report.to_string();
    assert!(text.contains("records.jsonl:2: truncated"), "{text}");
}

#[test]
fn a_line_over_the_limit_is_too_long() {
    let mut limits = Limits::default();
    limits.max_document_bytes = 10;
    let err = DecisionRecord::from_json_line(&example_lines()[0], &limits).unwrap_err();
    assert_eq!(err.kind(), RecordErrorKind::TooLong);
}

#[test]
fn reports_of_shards_merge_into_the_report_of_the_whole() {
    let mut lines = example_lines();
    lines.extend(example_lines());
    lines.insert(4, "{".to_owned());
    let policy = tightened();
    let topology = Topology::from_json(SHOP).unwrap();
    let whole = replay::replay(&policy, &topology, 1, read(&lines));
    let records = read(&lines);
    let (a, b) = records.split_at(6);
    let mut merged = replay::replay(&policy, &topology, 1, a.to_vec());
    merged.merge(replay::replay(&policy, &topology, 1, b.to_vec())).unwrap();
    assert_eq!(merged, whole);
    // Through JSON, as `changeguard replay --merge` reads them.
    let back = ReplayReport::from_json(&whole.to_json_pretty()).unwrap();
    assert_eq!(back, whole);
    // Another policy does not merge.
    let mut other = replay::replay(&Policy::well_architected(), &topology, 1, read(&lines));
    assert!(other.merge(whole).is_err());
}

#[test]
fn the_structural_diff_names_what_changed_with_old_and_new_text() {
    let old = Policy::well_architected();
    let changes = old.structural_diff(&tightened());
    let names: Vec<_> = changes.iter().map(|c| (c.section, c.name.as_str(), c.change)).collect();
    assert_eq!(
        names,
        vec![
            (Section::Decision, "approval_at", ChangeKind::Changed),
            (Section::Decision, "deny_at", ChangeKind::Changed)
        ]
    );
    assert_eq!(changes[0].old.as_deref(), Some("\"high\""));
    assert_eq!(changes[0].new.as_deref(), Some("\"medium\""));
    let added = old.structural_diff(&narrow());
    assert_eq!(added.len(), 1);
    assert_eq!(
        (added[0].section, added[0].name.as_str(), added[0].change),
        (Section::Rule, "staging-blue-green", ChangeKind::Added)
    );
    assert!(added[0].new.as_deref().unwrap().contains("require = \"false\""));
    let removed = narrow().structural_diff(&old);
    assert_eq!(removed[0].change, ChangeKind::Removed);
}

#[test]
fn layout_and_key_order_are_not_structural_changes() {
    let a = Policy::from_toml(
        "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n[[risk]]\nid = \"f\"\npoints = 10\nwhen = 'change.environment == \"x\"'\nreason = \"r\"\n",
    )
    .unwrap();
    let b = Policy::from_toml(
        "[policy]\nversion = \"1.0.0\"\nname = \"p\"\n\n[[risk]]\nreason = \"r\"\nid = \"f\"\nwhen = \"change.environment == \\\"x\\\"\"\npoints = 10\n",
    )
    .unwrap();
    assert_ne!(a.digest(), b.digest());
    assert!(a.structural_diff(&b).is_empty());
    let c = Policy::from_toml(
        "[policy]\nname = \"p\"\nversion = \"1.0.0\"\n[[risk]]\nid = \"f\"\npoints = 20\nwhen = 'change.environment == \"x\"'\nreason = \"r\"\n",
    )
    .unwrap();
    let diff = a.structural_diff(&c);
    assert_eq!(diff.len(), 1);
    assert_eq!((diff[0].old.as_deref(), diff[0].new.as_deref()), (Some("points = 10"), Some("points = 20")));
}

#[test]
fn the_search_finds_a_narrow_difference_and_shrinks_it() {
    let old = Policy::well_architected();
    let found = replay::search(&old, &narrow(), None, replay::DEFAULT_INPUTS, 0);
    let example = found.example.clone().expect("an example");
    // Staging, by name or by one of its aliases in the policy.
    let staging = ["staging", "stage", "stg", "preprod", "pre-production", "uat"];
    assert!(staging.contains(&example.change.environment.as_str()), "{}", example.change.environment);
    assert_eq!(example.change.strategy.kind, changeguard::input::StrategyType::BlueGreen);
    assert!(example.new.violations.iter().any(|v| v == "staging-blue-green"));
    assert!(!example.old.violations.iter().any(|v| v == "staging-blue-green"));
    assert!(found.summary().starts_with("Generated input "), "{}", found.summary());
    // Shrunk: one service, no approvals or labels left.
    assert_eq!(example.change.services.len(), 1);
    assert!(example.change.labels.is_empty() && example.change.approvals.is_empty());
}

#[test]
fn a_search_that_finds_nothing_says_so_exactly() {
    let old = Policy::well_architected();
    let found = replay::search(&old, &old, None, 50, 7);
    assert!(found.example.is_none());
    assert_eq!(found.summary(), "No difference found in 50 generated inputs");
}

/// Counts the transitions by assessing each input with both policies.
fn expected(old: &Policy, new: &Policy, topology: &Topology, inputs: &[(Change, Context)]) -> Transitions {
    let mut t = Transitions::default();
    for (change, context) in inputs {
        t.add(old.assess(change, topology, context).outcome, new.assess(change, topology, context).outcome);
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Replaying records made by the old policy gives exactly the transitions of assessing each
    /// record's inputs with both policies, and the exact comparison over records agrees.
    #[test]
    fn replay_agrees_with_assessing_both_policies(
        inputs in proptest::collection::vec((ChangeStrategy::default().build(), arb_context()), 1..24)
    ) {
        let old = Policy::well_architected();
        let new = tightened();
        let topology = Topology::from_json(SHOP).unwrap();
        let lines: Vec<String> = inputs
            .iter()
            .map(|(c, x)| record(&old, &topology, c.clone(), x.clone()).to_json_line())
            .collect();
        // The same policy decides the recorded inputs exactly as recorded: the record keeps the
        // inputs as read, so respelt identities and environments canonicalise alike.
        let same = replay::replay(&old, &topology, 2, read(&lines));
        prop_assert!(same.rules.is_empty() && same.factors.is_empty());
        prop_assert_eq!(same.relaxed() + same.tightened(), 0);
        prop_assert_eq!(same.score_shifts.get(&0).copied(), Some(inputs.len() as u64));
        let report = replay::replay(&new, &topology, 2, read(&lines));
        prop_assert_eq!(report.malformed.count, 0);
        prop_assert_eq!(report.records, inputs.len() as u64);
        let want = expected(&old, &new, &topology, &inputs);
        prop_assert_eq!(report.transitions, want);
        let exact = compare_all(&old, &new, &topology, 2, read(&lines));
        prop_assert_eq!(exact.transitions, want);
        let total: u64 = report.transitions.cells().map(|(.., n)| n).sum();
        prop_assert_eq!(total, inputs.len() as u64);
        // The new policy only tightens.
        prop_assert_eq!(report.relaxed(), 0);
    }
}

/// A policy whose texts fail on some inputs (under `fail_closed`): a factor's reason, a soft
/// rule's message, a `let` read by a factor, a rule reading factor reasons through `risk`,
/// an override role and a dry run. What fails there changes the decision.
fn brittle() -> Policy {
    Policy::from_toml(
        r#"[policy]
name = "brittle"
version = "1.0.0"
[decision]
approval_at = "medium"
approval_roles = ["sre-lead"]
[let]
ticket = 'change.labels["ticket"]'
[[risk]]
id = "bundle"
when = 'change.services.size() > 1'
points = 30
reason = "bundle {{ change.services.size() > 2 ? change.labels['ticket'] : 'of two' }}"
[[risk]]
id = "ticketed"
when = 'change.approvals.size() > 1 && ticket == "T-1"'
points = 10
[[rule]]
id = "no-big-bang"
enforcement = "soft"
override_roles = ["sre-lead"]
require = 'change.strategy.type != "all_at_once"'
message = "{{ change.approvals.size() > 0 ? change.labels['ticket'] : 'unreviewed' }}"
[[rule]]
id = "bundle-of-two"
enforcement = "hard"
require = '!risk.factors.exists(f, f.reason.endsWith("of two"))'
[[rule]]
id = "shadow"
enforcement = "hard"
dry_run = true
require = 'change.services.size() == 1'
"#,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Replay decides without the texts of an assessment: record by record, and over all the
    /// records, its report is the one that counting full assessments gives. The records are
    /// made by a policy that never fires, so that each record's report names exactly the new
    /// decision's outcome, score, factors and violations.
    #[test]
    fn replay_counts_exactly_what_full_assessments_count(
        inputs in proptest::collection::vec((ChangeStrategy::default().build(), arb_context()), 1..12)
    ) {
        let silent = Policy::from_toml("[policy]\nname = \"silent\"\nversion = \"1.0.0\"\n").unwrap();
        let topology = Topology::from_json(SHOP).unwrap();
        let lines: Vec<String> = inputs
            .iter()
            .map(|(c, x)| record(&silent, &topology, c.clone(), x.clone()).to_json_line())
            .collect();
        for new in [Policy::well_architected(), tightened(), brittle()] {
            let replayer = replay::Replayer::new(&new, &topology);
            let full = |records: Vec<(Location, Result<DecisionRecord, RecordError>)>| {
                let mut report = replayer.report(2);
                for (at, r) in records {
                    report.add(at, replayer.decide(r.unwrap()));
                }
                report
            };
            for (i, line) in lines.iter().enumerate() {
                let one = std::slice::from_ref(line);
                let fast = replay::replay(&new, &topology, 2, read(one));
                prop_assert_eq!(&fast, &full(read(one)), "record {} with `{}`", i, new.name());
            }
            prop_assert_eq!(replay::replay(&new, &topology, 2, read(&lines)), full(read(&lines)));
        }
    }
}

#[test]
fn the_markdown_assessment_draws_the_blast_radius_capped() {
    let topology = Topology::from_json(SHOP).unwrap();
    let context = Context::from_json(CONTEXT).unwrap();
    let friday = Change::from_json(CHANGES[3]).unwrap();
    let assessment = Policy::well_architected().assess(&friday, &topology, &context);
    let markdown = assessment.to_markdown();
    assert!(markdown.contains("```mermaid\nflowchart LR\n"), "{markdown}");
    assert!(markdown.contains("[\"catalog\"]:::changed") && markdown.contains(":::degraded"));
    assert!(markdown.contains(" -.-> "), "a soft dependency is dashed");
    let b = &assessment.blast_radius;
    let total = b.paths.count();
    let capped = b.to_mermaid(4).unwrap();
    assert_eq!(capped.matches("\"]:::").count(), 4 + 1);
    assert!(capped.contains(&format!("more[\"and {} more\"]", total - 4)), "{capped}");
    // Every arrow joins drawn services.
    for line in capped.lines().filter(|l| l.contains("->")) {
        for id in line.split_whitespace().filter(|w| w.starts_with('s')) {
            assert!(capped.contains(&format!("  {id}[")), "{line}");
        }
    }
    // Nothing to draw without a topology.
    let alone = Policy::well_architected().assess(&friday, &Topology::default(), &context);
    assert!(alone.blast_radius.to_mermaid(10).is_none());
    assert!(!alone.to_markdown().contains("```mermaid"));
}

#[test]
fn a_record_is_read_with_the_rules_of_an_input_document() {
    // A change author who edits a log must not get a looser reading than `assess` gives: a
    // check named twice (a failed one respelt as passed) and an approver whose name is only
    // invisible characters are invalid records, as they are invalid changes.
    let line = &example_lines()[0];
    let checks = "\"checks\":{";
    assert!(line.contains(checks), "{line}");
    let repeated = line.replacen(checks, "\"checks\":{\"build\":\"failed\",\"build\":\"passed\",", 1);
    let err = DecisionRecord::from_json_line(&repeated, &Limits::default()).unwrap_err();
    assert_eq!(err.kind(), RecordErrorKind::Invalid, "{err:?}");
    assert!(err.to_string().contains("duplicate key `build`"), "{err}");

    let author = "\"author\":\"";
    assert!(line.contains(author), "{line}");
    let invisible = {
        let start = line.find(author).unwrap() + author.len();
        let end = start + line[start..].find('"').unwrap();
        format!("{}{}{}", &line[..start], "\\u200b", &line[end..])
    };
    let err = DecisionRecord::from_json_line(&invisible, &Limits::default()).unwrap_err();
    assert_eq!(err.kind(), RecordErrorKind::Invalid, "{err:?}");
}
