//! Trusted sync: datasets published as TUF targets on any static host, verified, and
//! applied to the store in one transaction each.
//!
//! The flow is one way: transport (`net`, or a bundle file) -> verify (`tuf`) -> apply
//! ([`apply`], with the state hash of [`state`]) -> queries. A dataset is a full snapshot
//! plus deltas from its last few versions straight to the newest ([`files`]); the signed
//! target entry ([`entry`]) gives its version, record count and state hash.

pub mod apply;
pub mod bundle;
pub mod client;
pub use crate::clock;
pub mod content;
pub mod entry;
pub mod files;
mod lock;
pub mod offer;
mod pin;
pub mod receiver;
pub mod region;
pub mod state;
pub mod status;
pub mod trust;

pub use apply::SyncRoute;
pub use bundle::{export_bundle, import_bundle, import_bundle_watched, BundleOutcome, ExportReport};
pub use client::{sync_from_url, DatasetOutcome, SyncOptions, SyncPhase, SyncProgress, SyncReport};
pub use content::ContentKind;
pub use offer::{available_datasets, choose, Chosen, Offer, OfferedDataset, RegionChoice};
pub use status::{status, subscribe, subscriptions, unsubscribe, DatasetStatus, SyncStatus};
pub use trust::install_trusted_root;

/// Why a dataset could not be synced or applied (defined beside the core's error, which wraps it).
pub use crate::sync_error::SyncError;

/// Refuses a dataset whose signer or content is not allowed: warnings content, or a name
/// under `warnings/`, must come from the `warnings` delegation (two keys); a `warnings/`
/// name holds warnings only; a dataset held here never changes its content kind.
pub(crate) fn check_dataset_trust(
    conn: &rusqlite::Connection,
    dataset: &str,
    kind: content::ContentKind,
    info: &crate::tuf::TargetInfo,
) -> crate::error::Result<()> {
    use entry::is_warnings;
    let target = &info.path;
    let warnings = kind == content::ContentKind::Warnings;
    if (warnings || is_warnings(dataset)) && !signed_by_warnings(info) {
        return Err(SyncError::WrongSigner { target: target.into(), role: signer(info) }.into());
    }
    if is_warnings(dataset) && !warnings {
        return Err(SyncError::NotWarnings { dataset: dataset.into(), content: kind.as_str().into() }.into());
    }
    let held: Option<String> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT content FROM sync_datasets WHERE name = ?1",
        [dataset],
        |r| r.get(0),
    ))?;
    match held {
        Some(held) if held != kind.as_str() => {
            Err(SyncError::ContentChanged { dataset: dataset.into(), held, offered: kind.as_str().into() }.into())
        }
        _ => Ok(()),
    }
}

/// True when `info` was listed by THE `warnings` delegation: the one the top-level targets
/// delegates (and Faro pins), not a role of the same name delegated further down.
pub(crate) fn signed_by_warnings(info: &crate::tuf::TargetInfo) -> bool {
    info.role == entry::WARNINGS_ROLE && info.delegator == "targets"
}

/// The role that listed `info`, with its delegator when that is not the top-level targets.
pub(crate) fn signer(info: &crate::tuf::TargetInfo) -> String {
    match info.delegator.as_str() {
        "root" | "targets" => info.role.clone(),
        parent => format!("{parent}/{}", info.role),
    }
}
