//! `faro-bench import --format hsds`: the same synthetic directory as `faro-bench search`,
//! written as an HSDS 3.0 data package by Faro's own export, then read back and imported
//! through the path of `faro import --format hsds` (read the package, convert, write all or
//! nothing), timed next to the native JSON Lines import of the same listings in the same run.
//! `--format xlsx` (`bench_xlsx`) and `--format osm-pbf` (`bench_osm`) do the same for a
//! field team's workbook and an OpenStreetMap extract.

use std::io::{BufWriter, Write};
use std::time::Instant;

use clap::{Args, ValueEnum};
use faro_core::import::hsds;
use faro_core::model::Listing;
use faro_core::store::DatasetInfo;
use faro_core::Store;
use serde_json::json;

use crate::{peak_rss_mb, round3, synthetic_listing, Rng};

/// `faro-bench import`.
#[derive(Args)]
pub struct ImportArgs {
    /// The foreign format to time against the native import.
    #[arg(long, value_enum)]
    format: ImportFormat,
    /// Number of synthetic listings (hsds, xlsx).
    #[arg(long, default_value_t = 20_000)]
    listings: usize,
    /// Number of nodes of the generated extract (osm-pbf).
    #[arg(long, default_value_t = 1_000_000)]
    nodes: u64,
    /// The peak resident memory the extract's import must stay under, in MB (osm-pbf).
    #[arg(long, default_value_t = 128.0)]
    max_peak_mb: f64,
    /// Seed of the generator (same seed, same directory).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print JSON only.
    #[arg(long)]
    json: bool,
}

/// The formats `faro-bench import` times.
#[derive(Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    /// An Open Referral HSDS 3.0 tabular data package.
    Hsds,
    /// A field team's XLSX workbook (`docs/spreadsheet-template.md`).
    Xlsx,
    /// An OpenStreetMap `.osm.pbf` extract; needs `osmium` to make it.
    OsmPbf,
}

/// Runs the benchmark and prints its report.
pub fn run(args: ImportArgs) -> Result<(), Box<dyn std::error::Error>> {
    let report = match args.format {
        ImportFormat::Hsds => return run_hsds(args),
        ImportFormat::Xlsx => crate::bench_xlsx::run(args.listings, args.seed)?,
        ImportFormat::OsmPbf => crate::bench_osm::run(args.nodes, args.seed, args.max_peak_mb)?,
    };
    if !args.json {
        println!(
            "faro-bench import --format {}: {} listings",
            report["format"].as_str().unwrap_or(""),
            report["listings"]
        );
    }
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report["peak_within_limit"] == false {
        return Err(
            format!("the import's peak memory {} MB is over {} MB", report["peak_rss_mb"], args.max_peak_mb).into()
        );
    }
    Ok(())
}

/// `--format hsds`.
fn run_hsds(args: ImportArgs) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut rng = Rng(args.seed);
    let listings: Vec<Listing> =
        (0..args.listings).map(|i| serde_json::from_value(synthetic_listing(&mut rng, i))).collect::<Result<_, _>>()?;
    let jsonl = dir.path().join("synthetic.jsonl");
    {
        let mut out = BufWriter::new(std::fs::File::create(&jsonl)?);
        writeln!(out, "{}", json!({"faro": "listings", "version": 1, "dataset": "bench/synthetic", "demo": true}))?;
        for l in &listings {
            writeln!(out, "{}", faro_core::model::to_json(l))?;
        }
        out.flush()?;
    }
    let package = dir.path().join("package");
    let dataset = DatasetInfo { name: "hsds/bench".into(), source: None, demo: true };
    let exported = hsds::export::write_package(&dataset, &listings, &package)?;
    drop(listings);

    let started = Instant::now();
    let native = Store::open(dir.path().join("native.db"))?.import_listings_file(&jsonl, Default::default())?;
    let native_s = started.elapsed().as_secs_f64();

    let rss_before = peak_rss_mb();
    let started = Instant::now();
    let converted = hsds::read_package(&package, &hsds::ReadOptions::default())?;
    let read_s = started.elapsed().as_secs_f64();
    let store = Store::open(dir.path().join("hsds.db"))?;
    let summary = store.write_listings(&converted.dataset, "package", converted.records())?;
    let hsds_s = started.elapsed().as_secs_f64();
    let n = summary.inserted as f64;
    let report = json!({
        "format": "hsds",
        "listings": summary.inserted,
        "set_aside": converted.set_aside.len(),
        "texts_left_out_by_export": exported.texts_left_out,
        "hsds_import_seconds": round3(hsds_s),
        "hsds_import_records_per_s": (n / hsds_s).round(),
        "hsds_read_records_per_s": (n / read_s).round(),
        "native_jsonl_import_records_per_s": (native.summary.inserted as f64 / native_s).round(),
        "hsds_vs_native_ratio": round3(native_s / hsds_s),
        "peak_rss_before_hsds_mb": rss_before,
        "peak_rss_after_hsds_mb": peak_rss_mb(),
    });
    if !args.json {
        println!("faro-bench import --format hsds: {} synthetic listings", summary.inserted);
    }
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
