//! `faro check-contact` on the demo directory, through the real binary: the inputs that once
//! read OFFICIAL for accounts and addresses the listings never named (issue 15, items 1-3),
//! and a local import that says it is verified, which never reads OFFICIAL (only signed data
//! does: `faro demo` publishes, serves and syncs it).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn faro(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_faro")).args(args).output().expect("run faro");
    assert!(out.status.success(), "faro {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The demo directory as a phone gets it: `faro demo` signs it with fresh keys, serves it on
/// loopback and syncs it, verified, into the database it keeps.
fn demo_db(dir: &Path) -> String {
    let db = dir.join("demo.db").display().to_string();
    faro(&["demo", "--db", &db, "--json"]);
    db
}

/// The demo listings imported locally with `faro import` (nothing signed).
fn local_db(dir: &Path) -> String {
    let db = dir.join("faro.db").display().to_string();
    let listings = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/demo/listings.jsonl");
    faro(&["import", "--db", &db, &listings.display().to_string()]);
    db
}

/// The verdict line (the second line) of `faro check-contact`.
fn verdict(db: &str, input: &str) -> String {
    let out = faro(&["check-contact", "--db", db, input]);
    out.lines().nth(1).unwrap_or_default().to_string()
}

#[test]
fn telegram_s_prefix_names_another_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    assert!(verdict(&db, "https://t.me/s/demo_colibri_salud").starts_with("OFFICIAL:"), "the preview link");
    for input in [
        "https://t.me/sdemo_colibri_salud",
        "https://t.me/sssssdemo_colibri_salud",
        "https://telegram.me/sdemo_colibri_salud",
    ] {
        let line = verdict(&db, input);
        assert!(line.starts_with("LOOKALIKE:"), "{input}: {line}");
    }
}

#[test]
fn a_bare_handle_says_which_network_it_is_official_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    assert!(verdict(&db, "https://www.facebook.com/demo_puentesur").starts_with("OFFICIAL:"));
    for input in ["@demo_puentesur", "demo_puentesur", "https://t.me/demo_puentesur"] {
        let line = verdict(&db, input);
        assert!(!line.starts_with("OFFICIAL"), "{input}: {line}");
        assert!(line.contains("on Facebook") && line.contains("anyone can register the same name"), "{input}: {line}");
    }
    let v: Value = serde_json::from_str(&faro(&["check-contact", "--db", &db, "--json", "@demo_puentesur"])).unwrap();
    assert_eq!(v["verdict"], "name_match");
    assert_eq!(v["matches"][0]["relation"], "same_name_no_network");
    assert_eq!(v["matches"][0]["network"], "facebook");
    assert_eq!(v["matches"][0]["id"], "demo:tapachula-legal-01");
}

#[test]
fn a_site_with_a_path_does_not_make_its_domain_official() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // Every demo site is a path on example.org; the clinic's own page and e-mail stay official.
    for input in ["https://example.org/faro-demo/esperanza/citas", "clinica.esperanza@example.org"] {
        assert!(verdict(&db, input).starts_with("OFFICIAL:"), "{input}");
    }
    for input in ["scammer@example.org", "https://evil.example.org/", "https://example.org/pagos"] {
        let line = verdict(&db, input);
        assert!(line.starts_with("NOT VERIFIED:"), "{input}: {line}");
    }
    let out = faro(&["check-contact", "--db", &db, "scammer@example.org"]);
    assert!(out.contains("same domain, but not listed (not official)"), "{out}");
}

/// The demo listings and the Wikidata missions, imported locally (nothing signed).
fn local_db_with_missions(dir: &Path) -> String {
    let db = local_db(dir);
    let missions =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/wikidata/diplomatic-missions-wikidata-2022.csv");
    faro(&["import", "--db", &db, &missions.display().to_string()]);
    db
}

#[test]
fn the_readme_numbers_read_right() {
    let dir = tempfile::tempdir().unwrap();
    let db = local_db_with_missions(dir.path());
    // As the README writes it: a Mexican mobile in its +52 1 form, and an embassy's number.
    let out = faro(&["check-contact", "--db", &db, "--region", "MX", "+52 1 (962) 555 0199", "+52 55 5280 0758"]);
    let checks: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(checks.len(), 2, "{out}");
    assert!(checks[0].starts_with("+529625550199\nNOT VERIFIED:"), "{out}");
    let listed = checks[1];
    assert!(listed.starts_with("+525552800758\nLISTED, NOT VERIFIED:"), "{out}");
    assert!(!listed.contains("not in the directory"), "{out}");
    assert!(listed.to_lowercase().contains("belgi"), "names the listing: {out}");
    assert!(listed.contains("dataset wikidata/") && listed.contains("not signed"), "{out}");
    let v: Value =
        serde_json::from_str(&faro(&["check-contact", "--db", &db, "--json", "wa.me/5219625550199", "--region", "US"]))
            .unwrap();
    assert_eq!((v["kind"].as_str(), v["normalized"].as_str()), (Some("phone"), Some("+529625550199")));
    let v: Value = serde_json::from_str(&faro(&["check-contact", "--db", &db, "--json", "+52 55 5280 0758"])).unwrap();
    assert_eq!(v["verdict"], "listed");
    assert_eq!(v["matches"][0]["relation"], "listed_not_verified");
    assert_eq!(v["matches"][0]["dataset_verified"], false);
    // In the person's language.
    let ht = faro(&["check-contact", "--db", &db, "--lang", "ht", "+52 55 5280 0758"]);
    assert!(ht.lines().nth(1).unwrap_or_default().starts_with("NAN ANYÈ A, PA VERIFYE:"), "{ht}");
}

#[test]
fn a_number_written_with_a_foreign_prefix_is_also_checked_as_an_international_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faro.db").display().to_string();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/demo");
    faro(&[
        "import",
        "--db",
        &db,
        &data.join("listings.jsonl").display().to_string(),
        &data.join("warnings.jsonl").display().to_string(),
    ]);
    // 00 is not how one dials abroad from the US; read the route's way it is a warned number.
    let out =
        faro(&["check-contact", "--db", &db, "--region", "US", "--at", "2026-12-01T18:00:00Z", "001 201 555 0143"]);
    assert!(out.contains("also checked as +12015550143"), "{out}");
    assert!(out.lines().nth(1).unwrap_or_default().starts_with("WARNING:"), "{out}");
    let v: Value = serde_json::from_str(&faro(&[
        "check-contact",
        "--db",
        &db,
        "--region",
        "US",
        "--at",
        "2026-12-01T18:00:00Z",
        "--json",
        "001 201 555 0143",
    ]))
    .unwrap();
    assert_eq!((v["verdict"].as_str(), v["normalized"].as_str()), (Some("warning"), None));
    assert_eq!(v["also"][0], "+12015550143");
    assert_eq!(v["matches"][0]["relation"], "other_reading");
}

#[test]
fn a_local_import_that_says_it_is_verified_reads_listed_never_official() {
    let dir = tempfile::tempdir().unwrap();
    let (signed, local) = (demo_db(dir.path()), local_db(dir.path()));
    // The Borderland clinic's record says it is verified, in both databases.
    for input in ["+1 915 555 0123", "https://www.facebook.com/demo_puentesur", "clinica.esperanza@example.org"] {
        let out = faro(&["check-contact", "--db", &signed, "--region", "US", input]);
        assert!(out.lines().nth(1).unwrap_or_default().starts_with("OFFICIAL:"), "{input}: {out}");
        assert!(out.contains("dataset demo/route: signed by its publisher"), "{out}");
        let out = faro(&["check-contact", "--db", &local, "--region", "US", input]);
        assert!(out.lines().nth(1).unwrap_or_default().starts_with("LISTED, NOT VERIFIED:"), "{input}: {out}");
        assert!(!out.contains("OFFICIAL"), "{out}");
        assert!(out.contains("dataset demo/route: imported on this device, not signed"), "{out}");
    }
    let v: Value =
        serde_json::from_str(&faro(&["check-contact", "--db", &local, "--json", "--region", "US", "+1 915 555 0123"]))
            .unwrap();
    assert_eq!(v["verdict"], "listed");
    assert_eq!(v["matches"][0]["id"], "demo:el-paso-legal-01");
    assert_eq!(v["matches"][0]["relation"], "listed_not_verified");
    assert_eq!(v["matches"][0]["dataset_verified"], false);
    // `faro show` prints the record's own "verified" with where it came from.
    let shown = faro(&["show", "--db", &local, "demo:el-paso-legal-01"]);
    assert!(
        shown.contains("verified") && shown.contains("dataset demo/route: imported on this device, not signed"),
        "{shown}"
    );
    let shown = faro(&["show", "--db", &signed, "demo:el-paso-legal-01"]);
    assert!(shown.contains("dataset demo/route: signed by its publisher"), "{shown}");
    // Nothing official to imitate either.
    assert!(
        verdict(&local, "@demo_puentesur1").starts_with("NOT VERIFIED:"),
        "{}",
        verdict(&local, "@demo_puentesur1")
    );
    assert!(verdict(&signed, "@demo_puentesur1").starts_with("LOOKALIKE:"));
}
