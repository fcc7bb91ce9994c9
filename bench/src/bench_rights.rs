//! `faro-bench contact` and `faro-bench warnings`: time "is this contact real?" and
//! "warnings here and now" the way the apps ask them, each next to a naive answer timed in
//! the same run (ratios hold on a noisy machine; absolute times do not).
//!
//! `contact` adds phones, web sites, e-mails and social accounts of about 4,000 invented
//! organizations to the synthetic directory of `faro-bench search` (published and synced,
//! verified, as a phone gets it: only signed data is official), adds a few hundred
//! warnings naming other contacts, and checks a few thousand inputs written the ways people
//! write them (national and international phone formats, `00`, `tel:` and WhatsApp links,
//! hidden direction marks, links in any case, handles with and without `@`), a mix of
//! official, warned-about, imitating, unknown and unreadable contacts. The checks of
//! official, name-match, warned-about and unreadable inputs must give the verdict they were made for,
//! and every answer must equal the full scan's (`check_contact_by_scan`, the check before
//! the index of official names), timed in the same run.
//!
//! `warnings` imports generated warnings (whole countries, circles and polygons with holes
//! spread over the route; some expired, not yet valid or withdrawn) and asks which apply at
//! points along the route, comparing every answer with the full scan `scan_here`.
//!
//! `cargo run --release --bin faro-bench -- contact --json`
//! `cargo run --release --bin faro-bench -- warnings --json`

use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::Subcommand;
use serde_json::{json, Value};

use faro_core::contact::{normalize, ContactCheck, Verdict};
use faro_core::geo::Point;
use faro_core::import::jsonl::read_records;
use faro_core::store::warnings::scan_here;
use faro_core::store::DatasetInfo;
use faro_core::warnings::{Severity, Warning, WarningKind, WarningQuery};
use faro_core::{CountryCode, LangPrefs, Store};
use faro_tests::support::signed::Signed;

use super::{peak_rss_mb, percentile, round3, synthetic_listing, time_runs, Rng, TOWNS};

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The benchmarks of rights, warnings and contacts.
#[derive(Subcommand)]
pub enum RightsBench {
    /// Time "is this contact real?" against synthetic listings with contacts and warnings.
    Contact {
        /// Number of synthetic listings (each with phones, a web site, an e-mail, an account).
        #[arg(long, default_value_t = 100_000)]
        listings: usize,
        /// Number of inputs checked, each once.
        #[arg(long, default_value_t = 4_000)]
        inputs: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Print JSON only.
        #[arg(long)]
        json: bool,
    },
    /// Time "warnings here and now" over generated warnings, next to the full scan.
    Warnings {
        /// Number of generated warnings.
        #[arg(long, default_value_t = 10_000)]
        warnings: usize,
        /// Number of points asked about.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Print JSON only.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one benchmark and prints its report.
pub fn run(cmd: RightsBench) -> BoxResult<()> {
    let dir = tempfile::tempdir()?;
    let (name, report, json_only) = match cmd {
        RightsBench::Contact { listings, inputs, seed, json } => {
            ("contact", contact_bench(dir.path(), listings, inputs, seed)?, json)
        }
        RightsBench::Warnings { warnings, queries, seed, json } => {
            ("warnings", warnings_bench(dir.path(), warnings, queries, seed)?, json)
        }
    };
    if json_only {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("faro-bench {name}");
        for (k, v) in report.as_object().into_iter().flatten() {
            println!("  {k:<36} {v}");
        }
    }
    Ok(())
}

/// The time every query is asked at: inside the generated validity windows.
fn bench_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T18:00:00Z").map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn timings(runs: &[f64], prefix: &str) -> Vec<(String, Value)> {
    [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)]
        .into_iter()
        .map(|(p, q)| (format!("{prefix}_{p}_ms"), json!(round3(percentile(runs, q)))))
        .collect()
}

// ------------------------------------------------------------------ contacts

/// Country, calling code, and (leading digits, national number length) of some ranges.
type NumberingPlan = (&'static str, &'static str, &'static [(&'static str, usize)]);

/// Numbering plans of the route: country, calling code, and (leading digits, length of
/// the national number) of common landline and mobile ranges. Random numbers are drawn
/// in them and kept only when the phone library says they are valid.
const PLANS: &[NumberingPlan] = &[
    ("MX", "52", &[("962", 10), ("55", 10), ("81", 10), ("656", 10), ("664", 10), ("899", 10)]),
    ("GT", "502", &[("2", 8), ("5", 8), ("4", 8)]),
    ("HN", "504", &[("2", 8), ("9", 8), ("3", 8)]),
    ("SV", "503", &[("2", 8), ("7", 8)]),
    ("CR", "506", &[("2", 8), ("8", 8)]),
    ("PA", "507", &[("2", 7), ("6", 8)]),
    ("CO", "57", &[("3", 10), ("601", 10), ("604", 10)]),
    ("EC", "593", &[("2", 8), ("9", 9)]),
    ("PE", "51", &[("1", 8), ("9", 9)]),
    ("CL", "56", &[("2", 9), ("9", 9)]),
    ("BR", "55", &[("119", 11), ("21", 10)]),
    ("US", "1", &[("915", 10), ("619", 10)]),
];

/// A random valid number of `country`, E.164.
fn random_phone(rng: &mut Rng, country: &str) -> BoxResult<String> {
    let (_, code, ranges) =
        PLANS.iter().find(|(c, _, _)| *c == country).ok_or_else(|| format!("no numbering plan for {country}"))?;
    for _ in 0..1000 {
        let (lead, len) = rng.pick(ranges);
        let mut n = format!("+{code}{lead}");
        for _ in lead.len()..*len {
            n.push(char::from(b'0' + rng.below(10) as u8));
        }
        if phonenumber::parse(None, &n).is_ok_and(|p| p.is_valid()) {
            return Ok(n);
        }
    }
    Err(format!("no valid {country} number drawn from {ranges:?}: check PLANS").into())
}

/// `e164` written as people write it; national forms are read with the number's country.
fn written_phone(rng: &mut Rng, e164: &str) -> BoxResult<String> {
    use phonenumber::Mode;
    let number = phonenumber::parse(None, e164)?;
    let international = number.format().mode(Mode::International).to_string();
    let national = number.format().mode(Mode::National).to_string();
    let digits = &e164[1..];
    Ok(match rng.below(9) {
        0 => international,
        1 => national,
        // With the international prefix of the number's own country, where the person is.
        2 => international.replacen('+', idd(number.country().id()), 1).replace(' ', "-"),
        3 => format!("tel:{}", international.replace(' ', "-")),
        4 => format!("https://wa.me/{digits}"),
        5 => format!("https://api.whatsapp.com/send?phone={digits}&text=Hola"),
        6 => match national.split_once(' ') {
            Some((first, rest)) if !first.starts_with('(') => format!("({first}) {}", rest.replace(' ', "-")),
            _ => national,
        },
        // Copied from a chat: direction marks around the number.
        7 => format!("\u{200E}{international}\u{200F}"),
        _ => international.replace(' ', "."),
    })
}

/// The international prefix dialled in `country` (libphonenumber's metadata): 011 in the
/// NANP, 119 in Cuba, 00 with a carrier code in Colombia and Brazil, 00 elsewhere on the route.
fn idd(country: Option<phonenumber::country::Id>) -> &'static str {
    match country.map(|c| format!("{c:?}")).as_deref() {
        Some("US" | "CA" | "DO") => "011",
        Some("CU") => "119",
        Some("CO") => "009",
        Some("BR") => "0021",
        _ => "00",
    }
}

const ORG_WORDS: &[&str] = &[
    "casa",
    "refugio",
    "esperanza",
    "frontera",
    "camino",
    "solidaridad",
    "puerta",
    "derechos",
    "salud",
    "clinica",
    "albergue",
    "familias",
    "mujeres",
    "ninez",
    "justicia",
    "apoyo",
    "manos",
    "puente",
    "sur",
    "norte",
    "luz",
    "alianza",
    "acogida",
    "dignidad",
    "futuro",
    "voces",
    "raices",
    "senderos",
    "horizonte",
    "abrigo",
    "amparo",
    "red",
    "fundacion",
    "centro",
    "comunidad",
    "misioneros",
    "paso",
    "rio",
    "montana",
    "valle",
];
const TLDS: &[&str] = &["org.mx", "org", "org.gt", "org.co", "org.br", "gob.mx", "org.pe", "cl", "org.hn", "ec"];
const NETWORKS: &[(&str, &str)] = &[("facebook", "facebook.com"), ("instagram", "instagram.com"), ("x", "x.com")];

/// An invented organization: web host, e-mail domain and social account of its listings.
struct Org {
    host: String,
    handle: String,
    network: usize,
}

fn org(j: usize) -> Org {
    let n = ORG_WORDS.len();
    let words = [ORG_WORDS[j % n], ORG_WORDS[(j / n) % n], ORG_WORDS[(j / n / n) % n]];
    let label = words.join("-");
    Org { host: format!("{label}.{}", TLDS[j % TLDS.len()]), handle: words.join("."), network: j % NETWORKS.len() }
}

/// What the generator knows about the stored contacts, to write inputs from them.
struct Directory {
    orgs: Vec<Org>,
    org_official: Vec<bool>,
    /// (E.164, country) of phones of official listings.
    official_phones: Vec<(String, &'static str)>,
    /// (E.164, country, host, handle) of indicators of active warnings.
    warned: Vec<(String, &'static str, String, String)>,
}

/// The synthetic directory with its contacts, published with fresh keys and synced,
/// verified, into a store (only a signed dataset makes a contact official), and the
/// warnings, imported.
fn build_contact_store(path: &Path, listings: usize, seed: u64) -> BoxResult<(Signed, Directory, Value)> {
    let mut rng = Rng(seed);
    let orgs: Vec<Org> = (0..(listings / 25).max(1)).map(org).collect();
    let mut dir =
        Directory { org_official: vec![false; orgs.len()], orgs, official_phones: Vec::new(), warned: Vec::new() };
    let file = path.join("listings.jsonl");
    {
        let mut out = BufWriter::new(std::fs::File::create(&file)?);
        writeln!(out, "{}", json!({"faro": "listings", "version": 1, "dataset": "bench/contacts", "demo": true}))?;
        for i in 0..listings {
            let mut v = synthetic_listing(&mut rng, i);
            let country = TOWNS.iter().find(|t| v["address"]["country"] == t.3).map(|t| t.3).unwrap_or("MX");
            let j = rng.below(dir.orgs.len());
            let o = &dir.orgs[j];
            let phones: Vec<String> =
                (0..1 + rng.below(2)).map(|_| random_phone(&mut rng, country)).collect::<BoxResult<_>>()?;
            v["phones"] = phones
                .iter()
                .map(|p| json!({"number": p, "kind": *rng.pick(&["voice", "whatsapp", "hotline"])}))
                .collect();
            v["websites"] = json!([format!("https://www.{}", o.host)]);
            v["emails"] = json!([format!("{}@{}", rng.pick(&["contacto", "citas", "info"]), o.host)]);
            v["social"] = json!([{"network": NETWORKS[o.network].0, "handle": format!("@{}", o.handle)}]);
            let verified = rng.below(10) < 7;
            if verified {
                v["verified"] = json!({"by": "Faro bench", "on": "2026-10-01"});
            }
            if verified && v["status"] == "active" {
                dir.org_official[j] = true;
                dir.official_phones.extend(phones.into_iter().map(|p| (p, country)));
            }
            serde_json::to_writer(&mut out, &v)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    let started = Instant::now();
    let store = Signed::new(&path.join("contacts.db"), &[file]);
    let publish_and_sync_s = started.elapsed().as_secs_f64();

    // Warnings naming contacts of no listing: a number, a site and an account each.
    let n_warnings = (listings / 250).clamp(10, 1000);
    let file = path.join("warnings.jsonl");
    {
        let mut out = BufWriter::new(std::fs::File::create(&file)?);
        writeln!(
            out,
            "{}",
            json!({"faro": "warnings", "version": 1, "dataset": "bench/contact-warnings", "demo": true})
        )?;
        for i in 0..n_warnings {
            let town = rng.pick(TOWNS);
            let phone = random_phone(&mut rng, town.3)?;
            let host = format!("tramites-{}-{i}.com", rng.pick(&["visas", "citas", "empleos", "cruces"]));
            let handle = format!("ayuda_migrante_{i}");
            let w = json!({
                "id": format!("bench:cw{i}"), "kind": "scam", "severity": "severe",
                "area": {"countries": [town.3]},
                "valid_from": "2026-11-01T00:00:00Z", "valid_until": "2027-06-01T00:00:00Z",
                "headline": {"es": format!("Estafa {i} (sintética)"), "en": format!("Scam {i} (synthetic)")},
                "indicators": {"phones": [phone], "domains": [host], "handles": [{"handle": handle}]},
                "issuer": {"name": "Faro bench"}, "demo": true,
            });
            serde_json::to_writer(&mut out, &w)?;
            out.write_all(b"\n")?;
            dir.warned.push((phone, town.3, host, handle));
        }
        out.flush()?;
    }
    let (header, records) =
        read_records::<_, Warning>(BufReader::new(std::fs::File::open(&file)?), "warnings.jsonl", "warnings")?;
    store.write_warnings(&DatasetInfo { name: header.dataset, source: None, demo: true }, "warnings.jsonl", records)?;
    store.checkpoint()?;
    let count = |table: &str| -> BoxResult<i64> {
        Ok(store.read(|c| Ok(c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?))?)
    };
    let (contacts, names, parts) =
        (count("listing_contacts")?, count("official_names")?, count("official_name_parts")?);
    let facts = json!({
        "listings": count("listings")?,
        "organizations": dir.orgs.len(),
        "official_organizations": dir.org_official.iter().filter(|o| **o).count(),
        "listing_contacts": contacts,
        "official_names": names,
        "official_name_parts": parts,
        "contact_warnings": n_warnings,
        "publish_and_sync_seconds": round3(publish_and_sync_s),
    });
    Ok((store, dir, facts))
}

/// One input to check, the verdict it was made for, and the region the person is in.
struct Input {
    text: String,
    region: Option<CountryCode>,
    expected: Verdict,
}

/// Changes one letter of a name: drops, doubles or swaps it (a small edit).
fn small_edit(rng: &mut Rng, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (1..chars.len().saturating_sub(1)).filter(|i| chars[*i].is_ascii_lowercase()).collect();
    let i = *rng.pick(&letters);
    let mut out = chars.clone();
    match rng.below(3) {
        0 => {
            out.remove(i);
        }
        1 => out.insert(i, chars[i]),
        _ => out.swap(i, i + 1),
    }
    out.into_iter().collect()
}

/// `name` with its first `a`, `e` or `o` written in Cyrillic (`а`, `е`, `о`): it looks
/// the same.
fn cyrillic_letter(name: &str) -> String {
    match name.char_indices().find(|(_, c)| matches!(c, 'a' | 'e' | 'o')) {
        Some((i, c)) => {
            let twin = match c {
                'a' => '\u{0430}',
                'e' => '\u{0435}',
                _ => '\u{043E}',
            };
            format!("{}{twin}{}", &name[..i], &name[i + 1..])
        }
        None => name.to_string(),
    }
}

fn make_inputs(rng: &mut Rng, dir: &Directory, n: usize) -> BoxResult<Vec<Input>> {
    let official_orgs: Vec<&Org> =
        dir.orgs.iter().zip(&dir.org_official).filter(|(_, o)| **o).map(|(o, _)| o).collect();
    let route: Vec<&str> = TOWNS.iter().map(|t| t.3).collect();
    let region = |c: &str| CountryCode::parse(c);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let here = *rng.pick(&route);
        let input = match i % 20 {
            // official: 7 in 20
            0..=3 => {
                let (p, country) = rng.pick(&dir.official_phones);
                Input { text: written_phone(rng, p)?, region: region(country), expected: Verdict::Official }
            }
            4..=6 => {
                let o = rng.pick(&official_orgs);
                // The sites are whole domains (no path, not shared): e-mails there are official.
                let (text, expected) = match rng.below(5) {
                    0 => (format!("https://www.{}/citas", o.host), Verdict::Official),
                    1 => (format!("HTTP://{}/", o.host.to_uppercase()), Verdict::Official),
                    2 => (format!("www.{}", o.host), Verdict::Official),
                    3 => (format!("{}@{}", rng.pick(&["Contacto", "director", "citas"]), o.host), Verdict::Official),
                    _ => match rng.below(2) {
                        // Without its network, a handle only shares the official account's name.
                        0 => (format!("@{}", o.handle), Verdict::NameMatch),
                        _ => (format!("https://{}/{}/", NETWORKS[o.network].1, o.handle), Verdict::Official),
                    },
                };
                Input { text, region: region(here), expected }
            }
            // warning: 3 in 20
            7..=9 => {
                let (p, country, host, handle) = rng.pick(&dir.warned);
                let text = match rng.below(4) {
                    0 | 1 => written_phone(rng, p)?,
                    2 => format!("https://pagos.{host}/formulario?id=123"),
                    _ => format!("@{handle}"),
                };
                Input { text, region: region(country), expected: Verdict::Warning }
            }
            // lookalike: 3 in 20
            10..=12 => {
                let o = rng.pick(&official_orgs);
                let (label, ending) = o.host.split_once('.').unwrap_or((&o.host, "org"));
                let text = match rng.below(6) {
                    0 => format!("https://{label}.com/pagos"),
                    1 => format!("{}.{ending}", small_edit(rng, label)),
                    2 => format!("https://{}.{ending}", cyrillic_letter(label)),
                    3 => format!("{label}-citas.{ending}"),
                    4 => format!("https://{}.tramites-en-linea.com", o.host),
                    _ => format!("@{}_oficial", o.handle.replace('.', "_")),
                };
                Input { text, region: region(here), expected: Verdict::Lookalike }
            }
            // unknown: 5 in 20
            13..=17 => {
                // A number is read with the region of its own country, as a person there would.
                let (text, country) = match rng.below(4) {
                    0 | 1 => {
                        let country = *rng.pick(&route);
                        let p = random_phone(rng, country)?;
                        (written_phone(rng, &p)?, country)
                    }
                    2 => (
                        format!("https://{}-{}.net/", rng.pick(&["noticias", "tienda", "viajes"]), rng.below(100_000)),
                        here,
                    ),
                    _ => (format!("{}{}@gmail.com", rng.pick(&["maria", "jose", "pedro"]), rng.below(10_000)), here),
                };
                Input { text, region: region(country), expected: Verdict::Unknown }
            }
            // invalid: 2 in 20
            _ => {
                let text = match rng.below(8) {
                    0 => String::new(),
                    1 => "12".to_string(),
                    2 => "📞🙏".to_string(),
                    3 => "no tengo número".to_string(),
                    4 => "\u{202E}\u{200B}\u{202C}".to_string(),
                    5 => "9".repeat(3000),
                    6 => "wa.me/".to_string(),
                    _ => "+52 abc 123".to_string(),
                };
                Input { text, region: region(here), expected: Verdict::Invalid }
            }
        };
        out.push(input);
    }
    // Shuffled, so that no kind of input runs in a warm streak.
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    Ok(out)
}

fn verdict_name(v: &Verdict) -> &'static str {
    match v {
        Verdict::Official => "official",
        Verdict::NameMatch => "name_match",
        Verdict::Warning => "warning",
        Verdict::Lookalike => "lookalike",
        Verdict::Listed => "listed",
        Verdict::Unknown => "unknown",
        Verdict::Invalid => "invalid",
    }
}

fn contact_bench(path: &Path, listings: usize, n_inputs: usize, seed: u64) -> BoxResult<Value> {
    let (store, dir, facts) = build_contact_store(path, listings, seed)?;
    let inputs = make_inputs(&mut Rng(seed ^ 0xC0_47AC), &dir, n_inputs)?;
    let at = bench_now();
    let langs = LangPrefs::default();

    // Warm-up: page cache and statement caches, as in a running app.
    for input in inputs.iter().take(200) {
        store.check_contact(&input.text, input.region, at, &langs)?;
    }
    let mut got: Vec<Option<Verdict>> = vec![None; inputs.len()];
    let check = time_runs(inputs.len(), |i| {
        let c = store.check_contact(&inputs[i].text, inputs[i].region, at, &langs).expect("check_contact");
        got[i] = Some(c.verdict);
    });
    // time_runs sorts its times; per kind of input, time again in input order.
    let mut by_expected: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for input in &inputs {
        let t = Instant::now();
        std::hint::black_box(store.check_contact(&input.text, input.region, at, &langs)?);
        by_expected.entry(verdict_name(&input.expected)).or_default().push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // Before the index of official names: every input compared with every official web
    // address, e-mail and handle. Its answers are the reference: any difference fails.
    let mut scan_by_expected: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut differ = Vec::new();
    for input in &inputs {
        let t = Instant::now();
        let scanned = store.check_contact_by_scan(&input.text, input.region, at, &langs)?;
        scan_by_expected.entry(verdict_name(&input.expected)).or_default().push(t.elapsed().as_secs_f64() * 1000.0);
        let indexed = store.check_contact(&input.text, input.region, at, &langs)?;
        if indexed != scanned && differ.len() < 5 {
            differ.push(format!("{:?}: indexed {indexed:?}, scan {scanned:?}", input.text));
        }
    }
    if !differ.is_empty() {
        return Err(format!("the indexed check and the full scan differ:\n  {}", differ.join("\n  ")).into());
    }
    let mut full_scan: Vec<f64> = scan_by_expected.values().flatten().copied().collect();
    full_scan.sort_by(f64::total_cmp);
    // Baselines: normalization alone, and the normalized key looked up by scanning the
    // contacts of listings and warnings without their indexes (exact matches only).
    let normalize_only = time_runs(inputs.len(), |i| {
        std::hint::black_box(ContactCheck::offline(&inputs[i].text, inputs[i].region));
    });
    let scan = store.read(|conn| {
        let mut listed = conn.prepare("SELECT count(*) FROM listing_contacts WHERE +key = ?1")?;
        let mut warned = conn.prepare("SELECT count(*) FROM warning_indicators WHERE +key = ?1")?;
        Ok(time_runs(inputs.len(), |i| {
            if let Some(key) = normalize(&inputs[i].text, inputs[i].region).key() {
                let a: i64 = listed.query_row([&key], |r| r.get(0)).expect("scan listing_contacts");
                let b: i64 = warned.query_row([&key], |r| r.get(0)).expect("scan warning_indicators");
                std::hint::black_box((a, b));
            }
        }))
    })?;

    // Verdicts: official, warned-about and unreadable inputs must get theirs.
    let mut confusion: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (input, verdict) in inputs.iter().zip(&got) {
        let verdict = verdict.as_ref().ok_or("an input was not checked")?;
        *confusion
            .entry(verdict_name(&input.expected).to_string())
            .or_default()
            .entry(verdict_name(verdict))
            .or_default() += 1;
        let strict =
            matches!(input.expected, Verdict::Official | Verdict::NameMatch | Verdict::Warning | Verdict::Invalid);
        if strict && *verdict != input.expected && wrong.len() < 5 {
            wrong.push(format!(
                "{:?} (region {:?}): {} expected, got {}",
                input.text.chars().take(80).collect::<String>(),
                input.region,
                verdict_name(&input.expected),
                verdict_name(verdict)
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(format!("wrong verdicts:\n  {}", wrong.join("\n  ")).into());
    }

    let mut report = facts;
    let map = report.as_object_mut().ok_or("report")?;
    map.insert("inputs".into(), json!(inputs.len()));
    map.extend(timings(&check, "check_contact"));
    map.insert("check_contact_max_ms".into(), json!(round3(check.last().copied().unwrap_or(0.0))));
    for (kind, mut runs) in by_expected {
        runs.sort_by(f64::total_cmp);
        map.insert(format!("check_contact_p95_ms_for_{kind}"), json!(round3(percentile(&runs, 0.95))));
    }
    map.insert("same_answers_as_full_scan".into(), json!(true));
    map.extend(timings(&full_scan, "baseline_full_scan"));
    for (kind, mut runs) in scan_by_expected {
        runs.sort_by(f64::total_cmp);
        map.insert(format!("baseline_full_scan_p95_ms_for_{kind}"), json!(round3(percentile(&runs, 0.95))));
    }
    map.extend(timings(&normalize_only, "baseline_normalize_only"));
    map.extend(timings(&scan, "baseline_exact_scan"));
    map.insert("verdicts_by_expected".into(), json!(confusion));
    map.insert("peak_rss_mb".into(), json!(peak_rss_mb()));
    Ok(report)
}

// ------------------------------------------------------------------ warnings

/// A generated warning near a town of the route: a whole country, one or two circles, or
/// a polygon (sometimes with a hole); validity around `now`, a few withdrawn.
fn synthetic_warning(rng: &mut Rng, i: usize, now: DateTime<Utc>) -> Value {
    let town = rng.pick(TOWNS);
    let centre = (town.1 + (rng.unit() - 0.5), town.2 + (rng.unit() - 0.5));
    let mut area = json!({});
    match rng.below(20) {
        0..=5 => area["countries"] = json!([town.3]),
        6..=13 => {
            let circles: Vec<Value> = (0..1 + rng.below(2))
                .map(|_| json!({"lat": centre.0 + (rng.unit() - 0.5) * 0.2, "lon": centre.1 + (rng.unit() - 0.5) * 0.2, "radius_km": 1.0 + rng.unit() * 79.0}))
                .collect();
            area["circles"] = json!(circles);
            if rng.below(10) < 3 {
                area["countries"] = json!([town.3]);
            }
        }
        _ => {
            // A star-shaped ring around the centre: vertices by angle, so it never crosses itself.
            let radius = 0.02 + rng.unit() * 0.4;
            let n = 5 + rng.below(8);
            let mut ring: Vec<[f64; 2]> = (0..n)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    let r = radius * (0.5 + rng.unit() * 0.5);
                    [centre.1 + r * a.cos(), centre.0 + r * a.sin()]
                })
                .collect();
            ring.push(ring[0]);
            let mut rings = vec![ring];
            if rng.below(5) == 0 {
                let h = radius * 0.2;
                let (x, y) = (centre.1, centre.0);
                rings.push(vec![[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]]);
            }
            area["geometry"] = json!({"type": "Polygon", "coordinates": rings});
        }
    }
    let from = now - Duration::days(rng.below(240) as i64) + Duration::days(if rng.below(10) == 0 { 30 } else { 0 });
    let mut w = json!({
        "id": format!("bench:w{i}"),
        "kind": rng.pick(WarningKind::ALL).as_str(),
        "severity": rng.pick(Severity::ALL).as_str(),
        "area": area,
        "valid_from": rfc3339(from),
        "headline": {"es": format!("Aviso sintético {i} cerca de {}", town.0), "en": format!("Synthetic warning {i} near {}", town.0)},
        "advice": {"es": "No pagues por adelantado.", "en": "Do not pay in advance."},
        "issuer": {"name": "Faro bench"},
        "demo": true,
    });
    if rng.below(10) < 7 {
        w["valid_until"] = json!(rfc3339(from + Duration::days(7 + rng.below(360) as i64)));
    }
    if rng.below(20) == 0 {
        w["withdrawn"] = json!(true);
    }
    w
}

fn warnings_bench(path: &Path, n_warnings: usize, queries: usize, seed: u64) -> BoxResult<Value> {
    let now = bench_now();
    let mut rng = Rng(seed ^ 0x3A_4E);
    let file = path.join("warnings.jsonl");
    {
        let mut out = BufWriter::new(std::fs::File::create(&file)?);
        writeln!(out, "{}", json!({"faro": "warnings", "version": 1, "dataset": "bench/warnings", "demo": true}))?;
        for i in 0..n_warnings {
            serde_json::to_writer(&mut out, &synthetic_warning(&mut rng, i, now))?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    let store = Store::open(path.join("warnings.db"))?;
    let started = Instant::now();
    let (header, records) =
        read_records::<_, Warning>(BufReader::new(std::fs::File::open(&file)?), "warnings.jsonl", "warnings")?;
    let summary = store.write_warnings(
        &DatasetInfo { name: header.dataset, source: None, demo: true },
        "warnings.jsonl",
        records,
    )?;
    let import_s = started.elapsed().as_secs_f64();
    store.checkpoint()?;

    // Points: most near a town of the route, some anywhere between Tijuana and Santiago.
    let points: Vec<(Point, Option<CountryCode>)> = (0..queries)
        .map(|_| {
            if rng.below(5) == 0 {
                (Point { lat: -35.0 + rng.unit() * 68.0, lon: -118.0 + rng.unit() * 73.0 }, None)
            } else {
                let t = rng.pick(TOWNS);
                (
                    Point { lat: t.1 + (rng.unit() - 0.5) * 0.6, lon: t.2 + (rng.unit() - 0.5) * 0.6 },
                    CountryCode::parse(t.3),
                )
            }
        })
        .collect();
    let here = |p: Point| WarningQuery { near: Some(p), limit: 1000, ..WarningQuery::at(now) };

    // Same answers first: the indexed query and the full scan must agree at every point.
    let mut hits_total = 0usize;
    let scanned =
        store.read(|conn| points.iter().map(|(p, _)| scan_here(conn, now, *p)).collect::<Result<Vec<_>, _>>())?;
    for ((p, _), mut slow) in points.iter().zip(scanned) {
        let mut fast: Vec<String> = store.warnings(&here(*p))?.into_iter().map(|h| h.id).collect();
        fast.sort();
        slow.sort();
        if fast != slow || fast.len() >= 1000 {
            return Err(format!(
                "at {},{} the indexed query found {} warnings and the scan {}",
                p.lat,
                p.lon,
                fast.len(),
                slow.len()
            )
            .into());
        }
        hits_total += fast.len();
    }

    let indexed = time_runs(queries, |i| {
        std::hint::black_box(store.warnings(&here(points[i].0)).expect("warnings here"));
    });
    let with_country = time_runs(queries, |i| {
        let (p, country) = points[i];
        let q =
            WarningQuery { near: Some(p), country, limit: 100, langs: LangPrefs::default(), ..WarningQuery::at(now) };
        std::hint::black_box(store.warnings(&q).expect("warnings here or in the country"));
    });
    // What the limit saves: with room for every candidate, each one's record is parsed.
    let with_country_all = time_runs(queries, |i| {
        let (p, country) = points[i];
        let q =
            WarningQuery { near: Some(p), country, limit: 1000, langs: LangPrefs::default(), ..WarningQuery::at(now) };
        std::hint::black_box(store.warnings(&q).expect("warnings here or in the country"));
    });
    let scan = store.read(|conn| {
        Ok(time_runs(queries, |i| {
            std::hint::black_box(scan_here(conn, now, points[i].0).expect("scan"));
        }))
    })?;

    let mut report = serde_json::Map::new();
    report.insert("warnings".into(), json!(summary.inserted));
    report.insert("import_seconds".into(), json!(round3(import_s)));
    report.insert("queries".into(), json!(queries));
    report.insert("mean_warnings_here".into(), json!(round3(hits_total as f64 / queries.max(1) as f64)));
    report.insert("same_ids_as_scan".into(), json!(true));
    report.extend(timings(&indexed, "warnings_here"));
    report.extend(timings(&with_country, "warnings_here_or_country"));
    report.extend(timings(&with_country_all, "warnings_here_or_country_limit_1000"));
    report.extend(timings(&scan, "baseline_scan_here"));
    report.insert("peak_rss_mb".into(), json!(peak_rss_mb()));
    Ok(Value::Object(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_of_every_plan_reads_back() {
        let mut rng = Rng(7);
        for (country, _, _) in PLANS {
            for _ in 0..20 {
                let e164 = random_phone(&mut rng, country).unwrap();
                let text = written_phone(&mut rng, &e164).unwrap();
                let read = normalize(&text, CountryCode::parse(country));
                assert_eq!(read.normalized.as_deref(), Some(e164.as_str()), "{country}: {text:?}");
            }
        }
    }

    #[test]
    fn lookalike_generators_change_the_name() {
        let mut rng = Rng(1);
        for name in ["casa-refugio-sur", "luz-norte-red", "sur-luz-sur"] {
            assert_ne!(small_edit(&mut rng, name), name);
        }
        assert_eq!(cyrillic_letter("luz-norte"), "luz-n\u{043E}rte");
    }

    #[test]
    fn small_runs_give_the_verdicts_and_ids_they_were_made_for() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("c")).unwrap();
        std::fs::create_dir(dir.path().join("w")).unwrap();
        // Errors on any wrong official, warning or invalid verdict.
        let report = contact_bench(&dir.path().join("c"), 500, 200, 3).unwrap();
        assert_eq!(report["verdicts_by_expected"]["official"]["official"], 67);
        // Errors when the indexed query and the scan disagree at any point.
        let report = warnings_bench(&dir.path().join("w"), 300, 50, 3).unwrap();
        assert_eq!(report["same_ids_as_scan"], true);
        assert!(report["mean_warnings_here"].as_f64().unwrap() > 0.0, "{report}");
    }
}
