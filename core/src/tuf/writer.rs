//! The publisher's side: typed roles back to JSON, signing with a threshold of keys, and
//! helpers to create a first root and rotate it, so `faro keygen / publish / rotate-root`
//! stay thin. Output is pretty JSON (any TUF client parses it; signatures cover the
//! canonical form of `signed`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::canonical;
use super::error::{TufError, TufResult};
use super::keys::PublicKey;
use super::metadata::{
    Common, Delegations, MetaFile, RoleKeys, Root, Snapshot, TargetFile, Targets, Timestamp, TOP_LEVEL_ROLES,
};
use super::signing::SigningKey;
use super::verify::hashes_of;

/// The specification version Faro writes.
pub const SPEC_VERSION: &str = "1.0.31";

fn common(kind: &str, version: u64, expires: DateTime<Utc>) -> Common {
    Common { kind: kind.into(), spec_version: SPEC_VERSION.into(), version, expires }
}

fn common_json(c: &Common) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("_type".into(), json!(c.kind));
    m.insert("spec_version".into(), json!(c.spec_version));
    m.insert("version".into(), json!(c.version));
    m.insert("expires".into(), json!(c.expires.format(super::metadata::tuf_time::FORMAT).to_string()));
    m
}

fn keys_json(keys: &BTreeMap<String, PublicKey>) -> Value {
    Value::Object(keys.iter().map(|(id, k)| (id.clone(), k.to_json().clone())).collect())
}

/// Keys and threshold for one role of a new root.
#[derive(Debug, Clone)]
pub struct RoleSetup {
    /// Public keys allowed to sign the role.
    pub keys: Vec<PublicKey>,
    /// Distinct keys required.
    pub threshold: u64,
}

impl Root {
    /// The `signed` object of this root.
    pub fn to_signed_json(&self) -> Value {
        let mut m = common_json(&self.common);
        m.insert("consistent_snapshot".into(), json!(self.consistent_snapshot));
        m.insert("keys".into(), keys_json(&self.keys));
        m.insert("roles".into(), serde_json::to_value(&self.roles).expect("roles serialize"));
        Value::Object(m)
    }

    /// A version-1 root with consistent snapshots, the given keys for each top-level role
    /// (`root`, `timestamp`, `snapshot`, `targets`, all required), expiring at `expires`.
    pub fn create(roles: &BTreeMap<String, RoleSetup>, expires: DateTime<Utc>) -> TufResult<Root> {
        let mut root = Root {
            common: common("root", 1, expires),
            consistent_snapshot: true,
            keys: BTreeMap::new(),
            roles: BTreeMap::new(),
        };
        root.set_roles(roles)?;
        Ok(root)
    }

    /// The next root version: same keys except for the roles in `changes`, which get new
    /// keys and thresholds. Sign it with [`sign_root_rotation`].
    pub fn rotate(&self, changes: &BTreeMap<String, RoleSetup>, expires: DateTime<Utc>) -> TufResult<Root> {
        let mut next = self.clone();
        next.common = common("root", self.common.version + 1, expires);
        let mut roles: BTreeMap<String, RoleSetup> = BTreeMap::new();
        for (name, role) in &self.roles {
            let keys = role.keyids.iter().filter_map(|id| self.keys.get(id).cloned()).collect();
            roles.insert(name.clone(), RoleSetup { keys, threshold: role.threshold });
        }
        roles.extend(changes.iter().map(|(k, v)| (k.clone(), v.clone())));
        next.set_roles(&roles)?;
        Ok(next)
    }

    fn set_roles(&mut self, roles: &BTreeMap<String, RoleSetup>) -> TufResult<()> {
        self.keys.clear();
        self.roles.clear();
        for name in TOP_LEVEL_ROLES {
            let setup =
                roles.get(name).ok_or_else(|| TufError::bad("root", format!("no keys given for role {name}")))?;
            let keyids = check_setup("root", name, setup)?;
            for key in &setup.keys {
                self.keys.insert(key.key_id(), key.clone());
            }
            self.roles.insert(name.to_string(), RoleKeys { keyids, threshold: setup.threshold });
        }
        Ok(())
    }
}

fn check_setup(role: &str, name: &str, setup: &RoleSetup) -> TufResult<Vec<String>> {
    let mut keyids: Vec<String> = setup.keys.iter().map(PublicKey::key_id).collect();
    keyids.sort();
    keyids.dedup();
    if setup.threshold < 1 || setup.threshold as usize > keyids.len() {
        return Err(TufError::bad(
            role,
            format!("role {name}: threshold {} needs between 1 and {} distinct keys", setup.threshold, keyids.len()),
        ));
    }
    Ok(keyids)
}

impl Timestamp {
    /// A timestamp listing `snapshot_bytes` as snapshot version `snapshot_version`.
    pub fn create(version: u64, expires: DateTime<Utc>, snapshot_version: u64, snapshot_bytes: &[u8]) -> Timestamp {
        Timestamp {
            common: common("timestamp", version, expires),
            snapshot: meta_file_for(snapshot_version, snapshot_bytes),
        }
    }

    /// The `signed` object of this timestamp.
    pub fn to_signed_json(&self) -> Value {
        let mut m = common_json(&self.common);
        m.insert("meta".into(), json!({"snapshot.json": self.snapshot}));
        Value::Object(m)
    }
}

impl Snapshot {
    /// A snapshot listing targets metadata files (`targets.json`, `warnings.json`, ...).
    pub fn create(version: u64, expires: DateTime<Utc>, meta: BTreeMap<String, MetaFile>) -> Snapshot {
        Snapshot { common: common("snapshot", version, expires), meta }
    }

    /// The `signed` object of this snapshot.
    pub fn to_signed_json(&self) -> Value {
        let mut m = common_json(&self.common);
        m.insert("meta".into(), serde_json::to_value(&self.meta).expect("meta serializes"));
        Value::Object(m)
    }
}

impl Targets {
    /// Targets metadata with no delegations.
    pub fn create(version: u64, expires: DateTime<Utc>, targets: BTreeMap<String, TargetFile>) -> Targets {
        Targets { common: common("targets", version, expires), targets, delegations: None }
    }

    /// The `signed` object of these targets.
    pub fn to_signed_json(&self) -> Value {
        let mut m = common_json(&self.common);
        m.insert("targets".into(), serde_json::to_value(&self.targets).expect("targets serialize"));
        if let Some(d) = &self.delegations {
            m.insert("delegations".into(), json!({"keys": keys_json(&d.keys), "roles": d.roles}));
        }
        Value::Object(m)
    }
}

impl Delegations {
    /// Delegations to `roles` (in priority order), keys taken from `keys`.
    pub fn create(keys: &[PublicKey], roles: Vec<super::metadata::DelegatedRole>) -> TufResult<Delegations> {
        let keys: BTreeMap<String, PublicKey> = keys.iter().map(|k| (k.key_id(), k.clone())).collect();
        for role in &roles {
            let known = role.keyids.iter().filter(|id| keys.contains_key(*id)).count();
            if role.threshold < 1 || role.threshold as usize > known {
                return Err(TufError::bad(
                    "targets",
                    format!("delegation {}: threshold {} but {known} of its keys are given", role.name, role.threshold),
                ));
            }
        }
        Ok(Delegations { keys, roles })
    }
}

/// The `meta` entry (version, length, sha256 and sha512) for a metadata file.
pub fn meta_file_for(version: u64, bytes: &[u8]) -> MetaFile {
    MetaFile { version, length: Some(bytes.len() as u64), hashes: Some(hashes_of(bytes)) }
}

/// The target entry (length, sha256 and sha512, custom data) for a file.
pub fn target_file_for(bytes: &[u8], custom: Option<Value>) -> TargetFile {
    TargetFile { length: bytes.len() as u64, hashes: hashes_of(bytes), custom }
}

/// Signs `signed` with each key (duplicates by key id sign once) and returns the metadata
/// file: pretty JSON with a trailing newline.
pub fn sign_metadata(role: &str, signed: &Value, keys: &[&SigningKey]) -> TufResult<Vec<u8>> {
    let canonical = canonical::encode(signed).map_err(|e| TufError::bad(role, e))?;
    let mut signatures: Vec<Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for key in keys {
        if seen.insert(key.key_id().to_string()) {
            signatures.push(json!({"keyid": key.key_id(), "sig": hex::encode(key.sign(&canonical)?)}));
        }
    }
    let mut out =
        serde_json::to_vec_pretty(&json!({"signatures": signatures, "signed": signed})).expect("JSON serializes");
    out.push(b'\n');
    Ok(out)
}

/// Signs a new root version with the old root's keys and the new root's keys (both
/// thresholds must be met for clients to accept it).
pub fn sign_root_rotation(new_root: &Root, old_keys: &[&SigningKey], new_keys: &[&SigningKey]) -> TufResult<Vec<u8>> {
    let all: Vec<&SigningKey> = old_keys.iter().chain(new_keys).copied().collect();
    sign_metadata("root", &new_root.to_signed_json(), &all)
}

/// File name of a role's metadata in a repository: `N.root.json` for roots,
/// `timestamp.json`, and `V.<role>.json` for the others under consistent snapshots.
pub fn metadata_file_name(role: &str, version: u64, consistent_snapshot: bool) -> String {
    let base = super::store::role_file_name(role);
    match role {
        "timestamp" => base,
        "root" => format!("{version}.{base}"),
        _ if consistent_snapshot => format!("{version}.{base}"),
        _ => base,
    }
}

/// Where a target is stored under consistent snapshots: `<dir>/<hex sha256>.<name>`.
pub fn consistent_target_name(path: &str, sha256_hex: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, base)) => format!("{dir}/{sha256_hex}.{base}"),
        None => format!("{sha256_hex}.{path}"),
    }
}
