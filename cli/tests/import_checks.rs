//! Bad data no longer gets in silently (issue 12 items 7 and 8), through the real binary:
//! every implausible record of a file reported in one run with its line, record and field,
//! nothing written; `--replace` deletes what a newer file no longer has, plain import never.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use std::path::Path;

use serde_json::Value;
use support::{data, faro, ok};

fn write(dir: &Path, name: &str, lines: &[&str]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.display().to_string()
}

const HEADER: &str = r#"{"faro":"listings","version":1,"dataset":"demo/checks","demo":true}"#;

/// The records of the issue, one problem each, after a good one (line 2).
const GOOD: &str = r#"{"id":"demo:ok-01","kind":"shelter","name":{"es":"Casa buena (demo)"},"location":{"lat":14.9056,"lon":-92.2631},"address":{"country":"MX"},"timezone":"America/Mexico_City","languages":["es"]}"#;
/// A Tijuana shelter on Mexico City's clock, two hours off.
const TIJUANA: &str = r#"{"id":"demo:tijuana-01","kind":"shelter","name":{"es":"Casa Tijuana (demo)"},"location":{"lat":32.5149,"lon":-117.0382},"address":{"locality":"Tijuana","country":"MX"},"timezone":"America/Mexico_City","opening_hours":"24/7"}"#;
/// A Mexican listing whose longitude lost its minus sign (92.26 is in India).
const LON: &str = r#"{"id":"demo:tapachula-01","kind":"legal_aid","name":{"es":"Asesoría (demo)"},"location":{"lat":14.9056,"lon":92.26},"address":{"country":"MX"}}"#;
/// Language names where tags belong.
const LANGS: &str = r#"{"id":"demo:langs-01","kind":"health","name":{"es":"Clínica (demo)"},"address":{"country":"MX"},"languages":["es","kreyol","english"]}"#;
/// A Guatemalan number (8 digits) in a Mexican listing: without a country code, and with
/// the listing's +52 put in front.
const GT_PHONE: &str = r#"{"id":"demo:phone-01","kind":"health","name":{"es":"Clínica (demo)"},"address":{"country":"MX"},"phones":[{"number":"24111900","kind":"voice"},{"number":"+5224111900","kind":"voice"}]}"#;

#[test]
fn every_problem_of_every_record_in_one_run_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faro.db").display().to_string();
    ok(&["import", "--db", &db, &data("demo/listings.jsonl")]);
    let before = ok(&["counts", "--db", &db, "--json"]);
    let file = write(dir.path(), "bad.jsonl", &[HEADER, GOOD, TIJUANA, LON, LANGS, GT_PHONE]);

    let out = faro(&["import", "--db", &db, &file]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    // Each problem on its own line, with file, line, record and field.
    let expect = [
        (":3", "demo:tijuana-01", "timezone", "America/Tijuana"),
        (":4", "demo:tapachula-01", "location", "did you mean -92.26?"),
        (":5", "demo:langs-01", "languages[1]", "use ht"),
        (":5", "demo:langs-01", "languages[2]", "use en"),
        (":6", "demo:phone-01", "phones[0].number", "not a valid number in Mexico (MX)"),
        (":6", "demo:phone-01", "phones[1].number", "+52 numbering plan"),
    ];
    for (line, record, field, what) in expect {
        assert!(
            err.lines().any(|l| l.contains(&format!("bad.jsonl{line}"))
                && l.contains(record)
                && l.contains(&format!("field {field}"))
                && l.contains(what)),
            "no line for {record} {field} ({what}) in:\n{err}"
        );
    }
    assert!(!err.contains("demo:ok-01"), "the good record has no problem:\n{err}");
    assert_eq!(ok(&["counts", "--db", &db, "--json"]), before, "nothing was written, not even the good record");

    // Fixed, the same file imports.
    let fixed = [
        HEADER,
        GOOD,
        &TIJUANA.replace("America/Mexico_City", "America/Tijuana"),
        &LON.replace("92.26", "-92.26"),
        &LANGS.replace(r#""kreyol","english""#, r#""ht","en""#),
        &GT_PHONE.replace(r#""24111900""#, r#""+50224111900""#).replace("+5224111900", "+525552115747"),
    ];
    let file = write(dir.path(), "fixed.jsonl", &fixed);
    assert!(ok(&["import", "--db", &db, &file]).contains("5 new"));
}

#[test]
fn replace_deletes_what_the_newer_file_no_longer_has() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faro.db").display().to_string();
    ok(&["import", "--db", &db, &data("demo/listings.jsonl")]);
    let a = r#"{"id":"demo:r-01","kind":"health","name":{"es":"Uno (demo)"}}"#;
    let b = r#"{"id":"demo:r-02","kind":"health","name":{"es":"Dos (demo)"}}"#;
    let c = r#"{"id":"demo:r-03","kind":"health","name":{"es":"Tres (demo)"}}"#;
    let old = write(dir.path(), "old.jsonl", &[HEADER, a, b]);
    let new = write(dir.path(), "new.jsonl", &[HEADER, b, c]);
    let demo_count = |db: &str| -> u64 {
        let v: Value = serde_json::from_str(&ok(&["counts", "--db", db, "--json"])).unwrap();
        v.as_array().unwrap().iter().map(|k| k["count"].as_u64().unwrap()).sum()
    };
    let demo = demo_count(&db);
    ok(&["import", "--db", &db, &old]);

    // Without --replace an import only adds and updates: r-01 stays.
    ok(&["import", "--db", &db, &new]);
    assert_eq!(demo_count(&db), demo + 3);
    assert!(faro(&["show", "--db", &db, "demo:r-01"]).status.success());

    // With --replace the dataset holds exactly the file: r-01 goes, other datasets stay.
    let v: Value = serde_json::from_str(&ok(&["import", "--db", &db, "--replace", "--json", &new])).unwrap();
    assert_eq!((v["deleted"].as_u64(), v["unchanged"].as_u64()), (Some(1), Some(2)), "{v}");
    assert_eq!(demo_count(&db), demo + 2);
    assert!(!faro(&["show", "--db", &db, "demo:r-01"]).status.success());
    let human = ok(&["import", "--db", &db, "--replace", &old]);
    assert!(human.contains("1 listings deleted"), "{human}");

    // A bad file deletes nothing.
    let bad = write(dir.path(), "bad.jsonl", &[HEADER, LANGS]);
    let before = ok(&["counts", "--db", &db, "--json"]);
    assert_eq!(faro(&["import", "--db", &db, "--replace", &bad]).status.code(), Some(1));
    assert_eq!(ok(&["counts", "--db", &db, "--json"]), before);

    // Rights and warnings have no --replace: refused before anything is read.
    let out = faro(&["import", "--db", &db, "--replace", &new, &data("demo/rights.jsonl")]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("rights file"), "{err}");
    assert_eq!(ok(&["counts", "--db", &db, "--json"]), before);
}

#[test]
fn implausible_mission_rows_are_set_aside_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db").display().to_string();
    let out = faro(&["import", "--db", &db, "--json", &data("wikidata/diplomatic-missions-wikidata-2022.csv")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8(out.stderr).unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let set_aside = v["set_aside"].as_u64().unwrap();
    assert!((1..200).contains(&set_aside), "{set_aside} rows set aside");
    assert!(err.contains(&format!("{set_aside} of 9852 rows set aside")), "{err}");
    let implausible: Vec<&Value> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reason"].as_str().is_some_and(|r| r.starts_with("implausible: ")))
        .collect();
    assert_eq!(implausible.len() as u64, set_aside);
    assert!(implausible.iter().all(|r| r["line"].as_u64().is_some() && r["record"].is_string()));
}
