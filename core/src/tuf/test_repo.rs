//! Test-only: a real repository on disk written with Faro's writer, with handles to craft
//! attacks (old, expired, re-signed or tampered files).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use super::writer::{consistent_target_name, meta_file_for, metadata_file_name, sign_metadata, target_file_for};
use super::*;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
}

pub struct TestRepo {
    pub dir: tempfile::TempDir,
    pub root: Root,
    pub root_keys: Vec<SigningKey>,
    pub timestamp_key: SigningKey,
    pub snapshot_key: SigningKey,
    pub targets_key: SigningKey,
    pub warnings_keys: Vec<SigningKey>,
    pub expires: DateTime<Utc>,
    pub timestamp_version: u64,
    pub snapshot_version: u64,
    pub targets_version: u64,
    pub warnings_version: u64,
    pub targets: BTreeMap<String, TargetFile>,
    pub warnings: BTreeMap<String, TargetFile>,
    /// Signers of `warnings` (indexes into `warnings_keys`).
    pub warnings_signers: Vec<usize>,
}

fn setup(keys: &[&SigningKey], threshold: u64) -> RoleSetup {
    RoleSetup { keys: keys.iter().map(|k| k.public().clone()).collect(), threshold }
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("metadata")).unwrap();
        std::fs::create_dir_all(dir.path().join("targets")).unwrap();
        let root_keys =
            vec![SigningKey::generate(Scheme::Ed25519).unwrap(), SigningKey::generate(Scheme::EcdsaP256).unwrap()];
        let timestamp_key = SigningKey::generate(Scheme::Ed25519).unwrap();
        let snapshot_key = SigningKey::generate(Scheme::EcdsaP256).unwrap();
        let targets_key = SigningKey::generate(Scheme::Ed25519).unwrap();
        let warnings_keys =
            vec![SigningKey::generate(Scheme::Ed25519).unwrap(), SigningKey::generate(Scheme::Ed25519).unwrap()];
        let expires = t0() + Duration::days(30);
        let roles = BTreeMap::from([
            ("root".to_string(), setup(&[&root_keys[0], &root_keys[1]], 2)),
            ("timestamp".to_string(), setup(&[&timestamp_key], 1)),
            ("snapshot".to_string(), setup(&[&snapshot_key], 1)),
            ("targets".to_string(), setup(&[&targets_key], 1)),
        ]);
        let root = Root::create(&roles, expires).unwrap();
        let repo = TestRepo {
            dir,
            root,
            root_keys,
            timestamp_key,
            snapshot_key,
            targets_key,
            warnings_keys,
            expires,
            timestamp_version: 0,
            snapshot_version: 0,
            targets_version: 0,
            warnings_version: 0,
            targets: BTreeMap::new(),
            warnings: BTreeMap::new(),
            warnings_signers: vec![0, 1],
        };
        let keys: Vec<&SigningKey> = repo.root_keys.iter().collect();
        repo.write_metadata("1.root.json", &sign_metadata("root", &repo.root.to_signed_json(), &keys).unwrap());
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn metadata_path(&self, name: &str) -> PathBuf {
        self.dir.path().join("metadata").join(name)
    }

    pub fn write_metadata(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.metadata_path(name), bytes).unwrap();
    }

    pub fn read_metadata(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.metadata_path(name)).unwrap()
    }

    pub fn root_v1(&self) -> Vec<u8> {
        self.read_metadata("1.root.json")
    }

    pub fn fetcher(&self) -> DirFetcher {
        DirFetcher::for_repository(self.path())
    }

    /// Adds a target to `targets` or `warnings` and writes its file (consistent name).
    pub fn add_target(&mut self, role: &str, path: &str, bytes: &[u8]) {
        let file = target_file_for(bytes, Some(json!({"records": 1})));
        let on_disk = self.path().join("targets").join(consistent_target_name(path, &file.hashes["sha256"]));
        std::fs::create_dir_all(on_disk.parent().unwrap()).unwrap();
        std::fs::write(on_disk, bytes).unwrap();
        match role {
            "targets" => self.targets.insert(path.to_string(), file),
            _ => self.warnings.insert(path.to_string(), file),
        };
    }

    pub fn warnings_delegation(&self) -> Delegations {
        let role = DelegatedRole {
            name: "warnings".into(),
            keyids: self.warnings_keys.iter().map(|k| k.key_id().to_string()).collect(),
            threshold: 2,
            terminating: true,
            paths: Some(vec!["warnings/*".into()]),
            path_hash_prefixes: None,
        };
        let keys: Vec<PublicKey> = self.warnings_keys.iter().map(|k| k.public().clone()).collect();
        Delegations::create(&keys, vec![role]).unwrap()
    }

    /// Writes new versions of warnings, targets, snapshot and timestamp.
    pub fn publish(&mut self) {
        self.warnings_version += 1;
        self.targets_version += 1;
        let mut warnings = Targets::create(self.warnings_version, self.expires, self.warnings.clone());
        warnings.common.kind = "targets".into();
        let signers: Vec<&SigningKey> = self.warnings_signers.iter().map(|i| &self.warnings_keys[*i]).collect();
        let warnings_bytes = sign_metadata("warnings", &warnings.to_signed_json(), &signers).unwrap();
        self.write_metadata(&metadata_file_name("warnings", self.warnings_version, true), &warnings_bytes);
        let mut targets = Targets::create(self.targets_version, self.expires, self.targets.clone());
        targets.delegations = Some(self.warnings_delegation());
        let targets_bytes = sign_metadata("targets", &targets.to_signed_json(), &[&self.targets_key]).unwrap();
        self.write_metadata(&metadata_file_name("targets", self.targets_version, true), &targets_bytes);
        let meta = BTreeMap::from([
            ("targets.json".to_string(), meta_file_for(self.targets_version, &targets_bytes)),
            ("warnings.json".to_string(), meta_file_for(self.warnings_version, &warnings_bytes)),
        ]);
        self.publish_snapshot(meta);
    }

    /// Writes a new snapshot with `meta` and a new timestamp for it.
    pub fn publish_snapshot(&mut self, meta: BTreeMap<String, MetaFile>) {
        self.snapshot_version += 1;
        let snapshot = Snapshot::create(self.snapshot_version, self.expires, meta);
        let bytes = sign_metadata("snapshot", &snapshot.to_signed_json(), &[&self.snapshot_key]).unwrap();
        self.write_metadata(&metadata_file_name("snapshot", self.snapshot_version, true), &bytes);
        self.publish_timestamp(Some(&bytes));
    }

    /// Writes a new timestamp for the current snapshot (with length and hashes when
    /// `snapshot_bytes` is given).
    pub fn publish_timestamp(&mut self, snapshot_bytes: Option<&[u8]>) {
        self.timestamp_version += 1;
        let mut ts = Timestamp::create(self.timestamp_version, self.expires, self.snapshot_version, b"");
        ts.snapshot = match snapshot_bytes {
            Some(bytes) => meta_file_for(self.snapshot_version, bytes),
            None => MetaFile { version: self.snapshot_version, length: None, hashes: None },
        };
        self.write_signed("timestamp.json", &ts.to_signed_json(), &[&self.timestamp_key]);
    }

    pub fn write_signed(&self, name: &str, signed: &Value, keys: &[&SigningKey]) {
        self.write_metadata(name, &sign_metadata("x", signed, keys).unwrap());
    }

    /// Writes root version N+1 with `changes`, signed by old and new root keys.
    pub fn rotate_root(&mut self, changes: BTreeMap<String, RoleSetup>, new_root_keys: Option<Vec<SigningKey>>) {
        let next = self.root.rotate(&changes, self.expires).unwrap();
        let old: Vec<&SigningKey> = self.root_keys.iter().collect();
        let bytes = match &new_root_keys {
            Some(new) => writer::sign_root_rotation(&next, &old, &new.iter().collect::<Vec<_>>()).unwrap(),
            None => writer::sign_root_rotation(&next, &old, &[]).unwrap(),
        };
        self.write_metadata(&format!("{}.root.json", next.common.version), &bytes);
        if let Some(new) = new_root_keys {
            self.root_keys = new;
        }
        self.root = next;
    }
}

pub fn role_setup(keys: &[&SigningKey], threshold: u64) -> RoleSetup {
    setup(keys, threshold)
}
