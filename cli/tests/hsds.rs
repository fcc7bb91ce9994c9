//! Open Referral HSDS 3.0 through the real binary (issue 10 item 1): `faro import` of a
//! package directory (recognized by its datapackage.json) and of HSDS JSON, a bad package
//! refused whole with every problem located, `faro export --format hsds` validated against
//! the published HSDS table schemas (vendored in tests/data/hsds/schema), the round trip,
//! and `faro publish` of a package.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{faro, ok};

fn hsds(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/hsds").join(rel).display().to_string()
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// Every listing of the database, as `faro show --json` gives it, by id.
fn listings(db: &str) -> Vec<Value> {
    let hits: Value = serde_json::from_str(&ok(&["search", "--db", db, "--json", "--limit", "100"])).unwrap();
    let mut ids: Vec<String> = hits.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids.iter().map(|id| serde_json::from_str(&ok(&["show", "--db", db, id, "--json"])).unwrap()).collect()
}

#[test]
fn a_package_imports_its_listings_and_says_what_it_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let db = p(&dir.path().join("faro.db"));
    let out = faro(&["import", "--db", &db, &hsds("demo")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("hsds/faro-hsds-demo: 4 new, 0 updated"), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("4 items set aside"), "{stderr}");
    assert!(
        stderr.contains("services.csv:5: record 5e000000-0000-4000-8000-000000000004: field name: no Faro kind"),
        "{stderr}"
    );
    let all = listings(&db);
    assert_eq!(all.len(), 4);
    let shelter = all.iter().find(|l| l["kind"] == "shelter").unwrap();
    assert_eq!(shelter["opening_hours"], "Mo-Su 19:00-08:00");
    assert_eq!(shelter["timezone"], "America/New_York");
    assert_eq!(shelter["phones"][0]["number"], "+12015550105");
    // The same with --json: the import summary and the set-aside entries, located.
    let again: Value =
        serde_json::from_str(&ok(&["import", "--db", &db, "--format", "hsds", &hsds("demo"), "--json"])).unwrap();
    assert_eq!(again["import"]["unchanged"], 4);
    assert_eq!(again["set_aside"].as_array().unwrap().len(), 4);
    assert_eq!(again["set_aside"][1]["file"], "phones.csv");
    assert_eq!(again["set_aside"][1]["line"], 5);
    // --replace takes a package directory too (nothing deleted: the package has them all).
    let replaced: Value =
        serde_json::from_str(&ok(&["import", "--db", &db, "--replace", &hsds("demo"), "--json"])).unwrap();
    assert_eq!((replaced["import"]["unchanged"].as_u64(), replaced["import"]["deleted"].as_u64()), (Some(4), Some(0)));
}

#[test]
fn hsds_json_imports_with_the_language_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = p(&dir.path().join("faro.db"));
    // A .json file is read as HSDS JSON without --format.
    let refused = faro(&["import", "--db", &db, &hsds("demo-services.json")]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("HSDS texts carry no language"));
    let out = ok(&["import", "--db", &db, "--format", "hsds", "--text-lang", "en", &hsds("demo-services.json")]);
    assert!(out.starts_with("hsds/demo-services: 1 new"), "{out}");
    let l: Value =
        serde_json::from_str(&ok(&["show", "--db", &db, "hsds:5a000000-0000-4000-8000-0000000000a1", "--json"]))
            .unwrap();
    assert_eq!(l["name"]["en"], "Walk-in Clinic (demo)");
    assert_eq!(l["opening_hours"], "Mo,We,Fr 08:30-12:30");
}

#[test]
fn a_bad_package_reports_every_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = p(&dir.path().join("faro.db"));
    ok(&["import", "--db", &db, &hsds("demo")]);
    let out = faro(&["import", "--db", &db, &hsds("bad")]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("11 problems in 10 records; nothing was imported"), "{stderr}");
    for want in [
        "languages.csv:7: unreadable row",
        "service_at_location.csv:4: record 5a000000-0000-4000-8000-000000000003: field location_id:",
        "addresses.csv:2: record ad000000-0000-4000-8000-000000000001: field country: \"USA\"",
        "schedules.csv:2: record 5c000000-0000-4000-8000-000000000001: field opens_at: \"25:00\"",
        "schedules.csv:2: record 5c000000-0000-4000-8000-000000000001: field byday: \"XX\"",
        "locations.csv:3: record 10000000-0000-4000-8000-000000000002: field latitude: \"40.7N\"",
        "phones.csv:6: record 9f000000-0000-4000-8000-000000000005: field type: \"pigeon\"",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in\n{stderr}");
    }
    // Nothing of the bad package was written: only the good one's dataset is there.
    let status: Value = serde_json::from_str(&ok(&["counts", "--db", &db, "--json"])).unwrap();
    assert_eq!(status.to_string().matches("bad").count(), 0);
    assert_eq!(listings(&db).len(), 4);
}

/// The published HSDS table schema of `table`, with the nested-record properties (arrays
/// of `$ref` to other tables) taken out: a CSV row has none, and the tables they name are
/// not all vendored. Every column's rule stays as published.
fn table_schema(table: &str) -> Value {
    let text = std::fs::read_to_string(hsds(&format!("schema/{table}.json"))).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    let props = schema["properties"].as_object_mut().unwrap();
    props.retain(|_, v| !v.to_string().contains("\"$ref\""));
    schema
}

/// A CSV row as the JSON object HSDS validates: empty cells absent, `number` columns as
/// numbers.
fn row_object(schema: &Value, headers: &csv::StringRecord, row: &csv::StringRecord) -> Value {
    let mut o = serde_json::Map::new();
    for (h, v) in headers.iter().zip(row.iter()) {
        if v.is_empty() {
            continue;
        }
        let value = match schema["properties"][h]["type"].as_str() {
            Some("number") => v.parse::<f64>().map(Value::from).unwrap_or_else(|_| Value::from(v)),
            _ => Value::from(v),
        };
        o.insert(h.to_string(), value);
    }
    Value::Object(o)
}

/// Validates every row of every table of the package in `dir`; returns the errors.
fn validate_package(dir: &Path) -> Vec<String> {
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("datapackage.json")).unwrap()).unwrap();
    let mut errors = Vec::new();
    let resources = meta["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 10);
    for r in resources {
        let table = r["name"].as_str().unwrap();
        let schema = table_schema(table);
        assert_eq!(schema["path"], r["path"], "{table}: the file name HSDS gives the table");
        let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
        let mut reader = csv::Reader::from_path(dir.join(r["path"].as_str().unwrap())).unwrap();
        let headers = reader.headers().unwrap().clone();
        for h in headers.iter() {
            if !schema["properties"].as_object().unwrap().contains_key(h) {
                errors.push(format!("{table}: column {h} is not in the HSDS schema"));
            }
        }
        let tabular_required: Vec<&str> =
            schema["tabular_required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        for (i, row) in reader.records().enumerate() {
            let object = row_object(&schema, &headers, &row.unwrap());
            for field in &tabular_required {
                if object.get(field).is_none() {
                    errors.push(format!("{table} row {}: {field} is required in the tabular form", i + 2));
                }
            }
            for e in validator.iter_errors(&object) {
                errors.push(format!("{table} row {}: {e}", i + 2));
            }
        }
    }
    errors
}

#[test]
fn the_export_is_a_valid_hsds_package_and_imports_back_as_the_same_listings() {
    let dir = tempfile::tempdir().unwrap();
    let db = p(&dir.path().join("faro.db"));
    ok(&["import", "--db", &db, &hsds("demo")]);
    let pkg = dir.path().join("pkg");
    let out = ok(&["export", "--db", &db, "--format", "hsds", "--dataset", "hsds/faro-hsds-demo", "--out", &p(&pkg)]);
    assert!(out.contains("4 listings of hsds/faro-hsds-demo written as an HSDS 3.0 package"), "{out}");
    assert_eq!(validate_package(&pkg), Vec::<String>::new());

    // The schemas are really applied: a broken row is caught.
    let services = std::fs::read_to_string(pkg.join("services.csv")).unwrap();
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    for f in std::fs::read_dir(&pkg).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, broken.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(broken.join("services.csv"), services.replacen(",active,", ",open,", 1)).unwrap();
    let errors = validate_package(&broken);
    assert!(errors.iter().any(|e| e.starts_with("service row 2:") && e.contains("\"open\"")), "{errors:?}");

    // Round trip: the export imported into a new database gives the same listings.
    let db2 = p(&dir.path().join("again.db"));
    ok(&["import", "--db", &db2, &p(&pkg)]);
    assert_eq!(listings(&db2), listings(&db));

    // One dataset at a time.
    let out = faro(&["export", "--db", &db, "--format", "hsds", "--out", &p(&dir.path().join("x"))]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format hsds exports one dataset"));
}

#[test]
fn publish_takes_a_package_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (dir.path().join("keys"), dir.path().join("repo"));
    ok(&["keygen", "--out", &p(&keys)]);
    let report: Value =
        serde_json::from_str(&ok(&["publish", "--keys", &p(&keys), "--repo", &p(&repo), &hsds("demo"), "--json"]))
            .unwrap();
    assert_eq!(report["datasets"][0]["dataset"], "hsds/faro-hsds-demo");
    assert_eq!(report["datasets"][0]["records"], 4);
}
