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
pub use crate::clock;
pub mod content;
pub mod entry;
pub mod files;
mod lock;
mod pin;
pub mod state;
pub mod status;
pub mod trust;

pub use apply::SyncRoute;
pub use bundle::{export_bundle, import_bundle, import_bundle_watched, BundleOutcome, ExportReport};
pub use client::{sync_from_url, DatasetOutcome, SyncOptions, SyncPhase, SyncProgress, SyncReport};
pub use content::ContentKind;
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
    /// Asked to subscribe to a dataset the repository does not publish; nothing was saved.
    #[error("the repository does not publish {dataset}; nothing was subscribed (check the name)")]
    NotPublished {
        /// The dataset asked for.
        dataset: String,
    },
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
    /// A dataset named `warnings/...` declares content other than warnings.
    #[error("{dataset} declares content {content:?}, but datasets named warnings/... hold warnings only")]
    NotWarnings {
        /// The dataset.
        dataset: String,
        /// The content its signed entry declares.
        content: String,
    },
    /// The signed entry declares another kind of content than the dataset held here.
    #[error("{dataset} holds {held} here, but the repository now says it holds {offered}; refused, kept the {held}")]
    ContentChanged {
        /// The dataset.
        dataset: String,
        /// The content held here.
        held: String,
        /// The content the signed entry declares.
        offered: String,
    },
    /// The targets metadata delegates `warnings` to other keys (or a lower threshold) than
    /// the ones pinned here, and the root was not rotated since: only a new root, signed by
    /// the offline root key, may change who signs warnings.
    #[error("the repository's targets metadata delegates warnings to {offered}, but this device trusts {pinned} and root version {root_version} did not change them; refused, nothing was changed")]
    WarningsKeysChanged {
        /// The delegation offered.
        offered: String,
        /// The delegation pinned here.
        pinned: String,
        /// The trusted root version.
        root_version: u64,
    },
    /// Another sync or bundle import is running on this database.
    #[error("a sync or bundle import is already running on this database; try again when it has finished")]
    AlreadyRunning,
}

/// Refuses a dataset whose signer or content is not allowed: warnings content, or a name
/// under `warnings/`, must come from the `warnings` delegation (two keys); a `warnings/`
/// name holds warnings only; a dataset held here never changes its content kind.
pub(crate) fn check_dataset_trust(
    conn: &rusqlite::Connection,
    dataset: &str,
    kind: content::ContentKind,
    info: &crate::tuf::TargetInfo,
) -> crate::error::Result<()> {
    use entry::is_warnings;
    let target = &info.path;
    let warnings = kind == content::ContentKind::Warnings;
    if (warnings || is_warnings(dataset)) && !signed_by_warnings(info) {
        return Err(SyncError::WrongSigner { target: target.into(), role: signer(info) }.into());
    }
    if is_warnings(dataset) && !warnings {
        return Err(SyncError::NotWarnings { dataset: dataset.into(), content: kind.as_str().into() }.into());
    }
    let held: Option<String> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT content FROM sync_datasets WHERE name = ?1",
        [dataset],
        |r| r.get(0),
    ))?;
    match held {
        Some(held) if held != kind.as_str() => {
            Err(SyncError::ContentChanged { dataset: dataset.into(), held, offered: kind.as_str().into() }.into())
        }
        _ => Ok(()),
    }
}

/// True when `info` was listed by THE `warnings` delegation: the one the top-level targets
/// delegates (and Faro pins), not a role of the same name delegated further down.
pub(crate) fn signed_by_warnings(info: &crate::tuf::TargetInfo) -> bool {
    info.role == entry::WARNINGS_ROLE && info.delegator == "targets"
}

/// The role that listed `info`, with its delegator when that is not the top-level targets.
pub(crate) fn signer(info: &crate::tuf::TargetInfo) -> String {
    match info.delegator.as_str() {
        "root" | "targets" => info.role.clone(),
        parent => format!("{parent}/{}", info.role),
    }
}
