//! Shared helpers for Faro's end-to-end tests: paths to the bundled data, a store loaded
//! with it (imported locally, or signed and synced as a phone gets it), and real servers
//! on loopback ([`support::fault_server`], [`support::nginx`]).

#![forbid(unsafe_code)]
// Test support: a failing unwrap is a failing test, and what it prints helps read it.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;

use faro_core::import::missions;
use faro_core::store::DatasetInfo;
use faro_core::Store;

pub mod support;

/// The FFI crate, for tests elsewhere (the CLI's) that compare its answers with theirs.
pub use faro_ffi;

/// The repository's `data/` folder.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data")
}

/// Opens a fresh store in `dir` loaded with the demo listings (and, if asked, the real
/// Wikidata missions).
pub fn demo_store(dir: &std::path::Path, with_missions: bool) -> Store {
    demo_store_at(&dir.join("faro.db"), with_missions)
}

/// [`demo_store`] in the database file `db` (the FFI's store names its own file).
pub fn demo_store_at(db: &std::path::Path, with_missions: bool) -> Store {
    let store = Store::open(db).expect("open store");
    store.import_listings_file(&data_dir().join("demo/listings.jsonl"), Default::default()).expect("demo data imports");
    if with_missions {
        import_missions(&store);
    }
    store
}

/// A fresh store in `dir` holding the demo listings as a phone gets them: published with
/// fresh keys, served on loopback and synced, verified ([`support::signed`]), so that its
/// verified listings make their contacts official. The Wikidata missions, if asked, are
/// imported locally (unsigned, and unverified anyway).
pub fn signed_demo_store(dir: &std::path::Path, with_missions: bool) -> support::signed::Signed {
    let signed = support::signed::Signed::new(&dir.join("faro.db"), &[data_dir().join("demo/listings.jsonl")]);
    if with_missions {
        import_missions(&signed);
    }
    signed
}

/// Imports the real Wikidata missions locally, as `wikidata/missions`.
fn import_missions(store: &Store) {
    let csv = std::fs::File::open(data_dir().join("wikidata/diplomatic-missions-wikidata-2022.csv")).expect("csv");
    let read = missions::read_missions_csv(csv, "missions.csv").expect("missions");
    let info = DatasetInfo { name: "wikidata/missions".into(), source: None, demo: false };
    store
        .write_listings(&info, "missions.csv", read.listings.into_iter().map(|l| Ok((None, l))))
        .expect("missions import");
}
