//! Fuzz target: see `changeguard::fuzzing::health_judge`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| changeguard::fuzzing::health_judge(data));
