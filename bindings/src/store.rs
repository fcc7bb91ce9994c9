//! [`FaroStore`]: the object apps hold. It opens a database directory, answers every offline
//! question the core can answer, imports listing files with progress and cancellation, and can
//! be closed. Every method is synchronous (call it off the main thread), thread-safe, and
//! wrapped in [`guard`] so no panic crosses the FFI.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use faro_core::import::listings::{ImportOptions, ImportProgress};
use faro_core::model::Kind;
use faro_core::personal::PersonalStore;
use faro_core::search::Query;
use faro_core::Store;

use crate::error::{guard, FaroError};
use crate::progress::{CancelHandle, ProgressListener, Reporter};
use crate::query::{self, CountRegion, HoursAt, SearchRequest};
use crate::types::{listing_from_core, GeoPoint, ImportSummary, Listing, SearchHit};
use faro_core::search::KindCount;

/// The synced directory's file inside a store's directory. The person's own data (saved
/// places, notes) lives in a separate file beside it (`personal.sqlite`), so that a sync never
/// touches it.
pub const SYNCED_DATA_FILE: &str = "directory.sqlite";

/// A Faro database directory, opened. Thread-safe: searches may run on several threads while
/// an import runs on another, and see the last committed data.
#[derive(uniffi::Object)]
pub struct FaroStore {
    pub(crate) dir: PathBuf,
    store: RwLock<Option<Arc<Store>>>,
    /// The person's saved places and notes once unlocked with the app's key (`personal`).
    pub(crate) personal: Mutex<Option<PersonalStore>>,
}

impl std::fmt::Debug for FaroStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaroStore").field("dir", &self.dir).finish_non_exhaustive()
    }
}

#[uniffi::export]
impl FaroStore {
    /// Opens the store in directory `dir`, creating the directory and the database if needed
    /// and bringing an older database up to date.
    ///
    /// Fails with `Damaged` if the database is damaged or not a Faro database, `Storage` if the
    /// directory cannot be created or the database is from a newer Faro (the file is then left
    /// untouched).
    #[uniffi::constructor]
    pub fn open(dir: String) -> Result<Arc<FaroStore>, FaroError> {
        guard(|| {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).map_err(|e| FaroError::Storage {
                reason: format!("{}: cannot create the store directory: {e}", dir.display()),
            })?;
            let store = Store::open(dir.join(SYNCED_DATA_FILE))?;
            Ok(Arc::new(FaroStore {
                dir,
                store: RwLock::new(Some(Arc::new(store))),
                personal: crate::personal::locked(),
            }))
        })
    }

    /// Closes the database files (the personal data is locked too). Idempotent. Work already
    /// running (an import on another thread) finishes first; later calls fail with `Closed`. (Named `close_store` across the
    /// FFI because Kotlin's `AutoCloseable.close()` on the generated object frees the handle.)
    #[uniffi::method(name = "close_store")]
    pub fn close(&self) {
        self.lock_personal_data();
        let taken = match self.store.write() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(taken);
    }

    /// Whether [`FaroStore::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.store.read().map(|s| s.is_none()).unwrap_or(true)
    }

    /// The store's directory, as given to `open`.
    pub fn directory(&self) -> String {
        self.dir.display().to_string()
    }

    /// Imports a `faro-listings` file (JSON Lines, `docs/data-format.md`) into the dataset its
    /// header names: new listings are inserted, changed ones updated, all in one transaction.
    ///
    /// Reports progress to `progress` and stops when `cancel` is cancelled. On any rejected
    /// record (`BadInput`, naming file, line, record and field), cancellation (`Cancelled`) or
    /// a failing listener (`Internal`), nothing from the file is kept.
    ///
    /// Records must be plausible too: language tags registered (`kreyol` is refused with
    /// "use ht") and phone numbers valid in their country; `BadInput` then lists every
    /// problem of every record. The place checks (coordinates in the country, time zone at
    /// the place) are not built into the phone library (`docs/data-format.md`).
    #[uniffi::method(default(progress = None, cancel = None))]
    pub fn import_listings(
        &self,
        path: String,
        progress: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<ImportSummary, FaroError> {
        self.with_store("import_listings", |store| import_file(store, Path::new(&path), progress, cancel))
    }

    /// Searches the directory offline: text, place, filters and opening hours together.
    pub fn search(&self, request: SearchRequest) -> Result<Vec<SearchHit>, FaroError> {
        self.with_store("search", |store| search(store, &request))
    }

    /// The `limit` listings nearest to `near`, optionally only of `kinds` and only open now,
    /// nearest first.
    #[uniffi::method(default(kinds = [], open_now = false, languages = [], limit = 20))]
    pub fn nearest(
        &self,
        near: GeoPoint,
        kinds: Vec<Kind>,
        open_now: bool,
        languages: Vec<String>,
        limit: u32,
    ) -> Result<Vec<SearchHit>, FaroError> {
        self.with_store("nearest", |store| {
            let request = SearchRequest {
                near: Some(near),
                kinds,
                open_only: open_now,
                languages,
                limit,
                ..SearchRequest::default()
            };
            search(store, &request)
        })
    }

    /// The listing with `id`, its text in `languages` (most preferred first) and its opening
    /// state at `at` (`None`: now). `NotFound` if no listing has that id.
    #[uniffi::method(default(languages = [], at = None))]
    pub fn listing(&self, id: String, languages: Vec<String>, at: Option<HoursAt>) -> Result<Listing, FaroError> {
        self.with_store("listing", |store| {
            let langs = query::languages(&languages)?;
            let when = query::when(at.as_ref())?;
            let listing = store.get(&id)?;
            let hours = store.hours_status(&listing, when)?;
            Ok(listing_from_core(listing, &langs, hours))
        })
    }

    /// How many listings of each kind `region` has (every kind listed, zeros included; closed
    /// listings not counted).
    pub fn counts(&self, region: CountRegion) -> Result<Vec<KindCount>, FaroError> {
        self.with_store("counts", |store| Ok(store.counts(region.to_region()?)?))
    }

    /// Number of listings stored, every status included.
    pub fn listing_count(&self) -> Result<u64, FaroError> {
        self.with_store("listing_count", |store| Ok(store.listing_count()?))
    }

    /// For benchmarks: runs `request` `iterations` times inside Rust, exactly as
    /// [`FaroStore::search`] does but without crossing the FFI, and returns the mean time of
    /// one call. Compare it with the time of `search` measured from Kotlin or Swift.
    pub fn time_search_in_rust(&self, request: SearchRequest, iterations: u32) -> Result<Duration, FaroError> {
        self.with_store("time_search_in_rust", |store| {
            if iterations == 0 {
                return Err(FaroError::bad_input("iterations must be at least 1"));
            }
            let start = Instant::now();
            for _ in 0..iterations {
                std::hint::black_box(search(store, std::hint::black_box(&request))?);
            }
            Ok(start.elapsed() / iterations)
        })
    }
}

impl FaroStore {
    /// The body of every exported method that reads or writes the database: inside
    /// [`guard`] (a panic becomes `Internal`, never an untyped exception), takes this call's
    /// own reference to the open store (`Closed` naming `call` after `close()`), and runs `f`
    /// with it. The store's lock is held only while the reference is taken, never during
    /// `f`, so a long sync blocks neither searches nor `close()`.
    pub(crate) fn with_store<T>(
        &self,
        call: &str,
        f: impl FnOnce(&Store) -> Result<T, FaroError>,
    ) -> Result<T, FaroError> {
        guard(|| f(&*self.open_store(call)?))
    }

    /// The open store, or `Closed` naming the call.
    pub(crate) fn open_store(&self, call: &str) -> Result<Arc<Store>, FaroError> {
        let slot = self.store.read().map_err(|_| FaroError::Internal { reason: "store lock poisoned".into() })?;
        slot.clone().ok_or_else(|| FaroError::Closed { reason: format!("{call} was called after close()") })
    }
}

fn search(store: &Store, request: &SearchRequest) -> Result<Vec<SearchHit>, FaroError> {
    run_query(store, &request.to_query()?)
}

/// Runs a checked core query, converting the hits with the query's languages.
pub(crate) fn run_query(store: &Store, query: &Query) -> Result<Vec<SearchHit>, FaroError> {
    let hits = store.search(query)?;
    Ok(hits
        .into_iter()
        .map(|h| SearchHit {
            listing: listing_from_core(h.listing, &query.langs, h.hours),
            distance_m: h.distance_m,
            score: h.score,
            dataset: h.dataset,
            verified: h.verified,
            far: h.far,
        })
        .collect())
}

/// Imports the listings file at `path` through the core's one import, reporting to
/// `progress` and stopping on `cancel` (or when the listener throws).
fn import_file(
    store: &Store,
    path: &Path,
    progress: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<ImportSummary, FaroError> {
    let cancel = cancel.map(|c| c.token()).unwrap_or_default();
    let mut reporter = Reporter::new(progress, cancel.clone());
    let mut report = |p: &ImportProgress| reporter.import_progress(p);
    let options = ImportOptions { cancel, progress: Some(&mut report), ..ImportOptions::default() };
    let result = store.import_listings_file(path, options);
    let done = match (reporter.failure(), result) {
        (Some(reason), Err(_)) => return Err(FaroError::Internal { reason: format!("{reason}; nothing was written") }),
        (None, Err(faro_core::Error::Cancelled)) => {
            return Err(FaroError::Cancelled { reason: "the import was cancelled; nothing was written".into() })
        }
        (_, result) => result?,
    };
    // The data is committed: a listener failing now changes nothing.
    reporter.finished();
    Ok(ImportSummary {
        dataset: done.dataset,
        inserted: done.summary.inserted,
        updated: done.summary.updated,
        unchanged: done.summary.unchanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HoursAt;
    use std::fs::File;
    use std::io::Write;

    const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo/listings.jsonl");

    fn open_with_demo() -> (tempfile::TempDir, Arc<FaroStore>) {
        let dir = tempfile::tempdir().unwrap();
        let store = FaroStore::open(dir.path().join("store").display().to_string()).unwrap();
        let summary = store.import_listings(DEMO.into(), None, None).unwrap();
        assert_eq!(summary.dataset, "demo/route");
        assert!(summary.inserted > 50, "{summary:?}");
        (dir, store)
    }

    #[test]
    fn search_filters_and_resolves_languages() {
        let (_dir, store) = open_with_demo();
        let req = SearchRequest {
            text: Some("juridica".into()),
            kinds: vec![Kind::LegalAid],
            languages: vec!["fr".into()],
            ..SearchRequest::default()
        };
        let hits = store.search(req).unwrap();
        assert!(!hits.is_empty());
        for h in &hits {
            assert_eq!(h.listing.kind, Kind::LegalAid);
            assert!(h.listing.demo);
            assert!(h.score.is_some());
        }
        assert!(hits.iter().any(|h| h.listing.name_language.as_deref() == Some("fr")));
    }

    #[test]
    fn listing_by_id_has_hours_with_an_instant() {
        let (_dir, store) = open_with_demo();
        let at = Some(HoursAt::LocalTime { date_time: "2026-11-25T10:30".into() });
        let l = store.listing("demo:necocli-health-01".into(), vec!["en".into()], at).unwrap();
        assert_eq!(l.name_language.as_deref(), Some("en"));
        assert!(l.phones.iter().all(|p| p.number.starts_with('+')));
        if l.hours.next_change_local.is_some() {
            assert!(l.hours.next_change.is_some());
        }
        let missing = store.listing("demo:nothing-here".into(), vec![], None).unwrap_err();
        assert!(matches!(missing, FaroError::NotFound { .. }));
    }

    #[test]
    fn close_is_idempotent_and_later_calls_say_closed() {
        let (_dir, store) = open_with_demo();
        store.close();
        store.close();
        assert!(store.is_closed());
        match store.search(SearchRequest::default()) {
            Err(FaroError::Closed { reason }) => assert!(reason.contains("search"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_file_is_rejected_whole_with_its_line() {
        let (dir, store) = open_with_demo();
        let before = store.listing_count().unwrap();
        let path = dir.path().join("bad.jsonl");
        let mut f = File::create(&path).unwrap();
        writeln!(f, r#"{{"faro":"listings","version":1,"dataset":"demo/bad","demo":true}}"#).unwrap();
        let good = std::fs::read_to_string(DEMO).unwrap().lines().nth(1).unwrap().replace("necocli-health-01", "x-1");
        writeln!(f, "{good}").unwrap();
        writeln!(f, r#"{{"id":"demo:x-2","kind":"castle"}}"#).unwrap();
        drop(f);
        match store.import_listings(path.display().to_string(), None, None) {
            Err(FaroError::BadInput { reason }) => assert!(reason.contains(":3"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(store.listing_count().unwrap(), before);
    }

    #[test]
    fn implausible_languages_and_phones_are_all_reported_and_nothing_kept() {
        // Issue 12 item 7: the phone library runs the cheap checks (language tags, phones
        // in their country's plan) on import; every problem of every record in one answer.
        let (dir, store) = open_with_demo();
        let before = store.listing_count().unwrap();
        let path = dir.path().join("implausible.jsonl");
        let mut f = File::create(&path).unwrap();
        writeln!(f, r#"{{"faro":"listings","version":1,"dataset":"demo/bad","demo":true}}"#).unwrap();
        let mx = r#""address":{"country":"MX"}"#;
        writeln!(f, r#"{{"id":"demo:ok","kind":"shelter","name":{{"es":"Casa (demo)"}},{mx}}}"#).unwrap();
        writeln!(
            f,
            r#"{{"id":"demo:langs","kind":"shelter","name":{{"es":"Casa (demo)"}},"languages":["es","kreyol","english"],{mx}}}"#
        )
        .unwrap();
        writeln!(
            f,
            r#"{{"id":"demo:gt-phone","kind":"shelter","name":{{"es":"Casa (demo)"}},"phones":[{{"number":"+5224111900","kind":"voice"}}],{mx}}}"#
        )
        .unwrap();
        drop(f);
        let reason = match store.import_listings(path.display().to_string(), None, None) {
            Err(FaroError::BadInput { reason }) => reason,
            other => panic!("{other:?}"),
        };
        for expected in [":3", "languages[1]", "use ht", "languages[2]", "use en", ":4", "phones[0].number", "+52"] {
            assert!(reason.contains(expected), "{expected:?} missing from: {reason}");
        }
        assert_eq!(store.listing_count().unwrap(), before, "nothing from the file is kept");
    }

    #[test]
    fn time_search_in_rust_measures() {
        let (_dir, store) = open_with_demo();
        let t = store
            .time_search_in_rust(SearchRequest { text: Some("salud".into()), ..SearchRequest::default() }, 3)
            .unwrap();
        assert!(t > Duration::ZERO);
        assert!(matches!(store.time_search_in_rust(SearchRequest::default(), 0), Err(FaroError::BadInput { .. })));
    }
}
