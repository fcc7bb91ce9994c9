//! Fuzz target `bundle`: see `faro_core::fuzzing::bundle`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::bundle(data));
