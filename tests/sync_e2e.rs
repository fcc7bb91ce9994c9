//! Trusted sync end to end through a real nginx on loopback: a repository written by
//! `faro publish`'s core, a client store that trusts only the shipped root, and each step of
//! a dataset's life: first sync, a sync with no changes, a delta, a new region, a root
//! rotation, and tampering (which must fail and keep the last good data).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::{Path, PathBuf};

use faro_core::net::{Cancel, NetConfig};
use faro_core::publish::{publish, rotate_root, KeySet, PublishOptions};
use faro_core::sync::{self, SyncOptions, SyncReport, SyncRoute};
use faro_core::{Error, Store};
use faro_tests::support::nginx::Nginx;

/// Writes a listings input file for `dataset` with `n` records; `edit` changes record 0.
fn input(dir: &Path, dataset: &str, n: usize, edit: &str) -> PathBuf {
    let country = if dataset.ends_with("gt") { "GT" } else { "MX" };
    // A point in the country: Guatemala City, or Tapachula.
    let (lat, lon) = if country == "GT" { (14.6349, -90.5069) } else { (14.9056, -92.2636) };
    let mut text = format!(r#"{{"faro":"listings","version":1,"dataset":"{dataset}","demo":true}}"#);
    for i in 0..n {
        let extra = if i == 0 { edit } else { "" };
        text.push_str(&format!(
            "\n{{\"id\":\"demo:{country}-{i:04}\",\"kind\":\"legal_aid\",\"name\":{{\"es\":\"Asesoría {i}{extra} (demo)\"}},\
             \"location\":{{\"lat\":{lat},\"lon\":{lon}}},\"address\":{{\"country\":\"{country}\"}}}}"
        ));
    }
    let path = dir.join(format!("{}.jsonl", dataset.replace('/', "-")));
    std::fs::write(&path, text).unwrap();
    path
}

fn options(subscribe: &[&str]) -> SyncOptions {
    let net = NetConfig { max_attempts: 2, ..NetConfig::default() };
    SyncOptions { subscribe: subscribe.iter().map(|s| s.to_string()).collect(), net, ..SyncOptions::default() }
}

fn sync_now(store: &Store, nginx: &Nginx, subscribe: &[&str]) -> Result<SyncReport, Error> {
    sync::sync_from_url(store, &nginx.url(""), &options(subscribe), &Cancel::new(), &mut |_| {})
}

fn count(store: &Store, dataset: &str) -> i64 {
    store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM listings WHERE dataset = ?1", [dataset], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn first_sync_no_change_delta_new_region_rotation_and_tampering() {
    let work = tempfile::tempdir().unwrap();
    let (repo, keys_dir) = (work.path().join("repo"), work.path().join("keys"));
    KeySet::generate().unwrap().save(&keys_dir).unwrap();
    let keys = KeySet::load(&keys_dir).unwrap();
    let opts = PublishOptions::default();
    let mx = |n, edit| input(work.path(), "directory/mx", n, edit);
    publish(&keys, &repo, &[mx(200, ""), input(work.path(), "directory/gt", 30, "")], &opts).unwrap();
    let Some(nginx) = Nginx::serve(&repo) else { return };

    let store = Store::open(work.path().join("phone.db")).unwrap();
    // No trusted root yet: nothing is fetched on trust-on-first-use.
    let e = sync_now(&store, &nginx, &["directory/mx"]).unwrap_err();
    assert!(e.to_string().contains("no trusted root"), "{e}");
    let shipped_root = std::fs::read(repo.join("metadata/1.root.json")).unwrap();
    assert_eq!(sync::install_trusted_root(&store, &shipped_root).unwrap(), 1);

    // First sync: the full snapshot of the one subscribed region.
    let r = sync_now(&store, &nginx, &["directory/mx"]).unwrap();
    assert_eq!((r.datasets.len(), r.datasets[0].route, r.datasets[0].version), (1, SyncRoute::Snapshot, 1));
    assert_eq!((count(&store, "directory/mx"), count(&store, "directory/gt")), (200, 0));

    // No change: the root probe (404) and a conditional timestamp request (304), nothing else.
    let before = nginx.access_log().lines().count();
    let r = sync_now(&store, &nginx, &[]).unwrap();
    assert_eq!(r.datasets[0].route, SyncRoute::Unchanged);
    let log = nginx.access_log();
    let new: Vec<&str> = log.lines().skip(before).collect();
    assert_eq!(new.len(), 2, "{new:#?}");
    assert!(new[0].contains("/metadata/2.root.json") && new[0].contains(" 404 "), "{}", new[0]);
    assert!(new[1].contains("/metadata/timestamp.json") && new[1].contains(" 304 "), "{}", new[1]);

    // One record changes: a delta, much smaller than the snapshot.
    publish(&keys, &repo, &[mx(200, " (nuevo horario)")], &opts).unwrap();
    let r = sync_now(&store, &nginx, &[]).unwrap();
    let d = &r.datasets[0];
    assert_eq!((d.route, d.version, d.records_written, d.fell_back), (SyncRoute::Delta, 2, 1, false), "{d:?}");
    let listing = store.get("demo:MX-0000").unwrap();
    assert!(listing.name.values().any(|n| n.contains("nuevo horario")));

    // A new region: only it is downloaded.
    let r = sync_now(&store, &nginx, &["directory/gt"]).unwrap();
    let routes: Vec<_> = r.datasets.iter().map(|d| (d.dataset.as_str(), d.route)).collect();
    assert_eq!(routes, [("directory/gt", SyncRoute::Snapshot), ("directory/mx", SyncRoute::Unchanged)]);
    assert_eq!(count(&store, "directory/gt"), 30);

    // Root rotation: new keys for every role; the phone follows the chain.
    let new_keys_dir = work.path().join("keys2");
    KeySet::generate().unwrap().save(&new_keys_dir).unwrap();
    let new_keys = KeySet::load(&new_keys_dir).unwrap();
    assert_eq!(rotate_root(&keys, &new_keys, &repo, &opts).unwrap(), 2);
    publish(&new_keys, &repo, &[mx(199, " (nuevo horario)")], &opts).unwrap();
    let r = sync_now(&store, &nginx, &[]).unwrap();
    assert_eq!(r.root_rotations, 1);
    assert_eq!(count(&store, "directory/mx"), 199);
    // The old keys can no longer publish to this repository.
    let e = publish(&keys, &repo, &[mx(5, "")], &opts).unwrap_err();
    assert!(e.to_string().contains("not one the repository's root trusts"), "{e}");

    // Tampering: flip a byte in the newest snapshot of mx on the server, and drop the
    // phone's copy so it must download. Verification fails; the old data stays.
    publish(&new_keys, &repo, &[mx(150, "")], &opts).unwrap();
    for f in walk(&repo.join("targets/directory")) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".mx.jsonl.zst") || name.contains(".mx.from-") {
            let mut bytes = std::fs::read(&f).unwrap();
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x40;
            std::fs::write(&f, bytes).unwrap();
        }
    }
    let e = sync_now(&store, &nginx, &[]).unwrap_err();
    assert!(e.to_string().contains("hash"), "{e}");
    assert_eq!(count(&store, "directory/mx"), 199);
    store.check_integrity().unwrap();
    let st = sync::status(&store, chrono::Utc::now()).unwrap();
    assert_eq!(st.datasets.iter().map(|d| d.version).collect::<Vec<_>>(), [1, 3]);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect()
}

#[test]
fn rights_and_warnings_sync_and_a_removed_warning_disappears() {
    let work = tempfile::tempdir().unwrap();
    let (repo, keys_dir) = (work.path().join("repo"), work.path().join("keys"));
    KeySet::generate().unwrap().save(&keys_dir).unwrap();
    let keys = KeySet::load(&keys_dir).unwrap();
    let demo = faro_tests::data_dir().join("demo");
    let inputs = [demo.join("listings.jsonl"), demo.join("rights.jsonl"), demo.join("warnings.jsonl")];
    publish(&keys, &repo, &inputs, &PublishOptions::default()).unwrap();
    let Some(nginx) = Nginx::serve(&repo) else { return };
    let store = Store::open(work.path().join("phone.db")).unwrap();
    sync::install_trusted_root(&store, &std::fs::read(repo.join("metadata/1.root.json")).unwrap()).unwrap();
    let r = sync_now(&store, &nginx, &["demo/route", "rights/all", "warnings/demo"]).unwrap();
    assert!(r.datasets.iter().all(|d| d.route == SyncRoute::Snapshot), "{r:?}");
    let warnings = |store: &Store| -> Vec<String> {
        let q = faro_core::warnings::WarningQuery::at(chrono::Utc::now());
        store.warnings(&q).unwrap().into_iter().map(|h| h.warning.id).collect()
    };
    let before = warnings(&store);
    assert!(!before.is_empty());
    assert!(!store.rights(&Default::default()).unwrap().is_empty());

    // The publisher drops one warning: after the delta it is gone from the phone.
    let text = std::fs::read_to_string(&inputs[2]).unwrap();
    let dropped = before[0].clone();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains(&format!("\"id\": \"{dropped}\"")) && !l.contains(&format!("\"id\":\"{dropped}\"")))
        .collect();
    assert_eq!(kept.len() + 1, text.lines().count(), "the dropped warning's line was found");
    let edited = work.path().join("warnings.jsonl");
    std::fs::write(&edited, kept.join("\n")).unwrap();
    publish(&keys, &repo, &[edited], &PublishOptions::default()).unwrap();
    let r = sync_now(&store, &nginx, &[]).unwrap();
    let w = r.datasets.iter().find(|d| d.dataset == "warnings/demo").unwrap();
    assert_eq!((w.route, w.records_deleted), (SyncRoute::Delta, 1), "{w:?}");
    assert!(!warnings(&store).contains(&dropped));
}

/// A static server that knows only `Last-Modified` (Python's `http.server`: whole seconds,
/// no ETag). A repository republished within the same second as the phone's last check keeps
/// the date, so a conditional request would be told 304 and the phone would miss the new
/// version until the timestamp is signed again. A date that recent is not used as a
/// validator; an older one still saves the download.
#[test]
fn a_republish_in_the_same_second_is_not_missed_on_a_dates_only_server() {
    use faro_tests::support::python_http::PythonHttp;
    use std::time::{Duration, SystemTime};

    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    let keys = KeySet::generate().unwrap();
    let opts = PublishOptions::default();
    let mx = |edit| input(work.path(), "directory/mx", 20, edit);
    publish(&keys, &repo, &[mx("")], &opts).unwrap();
    let server = PythonHttp::serve(&repo);
    let store = Store::open(work.path().join("phone.db")).unwrap();
    sync::install_trusted_root(&store, &std::fs::read(repo.join("metadata/1.root.json")).unwrap()).unwrap();
    let sync_here = |subscribe: &[&str]| {
        sync::sync_from_url(&store, &server.url(""), &options(subscribe), &Cancel::new(), &mut |_| {}).unwrap()
    };
    let timestamp = repo.join("metadata/timestamp.json");
    let set_mtime =
        |t: SystemTime| std::fs::File::options().write(true).open(&timestamp).unwrap().set_modified(t).unwrap();

    // The phone checks in the very second the timestamp was written...
    let second = SystemTime::now();
    set_mtime(second);
    assert_eq!(sync_here(&["directory/mx"]).datasets[0].version, 1);
    // ...and the publisher signs version 2 within that second: same Last-Modified.
    publish(&keys, &repo, &[mx(" (nuevo horario)")], &opts).unwrap();
    set_mtime(second);
    let r = sync_here(&[]);
    assert_eq!((r.datasets[0].route, r.datasets[0].version), (SyncRoute::Delta, 2), "{}", server.log());

    // A date well in the past is a validator: no change gives 304 and nothing else.
    set_mtime(SystemTime::now() - Duration::from_secs(60));
    assert_eq!(sync_here(&[]).datasets[0].route, SyncRoute::Unchanged);
    let before = server.log().lines().count();
    assert_eq!(sync_here(&[]).datasets[0].route, SyncRoute::Unchanged);
    let log = server.log();
    let new: Vec<&str> = log.lines().skip(before).filter(|l| l.contains("timestamp.json")).collect();
    assert!(new.len() == 1 && new[0].contains("\" 304 "), "{new:#?}");
}
