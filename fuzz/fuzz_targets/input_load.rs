//! Fuzz target: see `changeguard::fuzzing::input_load`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| changeguard::fuzzing::input_load(data));
