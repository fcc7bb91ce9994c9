//! The publisher's side of datasets: reading input files into canonical records (checked
//! exactly as a phone will check them), and writing the snapshot and delta files.

use std::collections::BTreeMap;
use std::io::BufRead;

use crate::error::{Error, InputError, Result};
use crate::import::jsonl::{from_json_line, peek_id};
use crate::sync::content::{CheckContext, Content};
use crate::sync::entry::check_dataset_name;
use crate::sync::files::{read_header, DeltaHeader, DeltaOp, Header, Lines, SnapshotHeader};
use crate::sync::state::StateHasher;

/// One version of a dataset's records: id -> canonical record text, sorted by id.
pub type Records = BTreeMap<String, String>;

/// Rejections listed before giving up on an input.
const MAX_REPORTED: usize = 1000;

/// Reads an input file of content `C` (the import format) into its header and canonical
/// records. Every record is checked as a phone would check it; any rejection (with file,
/// line, record and field) fails the whole file.
pub fn read_input<C: Content>(reader: impl BufRead, file: &str) -> Result<(SnapshotHeader, Records)> {
    let mut lines = Lines::new(reader, file);
    let header = match read_header(&mut lines)? {
        Header::Snapshot(h) if h.faro == C::NAME => h,
        Header::Snapshot(h) => {
            return Err(InputError::new(file, format!("is a {:?} file, expected {:?}", h.faro, C::NAME))
                .at_line(1)
                .field("faro")
                .into())
        }
        Header::Delta(_) => {
            return Err(InputError::new(file, "is a delta; publish full files").at_line(1).field("faro").into())
        }
    };
    if let Err(reason) = check_dataset_name(&header.dataset) {
        return Err(InputError::new(file, reason).at_line(1).field("dataset").into());
    }
    let mut cx = CheckContext::default();
    let mut records = Records::new();
    let mut rejected = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        let problems = match from_json_line::<C::Record>(text, file, line) {
            Ok(mut record) => {
                if header.demo {
                    C::mark_demo(&mut record);
                }
                let mut problems = C::check(&record, file, line, &mut cx);
                let id = C::id(&record).to_string();
                if problems.is_empty() && records.insert(id.clone(), C::to_text(&record)).is_some() {
                    problems.push(
                        InputError::new(file, "appears twice in this input").at_line(line).record(id).field("id"),
                    );
                }
                problems
            }
            Err(e) => vec![match peek_id(text) {
                Some(id) => e.record(id),
                None => e,
            }],
        };
        rejected.extend(problems);
        if rejected.len() >= MAX_REPORTED {
            break;
        }
    }
    Error::refuse(rejected)?;
    Ok((header, records))
}

/// Record count and state hash of `records`.
pub fn state_of(records: &Records) -> (u64, String) {
    let mut h = StateHasher::new();
    for (id, text) in records {
        h.add(id, text.as_bytes());
    }
    // A BTreeMap iterates in bytewise order of its String keys.
    h.finish().unwrap_or_default()
}

/// The snapshot file (uncompressed): `header` then every record, one per line.
pub fn snapshot_file(header: &SnapshotHeader, records: &Records) -> Vec<u8> {
    let mut out = serde_json::to_vec(header).unwrap_or_default();
    out.push(b'\n');
    for text in records.values() {
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The delta file (uncompressed) taking `old` (version `from`) to `new` (version `to`).
pub fn delta_file(content: &str, dataset: &str, from: u64, old: &Records, to: u64, new: &Records) -> Vec<u8> {
    let header = DeltaHeader {
        faro: "delta".into(),
        version: crate::sync::files::DELTA_FORMAT_VERSION,
        content: content.into(),
        dataset: dataset.into(),
        from,
        to,
    };
    let mut out = serde_json::to_vec(&header).unwrap_or_default();
    out.push(b'\n');
    for id in old.keys().filter(|id| !new.contains_key(*id)) {
        out.extend_from_slice(&serde_json::to_vec(&DeltaOp::<()>::Delete(id.clone())).unwrap_or_default());
        out.push(b'\n');
    }
    for (id, text) in new {
        if old.get(id) != Some(text) {
            // The record text is already canonical JSON: splice it in rather than re-encode.
            out.extend_from_slice(b"{\"put\":");
            out.extend_from_slice(text.as_bytes());
            out.extend_from_slice(b"}\n");
        }
    }
    out
}

/// Reads a snapshot file written by [`snapshot_file`] back into records (to compute deltas
/// from an old version). The text of each line is kept as is.
pub fn read_snapshot_records(reader: impl BufRead, file: &str) -> Result<Records> {
    let mut lines = Lines::new(reader, file);
    read_header(&mut lines)?;
    let mut records = Records::new();
    while let Some((line, text)) = lines.next_line()? {
        let id = peek_id(text).ok_or_else(|| InputError::new(file, "a record without an id").at_line(line))?;
        records.insert(id, text.to_string());
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::content::Listings;

    const HEADER: &str = r#"{"faro":"listings","version":1,"dataset":"directory/test","demo":true}"#;

    fn rec(id: &str, name: &str) -> String {
        format!(r#"{{"id":"{id}","kind":"health","name":{{"es":"{name} (demo)"}}}}"#)
    }

    #[test]
    fn reads_checks_and_canonicalizes() {
        let text = format!("{HEADER}\n{}\n{}\n", rec("demo:b", "B"), rec("demo:a", "A"));
        let (h, recs) = read_input::<Listings>(text.as_bytes(), "in.jsonl").unwrap();
        assert_eq!(h.dataset, "directory/test");
        assert_eq!(recs.keys().collect::<Vec<_>>(), ["demo:a", "demo:b"]);
        assert!(recs["demo:a"].contains("\"demo\":true"), "{}", recs["demo:a"]);
    }

    #[test]
    fn every_bad_record_is_reported_with_its_line() {
        let text = format!("{HEADER}\n{}\n{}\n{{oops\n", rec("demo:a", "A"), rec("demo:a", "A2"));
        let err = read_input::<Listings>(text.as_bytes(), "in.jsonl").unwrap_err().to_string();
        assert!(err.contains("in.jsonl:3: record demo:a: field id: appears twice"), "{err}");
        assert!(err.contains("in.jsonl:4"), "{err}");
        let bad_name = HEADER.replace("directory/test", "../etc");
        let err = read_input::<Listings>(format!("{bad_name}\n").as_bytes(), "in.jsonl").unwrap_err().to_string();
        assert!(err.contains("field dataset"), "{err}");
    }

    #[test]
    fn delta_has_only_changes() {
        let old: Records =
            [("a", "1"), ("b", "2"), ("c", "3")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let new: Records =
            [("a", "1"), ("b", "22"), ("d", "4")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let text = String::from_utf8(delta_file("listings", "x/y", 1, &old, 2, &new)).unwrap();
        let lines: Vec<_> = text.lines().skip(1).collect();
        assert_eq!(lines, [r#"{"delete":"c"}"#, r#"{"put":22}"#, r#"{"put":4}"#]);
    }
}
