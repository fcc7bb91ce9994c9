//! Bulk loads: a large snapshot written into a table that holds less than it brings builds
//! some secondary indexes once at the end instead of updating them on every row.
//!
//! SQLite updates each index of a table on every insert, one random B-tree descent per
//! index per row. `CREATE INDEX` instead sorts the keys and writes the B-tree in order,
//! which costs a fraction of that for the same rows (docs/benchmarks.md, "Sync"). Only
//! indexes that no statement of the write path reads may be deferred: the id index (which
//! `ON CONFLICT(id)` and the ownership checks use) and the contact indexes (which deletes
//! use) are never in the list.
//!
//! Everything happens inside the caller's transaction: SQLite's schema changes are
//! transactional, so a rolled-back apply leaves the indexes exactly as they were, and
//! readers on other connections keep seeing the old schema and data until the commit.

use rusqlite::Transaction;

use crate::error::Result;

/// The query-side indexes of `listings` that a bulk load builds after its rows: the grid
/// cell index (schema step 5), whose keys arrive in no order, so that every row costs a
/// descent to another leaf page. No statement of the write path reads it.
///
/// The other query indexes (`listings_by_kind`, `_by_represents`, `_by_country`) have a few
/// dozen distinct keys, and a new row's entry goes to the end of its key's run (row ids
/// grow): a handful of leaf pages that stay in the cache take every insert, which costs
/// less than scanning the whole table again for each index after the rows (built at the
/// end, the four took a sixth of the writer's time; docs/benchmarks.md, "Sync"). Never the
/// id index, which every put reads, nor the contact indexes, which deletes read.
pub(crate) const LISTING_INDEXES: &[&str] = &["listings_by_geocell"];

/// Rows a load must bring before deferring pays: below it, rebuilding an index over the
/// rows already stored could cost more than the updates it saves.
pub(crate) const MIN_ROWS: u64 = 5_000;

/// Indexes dropped for a bulk load, with the SQL that creates them again.
#[must_use = "the dropped indexes must be created again with `restore`"]
pub(crate) struct Deferred {
    indexes: Vec<(String, String)>,
}

impl Deferred {
    /// Nothing deferred.
    pub(crate) fn none() -> Deferred {
        Deferred { indexes: Vec::new() }
    }

    /// Drops `names` (those that exist) when `incoming` rows are at least [`MIN_ROWS`] and at
    /// least what `table` holds now; otherwise drops nothing. The `CREATE INDEX` statements
    /// are read from the schema itself, so a later migration that changes an index is
    /// restored as it then is.
    pub(crate) fn drop_if_worth_it(
        tx: &Transaction<'_>,
        table: &str,
        names: &[&str],
        incoming: u64,
    ) -> Result<Deferred> {
        if names.is_empty() || incoming < MIN_ROWS || held(tx, table)? > incoming {
            return Ok(Deferred::none());
        }
        Deferred::drop_now(tx, table, names)
    }

    /// Drops `names` (those that exist) whatever the sizes: for a caller that has already
    /// decided (a streaming import that has brought as many rows as the table held, see
    /// `store::write`).
    pub(crate) fn drop_now(tx: &Transaction<'_>, table: &str, names: &[&str]) -> Result<Deferred> {
        let mut indexes = Vec::new();
        let mut stmt = tx.prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
        )?;
        let mut rows = stmt.query([table])?;
        while let Some(row) = rows.next()? {
            let name: String = row.get(0)?;
            if names.contains(&name.as_str()) {
                indexes.push((name, row.get(1)?));
            }
        }
        drop(rows);
        for (name, _) in &indexes {
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        Ok(Deferred { indexes })
    }

    /// How many indexes were dropped.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.indexes.len()
    }

    /// Creates the dropped indexes again, inside the same transaction.
    pub(crate) fn restore(self, tx: &Transaction<'_>) -> Result<()> {
        for (_, sql) in &self.indexes {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// Rows `table` holds now.
pub(crate) fn held(tx: &Transaction<'_>, table: &str) -> Result<u64> {
    let held: i64 = tx.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get(0))?;
    Ok(held as u64)
}

/// Every index of the database with its SQL (empty for automatic ones), by name: what the
/// tests compare before and after a bulk load.
#[cfg(test)]
pub(crate) fn schema(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, TransactionBehavior};

    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t(id TEXT UNIQUE, k TEXT, c TEXT);
             CREATE INDEX t_by_k ON t(k, c);
             CREATE INDEX t_by_c ON t(c) WHERE c IS NOT NULL;",
        )
        .unwrap();
        conn
    }

    #[test]
    fn indexes_come_back_as_they_were_and_a_rollback_keeps_them() {
        let mut conn = db();
        let before = schema(&conn).unwrap();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
        let deferred = Deferred::drop_if_worth_it(&tx, "t", &["t_by_k", "t_by_c", "absent"], MIN_ROWS).unwrap();
        assert_eq!(deferred.len(), 2);
        assert_eq!(schema(&tx).unwrap().len(), 1, "only the UNIQUE index stays during the load");
        for i in 0..100 {
            tx.execute("INSERT INTO t VALUES (?1, ?2, ?3)", (format!("id{i}"), format!("k{}", i % 7), None::<String>))
                .unwrap();
        }
        deferred.restore(&tx).unwrap();
        tx.commit().unwrap();
        assert_eq!(schema(&conn).unwrap(), before);
        let plan: String =
            conn.query_row("EXPLAIN QUERY PLAN SELECT id FROM t WHERE k = 'k3'", [], |r| r.get(3)).unwrap();
        assert!(plan.contains("t_by_k"), "{plan}");

        // Dropped, then the transaction is abandoned: the indexes are still there.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
        let deferred = Deferred::drop_if_worth_it(&tx, "t", &["t_by_k"], MIN_ROWS).unwrap();
        assert_eq!(deferred.len(), 1);
        drop(tx);
        assert_eq!(schema(&conn).unwrap(), before);
    }

    #[test]
    fn small_loads_and_loads_smaller_than_the_table_keep_their_indexes() {
        let mut conn = db();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
        assert_eq!(Deferred::drop_if_worth_it(&tx, "t", &["t_by_k"], MIN_ROWS - 1).unwrap().len(), 0);
        for i in 0..MIN_ROWS + 1 {
            tx.execute("INSERT INTO t VALUES (?1, 'k', 'c')", [format!("id{i}")]).unwrap();
        }
        assert_eq!(Deferred::drop_if_worth_it(&tx, "t", &["t_by_k"], MIN_ROWS).unwrap().len(), 0);
        assert_eq!(Deferred::drop_if_worth_it(&tx, "t", &["t_by_k"], MIN_ROWS + 1).unwrap().len(), 1);
    }
}
