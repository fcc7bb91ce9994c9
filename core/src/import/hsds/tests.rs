//! Tests of the HSDS reader and writer on the invented packages in tests/data/hsds.

use std::path::PathBuf;

use super::*;

fn data(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/hsds")).join(name)
}

fn located(errors: &[InputError]) -> Vec<String> {
    errors.iter().map(|e| e.to_string()).collect()
}

fn problems_of(result: Result<Converted>) -> Vec<String> {
    match result {
        Err(Error::InputMany(es)) => located(&es),
        Err(Error::Input(e)) => vec![e.to_string()],
        other => panic!("expected problems, got {other:?}"),
    }
}

/// The listings as JSON Lines, the form the expected file is kept in.
#[cfg(feature = "place-checks")]
fn lines(listings: &[Listing]) -> String {
    listings.iter().map(|l| crate::model::to_json(l) + "\n").collect()
}

#[cfg(feature = "place-checks")]
#[test]
fn the_demo_package_imports_exactly_the_expected_listings() {
    let got = read_package(&data("demo"), &ReadOptions::default()).unwrap();
    assert_eq!(got.dataset.name, "hsds/faro-hsds-demo");
    assert!(got.dataset.demo);
    let source = got.dataset.source.clone().unwrap();
    assert_eq!(
        (source.name.as_str(), source.license.as_deref(), source.url.as_deref()),
        ("Faro HSDS sample (demo)", Some("CC0-1.0"), Some("https://faro.example/hsds-demo"))
    );
    let expected = std::fs::read_to_string(data("demo-expected.jsonl")).unwrap();
    assert_eq!(lines(&got.listings), expected);
    assert_eq!(
        located(&got.set_aside),
        [
            "schedules.csv:4: record 5c000000-0000-4000-8000-000000000003: field opens_at: is empty, and the description \"By appointment, call first (demo)\" is not converted; the listing is imported without hours",
            "phones.csv:5: record 9f000000-0000-4000-8000-000000000004: field type: a video number is not kept: Faro lists voice, text and fax numbers",
            "languages.csv:6: record 1a000000-0000-4000-8000-000000000005: field code: is empty: the language \"Quechua\" is not kept (a BCP 47 code such as es is needed)",
            "services.csv:5: record 5e000000-0000-4000-8000-000000000004: field name: no Faro kind: neither its taxonomy terms (Community Gardens) nor its name \"Community Garden (demo)\" map to one (docs/hsds.md); add a faro kind: term",
        ]
    );
}

#[cfg(feature = "place-checks")]
#[test]
fn hsds_json_service_records_import_too() {
    let got =
        read_json(&data("demo-services.json"), &ReadOptions { lang: Some(LangTag::parse("en").unwrap()) }).unwrap();
    assert_eq!(got.dataset.name, "hsds/demo-services");
    assert_eq!(got.listings.len(), 1);
    let l = &got.listings[0];
    assert_eq!(l.id, "hsds:5a000000-0000-4000-8000-0000000000a1");
    assert_eq!(l.kind, Kind::Health);
    assert_eq!(l.services, [ServiceCode::PrimaryCare]);
    assert_eq!(l.organization.values().next().map(String::as_str), Some("Walk-in Care (demo)"));
    assert_eq!(l.phones[0].number, "+12015550111");
    assert_eq!(l.opening_hours.as_deref(), Some("Mo,We,Fr 08:30-12:30"));
    assert_eq!(l.timezone.as_deref(), Some("America/New_York"));
    assert_eq!(l.location, Some(Location { lat: 40.7178, lon: -74.0431 }));
    assert_eq!(l.address.as_ref().map(|a| a.country.as_str()), Some("US"));
    assert_eq!(l.languages, [LangTag::parse("fr").unwrap()]);
    assert_eq!(
        located(&got.set_aside),
        ["demo-services.json: record 5e000000-0000-4000-8000-0000000000a2: field [1].name: no Faro kind: neither its taxonomy terms (none) nor its name \"Book Club (demo)\" map to one (docs/hsds.md); add a faro kind: term"]
    );
}

#[test]
fn hsds_json_without_a_language_is_refused() {
    let problems = problems_of(read_json(&data("demo-services.json"), &ReadOptions::default()));
    assert_eq!(problems, ["demo-services.json: HSDS texts carry no language: say which (faro import --text-lang es)"]);
}

#[test]
fn a_bad_package_reports_every_problem_with_file_row_and_field() {
    let problems = problems_of(read_package(&data("bad"), &ReadOptions::default()));
    let expected = [
        "languages.csv:7: unreadable row: CSV error: record 6 (line: 7",
        "service_at_location.csv:4: record 5a000000-0000-4000-8000-000000000003: field location_id: \"10000000-0000-4000-8000-00000000dead\" is no location of the package",
        "phones.csv:2: record 9f000000-0000-4000-8000-000000000001: field number: \"not a phone\" is not a valid phone number",
        "schedules.csv:2: record 5c000000-0000-4000-8000-000000000001: field opens_at: \"25:00\" is not a time HH:MM",
        "schedules.csv:2: record 5c000000-0000-4000-8000-000000000001: field byday: \"XX\" is not a day code (MO..SU, with an n-th such as 2MO or -1FR for MONTHLY)",
        "addresses.csv:2: record ad000000-0000-4000-8000-000000000001: field country: \"USA\" is not an ISO 3166-1 alpha-2 code",
        "locations.csv:3: record 10000000-0000-4000-8000-000000000002: field latitude: \"40.7N\" is not a number",
        "services.csv:3: record 5e000000-0000-4000-8000-000000000002: field name: is empty",
        "languages.csv:5: record 1a000000-0000-4000-8000-000000000004: field code: \"e$$\" is not a BCP 47 language tag: ",
        "services.csv:4: record 5e000000-0000-4000-8000-000000000003: field status: \"open\" is not active, inactive, defunct or temporarily closed",
        "phones.csv:6: record 9f000000-0000-4000-8000-000000000005: field type: \"pigeon\" is not an HSDS phone type (text, voice, fax, cell, video, pager, textphone)",
    ];
    for want in expected {
        assert!(problems.iter().any(|p| p.starts_with(want)), "missing {want:?} in\n{}", problems.join("\n"));
    }
    assert_eq!(problems.len(), expected.len(), "{}", problems.join("\n"));
}

#[test]
fn bad_hsds_json_names_the_json_path() {
    let problems =
        problems_of(read_json(&data("bad-services.json"), &ReadOptions { lang: Some(LangTag::parse("en").unwrap()) }));
    for want in [
        "bad-services.json: record 9f000000-0000-4000-8000-0000000000b1: field [0].phones[0].number: \"12\" is not a valid phone number",
        "bad-services.json: record 10000000-0000-4000-8000-0000000000b1: field [0].service_at_locations[0].location.latitude: 95 is not within -90..90",
        "bad-services.json: record 5c000000-0000-4000-8000-0000000000b1: field [0].schedules[0].opens_at: \"9am\" is not a time HH:MM",
    ] {
        assert!(problems.iter().any(|p| p.starts_with(want)), "missing {want:?} in\n{}", problems.join("\n"));
    }
}

#[cfg(feature = "place-checks")]
#[test]
fn export_then_import_gives_the_same_listings() {
    let first = read_package(&data("demo"), &ReadOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = export::write_package(&first.dataset, &first.listings, dir.path()).unwrap();
    assert_eq!((summary.listings, summary.lang.as_str(), summary.texts_left_out), (first.listings.len(), "en", 0));
    let second = read_package(dir.path(), &ReadOptions::default()).unwrap();
    assert_eq!(second.dataset.name, first.dataset.name);
    assert_eq!(second.dataset.source, first.dataset.source);
    assert!(second.set_aside.is_empty(), "{:?}", second.set_aside);
    // The ids too: the export carries them as the locations' external identifiers.
    let faro_ids = |c: &Converted| c.listings.iter().map(|l| l.id.clone()).collect::<Vec<_>>();
    assert_eq!(faro_ids(&second), faro_ids(&first));
    assert_eq!(lines(&second.listings), lines(&first.listings));
}

#[cfg(feature = "place-checks")]
#[test]
fn a_value_named_twice_is_exported_once() {
    // Found by faro-bench: a listing with the same service twice made two attribute rows
    // with one id, and the package did not read back.
    let mut first = read_package(&data("demo"), &ReadOptions::default()).unwrap();
    first.listings[0].services = vec![ServiceCode::Vaccination, ServiceCode::Vaccination];
    let dir = tempfile::tempdir().unwrap();
    export::write_package(&first.dataset, &first.listings, dir.path()).unwrap();
    let back = read_package(dir.path(), &ReadOptions::default()).unwrap();
    assert_eq!(back.listings[0].services, [ServiceCode::Vaccination]);
}
