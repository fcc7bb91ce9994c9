//! What a person saves on the phone: saved places (favorites) and notes, in their own SQLite
//! file beside the synced directory, every value sealed with a key the app keeps in Android
//! Keystore or iOS Keychain, and erased in one call ([`forget_personal_data`]) that leaves the
//! directory untouched (issue 11 item 2, ADR 0034, `docs/privacy.md`).
//!
//! What is stored is little on purpose: a favorite is a listing id, an optional label the
//! person typed and the day it was saved (no time, no place); a note is text, optionally tied
//! to a listing, and the day it was last written. Each of those values is sealed
//! ([`seal`]): the file shows how many favorites and notes there are and nothing else. A
//! listing id is found again through a keyed HMAC of it, never the id in clear.
//!
//! The file runs with `secure_delete = ON` (SQLite zeroes what a delete or an update frees)
//! and the rollback journal in `DELETE` mode, not WAL: a WAL file keeps every written page
//! until a checkpoint, so a removed note's sealed bytes could outlive its removal there; the
//! rollback journal exists only during a write and holds sealed pages only.

mod forget;
mod seal;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use crate::personal_error::PersonalError;
pub use forget::{directory_erasers, forget_personal_data, Eraser, Forgotten};
pub use seal::KEY_LEN;
use seal::{Keys, Place};

/// Result with [`PersonalError`].
pub type Result<T, E = PersonalError> = std::result::Result<T, E>;

/// The personal-data file's name inside an app's store directory, beside the directory
/// database.
pub const PERSONAL_DATA_FILE: &str = "personal.sqlite";

/// Longest listing id accepted, in bytes (the directory's ids are far shorter).
pub const MAX_LISTING_ID_BYTES: usize = 512;
/// Longest favorite label, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Most favorites kept: a short list is the point (storing little beats wiping much).
pub const MAX_FAVORITES: usize = 1_000;
/// Most notes kept.
pub const MAX_NOTES: usize = 1_000;

/// `PRAGMA application_id` of a personal-data file ("FPRD"): tells it from any other SQLite
/// file before the key is tried.
const APPLICATION_ID: i32 = 0x4650_5244;
/// `PRAGMA user_version` of the layout below.
const FORMAT: i32 = 1;
/// The constant sealed as the key check: it opens only with the key the file was made with.
const KEY_CHECK: &[u8] = b"faro personal data key check v1";
const CHECK_PLACE: Place<'static> = Place { table: "meta", row: 0, column: "key_check" };

const SCHEMA: &str = "
CREATE TABLE meta(name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE favorites(
    id INTEGER PRIMARY KEY,
    listing_tag BLOB NOT NULL UNIQUE,
    listing BLOB NOT NULL,
    label BLOB,
    saved_on BLOB NOT NULL
);
CREATE TABLE notes(
    id INTEGER PRIMARY KEY,
    listing_tag BLOB,
    listing BLOB,
    text BLOB NOT NULL,
    written_on BLOB NOT NULL
);
CREATE INDEX notes_by_listing ON notes(listing_tag) WHERE listing_tag IS NOT NULL;
";

/// A saved place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Favorite {
    /// The directory listing's id.
    pub listing_id: String,
    /// What the person called it, if they typed a label.
    pub label: Option<String>,
    /// The day it was saved (no time of day is kept).
    pub saved_on: NaiveDate,
}

/// A note the person wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The note's number in this file (never reused).
    pub id: i64,
    /// The listing it is about, if any.
    pub listing_id: Option<String>,
    /// The text.
    pub text: String,
    /// The day it was written or last edited.
    pub written_on: NaiveDate,
}

/// A favorite with what the directory says of it today ([`PersonalStore::saved_places`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SavedPlace {
    /// The listing's id.
    pub listing_id: String,
    /// The label the person typed, if any.
    pub label: Option<String>,
    /// The day it was saved.
    pub saved_on: NaiveDate,
    /// Whether the directory still has the listing. When `false` it was closed or withdrawn
    /// by its publisher: tell the person before they go there.
    pub in_directory: bool,
    /// The listing's current name in the languages asked for (its id if it has no name);
    /// `None` when it is no longer in the directory.
    pub name: Option<String>,
    /// The listing's kind; `None` when it is no longer in the directory.
    pub kind: Option<crate::Kind>,
}

/// The personal-data file, open with its key. Not shared between threads (the FFI holds it
/// behind a lock); every change is one transaction.
#[derive(Debug)]
pub struct PersonalStore {
    conn: Connection,
    path: PathBuf,
    keys: Keys,
}

impl PersonalStore {
    /// Opens the personal data at `path` with the app's 32-byte `key`, creating the file
    /// (readable by this user only) when it does not exist.
    ///
    /// Fails with [`PersonalError::KeyLength`] before touching anything if the key is not 32
    /// bytes, [`PersonalError::WrongKey`] if the file was made with another key, and
    /// [`PersonalError::NotPersonalFile`] if the file is something else; in each case the file
    /// is left as it was.
    pub fn open(path: &Path, key: &[u8]) -> Result<PersonalStore> {
        let keys = Keys::derive(key)?;
        let fresh = !path.exists();
        if fresh {
            create_private(path)?;
        }
        let sql = |source| PersonalError::Sqlite { path: path.to_path_buf(), source };
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(sql)?;
        let store = PersonalStore { conn, path: path.to_path_buf(), keys };
        let header = store.conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), \
                    (SELECT user_version FROM pragma_user_version), \
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get::<_, i32>(0)?, r.get::<_, i32>(1)?, r.get::<_, i64>(2)?)),
        );
        let (app, version, objects) = match header {
            Ok(h) => h,
            Err(e) if is_not_a_database(&e) => {
                return Err(PersonalError::NotPersonalFile { path: path.to_path_buf(), detail: "not SQLite".into() })
            }
            Err(e) => return Err(sql(e)),
        };
        let empty = app == 0 && version == 0 && objects == 0;
        if !empty && app != APPLICATION_ID {
            let detail = format!("application id {app:#x}");
            return Err(PersonalError::NotPersonalFile { path: path.to_path_buf(), detail });
        }
        if !empty && version != FORMAT {
            let detail = format!("format {version}, this Faro reads {FORMAT}");
            return Err(PersonalError::NotPersonalFile { path: path.to_path_buf(), detail });
        }
        store.conn.pragma_update(None, "secure_delete", true).map_err(sql)?;
        store.conn.pragma_update(None, "temp_store", "MEMORY").map_err(sql)?;
        // A file that was in WAL mode (by another program) is set back to the rollback
        // journal, which also checkpoints and removes its WAL.
        store.conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(())).map_err(sql)?;
        if empty {
            store.create()?;
        } else {
            store.check_key()?;
        }
        Ok(store)
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves `listing_id` with an optional `label` (trimmed; empty is none), on `today`.
    /// Saving a listing already saved changes its label and keeps its first day. Returns
    /// whether it was new.
    pub fn add_favorite(&mut self, listing_id: &str, label: Option<&str>, today: NaiveDate) -> Result<bool> {
        check_listing_id(listing_id)?;
        let label = label.map(str::trim).filter(|l| !l.is_empty());
        if let Some(l) = label {
            check_length("the label", l, MAX_LABEL_CHARS)?;
        }
        let tag = self.keys.index(listing_id);
        self.write(|tx, keys, path| {
            let existing: Option<i64> = tx
                .query_row("SELECT id FROM favorites WHERE listing_tag = ?1", [&tag], |r| r.get(0))
                .optional()
                .map_err(sqlite(path))?;
            let place = |id, column| Place { table: "favorites", row: id, column };
            let sealed_label = |id| label.map(|l| keys.seal(place(id, "label"), l.as_bytes())).transpose();
            if let Some(id) = existing {
                tx.execute("UPDATE favorites SET label = ?2 WHERE id = ?1", params![id, sealed_label(id)?])
                    .map_err(sqlite(path))?;
                return Ok(false);
            }
            refuse_past(tx, path, "favorites", MAX_FAVORITES)?;
            let id = next_id(tx, path)?;
            tx.execute(
                "INSERT INTO favorites(id, listing_tag, listing, label, saved_on) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    tag,
                    keys.seal(place(id, "listing"), listing_id.as_bytes())?,
                    sealed_label(id)?,
                    keys.seal(place(id, "saved_on"), day(today).as_bytes())?,
                ],
            )
            .map_err(sqlite(path))?;
            Ok(true)
        })
    }

    /// Removes the favorite of `listing_id`; returns whether there was one. Its bytes are
    /// zeroed in the file (`secure_delete`).
    pub fn remove_favorite(&mut self, listing_id: &str) -> Result<bool> {
        let tag = self.keys.index(listing_id);
        self.write(|tx, _, path| {
            let n = tx.execute("DELETE FROM favorites WHERE listing_tag = ?1", [tag]).map_err(sqlite(path))?;
            Ok(n > 0)
        })
    }

    /// Whether `listing_id` is saved.
    pub fn is_favorite(&self, listing_id: &str) -> Result<bool> {
        let tag = self.keys.index(listing_id);
        self.conn
            .query_row("SELECT EXISTS(SELECT 1 FROM favorites WHERE listing_tag = ?1)", [tag], |r| r.get(0))
            .map_err(sqlite(&self.path))
    }

    /// Every favorite, oldest saved first.
    pub fn favorites(&self) -> Result<Vec<Favorite>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, listing, label, saved_on FROM favorites ORDER BY id")
            .map_err(sqlite(&self.path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Option<Vec<u8>>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .map_err(sqlite(&self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, listing, label, saved_on) = row.map_err(sqlite(&self.path))?;
            let place = |column| Place { table: "favorites", row: id, column };
            out.push(Favorite {
                listing_id: self.keys.open_text(place("listing"), &listing)?,
                label: label.map(|l| self.keys.open_text(place("label"), &l)).transpose()?,
                saved_on: self.open_day(place("saved_on"), &saved_on)?,
            });
        }
        Ok(out)
    }

    /// Every favorite, oldest saved first, with the name and kind `store` (the directory) has
    /// for it today in `langs`, and whether it still has it.
    pub fn saved_places(&self, store: &crate::Store, langs: &crate::LangPrefs) -> crate::Result<Vec<SavedPlace>> {
        let mut out = Vec::new();
        for f in self.favorites()? {
            let listing = match store.get(&f.listing_id) {
                Ok(l) => Some(l),
                Err(crate::Error::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
            out.push(SavedPlace {
                in_directory: listing.is_some(),
                name: listing.as_ref().map(|l| langs.pick(&l.name).map_or_else(|| l.id.clone(), |(_, n)| n.to_owned())),
                kind: listing.map(|l| l.kind),
                listing_id: f.listing_id,
                label: f.label,
                saved_on: f.saved_on,
            });
        }
        Ok(out)
    }

    /// Writes a note (trimmed; it must not be empty), optionally about `listing_id`, on
    /// `today`. Returns its id.
    pub fn add_note(&mut self, text: &str, listing_id: Option<&str>, today: NaiveDate) -> Result<i64> {
        let text = check_note(text)?;
        if let Some(id) = listing_id {
            check_listing_id(id)?;
        }
        let tag = listing_id.map(|l| self.keys.index(l));
        self.write(|tx, keys, path| {
            refuse_past(tx, path, "notes", MAX_NOTES)?;
            let id = next_id(tx, path)?;
            let place = |column| Place { table: "notes", row: id, column };
            let listing = listing_id.map(|l| keys.seal(place("listing"), l.as_bytes())).transpose()?;
            tx.execute(
                "INSERT INTO notes(id, listing_tag, listing, text, written_on) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    tag,
                    listing,
                    keys.seal(place("text"), text.as_bytes())?,
                    keys.seal(place("written_on"), day(today).as_bytes())?,
                ],
            )
            .map_err(sqlite(path))?;
            Ok(id)
        })
    }

    /// Replaces the text of note `id` (same rules as [`PersonalStore::add_note`]) and its day.
    /// The old text's bytes are zeroed in the file. [`PersonalError::NotFound`] if there is no
    /// such note.
    pub fn edit_note(&mut self, id: i64, text: &str, today: NaiveDate) -> Result<()> {
        let text = check_note(text)?;
        self.write(|tx, keys, path| {
            let place = |column| Place { table: "notes", row: id, column };
            let n = tx
                .execute(
                    "UPDATE notes SET text = ?2, written_on = ?3 WHERE id = ?1",
                    params![
                        id,
                        keys.seal(place("text"), text.as_bytes())?,
                        keys.seal(place("written_on"), day(today).as_bytes())?
                    ],
                )
                .map_err(sqlite(path))?;
            if n == 0 {
                return Err(PersonalError::NotFound(format!("note {id}")));
            }
            Ok(())
        })
    }

    /// Removes note `id`; returns whether there was one. Its bytes are zeroed in the file.
    pub fn remove_note(&mut self, id: i64) -> Result<bool> {
        self.write(|tx, _, path| Ok(tx.execute("DELETE FROM notes WHERE id = ?1", [id]).map_err(sqlite(path))? > 0))
    }

    /// Every note, oldest first; only those about `listing_id` when it is given.
    pub fn notes(&self, listing_id: Option<&str>) -> Result<Vec<Note>> {
        let tag = listing_id.map(|l| self.keys.index(l));
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, listing, text, written_on FROM notes \
                 WHERE ?1 IS NULL OR listing_tag = ?1 ORDER BY id",
            )
            .map_err(sqlite(&self.path))?;
        let rows = stmt
            .query_map([tag], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<Vec<u8>>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .map_err(sqlite(&self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, listing, text, written_on) = row.map_err(sqlite(&self.path))?;
            let place = |column| Place { table: "notes", row: id, column };
            out.push(Note {
                id,
                listing_id: listing.map(|l| self.keys.open_text(place("listing"), &l)).transpose()?,
                text: self.keys.open_text(place("text"), &text)?,
                written_on: self.open_day(place("written_on"), &written_on)?,
            });
        }
        Ok(out)
    }

    /// Closes the file and erases all personal data: this file and what `others` hold (see
    /// [`forget_personal_data`], which does the same without the key).
    pub fn forget(self, others: &mut [&mut dyn Eraser]) -> Result<Forgotten> {
        let path = self.path.clone();
        drop(self);
        forget_personal_data(&path, others)
    }

    fn create(&self) -> Result<()> {
        let sql = sqlite(&self.path);
        let tx = self.conn.unchecked_transaction().map_err(&sql)?;
        tx.execute_batch(SCHEMA).map_err(&sql)?;
        tx.execute("INSERT INTO meta(name, value) VALUES ('key_check', ?1)", [self.keys.seal(CHECK_PLACE, KEY_CHECK)?])
            .map_err(&sql)?;
        tx.execute("INSERT INTO meta(name, value) VALUES ('next_id', 1)", []).map_err(&sql)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(&sql)?;
        tx.pragma_update(None, "user_version", FORMAT).map_err(&sql)?;
        tx.commit().map_err(&sql)
    }

    fn check_key(&self) -> Result<()> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM meta WHERE name = 'key_check'", [], |r| r.get(0))
            .optional()
            .map_err(sqlite(&self.path))?;
        let Some(sealed) = sealed else {
            return Err(PersonalError::NotPersonalFile { path: self.path.clone(), detail: "no key check".into() });
        };
        match self.keys.open(CHECK_PLACE, &sealed) {
            Some(plain) if plain == KEY_CHECK => Ok(()),
            _ => Err(PersonalError::WrongKey { path: self.path.clone() }),
        }
    }

    /// Runs `f` in one IMMEDIATE transaction, committed only if `f` succeeds.
    fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>, &Keys, &Path) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite(&self.path))?;
        let out = f(&tx, &self.keys, &self.path)?;
        tx.commit().map_err(sqlite(&self.path))?;
        Ok(out)
    }

    fn open_day(&self, place: Place<'_>, sealed: &[u8]) -> Result<NaiveDate> {
        let text = self.keys.open_text(place, sealed)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| PersonalError::Damaged {
            what: format!("{} row {} column {}", place.table, place.row, place.column),
            detail: "not a day".into(),
        })
    }
}

fn sqlite(path: &Path) -> impl Fn(rusqlite::Error) -> PersonalError + '_ {
    move |source| PersonalError::Sqlite { path: path.to_path_buf(), source }
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt))
}

/// Creates an empty file readable and writable by this user only (SQLite gives its journal
/// the same mode).
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop).map_err(|source| PersonalError::Io { path: path.to_path_buf(), source })
}

/// The next row id, shared by both tables and never reused, so a sealed value's place is
/// never taken by another value.
fn next_id(tx: &rusqlite::Transaction<'_>, path: &Path) -> Result<i64> {
    let id: i64 =
        tx.query_row("SELECT value FROM meta WHERE name = 'next_id'", [], |r| r.get(0)).map_err(sqlite(path))?;
    tx.execute("UPDATE meta SET value = ?1 WHERE name = 'next_id'", [id + 1]).map_err(sqlite(path))?;
    Ok(id)
}

fn refuse_past(tx: &rusqlite::Transaction<'_>, path: &Path, table: &str, max: usize) -> Result<()> {
    let n: i64 = tx.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).map_err(sqlite(path))?;
    if usize::try_from(n).unwrap_or(usize::MAX) >= max {
        return Err(PersonalError::Refused(format!("at most {max} {table} are kept; remove some first")));
    }
    Ok(())
}

fn check_listing_id(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(PersonalError::Refused("the listing id is empty".into()));
    }
    if id.len() > MAX_LISTING_ID_BYTES {
        return Err(PersonalError::Refused(format!(
            "the listing id is {} bytes, longer than {MAX_LISTING_ID_BYTES}",
            id.len()
        )));
    }
    Ok(())
}

/// Refuses `text` longer than `max` characters, naming `what` and the lengths only.
fn check_length(what: &str, text: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n > max {
        return Err(PersonalError::Refused(format!("{what} is {n} characters, longer than {max}")));
    }
    Ok(())
}

fn check_note(text: &str) -> Result<&str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PersonalError::Refused("the note is empty".into()));
    }
    check_length("the note", text, MAX_NOTE_CHARS)?;
    Ok(text)
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [0x5a; 32];
    const DAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 12, 7) {
        Some(d) => d,
        None => panic!("a valid day"),
    };

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    /// The personal file's bytes and those of any companion SQLite left beside it.
    fn all_bytes(path: &Path) -> Vec<u8> {
        let mut out = std::fs::read(path).unwrap();
        for suffix in ["-journal", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            if let Ok(b) = std::fs::read(PathBuf::from(name)) {
                out.extend(b);
            }
        }
        out
    }

    #[test]
    fn favorites_and_notes_round_trip_and_nothing_is_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PERSONAL_DATA_FILE);
        let mut p = PersonalStore::open(&path, &KEY).unwrap();
        assert!(p.add_favorite("demo:tapachula-shelter-01", Some("  Casa Zafiro (demo)  "), DAY).unwrap());
        assert!(p.add_favorite("demo:necocli-health-01", None, DAY).unwrap());
        let later = DAY.succ_opt().unwrap();
        assert!(!p.add_favorite("demo:necocli-health-01", Some("clinic"), later).unwrap(), "saved again: updated");
        let n = p.add_note("Pregunta por Lucrecia-demo-nota", Some("demo:tapachula-shelter-01"), DAY).unwrap();
        let m = p.add_note("second demo note", None, DAY).unwrap();
        assert!(m > n);
        drop(p);

        let p = PersonalStore::open(&path, &KEY).unwrap();
        let favs = p.favorites().unwrap();
        assert_eq!(
            favs,
            vec![
                Favorite {
                    listing_id: "demo:tapachula-shelter-01".into(),
                    label: Some("Casa Zafiro (demo)".into()),
                    saved_on: DAY
                },
                Favorite { listing_id: "demo:necocli-health-01".into(), label: Some("clinic".into()), saved_on: DAY },
            ]
        );
        assert!(p.is_favorite("demo:necocli-health-01").unwrap());
        assert!(!p.is_favorite("demo:elsewhere").unwrap());
        let about = p.notes(Some("demo:tapachula-shelter-01")).unwrap();
        assert_eq!(about.len(), 1);
        assert_eq!(about[0].text, "Pregunta por Lucrecia-demo-nota");
        assert_eq!(p.notes(None).unwrap().len(), 2);

        let bytes = all_bytes(&path);
        for secret in [
            &b"demo:tapachula-shelter-01"[..],
            b"tapachula",
            b"Casa Zafiro",
            b"clinic",
            b"Lucrecia",
            b"second demo note",
            b"2026-12-07",
        ] {
            assert!(!contains(&bytes, secret), "{:?} is in the file in clear", String::from_utf8_lossy(secret));
        }
    }

    #[test]
    fn removed_and_edited_values_leave_no_bytes_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PERSONAL_DATA_FILE);
        let mut p = PersonalStore::open(&path, &KEY).unwrap();
        p.add_favorite("demo:keep", Some("kept label"), DAY).unwrap();
        p.add_favorite("demo:gone", Some("removed label"), DAY).unwrap();
        let note = p.add_note("first text of the note", None, DAY).unwrap();
        // The sealed bytes as stored, read straight from the tables.
        let sealed = |sql: &str| -> Vec<Vec<u8>> {
            let conn = Connection::open(&path).unwrap();
            let mut stmt = conn.prepare(sql).unwrap();
            let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).unwrap();
            rows.map(|r| r.unwrap()).collect()
        };
        let tag = p.keys.index("demo:gone");
        let gone: Vec<Vec<u8>> = sealed("SELECT listing FROM favorites WHERE id = 2")
            .into_iter()
            .chain(sealed("SELECT label FROM favorites WHERE id = 2"))
            .chain(sealed("SELECT saved_on FROM favorites WHERE id = 2"))
            .chain([tag])
            .collect();
        let old_text = sealed("SELECT text FROM notes");
        assert_eq!((gone.len(), old_text.len()), (4, 1));
        let bytes = all_bytes(&path);
        assert!(gone.iter().chain(&old_text).all(|s| contains(&bytes, s)), "the probe finds stored values");

        assert!(p.remove_favorite("demo:gone").unwrap());
        assert!(!p.remove_favorite("demo:gone").unwrap());
        p.edit_note(note, "second text", DAY).unwrap();
        let bytes = all_bytes(&path);
        for (i, s) in gone.iter().chain(&old_text).enumerate() {
            // The 12-byte nonce alone is enough to find a value again.
            assert!(!contains(&bytes, &s[1..13]), "value {i} still in the file after removal");
        }
        assert_eq!(p.notes(None).unwrap()[0].text, "second text");
        assert_eq!(p.favorites().unwrap().len(), 1);
        assert!(p.remove_note(note).unwrap());
        assert!(matches!(p.edit_note(note, "x", DAY), Err(PersonalError::NotFound(_))));
        // The file is in rollback-journal mode: no WAL keeps old pages.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        assert!(!PathBuf::from(wal).exists());
    }

    #[test]
    fn a_wrong_key_is_refused_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PERSONAL_DATA_FILE);
        let mut p = PersonalStore::open(&path, &KEY).unwrap();
        p.add_favorite("demo:a", Some("label-demo"), DAY).unwrap();
        drop(p);
        let before = std::fs::read(&path).unwrap();
        let err = PersonalStore::open(&path, &[0x5b; 32]).unwrap_err();
        assert!(matches!(err, PersonalError::WrongKey { .. }), "{err:?}");
        assert!(err.to_string().contains("wrong key"), "{err}");
        for len in [0, 31, 33] {
            let err = PersonalStore::open(&path, &vec![0x5a; len]).unwrap_err();
            assert!(matches!(err, PersonalError::KeyLength { .. }), "{err:?}");
        }
        assert_eq!(std::fs::read(&path).unwrap(), before, "the file is unchanged");
        assert!(!dir.path().join("missing.sqlite").exists());
        assert!(matches!(
            PersonalStore::open(&dir.path().join("missing.sqlite"), &[1; 3]),
            Err(PersonalError::KeyLength { len: 3 })
        ));
        assert!(!dir.path().join("missing.sqlite").exists(), "a bad key creates nothing");
        let p = PersonalStore::open(&path, &KEY).unwrap();
        assert_eq!(p.favorites().unwrap()[0].label.as_deref(), Some("label-demo"));
    }

    #[test]
    fn other_files_are_not_taken_for_personal_data() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "just some text, not a database at all, long enough to be read").unwrap();
        assert!(matches!(PersonalStore::open(&text, &KEY), Err(PersonalError::NotPersonalFile { .. })));
        let other = dir.path().join("other.sqlite");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE t(x);").unwrap();
        let before = std::fs::read(&other).unwrap();
        let err = PersonalStore::open(&other, &KEY).unwrap_err();
        assert!(matches!(err, PersonalError::NotPersonalFile { .. }), "{err:?}");
        assert_eq!(std::fs::read(&other).unwrap(), before);
    }

    #[test]
    fn bad_values_are_refused_without_echoing_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = PersonalStore::open(&dir.path().join(PERSONAL_DATA_FILE), &KEY).unwrap();
        let long_label = "secret-label ".repeat(20);
        let err = p.add_favorite("demo:a", Some(&long_label), DAY).unwrap_err().to_string();
        assert!(err.contains("259 characters") && !err.contains("secret"), "{err}");
        assert!(p.add_favorite("  ", None, DAY).is_err());
        assert!(p.add_favorite(&"x".repeat(MAX_LISTING_ID_BYTES + 1), None, DAY).is_err());
        let err = p.add_note(" \n ", None, DAY).unwrap_err();
        assert!(matches!(err, PersonalError::Refused(_)));
        let err = p.add_note(&"secret ".repeat(2000), None, DAY).unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
        assert!(p.favorites().unwrap().is_empty() && p.notes(None).unwrap().is_empty());
    }

    #[test]
    fn a_value_moved_to_another_row_is_damaged_not_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PERSONAL_DATA_FILE);
        let mut p = PersonalStore::open(&path, &KEY).unwrap();
        p.add_favorite("demo:a", Some("label a"), DAY).unwrap();
        p.add_favorite("demo:b", Some("label b"), DAY).unwrap();
        Connection::open(&path)
            .unwrap()
            .execute("UPDATE favorites SET label = (SELECT label FROM favorites WHERE id = 1) WHERE id = 2", [])
            .unwrap();
        let err = p.favorites().unwrap_err();
        assert!(matches!(err, PersonalError::Damaged { .. }), "{err:?}");
        assert!(err.to_string().contains("favorites row 2 column label"), "{err}");
    }

    #[test]
    fn forget_removes_the_files_without_the_key_and_runs_the_erasers() {
        struct Outbox(bool);
        impl Eraser for Outbox {
            fn what(&self) -> String {
                "demo outbox".into()
            }
            fn erase(&mut self) -> Result<(), String> {
                self.0 = true;
                Ok(())
            }
        }
        struct Failing;
        impl Eraser for Failing {
            fn what(&self) -> String {
                "failing demo".into()
            }
            fn erase(&mut self) -> Result<(), String> {
                Err("disk is read-only".into())
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PERSONAL_DATA_FILE);
        let mut p = PersonalStore::open(&path, &KEY).unwrap();
        p.add_note("demo note", None, DAY).unwrap();
        drop(p);
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        std::fs::write(PathBuf::from(&wal), b"leftover").unwrap();
        let mut outbox = Outbox(false);
        let done = forget_personal_data(&path, &mut [&mut outbox]).unwrap();
        assert!(outbox.0);
        assert_eq!(done.erased, vec!["demo outbox".to_string()]);
        assert_eq!(done.files_removed, vec![path.clone(), PathBuf::from(&wal)]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left in the directory");
        // Nothing to erase is not an error; a failing eraser does not stop the others.
        assert_eq!(forget_personal_data(&path, &mut []).unwrap(), Forgotten::default());
        let mut outbox = Outbox(false);
        let err = forget_personal_data(&path, &mut [&mut Failing, &mut outbox]).unwrap_err();
        assert!(outbox.0);
        assert!(err.to_string().contains("failing demo: disk is read-only"), "{err}");
        // A new, empty store can be made after forgetting, with a new key.
        let p = PersonalStore::open(&path, &[9; 32]).unwrap();
        assert!(p.notes(None).unwrap().is_empty());
        let done = p.forget(&mut []).unwrap();
        assert_eq!(done.files_removed, vec![path.clone()]);
    }
}
