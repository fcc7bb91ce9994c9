//! `faro-bench`: generates a deterministic synthetic directory, imports it through the same
//! path as `faro import`, and times the queries the apps make, next to a plain `LIKE` scan
//! answering the same text queries in the same run (ratios hold on a noisy machine;
//! absolute times do not). Prints JSON; `docs/benchmarks.md` records the figures.
//!
//! `cargo run --release --bin faro-bench -- search --listings 100000 --json`

#![forbid(unsafe_code)]
// A command-line tool: it prints its figures.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench_import;
mod bench_osm;
mod bench_sync;
mod bench_xlsx;

use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use serde_json::json;

use faro_core::geo::Point;
use faro_core::import::listings::read_listings;
use faro_core::model::plausible::place;
use faro_core::model::{Kind, ServiceCode};
use faro_core::search::{Query, When};
use faro_core::{LangPrefs, LangTag, Store};

mod bench_rights;

#[derive(Parser)]
#[command(name = "faro-bench", about = "Benchmarks of Faro's offline store and queries")]
struct Cli {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Import a synthetic directory and time search, nearest and open-now queries.
    Search {
        /// Number of synthetic listings.
        #[arg(long, default_value_t = 100_000)]
        listings: usize,
        /// Timed repetitions of each query kind.
        #[arg(long, default_value_t = 400)]
        queries: usize,
        /// Seed of the generator (same seed, same directory).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Print JSON only.
        #[arg(long)]
        json: bool,
        /// Also print, on stderr, the median time of each text query.
        #[arg(long)]
        per_query: bool,
        /// Keep the generated database here (default: a temporary directory).
        #[arg(long)]
        keep_db: Option<std::path::PathBuf>,
    },
    #[command(flatten)]
    Rights(bench_rights::RightsBench),
    /// Publish a synthetic directory, serve it with nginx, and measure sync traffic, delta
    /// size, apply rate, peak memory and resume.
    Sync(bench_sync::SyncArgs),
    /// Import a foreign format (HSDS, XLSX, OpenStreetMap) next to the native JSON Lines
    /// import of the same listings.
    Import(bench_import::ImportArgs),
    /// The OpenStreetMap import alone, in a fresh process whose peak memory is its own
    /// (run by `import --format osm-pbf`).
    #[command(hide = true)]
    OsmImportChild(bench_osm::ChildArgs),
}

/// splitmix64: a tiny deterministic generator, enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Towns along the route: (name, lat, lon, country, zone).
const TOWNS: &[(&str, f64, f64, &str, &str)] = &[
    ("Tapachula", 14.9056, -92.2636, "MX", "America/Mexico_City"),
    ("Ciudad Hidalgo", 14.6797, -92.1503, "MX", "America/Mexico_City"),
    ("Mexico City", 19.4326, -99.1332, "MX", "America/Mexico_City"),
    ("Monterrey", 25.6866, -100.3161, "MX", "America/Monterrey"),
    ("Ciudad Juárez", 31.6904, -106.4245, "MX", "America/Ciudad_Juarez"),
    ("Tijuana", 32.5149, -117.0382, "MX", "America/Tijuana"),
    ("Reynosa", 26.0508, -98.2979, "MX", "America/Matamoros"),
    ("Guatemala City", 14.6349, -90.5069, "GT", "America/Guatemala"),
    ("Tecún Umán", 14.6773, -92.1377, "GT", "America/Guatemala"),
    ("San Pedro Sula", 15.5042, -88.0250, "HN", "America/Tegucigalpa"),
    ("Tegucigalpa", 14.0723, -87.1921, "HN", "America/Tegucigalpa"),
    ("San Salvador", 13.6929, -89.2182, "SV", "America/El_Salvador"),
    ("San José", 9.9281, -84.0907, "CR", "America/Costa_Rica"),
    ("Metetí", 8.4990, -77.9760, "PA", "America/Panama"),
    ("Necoclí", 8.4260, -76.7840, "CO", "America/Bogota"),
    ("Bogotá", 4.7110, -74.0721, "CO", "America/Bogota"),
    ("Quito", -0.1807, -78.4678, "EC", "America/Guayaquil"),
    ("Lima", -12.0464, -77.0428, "PE", "America/Lima"),
    ("Santiago", -33.4489, -70.6693, "CL", "America/Santiago"),
    ("São Paulo", -23.5505, -46.6333, "BR", "America/Sao_Paulo"),
];

const HOURS: &[&str] = &[
    "Mo-Fr 09:00-17:00",
    "Mo-Fr 08:00-14:00; Sa 09:00-13:00",
    "24/7",
    "Mo-Sa 07:00-19:00; PH off",
    "Tu,Th 10:00-14:00",
    "Mo-Fr 09:00-18:00; We 09:00-13:00",
    "Fr-Sa 20:00-02:00",
    "Mo[1] 10:00-13:00",
    "Mo-Fr 08:00-16:00 \"con cita previa\"",
    "Mo-Su 06:00-22:00",
];

const WORDS_ES: &[&str] = &[
    "Asesoría",
    "Jurídica",
    "Clínica",
    "Comunitaria",
    "Albergue",
    "Casa",
    "Refugio",
    "Migrante",
    "Esperanza",
    "Salud",
    "Derechos",
    "Humanos",
    "Centro",
    "Atención",
    "Integral",
    "Frontera",
    "Camino",
    "Niñez",
    "Mujeres",
    "Familias",
    "Santa",
    "María",
    "Solidaridad",
    "Puerta",
    "Paz",
];
const WORDS_FR: &[&str] =
    &["Aide", "juridique", "Santé", "Clinique", "Refuge", "Maison", "Droits", "Espoir", "Accueil"];
const WORDS_HT: &[&str] = &["Asistans", "legal", "Klinik", "Sante", "Abri", "Lakay", "Dwa", "Espwa", "Akèy"];

/// Text queries as people type them: prefixes, no accents, several languages.
const TEXT_QUERIES: &[&str] = &[
    "jur",
    "juridica",
    "asesoria jur",
    "clinica",
    "sante",
    "albergue",
    "refugio mig",
    "derechos hum",
    "aide jur",
    "klinik",
    "casa del",
    "atencion",
    "ninez",
    "espwa",
    "mujeres",
    "frontera",
    "asilo",
    "vacunas",
];

fn synthetic_listing(rng: &mut Rng, i: usize) -> serde_json::Value {
    let town = rng.pick(TOWNS);
    let kind = *rng.pick(&[Kind::LegalAid, Kind::Health, Kind::Shelter, Kind::Health, Kind::LegalAid, Kind::Consulate]);
    // Gaussian-ish spread of about 8 km around the town centre.
    let spread = |rng: &mut Rng| (rng.unit() + rng.unit() + rng.unit() - 1.5) * 0.15;
    // Drawn again until plausible, as real data must be (the import checks it): in the
    // town's country (Tecún Umán's spread reaches Mexico) and in its time zone.
    let country = faro_core::CountryCode::parse(town.3).expect("TOWNS holds ISO codes");
    let (mut lat, mut lon) = (town.1, town.2);
    for _ in 0..100 {
        let (a, b) = ((town.1 + spread(rng)).clamp(-89.9, 89.9), town.2 + spread(rng));
        if place::check_country(a, b, country).is_ok() && place::check_zone(a, b, town.4).is_ok() {
            (lat, lon) = (a, b);
            break;
        }
    }
    let mut name = Vec::new();
    for _ in 0..3 {
        name.push(*rng.pick(WORDS_ES));
    }
    let es = format!("{} {}", name.join(" "), i);
    let fr = format!("{} {} {}", rng.pick(WORDS_FR), rng.pick(WORDS_FR), i);
    let ht = format!("{} {} {}", rng.pick(WORDS_HT), rng.pick(WORDS_HT), i);
    let services: Vec<&str> = (0..1 + rng.below(3)).map(|_| rng.pick(ServiceCode::ALL).as_str()).collect();
    let langs: Vec<&str> = ["es", "en", "fr", "ht", "pt"].into_iter().filter(|_| rng.below(2) == 0).collect();
    let mut v = json!({
        "id": format!("bench:{i}"),
        "kind": kind,
        "services": services,
        "name": {"es": es, "en": format!("Listing {i} {}", town.0), "fr": fr, "ht": ht},
        "description": {"es": format!("Servicio de {} en {} para personas migrantes y refugiadas.", name[0], town.0)},
        "location": {"lat": lat, "lon": lon},
        "address": {"locality": town.0, "country": town.3},
        "languages": langs,
        "cost": *rng.pick(&["free", "free", "low_cost", "paid"]),
        "serves": [*rng.pick(&["everyone", "women", "children", "families", "lgbtq"])],
        "eligibility": {"papers_required": rng.below(4) == 0},
        "status": *rng.pick(&["active", "active", "active", "active", "temporarily_closed"]),
    });
    if kind == Kind::Consulate {
        v["consulate"] = json!({"represents": *rng.pick(&["HN", "GT", "SV", "VE", "HT", "CU", "NI", "EC"])});
    }
    if rng.below(10) < 8 {
        v["opening_hours"] = json!(rng.pick(HOURS));
        v["timezone"] = json!(town.4);
    }
    v
}

/// Baseline for the import, in the same run: the same file parsed into listings and stored
/// as bare JSON rows, on one thread, with no validation and no search index. Returns the
/// seconds it took.
fn bare_import(file: &std::path::Path, db: &std::path::Path) -> Result<f64, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let (_, records) = read_listings(BufReader::new(std::fs::File::open(file)?), "synthetic.jsonl")?;
    bare_inserts(
        db,
        records.map(|r| r.map(|(_, l)| (l.id.clone(), faro_core::model::to_json(&l))).map_err(Into::into)),
    )?;
    Ok(started.elapsed().as_secs_f64())
}

/// Stores `(id, record)` rows in a new database `db`, in a table with nothing but those two
/// columns and the id's index, in one transaction: the floor the import and sync
/// benchmarks compare with.
pub(crate) fn bare_inserts(
    db: &std::path::Path,
    rows: impl Iterator<Item = Result<(String, String), Box<dyn std::error::Error>>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "cache_size", -16 * 1024)?;
    conn.execute("CREATE TABLE bare(id TEXT PRIMARY KEY, record TEXT NOT NULL)", [])?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare("INSERT INTO bare(id, record) VALUES (?1, ?2)")?;
        for row in rows {
            let (id, record) = row?;
            insert.execute([id, record])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Writes every file's pending pages to disk before a measured part (an apply, an import, a
/// baseline), so that the kernel's write-back of what came before (a 100k-record apply
/// leaves about 200 MB of dirty pages: its log and its database; the import's generated
/// input is 60 MB) does not throttle it. Without it the sync benchmark's third baseline was
/// regularly half as fast as the others (100k against 200k records/s), which made that
/// run's ratio meaningless. Best effort: where `sync` is missing nothing is done.
pub(crate) fn settle() {
    let _ = std::process::Command::new("sync").status();
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    if sorted_ms.is_empty() {
        return 0.0;
    }
    let idx = ((sorted_ms.len() as f64 - 1.0) * p).round() as usize;
    sorted_ms[idx]
}

/// Times `f` `n` times; returns sorted milliseconds.
fn time_runs(n: usize, mut f: impl FnMut(usize)) -> Vec<f64> {
    let mut out: Vec<f64> = (0..n)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

/// Peak resident memory of this process so far (VmHWM), in MB; 0 where unavailable.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| (kb / 1024.0 * 10.0).round() / 10.0)
        .unwrap_or(0.0)
}

/// CPU time this process has run so far (user and system, every thread, finished ones
/// included), in seconds, from `/proc/self/stat` (10 ms ticks); 0 where unavailable. On a
/// shared machine it varies less than wall time, which counts the time other processes
/// hold the cores.
fn cpu_seconds() -> f64 {
    cpu_seconds_of("/proc/self/stat")
}

/// CPU time the calling thread has run so far, in seconds (as [`cpu_seconds`]).
fn thread_cpu_seconds() -> f64 {
    cpu_seconds_of("/proc/thread-self/stat")
}

fn cpu_seconds_of(stat: &str) -> f64 {
    const TICKS_PER_S: f64 = 100.0;
    std::fs::read_to_string(stat)
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces) start at `state`:
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after it.
            let rest = &s[s.rfind(')')? + 1..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            Some(fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?)
        })
        .map(|ticks| ticks / TICKS_PER_S)
        .unwrap_or(0.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (listings, queries, seed, json_only, keep_db, per_query) = match Cli::parse().command {
        BenchCommand::Search { listings, queries, seed, json, keep_db, per_query } => {
            (listings, queries, seed, json, keep_db, per_query)
        }
        BenchCommand::Rights(bench) => return bench_rights::run(bench),
        BenchCommand::Sync(args) => return bench_sync::run(args),
        BenchCommand::Import(args) => return bench_import::run(args),
        BenchCommand::OsmImportChild(args) => return bench_osm::child(args),
    };
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("synthetic.jsonl");
    let db = keep_db.unwrap_or_else(|| dir.path().join("bench.db"));
    if db.exists() {
        return Err(format!("{} exists; the benchmark starts from an empty database", db.display()).into());
    }

    // Generate: streamed to a file, as a publisher's export would be.
    let mut rng = Rng(seed);
    {
        let mut out = BufWriter::new(std::fs::File::create(&file)?);
        writeln!(out, "{}", json!({"faro": "listings", "version": 1, "dataset": "bench/synthetic", "demo": true}))?;
        for i in 0..listings {
            serde_json::to_writer(&mut out, &synthetic_listing(&mut rng, i))?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    let rss_before_import = peak_rss_mb();

    // Import through the same path as `faro import`, the generated file on disk first.
    settle();
    let store = Store::open(&db)?;
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let summary = store.import_listings_file(&file, Default::default())?.summary;
    let import_s = started.elapsed().as_secs_f64();
    let import_cpu_s = cpu_seconds() - cpu_started;
    // Folding the log back into the file is separate upkeep, timed on its own.
    let checkpoint_started = Instant::now();
    store.checkpoint()?;
    let checkpoint_s = checkpoint_started.elapsed().as_secs_f64();
    let imported = summary.inserted;
    let rss_after_import = peak_rss_mb();

    // Query points: near a town, jittered.
    let mut qrng = Rng(seed ^ 0xFA40);
    let points: Vec<Point> = (0..queries)
        .map(|_| {
            let t = qrng.pick(TOWNS);
            Point { lat: t.1 + (qrng.unit() - 0.5) * 0.2, lon: t.2 + (qrng.unit() - 0.5) * 0.2 }
        })
        .collect();
    // A weekday, mid-morning, local time everywhere: deterministic "open now".
    let at = NaiveDate::from_ymd_opt(2026, 11, 25).and_then(|d| d.and_hms_opt(10, 30, 0)).ok_or("date")?;
    let langs = LangPrefs::new(vec![LangTag::parse("es")?, LangTag::parse("en")?]);
    let base = Query { when: When::Local(at), langs, limit: 20, ..Query::default() };

    // Warm-up: page cache and statement caches, as in a running app.
    for q in TEXT_QUERIES {
        store.search(&Query { text: Some(q.to_string()), ..base.clone() })?;
    }

    if per_query {
        for text in TEXT_QUERIES {
            let runs = time_runs(25, |_| {
                store.search(&Query { text: Some(text.to_string()), ..base.clone() }).expect("search");
            });
            let near = time_runs(25, |i| {
                let q = Query {
                    text: Some(text.to_string()),
                    near: Some(points[i]),
                    radius_m: Some(25_000.0),
                    ..base.clone()
                };
                store.search(&q).expect("text near");
            });
            eprintln!(
                "{text:<14} search p50 {:>7.3} ms   within 25 km p50 {:>7.3} ms",
                percentile(&runs, 0.5),
                percentile(&near, 0.5)
            );
        }
    }
    let search = time_runs(queries, |i| {
        let q = Query { text: Some(TEXT_QUERIES[i % TEXT_QUERIES.len()].to_string()), ..base.clone() };
        store.search(&q).expect("search");
    });
    let nearest = time_runs(queries, |i| {
        let q = Query { near: Some(points[i]), kinds: vec![Kind::Health], ..base.clone() };
        store.search(&q).expect("nearest");
    });
    let open_now = time_runs(queries, |i| {
        let q = Query { near: Some(points[i]), kinds: vec![Kind::LegalAid], open_only: true, ..base.clone() };
        store.search(&q).expect("open now");
    });
    let text_near = time_runs(queries, |i| {
        let q = Query {
            text: Some(TEXT_QUERIES[i % TEXT_QUERIES.len()].to_string()),
            near: Some(points[i]),
            radius_m: Some(25_000.0),
            ..base.clone()
        };
        store.search(&q).expect("text near");
    });
    // Baseline: the same text queries as a plain LIKE scan over the stored records, no
    // index, no accent folding: what a naive implementation would do.
    let baseline = store.read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT l.rowid FROM listings l JOIN listing_records r ON r.listing = l.rowid \
             WHERE l.status != 'closed' AND r.record LIKE ?1 ORDER BY l.id LIMIT 20",
        )?;
        Ok(time_runs(queries, |i| {
            let word = TEXT_QUERIES[i % TEXT_QUERIES.len()].split(' ').next().unwrap_or("");
            let rows: Vec<i64> = stmt
                .query_map([format!("%{word}%")], |r| r.get(0))
                .expect("like")
                .collect::<Result<_, _>>()
                .expect("like rows");
            std::hint::black_box(rows);
        }))
    })?;

    let db_mb = std::fs::metadata(&db)?.len() as f64 / 1_048_576.0;
    // Before the baseline below, whose own database would count.
    let peak_rss = peak_rss_mb();
    drop(store);
    settle();
    let baseline_import_s = bare_import(&file, &dir.path().join("bare.db"))?;
    let report = json!({
        "listings": imported,
        "import_seconds": round3(import_s),
        "import_records_per_s": (imported as f64 / import_s).round(),
        "import_cpu_seconds": round3(import_cpu_s),
        "import_records_per_cpu_s": if import_cpu_s > 0.0 { (imported as f64 / import_cpu_s).round() } else { 0.0 },
        "checkpoint_seconds": round3(checkpoint_s),
        "import_and_checkpoint_records_per_s": (imported as f64 / (import_s + checkpoint_s)).round(),
        "baseline_import_records_per_s": (imported as f64 / baseline_import_s).round(),
        // The import's records per second over the bare inserts' in this same run.
        "import_vs_baseline_ratio": round3(baseline_import_s / import_s),
        "queries_per_kind": queries,
        "search_p50_ms": round3(percentile(&search, 0.5)),
        "search_p95_ms": round3(percentile(&search, 0.95)),
        "baseline_search_p50_ms": round3(percentile(&baseline, 0.5)),
        "baseline_search_p95_ms": round3(percentile(&baseline, 0.95)),
        "nearest_p50_ms": round3(percentile(&nearest, 0.5)),
        "nearest_p95_ms": round3(percentile(&nearest, 0.95)),
        "open_now_p50_ms": round3(percentile(&open_now, 0.5)),
        "open_now_p95_ms": round3(percentile(&open_now, 0.95)),
        "text_near_p95_ms": round3(percentile(&text_near, 0.95)),
        "peak_rss_mb": peak_rss,
        "peak_rss_before_import_mb": rss_before_import,
        "peak_rss_after_import_mb": rss_after_import,
        "database_mb": round3(db_mb),
    });
    if json_only {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("faro-bench search: {imported} synthetic listings");
        if let Some(map) = report.as_object() {
            for (k, v) in map {
                println!("  {k:<28} {v}");
            }
        }
    }
    Ok(())
}
