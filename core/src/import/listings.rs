//! The native `faro-listings` file: JSON Lines, one header object on the first line and
//! then one [`Listing`] per line.
//!
//! One record per line keeps imports streaming (100k listings never sit in memory at once)
//! and lets every error name its line. Field-level errors name the JSON path
//! (`phones[0].kind`). See `docs/data-format.md`.

use std::io::BufRead;

use serde::Deserialize;

use super::RecordResult;
use crate::error::{InputError, Result};
use crate::model::Listing;

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
