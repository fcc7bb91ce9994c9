//! The `faro` binary as a person or a script uses it: exit codes, messages and JSON shapes.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::{data, faro, ok};

fn fails(args: &[&str]) -> String {
    let out = faro(args);
    assert_eq!(out.status.code(), Some(1), "faro {args:?} should fail with 1");
    String::from_utf8(out.stderr).unwrap()
}

fn demo_db(dir: &Path) -> String {
    let db = dir.join("faro.db").display().to_string();
    ok(&["import", "--db", &db, &data("demo/listings.jsonl")]);
    db
}

#[test]
fn hours_json_gives_open_and_next_change() {
    let v: Value = serde_json::from_str(&ok(&[
        "hours",
        "--at",
        "2026-11-27T16:30",
        "--json",
        "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
    ]))
    .unwrap();
    assert_eq!(v["open"], Value::Bool(true));
    // RFC 3339 with the offset of --tz (UTC by default), and the local wall-clock time.
    assert_eq!(v["next_change"], "2026-11-27T17:00:00+00:00");
    assert_eq!(v["next_change_local"], "2026-11-27T17:00");
    let v: Value =
        serde_json::from_str(&ok(&["hours", "--at", "2026-11-27T18:00", "--json", "Mo-Fr 09:00-17:00"])).unwrap();
    assert_eq!(v["open"], Value::Bool(false));
    assert_eq!(v["next_change"], "2026-11-30T09:00:00+00:00", "Friday evening: opens Monday");
    let v: Value = serde_json::from_str(&ok(&["hours", "--at", "2026-11-27T18:00", "--json", "24/7"])).unwrap();
    assert_eq!(v["open"], Value::Bool(true));
    assert_eq!(v["next_change"], Value::Null);
}

#[test]
fn malformed_hours_are_a_clear_error() {
    let err = fails(&["hours", "--json", "Mo-Fx 08:00-12:00"]);
    assert!(err.contains("Mo-Fx") && err.contains("character"), "{err}");
}

#[test]
fn search_json_has_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = ok(&[
        "search",
        "--db",
        &db,
        "juridica",
        "--near",
        "14.9056,-92.2636",
        "--lang",
        "ht,fr,es,en",
        "--open-at",
        "2026-11-25T11:00",
        "--json",
    ]);
    let hits: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(!hits.is_empty());
    for h in &hits {
        for field in ["id", "kind", "name", "distance_m", "open", "next_change"] {
            assert!(h.get(field).is_some(), "{field} missing in {h}");
        }
        assert_eq!(h["open"], Value::Bool(true));
        assert!(h["next_change"].as_str().unwrap().starts_with("2026-11-25T"));
    }
    let d: Vec<f64> = hits.iter().map(|h| h["distance_m"].as_f64().unwrap()).collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn search_without_hours_reports_null_not_closed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let hits: Vec<Value> = serde_json::from_str(&ok(&["search", "--db", &db, "--limit", "200", "--json"])).unwrap();
    assert!(hits.iter().any(|h| h["open"].is_null()), "listings without hours say null");
}

#[test]
fn missions_import_reports_every_skipped_row_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db").display().to_string();
    let out = ok(&[
        "import",
        "--db",
        &db,
        "--format",
        "missions-csv",
        "--json",
        &data("wikidata/diplomatic-missions-wikidata-2022.csv"),
    ]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let inserted = report["inserted"].as_u64().unwrap();
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(inserted + rejected.len() as u64, 9852, "every row imported or reported");
    assert!(rejected.iter().all(|r| r["line"].as_u64().is_some_and(|l| l >= 2) && r["reason"].is_string()));
    // Importing again changes nothing.
    let again: Value = serde_json::from_str(&ok(&[
        "import",
        "--db",
        &db,
        "--json",
        &data("wikidata/diplomatic-missions-wikidata-2022.csv"),
    ]))
    .unwrap();
    assert_eq!(again["unchanged"].as_u64(), Some(inserted));
    let shown = ok(&["show", "--db", &db, "wd:Q111669561"]);
    assert!(shown.contains("Honduras (HN)"), "{shown}");
}

#[test]
fn a_bad_listings_file_names_line_and_field_and_keeps_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = ok(&["counts", "--db", &db, "--json"]);
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        concat!(
            r#"{"faro":"listings","version":1,"dataset":"demo/route","demo":true}"#,
            "\n",
            r#"{"id":"demo:new-01","kind":"health","name":{"es":"Nueva (demo)"}}"#,
            "\n",
            r#"{"id":"demo:new-02","kind":"health","name":{"es":"Otra (demo)"},"location":{"lat":14.9,"lon":-292.0}}"#,
            "\n"
        ),
    )
    .unwrap();
    let err = fails(&["import", "--db", &db, bad.to_str().unwrap()]);
    assert!(err.contains("bad.jsonl:3: record demo:new-02: field location.lon"), "{err}");
    assert_eq!(ok(&["counts", "--db", &db, "--json"]), before, "nothing was written");
}

#[test]
fn refuses_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.db");
    std::fs::write(&path, b"\x89PNG not a database").unwrap();
    let err = fails(&["search", "--db", path.to_str().unwrap(), "x"]);
    assert!(err.contains("damaged or not a Faro database"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"\x89PNG not a database");
    let err = fails(&["search", "--db", dir.path().join("missing.db").to_str().unwrap(), "x"]);
    assert!(err.contains("no such database"), "{err}");
}

#[test]
fn show_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let text = ok(&["show", "--db", &db, "--lang", "ht,fr,es", "demo:tapachula-legal-01"]);
    assert!(text.contains("DONE DEMONSTRASYON"), "the demo mark, in the asked language: {text}");
    let record: Value = serde_json::from_str(&ok(&["show", "--db", &db, "--json", "demo:tapachula-legal-01"])).unwrap();
    assert_eq!(record["kind"], "legal_aid");
    let err = fails(&["show", "--db", &db, "demo:none"]);
    assert!(err.contains("no listing with id"), "{err}");
    let counts: Vec<Value> = serde_json::from_str(&ok(&["counts", "--db", &db, "--country", "GT", "--json"])).unwrap();
    assert_eq!(counts.len(), 4);
    assert!(counts.iter().map(|c| c["count"].as_u64().unwrap()).sum::<u64>() >= 5);
}

#[test]
fn demo_answers_its_questions() {
    let out = ok(&["demo", "--at", "2026-11-25T10:30"]);
    for expect in [
        "Legal aid open now near Tapachula",
        "Embassy of Honduras in Mexico City",
        "Free health services within 5 km",
        "DEMO",
    ] {
        assert!(out.contains(expect), "demo output lacks {expect:?}:\n{out}");
    }
}

#[test]
fn demo_json_gives_every_question_with_its_answers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").display().to_string();
    let out = ok(&["demo", "--at", "2026-11-25T10:30", "--db", &db, "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: nothing but JSON:\n{out}"));
    assert_eq!((doc["database"].as_str(), doc["database_kept"].as_bool()), (Some(db.as_str()), Some(true)));
    assert!(doc["datasets"]["wikidata/missions"].as_u64().unwrap() > 8000, "{}", doc["datasets"]);
    let questions = doc["questions"].as_array().unwrap();
    assert!(questions.len() >= 10, "{questions:?}");
    for q in questions {
        assert!(!q["answers"].as_array().unwrap().is_empty(), "no answer recorded for {}", q["question"]);
    }
    let asked = |start: &str| {
        questions
            .iter()
            .find(|q| q["question"].as_str().unwrap().starts_with(start))
            .unwrap_or_else(|| panic!("no question {start:?}"))
    };
    // Search answers are `faro search --json` hits; the minors question's hits all take minors.
    let honduras = &asked("Nearest consulate of Honduras")["answers"][0];
    assert!(honduras[0]["name"].as_str().unwrap().contains("Honduras"), "{honduras}");
    for hit in asked("Shelters near Tijuana for unaccompanied minors")["answers"][0].as_array().unwrap() {
        assert!(hit["serves"].as_array().unwrap().contains(&"unaccompanied_minors".into()), "{hit}");
    }
    // Contact answers are `faro check-contact --json` objects.
    let scam = &asked("And this WhatsApp link")["answers"][0];
    assert_eq!(scam["verdict"], "warning", "{scam}");
}

#[test]
fn warnings_name_the_real_places_with_their_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let args = |db: &str| {
        ["warnings", "--db", db, "--near", "14.9056,-92.2636", "--at", "2026-12-01T12:00:00Z"]
            .map(str::to_string)
            .to_vec()
    };
    // Without the listings (another region), the id says what is missing.
    let bare = dir.path().join("bare.db").display().to_string();
    ok(&["import", "--db", &bare, &data("demo/warnings.jsonl")]);
    let out = ok(&args(&bare).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.contains("demo:tapachula-legal-01 (not in the regions on this phone)"), "{out}");
    let db = demo_db(dir.path());
    ok(&["import", "--db", &db, &data("demo/warnings.jsonl")]);
    let out = ok(&args(&db).iter().map(String::as_str).collect::<Vec<_>>());
    let line = out.lines().find(|l| l.contains("Asesoría Jurídica Puente Sur")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("Tapachula") && line.contains("puentesur@example.org"), "{line}");
    assert!(line.contains("@demo_puentesur (facebook)"), "{line}");
    assert!(!out.contains("Real places instead: demo:"), "{out}");
}

/// Runs `faro` without the power to override file permissions: as root (tests often run as
/// root in containers), through `setpriv` dropping the capabilities that bypass them.
fn faro_without_override(args: &[&str]) -> Output {
    use std::os::unix::fs::MetadataExt;
    // A file this process creates is owned by its effective user.
    let probe = tempfile::NamedTempFile::new().unwrap();
    if probe.as_file().metadata().unwrap().uid() != 0 {
        return faro(args);
    }
    Command::new("setpriv")
        .args(["--bounding-set=-dac_override,-dac_read_search,-fowner", "--", env!("CARGO_BIN_EXE_faro")])
        .args(args)
        .output()
        .expect("setpriv is needed to drop root's override of file permissions")
}

/// Makes `path` read-only (0444 for a file, 0555 for a directory) until dropped.
struct ReadOnly(Vec<(PathBuf, u32)>);

impl ReadOnly {
    fn new(paths: &[(&Path, u32)]) -> ReadOnly {
        use std::os::unix::fs::PermissionsExt;
        let mut saved = Vec::new();
        for (p, mode) in paths {
            let old = std::fs::metadata(p).unwrap().permissions().mode();
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(*mode)).unwrap();
            saved.push((p.to_path_buf(), old));
        }
        ReadOnly(saved)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        for (p, mode) in self.0.iter().rev() {
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(*mode));
        }
    }
}

#[test]
fn query_commands_work_on_a_read_only_file_in_a_read_only_directory() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ro");
    std::fs::create_dir(&folder).unwrap();
    let db = demo_db(&folder);
    ok(&["import", "--db", &db, &data("demo/warnings.jsonl")]);
    ok(&["import", "--db", &db, &data("demo/rights.jsonl")]);
    let before = std::fs::read(&db).unwrap();
    assert!(!folder.join("faro.db-wal").exists(), "a clean close leaves no write-ahead log");
    let _guard = ReadOnly::new(&[(Path::new(&db), 0o444), (&folder, 0o555)]);
    let queries: [&[&str]; 9] = [
        &["search", "--db", &db, "juridica", "--json"],
        &["show", "--db", &db, "demo:tapachula-legal-01"],
        &["counts", "--db", &db, "--json"],
        &["check", "--db", &db],
        &["status", "--db", &db, "--json"],
        &["rights", "--db", &db, "asilo"],
        &["warnings", "--db", &db, "--near", "14.9056,-92.2636", "--at", "2026-12-01T12:00:00Z"],
        &["check-contact", "--db", &db, "+52 962 000 0000"],
        &["search", "--db", &db, "--near", "14.9056,-92.2636", "--kind", "shelter"],
    ];
    for args in queries {
        let out = faro_without_override(args);
        assert!(out.status.success(), "faro {args:?} on a read-only file: {}", String::from_utf8_lossy(&out.stderr));
    }
    let hits: Vec<Value> =
        serde_json::from_slice(&faro_without_override(&["search", "--db", &db, "juridica", "--json"]).stdout).unwrap();
    assert!(!hits.is_empty());
    // Writing still needs write access, and says so.
    let out = faro_without_override(&["import", "--db", &db, &data("demo/listings.jsonl")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing wrote to the file");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "no -wal or -shm file was left");
}

#[test]
fn a_read_only_query_on_an_older_schema_says_to_open_it_for_writing_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let current: i64 = {
        let c = rusqlite::Connection::open(&db).unwrap();
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        // An older build's version number: the steps since then are all additive.
        c.pragma_update(None, "user_version", v - 1).unwrap();
        v
    };
    let before = std::fs::read(&db).unwrap();
    let err = fails(&["search", "--db", &db, "juridica"]);
    assert!(err.contains(&format!("schema version {} is older", current - 1)), "{err}");
    assert!(err.contains("open it once with write access"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "left untouched");
}

#[test]
fn a_query_answers_at_once_while_another_process_holds_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE; UPDATE datasets SET imported_at = 'pending';").unwrap();
    // The write is held for the whole query, and longer than the 5 s busy timeout.
    let start = std::time::Instant::now();
    let out = faro(&["search", "--db", &db, "juridica", "--json"]);
    let took = start.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(took < std::time::Duration::from_secs(3), "the query waited {took:?} for the writer");
    let hits: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!hits.is_empty());
    for args in
        [&["counts", "--db", &db][..], &["status", "--db", &db], &["show", "--db", &db, "demo:tapachula-legal-01"]]
    {
        let start = std::time::Instant::now();
        let out = faro(args);
        assert!(out.status.success(), "faro {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(start.elapsed() < std::time::Duration::from_secs(3), "faro {args:?} waited for the writer");
    }
    std::thread::sleep(std::time::Duration::from_secs(5).saturating_sub(start.elapsed()));
    writer.execute_batch("COMMIT").unwrap();
}

// Hostile or broken input files (issue 15): exit code 1 with file, line and what is wrong,
// and the database keeps what it had.

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

const INPUT_HEADER: &str = r#"{"faro":"listings","version":1,"dataset":"demo/route","demo":true}"#;
const RECORD_A: &str = r#"{"id":"demo:new-01","kind":"health","name":{"es":"Nueva (demo)"}}"#;
const RECORD_B: &str = r#"{"id":"demo:new-02","kind":"health","name":{"es":"Otra (demo)"}}"#;

#[test]
fn two_records_on_one_line_are_refused_with_line_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("two.jsonl");
    std::fs::write(&file, format!("{INPUT_HEADER}\n{RECORD_A}{RECORD_B}\n")).unwrap();
    let err = import_fails(&db, &file);
    assert!(err.contains("two.jsonl:2") && err.contains(&format!("byte offset {}", RECORD_A.len())), "{err}");
}

#[test]
fn a_file_with_cr_line_endings_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("mac.jsonl");
    std::fs::write(&file, format!("{INPUT_HEADER}\r{RECORD_A}\r{RECORD_B}\r")).unwrap();
    let err = import_fails(&db, &file);
    assert!(err.contains("mac.jsonl:1") && err.contains("CR line endings"), "{err}");
    // The same file with CRLF endings imports.
    std::fs::write(&file, format!("{INPUT_HEADER}\r\n{RECORD_A}\r\n{RECORD_B}\r\n")).unwrap();
    assert!(ok(&["import", "--db", &db, file.to_str().unwrap()]).contains("2 new"));
}

#[test]
fn a_header_without_records_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("empty.jsonl");
    std::fs::write(&file, format!("{INPUT_HEADER}\n\n")).unwrap();
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

/// Runs `faro args` with standard output going to `stdout`; returns exit code and stderr.
fn run_with_stdout(args: &[&str], stdout: std::process::Stdio, close_early: bool) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_faro"))
        .args(args)
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run faro");
    if close_early {
        // The reader goes away before faro writes, as `| head` does after its lines.
        drop(child.stdout.take());
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_closed_or_full_stdout_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    for args in [&["search", "--db", &db, "--json", "clinica"][..], &["counts", "--db", &db][..]] {
        let (code, err) = run_with_stdout(args, std::process::Stdio::piped(), true);
        assert_eq!((code, err.as_str()), (Some(141), ""), "faro {args:?} | head: quiet, like Unix tools");
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let (code, err) = run_with_stdout(args, full.into(), false);
        assert_eq!(code, Some(1), "faro {args:?} > /dev/full: {err}");
        assert!(err.contains("cannot write the output") && !err.contains("panicked"), "{err}");
    }
}

/// A minimal CAP 1.2 alert with this identifier.
fn cap_alert(identifier: &str) -> String {
    format!(
        r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>{identifier}</identifier>
        <sender>alertas@example.org</sender><sent>2026-11-27T16:00:00-06:00</sent><status>Actual</status>
        <msgType>Alert</msgType><scope>Public</scope><info><language>es</language><event>scam</event>
        <headline>Falso consulado (demo)</headline><area><areaDesc>MX</areaDesc>
        <geocode><valueName>ISO3166-1</valueName><value>MX</value></geocode></area></info></alert>"#
    )
}

#[test]
fn cap_identifiers_differing_only_in_accents_give_two_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, out) = (dir.path().join("a.xml"), dir.path().join("b.xml"), dir.path().join("w.jsonl"));
    std::fs::write(&a, cap_alert("alerta-año")).unwrap();
    std::fs::write(&b, cap_alert("alerta-aüo")).unwrap();
    ok(&["cap", "import", a.to_str().unwrap(), b.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let db = dir.path().join("faro.db").display().to_string();
    let report = ok(&["import", "--db", &db, out.to_str().unwrap()]);
    assert!(report.contains("2 new"), "{report}");
}

#[test]
fn deeply_nested_cap_xml_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.xml");
    std::fs::write(&deep, format!("<alert>{}{}</alert>", "<a>".repeat(200_000), "</a>".repeat(200_000))).unwrap();
    let out = dir.path().join("w.jsonl");
    let err = fails(&["cap", "import", deep.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(err.contains("deep.xml: elements nested more than 16 deep at byte 52"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn impossible_dates_in_opening_hours_are_refused_at_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("hours.jsonl");
    let record = r#"{"id":"demo:new-01","kind":"health","name":{"es":"Nueva (demo)"},"opening_hours":"Mo-Fr 09:00-17:00; Apr 31 off","timezone":"America/Mexico_City"}"#;
    std::fs::write(&file, format!("{INPUT_HEADER}\n{record}\n")).unwrap();
    let err = import_fails(&db, &file);
    assert!(err.contains("hours.jsonl:2: record demo:new-01: field opening_hours"), "{err}");
    assert!(err.contains("April 31 is not a date"), "{err}");
    let err = fails(&["hours", "Jun 31 10:00-11:00"]);
    assert!(err.contains("June 31 is not a date"), "{err}");
}

#[test]
fn a_text_over_its_length_limit_is_refused_at_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("long.jsonl");
    let description = "a".repeat(5_001);
    let record = format!(
        r#"{{"id":"demo:new-01","kind":"health","name":{{"es":"Nueva (demo)"}},"description":{{"es":"{description}"}}}}"#
    );
    std::fs::write(&file, format!("{INPUT_HEADER}\n{record}\n")).unwrap();
    let err = import_fails(&db, &file);
    assert!(
        err.contains(
            "long.jsonl:2: record demo:new-01: field description.es: is 5001 characters long, the limit is 5000"
        ),
        "{err}"
    );
}

/// Options may follow the positional input, several contacts are checked one by one, and
/// the unquoted pieces of one phone number are still one number.
#[test]
fn check_contact_takes_options_anywhere_and_checks_each_contact() {
    let v: Value = serde_json::from_str(&ok(&["check-contact", "https://example.org/a", "--json"])).unwrap();
    assert_eq!(v["input"], "https://example.org/a", "--json is an option, not part of the contact: {v}");
    let v: Value = serde_json::from_str(&ok(&[
        "check-contact",
        "--region",
        "MX",
        "--json",
        "ayuda@example.org",
        "+52 962 555 0199",
    ]))
    .unwrap();
    let inputs: Vec<&str> = v.as_array().unwrap().iter().map(|c| c["input"].as_str().unwrap()).collect();
    assert_eq!(inputs, ["ayuda@example.org", "+52 962 555 0199"]);
    let v: Value =
        serde_json::from_str(&ok(&["check-contact", "--json", "+52", "962", "555", "0199", "--region", "MX"])).unwrap();
    assert_eq!((v["input"].as_str(), v["normalized"].as_str()), (Some("+52 962 555 0199"), Some("+529625550199")));
}

/// `--json` is there for every command that prints something a script may read.
#[test]
fn check_keygen_and_the_other_commands_take_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let v: Value = serde_json::from_str(&ok(&["check", "--db", &db, "--json"])).unwrap();
    assert_eq!((v["ok"].as_bool(), v["listings"].as_u64()), (Some(true), Some(73)), "{v}");
    let keys = dir.path().join("keys").display().to_string();
    let v: Value = serde_json::from_str(&ok(&["keygen", "--out", &keys, "--json"])).unwrap();
    let roles: Vec<&str> = v["keys"].as_array().unwrap().iter().map(|k| k["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["root", "targets", "snapshot", "timestamp", "warnings", "warnings"]);
    assert!(v["keys"].as_array().unwrap().iter().all(|k| k["keyid"].as_str().is_some_and(|id| id.len() == 64)));
}

/// `faro import` takes several files, and a bad one stops there, saying what came in before.
#[test]
fn import_takes_several_files_of_any_kind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faro.db").display().to_string();
    let v = ok(&[
        "import",
        "--db",
        &db,
        &data("demo/listings.jsonl"),
        &data("demo/rights.jsonl"),
        &data("demo/warnings.jsonl"),
    ]);
    for d in ["demo/route", "rights/all", "warnings/demo"] {
        assert!(v.contains(d), "{d} imported: {v}");
    }
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"faro\":\"listings\",\"version\":1,\"dataset\":\"local/x\"}\n{\"id\":\"x:1\",\"kind\":\"bakery\"}\n",
    )
    .unwrap();
    let err = fails(&["import", "--db", &db, &data("demo/listings.jsonl"), &bad.display().to_string()]);
    assert!(err.contains("bad.jsonl:2") && err.contains("imported before the error"), "{err}");
    let err = fails(&[
        "import",
        "--db",
        &db,
        "--dataset",
        "local/y",
        &data("demo/listings.jsonl"),
        &data("demo/rights.jsonl"),
    ]);
    assert!(err.contains("--dataset names one dataset"), "{err}");
}
