//! The one public error type, [`FaroError`], and the single place where the core's detailed
//! errors become it. Also [`guard`], which keeps panics from crossing the FFI.
//!
//! Each variant is something a caller can act on (retry later, tell the person the data could
//! not be verified, fix the file, ...). `reason` is for logs and support, in English, and never
//! carries personal data: the core's messages name files, lines and fields, never search text
//! or locations.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Errors a Kotlin or Swift caller can act on. Every variant carries a human-readable
/// `reason` without personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum FaroError {
    /// The network failed or a server answered wrongly; try again when connected. (Sync.)
    #[error("network: {reason}")]
    Network {
        /// What failed.
        reason: String,
    },
    /// Downloaded data or a bundle failed signature or hash checks and was not applied.
    /// The last good data is kept. (Sync and bundles.)
    #[error("not verified: {reason}")]
    NotVerified {
        /// Which check failed.
        reason: String,
    },
    /// An argument or an input file was rejected: the reason names the file, line, record and
    /// field. Nothing was written. Never used for damaged data (`Damaged`), a bundle that does
    /// not verify (`NotVerified`) or a defect (`Internal`).
    #[error("bad input: {reason}")]
    BadInput {
        /// What was wrong, and where.
        reason: String,
    },
    /// The database could not be read or written (written by a newer Faro, not yet upgraded,
    /// disk full, a file that cannot be opened). The file was left as it was.
    #[error("storage: {reason}")]
    Storage {
        /// What failed.
        reason: String,
    },
    /// The database, or a record stored in it, is damaged (a disk fault, an edit by hand).
    /// Nothing was changed; offer to sync again into a new database, or restore a backup.
    #[error("damaged: {reason}")]
    Damaged {
        /// What is damaged, and where (a table and a record id, never personal data).
        reason: String,
    },
    /// Nothing has the id asked for.
    #[error("not found: {reason}")]
    NotFound {
        /// What was looked for.
        reason: String,
    },
    /// The work was cancelled through its [`crate::CancelHandle`]; nothing was written.
    #[error("cancelled: {reason}")]
    Cancelled {
        /// What was cancelled.
        reason: String,
    },
    /// The store was closed with `close()`; open a new one.
    #[error("closed: {reason}")]
    Closed {
        /// What was called.
        reason: String,
    },
    /// Another sync or bundle import is running on this database; nothing was done. Try
    /// again when it has finished. (Sync and bundles.)
    #[error("busy: {reason}")]
    Busy {
        /// What is running.
        reason: String,
    },
    /// The personal data (saved places, notes) is locked: call `unlock_personal_data` with the
    /// app's key first. Nothing was read or written.
    #[error("locked: {reason}")]
    Locked {
        /// What was called.
        reason: String,
    },
    /// The key given does not open the personal data (another key made it, or the app's key
    /// was replaced). Nothing was changed: use the right key, or erase the data with
    /// `forget_personal_data`.
    #[error("wrong key: {reason}")]
    WrongKey {
        /// Which file.
        reason: String,
    },
    /// No verified sync has named the publisher's report receiver yet, so a report cannot be
    /// sealed or sent: sync with the publisher's repository first. Nothing was queued or
    /// sent. (Reports.)
    #[error("no receiver: {reason}")]
    NoReceiver {
        /// What to do.
        reason: String,
    },
    /// A defect in Faro (a panic caught at the boundary) or in a callback. Please report it.
    #[error("internal: {reason}")]
    Internal {
        /// What happened.
        reason: String,
    },
}

impl FaroError {
    /// A [`FaroError::BadInput`] with `reason`.
    pub(crate) fn bad_input(reason: impl Into<String>) -> FaroError {
        FaroError::BadInput { reason: reason.into() }
    }

    /// The same variant with its reason rewritten by `f`.
    pub(crate) fn map_reason(self, f: impl FnOnce(&str) -> String) -> FaroError {
        use FaroError as E;
        match self {
            E::Network { reason } => E::Network { reason: f(&reason) },
            E::NotVerified { reason } => E::NotVerified { reason: f(&reason) },
            E::BadInput { reason } => E::BadInput { reason: f(&reason) },
            E::Storage { reason } => E::Storage { reason: f(&reason) },
            E::Damaged { reason } => E::Damaged { reason: f(&reason) },
            E::NotFound { reason } => E::NotFound { reason: f(&reason) },
            E::Cancelled { reason } => E::Cancelled { reason: f(&reason) },
            E::Closed { reason } => E::Closed { reason: f(&reason) },
            E::Busy { reason } => E::Busy { reason: f(&reason) },
            E::Locked { reason } => E::Locked { reason: f(&reason) },
            E::WrongKey { reason } => E::WrongKey { reason: f(&reason) },
            E::NoReceiver { reason } => E::NoReceiver { reason: f(&reason) },
            E::Internal { reason } => E::Internal { reason: f(&reason) },
        }
    }
}

impl From<faro_core::Error> for FaroError {
    fn from(e: faro_core::Error) -> Self {
        use faro_core::Error as E;
        let reason = e.to_string();
        if e.is_damage() {
            return FaroError::Damaged { reason };
        }
        match e {
            // Publisher keys are never asked for through the FFI (apps do not publish); if one
            // were, it would be an argument the caller gave.
            E::Input(_) | E::InputMany(_) | E::BadQuery(_) | E::Keys(_) | E::DatasetOrigin { .. } => {
                FaroError::BadInput { reason }
            }
            E::Corrupt { .. } | E::Damaged { .. } => FaroError::Damaged { reason },
            E::SchemaTooNew { .. } | E::SchemaOutdated { .. } | E::Io { .. } | E::Sqlite(_) => {
                FaroError::Storage { reason }
            }
            E::BundleNotVerified { .. } => FaroError::NotVerified { reason },
            E::Personal(p) => crate::personal::from_personal(p),
            E::Internal(_) => FaroError::Internal { reason },
            E::NotFound(_) => FaroError::NotFound { reason },
            // The network layer reports a cancel as its own error; the caller asked for it.
            E::Net(faro_core::net::NetError::Cancelled) => FaroError::Cancelled { reason },
            E::Net(_) => FaroError::Network { reason },
            // Signatures, hashes, versions, expiry, a state hash that does not match, damaged
            // compressed data: the data could not be verified, the store kept what it had.
            E::Sync(faro_core::sync::SyncError::AlreadyRunning) => FaroError::Busy { reason },
            E::Tuf(_) | E::Sync(_) | E::Compress(_) => FaroError::NotVerified { reason },
            E::Cancelled => FaroError::Cancelled { reason },
            // Reports (issue 11): no receiver is the caller's cue to sync; an unknown id is
            // NotFound; the rest (a bad draft, too large, not cancellable) refuse what the
            // caller gave. Key files and envelopes are the publisher's side, not the phone's.
            E::Report(faro_core::reports::ReportError::NoReceiver) => FaroError::NoReceiver { reason },
            E::Report(faro_core::reports::ReportError::NotFound(_)) => FaroError::NotFound { reason },
            E::Report(_) => FaroError::BadInput { reason },
        }
    }
}

/// Runs `f`, turning a panic into [`FaroError::Internal`] so that none crosses the FFI.
///
/// UniFFI would catch it too, but as an untyped exception the caller cannot match on; here it
/// becomes the same error type as every other failure. The panic message is kept (Faro's own
/// panic messages carry no personal data).
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, FaroError>) -> Result<T, FaroError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(FaroError::Internal { reason: format!("unexpected failure inside Faro: {}", panic_message(&*payload)) })
    })
}

/// The text of a panic payload (`panic!("...")` gives `&str` or `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faro_core::InputError;

    #[test]
    fn a_panic_becomes_internal() {
        let out: Result<(), FaroError> = guard(|| panic!("index out of bounds in test"));
        match out {
            Err(FaroError::Internal { reason }) => assert!(reason.contains("index out of bounds in test"), "{reason}"),
            other => panic!("expected Internal, got {other:?}"),
        }
        let formatted: Result<(), FaroError> = guard(|| panic!("{} listings", 3));
        assert!(matches!(formatted, Err(FaroError::Internal { reason }) if reason.contains("3 listings")));
    }

    #[test]
    fn guard_passes_results_through() {
        assert_eq!(guard(|| Ok(7)), Ok(7));
        assert_eq!(guard::<()>(|| Err(FaroError::bad_input("x"))), Err(FaroError::BadInput { reason: "x".into() }));
    }

    #[test]
    fn core_errors_map_to_actionable_variants() {
        let input = faro_core::Error::Input(InputError::new("a.jsonl", "not E.164").at_line(3).field("phones[0]"));
        match FaroError::from(input) {
            FaroError::BadInput { reason } => assert_eq!(reason, "a.jsonl:3: field phones[0]: not E.164"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(FaroError::from(faro_core::Error::BadQuery("limit".into())), FaroError::BadInput { .. }));
        assert!(matches!(FaroError::from(faro_core::Error::NotFound("demo:x".into())), FaroError::NotFound { .. }));
        let too_new = faro_core::Error::SchemaTooNew { path: "x.db".into(), found: 99, supported: 3 };
        assert!(matches!(FaroError::from(too_new), FaroError::Storage { .. }));
    }

    #[test]
    fn damage_tampering_and_defects_are_never_bad_input() {
        use faro_core::Error as E;
        let damaged = E::Damaged { what: "stored listing record demo:x".into(), detail: "EOF".into() };
        assert!(matches!(FaroError::from(damaged), FaroError::Damaged { reason } if reason.contains("demo:x")));
        let corrupt = E::Corrupt { path: "x.db".into(), detail: "file is not a database".into() };
        assert!(matches!(FaroError::from(corrupt), FaroError::Damaged { .. }));
        // A real damaged file, as the store reports it when opened.
        assert!(matches!(FaroError::from(opening_a_malformed_database()), FaroError::Damaged { .. }));
        let bundle = E::BundleNotVerified { file: "a.bundle".into(), reason: "entry 0 is a Symlink".into() };
        assert!(matches!(FaroError::from(bundle), FaroError::NotVerified { .. }));
        let defect = E::Internal("records did not come out in id order".into());
        assert!(matches!(FaroError::from(defect), FaroError::Internal { .. }));
    }

    /// The error of opening a file with SQLite's header and garbage after it.
    fn opening_a_malformed_database() -> faro_core::Error {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        std::fs::write(&path, [b"SQLite format 3\0".as_slice(), &[0xff; 4096]].concat()).unwrap();
        match faro_core::Store::open(&path) {
            Err(e) => e,
            Ok(_) => panic!("a malformed file opened"),
        }
    }
}
