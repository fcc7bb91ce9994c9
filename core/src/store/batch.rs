//! The all-or-nothing batch write of rights articles and warnings: every record of a file
//! is validated first ([`collect_batch`]), then all are written in ONE transaction
//! ([`write_batch`]), each kind of record described by a [`RecordTable`]. Listings have
//! their own streaming writer ([`super::write`]).

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

use super::write::upsert_local_dataset;
use super::{DatasetInfo, Store, WriteSummary};
use crate::error::{Error, InputError, Result};
use crate::model::validate::FieldProblem;

/// What a batch write did (new, changed, identical records).
pub type BatchSummary = WriteSummary;

/// Rejections collected before giving up.
const MAX_REPORTED: usize = 1000;

/// Reads every record, validates it with `check` (returning its id and problems) and
/// refuses ids seen twice; returns the records or every rejection.
pub(crate) fn collect_batch<T>(
    file: &str,
    records: impl IntoIterator<Item = std::result::Result<(u64, T), InputError>>,
    check: impl Fn(&T) -> (String, Vec<FieldProblem>),
) -> Result<Vec<(u64, T)>> {
    let mut ok = Vec::new();
    let mut rejected: Vec<InputError> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in records {
        match record {
            Err(e) => rejected.push(e),
            Ok((line, r)) => {
                let (id, problems) = check(&r);
                rejected.extend(problems.into_iter().map(|p| p.at(file, Some(line), &id)));
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

/// How [`write_batch`] stores one kind of record.
pub(crate) struct RecordTable<T> {
    /// The table holding `id`, `dataset` and `record` columns.
    pub table: &'static str,
    /// The record's id.
    pub id: fn(&T) -> &str,
    /// True when `record` (the stored text) already holds this record.
    pub same: fn(&T, &str) -> bool,
    /// Inserts or replaces the record in a dataset, inside a transaction.
    pub put: fn(&Transaction<'_>, &str, &T) -> Result<()>,
}

/// Writes a checked `batch` (from [`collect_batch`]) into `dataset` in ONE transaction:
/// new ids inserted, changed records replaced, identical ones left alone. An id that
/// belongs to another dataset rejects the whole batch, every such id reported.
pub(crate) fn write_batch<T>(
    store: &Store,
    dataset: &DatasetInfo,
    file: &str,
    batch: &[(u64, T)],
    kind: &RecordTable<T>,
) -> Result<BatchSummary> {
    store.write(|conn| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        upsert_local_dataset(&tx, dataset)?;
        let mut summary = BatchSummary::default();
        let mut rejected = Vec::new();
        let select = format!("SELECT dataset, record FROM {} WHERE id = ?1", kind.table);
        for (line, r) in batch {
            let id = (kind.id)(r);
            let old: Option<(String, String)> =
                tx.prepare_cached(&select)?.query_row([id], |row| Ok((row.get(0)?, row.get(1)?))).optional()?;
            match old {
                Some((other, _)) if other != dataset.name => rejected.push(
                    InputError::new(file, format!("id already belongs to dataset {other:?}"))
                        .at_line(*line)
                        .record(id)
                        .field("id"),
                ),
                Some((_, record)) if (kind.same)(r, &record) => summary.unchanged += 1,
                Some(_) => {
                    (kind.put)(&tx, &dataset.name, r)?;
                    summary.updated += 1;
                }
                None => {
                    (kind.put)(&tx, &dataset.name, r)?;
                    summary.inserted += 1;
                }
            }
        }
        Error::refuse(rejected)?;
        tx.commit()?;
        Ok(summary)
    })
}
