//! Issue 11 item 2, end to end through the FFI as the apps call it: saved places and notes are
//! sealed in their own file (no plaintext in its bytes, before or after erasing), a wrong key
//! or a key of the wrong length is refused and loses nothing, removed values leave no bytes
//! behind, and `forget_personal_data` removes the files while the directory keeps answering.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use faro_core::personal::{PersonalStore, PERSONAL_DATA_FILE};
use faro_ffi::{FaroError, FaroStore, SearchRequest};

const KEY: [u8; 32] = *b"demo key: 32 bytes, test only!!!";
const SHELTER: &str = "demo:tapachula-shelter-01";
const CLINIC: &str = "demo:necocli-health-01";
const LABEL: &str = "Tia Xiomara demo-label";
const NOTE: &str = "Ask for Brother Anselmo-demo at the side door";

fn store(dir: &Path) -> Arc<FaroStore> {
    drop(faro_tests::demo_store_at(&dir.join(faro_ffi::SYNCED_DATA_FILE), false));
    FaroStore::open(dir.display().to_string()).unwrap()
}

/// The personal file and its SQLite companions: (path, bytes) of each that exists.
fn personal_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    ["", "-journal", "-wal", "-shm"]
        .iter()
        .map(|s| dir.join(format!("{PERSONAL_DATA_FILE}{s}")))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn demo_search_finds_something(faro: &FaroStore) {
    let hits = faro.search(SearchRequest { text: Some("salud".into()), ..SearchRequest::default() }).unwrap();
    assert!(!hits.is_empty(), "the directory still answers");
}

#[test]
fn saved_places_and_notes_are_sealed_and_forget_erases_them_leaving_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let faro = store(dir.path());
    assert!(matches!(faro.favorites(vec![]), Err(FaroError::Locked { .. })));
    assert!(
        matches!(faro.unlock_personal_data(KEY[..31].to_vec()), Err(FaroError::BadInput { reason }) if reason.contains("32 bytes"))
    );
    assert!(personal_files(dir.path()).is_empty(), "a bad key creates nothing");
    faro.unlock_personal_data(KEY.to_vec()).unwrap();
    assert!(faro.is_personal_data_unlocked());

    assert!(faro.add_favorite(SHELTER.into(), Some(LABEL.into())).unwrap());
    assert!(faro.add_favorite(CLINIC.into(), None).unwrap());
    assert!(matches!(faro.add_favorite("demo:not-in-directory".into(), None), Err(FaroError::NotFound { .. })));
    let note = faro.add_note(NOTE.into(), Some(SHELTER.into())).unwrap();
    faro.add_note("demo: second note, about nothing".into(), None).unwrap();

    let favs = faro.favorites(vec!["en".into()]).unwrap();
    assert_eq!(favs.len(), 2);
    assert_eq!(favs[0].listing_id, SHELTER);
    assert_eq!(favs[0].label.as_deref(), Some(LABEL));
    assert!(favs.iter().all(|f| f.in_directory && f.name.is_some() && f.kind.is_some()), "{favs:?}");
    assert_eq!(favs[0].saved_on.len(), 10, "a day, no time: {}", favs[0].saved_on);
    assert_eq!(faro.notes(Some(SHELTER.into())).unwrap()[0].text, NOTE);
    assert_eq!(faro.notes(None).unwrap().len(), 2);

    // Encryption: nothing the person saved is in the files, not even the listing ids.
    let files = personal_files(dir.path());
    assert!(!files.is_empty());
    assert!(files.iter().all(|(p, _)| !p.display().to_string().ends_with("-wal")), "no WAL file");
    for (path, bytes) in &files {
        for secret in [SHELTER, CLINIC, "tapachula", LABEL, "Xiomara", NOTE, "Anselmo", "second note"] {
            assert!(!contains(bytes, secret.as_bytes()), "{secret:?} in clear in {}", path.display());
        }
    }

    // Removal and edit: the values are gone, and listing again shows it.
    assert!(faro.remove_favorite(CLINIC.into()).unwrap());
    assert!(!faro.is_favorite(CLINIC.into()).unwrap());
    faro.edit_note(note, "demo: rewritten".into()).unwrap();
    assert_eq!(faro.notes(Some(SHELTER.into())).unwrap()[0].text, "demo: rewritten");
    assert!(matches!(faro.edit_note(9_999, "x".into()), Err(FaroError::NotFound { .. })));

    // Wrong key: refused, nothing lost, the right key still opens it.
    faro.lock_personal_data();
    let before = personal_files(dir.path());
    let mut wrong = KEY;
    wrong[0] ^= 1;
    assert!(
        matches!(faro.unlock_personal_data(wrong.to_vec()), Err(FaroError::WrongKey { reason }) if reason.contains("wrong key"))
    );
    assert!(!faro.is_personal_data_unlocked());
    assert_eq!(personal_files(dir.path()), before, "the wrong key changed nothing");
    faro.unlock_personal_data(KEY.to_vec()).unwrap();
    assert_eq!(faro.favorites(vec![]).unwrap().len(), 1);

    // Forget: files gone, locked, directory answering; no key needed.
    faro.lock_personal_data();
    faro.forget_personal_data().unwrap();
    assert!(personal_files(dir.path()).is_empty(), "{:?}", personal_files(dir.path()));
    assert!(matches!(faro.favorites(vec![]), Err(FaroError::Locked { .. })));
    demo_search_finds_something(&faro);
    assert!(faro.listing(SHELTER.into(), vec![], None).is_ok());
    // Unlocking again starts an empty file (any key: the old one is no longer needed).
    faro.unlock_personal_data(wrong.to_vec()).unwrap();
    assert!(faro.favorites(vec![]).unwrap().is_empty() && faro.notes(None).unwrap().is_empty());
    // Forget while unlocked closes it first; after close() it still erases.
    faro.add_note("demo: another".into(), None).unwrap();
    faro.forget_personal_data().unwrap();
    assert!(personal_files(dir.path()).is_empty());
    faro.unlock_personal_data(KEY.to_vec()).unwrap();
    faro.add_note("demo: after".into(), None).unwrap();
    faro.close();
    faro.forget_personal_data().unwrap();
    assert!(personal_files(dir.path()).is_empty());
    let reopened = FaroStore::open(dir.path().display().to_string()).unwrap();
    demo_search_finds_something(&reopened);
}

#[test]
fn a_saved_place_no_longer_in_the_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let faro = store(dir.path());
    // Saved earlier, from a directory that has since dropped the listing.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let mut p = PersonalStore::open(&dir.path().join(PERSONAL_DATA_FILE), &KEY).unwrap();
    p.add_favorite("demo:closed-since", Some("old shelter (demo)"), day).unwrap();
    p.add_favorite(SHELTER, None, day).unwrap();
    drop(p);
    faro.unlock_personal_data(KEY.to_vec()).unwrap();
    let favs = faro.favorites(vec![]).unwrap();
    assert_eq!(favs[0].listing_id, "demo:closed-since");
    assert!(!favs[0].in_directory);
    assert_eq!((favs[0].name.as_deref(), favs[0].kind), (None, None));
    assert_eq!(favs[0].saved_on, "2026-11-30");
    assert!(favs[1].in_directory && favs[1].name.is_some());
}
