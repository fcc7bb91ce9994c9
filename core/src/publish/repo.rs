//! Writing the static repository: `REPODIR/metadata/` (TUF roles) and `REPODIR/targets/`
//! (dataset snapshots and deltas under consistent-snapshot names), plus
//! `REPODIR/publisher-state.json`, the publisher's own memory of past versions (public
//! facts only; it lets the next publish write deltas from old versions).
//!
//! Order of writes: target files, then targets metadata, snapshot, and the timestamp last,
//! each through a temporary file and a rename, so a client reading the repository during a
//! publish sees the old or the new repository, never a mix. Nothing is written until every
//! input has been read and checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::dataset::{delta_file, read_input, read_snapshot_records, snapshot_file, state_of, Records};
use super::keys::{KeySet, WARNINGS_THRESHOLD};
use crate::compress;
use crate::error::{Error, InputError, Result};
use crate::sync::content::{ContentKind, Listings, Rights, Warnings};
use crate::sync::entry::{delta_path, is_warnings, snapshot_path, to_custom, DatasetEntry, DeltaEntry, WARNINGS_ROLE};
use crate::sync::files::SnapshotHeader;
use crate::sync::receiver::{ReceiverEntry, RECEIVER_TARGET};
use crate::sync::region::{Region, REGION_KEY};
use crate::tuf::metadata::{DelegatedRole, Delegations, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp};
use crate::tuf::store::write_atomically;
use crate::tuf::writer::{
    consistent_target_name, metadata_file_name, sign_metadata, sign_root_rotation, target_file_for, RoleSetup,
};

/// Old versions each dataset keeps deltas from.
pub const DEFAULT_KEEP_VERSIONS: usize = 5;

/// How long each role's metadata stays valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiries {
    /// Root (rotated rarely, keys offline).
    pub root: Duration,
    /// Top-level targets (directory and rights datasets).
    pub targets: Duration,
    /// The warnings delegation: shorter, warnings go stale fast.
    pub warnings: Duration,
    /// Snapshot.
    pub snapshot: Duration,
    /// Timestamp: how long a phone may go without confirming it is current.
    pub timestamp: Duration,
}

impl Default for Expiries {
    fn default() -> Expiries {
        Expiries {
            root: Duration::days(365),
            targets: Duration::days(90),
            warnings: Duration::days(14),
            snapshot: Duration::days(30),
            timestamp: Duration::days(7),
        }
    }
}

/// Options of one publish.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The publication time (now, except in tests).
    pub now: DateTime<Utc>,
    /// Lifetimes of the roles.
    pub expiries: Expiries,
    /// Old versions to keep deltas from.
    pub keep_versions: usize,
    /// Publisher name shown on phones.
    pub publisher: String,
    /// The report receiver to name in the signed targets (`reports/receiver.json`, see
    /// `sync::receiver`); `None` keeps the one named before, if any.
    pub reports: Option<ReceiverEntry>,
}

impl Default for PublishOptions {
    fn default() -> Self {
        PublishOptions {
            now: Utc::now(),
            expiries: Expiries::default(),
            keep_versions: DEFAULT_KEEP_VERSIONS,
            publisher: "Faro publisher".into(),
            reports: None,
        }
    }
}

/// What a publish did, per dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The dataset.
    pub dataset: String,
    /// Its version now.
    pub version: u64,
    /// Records in that version.
    pub records: u64,
    /// False when the input was identical to the last version (nothing new published).
    pub changed: bool,
    /// Versions a delta was written from.
    pub deltas_from: Vec<u64>,
}

/// The summary of a publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
    /// Per dataset given as input.
    pub datasets: Vec<Published>,
    /// Version of the new timestamp.
    pub timestamp_version: u64,
    /// True when this publish created the repository (and `metadata/1.root.json`).
    pub created: bool,
    /// When the current root expires: phones refuse every update after it, and only
    /// `faro rotate-root` (with the offline root key) renews it.
    pub root_expires: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PublisherState {
    timestamp_version: u64,
    snapshot_version: u64,
    targets_version: u64,
    warnings_version: u64,
    targets: BTreeMap<String, TargetFile>,
    warnings_targets: BTreeMap<String, TargetFile>,
    datasets: BTreeMap<String, History>,
}

#[derive(Debug, Serialize, Deserialize)]
struct History {
    content: String,
    /// Oldest first; the last is the current version.
    versions: Vec<PastVersion>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PastVersion {
    version: u64,
    /// Path of its compressed snapshot under `targets/`.
    file: String,
    records: u64,
}

/// One input, read and checked.
struct Input {
    kind: ContentKind,
    header: SnapshotHeader,
    records: Records,
}

/// Reads, checks and publishes `inputs` (files in the import format) into the repository
/// at `repo`, creating it on first use. On any bad input nothing is written.
pub fn publish(keys: &KeySet, repo: &Path, inputs: &[PathBuf], options: &PublishOptions) -> Result<PublishReport> {
    publish_inner(keys, repo, inputs, options, false)
}

/// [`publish`]; `resign_all` re-signs every role even if nothing changed (after a key change).
fn publish_inner(
    keys: &KeySet,
    repo: &Path,
    inputs: &[PathBuf],
    options: &PublishOptions,
    resign_all: bool,
) -> Result<PublishReport> {
    let mut read = Vec::new();
    let mut problems: Vec<InputError> = Vec::new();
    for path in inputs {
        match read_input_file(path) {
            Ok(input) => {
                if read.iter().any(|i: &Input| i.header.dataset == input.header.dataset) {
                    problems.push(
                        InputError::new(path.display().to_string(), "a second file for the same dataset")
                            .at_line(1)
                            .field("dataset"),
                    );
                }
                read.push(input);
            }
            Err(Error::Input(e)) => problems.push(e),
            Err(Error::InputMany(many)) => problems.extend(many),
            Err(other) => return Err(other),
        }
    }
    Error::refuse(problems)?;

    let metadata = repo.join("metadata");
    let targets_dir = repo.join("targets");
    let mut state = load_state(repo)?;
    let (root, created) = match current_root(&metadata)? {
        Some(root) => (root, false),
        None => (create_root(keys, &metadata, options)?, true),
    };
    check_keys_match(&root, keys)?;
    if !resign_all {
        check_warnings_keys_match(&metadata, state.targets_version, keys)?;
    }

    let mut report =
        PublishReport { datasets: Vec::new(), timestamp_version: 0, created, root_expires: root.common.expires };
    let mut warnings_changed = resign_all;
    let mut targets_changed = created || resign_all;
    for input in read {
        let published = publish_dataset(&mut state, &targets_dir, input, options)?;
        if published.changed {
            if is_warnings(&published.dataset) {
                warnings_changed = true;
            } else {
                targets_changed = true;
            }
        }
        report.datasets.push(published);
    }

    if let Some(entry) = &options.reports {
        targets_changed |= name_receiver(&mut state, &targets_dir, entry)?;
    }

    let now = options.now;
    let exp = &options.expiries;
    let mut meta: BTreeMap<String, MetaFile> = BTreeMap::new();
    if warnings_changed || state.warnings_version == 0 {
        state.warnings_version += 1;
        let signed = Targets::create(state.warnings_version, now + exp.warnings, state.warnings_targets.clone());
        let bytes = sign_metadata(WARNINGS_ROLE, &signed.to_signed_json(), &[&keys.warnings[0], &keys.warnings[1]])?;
        write(&metadata.join(metadata_file_name(WARNINGS_ROLE, state.warnings_version, true)), &bytes)?;
    }
    meta.insert(
        format!("{WARNINGS_ROLE}.json"),
        MetaFile { version: state.warnings_version, length: None, hashes: None },
    );
    if targets_changed || warnings_changed || state.targets_version == 0 {
        state.targets_version += 1;
        let mut targets = Targets::create(state.targets_version, now + exp.targets, state.targets.clone());
        targets.delegations = Some(warnings_delegation(keys)?);
        let bytes = sign_metadata("targets", &targets.to_signed_json(), &[&keys.targets])?;
        write(&metadata.join(metadata_file_name("targets", state.targets_version, true)), &bytes)?;
    }
    meta.insert("targets.json".into(), MetaFile { version: state.targets_version, length: None, hashes: None });

    state.snapshot_version += 1;
    let snapshot = Snapshot::create(state.snapshot_version, now + exp.snapshot, meta);
    let snapshot_bytes = sign_metadata("snapshot", &snapshot.to_signed_json(), &[&keys.snapshot])?;
    write(&metadata.join(metadata_file_name("snapshot", state.snapshot_version, true)), &snapshot_bytes)?;

    state.timestamp_version += 1;
    let timestamp =
        Timestamp::create(state.timestamp_version, now + exp.timestamp, state.snapshot_version, &snapshot_bytes);
    let timestamp_bytes = sign_metadata("timestamp", &timestamp.to_signed_json(), &[&keys.timestamp])?;
    save_state(repo, &state)?;
    write_timestamp(&metadata.join("timestamp.json"), &timestamp_bytes)?;
    report.timestamp_version = state.timestamp_version;
    Ok(report)
}

/// Writes root version N+1, with `new_keys` for every top-level role, signed by the old
/// and the new root keys, then re-signs the repository with the new keys. Phones follow
/// the chain of roots on their next sync.
pub fn rotate_root(old_keys: &KeySet, new_keys: &KeySet, repo: &Path, options: &PublishOptions) -> Result<u64> {
    let metadata = repo.join("metadata");
    let root = current_root(&metadata)?
        .ok_or_else(|| Error::Keys(format!("{} has no root yet: publish first", metadata.display())))?;
    check_keys_match(&root, old_keys)?;
    let (old_root_key, new_root_key) =
        (old_keys.root_for("rotating the root")?, new_keys.root_for("rotating the root")?);
    let changes: BTreeMap<String, RoleSetup> = ["root", "targets", "snapshot", "timestamp"]
        .into_iter()
        .filter_map(|role| {
            Some((role.to_string(), RoleSetup { keys: vec![new_keys.public(role)?.clone()], threshold: 1 }))
        })
        .collect();
    let next = root.rotate(&changes, options.now + options.expiries.root)?;
    let bytes = sign_root_rotation(&next, &[old_root_key], &[new_root_key])?;
    let version = next.common.version;
    write(&metadata.join(metadata_file_name("root", version, true)), &bytes)?;
    write(&metadata.join("root.json"), &bytes)?;
    // Re-sign every role with the new keys (new versions); no dataset changes.
    publish_inner(new_keys, repo, &[], options, true)?;
    Ok(version)
}

fn warnings_delegation(keys: &KeySet) -> Result<Delegations> {
    let role = DelegatedRole {
        name: WARNINGS_ROLE.into(),
        keyids: keys.warnings.iter().map(|k| k.key_id().to_string()).collect(),
        threshold: WARNINGS_THRESHOLD,
        terminating: true,
        paths: Some(vec!["warnings/*".into()]),
        path_hash_prefixes: None,
    };
    Ok(Delegations::create(&[keys.warnings[0].public().clone(), keys.warnings[1].public().clone()], vec![role])?)
}

fn read_input_file(path: &Path) -> Result<Input> {
    let name = path.display().to_string();
    let open = || -> Result<std::io::BufReader<std::fs::File>> {
        let f = std::fs::File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
        Ok(std::io::BufReader::new(f))
    };
    // The header's "faro" word says what the file holds.
    let mut lines = crate::import::jsonl::Lines::new(open()?, &name);
    let first = lines.next_line()?.map(|(_, text)| text.to_string()).unwrap_or_default();
    let word =
        serde_json::from_str::<serde_json::Value>(&first).ok().and_then(|v| v.get("faro")?.as_str().map(String::from));
    let kind = word.as_deref().and_then(ContentKind::parse).ok_or_else(|| {
        InputError::new(&name, "line 1 must be a Faro header with \"faro\" one of listings, rights, warnings")
            .at_line(1)
            .field("faro")
    })?;
    let (header, records) = match kind {
        ContentKind::Listings => read_input::<Listings>(open()?, &name)?,
        ContentKind::Rights => read_input::<Rights>(open()?, &name)?,
        ContentKind::Warnings => read_input::<Warnings>(open()?, &name)?,
    };
    if is_warnings(&header.dataset) != (kind.as_str() == "warnings") {
        return Err(InputError::new(&name, "datasets named warnings/... hold warnings, and only they")
            .at_line(1)
            .field("dataset")
            .into());
    }
    Ok(Input { kind, header, records })
}

fn publish_dataset(
    state: &mut PublisherState,
    targets_dir: &Path,
    input: Input,
    options: &PublishOptions,
) -> Result<Published> {
    let dataset = input.header.dataset.clone();
    let (records, state_hash) = state_of(&input.records);
    let region = Some(Region::of_records(input.kind, input.records.values())).filter(|r| *r != Region::default());
    let history = state
        .datasets
        .entry(dataset.clone())
        .or_insert_with(|| History { content: input.kind.as_str().into(), versions: Vec::new() });
    if history.content != input.kind.as_str() {
        return Err(InputError::new(
            &dataset,
            format!("was published as {}, now given as {}", history.content, input.kind.as_str()),
        )
        .field("faro")
        .into());
    }
    let listed = if is_warnings(&dataset) { &state.warnings_targets } else { &state.targets };
    if let Some(current) = listed.get(&snapshot_path(&dataset)) {
        let entry: Option<DatasetEntry> = crate::sync::entry::from_custom(current.custom.as_ref());
        // A dataset published before regions were signed gets a new version that has one.
        let same_region = Region::from_custom(current.custom.as_ref()) == region;
        if let Some(entry) = entry.filter(|e| {
            e.state == state_hash && e.demo == input.header.demo && e.source == input.header.source && same_region
        }) {
            return Ok(Published { dataset, version: entry.version, records, changed: false, deltas_from: vec![] });
        }
    }
    let version = history.versions.last().map_or(1, |v| v.version + 1);

    // Deltas from each kept old version straight to this one.
    let mut new_targets: BTreeMap<String, TargetFile> = BTreeMap::new();
    let mut deltas = BTreeMap::new();
    let keep_from = history.versions.len().saturating_sub(options.keep_versions);
    for old in &history.versions[keep_from..] {
        let bytes = std::fs::read(targets_dir.join(&old.file))
            .map_err(|e| Error::Io { path: targets_dir.join(&old.file), source: e })?;
        let text = compress::decompress_to_vec(&bytes, u64::MAX).map_err(|e| Error::Damaged {
            what: format!("published file {}", targets_dir.join(&old.file).display()),
            detail: e.to_string(),
        })?;
        let old_records = read_snapshot_records(&text[..], &old.file)?;
        let delta = compress::compress_to_vec(&delta_file(
            input.kind.as_str(),
            &dataset,
            old.version,
            &old_records,
            version,
            &input.records,
        ));
        let path = delta_path(&dataset, old.version);
        let custom = to_custom(&DeltaEntry { dataset: dataset.clone(), from: old.version, to: version });
        let file = target_file_for(&delta, Some(custom));
        write_target(targets_dir, &path, &file, &delta)?;
        deltas.insert(old.version, path.clone());
        new_targets.insert(path, file);
    }

    let snapshot = compress::compress_to_vec(&snapshot_file(&input.header, &input.records));
    let entry = DatasetEntry {
        content: input.kind.as_str().into(),
        dataset: dataset.clone(),
        version,
        records,
        state: state_hash,
        publisher: Some(options.publisher.clone()),
        published: options.now,
        demo: input.header.demo,
        source: input.header.source.clone(),
        deltas: deltas.clone(),
    };
    let path = snapshot_path(&dataset);
    let mut custom = to_custom(&entry);
    if let Some(region) = &region {
        // Beside `custom.faro`, which phones in the field read with unknown fields refused.
        custom[REGION_KEY] = serde_json::to_value(region).unwrap_or_default();
    }
    let file = target_file_for(&snapshot, Some(custom));
    let stored = write_target(targets_dir, &path, &file, &snapshot)?;
    new_targets.insert(path, file);

    history.versions.push(PastVersion { version, file: stored, records });
    let listed = if is_warnings(&dataset) { &mut state.warnings_targets } else { &mut state.targets };
    // Old deltas of this dataset are replaced by the new ones (they led to an old version).
    listed.retain(|p, _| !p.starts_with(&format!("{dataset}.from-")));
    listed.extend(new_targets);
    Ok(Published { dataset, version, records, changed: true, deltas_from: deltas.into_keys().collect() })
}

/// Lists the report receiver in the top-level targets: the entry's JSON is the target file
/// and its `custom.faro_reports` the signed fields phones read. Returns whether it changed.
fn name_receiver(state: &mut PublisherState, targets_dir: &Path, entry: &ReceiverEntry) -> Result<bool> {
    entry.check().map_err(|reason| InputError::new("--reports-key/--reports-url", reason).field("faro_reports"))?;
    let bytes = serde_json::to_vec(entry).unwrap_or_default();
    let file = target_file_for(&bytes, Some(entry.to_custom()));
    if state.targets.get(RECEIVER_TARGET) == Some(&file) {
        return Ok(false);
    }
    write_target(targets_dir, RECEIVER_TARGET, &file, &bytes)?;
    state.targets.insert(RECEIVER_TARGET.into(), file);
    Ok(true)
}

/// Writes a target under its consistent-snapshot name; returns that name.
fn write_target(targets_dir: &Path, path: &str, file: &TargetFile, bytes: &[u8]) -> Result<String> {
    let sha = file.hashes.get("sha256").cloned().unwrap_or_default();
    let name = consistent_target_name(path, &sha);
    write(&targets_dir.join(&name), bytes)?;
    Ok(name)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io { path: dir.to_path_buf(), source: e })?;
    }
    write_atomically(path, bytes, false).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })
}

/// Writes `timestamp.json` with a modification time strictly later than the one it replaces.
/// Web servers derive `ETag` and `Last-Modified` from the time in whole seconds: two
/// publishes within a second would otherwise keep the validators, and phones would be
/// told "304 Not Modified" about a new timestamp.
fn write_timestamp(path: &Path, bytes: &[u8]) -> Result<()> {
    let old = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    write(path, bytes)?;
    if let Some(old) = old {
        let floor = old + std::time::Duration::from_secs(1);
        let io = |e| Error::Io { path: path.to_path_buf(), source: e };
        let file = std::fs::File::options().write(true).open(path).map_err(io)?;
        if file.metadata().and_then(|m| m.modified()).map_err(io)? < floor {
            file.set_modified(floor).map_err(io)?;
        }
    }
    Ok(())
}

fn create_root(keys: &KeySet, metadata: &Path, options: &PublishOptions) -> Result<Root> {
    let root_key = keys.root_for("creating a repository")?;
    let roles: BTreeMap<String, RoleSetup> = ["root", "targets", "snapshot", "timestamp"]
        .into_iter()
        .filter_map(|role| Some((role.to_string(), RoleSetup { keys: vec![keys.public(role)?.clone()], threshold: 1 })))
        .collect();
    let root = Root::create(&roles, options.now + options.expiries.root)?;
    let bytes = sign_metadata("root", &root.to_signed_json(), &[root_key])?;
    write(&metadata.join("1.root.json"), &bytes)?;
    write(&metadata.join("root.json"), &bytes)?;
    Ok(root)
}

/// The newest `N.root.json` of the repository, if any.
fn current_root(metadata: &Path) -> Result<Option<Root>> {
    let mut version = 0u64;
    while metadata.join(format!("{}.root.json", version + 1)).exists() {
        version += 1;
    }
    if version == 0 {
        return Ok(None);
    }
    let path = metadata.join(format!("{version}.root.json"));
    let bytes = std::fs::read(&path).map_err(|e| Error::Io { path: path.clone(), source: e })?;
    let env = crate::tuf::metadata::Envelope::parse("root", &bytes)?;
    Ok(Some(Root::from_envelope(&env)?))
}

fn check_keys_match(root: &Root, keys: &KeySet) -> Result<()> {
    for role in ["root", "targets", "snapshot", "timestamp"] {
        // A root key kept offline is not checked; one that is present must be the right one.
        let Some(key) = keys.public(role) else { continue };
        if !root.role(role).keyids.contains(&key.key_id()) {
            return Err(Error::Keys(format!(
                "the {role} key in the key directory is not one the repository's root trusts for {role}; \
                 use the right key directory, or rotate the root (`faro rotate-root`)"
            )));
        }
    }
    Ok(())
}

/// Phones pin the warnings keys and accept new ones only with a new root version, so a
/// plain publish must keep the keys the current targets delegates warnings to.
fn check_warnings_keys_match(metadata: &Path, targets_version: u64, keys: &KeySet) -> Result<()> {
    let path = metadata.join(metadata_file_name("targets", targets_version, true));
    let Ok(bytes) = std::fs::read(&path) else { return Ok(()) };
    let current = Targets::from_envelope("targets", &crate::tuf::metadata::Envelope::parse("targets", &bytes)?)?;
    let delegated = current.delegations.iter().flat_map(|d| &d.roles).find(|r| r.name == WARNINGS_ROLE);
    let ours: Vec<String> = keys.warnings.iter().map(|k| k.key_id().to_string()).collect();
    match delegated {
        Some(role) if role.keyids != ours => Err(Error::Keys(
            "the warnings keys in the key directory are not the ones the repository delegates warnings to; \
             phones accept new warnings keys only with a new root: use `faro rotate-root`"
                .into(),
        )),
        _ => Ok(()),
    }
}

fn load_state(repo: &Path) -> Result<PublisherState> {
    let path = repo.join("publisher-state.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| Error::Damaged { what: format!("publisher state {}", path.display()), detail: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PublisherState::default()),
        Err(e) => Err(Error::Io { path, source: e }),
    }
}

fn save_state(repo: &Path, state: &PublisherState) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(state).unwrap_or_default();
    write(&repo.join("publisher-state.json"), &bytes)
}
