//! Errors of the core: one enum a caller can match on, each variant saying what was wrong,
//! where, and what was kept. Messages never contain anything about the user (no search text,
//! no location), only about data files and the database.

use std::fmt;
use std::path::PathBuf;

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input data (a listing file, a CSV row, an `opening_hours` value) was rejected.
    /// Nothing was written.
    #[error("{0}")]
    Input(#[from] InputError),

    /// Several problems in the input (every problem of every rejected record, up to 1,000);
    /// nothing was written.
    #[error("{} in {}; nothing was imported:\n{}", plural(.0.len(), "problem"), plural(records(.0), "record"), join_lines(.0))]
    InputMany(Vec<InputError>),

    /// The database file is damaged or is not a Faro database. It was not modified.
    #[error("{}: the database is damaged or not a Faro database ({detail}); it was left untouched, restore it from a backup or sync again into a new file", .path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite reported.
        detail: String,
    },

    /// The database was written by a newer Faro. It was not modified.
    #[error("{}: schema version {found} is newer than this Faro understands (up to {supported}); update Faro, the database was left untouched", .path.display())]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },

    /// A database opened read-only has an older schema (or an unfinished upgrade): it must
    /// be opened for writing once to be upgraded. It was not modified.
    #[error("{}: schema version {found} is older than this Faro's ({current}); open it once with write access (faro import or faro sync) to upgrade it; the database was left untouched", .path.display())]
    SchemaOutdated {
        /// The database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// The version this build writes.
        current: i64,
    },

    /// A local (unverified) import and a synced (verified) dataset met under one name;
    /// they are never mixed, and nothing was written.
    #[error("dataset {dataset:?}: {reason}")]
    DatasetOrigin {
        /// The dataset name.
        dataset: String,
        /// What was refused and what to do instead.
        reason: String,
    },

    /// The publisher's key directory cannot do what was asked (a key file missing, keys the
    /// repository does not trust, keys that would be overwritten).
    #[error("publisher keys: {0}")]
    Keys(String),

    /// A query was malformed (bad radius, limit out of range, a sort without its point, ...).
    /// Only for what the caller asked; damaged data is [`Error::Damaged`].
    #[error("invalid query: {0}")]
    BadQuery(String),

    /// Something Faro stored could not be read back: a record in the database, a value Faro
    /// wrote there itself, or a publisher's own state or target file. The storage was damaged
    /// (a disk fault, an edit by hand, a defective build). Nothing was changed. The message
    /// names the place and the record id, never anything the person searched for.
    #[error("{what} is damaged and could not be read ({detail}); nothing was changed: sync again, or restore it from a backup")]
    Damaged {
        /// Where: the table or file and the record (`stored listing demo:x`, `targets/a.zst`).
        what: String,
        /// What reading it reported.
        detail: String,
    },

    /// A bundle file is not a Faro bundle, is damaged, or was altered on the way: its layout,
    /// manifest or entries fail the checks made before any signature is looked at. Nothing
    /// was imported. (Signature and hash failures are [`Error::Tuf`].)
    #[error("{file}: not verified, nothing was imported: {reason}")]
    BundleNotVerified {
        /// The bundle file.
        file: String,
        /// Which check failed.
        reason: String,
    },

    /// A defect in Faro: an invariant that cannot fail did (rows out of order inside one
    /// transaction, a lock poisoned by an earlier panic). Nothing was changed; please report it.
    #[error("internal error in Faro (please report it): {0}")]
    Internal(String),

    /// No listing has that id.
    #[error("no listing with id {0:?}")]
    NotFound(String),

    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// A dataset could not be synced or applied; nothing was changed.
    #[error("{0}")]
    Sync(#[from] crate::sync_error::SyncError),

    /// A report could not be queued, sent, received or read.
    #[error("{0}")]
    Report(#[from] crate::report_error::ReportError),

    /// The work was cancelled by the caller; nothing was changed.
    #[error("cancelled; nothing was changed")]
    Cancelled,
    /// Signed repository metadata or a target failed TUF verification, or a trust store
    /// or transport failed during it. Nothing unverified was stored.
    #[error("{0}")]
    Tuf(#[from] crate::tuf::TufError),
    /// Fetching a file over HTTP failed (timeouts, statuses, captive portals, too large, ...).
    /// A partial download is kept for the next resume.
    #[error("{0}")]
    Net(#[from] crate::net::NetError),

    /// Compressed data was damaged, not zstd, or decompressed past its limit.
    #[error("{0}")]
    Compress(#[from] crate::compress::CompressError),

    /// SQLite failed in a way that is not corruption (disk full, locked, ...).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The person's saved places and notes: a wrong or malformed key, a refused value, a file
    /// that could not be erased ([`crate::personal`]). Never carries personal data.
    #[error("{0}")]
    Personal(#[from] crate::personal_error::PersonalError),
}

impl Error {
    /// The one constructor for "these input problems": [`Error::Input`] for one located
    /// problem, [`Error::InputMany`] for several. An empty list is a defect of the caller
    /// ([`Error::Internal`]); readers that may have none end with [`Error::refuse`].
    pub fn inputs(mut problems: Vec<InputError>) -> Error {
        match problems.len() {
            0 => Error::Internal("an input was refused without naming a problem".into()),
            1 => Error::Input(problems.remove(0)),
            _ => Error::InputMany(problems),
        }
    }

    /// `Ok(())` when `problems` is empty, else [`Error::inputs`]: readers collect every
    /// problem, then end with `Error::refuse(rejected)?`.
    pub fn refuse(problems: Vec<InputError>) -> Result<()> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::inputs(problems))
        }
    }

    /// True when the error says stored data is damaged: [`Error::Corrupt`], [`Error::Damaged`],
    /// or SQLite finding the file corrupt (or not a database) in the middle of a read or write.
    /// What to offer the person is the same for all three: sync again into a new file.
    pub fn is_damage(&self) -> bool {
        match self {
            Error::Corrupt { .. } | Error::Damaged { .. } => true,
            Error::Personal(p) => p.is_damage(),
            Error::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ),
            _ => false,
        }
    }

    /// Row `rowid` of stored `table` records, read by row before its id is known, that could
    /// not be read back: [`Error::Damaged`].
    pub fn damaged_row(table: &str, rowid: i64, detail: impl fmt::Display) -> Error {
        Error::Damaged { what: format!("stored {table} row {rowid}"), detail: detail.to_string() }
    }

    /// A stored record of `table` with id `id` that could not be read back: [`Error::Damaged`].
    pub fn damaged_record(table: &str, id: &str, detail: impl fmt::Display) -> Error {
        Error::Damaged { what: format!("stored {table} record {}", printable(id, 120)), detail: detail.to_string() }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// How many records `errors` are about (a record may have several problems).
fn records(errors: &[InputError]) -> usize {
    let mut seen = std::collections::HashSet::new();
    errors.iter().filter(|e| seen.insert((&e.file, e.line, &e.record))).count()
}

fn join_lines(errors: &[InputError]) -> String {
    // All of them, as importers collect at most 1,000: a publisher fixes a file in one go.
    const SHOWN: usize = 1000;
    let mut out: Vec<String> = errors.iter().take(SHOWN).map(|e| format!("  {e}")).collect();
    if errors.len() > SHOWN {
        out.push(format!("  ... and {} more", errors.len() - SHOWN));
    }
    out.join("\n")
}

/// A rejected piece of input, located as precisely as possible.
///
/// Displays as `FILE:LINE: record ID: field FIELD: REASON`, omitting unknown parts; a
/// workbook's sheet follows the file in brackets (`clinics.xlsx[Clinics]:12: ...`, the line
/// being the spreadsheet's row and the field its column, `field C name_es`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// File name or other origin (`"-"` for standard input, `"opening_hours"` for a value).
    pub file: String,
    /// 1-based line number in the file (the row of a spreadsheet), when known.
    pub line: Option<u64>,
    /// Id of the record, when known.
    pub record: Option<String>,
    /// Path of the field inside the record (`phones[0].number`), when known.
    pub field: Option<String>,
    /// What was wrong.
    pub reason: String,
}

impl InputError {
    /// An error about a whole file or value.
    pub fn new(file: impl Into<String>, reason: impl Into<String>) -> InputError {
        InputError { file: file.into(), line: None, record: None, field: None, reason: reason.into() }
    }

    /// Sets the line number.
    pub fn at_line(mut self, line: u64) -> InputError {
        self.line = Some(line);
        self
    }

    /// Names the sheet of a workbook after the file: `clinics.xlsx[Clinics]`. Kept in `file`
    /// rather than a field of its own, so that every `Result` of the core stays small.
    pub fn in_sheet(mut self, sheet: &str) -> InputError {
        self.file = format!("{}[{sheet}]", self.file);
        self
    }

    /// Sets the record id.
    pub fn record(mut self, id: impl Into<String>) -> InputError {
        self.record = Some(id.into());
        self
    }

    /// Sets the field path.
    pub fn field(mut self, field: impl Into<String>) -> InputError {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(id) = &self.record {
            write!(f, ": record {id}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field {field}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// `text` made safe to print in an error message: control characters (and other
/// characters that could rewrite a terminal line) escaped as `\u{..}`, and at most
/// `max_chars` characters kept, then `...`. For text from outside (tar headers, names).
pub fn printable(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push_str("...");
            break;
        }
        // Bidirectional overrides and other format characters can disguise text too.
        let format = matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || format {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_error_names_file_line_record_and_field() {
        let e = InputError::new("data/a.jsonl", "not E.164").at_line(12).record("demo:x").field("phones[0].number");
        assert_eq!(e.to_string(), "data/a.jsonl:12: record demo:x: field phones[0].number: not E.164");
    }

    #[test]
    fn input_error_names_the_sheet_of_a_workbook() {
        let e = InputError::new("clinics.xlsx", "not a latitude").in_sheet("Clinics").at_line(4).field("E lat");
        assert_eq!(e.to_string(), "clinics.xlsx[Clinics]:4: field E lat: not a latitude");
    }

    #[test]
    fn many_errors_are_capped() {
        let errs: Vec<_> = (0..1010).map(|i| InputError::new("f", "bad").at_line(i / 2)).collect();
        let text = Error::InputMany(errs).to_string();
        assert!(text.starts_with("1010 problems in 505 records"), "{}", &text[..80]);
        assert!(text.contains("... and 10 more"));
        assert_eq!(text.lines().count(), 1 + 1000 + 1);
    }

    #[test]
    fn input_problems_have_one_constructor() {
        assert!(Error::refuse(Vec::new()).is_ok());
        let one = InputError::new("f.jsonl", "bad").at_line(1);
        assert!(matches!(Error::refuse(vec![one.clone()]), Err(Error::Input(e)) if e == one));
        assert!(matches!(Error::inputs(vec![one.clone(), one.clone()]), Error::InputMany(v) if v.len() == 2));
        // Refusing without a problem is the caller's defect, never an empty "bad input".
        assert!(matches!(Error::inputs(Vec::new()), Error::Internal(_)));
    }

    #[test]
    fn sqlite_reporting_corruption_is_damage() {
        let corrupt = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT), None);
        assert!(Error::Sqlite(corrupt).is_damage());
        let full = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None);
        assert!(!Error::Sqlite(full).is_damage());
        assert!(!Error::BadQuery("limit".into()).is_damage());
    }
}
