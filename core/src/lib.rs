//! Faro's offline core: the directory of consulates, legal aid, health services and
//! shelters, kept in a local SQLite store and queried with no network at all.
//!
//! Data flows one way: files are parsed and validated ([`import`], [`model`]) -> written in
//! one transaction ([`store`]) -> queried ([`search`], with [`hours`] and [`geo`]). Rights
//! information ([`rights`]), warnings about smugglers and traffickers ([`warnings`]) and
//! "is this contact real?" ([`contact`]) live beside the directory in the same store.
//! Trusted sync ([`sync`]) brings datasets from a static TUF repository ([`tuf`]) over
//! [`net`] (HTTP with resume and retries) and [`compress`] (bounded zstd); [`publish`]
//! writes such repositories. What a person saves (favorites, notes) lives apart in
//! [`personal`], sealed with the app's key and erased in one call. Nothing here knows about FFI; `faro-ffi` wraps this crate.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cancel;
pub mod clock;
pub mod code_enum;
pub mod compress;
pub mod contact;
pub mod country;
mod country_names;
mod country_table;
pub mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod geo;
pub mod hours;
pub mod import;
pub mod lang;
pub mod limit;
pub mod model;
pub mod net;
pub mod personal;
mod personal_error;
pub mod publish;
mod report_error;
pub mod reports;
pub mod rights;
pub mod search;
pub mod store;
pub mod sync;
mod sync_error;
pub mod tuf;
pub mod warnings;

pub use country::CountryCode;
pub use error::{Error, InputError, Result};
pub use lang::{LangPrefs, LangTag};
pub use model::{Kind, Listing};
pub use store::Store;
