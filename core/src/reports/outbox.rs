//! The outbox: reports sealed at queue time and kept in the directory database
//! (`report_outbox`, schema step 11) until the receiver has them.
//!
//! Each change is one statement in its own transaction, so a report is queued whole or not
//! at all, and a killed process leaves every row in a state the next run understands (a row
//! left `sending` is sent again: the receiver stores it once per idempotency key). A sent or
//! cancelled report keeps no ciphertext; [`forget_reports`] removes finished rows entirely.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::envelope::{new_idempotency_key, seal};
use super::{build_report, ListingRef, ReportDraft, ReportError};
use crate::error::Result;
use crate::lang::LangPrefs;
use crate::store::Store;
use crate::sync::receiver;

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Waiting for a connection (or for its next try).
    Queued,
    /// A send was under way (or was interrupted; the next send tries again).
    Sending,
    /// The receiver has it; the ciphertext was deleted.
    Sent,
    /// The receiver refused it for good (the answer is in `last_error`).
    Refused,
    /// The person cancelled it before it was sent; the ciphertext was deleted.
    Cancelled,
}

impl ReportStatus {
    /// `queued`, `sending`, `sent`, `refused`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Queued => "queued",
            ReportStatus::Sending => "sending",
            ReportStatus::Sent => "sent",
            ReportStatus::Refused => "refused",
            ReportStatus::Cancelled => "cancelled",
        }
    }

    fn parse(word: &str) -> ReportStatus {
        match word {
            "sending" => ReportStatus::Sending,
            "sent" => ReportStatus::Sent,
            "refused" => ReportStatus::Refused,
            "cancelled" => ReportStatus::Cancelled,
            _ => ReportStatus::Queued,
        }
    }
}

/// One row of the status list. Nothing of what the person wrote is here: only the kind,
/// the listing id they attached, and the sending state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    /// The report's number on this phone.
    pub id: i64,
    /// `correction`, `new_place`, ...
    pub kind: String,
    /// `closed`, `mistreatment`, ... (corrections and complaints).
    pub sub_kind: Option<String>,
    /// The attached listing's id.
    pub listing: Option<String>,
    /// When it was written (this phone's clock; never sent).
    pub created: DateTime<Utc>,
    /// Where it stands.
    pub status: ReportStatus,
    /// Sends tried.
    pub attempts: u32,
    /// Not sent again before this time (after a failed try).
    pub next_try: Option<DateTime<Utc>>,
    /// Why the last try failed or was refused.
    pub last_error: Option<String>,
    /// When the receiver confirmed it.
    pub sent: Option<DateTime<Utc>>,
    /// The key the receiver stores it under (random, one per report).
    pub idempotency_key: String,
    /// Bytes of sealed report still held (0 once sent or cancelled).
    pub sealed_bytes: u64,
}

const COLUMNS: &str = "id, kind, sub_kind, listing, created, status, attempts, next_try, last_error, sent, \
                       idempotency_key, length(envelope)";

fn time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| t.parse().ok())
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn entry(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: row.get(0)?,
        kind: row.get(1)?,
        sub_kind: row.get(2)?,
        listing: row.get(3)?,
        created: time(row.get(4)?).unwrap_or_default(),
        status: ReportStatus::parse(&row.get::<_, String>(5)?),
        attempts: row.get(6)?,
        next_try: time(row.get(7)?),
        last_error: row.get(8)?,
        sent: time(row.get(9)?),
        idempotency_key: row.get(10)?,
        sealed_bytes: row.get::<_, Option<i64>>(11)?.unwrap_or(0) as u64,
    })
}

pub(crate) fn get(conn: &rusqlite::Connection, id: i64) -> Result<OutboxEntry> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM report_outbox WHERE id = ?1"), [id], entry)
        .optional()?
        .ok_or_else(|| ReportError::NotFound(id).into())
}

/// Seals `draft` to the receiver the last verified sync named and queues it, written at
/// `now` (the device clock; the report itself carries only the day). Refuses with
/// [`ReportError::NoReceiver`] before any sync. An attached listing gets its dataset and the
/// version held; a suspected scam's contact gets check-contact's verdict.
pub fn queue_report(store: &Store, draft: &ReportDraft, now: DateTime<Utc>) -> Result<OutboxEntry> {
    let receiver = store.read(receiver::load)?.ok_or(ReportError::NoReceiver)?;
    let listing = match draft.listing.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(id) => Some(store.read(|c| listing_ref(c, id))?),
    };
    let verdict = match (&draft.kind, draft.contact.as_deref().map(str::trim).filter(|c| !c.is_empty())) {
        (super::ReportKind::SuspectedScam, Some(contact)) => {
            let at = store.trusted_time(now)?.now;
            let check = store.check_contact(contact, None, at, &LangPrefs::default())?;
            serde_json::to_value(&check.verdict).ok().and_then(|v| v.as_str().map(String::from))
        }
        _ => None,
    };
    let report = build_report(draft, listing, verdict, now)?;
    let key = new_idempotency_key()?;
    let sealed = seal(&report, &receiver, &key)?;
    if sealed.len() as u64 > receiver.max_bytes {
        return Err(ReportError::TooLarge { bytes: sealed.len() as u64, max: receiver.max_bytes }.into());
    }
    store.write(|c| {
        c.execute(
            "INSERT INTO report_outbox (idempotency_key, kind, sub_kind, listing, created, status, key_id, envelope)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7)",
            params![
                key,
                report.kind.as_str(),
                report.sub_kind.map(|s| s.as_str()),
                report.listing.as_ref().map(|l| l.id.as_str()),
                rfc3339(now),
                receiver.key_id,
                sealed,
            ],
        )?;
        get(c, c.last_insert_rowid())
    })
}

fn listing_ref(conn: &rusqlite::Connection, id: &str) -> Result<ListingRef> {
    let dataset: Option<String> =
        conn.query_row("SELECT dataset FROM listings WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    let version = match &dataset {
        Some(d) => crate::sync::apply::local_version(conn, d)?,
        None => None,
    };
    Ok(ListingRef { id: id.into(), dataset, version })
}

/// Every report in the outbox, newest first.
pub fn reports(store: &Store) -> Result<Vec<OutboxEntry>> {
    store.read(|c| {
        let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM report_outbox ORDER BY id DESC"))?;
        let rows = stmt.query_map([], entry)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })
}

/// Cancels a queued report: it will never be sent, and its ciphertext is deleted. A report
/// being sent, sent, refused or cancelled cannot be.
pub fn cancel_report(store: &Store, id: i64) -> Result<OutboxEntry> {
    store.write(|c| {
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row = get(&tx, id)?;
        if row.status != ReportStatus::Queued {
            return Err(ReportError::NotCancellable { id, status: row.status.as_str().into() }.into());
        }
        tx.execute(
            "UPDATE report_outbox SET status = 'cancelled', envelope = NULL, next_try = NULL WHERE id = ?1",
            [id],
        )?;
        let row = get(&tx, id)?;
        tx.commit()?;
        Ok(row)
    })
}

/// Removes finished reports (sent, refused, cancelled) from the outbox; returns how many.
/// Reports still waiting stay (cancel them first).
pub fn forget_reports(store: &Store) -> Result<u64> {
    store.write(|c| {
        Ok(c.execute("DELETE FROM report_outbox WHERE status IN ('sent', 'refused', 'cancelled')", [])? as u64)
    })
}

/// Erases the whole outbox, waiting reports included, for "forget my personal data": their
/// sealed copies, kinds, listing ids and dates. Deleted with SQLite's `secure_delete` on (the
/// freed pages are zeroed) and the write-ahead log folded and truncated afterwards, so the
/// rows do not linger in either file. Returns how many rows went.
pub fn erase_outbox(store: &Store) -> Result<u64> {
    let erased = store.write(|c| {
        c.pragma_update(None, "secure_delete", true)?;
        let erased = c.execute("DELETE FROM report_outbox", []);
        c.pragma_update(None, "secure_delete", false)?;
        Ok(erased? as u64)
    })?;
    store.checkpoint()?;
    Ok(erased)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::{PlaceAttachment, ReportKind};
    use crate::sync::receiver::{ReceiverEntry, DEFAULT_MAX_BYTES};

    fn draft(text: &str) -> ReportDraft {
        ReportDraft {
            kind: ReportKind::NewPlace,
            sub_kind: None,
            text: text.into(),
            listing: Some("demo:nowhere".into()),
            contact: None,
            place: Some(PlaceAttachment { lat: 14.634_915, lon: -90.506_882, precise: false }),
        }
    }

    fn with_receiver(store: &Store, max_bytes: u64) {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::reports::envelope::generate_keys(dir.path()).unwrap();
        let public = crate::reports::envelope::read_public_key(&files.public).unwrap();
        let entry = ReceiverEntry {
            url: "https://reports.example/in".into(),
            key: public.key,
            key_id: public.key_id,
            max_bytes,
        };
        store.write(|c| receiver::save(c, Some(&entry))).unwrap();
    }

    #[test]
    fn queued_reports_are_ciphertext_in_the_file_and_cancel_and_forget_remove_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("phone.db");
        let store = Store::open(&path).unwrap();
        let now: DateTime<Utc> = "2026-12-07T10:00:00Z".parse().unwrap();
        let e = queue_report(&store, &draft("Demo marker text QX7"), now).unwrap_err();
        assert!(matches!(e, crate::Error::Report(ReportError::NoReceiver)), "{e}");
        assert!(reports(&store).unwrap().is_empty(), "nothing queued without a receiver");

        with_receiver(&store, DEFAULT_MAX_BYTES);
        let a = queue_report(&store, &draft("Demo marker text QX7"), now).unwrap();
        let b = queue_report(&store, &draft("Demo second marker"), now).unwrap();
        assert_eq!(
            (a.status, a.listing.as_deref(), a.kind.as_str()),
            (ReportStatus::Queued, Some("demo:nowhere"), "new_place")
        );
        assert!(a.sealed_bytes > 0);
        assert_ne!(a.idempotency_key, b.idempotency_key);
        store.checkpoint().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!find(b"QX7") && !find(b"14.63") && !find(b"Demo marker"), "the text and place are sealed");
        assert!(find(b"demo:nowhere"), "the listing id is kept for the status list");

        let cancelled = cancel_report(&store, a.id).unwrap();
        assert_eq!((cancelled.status, cancelled.sealed_bytes), (ReportStatus::Cancelled, 0));
        assert!(matches!(cancel_report(&store, a.id), Err(crate::Error::Report(ReportError::NotCancellable { .. }))));
        assert!(matches!(cancel_report(&store, 99), Err(crate::Error::Report(ReportError::NotFound(99)))));
        assert_eq!(forget_reports(&store).unwrap(), 1);
        let left = reports(&store).unwrap();
        assert_eq!(left.iter().map(|r| r.id).collect::<Vec<_>>(), [b.id], "a queued report is not forgotten");
    }

    #[test]
    fn a_report_larger_than_the_receiver_takes_is_refused_before_queueing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("phone.db")).unwrap();
        with_receiver(&store, 1024);
        let e = queue_report(&store, &draft(&"long words ".repeat(300)), Utc::now()).unwrap_err();
        assert!(e.to_string().contains("more than the 1024"), "{e}");
        assert!(reports(&store).unwrap().is_empty());
    }

    #[test]
    fn forgetting_personal_data_erases_waiting_reports_from_the_file_and_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("phone.db");
        let store = Store::open(&path).unwrap();
        with_receiver(&store, DEFAULT_MAX_BYTES);
        let mut d = draft("Demo marker text QX7");
        d.listing = Some("demo:shelter-ZK41".into());
        let now: DateTime<Utc> = "2026-12-07T10:00:00Z".parse().unwrap();
        let queued = queue_report(&store, &d, now).unwrap();
        store.checkpoint().unwrap();
        let files = || {
            ["", "-wal"]
                .iter()
                .flat_map(|s| std::fs::read(format!("{}{s}", path.display())).unwrap_or_default())
                .collect::<Vec<u8>>()
        };
        let find = |bytes: &[u8], needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        let before = files();
        assert!(find(&before, b"demo:shelter-ZK41") && find(&before, queued.idempotency_key.as_bytes()));

        let mut erasers = crate::personal::directory_erasers(&store);
        assert_eq!(erasers.iter().map(|e| e.what()).collect::<Vec<_>>(), ["report outbox"]);
        for e in erasers.iter_mut() {
            e.erase().unwrap();
        }
        assert!(reports(&store).unwrap().is_empty(), "waiting reports go too");
        let after = files();
        assert!(!find(&after, b"demo:shelter-ZK41"), "the listing id is not left in a free page or the log");
        assert!(!find(&after, queued.idempotency_key.as_bytes()));
    }
}
