//! The Update Framework (specification 1.0.x) for Faro's signed datasets: canonical JSON,
//! keys and signatures with `ring`, typed metadata, the client workflow of §5 independent
//! of transport and storage, and the publisher's writer and key rotation helpers.
//!
//! A client installs the root the app ships ([`install_root`]), then on each sync
//! [`Updater::load`]s it and [`Updater::refresh`]es against a [`Fetcher`] at a caller-given
//! time, looks targets up with [`Updater::target_info`] and fetches them with
//! [`Updater::download_target`] (or checks bytes from elsewhere with [`verify_target`]).
//! See `docs/adr/0007-tuf-profile-with-ring.md` for the profile Faro uses.

pub mod canonical;
mod client;
mod error;
pub mod keys;
pub mod metadata;
pub mod paths;
pub mod signing;
pub mod store;
pub mod verify;
pub mod writer;

pub use client::{install_root, verify_target, ExpiredRole, ExpiryPolicy, Limits, RefreshReport, TargetInfo, Updater};
pub use error::{TufError, TufResult};
pub use keys::{PublicKey, Scheme};
pub use metadata::{DelegatedRole, Delegations, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp};
pub use signing::SigningKey;
pub use store::{DirFetcher, DirTrustStore, FetchError, Fetcher, TrustStore};
pub use writer::RoleSetup;

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod test_repo;
