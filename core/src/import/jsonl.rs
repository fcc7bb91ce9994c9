//! Faro's JSON Lines files: one header object on the first line naming the file's kind in
//! `"faro"`, then one record per line. The header reader serves every kind; this module
//! reads the records of rights and warnings files, `import::listings` those of listings.
//!
//! The same rules as listings (`docs/data-format.md`): unknown fields are errors, every
//! error names file, line, record id and field path, and a demo header marks every record
//! as demo data.

use std::io::BufRead;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::listings::{from_json_line, peek_id};
use crate::error::{Error, InputError, Result};
use crate::model::Source;

/// Highest format version of rights and warnings files this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// The first line of every Faro JSON Lines file: listings, rights, warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetHeader {
    /// The kind of file: `"listings"`, `"rights"` or `"warnings"`.
    pub faro: String,
    /// Format version; this build reads version 1.
    pub version: u32,
    /// Dataset the records belong to (`directory/mx`, `rights/all`, `warnings/mx`).
    pub dataset: String,
    /// True when every record in the file is invented demo data.
    #[serde(default)]
    pub demo: bool,
    /// Where the data came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Free text for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A record kept in a Faro JSON Lines file.
pub trait LineRecord: DeserializeOwned {
    /// Marks the record as demo data (the header said the whole file is).
    fn mark_demo(&mut self);
}

/// The `"faro"` field of a file's first line (`"listings"`, `"rights"`, `"warnings"`), to
/// pick the reader; `None` when the line is not a JSON object with that field.
pub fn file_kind(first_line: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Kind {
        faro: Option<String>,
    }
    serde_json::from_str::<Kind>(first_line.trim()).ok().and_then(|k| k.faro)
}

/// Reads and checks the first line of a Faro JSON Lines file: a header saying
/// `"faro": expected`, a format version from 1 to `max_version`, a dataset name.
pub(crate) fn read_header<R: BufRead>(
    reader: &mut R,
    file: &str,
    expected: &str,
    max_version: u32,
) -> Result<DatasetHeader> {
    let mut first = String::new();
    let n = reader.read_line(&mut first).map_err(|e| InputError::new(file, format!("cannot read: {e}")).at_line(1))?;
    if n == 0 {
        return Err(InputError::new(file, format!("empty file: expected a faro-{expected} header on line 1")).into());
    }
    let header: DatasetHeader = from_json_line(first.trim_end(), file, 1)
        .map_err(|e| InputError { reason: format!("bad header: {}", e.reason), ..e })?;
    if header.faro != expected {
        return Err(Error::Input(
            InputError::new(file, format!("\"faro\" is {:?}; a {expected} file says {expected:?}", header.faro))
                .at_line(1)
                .field("faro"),
        ));
    }
    if header.version == 0 || header.version > max_version {
        return Err(Error::Input(
            InputError::new(
                file,
                format!("format version {} is not supported (this Faro reads 1 to {max_version})", header.version),
            )
            .at_line(1)
            .field("version"),
        ));
    }
    if header.dataset.trim().is_empty() {
        return Err(InputError::new(file, "is blank").at_line(1).field("dataset").into());
    }
    Ok(header)
}

/// Reads the header of a file that must say `"faro": expected` and returns it with an
/// iterator over its records.
pub fn read_records<R: BufRead, T: LineRecord>(
    mut reader: R,
    file: &str,
    expected: &str,
) -> Result<(DatasetHeader, Records<R, T>)> {
    let header = read_header(&mut reader, file, expected, FORMAT_VERSION)?;
    let demo = header.demo;
    let records =
        Records { reader, file: file.to_string(), line: 1, buf: String::new(), demo, done: false, _t: PhantomData };
    Ok((header, records))
}

/// Iterator over the records of a file, created by [`read_records`]: each is its line and
/// the record, or a located error.
#[derive(Debug)]
pub struct Records<R, T> {
    reader: R,
    file: String,
    line: u64,
    buf: String,
    demo: bool,
    done: bool,
    _t: PhantomData<fn() -> T>,
}

impl<R: BufRead, T: LineRecord> Iterator for Records<R, T> {
    type Item = std::result::Result<(u64, T), InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            self.line += 1;
            match self.reader.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    // Unreadable bytes (e.g. not UTF-8): report once and stop reading.
                    self.done = true;
                    return Some(Err(InputError::new(&self.file, format!("cannot read: {e}")).at_line(self.line)));
                }
            }
            let text = self.buf.trim();
            if text.is_empty() {
                continue;
            }
            return Some(match from_json_line::<T>(text, &self.file, self.line) {
                Ok(mut record) => {
                    if self.demo {
                        record.mark_demo();
                    }
                    Ok((self.line, record))
                }
                Err(e) => Err(match peek_id(text) {
                    Some(id) => e.record(id),
                    None => e,
                }),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Thing {
        id: String,
        #[serde(default)]
        demo: bool,
    }

    impl LineRecord for Thing {
        fn mark_demo(&mut self) {
            self.demo = true;
        }
    }

    #[test]
    fn reads_records_and_marks_demo() {
        let text = "{\"faro\":\"rights\",\"version\":1,\"dataset\":\"rights/all\",\"demo\":true}\n\n{\"id\":\"a:1\"}\n";
        let (h, it) = read_records::<_, Thing>(text.as_bytes(), "f", "rights").unwrap();
        assert_eq!(h.dataset, "rights/all");
        let recs: Vec<_> = it.map(|r| r.unwrap()).collect();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].0, 3);
        assert_eq!(recs[0].1.id, "a:1");
        assert!(recs[0].1.demo);
    }

    #[test]
    fn wrong_kind_and_bad_lines_are_located() {
        let e =
            read_records::<_, Thing>(&b"{\"faro\":\"listings\",\"version\":1,\"dataset\":\"x\"}"[..], "f", "warnings")
                .unwrap_err();
        assert!(e.to_string().contains("field faro"), "{e}");
        let text = "{\"faro\":\"rights\",\"version\":1,\"dataset\":\"x\"}\n{\"id\":\"a:1\",\"color\":1}\n";
        let (_, mut it) = read_records::<_, Thing>(text.as_bytes(), "f", "rights").unwrap();
        let err = it.next().unwrap().unwrap_err();
        assert_eq!((err.line, err.record.as_deref()), (Some(2), Some("a:1")));
        assert!(err.reason.contains("color"), "{err}");
    }

    #[test]
    fn file_kind_reads_the_header() {
        assert_eq!(file_kind("{\"faro\":\"warnings\",\"version\":1}").as_deref(), Some("warnings"));
        assert_eq!(file_kind("not json"), None);
    }
}
