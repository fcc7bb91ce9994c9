//! Fuzz target `contact`: see `faro_core::fuzzing::contact`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::contact(data));
