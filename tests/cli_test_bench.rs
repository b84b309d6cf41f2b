#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! `changeguard test` as CI runs it: test files naming their policy, `--format text|json|junit`,
//! `--cases` and `--seed`, the closing `N passed, N failed` line and the exit status.

use std::process::Command;

use quick_xml::events::Event;

const FILE: &str = "tests/data/properties/demo.tests.toml";

fn test(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_changeguard")).arg("test").args(args).output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
}

#[test]
fn a_test_file_runs_against_its_policy_and_prints_a_pasteable_counterexample() {
    let (code, out, err) = test(&[FILE, "--seed", "5"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(&format!("PASS {FILE}: staging is free")), "{out}");
    assert!(
        out.contains("PASS")
            && out.contains("property `a production change without a passed scan is denied`: held")
    );
    assert!(
        out.contains("FAIL")
            && out.contains("property `a production change during a freeze is denied`: failed")
    );
    assert!(out.contains("# replay: changeguard test FILE --seed 5 --cases 256"), "{out}");
    assert!(
        out.contains("[[test]]\nname = \"counterexample to a production change during a freeze is denied\"")
    );
    assert!(out.ends_with("2 passed, 1 failed\n"), "{out}");
    // The same seed replays the same run; `--cases` is obeyed.
    assert_eq!(test(&[FILE, "--seed", "5"]).1, out);
    let (_, few, _) = test(&[FILE, "--seed", "5", "--cases", "3"]);
    assert!(few.contains("of 3 generated inputs"), "{few}");
}

#[test]
fn json_gives_the_counterexample_as_documents() {
    let (code, out, err) = test(&[FILE, "--seed", "5", "--format", "json"]);
    assert_eq!(code, 1);
    assert!(err.ends_with("2 passed, 1 failed\n"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64()), (Some(2), Some(1)));
    let failed = &v["files"][0]["properties"][1];
    assert_eq!(failed["status"], "failed");
    let c = &failed["counterexample"];
    changeguard::Change::from_json(&c["change"].to_string()).unwrap();
    changeguard::Context::from_json(&c["context"].to_string()).unwrap();
    assert_eq!(c["replay"], "--seed 5 --cases 256");
    assert_ne!(c["outcome"], "deny");
}

#[test]
fn junit_is_well_formed_with_a_suite_per_file_and_a_case_per_test_and_property() {
    let (code, out, err) =
        test(&[FILE, "tests/data/properties/demo.toml", "--seed", "5", "--format", "junit"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.ends_with("2 passed, 1 failed\n"), "{err}");
    let mut reader = quick_xml::Reader::from_str(&out);
    let (mut suites, mut cases, mut failures, mut depth) = (0, 0, 0, 0i32);
    let mut failure_text = String::new();
    let mut in_failure = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "testsuites" => depth += 1,
            Event::Start(e) if e.name().as_ref() == "testsuite" => suites += 1,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "testcase" => cases += 1,
            Event::Start(e) if e.name().as_ref() == "failure" => {
                failures += 1;
                in_failure = true;
                let message = e.try_get_attribute("message").unwrap().unwrap();
                assert!(
                    message
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .starts_with("failed after")
                );
            }
            Event::Text(t) if in_failure => failure_text.push_str(&t.into_inner()),
            Event::End(e) if e.name().as_ref() == "failure" => in_failure = false,
            Event::Eof => break,
            _ => {}
        }
    }
    // Two suites (the test file, the policy without tests), three cases, one failure.
    assert_eq!((depth, suites, cases, failures), (1, 2, 3, 1), "{out}");
    assert!(failure_text.contains("[[test]]"), "{failure_text}");
}

#[test]
fn a_file_that_does_not_load_exits_2_and_is_an_error_in_junit() {
    let dir = std::env::temp_dir().join("changeguard-bench-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.tests.toml");
    std::fs::write(&bad, "policy = \"missing.toml\"\n").unwrap();
    let (code, out, err) = test(&[bad.to_str().unwrap(), "--format", "junit"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.toml"), "{err}");
    assert!(out.contains("errors=\"1\"") && out.contains("<error"), "{out}");
}
