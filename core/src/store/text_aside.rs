//! The text index of a first large snapshot, built aside on a third thread.
//!
//! Filling the FTS5 index (tokenizing, its in-memory term table, flushing and merging
//! segments) is about a third of what the writer does per listing, and the writer is the
//! thread an apply waits for. When a snapshot of at least [`super::bulk::MIN_ROWS`]
//! listings arrives into a store that holds no listing at all (a phone's first sync, or a
//! first bundle), nothing in the index needs to be kept: another thread builds the same
//! index, with the same definition and settings, in a scratch database next to the store
//! while the writer inserts the rows, and the writer then copies its tables (`_data`,
//! `_idx`, `_docsize`, `_config`) into a freshly created `listings_fts`, inside the apply's
//! one transaction. On a phone's free cores the writer's share falls by that third; the
//! copy is a few thousand page-sized blobs.
//!
//! Why this is safe: the index is derived data with a fixed format (FTS5 reads its tables
//! and nothing else), both sides run the same SQLite, and the table is dropped and created
//! again before the copy, so no cached state of the old table in this connection can be
//! used with the new contents. Any failure fails the apply, which rolls back whole; the
//! scratch file is removed on every path (and, after a killed apply, when the sync lock is
//! next taken). Tests compare the answers of text queries with an index built the ordinary
//! way and run FTS5's own integrity check, before and after a delta.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use rusqlite::types::Value;
use rusqlite::{Connection, Transaction};

use crate::error::Result;

/// The text index table whose contents can be built aside.
pub(crate) const TABLE: &str = "listings_fts";

/// Its shadow tables that hold the index, copied whole (`_config` is copied separately).
const SHADOWS: &[&str] = &["data", "idx", "docsize"];

/// A listing's row id and its five indexed columns (`store::index::search_text`).
pub(crate) type Text = (i64, [String; 5]);

/// What the building thread needs from the store: where to build, and the table's exact
/// definition and settings.
pub(crate) struct Plan {
    /// The scratch database (removed when the plan is dropped).
    path: PathBuf,
    /// `CREATE VIRTUAL TABLE listings_fts ...` as the store's schema has it.
    create_sql: String,
    /// The table's settings rows (`automerge`, `crisismerge`, ...), not its version.
    config: Vec<(String, Value)>,
}

impl Plan {
    /// A plan when the index can be built aside: a file-backed store whose `listings` and
    /// text index are empty (checked by the caller for the rows, here for the index's
    /// definition). `None` for an in-memory store.
    pub(crate) fn new(tx: &Transaction<'_>) -> Result<Option<Plan>> {
        let Some(db) = tx.path().filter(|p| !p.is_empty()) else { return Ok(None) };
        let create_sql: String =
            tx.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", [TABLE], |r| r.get(0))?;
        let config = tx
            .prepare(&format!("SELECT k, v FROM {TABLE}_config WHERE k != 'version'"))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let path = scratch_path(Path::new(db));
        remove(&path);
        Ok(Some(Plan { path, create_sql, config }))
    }

    /// Builds the index of every text arriving on `texts` (in row id order) in the scratch
    /// database, in one transaction. Runs on its own thread; returns when `texts` closes.
    pub(crate) fn build(&self, texts: Receiver<Vec<Text>>) -> Result<()> {
        let mut conn = Connection::open(&self.path)?;
        // Scratch data: nothing to recover after a crash, the file is removed.
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -4096;")?;
        conn.execute_batch(&self.create_sql)?;
        for (key, value) in &self.config {
            conn.execute(
                &format!("INSERT INTO {TABLE}({TABLE}, rank) VALUES (?1, ?2)"),
                rusqlite::params![key, value],
            )?;
        }
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare(super::index::INSERT_TEXT_SQL)?;
            for batch in texts {
                for (rowid, [name, org, description, services, place]) in batch {
                    insert.execute(rusqlite::params![rowid, name, org, description, services, place])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces the store's (empty) text index with the one built aside, inside `tx`.
    pub(crate) fn install(&self, tx: &Transaction<'_>) -> Result<()> {
        let scratch = Connection::open_with_flags(&self.path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        // A new table: nothing this connection cached about the old one applies to it.
        tx.execute_batch(&format!("DROP TABLE {TABLE}"))?;
        tx.execute_batch(&self.create_sql)?;
        for shadow in SHADOWS.iter().chain(["config"].iter()) {
            let table = format!("{TABLE}_{shadow}");
            tx.execute_batch(&format!("DELETE FROM {table}"))?;
            let mut read = scratch.prepare(&format!("SELECT * FROM {table}"))?;
            let columns = read.column_count();
            let marks = vec!["?"; columns].join(", ");
            let mut write = tx.prepare(&format!("INSERT INTO {table} VALUES ({marks})"))?;
            let mut rows = read.query([])?;
            while let Some(row) = rows.next()? {
                // Bound as read (borrowed), without a copy per value.
                let values = (0..columns)
                    .map(|i| row.get_ref(i).map(rusqlite::types::ToSqlOutput::Borrowed))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                write.execute(rusqlite::params_from_iter(values))?;
            }
        }
        Ok(())
    }
}

impl Drop for Plan {
    fn drop(&mut self) {
        remove(&self.path);
    }
}

/// Where the text index of the store at `db` is built aside.
fn scratch_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-text-build");
    PathBuf::from(name)
}

/// Removes a scratch file that an apply killed midway left beside the store at `db`. Only
/// for a caller that holds the sync lock, so that no apply of any process is using it.
pub(crate) fn remove_stale(db: &Path) {
    remove(&scratch_path(db));
}

/// Removes the scratch file and the journal SQLite may have left beside it.
fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(format!("{}-journal", path.display()));
}
