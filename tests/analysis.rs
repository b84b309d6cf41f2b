//! Policy analysis (`Policy::analyze`, `Policy::analyze_generated`), data-driven: each policy
//! under `tests/data/bench/analysis/` states the findings it must produce in `# expect:`
//! lines (`kind evidence item line`), and exactly those findings of those kinds are found;
//! `# expect: nothing` means no finding at all.
#![cfg(feature = "proptest")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use changeguard::Policy;
use changeguard::policy::Evidence;
use changeguard::testing::SearchOptions;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bench/analysis");

/// A finding as the `# expect:` lines write it.
fn line_of(f: &changeguard::policy::Finding) -> String {
    let kind = serde_json::to_value(f.kind).unwrap();
    let evidence = if f.evidence == Evidence::Proven { "proven" } else { "observed" };
    format!("{} {evidence} {} {}", kind.as_str().unwrap(), f.item, f.line)
}

#[test]
fn every_fixture_gives_exactly_its_findings() {
    let mut kinds_seen = std::collections::BTreeSet::new();
    let mut files = 0;
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let policy = Policy::from_toml(&text).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
        let analysis = policy.analyze_generated(&SearchOptions::new(256, 0));
        let expected: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# expect: ")).collect();
        let got: Vec<String> = analysis.findings.iter().map(line_of).collect();
        if expected == ["nothing"] {
            assert!(got.is_empty(), "{}: {got:#?}", path.display());
        } else {
            let kinds: Vec<&str> = expected.iter().filter_map(|e| e.split(' ').next()).collect();
            let got: Vec<&String> =
                got.iter().filter(|g| kinds.iter().any(|k| g.split(' ').next() == Some(k))).collect();
            assert_eq!(got, expected, "{}:\n{}", path.display(), analysis.render(None));
            kinds_seen.extend(kinds.iter().map(|k| (*k).to_owned()));
        }
        files += 1;
    }
    assert_eq!(files, 12);
    // Every kind of finding has a fixture.
    assert_eq!(kinds_seen.len(), 12, "{kinds_seen:?}");
}

#[test]
fn without_generated_inputs_only_proven_findings_are_made() {
    let text = std::fs::read_to_string(format!("{DIR}/factor_never_fires.toml")).unwrap();
    let policy = Policy::from_toml(&text).unwrap();
    let analysis = policy.analyze();
    assert_eq!(analysis.inputs, 0);
    assert!(analysis.findings.iter().all(|f| f.evidence == Evidence::Proven));
    assert!(analysis.findings.iter().any(|f| f.item == "risk[dead]"));
    assert!(!analysis.findings.iter().any(|f| f.item == "risk[unlikely]"));
}

#[test]
fn findings_render_with_their_place_severity_and_evidence() {
    let text = std::fs::read_to_string(format!("{DIR}/factor_never_fires.toml")).unwrap();
    let policy = Policy::from_toml(&text).unwrap();
    let analysis = policy.analyze_generated(&SearchOptions::new(64, 7));
    // Analysing again gives the same findings (the inputs come from the seed).
    assert_eq!(policy.analyze_generated(&SearchOptions::new(64, 7)), analysis);
    let out = analysis.render(Some("p.toml"));
    assert!(
        out.contains(
            "p.toml:9:1: warning: risk factor `dead` never fires: its `when` is always false (proven)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("p.toml:14:1: warning: risk factor `unlikely` fired for none of the inputs (observed over 64 generated inputs)\n"),
        "{out}"
    );
    let json = serde_json::to_value(&analysis).unwrap();
    assert_eq!(json["inputs"], 64);
    let first = &json["findings"][0];
    assert_eq!(first["kind"], "factor_never_fires");
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["evidence"], "proven");
    assert_eq!(first["item"], "risk[dead]");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(9), Some(1)));
}

#[test]
fn the_built_in_policy_has_no_proven_finding() {
    let analysis = Policy::well_architected().analyze();
    assert_eq!(analysis.findings, [], "{}", analysis.render(None));
}
