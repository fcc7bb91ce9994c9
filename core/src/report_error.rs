//! Why a report could not be queued, sent, received or read ([`ReportError`]). Kept apart
//! from `reports` so that the core's [`Error`](crate::error::Error) can wrap it without
//! naming the reports layer (one-way layers, issue 13), as `sync_error` does for sync.
//! Reached as `faro_core::reports::ReportError`. Messages never quote what a person wrote.

/// Why a report could not be queued, sent, received or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// No verified sync or bundle has named the publisher's report receiver yet, so there is
    /// no key to seal to and no address to send to. Nothing was queued.
    #[error("no report receiver is known yet: sync with the publisher's repository first (its signed metadata names where reports go), then report again; nothing was queued")]
    NoReceiver,
    /// The report itself is not acceptable (a field is missing, too long or out of range).
    /// Nothing was queued.
    #[error("report field {field}: {reason}; nothing was queued")]
    BadReport {
        /// The field (`text`, `sub_kind`, `place`, ...).
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The sealed report is larger than the receiver takes. Nothing was queued.
    #[error("the sealed report has {bytes} bytes, more than the {max} the receiver takes; shorten the text; nothing was queued")]
    TooLarge {
        /// Size of the envelope.
        bytes: u64,
        /// The receiver's limit.
        max: u64,
    },
    /// No report in the outbox has that id.
    #[error("no report with id {0} in the outbox")]
    NotFound(i64),
    /// The report can no longer be cancelled (it was sent, refused or cancelled already).
    #[error("report {id} is {status}: only a queued report can be cancelled")]
    NotCancellable {
        /// The report.
        id: i64,
        /// Its status.
        status: String,
    },
    /// A receiver key file cannot be used.
    #[error("{path}: {reason}")]
    BadKeyFile {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An envelope is not a Faro report envelope (bad JSON, bad field, wrong version).
    #[error("not a Faro report envelope: {0}")]
    BadEnvelope(String),
    /// An envelope is sealed to a key whose private half is not in the key directory.
    #[error("the report is sealed to key {key_id}, which is not in the key directory")]
    UnknownKey {
        /// The envelope's key id.
        key_id: String,
    },
    /// The envelope does not open with the private key of its key id: it was damaged,
    /// changed, or sealed to another key under the same id.
    #[error("the report does not decrypt with key {key_id}: damaged, changed, or sealed to another key")]
    CannotOpen {
        /// The envelope's key id.
        key_id: String,
    },
}
