//! Every command in README.md, run as written and in order, in a fresh directory: a newcomer
//! copies them one by one, so each must work on the state the ones before it left.
//!
//! The commands run through `bash` with the freshly built `faro` first on the `PATH`, in a
//! temporary directory where `data/` is the repository's data. `http://HOST/` is a real nginx
//! serving the `repo/` the commands published. `cargo run --release --bin faro --` is the
//! same binary as `faro`; `bash scripts/test-all.sh` is the suite that runs this test and is
//! left out.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use faro_tests::support::nginx::Nginx;
use support::{doc_commands, run_doc_command};

#[test]
fn every_readme_command_runs_as_written_in_order() {
    let commands = doc_commands("README.md");
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
        let out = run_doc_command(dir.path(), "README.md", &command);
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
    let status = run_doc_command(dir.path(), "README.md", "faro status --db other.db --json");
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let held: Vec<&str> = status["datasets"].as_array().unwrap().iter().filter_map(|d| d["dataset"].as_str()).collect();
    assert!(held.contains(&"demo/route") && held.contains(&"warnings/demo"), "{status}");
    assert!(dir.path().join("offline/root.key.json").exists() && !dir.path().join("keys/root.key.json").exists());
}
