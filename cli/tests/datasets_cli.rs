//! `faro datasets` and choosing by region from the command line, through a real nginx on
//! loopback (issue 10 item 5): a fresh database's sync says how to list and choose, in the
//! person's language; the listing shows each dataset's region, records, size and publisher;
//! `--country` and `--near` subscribe to the right regional datasets.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::Path;

mod support;

use faro_tests::support::nginx::Nginx;
use serde_json::Value;
use support::{fails, faro, ok, p};

/// A listings file for `dataset` with one shelter at each point in `country`.
fn input(dir: &Path, dataset: &str, country: &str, points: &[(f64, f64)]) -> String {
    let mut text = format!("{{\"faro\":\"listings\",\"version\":1,\"dataset\":\"{dataset}\",\"demo\":true}}\n");
    for (i, (lat, lon)) in points.iter().enumerate() {
        text.push_str(&format!(
            "{{\"id\":\"demo:{country}-{i}\",\"kind\":\"shelter\",\"name\":{{\"es\":\"Albergue {i} (demo)\"}},\
             \"location\":{{\"lat\":{lat},\"lon\":{lon}}},\"address\":{{\"country\":\"{country}\"}}}}\n"
        ));
    }
    let path = dir.join(format!("{country}.jsonl"));
    std::fs::write(&path, text).unwrap();
    p(&path)
}

#[test]
fn list_then_choose_by_country_or_by_a_point() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (dir.path().join("keys"), dir.path().join("repo"));
    ok(&["keygen", "--out", &p(&keys)]);
    let mx = input(dir.path(), "directory/mx", "MX", &[(14.9056, -92.2636), (19.4326, -99.1332)]);
    let gt = input(dir.path(), "directory/gt", "GT", &[(14.8347, -91.5181), (14.6349, -90.5069)]);
    ok(&["publish", "--keys", &p(&keys), "--repo", &p(&repo), "--publisher", "Red de Albergues (demo)", &mx, &gt]);
    let Some(nginx) = Nginx::serve(&repo) else { return };
    let url = nginx.url("");
    let db = p(&dir.path().join("phone.db"));
    ok(&["trust", "--db", &db, &p(&repo.join("metadata/1.root.json"))]);

    // A fresh database: how to list and how to choose, in the person's language.
    let err = fails(&["sync", "--db", &db, "--url", &url]);
    assert!(err.contains(&format!("faro datasets --db {db} --url {url}")) && err.contains("--country"), "{err}");
    let err = fails(&["sync", "--db", &db, "--url", &url, "--lang", "es"]);
    assert!(err.contains("todavía no eligió") && err.contains("--near LAT,LON"), "{err}");

    let human = ok(&["datasets", "--db", &db, "--url", &url]);
    let line = human.lines().find(|l| l.contains("directory/mx")).unwrap();
    for want in [
        "listings",
        "v1",
        "2 records",
        " B ",
        "MX [14.91,-99.13 .. 19.43,-92.26]",
        "by Red de Albergues (demo)",
        "demo",
    ] {
        assert!(line.contains(want), "{want:?} in {line}");
    }
    assert!(!line.contains("subscribed"), "{line}");
    let v: Value = serde_json::from_str(&ok(&["datasets", "--db", &db, "--url", &url, "--json"])).unwrap();
    let sets = v["datasets"].as_array().unwrap();
    assert_eq!(sets.len(), 2);
    assert_eq!((sets[0]["dataset"].as_str(), sets[0]["records"].as_u64()), (Some("directory/gt"), Some(2)));
    assert_eq!(sets[0]["region"]["countries"][0], "GT");
    let served = std::fs::read_dir(repo.join("targets/directory")).unwrap();
    let sizes: Vec<u64> = served.map(|e| e.unwrap().metadata().unwrap().len()).collect();
    assert!(sets.iter().all(|d| sizes.contains(&d["download_bytes"].as_u64().unwrap())), "{v}");

    // Bad choices are refused before anything is fetched.
    assert!(fails(&["sync", "--db", &db, "--url", &url, "--country", "mx,xx"]).contains("\"xx\""));
    let usage = faro(&["sync", "--db", &db, "--url", &url, "--near", "14.9,-92.26"]);
    assert!(!usage.status.success() && String::from_utf8_lossy(&usage.stderr).contains("--radius-km"));

    // Near Tapachula with a small radius: Mexico only.
    let out = ok(&["sync", "--db", &db, "--url", &url, "--near", "14.9056,-92.2636", "--radius-km", "10"]);
    assert!(out.contains("chosen: directory/mx") && !out.contains("directory/gt"), "{out}");
    let subs = ok(&["datasets", "--db", &db, "--url", &url]);
    assert!(subs.lines().any(|l| l.contains("directory/mx") && l.contains("subscribed, v1 here")), "{subs}");
    // By country: Guatemala joins.
    let out = ok(&["sync", "--db", &db, "--url", &url, "--country", "gt", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let synced: Vec<&str> = v["datasets"].as_array().unwrap().iter().map(|d| d["dataset"].as_str().unwrap()).collect();
    assert_eq!(synced, ["directory/gt", "directory/mx"]);
    // A place no dataset covers: said, nothing subscribed.
    let err = fails(&["sync", "--db", &db, "--url", &url, "--country", "br"]);
    assert!(err.contains("covers that place"), "{err}");
}
