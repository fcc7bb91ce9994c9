//! The asked language, through the real binary (issue 12 items 5 and 6): rights articles and
//! warnings in one language each, fallback parts marked; the interface's fixed words in
//! the person's language; unknown language codes refused; the demo content complete in
//! the five languages.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The languages the demo content and the CLI must speak.
const LANGS: [&str; 5] = ["es", "en", "fr", "ht", "pt"];

fn faro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faro")).args(args).output().expect("run faro")
}

fn ok(args: &[&str]) -> String {
    let out = faro(args);
    assert!(out.status.success(), "faro {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data").join(rel)
}

/// A database with the demo listings, rights and warnings.
fn demo_db(dir: &Path) -> String {
    let db = dir.join("faro.db").display().to_string();
    for f in ["demo/listings.jsonl", "demo/rights.jsonl", "demo/warnings.jsonl"] {
        ok(&["import", "--db", &db, &data(f).display().to_string()]);
    }
    db
}

const WARNINGS_HERE: [&str; 6] = ["--near", "14.9056,-92.2636", "--country", "MX", "--at", "2026-12-01T12:00:00Z"];
/// Every demo warning in force then.
const WARNINGS_ALL: [&str; 2] = ["--at", "2026-12-01T12:00:00Z"];

/// English fixed words the CLI printed whatever the language asked for.
const ENGLISH: [&str; 21] = [
    "open until",
    "closed",
    "opens",
    "hours unknown",
    "Sources:",
    "Applies in",
    "reviewed",
    "all countries",
    "not reviewed by lawyers",
    "Signs:",
    "Real places instead",
    "Issued by",
    "verified:",
    "LOCAL IMPORT",
    "no results",
    "here",
    "severe",
    "extreme",
    "scam",
    "impersonation",
    "No rights article",
];

fn assert_no_english(out: &str, what: &str) {
    for word in ENGLISH {
        assert!(!out.contains(word), "{what} --lang ht prints the English {word:?}:\n{out}");
    }
}

#[test]
fn haitian_creole_output_has_no_english_fixed_words() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let rights = ok(&["rights", "--db", &db, "--lang", "ht", "--country", "MX"]);
    assert!(rights.contains("Sous:") && rights.contains("Aplike nan:"), "{rights}");
    assert_no_english(&rights, "rights");
    let warnings = ok(&[&["warnings", "--db", &db, "--lang", "ht"][..], &WARNINGS_HERE].concat());
    assert!(warnings.contains("Siy:") && warnings.contains("isit la"), "{warnings}");
    assert_no_english(&warnings, "warnings");
    let search =
        ok(&["search", "--db", &db, "--lang", "ht", "--near", "14.9056,-92.2636", "--open-at", "2026-11-25T11:00"]);
    assert!(search.contains("ouvè jiska") && search.contains("ENPÒTASYON LOKAL"), "{search}");
    assert_no_english(&search, "search");
    let contact = ok(&["check-contact", "--db", &db, "--lang", "ht", "--region", "MX", "+52 962 000 0000"]);
    assert!(contact.contains("PA VERIFYE") && !contact.contains("NOT VERIFIED"), "{contact}");
    let contact = ok(&["check-contact", "--db", &db, "--lang", "ht", "https://wa.me/12015550143"]);
    assert!(contact.contains("ALÈT") && !contact.contains("WARNING"), "{contact}");
    let none = ok(&["search", "--db", &db, "--lang", "ht", "zzzzqqq"]);
    assert_eq!(none.trim(), "(pa gen rezilta)");
    // JSON keys and enum values stay English for scripts.
    let json: Vec<Value> =
        serde_json::from_str(&ok(&[&["warnings", "--db", &db, "--lang", "ht", "--json"][..], &WARNINGS_HERE].concat()))
            .unwrap();
    assert!(json.iter().any(|w| w["kind"] == "impersonation"), "{json:?}");
    // Without --lang the interface stays English.
    assert!(ok(&["search", "--db", &db, "zzzzqqq"]).contains("(no results)"));
}

#[test]
fn demo_articles_and_warnings_are_whole_in_haitian_creole() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = ok(&["rights", "--db", &db, "--lang", "ht", "--topic", "consular_assistance"]);
    assert!(out.contains("Se ou ki deside"), "the body in Creole:\n{out}");
    assert!(!out.contains("[en]") && !out.contains("[es]"), "{out}");
    let hits: Vec<Value> =
        serde_json::from_str(&ok(&["rights", "--db", &db, "--lang", "ht", "--json", "--country", "MX"])).unwrap();
    assert!(hits.len() > 3);
    for h in &hits {
        for part in ["lang", "title_lang", "summary_lang"] {
            assert_eq!(h[part], "ht", "{part} of {}", h["id"]);
        }
        assert!(h["body_lang"].is_null() || h["body_lang"] == "ht", "{h}");
    }
    let warnings: Vec<Value> =
        serde_json::from_str(&ok(&[&["warnings", "--db", &db, "--lang", "ht", "--json"][..], &WARNINGS_ALL].concat()))
            .unwrap();
    assert!(warnings.len() >= 3);
    for w in &warnings {
        assert_eq!(
            (&w["lang"], &w["headline_lang"], &w["advice_lang"]),
            (&"ht".into(), &"ht".into(), &"ht".into()),
            "{w}"
        );
    }
}

/// An article with title and summary in Creole and the body only in English and Spanish.
const MIXED: &str = r#"{"faro":"rights","version":1,"dataset":"rights/mixed","demo":true}
{"id":"demo:mixed","topics":["health"],"countries":["all"],"title":{"ht":"Swen sante (demo)","es":"Atención de salud (demo)","en":"Health care (demo)"},"summary":{"ht":"Ou gen dwa pou yo swaye w nan ijans.","es":"Tienes derecho a atención de urgencia.","en":"You have a right to emergency care."},"body":{"es":"Pide que te atiendan.","en":"Ask to be seen."},"reviewed_on":"2026-11-27","demo":true}
"#;

#[test]
fn an_article_is_shown_whole_in_one_language_or_marks_its_fallback_parts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, MIXED).unwrap();
    let db = dir.path().join("m.db").display().to_string();
    ok(&["import", "--db", &db, &file.display().to_string()]);

    // ht, then es: Spanish is the first language with every part, so all of it is Spanish.
    let out = ok(&["rights", "--db", &db, "--lang", "ht,fr,es"]);
    assert!(out.contains("Atención de salud") && out.contains("Pide que te atiendan"), "{out}");
    assert!(!out.contains("Swen sante") && !out.contains("[es]"), "{out}");
    let v: Vec<Value> = serde_json::from_str(&ok(&["rights", "--db", &db, "--lang", "ht,fr,es", "--json"])).unwrap();
    assert_eq!((&v[0]["lang"], &v[0]["title_lang"], &v[0]["body_lang"]), (&"es".into(), &"es".into(), &"es".into()));

    // Only ht: Creole where it exists, and the body says it is English.
    let out = ok(&["rights", "--db", &db, "--lang", "ht"]);
    assert!(out.contains("Swen sante") && out.contains("[en] Ask to be seen."), "{out}");
    let v: Vec<Value> = serde_json::from_str(&ok(&["rights", "--db", &db, "--lang", "ht", "--json"])).unwrap();
    assert_eq!((&v[0]["lang"], &v[0]["summary_lang"]), (&"ht".into(), &"ht".into()));
    assert_eq!((&v[0]["body"], &v[0]["body_lang"]), (&"Ask to be seen.".into(), &"en".into()));
}

#[test]
fn an_unknown_language_is_refused_with_the_known_ones_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // (--lang before the positional input: check-contact takes every word after it.)
    let calls: [(&str, &[&str]); 5] = [
        ("search", &["--db", &db, "x"]),
        ("show", &["--db", &db, "demo:tapachula-legal-01"]),
        ("rights", &["--db", &db]),
        ("warnings", &["--db", &db]),
        ("check-contact", &["--db", &db, "+52 962 000 0000"]),
    ];
    for (command, rest) in calls {
        for bad in ["kreyol", "ht,english"] {
            let call = [&[command, "--lang", bad][..], rest].concat();
            let out = faro(&call);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{call:?} --lang {bad}: {err}");
            assert!(err.contains("known languages: es, en, fr, ht, pt"), "{err}");
        }
    }
    ok(&["search", "--db", &db, "x", "--lang", "pt-BR,es-MX"]);
}

/// The localized parts of a record: `(name, {lang: text})`.
fn parts<'a>(record: &'a Value, names: &[&'a str]) -> Vec<(&'a str, &'a Value)> {
    names
        .iter()
        .filter_map(|n| {
            let v = n.split('.').try_fold(record, |v, k| v.get(k))?;
            Some((*n, v))
        })
        .collect()
}

#[test]
fn the_demo_rights_and_warnings_have_every_part_in_all_five_languages() {
    let mut missing = Vec::new();
    for (file, names) in [
        ("demo/rights.jsonl", &["title", "summary", "body"][..]),
        ("demo/warnings.jsonl", &["headline", "description", "advice", "area.description"][..]),
    ] {
        let text = std::fs::read_to_string(data(file)).unwrap();
        let records: Vec<Value> = text.lines().skip(1).map(|l| serde_json::from_str(l).unwrap()).collect();
        assert!(records.len() >= 5, "{file}");
        for r in &records {
            for (name, value) in parts(r, names) {
                for lang in LANGS {
                    if value.get(lang).and_then(Value::as_str).is_none_or(|t| t.trim().is_empty()) {
                        missing.push(format!("{file}: {} {name} has no {lang}", r["id"]));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

/// A damaged database is said in the person's language, before the English detail for
/// support; it is not reported as something they typed wrong.
#[test]
fn a_damaged_record_is_said_in_the_persons_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let id = "demo:necocli-health-01";
    let conn = rusqlite::Connection::open(&db).unwrap();
    let sql = "UPDATE listing_records SET record = '{' WHERE listing = (SELECT rowid FROM listings WHERE id = ?1)";
    assert_eq!(conn.execute(sql, [id]).unwrap(), 1);
    drop(conn);
    let out = faro(&["show", "--db", &db, "--lang", "ht", id]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("faro: done ki anrejistre yo domaje"), "{err}");
    assert!(lines[1].contains(id) && lines[1].contains("damaged"), "{err}");
    assert!(!err.contains("invalid query"), "{err}");
}
