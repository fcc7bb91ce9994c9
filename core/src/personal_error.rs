//! [`PersonalError`]: what can go wrong with the personal-data file ([`crate::personal`]). Its own
//! module, below both `error` and `personal`, so that the core's `Error` can carry it without
//! the two naming each other (as `sync_error` does for sync). No message ever holds a
//! label, a note, a listing id the person saved, or the key: only the file, the table, the
//! row number and the column.

use std::path::PathBuf;

/// Errors of [`crate::personal::PersonalStore`] and [`crate::personal::forget_personal_data`].
#[derive(Debug, thiserror::Error)]
pub enum PersonalError {
    /// The key given is not 32 bytes. Nothing was opened or changed.
    #[error("the personal-data key must be 32 bytes, got {len}; nothing was opened")]
    KeyLength {
        /// Length of the key given.
        len: usize,
    },

    /// The file was sealed with another key (or the app's key was replaced). Nothing was
    /// changed: the data is still there for the right key, or can be erased with
    /// `forget_personal_data`, which needs no key.
    #[error("{}: wrong key: this key does not open the personal data; nothing was changed (use the key it was created with, or erase it with forget-personal-data)", .path.display())]
    WrongKey {
        /// The personal-data file.
        path: PathBuf,
    },

    /// The file exists but is not Faro personal data (or its header is damaged). It was
    /// left untouched.
    #[error("{}: not a Faro personal-data file ({detail}); it was left untouched", .path.display())]
    NotPersonalFile {
        /// The file.
        path: PathBuf,
        /// What was found.
        detail: String,
    },

    /// A stored value did not open with the key that opens the file: the file was damaged or
    /// edited. Nothing was changed.
    #[error("personal data {what} is damaged ({detail}); nothing was changed")]
    Damaged {
        /// Table, row number and column (never the value).
        what: String,
        /// What was wrong.
        detail: String,
    },

    /// A value given was refused (too long, empty, too many entries). Nothing was written.
    #[error("{0}; nothing was written")]
    Refused(String),

    /// No favorite or note has that id.
    #[error("no {0}")]
    NotFound(String),

    /// SQLite failed (disk full, file locked, ...). Nothing was changed.
    #[error("{}: database error: {source}", .path.display())]
    Sqlite {
        /// The personal-data file.
        path: PathBuf,
        /// What SQLite reported (statements bind their values, so none appears here).
        #[source]
        source: rusqlite::Error,
    },

    /// Creating, overwriting or removing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// Some of the personal data could not be erased: each entry names the file or the
    /// store and the error. What could be erased was erased.
    #[error("personal data was not entirely erased: {}", .0.join("; "))]
    NotErased(Vec<String>),

    /// A defect in Faro or a failing system service (the random source).
    #[error("internal error in Faro's personal data (please report it): {0}")]
    Internal(String),
}

impl PersonalError {
    /// True when SQLite found the file damaged (or not a database) in the middle of a read
    /// or write; [`PersonalError::Damaged`] and [`PersonalError::NotPersonalFile`] say so by
    /// their variant.
    pub fn is_damage(&self) -> bool {
        match self {
            PersonalError::Damaged { .. } | PersonalError::NotPersonalFile { .. } => true,
            PersonalError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ),
            _ => false,
        }
    }
}
