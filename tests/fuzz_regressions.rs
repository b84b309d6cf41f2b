//! Replays the fuzz seeds and every committed crash reproducer through the fuzz target bodies,
//! so that a normal `cargo test` (and CI) runs them without cargo-fuzz.

#![cfg(feature = "fuzzing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for kind in ["seeds", "regressions"] {
        let dir = root.join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        // Dot files (`.gitkeep`) keep empty folders in git; they are not inputs.
        let mut files: Vec<_> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} panicked", file.display());
            count += 1;
        }
    }
    count
}

#[test]
fn cel_parse_inputs() {
    let count = replay("cel_parse", changeguard::fuzzing::cel_parse);
    assert!(count >= 10, "only {count} cel_parse inputs found");
}

#[test]
fn cel_eval_inputs() {
    let count = replay("cel_eval", changeguard::fuzzing::cel_eval);
    assert!(count >= 10, "only {count} cel_eval inputs found");
}

/// Empty input, invalid UTF-8, a missing or invalid JSON part: all accepted quietly.
#[test]
fn fuzz_bodies_accept_anything() {
    for data in [&b""[..], b"\xff\xfe", b"\0\0", b"1 +", b"x\0{\"x\": [[[[1]]]]}", b"x\0not json"] {
        changeguard::fuzzing::cel_parse(data);
        changeguard::fuzzing::cel_eval(data);
    }
}

#[test]
fn policy_load_inputs() {
    let count = replay("policy_load", changeguard::fuzzing::policy_load);
    assert!(count >= 2, "only {count} policy_load inputs found");
}

#[test]
fn input_load_inputs() {
    let count = replay("input_load", changeguard::fuzzing::input_load);
    assert!(count >= 5, "only {count} input_load inputs found");
}

#[test]
fn assess_inputs() {
    let count = replay("assess", changeguard::fuzzing::assess);
    assert!(count >= 10, "only {count} assess inputs found");
}

#[test]
fn respell_inputs() {
    let count = replay("respell", changeguard::fuzzing::respelling);
    assert!(count >= 10, "only {count} respell inputs found");
}

/// The `respell` target driven without cargo-fuzz: a fixed stream of pseudo-random inputs
/// (xorshift from a constant seed), so every run checks the same few thousand cases.
#[test]
fn respell_over_a_fixed_stream_of_inputs() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..1000 {
        let len = (next() % 48) as usize;
        let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let outcome = std::panic::catch_unwind(|| changeguard::fuzzing::respelling(&data));
        assert!(outcome.is_ok(), "respell panicked on {data:?}");
    }
}
