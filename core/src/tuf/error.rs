//! What can go wrong while verifying or writing TUF metadata, as one enum a caller can act
//! on. Messages name the role or file and the rule that failed; they never carry anything
//! about the user (no search text, no location), only about repository files.

use chrono::{DateTime, Utc};

/// A TUF verification, parsing, storage or transport failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TufError {
    /// Metadata could not be parsed or breaks a rule of the specification's format.
    #[error("{role} metadata is invalid: {reason}")]
    BadMetadata {
        /// Role (or file) the metadata was for.
        role: String,
        /// What was wrong, with the field when known.
        reason: String,
    },

    /// A file that should be JSON is not; an HTML page usually means a captive portal or a
    /// proxy error page answered instead of the repository.
    #[error("{file} is not JSON ({hint}); nothing was changed")]
    NotJson {
        /// The file that was fetched.
        file: String,
        /// What the body looks like.
        hint: String,
    },

    /// Fewer valid signatures than the role's threshold.
    #[error("{role} is signed by {have} of the {need} keys its delegator requires; refusing it")]
    ThresholdNotMet {
        /// Role whose signatures were checked.
        role: String,
        /// Distinct trusted keys with a valid signature.
        have: usize,
        /// Threshold required.
        need: usize,
    },

    /// A newer copy of a role has a lower version than the trusted one (rollback attack),
    /// or a root is not exactly the next version.
    #[error("{role}: offered version {offered} but version {trusted} is trusted (expected {expectation}); possible rollback, refusing it")]
    Rollback {
        /// Role concerned.
        role: String,
        /// Version already trusted (or referenced by trusted metadata).
        trusted: u64,
        /// Version offered by the repository.
        offered: u64,
        /// What the rule wanted ("at least", "exactly", ...).
        expectation: String,
    },

    /// Metadata is expired under the `Enforce` policy (freeze attack or a stale mirror).
    #[error("{role} expired at {since}; the repository could not confirm the data is current")]
    Expired {
        /// Role that expired.
        role: String,
        /// Its `expires` time.
        since: DateTime<Utc>,
    },

    /// A file's length or a hash differs from what trusted metadata lists.
    #[error("{file}: {what} is {got}, trusted metadata says {expected}; the file was rejected")]
    LengthOrHashMismatch {
        /// File (role or target path).
        file: String,
        /// `length` or `sha256 hash`, ...
        what: String,
        /// Value listed by trusted metadata.
        expected: String,
        /// Value of the received file.
        got: String,
    },

    /// A file exceeds the size allowed for it.
    #[error("{file} is larger than the {max} bytes allowed; the file was rejected")]
    TooLarge {
        /// The file.
        file: String,
        /// Maximum size in bytes.
        max: u64,
    },

    /// The repository does not have a file trusted metadata requires, or no role lists a
    /// target.
    #[error("{0} was not found")]
    NotFound(String),

    /// The transport failed for a file.
    #[error("fetching {file} failed: {reason}")]
    Fetch {
        /// The file.
        file: String,
        /// The transport's reason.
        reason: String,
    },

    /// Snapshot and timestamp (or snapshot and targets) disagree: mix-and-match attack.
    #[error("mix-and-match: {role} has version {got} but {listed_by} lists version {expected}; refusing it")]
    MixAndMatch {
        /// Role whose version disagrees.
        role: String,
        /// The metadata that lists the version.
        listed_by: String,
        /// Version listed.
        expected: u64,
        /// Version received.
        got: u64,
    },

    /// A key is malformed or of an unsupported type or scheme.
    #[error("key {keyid}: {reason}")]
    BadKey {
        /// Key id (or a file name for a key file).
        keyid: String,
        /// What was wrong.
        reason: String,
    },

    /// The trust store failed to read or write.
    #[error("trust store: {0}")]
    Store(String),

    /// The client was used out of order (e.g. no trusted root installed yet).
    #[error("{0}")]
    State(String),
}

impl TufError {
    /// Shorthand for [`TufError::BadMetadata`].
    pub fn bad(role: impl Into<String>, reason: impl Into<String>) -> TufError {
        TufError::BadMetadata { role: role.into(), reason: reason.into() }
    }
}

/// Result with [`TufError`].
pub type TufResult<T> = std::result::Result<T, TufError>;
