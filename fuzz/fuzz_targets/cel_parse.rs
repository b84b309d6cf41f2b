//! Parses arbitrary text as a CEL expression: see `changeguard::fuzzing::cel_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| changeguard::fuzzing::cel_parse(data));
