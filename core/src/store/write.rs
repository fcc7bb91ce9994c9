//! Writing listings: validation, then upsert of records and indexes, all in one IMMEDIATE
//! transaction. If any record is rejected, nothing is written and every rejection is
//! reported, so that a publisher can fix the whole file in one go.

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::bulk::{self, Deferred};
use super::{index, Store};
use crate::cancel::Cancel;
use crate::error::{Error, InputError, Result};
use crate::hours::HoursCache;
use crate::model::plausible::check_plausible;
use crate::model::validate::check_listing;
use crate::model::{Listing, Source};

/// One record for [`Store::write_listings`]: its line in the input (when the format has
/// lines) and the listing, or why it could not be read.
pub type RecordResult = std::result::Result<(Option<u64>, Listing), InputError>;

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
    /// Listings of the dataset that the input no longer has, deleted by
    /// [`Store::replace_listings`] (always 0 for [`Store::write_listings`]).
    pub deleted: u64,
}

/// Rejections collected before giving up: enough to fix a file, bounded in memory.
const MAX_REPORTED: usize = 1000;

/// Listings per message from the checking thread to the writer: enough that the channel
/// costs nothing per listing, few enough to bound what is in flight.
const BATCH: usize = 64;

/// Batches in flight between the two threads: enough (1,024 records, about 3 MB) that the
/// reading thread keeps working while the writer flushes or merges a segment of the text
/// index, which takes a few milliseconds every few thousand records; with 4 the reader
/// waited through each one and the two threads took turns (docs/benchmarks.md, "Sync").
const BATCHES_IN_FLIGHT: usize = 16;

/// What a long write obeys and tells: the caller's [`Cancel`], checked between batches (a
/// cancelled write rolls back and returns [`Error::Cancelled`]), and a callback given the
/// records handled so far, then `true` once all are in and the commit starts. The default
/// watches nothing.
#[derive(Default)]
pub(crate) struct Watch<'a> {
    /// Stops the write.
    pub(crate) cancel: Option<&'a Cancel>,
    /// Records handled so far; committing.
    pub(crate) progress: Option<&'a mut dyn FnMut(u64, bool)>,
}

impl Watch<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(Cancel::is_cancelled)
    }

    fn report(&mut self, handled: u64, committing: bool) {
        if let Some(progress) = self.progress.as_mut() {
            progress(handled, committing);
        }
    }
}

/// A record after checking, on its way to the writer.
// Nearly every record is `Ready`: boxing it would only add an allocation per listing.
#[allow(clippy::large_enum_variant)]
enum Checked {
    /// A valid listing and what its rows and index entries hold.
    Ready { line: Option<u64>, listing: Listing, derived: index::Derived },
    /// Why a record is kept out.
    Rejected(Vec<InputError>),
}

impl Store {
    /// Validates and writes `records` into `dataset`, inserting new listings and updating
    /// changed ones, in ONE transaction. `file` names the input in error messages.
    ///
    /// On any rejected record nothing is written and [`Error::InputMany`] lists the
    /// rejections (file, line, record id, field, reason); the database keeps its last good
    /// state. A listing id already used by another dataset is a rejection too.
    ///
    /// This is a local, unverified import: a dataset that sync keeps (held or subscribed)
    /// is refused with [`Error::DatasetOrigin`] before anything is read (see
    /// [`upsert_local_dataset`]).
    ///
    /// Reading, checking and encoding the records runs on a second thread while this one
    /// writes: on a phone's several cores a large import takes the time of its SQLite
    /// work alone (`docs/benchmarks.md`).
    ///
    /// Besides the model's rules, every record must be plausible
    /// ([`crate::model::plausible::check_plausible`]): registered language tags, phones
    /// valid in their country and, with the `place-checks` feature, coordinates in the
    /// listing's country and a time zone that keeps the place's clock.
    ///
    /// Listings of `dataset` that `records` does not have are kept: an import only adds and
    /// updates. [`Store::replace_listings`] deletes them.
    pub fn write_listings<I>(&self, dataset: &DatasetInfo, file: &str, records: I) -> Result<WriteSummary>
    where
        I: IntoIterator<Item = RecordResult>,
        I::IntoIter: Send,
    {
        self.write_listings_with(dataset, file, records, false, Watch::default())
    }

    /// Like [`Store::write_listings`], and then deletes the listings of `dataset` that
    /// `records` does not have, in the same transaction: afterwards the dataset holds
    /// exactly the input's listings ([`WriteSummary::deleted`] says how many went). On any
    /// rejected record nothing is written and nothing deleted.
    pub fn replace_listings<I>(&self, dataset: &DatasetInfo, file: &str, records: I) -> Result<WriteSummary>
    where
        I: IntoIterator<Item = RecordResult>,
        I::IntoIter: Send,
    {
        self.write_listings_with(dataset, file, records, true, Watch::default())
    }

    /// [`Store::write_listings`] (or, with `replace`, [`Store::replace_listings`]) watched by
    /// `watch`: the one write path of every listings import.
    pub(crate) fn write_listings_with<I>(
        &self,
        dataset: &DatasetInfo,
        file: &str,
        records: I,
        replace: bool,
        mut watch: Watch<'_>,
    ) -> Result<WriteSummary>
    where
        I: IntoIterator<Item = RecordResult>,
        I::IntoIter: Send,
    {
        let records = records.into_iter();
        self.write_then_checkpoint(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            upsert_local_dataset(&tx, dataset)?;
            // A large import builds the query indexes once after its rows, as a sync's
            // snapshot does (`store::bulk`), once it has brought as many rows as the table
            // held; the count is known only as the records stream in.
            let mut bulk = Bulk { defer_at: bulk::MIN_ROWS.max(bulk::held(&tx, "listings")?), deferred: None };
            let summary = std::thread::scope(|scope| {
                let (sender, receiver) = std::sync::mpsc::sync_channel(BATCHES_IN_FLIGHT);
                let (done_sender, done) = std::sync::mpsc::channel();
                let checker = scope.spawn(move || check_all(records, file, sender, done));
                // Returning drops the receiver, which stops the checker if it is still going.
                let written = write_checked(&tx, &dataset.name, file, receiver, done_sender, &mut watch, &mut bulk);
                match checker.join() {
                    Err(panic) => std::panic::resume_unwind(panic),
                    Ok(seen) => written.map(|summary| (summary, seen)),
                }
            });
            let summary = summary.and_then(|(mut summary, seen)| {
                if replace {
                    summary.deleted = delete_others(&tx, &dataset.name, &seen)?;
                }
                Ok(summary)
            });
            // Back before anything else can fail or return, as in `sync::apply`.
            let restored = bulk.deferred.map_or(Ok(()), |d| d.restore(&tx));
            let summary = summary?;
            restored?;
            watch.report(summary.inserted + summary.updated + summary.unchanged, true);
            if watch.cancelled() {
                return Err(Error::Cancelled);
            }
            tx.commit()?;
            Ok(summary)
        })
    }
}

/// Checks `records` and computes what the writer needs, sending them on in batches. Stops
/// early when the writer hangs up. Returns the ids it read. Written batches come back on `done` to be freed here:
/// freeing memory another thread allocated is slow in most allocators, and the writer's
/// thread is the one the import waits for.
fn check_all(
    records: impl Iterator<Item = RecordResult>,
    file: &str,
    out: std::sync::mpsc::SyncSender<Vec<Checked>>,
    done: std::sync::mpsc::Receiver<Vec<Checked>>,
) -> std::collections::HashSet<String> {
    let mut hours = HoursCache::new(4096);
    let mut seen = std::collections::HashSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    for record in records {
        batch.push(match record {
            Err(e) => Checked::Rejected(vec![e]),
            Ok((line, listing)) => {
                let mut problems = check_for_write(&listing, file, line, &mut hours);
                problems.extend(check_plausible(&listing).into_iter().map(|p| p.at(file, line, &listing.id)));
                if !seen.insert(listing.id.clone()) {
                    let mut err = InputError::new(file, "appears twice in this input").record(&listing.id).field("id");
                    err.line = line;
                    problems.push(err);
                }
                if problems.is_empty() {
                    let derived = index::Derived::of(&listing);
                    Checked::Ready { line, listing, derived }
                } else {
                    Checked::Rejected(problems)
                }
            }
        });
        if batch.len() == BATCH {
            let next = match done.try_recv() {
                Ok(mut written) => {
                    written.clear();
                    written
                }
                Err(_) => Vec::with_capacity(BATCH),
            };
            if out.send(std::mem::replace(&mut batch, next)).is_err() {
                return seen;
            }
        }
    }
    if !batch.is_empty() {
        let _ = out.send(batch);
    }
    seen
}

/// Deletes the listings of `dataset` whose id is not in `keep`, inside `tx`; returns how many.
fn delete_others(tx: &Transaction<'_>, dataset: &str, keep: &std::collections::HashSet<String>) -> Result<u64> {
    let gone: Vec<String> = tx
        .prepare_cached("SELECT id FROM listings WHERE dataset = ?1")?
        .query_map([dataset], |r| r.get::<_, String>(0))?
        .filter(|id| id.as_ref().map_or(true, |id| !keep.contains(id)))
        .collect::<rusqlite::Result<_>>()?;
    for id in &gone {
        delete_listing(tx, dataset, id)?;
    }
    Ok(gone.len() as u64)
}

/// When a streaming import drops the query indexes of `listings` to build them at its end.
struct Bulk {
    /// Records handled at which to drop them: [`bulk::MIN_ROWS`], or more when the table
    /// held more at the start.
    defer_at: u64,
    /// What was dropped, once it was.
    deferred: Option<Deferred>,
}

/// Writes the checked listings arriving on `batches` into `dataset`, inside `tx`. After the
/// first rejection nothing more is written, but every rejection is still collected. Stops
/// with [`Error::Cancelled`] at the first batch after `watch` is cancelled; reports the
/// records handled after each batch to it.
fn write_checked(
    tx: &Transaction<'_>,
    dataset: &str,
    file: &str,
    batches: std::sync::mpsc::Receiver<Vec<Checked>>,
    done: std::sync::mpsc::Sender<Vec<Checked>>,
    watch: &mut Watch<'_>,
    bulk: &mut Bulk,
) -> Result<WriteSummary> {
    let mut summary = WriteSummary::default();
    let mut rejected: Vec<InputError> = Vec::new();
    let mut rejected_count = 0usize;
    let mut handled = 0u64;
    let mut puts = ListingPuts::new(tx)?;
    for mut batch in batches {
        if watch.cancelled() {
            // Dropping `batches` stops the checker; the caller's transaction rolls back.
            return Err(Error::Cancelled);
        }
        handled += batch.len() as u64;
        for checked in batch.iter_mut() {
            let problems = match checked {
                Checked::Rejected(problems) => std::mem::take(problems),
                Checked::Ready { .. } if rejected_count > 0 => continue,
                Checked::Ready { line, listing, derived } => {
                    match put_derived(tx, &mut puts, dataset, listing, derived)? {
                        Upsert::Inserted => {
                            summary.inserted += 1;
                            continue;
                        }
                        Upsert::Updated => {
                            summary.updated += 1;
                            continue;
                        }
                        Upsert::Unchanged => {
                            summary.unchanged += 1;
                            continue;
                        }
                        Upsert::OtherDataset(other) => {
                            let mut err = InputError::new(
                                file,
                                format!("id already belongs to dataset {other:?}; ids must be unique across datasets"),
                            )
                            .record(&listing.id)
                            .field("id");
                            err.line = *line;
                            vec![err]
                        }
                    }
                }
            };
            rejected_count += problems.len();
            rejected.extend(problems.into_iter().take(MAX_REPORTED.saturating_sub(rejected.len())));
        }
        // The checker frees it; if it has finished, this thread does.
        let _ = done.send(batch);
        watch.report(handled, false);
        if bulk.deferred.is_none() && handled >= bulk.defer_at && rejected_count == 0 {
            bulk.deferred = Some(Deferred::drop_now(tx, "listings", bulk::LISTING_INDEXES)?);
        }
    }
    // On a refusal the caller's transaction is dropped uncommitted: nothing is kept.
    Error::refuse(rejected)?;
    Ok(summary)
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

/// True when sync keeps `dataset`: it was received verified (`sync_datasets`) or the person
/// subscribed to it. A dataset's origin is this fact, written in the same transaction as
/// its records, so no separate flag can disagree with it (ADR 0014).
pub(crate) fn is_synced(tx: &rusqlite::Connection, dataset: &str) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM sync_datasets WHERE name = ?1)
             OR EXISTS(SELECT 1 FROM subscriptions WHERE dataset = ?1)",
    )?
    .query_row([dataset], |r| r.get(0))
}

/// Records `dataset` for a local (unverified) import. Refuses a dataset that sync keeps:
/// an unsigned file must never change verified data, which the next sync would then call
/// unchanged.
pub(crate) fn upsert_local_dataset(tx: &Transaction<'_>, dataset: &DatasetInfo) -> Result<()> {
    if is_synced(tx, &dataset.name)? {
        let last = dataset.name.rsplit('/').next().unwrap_or("import");
        return Err(Error::DatasetOrigin {
            dataset: dataset.name.clone(),
            reason: format!(
                "is kept by sync (verified, signed data); a local import cannot change it and nothing was written. \
                 Import the file into a local dataset instead, e.g. \"{LOCAL_PREFIX}{last}\""
            ),
        });
    }
    write_dataset_row(tx, dataset)?;
    Ok(())
}

/// Names under this prefix are never taken by sync: a local import that a synced dataset
/// meets is moved there (see [`upsert_dataset`]).
pub const LOCAL_PREFIX: &str = "local/";

/// Records `dataset` as received by sync (a verified snapshot is being applied). A local
/// import held under the same name is moved aside to `local/<name>`, records and all, so
/// that verified and unverified records never share a dataset and nothing is lost; the
/// move is refused when that name is taken too.
pub(crate) fn upsert_dataset(tx: &Transaction<'_>, dataset: &DatasetInfo) -> Result<()> {
    let held: bool =
        tx.query_row("SELECT EXISTS(SELECT 1 FROM datasets WHERE name = ?1)", [&dataset.name], |r| r.get(0))?;
    let synced: bool =
        tx.query_row("SELECT EXISTS(SELECT 1 FROM sync_datasets WHERE name = ?1)", [&dataset.name], |r| r.get(0))?;
    if held && !synced {
        move_local_dataset(tx, &dataset.name, &format!("{LOCAL_PREFIX}{}", dataset.name))?;
    }
    write_dataset_row(tx, dataset)?;
    Ok(())
}

/// Renames the local dataset `from` to `to` with all its records, inside `tx`.
fn move_local_dataset(tx: &Transaction<'_>, from: &str, to: &str) -> Result<()> {
    let taken: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM datasets WHERE name = ?1)", [to], |r| r.get(0))?;
    if taken {
        return Err(Error::DatasetOrigin {
            dataset: from.to_string(),
            reason: format!(
                "holds a local (unverified) import, and {to:?} too, so it cannot be moved aside; \
                 sync does not mix verified data into it and nothing was changed"
            ),
        });
    }
    tx.execute(
        "INSERT INTO datasets(name, source_name, source_url, license, source_date, demo, imported_at)
         SELECT ?2, source_name, source_url, license, source_date, demo, imported_at FROM datasets WHERE name = ?1",
        params![from, to],
    )?;
    for table in ["listings", "articles", "warnings"] {
        tx.execute(&format!("UPDATE {table} SET dataset = ?2 WHERE dataset = ?1"), params![from, to])?;
    }
    Ok(())
}

/// Records `dataset` (name, source, demo flag) as present, updating what was known.
fn write_dataset_row(tx: &Transaction<'_>, dataset: &DatasetInfo) -> rusqlite::Result<()> {
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

/// Inserts or updates one listing of `dataset` (verified, from sync) and its index entries,
/// inside `tx`. The verified record wins its id: a local import's listing with the same id
/// is removed from that local dataset (the person's file still has it), so an unsigned
/// import can never block a verified update. Another synced dataset's id stays refused.
/// `derived` is what the listing's rows and index entries hold, computed ahead
/// ([`index::Derived::of`]; sync prepares it on its reading thread).
pub(crate) fn put_listing_derived(
    tx: &Transaction<'_>,
    puts: &mut ListingPuts<'_>,
    dataset: &str,
    listing: &Listing,
    derived: &index::Derived,
) -> Result<Upsert> {
    match put_derived(tx, puts, dataset, listing, derived)? {
        Upsert::OtherDataset(other) if !is_synced(tx, &other)? => {
            delete_listing(tx, &other, &listing.id)?;
            put_derived(tx, puts, dataset, listing, derived)
        }
        done => Ok(done),
    }
}

/// The three statements that insert a new listing (its row, its record, its text index
/// entry), prepared once for a whole import or sync: looking them up in the connection's
/// statement cache hashed their SQL three times per record, 4 % of the writer's time
/// (docs/benchmarks.md, "Sync").
pub struct ListingPuts<'t> {
    row: rusqlite::CachedStatement<'t>,
    row_at: rusqlite::CachedStatement<'t>,
    record: rusqlite::CachedStatement<'t>,
    text: rusqlite::CachedStatement<'t>,
}

impl<'t> ListingPuts<'t> {
    /// Prepares them on `tx`'s connection.
    pub(crate) fn new(tx: &'t Transaction<'_>) -> Result<ListingPuts<'t>> {
        Ok(ListingPuts {
            row: tx.prepare_cached(
                "INSERT INTO listings(id, dataset, kind, status, lat, lon, country, represents, cost,
                 papers_required, opening_hours, timezone, demo, tags, geocell)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT(id) DO NOTHING",
            )?,
            row_at: tx.prepare_cached(
                "INSERT INTO listings(id, dataset, kind, status, lat, lon, country, represents, cost,
                 papers_required, opening_hours, timezone, demo, tags, geocell, rowid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT(id) DO NOTHING",
            )?,
            record: tx.prepare_cached("INSERT INTO listing_records(listing, record) VALUES (?1, ?2)")?,
            text: tx.prepare_cached(index::INSERT_TEXT_SQL)?,
        })
    }
}

/// The 15 values of `listing`'s row in `dataset`, in the order of the insert and update
/// statements; `lat` and `lon` are its location's.
macro_rules! row_values {
    ($listing:expr, $dataset:expr, $derived:expr, $lat:expr, $lon:expr) => {
        params![
            $listing.id,
            $dataset,
            $listing.kind.as_str(),
            $listing.status.as_str(),
            $lat,
            $lon,
            $listing.address.as_ref().map(|a| a.country.as_str()),
            $listing.consulate.as_ref().map(|c| c.represents.as_str()),
            $listing.cost.map(|c| c.as_str()),
            $listing.eligibility.papers_required,
            $listing.opening_hours,
            $listing.timezone,
            $listing.demo,
            $derived.tags,
            $derived.geocell,
        ]
    };
}

/// A listing's latitude and longitude, or two NULLs.
fn lat_lon(listing: &Listing) -> (Option<f64>, Option<f64>) {
    listing.location.map(|l| (Some(l.lat), Some(l.lon))).unwrap_or((None, None))
}

/// Inserts `listing` of `dataset` as a new row at `rowid`, with its record and contact
/// entries but no text index entry, inside `tx`: for a snapshot whose text index is built
/// aside (`store::text_aside`), which starts only in a store holding no listing. False when
/// the id is already stored (so it came twice in the same file); nothing is written then.
pub(crate) fn put_new_at(
    tx: &Transaction<'_>,
    puts: &mut ListingPuts<'_>,
    rowid: i64,
    dataset: &str,
    listing: &Listing,
    derived: &index::Derived,
) -> Result<bool> {
    let (lat, lon) = lat_lon(listing);
    put_row(tx, puts, row_values!(listing, dataset, derived, lat, lon), derived, Some(rowid))
}

/// [`put_listing`] with the derived values computed ahead.
fn put_derived(
    tx: &Transaction<'_>,
    puts: &mut ListingPuts<'_>,
    dataset: &str,
    listing: &Listing,
    derived: &index::Derived,
) -> Result<Upsert> {
    let (lat, lon) = lat_lon(listing);
    let values = row_values!(listing, dataset, derived, lat, lon);
    if put_row(tx, puts, values, derived, None)? {
        return Ok(Upsert::Inserted);
    }
    update_derived(tx, dataset, listing, derived, values)
}

/// Inserts a new listing's row (at `at`, or the next row id), its record and its index
/// entries (the text index's only without `at`); false when the id is already stored.
fn put_row(
    tx: &Transaction<'_>,
    puts: &mut ListingPuts<'_>,
    values: &[&dyn rusqlite::ToSql],
    derived: &index::Derived,
    at: Option<i64>,
) -> Result<bool> {
    // The common case, a new id, costs one statement; only a known id is looked up.
    let inserted = match at {
        None => puts.row.execute(values)?,
        Some(rowid) => puts
            .row_at
            .execute(rusqlite::params_from_iter(values.iter().copied().chain([&rowid as &dyn rusqlite::ToSql])))?,
    };
    if inserted != 1 {
        return Ok(false);
    }
    let rowid = tx.last_insert_rowid();
    puts.record.execute(params![rowid, derived.record])?;
    match at {
        None => index::add_derived_with(tx, &mut puts.text, rowid, derived)?,
        Some(_) => super::contacts::add_entries(tx, rowid, derived.official, &derived.contacts)?,
    }
    Ok(true)
}

/// Updates the stored listing with `listing`'s id (its row, record and index entries),
/// inside `tx`, unless it belongs to another dataset or is unchanged.
fn update_derived(
    tx: &Transaction<'_>,
    dataset: &str,
    listing: &Listing,
    derived: &index::Derived,
    values: &[&dyn rusqlite::ToSql],
) -> Result<Upsert> {
    let record = &derived.record;
    let existing: Option<(i64, String, String)> = tx
        .prepare_cached(
            "SELECT l.rowid, l.dataset, r.record FROM listings l JOIN listing_records r ON r.listing = l.rowid
             WHERE l.id = ?1",
        )?
        .query_row([&listing.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match existing {
        Some((_, other, _)) if other != dataset => Ok(Upsert::OtherDataset(other)),
        Some((_, _, old)) if &old == record => Ok(Upsert::Unchanged),
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
            index::add_derived(tx, rowid, derived)?;
            Ok(Upsert::Updated)
        }
        None => Err(Error::Internal(format!("listing {} vanished while being written", listing.id))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::listings::read_listings;

    fn import(store: &Store, dataset: &str, ids: &[&str], replace: bool) -> Result<WriteSummary> {
        let mut text = format!("{{\"faro\":\"listings\",\"version\":1,\"dataset\":\"{dataset}\",\"demo\":true}}\n");
        for id in ids {
            text.push_str(&format!("{{\"id\":\"{id}\",\"kind\":\"health\",\"name\":{{\"es\":\"{id} (demo)\"}}}}\n"));
        }
        let (header, records) = read_listings(text.as_bytes(), "f.jsonl").unwrap();
        let info = DatasetInfo { name: header.dataset, source: None, demo: true };
        if replace {
            store.replace_listings(&info, "f.jsonl", records)
        } else {
            store.write_listings(&info, "f.jsonl", records)
        }
    }

    fn ids(store: &Store) -> Vec<String> {
        store
            .read(|c| {
                let mut s = c.prepare("SELECT id FROM listings ORDER BY id")?;
                let ids = s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(ids)
            })
            .unwrap()
    }

    #[test]
    fn replace_deletes_only_what_the_file_no_longer_has_in_its_dataset() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        import(&store, "test/a", &["t:1", "t:2", "t:3"], false).unwrap();
        import(&store, "test/b", &["u:1"], false).unwrap();
        // A plain import never deletes.
        let s = import(&store, "test/a", &["t:2", "t:4"], false).unwrap();
        assert_eq!((s.inserted, s.unchanged, s.deleted), (1, 1, 0));
        assert_eq!(ids(&store), ["t:1", "t:2", "t:3", "t:4", "u:1"]);
        let s = import(&store, "test/a", &["t:2", "t:4"], true).unwrap();
        assert_eq!((s.unchanged, s.deleted), (2, 2));
        assert_eq!(ids(&store), ["t:2", "t:4", "u:1"], "test/b untouched");
        // A rejected file deletes nothing.
        assert!(import(&store, "test/a", &["t:5", "bad id"], true).is_err());
        assert_eq!(ids(&store), ["t:2", "t:4", "u:1"]);
        // The records went with their listings.
        let records: i64 =
            store.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM listing_records", [], |r| r.get(0))?)).unwrap();
        assert_eq!(records, 3);
    }

    fn index_sql(store: &Store) -> Vec<(String, String)> {
        store.read(|c| Ok(bulk::schema(c)?)).unwrap()
    }

    #[test]
    fn a_large_import_builds_the_query_indexes_after_its_rows_and_a_refused_one_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        let before = index_sql(&store);
        assert!(bulk::LISTING_INDEXES.iter().all(|i| before.iter().any(|(n, _)| n == i)), "{before:?}");
        let names: Vec<String> = (0..bulk::MIN_ROWS + 100).map(|i| format!("t:{i}")).collect();
        let mut ids: Vec<&str> = names.iter().map(String::as_str).collect();
        let s = import(&store, "test/a", &ids, false).unwrap();
        assert_eq!(s.inserted, bulk::MIN_ROWS + 100);
        assert_eq!(index_sql(&store), before, "every index is back, as it was");
        let (kind, plan): (i64, String) = store
            .read(|c| {
                let kind = c.query_row("SELECT count(*) FROM listings WHERE kind = 'health'", [], |r| r.get(0))?;
                let plan = c.query_row(
                    "EXPLAIN QUERY PLAN SELECT id FROM listings WHERE kind = 'health' AND status = 'active'",
                    [],
                    |r| r.get(3),
                )?;
                Ok((kind, plan))
            })
            .unwrap();
        assert_eq!(kind as u64, bulk::MIN_ROWS + 100, "the index kept up during the load holds every row");
        assert!(plan.contains("listings_by_kind"), "{plan}");
        store.check_integrity().unwrap();

        // A refusal found after the indexes were dropped: nothing is written, the indexes stay.
        let more: Vec<String> = (0..2 * bulk::MIN_ROWS + 300).map(|i| format!("u:{i}")).collect();
        ids = more.iter().map(String::as_str).collect();
        ids.push("bad id");
        assert!(import(&store, "test/b", &ids, false).is_err());
        assert_eq!(index_sql(&store), before);
        assert_eq!(self::ids(&store).len() as u64, bulk::MIN_ROWS + 100);
    }
}
