//! Phone-to-phone bundles: one file (a plain tar) with the repository metadata that
//! verifies the chosen datasets, and each dataset's records as a snapshot file.
//!
//! ```text
//! faro-bundle.json                  what is inside (informative; nothing trusts it)
//! metadata/1.root.json ... N.root.json, timestamp.json, V.snapshot.json, V.targets.json,
//! metadata/V.warnings.json          the signed metadata, exactly as the publisher signed it
//! data/<dataset>.jsonl.zst          the records this phone holds, re-packed
//! ```
//!
//! Import runs the same TUF verifier offline, starting from the root this device trusts.
//! A data file is not the publisher's byte-identical target (the sender may have built its
//! copy from deltas), so it is verified by the signed **state hash** over its records instead
//! of the file hash: the records must hash to exactly what the signed entry says, or the
//! transaction is rolled back. Expired metadata (bundles travel for weeks) is accepted but
//! the data is marked "not confirmed since <date>"; only strictly newer versions apply.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::apply::{apply_compressed_in, local_version, SyncRoute};
use super::client::{SyncPhase, SyncProgress};
use super::content::{Content, ContentKind, Listings, Rights, Warnings};
use super::entry::{from_custom, snapshot_path, DatasetEntry, WARNINGS_ROLE};
use super::files::SnapshotHeader;
use super::status;
use super::trust::{load_role, put_role, remove_role, DbTrustStore};
use super::SyncError;
use crate::compress;
use crate::error::{printable, Error, Result};
use crate::net::Cancel;
use crate::store::Store;
use crate::tuf::metadata::{Envelope, Root};
use crate::tuf::{DirFetcher, DirTrustStore, ExpiryPolicy, Limits, TrustStore, Updater};

/// Largest metadata file accepted from a bundle.
const MAX_METADATA_BYTES: u64 = 5_000_000;
/// Largest data file accepted from a bundle.
const MAX_DATA_BYTES: u64 = 1 << 30;
/// Most entries in a bundle.
const MAX_ENTRIES: usize = 10_000;

/// `faro-bundle.json`: a table of contents for people and tools.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleManifest {
    /// Always `"bundle"`.
    pub faro: String,
    /// Format version (1).
    pub version: u32,
    /// When the bundle was made (sender's clock; not trusted).
    pub created: DateTime<Utc>,
    /// Datasets inside, with their versions.
    pub datasets: BTreeMap<String, u64>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// Datasets written, with versions.
    pub datasets: BTreeMap<String, u64>,
    /// Datasets asked for but left out, with the reason.
    pub skipped: BTreeMap<String, String>,
    /// Size of the bundle file.
    pub bytes: u64,
}

/// What an import did with one dataset of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleOutcome {
    /// Dataset name.
    pub dataset: String,
    /// Who publishes it.
    pub publisher: Option<String>,
    /// Version in the bundle.
    pub version: u64,
    /// When that version was published (signed).
    pub published: DateTime<Utc>,
    /// Version held before.
    pub previous_version: Option<u64>,
    /// True when it was applied (strictly newer than what was held).
    pub applied: bool,
    /// Records now held, when applied.
    pub records: u64,
    /// Set when the bundle's metadata had expired: the data is not confirmed since then.
    pub unconfirmed_since: Option<DateTime<Utc>>,
}

/// Writes a bundle of `datasets` (all held datasets when empty) to `out`.
pub fn export_bundle(store: &Store, out: &Path, datasets: &[String]) -> Result<ExportReport> {
    let trust = DbTrustStore::new(store);
    let roots = trust.roots()?;
    if roots.is_empty() {
        return Err(Error::Tuf(crate::tuf::TufError::State("no trusted metadata here: sync first".into())));
    }
    let load = |role: &str| -> Result<Option<Vec<u8>>> { Ok(trust.load(role)?) };
    let (Some(timestamp), Some(snapshot), Some(targets)) = (load("timestamp")?, load("snapshot")?, load("targets")?)
    else {
        return Err(Error::Tuf(crate::tuf::TufError::State("no verified repository metadata here: sync first".into())));
    };
    let warnings = load(WARNINGS_ROLE)?;
    let version_of = |role: &str, bytes: &[u8]| -> Result<u64> {
        let env = Envelope::parse(role, bytes)?;
        Ok(env.signed.get("version").and_then(|v| v.as_u64()).unwrap_or(0))
    };
    let targets_entries = |role: &str, bytes: &Option<Vec<u8>>| -> Result<BTreeMap<String, DatasetEntry>> {
        let Some(bytes) = bytes else { return Ok(BTreeMap::new()) };
        let env = Envelope::parse(role, bytes)?;
        let mut out = BTreeMap::new();
        if let Some(map) = env.signed.get("targets").and_then(|t| t.as_object()) {
            for (path, file) in map {
                if let Some(e) = from_custom::<DatasetEntry>(file.get("custom")) {
                    if snapshot_path(&e.dataset) == *path {
                        out.insert(e.dataset.clone(), e);
                    }
                }
            }
        }
        Ok(out)
    };
    let mut entries = targets_entries("targets", &Some(targets.clone()))?;
    entries.extend(targets_entries(WARNINGS_ROLE, &warnings)?);

    let held: Vec<String> = store.read(|c| {
        let mut stmt = c.prepare("SELECT name FROM sync_datasets ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let wanted: Vec<String> = if datasets.is_empty() { held } else { datasets.to_vec() };

    let file = std::fs::File::create(out).map_err(|e| Error::Io { path: out.into(), source: e })?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let mut report = ExportReport { datasets: BTreeMap::new(), skipped: BTreeMap::new(), bytes: 0 };
    let mut data_files = Vec::new();
    for dataset in &wanted {
        let local = store.read(|c| local_version(c, dataset))?;
        let Some(entry) = entries.get(dataset) else {
            report.skipped.insert(dataset.clone(), "not in the verified metadata held here".into());
            continue;
        };
        if local != Some(entry.version) {
            report.skipped.insert(
                dataset.clone(),
                format!("holds version {local:?}, the verified metadata is for version {}; sync first", entry.version),
            );
            continue;
        }
        let kind = ContentKind::parse(&entry.content)
            .ok_or_else(|| SyncError::UnknownContent { dataset: dataset.clone(), content: entry.content.clone() })?;
        let bytes = store.read(|c| snapshot_from_store(c, kind, entry))?;
        data_files.push((format!("data/{dataset}.jsonl.zst"), compress::compress_to_vec(&bytes)));
        report.datasets.insert(dataset.clone(), entry.version);
    }
    let manifest =
        BundleManifest { faro: "bundle".into(), version: 1, created: Utc::now(), datasets: report.datasets.clone() };
    let io = |e| Error::Io { path: out.into(), source: e };
    append(&mut tar, "faro-bundle.json", &serde_json::to_vec_pretty(&manifest).unwrap_or_default()).map_err(io)?;
    for (version, bytes) in &roots {
        append(&mut tar, &format!("metadata/{version}.root.json"), bytes).map_err(io)?;
    }
    append(&mut tar, "metadata/timestamp.json", &timestamp).map_err(io)?;
    append(&mut tar, &format!("metadata/{}.snapshot.json", version_of("snapshot", &snapshot)?), &snapshot)
        .map_err(io)?;
    append(&mut tar, &format!("metadata/{}.targets.json", version_of("targets", &targets)?), &targets).map_err(io)?;
    if let Some(w) = &warnings {
        append(&mut tar, &format!("metadata/{}.{WARNINGS_ROLE}.json", version_of(WARNINGS_ROLE, w)?), w).map_err(io)?;
    }
    for (name, bytes) in &data_files {
        append(&mut tar, name, bytes).map_err(io)?;
    }
    let mut inner = tar.into_inner().map_err(io)?;
    inner.flush().map_err(io)?;
    report.bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(report)
}

fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes)
}

/// The snapshot file of `entry`'s dataset rebuilt from the store: the header from the signed
/// entry, then every record in id order.
fn snapshot_from_store(conn: &rusqlite::Connection, kind: ContentKind, entry: &DatasetEntry) -> Result<Vec<u8>> {
    let header = SnapshotHeader {
        faro: entry.content.clone(),
        version: 1,
        dataset: entry.dataset.clone(),
        demo: entry.demo,
        source: entry.source.clone(),
        note: None,
    };
    let sql = match kind {
        ContentKind::Listings => Listings::RECORDS_SQL,
        ContentKind::Rights => Rights::RECORDS_SQL,
        ContentKind::Warnings => Warnings::RECORDS_SQL,
    };
    let mut out = serde_json::to_vec(&header).unwrap_or_default();
    out.push(b'\n');
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([&entry.dataset])?;
    while let Some(row) = rows.next()? {
        out.extend_from_slice(row.get_ref(1)?.as_bytes().map_err(rusqlite::Error::from)?);
        out.push(b'\n');
    }
    Ok(out)
}

/// Verifies the bundle at `path` offline and applies every dataset in it that is strictly
/// newer than what this device holds. `device_now` is the device clock.
pub fn import_bundle(store: &Store, path: &Path, device_now: DateTime<Utc>) -> Result<Vec<BundleOutcome>> {
    import_bundle_watched(store, path, device_now, &Cancel::new(), &mut |_| {})
}

/// [`import_bundle`] for apps: reports where it is to `progress` (phase `metadata` while the
/// signed metadata is verified, then `apply` per dataset) and stops with
/// [`Error::Cancelled`] when `cancel` is cancelled, between datasets or every few hundred
/// records.
///
/// The whole bundle is ONE transaction: every dataset it applies and the metadata it teaches
/// commit together, or nothing does (a failure or a cancel leaves the store as it was). Only
/// one sync or import runs at a time per database ([`SyncError::AlreadyRunning`]).
pub fn import_bundle_watched(
    store: &Store,
    path: &Path,
    device_now: DateTime<Utc>,
    cancel: &Cancel,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<Vec<BundleOutcome>> {
    let _lock = super::lock::lock(store)?;
    let report = |progress: &mut dyn FnMut(&SyncProgress), dataset: Option<&str>, phase, done, total| {
        progress(&SyncProgress {
            dataset: dataset.map(str::to_string),
            phase,
            bytes_done: 0,
            bytes_total: 0,
            records_done: done,
            records_total: total,
        })
    };
    report(progress, None, SyncPhase::Metadata, 0, 0);
    let scratch = tempfile::Builder::new()
        .prefix(".faro-bundle-")
        .tempdir_in(store.path().parent().unwrap_or(Path::new(".")))
        .map_err(|e| Error::Io { path: path.into(), source: e })?;
    // First pass: the metadata only (small, capped); data entries are checked and skipped.
    let listed = unpack(path, scratch.path(), None)?;

    // Verify from the root this device trusts, in a scratch trust store: the bundle's
    // metadata may be older than what is trusted here and must not replace it.
    let local_root = DbTrustStore::new(store).load("root")?.ok_or_else(|| {
        Error::Tuf(crate::tuf::TufError::State(
            "no trusted root is installed; install the root the app ships first".into(),
        ))
    })?;
    let mut scratch_trust = DirTrustStore::open(scratch.path().join("trust"))?;
    scratch_trust.store("root", &local_root)?;
    let fetcher = DirFetcher::new(scratch.path().join("metadata"), scratch.path().join("targets"));
    let mut updater = Updater::load(&scratch_trust, ExpiryPolicy::ReportExpired, Limits::default())?;
    let time = store.trusted_time(device_now)?;
    let refreshed = updater.refresh(&fetcher, &mut scratch_trust, time.now)?;

    // Every dataset is checked against the signed metadata before anything is written.
    let mut planned = Vec::new();
    let mut caps = BTreeMap::new();
    for dataset in listed.keys() {
        let info = updater
            .target_info(&fetcher, &mut scratch_trust, &snapshot_path(dataset))?
            .ok_or_else(|| SyncError::UnknownDataset { dataset: dataset.clone() })?;
        let entry: DatasetEntry = from_custom(info.file.custom.as_ref())
            .filter(|e: &DatasetEntry| e.dataset == *dataset)
            .ok_or_else(|| SyncError::BadEntry { target: info.path.clone() })?;
        let kind = ContentKind::parse(&entry.content)
            .ok_or_else(|| SyncError::UnknownContent { dataset: dataset.clone(), content: entry.content.clone() })?;
        store.read(|c| super::check_dataset_trust(c, dataset, kind, &info))?;
        caps.insert(dataset.clone(), data_cap(info.file.length));
        planned.push((dataset.clone(), entry, kind));
    }
    // The report receiver the bundle's signed targets name, if any. A bundle may be older
    // than what this phone verified, so it sets a receiver but never clears one.
    let receiver = super::receiver::signed_receiver(&mut updater, &fetcher, &mut scratch_trust)?;
    // Second pass: the data files, each capped by what its signed entry declares.
    let files = unpack(path, scratch.path(), Some(&caps))?;
    // Expired roles (the timestamp first of all) date the data.
    let since = refreshed.expired.iter().chain(updater.expired()).map(|r| r.expired_at).min();
    let since_text = since.map(|s| s.to_rfc3339_opts(SecondsFormat::Secs, true));

    // A first-run bundle is the directory's whole snapshot: its log is folded into the
    // file after the commit, on another thread.
    store.write_then_checkpoint(|conn| {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // The data below is trusted through the bundle's targets: its warnings delegation
        // must be the pinned one unless the bundle's root chain rotated the root.
        let targets = scratch_trust.load("targets")?.ok_or_else(|| {
            Error::Tuf(crate::tuf::TufError::State("the bundle's targets metadata was not verified".into()))
        })?;
        super::pin::check_warnings_pin(&tx, &targets, refreshed.root_version)?;
        let mut outcomes = Vec::new();
        for (dataset, entry, kind) in &planned {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let previous = local_version(&tx, dataset)?;
            let mut outcome = BundleOutcome {
                dataset: dataset.clone(),
                publisher: entry.publisher.clone(),
                version: entry.version,
                published: entry.published,
                previous_version: previous,
                applied: false,
                records: 0,
                unconfirmed_since: since,
            };
            if previous.is_none_or(|v| v < entry.version) {
                // Both passes read the same file; if it changed in between, refuse.
                let file = files.get(dataset).ok_or_else(|| Error::BundleNotVerified {
                    file: path.display().to_string(),
                    reason: format!("data/{dataset}.jsonl.zst vanished between the two reads"),
                })?;
                let name = format!("bundle:data/{dataset}.jsonl.zst");
                apply_compressed_in(&tx, *kind, entry, file, &name, since_text.as_deref(), &mut |n| {
                    report(progress, Some(dataset), SyncPhase::Apply, n, entry.records);
                    !cancel.is_cancelled()
                })?;
                tx.execute(
                    "UPDATE sync_datasets SET route = ?2 WHERE name = ?1",
                    rusqlite::params![dataset, SyncRoute::Bundle],
                )?;
                status::set_bundle_confirmation(&tx, dataset, time.now, refreshed.timestamp_expires)?;
                outcome.applied = true;
                outcome.records = entry.records;
            }
            // What a bundle brought is kept current by the next sync from a URL.
            status::subscribe_in(&tx, dataset)?;
            outcomes.push(outcome);
        }
        // After the walk above, delegated roles (warnings) are verified and stored too.
        keep_newer_metadata(&tx, &scratch_trust, scratch.path())?;
        if let Some(receiver) = &receiver {
            super::receiver::save(&tx, Some(receiver))?;
        }
        tx.commit()?;
        Ok(outcomes)
    })
}

/// Largest data file accepted for a dataset whose signed snapshot target is `signed_len`
/// bytes: the sender re-packs the same records, maybe with a faster zstd level (a phone's
/// encoder compresses JSON about 3x worse than the publisher's level 19), so allow 8x and a
/// small floor, never more than [`MAX_DATA_BYTES`].
fn data_cap(signed_len: u64) -> u64 {
    signed_len.saturating_mul(8).saturating_add(1 << 20).min(MAX_DATA_BYTES)
}

/// Keeps what the bundle taught that is newer than what is trusted here, inside the import's
/// transaction `tx`: new root versions (key rotations) always, and the other roles when the
/// bundle's timestamp is newer, so this phone can pass the data on in its turn.
fn keep_newer_metadata(tx: &rusqlite::Transaction<'_>, verified: &DirTrustStore, dir: &Path) -> Result<()> {
    let version = |bytes: &[u8], role: &str| -> u64 {
        Envelope::parse(role, bytes).ok().and_then(|e| e.signed.get("version").and_then(|v| v.as_u64())).unwrap_or(0)
    };
    let local_root = load_role(tx, "root")?.map(|b| version(&b, "root")).unwrap_or(0);
    let new_root = verified.load("root")?.map(|b| version(&b, "root")).unwrap_or(0);
    for v in local_root + 1..=new_root {
        let p = dir.join("metadata").join(format!("{v}.root.json"));
        let bytes = std::fs::read(&p).map_err(|e| Error::Io { path: p.clone(), source: e })?;
        // Verified by the chain walk; parse again only to be sure it is a root.
        Root::from_envelope(&Envelope::parse("root", &bytes)?)?;
        put_role(tx, "root", &bytes)?;
    }
    let local_ts = load_role(tx, "timestamp")?.map(|b| version(&b, "timestamp")).unwrap_or(0);
    let new_ts = verified.load("timestamp")?.map(|b| version(&b, "timestamp")).unwrap_or(0);
    if new_ts > local_ts {
        for role in ["timestamp", "snapshot", "targets", WARNINGS_ROLE] {
            match verified.load(role)? {
                Some(bytes) => put_role(tx, role, &bytes)?,
                None => remove_role(tx, role)?,
            }
        }
    }
    Ok(())
}

/// Most metadata entries in a bundle (root versions and the four other roles).
const MAX_METADATA_ENTRIES: usize = 1_000;
/// Most metadata bytes in a bundle, all entries together.
const MAX_METADATA_TOTAL: u64 = 64 << 20;

/// One pass over the bundle. Every entry must be a plain regular file (no links, devices,
/// folders, GNU sparse files or pax extended headers) with a name of the layout above.
/// Without `data_caps`, writes the metadata files into `dir/metadata` and returns the data
/// entries by dataset, unwritten. With `data_caps` (dataset -> largest file allowed, from
/// the signed metadata), writes the data files into `dir/data` and returns their paths; a
/// data file of a dataset not in `data_caps` is refused. Streams to disk with the caps, so
/// nothing is buffered and no entry costs more than its cap.
fn unpack(path: &Path, dir: &Path, data_caps: Option<&BTreeMap<String, u64>>) -> Result<BTreeMap<String, PathBuf>> {
    let name = path.display().to_string();
    let bad = |reason: String| Error::BundleNotVerified { file: name.clone(), reason };
    // Names and tar errors come from the file: escape and shorten what is printed.
    let shown = |text: &str| printable(text, 120);
    let file = std::fs::File::open(path).map_err(|e| Error::Io { path: path.into(), source: e })?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let entries = archive.entries().map_err(|e| bad(format!("not a Faro bundle (tar): {}", shown(&e.to_string()))))?;
    let mut data = BTreeMap::new();
    let (mut metadata_entries, mut metadata_total) = (0usize, 0u64);
    std::fs::create_dir_all(dir.join("metadata")).map_err(|e| Error::Io { path: dir.into(), source: e })?;
    for (i, entry) in entries.enumerate() {
        if i >= MAX_ENTRIES {
            return Err(bad(format!("more than {MAX_ENTRIES} entries")));
        }
        let mut entry = entry.map_err(|e| bad(format!("damaged at entry {i}: {}", shown(&e.to_string()))))?;
        let entry_name = entry
            .path()
            .map_err(|e| bad(format!("entry {i}: {}", shown(&e.to_string()))))?
            .to_string_lossy()
            .to_string();
        let shown_name = shown(&entry_name);
        let entry_type = entry.header().entry_type();
        if !matches!(entry_type, tar::EntryType::Regular) {
            return Err(bad(format!(
                "entry {i} \"{shown_name}\" is a {entry_type:?} entry; a bundle holds regular files only"
            )));
        }
        if entry.pax_extensions().ok().flatten().is_some() {
            return Err(bad(format!(
                "entry {i} \"{shown_name}\" has pax extended headers, which Faro bundles never use"
            )));
        }
        let size = entry.header().size().map_err(|e| bad(format!("entry {i}: {}", shown(&e.to_string()))))?;
        let (dest, cap) = if let Some(meta) = entry_name.strip_prefix("metadata/") {
            let plain = meta.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
            if !plain || meta.starts_with('.') || !meta.ends_with(".json") {
                return Err(bad(format!("unexpected entry \"{shown_name}\"")));
            }
            metadata_entries += 1;
            metadata_total = metadata_total.saturating_add(size);
            if metadata_entries > MAX_METADATA_ENTRIES || metadata_total > MAX_METADATA_TOTAL {
                return Err(bad(format!(
                    "more metadata than a repository has (over {MAX_METADATA_ENTRIES} files or {MAX_METADATA_TOTAL} bytes)"
                )));
            }
            if data_caps.is_some() {
                continue;
            }
            (dir.join("metadata").join(meta), MAX_METADATA_BYTES)
        } else if let Some(rest) = entry_name.strip_prefix("data/") {
            let dataset = rest
                .strip_suffix(".jsonl.zst")
                .filter(|d| super::entry::check_dataset_name(d).is_ok())
                .ok_or_else(|| bad(format!("unexpected entry \"{shown_name}\"")))?;
            let dest = dir.join("data").join(format!("{}.zst", dataset.replace('/', "%2F")));
            if data.insert(dataset.to_string(), dest.clone()).is_some() {
                return Err(bad(format!("{shown_name} appears twice")));
            }
            let Some(caps) = data_caps else {
                if size > MAX_DATA_BYTES {
                    return Err(bad(format!("{shown_name} is {size} bytes, more than the {MAX_DATA_BYTES} allowed")));
                }
                continue;
            };
            let cap = *caps
                .get(dataset)
                .ok_or_else(|| bad(format!("{shown_name}: {dataset} is not in the bundle's verified metadata")))?;
            (dest, cap)
        } else if entry_name == "faro-bundle.json" {
            continue;
        } else {
            return Err(bad(format!("unexpected entry \"{shown_name}\"")));
        };
        if size > cap {
            return Err(bad(format!("{shown_name} is {size} bytes, more than the {cap} its signed metadata allows")));
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io { path: parent.into(), source: e })?;
        }
        let mut out = std::fs::File::create(&dest).map_err(|e| Error::Io { path: dest.clone(), source: e })?;
        let copied = std::io::copy(&mut (&mut entry).take(cap + 1), &mut out)
            .map_err(|e| bad(format!("{shown_name}: {}", shown(&e.to_string()))))?;
        if copied > cap {
            return Err(bad(format!("{shown_name} is larger than the {cap} bytes allowed")));
        }
    }
    if !dir.join("metadata/timestamp.json").exists() {
        return Err(bad("no metadata/timestamp.json: not a Faro bundle".into()));
    }
    Ok(data)
}

/// Reads a bundle's manifest (for showing what a file holds before importing it).
pub fn read_manifest(reader: impl BufRead) -> Result<BundleManifest> {
    // Tar errors come from the file: escape and shorten what is printed.
    let bad = |reason: String| Error::BundleNotVerified { file: "bundle".into(), reason: printable(&reason, 200) };
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().map_err(|e| bad(format!("not a Faro bundle (tar): {e}")))? {
        let mut entry = entry.map_err(|e| bad(format!("damaged: {e}")))?;
        if entry.path().map(|p| p.to_string_lossy() == "faro-bundle.json").unwrap_or(false) {
            let mut text = String::new();
            (&mut entry)
                .take(MAX_METADATA_BYTES)
                .read_to_string(&mut text)
                .map_err(|e| bad(format!("faro-bundle.json: {e}")))?;
            return serde_json::from_str(&text).map_err(|e| bad(format!("faro-bundle.json: {e}")));
        }
    }
    Err(bad("no faro-bundle.json: not a Faro bundle".into()))
}
