//! Fuzz target `tuf_metadata`: see `faro_core::fuzzing::tuf_metadata`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::tuf_metadata(data));
