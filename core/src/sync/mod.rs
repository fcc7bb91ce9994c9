//! Trusted sync: datasets published as TUF targets on any static host, verified, and
//! applied to the store in one transaction each.
//!
//! The flow is one way: transport (`net`, or a bundle file) -> verify (`tuf`) -> apply
//! ([`apply`], with the state hash of [`state`]) -> queries. A dataset is a full snapshot
//! plus deltas from its last few versions straight to the newest ([`files`]); the signed
//! target entry ([`entry`]) gives its version, record count and state hash.

pub mod apply;
pub mod bundle;
pub mod client;
pub mod clock;
pub mod content;
pub mod entry;
pub mod files;
pub mod state;
pub mod status;
pub mod trust;

pub use bundle::{export_bundle, import_bundle, import_bundle_watched, BundleOutcome, ExportReport};
pub use client::{sync_from_url, DatasetOutcome, SyncOptions, SyncProgress, SyncReport};
pub use status::{status, subscribe, subscriptions, unsubscribe, DatasetStatus, SyncStatus};
pub use trust::install_trusted_root;

/// Why a dataset could not be synced or applied. Nothing was changed in each case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// A delta starts from another version than the one held here.
    #[error("the delta for {dataset} starts at version {from}, but this device holds {}", .local.map_or("none".to_string(), |v| format!("version {v}")))]
    WrongBase {
        /// The dataset.
        dataset: String,
        /// The version the delta starts from.
        from: u64,
        /// The version held here.
        local: Option<u64>,
    },
    /// After applying, the records did not hash to the signed state: the file or the local
    /// copy is not what the publisher signed. Rolled back.
    #[error("{dataset} version {version}: after applying, the records do not match the signed state ({records} records, {expected_records} expected); rolled back")]
    StateMismatch {
        /// The dataset.
        dataset: String,
        /// The version being applied.
        version: u64,
        /// Records the signed entry announced.
        expected_records: u64,
        /// Records found after applying.
        records: u64,
    },
    /// A file's header names another dataset, content or version than its signed entry.
    #[error("{file}: holds {found}, but its signed entry is for {expected}")]
    WrongFile {
        /// The file.
        file: String,
        /// What its header says.
        found: String,
        /// What the signed entry says.
        expected: String,
    },
    /// No dataset is subscribed, so there is nothing to sync.
    #[error("no datasets chosen: subscribe to at least one (e.g. --dataset directory/mx)")]
    NothingSubscribed,
    /// The repository does not publish a subscribed dataset.
    #[error("the repository does not publish {dataset}")]
    UnknownDataset {
        /// The dataset.
        dataset: String,
    },
    /// A dataset's target entry lacks Faro's signed fields.
    #[error("{target}: the signed entry has no valid Faro fields (custom.faro)")]
    BadEntry {
        /// The target path.
        target: String,
    },
    /// A dataset holds content this build does not know.
    #[error("{dataset} holds {content:?}, which this version of Faro cannot read; update Faro")]
    UnknownContent {
        /// The dataset.
        dataset: String,
        /// Its content word.
        content: String,
    },
    /// The repository offers an older version than the one held: refused (a replay).
    #[error("{dataset}: the repository offers version {offered}, older than version {local} held here; kept version {local}")]
    RepositoryOlder {
        /// The dataset.
        dataset: String,
        /// Version held.
        local: u64,
        /// Version offered.
        offered: u64,
    },
    /// A target was signed by a role that may not sign it (a warning without the two
    /// signatures of the warnings delegation).
    #[error("{target} is signed by role {role:?}, but warnings must be signed by the warnings delegation (2 keys)")]
    WrongSigner {
        /// The target path.
        target: String,
        /// The role that listed it.
        role: String,
    },
}
