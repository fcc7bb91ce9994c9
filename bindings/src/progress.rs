//! Long work seen from the app: a [`ProgressListener`] the app implements (Kotlin or Swift),
//! a [`CancelHandle`] it can trip from any thread, and [`Reporter`], which turns the core's
//! import, sync and bundle progress into [`ProgressReport`]s.
//!
//! A `CancelHandle` wraps the core's [`Cancel`]: an import, a sync or a bundle import checks
//! it between batches and chunks, rolls back what it had not committed and returns the
//! core's `Cancelled`. A listener that throws trips the same token.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use faro_core::cancel::Cancel;
use faro_core::import::listings::ImportProgress;
use faro_core::reports::SendProgress;
use faro_core::sync::{SyncPhase, SyncProgress};

use crate::error::{panic_message, FaroError};

/// Where long work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ProgressStage {
    /// Import: reading, checking and writing records; `bytes_done` of `bytes_total` read.
    Importing,
    /// Import: every record is written; committing them in one transaction.
    Committing,
    /// Sync or bundle: fetching and verifying the signed metadata (`dataset` is `None`).
    CheckingMetadata,
    /// Sync: downloading `dataset`'s file; `bytes_done` of `bytes_total` received (resumed
    /// bytes included).
    Downloading,
    /// Sync or bundle: checking and writing `dataset`'s records in one transaction,
    /// `records_done` of `records_total`.
    Applying,
    /// Sending reports: `records_done` of `records_total` reports handled (`dataset` is
    /// `None`, bytes are 0).
    SendingReports,
    /// Done; the data is in place.
    Finished,
}

/// A progress report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProgressReport {
    /// Stage of the work.
    pub stage: ProgressStage,
    /// The dataset being worked on, when there is one (`directory/mx`).
    pub dataset: Option<String>,
    /// Bytes read or received so far (of the current file, for a sync).
    pub bytes_done: u64,
    /// Bytes in all, when known.
    pub bytes_total: Option<u64>,
    /// Records handled so far (of the current dataset, for a sync).
    pub records_done: u64,
    /// Records in all, when known (the signed record count, for a sync).
    pub records_total: Option<u64>,
}

/// Receives progress reports, on the thread doing the work. Keep it quick (post to the UI
/// thread); an exception thrown here aborts the work with `FaroError.Internal`.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// Called a few times a second at most during long work, at each change of stage or
    /// dataset, and once at the end.
    fn on_progress(&self, progress: ProgressReport);
}

/// Cancels long work (an import, a sync, a bundle import) from any thread. Create one, pass
/// it to the call, and call [`CancelHandle::cancel`] from elsewhere: the call then fails with
/// `FaroError.Cancelled`. An import keeps nothing; a sync or bundle import rolls back the
/// dataset in progress (datasets it finished before keep their new version).
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    cancel: Cancel,
}

#[uniffi::export]
impl CancelHandle {
    /// A handle not yet cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<CancelHandle> {
        Arc::new(CancelHandle::default())
    }

    /// Asks the work to stop; it stops at the next chunk or record. Idempotent. Cancelling
    /// after the work has committed has no effect.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Whether [`CancelHandle::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

impl CancelHandle {
    /// The core's token, shared with this handle.
    pub(crate) fn token(&self) -> Cancel {
        self.cancel.clone()
    }
}

/// An import reports every this many records.
const REPORT_EVERY: u64 = 256;

/// Shortest time between two reports of the same stage and dataset.
const REPORT_INTERVAL: Duration = Duration::from_millis(100);

/// Turns the core's [`SyncProgress`] into [`ProgressReport`]s for a listener, at most one
/// per [`REPORT_INTERVAL`] within a stage, and always at a change of stage or dataset and
/// at the end of a download. A listener that throws trips the call's cancel token, so the
/// core stops at its next check and rolls back; [`Reporter::result`] then says why.
pub(crate) struct Reporter {
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Cancel,
    last: Option<(ProgressStage, Option<String>, Instant)>,
    failure: Option<String>,
    /// Records an import had handled at its last report.
    imported: u64,
}

impl Reporter {
    /// Reports to `listener`; a failing listener cancels `cancel`.
    pub(crate) fn new(listener: Option<Arc<dyn ProgressListener>>, cancel: Cancel) -> Reporter {
        Reporter { listener, cancel, last: None, failure: None, imported: 0 }
    }

    /// Reports one step of a listings import: every [`REPORT_EVERY`] records, and the commit.
    pub(crate) fn import_progress(&mut self, p: &ImportProgress) {
        let due = p.committing || p.records_done / REPORT_EVERY > self.imported / REPORT_EVERY;
        self.imported = p.records_done;
        if due {
            self.send(ProgressReport {
                stage: if p.committing { ProgressStage::Committing } else { ProgressStage::Importing },
                dataset: Some(p.dataset.clone()),
                bytes_done: p.bytes_done,
                bytes_total: p.bytes_total,
                records_done: p.records_done,
                records_total: None,
            });
        }
    }

    /// Why the listener failed, if it did (the work was then cancelled through the token).
    pub(crate) fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// Reports one step of a sync or bundle import.
    pub(crate) fn sync_progress(&mut self, p: &SyncProgress) {
        let stage = match p.phase {
            SyncPhase::Metadata => ProgressStage::CheckingMetadata,
            SyncPhase::Download => ProgressStage::Downloading,
            SyncPhase::Apply => ProgressStage::Applying,
        };
        let changed = self.last.as_ref().is_none_or(|(s, d, _)| *s != stage || *d != p.dataset);
        let due = self.last.as_ref().is_none_or(|(_, _, at)| at.elapsed() >= REPORT_INTERVAL);
        let downloaded = stage == ProgressStage::Downloading && p.bytes_done == p.bytes_total;
        if changed || due || downloaded {
            self.send(ProgressReport {
                stage,
                dataset: p.dataset.clone(),
                bytes_done: p.bytes_done,
                bytes_total: (p.bytes_total > 0).then_some(p.bytes_total),
                records_done: p.records_done,
                records_total: (stage == ProgressStage::Applying).then_some(p.records_total),
            });
        }
    }

    /// Reports one step of sending the report outbox (each report is one step).
    pub(crate) fn send_progress(&mut self, p: &SendProgress) {
        self.send(ProgressReport {
            stage: ProgressStage::SendingReports,
            dataset: None,
            bytes_done: 0,
            bytes_total: None,
            records_done: u64::from(p.done),
            records_total: Some(u64::from(p.total)),
        });
    }

    /// Sends the final report (the data is in place; a failing listener changes nothing now).
    pub(crate) fn finished(&mut self) {
        self.send(ProgressReport {
            stage: ProgressStage::Finished,
            dataset: None,
            bytes_done: 0,
            bytes_total: None,
            records_done: 0,
            records_total: None,
        });
    }

    fn send(&mut self, report: ProgressReport) {
        let Some(listener) = &self.listener else { return };
        if self.failure.is_some() {
            return;
        }
        self.last = Some((report.stage, report.dataset.clone(), Instant::now()));
        // A Kotlin or Swift exception arrives as a panic: caught here, it stops the work
        // through the cancel token instead of unwinding through the core's transaction.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| listener.on_progress(report))) {
            self.failure = Some(format!("the progress listener failed: {}", panic_message(&*payload)));
            self.cancel.cancel();
        }
    }

    /// The call's result: a listener failure first (`Internal`), else the core's result.
    pub(crate) fn result<T>(&self, result: faro_core::Result<T>, what: &str) -> Result<T, FaroError> {
        match (&self.failure, result) {
            (Some(reason), Err(_)) => Err(FaroError::Internal {
                reason: format!("{reason}; {what} stopped and the dataset in progress was rolled back"),
            }),
            (_, result) => Ok(result?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Log(Mutex<Vec<ProgressReport>>);
    impl ProgressListener for Log {
        fn on_progress(&self, progress: ProgressReport) {
            self.0.lock().unwrap().push(progress);
        }
    }

    struct Throws;
    impl ProgressListener for Throws {
        fn on_progress(&self, _: ProgressReport) {
            panic!("listener threw IllegalStateException");
        }
    }

    fn imported(records_done: u64, committing: bool) -> ImportProgress {
        ImportProgress {
            dataset: "demo/x".into(),
            bytes_done: records_done * 10,
            bytes_total: Some(10_000),
            records_done,
            committing,
        }
    }

    #[test]
    fn import_progress_is_reported_every_256_records_then_committing() {
        let log = Arc::new(Log(Mutex::new(vec![])));
        let mut r = Reporter::new(Some(log.clone()), Cancel::new());
        for done in (64..=640).step_by(64) {
            r.import_progress(&imported(done, false));
        }
        r.import_progress(&imported(640, true));
        r.finished();
        let seen = log.0.lock().unwrap().clone();
        let stages: Vec<_> = seen.iter().map(|p| (p.stage, p.records_done)).collect();
        assert_eq!(
            stages,
            vec![
                (ProgressStage::Importing, 256),
                (ProgressStage::Importing, 512),
                (ProgressStage::Committing, 640),
                (ProgressStage::Finished, 0),
            ]
        );
        assert_eq!(
            (seen[0].dataset.as_deref(), seen[0].bytes_done, seen[0].bytes_total),
            (Some("demo/x"), 2560, Some(10_000))
        );
    }

    #[test]
    fn a_throwing_import_listener_cancels_the_import() {
        let cancel = Cancel::new();
        let mut r = Reporter::new(Some(Arc::new(Throws)), cancel.clone());
        r.import_progress(&imported(256, false));
        assert!(cancel.is_cancelled());
        assert!(r.failure().is_some_and(|f| f.contains("IllegalStateException")));
    }

    fn step(phase: SyncPhase, dataset: Option<&str>, bytes: (u64, u64), records: (u64, u64)) -> SyncProgress {
        SyncProgress {
            dataset: dataset.map(str::to_string),
            phase,
            bytes_done: bytes.0,
            bytes_total: bytes.1,
            records_done: records.0,
            records_total: records.1,
        }
    }

    #[test]
    fn sync_progress_is_mapped_and_throttled_within_a_stage() {
        let log = Arc::new(Log(Mutex::new(vec![])));
        let mut r = Reporter::new(Some(log.clone()), Cancel::new());
        r.sync_progress(&step(SyncPhase::Metadata, None, (0, 0), (0, 0)));
        for done in [64, 128, 192] {
            r.sync_progress(&step(SyncPhase::Download, Some("directory/mx"), (done, 256), (0, 0)));
        }
        r.sync_progress(&step(SyncPhase::Download, Some("directory/mx"), (256, 256), (0, 0)));
        r.sync_progress(&step(SyncPhase::Apply, Some("directory/mx"), (256, 256), (512, 900)));
        r.finished();
        let seen = log.0.lock().unwrap().clone();
        let stages: Vec<_> = seen.iter().map(|p| (p.stage, p.bytes_done, p.records_done)).collect();
        // The 128 and 192 reports fall within the interval of the first download report.
        assert_eq!(
            stages,
            vec![
                (ProgressStage::CheckingMetadata, 0, 0),
                (ProgressStage::Downloading, 64, 0),
                (ProgressStage::Downloading, 256, 0),
                (ProgressStage::Applying, 256, 512),
                (ProgressStage::Finished, 0, 0),
            ]
        );
        assert_eq!(seen[1].dataset.as_deref(), Some("directory/mx"));
        assert_eq!((seen[1].bytes_total, seen[1].records_total), (Some(256), None));
        assert_eq!(seen[3].records_total, Some(900));
        assert_eq!(seen[0].bytes_total, None);
    }

    #[test]
    fn a_throwing_sync_listener_cancels_and_reports_internal() {
        let cancel = Cancel::new();
        let mut r = Reporter::new(Some(Arc::new(Throws)), cancel.clone());
        r.sync_progress(&step(SyncPhase::Metadata, None, (0, 0), (0, 0)));
        assert!(cancel.is_cancelled());
        match r.result::<()>(Err(faro_core::Error::Cancelled), "the sync") {
            Err(FaroError::Internal { reason }) => assert!(reason.contains("IllegalStateException"), "{reason}"),
            other => panic!("{other:?}"),
        }
        // Without a failure the core's result passes through, mapped.
        let quiet = Reporter::new(None, Cancel::new());
        assert!(matches!(quiet.result::<()>(Err(faro_core::Error::Cancelled), "x"), Err(FaroError::Cancelled { .. })));
        assert_eq!(quiet.result(Ok(3), "x"), Ok(3));
    }
}
