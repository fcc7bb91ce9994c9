//! `faro favorites add|remove|list` and `faro forget-personal-data` as a field worker uses
//! them: JSON shapes, a sealed file, a wrong or short key refused with nothing lost, and the
//! directory still answering after the personal data is erased.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use std::path::Path;

use support::{data, fails, json, ok};

const SHELTER: &str = "demo:tapachula-shelter-01";

#[test]
fn favorites_are_sealed_listed_removed_and_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    let (db, personal, key) = (p("faro.db"), p("personal.sqlite"), p("faro.key"));
    ok(&["import", "--db", &db, &data("demo/listings.jsonl")]);
    // A key as 64 hex digits (a raw 32-byte file works too).
    std::fs::write(&key, format!("{}\n", "3c".repeat(32))).unwrap();
    let files = ["--db", db.as_str(), "--personal", personal.as_str(), "--key-file", key.as_str()];
    let with = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.splice(2..2, files.iter().map(|s| s.to_string()));
        v
    };
    let run = |args: &[&str]| json(&with(args).iter().map(String::as_str).collect::<Vec<_>>());

    let v = run(&["favorites", "add", "--json", "--label", "Casa demo-label", SHELTER]);
    assert_eq!((v["listing_id"].as_str(), v["added"].as_bool()), (Some(SHELTER), Some(true)));
    let v = run(&["favorites", "add", "--json", "demo:necocli-health-01"]);
    assert_eq!(v["added"], true);
    let list = run(&["favorites", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["listing_id"], SHELTER);
    assert_eq!(list[0]["label"], "Casa demo-label");
    assert_eq!(list[0]["in_directory"], true);
    assert!(list[0]["name"].is_string() && list[0]["kind"].is_string(), "{list:?}");
    assert_eq!(list[0]["saved_on"].as_str().unwrap().len(), 10);
    let bytes = std::fs::read(&personal).unwrap();
    for secret in [SHELTER, "Casa demo-label", "necocli"] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in clear");
    }
    let human = ok(&with(&["favorites", "list"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(human.contains("Casa demo-label") && human.contains(SHELTER), "{human}");

    let v = run(&["favorites", "remove", "--json", "demo:necocli-health-01"]);
    assert_eq!(v["removed"], true);
    let v = run(&["favorites", "remove", "--json", "demo:necocli-health-01"]);
    assert_eq!(v["removed"], false);

    // A listing the directory does not have is not saved.
    let args = with(&["favorites", "add", "demo:nowhere"]);
    let err = fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("demo:nowhere"), "{err}");

    // Wrong key and short key: clear errors, nothing lost.
    let before = std::fs::read(&personal).unwrap();
    std::fs::write(&key, [7u8; 32]).unwrap();
    let args = with(&["favorites", "list", "--lang", "es"]);
    let err = fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("esta clave no abre") && err.contains("wrong key"), "{err}");
    std::fs::write(&key, [7u8; 20]).unwrap();
    let err = fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("32 bytes") && err.contains("faro.key"), "{err}");
    assert_eq!(std::fs::read(&personal).unwrap(), before);
    std::fs::write(&key, "3c".repeat(32)).unwrap();
    assert_eq!(run(&["favorites", "list", "--json"]).as_array().unwrap().len(), 1);

    // Forget: no key needed, files gone, directory answering.
    let v = json(&["forget-personal-data", "--personal", &personal, "--db", &db, "--json"]);
    assert_eq!(v["files_removed"], serde_json::json!([personal]));
    assert!(!Path::new(&personal).exists());
    let human = ok(&["forget-personal-data", "--personal", &personal]);
    assert!(human.contains("0 files") && human.contains("key file"), "{human}");
    let hits = json(&["search", "--db", &db, "--json", "salud"]);
    assert!(!hits.as_array().unwrap().is_empty());
}
