//! The native `faro-listings` file: JSON Lines, one header object on the first line and
//! then one [`Listing`] per line.
//!
//! One record per line keeps imports streaming (100k listings never sit in memory at once)
//! and lets every error name its line. Field-level errors name the JSON path
//! (`phones[0].kind`). See `docs/data-format.md`.

use std::io::BufRead;

use serde::{Deserialize, Serialize};

use super::RecordResult;
use crate::error::{Error, InputError, Result};
use crate::model::{Listing, Source};

/// The first line of a listings file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingsHeader {
    /// Always `"listings"`.
    pub faro: String,
    /// Format version; this build reads version 1.
    pub version: u32,
    /// Dataset the listings belong to (`demo/route`, `directory/mx`).
    pub dataset: String,
    /// True when every listing in the file is invented demo data.
    #[serde(default)]
    pub demo: bool,
    /// Where the data came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Free text for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Highest format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// Reads the header of a listings file and returns it with an iterator over the records.
///
/// Header problems are errors straight away; record problems come out of the iterator,
/// each located by file, line, record id (when readable) and field path.
pub fn read_listings<R: BufRead>(mut reader: R, file: &str) -> Result<(ListingsHeader, ListingRecords<R>)> {
    let mut first = String::new();
    let n = reader.read_line(&mut first).map_err(|e| InputError::new(file, format!("cannot read: {e}")).at_line(1))?;
    if n == 0 {
        return Err(InputError::new(file, "empty file: expected a faro-listings header on line 1").into());
    }
    let header: ListingsHeader = from_json_line(first.trim_end(), file, 1)
        .map_err(|e| InputError { reason: format!("bad header: {}", e.reason), ..e })?;
    if header.faro != "listings" {
        return Err(Error::Input(
            InputError::new(file, format!("\"faro\" is {:?}; a listings file says \"listings\"", header.faro))
                .at_line(1)
                .field("faro"),
        ));
    }
    if header.version == 0 || header.version > FORMAT_VERSION {
        return Err(Error::Input(
            InputError::new(
                file,
                format!("format version {} is not supported (this Faro reads 1 to {FORMAT_VERSION})", header.version),
            )
            .at_line(1)
            .field("version"),
        ));
    }
    if header.dataset.trim().is_empty() {
        return Err(InputError::new(file, "is blank").at_line(1).field("dataset").into());
    }
    let demo = header.demo;
    Ok((header, ListingRecords { reader, file: file.to_string(), line: 1, buf: String::new(), demo, done: false }))
}

/// Iterator over the records of a listings file, created by [`read_listings`].
#[derive(Debug)]
pub struct ListingRecords<R> {
    reader: R,
    file: String,
    line: u64,
    buf: String,
    demo: bool,
    done: bool,
}

impl<R: BufRead> Iterator for ListingRecords<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
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
                    if self.done {
                        return None;
                    }
                    self.done = true;
                    return Some(Err(InputError::new(&self.file, format!("cannot read: {e}")).at_line(self.line)));
                }
            }
            let text = self.buf.trim();
            if text.is_empty() {
                continue;
            }
            return Some(match from_json_line::<Listing>(text, &self.file, self.line) {
                Ok(mut listing) => {
                    if self.demo && !listing.demo {
                        // A demo file's records are demo records, whatever a line says.
                        listing.demo = true;
                    }
                    Ok((Some(self.line), listing))
                }
                // Only a rejected line pays for a second parse, to name its record.
                Err(e) => Err(match peek_id(text) {
                    Some(id) => e.record(id),
                    None => e,
                }),
            });
        }
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
    serde_path_to_error::deserialize(de).map_err(|e| {
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
    })
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
}
