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

/// A record kept in a Faro JSON Lines file (defined with the records, in `model`, so that
/// `rights` and `warnings` implement it without naming the import layer).
pub use crate::model::LineRecord;

/// The `"faro"` field of a file's first line (`"listings"`, `"rights"`, `"warnings"`), to
/// pick the reader; `None` when the line is not a JSON object with that field.
pub fn file_kind(first_line: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Kind {
        faro: Option<String>,
    }
    serde_json::from_str::<Kind>(first_line.trim()).ok().and_then(|k| k.faro)
}

/// Longest line a Faro JSON Lines file may hold, in bytes (4 MiB): far above any real
/// record (a listing is about 2 KB, a warning with a detailed polygon some hundred KB), and
/// small enough that a hostile file cannot make a phone buffer a gigabyte-long line.
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// Splits a JSON Lines stream into `(line number, text)`, skipping blank lines. Every
/// reader of Faro JSON Lines files goes through it, so they share its limits: a line over
/// [`MAX_LINE_BYTES`] is refused without being buffered whole, bytes that are not UTF-8 and
/// carriage returns inside a line (a file with CR-only line endings would otherwise read as
/// one line) are refused with their line and byte offset. After an error it reads no more.
#[derive(Debug)]
pub struct Lines<R> {
    reader: R,
    file: String,
    line: u64,
    bytes: Vec<u8>,
    /// The last line read, checked as UTF-8 once (its buffer goes back to `bytes` for the
    /// next line).
    text: String,
    max: usize,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`, named `file` in errors.
    pub fn new(reader: R, file: &str) -> Lines<R> {
        Lines::with_limit(reader, file, MAX_LINE_BYTES)
    }

    /// Lines of `reader` no longer than `max` bytes (without the line ending).
    pub fn with_limit(reader: R, file: &str, max: usize) -> Lines<R> {
        Lines { reader, file: file.to_string(), line: 0, bytes: Vec::new(), text: String::new(), max, done: false }
    }

    /// The file name used in errors.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Number of the last line read (0 before the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next non-blank line, trimmed, or `None` at the end (and after an error).
    pub fn next_line(&mut self) -> std::result::Result<Option<(u64, &str)>, InputError> {
        let range = match self.next_range() {
            Ok(Some(range)) => range,
            Ok(None) => return Ok(None),
            Err(reason) => {
                self.done = true;
                return Err(InputError::new(&self.file, reason).at_line(self.line));
            }
        };
        // A range cut at ASCII white space of valid UTF-8.
        Ok(Some((self.line, &self.text[range])))
    }

    /// Reads up to the next non-blank line and returns where its trimmed text lies in `bytes`.
    fn next_range(&mut self) -> std::result::Result<Option<std::ops::Range<usize>>, String> {
        loop {
            if self.done {
                return Ok(None);
            }
            self.line += 1;
            if !self.read_raw()? {
                self.done = true;
                return Ok(None);
            }
            self.text = match String::from_utf8(std::mem::take(&mut self.bytes)) {
                Ok(text) => text,
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    self.bytes = e.into_bytes();
                    return Err(format!("is not UTF-8 text (bad byte at offset {at} of the line)"));
                }
            };
            let text = self.text.as_str();
            let trimmed = text.trim_start();
            let start = text.len() - trimmed.len();
            let trimmed = trimmed.trim_end();
            if trimmed.is_empty() {
                continue;
            }
            if let Some(cr) = trimmed.find('\r') {
                return Err(format!("{CR_ENDINGS} (byte offset {} of the line)", start + cr));
            }
            return Ok(Some(start..start + trimmed.len()));
        }
    }

    /// Reads one line into `bytes` (line ending included), `false` at the end of input;
    /// stops with an error as soon as the line passes the limit.
    fn read_raw(&mut self) -> std::result::Result<bool, String> {
        if self.bytes.capacity() == 0 {
            self.bytes = std::mem::take(&mut self.text).into_bytes();
        }
        self.bytes.clear();
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("cannot read: {e}")),
            };
            if available.is_empty() {
                return Ok(!self.bytes.is_empty());
            }
            let (take, end) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            // Two bytes of room for the "\r\n" ending.
            if self.bytes.len() + take > self.max + 2 {
                let cr = self.bytes.contains(&b'\r') || available[..take].contains(&b'\r');
                let hint = if cr { format!("; {CR_ENDINGS}") } else { String::new() };
                return Err(format!(
                    "is longer than {} bytes, the most one line may hold ({} MiB); stopped reading there{hint}",
                    self.max,
                    self.max >> 20
                ));
            }
            self.bytes.extend_from_slice(&available[..take]);
            self.reader.consume(take);
            if end {
                return Ok(true);
            }
        }
    }
}

/// What a carriage return inside a line means.
const CR_ENDINGS: &str =
    "holds a carriage return (CR) inside the line: the file seems to use CR line endings; save it with LF or CRLF line endings";

/// Reads and checks the first line of a Faro JSON Lines file: a header saying
/// `"faro": expected`, a format version from 1 to `max_version`, a dataset name.
pub(crate) fn read_header<R: BufRead>(lines: &mut Lines<R>, expected: &str, max_version: u32) -> Result<DatasetHeader> {
    let file = lines.file().to_string();
    let file = file.as_str();
    let Some((line, first)) = lines.next_line()? else {
        return Err(InputError::new(file, format!("empty file: expected a faro-{expected} header on line 1")).into());
    };
    let header: DatasetHeader = from_json_line(first, file, line)
        .map_err(|e| InputError { reason: format!("bad header: {}", e.reason), ..e })?;
    if header.faro != expected {
        return Err(Error::Input(
            InputError::new(file, format!("\"faro\" is {:?}; a {expected} file says {expected:?}", header.faro))
                .at_line(line)
                .field("faro"),
        ));
    }
    if header.version == 0 || header.version > max_version {
        return Err(Error::Input(
            InputError::new(
                file,
                format!("format version {} is not supported (this Faro reads 1 to {max_version})", header.version),
            )
            .at_line(line)
            .field("version"),
        ));
    }
    if header.dataset.trim().is_empty() {
        return Err(InputError::new(file, "is blank").at_line(line).field("dataset").into());
    }
    Ok(header)
}

/// Reads the header of a file that must say `"faro": expected` and returns it with an
/// iterator over its records.
pub fn read_records<R: BufRead, T: LineRecord>(
    reader: R,
    file: &str,
    expected: &str,
) -> Result<(DatasetHeader, Records<R, T>)> {
    let mut lines = Lines::new(reader, file);
    let header = read_header(&mut lines, expected, FORMAT_VERSION)?;
    let records = Records { body: Body::new(lines), demo: header.demo, _t: PhantomData };
    Ok((header, records))
}

/// The record lines of a file after its header, shared by the record iterators: stops
/// after a read error and reports a file with no record at all.
#[derive(Debug)]
pub(crate) struct Body<R> {
    lines: Lines<R>,
    file: String,
    records: u64,
    ended: bool,
}

impl<R: BufRead> Body<R> {
    pub(crate) fn new(lines: Lines<R>) -> Body<R> {
        Body { file: lines.file().to_string(), lines, records: 0, ended: false }
    }

    /// The next record line parsed as `T`, each error naming its line and, when readable,
    /// its record id.
    pub(crate) fn next_record<T: DeserializeOwned>(&mut self) -> Option<std::result::Result<(u64, T), InputError>> {
        if self.ended {
            return None;
        }
        let (line, text) = match self.lines.next_line() {
            Ok(Some(next)) => next,
            Ok(None) => {
                self.ended = true;
                // An import of nothing changes nothing, so a header alone is almost always
                // a file cut short or exported wrongly: say so rather than report success.
                return (self.records == 0).then(|| {
                    Err(InputError::new(
                        &self.file,
                        "has a header but no records after it: nothing to import (was the file cut short?)",
                    )
                    .at_line(self.lines.line()))
                });
            }
            Err(e) => {
                self.ended = true;
                return Some(Err(e));
            }
        };
        self.records += 1;
        Some(match from_json_line::<T>(text, &self.file, line) {
            Ok(record) => Ok((line, record)),
            // Only a rejected line pays for a second parse, to name its record.
            Err(e) => Err(match peek_id(text) {
                Some(id) => e.record(id),
                None => e,
            }),
        })
    }
}

/// Iterator over the records of a file, created by [`read_records`]: each is its line and
/// the record, or a located error.
#[derive(Debug)]
pub struct Records<R, T> {
    body: Body<R>,
    demo: bool,
    _t: PhantomData<fn() -> T>,
}

impl<R: BufRead, T: LineRecord> Iterator for Records<R, T> {
    type Item = std::result::Result<(u64, T), InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        let demo = self.demo;
        self.body.next_record::<T>().map(|r| {
            r.map(|(line, mut record)| {
                if demo {
                    record.mark_demo();
                }
                (line, record)
            })
        })
    }
}

/// The `id` of a record that may not deserialize, to name it in the error.
pub(crate) fn peek_id(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<String>,
    }
    serde_json::from_str::<IdOnly>(text).ok().and_then(|r| r.id)
}

/// Parses one JSON line as `T`; an error names `file`, `line`, the field path and the
/// column.
pub(crate) fn from_json_line<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
    line: u64,
) -> std::result::Result<T, InputError> {
    // Tracking the field path slows every parse by about a third; only a line that fails
    // pays for it, in a second parse that finds the same error with its path.
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let _: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = if inner.is_syntax() || inner.is_eof() {
            format!("not valid JSON at column {}: {inner}", inner.column())
        } else {
            // serde's message already names the value; drop its "at line 1 column N".
            let msg = inner.to_string();
            match msg.rfind(" at line ") {
                Some(cut) => msg[..cut].to_string(),
                None => msg,
            }
        };
        let mut err = InputError::new(file, reason).at_line(line);
        if path != "." && !path.is_empty() {
            err = err.field(path);
        }
        err
    })?;
    // The value parsed when read alone, so what failed the first parse is what follows it
    // (a second record on the same line): refuse rather than keep the first and drop the rest.
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    let _ = values.next();
    let end = values.byte_offset();
    let offset = end + (text[end..].len() - text[end..].trim_start().len());
    Err(InputError::new(
        file,
        format!(
            "more follows the record at byte offset {offset} (two records on one line?): write one record per line"
        ),
    )
    .at_line(line))
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

    const RIGHTS: &str = "{\"faro\":\"rights\",\"version\":1,\"dataset\":\"x\"}";

    fn errors_of(text: &[u8]) -> Vec<InputError> {
        match read_records::<_, Thing>(text, "f", "rights") {
            Ok((_, it)) => it.filter_map(|r| r.err()).collect(),
            Err(Error::Input(e)) => vec![e],
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn two_records_on_one_line_are_refused_with_the_offset() {
        let text = format!("{RIGHTS}\n{{\"id\":\"a:1\"}} {{\"id\":\"a:2\"}}\n");
        let errs = errors_of(text.as_bytes());
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(2));
        assert!(errs[0].reason.contains("byte offset 13"), "{}", errs[0]);
    }

    #[test]
    fn cr_line_endings_are_refused_on_their_line() {
        let text = format!("{RIGHTS}\r{{\"id\":\"a:1\"}}\r{{\"id\":\"a:2\"}}\r");
        let errs = errors_of(text.as_bytes());
        assert_eq!(errs[0].line, Some(1));
        assert!(errs[0].reason.contains("CR line endings"), "{}", errs[0]);
        // CRLF is fine.
        let text = format!("{RIGHTS}\r\n{{\"id\":\"a:1\"}}\r\n");
        assert!(errors_of(text.as_bytes()).is_empty());
    }

    #[test]
    fn a_header_without_records_is_an_error() {
        let errs = errors_of(format!("{RIGHTS}\n\n").as_bytes());
        assert_eq!(errs.len(), 1);
        assert!(errs[0].reason.contains("no records"), "{}", errs[0]);
    }

    #[test]
    fn a_huge_line_stops_at_the_cap_without_buffering_it() {
        use std::io::Read;
        // 1 GiB of one line, produced on the fly: reading it whole would take seconds and a
        // gigabyte; the cap stops after 4 MiB.
        let huge = std::io::repeat(b' ').take(1 << 30);
        let head = format!("{RIGHTS}\n{{\"id\":\"a:1\"}}\n");
        let reader = std::io::BufReader::new(head.as_bytes().chain(huge));
        let (_, it) = read_records::<_, Thing>(reader, "f", "rights").unwrap();
        let results: Vec<_> = it.collect();
        assert_eq!(results.len(), 2);
        let err = results[1].as_ref().unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.reason.contains("longer than 4194304 bytes"), "{err}");
        let mut lines = Lines::with_limit(&b"abcdef\nabc\n"[..], "f", 4);
        assert!(lines.next_line().is_err());
        assert!(lines.next_line().unwrap().is_none(), "nothing is read after an error");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_located() {
        let mut text = format!("{RIGHTS}\n{{\"id\":\"a:").into_bytes();
        text.extend_from_slice(b"\xff\"}\n");
        let errs = errors_of(&text);
        assert_eq!(errs[0].line, Some(2));
        assert!(errs[0].reason.contains("offset 9 of the line"), "{}", errs[0]);
    }

    #[test]
    fn file_kind_reads_the_header() {
        assert_eq!(file_kind("{\"faro\":\"warnings\",\"version\":1}").as_deref(), Some("warnings"));
        assert_eq!(file_kind("not json"), None);
    }
}
