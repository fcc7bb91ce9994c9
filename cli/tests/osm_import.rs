//! `faro import --format osm-pbf` and `faro publish` of an OpenStreetMap extract, through the
//! real binary and the committed demo extract (`data/osm/demo-extract.osm`, built by
//! `data/osm/make.sh`): the places imported and set aside, a damaged file refused with
//! nothing written, and `--merge-with` leaving no place listed twice.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use serde_json::Value;
use support::{data, faro, ok};

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap()
}

fn total(db: &str) -> u64 {
    let counts = json(&ok(&["counts", "--db", db, "--json"]));
    counts.as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum()
}

#[test]
fn an_extract_imports_its_places_with_attribution_and_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faro.db").display().to_string();
    let extract = data("osm/demo-extract.osm.pbf");
    // The format is recognized by the extension.
    let text = ok(&["import", "--db", &db, &extract]);
    assert!(text.starts_with("Data © OpenStreetMap contributors, licensed ODbL 1.0"), "{text}");
    assert!(text.contains("osm/demo-extract: 7 new"), "{text}");
    assert!(text.contains("osm:relation/4001: opening_hours: imported without opening hours"), "{text}");

    let report = json(&ok(&["import", "--db", &db, "--format", "osm-pbf", "--json", &extract]));
    assert_eq!((report["dataset"].as_str(), report["unchanged"].as_u64()), (Some("osm/demo-extract"), Some(7)));
    let records: Vec<&str> =
        report["rejected"].as_array().unwrap().iter().map(|r| r["record"].as_str().unwrap()).collect();
    assert_eq!(
        records,
        [
            "osm:node/1005",
            "osm:node/1006",
            "osm:node/1007",
            "osm:node/1008",
            "osm:node/1009",
            "osm:node/1010",
            "osm:node/1011",
            "osm:relation/4001"
        ]
    );

    let shown = json(&ok(&["show", "--db", &db, "--json", "osm:node/1001"]));
    assert_eq!(shown["consulate"]["represents"], "GT");
    assert_eq!(shown["opening_hours"], "Mo-Fr 09:00-14:00");
    assert_eq!(shown["source"]["url"], "https://www.openstreetmap.org/node/1001");
    assert_eq!(shown["source"]["license"], "ODbL-1.0");
    assert_eq!(shown["demo"], true);
    let found =
        ok(&["search", "--db", &db, "--json", "--near", "14.9056,-92.2636", "--radius-km", "2", "--kind", "shelter"]);
    assert!(found.contains("osm:node/1002"), "{found}");
}

#[test]
fn a_damaged_extract_is_refused_naming_the_block_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faro.db").display().to_string();
    ok(&["import", "--db", &db, &data("demo/listings.jsonl")]);
    let before = total(&db);
    let good = std::fs::read(data("osm/demo-extract.osm.pbf")).unwrap();
    let cut = dir.path().join("cut.osm.pbf");
    std::fs::write(&cut, &good[..good.len() - 40]).unwrap();
    let out = faro(&["import", "--db", &db, &cut.display().to_string()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.osm.pbf: block 4 at byte 1296: "), "{err}");
    assert_eq!(total(&db), before, "nothing written");
}

#[test]
fn merging_with_the_missions_dataset_lists_each_embassy_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faro.db").display().to_string();
    let missions =
        json(&ok(&["import", "--db", &db, "--json", &data("wikidata/diplomatic-missions-wikidata-2022.csv")]));
    let before = total(&db);
    assert_eq!(before, missions["inserted"].as_u64().unwrap());
    // The demo embassy carries wikidata=Q111669561, the Honduran embassy's missions id.
    let extract = data("osm/demo-extract.osm.pbf");
    let report = json(&ok(&["import", "--db", &db, "--json", "--merge-with", "wikidata/missions", &extract]));
    assert_eq!(report["inserted"].as_u64(), Some(6));
    let merged: Vec<&Value> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reason"].as_str().unwrap().contains("already listed"))
        .collect();
    assert_eq!(merged.len(), 1, "{merged:?}");
    assert_eq!(merged[0]["record"], "osm:node/1003");
    assert_eq!(merged[0]["reason"], "already listed as wd:Q111669561 (its wikidata tag): left out, not duplicated");
    assert_eq!(total(&db), before + 6);
    assert!(!faro(&["show", "--db", &db, "osm:node/1003"]).status.success(), "not imported twice");

    // A dataset the database does not have, or --merge-with on another format: refused.
    let out = faro(&["import", "--db", &db, "--merge-with", "wikidata/misions", &extract]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such dataset"), "{out:?}");
    let out = faro(&["import", "--db", &db, "--merge-with", "wikidata/missions", &data("demo/listings.jsonl")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--merge-with is for OpenStreetMap"), "{out:?}");
}

#[test]
fn publish_converts_an_extract_into_its_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys").display().to_string();
    let repo = dir.path().join("repo").display().to_string();
    ok(&["keygen", "--out", &keys]);
    let out = faro(&["publish", "--keys", &keys, "--repo", &repo, "--json", &data("osm/demo-extract.osm.pbf")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&String::from_utf8(out.stdout).unwrap());
    let d = &report["datasets"][0];
    assert_eq!((d["dataset"].as_str(), d["records"].as_u64()), (Some("osm/demo-extract"), Some(7)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("8 items set aside"));
}
