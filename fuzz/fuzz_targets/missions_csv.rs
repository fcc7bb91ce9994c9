//! Fuzz target `missions_csv`: see `faro_core::fuzzing::missions_csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::missions_csv(data));
