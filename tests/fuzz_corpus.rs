//! Replays the fuzzing corpus (`fuzz/corpus/<target>/`) and every input the fuzzer found a
//! crash with (`fuzz/regressions/<target>/`) through the same functions the cargo-fuzz
//! targets call (`faro_core::fuzzing`), under plain `cargo test` on stable Rust: a crash
//! once found stays fixed without nightly or libFuzzer.
//! A stack overflow is not a panic: such an input aborts the whole test binary, which fails
//! as loudly.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use faro_core::fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Files directly under `dir`, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Runs every file of `kind` (`corpus` or `regressions`) through its target; returns how
/// many ran and the ones that panicked.
fn replay(kind: &str) -> (usize, Vec<String>) {
    let mut ran = 0;
    let mut failed = Vec::new();
    for (name, run) in TARGETS {
        for file in files(&fuzz_dir().join(kind).join(name)) {
            let id = format!("{name}/{}", file.file_name().unwrap_or_default().to_string_lossy());
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            ran += 1;
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failed.push(format!("{kind}/{id}"));
            }
        }
    }
    (ran, failed)
}

#[test]
fn every_target_has_a_fuzz_target_file_and_a_seed_corpus() {
    for (name, _) in TARGETS {
        let target = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let source = std::fs::read_to_string(&target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        assert!(source.contains(&format!("fuzzing::{name}(")), "{} must call fuzzing::{name}", target.display());
        assert!(!files(&fuzz_dir().join("corpus").join(name)).is_empty(), "fuzz/corpus/{name} is empty");
    }
}

#[test]
fn the_corpus_replays_without_a_crash() {
    let (ran, failed) = replay("corpus");
    assert!(ran >= TARGETS.len(), "only {ran} corpus files");
    assert!(failed.is_empty(), "these inputs crash: {failed:?}");
}

#[test]
fn found_crashes_stay_fixed() {
    let (_, failed) = replay("regressions");
    assert!(failed.is_empty(), "these inputs crash again: {failed:?}");
}
