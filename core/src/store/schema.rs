//! The database schema and its step-by-step migrations.
//!
//! `PRAGMA user_version` holds the schema version. Each step runs in its own IMMEDIATE
//! transaction and bumps the version inside it, so a crash mid-upgrade leaves the database
//! at the previous version, never half-migrated. Old steps are never edited: a change is a
//! new step, and `tests/` upgrades a database built at every earlier version. The schema the
//! steps leave is written out, to read, in `schema.sql` beside this file; a test replays the
//! steps and fails if the two differ, so a new step updates that file too.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::index;

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// One upgrade step, from `version - 1` to `version`.
pub struct Migration {
    /// Version reached after this step.
    pub version: i64,
    /// What the step does, for logs and errors.
    pub name: &'static str,
    /// The step itself: schema changes only, no Rust-computed data, so that an old step
    /// never depends on code written for a later schema.
    pub apply: fn(&Transaction<'_>) -> rusqlite::Result<()>,
    /// The step changes the derived search indexes: after the last step, they are rebuilt
    /// from the records with the current indexing code.
    pub reindex: bool,
}

/// Every step, in order; `MIGRATIONS[i].version == i + 1`.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "records, facets and datasets", apply: v1_records, reindex: false },
    Migration {
        version: 2,
        name: "search indexes (FTS5 text, R*Tree places)",
        apply: v2_search_indexes,
        reindex: true,
    },
    Migration { version: 3, name: "trusted sync state", apply: v3_sync_state, reindex: false },
    Migration { version: 4, name: "rights, warnings and contacts", apply: v4_rights_warnings_contacts, reindex: true },
    Migration {
        version: 5,
        name: "tags and grid cells in the listings row (no tag table, no R*Tree)",
        apply: v5_tags_and_cells_inline,
        reindex: true,
    },
    Migration {
        version: 6,
        name: "records of a dataset in id order (state hash without a sort)",
        apply: v6_dataset_id_order,
        reindex: false,
    },
    Migration {
        version: 7,
        name: "official contact names for lookalike checks",
        apply: v7_official_contact_names,
        reindex: true,
    },
    Migration {
        version: 8,
        name: "lighter listing indexes: 3-character prefixes, FTS5 merges of 16, no (dataset, id) index",
        apply: v8_lighter_text_index,
        reindex: true,
    },
    Migration {
        version: 9,
        name: "listing phone keys read as libphonenumber reads them (contact::phone)",
        apply: v9_phone_keys_reread,
        reindex: true,
    },
    Migration {
        version: 10,
        name: "warning phone keys read as libphonenumber reads them (contact::phone)",
        apply: v10_warning_phone_keys_reread,
        reindex: true,
    },
    Migration {
        version: 11,
        name: "report outbox (sealed reports waiting to be sent)",
        apply: v11_report_outbox,
        reindex: false,
    },
];

fn v1_records(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE datasets (
            name         TEXT PRIMARY KEY,
            source_name  TEXT,
            source_url   TEXT,
            license      TEXT,
            source_date  TEXT,
            demo         INTEGER NOT NULL DEFAULT 0,
            imported_at  TEXT NOT NULL
        );
        -- One narrow row per listing: the filter columns, copied out of the record so that
        -- queries never parse JSON and candidate lookups touch few pages.
        CREATE TABLE listings (
            rowid            INTEGER PRIMARY KEY,
            id               TEXT NOT NULL UNIQUE,
            dataset          TEXT NOT NULL REFERENCES datasets(name),
            kind             TEXT NOT NULL,
            status           TEXT NOT NULL,
            lat              REAL,
            lon              REAL,
            country          TEXT,
            represents       TEXT,
            cost             TEXT,
            papers_required  INTEGER,
            opening_hours    TEXT,
            timezone         TEXT,
            demo             INTEGER NOT NULL
        );
        -- The full record (JSON), read only for the hits a query returns.
        CREATE TABLE listing_records (
            listing  INTEGER PRIMARY KEY REFERENCES listings(rowid) ON DELETE CASCADE,
            record   TEXT NOT NULL
        );
        CREATE INDEX listings_by_kind ON listings(kind, status);
        CREATE INDEX listings_by_represents ON listings(represents) WHERE represents IS NOT NULL;
        CREATE INDEX listings_by_country ON listings(country, kind);
        CREATE INDEX listings_by_dataset ON listings(dataset);
        -- Multi-valued facets as 'service:asylum_help', 'lang:ht', 'serves:women', ...
        CREATE TABLE listing_tags (
            tag      TEXT NOT NULL,
            listing  INTEGER NOT NULL REFERENCES listings(rowid) ON DELETE CASCADE,
            PRIMARY KEY (tag, listing)
        ) WITHOUT ROWID;
        CREATE INDEX listing_tags_by_listing ON listing_tags(listing);
        ",
    )
}

fn v2_search_indexes(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- Contentless: the text lives in listings.record; the index only answers MATCH.
        -- remove_diacritics 2 folds accents ('juridica' finds 'Jurídica'); prefix indexes
        -- make search-as-you-type fast for the first characters.
        CREATE VIRTUAL TABLE listings_fts USING fts5(
            name, organization, description, services, place,
            content = '', contentless_delete = 1,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '1 2 3'
        );
        CREATE VIRTUAL TABLE listings_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);
        ",
    )
}

fn v3_sync_state(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- One row per dataset received through a verified sync or bundle: what version is
        -- here, the signed facts about it, and whether it could be confirmed as current.
        CREATE TABLE sync_datasets (
            name               TEXT PRIMARY KEY,
            content            TEXT NOT NULL,
            version            INTEGER NOT NULL,
            records            INTEGER NOT NULL,
            state_hash         TEXT NOT NULL,
            publisher          TEXT,
            published_at       TEXT,
            applied_at         TEXT NOT NULL,
            route              TEXT NOT NULL,
            unconfirmed_since  TEXT
        );
        -- The regions (datasets) the person chose; nothing else is downloaded.
        CREATE TABLE subscriptions (dataset TEXT PRIMARY KEY, added_at TEXT NOT NULL);
        -- Trusted TUF metadata, by role ('root', 'timestamp', 'snapshot', 'targets',
        -- delegated roles), exactly as received and verified.
        CREATE TABLE tuf_metadata (role TEXT PRIMARY KEY, bytes BLOB NOT NULL);
        -- Every root version verified, so a bundle can carry the chain to older phones.
        CREATE TABLE tuf_roots (version INTEGER PRIMARY KEY, bytes BLOB NOT NULL);
        ",
    )
}

fn v4_rights_warnings_contacts(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- Rights articles: the record (JSON) plus what queries filter on.
        CREATE TABLE articles (
            rowid        INTEGER PRIMARY KEY,
            id           TEXT NOT NULL UNIQUE,
            dataset      TEXT NOT NULL,
            reviewed_on  TEXT NOT NULL,
            demo         INTEGER NOT NULL,
            record       TEXT NOT NULL
        );
        CREATE INDEX articles_by_dataset ON articles(dataset);
        -- 'topic:asylum_refuge', 'country:MX', 'country:all'.
        CREATE TABLE article_tags (
            tag      TEXT NOT NULL,
            article  INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
            PRIMARY KEY (tag, article)
        ) WITHOUT ROWID;
        CREATE INDEX article_tags_by_article ON article_tags(article);
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, summary, body, refs, services,
            content = '', contentless_delete = 1,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '1 2 3'
        );
        -- Warnings: validity as Unix seconds so that 'active at' is two comparisons.
        CREATE TABLE warnings (
            rowid        INTEGER PRIMARY KEY,
            id           TEXT NOT NULL UNIQUE,
            dataset      TEXT NOT NULL,
            kind         TEXT NOT NULL,
            severity     TEXT NOT NULL,
            withdrawn    INTEGER NOT NULL,
            valid_from   INTEGER NOT NULL,
            valid_until  INTEGER,
            demo         INTEGER NOT NULL,
            record       TEXT NOT NULL
        );
        CREATE INDEX warnings_by_dataset ON warnings(dataset);
        CREATE INDEX warnings_by_kind ON warnings(kind);
        CREATE TABLE warning_countries (
            country  TEXT NOT NULL,
            warning  INTEGER NOT NULL REFERENCES warnings(rowid) ON DELETE CASCADE,
            PRIMARY KEY (country, warning)
        ) WITHOUT ROWID;
        CREATE INDEX warning_countries_by_warning ON warning_countries(warning);
        -- Bounding boxes of circles and polygons; a circle across the antimeridian has two.
        CREATE VIRTUAL TABLE warnings_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);
        CREATE TABLE warning_boxes (
            box      INTEGER PRIMARY KEY,
            warning  INTEGER NOT NULL REFERENCES warnings(rowid) ON DELETE CASCADE
        );
        CREATE INDEX warning_boxes_by_warning ON warning_boxes(warning);
        -- Normalized indicators ('tel:+1...', 'web:host', 'mail:a@b', 'handle:name').
        CREATE TABLE warning_indicators (
            key      TEXT NOT NULL,
            warning  INTEGER NOT NULL REFERENCES warnings(rowid) ON DELETE CASCADE,
            PRIMARY KEY (key, warning)
        ) WITHOUT ROWID;
        CREATE INDEX warning_indicators_by_warning ON warning_indicators(warning);
        -- Contacts of listings, derived like the other listing indexes. `official`: the
        -- listing is verified and active. `detail`: a link's path, a handle's network.
        CREATE TABLE listing_contacts (
            key       TEXT NOT NULL,
            listing   INTEGER NOT NULL REFERENCES listings(rowid) ON DELETE CASCADE,
            official  INTEGER NOT NULL,
            detail    TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX listing_contacts_by_key ON listing_contacts(key, official);
        CREATE INDEX listing_contacts_by_listing ON listing_contacts(listing);
        ",
    )
}

/// Faster imports: each listing's facet tags and place move into its `listings` row (the
/// tag table cost one insert per tag and the R*Tree 40 % of an import); the place is a
/// grid cell under a B-tree index (see `store::geocell`). The reindex fills both columns.
fn v5_tags_and_cells_inline(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- ' lang:es service:food serves:women ': space before and after every tag, so that
        -- a filter is instr(tags, ' service:food ').
        ALTER TABLE listings ADD COLUMN tags TEXT NOT NULL DEFAULT '';
        -- Morton code of the quantized latitude and longitude; NULL without a location.
        ALTER TABLE listings ADD COLUMN geocell INTEGER;
        -- Covering: a box is read from the index alone, its edges checked there.
        CREATE INDEX listings_by_geocell ON listings(geocell, lat, lon) WHERE geocell IS NOT NULL;
        DROP TABLE listing_tags;
        DROP TABLE listings_geo;
        ",
    )
}

fn v6_dataset_id_order(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- The state hash reads a dataset's records in id order after every sync. Without an
        -- index in that order SQLite sorted them all in memory (60 MB at 100k listings).
        CREATE INDEX listings_by_dataset_id ON listings(dataset, id);
        DROP INDEX listings_by_dataset;
        CREATE INDEX articles_by_dataset_id ON articles(dataset, id);
        DROP INDEX articles_by_dataset;
        CREATE INDEX warnings_by_dataset_id ON warnings(dataset, id);
        DROP INDEX warnings_by_dataset;
        ",
    )
}

fn v7_official_contact_names(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- Derived from listing_contacts (see contact::names): one row per official web,
        -- e-mail or handle key, with what a lookalike is compared by. family: 'host' (web
        -- sites, e-mail domains) or 'handle'; host: empty for handles; name: the host's
        -- registrable label, or the handle; plain: its skeleton without digit tricks and
        -- separators.
        CREATE TABLE official_names (
            key     TEXT PRIMARY KEY,
            family  TEXT NOT NULL,
            host    TEXT NOT NULL,
            name    TEXT NOT NULL,
            plain   TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX official_names_by_host ON official_names(family, host);
        CREATE INDEX official_names_by_name ON official_names(family, name);
        CREATE INDEX official_names_by_plain ON official_names(family, plain);
        -- Each name cut into one more part than the edits allowed at its length (its shown
        -- form, in characters): candidates for small edits are found by an intact part.
        CREATE TABLE official_name_parts (
            family  TEXT NOT NULL,
            length  INTEGER NOT NULL,
            part    INTEGER NOT NULL,
            text    TEXT NOT NULL,
            name    TEXT NOT NULL,
            PRIMARY KEY (family, length, part, text, name)
        ) WITHOUT ROWID;
        ",
    )
}

/// Faster imports (`docs/benchmarks.md`): the 1- and 2-character prefix indexes took a
/// third of an import and the query side no longer asks for them (`search::fts`); FTS5
/// merges 16 segments of a level at a time instead of 4, so a large import rewrites its
/// text index fewer times; the `(dataset, id)` index of step 6 gives way to the id index.
fn v8_lighter_text_index(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        DROP TABLE listings_fts;
        CREATE VIRTUAL TABLE listings_fts USING fts5(
            name, organization, description, services, place,
            content = '', contentless_delete = 1,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '3'
        );
        INSERT INTO listings_fts(listings_fts, rank) VALUES ('automerge', 16);
        INSERT INTO listings_fts(listings_fts, rank) VALUES ('crisismerge', 64);
        -- A dataset's records in id order come from the id index (sync::content), which
        -- every listing needs anyway: one index fewer to write per listing.
        DROP INDEX listings_by_dataset_id;
        ",
    )
}

/// No schema change: the contact index's phone keys (`tel:+...`) are derived with the phone
/// reader of `contact::phone` since this version, which reads some stored numbers
/// differently from the `phonenumber` crate's parser (Mexico's `+52 1` form, national
/// prefixes the crate stripped from valid numbers); the reindex rebuilds them.
fn v9_phone_keys_reread(_tx: &Transaction<'_>) -> rusqlite::Result<()> {
    Ok(())
}

/// Nothing changes in the schema: the rebuild after the last step reads the warnings'
/// indicator keys again from their records (`store::warnings::rebuild_indicators`), as step
/// 9 did for the listings' contact keys, which the rebuild also redoes.
fn v10_warning_phone_keys_reread(_tx: &Transaction<'_>) -> rusqlite::Result<()> {
    Ok(())
}

/// Reports written on the phone, sealed to the publisher at once (`reports`): `envelope` is
/// ciphertext this phone cannot read, dropped once the receiver has it; the other columns are
/// what the status list shows. `created` is this phone's clock (it never leaves the phone).
fn v11_report_outbox(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        CREATE TABLE report_outbox (
            id               INTEGER PRIMARY KEY,
            idempotency_key  TEXT NOT NULL UNIQUE,
            kind             TEXT NOT NULL,
            sub_kind         TEXT,
            listing          TEXT,
            created          TEXT NOT NULL,
            status           TEXT NOT NULL
                CHECK (status IN ('queued', 'sending', 'sent', 'refused', 'cancelled')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_try         TEXT,
            key_id           TEXT NOT NULL,
            envelope         BLOB,
            last_error       TEXT,
            sent             TEXT
        );
        CREATE INDEX report_outbox_by_status ON report_outbox(status, id);
        ",
    )
}

/// Brings `conn` from its current version to [`CURRENT_VERSION`], one step per
/// transaction, then rebuilds the search indexes if a step asked for it (in one more
/// transaction: until it commits, the old records stay and the rebuild runs again on the
/// next open). The caller has checked that the version is not newer than this build.
/// Returns the version the database was at.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<i64> {
    let start: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut reindex = false;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read inside the write lock: another process may have migrated meanwhile.
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(step) = MIGRATIONS.iter().find(|m| m.version == version + 1) else {
            tx.commit()?;
            break;
        };
        (step.apply)(&tx)?;
        // A fresh database has nothing to index.
        reindex |= step.reindex && version > 0;
        if reindex {
            tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('reindex', '1')", [])?;
        }
        tx.pragma_update(None, "user_version", step.version)?;
        tx.commit()?;
    }
    let pending: bool = conn.query_row("SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'reindex')", [], |r| r.get(0))?;
    if pending {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        index::rebuild(&tx)?;
        tx.execute("DELETE FROM meta WHERE key = 'reindex'", [])?;
        tx.commit()?;
    }
    Ok(start)
}

/// Builds a database at exactly `version` (0 = empty), for upgrade tests.
#[doc(hidden)]
pub fn build_at_version(conn: &mut Connection, version: i64) -> rusqlite::Result<()> {
    for step in MIGRATIONS.iter().take_while(|m| m.version <= version) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        (step.apply)(&tx)?;
        tx.pragma_update(None, "user_version", step.version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_in_order() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, CURRENT_VERSION);
    }

    /// A database's schema: its version, its objects (type, name, table, normalized SQL)
    /// and its FTS5 settings (table, key, value).
    type Schema = (i64, Vec<(String, String, String, Option<String>)>, Vec<(String, String, String)>);

    /// What a database's schema is, to compare: its version, every object of
    /// `sqlite_master` but the shadow tables SQLite makes for FTS5 and R*Tree, by (type,
    /// name) with its table and normalized SQL, and the FTS5 settings rows (`*_config`).
    fn schema_of(conn: &Connection) -> Schema {
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        let shadow: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_list WHERE type = 'shadow' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut objects: Vec<(String, String, String, Option<String>)> = conn
            .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<String>>(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .into_iter()
            .filter(|(_, name, _, _)| !shadow.contains(name))
            .map(|(kind, name, table, sql)| (kind, name, table, sql.as_deref().map(normalized)))
            .collect();
        objects.sort();
        let mut settings = Vec::new();
        for table in shadow.iter().filter(|t| t.ends_with("_config")) {
            let sql = format!("SELECT k, quote(v) FROM \"{table}\" ORDER BY k");
            let mut stmt = conn.prepare(&sql).unwrap();
            let rows = stmt.query_map([], |r| Ok((table.clone(), r.get(0)?, r.get(1)?))).unwrap();
            settings.extend(rows.collect::<rusqlite::Result<Vec<_>>>().unwrap());
        }
        (version, objects, settings)
    }

    /// `sql` without `--` comments, with runs of spacing made one space and none around
    /// parentheses and commas: how a statement reads whatever its layout (SQLite keeps the
    /// text of each CREATE as written, and appends an added column after the last one).
    fn normalized(sql: &str) -> String {
        let code: Vec<&str> = sql.lines().map(|l| l.find("--").map_or(l, |i| &l[..i])).collect();
        let spaced = code.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
        spaced.replace("( ", "(").replace(" )", ")").replace(" ,", ",").replace(", ", ",")
    }

    #[test]
    fn schema_sql_is_what_the_migrations_build() {
        let mut migrated = Connection::open_in_memory().unwrap();
        migrate(&mut migrated).unwrap();
        let written = Connection::open_in_memory().unwrap();
        written.execute_batch(include_str!("schema.sql")).unwrap();
        let (want, got) = (schema_of(&migrated), schema_of(&written));
        assert_eq!(got.0, CURRENT_VERSION, "schema.sql sets another user_version");
        let missing: Vec<_> = want.1.iter().filter(|o| !got.1.contains(o)).collect();
        let extra: Vec<_> = got.1.iter().filter(|o| !want.1.contains(o)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "core/src/store/schema.sql differs from the migrations:\nbuilt by the migrations, not in the file: {missing:#?}\nin the file, not built: {extra:#?}"
        );
        assert_eq!(got.2, want.2, "FTS5 settings differ");
        // Not vacuous: every table the store reads is there.
        for table in ["listings", "listing_records", "listings_fts", "sync_datasets", "articles", "warnings"] {
            assert!(want.1.iter().any(|(kind, name, _, _)| kind == "table" && name == table), "{table}");
        }
    }

    #[test]
    fn normalizing_ignores_layout_and_comments_only() {
        assert_eq!(
            normalized("CREATE TABLE t (\n  a  TEXT, -- why\n  b INTEGER\n)"),
            "CREATE TABLE t (a TEXT,b INTEGER)"
        );
        assert_ne!(normalized("CREATE TABLE t (a TEXT)"), normalized("CREATE TABLE t (a INTEGER)"));
    }
}
