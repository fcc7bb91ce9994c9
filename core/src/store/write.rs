//! Writing listings: validation, then upsert of records and indexes, all in one IMMEDIATE
//! transaction. If any record is rejected, nothing is written and every rejection is
//! reported, so that a publisher can fix the whole file in one go.

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::{index, Store};
use crate::error::{Error, InputError, Result};
use crate::hours::HoursCache;
use crate::import::RecordResult;
use crate::model::validate::check_listing;
use crate::model::{Listing, Source};

/// The dataset a batch of listings belongs to, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetInfo {
    /// Dataset name (`demo/route`, `wikidata/missions`, `directory/mx`).
    pub name: String,
    /// Where the data came from.
    pub source: Option<Source>,
    /// True when the dataset is invented demo data.
    pub demo: bool,
}

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Listings that were new.
    pub inserted: u64,
    /// Listings whose record changed.
    pub updated: u64,
    /// Listings identical to the stored record.
    pub unchanged: u64,
}

/// Rejections collected before giving up: enough to fix a file, bounded in memory.
const MAX_REPORTED: usize = 1000;

impl Store {
    /// Validates and writes `records` into `dataset`, inserting new listings and updating
    /// changed ones, in ONE transaction. `file` names the input in error messages.
    ///
    /// On any rejected record nothing is written and [`Error::InputMany`] lists the
    /// rejections (file, line, record id, field, reason); the database keeps its last good
    /// state. A listing id already used by another dataset is a rejection too.
    pub fn write_listings(
        &self,
        dataset: &DatasetInfo,
        file: &str,
        records: impl IntoIterator<Item = RecordResult>,
    ) -> Result<WriteSummary> {
        self.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            upsert_dataset(&tx, dataset)?;
            let mut summary = WriteSummary::default();
            let mut rejected: Vec<InputError> = Vec::new();
            let mut rejected_count = 0usize;
            let mut hours = HoursCache::new(4096);
            let mut seen = std::collections::HashSet::new();
            for record in records {
                let problems = match record {
                    Err(e) => vec![e],
                    Ok((line, listing)) => {
                        let mut problems = check_for_write(&listing, file, line, &mut hours);
                        if !seen.insert(listing.id.clone()) {
                            let mut err = InputError::new(file, "appears twice in this input").record(&listing.id).field("id");
                            err.line = line;
                            problems.push(err);
                        }
                        if problems.is_empty() && rejected_count == 0 {
                            match put_listing(&tx, &dataset.name, &listing)? {
                                Upsert::Inserted => summary.inserted += 1,
                                Upsert::Updated => summary.updated += 1,
                                Upsert::Unchanged => summary.unchanged += 1,
                                Upsert::OtherDataset(other) => {
                                    let mut err = InputError::new(
                                        file,
                                        format!("id already belongs to dataset {other:?}; ids must be unique across datasets"),
                                    )
                                    .record(&listing.id)
                                    .field("id");
                                    err.line = line;
                                    problems.push(err);
                                }
                            }
                        }
                        problems
                    }
                };
                rejected_count += problems.len();
                for p in problems {
                    if rejected.len() < MAX_REPORTED {
                        rejected.push(p);
                    }
                }
            }
            if rejected_count > 0 {
                // Dropping `tx` rolls back: nothing from this input is kept.
                drop(tx);
                if rejected.len() == 1 {
                    return Err(Error::Input(rejected.remove(0)));
                }
                return Err(Error::InputMany(rejected));
            }
            tx.commit()?;
            Ok(summary)
        })
    }
}

/// Every problem that keeps `listing` out of the store: the model's rules and an opening
/// hours value that does not parse in its time zone. `line` locates it in `file`.
pub(crate) fn check_for_write(
    listing: &Listing,
    file: &str,
    line: Option<u64>,
    hours: &mut HoursCache,
) -> Vec<InputError> {
    let mut problems: Vec<InputError> =
        check_listing(listing).into_iter().map(|p| p.at(file, line, &listing.id)).collect();
    if let Some(expr) = &listing.opening_hours {
        let tz = listing.timezone.as_deref().unwrap_or("UTC");
        let country = listing.address.as_ref().map(|a| a.country);
        if let Err(e) = hours.get(expr, tz, country) {
            let field =
                if matches!(e, crate::hours::HoursError::UnknownTimezone(_)) { "timezone" } else { "opening_hours" };
            let mut err = InputError::new(file, e.to_string()).record(&listing.id).field(field);
            err.line = line;
            problems.push(err);
        }
    }
    problems
}

/// Records `dataset` (name, source, demo flag) as present, updating what was known.
pub(crate) fn upsert_dataset(tx: &Transaction<'_>, dataset: &DatasetInfo) -> rusqlite::Result<()> {
    let source = dataset.source.as_ref();
    tx.execute(
        "INSERT INTO datasets(name, source_name, source_url, license, source_date, demo, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(name) DO UPDATE SET source_name = ?2, source_url = ?3, license = ?4,
             source_date = ?5, demo = ?6, imported_at = ?7",
        params![
            dataset.name,
            source.map(|s| s.name.as_str()),
            source.and_then(|s| s.url.as_deref()),
            source.and_then(|s| s.license.as_deref()),
            source.and_then(|s| s.date).map(|d| d.to_string()),
            dataset.demo,
            Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        ],
    )?;
    Ok(())
}

/// What [`put_listing`] did.
pub(crate) enum Upsert {
    /// A new id.
    Inserted,
    /// A known id whose record changed.
    Updated,
    /// A known id with the same record.
    Unchanged,
    /// The id belongs to another dataset; nothing was written.
    OtherDataset(String),
}

/// Inserts or updates one listing of `dataset` and its index entries, inside `tx`.
pub(crate) fn put_listing(tx: &Transaction<'_>, dataset: &str, listing: &Listing) -> Result<Upsert> {
    let record = serde_json::to_string(listing).map_err(|e| Error::BadQuery(format!("cannot encode listing: {e}")))?;
    let (lat, lon) = listing.location.map(|l| (Some(l.lat), Some(l.lon))).unwrap_or((None, None));
    let (tags, geocell) = (index::tags_column(listing), index::geocell(listing));
    let values = params![
        listing.id,
        dataset,
        listing.kind.as_str(),
        listing.status.as_str(),
        lat,
        lon,
        listing.address.as_ref().map(|a| a.country.as_str().to_string()),
        listing.consulate.as_ref().map(|c| c.represents.as_str().to_string()),
        listing.cost.map(|c| c.as_str()),
        listing.eligibility.papers_required,
        listing.opening_hours,
        listing.timezone,
        listing.demo,
        tags,
        geocell,
    ];
    // The common case, a new id, costs one statement; only a known id is looked up.
    let inserted = tx
        .prepare_cached(
            "INSERT INTO listings(id, dataset, kind, status, lat, lon, country, represents, cost,
             papers_required, opening_hours, timezone, demo, tags, geocell)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(id) DO NOTHING",
        )?
        .execute(values)?;
    if inserted == 1 {
        let rowid = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO listing_records(listing, record) VALUES (?1, ?2)")?
            .execute(params![rowid, record])?;
        index::add(tx, rowid, listing)?;
        return Ok(Upsert::Inserted);
    }
    let existing: Option<(i64, String, String)> = tx
        .prepare_cached(
            "SELECT l.rowid, l.dataset, r.record FROM listings l JOIN listing_records r ON r.listing = l.rowid
             WHERE l.id = ?1",
        )?
        .query_row([&listing.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match existing {
        Some((_, other, _)) if other != dataset => Ok(Upsert::OtherDataset(other)),
        Some((_, _, old)) if old == record => Ok(Upsert::Unchanged),
        Some((rowid, _, _)) => {
            index::remove(tx, rowid)?;
            tx.prepare_cached(
                "UPDATE listings SET id = ?1, dataset = ?2, kind = ?3, status = ?4, lat = ?5, lon = ?6,
                 country = ?7, represents = ?8, cost = ?9, papers_required = ?10, opening_hours = ?11,
                 timezone = ?12, demo = ?13, tags = ?14, geocell = ?15 WHERE rowid = ?16",
            )?
            .execute(rusqlite::params_from_iter(values.iter().copied().chain([&rowid as &dyn rusqlite::ToSql])))?;
            tx.prepare_cached("UPDATE listing_records SET record = ?2 WHERE listing = ?1")?
                .execute(params![rowid, record])?;
            index::add(tx, rowid, listing)?;
            Ok(Upsert::Updated)
        }
        None => Err(Error::BadQuery(format!("listing {} vanished while being written", listing.id))),
    }
}

/// Deletes listing `id` of `dataset` and its index entries, inside `tx`. False when the
/// dataset has no such listing.
pub(crate) fn delete_listing(tx: &Transaction<'_>, dataset: &str, id: &str) -> Result<bool> {
    let rowid: Option<i64> = tx
        .prepare_cached("SELECT rowid FROM listings WHERE id = ?1 AND dataset = ?2")?
        .query_row(params![id, dataset], |r| r.get(0))
        .optional()?;
    let Some(rowid) = rowid else { return Ok(false) };
    index::remove(tx, rowid)?;
    tx.prepare_cached("DELETE FROM listing_records WHERE listing = ?1")?.execute([rowid])?;
    tx.prepare_cached("DELETE FROM listings WHERE rowid = ?1")?.execute([rowid])?;
    Ok(true)
}

/// Deletes every listing of `dataset`, inside `tx`; returns how many.
pub(crate) fn clear_listings(tx: &Transaction<'_>, dataset: &str) -> Result<u64> {
    let ids: Vec<String> = tx
        .prepare_cached("SELECT id FROM listings WHERE dataset = ?1")?
        .query_map([dataset], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        delete_listing(tx, dataset, id)?;
    }
    Ok(ids.len() as u64)
}
