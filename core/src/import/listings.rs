//! The native `faro-listings` file: JSON Lines, one header object on the first line and
//! then one [`Listing`] per line.
//!
//! One record per line keeps imports streaming (100k listings never sit in memory at once)
//! and lets every error name its line. Field-level errors name the JSON path
//! (`phones[0].kind`). See `docs/data-format.md`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::RecordResult;
use crate::cancel::Cancel;
use crate::error::{Error, InputError, Result};
use crate::model::Listing;
use crate::store::write::Watch;
use crate::store::{DatasetInfo, Store, WriteSummary};

/// The first line of a listings file: the same header as every Faro JSON Lines file,
/// with `"faro": "listings"`.
pub type ListingsHeader = super::jsonl::DatasetHeader;

/// Highest format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// Reads the header of a listings file and returns it with an iterator over the records.
///
/// Header problems are errors straight away; record problems come out of the iterator,
/// each located by file, line, record id (when readable) and field path.
pub fn read_listings<R: BufRead>(reader: R, file: &str) -> Result<(ListingsHeader, ListingRecords<R>)> {
    let mut lines = super::jsonl::Lines::new(reader, file);
    let header = super::jsonl::read_header(&mut lines, "listings", FORMAT_VERSION)?;
    let demo = header.demo;
    Ok((header, ListingRecords { body: super::jsonl::Body::new(lines), demo }))
}

/// How [`Store::import_listings_file`] and [`Store::import_listings_reader`] run.
#[derive(Default)]
pub struct ImportOptions<'a> {
    /// Write into this dataset instead of the one the file's header names.
    pub dataset: Option<String>,
    /// Also delete the dataset's listings that the file lacks, in the same transaction
    /// ([`Store::replace_listings`]).
    pub replace: bool,
    /// Stops the import from another thread: nothing is kept and the call returns
    /// [`Error::Cancelled`]. Cancelling after the commit has no effect.
    pub cancel: Cancel,
    /// Told how far the import is, on the calling thread: every few dozen records and once
    /// when the commit starts.
    pub progress: Option<&'a mut dyn FnMut(&ImportProgress)>,
}

/// How far an import is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProgress {
    /// The dataset written to.
    pub dataset: String,
    /// Bytes of the input read so far (reading runs a little ahead of writing).
    pub bytes_done: u64,
    /// Size of the input, when known (a file).
    pub bytes_total: Option<u64>,
    /// Records read, checked and written so far.
    pub records_done: u64,
    /// True once every record is written and the transaction commits.
    pub committing: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingsImport {
    /// The dataset written to.
    pub dataset: String,
    /// Listings inserted, updated, unchanged and deleted.
    pub summary: WriteSummary,
}

/// Read buffer of an import: large enough that counting bytes costs nothing.
const IMPORT_BUFFER: usize = 64 * 1024;

impl Store {
    /// Imports the `faro-listings` file at `path` into the dataset its header names (or
    /// [`ImportOptions::dataset`]): opens and reads it, then validates and writes every
    /// record in ONE transaction ([`Store::write_listings`]), reporting progress and
    /// honouring cancellation. The one import of the CLI, the apps, the tests and the bench.
    ///
    /// A file that cannot be opened is an [`Error::Input`] naming it; a rejected record keeps
    /// everything out ([`Error::Input`] or [`Error::InputMany`], located by file, line,
    /// record and field); a cancelled import keeps nothing ([`Error::Cancelled`]).
    pub fn import_listings_file(&self, path: &Path, options: ImportOptions<'_>) -> Result<ListingsImport> {
        let name = path.display().to_string();
        let file =
            File::open(path).map_err(|e| Error::Input(InputError::new(&name, format!("cannot open the file: {e}"))))?;
        let total = file.metadata().ok().map(|m| m.len());
        self.import_listings(file, &name, total, options)
    }

    /// [`Store::import_listings_file`] for a listings file held elsewhere (memory, an app's
    /// asset stream); `name` names it in errors.
    pub fn import_listings_reader(
        &self,
        reader: impl Read + Send,
        name: &str,
        options: ImportOptions<'_>,
    ) -> Result<ListingsImport> {
        self.import_listings(reader, name, None, options)
    }

    fn import_listings(
        &self,
        reader: impl Read + Send,
        name: &str,
        bytes_total: Option<u64>,
        mut options: ImportOptions<'_>,
    ) -> Result<ListingsImport> {
        let bytes = Arc::new(AtomicU64::new(0));
        let counting = CountingReader { inner: reader, count: bytes.clone() };
        let (header, records) = read_listings(BufReader::with_capacity(IMPORT_BUFFER, counting), name)?;
        let dataset = DatasetInfo {
            name: options.dataset.take().unwrap_or(header.dataset),
            source: header.source,
            demo: header.demo,
        };
        let mut report = |records_done: u64, committing: bool| {
            if let Some(progress) = options.progress.as_mut() {
                progress(&ImportProgress {
                    dataset: dataset.name.clone(),
                    bytes_done: bytes.load(Ordering::Relaxed),
                    bytes_total,
                    records_done,
                    committing,
                });
            }
        };
        let watch = Watch { cancel: Some(&options.cancel), progress: Some(&mut report) };
        let summary = self.write_listings_with(&dataset, name, records, options.replace, watch)?;
        Ok(ListingsImport { dataset: dataset.name, summary })
    }
}

/// A reader that counts the bytes read through it, for progress.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Iterator over the records of a listings file, created by [`read_listings`].
#[derive(Debug)]
pub struct ListingRecords<R> {
    body: super::jsonl::Body<R>,
    demo: bool,
}

impl<R: BufRead> Iterator for ListingRecords<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        let demo = self.demo;
        self.body.next_record::<Listing>().map(|r| {
            r.map(|(line, mut listing)| {
                // A demo file's records are demo records, whatever a line says.
                listing.demo |= demo;
                (Some(line), listing)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{"faro":"listings","version":1,"dataset":"test/x","demo":true}"#;

    fn read(body: &str) -> Result<(ListingsHeader, Vec<RecordResult>)> {
        let text = format!("{HEADER}\n{body}");
        let (h, it) = read_listings(text.as_bytes(), "t.jsonl")?;
        Ok((h, it.collect()))
    }

    #[test]
    fn reads_records_with_line_numbers_and_forces_demo() {
        let (h, recs) = read(concat!(
            r#"{"id":"demo:a","kind":"health","name":{"es":"Clínica (demo)"}}"#,
            "\n\n",
            r#"{"id":"demo:b","kind":"shelter","name":{"en":"Shelter (demo)"}}"#,
            "\n"
        ))
        .unwrap();
        assert_eq!(h.dataset, "test/x");
        let lines: Vec<_> = recs.iter().map(|r| r.as_ref().unwrap().0).collect();
        assert_eq!(lines, [Some(2), Some(4)]);
        assert!(recs.iter().all(|r| r.as_ref().unwrap().1.demo));
    }

    #[test]
    fn names_line_record_and_field_of_a_bad_value() {
        let (_, recs) =
            read(r#"{"id":"demo:a","kind":"health","name":{"es":"x"},"phones":[{"number":"+5255","kind":"pager"}]}"#)
                .unwrap();
        let err = recs[0].as_ref().unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.record.as_deref(), Some("demo:a"));
        assert_eq!(err.field.as_deref(), Some("phones[0].kind"));
        assert!(err.reason.contains("pager"), "{err}");
    }

    #[test]
    fn unknown_kind_and_unknown_field_are_errors() {
        let (_, recs) = read(concat!(
            r#"{"id":"demo:a","kind":"bakery","name":{"es":"x"}}"#,
            "\n",
            r#"{"id":"demo:b","kind":"health","name":{"es":"x"},"colour":"red"}"#
        ))
        .unwrap();
        let e0 = recs[0].as_ref().unwrap_err();
        assert_eq!(e0.field.as_deref(), Some("kind"));
        assert!(e0.reason.contains("bakery"));
        let e1 = recs[1].as_ref().unwrap_err();
        assert!(e1.reason.contains("colour"), "{e1}");
    }

    #[test]
    fn broken_json_names_the_column() {
        let (_, recs) = read(r#"{"id":"demo:a","kind":"health", oops}"#).unwrap();
        let err = recs[0].as_ref().unwrap_err();
        assert!(err.reason.contains("not valid JSON at column"), "{err}");
    }

    #[test]
    fn bad_headers() {
        assert!(read_listings(&b""[..], "f").unwrap_err().to_string().contains("empty file"));
        let e = read_listings(&br#"{"faro":"listings","version":7,"dataset":"x"}"#[..], "f").unwrap_err();
        assert!(e.to_string().contains("format version 7"), "{e}");
        let e = read_listings(&br#"{"faro":"warnings","version":1,"dataset":"x"}"#[..], "f").unwrap_err();
        assert!(e.to_string().contains("field faro"), "{e}");
    }

    /// A listings file of `n` demo clinics in `dataset`.
    fn clinics(dataset: &str, n: usize) -> String {
        let mut text = format!("{{\"faro\":\"listings\",\"version\":1,\"dataset\":\"{dataset}\",\"demo\":true}}\n");
        for i in 0..n {
            text.push_str(&format!(
                "{{\"id\":\"demo:c{i}\",\"kind\":\"health\",\"name\":{{\"es\":\"Clínica {i} (demo)\"}}}}\n"
            ));
        }
        text
    }

    #[test]
    fn a_file_imports_with_progress_ending_in_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("f.db")).unwrap();
        let path = dir.path().join("clinics.jsonl");
        std::fs::write(&path, clinics("test/clinics", 300)).unwrap();
        let mut seen = Vec::new();
        let mut progress = |p: &ImportProgress| seen.push(p.clone());
        let done = store
            .import_listings_file(&path, ImportOptions { progress: Some(&mut progress), ..ImportOptions::default() })
            .unwrap();
        assert_eq!((done.dataset.as_str(), done.summary.inserted), ("test/clinics", 300));
        let last = seen.last().unwrap();
        assert!(last.committing && last.records_done == 300, "{last:?}");
        assert_eq!(
            (last.bytes_done, last.bytes_total),
            (std::fs::metadata(&path).unwrap().len(), Some(last.bytes_done))
        );
        assert!(seen.len() > 2 && seen.windows(2).all(|w| w[0].records_done <= w[1].records_done), "{seen:?}");
        assert!(seen.iter().all(|p| p.dataset == "test/clinics"));
    }

    #[test]
    fn a_cancelled_import_keeps_nothing_and_says_cancelled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("c.db")).unwrap();
        let cancel = Cancel::new();
        let mut progress = |p: &ImportProgress| {
            if p.records_done >= 128 {
                cancel.cancel();
            }
        };
        let options =
            ImportOptions { cancel: cancel.clone(), progress: Some(&mut progress), ..ImportOptions::default() };
        let e = store.import_listings_reader(clinics("test/c", 1000).as_bytes(), "c.jsonl", options).unwrap_err();
        assert!(matches!(e, Error::Cancelled), "{e}");
        assert_eq!(store.listing_count().unwrap(), 0);
        // Cancelled before it starts: nothing either, even for an empty file.
        let cancel = Cancel::new();
        cancel.cancel();
        let options = ImportOptions { cancel, ..ImportOptions::default() };
        let e = store.import_listings_reader(clinics("test/c", 0).as_bytes(), "c.jsonl", options).unwrap_err();
        assert!(matches!(e, Error::Cancelled), "{e}");
        assert!(
            store.read(|c| Ok(c.query_row("SELECT count(*) FROM datasets", [], |r| r.get::<_, i64>(0))?)).unwrap() == 0
        );
    }

    #[test]
    fn another_dataset_and_replace_are_options() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("o.db")).unwrap();
        let into = |replace| ImportOptions { dataset: Some("local/mine".into()), replace, ..ImportOptions::default() };
        let done = store.import_listings_reader(clinics("test/o", 5).as_bytes(), "o.jsonl", into(false)).unwrap();
        assert_eq!((done.dataset.as_str(), done.summary.inserted), ("local/mine", 5));
        let done = store.import_listings_reader(clinics("test/o", 3).as_bytes(), "o.jsonl", into(true)).unwrap();
        assert_eq!((done.summary.unchanged, done.summary.deleted), (3, 2));
    }

    #[test]
    fn a_file_that_cannot_be_opened_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("m.db")).unwrap();
        let missing = dir.path().join("missing.jsonl");
        let e = store.import_listings_file(&missing, ImportOptions::default()).unwrap_err();
        assert!(matches!(&e, Error::Input(i) if i.file.ends_with("missing.jsonl")), "{e}");
        assert!(e.to_string().contains("cannot open the file"), "{e}");
    }
}
