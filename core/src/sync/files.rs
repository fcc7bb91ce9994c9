//! The two dataset files a repository publishes, both JSON Lines (compressed with zstd on
//! the wire):
//!
//! - a **snapshot**: exactly the import format (`docs/data-format.md`), a header line
//!   `{"faro":"listings","version":1,"dataset":"directory/mx",...}` then every record;
//! - a **delta** from version `from` straight to version `to`: a header line
//!   `{"faro":"delta","version":1,"content":"listings","dataset":"directory/mx","from":5,"to":7}`
//!   then `{"put":{...record...}}` and `{"delete":"id"}` lines.
//!
//! Readers here only split lines and parse headers; records are parsed and checked by the
//! apply step, which knows the content.

use std::io::BufRead;

use serde::{Deserialize, Serialize};

use crate::error::{InputError, Result};
use crate::import::jsonl::from_json_line;
use crate::import::listings::ListingsHeader;

/// Highest delta format version this build reads.
pub const DELTA_FORMAT_VERSION: u32 = 1;

/// The header of a snapshot file (the same for every content).
pub type SnapshotHeader = ListingsHeader;

/// The header of a delta file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeltaHeader {
    /// Always `"delta"`.
    pub faro: String,
    /// Format version; this build reads 1.
    pub version: u32,
    /// What the records are (`"listings"`).
    pub content: String,
    /// The dataset.
    pub dataset: String,
    /// The version the delta applies to.
    pub from: u64,
    /// The version it produces.
    pub to: u64,
}

/// One line of a delta after the header.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum DeltaOp<T> {
    /// Insert or replace this record.
    Put(T),
    /// Delete the record with this id.
    Delete(String),
}

/// The line reader shared by every Faro JSON Lines file (capped, located errors).
pub use crate::import::jsonl::Lines;

/// Either header, read from the first line.
#[derive(Debug, Clone, PartialEq)]
pub enum Header {
    /// A snapshot file.
    Snapshot(SnapshotHeader),
    /// A delta file.
    Delta(DeltaHeader),
}

/// Reads the header line of a snapshot or delta file.
pub fn read_header<R: BufRead>(lines: &mut Lines<R>) -> Result<Header> {
    let file = lines.file().to_string();
    let Some((line, text)) = lines.next_line()? else {
        return Err(InputError::new(file, "empty file: expected a header on line 1").into());
    };
    #[derive(Deserialize)]
    struct Word {
        faro: Option<String>,
    }
    let word = serde_json::from_str::<Word>(text).ok().and_then(|w| w.faro);
    let bad = |e: InputError| InputError { reason: format!("bad header: {}", e.reason), ..e };
    let header = match word.as_deref() {
        Some("delta") => {
            let h: DeltaHeader = from_json_line(text, &file, line).map_err(bad)?;
            if h.version == 0 || h.version > DELTA_FORMAT_VERSION {
                return Err(InputError::new(file, format!("delta format version {} is not supported", h.version))
                    .at_line(line)
                    .field("version")
                    .into());
            }
            Header::Delta(h)
        }
        Some(_) => Header::Snapshot(from_json_line(text, &file, line).map_err(bad)?),
        None => {
            return Err(InputError::new(file, "line 1 is not a Faro header (no \"faro\" field)").at_line(line).into())
        }
    };
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_headers() {
        let mut l = Lines::new(&b"\n{\"faro\":\"listings\",\"version\":1,\"dataset\":\"d/x\"}\n"[..], "f");
        assert!(matches!(read_header(&mut l).unwrap(), Header::Snapshot(h) if h.dataset == "d/x"));
        let text = br#"{"faro":"delta","version":1,"content":"listings","dataset":"d/x","from":1,"to":3}"#;
        let mut l = Lines::new(&text[..], "f");
        assert!(matches!(read_header(&mut l).unwrap(), Header::Delta(h) if h.from == 1 && h.to == 3));
    }

    #[test]
    fn bad_headers_are_located() {
        let mut l = Lines::new(&b""[..], "f");
        assert!(read_header(&mut l).unwrap_err().to_string().contains("empty file"));
        let mut l = Lines::new(&b"<html>captive portal</html>"[..], "f");
        assert!(read_header(&mut l).unwrap_err().to_string().contains("not a Faro header"));
        let text = br#"{"faro":"delta","version":9,"content":"listings","dataset":"d/x","from":1,"to":3}"#;
        let mut l = Lines::new(&text[..], "f");
        let e = read_header(&mut l).unwrap_err().to_string();
        assert!(e.contains("f:1") && e.contains("version 9"), "{e}");
    }

    #[test]
    fn delta_ops_parse() {
        let op: DeltaOp<serde_json::Value> = serde_json::from_str(r#"{"delete":"a"}"#).unwrap();
        assert!(matches!(op, DeltaOp::Delete(id) if id == "a"));
        let op: DeltaOp<serde_json::Value> = serde_json::from_str(r#"{"put":{"id":"a"}}"#).unwrap();
        assert!(matches!(op, DeltaOp::Put(_)));
    }
}
