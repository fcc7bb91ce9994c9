//! What this device holds and how current it is: subscriptions, per-dataset status, and
//! the small facts a sync remembers (`meta` rows named `sync.*`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::apply::SyncRoute;
use super::content::ContentKind;
use crate::clock::TrustedTime;
use crate::error::{Error, Result};
use crate::store::Store;

pub(crate) use crate::clock::NEWEST_SIGNED;
/// `meta` key: when (trusted time) the repository was last confirmed current.
pub(crate) const VERIFIED_AT: &str = "sync.verified_at";
/// `meta` key: expiry of the trusted timestamp: after it, data is "not confirmed".
pub(crate) const CONFIRMED_UNTIL: &str = "sync.confirmed_until";
/// `meta` key: HTTP validators of the last `timestamp.json` (JSON).
pub(crate) const TIMESTAMP_VALIDATORS: &str = "sync.timestamp_validators";

/// `meta` key prefix (then the dataset name): trusted time when data that came by bundle was
/// verified, until an online sync confirms that dataset.
const BUNDLE_VERIFIED_AT: &str = "sync.bundle_verified_at:";
/// `meta` key prefix (then the dataset name): expiry of the timestamp of the bundle the data
/// came by; after it the data is stale, as after an HTTP sync's timestamp expiry.
const BUNDLE_CONFIRMED_UNTIL: &str = "sync.bundle_confirmed_until:";

/// Records that `dataset` came by a bundle verified at `verified_at` whose timestamp expires
/// at `confirmed_until`: its status is judged by these, not by the last online sync.
pub(crate) fn set_bundle_confirmation(
    conn: &Connection,
    dataset: &str,
    verified_at: DateTime<Utc>,
    confirmed_until: DateTime<Utc>,
) -> Result<()> {
    let text = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    set_meta(conn, &format!("{BUNDLE_VERIFIED_AT}{dataset}"), &text(verified_at))?;
    set_meta(conn, &format!("{BUNDLE_CONFIRMED_UNTIL}{dataset}"), &text(confirmed_until))
}

/// Forgets the bundle confirmation of `dataset` (an online sync confirmed it).
pub(crate) fn clear_bundle_confirmation(conn: &Connection, dataset: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM meta WHERE key IN (?1, ?2)",
        params![format!("{BUNDLE_VERIFIED_AT}{dataset}"), format!("{BUNDLE_CONFIRMED_UNTIL}{dataset}")],
    )?;
    Ok(())
}

/// Reads a `meta` value.
pub(crate) fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

/// Writes a `meta` value.
pub(crate) fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", params![key, value])?;
    Ok(())
}

fn get_time(conn: &Connection, key: &str) -> Result<Option<DateTime<Utc>>> {
    Ok(get_meta(conn, key)?.and_then(|s| s.parse().ok()))
}

/// Adds `datasets` to the subscriptions (idempotent).
pub fn subscribe(store: &Store, datasets: &[String]) -> Result<()> {
    check_names(datasets)?;
    store.write(|c| {
        let tx = c.transaction()?;
        for d in datasets {
            subscribe_in(&tx, d)?;
        }
        tx.commit()?;
        Ok(())
    })
}

/// Adds one dataset to the subscriptions inside the caller's transaction (idempotent).
pub(crate) fn subscribe_in(conn: &Connection, dataset: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO subscriptions(dataset, added_at) VALUES (?1, ?2)",
        params![dataset, Utc::now().to_rfc3339()],
    )?;
    Ok(())
}

/// Refuses dataset names that cannot be published (`directory/mx`: lower-case path parts).
pub(crate) fn check_names(datasets: &[String]) -> Result<()> {
    for d in datasets {
        super::entry::check_dataset_name(d).map_err(Error::BadQuery)?;
    }
    Ok(())
}

/// Removes `datasets` from the subscriptions; data already here stays readable. Returns the
/// names that were not subscribed (nothing is changed for them), so a typo is visible.
pub fn unsubscribe(store: &Store, datasets: &[String]) -> Result<Vec<String>> {
    store.write(|c| {
        let tx = c.transaction()?;
        let mut unknown = Vec::new();
        for d in datasets {
            if tx.execute("DELETE FROM subscriptions WHERE dataset = ?1", [d])? == 0 {
                unknown.push(d.clone());
            }
        }
        tx.commit()?;
        Ok(unknown)
    })
}

/// The subscribed datasets, sorted.
pub fn subscriptions(store: &Store) -> Result<Vec<String>> {
    store.read(|c| {
        let mut stmt = c.prepare("SELECT dataset FROM subscriptions ORDER BY dataset")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// One dataset held on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetStatus {
    /// Dataset name.
    pub dataset: String,
    /// What it holds.
    pub content: ContentKind,
    /// Version held.
    pub version: u64,
    /// Records held.
    pub records: u64,
    /// Who publishes it.
    pub publisher: Option<String>,
    /// When the version held was published (signed).
    pub published_at: Option<DateTime<Utc>>,
    /// When the repository last confirmed this data as current (trusted time).
    pub verified_at: Option<DateTime<Utc>>,
    /// True when it can no longer be confirmed as current (confirmation expired, or it
    /// came from expired metadata in a bundle). Stale data stays readable.
    pub stale: bool,
    /// Since when it is not confirmed, when stale.
    pub unconfirmed_since: Option<DateTime<Utc>>,
    /// Whether the person subscribed to it.
    pub subscribed: bool,
    /// How it arrived last: snapshot, delta or bundle.
    pub route: SyncRoute,
}

/// The whole sync status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncStatus {
    /// Trusted time and the device clock's verdict.
    pub time: TrustedTime,
    /// Version of the trusted root, if one is installed.
    pub root_version: Option<u64>,
    /// Datasets held, by name.
    pub datasets: Vec<DatasetStatus>,
    /// Subscribed datasets not held yet.
    pub pending: Vec<String>,
}

/// Status of every dataset held, judged at trusted time from `device`.
pub fn status(store: &Store, device: DateTime<Utc>) -> Result<SyncStatus> {
    let time = store.trusted_time(device)?;
    store.read(|c| {
        let verified_at = get_time(c, VERIFIED_AT)?;
        let confirmed_until = get_time(c, CONFIRMED_UNTIL)?;
        let root_version: Option<i64> = c.query_row("SELECT max(version) FROM tuf_roots", [], |r| r.get(0))?;
        let mut stmt = c.prepare(
            "SELECT d.name, d.content, d.version, d.records, d.publisher, d.published_at, d.route,
                    d.unconfirmed_since, s.dataset IS NOT NULL
             FROM sync_datasets d LEFT JOIN subscriptions s ON s.dataset = d.name ORDER BY d.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, ContentKind>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, SyncRoute>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, bool>(8)?,
            ))
        })?;
        let mut datasets = Vec::new();
        for row in rows {
            let (dataset, content, version, records, publisher, published, route, unconfirmed, subscribed) = row?;
            let bundle_since: Option<DateTime<Utc>> = unconfirmed.and_then(|s| s.parse().ok());
            // Data that came by bundle is judged by that bundle's verification and expiry.
            let bundle_verified = get_time(c, &format!("{BUNDLE_VERIFIED_AT}{dataset}"))?;
            let bundle_until = get_time(c, &format!("{BUNDLE_CONFIRMED_UNTIL}{dataset}"))?;
            let (verified_at, confirmed_until) = match bundle_verified {
                Some(v) => (Some(v), bundle_until),
                None => (verified_at, confirmed_until),
            };
            let lapsed = confirmed_until.filter(|until| *until <= time.now);
            // Unconfirmed since the earlier of: the bundle's expiry, the lapse of confirmation.
            let since = match (bundle_since, lapsed) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            datasets.push(DatasetStatus {
                dataset,
                content,
                version: version as u64,
                records: records as u64,
                publisher,
                published_at: published.and_then(|s| s.parse().ok()),
                verified_at,
                stale: since.is_some(),
                unconfirmed_since: since,
                subscribed,
                route,
            });
        }
        let mut stmt = c.prepare(
            "SELECT dataset FROM subscriptions WHERE dataset NOT IN (SELECT name FROM sync_datasets) ORDER BY dataset",
        )?;
        let pending = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(SyncStatus { time, root_version: root_version.map(|v| v as u64), datasets, pending })
    })
}
