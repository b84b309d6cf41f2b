//! Fuzz target: see `changeguard::fuzzing::respelling`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| changeguard::fuzzing::respelling(data));
