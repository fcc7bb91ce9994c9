//! The CLI and the apps judge time the same way: both use the store's trusted now
//! (`Store::now`), which never runs behind the newest signed data, so a phone or laptop
//! whose clock is behind sees the warnings and contact verdicts the apps see.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use std::collections::BTreeSet;

use faro_tests::faro_ffi::{FaroStore, SYNCED_DATA_FILE};
use support::{data, ok};

/// Newest signed time planted in the store: after the demo "fake jobs" warning ended
/// (2027-03-01), while the others still apply. The device clock (today) is behind it.
const SIGNED: &str = "2027-04-01T00:00:00Z";

/// A store directory, opened by the FFI, holding the demo warnings imported by the CLI and a
/// newest signed time of [`SIGNED`], as a sync of data published then would leave it.
fn store_ahead_of_the_clock() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    FaroStore::open(dir.path().display().to_string()).unwrap().close();
    let db = dir.path().join(SYNCED_DATA_FILE).display().to_string();
    ok(&["import", "--db", &db, &data("demo/warnings.jsonl")]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('sync.newest_signed', ?1)", [SIGNED]).unwrap();
    (dir, db)
}

#[test]
fn cli_and_ffi_give_the_same_warnings_at_the_same_trusted_time() {
    let (dir, db) = store_ahead_of_the_clock();
    let ids = |json: &str| -> BTreeSet<String> {
        let hits: serde_json::Value = serde_json::from_str(json).unwrap();
        hits.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
    };
    let cli = ids(&ok(&["warnings", "--db", &db, "--json"]));
    let ffi = FaroStore::open(dir.path().display().to_string()).unwrap();
    let app: BTreeSet<String> =
        ffi.warnings_here(None, None, vec![], vec![]).unwrap().into_iter().map(|h| h.warning.id).collect();
    assert_eq!(cli, app);
    let expected = ["demo:w-darien-kidnapping", "demo:w-fake-consulate-tapachula", "demo:w-suchiate-crossing"];
    assert_eq!(cli, expected.iter().map(|s| s.to_string()).collect(), "judged at {SIGNED}, not by the device clock");
    // The device clock alone would still show the fake-jobs warning: the test can tell.
    let today = chrono::Utc::now().to_rfc3339();
    assert!(ids(&ok(&["warnings", "--db", &db, "--json", "--at", &today])).contains("demo:w-fake-jobs-juarez"));
}

#[test]
fn cli_and_ffi_check_a_contact_at_the_same_trusted_time() {
    let (dir, db) = store_ahead_of_the_clock();
    let phone = "+1 915 555 0199";
    let verdict = |json: &str| {
        let check: serde_json::Value = serde_json::from_str(json).unwrap();
        check["verdict"].as_str().unwrap().to_lowercase()
    };
    let cli = verdict(&ok(&["check-contact", "--db", &db, "--json", phone]));
    let ffi = FaroStore::open(dir.path().display().to_string()).unwrap();
    let app = format!("{:?}", ffi.check_contact(phone.into(), None, vec![]).unwrap().verdict).to_lowercase();
    assert_eq!(cli, app);
    assert_ne!(cli, "warning", "the fake-jobs warning ended before the trusted time");
    let today = chrono::Utc::now().to_rfc3339();
    assert_eq!(verdict(&ok(&["check-contact", "--db", &db, "--json", "--at", &today, phone])), "warning");
}
