//! Trusted sync from the command line. Publisher side: `faro keygen`, `faro publish`,
//! `faro rotate-root`. Phone side (the same calls the apps make): `faro trust`, `faro sync`
//! (from a URL or a bundle file), `faro export`, `faro status`.

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use clap::Args;

use faro_core::import::convert::Converted;
use faro_core::import::sheet::SheetOptions;
use faro_core::import::{hsds, missions};
use faro_core::net::Cancel;
use faro_core::publish::{self, Expiries, KeySet, PublishOptions};
use faro_core::store::DatasetInfo;
use faro_core::sync::{self, SyncOptions};
use faro_core::{Error, Store};

use crate::output;

/// `faro keygen`.
#[derive(Args)]
pub struct KeygenArgs {
    /// Directory for the new key files (must not hold keys already).
    #[arg(long)]
    out: PathBuf,
    /// Print the key files and public key ids as JSON.
    #[arg(long)]
    json: bool,
}

/// `faro publish`.
#[derive(Args)]
pub struct PublishArgs {
    /// Key directory made by `faro keygen`.
    #[arg(long)]
    keys: PathBuf,
    /// Repository directory (created on first publish; serve it from any static host).
    #[arg(long)]
    repo: PathBuf,
    /// Publisher name shown on phones.
    #[arg(long, default_value = "Faro publisher")]
    publisher: String,
    /// Lifetime of a role in days, e.g. `--expires timestamp=1` (root, targets, warnings,
    /// snapshot, timestamp; repeatable).
    #[arg(long, value_parser = parse_expiry)]
    expires: Vec<(String, i64)>,
    /// Old versions each dataset keeps deltas from.
    #[arg(long, default_value_t = publish::repo::DEFAULT_KEEP_VERSIONS)]
    keep_versions: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Name a report receiver in the signed metadata: its public key file, made by
    /// `faro reports keygen` (needs --reports-url). Phones seal reports to this key only.
    #[arg(long, requires = "reports_url")]
    reports_key: Option<PathBuf>,
    /// The receiver's URL (https; http only to a loopback address): phones send reports
    /// there and nowhere else.
    #[arg(long, requires = "reports_key")]
    reports_url: Option<String>,
    /// Largest sealed report the receiver takes, in bytes.
    #[arg(long, default_value_t = faro_core::sync::receiver::DEFAULT_MAX_BYTES)]
    reports_max_bytes: u64,
    /// Format of the inputs; guessed per file when omitted, as `faro import` does.
    #[arg(long, value_enum)]
    format: Option<crate::Format>,
    /// The dataset a spreadsheet becomes (required for spreadsheets: the name phones subscribe
    /// to, e.g. `directory`), and with `--split country` the stem of its datasets.
    #[arg(long)]
    dataset: Option<String>,
    /// The sheet of a workbook to read (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// `country`: one dataset per address country, `<dataset>/<cc>` (`directory/mx`), each
    /// with the input's source and licence (spreadsheets and the missions CSV).
    #[arg(long, value_parser = ["country"])]
    split: Option<String>,
    /// Input files, as `faro import` reads them (listings, rights and warnings JSON Lines;
    /// spreadsheets; the Wikidata missions CSV becomes the dataset `wikidata/missions`; an HSDS
    /// data package directory becomes `hsds/<its name>`).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// `faro rotate-root`.
#[derive(Args)]
pub struct RotateRootArgs {
    /// The current key directory.
    #[arg(long)]
    keys: PathBuf,
    /// The new key directory (make it with `faro keygen`).
    #[arg(long)]
    new_keys: PathBuf,
    /// Repository directory.
    #[arg(long)]
    repo: PathBuf,
    /// Print the new root version as JSON.
    #[arg(long)]
    json: bool,
}

/// `faro trust`.
#[derive(Args)]
pub struct TrustArgs {
    /// Database file (created if missing).
    #[arg(long)]
    db: PathBuf,
    /// Print the trusted root version as JSON.
    #[arg(long)]
    json: bool,
    /// The repository's root metadata as the app ships it (`metadata/1.root.json`).
    root: PathBuf,
}

/// `faro sync`.
#[derive(Args)]
pub struct SyncArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Repository base URL (with `metadata/` and `targets/` under it).
    #[arg(long, required_unless_present = "bundle", conflicts_with = "bundle")]
    url: Option<String>,
    /// A bundle file from another phone or shipped with the app (verified offline).
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Subscribe to this dataset before syncing (repeatable), e.g. directory/mx.
    #[arg(long)]
    dataset: Vec<String>,
    /// Subscribe to the datasets for these countries (`mx,gt`), by the regions the
    /// repository signs (see `faro datasets`).
    #[arg(long, conflicts_with = "bundle")]
    country: Option<String>,
    /// Subscribe to the datasets within `--radius-km` of this point, LAT,LON.
    #[arg(long, requires = "radius_km", conflicts_with = "bundle", allow_hyphen_values = true)]
    near: Option<faro_core::geo::Point>,
    /// Radius for `--near`, in kilometres.
    #[arg(long, requires = "near")]
    radius_km: Option<f64>,
    /// Language of the messages (es, en, fr, ht, pt).
    #[arg(long, value_parser = crate::parse_langs)]
    lang: Option<faro_core::LangPrefs>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// `faro export`.
#[derive(Args)]
pub struct ExportArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Bundle file to write (with `--format hsds`: the package directory).
    #[arg(long)]
    out: PathBuf,
    /// What to write: a bundle for another phone (default), or an Open Referral HSDS 3.0
    /// data package of one `--dataset` (docs/hsds.md).
    #[arg(long, value_enum, default_value = "bundle")]
    format: ExportFormat,
    /// Only this dataset (repeatable); all held datasets by default.
    #[arg(long)]
    dataset: Vec<String>,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// What `faro export` writes.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A signed bundle file for another phone.
    Bundle,
    /// An HSDS 3.0 tabular data package (datapackage.json and CSV files).
    Hsds,
}

/// `faro unsubscribe`.
#[derive(Args)]
pub struct UnsubscribeArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Print the subscriptions left as JSON.
    #[arg(long)]
    json: bool,
    /// Datasets to stop syncing (their data stays readable until removed or replaced).
    #[arg(required = true)]
    datasets: Vec<String>,
}

/// `faro status`.
#[derive(Args)]
pub struct StatusArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_expiry(s: &str) -> Result<(String, i64), String> {
    let (role, days) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected ROLE=DAYS"))?;
    let days: i64 = days.parse().map_err(|_| format!("{s:?}: DAYS must be a whole number"))?;
    if !["root", "targets", "warnings", "snapshot", "timestamp"].contains(&role) || days < 1 {
        return Err(format!("{s:?}: ROLE is root, targets, warnings, snapshot or timestamp; DAYS at least 1"));
    }
    Ok((role.to_string(), days))
}

/// Days before the root's expiry from which `faro publish` reminds the publisher to renew it.
const ROOT_RENEW_DAYS: i64 = 60;

/// `faro keygen`.
pub fn keygen(args: KeygenArgs) -> Result<(), Error> {
    let keys = KeySet::generate()?;
    keys.save(&args.out)?;
    let ids = keys.all().map(|k| k.map(|k| k.key_id().to_string()).unwrap_or_default());
    if args.json {
        let files: Vec<_> = publish::keys::KEY_FILES
            .iter()
            .zip(&ids)
            .map(|((role, file), id)| serde_json::json!({"role": role, "file": args.out.join(file), "keyid": id}))
            .collect();
        output::print_json(&serde_json::json!({"dir": args.out, "keys": files}));
        return Ok(());
    }
    outln!("Keys written to {} (private).", args.out.display());
    for ((role, file), id) in publish::keys::KEY_FILES.iter().zip(&ids) {
        outln!("  {role:<10} {file:<20} {}", &id[..id.len().min(16)]);
    }
    outln!(
        "Publish once to create the repository, then move {} offline: later publishes need only the other keys.",
        publish::keys::KEY_FILES[0].1
    );
    Ok(())
}

/// `faro publish`.
pub fn publish(args: PublishArgs) -> Result<(), Error> {
    let keys = KeySet::load(&args.keys)?;
    let mut expiries = Expiries::default();
    for (role, days) in &args.expires {
        let d = Duration::days(*days);
        match role.as_str() {
            "root" => expiries.root = d,
            "targets" => expiries.targets = d,
            "warnings" => expiries.warnings = d,
            "snapshot" => expiries.snapshot = d,
            _ => expiries.timestamp = d,
        }
    }
    let scratch = tempfile::tempdir().map_err(|e| Error::Io { path: std::env::temp_dir(), source: e })?;
    let mut inputs = Vec::new();
    for (i, path) in args.inputs.iter().enumerate() {
        let converted = match crate::Format::of(args.format, path)? {
            crate::Format::MissionsCsv => Some(missions_converted(path)?),
            format => {
                let options = SheetOptions { sheet: args.sheet.clone(), dataset: args.dataset.clone() };
                // A spreadsheet has no dataset name of its own (an OpenStreetMap extract is
                // osm/<file name> unless --dataset renames it).
                let sheet = matches!(format, crate::Format::Xlsx | crate::Format::Ods | crate::Format::CsvSheet);
                if sheet && args.dataset.is_none() {
                    return Err(Error::BadQuery(format!(
                        "{}: name the dataset phones will subscribe to with --dataset (e.g. directory)",
                        path.display()
                    )));
                }
                format.convert(path, &options)?
            }
        };
        let Some(converted) = converted else {
            if args.dataset.is_some() {
                return Err(Error::BadQuery(format!(
                    "{}: --dataset names a spreadsheet's dataset; this file names its own in its header",
                    path.display()
                )));
            }
            if args.split.is_some() {
                return Err(Error::BadQuery(format!(
                    "{}: --split country splits spreadsheets and the missions CSV; a listings file names its dataset",
                    path.display()
                )));
            }
            inputs.push(path.clone());
            continue;
        };
        // Each record left out, with its place and reason: the publisher should know why.
        crate::warn_set_aside(&converted.set_aside);
        let parts = if args.split.is_some() { converted.split_by_country()? } else { vec![converted] };
        for (j, part) in parts.iter().enumerate() {
            let out = scratch.path().join(format!("{i}-{j}.jsonl"));
            part.write_listings_file(&out)?;
            inputs.push(out);
        }
    }
    let options = PublishOptions {
        now: Utc::now(),
        expiries,
        keep_versions: args.keep_versions,
        publisher: args.publisher.clone(),
        reports: crate::reports_cmd::receiver_entry(
            args.reports_key.as_deref(),
            args.reports_url.as_deref(),
            args.reports_max_bytes,
        )?,
    };
    let report = publish::publish(&keys, &args.repo, &inputs, &options)?;
    if args.json {
        output::print_json(&serde_json::json!({
            "created": report.created,
            "timestamp_version": report.timestamp_version,
            "root_expires": report.root_expires,
            "datasets": report.datasets.iter().map(|d| serde_json::json!({
                "dataset": d.dataset, "version": d.version, "records": d.records,
                "changed": d.changed, "deltas_from": d.deltas_from,
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    if report.created {
        outln!("Created the repository; ship {} with the app.", args.repo.join("metadata/1.root.json").display());
    }
    for d in &report.datasets {
        let what = if d.changed { "published" } else { "unchanged" };
        let deltas = if d.deltas_from.is_empty() {
            String::new()
        } else {
            format!(", deltas from v{}", d.deltas_from.iter().map(u64::to_string).collect::<Vec<_>>().join(", v"))
        };
        outln!("  {:<22} v{:<4} {:>7} records  {what}{deltas}", d.dataset, d.version, d.records);
    }
    outln!("Timestamp version {}.", report.timestamp_version);
    if report.root_expires - options.now < Duration::days(ROOT_RENEW_DAYS) {
        eprintln!(
            "faro: the root expires {}: phones stop accepting updates then; renew it with `faro rotate-root` \
             (needs the offline root key)",
            report.root_expires.format("%Y-%m-%d")
        );
    }
    Ok(())
}

/// Converts the Wikidata missions CSV into a listings file in `dir` ([`missions_converted`]).
pub fn missions_as_listings(csv: &Path, dir: &Path) -> Result<PathBuf, Error> {
    let out = dir.join("wikidata-missions.jsonl");
    missions_converted(csv)?.write_listings_file(&out)?;
    Ok(out)
}

/// Reads the Wikidata missions CSV as the dataset `wikidata/missions` (rows that cannot be
/// imported are reported and left out, as `faro import` does).
pub fn missions_converted(csv: &Path) -> Result<Converted, Error> {
    let name = csv.display().to_string();
    let file = std::fs::File::open(csv).map_err(|e| Error::Io { path: csv.into(), source: e })?;
    let read = missions::read_missions_csv(file, &name)?;
    if !read.rejected.is_empty() {
        eprintln!("{name}: {} rows left out (no coordinates, unknown country, duplicates)", read.rejected.len());
    }
    let source = read.listings.first().and_then(|l| l.source.clone());
    Ok(Converted {
        dataset: DatasetInfo { name: "wikidata/missions".into(), source, demo: false },
        listings: read.listings,
        set_aside: read.rejected,
    })
}

/// `faro rotate-root`.
pub fn rotate_root(args: RotateRootArgs) -> Result<(), Error> {
    let old = KeySet::load(&args.keys)?;
    let new = KeySet::load(&args.new_keys)?;
    let version = publish::rotate_root(&old, &new, &args.repo, &PublishOptions::default())?;
    if args.json {
        output::print_json(&serde_json::json!({"root_version": version}));
        return Ok(());
    }
    outln!(
        "Root version {version} written, signed by the old and the new root keys; phones follow it on their next sync."
    );
    Ok(())
}

/// `faro trust`.
pub fn trust(args: TrustArgs) -> Result<(), Error> {
    let bytes = std::fs::read(&args.root).map_err(|e| Error::Io { path: args.root.clone(), source: e })?;
    let store = Store::open(&args.db)?;
    let version = sync::install_trusted_root(&store, &bytes)?;
    if args.json {
        output::print_json(&serde_json::json!({"db": args.db, "root_version": version}));
        return Ok(());
    }
    outln!("{}: trusts root version {version} from {}", args.db.display(), args.root.display());
    Ok(())
}

/// `faro sync`.
pub fn sync(args: SyncArgs) -> Result<(), Error> {
    let store = crate::open_existing(&args.db, crate::NEEDS_TRUST)?;
    if let Some(bundle) = &args.bundle {
        if !args.dataset.is_empty() {
            sync::subscribe(&store, &args.dataset)?;
        }
        let outcomes = sync::import_bundle(&store, bundle, Utc::now())?;
        if args.json {
            output::print_json(&outcomes);
        } else {
            for o in &outcomes {
                let what = if o.applied {
                    format!("applied (was {})", o.previous_version.map_or("absent".into(), |v| format!("v{v}")))
                } else {
                    "not newer than the data here; kept".into()
                };
                outln!(
                    "  {:<22} v{:<4} by {} published {}  {what}",
                    o.dataset,
                    o.version,
                    o.publisher.as_deref().unwrap_or("?"),
                    o.published.format("%Y-%m-%d %H:%M UTC")
                );
                if let Some(since) = o.unconfirmed_since {
                    outln!("      not confirmed as current since {}", since.format("%Y-%m-%d %H:%M UTC"));
                }
            }
        }
        return Ok(());
    }
    let url = args.url.as_deref().unwrap_or_default();
    let mut subscribe = args.dataset.clone();
    match crate::datasets_cmd::region_choice(args.country.as_deref(), args.near, args.radius_km)? {
        Some(choice) => subscribe.extend(crate::datasets_cmd::choose_by_region(&store, url, &choice, args.json)?),
        // A fresh database: say how to list and choose, not only that nothing is chosen.
        None if subscribe.is_empty() && sync::subscriptions(&store)?.is_empty() => {
            return Err(crate::datasets_cmd::nothing_chosen(&args.db, url));
        }
        None => {}
    }
    let options = SyncOptions { subscribe, ..SyncOptions::default() };
    let report = sync::sync_from_url(&store, url, &options, &Cancel::new(), &mut |_| {})?;
    if args.json {
        output::print_json(&report);
        return Ok(());
    }
    print_sync_report(&report);
    Ok(())
}

/// Prints what a sync did, one line per dataset.
pub fn print_sync_report(report: &sync::SyncReport) {
    if report.root_rotations > 0 {
        outln!("  the repository's keys were rotated: now trusting root version {}", report.root_version);
    }
    for d in &report.datasets {
        let from = d.from_version.map_or("none".to_string(), |v| format!("v{v}"));
        let fell_back = if d.fell_back { " (delta failed: full snapshot used)" } else { "" };
        outln!(
            "  {:<22} {from} -> v{:<4} {:<9} {:>9} bytes  {} written, {} deleted{fell_back}",
            d.dataset,
            d.version,
            d.route.as_str(),
            d.bytes_downloaded,
            d.records_written,
            d.records_deleted
        );
    }
}

/// `faro export`.
pub fn export(args: ExportArgs) -> Result<(), Error> {
    if args.format == ExportFormat::Hsds {
        return export_hsds(&args);
    }
    let store = crate::open_existing(&args.db, crate::NEEDS_TRUST)?;
    let report = sync::export_bundle(&store, &args.out, &args.dataset)?;
    if report.datasets.is_empty() {
        return Err(Error::BadQuery("no dataset could be exported".into()));
    }
    if args.json {
        output::print_json(&serde_json::json!({
            "out": args.out, "bytes": report.bytes,
            "datasets": report.datasets.iter().map(|(d, v)| serde_json::json!({"dataset": d, "version": v})).collect::<Vec<_>>(),
            "skipped": report.skipped.iter().map(|(d, why)| serde_json::json!({"dataset": d, "why": why})).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    for (d, v) in &report.datasets {
        outln!("  {d:<22} v{v}");
    }
    for (d, why) in &report.skipped {
        eprintln!("  {d}: left out: {why}");
    }
    outln!("{} bytes written to {}", report.bytes, args.out.display());
    Ok(())
}

/// `faro export --format hsds`: one dataset as an HSDS data package.
fn export_hsds(args: &ExportArgs) -> Result<(), Error> {
    let [dataset] = args.dataset.as_slice() else {
        return Err(Error::BadQuery(crate::i18n::t("hsds_export_one_dataset").to_string()));
    };
    let store = crate::open_for_query(&args.db)?;
    let done = hsds::export::export_dataset(&store, dataset, &args.out)?;
    if args.json {
        output::print_json(&serde_json::json!({
            "out": args.out, "dataset": dataset, "listings": done.listings, "lang": done.lang,
            "texts_left_out": done.texts_left_out, "values_left_out": done.values_left_out,
        }));
        return Ok(());
    }
    let n = done.listings.to_string();
    outln!("{}", crate::i18n::f("hsds_exported", &[&n, dataset, &args.out.display().to_string(), &done.lang]));
    if done.texts_left_out + done.values_left_out > 0 {
        let counts = [done.texts_left_out.to_string(), done.values_left_out.to_string()];
        eprintln!("faro: {}", crate::i18n::f("hsds_left_out", &[&counts[0], &counts[1]]));
    }
    Ok(())
}

/// `faro unsubscribe`.
pub fn unsubscribe(args: UnsubscribeArgs) -> Result<(), Error> {
    let store = crate::open_existing(&args.db, crate::NEEDS_TRUST)?;
    let unknown = sync::unsubscribe(&store, &args.datasets)?;
    let left = sync::subscriptions(&store)?;
    if args.json {
        output::print_json(&serde_json::json!({"not_subscribed": unknown, "subscriptions": left}));
    } else {
        for d in &unknown {
            eprintln!("faro: {d} was not subscribed (nothing changed for it)");
        }
        outln!("Subscribed: {}", if left.is_empty() { "nothing".to_string() } else { left.join(", ") });
    }
    if unknown.len() == args.datasets.len() {
        return Err(Error::BadQuery("none of the datasets given was subscribed".into()));
    }
    Ok(())
}

/// `faro status`.
pub fn status(args: StatusArgs) -> Result<(), Error> {
    let store = crate::open_for_query(&args.db)?;
    let st = sync::status(&store, Utc::now())?;
    if args.json {
        output::print_json(&st);
        return Ok(());
    }
    print_status(&st);
    Ok(())
}

/// Prints the sync status for people.
pub fn print_status(st: &sync::SyncStatus) {
    use faro_core::sync::clock::ClockCheck;
    match st.root_version {
        Some(v) => outln!("Trusted root version {v}."),
        None => outln!("No trusted root installed (faro trust --db DB ROOT_JSON)."),
    }
    match st.time.clock {
        ClockCheck::Plausible => {}
        ClockCheck::Behind => outln!(
            "The device clock ({}) is behind the newest signed time; using {} instead.",
            st.time.device.format("%Y-%m-%d %H:%M"),
            st.time.now.format("%Y-%m-%d %H:%M UTC")
        ),
        ClockCheck::FarAhead => outln!(
            "The device clock ({}) is far ahead of every signed time: it is probably wrong, and everything will look out of date until it is fixed.",
            st.time.device.format("%Y-%m-%d %H:%M")
        ),
    }
    for d in &st.datasets {
        let when = d.published_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
        let state = match (d.stale, d.unconfirmed_since) {
            (true, Some(since)) => format!("NOT CONFIRMED as current since {}", since.format("%Y-%m-%d %H:%M UTC")),
            (true, None) => "not confirmed as current".into(),
            (false, _) => match d.verified_at {
                Some(t) => format!("current (verified {})", t.format("%Y-%m-%d %H:%M UTC")),
                None => "current".into(),
            },
        };
        outln!(
            "  {:<22} v{:<4} {:>7} {:<9} by {}, published {when}; {state}",
            d.dataset,
            d.version,
            d.records,
            d.content.as_str(),
            d.publisher.as_deref().unwrap_or("?")
        );
    }
    for p in &st.pending {
        outln!("  {p:<22} subscribed, not received yet");
    }
}
