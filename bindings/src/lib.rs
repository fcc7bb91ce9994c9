//! `faro-ffi`: the UniFFI façade that Kotlin and Swift call. It maps the core's types to FFI
//! records and enums, its errors to [`FaroError`], and adds what only callers across the FFI
//! need (a closable [`FaroStore`], progress and cancellation). All logic stays in `faro-core`.
//!
//! [`FaroStore`]'s methods live beside the records they return: search and listings in
//! `store`, trusted sync, subscriptions, status and bundles in `sync`, what a
//! repository offers and subscribing by region in `datasets`, rights in `rights`,
//! warnings in `warnings`, "is this contact real?" in `contact`, the person's saved places and
//! notes in `personal`, reports from the field in `reports`. Long work reports through
//! [`ProgressListener`] and stops on [`CancelHandle`]. Every exported item's `///` doc becomes
//! the Kotlin and Swift documentation.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod contact;
mod datasets;
mod error;
mod personal;
mod progress;
mod query;
mod reports;
mod rights;
mod store;
mod sync;
mod types;
mod warnings;

pub use contact::normalize_contact;
pub use datasets::{AvailableDataset, BoundingBox, DatasetRegion, RegionChoice, RegionOrigin, RegionSubscription};
pub use error::FaroError;
pub use personal::{Favorite, Note};
pub use progress::{CancelHandle, ProgressListener, ProgressReport, ProgressStage};
pub use query::{CountRegion, HoursAt, SearchRequest};
pub use reports::{QueuedReport, ReportDraft, ReportPlace};
pub use rights::{Article, ArticleHit, LegalReference, RelatedHelp, RightsQuery};
pub use store::{FaroStore, SYNCED_DATA_FILE};
pub use sync::{
    BundleOutcome, DatasetStatus, DatasetVersion, ExportReport, SkippedDataset, SyncReport, SyncSettings, SyncStatus,
    TrustedTime,
};
pub use types::{
    Address, ConsulateInfo, GeoPoint, HoursStatus, ImportSummary, Listing, Phone, SearchHit, SocialAccount, SourceInfo,
};
pub use warnings::{HandleIndicator, Warning, WarningHit, WarningIndicators};

uniffi::setup_scaffolding!();
