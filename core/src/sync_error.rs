//! Why a dataset could not be synced or applied ([`SyncError`]). Kept apart from `sync` so
//! that the core's [`Error`](crate::error::Error) can wrap it without naming the sync layer
//! (one-way layers, issue 13): `error` and `sync` both depend on this module, and it on
//! nothing of the core. Reached as `faro_core::sync::SyncError`.

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
