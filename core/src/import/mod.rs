//! Reading directory files into listings: the native `faro-listings` JSON Lines format
//! ([`listings`]) and the Wikidata diplomatic-missions CSV ([`missions`]). Other formats
//! (spreadsheets: [`sheet`]; Open Referral HSDS 3.0: [`hsds`])
//! become a [`convert::Converted`], the one seam through which they are imported and
//! published.
//!
//! Importers only read and locate errors; [`crate::store::Store::write_listings`] validates
//! and writes all-or-nothing ([`listings::ImportOptions`]: the one import of a listings file).

pub mod convert;
pub mod hsds;
pub mod jsonl;
pub mod listings;
pub mod missions;
#[cfg(feature = "osm")]
pub mod osm;
pub mod sheet;

/// One record read from a file: its line (when the format has lines) and the listing, or
/// why it could not be read. Defined by the store, which takes such records.
pub use crate::store::RecordResult;
