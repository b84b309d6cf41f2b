//! Compiles and evaluates an expression over JSON bindings: see `changeguard::fuzzing::cel_eval`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| changeguard::fuzzing::cel_eval(data));
