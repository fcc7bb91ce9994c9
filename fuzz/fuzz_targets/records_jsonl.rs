//! Fuzz target `records_jsonl`: see `faro_core::fuzzing::records_jsonl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::records_jsonl(data));
