//! Phone-to-phone bundles: one phone syncs from a real nginx and exports; others import the
//! file with no network. Checked: everything verifies and applies; nothing older replaces
//! newer data; a bundle whose metadata expired still applies, marked "not confirmed since";
//! a tampered record or a hostile archive is refused with the data intact.

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use faro_core::net::Cancel;
use faro_core::publish::{publish, KeySet, PublishOptions};
use faro_core::sync::{self, apply::dataset_state, content::Listings, SyncOptions};
use faro_core::{Error, Store};
use faro_tests::support::nginx::Nginx;

const ALL: [&str; 3] = ["demo/route", "rights/all", "warnings/demo"];

struct Setup {
    work: tempfile::TempDir,
    repo: PathBuf,
    keys: KeySet,
    root: Vec<u8>,
}

fn setup(timestamp_expiry: Duration) -> Setup {
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    KeySet::generate().unwrap().save(&work.path().join("keys")).unwrap();
    let keys = KeySet::load(&work.path().join("keys")).unwrap();
    let demo = faro_tests::data_dir().join("demo");
    let inputs = ["listings.jsonl", "rights.jsonl", "warnings.jsonl"].map(|f| demo.join(f));
    let expiries = faro_core::publish::Expiries { timestamp: timestamp_expiry, ..Default::default() };
    let opts = PublishOptions { expiries, ..PublishOptions::default() };
    publish(&keys, &repo, &inputs, &opts).unwrap();
    let root = std::fs::read(repo.join("metadata/1.root.json")).unwrap();
    Setup { work, repo, keys, root }
}

fn phone(s: &Setup, name: &str) -> Store {
    let store = Store::open(s.work.path().join(format!("{name}.db"))).unwrap();
    sync::install_trusted_root(&store, &s.root).unwrap();
    store
}

fn sync_at(store: &Store, nginx: &Nginx, device_now: chrono::DateTime<Utc>) {
    let subscribe = ALL.iter().map(|s| s.to_string()).collect();
    let opts = SyncOptions { subscribe, device_now, ..SyncOptions::default() };
    sync::sync_from_url(store, &nginx.url(""), &opts, &Cancel::new(), &mut |_| {}).unwrap();
}

fn state(store: &Store) -> (u64, String) {
    store.read(|c| dataset_state::<Listings>(c, "demo/route")).unwrap()
}

#[test]
fn a_bundle_carries_everything_and_never_replaces_newer_data() {
    let s = setup(Duration::days(7));
    let Some(nginx) = Nginx::serve(&s.repo) else { return };
    let a = phone(&s, "a");
    sync_at(&a, &nginx, Utc::now());
    let bundle = s.work.path().join("faro.bundle");
    let report = sync::export_bundle(&a, &bundle, &[]).unwrap();
    assert_eq!(report.datasets.len(), 3, "{report:?}");

    let b = phone(&s, "b");
    let outcomes = sync::import_bundle(&b, &bundle, Utc::now()).unwrap();
    assert!(outcomes.iter().all(|o| o.applied && o.unconfirmed_since.is_none()), "{outcomes:?}");
    assert_eq!(state(&a), state(&b));
    let st = sync::status(&b, Utc::now()).unwrap();
    assert!(st.datasets.iter().all(|d| d.route == "bundle" && !d.stale), "{st:?}");

    // The same bundle again: nothing is newer.
    let again = sync::import_bundle(&b, &bundle, Utc::now()).unwrap();
    assert!(again.iter().all(|o| !o.applied));

    // B passes it on to C: a bundle made from a bundle.
    let bundle2 = s.work.path().join("from-b.bundle");
    assert_eq!(sync::export_bundle(&b, &bundle2, &[]).unwrap().datasets.len(), 3);
    let c = phone(&s, "c");
    assert!(sync::import_bundle(&c, &bundle2, Utc::now()).unwrap().iter().all(|o| o.applied));
    assert_eq!(state(&c), state(&a));

    // A newer version on phone D is never replaced by the older bundle.
    let edited = s.work.path().join("listings.jsonl");
    let text = std::fs::read_to_string(faro_tests::data_dir().join("demo/listings.jsonl")).unwrap();
    std::fs::write(&edited, text.lines().take(20).collect::<Vec<_>>().join("\n")).unwrap();
    publish(&s.keys, &s.repo, &[edited], &PublishOptions::default()).unwrap();
    let d = phone(&s, "d");
    sync_at(&d, &nginx, Utc::now());
    let before = state(&d);
    let outcomes = sync::import_bundle(&d, &bundle, Utc::now()).unwrap();
    let route = outcomes.iter().find(|o| o.dataset == "demo/route").unwrap();
    assert!(!route.applied && route.previous_version == Some(2), "{route:?}");
    assert_eq!(state(&d), before);
}

#[test]
fn an_old_bundle_applies_marked_unconfirmed() {
    // A timestamp valid for one hour, and a bundle opened on a phone three weeks later.
    let s = setup(Duration::hours(1));
    let Some(nginx) = Nginx::serve(&s.repo) else { return };
    let a = phone(&s, "a");
    sync_at(&a, &nginx, Utc::now());
    let later = Utc::now() + Duration::days(21);
    let bundle = s.work.path().join("old.bundle");
    sync::export_bundle(&a, &bundle, &[]).unwrap();

    let b = phone(&s, "b");
    let outcomes = sync::import_bundle(&b, &bundle, later).unwrap();
    let since = outcomes[0].unconfirmed_since.expect("marked unconfirmed");
    assert!(since < Utc::now() + Duration::hours(2), "{since}");
    assert!(outcomes.iter().all(|o| o.applied));
    let st = sync::status(&b, later).unwrap();
    assert!(st.datasets.iter().all(|d| d.stale && d.unconfirmed_since.is_some()), "{st:?}");
    // The data is readable all the same.
    assert!(b.get("demo:tap-legal-1").is_ok() || b.listing_count().unwrap() > 0);
}

#[test]
fn tampered_and_hostile_bundles_are_refused() {
    let s = setup(Duration::days(7));
    let Some(nginx) = Nginx::serve(&s.repo) else { return };
    let a = phone(&s, "a");
    sync_at(&a, &nginx, Utc::now());
    let bundle = s.work.path().join("faro.bundle");
    sync::export_bundle(&a, &bundle, &["demo/route".into()]).unwrap();

    // One record changed inside the data file: the signed state hash no longer matches.
    let tampered = s.work.path().join("tampered.bundle");
    rewrite(&bundle, &tampered, |name, bytes| {
        if !name.starts_with("data/") {
            return bytes;
        }
        let text = String::from_utf8(faro_core::compress::decompress_to_vec(&bytes, 1 << 30).unwrap()).unwrap();
        let changed = text.replacen("(demo)", "(llame al +1 202 555 0199)", 1);
        assert_ne!(changed, text, "{name}: nothing to tamper with");
        let text = changed;
        faro_core::compress::compress_to_vec(text.as_bytes())
    });
    let b = phone(&s, "b");
    let e = sync::import_bundle(&b, &tampered, Utc::now()).unwrap_err();
    assert!(matches!(e, Error::Sync(sync::SyncError::StateMismatch { .. })), "{e}");
    assert_eq!(b.listing_count().unwrap(), 0);

    // An entry that tries to escape the unpacking folder, placed first.
    let hostile = s.work.path().join("hostile.bundle");
    let mut builder = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..22].copy_from_slice(b"metadata/../../esc.txt");
    h.set_size(2);
    h.set_cksum();
    builder.append(&h, &b"{}"[..]).unwrap();
    let mut raw = builder.into_inner().unwrap();
    raw.truncate(raw.len() - 1024); // drop the end-of-archive blocks
    std::fs::write(&hostile, [raw, std::fs::read(&bundle).unwrap()].concat()).unwrap();
    let e = sync::import_bundle(&b, &hostile, Utc::now()).unwrap_err().to_string();
    assert!(e.contains("unexpected entry"), "{e}");
    assert!(!s.work.path().join("esc.txt").exists());
    assert_eq!(b.listing_count().unwrap(), 0);

    // Not a bundle at all.
    let junk = s.work.path().join("junk.bundle");
    std::fs::write(&junk, b"<html>captive portal</html>").unwrap();
    assert!(sync::import_bundle(&b, &junk, Utc::now()).is_err());
    assert_eq!(b.listing_count().unwrap(), 0);
}

/// Copies a tar, passing each entry's bytes through `f`.
fn rewrite(from: &Path, to: &Path, f: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    use std::io::Read;
    let mut archive = tar::Archive::new(std::fs::File::open(from).unwrap());
    let mut out = tar::Builder::new(std::fs::File::create(to).unwrap());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let bytes = f(&name, bytes);
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_cksum();
        out.append_data(&mut h, &name, &bytes[..]).unwrap();
    }
    out.finish().unwrap();
}
