//! What a dataset holds (listings today; rights articles and warnings join them) and, for
//! each kind of content, how a record is read, checked, written, deleted and read back for
//! the state hash. The sync code is written once over the [`Content`] trait.

use std::marker::PhantomData;

use rusqlite::Transaction;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{InputError, Result};
use crate::hours::HoursCache;
use crate::model::validate::FieldProblem;
use crate::model::Listing;
use crate::rights::Article;
use crate::store::batch::StoredRecord;
use crate::store::index::Derived;
use crate::store::write::{
    check_for_write, clear_listings, delete_listing, put_listing_derived, put_new_at, ListingPuts, Upsert,
};
use crate::warnings::Warning;

/// The kinds of content a dataset can have; the word is the `"faro"` field of its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// Directory listings (`faro: "listings"`).
    Listings,
    /// Rights articles (`faro: "rights"`).
    Rights,
    /// Warnings about smugglers and traffickers (`faro: "warnings"`).
    Warnings,
}

impl ContentKind {
    /// The word used in file headers and target entries.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Listings => Listings::NAME,
            ContentKind::Rights => Rights::NAME,
            ContentKind::Warnings => Warnings::NAME,
        }
    }

    /// Parses the word used in file headers and target entries.
    pub fn parse(s: &str) -> Option<ContentKind> {
        match s {
            Listings::NAME => Some(ContentKind::Listings),
            Rights::NAME => Some(ContentKind::Rights),
            Warnings::NAME => Some(ContentKind::Warnings),
            _ => None,
        }
    }
}

impl rusqlite::types::ToSql for ContentKind {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for ContentKind {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<ContentKind> {
        word_column(value, ContentKind::parse, "dataset content")
    }
}

/// Reads a column holding one of an enum's words with `parse`. A word this build does not
/// know is a damaged row, reported as such (naming `what` and the word), never a guess.
pub(crate) fn word_column<T>(
    value: rusqlite::types::ValueRef<'_>,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> rusqlite::types::FromSqlResult<T> {
    let word = value.as_str()?;
    parse(word).ok_or_else(|| rusqlite::types::FromSqlError::Other(format!("unknown {what} {word:?}").into()))
}

/// Whether a record could be written.
pub enum Put {
    /// Written (inserted, updated or already identical).
    Written,
    /// Its id belongs to another dataset; nothing was written.
    OtherDataset(String),
    /// Its id came earlier in the same file; nothing was written.
    Twice,
}

/// Per-record state the checks share across one file (parsed opening hours, ...).
pub struct CheckContext {
    pub(crate) hours: HoursCache,
}

impl Default for CheckContext {
    fn default() -> Self {
        CheckContext { hours: HoursCache::new(4096) }
    }
}

/// One kind of record that travels in datasets.
pub trait Content {
    /// The `"faro"` word of this content's files.
    const NAME: &'static str;
    /// The record type.
    type Record: DeserializeOwned + Send;
    /// What writing a record needs beyond the record itself, computed without the database
    /// (on the reading thread while the writer inserts: see `sync::apply`).
    type Prepared: Send;
    /// SQL giving `(id, record text)` of dataset `?1`, ordered by id (bytewise).
    const RECORDS_SQL: &'static str;
    /// The table holding one row per record.
    const TABLE: &'static str;
    /// Indexes of [`Content::TABLE`] that a large snapshot builds once at the end instead of
    /// updating on every row (`store::bulk`): only indexes no write-path statement reads.
    const DEFERRABLE_INDEXES: &'static [&'static str] = &[];

    /// The record's id.
    fn id(record: &Self::Record) -> &str;
    /// Forces the demo flag of records in a demo dataset; false when the record already had
    /// it (nothing changed), true when it changed or may have.
    fn mark_demo(record: &mut Self::Record) -> bool;
    /// Every problem keeping `record` out of the store, located in `file` at `line`.
    fn check(record: &Self::Record, file: &str, line: u64, cx: &mut CheckContext) -> Vec<InputError>;
    /// Computes what [`Content::put`] needs besides `record`, without the database. `text`
    /// is the line `record` was read from when that line is to be stored as it is (a
    /// snapshot's line, see `sync::apply`); `None` stores [`Content::to_text`].
    fn prepare(record: &Self::Record, text: Option<&str>) -> Self::Prepared;
    /// What a writer keeps across the records of one file (prepared statements).
    type Writer<'t>;
    /// Makes the [`Content::Writer`] for a file written inside `tx`.
    fn writer<'t>(tx: &'t Transaction<'_>) -> Result<Self::Writer<'t>>;
    /// Inserts or replaces `record` in `dataset`, inside `tx`, with what
    /// [`Content::prepare`] computed for it.
    fn put(
        tx: &Transaction<'_>,
        writer: &mut Self::Writer<'_>,
        dataset: &str,
        record: &Self::Record,
        prepared: &Self::Prepared,
    ) -> Result<Put>;
    /// True when this content's text index can be built aside for a first large snapshot
    /// (`store::text_aside`): [`Content::take_text`] gives each record's indexed text and
    /// [`Content::put_new_at`] writes a record without it.
    const TEXT_ASIDE: bool = false;
    /// Takes the indexed text out of what [`Content::prepare`] computed, for the thread that
    /// builds the text index aside.
    fn take_text(_prepared: &mut Self::Prepared) -> Option<[String; 5]> {
        None
    }
    /// The record text [`Content::put_new_at`] stores, as it binds it: a first snapshot
    /// built aside computes its state hash over these as it writes them (`sync::apply`).
    /// Only called when [`Content::TEXT_ASIDE`].
    fn stored_text(_prepared: &Self::Prepared) -> Option<&str> {
        None
    }
    /// Inserts `record` as a new record at row id `rowid` without its text index entry
    /// (built aside), inside `tx`; [`Put::Twice`] when the id is already stored. Only called
    /// when [`Content::TEXT_ASIDE`].
    fn put_new_at(
        tx: &Transaction<'_>,
        writer: &mut Self::Writer<'_>,
        _rowid: i64,
        dataset: &str,
        record: &Self::Record,
        prepared: &Self::Prepared,
    ) -> Result<Put> {
        Self::put(tx, writer, dataset, record, prepared)
    }
    /// Deletes record `id` of `dataset`; false if it was not there.
    fn delete(tx: &Transaction<'_>, dataset: &str, id: &str) -> Result<bool>;
    /// Deletes every record of `dataset`.
    fn clear(tx: &Transaction<'_>, dataset: &str) -> Result<u64>;
    /// The canonical text of a record, as the store keeps it and publishers write it.
    fn to_text(record: &Self::Record) -> String;
}

/// Directory listings.
pub struct Listings;

impl Content for Listings {
    const NAME: &'static str = "listings";
    type Record = Listing;
    type Prepared = Derived;
    const RECORDS_SQL: &'static str = "SELECT l.id, r.record FROM listings l INDEXED BY sqlite_autoindex_listings_1
         JOIN listing_records r ON r.listing = l.rowid
         WHERE l.dataset = ?1 ORDER BY l.id";
    const TABLE: &'static str = "listings";
    const DEFERRABLE_INDEXES: &'static [&'static str] = crate::store::bulk::LISTING_INDEXES;

    fn id(record: &Listing) -> &str {
        &record.id
    }

    fn mark_demo(record: &mut Listing) -> bool {
        !std::mem::replace(&mut record.demo, true)
    }

    fn check(record: &Listing, file: &str, line: u64, cx: &mut CheckContext) -> Vec<InputError> {
        check_for_write(record, file, Some(line), &mut cx.hours)
    }

    fn prepare(record: &Listing, text: Option<&str>) -> Derived {
        match text {
            Some(text) => Derived::with_record(record, text.to_owned()),
            None => Derived::of(record),
        }
    }

    type Writer<'t> = ListingPuts<'t>;

    fn writer<'t>(tx: &'t Transaction<'_>) -> Result<ListingPuts<'t>> {
        ListingPuts::new(tx)
    }

    fn put(
        tx: &Transaction<'_>,
        puts: &mut ListingPuts<'_>,
        dataset: &str,
        record: &Listing,
        derived: &Derived,
    ) -> Result<Put> {
        Ok(match put_listing_derived(tx, puts, dataset, record, derived)? {
            Upsert::OtherDataset(other) => Put::OtherDataset(other),
            Upsert::Inserted | Upsert::Updated | Upsert::Unchanged => Put::Written,
        })
    }

    const TEXT_ASIDE: bool = true;

    fn take_text(derived: &mut Derived) -> Option<[String; 5]> {
        Some(std::mem::take(&mut derived.text))
    }

    fn stored_text(derived: &Derived) -> Option<&str> {
        Some(&derived.record)
    }

    fn put_new_at(
        tx: &Transaction<'_>,
        puts: &mut ListingPuts<'_>,
        rowid: i64,
        dataset: &str,
        record: &Listing,
        derived: &Derived,
    ) -> Result<Put> {
        Ok(if put_new_at(tx, puts, rowid, dataset, record, derived)? { Put::Written } else { Put::Twice })
    }

    fn delete(tx: &Transaction<'_>, dataset: &str, id: &str) -> Result<bool> {
        delete_listing(tx, dataset, id)
    }

    fn clear(tx: &Transaction<'_>, dataset: &str) -> Result<u64> {
        clear_listings(tx, dataset)
    }

    fn to_text(record: &Listing) -> String {
        crate::model::to_json(record)
    }
}

/// The dataset an id belongs to in `table`, if any.
fn owner(tx: &Transaction<'_>, table: &str, id: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(tx
        .prepare_cached(&format!("SELECT dataset FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

fn located(problems: Vec<FieldProblem>, file: &str, line: u64, id: &str) -> Vec<InputError> {
    problems.into_iter().map(|p| p.at(file, Some(line), id)).collect()
}

/// Rights articles and warnings: records kept whole as JSON ([`StoredRecord`]), synced the
/// same way. Their content word is [`Synced::NAME`].
pub struct Records<T>(PhantomData<T>);

/// Rights articles.
pub type Rights = Records<Article>;

/// Warnings. Stored normalized (E.164 phones, lower-case hosts), so their canonical text is
/// that of the normalized warning.
pub type Warnings = Records<Warning>;

/// A record kept whole as JSON that a dataset may hold, with the content word naming it.
pub trait Synced: StoredRecord {
    /// The content word (`rights`, `warnings`).
    const NAME: &'static str;
    /// A dataset's ids and stored records, by id (for the state hash and bundles).
    const RECORDS_SQL: &'static str;
}

impl Synced for Article {
    const NAME: &'static str = "rights";
    const RECORDS_SQL: &'static str = "SELECT id, record FROM articles WHERE dataset = ?1 ORDER BY id";
}

impl Synced for Warning {
    const NAME: &'static str = "warnings";
    const RECORDS_SQL: &'static str = "SELECT id, record FROM warnings WHERE dataset = ?1 ORDER BY id";
}

impl<T: Synced> Content for Records<T> {
    const NAME: &'static str = T::NAME;
    type Record = T;
    type Prepared = ();
    const RECORDS_SQL: &'static str = T::RECORDS_SQL;
    const TABLE: &'static str = T::TABLE;

    fn id(record: &T) -> &str {
        record.id()
    }

    fn mark_demo(record: &mut T) -> bool {
        record.mark_demo();
        true
    }

    fn check(record: &T, file: &str, line: u64, _: &mut CheckContext) -> Vec<InputError> {
        located(record.problems(), file, line, record.id())
    }

    fn prepare(_: &T, _: Option<&str>) {}

    type Writer<'t> = ();

    fn writer(_: &Transaction<'_>) -> Result<()> {
        Ok(())
    }

    fn put(tx: &Transaction<'_>, _: &mut (), dataset: &str, record: &T, _: &()) -> Result<Put> {
        if let Some(other) = owner(tx, T::TABLE, record.id())?.filter(|o| o != dataset) {
            return Ok(Put::OtherDataset(other));
        }
        record.put(tx, dataset)?;
        Ok(Put::Written)
    }

    fn delete(tx: &Transaction<'_>, dataset: &str, id: &str) -> Result<bool> {
        if owner(tx, T::TABLE, id)?.as_deref() != Some(dataset) {
            return Ok(false);
        }
        T::delete(tx, id)
    }

    fn clear(tx: &Transaction<'_>, dataset: &str) -> Result<u64> {
        T::clear(tx, dataset)
    }

    fn to_text(record: &T) -> String {
        record.canonical()
    }
}
