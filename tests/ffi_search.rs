//! The FFI's search as Kotlin and Swift call it (`faro_ffi::FaroStore::search`), on the demo
//! listings and the real Wikidata missions (issue 12 items 1 and 4): a group filter matches
//! only places that name the group, far hits say so, and a country's name in the person's
//! language finds that country's missions first.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::sync::Arc;

use faro_core::model::{Audience, Kind};
use faro_ffi::{FaroError, FaroStore, GeoPoint, SearchHit, SearchRequest};

const TIJUANA: GeoPoint = GeoPoint { lat: 32.5149, lon: -117.0382 };
const TAPACHULA: GeoPoint = GeoPoint { lat: 14.9056, lon: -92.2636 };

/// A phone's store directory holding the demo listings and the Wikidata missions.
fn store(dir: &std::path::Path) -> Arc<FaroStore> {
    drop(faro_tests::demo_store_at(&dir.join(faro_ffi::SYNCED_DATA_FILE), true));
    FaroStore::open(dir.display().to_string()).unwrap()
}

fn represents(h: &SearchHit) -> Option<&str> {
    h.listing.consulate.as_ref().map(|c| c.represents.as_str())
}

#[test]
fn minors_near_tijuana_are_far_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let faro = store(dir.path());
    let hits = faro
        .search(SearchRequest {
            near: Some(TIJUANA),
            kinds: vec![Kind::Shelter],
            serves: vec![Audience::UnaccompaniedMinors],
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(h.listing.serves.contains(&Audience::UnaccompaniedMinors), "{:?}", h.listing.serves);
        assert!(h.far && h.distance_m.unwrap() > 50_000.0, "{} at {:?}", h.listing.id, h.distance_m);
    }
    // Near Tapachula some legal aid is near and some is far, in that order.
    let mixed = faro
        .search(SearchRequest {
            near: Some(TAPACHULA),
            kinds: vec![Kind::LegalAid],
            limit: 40,
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(!mixed[0].far && mixed.iter().any(|h| h.far));
    // With a radius, nothing is far.
    let within = faro
        .search(SearchRequest {
            near: Some(TAPACHULA),
            radius_m: Some(4_000_000.0),
            limit: 100,
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(within.iter().all(|h| !h.far));
}

#[test]
fn country_names_in_five_languages_find_that_countrys_missions_first() {
    let dir = tempfile::tempdir().unwrap();
    let faro = store(dir.path());
    for (typed, code) in [
        ("consulado honduras", "HN"),
        ("konsila ayiti", "HT"),
        ("ambassade haïti", "HT"),
        ("consulate of guatemala", "GT"),
        ("embaixada de honduras", "HN"),
    ] {
        let own = faro
            .search(SearchRequest { consulate_of: Some(code.into()), limit: 1000, ..SearchRequest::default() })
            .unwrap()
            .len();
        let hits =
            faro.search(SearchRequest { text: Some(typed.into()), limit: 300, ..SearchRequest::default() }).unwrap();
        assert!(own > 0 && hits.len() > own, "{typed}");
        assert!(hits[..own].iter().all(|h| represents(h) == Some(code)), "{typed}: {own} missions of {code} first");
        assert!(hits[own..].iter().all(|h| represents(h) != Some(code)), "{typed}");
        assert!(
            hits[own..].iter().any(|h| h.listing.address.as_ref().is_some_and(|a| a.country == code)),
            "{typed}: then the missions located in {code}"
        );
    }
}

/// What an app tells the person depends on the case: a damaged database is not "bad input".
#[test]
fn a_damaged_record_or_database_reaches_the_app_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let faro = store(dir.path());
    let id = "demo:necocli-health-01".to_string();
    faro.listing(id.clone(), vec![], None).unwrap();
    let db = rusqlite::Connection::open(dir.path().join(faro_ffi::SYNCED_DATA_FILE)).unwrap();
    let changed = db
        .execute(
            "UPDATE listing_records SET record = '{\"id\": 7' WHERE listing = (SELECT rowid FROM listings WHERE id = ?1)",
            [&id],
        )
        .unwrap();
    assert_eq!(changed, 1);
    match faro.listing(id.clone(), vec![], None) {
        Err(FaroError::Damaged { reason }) => {
            assert!(reason.contains(&id) && reason.contains("sync again"), "{reason}")
        }
        other => panic!("expected Damaged, got {other:?}"),
    }

    // A file that is not a database where the store keeps its data: Damaged, left untouched.
    let other = tempfile::tempdir().unwrap();
    let path = other.path().join(faro_ffi::SYNCED_DATA_FILE);
    std::fs::write(&path, b"not a database at all").unwrap();
    match FaroStore::open(other.path().display().to_string()) {
        Err(FaroError::Damaged { reason }) => assert!(reason.contains("damaged"), "{reason}"),
        Err(e) => panic!("expected Damaged, got {e:?}"),
        Ok(_) => panic!("a damaged file opened"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"not a database at all");
}
