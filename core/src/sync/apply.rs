//! Applying a verified dataset file (snapshot or delta) inside ONE transaction of the
//! caller's: every record is checked and written, then the state hash of what the store
//! now holds is compared with the signed one. The caller commits only when this returns
//! `Ok`; on any error it drops the transaction and the store is as before.
//!
//! The state hash is read back from the store, except for a first large snapshot (the one
//! whose text index is built aside, `store::text_aside`): there the store held no record
//! of the kind, every record is a plain insert of a new row, and the writer hashes each
//! record text as it binds it, in file order (when that is id order, as publishers write
//! it; otherwise the store is read back). What was inserted into an empty table is what it
//! holds, so that hash is the store's, without reading 100,000 records back while the other
//! core idles; debug builds (every test) read it back as well and fail on any difference.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::content::{CheckContext, Content, ContentKind, Listings, Put, Rights, Warnings};
use super::entry::DatasetEntry;
use super::files::{read_header, DeltaOp, Header, Lines};
use super::state::StateHasher;
use super::status::{get_meta, set_meta, NEWEST_SIGNED};
use super::SyncError;
use crate::compress::{self, Decoder};
use crate::error::{Error, InputError, Result};
use crate::import::jsonl::{from_json_line, peek_id};
use crate::store::bulk::{self, Deferred};
use crate::store::text_aside;
use crate::store::write::upsert_dataset;
use crate::store::DatasetInfo;

/// Which file an apply read: the full snapshot, or a delta from the version held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The full snapshot replaced the dataset.
    Snapshot,
    /// A delta from this local version.
    Delta {
        /// The version it started from.
        from: u64,
    },
}

/// How a dataset reached the version held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncRoute {
    /// Already current: nothing was downloaded.
    Unchanged,
    /// The full snapshot replaced the dataset.
    Snapshot,
    /// A delta from the version held.
    Delta,
    /// A bundle file from another phone or shipped with the app.
    Bundle,
}

impl SyncRoute {
    /// `unchanged`, `snapshot`, `delta` or `bundle`: as JSON and the database spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncRoute::Unchanged => "unchanged",
            SyncRoute::Snapshot => "snapshot",
            SyncRoute::Delta => "delta",
            SyncRoute::Bundle => "bundle",
        }
    }

    /// Reads the word [`SyncRoute::as_str`] writes; `None` for anything else.
    pub fn parse(word: &str) -> Option<SyncRoute> {
        [SyncRoute::Unchanged, SyncRoute::Snapshot, SyncRoute::Delta, SyncRoute::Bundle]
            .into_iter()
            .find(|r| r.as_str() == word)
    }
}

impl From<Route> for SyncRoute {
    fn from(route: Route) -> SyncRoute {
        match route {
            Route::Snapshot => SyncRoute::Snapshot,
            Route::Delta { .. } => SyncRoute::Delta,
        }
    }
}

impl rusqlite::types::ToSql for SyncRoute {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for SyncRoute {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<SyncRoute> {
        super::content::word_column(value, SyncRoute::parse, "sync route")
    }
}

/// What one apply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The route taken.
    pub route: Route,
    /// Records written (inserted or replaced).
    pub put: u64,
    /// Records deleted.
    pub deleted: u64,
}

/// Rejections listed before giving up on a file.
const MAX_REPORTED: usize = 50;

/// Records between two progress calls.
const PROGRESS_EVERY: u64 = 512;

/// The version of `dataset` held here, if any.
pub fn local_version(conn: &rusqlite::Connection, dataset: &str) -> Result<Option<u64>> {
    Ok(conn
        .query_row("SELECT version FROM sync_datasets WHERE name = ?1", [dataset], |r| r.get::<_, i64>(0))
        .optional()?
        .map(|v| v as u64))
}

/// Applies the snapshot or delta in `reader` (decompressed) for the dataset `entry`
/// describes, inside `tx`. `unconfirmed_since` marks data applied from metadata that had
/// expired (an old bundle). `progress(records)` is called every few hundred records and once at the end, and
/// returns false to cancel.
pub fn apply_file<C: Content>(
    tx: &Transaction<'_>,
    entry: &DatasetEntry,
    reader: impl BufRead + Send,
    file: &str,
    unconfirmed_since: Option<&str>,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Applied> {
    let mut lines = Lines::new(reader, file);
    // The header is read here; the records are read, parsed, checked and prepared on a
    // second thread while this one writes them (on a phone's several cores an apply then
    // takes about the time of its SQLite work alone: docs/benchmarks.md, "sync").
    let (route, demo, deferred, aside) = match read_header(&mut lines)? {
        Header::Snapshot(h) => {
            if h.faro != C::NAME || h.dataset != entry.dataset {
                return Err(mismatch(file, &format!("{}/{}", h.faro, h.dataset), entry));
            }
            // The header's facts are signed in the entry: a file may not relabel its data.
            if h.demo != entry.demo || h.source != entry.source {
                return Err(mismatch(file, "another source or demo flag", entry));
            }
            // A first large snapshot into a store holding no record of this kind: its text
            // index is built aside, on a third thread (`store::text_aside`).
            let aside = if C::TEXT_ASIDE && entry.records >= bulk::MIN_ROWS && bulk::held(tx, C::TABLE)? == 0 {
                text_aside::Plan::new(tx)?
            } else {
                None
            };
            upsert_dataset(tx, &DatasetInfo { name: h.dataset.clone(), source: h.source.clone(), demo: h.demo })?;
            C::clear(tx, &entry.dataset)?;
            // A first sync, or a snapshot bigger than what is stored: the query indexes are
            // built once after the rows (entry.records is signed, so a file cannot claim
            // more to trigger it; a wrong count fails the state check and rolls back).
            let deferred = Deferred::drop_if_worth_it(tx, C::TABLE, C::DEFERRABLE_INDEXES, entry.records)?;
            (Route::Snapshot, h.demo, deferred, aside)
        }
        Header::Delta(h) => {
            if h.content != C::NAME || h.dataset != entry.dataset || h.to != entry.version {
                return Err(mismatch(file, &format!("{}/{} to v{}", h.content, h.dataset, h.to), entry));
            }
            let local = local_version(tx, &entry.dataset)?;
            if local != Some(h.from) {
                return Err(SyncError::WrongBase { dataset: entry.dataset.clone(), from: h.from, local }.into());
            }
            let demo: bool = tx
                .query_row("SELECT demo FROM datasets WHERE name = ?1", [&entry.dataset], |r| r.get(0))
                .optional()?
                .unwrap_or(false);
            (Route::Delta { from: h.from }, demo, Deferred::none(), None)
        }
    };

    let (checked, built) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(BATCHES_IN_FLIGHT);
        let (done_sender, done) = std::sync::mpsc::channel();
        let dataset = entry.dataset.as_str();
        let (texts, builder) = match &aside {
            Some(plan) => {
                let (texts, arriving) = std::sync::mpsc::sync_channel(BATCHES_IN_FLIGHT);
                (Some(texts), Some(scope.spawn(move || plan.build(arriving))))
            }
            None => (None, None),
        };
        let reader = scope.spawn(move || read_steps::<C, _>(lines, route, demo, file, sender, done, texts));
        // Returning drops the receiver, which stops the reader if it is still going.
        let written = write_steps::<C>(tx, dataset, file, receiver, done_sender, progress, aside.is_some());
        if let Err(panic) = reader.join() {
            std::panic::resume_unwind(panic);
        }
        // The indexes and the state are done while the text index is finished aside.
        let checked = finish::<C>(tx, entry, deferred, written, progress);
        let built = builder.map(|b| b.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        (checked, built)
    });
    let put_deleted = checked?;
    if let (Some(plan), Some(built)) = (&aside, built) {
        built?;
        plan.install(tx)?;
    }
    let (put, deleted) = put_deleted;
    tx.execute(
        "INSERT INTO sync_datasets(name, content, version, records, state_hash, publisher, published_at,
             applied_at, route, unconfirmed_since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(name) DO UPDATE SET content = ?2, version = ?3, records = ?4, state_hash = ?5,
             publisher = ?6, published_at = ?7, applied_at = ?8, route = ?9, unconfirmed_since = ?10",
        params![
            entry.dataset,
            C::NAME,
            entry.version as i64,
            entry.records as i64,
            entry.state,
            entry.publisher,
            entry.published.to_rfc3339_opts(SecondsFormat::Secs, true),
            Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            SyncRoute::from(route),
            unconfirmed_since,
        ],
    )?;
    Ok(Applied { route, put, deleted })
}

/// What follows the records inside the transaction: the deferred indexes built again (on
/// every path), the rejections reported, the last progress call (which may cancel) and the
/// state check. Returns the records put and deleted.
fn finish<C: Content>(
    tx: &Transaction<'_>,
    entry: &DatasetEntry,
    deferred: Deferred,
    written: Result<Written>,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<(u64, u64)> {
    // Back before anything else can fail or return: no path leaves the transaction without
    // its indexes (a caller that commits after an error would otherwise keep them dropped).
    let restored = deferred.restore(tx);
    let written = written?;
    restored?;
    if written.rejected_count > 0 {
        return Err(Error::inputs(written.rejected));
    }
    // The last call too may cancel: for a small dataset it is the only one, and the
    // transaction is still open.
    if !progress(written.seen) {
        return Err(Error::Cancelled);
    }
    // A file whose records are not in id order (publishers sort them, but the format does
    // not require it) is hashed from the store instead.
    let (records, state) = match written.state.and_then(StateHasher::finish) {
        Some(as_written) => {
            #[cfg(debug_assertions)]
            assert_eq!(
                as_written,
                dataset_state::<C>(tx, &entry.dataset)?,
                "the state hash as written differs from the store's"
            );
            as_written
        }
        None => dataset_state::<C>(tx, &entry.dataset)?,
    };
    if records != entry.records || state != entry.state {
        return Err(SyncError::StateMismatch {
            dataset: entry.dataset.clone(),
            version: entry.version,
            expected_records: entry.records,
            records,
        }
        .into());
    }
    Ok((written.put, written.deleted))
}

/// One line of a dataset file after reading, parsing and checking, on its way to the writer.
enum Step<C: Content> {
    /// A valid record to write, with what writing it needs.
    Put { line: u64, record: C::Record, prepared: C::Prepared },
    /// A delta's deletion of record `id`.
    Delete { line: u64, id: String },
    /// Why a line is refused.
    Rejected(Vec<InputError>),
}

/// Records per message from the reading thread to the writer: enough that the channel costs
/// nothing per record, few enough to bound what is in flight.
const BATCH: usize = 64;

/// Batches in flight between the two threads: enough (1,024 records, about 3 MB) that the
/// reading thread keeps working while the writer flushes or merges a segment of the text
/// index, which takes a few milliseconds every few thousand records; with 4 the reader
/// waited through each one and the two threads took turns (docs/benchmarks.md, "Sync").
const BATCHES_IN_FLIGHT: usize = 16;

/// The reading thread: reads the records of `lines` after the header, parses, checks and
/// prepares them, and sends them on in batches. A read error (a cut, a corrupt stream, an
/// over-long line) is sent last. Stops early when the writer hangs up. Written batches come
/// back on `done` and are freed here: freeing memory another thread allocated is slow in
/// most allocators (glibc takes the other arena's lock), and the writer is the thread the
/// apply waits for (docs/benchmarks.md, "Sync").
fn read_steps<C: Content, R: BufRead>(
    mut lines: Lines<R>,
    route: Route,
    demo: bool,
    file: &str,
    out: std::sync::mpsc::SyncSender<std::result::Result<Vec<Step<C>>, InputError>>,
    done: std::sync::mpsc::Receiver<Vec<Step<C>>>,
    mut texts: Option<std::sync::mpsc::SyncSender<Vec<text_aside::Text>>>,
) {
    let next_batch = || match done.try_recv() {
        Ok(mut written) => {
            written.clear();
            written
        }
        Err(_) => Vec::with_capacity(BATCH),
    };
    let mut cx = CheckContext::default();
    let mut batch = Vec::with_capacity(BATCH);
    // A snapshot's line is stored as it came (`text`), without writing the record out
    // again: the publisher writes each record's canonical text (docs/sync.md, "The state
    // hash"), and the state hash, recomputed from the stored texts before the commit,
    // proves it was; a line in any other form fails that check and nothing is kept. A
    // record changed here (marked demo) is stored in its canonical form instead.
    // With a text index built aside: the texts not yet sent to it, and the next row id
    // (1, 2, ... in file order: the store held no record, see `store::text_aside`).
    let mut aside: Option<(Vec<text_aside::Text>, i64)> = texts.as_ref().map(|_| (Vec::with_capacity(BATCH), 1));
    let step = |record: C::Record,
                line: u64,
                text: Option<&str>,
                cx: &mut CheckContext,
                aside: &mut Option<(Vec<text_aside::Text>, i64)>|
     -> Step<C> {
        let mut record = record;
        let text = if demo && C::mark_demo(&mut record) { None } else { text };
        let problems = C::check(&record, file, line, cx);
        if problems.is_empty() {
            let mut prepared = C::prepare(&record, text);
            if let Some((pending, rowid)) = aside {
                pending.push((*rowid, C::take_text(&mut prepared).unwrap_or_default()));
                *rowid += 1;
            }
            Step::Put { line, record, prepared }
        } else {
            Step::Rejected(problems)
        }
    };
    loop {
        let (line, text) = match lines.next_line() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            Err(e) => {
                if !batch.is_empty() && out.send(Ok(std::mem::take(&mut batch))).is_err() {
                    return;
                }
                let _ = out.send(Err(e));
                return;
            }
        };
        batch.push(match route {
            Route::Snapshot => match from_json_line::<C::Record>(text, file, line) {
                Ok(record) => step(record, line, Some(text), &mut cx, &mut aside),
                Err(e) => Step::Rejected(vec![locate(e, text)]),
            },
            Route::Delta { .. } => match from_json_line::<DeltaOp<C::Record>>(text, file, line) {
                Ok(DeltaOp::Put(record)) => step(record, line, None, &mut cx, &mut aside),
                Ok(DeltaOp::Delete(id)) => Step::Delete { line, id },
                Err(e) => Step::Rejected(vec![locate(e, text)]),
            },
        });
        if let (Some(sender), Some((pending, _))) = (&texts, &mut aside) {
            // A builder that stopped has failed; the writer learns it from the builder.
            if pending.len() == BATCH && sender.send(std::mem::replace(pending, Vec::with_capacity(BATCH))).is_err() {
                texts = None;
            }
        }
        if batch.len() == BATCH && out.send(Ok(std::mem::replace(&mut batch, next_batch()))).is_err() {
            return;
        }
    }
    if let (Some(sender), Some((pending, _))) = (&texts, aside) {
        if !pending.is_empty() {
            let _ = sender.send(pending);
        }
    }
    drop(texts);
    if !batch.is_empty() {
        let _ = out.send(Ok(batch));
    }
}

/// What the writer did.
struct Written {
    /// The first rejections ([`MAX_REPORTED`] at most).
    rejected: Vec<InputError>,
    /// How many rejections there were.
    rejected_count: usize,
    /// Records put.
    put: u64,
    /// Records deleted.
    deleted: u64,
    /// Lines seen.
    seen: u64,
    /// With the text index built aside: the state hash of the records as they were
    /// inserted (see the module doc).
    state: Option<StateHasher>,
}

/// The writer: writes the steps arriving on `steps` into `dataset`, inside `tx`, calling
/// `progress` every [`PROGRESS_EVERY`] records. After the first rejection nothing more is
/// written, but every rejection is still counted.
fn write_steps<C: Content>(
    tx: &Transaction<'_>,
    dataset: &str,
    file: &str,
    steps: std::sync::mpsc::Receiver<std::result::Result<Vec<Step<C>>, InputError>>,
    done: std::sync::mpsc::Sender<Vec<Step<C>>>,
    progress: &mut dyn FnMut(u64) -> bool,
    text_aside: bool,
) -> Result<Written> {
    let mut rejected: Vec<InputError> = Vec::new();
    let mut rejected_count = 0usize;
    let (mut put, mut deleted, mut seen) = (0u64, 0u64, 0u64);
    let mut state = text_aside.then(StateHasher::new);
    let mut writer = C::writer(tx)?;
    for batch in steps {
        let mut batch = batch?;
        for step in batch.iter_mut() {
            let problems = match step {
                Step::Rejected(problems) => std::mem::take(problems),
                Step::Put { .. } | Step::Delete { .. } if rejected_count > 0 => vec![],
                Step::Put { line, record, prepared } => match if text_aside {
                    // Row ids 1, 2, ... as the reading thread numbered the texts.
                    C::put_new_at(tx, &mut writer, put as i64 + 1, dataset, record, prepared)?
                } else {
                    C::put(tx, &mut writer, dataset, record, prepared)?
                } {
                    Put::Written => {
                        put += 1;
                        if let Some(hasher) = &mut state {
                            let text = C::stored_text(prepared)
                                .ok_or_else(|| Error::Internal(format!("{} has no stored text to hash", C::NAME)))?;
                            hasher.add(C::id(record), text.as_bytes());
                        }
                        vec![]
                    }
                    Put::Twice => vec![InputError::new(file, "appears twice in this file")
                        .at_line(*line)
                        .record(C::id(record))
                        .field("id")],
                    Put::OtherDataset(other) => {
                        vec![InputError::new(file, format!("id already belongs to dataset {other:?}"))
                            .at_line(*line)
                            .record(C::id(record))
                            .field("id")]
                    }
                },
                Step::Delete { line, id } => {
                    if C::delete(tx, dataset, id)? {
                        deleted += 1;
                        vec![]
                    } else {
                        vec![InputError::new(file, "deletes a record this dataset does not have")
                            .at_line(*line)
                            .record(id.as_str())]
                    }
                }
            };
            rejected_count += problems.len();
            rejected.extend(problems.into_iter().take(MAX_REPORTED.saturating_sub(rejected.len())));
            seen += 1;
            if seen % PROGRESS_EVERY == 0 && !progress(seen) {
                return Err(Error::Cancelled);
            }
        }
        // The reading thread frees it; if that thread has finished, this one does.
        let _ = done.send(batch);
    }
    Ok(Written { rejected, rejected_count, put, deleted, seen, state })
}

/// Names the record of a line that did not parse, when its id can be read.
fn locate(e: InputError, text: &str) -> InputError {
    match peek_id(text) {
        Some(id) => e.record(id),
        None => e,
    }
}

fn mismatch(file: &str, found: &str, entry: &DatasetEntry) -> Error {
    SyncError::WrongFile {
        file: file.to_string(),
        found: found.to_string(),
        expected: format!("{}/{} v{}", entry.content, entry.dataset, entry.version),
    }
    .into()
}

/// Record count and state hash of `dataset` as the store holds it now.
pub fn dataset_state<C: Content>(conn: &rusqlite::Connection, dataset: &str) -> Result<(u64, String)> {
    let mut stmt = conn.prepare_cached(C::RECORDS_SQL)?;
    let mut rows = stmt.query([dataset])?;
    let mut hasher = StateHasher::new();
    while let Some(row) = rows.next()? {
        let id = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let record = row.get_ref(1)?.as_bytes().map_err(rusqlite::Error::from)?;
        hasher.add(id, record);
    }
    hasher.finish().ok_or_else(|| Error::Internal("records did not come out in id order".into()))
}

/// Applies a verified compressed dataset file inside the caller's transaction `tx` and
/// records the newest signed time; the caller commits.
pub(crate) fn apply_compressed_in(
    tx: &rusqlite::Transaction<'_>,
    kind: ContentKind,
    entry: &DatasetEntry,
    file: &Path,
    name: &str,
    unconfirmed_since: Option<&str>,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Applied> {
    let compressed = File::open(file).map_err(|e| Error::Io { path: file.into(), source: e })?;
    let len = compressed.metadata().map(|m| m.len()).unwrap_or(0);
    let decoder = Decoder::new(BufReader::new(compressed), compress::output_cap(len))?;
    let reader = BufReader::with_capacity(64 * 1024, decoder);
    let applied = match kind {
        ContentKind::Listings => apply_file::<Listings>(tx, entry, reader, name, unconfirmed_since, progress)?,
        ContentKind::Rights => apply_file::<Rights>(tx, entry, reader, name, unconfirmed_since, progress)?,
        ContentKind::Warnings => apply_file::<Warnings>(tx, entry, reader, name, unconfirmed_since, progress)?,
    };
    let newest = get_meta(tx, NEWEST_SIGNED)?.and_then(|s| s.parse::<DateTime<Utc>>().ok());
    if newest.is_none_or(|n| n < entry.published) {
        set_meta(tx, NEWEST_SIGNED, &entry.published.to_rfc3339_opts(SecondsFormat::Secs, true))?;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use rusqlite::TransactionBehavior;

    use super::*;
    use crate::publish::dataset::{delta_file, snapshot_file, state_of, Records};
    use crate::store::Store;
    use crate::sync::content::Listings;
    use crate::sync::files::SnapshotHeader;

    const DATASET: &str = "directory/test";

    fn records(items: &[(&str, &str)]) -> Records {
        items
            .iter()
            .map(|(id, name)| {
                let text = format!(r#"{{"id":"{id}","kind":"health","name":{{"es":"{name} (demo)"}},"demo":true}}"#);
                let listing: crate::Listing = serde_json::from_str(&text).unwrap();
                (id.to_string(), crate::model::to_json(&listing))
            })
            .collect()
    }

    fn header() -> SnapshotHeader {
        serde_json::from_str(&format!(r#"{{"faro":"listings","version":1,"dataset":"{DATASET}","demo":true}}"#))
            .unwrap()
    }

    fn entry(version: u64, recs: &Records) -> DatasetEntry {
        let (records, state) = state_of(recs);
        DatasetEntry {
            content: "listings".into(),
            dataset: DATASET.into(),
            version,
            records,
            state,
            publisher: Some("test".into()),
            published: Utc::now(),
            demo: true,
            source: None,
            deltas: Default::default(),
        }
    }

    fn apply(store: &Store, entry: &DatasetEntry, file: &[u8]) -> Result<Applied> {
        store.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let applied = apply_file::<Listings>(&tx, entry, file, "f.jsonl", None, &mut |_| true)?;
            tx.commit()?;
            Ok(applied)
        })
    }

    fn held(store: &Store) -> (Option<u64>, (u64, String)) {
        store.read(|c| Ok((local_version(c, DATASET)?, dataset_state::<Listings>(c, DATASET)?))).unwrap()
    }

    #[test]
    fn snapshot_then_delta_then_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let v1 = records(&[("demo:a", "A"), ("demo:b", "B"), ("demo:c", "C")]);
        let v2 = records(&[("demo:a", "A"), ("demo:b", "B2"), ("demo:d", "D")]);

        let a = apply(&store, &entry(1, &v1), &snapshot_file(&header(), &v1)).unwrap();
        assert_eq!((a.route, a.put, a.deleted), (Route::Snapshot, 3, 0));
        assert_eq!(held(&store), (Some(1), state_of(&v1)));

        let delta = delta_file("listings", DATASET, 1, &v1, 2, &v2);
        let a = apply(&store, &entry(2, &v2), &delta).unwrap();
        assert_eq!((a.route, a.put, a.deleted), (Route::Delta { from: 1 }, 2, 1));
        assert_eq!(held(&store), (Some(2), state_of(&v2)));

        // The same delta again: this device is no longer at version 1.
        let e = apply(&store, &entry(2, &v2), &delta).unwrap_err();
        assert!(matches!(e, Error::Sync(SyncError::WrongBase { local: Some(2), .. })), "{e}");

        // A delta whose result does not hash to the signed state is rolled back.
        let v3 = records(&[("demo:a", "A3")]);
        let wrong = records(&[("demo:a", "A3"), ("demo:z", "Z")]);
        let e = apply(&store, &entry(3, &wrong), &delta_file("listings", DATASET, 2, &v2, 3, &v3)).unwrap_err();
        assert!(matches!(e, Error::Sync(SyncError::StateMismatch { .. })), "{e}");
        assert_eq!(held(&store), (Some(2), state_of(&v2)));

        // A bad record in a signed file fails the file with its line; nothing changes.
        let mut bad = snapshot_file(&header(), &v3);
        bad.extend_from_slice(b"{\"id\":\"demo:q\",\"kind\":\"bakery\"}\n");
        let e = apply(&store, &entry(3, &v3), &bad).unwrap_err().to_string();
        assert!(e.contains("f.jsonl:3: record demo:q: field kind"), "{e}");
        assert_eq!(held(&store), (Some(2), state_of(&v2)));
    }

    #[test]
    fn a_snapshot_line_is_stored_as_it_came_and_only_the_canonical_text_passes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let v1 = records(&[("demo:a", "A"), ("demo:b", "B")]);
        let canonical = &v1["demo:b"];
        let first = records(&[("demo:a", "A")]);

        // The same records, one line with its keys in another order: every field checks out,
        // but the stored text would not be what the publisher hashed. Refused, nothing kept.
        let reordered = canonical.replacen(r#"{"id":"demo:b","kind":"health""#, r#"{"kind":"health","id":"demo:b""#, 1);
        assert_ne!(&reordered, canonical);
        let mut file = snapshot_file(&header(), &first);
        file.extend_from_slice(format!("{reordered}\n").as_bytes());
        let e = apply(&store, &entry(1, &v1), &file).unwrap_err();
        assert!(matches!(e, Error::Sync(SyncError::StateMismatch { .. })), "{e}");
        assert_eq!(held(&store).0, None);

        // A demo dataset's record without its demo flag is marked, and stored in its
        // canonical form (not as the line said), so the state still checks out.
        let plain = canonical.replacen(r#","demo":true"#, "", 1);
        assert_ne!(&plain, canonical);
        let mut file = snapshot_file(&header(), &first);
        file.extend_from_slice(format!("{plain}\n").as_bytes());
        apply(&store, &entry(1, &v1), &file).unwrap();
        assert_eq!(held(&store), (Some(1), state_of(&v1)));
    }

    /// Ids matching each of `queries` in the text index, and FTS5's own integrity check.
    fn text_answers(store: &Store, queries: &[&str]) -> Vec<Vec<String>> {
        store
            .write(|c| {
                c.execute("INSERT INTO listings_fts(listings_fts, rank) VALUES ('integrity-check', 0)", [])?;
                let mut answers = Vec::new();
                for q in queries {
                    let mut stmt = c.prepare(
                        "SELECT l.id FROM listings_fts f JOIN listings l ON l.rowid = f.rowid
                         WHERE listings_fts MATCH ?1 ORDER BY l.id",
                    )?;
                    answers.push(stmt.query_map([q], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?);
                }
                Ok(answers)
            })
            .unwrap()
    }

    #[test]
    fn a_first_large_snapshot_builds_its_text_index_aside_with_the_same_answers() {
        let words = ["Casa", "Albergue", "Clinica", "Jurídica", "Refugio", "Salud", "Migrante", "Niñez"];
        let names: Vec<(String, String)> = (0..crate::store::bulk::MIN_ROWS as usize + 7)
            .map(|i| (format!("demo:{i:05}"), format!("{} {} {i}", words[i % 8], words[(i / 8) % 8])))
            .collect();
        let v1 = records(&names.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let mut changed = names.clone();
        changed[3].1 = "Hospital Esperanza".into();
        changed.truncate(names.len() - 2);
        let v2 = records(&changed.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let queries = ["casa", "juridica", "nin*", "alb* AND salud", "esperanza", "demo", "12", "migrante NOT refugio"];

        let dir = tempfile::tempdir().unwrap();
        // Aside: an empty store. Ordinary: the same after another dataset's listing.
        let aside = Store::open(dir.path().join("aside.db")).unwrap();
        let ordinary = Store::open(dir.path().join("ordinary.db")).unwrap();
        let other = "{\"faro\":\"listings\",\"version\":1,\"dataset\":\"local/other\",\"demo\":true}\n\
                     {\"id\":\"other:1\",\"kind\":\"health\",\"name\":{\"es\":\"Casa lejana (demo)\"}}\n";
        let (_, other) = crate::import::listings::read_listings(other.as_bytes(), "other.jsonl").unwrap();
        let info = DatasetInfo { name: "local/other".into(), source: None, demo: true };
        ordinary.write_listings(&info, "other.jsonl", other).unwrap();
        for store in [&aside, &ordinary] {
            apply(store, &entry(1, &v1), &snapshot_file(&header(), &v1)).unwrap();
        }
        assert!(!dir.path().join("aside.db-text-build").exists(), "the scratch file is gone");
        let first = text_answers(&aside, &queries);
        let mut expected = text_answers(&ordinary, &queries);
        expected.iter_mut().for_each(|ids| ids.retain(|id| id != "other:1"));
        assert_eq!(first, expected);
        assert!(
            first.iter().enumerate().all(|(i, ids)| ids.is_empty() == (i == 4)) && first[0].len() > 600,
            "{:?}",
            first.iter().map(Vec::len).collect::<Vec<_>>()
        );

        // The index built aside takes ordinary updates afterwards.
        let delta = delta_file("listings", DATASET, 1, &v1, 2, &v2);
        for store in [&aside, &ordinary] {
            apply(store, &entry(2, &v2), &delta).unwrap();
        }
        let after = text_answers(&aside, &queries);
        let mut expected = text_answers(&ordinary, &queries);
        expected.iter_mut().for_each(|ids| ids.retain(|id| id != "other:1"));
        assert_eq!(after, expected);
        assert_eq!(after[4], ["demo:00003"]);
        aside.check_integrity().unwrap();
    }

    #[test]
    fn a_first_large_snapshot_is_hashed_as_written_refused_when_wrong_and_read_back_out_of_order() {
        let names: Vec<(String, String)> = (0..crate::store::bulk::MIN_ROWS as usize + 3)
            .map(|i| (format!("demo:{i:05}"), format!("Casa {i}")))
            .collect();
        let list = |names: &[(String, String)]| {
            records(&names.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>())
        };
        let v1 = list(&names);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("p.db")).unwrap();

        // Signed for other texts (one name differs): the hash of the texts as written does
        // not match, and nothing is kept.
        let mut other = names.clone();
        other[10].1 = "Casa cambiada".into();
        let e = apply(&store, &entry(1, &list(&other)), &snapshot_file(&header(), &v1)).unwrap_err();
        assert!(matches!(e, Error::Sync(SyncError::StateMismatch { .. })), "{e}");
        assert_eq!(held(&store), (None, state_of(&Records::new())));

        // The right records out of id order: the format allows it, so the state is read
        // back from the store (sorted) and the file applies.
        let mut file = snapshot_file(&header(), &Records::new());
        for text in v1.values().rev() {
            file.extend_from_slice(format!("{text}\n").as_bytes());
        }
        apply(&store, &entry(1, &v1), &file).unwrap();
        assert_eq!(held(&store), (Some(1), state_of(&v1)));
    }

    #[test]
    fn a_refused_snapshot_built_aside_leaves_nothing() {
        let names: Vec<(String, String)> =
            (0..crate::store::bulk::MIN_ROWS as usize).map(|i| (format!("demo:{i:05}"), format!("Casa {i}"))).collect();
        let v1 = records(&names.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let mut wrong = entry(1, &v1);
        wrong.state = "0".repeat(64);
        let e = apply(&store, &wrong, &snapshot_file(&header(), &v1)).unwrap_err();
        assert!(matches!(e, Error::Sync(SyncError::StateMismatch { .. })), "{e}");
        assert!(!dir.path().join("faro.db-text-build").exists());
        assert!(text_answers(&store, &["casa"])[0].is_empty());
        // A file with one id twice is refused with its line.
        let mut twice = snapshot_file(&header(), &v1);
        twice.extend_from_slice(format!("{}\n", v1["demo:00001"]).as_bytes());
        let e = apply(&store, &entry(1, &v1), &twice).unwrap_err().to_string();
        assert!(e.contains("record demo:00001: field id: appears twice in this file"), "{e}");
        apply(&store, &entry(1, &v1), &snapshot_file(&header(), &v1)).unwrap();
        assert_eq!(text_answers(&store, &["casa"])[0].len(), names.len());
    }

    fn indexes(store: &Store) -> Vec<(String, String)> {
        store.read(|c| Ok(crate::store::bulk::schema(c)?)).unwrap()
    }

    #[test]
    fn a_big_snapshot_builds_its_query_indexes_after_the_rows_and_a_failed_one_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let before = indexes(&store);
        assert!(before.iter().any(|(n, _)| n == "listings_by_kind"), "{before:?}");
        let n = crate::store::bulk::MIN_ROWS as usize;
        let names: Vec<(String, String)> = (0..n).map(|i| (format!("demo:{i:05}"), format!("N{i}"))).collect();
        let big = records(&names.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());

        // A wrong signed state: everything is written, the indexes dropped and built
        // again, then the whole apply is refused and rolled back.
        let mut wrong = entry(1, &big);
        wrong.state = "0".repeat(64);
        let e = apply(&store, &wrong, &snapshot_file(&header(), &big)).unwrap_err();
        assert!(matches!(e, Error::Sync(SyncError::StateMismatch { .. })), "{e}");
        assert_eq!(indexes(&store), before);

        let a = apply(&store, &entry(1, &big), &snapshot_file(&header(), &big)).unwrap();
        assert_eq!(a.put, n as u64);
        assert_eq!(indexes(&store), before, "the same indexes, created by the same SQL");
        store.check_integrity().unwrap();
        let (plan, health): (String, i64) = store
            .read(|c| {
                let plan = c.query_row(
                    "EXPLAIN QUERY PLAN SELECT id FROM listings WHERE kind = 'health' AND status = 'active'",
                    [],
                    |r| r.get(3),
                )?;
                let health = c.query_row("SELECT count(*) FROM listings WHERE kind = 'health'", [], |r| r.get(0))?;
                Ok((plan, health))
            })
            .unwrap();
        assert!(plan.contains("listings_by_kind"), "{plan}");
        assert_eq!(health, n as i64);
    }

    #[test]
    fn a_file_for_another_dataset_is_refused_and_cancel_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let v1 = records(&[("demo:a", "A")]);
        let mut other = entry(1, &v1);
        other.dataset = "directory/other".into();
        let e = apply(&store, &other, &snapshot_file(&header(), &v1)).unwrap_err();
        assert!(matches!(e, Error::Sync(SyncError::WrongFile { .. })), "{e}");

        let many: Vec<(String, String)> = (0..2000).map(|i| (format!("demo:{i:05}"), format!("N{i}"))).collect();
        let many = records(&many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let e = store
            .write(|conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let file = snapshot_file(&header(), &many);
                apply_file::<Listings>(&tx, &entry(1, &many), &file[..], "f", None, &mut |n| n < 1000)
            })
            .unwrap_err();
        assert!(matches!(e, Error::Cancelled));
        assert_eq!(held(&store).0, None);
    }

    #[test]
    fn route_and_content_are_stored_and_read_back_as_enums() {
        use crate::sync::{status, ContentKind, SyncPhase};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let v1 = records(&[("demo:a", "A")]);
        apply(&store, &entry(1, &v1), &snapshot_file(&header(), &v1)).unwrap();
        let held = &status(&store, Utc::now()).unwrap().datasets[0];
        assert_eq!((held.content, held.route), (ContentKind::Listings, SyncRoute::Snapshot));
        // JSON spells them as the database does, and as `faro status --json` always has.
        let json = serde_json::to_value(held).unwrap();
        assert_eq!((&json["content"], &json["route"]), (&"listings".into(), &"snapshot".into()));
        for route in [SyncRoute::Unchanged, SyncRoute::Snapshot, SyncRoute::Delta, SyncRoute::Bundle] {
            assert_eq!(serde_json::to_value(route).unwrap(), route.as_str());
            assert_eq!(SyncRoute::parse(route.as_str()), Some(route));
        }
        for kind in [ContentKind::Listings, ContentKind::Rights, ContentKind::Warnings] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for phase in [SyncPhase::Metadata, SyncPhase::Download, SyncPhase::Apply] {
            assert_eq!(serde_json::to_value(phase).unwrap(), phase.as_str());
        }
        // A word this build does not know is a damaged row, not a guess.
        store.write(|c| Ok(c.execute("UPDATE sync_datasets SET route = 'teleport'", [])?)).unwrap();
        let e = status(&store, Utc::now()).unwrap_err().to_string();
        assert!(e.contains("unknown sync route \"teleport\""), "{e}");
        store.write(|c| Ok(c.execute("UPDATE sync_datasets SET route = 'delta', content = 'recipes'", [])?)).unwrap();
        let e = status(&store, Utc::now()).unwrap_err().to_string();
        assert!(e.contains("unknown dataset content \"recipes\""), "{e}");
    }
}
