//! End to end: the demo rights and warnings files import into a real SQLite store next to
//! the demo listings, and every query answers as a person expects.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use chrono::{DateTime, Utc};
use faro_core::geo::Point;
use faro_core::import::jsonl::read_records;
use faro_core::rights::{Article, RightsQuery, Topic};
use faro_core::store::DatasetInfo;
use faro_core::warnings::{cap, Warning, WarningKind, WarningQuery};
use faro_core::{CountryCode, LangPrefs, Store};
use faro_tests::{data_dir, demo_store};

fn load(store: &Store) {
    let text = std::fs::read_to_string(data_dir().join("demo/rights.jsonl")).unwrap();
    let (h, recs) = read_records::<_, Article>(text.as_bytes(), "rights.jsonl", "rights").unwrap();
    assert!(h.demo);
    let info = DatasetInfo { name: h.dataset, source: h.source, demo: true };
    assert!(store.write_articles(&info, "rights.jsonl", recs).unwrap().inserted >= 10);
    let text = std::fs::read_to_string(data_dir().join("demo/warnings.jsonl")).unwrap();
    let (h, recs) = read_records::<_, Warning>(text.as_bytes(), "warnings.jsonl", "warnings").unwrap();
    let info = DatasetInfo { name: h.dataset, source: h.source, demo: true };
    store.write_warnings(&info, "warnings.jsonl", recs).unwrap();
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const TAPACHULA: Point = Point { lat: 14.9056, lon: -92.2636 };

#[test]
fn rights_search_any_language_topic_and_country() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    load(&store);
    for (typed, want) in [
        ("azil", "demo:asylum"),
        ("ASISTENCIA CONSULAR", "demo:consular-assistance"),
        ("refugie", "demo:asylum"),
        ("Viena", ""),
    ] {
        let ids: Vec<String> = store
            .rights(&RightsQuery { text: Some(typed.into()), ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect();
        if want.is_empty() {
            assert!(ids.is_empty(), "{typed}: {ids:?}");
        } else {
            assert!(ids.contains(&want.to_string()), "{typed}: {ids:?}");
        }
    }
    let us = CountryCode::parse("US");
    let hits =
        store.rights(&RightsQuery { topics: vec![Topic::AsylumRefuge], country: us, ..Default::default() }).unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert!(ids.contains(&"demo:us-asylum-one-year") && ids.contains(&"demo:asylum"), "{ids:?}");
    assert!(!ids.contains(&"demo:mx-asylum-comar"), "a Mexican article does not apply in the US");
    let ht = LangPrefs::parse_list("ht,fr").unwrap();
    let hit =
        &store.rights(&RightsQuery { topics: vec![Topic::Children], langs: ht, ..Default::default() }).unwrap()[0];
    assert!(hit.title.contains("avoka dwe revize"), "{}", hit.title);
    assert!(hit.demo);
}

#[test]
fn article_links_to_the_consulates_of_the_persons_country() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    load(&store);
    let a = store.article("demo:consular-assistance").unwrap();
    let q = a.related_query(Some(TAPACHULA), CountryCode::parse("GT")).unwrap();
    let hits = store.search(&q).unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.listing.consulate.as_ref().unwrap().represents.as_str() == "GT"));
}

#[test]
fn warnings_here_now_by_country_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), false);
    load(&store);
    let now = t("2026-12-01T18:00:00Z");
    let here = WarningQuery { near: Some(TAPACHULA), ..WarningQuery::at(now) };
    let ids: Vec<String> = store.warnings(&here).unwrap().into_iter().map(|h| h.id).collect();
    assert_eq!(ids, ["demo:w-fake-consulate-tapachula"]);
    // The polygon of the river crossing: inside at Ciudad Hidalgo, not in Tapachula.
    let river = WarningQuery { near: Some(Point { lat: 14.68, lon: -92.15 }), ..WarningQuery::at(now) };
    let ids: Vec<String> = store.warnings(&river).unwrap().into_iter().map(|h| h.id).collect();
    assert!(ids.contains(&"demo:w-suchiate-crossing".to_string()), "{ids:?}");
    // Before it was valid, and after it expired.
    assert!(store
        .warnings(&WarningQuery { near: Some(TAPACHULA), ..WarningQuery::at(t("2026-10-01T00:00:00Z")) })
        .unwrap()
        .is_empty());
    assert!(store
        .warnings(&WarningQuery { near: Some(TAPACHULA), ..WarningQuery::at(t("2027-06-01T00:00:00Z")) })
        .unwrap()
        .is_empty());
    // By country: Panama's country-wide warning; the withdrawn Guatemalan one never shows.
    let pa = WarningQuery { country: CountryCode::parse("PA"), ..WarningQuery::at(now) };
    assert_eq!(store.warnings(&pa).unwrap()[0].id, "demo:w-darien-kidnapping");
    assert!(store
        .warnings(&WarningQuery { country: CountryCode::parse("GT"), ..WarningQuery::at(now) })
        .unwrap()
        .is_empty());
    let kind = WarningQuery { kinds: vec![WarningKind::TraffickingRecruitment], ..WarningQuery::at(now) };
    assert_eq!(store.warnings(&kind).unwrap().len(), 1);
    // The indexed answer equals a full scan.
    for p in
        [TAPACHULA, Point { lat: 14.68, lon: -92.15 }, Point { lat: 31.7, lon: -106.45 }, Point { lat: 0.0, lon: 0.0 }]
    {
        let mut fast: Vec<String> = store
            .warnings(&WarningQuery { near: Some(p), ..WarningQuery::at(now) })
            .unwrap()
            .into_iter()
            .filter(|h| h.here)
            .map(|h| h.id)
            .collect();
        let mut slow = store.read(|c| faro_core::store::warnings::scan_here(c, now, p)).unwrap();
        fast.sort();
        slow.sort();
        assert_eq!(fast, slow, "{p:?}");
    }
}

#[test]
fn bad_files_are_refused_whole_with_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("f.db")).unwrap();
    let text = concat!(
        "{\"faro\":\"warnings\",\"version\":1,\"dataset\":\"warnings/x\"}\n",
        "{\"id\":\"x:1\",\"kind\":\"scam\",\"severity\":\"minor\",\"area\":{\"countries\":[\"MX\"]},\"valid_from\":\"2026-01-01T00:00:00Z\",\"headline\":{\"es\":\"a\"},\"issuer\":{\"name\":\"n\"}}\n",
        "{\"id\":\"x:2\",\"kind\":\"scam\",\"severity\":\"minor\",\"area\":{},\"valid_from\":\"2026-01-01T00:00:00Z\",\"headline\":{\"es\":\"a\"},\"issuer\":{\"name\":\"n\"},\"indicators\":{\"phones\":[\"12\"]}}\n",
        "{\"id\":\"x:3\",\"kind\":\"pirates\"}\n",
    );
    let (h, recs) = read_records::<_, Warning>(text.as_bytes(), "w.jsonl", "warnings").unwrap();
    let info = DatasetInfo { name: h.dataset, source: None, demo: false };
    let err = store.write_warnings(&info, "w.jsonl", recs).unwrap_err().to_string();
    assert!(err.contains("w.jsonl:3: record x:2: field area: needs countries"), "{err}");
    assert!(err.contains("w.jsonl:3: record x:2: field indicators.phones[0]"), "{err}");
    assert!(err.contains("w.jsonl:4: record x:3: field kind"), "{err}");
    assert!(store.warnings(&WarningQuery::at(t("2026-06-01T00:00:00Z"))).unwrap().is_empty(), "nothing written");
}

/// A CAP 1.2 alert shaped like the specification's examples (namespace prefix, several
/// languages, polygon and circle, geocode), as a national alerting system would send it.
const CAP_SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <cap:identifier>MX-ALERTAS-2026-0042</cap:identifier>
  <cap:sender>alertas@example.org</cap:sender>
  <cap:sent>2026-11-20T09:30:00-06:00</cap:sent>
  <cap:status>Actual</cap:status>
  <cap:msgType>Alert</cap:msgType>
  <cap:scope>Public</cap:scope>
  <cap:info>
    <cap:language>es-MX</cap:language>
    <cap:category>Security</cap:category>
    <cap:event>Extorsión</cap:event>
    <cap:urgency>Immediate</cap:urgency>
    <cap:severity>Severe</cap:severity>
    <cap:certainty>Observed</cap:certainty>
    <cap:effective>2026-11-20T10:00:00-06:00</cap:effective>
    <cap:expires>2026-12-20T10:00:00-06:00</cap:expires>
    <cap:senderName>Red de Alertas (demo)</cap:senderName>
    <cap:headline>Cobros falsos de &quot;cuota&quot; en la carretera &amp; retenes (demo)</cap:headline>
    <cap:instruction>No pagues; denuncia.</cap:instruction>
    <cap:parameter><cap:valueName>faro:kind</cap:valueName><cap:value>extortion</cap:value></cap:parameter>
    <cap:parameter><cap:valueName>faro:phone</cap:valueName><cap:value>+1 201 555 0150</cap:value></cap:parameter>
    <cap:area>
      <cap:areaDesc>Carretera costera de Chiapas</cap:areaDesc>
      <cap:polygon>14.9,-92.4 14.9,-92.0 15.3,-92.0 15.3,-92.4 14.9,-92.4</cap:polygon>
      <cap:circle>14.9056,-92.2636 10</cap:circle>
      <cap:geocode><cap:valueName>ISO3166-1</cap:valueName><cap:value>MX</cap:value></cap:geocode>
    </cap:area>
  </cap:info>
  <cap:info>
    <cap:language>en-US</cap:language>
    <cap:category>Security</cap:category>
    <cap:event>Extortion</cap:event>
    <cap:urgency>Immediate</cap:urgency>
    <cap:severity>Severe</cap:severity>
    <cap:certainty>Observed</cap:certainty>
    <cap:headline>Fake road "fees" at checkpoints (demo)</cap:headline>
    <cap:area><cap:areaDesc>Chiapas coastal highway</cap:areaDesc></cap:area>
  </cap:info>
</cap:alert>"#;

#[test]
fn cap_sample_imports_and_round_trips() {
    let w = cap::parse_alert(CAP_SAMPLE, "sample.xml").unwrap();
    assert_eq!(w.id, "cap:MX-ALERTAS-2026-0042");
    assert_eq!(w.kind, WarningKind::Extortion);
    assert_eq!(w.valid_from, t("2026-11-20T16:00:00Z"));
    assert_eq!(w.headline.len(), 2);
    assert!(w.headline.values().any(|h| h.contains("\"cuota\"") && h.contains('&')));
    assert_eq!(w.area.circles.len(), 1);
    assert!(w.area.geometry.is_some());
    assert_eq!(w.area.countries, [CountryCode::parse("MX").unwrap()]);
    assert!(faro_core::warnings::check_warning(&w).is_empty(), "{:?}", faro_core::warnings::check_warning(&w));
    let w = w.normalized().unwrap();
    assert_eq!(w.indicators.phones, ["+12015550150"]);
    let again = cap::parse_alert(&cap::to_cap(&w, Utc::now()), "again.xml").unwrap();
    assert_eq!(again.normalized().unwrap().indicators, w.indicators);
    assert_eq!((again.area.circles, again.valid_until, again.severity), (w.area.circles, w.valid_until, w.severity));
}
