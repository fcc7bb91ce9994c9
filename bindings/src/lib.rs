//! `faro-ffi`: the UniFFI façade that Kotlin and Swift call. It maps the core's types to FFI
//! records and enums, its errors to [`FaroError`], and adds what only callers across the FFI
//! need (a closable [`FaroStore`], progress and cancellation). All logic stays in `faro-core`.
//!
//! Every exported item's `///` doc becomes the Kotlin and Swift documentation. Later issues add
//! sync, bundles, dataset status, subscriptions, rights, warnings and check-contact as more
//! methods on [`FaroStore`], reporting through the same [`ProgressListener`] and stopping on
//! the same [`CancelHandle`].
#![deny(missing_docs)]

mod error;
mod progress;
mod query;
mod store;
mod types;

pub use error::FaroError;
pub use progress::{CancelHandle, ProgressListener, ProgressReport, ProgressStage};
pub use query::{CountRegion, HoursAt, SearchRequest, SortOrder};
pub use store::{FaroStore, SYNCED_DATA_FILE};
pub use types::{
    Address, ConsulateInfo, GeoPoint, HoursStatus, ImportSummary, KindCount, Listing, Phone, SearchHit, SocialAccount,
    SourceInfo,
};

uniffi::setup_scaffolding!();
