//! Fuzz target `listings_jsonl`: see `faro_core::fuzzing::listings_jsonl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| faro_core::fuzzing::listings_jsonl(data));
