//! The publisher: listing files in, a complete static TUF repository out (`faro keygen`,
//! `faro publish`, `faro rotate-root`). Runs on a publisher's computer, never on a phone,
//! but shares the phone's checks so that nothing a phone would reject gets published.

pub mod dataset;
pub mod keys;
pub mod repo;

pub use keys::KeySet;
pub use repo::{publish, rotate_root, Expiries, PublishOptions, PublishReport, Published};
