//! The FFI's search as Kotlin and Swift call it (`faro_ffi::FaroStore::search`), on the demo
//! listings and the real Wikidata missions (issue 12 items 1 and 4): a group filter matches
//! only places that name the group, far hits say so, and a country's name in the person's
//! language finds that country's missions first.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::sync::Arc;

use faro_core::model::{Audience, Kind};
use faro_ffi::{FaroStore, GeoPoint, SearchHit, SearchRequest};

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
