//! `faro search` and `faro hours` through the real binary (issue 12 items 1, 4 and 12): a
//! group filter matches only places that name the group; far places are said to be far;
//! a country's name in any of the five languages finds that country's missions first; the
//! JSON carries what a person needs to get there, with times that know their offset; `PH`
//! rules use the holidays of `--country`.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

mod support;

use std::path::Path;

use serde_json::Value;
use support::{data, faro, ok};

const TIJUANA: &str = "32.5149,-117.0382";
const TAPACHULA: &str = "14.9056,-92.2636";
const CIUDAD_JUAREZ: &str = "31.7202,-106.4608";

fn json(args: &[&str]) -> Vec<Value> {
    let out = ok(&[args, &["--json"]].concat());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("faro {args:?}: {e}\n{out}"))
}

/// The demo listings, and with `missions` the real Wikidata missions file.
fn db(dir: &Path, missions: bool) -> String {
    let db = dir.join("faro.db").display().to_string();
    ok(&["import", "--db", &db, &data("demo/listings.jsonl")]);
    if missions {
        ok(&["import", "--db", &db, &data("wikidata/diplomatic-missions-wikidata-2022.csv")]);
    }
    db
}

fn serves(hit: &Value) -> Vec<&str> {
    hit["serves"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

#[test]
fn minors_filter_finds_only_places_for_minors_and_says_nothing_is_near() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path(), false);
    // The field worker's search from the issue, word for word.
    let args = ["search", "--db", &db, "--near", TIJUANA, "--kind", "shelter", "--serves", "unaccompanied_minors"];
    let hits = json(&args);
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(serves(h).contains(&"unaccompanied_minors"), "{} does not say it takes minors: {h}", h["id"]);
        // The San Diego family shelter ("everyone", "families") was first before.
        assert_ne!(h["id"], "demo:san-diego-shelter-01");
        assert_eq!(h["far"], true, "nothing for minors within 50 km of Tijuana: {h}");
        assert!(h["distance_m"].as_f64().unwrap() > 50_000.0);
    }
    let nearest_km = format!("{:.0}", hits[0]["distance_m"].as_f64().unwrap() / 1000.0);
    let text = ok(&args);
    let said = format!("Nothing matches within 50 km; the nearest match is {nearest_km} km away");
    let at = text.find(&said).unwrap_or_else(|| panic!("no {said:?} in:\n{text}"));
    assert!(at < text.find(" 1. ").unwrap(), "said before the far results:\n{text}");
    // In the person's language.
    let ht = ok(&[&args[..], &["--lang", "ht"]].concat());
    assert!(
        ht.contains(&format!("Pa gen anyen ki koresponn nan 50 km; sa ki pi pre a se {nearest_km} km lwen")),
        "{ht}"
    );
    // A listing for "everyone" is not one for a child alone, but it is one for everyone.
    let everyone = json(&["search", "--db", &db, "--serves", "everyone", "--limit", "200"]);
    assert!(!everyone.is_empty() && everyone.iter().all(|h| serves(h).contains(&"everyone")));
    let women = json(&["search", "--db", &db, "--serves", "women", "--limit", "200"]);
    assert!(!women.is_empty() && women.iter().all(|h| serves(h).contains(&"women")));
    assert!(women.len() < everyone.len());
}

#[test]
fn far_results_are_marked_and_a_radius_has_no_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path(), false);
    let args = ["search", "--db", &db, "--near", TAPACHULA, "--kind", "legal_aid", "--limit", "40"];
    let hits = json(&args);
    let far: Vec<bool> = hits.iter().map(|h| h["far"].as_bool().unwrap()).collect();
    assert!(far.contains(&true) && far.contains(&false), "near and far legal aid: {far:?}");
    for h in &hits {
        assert_eq!(h["far"].as_bool().unwrap(), h["distance_m"].as_f64().unwrap() > 50_000.0, "{h}");
    }
    let text = ok(&args);
    let heading = text.find("More than 50 km away:").unwrap_or_else(|| panic!("no heading:\n{text}"));
    let first_far = hits.iter().position(|h| h["far"] == true).unwrap();
    let far_line = text.find(&format!("{:>2}. ", first_far + 1)).unwrap();
    assert!(heading < far_line && text[..heading].contains(" 1. "), "{text}");
    assert!(!text.contains("Nothing matches within"), "{text}");
    // Asked for a radius, the person chose how far: nothing is marked far.
    let within = json(&["search", "--db", &db, "--near", TAPACHULA, "--radius-km", "4000", "--limit", "100"]);
    assert!(within.iter().any(|h| h["distance_m"].as_f64().unwrap() > 1_000_000.0), "continental radius works");
    assert!(within.iter().all(|h| h["far"] == false));
}

/// The ids of `code`'s missions in the directory, from the explicit filter.
fn missions_of(db: &str, code: &str) -> Vec<String> {
    json(&["search", "--db", db, "--consulate-of", code, "--limit", "1000"])
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_country_named_in_any_language_finds_its_missions_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path(), true);
    for (typed, code) in [
        ("consulado honduras", "HN"),
        ("embajada de honduras", "HN"),
        ("konsila ayiti", "HT"),
        ("ambassade haïti", "HT"),
        ("consulate of guatemala", "GT"),
        ("embaixada de honduras", "HN"),
        ("consulado de guatemala", "GT"),
    ] {
        let own = missions_of(&db, code);
        assert!(own.len() >= 5, "{code} has missions in the Wikidata file");
        let hits = json(&["search", "--db", &db, typed, "--limit", "300"]);
        let represents: Vec<&str> = hits.iter().map(|h| h["represents"].as_str().unwrap_or("-")).collect();
        let first_other = represents.iter().position(|r| *r != code).unwrap_or(represents.len());
        assert_eq!(first_other, own.len(), "{typed}: all {} missions of {code} first: {represents:?}", own.len());
        assert!(represents[first_other..].iter().all(|r| *r != code), "{typed}: {represents:?}");
        // Then the missions located in that country.
        let located =
            hits[first_other..].iter().filter(|h| h["kind"] == "consulate" && h["address"]["country"] == code).count();
        assert!(located >= 3, "{typed}: missions located in {code} follow: {represents:?}");
    }
    // With a point: the country's missions nearest first, the nearest marked near or far.
    let hits = json(&["search", "--db", &db, "consulado", "honduras", "--near", CIUDAD_JUAREZ, "--limit", "5"]);
    assert!(hits.iter().all(|h| h["represents"] == "HN"), "{hits:?}");
    let d: Vec<f64> = hits.iter().map(|h| h["distance_m"].as_f64().unwrap()).collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    // Words besides the country narrow its missions: Honduras's embassy in Madrid.
    let madrid = json(&["search", "--db", &db, "embajada de honduras en madrid"]);
    assert_eq!(madrid[0]["represents"], "HN");
    assert_eq!(madrid[0]["name"], "Embassy of Honduras in Madrid", "{madrid:?}");
}

#[test]
fn search_json_tells_how_to_get_there_with_offset_times() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path(), false);
    let hits = json(&[
        "search",
        "--db",
        &db,
        "--near",
        TAPACHULA,
        "--radius-km",
        "10",
        "--kind",
        "legal_aid",
        "--open-at",
        "2026-11-25T11:00",
    ]);
    assert!(!hits.is_empty());
    for h in &hits {
        for field in ["address", "phones", "opening_hours", "timezone", "languages", "cost", "far", "serves"] {
            assert!(h.get(field).is_some(), "{field} missing in {h}");
        }
        assert_eq!(h["address"]["country"], "MX");
        assert!(!h["opening_hours"].as_str().unwrap().is_empty());
        assert_eq!(h["timezone"], "America/Mexico_City");
        assert!(h["phones"].as_array().unwrap().iter().all(|p| p["number"].as_str().unwrap().starts_with('+')));
        // Open at 11:00 on a Wednesday: the change is later that day, in Mexico City's offset.
        let next = h["next_change"].as_str().unwrap();
        let parsed = chrono::DateTime::parse_from_rfc3339(next).unwrap_or_else(|e| panic!("{next}: {e}"));
        assert_eq!(parsed.offset().local_minus_utc(), -6 * 3600, "{next}");
        assert!(next.starts_with("2026-11-25T") && next.ends_with("-06:00"), "{next}");
    }
}

#[test]
fn hours_uses_the_holidays_of_the_country_given() {
    let rule = "Mo-Su 09:00-17:00; PH off";
    // Christmas Day 2026 is a public holiday in Mexico.
    let at = ["hours", "--at", "2026-12-25T10:00", "--tz", "America/Mexico_City"];
    let v: Value = serde_json::from_str(&ok(&[&at[..], &["--country", "MX", "--json", rule]].concat())).unwrap();
    assert_eq!(v["open"], false, "closed on a public holiday: {v}");
    assert_eq!(v["holidays_checked"], true);
    assert_eq!(v["next_change"], "2026-12-26T09:00:00-06:00");
    assert_eq!(v["next_change_local"], "2026-12-26T09:00");
    // Without a country nothing can say it is a holiday, and the JSON says so.
    let v: Value = serde_json::from_str(&ok(&[&at[..], &["--json", rule]].concat())).unwrap();
    assert_eq!(v["open"], true);
    assert_eq!(v["holidays_checked"], false);
    assert_eq!(v["next_change"], "2026-12-25T17:00:00-06:00");
    let text = ok(&[&at[..], &[rule]].concat());
    assert!(text.contains("Public holidays not checked") && text.contains("--country"), "{text}");
    let text = ok(&[&at[..], &["--country", "MX", rule]].concat());
    assert!(!text.contains("Public holidays not checked"), "{text}");
    // A country that is not a code is refused before anything is evaluated.
    let out = faro(&[&at[..], &["--country", "Mexico", rule]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mexico"));
}

#[test]
fn the_demo_answers_the_minors_question_honestly() {
    let out = ok(&["demo", "--at", "2026-11-25T10:30"]);
    let start = out.find("for unaccompanied minors").unwrap_or_else(|| panic!("{out}"));
    let end = start + out[start..].find("\n? ").unwrap();
    let answer = &out[start..end];
    // Only places that say they take minors, said to be far; then what is near instead.
    assert!(answer.contains("Nothing matches within 50 km; the nearest match is"), "{answer}");
    assert!(answer.contains("demo:san-salvador-shelter-01"), "{answer}");
    assert!(!answer.contains("demo:san-diego-shelter-01"), "a family shelter is no answer: {answer}");
    let instead = answer.find("No shelter near Tijuana says it takes unaccompanied minors").expect(answer);
    assert!(answer[instead..].contains("demo:tijuana-shelter-01"), "{answer}");
}

#[test]
fn nothing_open_says_so_and_shows_when_the_matches_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path(), false);
    // The README's clinic search, asked at 3 in the morning in Tapachula.
    let args = ["search", "--db", &db, "--kind", "health", "--free", "--near", TAPACHULA, "--radius-km", "5"];
    let night = [&args[..], &["--open-at", "2026-11-25T03:00"]].concat();
    assert!(json(&night).is_empty(), "the JSON answers the exact query: nothing open at 3:00");
    let out = ok(&night);
    assert!(out.contains("None is open at that time"), "{out}");
    let closed_now = json(&args);
    assert!(!closed_now.is_empty());
    let first = closed_now[0]["name"].as_str().unwrap();
    assert!(out.contains(first), "the matches are listed with when they open:\n{out}");
    let es = ok(&[&night[..], &["--lang", "es"]].concat());
    assert!(es.contains("Ninguno está abierto a esa hora"), "{es}");
    // In the daytime the open places come without the note.
    let day = ok(&[&args[..], &["--open-at", "2026-11-25T10:30"]].concat());
    assert!(!day.contains("None is open") && !day.contains("no results"), "{day}");
}
