//! Spreadsheets from field teams through the real `faro` binary: the sample sheet as CSV and
//! XLSX imports exactly its listings, a bad sheet reports every problem with its sheet, row
//! and column and leaves the database as it was, `--dry-run` writes nothing, and every command
//! of docs/publishing.md runs in order, publishing per-country datasets that a phone syncs
//! from a real nginx on loopback.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use std::path::Path;

use faro_tests::support::nginx::Nginx;
use serde_json::Value;
use support::{data, doc_commands, faro, ok, run_doc_command};

const IDS: [&str; 3] =
    ["demo:sheet-tapachula-legal-01", "demo:sheet-tapachula-health-01", "demo:sheet-guatemala-shelter-01"];

fn p(path: &Path) -> String {
    path.display().to_string()
}

fn show(db: &str, id: &str) -> Value {
    serde_json::from_str(&ok(&["show", "--db", db, "--json", id])).unwrap()
}

#[test]
fn the_sample_sheet_as_csv_xlsx_and_ods_imports_exactly_its_listings() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_db, xlsx_db) = (p(&dir.path().join("csv.db")), p(&dir.path().join("xlsx.db")));
    let out: Value =
        serde_json::from_str(&ok(&["import", "--db", &csv_db, "--json", &data("samples/field-team-demo.csv")]))
            .unwrap();
    assert_eq!((out["dataset"].as_str(), out["inserted"].as_u64()), (Some("local/field-team-demo"), Some(3)), "{out}");
    // The workbook's typed cells (numbers, a date) read as the CSV's text does; the format
    // comes from the extension.
    let out: Value =
        serde_json::from_str(&ok(&["import", "--db", &xlsx_db, "--json", &data("samples/field-team-demo.xlsx")]))
            .unwrap();
    assert_eq!(out["inserted"].as_u64(), Some(3), "{out}");
    // And LibreOffice's OpenDocument, by extension too.
    let ods_db = p(&dir.path().join("ods.db"));
    ok(&["import", "--db", &ods_db, &data("samples/field-team-demo.ods")]);
    for id in IDS {
        assert_eq!(show(&csv_db, id), show(&xlsx_db, id), "{id}");
        assert_eq!(show(&csv_db, id), show(&ods_db, id), "{id}");
    }
    let legal = show(&csv_db, IDS[0]);
    assert_eq!(legal["opening_hours"], "Mo-Fr 09:00-17:00; Sa 09:00-13:00");
    assert_eq!(legal["verified"]["on"], "2026-11-30");
    assert_eq!(legal["phones"].as_array().unwrap().len(), 3);
    assert_eq!(show(&csv_db, IDS[2])["timezone"], "America/Guatemala");
    let count: Value = serde_json::from_str(&ok(&["check", "--db", &csv_db, "--json"])).unwrap();
    assert_eq!(count["listings"], 3);
    // Importing it again changes nothing.
    let again: Value =
        serde_json::from_str(&ok(&["import", "--db", &csv_db, "--json", &data("samples/field-team-demo.csv")]))
            .unwrap();
    assert_eq!(again["unchanged"].as_u64(), Some(3), "{again}");
}

#[test]
fn a_bad_sheet_reports_every_problem_by_sheet_row_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = p(&dir.path().join("a.db"));
    ok(&["import", "--db", &db, &data("samples/field-team-demo.csv")]);
    let listings_before = ok(&["check", "--db", &db, "--json"]);

    let out = faro(&["import", "--db", &db, "--sheet", "Errores (demo)", &data("samples/field-team-demo.xlsx")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    for expected in [
        "field-team-demo.xlsx[Errores (demo)]:1: field J color: \"color\" is not a column",
        "[Errores (demo)]:2: record demo:bad-01: field B kind: \"bakery\" is not a kind",
        "[Errores (demo)]:2: record demo:bad-01: field H hours: hours need a time zone and Mexico has several",
        "[Errores (demo)]:3: record demo:bad-02: field G phones: \"12\" is not a phone number",
        "[Errores (demo)]:3: record demo:bad-02: field H hours: \"a veces\" cannot be read as opening hours",
        "[Errores (demo)]:3: record demo:bad-02: field I free: \"maybe\" is not yes or no",
        // The plausibility checks of a JSON Lines import, located by column.
        "[Errores (demo)]:3: record demo:bad-02: field E lat / F lon: 14.9,92.26 is not in Mexico (MX)",
        "[Errores (demo)]:4: record demo:bad-03: field C name_es: is required",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains("8 problems in 4 records; nothing was imported"), "{err}");
    assert_eq!(ok(&["check", "--db", &db, "--json"]), listings_before);
    assert!(!faro(&["show", "--db", &db, "demo:bad-03"]).status.success());

    // An unknown sheet names the ones there are.
    let out = faro(&["import", "--db", &db, "--sheet", "Nope", &data("samples/field-team-demo.xlsx")]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("has no sheet \"Nope\"; its sheets: Lugares, Errores (demo)"), "{err}");
}

#[test]
fn dry_run_checks_and_prints_but_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never.db");
    let out = ok(&["import", "--db", &p(&db), "--dry-run", &data("samples/field-team-demo.xlsx")]);
    assert!(out.contains("3 listings checked, all importable into dataset local/field-team-demo"), "{out}");
    for id in IDS {
        assert!(out.contains(id), "{out}");
    }
    assert!(!db.exists(), "--dry-run created the database");
    // A bad sheet fails the dry run the same way, and still writes nothing.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id;kind;name_es;lat;lon\ndemo:x;shelter;Casa (demo);14.9;\n").unwrap();
    let out = faro(&["import", "--db", &p(&db), "--dry-run", &p(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.csv:2: record demo:x: field E lon: is empty"));
    assert!(!db.exists());
    // The missions CSV is still told apart by its header, and is no spreadsheet to dry-run.
    let out = faro(&["import", "--db", &p(&db), "--dry-run", &data("wikidata/diplomatic-missions-wikidata-2022.csv")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dry-run checks spreadsheets"));
    assert!(!db.exists());
}

#[test]
fn every_command_of_the_publishing_guide_runs_and_a_phone_syncs_each_country() {
    let commands = doc_commands("docs/publishing.md");
    assert!(commands.len() >= 7, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(faro_tests::data_dir().canonicalize().unwrap(), dir.path().join("data")).unwrap();
    let mut nginx: Option<Nginx> = None;
    let mut outputs = Vec::new();
    for command in &commands {
        let mut command = command.clone();
        if command.contains("HOST") {
            let server = nginx.get_or_insert_with(|| {
                Nginx::serve(&dir.path().join("repo"))
                    .expect("nginx-light is needed to sync from the published repository (scripts/setup-test-deps.sh)")
            });
            command = command.replace("http://HOST/", &server.url(""));
        }
        outputs.push((command.clone(), run_doc_command(dir.path(), "docs/publishing.md", &command)));
    }
    // The dry run wrote nothing; the publish split the sheet by country.
    assert!(!dir.path().join("check.db").exists());
    let publish = &outputs.iter().find(|(c, _)| c.starts_with("faro publish")).unwrap().1;
    assert!(publish.contains("directory/gt") && publish.contains("directory/mx"), "{publish}");
    // Each country's dataset reached the phone, verified, with the sheet's source and licence.
    let status: Value =
        serde_json::from_str(&run_doc_command(dir.path(), "docs/publishing.md", "faro status --db phone.db --json"))
            .unwrap();
    let held: Vec<&str> = status["datasets"].as_array().unwrap().iter().filter_map(|d| d["dataset"].as_str()).collect();
    assert!(held.contains(&"directory/mx") && held.contains(&"directory/gt"), "{status}");
    let db = p(&dir.path().join("phone.db"));
    let shelter = show(&db, IDS[2]);
    assert_eq!(shelter["source"]["license"], "CC0-1.0");
    let mx = faro(&["search", "--db", &db, "--country", "MX", "--json", "--limit", "50"]);
    let mx: Value = serde_json::from_slice(&mx.stdout).unwrap();
    assert_eq!(mx.as_array().unwrap().len(), 2, "{mx}");
    // The signed targets record each dataset's source and licence.
    let targets: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("repo/metadata/1.targets.json")).unwrap())
            .unwrap();
    let text = targets.to_string();
    for cc in ["mx", "gt"] {
        assert!(text.contains(&format!("directory/{cc}")), "{text}");
    }
    assert_eq!(text.matches("Equipo de campo Faro (demo)").count(), 2, "{text}");
    assert_eq!(text.matches("CC0-1.0").count(), 2, "{text}");
    // The guide's search finds the legal aid office first.
    let search = &outputs.iter().find(|(c, _)| c.starts_with("faro search")).unwrap().1;
    assert!(search.contains("Asesoría Legal Frontera Sur (demo)"), "{search}");
}

#[test]
fn publish_refuses_what_it_would_otherwise_ignore() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (p(&dir.path().join("keys")), p(&dir.path().join("repo")));
    ok(&["keygen", "--out", &keys]);
    let sheet = data("samples/field-team-demo.csv");
    let listings = data("demo/listings.jsonl");
    for (args, says) in [
        (vec![sheet.as_str()], "name the dataset phones will subscribe to with --dataset"),
        (vec!["--dataset", "directory", listings.as_str()], "this file names its own in its header"),
        (vec!["--split", "country", listings.as_str()], "--split country splits spreadsheets"),
    ] {
        let mut all = vec!["publish", "--keys", &keys, "--repo", &repo];
        all.extend(args);
        let out = faro(&all);
        assert_eq!(out.status.code(), Some(1), "{all:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{all:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!Path::new(&repo).join("metadata").exists());
    }
}
