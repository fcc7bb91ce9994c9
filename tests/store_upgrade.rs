//! Upgrading: a database built at every earlier schema version, holding data, opens with
//! this build, keeps every record, ends with exactly the schema a fresh database has, and
//! its records are searchable (the indexes were rebuilt).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use faro_core::search::Query;
use faro_core::store::schema::{build_at_version, CURRENT_VERSION, MIGRATIONS};
use faro_core::Store;
use rusqlite::Connection;

/// A listing as version 1 stored it: filter columns in `listings`, JSON in `listing_records`.
const V1_RECORD: &str = r#"{"id":"demo:upgrade-01","kind":"legal_aid","services":["asylum_help"],"name":{"es":"Asesoría Jurídica Antigua (demo)","ht":"Asistans legal (demo)"},"location":{"lat":14.9056,"lon":-92.2636},"address":{"locality":"Tapachula","country":"MX"},"languages":["es","ht"],"opening_hours":"Mo-Fr 09:00-17:00","timezone":"America/Mexico_City","cost":"free","demo":true}"#;

fn insert_v1_data(conn: &Connection) {
    conn.execute_batch("INSERT INTO datasets(name, demo, imported_at) VALUES ('demo/old', 1, '2026-01-01T00:00:00Z');")
        .unwrap();
    conn.execute(
        "INSERT INTO listings(id, dataset, kind, status, lat, lon, country, represents, cost, papers_required,
                              opening_hours, timezone, demo)
         VALUES ('demo:upgrade-01', 'demo/old', 'legal_aid', 'active', 14.9056, -92.2636, 'MX', NULL, 'free', NULL,
                 'Mo-Fr 09:00-17:00', 'America/Mexico_City', 1)",
        [],
    )
    .unwrap();
    conn.execute("INSERT INTO listing_records(listing, record) SELECT rowid, ?1 FROM listings", [V1_RECORD]).unwrap();
    // Up to version 4 tags had a table of their own; since 5 they are a column.
    let tag_table: bool = conn
        .query_row("SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE name = 'listing_tags')", [], |r| r.get(0))
        .unwrap();
    let tag_sql = if tag_table {
        "INSERT INTO listing_tags(tag, listing) SELECT 'service:asylum_help', rowid FROM listings"
    } else {
        "UPDATE listings SET tags = ' service:asylum_help '"
    };
    conn.execute(tag_sql, []).unwrap();
}

/// Every table, index and trigger definition, sorted, for comparison.
fn schema_of(path: &std::path::Path) -> Vec<(String, String)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, ifnull(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn upgrades_from_every_earlier_version() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    let fresh_schema = schema_of(&fresh);
    const { assert!(CURRENT_VERSION >= 2, "this test must see at least one real upgrade") };

    for from in 0..CURRENT_VERSION {
        let path = dir.path().join(format!("from-v{from}.db"));
        {
            let mut conn = Connection::open(&path).unwrap();
            build_at_version(&mut conn, from).unwrap();
            if from >= 1 {
                insert_v1_data(&conn);
                // The rows above carry no index entries. Where no later step rebuilds the
                // indexes, ask for the rebuild that version's own writes would have done.
                let later_reindex = MIGRATIONS.iter().any(|m| m.version > from && m.reindex);
                if !later_reindex {
                    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('reindex', '1')", []).unwrap();
                }
            }
        }
        let store = Store::open(&path).unwrap_or_else(|e| panic!("upgrade from v{from}: {e}"));
        let version: i64 = store.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
        assert_eq!(version, CURRENT_VERSION, "from v{from}");
        store.check_integrity().unwrap();
        drop(store);
        assert_eq!(schema_of(&path), fresh_schema, "schema after upgrading from v{from} differs from a fresh one");

        if from >= 1 {
            let store = Store::open(&path).unwrap();
            let listing = store.get("demo:upgrade-01").expect("record kept through the upgrade");
            assert_eq!(listing.name.len(), 2);
            // The search indexes were built from the old records.
            let hits = store.search(&Query { text: Some("juridica antig".into()), ..Query::default() }).unwrap();
            assert_eq!(hits.len(), 1, "from v{from}: text index rebuilt");
            let near = store
                .search(&Query {
                    near: faro_core::geo::Point::new(14.90, -92.26),
                    radius_m: Some(2_000.0),
                    ..Query::default()
                })
                .unwrap();
            assert_eq!(near.len(), 1, "from v{from}: place index rebuilt");
            // The tags were rebuilt from the record, whatever the old tables held.
            let by_service =
                |service| store.search(&Query { services: vec![service], ..Query::default() }).unwrap().len();
            assert_eq!(by_service(faro_core::model::ServiceCode::AsylumHelp), 1, "from v{from}: tags rebuilt");
            assert_eq!(by_service(faro_core::model::ServiceCode::Vaccination), 0, "from v{from}");
        }
    }
}

#[test]
fn an_interrupted_reindex_runs_again_on_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("half.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        build_at_version(&mut conn, CURRENT_VERSION).unwrap();
        insert_v1_data(&conn);
        // As if the process died after the last step but before the rebuild committed.
        conn.execute("INSERT INTO meta(key, value) VALUES ('reindex', '1')", []).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let hits = store.search(&Query { text: Some("asistans".into()), ..Query::default() }).unwrap();
    assert_eq!(hits.len(), 1);
}

/// The keys `sql` selects (one text column).
fn keys(store: &Store, sql: &str) -> Vec<String> {
    store
        .read(|c| {
            let mut stmt = c.prepare(sql)?;
            let keys = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(keys)
        })
        .unwrap()
}

/// A database file at `path` built at schema `version`.
fn database_at(path: &std::path::Path, version: i64) -> Connection {
    let mut conn = Connection::open(path).unwrap();
    build_at_version(&mut conn, version).unwrap();
    conn
}

#[test]
fn phone_keys_are_read_again_when_upgrading_to_version_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        build_at_version(&mut conn, 8).unwrap();
        insert_v1_data(&conn);
        // A Mexican number stored in its pre-2019 +52 1 form, which version 8's reader called
        // invalid and left out of the contact index.
        let record = V1_RECORD.replace(r#""cost":"free""#, r#""cost":"free","phones":[{"number":"+5219625550199"}]"#);
        conn.execute("UPDATE listing_records SET record = ?1", [record]).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(keys(&store, "SELECT key FROM listing_contacts WHERE key LIKE 'tel:%'"), ["tel:+529625550199"]);
    let at = "2026-12-01T18:00:00Z".parse().unwrap();
    let c = store.check_contact("+52 1 962 555 0199", None, at, &faro_core::LangPrefs::default()).unwrap();
    assert_eq!(c.verdict, faro_core::contact::Verdict::Listed);
}

/// A warning as versions up to 9 could store it: a Mexican mobile number in its pre-2019
/// `+52 1` form, in the record and in its indicator key.
const V9_WARNING: &str = r#"{"id":"demo:w-old-keys","kind":"impersonation","severity":"severe","area":{"countries":["MX"]},"valid_from":"2026-11-01T00:00:00Z","headline":{"en":"Fake lawyer asking for money (demo)"},"indicators":{"phones":["+5219625550199"]},"issuer":{"name":"demo"},"demo":true}"#;

#[test]
fn warning_phone_keys_are_read_again_when_upgrading_to_version_10() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v9.db");
    {
        let conn = database_at(&path, 9);
        conn.execute(
            "INSERT INTO warnings(id, dataset, kind, severity, withdrawn, valid_from, valid_until, demo, record)
             VALUES ('demo:w-old-keys', 'warnings/old', 'impersonation', 'severe', 0, 1761955200, NULL, 1, ?1)",
            [V9_WARNING],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO warning_indicators(key, warning) SELECT 'tel:+5219625550199', rowid FROM warnings",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        keys(&store, "SELECT key FROM warning_indicators"),
        ["tel:+529625550199"],
        "the old key is replaced by the one a check looks up"
    );
    let at = "2026-12-01T18:00:00Z".parse().unwrap();
    for input in ["+52 962 555 0199", "+52 1 962 555 0199", "https://wa.me/5219625550199"] {
        let c = store.check_contact(input, None, at, &faro_core::LangPrefs::default()).unwrap();
        assert_eq!(c.verdict, faro_core::contact::Verdict::Warning, "{input}");
        assert_eq!(c.matches[0].id, "demo:w-old-keys");
    }
    // The record itself is kept as it was (a synced dataset's state hash rests on it).
    let record: String = store.read(|c| Ok(c.query_row("SELECT record FROM warnings", [], |r| r.get(0))?)).unwrap();
    assert_eq!(record, V9_WARNING);
}
