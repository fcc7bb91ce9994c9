//! Every command in README.md, run as written and in order, in a fresh directory: a newcomer
//! copies them one by one, so each must work on the state the ones before it left.
//!
//! The commands run through `bash` with the freshly built `faro` first on the `PATH`, in a
//! temporary directory where `data/` is the repository's data. `http://HOST/` is a real nginx
//! serving the `repo/` the commands published. `cargo run --release --bin faro --` is the
//! same binary as `faro`; `bash scripts/test-all.sh` is the suite that runs this test and is
//! left out.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::{Path, PathBuf};
use std::process::Command;

use faro_tests::support::nginx::Nginx;

/// The README's shell commands, in order: the lines of its ```` ```sh ```` blocks, without
/// comment-only lines.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        match (in_sh, line.trim()) {
            (false, "```sh") => in_sh = true,
            (true, "```") => in_sh = false,
            (true, l) if !l.is_empty() && !l.starts_with('#') => commands.push(l.to_string()),
            _ => {}
        }
    }
    commands
}

/// Runs `command` with bash in `dir`, `faro` from this build first on the `PATH`; returns
/// its standard output, failing the test with its standard error if it fails.
fn run(dir: &Path, command: &str) -> String {
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
        "README command failed ({}):\n  {command}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn every_readme_command_runs_as_written_in_order() {
    let commands = readme_commands();
    assert!(commands.len() >= 20, "the README's commands were not found: {commands:?}");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(faro_tests::data_dir().canonicalize().unwrap(), dir.path().join("data")).unwrap();
    let mut nginx: Option<Nginx> = None;
    let mut outputs = Vec::new();
    for command in &commands {
        if command == "bash scripts/test-all.sh" {
            continue;
        }
        let mut command = command.replace("cargo run --release --bin faro -- ", "faro ");
        if command.contains("HOST") {
            let server = nginx.get_or_insert_with(|| {
                Nginx::serve(&dir.path().join("repo"))
                    .expect("nginx-light is needed to run the README's sync commands (scripts/setup-test-deps.sh)")
            });
            command = command.replace("http://HOST/", &server.url(""));
        }
        let out = run(dir.path(), &command);
        outputs.push((command, out));
    }

    // The query commands answer something: the README never shows a command that finds nothing.
    let output = |prefix: &str| -> &str {
        &outputs.iter().find(|(c, _)| c.starts_with(prefix)).unwrap_or_else(|| panic!("no `{prefix}` in README")).1
    };
    for query in ["faro search", "faro show", "faro counts", "faro rights", "faro warnings", "faro check-contact"] {
        for (command, out) in outputs.iter().filter(|(c, _)| c.starts_with(query)) {
            assert!(out.lines().count() >= 2, "`{command}` printed almost nothing:\n{out}");
        }
    }
    let search: serde_json::Value = serde_json::from_str(output("faro search --db faro.db --near 31.72")).unwrap();
    assert!(!search.as_array().unwrap().is_empty(), "no consulate of Honduras near Ciudad Juárez");
    // A country named in words finds that country's missions (issue 12 item 4).
    let named = output("faro search --db faro.db embajada de honduras");
    assert!(named.lines().next().unwrap_or("").contains("Honduras"), "{named}");
    // 16 November 2026 is Revolution Day in Mexico: `PH off` with --country MX is closed.
    assert!(output("faro hours").starts_with("closed"), "{}", output("faro hours"));
    // The bundle brought the data, and the URL sync after it kept it: both datasets are held.
    let status = run(dir.path(), "faro status --db other.db --json");
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let held: Vec<&str> = status["datasets"].as_array().unwrap().iter().filter_map(|d| d["dataset"].as_str()).collect();
    assert!(held.contains(&"demo/route") && held.contains(&"warnings/demo"), "{status}");
    assert!(dir.path().join("offline/root.key.json").exists() && !dir.path().join("keys/root.key.json").exists());
}
