//! `faro-bench sync`: what a sync costs a phone. Publishes a synthetic 100k-record directory
//! (the same generator as `faro-bench search`) and a second version with 1 % of the records
//! changed, serves the repository with a real nginx on loopback (as the tests do), and
//! measures:
//!
//! - the application bytes and requests of a sync with no changes (nginx's access log:
//!   `$request_length` + `$bytes_sent` of each request);
//! - the delta's size against the full snapshot's;
//! - the apply rate of the full snapshot, next to plain inserts of the same records' JSON into
//!   a bare table in the same run, and the peak memory of a process that only does that sync;
//! - the bytes wasted when a download cut in the middle is resumed (fault server on loopback).
//!
//! `cargo run --release --bin faro-bench -- sync --json`

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use faro_core::compress::Decoder;
use faro_core::net::Cancel;
use faro_core::publish::{publish, KeySet, PublishOptions};
use faro_core::sync::entry::{from_custom, snapshot_path, DatasetEntry};
use faro_core::sync::{self, SyncOptions};
use faro_core::tuf::metadata::Envelope;
use faro_core::tuf::writer::consistent_target_name;
use faro_core::tuf::{Snapshot, Targets, Timestamp};
use faro_core::Store;
use faro_tests::support::fault_server::{Fault, FaultServer};
use faro_tests::support::nginx::Nginx;
use faro_tests::support::sync_repo::{serve_repo, Phone};

use super::{cpu_seconds, peak_rss_mb, round3, settle, synthetic_listing, thread_cpu_seconds, Rng};

const DATASET: &str = "directory/bench";

/// Options of `faro-bench sync`.
#[derive(Args)]
pub struct SyncArgs {
    /// Records in the synthetic dataset.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Percent of the records changed in the second version.
    #[arg(long, default_value_t = 1.0)]
    changed_percent: f64,
    /// Seed of the generator (same seed, same directory).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print JSON only.
    #[arg(long)]
    json: bool,
    /// Measured applies of the full snapshot, each in a fresh process and followed by a
    /// baseline run: the figures are medians, the ratio the median of the runs' ratios
    /// (each apply beside its own baseline, which holds on a noisy machine).
    #[arg(long, default_value_t = 3)]
    apply_runs: usize,
    /// Measure only the apply and its baseline (no delta, no-change sync or resume).
    #[arg(long)]
    apply_only: bool,
    /// Keep the published first version here and reuse it on the next run with the same
    /// --records and --seed (publishing 100k records takes minutes; the apply does not change
    /// what is published).
    #[arg(long)]
    repo_cache: Option<PathBuf>,
    /// Internal: sync this database in this process only, and print its peak memory.
    #[arg(long, hide = true, requires = "child_url")]
    child_db: Option<PathBuf>,
    /// Internal: the repository URL for `--child-db`.
    #[arg(long, hide = true)]
    child_url: Option<String>,
}

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Runs the benchmark (or, with `--child-db`, the measured child sync).
pub fn run(args: SyncArgs) -> BoxResult<()> {
    if let (Some(db), Some(url)) = (&args.child_db, &args.child_url) {
        return child_sync(db, url);
    }
    let work = tempfile::tempdir()?;
    let repo = work.path().join("repo");
    let keys = KeySet::generate()?;
    let every = (100.0 / args.changed_percent.clamp(0.001, 100.0)).round().max(1.0) as usize;
    let changed = (0..args.records).filter(|i| i % every == every / 2).count();

    let (publish_v1_s, cached) = publish_v1(&args, &keys, work.path(), &repo)?;
    let (v1, v1_file) = signed(&repo)?;

    let Some(nginx) = Nginx::serve(&repo) else {
        return Err("nginx is needed to measure sync traffic: apt-get install -y nginx-light".into());
    };
    let root = std::fs::read(repo.join("metadata/1.root.json"))?;

    // The full snapshot, each time in a process that does nothing else (for its peak
    // memory), then the baseline on the same records.
    let mut runs = Vec::new();
    for run in 0..args.apply_runs.max(1) {
        let phone_db = work.path().join(format!("phone-{run}.db"));
        settle();
        let measured = measured_apply(&phone_db, &root, &nginx.url(""))?;
        let apply_s = measured["apply_seconds"].as_f64().ok_or("apply_seconds")?;
        settle();
        let (baseline_rate, baseline_cpu) =
            baseline_inserts(&v1_file, &work.path().join(format!("baseline-{run}.db")))?;
        runs.push(ApplyRun { apply_rate: v1.records as f64 / apply_s, baseline_rate, measured, baseline_cpu });
    }
    let median = |f: &dyn Fn(&ApplyRun) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let apply_rate = median(&|r| r.apply_rate);
    let baseline_rate = median(&|r| r.baseline_rate);
    let ratio = median(&|r| r.apply_rate / r.baseline_rate);
    let peak_rss_mb = median(&|r| r.figure("peak_rss_mb"));
    let apply_s = v1.records as f64 / apply_rate;
    let each: Vec<_> = runs
        .iter()
        .map(|r| {
            json!({
                "apply_records_per_s": r.apply_rate.round(),
                "baseline_insert_records_per_s": r.baseline_rate.round(),
                "ratio": round3(r.apply_rate / r.baseline_rate),
                "apply_cpu_seconds": round3(r.figure("apply_cpu_seconds")),
                "writer_cpu_seconds": round3(r.figure("writer_cpu_seconds")),
                "baseline_cpu_seconds": round3(r.baseline_cpu),
                "wal_mb": r.measured["wal_mb"],
            })
        })
        .collect();
    let writer_cpu_ratio = median(&|r| r.baseline_cpu / r.figure("writer_cpu_seconds"));
    let phone_db = work.path().join("phone-0.db");
    let mut figures = json!({
        "records": v1.records,
        "publish_v1_seconds": if cached { serde_json::Value::Null } else { json!(round3(publish_v1_s)) },
        "apply_runs": each,
        "apply_seconds": round3(apply_s),
        "apply_records_per_s": apply_rate.round(),
        "baseline_insert_records_per_s": baseline_rate.round(),
        "apply_vs_baseline_ratio": round3(ratio),
        "writer_cpu_vs_baseline_cpu_ratio": round3(writer_cpu_ratio),
        "peak_rss_mb": peak_rss_mb,
    });
    if args.apply_only {
        return print_report(&args, &figures, v1.records, 0);
    }

    // The second version: 1 % of the records changed; the phone takes the delta.
    let started = Instant::now();
    let v2_input = write_synthetic(work.path(), "v2", args.records, args.seed, Some(every))?;
    publish(&keys, &repo, &[v2_input], &PublishOptions::default())?;
    let publish_v2_s = started.elapsed().as_secs_f64();
    let (v2, v2_file) = signed(&repo)?;
    let snapshot_bytes = std::fs::metadata(v2_file)?.len();
    let phone = Phone { store: Store::open(&phone_db)?, options: SyncOptions::default() };
    let report = sync::sync_from_url(&phone.store, &nginx.url(""), &phone.options, &Cancel::new(), &mut |_| {})?;
    let delta = &report.datasets[0];
    if delta.route != sync::SyncRoute::Delta || delta.version != v2.version {
        return Err(format!("expected a delta to version {}, got {delta:?}", v2.version).into());
    }
    let delta_bytes = delta.bytes_downloaded;

    // No change: what crosses the wire, from nginx's own log.
    let before = nginx.requests().len();
    let report = sync::sync_from_url(&phone.store, &nginx.url(""), &phone.options, &Cancel::new(), &mut |_| {})?;
    if report.datasets[0].route != sync::SyncRoute::Unchanged {
        return Err("the no-change sync changed something".into());
    }
    let nochange: Vec<_> = nginx.requests().into_iter().skip(before).collect();
    let up: u64 = nochange.iter().map(|r| r.request_bytes).sum();
    let down: u64 = nochange.iter().map(|r| r.sent_bytes).sum();

    // A cut in the middle of the full snapshot, then a later sync.
    let server = FaultServer::start();
    serve_repo(&server, &repo);
    let cut_at = snapshot_bytes / 2;
    let name = snapshot_path(DATASET);
    let file_part = format!(".{}", name.rsplit('/').next().unwrap_or(&name));
    server.script_path(&file_part, [Fault::CutAfter(cut_at), Fault::Status(503, None), Fault::Status(503, None)]);
    let phone_b = Phone::new(&work.path().join("phone-b.db"), &root);
    if phone_b.sync(&server.url(""), &[DATASET]).is_ok() {
        return Err("the cut did not interrupt the download".into());
    }
    let resumed = phone_b.sync(&server.url(""), &[])?;
    let resumed = &resumed.datasets[0];

    let more = json!({
        "changed_records": changed,
        "publish_v2_seconds": round3(publish_v2_s),
        "snapshot_bytes": snapshot_bytes,
        "delta_bytes": delta_bytes,
        "delta_bytes_ratio": round5(delta_bytes as f64 / snapshot_bytes as f64),
        "nochange_requests": nochange.len(),
        "nochange_request_bytes": up + down,
        "nochange_bytes_up": up,
        "nochange_bytes_down": down,
        "nochange_statuses": nochange.iter().map(|r| format!("{} {}", r.status, r.path)).collect::<Vec<_>>(),
        "resume_cut_at_bytes": cut_at,
        "resume_bytes_downloaded": resumed.bytes_downloaded,
        "resume_wasted_bytes": resumed.wasted_bytes,
    });
    if let (Some(figures), Some(more)) = (figures.as_object_mut(), more.as_object()) {
        figures.extend(more.clone());
    }
    print_report(&args, &figures, v1.records, changed)
}

/// One measured apply beside its baseline.
struct ApplyRun {
    /// Records per second of the apply.
    apply_rate: f64,
    /// Records per second of the bare inserts right after it.
    baseline_rate: f64,
    /// What the measuring child printed.
    measured: serde_json::Value,
    /// CPU seconds of the bare inserts.
    baseline_cpu: f64,
}

impl ApplyRun {
    /// A number the child printed.
    fn figure(&self, key: &str) -> f64 {
        self.measured[key].as_f64().unwrap_or(f64::NAN)
    }
}

fn print_report(args: &SyncArgs, report: &serde_json::Value, records: u64, changed: usize) -> BoxResult<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        println!("faro-bench sync: {records} synthetic listings, {changed} changed");
        if let Some(map) = report.as_object() {
            for (k, v) in map {
                println!("  {k:<32} {v}");
            }
        }
    }
    Ok(())
}

/// Publishes the first version into `repo`, or with `--repo-cache` copies the one published
/// there earlier for the same records and seed. Returns the seconds publishing took and
/// whether the cache served it.
fn publish_v1(args: &SyncArgs, keys: &KeySet, work: &Path, repo: &Path) -> BoxResult<(f64, bool)> {
    let stamp = format!("records={} seed={}\n", args.records, args.seed);
    if let Some(cache) = &args.repo_cache {
        if args.apply_only && std::fs::read_to_string(cache.join("stamp")).ok().as_deref() == Some(stamp.as_str()) {
            copy_dir(&cache.join("repo"), repo)?;
            return Ok((0.0, true));
        }
    }
    let started = Instant::now();
    let v1_input = write_synthetic(work, "v1", args.records, args.seed, None)?;
    publish(keys, repo, &[v1_input], &PublishOptions::default())?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(cache) = &args.repo_cache {
        let _ = std::fs::remove_dir_all(cache);
        copy_dir(repo, &cache.join("repo"))?;
        std::fs::write(cache.join("stamp"), stamp)?;
    }
    Ok((seconds, false))
}

fn copy_dir(from: &Path, to: &Path) -> BoxResult<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Subscribes a new phone database to the dataset and syncs it in a child process that
/// does nothing else; returns the child's figures.
fn measured_apply(phone_db: &Path, root: &[u8], url: &str) -> BoxResult<serde_json::Value> {
    {
        let store = Store::open(phone_db)?;
        sync::install_trusted_root(&store, root)?;
        sync::subscribe(&store, &[DATASET.to_string()])?;
    }
    let child = Command::new(std::env::current_exe()?)
        .arg("sync")
        .arg("--child-db")
        .arg(phone_db)
        .arg("--child-url")
        .arg(url)
        .output()?;
    if !child.status.success() {
        return Err(format!("the measured sync failed: {}", String::from_utf8_lossy(&child.stderr)).into());
    }
    Ok(serde_json::from_slice(&child.stdout)?)
}

fn round5(x: f64) -> f64 {
    (x * 100_000.0).round() / 100_000.0
}

/// Writes the synthetic directory as a listings input; with `change_every`, every such
/// record (offset by half) has a changed name and description, as a weekly update would.
fn write_synthetic(dir: &Path, tag: &str, n: usize, seed: u64, change_every: Option<usize>) -> BoxResult<PathBuf> {
    let path = dir.join(format!("synthetic-{tag}.jsonl"));
    let mut out = BufWriter::new(std::fs::File::create(&path)?);
    writeln!(out, "{}", json!({"faro": "listings", "version": 1, "dataset": DATASET, "demo": true}))?;
    let mut rng = Rng(seed);
    for i in 0..n {
        let mut listing = synthetic_listing(&mut rng, i);
        if change_every.is_some_and(|every| i % every == every / 2) {
            let name = listing["name"]["es"].as_str().unwrap_or_default().to_string();
            listing["name"]["es"] = json!(format!("{name} (nueva sede)"));
            listing["description"]["es"] = json!("Cambió de dirección; atención con cita previa.");
        }
        serde_json::to_writer(&mut out, &listing)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(path)
}

/// The signed entry of the dataset in the repository's newest targets metadata, and the
/// file of its full snapshot.
fn signed(repo: &Path) -> BoxResult<(DatasetEntry, PathBuf)> {
    let read = |name: &str| -> BoxResult<Envelope> {
        Ok(Envelope::parse(name, &std::fs::read(repo.join("metadata").join(name))?)?)
    };
    let timestamp = Timestamp::from_envelope(&read("timestamp.json")?)?;
    let snapshot = Snapshot::from_envelope(&read(&format!("{}.snapshot.json", timestamp.snapshot.version))?)?;
    let version = snapshot.meta.get("targets.json").ok_or("no targets.json")?.version;
    let targets = Targets::from_envelope("targets", &read(&format!("{version}.targets.json"))?)?;
    let path = snapshot_path(DATASET);
    let file = targets.targets.get(&path).ok_or("dataset not listed")?;
    let entry = from_custom(file.custom.as_ref()).ok_or("no Faro entry")?;
    let sha = file.hashes.get("sha256").ok_or("no sha256")?;
    Ok((entry, repo.join("targets").join(consistent_target_name(&path, sha))))
}

/// Inserts each record of the compressed snapshot `file` (id and JSON text, read into memory
/// first) into a bare table of a new database, in one transaction, with the store's journal
/// and cache settings. Returns records per second and the CPU seconds of the inserts.
fn baseline_inserts(file: &Path, db: &Path) -> BoxResult<(f64, f64)> {
    let decoder = Decoder::new(BufReader::new(std::fs::File::open(file)?), u64::MAX)?;
    let mut records: Vec<(String, String)> = Vec::new();
    for line in BufReader::new(decoder).lines().skip(1) {
        let line = line?;
        #[derive(serde::Deserialize)]
        struct Id {
            id: String,
        }
        let id: Id = serde_json::from_str(&line)?;
        records.push((id.id, line));
    }
    let count = records.len() as f64;
    let started = Instant::now();
    let cpu = thread_cpu_seconds();
    crate::bare_inserts(db, records.into_iter().map(Ok))?;
    Ok((count / started.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu))
}

/// The measured child: syncs `db` from `url` and prints its peak memory and how long the
/// apply took (from the end of the download to the end of the sync: hash checks, decoding,
/// every record, the state hash and the commit).
fn child_sync(db: &Path, url: &str) -> BoxResult<()> {
    let store = Store::open(db)?;
    let started = Instant::now();
    let mut downloaded_at = None;
    let (mut cpu_at, mut thread_cpu_at) = (0.0, 0.0);
    let report = sync::sync_from_url(&store, url, &SyncOptions::default(), &Cancel::new(), &mut |p| {
        if p.phase == sync::SyncPhase::Download && p.bytes_done == p.bytes_total {
            downloaded_at = Some(started.elapsed());
            (cpu_at, thread_cpu_at) = (cpu_seconds(), thread_cpu_seconds());
        }
    })?;
    let total = started.elapsed();
    // The writer is this thread; the reading thread's time is the rest of the process's.
    let (cpu, writer_cpu) = (cpu_seconds() - cpu_at, thread_cpu_seconds() - thread_cpu_at);
    let d = report.datasets.first().ok_or("nothing synced")?;
    let apply = total - downloaded_at.ok_or("no download")?;
    println!(
        "{}",
        json!({
            "records_written": d.records_written,
            "route": d.route,
            "sync_seconds": total.as_secs_f64(),
            "apply_seconds": apply.as_secs_f64(),
            "apply_cpu_seconds": cpu,
            "writer_cpu_seconds": writer_cpu,
            "wal_mb": std::fs::metadata(db.with_extension("db-wal")).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0),
            "peak_rss_mb": peak_rss_mb(),
        })
    );
    Ok(())
}
