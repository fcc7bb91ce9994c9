//! Queries over the bundled data (demo listings and the real Wikidata missions), checked
//! against answers computed independently by brute force where possible.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use chrono::NaiveDate;
use faro_core::geo::{distance_m, Point};
use faro_core::hours::OpenState;
use faro_core::model::{Audience, Kind, Status};
use faro_core::search::{nothing_near, Query, Region, Sort, When, NEAR_HORIZON_M};
use faro_core::{CountryCode, Error, LangPrefs, LangTag, Listing, Store};
use faro_tests::demo_store;

const TAPACHULA: Point = Point { lat: 14.9056, lon: -92.2636 };
const CIUDAD_JUAREZ: Point = Point { lat: 31.7202, lon: -106.4608 };

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> When {
    When::Local(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap())
}

/// Wednesday 25 November 2026, 11:00 local: an ordinary working morning.
fn weekday_morning() -> When {
    local(2026, 11, 25, 11, 0)
}

fn langs(s: &str) -> LangPrefs {
    LangPrefs::parse_list(s).unwrap()
}

/// Every stored listing, read straight from SQL (the brute-force reference).
fn all_listings(store: &Store) -> Vec<Listing> {
    store
        .read(|c| {
            let mut stmt = c.prepare("SELECT record FROM listing_records")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.map(|r| serde_json::from_str(&r.unwrap()).unwrap()).collect())
        })
        .unwrap()
}

#[test]
fn text_search_ignores_accents_and_case_and_matches_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    for (typed, expect) in [("juridica", "Jurídica"), ("JURID", "Jurídica"), ("sante", "Santé"), ("ninez", "Niñez")]
    {
        let hits = store
            .search(&Query { text: Some(typed.into()), langs: langs("es,fr,en"), limit: 50, ..Query::default() })
            .unwrap();
        assert!(!hits.is_empty(), "{typed} found nothing");
        let any = hits.iter().any(|h| {
            h.listing
                .name
                .values()
                .chain(h.listing.description.values())
                .any(|t| t.to_lowercase().contains(&expect.to_lowercase()))
        });
        assert!(any, "{typed}: no hit contains {expect}");
    }
    // Words in different languages of the same listing both have to match.
    assert!(!store
        .search(&Query { text: Some("asilo zzzz".into()), ..Query::default() })
        .unwrap()
        .iter()
        .any(|_| true));
}

#[test]
fn text_results_are_ranked_by_relevance() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    let hits = store.search(&Query { text: Some("albergue".into()), limit: 30, ..Query::default() }).unwrap();
    assert!(hits.len() >= 5);
    let scores: Vec<f64> = hits.iter().map(|h| h.score.unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // A listing named "Albergue ..." outranks one that only mentions it in its description.
    let first = &hits[0].listing;
    assert!(first.name.values().any(|n| n.to_lowercase().contains("albergue")), "{:?}", first.name);
}

#[test]
fn service_words_in_other_languages_find_coded_services() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    // "azil" (Haitian Creole for asylum) finds listings coded asylum_help.
    let hits = store.search(&Query { text: Some("azil".into()), limit: 100, ..Query::default() }).unwrap();
    assert!(!hits.is_empty());
    let coded = hits.iter().filter(|h| h.listing.services.contains(&faro_core::model::ServiceCode::AsylumHelp)).count();
    assert!(coded * 2 >= hits.len(), "most hits for azil are asylum services");
}

#[test]
fn legal_aid_open_near_tapachula_in_haitian_creole() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    let q = Query {
        near: Some(TAPACHULA),
        radius_m: Some(10_000.0),
        kinds: vec![Kind::LegalAid],
        speaks: vec![LangTag::parse("ht").unwrap()],
        when: weekday_morning(),
        open_only: true,
        langs: langs("ht,fr,es,en"),
        ..Query::default()
    };
    let hits = store.search(&q).unwrap();
    assert!(hits.len() >= 3, "{hits:?}");
    for h in &hits {
        assert_eq!(h.kind, Kind::LegalAid);
        assert_eq!(h.hours.state, OpenState::Open);
        assert!(h.hours.next_change.is_some(), "an office closes later today");
        assert!(h.listing.languages.iter().any(|l| l.primary() == "ht"));
        assert_eq!(h.name_lang.as_ref().unwrap().as_str(), "ht", "shown in Haitian Creole");
        assert!(h.distance_m.unwrap() <= 10_000.0);
    }
    // On Sunday the same offices are closed.
    let sunday = store.search(&Query { when: local(2026, 11, 29, 11, 0), ..q.clone() }).unwrap();
    assert!(sunday.len() < hits.len(), "fewer offices open on Sunday");
}

#[test]
fn nearest_consulate_of_honduras_to_ciudad_juarez_is_found_in_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    let hn = CountryCode::parse("HN").unwrap();
    let hits = store
        .search(&Query { near: Some(CIUDAD_JUAREZ), consulate_of: Some(hn), limit: 3, ..Query::default() })
        .unwrap();
    assert_eq!(hits.len(), 3);
    // Brute force over every Honduran mission.
    let mut expected: Vec<(f64, String)> = all_listings(&store)
        .into_iter()
        .filter(|l| l.consulate.as_ref().is_some_and(|c| c.represents == hn) && l.status != Status::Closed)
        .filter_map(|l| l.location.map(|p| (distance_m(CIUDAD_JUAREZ, Point { lat: p.lat, lon: p.lon }), l.id)))
        .collect();
    expected.sort_by(|a, b| a.0.total_cmp(&b.0));
    let got: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let want: Vec<&str> = expected.iter().take(3).map(|(_, id)| id.as_str()).collect();
    assert_eq!(got, want);
    assert!((hits[0].distance_m.unwrap() - expected[0].0).abs() < 1.0);
    assert!(
        hits.iter().all(|h| h.kind == Kind::Consulate && h.hours.state == OpenState::Unknown),
        "Wikidata has no hours: unknown"
    );
}

#[test]
fn nearest_n_matches_brute_force_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    let all = all_listings(&store);
    for (point, kind) in [
        (TAPACHULA, Kind::Health),
        (CIUDAD_JUAREZ, Kind::Shelter),
        (Point { lat: 8.43, lon: -76.78 }, Kind::LegalAid),
        (Point { lat: 40.4, lon: -3.7 }, Kind::Consulate),
    ] {
        let hits = store.search(&Query { near: Some(point), kinds: vec![kind], limit: 7, ..Query::default() }).unwrap();
        let mut expected: Vec<(f64, &str)> = all
            .iter()
            .filter(|l| l.kind == kind && l.status != Status::Closed)
            .filter_map(|l| l.location.map(|p| (distance_m(point, Point { lat: p.lat, lon: p.lon }), l.id.as_str())))
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let got: Vec<f64> = hits.iter().map(|h| h.distance_m.unwrap()).collect();
        let want: Vec<f64> = expected.iter().take(7).map(|(d, _)| (d * 10.0).round() / 10.0).collect();
        assert_eq!(got, want, "{kind} near {point:?}");
    }
}

#[test]
fn free_clinics_within_5_km_of_tapachula() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    let hits = store
        .search(&Query {
            near: Some(TAPACHULA),
            radius_m: Some(5_000.0),
            kinds: vec![Kind::Health],
            free_only: true,
            ..Query::default()
        })
        .unwrap();
    assert!(hits.len() >= 3);
    let d: Vec<f64> = hits.iter().map(|h| h.distance_m.unwrap()).collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "nearest first: {d:?}");
    assert!(d.iter().all(|&x| x <= 5_000.0));
    assert!(hits.iter().all(|h| h.listing.cost == Some(faro_core::model::Cost::Free)));
}

#[test]
fn unknown_hours_are_unknown_not_closed_and_closed_places_are_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    let all = store.search(&Query { limit: 1000, when: weekday_morning(), ..Query::default() }).unwrap();
    let without_hours: Vec<_> = all.iter().filter(|h| h.listing.opening_hours.is_none()).collect();
    assert!(!without_hours.is_empty());
    assert!(without_hours.iter().all(|h| h.hours.state == OpenState::Unknown || h.status != Status::Active));
    assert!(all.iter().all(|h| h.status != Status::Closed), "closed places only when asked for");
    let temporarily: Vec<_> = all.iter().filter(|h| h.status == Status::TemporarilyClosed).collect();
    assert!(!temporarily.is_empty() && temporarily.iter().all(|h| h.hours.state == OpenState::Closed));
    let closed = store.search(&Query { statuses: vec![Status::Closed], ..Query::default() }).unwrap();
    assert!(!closed.is_empty() && closed.iter().all(|h| h.status == Status::Closed));
}

#[test]
fn filters_combine() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    let hits = store
        .search(&Query {
            kinds: vec![Kind::Shelter],
            serves: vec![Audience::Women],
            no_papers: true,
            in_country: CountryCode::parse("MX"),
            limit: 100,
            ..Query::default()
        })
        .unwrap();
    assert!(!hits.is_empty());
    for h in &hits {
        let l = &h.listing;
        assert_eq!(l.kind, Kind::Shelter);
        assert_eq!(l.eligibility.papers_required, Some(false));
        // Only places that name the group ("everyone" promises nothing about it; issue 12).
        assert!(l.serves.contains(&Audience::Women), "{:?}", l.serves);
        assert_eq!(l.address.as_ref().unwrap().country.as_str(), "MX");
    }
}

#[test]
fn counts_by_kind_match_brute_force() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    let all = all_listings(&store);
    let mx = CountryCode::parse("MX").unwrap();
    for c in store.counts(Region::Country(mx)).unwrap() {
        let want = all
            .iter()
            .filter(|l| l.kind == c.kind && l.status != Status::Closed)
            .filter(|l| l.address.as_ref().is_some_and(|a| a.country == mx))
            .count() as u64;
        assert_eq!(c.count, want, "{}", c.kind);
    }
    for c in store.counts(Region::Circle { center: TAPACHULA, radius_m: 30_000.0 }).unwrap() {
        let want = all
            .iter()
            .filter(|l| l.kind == c.kind && l.status != Status::Closed)
            .filter(|l| l.location.is_some_and(|p| distance_m(TAPACHULA, Point { lat: p.lat, lon: p.lon }) <= 30_000.0))
            .count() as u64;
        assert_eq!(c.count, want, "{}", c.kind);
    }
}

#[test]
fn language_fallback_follows_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    // A Wikidata mission only has English: a Creole reader still gets a name.
    let hits = store
        .search(&Query {
            consulate_of: CountryCode::parse("HT"),
            langs: langs("ht,fr,es"),
            limit: 1,
            ..Query::default()
        })
        .unwrap();
    assert_eq!(hits[0].name_lang.as_ref().unwrap().as_str(), "en");
    assert!(!hits[0].name.is_empty());
}

#[test]
fn bad_queries_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    for q in [
        Query { limit: 0, ..Query::default() },
        Query { radius_m: Some(5_000.0), ..Query::default() },
        Query { near: Some(TAPACHULA), radius_m: Some(-1.0), ..Query::default() },
        Query { sort: Some(Sort::Distance), ..Query::default() },
    ] {
        assert!(matches!(store.search(&q), Err(Error::BadQuery(_))));
    }
    assert!(matches!(store.get("demo:nope"), Err(Error::NotFound(_))));
}

#[test]
fn text_near_a_point_is_exact_when_the_text_matches_thousands() {
    // More matches than the SQL text filter takes, so the sorted-list path runs.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("many.db")).unwrap();
    let lines: Vec<String> = (0..3_300)
        .map(|i| {
            let (lat, lon) = (14.5 + (i % 50) as f64 * 0.02, -92.8 + (i / 50) as f64 * 0.02);
            let name = if i % 3 == 1 { format!("Roble {i} (demo)") } else { format!("Ceiba {i} (demo)") };
            format!(r#"{{"id":"demo:m{i}","kind":"health","name":{{"es":"{name}"}},"location":{{"lat":{lat},"lon":{lon}}}}}"#)
        })
        .collect();
    let text =
        format!("{}\n{}", r#"{"faro":"listings","version":1,"dataset":"test/many","demo":true}"#, lines.join("\n"));
    store.import_listings_reader(text.as_bytes(), "many.jsonl", Default::default()).unwrap();

    let hits = store
        .search(&Query { text: Some("ceiba".into()), near: Some(TAPACHULA), limit: 8, ..Query::default() })
        .unwrap();
    let mut expected: Vec<(f64, String)> = all_listings(&store)
        .into_iter()
        .filter(|l| l.name.values().any(|n| n.starts_with("Ceiba")))
        .map(|l| {
            let p = l.location.unwrap();
            (distance_m(TAPACHULA, Point { lat: p.lat, lon: p.lon }), l.id)
        })
        .collect();
    expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let got: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let want: Vec<&str> = expected.iter().take(8).map(|(_, id)| id.as_str()).collect();
    assert_eq!(got, want);
    let within = store
        .search(&Query {
            text: Some("ceiba".into()),
            near: Some(TAPACHULA),
            radius_m: Some(3_000.0),
            limit: 1000,
            ..Query::default()
        })
        .unwrap();
    assert_eq!(within.len(), expected.iter().filter(|(d, _)| *d <= 3_000.0).count());
    assert!(within.iter().all(|h| h.name.starts_with("Ceiba")));
    // A radius with few hits wanted: circles widen from 1 km and stop once they hold
    // enough; the answer is still the nearest ones.
    let nearest_within = store
        .search(&Query {
            text: Some("ceiba".into()),
            near: Some(TAPACHULA),
            radius_m: Some(50_000.0),
            limit: 8,
            ..Query::default()
        })
        .unwrap();
    assert_eq!(nearest_within.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), want);
}

const TIJUANA: Point = Point { lat: 32.5149, lon: -117.0382 };

#[test]
fn a_group_filter_matches_only_listings_that_name_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    let all = all_listings(&store);
    for group in Audience::ALL {
        let hits = store.search(&Query { serves: vec![*group], limit: 1000, ..Query::default() }).unwrap();
        let mut got: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        got.sort();
        let mut expect: Vec<&str> = all
            .iter()
            .filter(|l| l.serves.contains(group) && l.status != Status::Closed)
            .map(|l| l.id.as_str())
            .collect();
        expect.sort();
        assert_eq!(got, expect, "serves {group}");
    }
}

#[test]
fn far_hits_are_marked_and_nothing_near_gives_the_nearest_distance() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    // No shelter near Tijuana says it takes unaccompanied minors.
    let q = Query {
        near: Some(TIJUANA),
        kinds: vec![Kind::Shelter],
        serves: vec![Audience::UnaccompaniedMinors],
        limit: 5,
        ..Query::default()
    };
    let hits = store.search(&q).unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.far && h.distance_m.unwrap() > NEAR_HORIZON_M));
    assert_eq!(nothing_near(&hits), hits[0].distance_m);
    // With a radius the person chose the distance: nothing is far, and nothing_near is silent.
    let wide = store.search(&Query { radius_m: Some(5_000_000.0), ..q.clone() }).unwrap();
    assert_eq!(wide.len(), hits.len(), "a continental radius finds the same places");
    assert!(wide.iter().all(|h| !h.far));
    assert_eq!(nothing_near(&wide), None);
    // Something near: near ones first, then the far ones, and nothing_near is silent.
    let mixed = store
        .search(&Query { near: Some(TAPACHULA), kinds: vec![Kind::LegalAid], limit: 40, ..Query::default() })
        .unwrap();
    let far: Vec<bool> = mixed.iter().map(|h| h.far).collect();
    let split = far.iter().position(|f| *f).expect("some legal aid is far from Tapachula");
    assert!(split > 0 && far[split..].iter().all(|f| *f), "{far:?}");
    assert_eq!(nothing_near(&mixed), None);
    // Without a point there is no horizon.
    let anywhere = store.search(&Query { kinds: vec![Kind::Shelter], limit: 100, ..Query::default() }).unwrap();
    assert!(anywhere.iter().all(|h| !h.far));
}

#[test]
fn a_country_named_in_the_text_finds_its_missions_before_those_located_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    let all = all_listings(&store);
    for (typed, code) in [("konsila ayiti", "HT"), ("embajada de honduras", "HN"), ("consulate of guatemala", "GT")] {
        let code = CountryCode::parse(code).unwrap();
        let own = all.iter().filter(|l| l.consulate.as_ref().is_some_and(|c| c.represents == code)).count();
        let hits = store.search(&Query { text: Some(typed.into()), limit: 500, ..Query::default() }).unwrap();
        let represents = |h: &faro_core::search::Hit| h.listing.consulate.as_ref().map(|c| c.represents);
        assert!(hits[..own].iter().all(|h| represents(h) == Some(code)), "{typed}: its {own} missions first");
        assert!(hits[own..].iter().all(|h| represents(h) != Some(code)), "{typed}: each once");
        let located_in =
            hits[own..].iter().filter(|h| h.listing.address.as_ref().is_some_and(|a| a.country == code)).count();
        assert!(located_in > 0, "{typed}: missions located in {code} follow");
        let mut ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), hits.len(), "{typed}: no listing twice");
    }
    // A kind filter that excludes consulates leaves the text as typed.
    let shelters =
        store.search(&Query { text: Some("honduras".into()), kinds: vec![Kind::Shelter], ..Query::default() }).unwrap();
    assert!(shelters.iter().all(|h| h.kind == Kind::Shelter));
}
