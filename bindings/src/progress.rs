//! Long work seen from the app: a [`ProgressListener`] the app implements (Kotlin or Swift),
//! a [`CancelHandle`] it can trip from any thread, and [`Watched`], which wraps a stream of
//! records to report progress and stop on cancellation.
//!
//! Cancelling does not reach into the core: `Watched` ends the record stream with a rejection,
//! and the core's all-or-nothing write rolls the whole batch back. Sync will report through the
//! same listener with more stages.

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use faro_core::import::RecordResult;
use faro_core::InputError;

use crate::error::{panic_message, FaroError};

/// Where long work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ProgressStage {
    /// Reading, checking and writing records; `bytes_done` of `bytes_total` read.
    Importing,
    /// Every record is written; committing them in one transaction.
    Committing,
    /// Done; the data is in place.
    Finished,
}

/// A progress report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProgressReport {
    /// Stage of the work.
    pub stage: ProgressStage,
    /// Bytes read so far.
    pub bytes_done: u64,
    /// Bytes in all, when known.
    pub bytes_total: Option<u64>,
    /// Records handled so far.
    pub records_done: u64,
}

/// Receives progress reports, on the thread doing the work. Keep it quick (post to the UI
/// thread); an exception thrown here aborts the work with `FaroError.Internal`.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// Called a few times a second at most during long work, and once at the end.
    fn on_progress(&self, progress: ProgressReport);
}

/// Cancels long work (an import now; sync later) from any thread. Create one, pass it to the
/// call, and call [`CancelHandle::cancel`] from elsewhere: the call then fails with
/// `FaroError.Cancelled` and leaves the data as it was before the call.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    cancelled: AtomicBool,
}

#[uniffi::export]
impl CancelHandle {
    /// A handle not yet cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<CancelHandle> {
        Arc::new(CancelHandle::default())
    }

    /// Asks the work to stop; it stops at the next record. Idempotent. Cancelling after the
    /// work has committed has no effect.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether [`CancelHandle::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
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
            bytes,
            bytes_total,
            records: 0,
            listener,
            cancel,
            stop: None,
            finished: false,
        }
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
            bytes_done: self.bytes.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            records_done: self.records,
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
                if self.records % REPORT_EVERY == 0 && self.report(ProgressStage::Importing).is_err() {
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

    #[test]
    fn counting_reader_counts() {
        let (mut r, count) = CountingReader::new(&b"hello world"[..]);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 11);
    }
}
