//! Phone-to-phone bundles: one phone syncs from a real nginx and exports; others import the
//! file with no network. Checked: everything verifies and applies; nothing older replaces
//! newer data; a bundle whose metadata expired still applies, marked "not confirmed since";
//! a tampered record or a hostile archive is refused with the data intact.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use faro_core::net::Cancel;
use faro_core::publish::{publish, KeySet, PublishOptions};
use faro_core::sync::{self, apply::dataset_state, content::Listings, SyncOptions, SyncRoute};
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
    assert!(st.datasets.iter().all(|d| d.route == SyncRoute::Bundle && !d.stale), "{st:?}");

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
    let e = sync::import_bundle(&b, &hostile, Utc::now()).unwrap_err();
    assert!(matches!(e, Error::BundleNotVerified { .. }), "{e}");
    assert!(e.to_string().contains("unexpected entry"), "{e}");
    assert!(!s.work.path().join("esc.txt").exists());
    assert_eq!(b.listing_count().unwrap(), 0);

    // Not a bundle at all.
    let junk = s.work.path().join("junk.bundle");
    std::fs::write(&junk, b"<html>captive portal</html>").unwrap();
    // Not "bad input": the person chose a file, and it is not a bundle that verifies.
    let e = sync::import_bundle(&b, &junk, Utc::now()).unwrap_err();
    assert!(matches!(e, Error::BundleNotVerified { .. }), "{e}");
    assert!(!e.is_damage(), "{e}");
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

/// Phone A synced everything from nginx and exported it; returns the bundle's path.
fn exported(s: &Setup, nginx: &Nginx, datasets: &[String]) -> PathBuf {
    let a = phone(s, "a");
    sync_at(&a, nginx, Utc::now());
    let bundle = s.work.path().join("faro.bundle");
    sync::export_bundle(&a, &bundle, datasets).unwrap();
    bundle
}

/// What a phone holds: datasets with versions, records, and its trusted roles.
fn held(store: &Store) -> (Vec<(String, u64)>, u64, Vec<String>) {
    let st = sync::status(store, Utc::now()).unwrap();
    let versions = st.datasets.iter().map(|d| (d.dataset.clone(), d.version)).collect();
    let roles = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT role FROM tuf_metadata ORDER BY role")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap();
    (versions, store.listing_count().unwrap(), roles)
}

#[test]
fn a_bundle_with_a_broken_later_role_applies_nothing() {
    let s = setup(Duration::days(7));
    let Some(nginx) = Nginx::serve(&s.repo) else { return };
    let bundle = exported(&s, &nginx, &[]);
    // The warnings role is read last (after demo/route and rights/all): break its signature.
    let broken = s.work.path().join("broken.bundle");
    rewrite(&bundle, &broken, |name, bytes| {
        if !name.ends_with(".warnings.json") {
            return bytes;
        }
        let text = String::from_utf8(bytes).unwrap();
        let at = text.find("\"sig\": \"").or_else(|| text.find("\"sig\":\"")).expect("a signature");
        let digit = text[at..].find(|c: char| c.is_ascii_hexdigit() && c != 'a').unwrap() + at;
        let mut b = text.into_bytes();
        b[digit] = if b[digit] == b'0' { b'1' } else { b'0' };
        b
    });
    let b = phone(&s, "b");
    let before = held(&b);
    let e = sync::import_bundle(&b, &broken, Utc::now()).unwrap_err();
    assert!(matches!(e, Error::Tuf(_)), "{e}");
    // Nothing at all: no dataset, no record, no metadata beyond the installed root.
    assert_eq!(held(&b), before);
    assert_eq!(before.1, 0);
    // The good bundle then applies whole, and the phone can pass it on.
    sync::import_bundle(&b, &bundle, Utc::now()).unwrap();
    assert_eq!(held(&b).0.len(), 3);
    let again = s.work.path().join("again.bundle");
    assert_eq!(sync::export_bundle(&b, &again, &[]).unwrap().datasets.len(), 3);
}

#[test]
fn bundle_data_goes_stale_when_its_timestamp_expires() {
    let s = setup(Duration::days(7));
    let Some(nginx) = Nginx::serve(&s.repo) else { return };
    let bundle = exported(&s, &nginx, &[]);
    let b = phone(&s, "b");
    let imported_at = Utc::now();
    sync::import_bundle(&b, &bundle, imported_at).unwrap();
    let expires = s.keys_timestamp_expiry();
    let now = sync::status(&b, Utc::now()).unwrap();
    assert!(now.datasets.iter().all(|d| !d.stale && d.verified_at.is_some()), "{now:?}");
    let later = sync::status(&b, Utc::now() + Duration::days(8)).unwrap();
    assert!(later.datasets.iter().all(|d| d.stale && d.unconfirmed_since == Some(expires)), "{later:?}");
    assert!(later.datasets.iter().all(|d| d.verified_at.is_some_and(|v| v >= imported_at - Duration::seconds(1))));
}

impl Setup {
    /// The expiry of the repository's current timestamp.
    fn keys_timestamp_expiry(&self) -> chrono::DateTime<Utc> {
        let bytes = std::fs::read(self.repo.join("metadata/timestamp.json")).unwrap();
        let env = faro_core::tuf::metadata::Envelope::parse("timestamp", &bytes).unwrap();
        env.signed["expires"].as_str().unwrap().parse().unwrap()
    }
}

/// `bundle` with `extra` (a raw tar entry: header and data) placed first.
fn with_first_entry(bundle: &Path, out: &Path, header: &tar::Header, data: &[u8]) {
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(header, data).unwrap();
    let mut raw = builder.into_inner().unwrap();
    raw.truncate(raw.len() - 1024); // drop the end-of-archive blocks
    std::fs::write(out, [raw, std::fs::read(bundle).unwrap()].concat()).unwrap();
}

fn gnu(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_path(name).unwrap();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    h
}

#[test]
fn bundle_entries_other_than_regular_files_or_over_their_signed_size_are_refused() {
    let s = setup(Duration::days(7));
    let Some(nginx) = Nginx::serve(&s.repo) else { return };
    let bundle = exported(&s, &nginx, &["demo/route".into()]);
    let b = phone(&s, "b");
    let hostile = s.work.path().join("hostile.bundle");
    let refused = |header: &tar::Header, data: &[u8], expect: &str| {
        with_first_entry(&bundle, &hostile, header, data);
        let started = std::time::Instant::now();
        let e = sync::import_bundle(&b, &hostile, Utc::now()).unwrap_err();
        assert!(matches!(e, Error::BundleNotVerified { .. }), "{e}");
        let e = e.to_string();
        assert!(e.contains(expect), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{e}");
        assert_eq!(b.listing_count().unwrap(), 0);
        e
    };

    // A 512 MiB GNU sparse file stored in one 512-byte block (under the old 1 GiB cap): never
    // expanded to disk.
    let mut sparse = gnu("data/demo/route.jsonl.zst", tar::EntryType::GNUSparse, 512);
    let g = sparse.as_gnu_mut().unwrap();
    g.sparse[0].set_offset((512u64 << 20) - 512);
    g.sparse[0].set_length(512);
    g.set_real_size(512u64 << 20);
    sparse.set_cksum();
    let e = refused(&sparse, &[b'x'; 512], "regular files only");
    assert!(e.contains("GNUSparse"), "{e}");
    let scratch: u64 = walk_size(s.work.path());
    assert!(scratch < 100 << 20, "{scratch} bytes on disk");

    // Links, devices and folders.
    let mut link = gnu("metadata/timestamp.json", tar::EntryType::Symlink, 0);
    link.set_link_name("/etc/passwd").unwrap();
    link.set_cksum();
    refused(&link, &[], "regular files only");
    refused(&gnu("data/demo/route.jsonl.zst", tar::EntryType::Char, 0), &[], "regular files only");
    refused(&gnu("metadata/x.json", tar::EntryType::Directory, 0), &[], "regular files only");

    // A pax extended header (which could change the size or the name of what follows).
    let mut builder = tar::Builder::new(Vec::new());
    builder.append_pax_extensions([("size", b"999999999".as_slice())]).unwrap();
    let mut h = gnu("metadata/extra.json", tar::EntryType::Regular, 2);
    h.set_cksum();
    builder.append(&h, &b"{}"[..]).unwrap();
    let mut raw = builder.into_inner().unwrap();
    raw.truncate(raw.len() - 1024);
    std::fs::write(&hostile, [raw, std::fs::read(&bundle).unwrap()].concat()).unwrap();
    let e = sync::import_bundle(&b, &hostile, Utc::now()).unwrap_err().to_string();
    assert!(e.contains("pax"), "{e}");

    // A data file far larger than the signed snapshot it stands for.
    let signed_len = std::fs::read_dir(s.repo.join("targets/demo"))
        .unwrap()
        .map(|e| e.unwrap())
        .find(|e| e.file_name().to_string_lossy().ends_with(".route.jsonl.zst"))
        .unwrap()
        .metadata()
        .unwrap()
        .len();
    let big = s.work.path().join("big.bundle");
    rewrite(&bundle, &big, |name, bytes| {
        if name.starts_with("data/") {
            vec![0u8; (signed_len * 8 + (1 << 20) + 1) as usize]
        } else {
            bytes
        }
    });
    let e = sync::import_bundle(&b, &big, Utc::now()).unwrap_err().to_string();
    assert!(e.contains("its signed metadata allows"), "{e}");
    assert_eq!(b.listing_count().unwrap(), 0);
}

fn walk_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| {
                    let m = e.metadata().unwrap();
                    if m.is_dir() {
                        walk_size(&e.path())
                    } else {
                        m.len()
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn tar_header_bytes_are_escaped_in_errors() {
    let s = setup(Duration::days(7));
    let Some(nginx) = Nginx::serve(&s.repo) else { return };
    let bundle = exported(&s, &nginx, &["demo/route".into()]);
    let b = phone(&s, "b");
    let hostile = s.work.path().join("hostile.bundle");
    // A name with a terminal escape and a line break.
    let mut h = tar::Header::new_old();
    let name = b"metadata/\x1b[2J\nfake.json";
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_size(2);
    h.set_cksum();
    with_first_entry(&bundle, &hostile, &h, b"{}");
    let e = sync::import_bundle(&b, &hostile, Utc::now()).unwrap_err().to_string();
    assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
    assert!(e.contains("\\u{1b}"), "{e}");

    // A size field holding control bytes: the tar reader's own message is escaped too.
    let mut h = gnu("metadata/x.json", tar::EntryType::Regular, 2);
    h.as_gnu_mut().unwrap().size.copy_from_slice(b"\x1b[31m\x07\x07\x07\x07\x07\x07\x07");
    h.set_cksum();
    with_first_entry(&bundle, &hostile, &h, b"{}");
    let e = sync::import_bundle(&b, &hostile, Utc::now()).unwrap_err().to_string();
    assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
    assert_eq!(b.listing_count().unwrap(), 0);
}

#[test]
fn printable_escapes_control_characters_and_caps_length() {
    use faro_core::error::printable;
    assert_eq!(printable("a\x1b[2Jb\nc", 100), "a\\u{1b}[2Jb\\u{a}c");
    assert_eq!(printable("ab\u{202e}cd", 100), "ab\\u{202e}cd");
    assert_eq!(printable("ñandú", 3), "ñan...");
    assert_eq!(printable("plain", 5), "plain");
}
