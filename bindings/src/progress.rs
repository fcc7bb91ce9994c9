//! Long work seen from the app: a [`ProgressListener`] the app implements (Kotlin or Swift),
//! a [`CancelHandle`] it can trip from any thread, [`Watched`], which wraps a stream of
//! records to report an import's progress and stop it on cancellation, and [`Reporter`],
//! which turns the core's sync and bundle progress into [`ProgressReport`]s.
//!
//! A `CancelHandle` wraps the core's [`Cancel`]: a sync or a bundle import checks it between
//! chunks and records and rolls back the dataset in progress. For an import, `Watched` ends
//! the record stream with a rejection and the core's all-or-nothing write rolls it back.

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use faro_core::import::RecordResult;
use faro_core::net::Cancel;
use faro_core::sync::{SyncPhase, SyncProgress};
use faro_core::InputError;

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

/// Reports every this many records.
const REPORT_EVERY: u64 = 256;

/// A reader that counts the bytes read through it, for progress.
pub(crate) struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> CountingReader<R> {
    /// Wraps `inner`; the count is shared with the returned counter.
    pub(crate) fn new(inner: R) -> (CountingReader<R>, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        (CountingReader { inner, count: count.clone() }, count)
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Why a watched stream stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The handle was cancelled.
    Cancelled,
    /// The listener failed (threw or panicked); the message says how.
    ListenerFailed(String),
}

/// A record stream that reports progress and ends early on cancellation or listener failure.
pub(crate) struct Watched<I> {
    inner: I,
    file: String,
    dataset: Option<String>,
    bytes: Arc<AtomicU64>,
    bytes_total: Option<u64>,
    records: u64,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
    stop: Option<Stop>,
    finished: bool,
}

impl<I: Iterator<Item = RecordResult>> Watched<I> {
    /// Watches `inner`, read from `file` whose bytes are counted by `bytes`.
    pub(crate) fn new(
        inner: I,
        file: &str,
        bytes: Arc<AtomicU64>,
        bytes_total: Option<u64>,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Watched<I> {
        Watched {
            inner,
            file: file.to_string(),
            dataset: None,
            bytes,
            bytes_total,
            records: 0,
            listener,
            cancel,
            stop: None,
            finished: false,
        }
    }

    /// Names the dataset the records go to, for the reports.
    pub(crate) fn for_dataset(mut self, dataset: &str) -> Watched<I> {
        self.dataset = Some(dataset.to_string());
        self
    }

    /// Why the stream stopped early, if it did.
    pub(crate) fn stopped(&self) -> Option<&Stop> {
        self.stop.as_ref()
    }

    /// Sends one report; a listener that throws stops the stream.
    pub(crate) fn report(&mut self, stage: ProgressStage) -> Result<(), FaroError> {
        let Some(listener) = &self.listener else { return Ok(()) };
        let progress = ProgressReport {
            stage,
            dataset: self.dataset.clone(),
            bytes_done: self.bytes.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            records_done: self.records,
            records_total: None,
        };
        // A Kotlin or Swift exception in the listener arrives here as a panic. Caught here, it
        // ends the stream cleanly (the write rolls back) instead of unwinding through the
        // core's writer lock.
        catch_unwind(AssertUnwindSafe(|| listener.on_progress(progress))).map_err(|payload| {
            let reason = format!("the progress listener failed: {}", panic_message(&*payload));
            self.stop = Some(Stop::ListenerFailed(reason.clone()));
            FaroError::Internal { reason }
        })
    }

    fn halt(&mut self, stop: Stop) -> Option<RecordResult> {
        self.stop = Some(stop);
        // The rejection makes the core roll back everything written so far.
        Some(Err(InputError::new(&self.file, "import stopped before the end of the file")))
    }
}

impl<I: Iterator<Item = RecordResult>> Iterator for Watched<I> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        if self.stop.is_some() || self.finished {
            return None;
        }
        if self.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            return self.halt(Stop::Cancelled);
        }
        match self.inner.next() {
            None => {
                self.finished = true;
                if self.report(ProgressStage::Committing).is_err() {
                    return self.halt(self.stop.clone().unwrap_or(Stop::Cancelled));
                }
                None
            }
            Some(record) => {
                self.records += 1;
                if self.records.is_multiple_of(REPORT_EVERY) && self.report(ProgressStage::Importing).is_err() {
                    return self.halt(self.stop.clone().unwrap_or(Stop::Cancelled));
                }
                Some(record)
            }
        }
    }
}

impl Stop {
    /// The error the call returns.
    pub(crate) fn into_error(self, what: &str) -> FaroError {
        match self {
            Stop::Cancelled => FaroError::Cancelled { reason: format!("{what} was cancelled; nothing was written") },
            Stop::ListenerFailed(reason) => FaroError::Internal { reason: format!("{reason}; nothing was written") },
        }
    }
}

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
}

impl Reporter {
    /// Reports to `listener`; a failing listener cancels `cancel`.
    pub(crate) fn new(listener: Option<Arc<dyn ProgressListener>>, cancel: Cancel) -> Reporter {
        Reporter { listener, cancel, last: None, failure: None }
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

    fn records(n: u64) -> impl Iterator<Item = RecordResult> {
        (0..n).map(|i| Err(InputError::new("f", "placeholder").at_line(i + 2)))
    }

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

    #[test]
    fn reports_progress_then_committing() {
        let log = Arc::new(Log(Mutex::new(vec![])));
        let bytes = Arc::new(AtomicU64::new(0));
        let mut w = Watched::new(records(600), "f", bytes, Some(1000), Some(log.clone()), None);
        assert_eq!(w.by_ref().count(), 600);
        let seen = log.0.lock().unwrap().clone();
        let stages: Vec<_> = seen.iter().map(|p| (p.stage, p.records_done)).collect();
        assert_eq!(
            stages,
            vec![(ProgressStage::Importing, 256), (ProgressStage::Importing, 512), (ProgressStage::Committing, 600)]
        );
        assert!(w.stopped().is_none());
    }

    #[test]
    fn cancellation_ends_the_stream_with_a_rejection() {
        let cancel = CancelHandle::new();
        let mut w = Watched::new(records(10), "f", Arc::new(AtomicU64::new(0)), None, None, Some(cancel.clone()));
        assert!(w.next().is_some());
        cancel.cancel();
        cancel.cancel();
        let last = w.next().unwrap().unwrap_err();
        assert!(last.reason.contains("stopped"), "{last}");
        assert!(w.next().is_none());
        assert_eq!(w.stopped(), Some(&Stop::Cancelled));
        assert!(matches!(Stop::Cancelled.into_error("import"), FaroError::Cancelled { .. }));
    }

    #[test]
    fn a_throwing_listener_stops_the_stream() {
        let mut w = Watched::new(records(1000), "f", Arc::new(AtomicU64::new(0)), None, Some(Arc::new(Throws)), None);
        let n = w.by_ref().count();
        assert_eq!(n, 256, "255 records then the rejection");
        match w.stopped() {
            Some(Stop::ListenerFailed(reason)) => assert!(reason.contains("IllegalStateException"), "{reason}"),
            other => panic!("{other:?}"),
        }
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

    #[test]
    fn counting_reader_counts() {
        let (mut r, count) = CountingReader::new(&b"hello world"[..]);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 11);
    }
}
