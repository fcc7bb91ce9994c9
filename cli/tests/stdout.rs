//! `faro` whose standard output goes away: a closed pipe (`faro ... | head`) or a full disk
//! must end the program cleanly, never with a panic (exit 101).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn faro() -> Command {
    Command::new(env!("CARGO_BIN_EXE_faro"))
}

/// A database whose search output is far larger than a pipe's buffer (64 KiB), so `faro`
/// is still writing when the reader has gone.
fn missions_db(dir: &std::path::Path) -> String {
    let db = dir.join("faro.db").display().to_string();
    let csv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/wikidata/diplomatic-missions-wikidata-2022.csv");
    let out = faro().args(["import", "--db", &db, "--format", "missions-csv"]).arg(&csv).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

const SEARCH: [&str; 6] = ["--near", "14.9056,-92.2636", "--limit", "1000", "--json", "--lang=es"];

#[test]
fn a_closed_pipe_ends_quietly_like_unix_tools() {
    let dir = tempfile::tempdir().unwrap();
    let db = missions_db(dir.path());
    let mut child = faro()
        .args(["search", "--db", &db])
        .args(SEARCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `| head` that has read enough
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "stderr: {stderr}");
    assert!(stderr.is_empty(), "nothing to say about a closed pipe: {stderr}");
}

#[test]
fn a_full_disk_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = missions_db(dir.path());
    let full = File::options().write(true).open("/dev/full").unwrap();
    let out = faro().args(["search", "--db", &db]).args(SEARCH).stdout(full).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.starts_with("faro: cannot write the output: No space left on device"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
