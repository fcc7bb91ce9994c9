//! TUF metadata: the signed envelope as received, the typed roles (`Root`, `Timestamp`,
//! `Snapshot`, `Targets` with `Delegations`), and threshold signature checks.
//!
//! Signatures are checked over the canonical JSON of the `signed` object *as received*
//! (unknown fields included), never over a re-serialization of the typed structs, so
//! metadata written by other tools with extra fields verifies.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::canonical;
use super::error::{TufError, TufResult};
use super::keys::PublicKey;

/// The four top-level role names.
pub const TOP_LEVEL_ROLES: [&str; 4] = ["root", "timestamp", "snapshot", "targets"];

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Key id the signature claims.
    pub keyid: String,
    /// Raw signature bytes (hex in JSON).
    pub sig: Vec<u8>,
}

/// Metadata as received: the `signed` object, its canonical bytes and the signatures.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The `signed` object, unknown fields kept.
    pub signed: Value,
    /// Canonical JSON of `signed`: the bytes signatures cover.
    pub canonical: Vec<u8>,
    /// Signatures, at most one per key id.
    pub signatures: Vec<Signature>,
}

impl Envelope {
    /// Parses `bytes` as metadata for `role` (the name is only used in errors).
    pub fn parse(role: &str, bytes: &[u8]) -> TufResult<Envelope> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| not_json(role, bytes, &e))?;
        let Value::Object(mut top) = value else {
            return Err(TufError::bad(role, "the top level is not a JSON object"));
        };
        let signed = top.remove("signed").ok_or_else(|| TufError::bad(role, "field signed is missing"))?;
        if !signed.is_object() {
            return Err(TufError::bad(role, "field signed is not an object"));
        }
        let canonical = canonical::encode(&signed).map_err(|e| TufError::bad(role, format!("signed: {e}")))?;
        let list = top
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| TufError::bad(role, "field signatures is missing or not a list"))?;
        let mut signatures = Vec::with_capacity(list.len());
        let mut seen = HashSet::new();
        for (i, s) in list.iter().enumerate() {
            let text = |name: &str| {
                s.get(name)
                    .and_then(Value::as_str)
                    .ok_or_else(|| TufError::bad(role, format!("signatures[{i}].{name} is missing or not a string")))
            };
            let keyid = text("keyid")?.to_string();
            let sig = hex::decode(text("sig")?)
                .map_err(|e| TufError::bad(role, format!("signatures[{i}].sig is not hex: {e}")))?;
            // As python-tuf: two signatures claiming one key id make the metadata invalid.
            if !seen.insert(keyid.clone()) {
                return Err(TufError::bad(role, format!("signatures[{i}]: a second signature for key id {keyid}")));
            }
            signatures.push(Signature { keyid, sig });
        }
        Ok(Envelope { signed, canonical, signatures })
    }

    /// Checks that at least `threshold` distinct keys among `keyids` (looked up in `keys`)
    /// signed this envelope. Key ids listed twice, or two key ids naming the same key
    /// material, count once.
    pub fn verify_threshold(
        &self,
        role: &str,
        keyids: &[String],
        threshold: u64,
        keys: &BTreeMap<String, PublicKey>,
    ) -> TufResult<()> {
        let mut counted_keyids = HashSet::new();
        let mut counted_keys: Vec<&PublicKey> = Vec::new();
        for keyid in keyids {
            let Some(key) = keys.get(keyid) else { continue };
            if !counted_keyids.insert(keyid.as_str()) || counted_keys.contains(&key) {
                continue;
            }
            let Some(sig) = self.signatures.iter().find(|s| &s.keyid == keyid) else { continue };
            if key.verify(&self.canonical, &sig.sig) {
                counted_keys.push(key);
            }
        }
        let have = counted_keys.len();
        if (have as u64) < threshold {
            return Err(TufError::ThresholdNotMet { role: role.to_string(), have, need: threshold as usize });
        }
        Ok(())
    }

    /// Deserializes `signed` as `T`, naming the field path on error.
    pub fn parse_signed<T: for<'de> Deserialize<'de>>(&self, role: &str) -> TufResult<T> {
        serde_path_to_error::deserialize(&self.signed).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "signed".to_string() } else { format!("signed.{path}") };
            TufError::bad(role, format!("field {field}: {}", e.into_inner()))
        })
    }
}

/// The error for a body that is not JSON; says when it looks like an HTML page.
pub fn not_json(file: &str, bytes: &[u8], err: &serde_json::Error) -> TufError {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).map(|i| bytes[i]);
    let hint = match start {
        None => "the body is empty".to_string(),
        Some(b'<') => "it looks like an HTML page, e.g. a captive portal or a proxy error page".to_string(),
        _ => format!("{err}"),
    };
    TufError::NotJson { file: file.to_string(), hint }
}

/// Fields every role shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Common {
    /// `root`, `timestamp`, `snapshot` or `targets`.
    #[serde(rename = "_type")]
    pub kind: String,
    /// TUF specification version the metadata follows (`1.x` or `1.x.y`).
    pub spec_version: String,
    /// Version, starting at 1.
    pub version: u64,
    /// Expiry, RFC 3339 with a `Z` and no fraction (`2030-01-01T00:00:00Z`).
    #[serde(with = "tuf_time")]
    pub expires: DateTime<Utc>,
}

impl Common {
    /// Checks `_type`, `spec_version` and `version` for a role of kind `kind`.
    pub fn check(&self, role: &str, kind: &str) -> TufResult<()> {
        if self.kind != kind {
            return Err(TufError::bad(role, format!("field signed._type is {:?}, expected {kind:?}", self.kind)));
        }
        let parts: Vec<&str> = self.spec_version.split('.').collect();
        let numeric = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !(2..=3).contains(&parts.len()) || !numeric || parts[0] != "1" {
            return Err(TufError::bad(
                role,
                format!("field signed.spec_version {:?} is not a supported 1.x version", self.spec_version),
            ));
        }
        if self.version == 0 {
            return Err(TufError::bad(role, "field signed.version must be at least 1"));
        }
        Ok(())
    }

    /// Whether the role is expired at `now` (python-tuf: expired when `now >= expires`).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires
    }
}

/// `expires` as the specification writes it.
pub mod tuf_time {
    use super::*;
    use serde::{Deserializer, Serializer};

    /// The one accepted format.
    pub const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

    /// Serializes `t` in [`FORMAT`].
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format(FORMAT).to_string())
    }

    /// Parses [`FORMAT`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDateTime::parse_from_str(&text, FORMAT)
            .map(|n| n.and_utc())
            .map_err(|e| serde::de::Error::custom(format!("{text:?} is not a time like 2030-01-31T00:00:00Z ({e})")))
    }
}

/// Keys and threshold of a top-level role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleKeys {
    /// Key ids allowed to sign.
    pub keyids: Vec<String>,
    /// Number of distinct keys whose signatures are required.
    pub threshold: u64,
}

/// Root metadata.
#[derive(Debug, Clone)]
pub struct Root {
    /// Shared fields.
    pub common: Common,
    /// Whether files are fetched as `V.role.json` and `<hash>.<name>`.
    pub consistent_snapshot: bool,
    /// Keys by key id, as listed (ids are trusted, not recomputed).
    pub keys: BTreeMap<String, PublicKey>,
    /// The four top-level roles.
    pub roles: BTreeMap<String, RoleKeys>,
}

#[derive(Deserialize)]
struct RawRoot {
    #[serde(default)]
    consistent_snapshot: bool,
    keys: BTreeMap<String, Value>,
    roles: BTreeMap<String, RoleKeys>,
}

impl Root {
    /// Reads the typed root from a parsed envelope.
    pub fn from_envelope(env: &Envelope) -> TufResult<Root> {
        let common: Common = env.parse_signed("root")?;
        common.check("root", "root")?;
        let raw: RawRoot = env.parse_signed("root")?;
        let keys = parse_keys(&raw.keys)?;
        for name in TOP_LEVEL_ROLES {
            if !raw.roles.contains_key(name) {
                return Err(TufError::bad("root", format!("field signed.roles.{name} is missing")));
            }
        }
        if let Some(extra) = raw.roles.keys().find(|r| !TOP_LEVEL_ROLES.contains(&r.as_str())) {
            return Err(TufError::bad("root", format!("field signed.roles.{extra}: not a top-level role")));
        }
        for (name, role) in &raw.roles {
            check_role_keys("root", &format!("signed.roles.{name}"), &role.keyids, role.threshold)?;
        }
        Ok(Root { common, consistent_snapshot: raw.consistent_snapshot, keys, roles: raw.roles })
    }

    /// The keys and threshold of top-level `role`.
    pub fn role(&self, role: &str) -> &RoleKeys {
        &self.roles[role]
    }

    /// Checks `env` is signed by a threshold of `role`'s keys as this root lists them.
    pub fn verify(&self, role: &str, env: &Envelope) -> TufResult<()> {
        let r = self.role(role);
        env.verify_threshold(role, &r.keyids, r.threshold, &self.keys)
    }
}

fn parse_keys(raw: &BTreeMap<String, Value>) -> TufResult<BTreeMap<String, PublicKey>> {
    raw.iter().map(|(id, v)| Ok((id.clone(), PublicKey::from_json(id, v)?))).collect()
}

fn check_role_keys(role: &str, field: &str, keyids: &[String], threshold: u64) -> TufResult<()> {
    if threshold < 1 {
        return Err(TufError::bad(role, format!("field {field}.threshold must be at least 1")));
    }
    let unique: HashSet<&String> = keyids.iter().collect();
    if unique.len() != keyids.len() {
        return Err(TufError::bad(role, format!("field {field}.keyids lists a key id twice")));
    }
    Ok(())
}

/// Version, and optionally length and hashes, of a metadata file (timestamp and snapshot
/// `meta` entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaFile {
    /// Version of the file.
    pub version: u64,
    /// Exact length in bytes, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// Hex digests by algorithm, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<BTreeMap<String, String>>,
}

/// Timestamp metadata.
#[derive(Debug, Clone)]
pub struct Timestamp {
    /// Shared fields.
    pub common: Common,
    /// The `snapshot.json` entry.
    pub snapshot: MetaFile,
}

#[derive(Deserialize)]
struct RawMeta {
    meta: BTreeMap<String, MetaFile>,
}

impl Timestamp {
    /// Reads the typed timestamp from a parsed envelope.
    pub fn from_envelope(env: &Envelope) -> TufResult<Timestamp> {
        let common: Common = env.parse_signed("timestamp")?;
        common.check("timestamp", "timestamp")?;
        let mut raw: RawMeta = env.parse_signed("timestamp")?;
        let snapshot = raw
            .meta
            .remove("snapshot.json")
            .ok_or_else(|| TufError::bad("timestamp", "field signed.meta has no snapshot.json entry"))?;
        check_meta_file("timestamp", "snapshot.json", &snapshot)?;
        Ok(Timestamp { common, snapshot })
    }
}

/// Snapshot metadata.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Shared fields.
    pub common: Common,
    /// Entries by file name (`targets.json`, `warnings.json`, ...).
    pub meta: BTreeMap<String, MetaFile>,
}

impl Snapshot {
    /// Reads the typed snapshot from a parsed envelope.
    pub fn from_envelope(env: &Envelope) -> TufResult<Snapshot> {
        let common: Common = env.parse_signed("snapshot")?;
        common.check("snapshot", "snapshot")?;
        let raw: RawMeta = env.parse_signed("snapshot")?;
        for (name, file) in &raw.meta {
            check_meta_file("snapshot", name, file)?;
        }
        Ok(Snapshot { common, meta: raw.meta })
    }
}

fn check_meta_file(role: &str, name: &str, file: &MetaFile) -> TufResult<()> {
    if file.version == 0 {
        return Err(TufError::bad(role, format!("field signed.meta.{name}.version must be at least 1")));
    }
    if file.hashes.as_ref().is_some_and(BTreeMap::is_empty) {
        return Err(TufError::bad(role, format!("field signed.meta.{name}.hashes is empty")));
    }
    Ok(())
}

/// A target file entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFile {
    /// Exact length in bytes.
    pub length: u64,
    /// Hex digests by algorithm; all are checked.
    pub hashes: BTreeMap<String, String>,
    /// Application data (Faro: dataset version, record count, state hash, deltas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Value>,
}

/// A delegation from a targets role to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegatedRole {
    /// Role name (also its file name, `<name>.json`).
    pub name: String,
    /// Key ids allowed to sign.
    pub keyids: Vec<String>,
    /// Number of distinct keys required.
    pub threshold: u64,
    /// When true, a search that reaches this role does not backtrack to later roles.
    pub terminating: bool,
    /// fnmatch-style patterns, one per `/`-separated segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Hex prefixes of the SHA-256 of target paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hash_prefixes: Option<Vec<String>>,
}

/// Delegations of a targets role.
#[derive(Debug, Clone)]
pub struct Delegations {
    /// Keys of the delegated roles, by key id.
    pub keys: BTreeMap<String, PublicKey>,
    /// Roles in priority order.
    pub roles: Vec<DelegatedRole>,
}

/// Targets metadata (top-level or delegated).
#[derive(Debug, Clone)]
pub struct Targets {
    /// Shared fields.
    pub common: Common,
    /// Target files by path.
    pub targets: BTreeMap<String, TargetFile>,
    /// Delegations, when any.
    pub delegations: Option<Delegations>,
}

#[derive(Deserialize)]
struct RawDelegations {
    keys: BTreeMap<String, Value>,
    roles: Option<Vec<DelegatedRole>>,
    succinct_roles: Option<Value>,
}

#[derive(Deserialize)]
struct RawTargets {
    targets: BTreeMap<String, TargetFile>,
    delegations: Option<RawDelegations>,
}

impl Targets {
    /// Reads typed targets metadata for `role` from a parsed envelope.
    pub fn from_envelope(role: &str, env: &Envelope) -> TufResult<Targets> {
        let common: Common = env.parse_signed(role)?;
        common.check(role, "targets")?;
        let raw: RawTargets = env.parse_signed(role)?;
        for (path, file) in &raw.targets {
            if file.hashes.is_empty() {
                return Err(TufError::bad(role, format!("field signed.targets.{path}.hashes is empty")));
            }
        }
        let delegations = match raw.delegations {
            None => None,
            Some(d) => {
                if d.succinct_roles.is_some() {
                    return Err(TufError::bad(role, "succinct_roles (TAP 15) are not supported"));
                }
                let roles = d.roles.ok_or_else(|| TufError::bad(role, "field signed.delegations.roles is missing"))?;
                let mut names = HashSet::new();
                for (i, r) in roles.iter().enumerate() {
                    let field = format!("signed.delegations.roles[{i}]");
                    if r.name.is_empty() || TOP_LEVEL_ROLES.contains(&r.name.as_str()) {
                        return Err(TufError::bad(role, format!("field {field}.name {:?} is not allowed", r.name)));
                    }
                    if !names.insert(r.name.as_str()) {
                        return Err(TufError::bad(role, format!("field {field}.name {:?} is delegated twice", r.name)));
                    }
                    if r.paths.is_some() == r.path_hash_prefixes.is_some() {
                        return Err(TufError::bad(
                            role,
                            format!("field {field}: exactly one of paths and path_hash_prefixes must be set"),
                        ));
                    }
                    check_role_keys(role, &field, &r.keyids, r.threshold)?;
                }
                Some(Delegations { keys: parse_keys(&d.keys)?, roles })
            }
        };
        Ok(Targets { common, targets: raw.targets, delegations })
    }

    /// Checks `env` is signed by a threshold of the keys this role delegates `child` to.
    pub fn verify_delegate(&self, child: &DelegatedRole, env: &Envelope) -> TufResult<()> {
        let keys = self.delegations.as_ref().map(|d| &d.keys);
        let empty = BTreeMap::new();
        env.verify_threshold(&child.name, &child.keyids, child.threshold, keys.unwrap_or(&empty))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_are_called_out() {
        let body = b"  <!DOCTYPE html><html>Sign in to the Wi-Fi</html>";
        let e = Envelope::parse("timestamp.json", body).unwrap_err();
        assert!(e.to_string().contains("looks like an HTML page"), "{e}");
        let e = Envelope::parse("timestamp.json", b"").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn duplicate_signature_key_ids_are_refused() {
        let body = br#"{"signed": {"_type": "timestamp"}, "signatures": [{"keyid": "a", "sig": "00"}, {"keyid": "a", "sig": "01"}]}"#;
        let e = Envelope::parse("timestamp", body).unwrap_err();
        assert!(e.to_string().contains("a second signature for key id a"), "{e}");
    }

    #[test]
    fn threshold_counts_distinct_keys_only() {
        use crate::tuf::signing::SigningKey;
        use crate::tuf::Scheme;
        let a = SigningKey::generate(Scheme::Ed25519).unwrap();
        let b = SigningKey::generate(Scheme::Ed25519).unwrap();
        let signed = serde_json::json!({"_type": "targets", "version": 1});
        let canonical = canonical::encode(&signed).unwrap();
        let sig = |k: &SigningKey, id: &str| Signature { keyid: id.into(), sig: k.sign(&canonical).unwrap() };
        // Key a listed under its own id and under an alias id; both signatures valid.
        let keys = BTreeMap::from([
            (a.key_id().to_string(), a.public().clone()),
            ("alias".to_string(), a.public().clone()),
            (b.key_id().to_string(), b.public().clone()),
        ]);
        let env =
            Envelope { signed, canonical: canonical.clone(), signatures: vec![sig(&a, a.key_id()), sig(&a, "alias")] };
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let e = env.verify_threshold("warnings", &ids(&[a.key_id(), "alias"]), 2, &keys).unwrap_err();
        assert_eq!(e, TufError::ThresholdNotMet { role: "warnings".into(), have: 1, need: 2 });
        // A key id listed twice by the delegator counts once.
        let e = env.verify_threshold("warnings", &ids(&[a.key_id(), a.key_id()]), 2, &keys).unwrap_err();
        assert_eq!(e, TufError::ThresholdNotMet { role: "warnings".into(), have: 1, need: 2 });
        // A signature by a key the role does not list does not count; b's does.
        let mut env = env;
        env.signatures.push(sig(&b, b.key_id()));
        env.verify_threshold("warnings", &ids(&[a.key_id(), b.key_id()]), 2, &keys).unwrap();
        let e = env.verify_threshold("warnings", &ids(&[b.key_id()]), 2, &keys).unwrap_err();
        assert_eq!(e, TufError::ThresholdNotMet { role: "warnings".into(), have: 1, need: 2 });
        // A signature under the right key id but by another key does not count.
        env.signatures = vec![sig(&b, a.key_id()), sig(&b, b.key_id())];
        let e = env.verify_threshold("warnings", &ids(&[a.key_id(), b.key_id()]), 2, &keys).unwrap_err();
        assert_eq!(e, TufError::ThresholdNotMet { role: "warnings".into(), have: 1, need: 2 });
    }

    #[test]
    fn floats_in_signed_are_refused() {
        let body = br#"{"signed": {"_type": "timestamp", "x": 1.5}, "signatures": []}"#;
        let e = Envelope::parse("timestamp", body).unwrap_err();
        assert!(e.to_string().contains("$.x"), "{e}");
    }

    #[test]
    fn typed_errors_name_the_field() {
        let body = br#"{"signed": {"_type": "timestamp", "spec_version": "1.0.31", "version": 1,
            "expires": "2030-01-01T00:00:00.5Z", "meta": {}}, "signatures": []}"#;
        let env = Envelope::parse("timestamp", body).unwrap();
        let e = Timestamp::from_envelope(&env).unwrap_err();
        assert!(e.to_string().contains("expires"), "{e}");
        let body = br#"{"signed": {"_type": "timestamp", "spec_version": "2.0.0", "version": 1,
            "expires": "2030-01-01T00:00:00Z", "meta": {"snapshot.json": {"version": 1}}}, "signatures": []}"#;
        let e = Timestamp::from_envelope(&Envelope::parse("timestamp", body).unwrap()).unwrap_err();
        assert!(e.to_string().contains("spec_version \"2.0.0\""), "{e}");
        let body = br#"{"signed": {"_type": "snapshot", "spec_version": "1.0", "version": 1,
            "expires": "2030-01-01T00:00:00Z", "meta": {"snapshot.json": {"version": 1}}}, "signatures": []}"#;
        let e = Timestamp::from_envelope(&Envelope::parse("timestamp", body).unwrap()).unwrap_err();
        assert!(e.to_string().contains("_type is \"snapshot\""), "{e}");
    }
}
