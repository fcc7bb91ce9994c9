//! Fuzz target `hours`: see `faro_core::fuzzing::hours`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::hours(data));
