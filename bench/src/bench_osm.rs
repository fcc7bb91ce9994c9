//! `faro-bench import --format osm-pbf`: a generated OpenStreetMap extract (by default
//! 1,000,000 nodes at random points in southern Mexico, every 1,000th a clinic with hours,
//! and one five-node way for every ten nodes, every 100th a migrants' shelter placed by its
//! centroid), written as OSM XML and turned into `.osm.pbf` by `osmium`, as the figure of
//! ADR 0030 was made (`data/osm/README.md`). It is imported through the path of
//! `faro import --format osm-pbf` (`import::osm::read_osm_pbf`, then one all-or-nothing
//! write) in a fresh child process (this program again, hidden subcommand
//! `osm-import-child`), whose peak resident memory (VmHWM) is the import's alone; the
//! listings it took are then imported as native JSON Lines in the same run.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Args;
use faro_core::import::osm::read_osm_pbf;
use faro_core::Store;
use serde_json::{json, Value};

use crate::{peak_rss_mb, round3, Rng};

/// Nodes per way of the generated extract.
const WAY_NODES: u64 = 5;

/// Runs the benchmark on an extract of `nodes` nodes from `seed`; returns the report, whose
/// `peak_within_limit` says whether the import stayed under `limit_mb`.
pub fn run(nodes: u64, seed: u64, limit_mb: f64) -> Result<Value, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let xml = dir.path().join("big.osm");
    let pbf = dir.path().join("big.osm.pbf");
    let started = Instant::now();
    let (clinics, ways, shelters) = write_xml(&xml, nodes, seed)?;
    let made = Command::new("osmium").arg("sort").arg("-o").arg(&pbf).arg(&xml).output();
    let made = match made {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("faro-bench import --format osm-pbf needs osmium (apt-get install osmium-tool)".into())
        }
        other => other?,
    };
    if !made.status.success() {
        return Err(format!("osmium sort failed: {}", String::from_utf8_lossy(&made.stderr).trim()).into());
    }
    std::fs::remove_file(&xml)?;
    let generate_s = started.elapsed().as_secs_f64();
    let pbf_mb = std::fs::metadata(&pbf)?.len() as f64 / 1_048_576.0;

    let listings_file = dir.path().join("osm-listings.jsonl");
    let out = Command::new(std::env::current_exe()?)
        .arg("osm-import-child")
        .arg("--extract")
        .arg(&pbf)
        .arg("--db")
        .arg(dir.path().join("osm.db"))
        .arg("--listings-out")
        .arg(&listings_file)
        .output()?;
    if !out.status.success() {
        return Err(
            format!("the import's child process failed: {}", String::from_utf8_lossy(&out.stderr).trim()).into()
        );
    }
    let child: Value = serde_json::from_slice(&out.stdout)?;
    let import_s = child["import_seconds"].as_f64().ok_or("the child reported no import_seconds")?;
    let listings = child["listings"].as_u64().ok_or("the child reported no listings")?;
    let peak_mb = child["peak_rss_mb"].as_f64().ok_or("the child reported no peak_rss_mb")?;
    if listings != clinics + shelters {
        return Err(format!("the extract holds {} places, the import took {listings}", clinics + shelters).into());
    }

    let started = Instant::now();
    let native = Store::open(dir.path().join("native.db"))?.import_listings_file(&listings_file, Default::default())?;
    let native_s = started.elapsed().as_secs_f64();
    Ok(json!({
        "format": "osm-pbf",
        "nodes": nodes,
        "ways": ways,
        "listings": listings,
        "set_aside": child["set_aside"],
        "extract_mb": round3(pbf_mb),
        "generate_seconds": round3(generate_s),
        "osm_import_seconds": round3(import_s),
        "osm_read_seconds": child["read_seconds"],
        "osm_nodes_per_s": (nodes as f64 / import_s).round(),
        "osm_elements_per_s": ((nodes + ways) as f64 / import_s).round(),
        "osm_listings_per_s": (listings as f64 / import_s).round(),
        "native_jsonl_import_records_per_s": (native.summary.inserted as f64 / native_s).round(),
        "osm_vs_native_listings_ratio": round3(native_s / import_s),
        "peak_rss_mb": peak_mb,
        "peak_rss_at_start_mb": child["peak_rss_at_start_mb"],
        "peak_limit_mb": limit_mb,
        "peak_within_limit": peak_mb < limit_mb,
    }))
}

/// Writes the extract as OSM XML: nodes in groups of [`WAY_NODES`] a few metres apart (a
/// way's nodes), every 1,000th node a clinic with hours; a way over each group for one
/// node in ten, every 100th way a shelter. Returns (clinics, ways, shelters).
fn write_xml(path: &Path, nodes: u64, seed: u64) -> Result<(u64, u64, u64), Box<dyn std::error::Error>> {
    const HOURS: &[&str] = &["Mo-Fr 08:00-16:00", "Mo-Sa 07:00-19:00", "24/7", "Mo-Fr 09:00-14:00; Sa 09:00-12:00"];
    let mut rng = Rng(seed);
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "<?xml version='1.0' encoding='UTF-8'?>")?;
    writeln!(out, "<osm version=\"0.6\" generator=\"faro-bench (demo)\">")?;
    let (mut lat, mut lon) = (0.0, 0.0);
    let mut clinics = 0;
    for id in 1..=nodes {
        if (id - 1) % WAY_NODES == 0 {
            // Chiapas and Tabasco, inland: Mexico, one time zone.
            (lat, lon) = (16.0 + rng.unit() * 1.3, -93.5 + rng.unit() * 2.0);
        }
        let (a, b) = (lat + (rng.unit() - 0.5) * 0.0005, lon + (rng.unit() - 0.5) * 0.0005);
        if id % 1000 == 0 {
            clinics += 1;
            writeln!(out, "  <node id=\"{id}\" version=\"1\" lat=\"{a:.7}\" lon=\"{b:.7}\">")?;
            writeln!(out, "    <tag k=\"amenity\" v=\"clinic\"/>")?;
            writeln!(out, "    <tag k=\"healthcare\" v=\"clinic\"/>")?;
            writeln!(out, "    <tag k=\"name\" v=\"Clínica comunitaria {id} (demo)\"/>")?;
            writeln!(out, "    <tag k=\"opening_hours\" v=\"{}\"/>", rng.pick(HOURS))?;
            writeln!(out, "  </node>")?;
        } else {
            writeln!(out, "  <node id=\"{id}\" version=\"1\" lat=\"{a:.7}\" lon=\"{b:.7}\"/>")?;
        }
    }
    let ways = nodes / 10;
    let mut shelters = 0;
    for w in 1..=ways {
        writeln!(out, "  <way id=\"{w}\" version=\"1\">")?;
        for k in 0..WAY_NODES {
            // The group of nodes `(w - 1) * 2`: a way over every other group.
            writeln!(out, "    <nd ref=\"{}\"/>", (w - 1) * 2 * WAY_NODES + k + 1)?;
        }
        if w % 100 == 0 {
            shelters += 1;
            writeln!(out, "    <tag k=\"amenity\" v=\"social_facility\"/>")?;
            writeln!(out, "    <tag k=\"social_facility\" v=\"shelter\"/>")?;
            writeln!(out, "    <tag k=\"social_facility:for\" v=\"migrant\"/>")?;
            writeln!(out, "    <tag k=\"name\" v=\"Albergue {w} (demo)\"/>")?;
        }
        writeln!(out, "  </way>")?;
    }
    writeln!(out, "</osm>")?;
    out.flush()?;
    Ok((clinics, ways, shelters))
}

/// `faro-bench osm-import-child` (hidden): the import alone, in a fresh process.
#[derive(Args)]
pub struct ChildArgs {
    /// The `.osm.pbf` extract to import.
    #[arg(long)]
    extract: PathBuf,
    /// The database to import into (created).
    #[arg(long)]
    db: PathBuf,
    /// Where to write the listings taken, as JSON Lines, after the peak is read.
    #[arg(long)]
    listings_out: PathBuf,
}

/// Imports the extract as `faro import --format osm-pbf` does and prints, as JSON, the
/// listings taken, the seconds, and the process's peak resident memory at the end.
pub fn child(args: ChildArgs) -> Result<(), Box<dyn std::error::Error>> {
    let at_start = peak_rss_mb();
    let name = args.extract.display().to_string();
    let started = Instant::now();
    let converted = read_osm_pbf(&args.extract, &name)?.converted;
    let read_s = started.elapsed().as_secs_f64();
    let store = Store::open(&args.db)?;
    let summary = store.write_listings(&converted.dataset, &name, converted.records())?;
    drop(store);
    let import_s = started.elapsed().as_secs_f64();
    let peak = peak_rss_mb();
    converted.write_listings_file(&args.listings_out)?;
    println!(
        "{}",
        json!({
            "listings": summary.inserted,
            "set_aside": converted.set_aside.len(),
            "read_seconds": round3(read_s),
            "import_seconds": round3(import_s),
            "peak_rss_mb": peak,
            "peak_rss_at_start_mb": at_start,
        })
    );
    Ok(())
}
