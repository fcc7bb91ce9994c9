//! The local SQLite store: opening and checking the file, schema migrations, one writer
//! connection and a pool of read-only readers.
//!
//! The database runs in WAL mode, so readers see the last committed state and never wait
//! for a write (an import or a sync can run while the person searches). Writes go through
//! the single writer, each batch in one IMMEDIATE transaction.
//!
//! [`Store::open_read_only`] opens for queries only: nothing is written (no journal mode,
//! no migration), so a file without write permission, or in a read-only directory, can be
//! searched, and a query never waits for another process's write.

pub(crate) mod batch;
pub(crate) mod bulk;
mod contact_check;
pub(crate) mod contacts;
pub(crate) mod geocell;
pub(crate) mod index;
pub mod schema;
pub(crate) mod text_aside;
pub mod warnings;
pub(crate) mod write;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{Error, Result};
use crate::hours::HoursCache;

pub use batch::{Lined, StoredRecord};
pub use write::{DatasetInfo, RecordResult, WriteSummary, LOCAL_PREFIX};

/// Page cache of the writer connection, in KiB.
const WRITER_CACHE_KIB: i64 = 16 * 1024;

/// Distinct opening-hours expressions kept parsed.
const HOURS_CACHE_SIZE: usize = 4096;

/// Readers kept open for reuse; more are opened on demand and closed after use.
const POOLED_READERS: usize = 4;

/// SQLite's default: a commit that leaves more than this many pages in the write-ahead log
/// folds the log back into the database file before returning.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 1000;

/// A Faro database file, opened for reading and writing ([`Store::open`]) or for queries
/// only ([`Store::open_read_only`]).
pub struct Store {
    path: PathBuf,
    /// `None` when opened read-only.
    writer: Mutex<Option<Connection>>,
    /// How readers open the file.
    access: ReadAccess,
    readers: Mutex<Vec<Connection>>,
    hours: Mutex<HoursCache>,
    checkpointer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// How reader connections open the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadAccess {
    /// Read-only connections with SQLite's usual locking (they share the write-ahead log).
    Shared,
    /// `immutable=1`: no locks, no `-shm`/`-wal` files. Only for a file that nothing can be
    /// writing: a read-only directory holding no write-ahead log (see [`Store::open_read_only`]).
    Immutable,
}

/// The 16 bytes every SQLite 3 database file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    ///
    /// A file that is not a SQLite database, or is damaged, gives [`Error::Corrupt`]; one
    /// written by a newer Faro gives [`Error::SchemaTooNew`]. In both cases the file is
    /// not modified.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        check_header(&path)?;
        let mut writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| map_err(&path, e))?;
        // Read the version before anything that writes (journal mode changes the header).
        let version: i64 = writer
            .query_row("SELECT user_version FROM pragma_user_version, (SELECT count(*) FROM sqlite_master)", [], |r| {
                r.get(0)
            })
            .map_err(|e| map_err(&path, e))?;
        if version > schema::CURRENT_VERSION {
            return Err(Error::SchemaTooNew { path, found: version, supported: schema::CURRENT_VERSION });
        }
        configure(&writer).map_err(|e| map_err(&path, e))?;
        writer.pragma_update(None, "journal_mode", "WAL").map_err(|e| map_err(&path, e))?;
        // A large import dirties more pages than SQLite's default 2 MB cache holds; spilling
        // them mid-transaction writes and re-reads the log. 16 MB for the one writer.
        writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB).map_err(|e| map_err(&path, e))?;
        schema::migrate(&mut writer).map_err(|e| map_err(&path, e))?;
        Ok(Store {
            path,
            writer: Mutex::new(Some(writer)),
            access: ReadAccess::Shared,
            readers: Mutex::new(Vec::new()),
            hours: Mutex::new(HoursCache::new(HOURS_CACHE_SIZE)),
            checkpointer: Mutex::new(None),
        })
    }

    /// Opens an existing database for queries only: nothing is written to it, ever (no
    /// journal mode change, no migration, no checkpoint), so it works on a file without write
    /// permission, and a query never waits for a write another process holds.
    ///
    /// A database in WAL mode needs its `-shm` file; in a read-only directory without a
    /// write-ahead log (none can be written there) the file is opened `immutable=1`, as
    /// SQLite's documentation on read-only WAL databases prescribes. The schema must be
    /// current: an older one gives [`Error::SchemaOutdated`] (open it once with
    /// [`Store::open`] to upgrade it), a newer one [`Error::SchemaTooNew`], a damaged file
    /// [`Error::Corrupt`].
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        check_header(&path)?;
        let mut store = Store {
            path,
            writer: Mutex::new(None),
            access: ReadAccess::Shared,
            readers: Mutex::new(Vec::new()),
            hours: Mutex::new(HoursCache::new(HOURS_CACHE_SIZE)),
            checkpointer: Mutex::new(None),
        };
        let first = store.connect().and_then(|conn| Ok((schema_state(&conn)?, conn)));
        let ((version, reindex), conn) = match first {
            Ok(found) => found,
            // No -shm file and none can be created: a read-only directory. With no
            // write-ahead log there either, the database file alone is the whole database.
            Err(e) if cannot_open_shared(&e) && !wal_path(&store.path).exists() => {
                store.access = ReadAccess::Immutable;
                let conn = store.open_reader()?;
                (schema_state(&conn).map_err(|e| map_err(&store.path, e))?, conn)
            }
            Err(e) => return Err(map_err(&store.path, e)),
        };
        if version > schema::CURRENT_VERSION {
            return Err(Error::SchemaTooNew {
                path: store.path.clone(),
                found: version,
                supported: schema::CURRENT_VERSION,
            });
        }
        if version < schema::CURRENT_VERSION || reindex {
            return Err(Error::SchemaOutdated {
                path: store.path.clone(),
                found: version,
                current: schema::CURRENT_VERSION,
            });
        }
        store.readers.lock().map_err(|_| poisoned())?.push(conn);
        Ok(store)
    }

    /// True when opened with [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.writer.lock().map(|w| w.is_none()).unwrap_or(true)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with a read-only connection that sees the last committed state.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().map_err(|_| poisoned())?.pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.open_reader()?,
        };
        let out = f(&conn);
        let mut pool = self.readers.lock().map_err(|_| poisoned())?;
        if pool.len() < POOLED_READERS {
            pool.push(conn);
        }
        out.map_err(|e| self.corrupt_if_so(e))
    }

    /// Runs `f` with the writer connection (one writer at a time). A store opened read-only
    /// refuses with SQLite's "read-only" error, before anything is tried.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().map_err(|_| poisoned())?;
        let Some(conn) = guard.as_mut() else {
            return Err(Error::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some(format!("{} was opened read-only", self.path.display())),
            )));
        };
        f(conn).map_err(|e| self.corrupt_if_so(e))
    }

    /// The shared cache of parsed opening hours (many listings share an expression).
    pub(crate) fn hours_cache(&self) -> &Mutex<HoursCache> {
        &self.hours
    }

    /// Copies the write-ahead log back into the database file and truncates it. Readers
    /// then find pages in the main file instead of through the log's index; worth doing
    /// after a large import or sync. Readers active at the time keep working.
    pub fn checkpoint(&self) -> Result<()> {
        self.write(|conn| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
    }

    /// Runs `f` with the writer connection while SQLite does not fold the write-ahead log
    /// back into the database file at commit, then starts doing so on another thread: after
    /// a large import the caller gets its answer without waiting for a copy of everything it
    /// wrote (on a phone, seconds of flash writes). A PASSIVE checkpoint takes no lock that
    /// readers or the next write need; if it cannot finish, the next commit's automatic one
    /// does the rest.
    pub(crate) fn write_then_checkpoint<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let out = self.write(|conn| {
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
            let out = f(conn);
            conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
            out
        })?;
        self.checkpoint_in_background();
        Ok(out)
    }

    fn checkpoint_in_background(&self) {
        let Ok(mut running) = self.checkpointer.lock() else { return };
        if running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        if let Some(done) = running.take() {
            let _ = done.join();
        }
        let path = self.path.clone();
        *running = Some(std::thread::spawn(move || {
            // Failing here loses nothing: the log stays valid and a later checkpoint folds it.
            if let Ok(conn) =
                Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            {
                let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        }));
    }

    /// Runs SQLite's full integrity check; `Ok` when the file is sound.
    pub fn check_integrity(&self) -> Result<()> {
        // On a fresh connection: FTS5's integrity check reuses the index structure a pooled
        // reader cached at its last query without asking whether the writer changed it
        // since, and then reports a sound file as corrupt (SQLite 3.54).
        let conn = self.open_reader()?;
        let problems = integrity_problems(&conn).map_err(|e| map_err(&self.path, e))?;
        if problems == ["ok"] {
            Ok(())
        } else {
            Err(Error::Corrupt { path: self.path.clone(), detail: problems.join("; ") })
        }
    }

    fn open_reader(&self) -> Result<Connection> {
        self.connect().map_err(|e| map_err(&self.path, e))
    }

    /// A configured read-only connection.
    fn connect(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match self.access {
            ReadAccess::Shared => Connection::open_with_flags(&self.path, flags)?,
            ReadAccess::Immutable => {
                Connection::open_with_flags(immutable_uri(&self.path), flags | OpenFlags::SQLITE_OPEN_URI)?
            }
        };
        configure(&conn)?;
        Ok(conn)
    }

    fn corrupt_if_so(&self, e: Error) -> Error {
        match e {
            Error::Sqlite(inner) => map_err(&self.path, inner),
            other => other,
        }
    }
}

impl Drop for Store {
    /// Waits for a checkpoint started in the background, so that the files are settled
    /// when the store is gone.
    fn drop(&mut self) {
        if let Ok(mut running) = self.checkpointer.lock() {
            if let Some(handle) = running.take() {
                let _ = handle.join();
            }
        }
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "temp_store", 2)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// The schema version and whether an index rebuild is pending, read without writing. The
/// count of `sqlite_master` makes SQLite read the schema, so a damaged file fails here.
fn schema_state(conn: &Connection) -> rusqlite::Result<(i64, bool)> {
    let version: i64 = conn.query_row(
        "SELECT user_version FROM pragma_user_version, (SELECT count(*) FROM sqlite_master)",
        [],
        |r| r.get(0),
    )?;
    if version == 0 {
        return Ok((0, false));
    }
    let reindex = conn.query_row("SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'reindex')", [], |r| r.get(0))?;
    Ok((version, reindex))
}

/// The error SQLite gives a read-only connection to a WAL database whose `-shm` file does
/// not exist and cannot be created.
fn cannot_open_shared(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly))
}

/// `<path>-wal`, the write-ahead log next to the database.
fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

/// `file:<path>?immutable=1`, the path percent-encoded where a URI needs it.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'%' | b'?' | b'#' => uri.push_str(&format!("%{b:02X}")),
            _ if b.is_ascii() && !b.is_ascii_control() => uri.push(*b as char),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn integrity_problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let problems = stmt.query_map([], |r| r.get(0))?.collect();
    problems
}

fn poisoned() -> Error {
    Error::Internal("a previous operation panicked while holding the database".into())
}

/// Refuses, without touching it, a non-empty file that is not a SQLite database.
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::Io { path: path.to_path_buf(), source: e }),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(Error::Io { path: path.to_path_buf(), source: e }),
        }
    }
    if read == 0 || &head == SQLITE_HEADER {
        Ok(())
    } else {
        Err(Error::Corrupt {
            path: path.to_path_buf(),
            detail: "the file does not start with the SQLite header".into(),
        })
    }
}

/// Turns SQLite's corruption codes into [`Error::Corrupt`]; everything else stays SQLite.
fn map_err(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            Error::Corrupt { path: path.to_path_buf(), detail: e.to_string() }
        }
        _ => Error::Sqlite(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_a_fresh_database_at_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let (version, mode): (i64, String) = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT user_version, (SELECT journal_mode FROM pragma_journal_mode) FROM pragma_user_version",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .unwrap();
        assert_eq!(version, schema::CURRENT_VERSION);
        assert_eq!(mode, "wal");
        store.check_integrity().unwrap();
    }

    #[test]
    fn refuses_a_file_that_is_not_a_database_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, b"these are my notes, not a database").unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("notes.db"));
        assert_eq!(std::fs::read(&path).unwrap(), b"these are my notes, not a database");
    }

    #[test]
    fn refuses_a_newer_schema_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("CREATE TABLE future(x); PRAGMA user_version = 99;").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, Error::SchemaTooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("update Faro"));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn integrity_check_sees_what_the_writer_changed_since_the_last_check() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let info = DatasetInfo { name: "directory/test".into(), source: None, demo: true };
        let listings = |tag: &str, every: usize| {
            let tag = tag.to_string();
            (0..200).filter(move |i| i % every == 0).map(move |i| {
                let text =
                    format!(r#"{{"id":"demo:{i:04}","kind":"health","name":{{"es":"Clínica {i} {tag} (demo)"}}}}"#);
                Ok((None, serde_json::from_str::<crate::Listing>(&text).unwrap()))
            })
        };
        store.write_listings(&info, "a", listings("a", 1)).unwrap();
        store.check_integrity().unwrap();
        store.write_listings(&info, "b", listings("b", 10)).unwrap();
        store.check_integrity().unwrap();
    }

    /// A store holding one demo listing `demo:a`, whose stored record is then overwritten by
    /// `damage` (the JSON the store reads back).
    fn with_damaged_listing(damage: &str) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let info = DatasetInfo { name: "test/damage".into(), source: None, demo: true };
        let text = r#"{"id":"demo:a","kind":"health","name":{"es":"Clínica A (demo)"}}"#;
        let listing = serde_json::from_str::<crate::Listing>(text).unwrap();
        store.write_listings(&info, "a", [Ok((None, listing))]).unwrap();
        store.write(|c| Ok(c.execute("UPDATE listing_records SET record = ?1", [damage])?)).unwrap();
        (dir, store)
    }

    #[test]
    fn a_damaged_stored_listing_is_damaged_storage_not_a_bad_query() {
        let (_dir, store) = with_damaged_listing(r#"{"id":"demo:a","kind":"#);
        let err = store.get("demo:a").unwrap_err();
        match &err {
            Error::Damaged { what, detail } => {
                assert_eq!(what, "stored listing record demo:a");
                assert!(detail.contains("EOF"), "{detail}");
            }
            other => panic!("expected Damaged, got {other:?}"),
        }
        assert!(err.is_damage());
        assert!(err.to_string().contains("sync again"), "{err}");
        // A search that reaches the record says the same, naming the row, not the search.
        let q = crate::search::Query { text: Some("clinica".into()), ..Default::default() };
        let err = store.search(&q).unwrap_err();
        assert!(matches!(&err, Error::Damaged { what, .. } if what.starts_with("stored listing row")), "{err}");
        assert!(!err.to_string().contains("clinica"), "{err}");
        // An id that is not there is still NotFound, not a damage.
        assert!(matches!(store.get("demo:zz"), Err(Error::NotFound(_))));
    }

    #[test]
    fn unreadable_hours_are_damage_not_a_place_without_hours() {
        let (_dir, store) = with_damaged_listing(r#"{"id":"demo:a","kind":"health","name":{"es":"A (demo)"}}"#);
        // A blob, not text (a TEXT column keeps blobs as they are): an open-now search used to
        // read it as "no hours" and drop the place quietly.
        store.write(|c| Ok(c.execute("UPDATE listings SET opening_hours = x'3234'", [])?)).unwrap();
        let q = crate::search::Query { open_only: true, ..Default::default() };
        let err = store.search(&q).unwrap_err();
        assert!(err.is_damage(), "{err}");
    }

    #[test]
    fn a_poisoned_writer_is_internal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.write(|_| -> Result<()> { panic!("a defect while writing") })
        }));
        assert!(panicked.is_err());
        let err = store.write(|_| Ok(())).unwrap_err();
        assert!(matches!(&err, Error::Internal(m) if m.contains("panicked")), "{err}");
        assert!(err.to_string().contains("please report it"), "{err}");
    }
}
