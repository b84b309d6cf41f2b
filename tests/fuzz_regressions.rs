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

/// Every target replays its seeds and reproducers without panicking, and finds at least the
/// number of inputs committed for it.
#[test]
fn every_target_replays_its_inputs() {
    type Target = (&'static str, fn(&[u8]), usize);
    let targets: [Target; 8] = [
        ("cel_parse", changeguard::fuzzing::cel_parse, 10),
        ("cel_eval", changeguard::fuzzing::cel_eval, 10),
        ("policy_load", changeguard::fuzzing::policy_load, 2),
        ("input_load", changeguard::fuzzing::input_load, 5),
        ("assess", changeguard::fuzzing::assess, 10),
        ("respell", changeguard::fuzzing::respelling, 10),
        ("health_judge", changeguard::fuzzing::health_judge, 7),
        ("health_stats", changeguard::fuzzing::health_stats, 8),
    ];
    for (target, run, least) in targets {
        let count = replay(target, run);
        assert!(count >= least, "only {count} {target} inputs found");
    }
}

/// Empty input, invalid UTF-8, a missing or invalid JSON part: all accepted quietly.
#[test]
fn fuzz_bodies_accept_anything() {
    for data in [&b""[..], b"\xff\xfe", b"\0\0", b"1 +", b"x\0{\"x\": [[[[1]]]]}", b"x\0not json"] {
        changeguard::fuzzing::cel_parse(data);
        changeguard::fuzzing::cel_eval(data);
        changeguard::fuzzing::health_judge(data);
        changeguard::fuzzing::health_stats(data);
    }
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
