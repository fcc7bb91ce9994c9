//! The all-or-nothing batch write of rights articles and warnings, and the read of one of
//! them by id: every record of a file is validated first ([`collect_batch`]), then all are
//! written in ONE transaction ([`write_batch`]); each kind of record says how it is checked
//! and stored by implementing [`StoredRecord`], so that `Store::write_articles` and
//! `Store::write_warnings` (and `article`, `warning`) are one call each
//! ([`Store::write_records`], [`Store::record_by_id`]). Listings have their own streaming
//! writer ([`super::write`]).

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

use super::write::upsert_local_dataset;
use super::{DatasetInfo, Store, WriteSummary};
use crate::error::{Error, InputError, Result};
use crate::model::validate::FieldProblem;

/// What a batch write did (new, changed, identical records).
pub type BatchSummary = WriteSummary;

/// Rejections collected before giving up.
const MAX_REPORTED: usize = 1000;

/// One record of a file as a reader yields it: its line and the record, or why it could not
/// be read.
pub type Lined<T> = std::result::Result<(u64, T), InputError>;

/// A kind of record kept whole as JSON in a table with `id`, `dataset` and `record`
/// columns (rights articles, warnings): how it is checked, stored and removed, for
/// `write_batch` and `Store::record_by_id` here and for a sync (`sync::content::Records`).
pub trait StoredRecord: crate::model::LineRecord + Send {
    /// The table.
    const TABLE: &'static str;
    /// What one record is called in errors (`article`, `warning`).
    const WHAT: &'static str;
    /// The record's id.
    fn id(&self) -> &str;
    /// What is wrong with it (empty when it may be stored).
    fn problems(&self) -> Vec<FieldProblem>;
    /// The text it is stored as (and hashed as by a sync's state hash).
    fn canonical(&self) -> String;
    /// True when `record` (the stored text) already holds this record.
    fn same(&self, record: &str) -> bool {
        self.canonical() == record
    }
    /// Inserts or replaces the record in `dataset`, inside a transaction.
    fn put(&self, tx: &Transaction<'_>, dataset: &str) -> Result<()>;
    /// Deletes the record `id` and its indexes; `false` when there was none.
    fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool>;
    /// Deletes every record of `dataset`; returns how many.
    fn clear(tx: &Transaction<'_>, dataset: &str) -> Result<u64>;
}

impl Store {
    /// Validates every record and writes them into `dataset` in ONE IMMEDIATE transaction;
    /// on any rejection nothing is written and every rejection is reported (file, line,
    /// record id, field). An id of another dataset is a rejection.
    pub(crate) fn write_records<T: StoredRecord>(
        &self,
        dataset: &DatasetInfo,
        file: &str,
        records: impl IntoIterator<Item = Lined<T>>,
    ) -> Result<BatchSummary> {
        let batch = collect_batch(file, records)?;
        write_batch(self, dataset, file, &batch)
    }

    /// One stored record by id: [`Error::NotFound`] when there is none, damaged storage
    /// when its JSON no longer reads.
    pub(crate) fn record_by_id<T: StoredRecord>(&self, id: &str) -> Result<T> {
        self.read(|conn| {
            let record: String = conn
                .prepare_cached(&format!("SELECT record FROM {} WHERE id = ?1", T::TABLE))?
                .query_row([id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound(id.to_string()))?;
            serde_json::from_str(&record).map_err(|e| Error::damaged_record(T::WHAT, id, e))
        })
    }
}

/// Reads every record, validates it ([`StoredRecord::problems`]) and refuses ids seen
/// twice; returns the records or every rejection.
fn collect_batch<T: StoredRecord>(file: &str, records: impl IntoIterator<Item = Lined<T>>) -> Result<Vec<(u64, T)>> {
    let mut ok = Vec::new();
    let mut rejected: Vec<InputError> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in records {
        match record {
            Err(e) => rejected.push(e),
            Ok((line, r)) => {
                let id = r.id().to_string();
                rejected.extend(r.problems().into_iter().map(|p| p.at(file, Some(line), &id)));
                if !seen.insert(id.clone()) {
                    rejected.push(
                        InputError::new(file, "appears twice in this input").at_line(line).record(id).field("id"),
                    );
                }
                ok.push((line, r));
            }
        }
        if rejected.len() >= MAX_REPORTED {
            break;
        }
    }
    Error::refuse(rejected)?;
    Ok(ok)
}

/// Writes a checked `batch` (from [`collect_batch`]) into `dataset` in ONE transaction:
/// new ids inserted, changed records replaced, identical ones left alone. An id that
/// belongs to another dataset rejects the whole batch, every such id reported.
fn write_batch<T: StoredRecord>(
    store: &Store,
    dataset: &DatasetInfo,
    file: &str,
    batch: &[(u64, T)],
) -> Result<BatchSummary> {
    store.write(|conn| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        upsert_local_dataset(&tx, dataset)?;
        let mut summary = BatchSummary::default();
        let mut rejected = Vec::new();
        let select = format!("SELECT dataset, record FROM {} WHERE id = ?1", T::TABLE);
        for (line, r) in batch {
            let id = r.id();
            let old: Option<(String, String)> =
                tx.prepare_cached(&select)?.query_row([id], |row| Ok((row.get(0)?, row.get(1)?))).optional()?;
            match old {
                Some((other, _)) if other != dataset.name => rejected.push(
                    InputError::new(file, format!("id already belongs to dataset {other:?}"))
                        .at_line(*line)
                        .record(id)
                        .field("id"),
                ),
                Some((_, record)) if r.same(&record) => summary.unchanged += 1,
                Some(_) => {
                    r.put(&tx, &dataset.name)?;
                    summary.updated += 1;
                }
                None => {
                    r.put(&tx, &dataset.name)?;
                    summary.inserted += 1;
                }
            }
        }
        Error::refuse(rejected)?;
        tx.commit()?;
        Ok(summary)
    })
}
