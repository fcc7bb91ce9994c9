//! Reading directory files into listings: the native `faro-listings` JSON Lines format
//! ([`listings`]) and the Wikidata diplomatic-missions CSV ([`missions`]).
//!
//! Importers only read and locate errors; [`crate::store::Store::write_listings`] validates
//! and writes all-or-nothing.

pub mod jsonl;
pub mod listings;
pub mod missions;

use crate::error::InputError;
use crate::model::Listing;

/// One record read from a file: its line (when the format has lines) and the listing, or
/// why it could not be read.
pub type RecordResult = std::result::Result<(Option<u64>, Listing), InputError>;
