//! The FFI's sync surface end to end, exactly as Kotlin and Swift call it (`faro_ffi::FaroStore`):
//! the demo data published by the real publisher and served by a real nginx; a phone that
//! trusts only the shipped root syncs it, is read from another thread while the sync holds
//! its transaction, is cancelled (nothing kept) and syncs again; then rights, warnings and
//! check-contact on the synced data, bundles between phones, and the errors a sync can give.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use faro_core::contact::Verdict;
use faro_core::model::Kind;
use faro_core::publish::{publish, KeySet, PublishOptions};
use faro_core::sync::SyncRoute;
use faro_ffi::{
    CancelHandle, FaroError, FaroStore, GeoPoint, ProgressListener, ProgressReport, ProgressStage, RightsQuery,
    SyncSettings,
};
use faro_tests::support::nginx::Nginx;

const DATASETS: [&str; 3] = ["demo/route", "rights/all", "warnings/demo"];
const DEMO_LISTINGS: u64 = 73;
const TAPACHULA: GeoPoint = GeoPoint { lat: 14.9057, lon: -92.2630 };

struct Repo {
    work: tempfile::TempDir,
    dir: PathBuf,
    root: Vec<u8>,
}

fn publish_demo() -> Repo {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("repo");
    KeySet::generate().unwrap().save(&work.path().join("keys")).unwrap();
    let keys = KeySet::load(&work.path().join("keys")).unwrap();
    let demo = faro_tests::data_dir().join("demo");
    let inputs = ["listings.jsonl", "rights.jsonl", "warnings.jsonl"].map(|f| demo.join(f));
    publish(&keys, &dir, &inputs, &PublishOptions::default()).unwrap();
    let root = std::fs::read(dir.join("metadata/1.root.json")).unwrap();
    Repo { work, dir, root }
}

fn phone(repo: &Repo, name: &str) -> Arc<FaroStore> {
    let store = FaroStore::open(repo.work.path().join(name).display().to_string()).unwrap();
    assert_eq!(store.install_trusted_root(repo.root.clone()).unwrap(), 1);
    store
}

fn datasets() -> Vec<String> {
    DATASETS.iter().map(|d| d.to_string()).collect()
}

fn quick() -> Option<SyncSettings> {
    Some(SyncSettings {
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        max_attempts: 1,
    })
}

/// Records every report and runs `hook` on it (on the syncing thread).
struct Recorder {
    seen: Mutex<Vec<ProgressReport>>,
    hook: Box<dyn Fn(&ProgressReport) + Send + Sync>,
}

impl Recorder {
    fn new(hook: impl Fn(&ProgressReport) + Send + Sync + 'static) -> Arc<Recorder> {
        Arc::new(Recorder { seen: Mutex::new(vec![]), hook: Box::new(hook) })
    }

    fn stages(&self) -> Vec<(ProgressStage, Option<String>)> {
        self.seen.lock().unwrap().iter().map(|p| (p.stage, p.dataset.clone())).collect()
    }
}

impl ProgressListener for Recorder {
    fn on_progress(&self, progress: ProgressReport) {
        (self.hook)(&progress);
        self.seen.lock().unwrap().push(progress);
    }
}

fn applying(p: &ProgressReport, dataset: &str) -> bool {
    p.stage == ProgressStage::Applying && p.dataset.as_deref() == Some(dataset)
}

#[test]
fn sync_with_reads_during_it_cancel_then_rights_warnings_contacts_and_bundles() {
    let repo = publish_demo();
    let Some(nginx) = Nginx::serve(&repo.dir) else { return };
    let url = nginx.url("");
    let a = phone(&repo, "a");

    // Cancelled while the first dataset is being applied: rolled back, nothing held.
    let cancel = CancelHandle::new();
    let c = cancel.clone();
    let rec = Recorder::new(move |p| {
        if applying(p, "demo/route") {
            c.cancel();
        }
    });
    let e = a.sync(url.clone(), datasets(), Some(rec.clone()), Some(cancel), quick()).unwrap_err();
    assert!(matches!(e, FaroError::Cancelled { .. }), "{e:?}");
    assert_eq!(a.listing_count().unwrap(), 0);
    let status = a.dataset_status().unwrap();
    assert!(status.datasets.is_empty(), "{:?}", status.datasets);
    assert_eq!(status.pending, DATASETS);

    // A sync whose listener reads the store from another thread while the sync holds its
    // write transaction: the read must finish (WAL readers; FaroStore holds no lock) and see
    // the data from before the sync.
    let reader = a.clone();
    let rec = Recorder::new(move |p| {
        if applying(p, "demo/route") {
            let (tx, rx) = mpsc::channel();
            let store = reader.clone();
            std::thread::spawn(move || {
                let hits = store.nearest(TAPACHULA, vec![], false, vec![], 5).map(|h| h.len());
                let _ = tx.send((store.listing_count(), hits));
            });
            let (count, hits) = rx.recv_timeout(Duration::from_secs(20)).expect("a read blocked by the sync");
            assert_eq!((count.unwrap(), hits.unwrap()), (0, 0), "the read saw data before its commit");
        }
    });
    let report = a.sync(url.clone(), vec![], Some(rec.clone()), None, quick()).unwrap();
    let routes: Vec<_> = report.datasets.iter().map(|d| (d.dataset.as_str(), d.route, d.version)).collect();
    assert_eq!(
        routes,
        [
            ("demo/route", SyncRoute::Snapshot, 1),
            ("rights/all", SyncRoute::Snapshot, 1),
            ("warnings/demo", SyncRoute::Snapshot, 1)
        ]
    );
    assert!(report.datasets.iter().all(|d| d.bytes_downloaded > 0 && d.from_version.is_none()));
    let stages = rec.stages();
    assert_eq!(stages.first(), Some(&(ProgressStage::CheckingMetadata, None)));
    assert_eq!(stages.last(), Some(&(ProgressStage::Finished, None)));
    for d in DATASETS {
        assert!(stages.contains(&(ProgressStage::Downloading, Some(d.into()))), "{d}: {stages:?}");
        assert!(stages.contains(&(ProgressStage::Applying, Some(d.into()))), "{d}: {stages:?}");
    }
    let last_apply = rec.seen.lock().unwrap().iter().rfind(|p| applying(p, "demo/route")).cloned().unwrap();
    assert_eq!((last_apply.records_done, last_apply.records_total), (DEMO_LISTINGS, Some(DEMO_LISTINGS)));
    assert_eq!(a.listing_count().unwrap(), DEMO_LISTINGS);

    // Status: three current datasets, subscribed, confirmed now.
    let status = a.dataset_status().unwrap();
    assert_eq!(status.root_version, Some(1));
    assert!(status.pending.is_empty());
    for d in &status.datasets {
        assert!(d.subscribed && !d.stale && d.verified_at.is_some() && d.published_at.is_some(), "{d:?}");
        assert_eq!((d.version, d.route), (1, SyncRoute::Snapshot));
    }
    assert_eq!(status.datasets[0].records, DEMO_LISTINGS);
    // A second sync changes nothing.
    let again = a.sync(url.clone(), vec![], None, None, quick()).unwrap();
    assert!(again.datasets.iter().all(|d| d.route == SyncRoute::Unchanged && d.bytes_downloaded == 0));

    // Rights, warnings and contacts from the synced datasets.
    let asylum = a
        .rights(RightsQuery {
            text: Some("asilo".into()),
            topics: vec![],
            country: Some("MX".into()),
            languages: vec!["es".into()],
            limit: 50,
        })
        .unwrap();
    assert!(asylum.iter().any(|h| h.id == "demo:mx-asylum-comar"), "{asylum:?}");
    assert!(asylum.iter().all(|h| h.demo && h.countries.iter().any(|c| c == "all" || c == "MX")));
    let article = a.article("demo:asylum".into(), vec!["en".into()]).unwrap();
    assert_eq!(article.language.as_deref(), Some("en"));
    let help = a.article_help("demo:asylum".into(), Some(TAPACHULA), None, vec![]).unwrap();
    assert!(!help.is_empty() && help.iter().all(|h| h.listing.kind == Kind::LegalAid), "{help:?}");
    assert!(matches!(a.article("demo:none".into(), vec![]), Err(FaroError::NotFound { .. })));

    let here = a.warnings_here(Some(TAPACHULA), Some("MX".into()), vec![], vec!["en".into()]).unwrap();
    let fake = here.iter().find(|h| h.warning.id == "demo:w-fake-consulate-tapachula").expect("Tapachula warning");
    assert!(fake.here && fake.warning.active);
    assert!(here.iter().all(|h| h.warning.id != "demo:w-fake-shelter-withdrawn"));
    let panama = a.warnings_here(None, Some("PA".into()), vec![], vec![]).unwrap();
    assert_eq!(panama.iter().map(|h| h.warning.id.as_str()).collect::<Vec<_>>(), ["demo:w-darien-kidnapping"]);
    assert!(!panama[0].here);

    let scam = a.check_contact("+1 201-555-0143".into(), None, vec![]).unwrap();
    assert_eq!(scam.verdict, Verdict::Warning, "{scam:?}");
    assert!(scam.matches.iter().any(|m| m.id == "demo:w-fake-consulate-tapachula"));
    let official = a.check_contact("(915) 555-0123".into(), Some("US".into()), vec![]).unwrap();
    assert_eq!((official.verdict, official.normalized.as_deref()), (Verdict::Official, Some("+19155550123")));
    assert!(official.matches[0].dataset_verified);
    // A file anyone could hand the person, imported on the phone: its record says verified,
    // and its number still reads Listed, never Official; its search hit says it is unsigned.
    let forged = repo.work.path().join("forged.jsonl");
    std::fs::write(
        &forged,
        concat!(
            "{\"faro\":\"listings\",\"version\":1,\"dataset\":\"test/forged\",\"demo\":true}\n",
            r#"{"id":"demo:forged-01","kind":"legal_aid","name":{"es":"Clínica Legal oficial (demo)"},"address":{"locality":"El Paso","country":"US"},"phones":[{"number":"+19155550111"}],"verified":{"by":"Faro","on":"2026-11-30"},"demo":true}"#,
            "\n"
        ),
    )
    .unwrap();
    a.import_listings(forged.display().to_string(), None, None).unwrap();
    let local = a.check_contact("(915) 555-0111".into(), Some("US".into()), vec![]).unwrap();
    assert_eq!(local.verdict, Verdict::Listed, "{local:?}");
    let m = &local.matches[0];
    assert_eq!((m.id.as_str(), m.dataset.as_str(), m.dataset_verified), ("demo:forged-01", "test/forged", false));
    assert_eq!(m.relation, faro_core::contact::Relation::ListedNotVerified);
    let hits = a.search(faro_ffi::SearchRequest { text: Some("oficial".into()), ..Default::default() }).unwrap();
    let hit = hits.iter().find(|h| h.listing.id == "demo:forged-01").expect("the forged listing is found");
    assert!(!hit.verified && hit.dataset == "test/forged", "{hit:?}");

    // A bundle to a phone with no network: everything verifies and applies, once.
    let bundle = repo.work.path().join("demo.bundle");
    let export = a.export_bundle(bundle.display().to_string(), vec![]).unwrap();
    assert_eq!(export.datasets.len(), 3);
    assert!(export.skipped.is_empty() && export.bytes > 0);
    let b = phone(&repo, "b");
    let cancel = CancelHandle::new();
    let c = cancel.clone();
    let stop = Recorder::new(move |p| {
        if p.stage == ProgressStage::Applying {
            c.cancel();
        }
    });
    let e = b.import_bundle(bundle.display().to_string(), Some(stop), Some(cancel)).unwrap_err();
    assert!(matches!(e, FaroError::Cancelled { .. }), "{e:?}");
    assert_eq!(b.listing_count().unwrap(), 0);
    let rec = Recorder::new(|_| {});
    let outcomes = b.import_bundle(bundle.display().to_string(), Some(rec.clone()), None).unwrap();
    assert!(outcomes.iter().all(|o| o.applied && o.version == 1 && o.unconfirmed_since.is_none()), "{outcomes:?}");
    assert_eq!(b.listing_count().unwrap(), DEMO_LISTINGS);
    let stages = rec.stages();
    assert_eq!(stages.first(), Some(&(ProgressStage::CheckingMetadata, None)));
    assert!(stages.contains(&(ProgressStage::Applying, Some("warnings/demo".into()))));
    assert_eq!(stages.last(), Some(&(ProgressStage::Finished, None)));
    let routes: Vec<_> = b.dataset_status().unwrap().datasets.iter().map(|d| d.route).collect();
    assert_eq!(routes, [SyncRoute::Bundle; 3]);
    assert!(b.import_bundle(bundle.display().to_string(), None, None).unwrap().iter().all(|o| !o.applied));

    // The first-run bundle an app ships in its assets arrives as bytes, not a path.
    let bytes = std::fs::read(&bundle).unwrap();
    let c = phone(&repo, "c");
    let scratch_files = || {
        std::fs::read_dir(c.directory())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".faro-bundle-bytes-"))
            .collect::<Vec<_>>()
    };
    let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7) as u8).collect();
    let e = c.import_bundle_bytes(junk, None, None).unwrap_err();
    match &e {
        // Not a bundle at all: not verified, never "bad input".
        FaroError::NotVerified { reason } => assert!(!reason.contains(".faro-bundle-bytes-"), "{reason}"),
        other => panic!("junk bytes: {other:?}"),
    }
    let truncated = bytes[..bytes.len() / 2].to_vec();
    let e = c.import_bundle_bytes(truncated, None, None).unwrap_err();
    assert!(matches!(e, FaroError::NotVerified { .. }), "cut short on the way: {e:?}");
    assert_eq!(c.listing_count().unwrap(), 0);
    let rec = Recorder::new(|_| {});
    let outcomes = c.import_bundle_bytes(bytes.clone(), Some(rec.clone()), None).unwrap();
    assert!(outcomes.iter().all(|o| o.applied && o.version == 1), "{outcomes:?}");
    assert_eq!(c.listing_count().unwrap(), DEMO_LISTINGS);
    assert_eq!(rec.stages().last(), Some(&(ProgressStage::Finished, None)));
    assert!(scratch_files().is_empty(), "scratch files left: {:?}", scratch_files());
    c.close();
    assert!(matches!(c.import_bundle_bytes(bytes, None, None), Err(FaroError::Closed { .. })));
}

#[test]
fn sync_errors_network_not_verified_closed() {
    let repo = publish_demo();
    let phone = phone(&repo, "p");
    // Network: nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = phone.sync(format!("http://127.0.0.1:{port}/"), datasets(), None, None, quick()).unwrap_err();
    assert!(matches!(e, FaroError::Network { .. }), "{e:?}");

    // NotVerified: a target file changed on the server after signing.
    for entry in std::fs::read_dir(repo.dir.join("targets/demo")).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x20;
        std::fs::write(&path, bytes).unwrap();
    }
    let Some(nginx) = Nginx::serve(&repo.dir) else { return };
    let e = phone.sync(nginx.url(""), datasets(), None, None, quick()).unwrap_err();
    assert!(matches!(&e, FaroError::NotVerified { reason } if reason.contains("hash")), "{e:?}");
    assert_eq!(phone.listing_count().unwrap(), 0);
    assert!(phone.dataset_status().unwrap().datasets.is_empty());

    // Closed: every sync call after close says so.
    phone.close();
    assert!(matches!(phone.sync(nginx.url(""), vec![], None, None, None), Err(FaroError::Closed { .. })));
    assert!(matches!(phone.dataset_status(), Err(FaroError::Closed { .. })));
    assert!(matches!(phone.warnings_here(None, None, vec![], vec![]), Err(FaroError::Closed { .. })));
}
