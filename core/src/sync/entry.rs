//! What the signed target entry of a dataset says about it: Faro's fields under
//! `custom.faro` in TUF targets metadata. Because they are inside signed metadata, the
//! version, record count and state hash are as trustworthy as the signatures.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `custom.faro` of a dataset's full-snapshot target (`directory/mx.jsonl.zst`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetEntry {
    /// What the records are (`"listings"`).
    pub content: String,
    /// The dataset's name (`directory/mx`).
    pub dataset: String,
    /// Version, increasing by one each time the dataset's records change.
    pub version: u64,
    /// Number of records in this version.
    pub records: u64,
    /// State hash over every record of this version (see `sync::state`).
    pub state: String,
    /// Who publishes the dataset, for people to read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// When this version was published (signed, so it also bounds trusted time).
    pub published: DateTime<Utc>,
    /// True when the dataset is invented demo data.
    #[serde(default)]
    pub demo: bool,
    /// Where the data came from (the snapshot header's `source`), signed with the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::model::Source>,
    /// Delta targets straight to this version, by the version they start from.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deltas: BTreeMap<u64, String>,
}

/// `custom.faro` of a delta target (`directory/mx.from-5.jsonl.zst`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeltaEntry {
    /// The dataset.
    pub dataset: String,
    /// The version the delta applies to.
    pub from: u64,
    /// The version it produces.
    pub to: u64,
}

/// Target path of a dataset's full snapshot.
pub fn snapshot_path(dataset: &str) -> String {
    format!("{dataset}.jsonl.zst")
}

/// Target path of the delta of `dataset` from version `from` to the newest.
pub fn delta_path(dataset: &str, from: u64) -> String {
    format!("{dataset}.from-{from}.jsonl.zst")
}

/// Wraps an entry as the `custom` object of a target.
pub fn to_custom<T: Serialize>(entry: &T) -> serde_json::Value {
    serde_json::json!({ "faro": entry })
}

/// Reads `custom.faro` of a target as `T`; `None` if absent or not Faro's.
pub fn from_custom<T: for<'de> Deserialize<'de>>(custom: Option<&serde_json::Value>) -> Option<T> {
    serde_json::from_value(custom?.get("faro")?.clone()).ok()
}

/// The delegated role that signs warnings datasets (`warnings/*`): named here, where both
/// the publisher (which delegates to it) and sync (which requires it) read it.
pub const WARNINGS_ROLE: &str = "warnings";

/// True for datasets signed by the [`WARNINGS_ROLE`] delegation.
pub fn is_warnings(dataset: &str) -> bool {
    dataset.starts_with("warnings/")
}

/// A dataset name is one or more `/`-separated segments of lower-case ASCII letters,
/// digits, `-` and `_` (so it is also a safe target path). Returns why not.
pub fn check_dataset_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 100 {
        return Err("a dataset name has 1 to 100 characters".into());
    }
    for seg in name.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return Err(format!("{name:?} has an empty or dot segment"));
        }
        if !seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return Err(format!("{name:?}: use lower-case letters, digits, '-', '_' and '/' only"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_round_trips_through_custom() {
        let e = DatasetEntry {
            content: "listings".into(),
            dataset: "directory/mx".into(),
            version: 7,
            records: 2,
            state: "ab".into(),
            publisher: Some("Demo".into()),
            published: "2026-11-27T10:00:00Z".parse().unwrap(),
            demo: true,
            source: None,
            deltas: [(5, delta_path("directory/mx", 5))].into(),
        };
        let custom = to_custom(&e);
        assert_eq!(custom["faro"]["deltas"]["5"], "directory/mx.from-5.jsonl.zst");
        assert_eq!(from_custom::<DatasetEntry>(Some(&custom)), Some(e));
        assert_eq!(from_custom::<DatasetEntry>(Some(&serde_json::json!({"other": 1}))), None);
    }

    #[test]
    fn dataset_names() {
        assert!(check_dataset_name("directory/mx").is_ok());
        assert!(check_dataset_name("warnings/gt-north").is_ok());
        for bad in ["", "a//b", "../x", "A/b", "a b", "x/./y"] {
            assert!(check_dataset_name(bad).is_err(), "{bad}");
        }
    }
}
