//! The publisher's and the phone's commands end to end, through a real nginx on loopback:
//! keygen, publish (a bad file publishes nothing), trust, sync, status, export, a bundle
//! into a second phone, and `faro-tuf-client` speaking the tuf-conformance protocol.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::Path;
use std::process::{Command, Output};

use faro_tests::support::nginx::Nginx;
use serde_json::Value;

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin).args(args).output().expect("run")
}

fn ok(bin: &str, args: &[&str]) -> String {
    let out = run(bin, args);
    assert!(out.status.success(), "{bin} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(bin: &str, args: &[&str]) -> String {
    let out = run(bin, args);
    assert_eq!(out.status.code(), Some(1), "{bin} {args:?} should fail with 1");
    String::from_utf8(out.stderr).unwrap()
}

const FARO: &str = env!("CARGO_BIN_EXE_faro");
const TUF_CLIENT: &str = env!("CARGO_BIN_EXE_faro-tuf-client");

/// `bundle` with one signature of its warnings role changed (a tar's data is not checksummed).
fn break_warnings_role(mut bundle: Vec<u8>) -> Vec<u8> {
    let find = |from: usize, what: &[u8]| from + bundle[from..].windows(what.len()).position(|w| w == what).unwrap();
    let header = find(0, b".warnings.json") / 512 * 512;
    let sig = find(header + 512, b"\"sig\"");
    let digit = sig + 6 + bundle[sig + 6..].iter().position(|b| b.is_ascii_digit()).unwrap();
    bundle[digit] = if bundle[digit] == b'0' { b'1' } else { b'0' };
    bundle
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn publish_serve_sync_export_and_conformance_client() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (dir.path().join("keys"), dir.path().join("repo"));
    let demo = faro_tests::data_dir().join("demo");
    ok(FARO, &["keygen", "--out", &p(&keys)]);
    // keygen never overwrites keys.
    assert!(fails(FARO, &["keygen", "--out", &p(&keys)]).contains("never overwrites"));

    // A bad input file: a located error, and no repository at all.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"faro\":\"listings\",\"version\":1,\"dataset\":\"directory/x\"}\n{\"id\":\"x:1\",\"kind\":\"bakery\"}\n",
    )
    .unwrap();
    let err =
        fails(FARO, &["publish", "--keys", &p(&keys), "--repo", &p(&repo), &p(&demo.join("listings.jsonl")), &p(&bad)]);
    assert!(err.contains("bad.jsonl:2: record x:1: field kind"), "{err}");
    assert!(!repo.join("metadata").exists());

    let out = ok(
        FARO,
        &[
            "publish",
            "--keys",
            &p(&keys),
            "--repo",
            &p(&repo),
            "--json",
            &p(&demo.join("listings.jsonl")),
            &p(&demo.join("rights.jsonl")),
            &p(&demo.join("warnings.jsonl")),
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["created"], true);
    assert_eq!(v["datasets"].as_array().unwrap().len(), 3);
    let Some(nginx) = Nginx::serve(&repo) else { return };

    let db = p(&dir.path().join("phone.db"));
    // Without a trusted root nothing syncs.
    ok(FARO, &["trust", "--db", &db, &p(&repo.join("metadata/1.root.json"))]);
    let url = nginx.url("");
    let out = ok(
        FARO,
        &["sync", "--db", &db, "--url", &url, "--dataset", "demo/route", "--dataset", "warnings/demo", "--json"],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["datasets"].as_array().unwrap().iter().all(|d| d["route"] == "snapshot"), "{v}");
    let st: Value = serde_json::from_str(&ok(FARO, &["status", "--db", &db, "--json"])).unwrap();
    assert_eq!(st["datasets"].as_array().unwrap().len(), 2);
    assert!(st["datasets"].as_array().unwrap().iter().all(|d| d["stale"] == false && d["version"] == 1), "{st}");
    let human = ok(FARO, &["status", "--db", &db]);
    assert!(human.contains("demo/route") && human.contains("current (verified"), "{human}");
    // The synced data answers questions.
    assert!(ok(FARO, &["search", "--db", &db, "asile"]).contains("(demo)"));

    // A wrong URL fails with a clear message; the data stays.
    let err = fails(FARO, &["sync", "--db", &db, "--url", &nginx.url("nothing-here")]);
    assert!(err.contains("faro:"), "{err}");
    assert!(ok(FARO, &["status", "--db", &db]).contains("v1"));

    // Export, then a second phone imports the bundle with no network.
    let bundle = p(&dir.path().join("faro.bundle"));
    ok(FARO, &["export", "--db", &db, "--out", &bundle]);
    let db2 = p(&dir.path().join("phone2.db"));
    ok(FARO, &["trust", "--db", &db2, &p(&repo.join("metadata/1.root.json"))]);
    // A copy whose warnings role (read after the other datasets' roles) is broken: an
    // error, and nothing of the bundle applied.
    let broken = dir.path().join("broken.bundle");
    std::fs::write(&broken, break_warnings_role(std::fs::read(&bundle).unwrap())).unwrap();
    let err = fails(FARO, &["sync", "--db", &db2, "--bundle", &p(&broken)]);
    assert!(err.contains("faro:") && err.contains("warnings"), "{err}");
    let st: Value = serde_json::from_str(&ok(FARO, &["status", "--db", &db2, "--json"])).unwrap();
    assert!(st["datasets"].as_array().unwrap().is_empty(), "{st}");
    assert!(ok(FARO, &["search", "--db", &db2, "asile"]).lines().all(|l| !l.contains("(demo)")));
    let out = ok(FARO, &["sync", "--db", &db2, "--bundle", &bundle]);
    assert!(out.contains("applied") && out.contains("warnings/demo"), "{out}");
    // Data that came by bundle says when it was verified, and passes on.
    let human = ok(FARO, &["status", "--db", &db2]);
    assert!(human.contains("current (verified 20"), "{human}");
    ok(FARO, &["export", "--db", &db2, "--out", &p(&dir.path().join("again.bundle"))]);

    // faro-tuf-client, the conformance entry point, against the same repository.
    let meta = p(&dir.path().join("tuf-meta"));
    let targets = dir.path().join("tuf-targets");
    std::fs::create_dir_all(&meta).unwrap();
    ok(TUF_CLIENT, &["--metadata-dir", &meta, "init", &p(&repo.join("metadata/1.root.json"))]);
    ok(TUF_CLIENT, &["--metadata-dir", &meta, "--metadata-url", &nginx.url("metadata"), "refresh"]);
    assert!(Path::new(&meta).join("timestamp.json").exists());
    let download = |names: &[&str]| {
        let (meta_url, target_url, target_dir) = (nginx.url("metadata"), nginx.url("targets"), p(&targets));
        let mut args = vec!["--metadata-dir", &meta, "--metadata-url", &meta_url];
        for name in names {
            args.extend(["--target-name", name]);
        }
        args.extend(["--target-base-url", &target_url, "--target-dir", &target_dir, "download"]);
        run(TUF_CLIENT, &args)
    };
    assert!(download(&["demo/route.jsonl.zst"]).status.success());
    assert_eq!(std::fs::read_dir(&targets).unwrap().count(), 1);
    let out = download(&["demo/nothing.jsonl.zst"]);
    assert_eq!(out.status.code(), Some(1));
    // Several targets, in order, by one updater: a missing one fails the command, the others
    // are still fetched.
    let out = download(&["demo/nothing.jsonl.zst", "rights/all.jsonl.zst", "warnings/demo.jsonl.zst"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 of 3 targets failed: demo/nothing.jsonl.zst"));
    assert_eq!(std::fs::read_dir(&targets).unwrap().count(), 3);
}

/// Item 5 of issue 15: an unsigned local import never changes a synced dataset, a verified
/// sync is never blocked by one, and every hit says which it is.
#[test]
fn local_imports_stay_apart_from_synced_data_and_hits_say_which_is_which() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (dir.path().join("keys"), dir.path().join("repo"));
    let demo = faro_tests::data_dir().join("demo");
    ok(FARO, &["keygen", "--out", &p(&keys)]);
    let (listings, rights) = (p(&demo.join("listings.jsonl")), p(&demo.join("rights.jsonl")));
    ok(FARO, &["publish", "--keys", &p(&keys), "--repo", &p(&repo), &listings, &rights]);
    let Some(nginx) = Nginx::serve(&repo) else { return };
    let db = p(&dir.path().join("phone.db"));
    ok(FARO, &["trust", "--db", &db, &p(&repo.join("metadata/1.root.json"))]);

    // Before any sync, a local file takes the id of a listing the publisher signs, with a
    // scammer's name. Then the sync: the verified record wins the id, the sync is not blocked.
    let notes = dir.path().join("notes.jsonl");
    std::fs::write(
        &notes,
        concat!(
            r#"{"faro":"listings","version":1,"dataset":"local/notes","demo":true}"#,
            "\n",
            r#"{"id":"demo:tapachula-legal-01","kind":"legal_aid","name":{"es":"Trámites Rápidos Zafiro (demo)"}}"#,
            "\n",
            r#"{"id":"local:zafiro-clinic","kind":"health","name":{"es":"Clínica Zafiro (demo)"}}"#,
            "\n"
        ),
    )
    .unwrap();
    ok(FARO, &["import", "--db", &db, &p(&notes)]);
    // A local import under the publisher's dataset name, before subscribing: moved aside.
    let early = dir.path().join("early.jsonl");
    std::fs::write(
        &early,
        concat!(
            r#"{"faro":"listings","version":1,"dataset":"demo/route","demo":true}"#,
            "\n",
            r#"{"id":"local:early-01","kind":"shelter","name":{"es":"Albergue Zafiro Temprano (demo)"}}"#,
            "\n"
        ),
    )
    .unwrap();
    ok(FARO, &["import", "--db", &db, &p(&early)]);
    ok(FARO, &["sync", "--db", &db, "--url", &nginx.url(""), "--dataset", "demo/route", "--dataset", "rights/all"]);

    let hits: Vec<Value> =
        serde_json::from_str(&ok(FARO, &["search", "--db", &db, "--limit", "500", "--json"])).unwrap();
    let by_id = |id: &str| hits.iter().find(|h| h["id"] == id).unwrap_or_else(|| panic!("{id} missing")).clone();
    let signed = by_id("demo:tapachula-legal-01");
    assert_eq!((signed["verified"].clone(), signed["dataset"].clone()), (Value::Bool(true), "demo/route".into()));
    assert!(!signed["name"].as_str().unwrap().contains("Zafiro"), "the verified record won: {signed}");
    let local = by_id("local:zafiro-clinic");
    assert_eq!((local["verified"].clone(), local["dataset"].clone()), (Value::Bool(false), "local/notes".into()));
    let early = by_id("local:early-01");
    assert_eq!((early["verified"].clone(), early["dataset"].clone()), (Value::Bool(false), "local/demo/route".into()));
    assert!(hits.iter().all(|h| h["verified"] == (h["dataset"] == "demo/route")), "labels follow the dataset");
    let text = ok(FARO, &["search", "--db", &db, "zafiro"]);
    assert!(text.contains("LOCAL IMPORT, not verified: local/notes"), "{text}");
    assert!(ok(FARO, &["search", "--db", &db, "juridica"]).contains("verified: demo/route"));

    // Now that sync keeps demo/route, a local import into it is refused, nothing changes,
    // and status still says current because it still is.
    let before = ok(FARO, &["search", "--db", &db, "--limit", "500", "--json"]);
    let err = fails(FARO, &["import", "--db", &db, &p(&demo.join("listings.jsonl"))]);
    assert!(err.contains("\"demo/route\"") && err.contains("kept by sync") && err.contains("local/route"), "{err}");
    let err = fails(FARO, &["import", "--db", &db, "--dataset", "demo/route", &p(&notes)]);
    assert!(err.contains("kept by sync"), "{err}");
    let err = fails(FARO, &["import", "--db", &db, &rights]);
    assert!(err.contains("\"rights/all\"") && err.contains("kept by sync"), "rights too: {err}");
    assert_eq!(ok(FARO, &["search", "--db", &db, "--limit", "500", "--json"]), before);
    // A local file reusing a verified id is refused too, naming the verified dataset.
    let err = fails(FARO, &["import", "--db", &db, &p(&notes)]);
    assert!(err.contains("demo:tapachula-legal-01") && err.contains("demo/route"), "{err}");
    let st: Value = serde_json::from_str(&ok(FARO, &["status", "--db", &db, "--json"])).unwrap();
    assert_eq!(st["datasets"][0]["stale"], false);
    let out = ok(FARO, &["sync", "--db", &db, "--url", &nginx.url("")]);
    assert!(out.contains("unchanged") && out.contains(" 0 written"), "nothing to repair: {out}");
}

#[test]
fn new_warnings_keys_need_rotate_root_and_phones_follow() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (dir.path().join("keys"), dir.path().join("repo"));
    let demo = faro_tests::data_dir().join("demo");
    ok(FARO, &["keygen", "--out", &p(&keys)]);
    let inputs = [p(&demo.join("listings.jsonl")), p(&demo.join("warnings.jsonl"))];
    let publish = |keys: &Path| {
        let mut args = vec!["publish".to_string(), "--keys".into(), p(keys), "--repo".into(), p(&repo)];
        args.extend(inputs.iter().cloned());
        run(FARO, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert!(publish(&keys).status.success());
    // The same keys but two new warnings keys.
    let (other, mixed) = (dir.path().join("other"), dir.path().join("mixed"));
    ok(FARO, &["keygen", "--out", &p(&other)]);
    std::fs::create_dir(&mixed).unwrap();
    for file in ["root", "targets", "snapshot", "timestamp"] {
        std::fs::copy(keys.join(format!("{file}.key.json")), mixed.join(format!("{file}.key.json"))).unwrap();
    }
    for file in ["warnings-1.key.json", "warnings-2.key.json"] {
        std::fs::copy(other.join(file), mixed.join(file)).unwrap();
    }
    let root_before = std::fs::read(repo.join("metadata/root.json")).unwrap();
    let files_before: Vec<_> = std::fs::read_dir(repo.join("metadata")).unwrap().map(|e| e.unwrap().path()).collect();
    let out = publish(&mixed);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warnings keys") && err.contains("faro rotate-root"), "{err}");
    let files_after: Vec<_> = std::fs::read_dir(repo.join("metadata")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files_before.len(), files_after.len(), "a refused publish writes nothing");

    // A phone trusting root 1, then the rotation (root 2), which the phone follows.
    let db = p(&dir.path().join("phone.db"));
    ok(FARO, &["trust", "--db", &db, &p(&repo.join("metadata/1.root.json"))]);
    let serve = Nginx::serve(&repo);
    if let Some(nginx) = &serve {
        ok(FARO, &["sync", "--db", &db, "--url", &nginx.url(""), "--dataset", "warnings/demo"]);
    }
    ok(FARO, &["rotate-root", "--keys", &p(&keys), "--new-keys", &p(&mixed), "--repo", &p(&repo)]);
    assert_ne!(std::fs::read(repo.join("metadata/root.json")).unwrap(), root_before);
    assert!(repo.join("metadata/2.root.json").exists());
    assert!(publish(&mixed).status.success());
    let Some(nginx) = serve else { return };
    let out = ok(FARO, &["sync", "--db", &db, "--url", &nginx.url(""), "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["root_version"], 2, "{v}");
}

/// A mistyped dataset is refused before it is saved; `unsubscribe` undoes a subscription;
/// a bundle subscribes the phone to what it brought, so the next sync from a URL keeps it
/// current; a missing database before a sync says to trust a root first.
#[test]
fn subscriptions_refuse_typos_follow_bundles_and_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (dir.path().join("keys"), dir.path().join("repo"));
    let demo = faro_tests::data_dir().join("demo");
    ok(FARO, &["keygen", "--out", &p(&keys)]);
    let (listings, warnings) = (p(&demo.join("listings.jsonl")), p(&demo.join("warnings.jsonl")));
    ok(FARO, &["publish", "--keys", &p(&keys), "--repo", &p(&repo), &listings, &warnings]);
    let Some(nginx) = Nginx::serve(&repo) else { return };
    let root = p(&repo.join("metadata/1.root.json"));
    let (db, other) = (p(&dir.path().join("phone.db")), p(&dir.path().join("other.db")));

    let err = fails(FARO, &["sync", "--db", &other, "--bundle", "x.bundle"]);
    assert!(err.contains("faro trust --db"), "a missing database names the first step: {err}");

    ok(FARO, &["trust", "--db", &db, &root]);
    let subscriptions = |db: &str| -> Value {
        let st: Value = serde_json::from_str(&ok(FARO, &["status", "--db", db, "--json"])).unwrap();
        st["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["subscribed"] == true)
            .map(|d| d["dataset"].clone())
            .chain(st["pending"].as_array().unwrap().iter().cloned())
            .collect()
    };
    let err = fails(FARO, &["sync", "--db", &db, "--url", &nginx.url(""), "--dataset", "demo/rout"]);
    assert!(err.contains("does not publish demo/rout") && err.contains("nothing was subscribed"), "{err}");
    assert_eq!(subscriptions(&db), serde_json::json!([]), "the typo was not saved");
    ok(FARO, &["sync", "--db", &db, "--url", &nginx.url(""), "--dataset", "demo/route", "--dataset", "warnings/demo"]);
    // A typo next to a good name: nothing new is saved, the good subscriptions stay.
    fails(FARO, &["sync", "--db", &db, "--url", &nginx.url(""), "--dataset", "warnings/dmo"]);
    assert_eq!(subscriptions(&db), serde_json::json!(["demo/route", "warnings/demo"]));

    // Pass it on by bundle: the other phone is subscribed to what came, and a URL sync works.
    let bundle = p(&dir.path().join("faro.bundle"));
    let v: Value = serde_json::from_str(&ok(FARO, &["export", "--db", &db, "--out", &bundle, "--json"])).unwrap();
    assert_eq!(v["datasets"].as_array().unwrap().len(), 2, "{v}");
    let v: Value = serde_json::from_str(&ok(FARO, &["trust", "--db", &other, &root, "--json"])).unwrap();
    assert_eq!(v["root_version"], 1);
    ok(FARO, &["sync", "--db", &other, "--bundle", &bundle]);
    assert_eq!(subscriptions(&other), serde_json::json!(["demo/route", "warnings/demo"]));
    let status = ok(FARO, &["status", "--db", &other]);
    assert!(!status.contains("( )") && !status.contains("()"), "no empty times: {status}");
    let out = ok(FARO, &["sync", "--db", &other, "--url", &nginx.url("")]);
    assert!(out.contains("demo/route") && out.contains("warnings/demo"), "{out}");

    // Unsubscribe: one name is removed; a name not subscribed is said, and alone it fails.
    let v: Value =
        serde_json::from_str(&ok(FARO, &["unsubscribe", "--db", &other, "warnings/demo", "--json"])).unwrap();
    assert_eq!(v["subscriptions"], serde_json::json!(["demo/route"]));
    let err = fails(FARO, &["unsubscribe", "--db", &other, "warnings/demo"]);
    assert!(err.contains("warnings/demo was not subscribed"), "{err}");
    let out = ok(FARO, &["sync", "--db", &other, "--url", &nginx.url("")]);
    assert!(out.contains("demo/route") && !out.contains("warnings/demo"), "{out}");
}

/// After the first publish the root key can go offline: publishing needs only the online
/// keys, a key error is labelled as one, and `rotate-root` asks for the root key by name.
#[test]
fn publishing_needs_the_root_key_only_to_create_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, repo) = (dir.path().join("keys"), dir.path().join("repo"));
    let listings = p(&faro_tests::data_dir().join("demo/listings.jsonl"));
    let v: Value = serde_json::from_str(&ok(FARO, &["keygen", "--out", &p(&keys), "--json"])).unwrap();
    assert_eq!(v["keys"].as_array().unwrap().len(), 6, "{v}");
    std::fs::rename(keys.join("root.key.json"), dir.path().join("root.key.json")).unwrap();
    let err = fails(FARO, &["publish", "--keys", &p(&keys), "--repo", &p(&repo), &listings]);
    assert!(err.contains("publisher keys: creating a repository needs the root key"), "{err}");
    assert!(!repo.join("metadata").exists());
    std::fs::rename(dir.path().join("root.key.json"), keys.join("root.key.json")).unwrap();
    ok(FARO, &["publish", "--keys", &p(&keys), "--repo", &p(&repo), &listings]);

    std::fs::rename(keys.join("root.key.json"), dir.path().join("root.key.json")).unwrap();
    let v: Value =
        serde_json::from_str(&ok(FARO, &["publish", "--keys", &p(&keys), "--repo", &p(&repo), "--json", &listings]))
            .unwrap();
    assert_eq!(v["timestamp_version"], 2, "published without the root key: {v}");
    assert!(v["root_expires"].is_string());

    let new_keys = dir.path().join("new-keys");
    ok(FARO, &["keygen", "--out", &p(&new_keys)]);
    let err = fails(FARO, &["rotate-root", "--keys", &p(&keys), "--new-keys", &p(&new_keys), "--repo", &p(&repo)]);
    assert!(err.contains("rotating the root needs the root key") && !err.contains("invalid query"), "{err}");
    std::fs::remove_file(keys.join("targets.key.json")).unwrap();
    let err = fails(FARO, &["publish", "--keys", &p(&keys), "--repo", &p(&repo), &listings]);
    assert!(err.contains("publisher keys:") && err.contains("targets.key.json is missing"), "{err}");
}
