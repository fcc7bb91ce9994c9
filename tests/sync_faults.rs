//! Sync under faults and attacks, against a real HTTP server on loopback (the fault server
//! serving a repository `publish` wrote, or one crafted with the TUF writer and the
//! publisher's keys) and a real SQLite file. Every case asserts a clear error and that the
//! last good data is intact: the same version, the same records (state hash recomputed from
//! the store), the same status, and a sound database file. Where a fault is recoverable (a
//! resumed download, a server that ignores `Range`), a later sync finishes with the right data
//! and the bytes it wasted are counted.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::time::{Duration, Instant};

use chrono::Utc;

use faro_core::compress::compress_to_vec;
use faro_core::contact::Verdict;
use faro_core::net::NetError;
use faro_core::publish::dataset::{read_input, snapshot_file, state_of};
use faro_core::publish::{rotate_root, KeySet, PublishOptions};
use faro_core::sync::content::{Listings, Rights, Warnings};
use faro_core::sync::entry::{snapshot_path, to_custom, DatasetEntry};
use faro_core::sync::{ContentKind, SyncError, SyncRoute};
use faro_core::tuf::metadata::Envelope;
use faro_core::tuf::writer::sign_metadata;
use faro_core::tuf::{DelegatedRole, Delegations, MetaFile, SigningKey, Targets, Timestamp, TrustStore, TufError};
use faro_core::Error;
use faro_tests::support::fault_server::{Fault, FaultServer};
use faro_tests::support::sync_repo::{seeded_rng, serve_repo, write_input, Crafter, Phone, Repo};

const MX: &str = "directory/mx";
/// The part of the URL that names the full snapshot of `directory/mx` (deltas are
/// `.mx.from-N.jsonl.zst`).
const MX_SNAPSHOT: &str = ".mx.jsonl.zst";

/// A repository with `directory/mx` version 1, served by a fault server, and a phone that
/// synced it.
struct Setup {
    repo: Repo,
    server: FaultServer,
    phone: Phone,
    v1: DatasetEntry,
    records: usize,
}

impl Setup {
    fn new(records: usize) -> Setup {
        let repo = Repo::new();
        repo.publish(MX, 0..records, |_| String::new(), &PublishOptions::default());
        let server = FaultServer::start();
        serve_repo(&server, &repo.dir);
        let phone = Phone::new(&repo.work().join("phone.db"), &repo.metadata("1.root.json"));
        phone.sync(&server.url(""), &[MX]).expect("first sync");
        let v1 = repo.entry(MX);
        assert!(phone.held(MX).is(&v1));
        Setup { repo, server, phone, v1, records }
    }

    /// Publishes version 2 (every tenth record changed) with `options` and serves it.
    fn publish_v2(&self, options: &PublishOptions) -> DatasetEntry {
        self.repo.publish(MX, 0..self.records, |i| if i % 10 == 0 { " (v2)".into() } else { String::new() }, options);
        serve_repo(&self.server, &self.repo.dir);
        self.repo.entry(MX)
    }

    /// Version 2 with no deltas: the phone must download the full snapshot.
    fn publish_v2_snapshot_only(&self) -> (DatasetEntry, Vec<u8>) {
        let v2 = self.publish_v2(&PublishOptions { keep_versions: 0, ..PublishOptions::default() });
        assert!(v2.deltas.is_empty());
        (v2, std::fs::read(self.repo.snapshot_file(MX)).unwrap())
    }

    fn sync(&self) -> Result<faro_core::sync::SyncReport, Error> {
        self.phone.sync(&self.server.url(""), &[])
    }

    /// The sync fails and the phone still holds exactly `entry`.
    fn fails_keeping(&self, entry: &DatasetEntry) -> Error {
        let e = self.sync().expect_err("the sync must fail");
        assert!(self.phone.held(MX).is(entry), "after {e}: {:?}", self.phone.held(MX));
        e
    }

    /// The partial download of a target with this SHA-256.
    fn partial_len(&self, sha256: &str) -> u64 {
        let path = self.phone.downloads().join(format!("{sha256}.zst.partial"));
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    /// The last request for the full snapshot, as the server saw it.
    fn last_snapshot_request(&self) -> faro_tests::support::fault_server::Seen {
        self.server.seen().into_iter().rev().find(|s| s.path.contains(MX_SNAPSHOT)).expect("snapshot requested")
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    faro_core::tuf::verify::hashes_of(bytes)["sha256"].clone()
}

/// Cut at `offset`, then two 503s: with two attempts per file, the sync gives up.
fn cut_then_give_up(offset: u64) -> [Fault; 3] {
    [Fault::CutAfter(offset), Fault::Status(503, None), Fault::Status(503, None)]
}

#[test]
fn cuts_at_random_offsets_fail_cleanly_and_a_later_sync_resumes() {
    let s = Setup::new(3000);
    let (v2, file) = s.publish_v2_snapshot_only();
    let (len, sha) = (file.len() as u64, sha256_hex(&file));
    assert!(len > 10_000, "a snapshot worth resuming: {len} bytes");
    let mut rng = seeded_rng();

    // Three syncs each cut at a random offset of what is left, then refused by the server.
    let mut kept = 0;
    for _ in 0..3 {
        let offset = rng.u64(1..(len - kept) / 2);
        s.server.script_path(MX_SNAPSHOT, cut_then_give_up(offset));
        let e = s.fails_keeping(&s.v1);
        assert!(matches!(e, Error::Net(NetError::Status { status: 503, .. })), "{e}");
        assert!(e.to_string().contains("try again later"), "{e}");
        kept += offset;
        assert_eq!(s.partial_len(&sha), kept, "what arrived is kept for the resume");
    }

    // A later sync asks only for the rest and applies the new version.
    let r = s.sync().unwrap();
    let d = &r.datasets[0];
    assert_eq!((d.route, d.version, d.wasted_bytes), (SyncRoute::Snapshot, 2, 0), "{d:?}");
    assert_eq!(d.bytes_downloaded, len - kept, "only the missing bytes were fetched again");
    assert_eq!(s.last_snapshot_request().header("range"), Some(format!("bytes={kept}-").as_str()));
    assert!(s.phone.held(MX).is(&v2));
    assert_eq!(s.partial_len(&sha), 0);

    // Several cuts within one sync: each attempt that stored bytes resumes at once.
    let phone = Phone::new(&s.repo.work().join("second.db"), &s.repo.metadata("1.root.json"));
    let cuts: Vec<u64> = (0..4).map(|_| rng.u64(1..len / 5)).collect();
    s.server.script_path(MX_SNAPSHOT, cuts.iter().map(|&n| Fault::CutAfter(n)));
    let r = phone.sync(&s.server.url(""), &[MX]).unwrap();
    let d = &r.datasets[0];
    assert_eq!((d.bytes_downloaded, d.wasted_bytes), (len, 0), "{d:?}");
    assert!(phone.held(MX).is(&v2));
}

#[test]
fn a_trickle_is_stopped_by_the_per_file_deadline() {
    let mut s = Setup::new(200);
    s.publish_v2(&PublishOptions::default());
    s.phone.options.net.file_deadline = Duration::from_secs(2);
    for part in ["/metadata/timestamp.json", ".mx.from-1.jsonl.zst"] {
        s.server.script_path(part, [Fault::Trickle(Duration::from_secs(1))]);
        let started = Instant::now();
        let e = s.fails_keeping(&s.v1);
        assert!(started.elapsed() < Duration::from_secs(8), "{part}: stopped after {:?}", started.elapsed());
        assert!(matches!(e, Error::Net(NetError::Timeout { .. })), "{part}: {e}");
        assert!(e.to_string().contains("within the 2 s allowed"), "{e}");
    }
    s.phone.options.net.file_deadline = Duration::from_secs(60);
    assert_eq!(s.sync().unwrap().datasets[0].route, SyncRoute::Delta);
}

#[test]
fn a_200_instead_of_206_on_resume_starts_over() {
    let s = Setup::new(3000);
    let (v2, file) = s.publish_v2_snapshot_only();
    let offset = file.len() as u64 / 3;
    s.server.script_path(MX_SNAPSHOT, cut_then_give_up(offset));
    s.fails_keeping(&s.v1);

    s.server.script_path(MX_SNAPSHOT, [Fault::IgnoreRange]);
    let r = s.sync().unwrap();
    let d = &r.datasets[0];
    assert!(s.last_snapshot_request().header("range").is_some(), "the client asked to resume");
    assert_eq!((d.wasted_bytes, d.bytes_downloaded), (offset, file.len() as u64), "{d:?}");
    assert!(s.phone.held(MX).is(&v2));
}

#[test]
fn a_wrong_content_range_is_never_spliced() {
    let s = Setup::new(3000);
    let (v2, file) = s.publish_v2_snapshot_only();
    let offset = file.len() as u64 / 2;
    s.server.script_path(MX_SNAPSHOT, cut_then_give_up(offset));
    s.fails_keeping(&s.v1);

    // The server answers the resume with the file's first bytes labelled as the range: the
    // client must throw the partial away and fetch everything, not splice.
    s.server.script_path(MX_SNAPSHOT, [Fault::WrongContentRange]);
    let r = s.sync().unwrap();
    let d = &r.datasets[0];
    assert_eq!(d.wasted_bytes, offset, "{d:?}");
    assert!(s.phone.held(MX).is(&v2));

    // Wrong ranges every time: a clear error once the attempts are used up; data intact.
    let s = Setup::new(3000);
    let (_, file) = s.publish_v2_snapshot_only();
    s.server.script_path(MX_SNAPSHOT, cut_then_give_up(file.len() as u64 / 2));
    s.fails_keeping(&s.v1);
    s.server.script_path(MX_SNAPSHOT, [Fault::WrongContentRange, Fault::Status(503, None), Fault::Status(503, None)]);
    s.fails_keeping(&s.v1);
}

#[test]
fn flipped_bytes_in_a_target_are_refused() {
    // Snapshot only: the hash check refuses it; nothing is applied, nothing kept.
    let s = Setup::new(300);
    let (_, mut file) = s.publish_v2_snapshot_only();
    let sha = sha256_hex(&file);
    let path = s.last_path_of(MX_SNAPSHOT);
    let mid = file.len() / 2;
    file[mid] ^= 0x01;
    s.server.put(&path, file);
    let e = s.fails_keeping(&s.v1);
    assert!(matches!(&e, Error::Tuf(TufError::LengthOrHashMismatch { what, .. }) if what.contains("hash")), "{e}");
    assert!(!s.phone.downloads().join(format!("{sha}.zst")).exists(), "a file with the wrong bytes is not kept");

    // A flipped delta: the client falls back to the (intact) full snapshot.
    let s = Setup::new(300);
    let v2 = s.publish_v2(&PublishOptions::default());
    let delta = s.last_path_of(".mx.from-1.");
    let mut bytes = s.server_file(&delta);
    bytes[10] ^= 0x80;
    s.server.put(&delta, bytes);
    let d = s.sync().unwrap().datasets.remove(0);
    assert_eq!((d.route, d.fell_back), (SyncRoute::Snapshot, true), "{d:?}");
    assert!(s.phone.held(MX).is(&v2));
}

impl Setup {
    /// The served path of the target whose URL contains `part`.
    fn last_path_of(&self, part: &str) -> String {
        let repo_targets = self.repo.dir.join("targets");
        let entry = match part {
            MX_SNAPSHOT => self.repo.snapshot_file(MX),
            _ => {
                let dir = repo_targets.join("directory");
                let mut found: Vec<_> = std::fs::read_dir(dir)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.to_string_lossy().contains(part))
                    .collect();
                found.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
                found.pop().expect("target file")
            }
        };
        format!("/targets/{}", entry.strip_prefix(&repo_targets).unwrap().to_string_lossy())
    }

    fn server_file(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.repo.dir.join(path.trim_start_matches('/'))).unwrap()
    }
}

#[test]
fn a_captive_portal_page_instead_of_timestamp_json_is_refused() {
    let s = Setup::new(200);
    let v2 = s.publish_v2(&PublishOptions::default());
    for portal in [Fault::PortalHtml, Fault::PortalHtmlUntyped] {
        s.server.script_path("/metadata/timestamp.json", [portal.clone()]);
        let e = s.fails_keeping(&s.v1);
        assert!(e.to_string().contains("captive portal"), "{portal:?}: {e}");
    }
    // Once past the portal, the sync goes through.
    s.sync().unwrap();
    assert!(s.phone.held(MX).is(&v2));
}

#[test]
fn an_endless_body_is_cut_at_the_signed_or_capped_size() {
    let s = Setup::new(200);
    s.publish_v2(&PublishOptions::default());
    for part in ["/metadata/timestamp.json", ".mx.from-1.jsonl.zst"] {
        s.server.script_path(part, [Fault::Endless]);
        let e = s.fails_keeping(&s.v1);
        assert!(matches!(e, Error::Net(NetError::TooLarge { .. })), "{part}: {e}");
    }
}

/// One zstd frame: `head` stored raw, then `fill` repeated `blocks` times 128 KiB at a time
/// (RLE blocks, 4 bytes each). Declares its size only when `declare` is set.
fn zstd_bomb(head: &[u8], fill: u8, blocks: u32, declare: bool) -> Vec<u8> {
    const BLOCK: u32 = 128 * 1024;
    let mut out = vec![0x28, 0xB5, 0x2F, 0xFD];
    // Frame header: no checksum, no dictionary, 1 MiB window; optionally an 8-byte size.
    if declare {
        out.extend([0xC0, 0x50]);
        out.extend((head.len() as u64 + u64::from(blocks) * u64::from(BLOCK)).to_le_bytes());
    } else {
        out.extend([0x00, 0x50]);
    }
    let block_header = |size: u32, kind: u32, last: bool| -> [u8; 3] {
        let v = (size << 3) | (kind << 1) | u32::from(last);
        [v as u8, (v >> 8) as u8, (v >> 16) as u8]
    };
    out.extend(block_header(head.len() as u32, 0, false));
    out.extend(head);
    for i in 0..blocks {
        out.extend(block_header(BLOCK, 1, i + 1 == blocks));
        out.push(fill);
    }
    out
}

#[test]
fn a_zstd_bomb_dataset_is_stopped_by_the_decompression_cap() {
    // The bomb checks out against hand-written zstd: 2 GiB from 64 KiB.
    let head = br#"{"faro":"listings","version":1,"dataset":"directory/mx","demo":true}"#.to_vec();
    let small = zstd_bomb(&[head.clone(), b"\n".to_vec()].concat(), b' ', 3, false);
    let out = faro_core::compress::decompress_to_vec(&small, 1 << 20).unwrap();
    assert_eq!(out.len(), head.len() + 1 + 3 * 128 * 1024);

    for declare in [false, true] {
        let s = Setup::new(200);
        // Blank lines, which the line reader skips: a bomb of one long line would stop at the
        // 4 MiB line cap first, and this test is about the decompression cap.
        let bomb = zstd_bomb(&[head.clone(), b"\n".to_vec()].concat(), b'\n', 16 * 1024, declare);
        assert!(bomb.len() < 70_000, "{} bytes", bomb.len());
        let crafter = s.repo.crafter();
        let mut entry = s.v1.clone();
        entry.version = 2;
        entry.published = Utc::now();
        let file = crafter.add_target(&snapshot_path(MX), &bomb, Some(to_custom(&entry)));
        let mut targets = crafter.targets("targets");
        targets.targets.retain(|path, _| !path.starts_with("directory/mx."));
        targets.targets.insert(snapshot_path(MX), file);
        crafter.release("targets", targets, &[&s.repo.keys.targets]);
        serve_repo(&s.server, &s.repo.dir);

        let started = Instant::now();
        let e = s.fails_keeping(&s.v1);
        assert!(e.to_string().contains("exceeds the limit of 16777216 bytes"), "{e}");
        assert!(e.to_string().contains("decompression bomb"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

#[test]
fn a_rollback_timestamp_is_refused_after_a_newer_one_was_seen() {
    let s = Setup::new(200);
    let old_timestamp = s.repo.metadata("timestamp.json");
    let v2 = s.publish_v2(&PublishOptions::default());
    s.sync().unwrap();
    assert!(s.phone.held(MX).is(&v2));

    // A mirror (or attacker) serves the timestamp of version 1 again: validly signed, older.
    s.server.put("/metadata/timestamp.json", old_timestamp);
    let e = s.fails_keeping(&v2);
    assert!(
        matches!(&e, Error::Tuf(TufError::Rollback { role, trusted: 2, offered: 1, .. }) if role == "timestamp"),
        "{e}"
    );
}

#[test]
fn an_expired_timestamp_is_refused() {
    let s = Setup::new(200);
    // Published 8 days ago: the timestamp (7 days) has expired, a frozen repository.
    s.publish_v2(&PublishOptions { now: Utc::now() - chrono::Duration::days(8), ..PublishOptions::default() });
    let e = s.fails_keeping(&s.v1);
    assert!(matches!(&e, Error::Tuf(TufError::Expired { role, .. }) if role == "timestamp"), "{e}");
    assert!(e.to_string().contains("could not confirm"), "{e}");
    // The phone's data is still confirmed by its last good timestamp: not stale yet.
    let st = faro_core::sync::status(&s.phone.store, Utc::now()).unwrap();
    assert!(!st.datasets[0].stale);
}

#[test]
fn a_mix_and_match_snapshot_is_refused() {
    let s = Setup::new(200);
    let crafter = s.repo.crafter();
    let trusted = crafter.snapshot();
    let listed = trusted.common.version + 1;
    // Two newer snapshots, both validly signed; the timestamp lists the first by version
    // only, and the repository serves the second under the first's name.
    let mut other = trusted.clone();
    other.common.version = listed + 1;
    other.common.expires = Utc::now() + chrono::Duration::days(30);
    let other_bytes = crafter.write_snapshot(&other);
    std::fs::write(s.repo.dir.join(format!("metadata/{listed}.snapshot.json")), &other_bytes).unwrap();
    let mut ts = crafter.timestamp();
    ts.common.version += 1;
    ts.common.expires = Utc::now() + chrono::Duration::days(7);
    ts.snapshot = MetaFile { version: listed, length: None, hashes: None };
    crafter.write_timestamp(&ts);
    serve_repo(&s.server, &s.repo.dir);
    let e = s.fails_keeping(&s.v1);
    assert!(
        matches!(&e, Error::Tuf(TufError::MixAndMatch { role, expected, got, .. })
            if role == "snapshot" && *expected == listed && *got == listed + 1),
        "{e}"
    );

    // With the length and hashes listed, the same swap fails the hash check.
    let mut right = trusted.clone();
    right.common.version = listed;
    right.common.expires = Utc::now() + chrono::Duration::days(30);
    let right_bytes = crafter.write_snapshot(&right);
    std::fs::write(s.repo.dir.join(format!("metadata/{listed}.snapshot.json")), &other_bytes).unwrap();
    let ts = Timestamp::create(ts.common.version + 1, Utc::now() + chrono::Duration::days(7), listed, &right_bytes);
    crafter.write_timestamp(&ts);
    serve_repo(&s.server, &s.repo.dir);
    let e = s.fails_keeping(&s.v1);
    assert!(matches!(e, Error::Tuf(TufError::LengthOrHashMismatch { .. })), "{e}");
}

/// A signed-looking dataset `warnings/mx` (three listings, ids apart from `directory/mx`'s):
/// its compressed snapshot and entry.
fn warnings_dataset(repo: &Repo) -> (Vec<u8>, DatasetEntry) {
    let input = write_input(&repo.work().join("warnings.jsonl"), "warnings/mx", 900_000..900_003, |_| String::new());
    let (header, records) =
        read_input::<Listings>(std::io::BufReader::new(std::fs::File::open(&input).unwrap()), "warnings.jsonl")
            .unwrap();
    let (count, state) = state_of(&records);
    let entry = DatasetEntry {
        content: "listings".into(),
        dataset: "warnings/mx".into(),
        version: 1,
        records: count,
        state,
        publisher: Some("test".into()),
        published: Utc::now(),
        demo: true,
        source: None,
        deltas: Default::default(),
    };
    (compress_to_vec(&snapshot_file(&header, &records)), entry)
}

#[test]
fn a_warning_listed_by_the_top_level_targets_role_is_refused() {
    let s = Setup::new(200);
    let crafter = s.repo.crafter();
    let (bytes, entry) = warnings_dataset(&s.repo);
    let file = crafter.add_target(&snapshot_path("warnings/mx"), &bytes, Some(to_custom(&entry)));
    let mut targets = crafter.targets("targets");
    targets.targets.insert(snapshot_path("warnings/mx"), file);
    crafter.release("targets", targets, &[&s.repo.keys.targets]);
    serve_repo(&s.server, &s.repo.dir);

    let e = s.phone.sync(&s.server.url(""), &["warnings/mx"]).unwrap_err();
    assert!(matches!(&e, Error::Sync(SyncError::WrongSigner { role, .. }) if role == "targets"), "{e}");
    assert!(e.to_string().contains("2 keys"), "{e}");
    assert!(s.phone.held(MX).is(&s.v1));
    assert_eq!(s.phone.held("warnings/mx").records, 0);
}

#[test]
fn a_warning_signed_by_one_of_its_two_keys_is_refused() {
    let s = Setup::new(200);
    let crafter = s.repo.crafter();
    let (bytes, entry) = warnings_dataset(&s.repo);
    let file = crafter.add_target(&snapshot_path("warnings/mx"), &bytes, Some(to_custom(&entry)));
    let mut warnings = crafter.targets("warnings");
    warnings.targets.insert(snapshot_path("warnings/mx"), file);
    crafter.release("warnings", warnings.clone(), &[&s.repo.keys.warnings[0]]);
    serve_repo(&s.server, &s.repo.dir);

    let e = s.phone.sync(&s.server.url(""), &["warnings/mx"]).unwrap_err();
    assert!(
        matches!(&e, Error::Tuf(TufError::ThresholdNotMet { role, have: 1, need: 2 }) if role == "warnings"),
        "{e}"
    );
    assert!(s.phone.held(MX).is(&s.v1));
    assert_eq!(s.phone.held("warnings/mx").version, None);

    // With both signatures the threshold is met, and the next check speaks: a dataset named
    // warnings/... that holds listings is refused all the same.
    crafter.release("warnings", warnings, &[&s.repo.keys.warnings[0], &s.repo.keys.warnings[1]]);
    serve_repo(&s.server, &s.repo.dir);
    let e = s.phone.sync(&s.server.url(""), &["warnings/mx"]).unwrap_err();
    assert!(matches!(&e, Error::Sync(SyncError::NotWarnings { content, .. }) if content == "listings"), "{e}");
    assert_eq!(s.phone.held("warnings/mx").version, None);
    assert!(s.phone.held(MX).is(&s.v1));
}

/// The demo listings and warnings published, served by a fault server, and a phone that
/// synced both; the clinic's number reads OFFICIAL there.
struct DemoSetup {
    repo: Repo,
    server: FaultServer,
    phone: Phone,
}

/// A number of a verified clinic in the demo data (`demo:el-paso-health-01`).
const CLINIC: &str = "+1 915 555 0167";

impl DemoSetup {
    fn new() -> DemoSetup {
        let repo = Repo::new();
        let demo = faro_tests::data_dir().join("demo");
        let inputs = [demo.join("listings.jsonl"), demo.join("warnings.jsonl")];
        faro_core::publish::publish(&repo.keys, &repo.dir, &inputs, &PublishOptions::default()).unwrap();
        let server = FaultServer::start();
        serve_repo(&server, &repo.dir);
        let phone = Phone::new(&repo.work().join("phone.db"), &repo.metadata("1.root.json"));
        phone.sync(&server.url(""), &["demo/route", "warnings/demo"]).expect("first sync");
        let d = DemoSetup { repo, server, phone };
        assert_eq!(d.clinic(), Verdict::Official);
        d
    }

    fn clinic(&self) -> Verdict {
        let prefs = faro_core::lang::LangPrefs::default();
        self.phone.store.check_contact(CLINIC, None, Utc::now(), &prefs).unwrap().verdict
    }

    /// Syncs `dataset`, which must be refused with the phone's holdings and the clinic's
    /// verdict unchanged (`before` = [`Self::holdings`] first); returns the refusal.
    fn sync_refused(&self, dataset: &str, before: &(Vec<(String, u64, ContentKind)>, usize)) -> Error {
        let e = self.phone.sync(&self.server.url(""), &[dataset]).unwrap_err();
        self.unchanged(before);
        e
    }

    /// The same for the repository's metadata and `bytes` carried in a bundle.
    fn bundle_refused(&self, dataset: &str, bytes: &[u8], before: &(Vec<(String, u64, ContentKind)>, usize)) -> Error {
        let bundle = metadata_bundle(&self.repo, dataset, bytes);
        let e = faro_core::sync::import_bundle(&self.phone.store, &bundle, Utc::now()).unwrap_err();
        self.unchanged(before);
        e
    }

    fn unchanged(&self, before: &(Vec<(String, u64, ContentKind)>, usize)) {
        assert_eq!(&self.holdings(), before);
        assert_eq!(self.clinic(), Verdict::Official);
    }

    /// Everything the phone holds: dataset versions and the warnings' ids.
    fn holdings(&self) -> (Vec<(String, u64, ContentKind)>, usize) {
        let st = faro_core::sync::status(&self.phone.store, Utc::now()).unwrap();
        let sets = st.datasets.iter().map(|d| (d.dataset.clone(), d.version, d.content)).collect();
        let warnings = self
            .phone
            .store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM warnings", [], |r| r.get::<_, i64>(0))?))
            .unwrap();
        (sets, warnings as usize)
    }
}

/// A validly built warnings dataset `dataset` whose one warning names the clinic's number:
/// its compressed snapshot and signed-entry fields.
fn forged_warning(dataset: &str) -> (Vec<u8>, DatasetEntry) {
    let demo = std::fs::read_to_string(faro_tests::data_dir().join("demo/warnings.jsonl")).unwrap();
    let mut w: serde_json::Value = serde_json::from_str(demo.lines().nth(1).unwrap()).unwrap();
    w["id"] = "demo:w-forged".into();
    w["indicators"] = serde_json::json!({ "phones": [CLINIC] });
    w.as_object_mut().unwrap().remove("related_listings");
    let text = format!("{{\"faro\":\"warnings\",\"version\":1,\"dataset\":\"{dataset}\",\"demo\":true}}\n{w}\n");
    let (header, records) = read_input::<Warnings>(text.as_bytes(), "forged.jsonl").unwrap();
    let (count, state) = state_of(&records);
    let entry = DatasetEntry {
        content: "warnings".into(),
        dataset: dataset.into(),
        version: 1,
        records: count,
        state,
        publisher: Some("forger".into()),
        published: Utc::now(),
        demo: true,
        source: None,
        deltas: Default::default(),
    };
    (compress_to_vec(&snapshot_file(&header, &records)), entry)
}

#[test]
fn warnings_content_under_another_name_needs_the_two_warnings_keys() {
    let d = DemoSetup::new();
    let before = d.holdings();
    // Signed with the online targets key only (with the snapshot and timestamp keys).
    let crafter = d.repo.crafter();
    let (bytes, entry) = forged_warning("demo/x");
    let file = crafter.add_target(&snapshot_path("demo/x"), &bytes, Some(to_custom(&entry)));
    let mut targets = crafter.targets("targets");
    targets.targets.insert(snapshot_path("demo/x"), file);
    crafter.release("targets", targets, &[&d.repo.keys.targets]);
    serve_repo(&d.server, &d.repo.dir);

    let e = d.sync_refused("demo/x", &before);
    assert!(matches!(&e, Error::Sync(SyncError::WrongSigner { role, .. }) if role == "targets"), "{e}");

    // The same metadata carried in a bundle is refused the same way.
    let e = d.bundle_refused("demo/x", &bytes, &before);
    assert!(matches!(&e, Error::Sync(SyncError::WrongSigner { role, .. }) if role == "targets"), "{e}");
}

/// A bundle of every metadata file of `repo` and `bytes` as the data of `dataset`.
fn metadata_bundle(repo: &Repo, dataset: &str, bytes: &[u8]) -> std::path::PathBuf {
    let bundle = repo.work().join("forged.bundle");
    let mut tar = tar::Builder::new(std::fs::File::create(&bundle).unwrap());
    for f in std::fs::read_dir(repo.dir.join("metadata")).unwrap() {
        let f = f.unwrap();
        tar.append_path_with_name(f.path(), format!("metadata/{}", f.file_name().to_string_lossy())).unwrap();
    }
    let mut h = tar::Header::new_gnu();
    h.set_size(bytes.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, format!("data/{dataset}.jsonl.zst"), bytes).unwrap();
    tar.finish().unwrap();
    bundle
}

/// The `warnings` delegation of `targets` handed to `keys` (two keys, threshold 2, as the
/// publisher delegates it), and `warnings` role metadata listing `file` as `path`.
fn redelegate_warnings(targets: &mut Targets, keys: &[SigningKey; 2]) {
    let delegations = targets.delegations.as_mut().expect("the publisher delegates warnings");
    let role = delegations.roles.iter_mut().find(|r| r.name == "warnings").unwrap();
    role.keyids = keys.iter().map(|k| k.key_id().to_string()).collect();
    let publics = [keys[0].public().clone(), keys[1].public().clone()];
    *delegations = Delegations::create(&publics, delegations.roles.clone()).unwrap();
}

#[test]
fn a_stolen_targets_key_cannot_redelegate_warnings_to_new_keys() {
    let d = DemoSetup::new();
    let before = d.holdings();
    // The attacker holds the online targets, snapshot and timestamp keys, and two keys of
    // their own for the warnings delegation.
    let theirs = KeySet::generate().unwrap().warnings;
    let crafter = d.repo.crafter();
    let (bytes, entry) = forged_warning("warnings/x");
    let file = crafter.add_target(&snapshot_path("warnings/x"), &bytes, Some(to_custom(&entry)));
    let mut warnings = crafter.targets("warnings");
    warnings.targets.insert(snapshot_path("warnings/x"), file);
    crafter.release("warnings", warnings, &[&theirs[0], &theirs[1]]);
    let mut targets = crafter.targets("targets");
    redelegate_warnings(&mut targets, &theirs);
    crafter.release("targets", targets, &[&d.repo.keys.targets]);
    serve_repo(&d.server, &d.repo.dir);

    let e = d.sync_refused("warnings/x", &before);
    assert!(matches!(&e, Error::Sync(SyncError::WarningsKeysChanged { root_version: 1, .. })), "{e}");
    assert!(e.to_string().contains("nothing was changed"), "{e}");
    // The forged targets metadata was not kept either: a bundle made here still carries
    // the publisher's.
    let held = faro_core::sync::trust::DbTrustStore::new(&d.phone.store).load("targets").unwrap().unwrap();
    let held = Targets::from_envelope("targets", &Envelope::parse("targets", &held).unwrap()).unwrap();
    let ours: Vec<String> = d.repo.keys.warnings.iter().map(|k| k.key_id().to_string()).collect();
    assert_eq!(held.delegations.unwrap().roles[0].keyids, ours);

    // The same metadata carried in a bundle is refused the same way.
    let e = d.bundle_refused("warnings/x", &bytes, &before);
    assert!(matches!(&e, Error::Sync(SyncError::WarningsKeysChanged { .. })), "{e}");
}

#[test]
fn a_stolen_targets_key_cannot_lower_the_warnings_threshold() {
    let d = DemoSetup::new();
    let before = d.holdings();
    // With the online keys and ONE of the two warnings keys, the attacker lowers the
    // delegation's threshold to 1 and signs a warning with the key they hold.
    let crafter = d.repo.crafter();
    let (bytes, entry) = forged_warning("warnings/x");
    let file = crafter.add_target(&snapshot_path("warnings/x"), &bytes, Some(to_custom(&entry)));
    let mut warnings = crafter.targets("warnings");
    warnings.targets.insert(snapshot_path("warnings/x"), file);
    crafter.release("warnings", warnings, &[&d.repo.keys.warnings[0]]);
    let mut targets = crafter.targets("targets");
    targets.delegations.as_mut().unwrap().roles.iter_mut().for_each(|r| r.threshold = 1);
    crafter.release("targets", targets, &[&d.repo.keys.targets]);
    serve_repo(&d.server, &d.repo.dir);
    // A database from before the pin (none recorded) pins the targets it holds.
    let db = rusqlite::Connection::open(d.phone.store.path()).unwrap();
    assert_eq!(db.execute("DELETE FROM meta WHERE key = 'sync.warnings_pin'", []).unwrap(), 1);
    drop(db);

    let e = d.sync_refused("warnings/x", &before);
    assert!(matches!(&e, Error::Sync(SyncError::WarningsKeysChanged { .. })), "{e}");
    assert!(e.to_string().contains("threshold 1") && e.to_string().contains("threshold 2"), "{e}");
}

#[test]
fn a_warnings_role_delegated_below_the_top_level_is_not_the_warnings_delegation() {
    let d = DemoSetup::new();
    let before = d.holdings();
    // The pinned delegation stays as it is; the stolen targets key adds, before it, a role
    // `a` for the attacker's keys, which delegates a role named `warnings` to them again.
    let theirs = KeySet::generate().unwrap().warnings;
    let ours = &d.repo.keys.warnings;
    let (now, crafter) = (Utc::now(), d.repo.crafter());
    let (bytes, entry) = forged_warning("warnings/x");
    let file = crafter.add_target(&snapshot_path("warnings/x"), &bytes, Some(to_custom(&entry)));
    let ids = |k: &[SigningKey; 2]| k.iter().map(|k| k.key_id().to_string()).collect::<Vec<_>>();
    let role = |name: &str, keyids: Vec<String>| DelegatedRole {
        name: name.into(),
        keyids,
        threshold: 2,
        terminating: false,
        paths: Some(vec!["warnings/*".into()]),
        path_hash_prefixes: None,
    };
    let publics = |k: &[SigningKey; 2]| vec![k[0].public().clone(), k[1].public().clone()];
    let mut snapshot = crafter.snapshot();
    let mut write = |role: &str, mut t: Targets, signers: [&SigningKey; 2]| {
        let file = format!("{role}.json");
        t.common.version = snapshot.meta.get(&file).map_or(1, |m| m.version + 1);
        t.common.expires = now + chrono::Duration::days(30);
        let signed = sign_metadata(role, &t.to_signed_json(), &signers).unwrap();
        std::fs::write(d.repo.dir.join(format!("metadata/{}.{role}.json", t.common.version)), signed).unwrap();
        snapshot.meta.insert(file, MetaFile { version: t.common.version, length: None, hashes: None });
    };
    let mut a = Targets::create(1, now, Default::default());
    a.delegations = Some(Delegations::create(&publics(&theirs), vec![role("warnings", ids(&theirs))]).unwrap());
    write("a", a, [&theirs[0], &theirs[1]]);
    // It lists the genuine warnings too, so the phone sees nothing missing.
    let mut nested = Targets::create(1, now, crafter.targets("warnings").targets);
    nested.targets.insert(snapshot_path("warnings/x"), file);
    write("warnings", nested, [&theirs[0], &theirs[1]]);
    let mut targets = crafter.targets("targets");
    let delegations = targets.delegations.as_mut().unwrap();
    delegations.roles.insert(0, role("a", ids(&theirs)));
    *delegations = Delegations::create(&[publics(ours), publics(&theirs)].concat(), delegations.roles.clone()).unwrap();
    write("targets", targets, [&d.repo.keys.targets, &d.repo.keys.targets]);
    crafter.release_snapshot(snapshot);
    serve_repo(&d.server, &d.repo.dir);

    let e = d.sync_refused("warnings/x", &before);
    assert!(matches!(&e, Error::Sync(SyncError::WrongSigner { role, .. }) if role == "a/warnings"), "{e}");
    let e = d.bundle_refused("warnings/x", &bytes, &before);
    assert!(matches!(&e, Error::Sync(SyncError::WrongSigner { role, .. }) if role == "a/warnings"), "{e}");
}

#[test]
fn a_root_rotation_may_change_the_warnings_keys() {
    let d = DemoSetup::new();
    // The publisher rotates every key, the warnings keys included, with the offline root
    // key: a new root version.
    let new_keys = KeySet::generate().unwrap();
    let version = rotate_root(&d.repo.keys, &new_keys, &d.repo.dir, &PublishOptions::default()).unwrap();
    assert_eq!(version, 2);
    // Then publishes a warning signed by the new warnings keys.
    let (bytes, entry) = forged_warning("warnings/x");
    let crafter = Crafter { repo: &d.repo.dir, keys: &new_keys, now: Utc::now() };
    let file = crafter.add_target(&snapshot_path("warnings/x"), &bytes, Some(to_custom(&entry)));
    let mut warnings = crafter.targets("warnings");
    warnings.targets.insert(snapshot_path("warnings/x"), file);
    crafter.release("warnings", warnings, &[&new_keys.warnings[0], &new_keys.warnings[1]]);
    serve_repo(&d.server, &d.repo.dir);

    let report = d.phone.sync(&d.server.url(""), &["warnings/x"]).unwrap();
    assert_eq!(report.root_version, 2);
    assert_eq!(d.clinic(), Verdict::Warning);
    // The new keys are pinned now: the old ones, re-delegated with the (new) targets key
    // alone, are refused.
    let crafter = Crafter { repo: &d.repo.dir, keys: &new_keys, now: Utc::now() };
    let mut targets = crafter.targets("targets");
    redelegate_warnings(&mut targets, &d.repo.keys.warnings);
    crafter.release("targets", targets, &[&new_keys.targets]);
    serve_repo(&d.server, &d.repo.dir);
    let e = d.phone.sync(&d.server.url(""), &[]).unwrap_err();
    assert!(matches!(&e, Error::Sync(SyncError::WarningsKeysChanged { root_version: 2, .. })), "{e}");
}

#[test]
fn a_held_dataset_never_changes_its_content_kind() {
    let d = DemoSetup::new();
    let before = d.holdings();
    // demo/route, held as listings, republished as rights articles (validly signed).
    let rights = std::fs::read_to_string(faro_tests::data_dir().join("demo/rights.jsonl")).unwrap();
    let rights = rights.replacen("\"rights/all\"", "\"demo/route\"", 1);
    let (header, records) = read_input::<Rights>(rights.as_bytes(), "rights.jsonl").unwrap();
    let (count, state) = state_of(&records);
    let mut entry = d.repo.entry("demo/route");
    entry.content = "rights".into();
    entry.version += 1;
    entry.records = count;
    entry.state = state;
    entry.source = header.source.clone();
    entry.deltas.clear();
    let crafter = d.repo.crafter();
    let bytes = compress_to_vec(&snapshot_file(&header, &records));
    let file = crafter.add_target(&snapshot_path("demo/route"), &bytes, Some(to_custom(&entry)));
    let mut targets = crafter.targets("targets");
    targets.targets.retain(|p, _| !p.starts_with("demo/route."));
    targets.targets.insert(snapshot_path("demo/route"), file);
    crafter.release("targets", targets, &[&d.repo.keys.targets]);
    serve_repo(&d.server, &d.repo.dir);

    let e = d.phone.sync(&d.server.url(""), &[]).unwrap_err();
    assert!(
        matches!(&e, Error::Sync(SyncError::ContentChanged { held, offered, .. }) if held == "listings" && offered == "rights"),
        "{e}"
    );
    assert!(e.to_string().contains("kept the listings"), "{e}");
    assert_eq!(d.holdings(), before);
    assert_eq!(d.clinic(), Verdict::Official);
}

#[test]
fn a_second_sync_on_the_same_database_is_told_one_is_running() {
    let s = Setup::new(200);
    s.publish_v2_snapshot_only();
    // The first sync's download trickles, so it is still running when the second starts.
    s.server.script_path(MX_SNAPSHOT, [Fault::Trickle(Duration::from_millis(2))]);
    let path = s.phone.store.path().to_path_buf();
    let url = s.server.url("");
    let snapshot_requests = || s.server.seen().iter().filter(|r| r.path.contains(MX_SNAPSHOT)).count();
    let before = snapshot_requests();
    let first = std::thread::spawn({
        let path = path.clone();
        let url = url.clone();
        move || {
            let store = faro_core::Store::open(&path).unwrap();
            let opts = faro_core::sync::SyncOptions::default();
            faro_core::sync::sync_from_url(&store, &url, &opts, &faro_core::net::Cancel::new(), &mut |_| {})
        }
    });
    let started = Instant::now();
    while snapshot_requests() == before {
        assert!(started.elapsed() < Duration::from_secs(20), "the first sync never reached the download");
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = faro_core::Store::open(&path).unwrap();
    let e = faro_core::sync::sync_from_url(
        &second,
        &url,
        &faro_core::sync::SyncOptions::default(),
        &faro_core::net::Cancel::new(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(e, Error::Sync(SyncError::AlreadyRunning)), "{e}");
    assert!(e.to_string().contains("already running"), "{e}");
    let bundle = s.repo.work().join("any.bundle");
    std::fs::write(&bundle, b"not even a bundle").unwrap();
    let e = faro_core::sync::import_bundle(&second, &bundle, Utc::now()).unwrap_err();
    assert!(matches!(e, Error::Sync(SyncError::AlreadyRunning)), "{e}");

    first.join().unwrap().expect("the first sync finishes");
    // Once it is over, the next sync runs (and finds nothing new).
    s.sync().unwrap();
}

#[test]
fn validators_of_one_mirror_are_never_sent_to_another() {
    use faro_tests::support::nginx::Nginx;
    // Mirror A serves version 1; mirror B version 2, its timestamp.json the same size and
    // modification time as A's (nginx derives ETag and Last-Modified from exactly those).
    let repo = Repo::new();
    repo.publish(MX, 0..50, |_| String::new(), &PublishOptions::default());
    let mirror_a = repo.work().join("mirror-a");
    copy_dir(&repo.dir, &mirror_a);
    repo.publish(MX, 0..50, |i| if i == 3 { " (v2)".into() } else { String::new() }, &PublishOptions::default());
    let v2 = repo.entry(MX);
    let (ts_a, ts_b) = (mirror_a.join("metadata/timestamp.json"), repo.dir.join("metadata/timestamp.json"));
    assert_eq!(std::fs::metadata(&ts_a).unwrap().len(), std::fs::metadata(&ts_b).unwrap().len());
    let when = std::fs::metadata(&ts_a).unwrap().modified().unwrap();
    std::fs::File::options().write(true).open(&ts_b).unwrap().set_modified(when).unwrap();
    let (Some(a), Some(b)) = (Nginx::serve(&mirror_a), Nginx::serve(&repo.dir)) else { return };

    let phone = Phone::new(&repo.work().join("phone.db"), &repo.metadata("1.root.json"));
    phone.sync(&a.url(""), &[MX]).unwrap();
    assert_eq!(phone.held(MX).version, Some(1));
    phone.sync(&b.url(""), &[]).unwrap();
    assert!(phone.held(MX).is(&v2), "{:?}", phone.held(MX));
    // Each mirror still gets its own validators: a second sync from B is a 304.
    phone.sync(&b.url(""), &[]).unwrap();
    let last = b.requests().into_iter().rev().find(|r| r.path.ends_with("timestamp.json")).unwrap();
    assert_eq!(last.status, 304, "{last:?}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
            let when = e.metadata().unwrap().modified().unwrap();
            std::fs::File::options().write(true).open(&dest).unwrap().set_modified(when).unwrap();
        }
    }
}
