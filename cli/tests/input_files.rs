//! `faro` against hostile or broken input files (issue 15): every problem is an exit code 1
//! with the file, line and what is wrong, and the database keeps what it had.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn faro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faro")).args(args).output().expect("run faro")
}

fn ok(args: &[&str]) -> String {
    let out = faro(args);
    assert!(out.status.success(), "faro {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs an import that must fail with exit code 1 and leave the database as it was;
/// returns the error message.
fn import_fails(db: &str, file: &Path) -> String {
    let before = ok(&["counts", "--db", db, "--json"]);
    let out = faro(&["import", "--db", db, file.to_str().unwrap()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "import of {} should fail: {err}", file.display());
    assert_eq!(ok(&["counts", "--db", db, "--json"]), before, "nothing was written");
    err
}

fn demo_db(dir: &Path) -> String {
    let db = dir.join("faro.db").display().to_string();
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/demo/listings.jsonl");
    ok(&["import", "--db", &db, demo.to_str().unwrap()]);
    db
}

const HEADER: &str = r#"{"faro":"listings","version":1,"dataset":"demo/route","demo":true}"#;
const RECORD_A: &str = r#"{"id":"demo:new-01","kind":"health","name":{"es":"Nueva (demo)"}}"#;
const RECORD_B: &str = r#"{"id":"demo:new-02","kind":"health","name":{"es":"Otra (demo)"}}"#;

#[test]
fn two_records_on_one_line_are_refused_with_line_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("two.jsonl");
    std::fs::write(&file, format!("{HEADER}\n{RECORD_A}{RECORD_B}\n")).unwrap();
    let err = import_fails(&db, &file);
    assert!(err.contains("two.jsonl:2") && err.contains(&format!("byte offset {}", RECORD_A.len())), "{err}");
}

#[test]
fn a_file_with_cr_line_endings_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("mac.jsonl");
    std::fs::write(&file, format!("{HEADER}\r{RECORD_A}\r{RECORD_B}\r")).unwrap();
    let err = import_fails(&db, &file);
    assert!(err.contains("mac.jsonl:1") && err.contains("CR line endings"), "{err}");
    // The same file with CRLF endings imports.
    std::fs::write(&file, format!("{HEADER}\r\n{RECORD_A}\r\n{RECORD_B}\r\n")).unwrap();
    assert!(ok(&["import", "--db", &db, file.to_str().unwrap()]).contains("2 new"));
}

#[test]
fn a_header_without_records_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("empty.jsonl");
    std::fs::write(&file, format!("{HEADER}\n\n")).unwrap();
    let err = import_fails(&db, &file);
    assert!(err.contains("empty.jsonl:") && err.contains("no records"), "{err}");
}

#[test]
fn a_line_over_the_cap_is_refused_with_its_line_and_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    for (kind, dataset) in [("listings", "demo/route"), ("rights", "rights/x"), ("warnings", "warnings/x")] {
        let file = dir.path().join(format!("{kind}.jsonl"));
        let long = format!("{{\"id\":\"demo:long\",\"note\":\"{}\"}}", "x".repeat(5 << 20));
        std::fs::write(&file, format!("{{\"faro\":\"{kind}\",\"version\":1,\"dataset\":\"{dataset}\"}}\n{long}\n"))
            .unwrap();
        let err = import_fails(&db, &file);
        assert!(err.contains(&format!("{kind}.jsonl:2")) && err.contains("longer than 4194304 bytes"), "{err}");
    }
}
