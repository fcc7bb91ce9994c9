//! End to end: "is this contact real?" against the demo listings and warnings in a real
//! SQLite store, every verdict, and random input that must never crash.

use chrono::{DateTime, Utc};
use faro_core::contact::{normalize, ContactCheck, ContactKind, Relation, Verdict};
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
    assert_eq!(c.verdict, Verdict::Listed, "in the directory, never 'not in the directory'");
    assert_eq!(c.matches[0].relation, Relation::ListedNotVerified);
    assert_eq!((c.matches[0].dataset.as_str(), c.matches[0].dataset_verified), ("wikidata/missions", false));
}

#[test]
fn a_listed_number_says_by_whom_and_that_it_is_not_verified() {
    let (_d, s) = store();
    // The Belgian embassy in Mexico City (Wikidata), written as a person would.
    for input in ["+52 55 52 80 07 58", "55 5280 0758", "0052 55 5280 0758", "https://wa.me/525552800758"] {
        let c = check(&s, input, "MX");
        assert_eq!((c.verdict.clone(), c.normalized.as_deref()), (Verdict::Listed, Some("+525552800758")), "{input}");
        let m = &c.matches[0];
        assert_eq!(
            (m.relation, m.dataset.as_str(), m.dataset_verified),
            (Relation::ListedNotVerified, "wikidata/missions", false)
        );
        assert!(m.name.to_lowercase().contains("belgi"), "{}", m.name);
    }
    // A verified listing's number stays official, and says which dataset.
    let c = check(&s, "(915) 555-0123", "US");
    assert_eq!((c.verdict, c.matches[0].dataset.as_str()), (Verdict::Official, "demo/route"));
}

#[test]
fn a_warned_number_written_the_foreign_way_is_still_caught() {
    let (_d, s) = store();
    // 00 is not the US international prefix: "001 201 555 0143" is no number there, but read
    // as dialled from most of the route it is the warned +1 201 555 0143.
    let c = check(&s, "001 201 555 0143", "US");
    assert_eq!(
        (c.kind, c.normalized.as_deref(), c.also.as_slice()),
        (ContactKind::Invalid, None, &["+12015550143".to_string()][..])
    );
    assert_eq!(c.verdict, Verdict::Warning);
    assert_eq!(
        (c.matches[0].id.as_str(), c.matches[0].relation),
        ("demo:w-fake-consulate-tapachula", Relation::OtherReading)
    );
    // The same from Mexico (00 is Mexico's prefix) is the number itself.
    let c = check(&s, "001 201 555 0143", "MX");
    assert_eq!(
        (c.verdict, c.normalized.as_deref(), c.matches[0].relation),
        (Verdict::Warning, Some("+12015550143"), Relation::Exact)
    );
    // Another reading never makes a number official: only warnings are compared with it.
    let c = check(&s, "001 915 555 0123", "US");
    assert_eq!((c.verdict, c.also.as_slice()), (Verdict::Invalid, &["+19155550123".to_string()][..]));
}

/// One case of `tests/data/phone_cases.tsv` (see `scripts/gen_phone_cases.py`).
struct PhoneCase {
    input: String,
    region: Option<String>,
    style: String,
    lpn: String,
    faro: String,
    rule: String,
}

fn phone_cases() -> Vec<PhoneCase> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/phone_cases.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "{}:{}: 6 columns", path.display(), i + 1);
        out.push(PhoneCase {
            input: f[0].to_string(),
            region: (f[1] != "-").then(|| f[1].to_string()),
            style: f[2].to_string(),
            lpn: f[3].to_string(),
            faro: f[4].to_string(),
            rule: f[5].to_string(),
        });
    }
    out
}

#[test]
fn phone_numbers_read_as_libphonenumber_reads_them() {
    let cases = phone_cases();
    assert!(cases.len() > 10_000, "{} cases", cases.len());
    let (mut agree, mut lpn_cases, mut lpn_agree) = (0usize, 0usize, 0usize);
    let mut by_rule: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut wrong = Vec::new();
    for c in &cases {
        let read = normalize(&c.input, c.region.as_deref().and_then(CountryCode::parse));
        let ours = if read.kind == ContactKind::Phone { read.normalized.unwrap_or_default() } else { "-".to_string() };
        let ok = ours == c.faro;
        agree += usize::from(ok);
        let entry = by_rule.entry(c.rule.as_str()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(ok);
        // Exactly libphonenumber: every case but the two documented rules.
        if c.rule == "libphonenumber" || c.rule == "wa_link" {
            lpn_cases += 1;
            lpn_agree += usize::from(ok);
        }
        if !ok {
            wrong.push(format!(
                "{:?} in {} ({}): libphonenumber {}, expected {}, Faro read {ours}",
                c.input,
                c.region.as_deref().unwrap_or("no region"),
                c.style,
                c.lpn,
                c.faro
            ));
        }
    }
    let pct = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
    println!("phone cases: {agree}/{} read as expected ({:.2} %)", cases.len(), pct(agree, cases.len()));
    println!(
        "exactly as libphonenumber (rules libphonenumber, wa_link): {lpn_agree}/{lpn_cases} ({:.2} %)",
        pct(lpn_agree, lpn_cases)
    );
    for (rule, (n, ok)) in &by_rule {
        println!("  rule {rule}: {ok}/{n}");
    }
    for w in wrong.iter().take(25) {
        println!("  differs: {w}");
    }
    assert!(pct(agree, cases.len()) >= 99.5, "{} of {} differ", wrong.len(), cases.len());
    assert!(pct(lpn_agree, lpn_cases) >= 99.5);
    // Both documented rules are read as documented, every time.
    for rule in ["mx_legacy", "no_region_00"] {
        let (n, ok) = by_rule.get(rule).copied().unwrap_or_default();
        assert!(n > 0 && ok == n, "rule {rule}: {ok}/{n}");
    }
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

/// Verified listings with the names the lookalike rules treat differently: short and long
/// labels, second-level endings, an internationalized domain, handles with separators.
const NAMES: &[(&str, &str)] = &[
    ("cancilleria.gov.co", "cancilleria_co"),
    ("sre.gob.mx", "sre_mx"),
    ("acnur.org", "acnur"),
    ("hias.org", "hias"),
    ("migracion.gob.mx", "migracion.mx"),
    ("casa-del-migrante.org.mx", "casa.migrante"),
    ("migración.mx", "migración"),
    ("refugio-sur.org.gt", "refugio_sur_gt"),
    ("abcdefg.org", "abcdefg"),
    ("red-de-apoyo-para-personas-migrantes-en-transito.org", "red_de_apoyo_migrantes_en_transito"),
];

fn extra_listings(verified: bool) -> String {
    let mut text = String::from("{\"faro\":\"listings\",\"version\":1,\"dataset\":\"test/names\",\"demo\":true}\n");
    for (i, (host, handle)) in NAMES.iter().enumerate() {
        let verified = if verified { r#","verified":{"by":"test","on":"2026-10-01"}"# } else { "" };
        text.push_str(&format!(
            r#"{{"id":"demo:names-{i}","kind":"legal_aid","name":{{"es":"Nombre {i} (demo)"}},"address":{{"locality":"Tapachula","country":"MX"}},"websites":["https://www.{host}/"],"emails":["info@{host}"],"social":[{{"network":"instagram","handle":"@{handle}"}}],"demo":true{verified}}}"#
        ));
        text.push('\n');
    }
    text
}

fn write_extra(s: &Store, verified: bool) {
    let text = extra_listings(verified);
    s.import_listings_reader(text.as_bytes(), "names.jsonl", Default::default()).unwrap();
}

/// Every one- and two-character edit of `name` that scammers use, plus decorations.
fn variants(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let at = |v: &[char]| v.iter().collect::<String>();
    let mut out = vec![format!("{name}-citas"), format!("{name}_oficial"), format!("mi{name}"), name.replace('o', "0")];
    for i in 0..=chars.len() {
        let mut v = chars.clone();
        v.insert(i, 'x');
        out.push(at(&v));
        if i < chars.len() {
            let mut v = chars.clone();
            v.remove(i);
            out.push(at(&v));
            let mut v = chars.clone();
            v[i] = 'q';
            out.push(at(&v));
            let mut v = chars.clone();
            v[i] = '\u{0430}';
            out.push(at(&v));
            if i + 1 < chars.len() {
                let mut v = chars.clone();
                v.swap(i, i + 1);
                out.push(at(&v));
            }
            for j in (i + 1..chars.len()).step_by(3) {
                let mut v = chars.clone();
                v[i] = 'z';
                v[j] = 'z';
                out.push(at(&v));
                let mut v = chars.clone();
                v.remove(j);
                v.remove(i);
                out.push(at(&v));
            }
        }
    }
    out.retain(|v| !v.is_empty());
    out
}

#[test]
fn indexed_lookalikes_give_the_same_answers_as_the_full_scan() {
    let (_d, s) = store();
    write_extra(&s, true);
    let langs = LangPrefs::default();
    let mut inputs: Vec<String> = Vec::new();
    for (host, handle) in NAMES {
        let (label, ending) = host.split_once('.').unwrap();
        for (i, v) in variants(label).into_iter().enumerate() {
            inputs.push(match i % 3 {
                0 => format!("https://{v}.{ending}/pagos"),
                1 => format!("{v}.com"),
                _ => format!("citas@{v}.{ending}"),
            });
        }
        for v in variants(handle) {
            inputs.push(format!("@{v}"));
        }
        inputs.push(format!("https://{host}.tramites.example"));
        inputs.push(format!("https://citas.{host}"));
        inputs.push(format!("https://{label}.gob.mx"));
    }
    inputs.extend(["gmail.com", "maria@gmail.com", "@a", "@abcd", "x.org", "https://ab.co/", "@___"].map(String::from));
    let (mut lookalikes, mut compared) = (0, 0);
    for input in &inputs {
        let region = CountryCode::parse("MX");
        let indexed = s.check_contact(input, region, now(), &langs).unwrap();
        let scanned = s.check_contact_by_scan(input, region, now(), &langs).unwrap();
        assert_eq!(indexed, scanned, "{input:?}");
        lookalikes += usize::from(indexed.verdict == Verdict::Lookalike);
        compared += 1;
    }
    // The comparison means something only if most variants are caught.
    assert!(lookalikes * 2 > compared, "{lookalikes} lookalikes of {compared}");
}

#[test]
fn official_names_follow_the_listings() {
    let (_d, s) = store();
    let count = |s: &Store| -> i64 {
        s.read(|c| Ok(c.query_row("SELECT count(*) FROM official_names WHERE key LIKE '%acnur%'", [], |r| r.get(0))?))
            .unwrap()
    };
    let acnur = |s: &Store| check(s, "https://acnurr.org", "MX");
    assert_eq!((count(&s), acnur(&s).verdict), (0, Verdict::Unknown));
    write_extra(&s, true);
    assert_eq!(count(&s), 3, "web, e-mail and handle");
    assert_eq!(acnur(&s).verdict, Verdict::Lookalike);
    // No longer verified: nothing official left to imitate.
    write_extra(&s, false);
    assert_eq!((count(&s), acnur(&s).verdict), (0, Verdict::Unknown));
    let parts: i64 = s
        .read(|c| Ok(c.query_row("SELECT count(*) FROM official_name_parts WHERE name = 'acnur'", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(parts, 0, "parts of a name no official contact has are removed");
    write_extra(&s, true);
    assert_eq!(acnur(&s).verdict, Verdict::Lookalike);
}

/// [`check`], after making sure the full scan gives the same answer.
fn checked(s: &Store, input: &str) -> ContactCheck {
    let langs = LangPrefs::default();
    let indexed = s.check_contact(input, CountryCode::parse("MX"), now(), &langs).unwrap();
    let scanned = s.check_contact_by_scan(input, CountryCode::parse("MX"), now(), &langs).unwrap();
    assert_eq!(indexed, scanned, "{input:?}");
    indexed
}

#[test]
fn telegram_preview_links_read_only_the_exact_s_segment() {
    let (_d, s) = store();
    // demo:tapachula-health-03 is on Telegram as demo_colibri_salud.
    for input in
        ["https://t.me/demo_colibri_salud", "https://t.me/s/demo_colibri_salud", "telegram.me/s/demo_colibri_salud"]
    {
        let c = checked(&s, input);
        assert_eq!((c.verdict, c.normalized.as_deref()), (Verdict::Official, Some("demo_colibri_salud")), "{input}");
        assert_eq!(c.matches[0].id, "demo:tapachula-health-03");
    }
    // Accounts whose names start with "s" are other people's: they imitate the official one.
    for input in [
        "https://t.me/sdemo_colibri_salud",
        "https://t.me/sssssdemo_colibri_salud",
        "https://telegram.me/sdemo_colibri_salud",
        "t.me/sdemo_puentesur",
    ] {
        let c = checked(&s, input);
        assert_eq!(c.verdict, Verdict::Lookalike, "{input}");
        assert!(matches!(c.matches[0].relation, Relation::Imitates(_)), "{input}: {:?}", c.matches);
    }
}

#[test]
fn a_handle_without_its_network_only_shares_the_name() {
    let (_d, s) = store();
    // demo:tapachula-legal-01 is on Facebook only, as demo_puentesur.
    for input in ["@demo_puentesur", "demo_puentesur", "@Demo_PuenteSur"] {
        let c = checked(&s, input);
        assert_eq!(c.verdict, Verdict::NameMatch, "{input}");
        let m = &c.matches[0];
        assert_eq!((m.id.as_str(), m.relation), ("demo:tapachula-legal-01", Relation::SameNameNoNetwork), "{input}");
        assert_eq!(m.network.as_deref(), Some("facebook"));
    }
    // The same name on another network is someone else's account.
    for input in
        ["https://www.instagram.com/demo_puentesur", "https://t.me/demo_puentesur", "https://x.com/demo_puentesur"]
    {
        let c = checked(&s, input);
        assert_eq!(c.verdict, Verdict::NameMatch, "{input}");
        assert_eq!(c.matches[0].relation, Relation::SameNameOtherNetwork, "{input}");
        assert_eq!(c.matches[0].network.as_deref(), Some("facebook"));
    }
    // With its own network, it is the official account.
    for input in ["https://www.facebook.com/demo_puentesur", "https://m.facebook.com/demo_puentesur/"] {
        let c = checked(&s, input);
        assert_eq!(c.verdict, Verdict::Official, "{input}");
        assert_eq!((c.matches[0].id.as_str(), c.matches[0].relation), ("demo:tapachula-legal-01", Relation::Exact));
    }
}

#[test]
fn a_site_listed_with_a_path_owns_that_path_only() {
    let (_d, s) = store();
    // demo:tapachula-health-01 lists https://example.org/faro-demo/esperanza and
    // clinica.esperanza@example.org; every demo site is a path on example.org.
    for input in [
        "https://example.org/faro-demo/esperanza",
        "https://www.example.org/faro-demo/esperanza/citas?x=1",
        "clinica.esperanza@example.org",
    ] {
        let c = checked(&s, input);
        assert_eq!(c.verdict, Verdict::Official, "{input}");
        assert_eq!(c.matches[0].id, "demo:tapachula-health-01", "{input}");
    }
    for (input, relation) in [
        ("scammer@example.org", Relation::SameDomainNotListed),
        ("https://evil.example.org/", Relation::SameDomainNotListed),
        ("https://evil.example.org/faro-demo/esperanza", Relation::SameDomainNotListed),
        ("citas@evil.example.org", Relation::SameDomainNotListed),
        ("https://example.org/", Relation::SameHostOtherPage),
        ("https://example.org/faro-demo", Relation::SameHostOtherPage),
        ("https://example.org/faro-demo/esperanza-citas", Relation::SameHostOtherPage),
        ("https://example.org/faro-demo/esperanza/../../pagos", Relation::SameHostOtherPage),
    ] {
        let c = checked(&s, input);
        assert_eq!(c.verdict, Verdict::Unknown, "{input}");
        assert!(c.matches.iter().all(|m| m.relation == relation), "{input}: {:?}", c.matches);
        assert!(!c.matches.is_empty(), "{input}: the listings on that domain are shown");
    }
}

/// Verified listings on a whole domain of their own and on shared hosting.
const SITES: &str = concat!(
    "{\"faro\":\"listings\",\"version\":1,\"dataset\":\"test/sites\",\"demo\":true}\n",
    r#"{"id":"demo:own-domain","kind":"legal_aid","name":{"es":"Dominio propio (demo)"},"address":{"locality":"Tapachula","country":"MX"},"websites":["https://www.refugio-demo.org/"],"verified":{"by":"test","on":"2026-10-01"},"demo":true}"#,
    "\n",
    r#"{"id":"demo:pages","kind":"legal_aid","name":{"es":"Páginas (demo)"},"address":{"locality":"Tapachula","country":"MX"},"websites":["https://demo-ayuda.github.io/"],"verified":{"by":"test","on":"2026-10-01"},"demo":true}"#,
    "\n",
    r#"{"id":"demo:blog","kind":"shelter","name":{"es":"Blog (demo)"},"address":{"locality":"Tapachula","country":"MX"},"websites":["https://demo-casa.blogspot.com/p/contacto.html"],"verified":{"by":"test","on":"2026-10-01"},"demo":true}"#,
    "\n",
);

#[test]
fn shared_hosting_is_never_official_by_domain() {
    let (_d, s) = store();
    s.import_listings_reader(SITES.as_bytes(), "sites.jsonl", Default::default()).unwrap();
    let official = [
        ("https://refugio-demo.org/citas", "demo:own-domain"),
        ("info@refugio-demo.org", "demo:own-domain"),
        ("https://demo-ayuda.github.io/", "demo:pages"),
        ("https://demo-ayuda.github.io/formulario", "demo:pages"),
        ("https://demo-casa.blogspot.com/p/contacto.html", "demo:blog"),
    ];
    for (input, id) in official {
        let c = checked(&s, input);
        assert_eq!((c.verdict, c.matches[0].id.as_str()), (Verdict::Official, id), "{input}");
    }
    for input in [
        // Other sub-domains of a whole domain: not listed, not official.
        "https://citas.refugio-demo.org/",
        "x@citas.refugio-demo.org",
        // Shared hosting: another customer's site, mail at a hosted name, the suffix itself.
        "https://evil.github.io/",
        "https://x.demo-ayuda.github.io/",
        "contacto@demo-ayuda.github.io",
        "https://github.io/",
        "https://demo-casa.blogspot.com/",
        "https://demo-casa.blogspot.com/p/pagos.html",
        "ayuda@demo-casa.blogspot.com",
    ] {
        let c = checked(&s, input);
        assert!(matches!(c.verdict, Verdict::Unknown | Verdict::Lookalike), "{input}: {:?}", c.verdict);
    }
}
