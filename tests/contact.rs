//! End to end: "is this contact real?" against the demo listings and warnings in a real
//! SQLite store, every verdict, and random input that must never crash.

use chrono::{DateTime, Utc};
use faro_core::contact::{ContactCheck, ContactKind, Relation, Verdict};
use faro_core::import::jsonl::read_records;
use faro_core::store::DatasetInfo;
use faro_core::warnings::Warning;
use faro_core::{CountryCode, LangPrefs, Store};
use faro_tests::{data_dir, demo_store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), true);
    let text = std::fs::read_to_string(data_dir().join("demo/warnings.jsonl")).unwrap();
    let (h, recs) = read_records::<_, Warning>(text.as_bytes(), "warnings.jsonl", "warnings").unwrap();
    store.write_warnings(&DatasetInfo { name: h.dataset, source: None, demo: true }, "warnings.jsonl", recs).unwrap();
    (dir, store)
}

fn now() -> DateTime<Utc> {
    "2026-12-01T18:00:00Z".parse().unwrap()
}

fn check(s: &Store, input: &str, region: &str) -> ContactCheck {
    s.check_contact(input, CountryCode::parse(region), now(), &LangPrefs::default()).unwrap()
}

#[test]
fn every_verdict() {
    let (_d, s) = store();
    let c = check(&s, "(915) 555-0123", "US");
    assert_eq!((c.kind, c.verdict.clone()), (ContactKind::Phone, Verdict::Official));
    assert_eq!(c.matches[0].id, "demo:el-paso-legal-01");
    let c = check(&s, "https://api.whatsapp.com/send?phone=12015550143", "MX");
    assert_eq!(c.verdict, Verdict::Warning);
    assert_eq!(c.matches[0].id, "demo:w-fake-consulate-tapachula");
    let c = check(&s, "citas@www.consulado-citas.example", "MX");
    assert_eq!(c.verdict, Verdict::Warning, "an e-mail at a warned domain");
    let c = check(&s, "@demo_puentesur1", "MX");
    assert_eq!(c.verdict, Verdict::Lookalike);
    assert!(matches!(c.matches[0].relation, Relation::Imitates(_)));
    let c = check(&s, "https://www.instagram.com/demo_riocoatan", "MX");
    assert_eq!(c.verdict, Verdict::Official);
    let c = check(&s, "https://example.org/faro-demo/esperanza/citas", "MX");
    assert_eq!(c.verdict, Verdict::Official);
    assert_eq!(c.matches[0].id, "demo:tapachula-health-01");
    let c = check(&s, "https://examp1e.org/faro-demo/esperanza", "MX");
    assert_eq!(c.verdict, Verdict::Lookalike);
    let c = check(&s, "+52 962 000 0000", "MX");
    assert_eq!(c.verdict, Verdict::Unknown, "never 'safe'");
    let c = check(&s, "not a contact !!", "MX");
    assert_eq!((c.kind, c.verdict, c.normalized), (ContactKind::Invalid, Verdict::Invalid, None));
    // A withdrawn warning's number is no longer a warning.
    assert_eq!(check(&s, "+1 201 555 0177", "US").verdict, Verdict::Unknown);
}

#[test]
fn a_warning_wins_over_an_official_listing() {
    let (_d, s) = store();
    let text = concat!(
        "{\"faro\":\"warnings\",\"version\":1,\"dataset\":\"warnings/hijack\"}\n",
        "{\"id\":\"demo:hijacked\",\"kind\":\"impersonation\",\"severity\":\"severe\",\"area\":{\"countries\":[\"US\"]},",
        "\"valid_from\":\"2026-11-01T00:00:00Z\",\"headline\":{\"en\":\"Hijacked WhatsApp account (demo)\"},",
        "\"indicators\":{\"phones\":[\"+19155550123\"]},\"issuer\":{\"name\":\"demo\"}}\n"
    );
    let (h, recs) = read_records::<_, Warning>(text.as_bytes(), "h.jsonl", "warnings").unwrap();
    s.write_warnings(&DatasetInfo { name: h.dataset, source: None, demo: true }, "h.jsonl", recs).unwrap();
    let c = check(&s, "+1 915 555 0123", "US");
    assert_eq!(c.verdict, Verdict::Warning);
    assert!(c.matches.iter().any(|m| m.id == "demo:el-paso-legal-01"), "the listing is still shown");
}

#[test]
fn unverified_listings_are_never_official() {
    let (_d, s) = store();
    // Wikidata missions carry no verification: their numbers are "listed, not verified".
    let phone: String = s
        .read(|c| {
            Ok(c.query_row(
                "SELECT key FROM listing_contacts WHERE official = 0 AND key LIKE 'tel:%' LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )?)
        })
        .unwrap();
    let c = check(&s, &phone[4..], "MX");
    assert_eq!(c.verdict, Verdict::Unknown);
    assert_eq!(c.matches[0].relation, Relation::ListedNotVerified);
}

#[test]
fn random_and_hostile_input_never_crashes() {
    let (_d, s) = store();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let alphabet: Vec<char> =
        "0123456789+-.()/ @:wa.me/tel:https://xn--éñ\u{202E}\u{200B}\u{0}😀ßİ\u{FEFF}abcdefghijklmnopqrstuvwxyz_"
            .chars()
            .collect();
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let input: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let c = s.check_contact(&input, CountryCode::parse("MX"), now(), &LangPrefs::default()).unwrap();
        assert_eq!(c.kind == ContactKind::Invalid, c.normalized.is_none(), "{input:?}");
        let _ = ContactCheck::offline(&input, None);
    }
    let huge = "1".repeat(1 << 20);
    assert_eq!(check(&s, &huge, "MX").verdict, Verdict::Invalid);
    assert!(check(&s, &huge, "MX").input.len() <= 2048);
}
