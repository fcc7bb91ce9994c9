//! Reports from the field across the FFI (issue 11): writing a report ([`FaroStore::report`]),
//! the outbox's status list, cancelling, and sending with progress and cancellation. The
//! core's enums and send records cross as they are (UniFFI remote types, ADR 0024); the draft
//! and the outbox row are FFI records with `SystemTime` for times. Sealing, queueing, the
//! retry schedule and the once-only delivery are the core's (`faro_core::reports`).
//!
//! A report is sealed when it is written, to the receiver key the last verified sync named,
//! so it cannot be written before a sync (`NoReceiver`), and nothing the phone keeps of it
//! can be read back from the outbox: the status list shows only the kind, the listing id
//! attached and where it stands.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::Utc;
use faro_core::reports::{
    self, OutboxEntry, PlaceAttachment, ReportKind, ReportStatus, SendOptions, SendOutcome, SendSummary, SubKind,
};

use crate::error::FaroError;
use crate::progress::{CancelHandle, ProgressListener, Reporter};
use crate::store::FaroStore;
use crate::sync::{net_config, time, SyncSettings};

/// What a report is about.
#[uniffi::remote(Enum)]
pub enum ReportKind {
    /// A listing is wrong: sub-kind `Closed`, `Moved`, `NewHours` or `WrongPhone`.
    Correction,
    /// A place that should be in the directory.
    NewPlace,
    /// A contact (phone, link, handle) that looks like a scam or a smuggler; the contact is
    /// required, and check-contact's verdict on it rides along.
    SuspectedScam,
    /// A service mistreated people or charged for what is free: sub-kind `Mistreatment` or
    /// `FeesForFreeService`.
    Complaint,
    /// Anything else.
    Other,
}

/// The precise kind of a correction or a complaint.
#[uniffi::remote(Enum)]
pub enum SubKind {
    /// Correction: the place closed.
    Closed,
    /// Correction: the place moved.
    Moved,
    /// Correction: the opening hours changed.
    NewHours,
    /// Correction: the phone number is wrong (or now belongs to someone else).
    WrongPhone,
    /// Complaint: people were mistreated.
    Mistreatment,
    /// Complaint: fees were charged for a service that is free.
    FeesForFreeService,
}

/// Where a report stands in the outbox.
#[uniffi::remote(Enum)]
pub enum ReportStatus {
    /// Waiting for a connection (or for its next try, `next_try`).
    Queued,
    /// A send was under way, or was interrupted; the next send tries it again (the receiver
    /// stores it once whatever happens).
    Sending,
    /// The receiver has it; the sealed copy was deleted from the phone.
    Sent,
    /// The receiver refused it for good (its answer is in `last_error`).
    Refused,
    /// Cancelled before it was sent; the sealed copy was deleted.
    Cancelled,
}

/// A place the person chose to attach to a report.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct ReportPlace {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Send it exactly as given. Off by default: the place is rounded to 2 decimals (about
    /// 1 km) before it is sealed. Set it only when the person asked for it.
    #[uniffi(default = false)]
    pub precise: bool,
}

/// What the person wrote and chose to attach. Nothing else goes into a report: no device or
/// install id, no time of day (only the day), no place unless attached.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportDraft {
    /// What the report is about.
    pub kind: ReportKind,
    /// Required for `Correction` and `Complaint` (one of their sub-kinds), refused otherwise.
    #[uniffi(default = None)]
    pub sub_kind: Option<SubKind>,
    /// What the person typed (1 to 4000 bytes).
    pub text: String,
    /// The listing the report is about; its dataset and the version held are attached.
    #[uniffi(default = None)]
    pub listing: Option<String>,
    /// A contact (phone number, link, handle); required for `SuspectedScam`.
    #[uniffi(default = None)]
    pub contact: Option<String>,
    /// A place, rounded unless marked precise.
    #[uniffi(default = None)]
    pub place: Option<ReportPlace>,
}

/// One report in the outbox. Nothing of what the person wrote is here (it is sealed to the
/// publisher and cannot be read back on the phone): only its kind, the listing id attached,
/// and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QueuedReport {
    /// The report's number on this phone (for `cancel_report`).
    pub id: i64,
    /// What it is about.
    pub kind: ReportKind,
    /// The precise kind (corrections and complaints).
    pub sub_kind: Option<SubKind>,
    /// The listing id attached, if any.
    pub listing: Option<String>,
    /// When it was written (this phone's clock; never sent).
    pub created: SystemTime,
    /// Where it stands.
    pub status: ReportStatus,
    /// Sends tried.
    pub attempts: u32,
    /// Not sent again before this time (after a failed try), unless sent with `send_now`.
    pub next_try: Option<SystemTime>,
    /// Why the last try failed or was refused.
    pub last_error: Option<String>,
    /// When the receiver confirmed it.
    pub sent: Option<SystemTime>,
    /// The random key the receiver stores it under, once however often it is sent.
    pub idempotency_key: String,
    /// Bytes of the sealed report still held (0 once sent or cancelled).
    pub sealed_bytes: u64,
}

/// What happened to one report in a send.
#[uniffi::remote(Record)]
pub struct SendOutcome {
    /// The report's number.
    pub id: i64,
    /// Its status after the try: `Sent`, `Refused`, or `Queued` (will be tried again later).
    pub status: ReportStatus,
    /// The receiver's HTTP status, when it answered.
    pub http_status: Option<u16>,
    /// Why it was not delivered.
    pub error: Option<String>,
}

/// What a send did.
#[uniffi::remote(Record)]
pub struct SendSummary {
    /// Reports delivered in this send.
    pub sent: u32,
    /// Reports the receiver refused for good in this send.
    pub refused: u32,
    /// Reports still waiting after it (those not tried included).
    pub waiting: u32,
    /// One entry per report tried, oldest first. A send stops at the first report the
    /// receiver does not take now (no connection, a server error): the rest wait for later.
    pub outcomes: Vec<SendOutcome>,
}

#[uniffi::export]
impl FaroStore {
    /// Writes a report: checks it, rounds the place unless marked precise, seals it at once
    /// to the receiver key named in the repository's signed metadata, and queues it (it
    /// survives restarts). Returns its row in the outbox.
    ///
    /// `NoReceiver` before any verified sync named a receiver (sync first); `BadInput`
    /// naming the field (`text`, `sub_kind`, `contact`, `place`) for a draft that cannot be
    /// sent, or a report larger than the receiver takes. Nothing is queued on an error.
    pub fn report(&self, draft: ReportDraft) -> Result<QueuedReport, FaroError> {
        self.with_store("report", |store| queued(reports::queue_report(store, &draft.into_core(), Utc::now())?))
    }

    /// Every report in the outbox, newest first.
    pub fn reports(&self) -> Result<Vec<QueuedReport>, FaroError> {
        self.with_store("reports", |store| reports::reports(store)?.into_iter().map(queued).collect())
    }

    /// Cancels a queued report: it is never sent and its sealed copy is deleted. Returns its
    /// row, now `Cancelled`. `NotFound` for an unknown id; `BadInput` for a report that is
    /// being sent, was sent, refused or cancelled already.
    pub fn cancel_report(&self, id: i64) -> Result<QueuedReport, FaroError> {
        self.with_store("cancel_report", |store| queued(reports::cancel_report(store, id)?))
    }

    /// Removes finished reports (sent, refused, cancelled) from the outbox; returns how many.
    /// Waiting reports stay.
    pub fn forget_reports(&self) -> Result<u64, FaroError> {
        self.with_store("forget_reports", |store| Ok(reports::forget_reports(store)?))
    }

    /// Sends the waiting reports that are due (every waiting one with `send_now`: the
    /// person asked), oldest first, to the receiver address in the signed metadata and
    /// nowhere else (no redirect is followed). Each report reaches the receiver once: one
    /// whose answer was lost is sent again and stored once.
    ///
    /// A report the receiver does not take now (offline, timeout, a server error) stays
    /// queued with a later `next_try` (backoff), and the send stops there: the summary says
    /// so, it is not an error. Progress is `SendingReports`, `records_done` of
    /// `records_total` reports. `NoReceiver` before any verified sync named a receiver;
    /// `Cancelled` through `cancel` (the report in flight stays queued).
    #[uniffi::method(default(progress = None, cancel = None, settings = None, send_now = false))]
    pub fn send_reports(
        &self,
        progress: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
        settings: Option<SyncSettings>,
        send_now: bool,
    ) -> Result<SendSummary, FaroError> {
        self.with_store("send_reports", |store| {
            let options = SendOptions { device_now: Utc::now(), net: net_config(settings)?, ignore_schedule: send_now };
            let cancel = cancel.map(|c| c.token()).unwrap_or_default();
            let mut reporter = Reporter::new(progress, cancel.clone());
            let result = reports::send_reports(store, &options, &cancel, &mut |p| reporter.send_progress(p));
            let summary = reporter.result(result, "sending the reports")?;
            reporter.finished();
            Ok(summary)
        })
    }
}

impl ReportDraft {
    fn into_core(self) -> reports::ReportDraft {
        reports::ReportDraft {
            kind: self.kind,
            sub_kind: self.sub_kind,
            text: self.text,
            listing: self.listing,
            contact: self.contact,
            place: self.place.map(|p| PlaceAttachment { lat: p.lat, lon: p.lon, precise: p.precise }),
        }
    }
}

/// An outbox row for the FFI. The core keeps kinds as words in the table; a word this build
/// does not know is a damaged row.
fn queued(e: OutboxEntry) -> Result<QueuedReport, FaroError> {
    let damaged = |what: &str| FaroError::Damaged { reason: format!("report_outbox row {}: unknown {what}", e.id) };
    let kind = ReportKind::parse(&e.kind).ok_or_else(|| damaged("kind"))?;
    let sub_kind = match &e.sub_kind {
        None => None,
        Some(word) => Some(SubKind::parse(word).ok_or_else(|| damaged("sub_kind"))?),
    };
    Ok(QueuedReport {
        id: e.id,
        kind,
        sub_kind,
        listing: e.listing,
        created: time(e.created),
        status: e.status,
        attempts: e.attempts,
        next_try: e.next_try.map(time),
        last_error: e.last_error,
        sent: e.sent.map(time),
        idempotency_key: e.idempotency_key,
        sealed_bytes: e.sealed_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: ReportKind) -> ReportDraft {
        ReportDraft {
            kind,
            sub_kind: None,
            text: "The shelter (demo) closed.".into(),
            listing: None,
            contact: None,
            place: None,
        }
    }

    #[test]
    fn before_a_sync_nothing_can_be_reported_or_sent() {
        let dir = tempfile::tempdir().unwrap();
        let store = FaroStore::open(dir.path().display().to_string()).unwrap();
        let e = store.report(draft(ReportKind::Other)).unwrap_err();
        assert!(matches!(&e, FaroError::NoReceiver { reason } if reason.contains("sync")), "{e:?}");
        let e = store.send_reports(None, None, None, false).unwrap_err();
        assert!(matches!(e, FaroError::NoReceiver { .. }), "{e:?}");
        assert!(store.reports().unwrap().is_empty());
        assert!(matches!(store.cancel_report(7), Err(FaroError::NotFound { .. })));
        assert_eq!(store.forget_reports().unwrap(), 0);
    }

    #[test]
    fn the_draft_crosses_whole() {
        let mut d = draft(ReportKind::Correction);
        d.sub_kind = Some(SubKind::WrongPhone);
        d.place = Some(ReportPlace { lat: 14.634_915, lon: -90.506_882, precise: false });
        let core = d.into_core();
        assert_eq!((core.kind, core.sub_kind), (ReportKind::Correction, Some(SubKind::WrongPhone)));
        assert_eq!(core.place, Some(PlaceAttachment { lat: 14.634_915, lon: -90.506_882, precise: false }));
    }

    #[test]
    fn an_unknown_kind_in_the_table_is_damage() {
        let row = OutboxEntry {
            id: 3,
            kind: "gossip".into(),
            sub_kind: None,
            listing: None,
            created: Utc::now(),
            status: ReportStatus::Queued,
            attempts: 0,
            next_try: None,
            last_error: None,
            sent: None,
            idempotency_key: "k".into(),
            sealed_bytes: 10,
        };
        assert!(matches!(queued(row), Err(FaroError::Damaged { reason }) if reason.contains("row 3")));
    }
}
