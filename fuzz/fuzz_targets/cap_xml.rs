//! Fuzz target `cap_xml`: see `faro_core::fuzzing::cap_xml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::cap_xml(data));
