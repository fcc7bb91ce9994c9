//! What the CLI tests share: running the real `faro` binary and finding the repository's
//! data files. Each test file uses what it needs of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

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

/// Runs `faro`, expecting it to fail with exit code 1; returns its standard error.
pub fn fails(args: &[&str]) -> String {
    let out = faro(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "faro {args:?} should fail with 1: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

/// Runs `faro` (with `--json` among `args`) and parses what it printed.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// A path as a command-line argument.
pub fn p(path: &Path) -> String {
    path.display().to_string()
}

/// The path of `rel` under the repository's `data/`.
pub fn data(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data").join(rel).display().to_string()
}

/// The shell commands of the repository's markdown file `doc` (e.g. `README.md`,
/// `docs/publishing.md`), in order: the lines of its ```` ```sh ```` blocks, without
/// comment-only lines.
pub fn doc_commands(doc: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(doc)).unwrap();
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        match (in_sh, line.trim()) {
            (false, "```sh") => in_sh = true,
            (true, "```") => in_sh = false,
            (true, l) if !l.is_empty() && !l.starts_with('#') => commands.push(l.to_string()),
            _ => {}
        }
    }
    commands
}

/// Runs `command` (a line of `doc`) with bash in `dir`, `faro` from this build first on the
/// `PATH`; returns its standard output, failing the test with its standard error if it fails.
pub fn run_doc_command(dir: &Path, doc: &str, command: &str) -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_faro"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{doc} command failed ({}):\n  {command}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
