//! `sync from URL`: refresh the TUF metadata over HTTP, then bring each subscribed dataset
//! to its newest signed version by the cheapest route (a delta from the version held, or
//! the full snapshot), each applied in one transaction and checked against its signed state
//! hash. A delta that fails for any reason falls back to the full snapshot.
//!
//! Requests carry nothing about the person (see `net`); the only thing a server learns is
//! which datasets are fetched. A sync with no changes is one `N+1.root.json` probe (404) and
//! one conditional `timestamp.json` request (304).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::TransactionBehavior;
use serde::Serialize;

use super::apply::{apply_compressed_in, local_version, Applied, SyncRoute};
use super::content::ContentKind;
use super::entry::{from_custom, is_warnings, snapshot_path, DatasetEntry};
use super::status::{
    self, clear_bundle_confirmation, get_meta, set_meta, CONFIRMED_UNTIL, TIMESTAMP_VALIDATORS, VERIFIED_AT,
};
use super::trust::DbTrustStore;
use super::SyncError;
use crate::error::{Error, Result};
use crate::net::{Cancel, Fetched, Http, NetConfig, NetError, Validators};
use crate::store::Store;
use crate::tuf::{ExpiryPolicy, FetchError, Fetcher, Limits, TargetInfo, TrustStore, TufError, Updater};

/// What a sync or bundle import is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Fetching and verifying the signed metadata (no dataset yet).
    Metadata,
    /// Downloading a dataset's file.
    Download,
    /// Checking and writing a dataset's records in one transaction.
    Apply,
}

impl SyncPhase {
    /// `metadata`, `download` or `apply`, as JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncPhase::Metadata => "metadata",
            SyncPhase::Download => "download",
            SyncPhase::Apply => "apply",
        }
    }
}

/// Where a sync stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// The dataset being worked on (`None` while metadata is refreshed).
    pub dataset: Option<String>,
    /// What is being done.
    pub phase: SyncPhase,
    /// Bytes of the current file received (resumed bytes included).
    pub bytes_done: u64,
    /// Length of the current file.
    pub bytes_total: u64,
    /// Records applied so far in the current dataset.
    pub records_done: u64,
    /// Records the current dataset will have.
    pub records_total: u64,
}

/// What happened to one dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetOutcome {
    /// Dataset name.
    pub dataset: String,
    /// Version held before.
    pub from_version: Option<u64>,
    /// Version held now.
    pub version: u64,
    /// How it got there: unchanged, snapshot or delta.
    pub route: SyncRoute,
    /// True when a delta failed and the full snapshot was used.
    pub fell_back: bool,
    /// Bytes received for this dataset.
    pub bytes_downloaded: u64,
    /// Bytes already on disk from an interrupted download that had to be fetched again.
    pub wasted_bytes: u64,
    /// Records written and deleted.
    pub records_written: u64,
    /// Records deleted.
    pub records_deleted: u64,
}

/// The result of a sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncReport {
    /// Trusted time used.
    pub trusted_now: DateTime<Utc>,
    /// Root version after the sync, and how many new roots were accepted.
    pub root_version: u64,
    /// New root versions accepted.
    pub root_rotations: u32,
    /// HTTP requests for metadata.
    pub metadata_requests: u32,
    /// Per dataset.
    pub datasets: Vec<DatasetOutcome>,
}

/// Options of [`sync_from_url`].
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Datasets to subscribe to (added to the existing subscriptions once the repository's
    /// signed metadata shows it publishes them; a name it does not publish is refused and
    /// nothing is saved).
    pub subscribe: Vec<String>,
    /// The device clock (trusted time is derived from it).
    pub device_now: DateTime<Utc>,
    /// Timeouts and retries.
    pub net: NetConfig,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions { subscribe: Vec::new(), device_now: Utc::now(), net: NetConfig::default() }
    }
}

/// Syncs every subscribed dataset from the repository at `url` (which has `metadata/` and
/// `targets/` under it). On any verification failure the error says what failed and the
/// store holds exactly what it held before for that dataset. One sync or bundle import at a
/// time per database: while another runs this fails at once with
/// [`SyncError::AlreadyRunning`].
pub fn sync_from_url(
    store: &Store,
    url: &str,
    options: &SyncOptions,
    cancel: &Cancel,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let _lock = super::lock::lock(store)?;
    // New names are saved only once the repository is known to publish them: a typo must
    // not become a subscription that makes every later sync fail.
    status::check_names(&options.subscribe)?;
    let mut datasets = status::subscriptions(store)?;
    let new: Vec<String> = options.subscribe.iter().filter(|d| !datasets.contains(d)).cloned().collect();
    datasets.extend(new.iter().cloned());
    datasets.sort();
    datasets.dedup();
    if datasets.is_empty() {
        return Err(SyncError::NothingSubscribed.into());
    }
    let http = Http::new(options.net.clone())?;
    let time = store.trusted_time(options.device_now)?;
    let base = url.trim_end_matches('/').to_string();
    let fetcher = HttpFetcher::new(store, &http, &base, cancel)?;
    let mut trust = DbTrustStore::new(store);
    let mut updater = Updater::load(&trust, ExpiryPolicy::Enforce, Limits::default())?;
    progress(&SyncProgress { dataset: None, phase: SyncPhase::Metadata, ..SyncProgress::empty() });
    let refreshed = updater.refresh(&fetcher, &mut trust, time.now);
    let refreshed = refreshed.map_err(|e| trust.take_refusal().unwrap_or_else(|| fetcher.explain(e)))?;
    store.write(|c| {
        set_meta(c, VERIFIED_AT, &rfc3339(time.now))?;
        set_meta(c, CONFIRMED_UNTIL, &rfc3339(refreshed.timestamp_expires))?;
        if let Some(v) = fetcher.new_validators.borrow_mut().take() {
            let mut all = load_validators(c)?;
            // A bounded memory of mirrors: the one just used always stays.
            while all.len() >= MAX_VALIDATORS {
                let Some(other) = all.keys().find(|k| **k != fetcher.timestamp_url).cloned() else { break };
                all.remove(&other);
            }
            all.insert(fetcher.timestamp_url.clone(), v);
            set_meta(c, TIMESTAMP_VALIDATORS, &serde_json::to_string(&all).unwrap_or_default())?;
        }
        Ok(())
    })?;

    for dataset in &new {
        if updater.target_info(&fetcher, &mut trust, &snapshot_path(dataset)).map_err(|e| fetcher.explain(e))?.is_none()
        {
            return Err(SyncError::NotPublished { dataset: dataset.clone() }.into());
        }
    }
    status::subscribe(store, &new)?;
    // The report receiver the signed targets name now (or none): reports go nowhere else.
    let receiver = super::receiver::signed_receiver(&mut updater, &fetcher, &mut trust).map_err(|e| match e {
        Error::Tuf(t) => fetcher.explain(t),
        other => other,
    })?;
    store.write(|c| super::receiver::save(c, receiver.as_ref()))?;

    let downloads = download_dir(store);
    let mut outcomes = Vec::new();
    for dataset in &datasets {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let run = DatasetRun { store, http: &http, base: &base, downloads: &downloads, cancel, dataset };
        outcomes.push(run.sync(&mut updater, &fetcher, &mut trust, progress)?);
    }
    Ok(SyncReport {
        trusted_now: time.now,
        root_version: refreshed.root_version,
        root_rotations: refreshed.root_rotations,
        metadata_requests: fetcher.requests.get(),
        datasets: outcomes,
    })
}

impl SyncProgress {
    fn empty() -> SyncProgress {
        SyncProgress {
            dataset: None,
            phase: SyncPhase::Metadata,
            bytes_done: 0,
            bytes_total: 0,
            records_done: 0,
            records_total: 0,
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Partial and finished downloads live beside the database, named by content hash, so an
/// interrupted sync resumes even after the app restarts.
fn download_dir(store: &Store) -> PathBuf {
    let mut name = store.path().as_os_str().to_owned();
    name.push(".downloads");
    PathBuf::from(name)
}

struct DatasetRun<'a> {
    store: &'a Store,
    http: &'a Http,
    base: &'a str,
    downloads: &'a Path,
    cancel: &'a Cancel,
    dataset: &'a str,
}

impl DatasetRun<'_> {
    fn sync(
        &self,
        updater: &mut Updater,
        fetcher: &HttpFetcher<'_>,
        trust: &mut DbTrustStore<'_>,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<DatasetOutcome> {
        let dataset = self.dataset;
        let info = self.find(updater, fetcher, trust, &snapshot_path(dataset))?;
        let entry: DatasetEntry = from_custom(info.file.custom.as_ref())
            .filter(|e: &DatasetEntry| e.dataset == dataset)
            .ok_or_else(|| SyncError::BadEntry { target: info.path.clone() })?;
        let kind = ContentKind::parse(&entry.content)
            .ok_or_else(|| SyncError::UnknownContent { dataset: dataset.into(), content: entry.content.clone() })?;
        // The signer follows from what the data is, not only from its name.
        self.store.read(|c| super::check_dataset_trust(c, dataset, kind, &info))?;
        let local = self.store.read(|c| local_version(c, dataset))?;
        let mut outcome = DatasetOutcome {
            dataset: dataset.into(),
            from_version: local,
            version: local.unwrap_or(0),
            route: SyncRoute::Unchanged,
            fell_back: false,
            bytes_downloaded: 0,
            wasted_bytes: 0,
            records_written: 0,
            records_deleted: 0,
        };
        if let Some(local) = local {
            if local > entry.version {
                return Err(
                    SyncError::RepositoryOlder { dataset: dataset.into(), local, offered: entry.version }.into()
                );
            }
            if local == entry.version {
                // Confirmed current again: whatever a bundle said, it is now verified online.
                self.store.write(|c| {
                    c.execute("UPDATE sync_datasets SET unconfirmed_since = NULL WHERE name = ?1", [dataset])?;
                    clear_bundle_confirmation(c, dataset)?;
                    Ok(())
                })?;
                return Ok(outcome);
            }
        }
        // The cheaper route first: a delta from the version held, when one is smaller.
        let delta = match local.and_then(|v| entry.deltas.get(&v)) {
            Some(path) => Some(self.find(updater, fetcher, trust, path)?),
            None => None,
        };
        if let Some(delta) = delta.filter(|d| d.file.length < info.file.length) {
            match self.fetch_and_apply(updater, kind, &entry, &delta, &mut outcome, progress) {
                Ok(applied) => return Ok(finish(outcome, &entry, applied)),
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                Err(Error::Net(e)) => return Err(Error::Net(e)),
                // Any other failure of the delta (bad base, bad record, state mismatch,
                // hash mismatch): the full snapshot still can bring the right state.
                Err(_) => outcome.fell_back = true,
            }
        }
        let applied = self.fetch_and_apply(updater, kind, &entry, &info, &mut outcome, progress)?;
        Ok(finish(outcome, &entry, applied))
    }

    /// The trusted entry for `path`; warnings must come from the `warnings` delegation
    /// (two signatures), never from the top-level targets role alone.
    fn find(
        &self,
        updater: &mut Updater,
        fetcher: &HttpFetcher<'_>,
        trust: &mut DbTrustStore<'_>,
        path: &str,
    ) -> Result<TargetInfo> {
        let info = updater
            .target_info(fetcher, trust, path)
            .map_err(|e| fetcher.explain(e))?
            .ok_or_else(|| SyncError::UnknownDataset { dataset: self.dataset.into() })?;
        if is_warnings(self.dataset) && !super::signed_by_warnings(&info) {
            return Err(SyncError::WrongSigner { target: path.into(), role: super::signer(&info) }.into());
        }
        Ok(info)
    }

    fn fetch_and_apply(
        &self,
        updater: &Updater,
        kind: ContentKind,
        entry: &DatasetEntry,
        info: &TargetInfo,
        outcome: &mut DatasetOutcome,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<Applied> {
        let name = updater.target_download_name(info);
        let sha = info.file.hashes.get("sha256").cloned().unwrap_or_default();
        let dest = self.downloads.join(format!("{sha}.zst"));
        std::fs::create_dir_all(self.downloads).map_err(|e| Error::Io { path: self.downloads.into(), source: e })?;
        let url = format!("{}/targets/{}", self.base, name);
        let dataset = Some(self.dataset.to_string());
        let total = info.file.length;
        let report = self.http.download(&url, &dest, total, self.cancel, &mut |done, total| {
            progress(&SyncProgress {
                dataset: dataset.clone(),
                phase: SyncPhase::Download,
                bytes_done: done,
                bytes_total: total,
                ..SyncProgress::empty()
            })
        })?;
        outcome.bytes_downloaded += report.bytes_fetched;
        outcome.wasted_bytes += report.wasted_bytes;
        let verified = verify_file(info, &dest);
        if verified.is_err() {
            // A file with the right length and the wrong bytes is useless for a resume.
            let _ = std::fs::remove_file(&dest);
        }
        verified?;
        let records_total = entry.records;
        let applied = self.apply(kind, entry, &dest, &info.path, &mut |n| {
            progress(&SyncProgress {
                dataset: dataset.clone(),
                phase: SyncPhase::Apply,
                bytes_done: total,
                bytes_total: total,
                records_done: n,
                records_total,
            });
            !self.cancel.is_cancelled()
        });
        let _ = std::fs::remove_file(&dest);
        applied
    }

    /// Applies a verified compressed dataset file in one IMMEDIATE transaction, recording
    /// the newest signed time; commits only if every record checked and the state hash
    /// matched.
    fn apply(
        &self,
        kind: ContentKind,
        entry: &DatasetEntry,
        file: &Path,
        name: &str,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Applied> {
        // The log is folded into the file after the commit, on another thread: a snapshot's
        // commit does not wait for 100 MB to be copied (docs/benchmarks.md, "Sync").
        self.store.write_then_checkpoint(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let applied = apply_compressed_in(&tx, kind, entry, file, name, None, progress)?;
            clear_bundle_confirmation(&tx, &entry.dataset)?;
            tx.commit()?;
            Ok(applied)
        })
    }
}

fn finish(mut outcome: DatasetOutcome, entry: &DatasetEntry, applied: Applied) -> DatasetOutcome {
    outcome.version = entry.version;
    outcome.route = applied.route.into();
    outcome.records_written = applied.put;
    outcome.records_deleted = applied.deleted;
    outcome
}

/// Checks a downloaded file's length and every hash its trusted entry lists (at least one
/// of sha256 / sha512 must be listed), streaming.
pub(crate) fn verify_file(info: &TargetInfo, path: &Path) -> Result<()> {
    let mut file = File::open(path).map_err(|e| Error::Io { path: path.into(), source: e })?;
    let mut sha256 = ring::digest::Context::new(&ring::digest::SHA256);
    let mut sha512 = ring::digest::Context::new(&ring::digest::SHA512);
    let mut buf = vec![0u8; 64 * 1024];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::Io { path: path.into(), source: e })?;
        if n == 0 {
            break;
        }
        len += n as u64;
        sha256.update(&buf[..n]);
        sha512.update(&buf[..n]);
    }
    let got = [
        ("sha256", super::state::hex(sha256.finish().as_ref())),
        ("sha512", super::state::hex(sha512.finish().as_ref())),
    ];
    let mismatch = |what: &str, expected: String, got: String| -> Error {
        TufError::LengthOrHashMismatch { file: info.path.clone(), what: what.into(), expected, got }.into()
    };
    if len != info.file.length {
        return Err(mismatch("length", info.file.length.to_string(), len.to_string()));
    }
    let known: Vec<_> = got.iter().filter(|(alg, _)| info.file.hashes.contains_key(*alg)).collect();
    if known.is_empty() {
        return Err(mismatch("hash", "sha256 or sha512".into(), "no hash this client can check".into()));
    }
    for (alg, hash) in known {
        if info.file.hashes[*alg] != *hash {
            return Err(mismatch(&format!("{alg} hash"), info.file.hashes[*alg].clone(), hash.clone()));
        }
    }
    Ok(())
}

/// [`Fetcher`] over HTTP: `BASE/metadata/NAME`. `timestamp.json` is requested
/// conditionally; on 304 the trusted copy is handed back, which the workflow then keeps.
pub(crate) struct HttpFetcher<'a> {
    store: &'a Store,
    http: &'a Http,
    base: &'a str,
    /// This repository's `timestamp.json` URL: validators are kept per URL, so that one
    /// mirror's `ETag` is never sent to another (whose 304 would then hide newer data).
    timestamp_url: String,
    cancel: &'a Cancel,
    validators: Option<Validators>,
    new_validators: RefCell<Option<Validators>>,
    requests: Cell<u32>,
    last_net_error: RefCell<Option<NetError>>,
}

impl<'a> HttpFetcher<'a> {
    pub(crate) fn new(store: &'a Store, http: &'a Http, base: &'a str, cancel: &'a Cancel) -> Result<HttpFetcher<'a>> {
        let timestamp_url = format!("{base}/metadata/timestamp.json");
        let validators = store.read(load_validators)?.remove(&timestamp_url);
        Ok(HttpFetcher {
            store,
            http,
            base,
            timestamp_url,
            cancel,
            validators,
            new_validators: RefCell::new(None),
            requests: Cell::new(0),
            last_net_error: RefCell::new(None),
        })
    }

    /// A fetch failure surfaces as the network error itself (timeouts, cancellation), not
    /// as a verification failure.
    pub(crate) fn explain(&self, e: TufError) -> Error {
        if self.cancel.is_cancelled() {
            return Error::Cancelled;
        }
        match (e, self.last_net_error.borrow_mut().take()) {
            (TufError::Fetch { .. }, Some(net)) => Error::Net(net),
            (e, _) => Error::Tuf(e),
        }
    }
}

/// Mirrors whose `timestamp.json` validators are remembered.
const MAX_VALIDATORS: usize = 16;

/// The remembered validators, by `timestamp.json` URL. Anything else (the single unkeyed
/// value older versions wrote) is forgotten: a full request costs one small file.
fn load_validators(conn: &rusqlite::Connection) -> Result<BTreeMap<String, Validators>> {
    Ok(get_meta(conn, TIMESTAMP_VALIDATORS)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

impl Fetcher for HttpFetcher<'_> {
    fn fetch_metadata(&self, name: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let url = format!("{}/metadata/{}", self.base, name);
        let conditional = name == "timestamp.json";
        self.requests.set(self.requests.get() + 1);
        let validators = if conditional { self.validators.as_ref() } else { None };
        match self.http.get(&url, max_len, validators, self.cancel) {
            Ok(Fetched::Body { bytes, validators }) => {
                if conditional && !validators.is_empty() {
                    *self.new_validators.borrow_mut() = Some(validators);
                }
                Ok(bytes)
            }
            Ok(Fetched::NotModified) => DbTrustStore::new(self.store)
                .load("timestamp")
                .map_err(|e| FetchError::Other(format!("reading the trusted timestamp: {e}")))?
                .ok_or_else(|| FetchError::Other("304 Not Modified but no trusted timestamp is stored".into())),
            Err(NetError::NotFound { .. }) => Err(FetchError::NotFound),
            Err(e) => {
                let text = e.to_string();
                *self.last_net_error.borrow_mut() = Some(e);
                Err(FetchError::Other(text))
            }
        }
    }

    fn fetch_target(&self, path: &str, len: u64) -> Result<Vec<u8>, FetchError> {
        let url = format!("{}/targets/{}", self.base, path);
        match self.http.get(&url, len, None, self.cancel) {
            Ok(Fetched::Body { bytes, .. }) => Ok(bytes),
            Ok(Fetched::NotModified) => Err(FetchError::Other("unexpected 304".into())),
            Err(NetError::NotFound { .. }) => Err(FetchError::NotFound),
            Err(e) => Err(FetchError::Other(e.to_string())),
        }
    }
}
