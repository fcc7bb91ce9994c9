//! What the CLI tests share: running the real `faro` binary and finding the repository's
//! data files. Each test file uses what it needs of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `faro` binary built for these tests.
pub fn faro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faro")).args(args).output().expect("run faro")
}

/// Runs `faro` and returns its standard output; fails the test with its stderr otherwise.
pub fn ok(args: &[&str]) -> String {
    let out = faro(args);
    assert!(out.status.success(), "faro {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The path of `rel` under the repository's `data/`.
pub fn data(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data").join(rel).display().to_string()
}
