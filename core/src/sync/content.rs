//! What a dataset holds (listings today; rights articles and warnings join them) and, for
//! each kind of content, how a record is read, checked, written, deleted and read back for
//! the state hash. The sync code is written once over the [`Content`] trait.

use rusqlite::Transaction;
use serde::de::DeserializeOwned;

use crate::error::{InputError, Result};
use crate::hours::HoursCache;
use crate::model::Listing;
use crate::store::write::{check_for_write, clear_listings, delete_listing, put_listing, Upsert};

/// The kinds of content a dataset can have; the word is the `"faro"` field of its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentKind {
    /// Directory listings (`faro: "listings"`).
    Listings,
}

impl ContentKind {
    /// The word used in file headers and target entries.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Listings => Listings::NAME,
        }
    }

    /// Parses the word used in file headers and target entries.
    pub fn parse(s: &str) -> Option<ContentKind> {
        match s {
            Listings::NAME => Some(ContentKind::Listings),
            _ => None,
        }
    }
}

/// Whether a record could be written.
pub enum Put {
    /// Written (inserted, updated or already identical).
    Written,
    /// Its id belongs to another dataset; nothing was written.
    OtherDataset(String),
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
    type Record: DeserializeOwned;
    /// SQL giving `(id, record text)` of dataset `?1`, ordered by id (bytewise).
    const RECORDS_SQL: &'static str;

    /// The record's id.
    fn id(record: &Self::Record) -> &str;
    /// Forces the demo flag of records in a demo dataset.
    fn mark_demo(record: &mut Self::Record);
    /// Every problem keeping `record` out of the store, located in `file` at `line`.
    fn check(record: &Self::Record, file: &str, line: u64, cx: &mut CheckContext) -> Vec<InputError>;
    /// Inserts or replaces `record` in `dataset`, inside `tx`.
    fn put(tx: &Transaction<'_>, dataset: &str, record: &Self::Record) -> Result<Put>;
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
    const RECORDS_SQL: &'static str =
        "SELECT l.id, r.record FROM listings l JOIN listing_records r ON r.listing = l.rowid
         WHERE l.dataset = ?1 ORDER BY l.id";

    fn id(record: &Listing) -> &str {
        &record.id
    }

    fn mark_demo(record: &mut Listing) {
        record.demo = true;
    }

    fn check(record: &Listing, file: &str, line: u64, cx: &mut CheckContext) -> Vec<InputError> {
        check_for_write(record, file, Some(line), &mut cx.hours)
    }

    fn put(tx: &Transaction<'_>, dataset: &str, record: &Listing) -> Result<Put> {
        Ok(match put_listing(tx, dataset, record)? {
            Upsert::OtherDataset(other) => Put::OtherDataset(other),
            Upsert::Inserted | Upsert::Updated | Upsert::Unchanged => Put::Written,
        })
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
