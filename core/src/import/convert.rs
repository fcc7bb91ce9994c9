//! The seam every foreign format goes through (HSDS, spreadsheets, OpenStreetMap extracts,
//! the Wikidata missions CSV): a reader turns its file into a [`Converted`], listings with
//! the dataset they belong to and what was set aside and why. From there one path imports
//! them (`Store::write_listings`, all-or-nothing, every problem located) and one path
//! publishes them ([`Converted::write_listings_file`], then `faro publish` signs that file
//! like any other).
//!
//! A reader refuses what it cannot read (with file, sheet, row, column or element named in
//! an [`InputError`]) and never guesses silently: a record it could read but chose to leave
//! out (not a place people need, no coordinates, an unmapped category) goes into
//! [`Converted::set_aside`] with the reason, and the CLI prints the count and the reasons.

use std::path::Path;

use crate::error::{Error, InputError, Result};
use crate::model::Listing;
use crate::store::DatasetInfo;

/// A foreign file read into listings.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The dataset these listings form (name, source and licence, demo flag). The reader
    /// proposes it; the person may rename it (`faro import --dataset`).
    pub dataset: DatasetInfo,
    /// The listings, in the file's order.
    pub listings: Vec<Listing>,
    /// Records read but left out on purpose, each located, with the reason.
    pub set_aside: Vec<InputError>,
}

impl Converted {
    /// Takes another dataset name (`--dataset`).
    pub fn renamed(mut self, name: Option<&str>) -> Converted {
        if let Some(name) = name {
            self.dataset.name = name.to_string();
        }
        self
    }

    /// The listings as the records [`crate::store::Store::write_listings`] takes.
    pub fn records(&self) -> impl Iterator<Item = crate::store::RecordResult> + Send + '_ {
        self.listings.iter().map(|l| Ok((None, l.clone())))
    }

    /// Writes the dataset as a `faro-listings` JSON Lines file at `path` (header, then one
    /// listing a line): the input `faro publish` signs.
    pub fn write_listings_file(&self, path: &Path) -> Result<()> {
        let header = serde_json::json!({
            "faro": "listings",
            "version": 1,
            "dataset": self.dataset.name,
            "demo": self.dataset.demo,
            "source": self.dataset.source,
        });
        let mut text = header.to_string();
        for listing in &self.listings {
            text.push('\n');
            text.push_str(&crate::model::to_json(listing));
        }
        text.push('\n');
        std::fs::write(path, text).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::listings::read_listings;

    #[test]
    fn a_converted_dataset_reads_back_as_the_same_listings_file() {
        let listing: Listing =
            serde_json::from_str(r#"{"id":"demo:x","kind":"health","name":{"es":"Clínica (demo)"},"demo":true}"#)
                .unwrap();
        let converted = Converted {
            dataset: DatasetInfo { name: "demo/sheet".into(), source: None, demo: true },
            listings: vec![listing.clone()],
            set_aside: Vec::new(),
        }
        .renamed(Some("local/clinics"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        converted.write_listings_file(&path).unwrap();
        let (header, records) =
            read_listings(std::io::BufReader::new(std::fs::File::open(&path).unwrap()), "out").unwrap();
        assert_eq!((header.dataset.as_str(), header.demo), ("local/clinics", true));
        let back: Vec<Listing> = records.map(|r| r.unwrap().1).collect();
        assert_eq!(back, vec![listing]);
    }
}
