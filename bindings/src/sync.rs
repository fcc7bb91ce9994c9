//! Trusted sync across the FFI: installing the root the app ships, syncing from a URL,
//! subscriptions, the status of every dataset held, and phone-to-phone bundles. The core's
//! enums and [`DatasetOutcome`] cross as they are (UniFFI remote types); the other records
//! mirror `faro_core::sync`'s reports with `SystemTime` for times. The work is the core's.
//!
//! No method holds the [`FaroStore`]'s lock while it works: each takes its own reference to
//! the open store, so searches on other threads run during a sync (they read through the
//! core's WAL readers and see the old data until the sync commits).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use faro_core::net::NetConfig;
use faro_core::sync::clock::{ClockCheck, TrustedTime as CoreTrustedTime};
use faro_core::sync::{self, ContentKind, DatasetOutcome, SyncOptions, SyncRoute};

use crate::error::FaroError;
use crate::progress::{CancelHandle, ProgressListener, Reporter};
use crate::store::FaroStore;

/// How a device clock looks next to the signed times Faro has seen.
#[uniffi::remote(Enum)]
pub enum ClockCheck {
    /// Not behind the signed times, and not far ahead of them.
    Plausible,
    /// Behind the newest signed time or this build's time: those are used instead.
    Behind,
    /// More than 400 days ahead of every signed time: data will look outdated; the device
    /// clock is probably wrong (ask the person to check it).
    FarAhead,
}

/// What a dataset holds.
#[uniffi::remote(Enum)]
pub enum ContentKind {
    /// Directory listings (consulates, legal aid, health, shelters).
    Listings,
    /// Rights articles.
    Rights,
    /// Warnings about smugglers and traffickers.
    Warnings,
}

/// How a dataset reached its version.
#[uniffi::remote(Enum)]
pub enum SyncRoute {
    /// Already current: nothing was downloaded.
    Unchanged,
    /// The full snapshot.
    Snapshot,
    /// A delta from the version held.
    Delta,
    /// A bundle file from another phone or shipped with the app.
    Bundle,
}

/// Network limits of a sync, for apps that want other values than the defaults (20 s to
/// connect, 30 s without a byte, 5 attempts per file).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSettings {
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait with no byte arriving.
    pub read_timeout: Duration,
    /// Most attempts for one file that make no progress (at least 1).
    pub max_attempts: u32,
}

/// Trusted time: `max(device clock, newest signed time accepted, build time)`, and the
/// verdict on the device clock.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustedTime {
    /// The time expiry and warnings are judged at.
    pub now: SystemTime,
    /// The device clock.
    pub device: SystemTime,
    /// The newest signed time accepted so far, if any.
    pub newest_signed: Option<SystemTime>,
    /// This build's time.
    pub build: SystemTime,
    /// The verdict on the device clock.
    pub clock: ClockCheck,
}

/// What a sync did with one dataset.
#[uniffi::remote(Record)]
pub struct DatasetOutcome {
    /// Dataset name (`directory/mx`).
    pub dataset: String,
    /// Version held before.
    pub from_version: Option<u64>,
    /// Version held now.
    pub version: u64,
    /// How it got there.
    pub route: SyncRoute,
    /// True when a delta failed and the full snapshot was used instead.
    pub fell_back: bool,
    /// Bytes received for this dataset.
    pub bytes_downloaded: u64,
    /// Bytes of an interrupted download that had to be fetched again.
    pub wasted_bytes: u64,
    /// Records written.
    pub records_written: u64,
    /// Records deleted.
    pub records_deleted: u64,
}

/// The result of a sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Trusted time the metadata was judged at.
    pub trusted_now: SystemTime,
    /// Version of the trusted root after the sync.
    pub root_version: u64,
    /// New root versions accepted (key rotations).
    pub root_rotations: u32,
    /// HTTP requests for metadata.
    pub metadata_requests: u32,
    /// Each subscribed dataset.
    pub datasets: Vec<DatasetOutcome>,
}

/// One dataset held on this device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DatasetStatus {
    /// Dataset name.
    pub dataset: String,
    /// What it holds.
    pub content: ContentKind,
    /// Version held.
    pub version: u64,
    /// Records held.
    pub records: u64,
    /// Who publishes it.
    pub publisher: Option<String>,
    /// When the version held was published (signed).
    pub published_at: Option<SystemTime>,
    /// When the repository last confirmed it as current (trusted time).
    pub verified_at: Option<SystemTime>,
    /// True when it can no longer be confirmed as current. Stale data stays readable: show
    /// "not confirmed since `unconfirmed_since`".
    pub stale: bool,
    /// Since when it is not confirmed, when stale.
    pub unconfirmed_since: Option<SystemTime>,
    /// Whether the person subscribed to it.
    pub subscribed: bool,
    /// How it arrived last.
    pub route: SyncRoute,
}

/// Everything about what this device holds and how current it is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// Trusted time and the verdict on the device clock.
    pub time: TrustedTime,
    /// Version of the trusted root, if one is installed.
    pub root_version: Option<u64>,
    /// Datasets held, by name.
    pub datasets: Vec<DatasetStatus>,
    /// Subscribed datasets not held yet.
    pub pending: Vec<String>,
}

/// A dataset and its version.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DatasetVersion {
    /// Dataset name.
    pub dataset: String,
    /// Version.
    pub version: u64,
}

/// A dataset left out of a bundle, and why.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SkippedDataset {
    /// Dataset name.
    pub dataset: String,
    /// Why it was left out (e.g. "sync first").
    pub reason: String,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportReport {
    /// Datasets in the bundle.
    pub datasets: Vec<DatasetVersion>,
    /// Datasets asked for but left out.
    pub skipped: Vec<SkippedDataset>,
    /// Size of the bundle file in bytes.
    pub bytes: u64,
}

/// What a bundle import did with one dataset.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BundleOutcome {
    /// Dataset name.
    pub dataset: String,
    /// Who publishes it.
    pub publisher: Option<String>,
    /// Version in the bundle.
    pub version: u64,
    /// When that version was published (signed).
    pub published: SystemTime,
    /// Version held before.
    pub previous_version: Option<u64>,
    /// True when it was applied (strictly newer than what was held).
    pub applied: bool,
    /// Records now held, when applied.
    pub records: u64,
    /// Set when the bundle's metadata had expired: the data is not confirmed since then.
    pub unconfirmed_since: Option<SystemTime>,
}

#[uniffi::export]
impl FaroStore {
    /// Installs the repository root the app ships (`metadata/1.root.json`), checked as signed
    /// by its own keys; returns its version. Nothing is trusted on first use: a sync or a
    /// bundle import needs this first. `NotVerified` if the root does not verify.
    pub fn install_trusted_root(&self, root: Vec<u8>) -> Result<u64, FaroError> {
        self.with_store("install_trusted_root", |store| Ok(sync::install_trusted_root(store, &root)?))
    }

    /// Syncs every subscribed dataset, after subscribing to `datasets`, from the repository at
    /// `url` (with `metadata/` and `targets/` under it): verified, then each dataset applied
    /// in one transaction. `datasets` are saved only once the repository is seen to publish
    /// them (`NotVerified` naming the dataset otherwise, nothing saved); `subscribe` saves a
    /// choice made offline. Searches on other threads keep working and see the old data until
    /// each dataset commits.
    ///
    /// `Network` when offline or a server fails (a partial download resumes next time),
    /// `NotVerified` when signatures, hashes or versions do not check (the last good data is
    /// kept), `BadInput` for a bad dataset name, `Cancelled` through `cancel`, `Busy` while
    /// another sync or bundle import runs on this database.
    #[uniffi::method(default(datasets = [], progress = None, cancel = None, settings = None))]
    pub fn sync(
        &self,
        url: String,
        datasets: Vec<String>,
        progress: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
        settings: Option<SyncSettings>,
    ) -> Result<SyncReport, FaroError> {
        self.with_store("sync", |store| {
            let net = net_config(settings)?;
            let options = SyncOptions { subscribe: datasets, device_now: Utc::now(), net };
            let cancel = cancel.map(|c| c.token()).unwrap_or_default();
            let mut reporter = Reporter::new(progress, cancel.clone());
            let result = sync::sync_from_url(store, &url, &options, &cancel, &mut |p| reporter.sync_progress(p));
            let report = reporter.result(result, "the sync")?;
            reporter.finished();
            Ok(sync_report(report))
        })
    }

    /// Adds `datasets` (`directory/mx`, `rights/all`, `warnings/mx`) to the subscriptions.
    /// Idempotent. `BadInput` for a malformed name.
    pub fn subscribe(&self, datasets: Vec<String>) -> Result<(), FaroError> {
        self.with_store("subscribe", |store| Ok(sync::subscribe(store, &datasets)?))
    }

    /// Removes `datasets` from the subscriptions; data already here stays readable. Names
    /// that were not subscribed are ignored.
    pub fn unsubscribe(&self, datasets: Vec<String>) -> Result<(), FaroError> {
        self.with_store("unsubscribe", |store| Ok(sync::unsubscribe(store, &datasets).map(drop)?))
    }

    /// The subscribed datasets, sorted.
    pub fn subscriptions(&self) -> Result<Vec<String>, FaroError> {
        self.with_store("subscriptions", |store| Ok(sync::subscriptions(store)?))
    }

    /// Every dataset held, its version and how current it is, judged at trusted time.
    pub fn dataset_status(&self) -> Result<SyncStatus, FaroError> {
        self.with_store("dataset_status", |store| {
            let status = sync::status(store, Utc::now())?;
            Ok(SyncStatus {
                time: trusted_time(&status.time),
                root_version: status.root_version,
                datasets: status
                    .datasets
                    .into_iter()
                    .map(|d| DatasetStatus {
                        content: d.content,
                        route: d.route,
                        dataset: d.dataset,
                        version: d.version,
                        records: d.records,
                        publisher: d.publisher,
                        published_at: d.published_at.map(time),
                        verified_at: d.verified_at.map(time),
                        stale: d.stale,
                        unconfirmed_since: d.unconfirmed_since.map(time),
                        subscribed: d.subscribed,
                    })
                    .collect(),
                pending: status.pending,
            })
        })
    }

    /// Writes a bundle of `datasets` (every dataset held when empty) to the file `path`, for
    /// another phone: the signed metadata and the records, verified there as here. Datasets
    /// not current with the verified metadata are left out and listed in `skipped`.
    /// `NotVerified` when nothing was ever synced here.
    #[uniffi::method(default(datasets = []))]
    pub fn export_bundle(&self, path: String, datasets: Vec<String>) -> Result<ExportReport, FaroError> {
        self.with_store("export_bundle", |store| {
            let report = sync::export_bundle(store, Path::new(&path), &datasets)?;
            Ok(ExportReport {
                datasets: report
                    .datasets
                    .into_iter()
                    .map(|(dataset, version)| DatasetVersion { dataset, version })
                    .collect(),
                skipped: report
                    .skipped
                    .into_iter()
                    .map(|(dataset, reason)| SkippedDataset { dataset, reason })
                    .collect(),
                bytes: report.bytes,
            })
        })
    }

    /// Verifies the bundle file at `path` offline, from the root installed here, and applies
    /// each dataset in it that is newer than what is held, all in ONE transaction. Expired
    /// metadata is accepted and the data marked "not confirmed since".
    ///
    /// `NotVerified` for a bundle that does not verify: a bad signature or hash, or a file that
    /// is not a Faro bundle, is damaged or was altered on the way; `Cancelled` through
    /// `cancel`, `Busy` while another sync or import runs on this database; in each case
    /// nothing of the bundle is applied.
    #[uniffi::method(default(progress = None, cancel = None))]
    pub fn import_bundle(
        &self,
        path: String,
        progress: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<Vec<BundleOutcome>, FaroError> {
        self.with_store("import_bundle", |store| import_bundle_file(store, Path::new(&path), progress, cancel))
    }

    /// [`FaroStore::import_bundle`] for a bundle held in memory: the first-run bundle an app
    /// ships in its assets (Android `assets/`, an iOS resource) and reads with the platform's
    /// own API, which gives bytes or a stream rather than a file path. The bytes are written to
    /// a private scratch file in the store's directory, verified and applied exactly as a file
    /// would be, and the scratch file is removed in every case.
    ///
    /// Same errors as `import_bundle`, plus `Storage` if the scratch file cannot be written
    /// (disk full).
    #[uniffi::method(default(progress = None, cancel = None))]
    pub fn import_bundle_bytes(
        &self,
        bundle: Vec<u8>,
        progress: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<Vec<BundleOutcome>, FaroError> {
        self.with_store("import_bundle_bytes", |store| {
            let storage = |e: std::io::Error| FaroError::Storage {
                reason: format!("{}: cannot write the bundle's scratch file: {e}", self.directory()),
            };
            let mut scratch = tempfile::Builder::new()
                .prefix(".faro-bundle-bytes-")
                .tempfile_in(self.directory())
                .map_err(storage)?;
            scratch.write_all(&bundle).and_then(|()| scratch.flush()).map_err(storage)?;
            drop(bundle);
            // `scratch` is removed when it drops, after the import, whatever its result.
            import_bundle_file(store, scratch.path(), progress, cancel).map_err(|e| {
                // Errors name the file they are about: name the bytes, not the scratch file.
                let scratch_name = scratch.path().display().to_string();
                e.map_reason(|r| r.replace(&scratch_name, "the bundle bytes"))
            })
        })
    }
}

/// Verifies and applies the bundle file at `path`, reporting progress and honouring `cancel`.
fn import_bundle_file(
    store: &faro_core::Store,
    path: &Path,
    progress: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<Vec<BundleOutcome>, FaroError> {
    let cancel = cancel.map(|c| c.token()).unwrap_or_default();
    let mut reporter = Reporter::new(progress, cancel.clone());
    let result = sync::import_bundle_watched(store, path, Utc::now(), &cancel, &mut |p| reporter.sync_progress(p));
    let outcomes = reporter.result(result, "the bundle import")?;
    reporter.finished();
    Ok(outcomes
        .into_iter()
        .map(|o| BundleOutcome {
            dataset: o.dataset,
            publisher: o.publisher,
            version: o.version,
            published: time(o.published),
            previous_version: o.previous_version,
            applied: o.applied,
            records: o.records,
            unconfirmed_since: o.unconfirmed_since.map(time),
        })
        .collect())
}

/// The core's network limits for `settings` (defaults when `None`).
pub(crate) fn net_config(settings: Option<SyncSettings>) -> Result<NetConfig, FaroError> {
    let Some(s) = settings else { return Ok(NetConfig::default()) };
    if s.max_attempts == 0 || s.connect_timeout.is_zero() || s.read_timeout.is_zero() {
        return Err(FaroError::bad_input("settings: timeouts must be above zero and max_attempts at least 1"));
    }
    Ok(NetConfig {
        connect_timeout: s.connect_timeout,
        read_timeout: s.read_timeout,
        max_attempts: s.max_attempts,
        ..NetConfig::default()
    })
}

fn sync_report(r: sync::SyncReport) -> SyncReport {
    SyncReport {
        trusted_now: time(r.trusted_now),
        root_version: r.root_version,
        root_rotations: r.root_rotations,
        metadata_requests: r.metadata_requests,
        datasets: r.datasets,
    }
}

/// A core time as the platforms' own (`java.time.Instant`, `Date`).
pub(crate) fn time(t: DateTime<Utc>) -> SystemTime {
    SystemTime::from(t)
}

pub(crate) fn trusted_time(t: &CoreTrustedTime) -> TrustedTime {
    TrustedTime {
        now: time(t.now),
        device: time(t.device),
        newest_signed: t.newest_signed.map(time),
        build: time(t.build),
        clock: t.clock,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert_eq!(net_config(None).unwrap(), NetConfig::default());
        let quick = SyncSettings {
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_secs(3),
            max_attempts: 1,
        };
        let net = net_config(Some(quick.clone())).unwrap();
        assert_eq!(
            (net.connect_timeout, net.read_timeout, net.max_attempts),
            (quick.connect_timeout, quick.read_timeout, 1)
        );
        let none = SyncSettings { max_attempts: 0, ..quick };
        assert!(
            matches!(net_config(Some(none)), Err(FaroError::BadInput { reason }) if reason.starts_with("settings:"))
        );
    }

    #[test]
    fn a_store_without_a_root_cannot_sync_or_import() {
        let dir = tempfile::tempdir().unwrap();
        let store = FaroStore::open(dir.path().display().to_string()).unwrap();
        let e = store.sync("http://127.0.0.1:9/".into(), vec!["directory/mx".into()], None, None, None).unwrap_err();
        assert!(matches!(&e, FaroError::NotVerified { reason } if reason.contains("no trusted root")), "{e:?}");
        // Not known to be published (nothing could be verified): not saved by `sync`...
        assert!(store.subscriptions().unwrap().is_empty());
        // ...while `subscribe` saves a choice made offline.
        store.subscribe(vec!["directory/mx".into()]).unwrap();
        assert_eq!(store.subscriptions().unwrap(), ["directory/mx"]);
        let bad = store.subscribe(vec!["../etc".into()]).unwrap_err();
        assert!(matches!(bad, FaroError::BadInput { .. }), "{bad:?}");
        let status = store.dataset_status().unwrap();
        assert_eq!((status.root_version, status.pending.as_slice()), (None, &["directory/mx".to_string()][..]));
        assert!(status.time.now >= status.time.build);
        assert!(matches!(store.install_trusted_root(b"{}".to_vec()), Err(FaroError::NotVerified { .. })));
        let missing = dir.path().join("none.bundle").display().to_string();
        assert!(store.import_bundle(missing, None, None).is_err());
        store.unsubscribe(vec!["directory/mx".into()]).unwrap();
        assert!(store.subscriptions().unwrap().is_empty());
    }
}
