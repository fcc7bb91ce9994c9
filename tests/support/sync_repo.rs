//! Repositories and phones for the sync tests: listing files to publish, a published
//! repository served by the [`FaultServer`], crafted metadata (re-signed with the publisher's
//! keys through the TUF writer) for the attacks `publish` refuses to produce, and what a
//! phone's store holds for a dataset.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use faro_core::net::{Cancel, NetConfig};
use faro_core::publish::{publish, KeySet, PublishOptions};
use faro_core::sync::apply::{dataset_state, local_version};
use faro_core::sync::content::Listings;
use faro_core::sync::entry::{from_custom, snapshot_path, DatasetEntry};
use faro_core::sync::{self, SyncOptions, SyncReport};
use faro_core::tuf::metadata::Envelope;
use faro_core::tuf::writer::{consistent_target_name, meta_file_for, sign_metadata, target_file_for};
use faro_core::tuf::{MetaFile, SigningKey, Snapshot, TargetFile, Targets, Timestamp};
use faro_core::{Error, Store};

use super::fault_server::FaultServer;

/// Writes a listings input file for `dataset` at `path` with the records numbered `ids`;
/// `tag(i)` is appended to record `i`'s name, so a new tag is a changed record.
pub fn write_input(
    path: &Path,
    dataset: &str,
    ids: impl IntoIterator<Item = usize>,
    tag: impl Fn(usize) -> String,
) -> PathBuf {
    let country = dataset.rsplit('/').next().unwrap_or("mx").to_ascii_uppercase();
    let country = if country.len() == 2 { country } else { "MX".to_string() };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create input"));
    writeln!(out, r#"{{"faro":"listings","version":1,"dataset":"{dataset}","demo":true}}"#).unwrap();
    // Inland, so that the records are plausible (`model::plausible`): a box in the
    // Guatemalan highlands around Guatemala City, or in inland Chiapas (the old box,
    // 14-15 N 92-93 W, had one record in nine in the Pacific).
    let (lat0, lon0) = if country == "GT" { (14.5, -90.4) } else { (16.1, -92.3) };
    for i in ids {
        let lat = lat0 + (i % 1000) as f64 / 2000.0;
        let lon = lon0 - (i % 997) as f64 / 2000.0;
        writeln!(
            out,
            "{{\"id\":\"demo:{country}-{i:06}\",\"kind\":\"legal_aid\",\"name\":{{\"es\":\"Asesoría Jurídica {i}{} (demo)\"}},\
             \"description\":{{\"es\":\"Orientación legal gratuita para personas migrantes, oficina {i}.\"}},\
             \"location\":{{\"lat\":{lat},\"lon\":{lon}}},\"address\":{{\"country\":\"{country}\"}}}}",
            tag(i)
        )
        .unwrap();
    }
    out.flush().unwrap();
    path.to_path_buf()
}

/// A publisher's repository in a temporary folder, with its keys.
pub struct Repo {
    /// The repository (`metadata/`, `targets/`).
    pub dir: PathBuf,
    /// The publisher's keys.
    pub keys: KeySet,
    work: tempfile::TempDir,
}

impl Repo {
    /// A new, empty repository with fresh keys.
    pub fn new() -> Repo {
        let work = tempfile::tempdir().expect("temp dir");
        Repo { dir: work.path().join("repo"), keys: KeySet::generate().expect("keys"), work }
    }

    /// A scratch folder beside the repository (inputs, phones' databases).
    pub fn work(&self) -> &Path {
        self.work.path()
    }

    /// Publishes `dataset` with records `ids` tagged by `tag` (see [`write_input`]).
    pub fn publish(
        &self,
        dataset: &str,
        ids: impl IntoIterator<Item = usize>,
        tag: impl Fn(usize) -> String,
        options: &PublishOptions,
    ) {
        let input = self.work().join(format!("{}.jsonl", dataset.replace('/', "-")));
        write_input(&input, dataset, ids, tag);
        publish(&self.keys, &self.dir, &[input], options).expect("publish");
    }

    /// The bytes of `metadata/NAME`.
    pub fn metadata(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join("metadata").join(name)).expect("metadata file")
    }

    /// The signed entry of `dataset` in the newest targets metadata.
    pub fn entry(&self, dataset: &str) -> DatasetEntry {
        let crafter = self.crafter();
        let targets = crafter.targets("targets");
        let file = targets.targets.get(&snapshot_path(dataset)).expect("dataset is listed");
        from_custom(file.custom.as_ref()).expect("Faro entry")
    }

    /// The file of the current full snapshot of `dataset`, under `targets/`.
    pub fn snapshot_file(&self, dataset: &str) -> PathBuf {
        let targets = self.crafter().targets("targets");
        let file = &targets.targets[&snapshot_path(dataset)];
        self.dir.join("targets").join(consistent_target_name(&snapshot_path(dataset), &file.hashes["sha256"]))
    }

    /// A crafter of metadata over this repository, signing at `now`.
    pub fn crafter(&self) -> Crafter<'_> {
        Crafter { repo: &self.dir, keys: &self.keys, now: Utc::now() }
    }
}

impl Default for Repo {
    fn default() -> Self {
        Repo::new()
    }
}

/// Serves every file of `repo` from `server` (`/metadata/...`, `/targets/...`), replacing
/// what it served before.
pub fn serve_repo(server: &FaultServer, repo: &Path) {
    server.clear();
    let mut stack = vec![repo.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read repo") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(repo).unwrap().to_string_lossy().replace('\\', "/");
                server.put(&format!("/{rel}"), std::fs::read(&path).unwrap());
            }
        }
    }
}

/// Writes metadata a publisher would never write (forged, mixed, under-signed), signed with
/// the real keys through the TUF writer, on top of a repository `publish` created.
/// Afterwards the repository's `publisher-state.json` no longer matches: do not publish to it
/// again.
pub struct Crafter<'a> {
    /// The repository.
    pub repo: &'a Path,
    /// The publisher's keys.
    pub keys: &'a KeySet,
    /// Signing time (expiries count from it).
    pub now: DateTime<Utc>,
}

impl Crafter<'_> {
    fn envelope(&self, name: &str) -> Envelope {
        Envelope::parse(name, &std::fs::read(self.repo.join("metadata").join(name)).expect("metadata")).unwrap()
    }

    /// The current `timestamp.json`.
    pub fn timestamp(&self) -> Timestamp {
        Timestamp::from_envelope(&self.envelope("timestamp.json")).unwrap()
    }

    /// The snapshot the current timestamp lists.
    pub fn snapshot(&self) -> Snapshot {
        let v = self.timestamp().snapshot.version;
        Snapshot::from_envelope(&self.envelope(&format!("{v}.snapshot.json"))).unwrap()
    }

    /// The targets role `role` (`targets`, `warnings`) the current snapshot lists.
    pub fn targets(&self, role: &str) -> Targets {
        let v = self.snapshot().meta[&format!("{role}.json")].version;
        Targets::from_envelope(role, &self.envelope(&format!("{v}.{role}.json"))).unwrap()
    }

    /// Stores `bytes` as the target `path` (consistent-snapshot name) and returns its entry.
    pub fn add_target(&self, path: &str, bytes: &[u8], custom: Option<Value>) -> TargetFile {
        let file = target_file_for(bytes, custom);
        let name = consistent_target_name(path, &file.hashes["sha256"]);
        let dest = self.repo.join("targets").join(name);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
        file
    }

    /// Writes `targets` as the next version of `role`, signed by `signers`, then a snapshot
    /// listing it and a timestamp listing that snapshot. Returns the new snapshot version.
    pub fn release(&self, role: &str, mut targets: Targets, signers: &[&SigningKey]) -> u64 {
        let mut snapshot = self.snapshot();
        let file = format!("{role}.json");
        targets.common.version = snapshot.meta[&file].version + 1;
        targets.common.expires = self.now + Duration::days(30);
        let bytes = sign_metadata(role, &targets.to_signed_json(), signers).unwrap();
        self.write(&format!("{}.{role}.json", targets.common.version), &bytes);
        snapshot.meta.insert(file, MetaFile { version: targets.common.version, length: None, hashes: None });
        self.release_snapshot(snapshot)
    }

    /// Writes `snapshot` as the next snapshot version and a timestamp listing it (with its
    /// length and hashes). Returns the snapshot version.
    pub fn release_snapshot(&self, mut snapshot: Snapshot) -> u64 {
        snapshot.common.version = self.timestamp().snapshot.version + 1;
        snapshot.common.expires = self.now + Duration::days(30);
        let bytes = self.write_snapshot(&snapshot);
        let ts = Timestamp::create(
            self.timestamp().common.version + 1,
            self.now + Duration::days(7),
            snapshot.common.version,
            &bytes,
        );
        self.write_timestamp(&ts);
        snapshot.common.version
    }

    /// Signs and writes `snapshot` under its own version's name; returns the bytes.
    pub fn write_snapshot(&self, snapshot: &Snapshot) -> Vec<u8> {
        let bytes = sign_metadata("snapshot", &snapshot.to_signed_json(), &[&self.keys.snapshot]).unwrap();
        self.write(&format!("{}.snapshot.json", snapshot.common.version), &bytes);
        bytes
    }

    /// Signs and writes `timestamp.json`.
    pub fn write_timestamp(&self, ts: &Timestamp) {
        let bytes = sign_metadata("timestamp", &ts.to_signed_json(), &[&self.keys.timestamp]).unwrap();
        self.write("timestamp.json", &bytes);
    }

    /// The `meta` entry a timestamp would list for snapshot bytes.
    pub fn meta_for(version: u64, bytes: &[u8]) -> MetaFile {
        meta_file_for(version, bytes)
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.repo.join("metadata").join(name), bytes).unwrap();
    }
}

/// What a phone holds for one dataset: version, record count and state hash recomputed
/// from the records, and the version `sync::status` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// `sync_datasets.version`.
    pub version: Option<u64>,
    /// Records in the store.
    pub records: u64,
    /// State hash of those records.
    pub state: String,
    /// The version `sync::status` reports.
    pub status_version: Option<u64>,
}

impl Held {
    /// Reads what `store` holds for `dataset`.
    pub fn read(store: &Store, dataset: &str) -> Held {
        let (version, (records, state)) = store
            .read(|c| Ok((local_version(c, dataset)?, dataset_state::<Listings>(c, dataset)?)))
            .expect("read dataset state");
        let status = sync::status(store, Utc::now()).expect("status");
        let status_version = status.datasets.iter().find(|d| d.dataset == dataset).map(|d| d.version);
        Held { version, records, state, status_version }
    }

    /// True when this is exactly the signed version `entry`.
    pub fn is(&self, entry: &DatasetEntry) -> bool {
        self.version == Some(entry.version)
            && self.status_version == Some(entry.version)
            && self.records == entry.records
            && self.state == entry.state
    }
}

/// A phone: a store that trusts the repository's first root.
pub struct Phone {
    /// Its database.
    pub store: Store,
    /// Options of each sync (datasets to subscribe are added per call).
    pub options: SyncOptions,
}

impl Phone {
    /// A new phone with a database at `path`, trusting `root` (`1.root.json`'s bytes).
    pub fn new(path: &Path, root: &[u8]) -> Phone {
        let store = Store::open(path).expect("open store");
        sync::install_trusted_root(&store, root).expect("install root");
        Phone { store, options: SyncOptions { net: quick_net(), ..SyncOptions::default() } }
    }

    /// Syncs from `url`, subscribing to `datasets` first.
    pub fn sync(&self, url: &str, datasets: &[&str]) -> Result<SyncReport, Error> {
        let options =
            SyncOptions { subscribe: datasets.iter().map(|d| d.to_string()).collect(), ..self.options.clone() };
        sync::sync_from_url(&self.store, url, &options, &Cancel::new(), &mut |_| {})
    }

    /// What it holds for `dataset`, after checking the database file is sound.
    pub fn held(&self, dataset: &str) -> Held {
        self.store.check_integrity().expect("integrity_check");
        Held::read(&self.store, dataset)
    }

    /// The folder of partial and finished downloads beside the database.
    pub fn downloads(&self) -> PathBuf {
        let mut name = self.store.path().as_os_str().to_owned();
        name.push(".downloads");
        PathBuf::from(name)
    }
}

/// Two attempts, short backoff: fault tests fail fast.
pub fn quick_net() -> NetConfig {
    NetConfig {
        max_attempts: 2,
        backoff_base: std::time::Duration::from_millis(10),
        backoff_max: std::time::Duration::from_millis(50),
        ..NetConfig::default()
    }
}

/// A random generator whose seed is printed, and taken from `FARO_TEST_SEED` when set, so a
/// failing random run can be replayed.
pub fn seeded_rng() -> fastrand::Rng {
    let seed = std::env::var("FARO_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    eprintln!("random seed {seed} (set FARO_TEST_SEED={seed} to replay)");
    fastrand::Rng::with_seed(seed)
}
