//! Sealing a report to the publisher, and the receiver's key files.
//!
//! HPKE (RFC 9180) base mode with X25519-HKDF-SHA256, HKDF-SHA256 and ChaCha20-Poly1305
//! (ADR 0032): a fresh ephemeral key per report, so two reports share nothing and the phone,
//! once it has sealed a report, cannot read it back. The envelope (the POST body) is JSON:
//!
//! ```json
//! {"faro_report":1,"key_id":"<16 hex>","idempotency_key":"<32 hex>","enc":"<b64>","ct":"<b64>"}
//! ```
//!
//! The AEAD's associated data binds the idempotency key and the key id ([`aad`]): a receiver
//! that stores envelopes by idempotency key cannot be fed one report under another's key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use super::{Report, ReportError, REPORT_VERSION};
use crate::sync::receiver::{key_id, ReceiverEntry};

/// The HPKE `info` string: names the protocol and its version.
pub const INFO: &[u8] = b"faro report v1";

/// Version of the envelope format ([`Envelope::faro_report`]).
pub const ENVELOPE_VERSION: u32 = 1;

type Suite = X25519HkdfSha256;

/// A sealed report as sent over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// Envelope format version ([`ENVELOPE_VERSION`]).
    pub faro_report: u32,
    /// Which receiver key the report is sealed to.
    pub key_id: String,
    /// 16 random bytes in hex, drawn once per report: the receiver stores a report once per key.
    pub idempotency_key: String,
    /// HPKE's encapsulated ephemeral key, base64.
    pub enc: String,
    /// The sealed report (ciphertext and tag), base64.
    pub ct: String,
}

/// The associated data of a report's AEAD: `faro-report/1`, the key id, the idempotency key,
/// each ending with a newline.
pub fn aad(key_id: &str, idempotency_key: &str) -> Vec<u8> {
    format!("faro-report/{ENVELOPE_VERSION}\n{key_id}\n{idempotency_key}\n").into_bytes()
}

/// A new idempotency key: 16 bytes from the system's secure random source, in hex. Nothing
/// about the device goes into it.
pub fn new_idempotency_key() -> Result<String, ReportError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new().fill(&mut bytes).map_err(|_| bad_random())?;
    Ok(hex::encode(bytes))
}

fn bad_random() -> ReportError {
    ReportError::BadReport { field: "random".into(), reason: "the system's random source failed".into() }
}

/// Seals `report` to `receiver`'s key under `idempotency_key`; returns the envelope's bytes.
pub fn seal(report: &Report, receiver: &ReceiverEntry, idempotency_key: &str) -> Result<Vec<u8>, ReportError> {
    let public = receiver.public_key().map_err(|reason| ReportError::BadKeyFile { path: "receiver".into(), reason })?;
    let public = <Suite as Kem>::PublicKey::from_bytes(&public)
        .map_err(|e| ReportError::BadKeyFile { path: "receiver".into(), reason: e.to_string() })?;
    let plaintext = serde_json::to_vec(report).unwrap_or_default();
    let (enc, ct) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Suite>(
        &OpModeS::Base,
        &public,
        INFO,
        &plaintext,
        &aad(&receiver.key_id, idempotency_key),
    )
    .map_err(|e| ReportError::BadKeyFile { path: "receiver".into(), reason: e.to_string() })?;
    let envelope = Envelope {
        faro_report: ENVELOPE_VERSION,
        key_id: receiver.key_id.clone(),
        idempotency_key: idempotency_key.into(),
        enc: B64.encode(enc.to_bytes()),
        ct: B64.encode(ct),
    };
    Ok(serde_json::to_vec(&envelope).unwrap_or_default())
}

/// Reads an envelope's fields and checks their shape (version, hex ids), without opening it.
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope, ReportError> {
    let env: Envelope = serde_json::from_slice(bytes).map_err(|e| ReportError::BadEnvelope(e.to_string()))?;
    if env.faro_report != ENVELOPE_VERSION {
        return Err(ReportError::BadEnvelope(format!(
            "faro_report: version {} (this build reads {ENVELOPE_VERSION})",
            env.faro_report
        )));
    }
    let hex_of =
        |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex_of(&env.key_id, 16) {
        return Err(ReportError::BadEnvelope("key_id: 16 lower-case hex digits expected".into()));
    }
    if !hex_of(&env.idempotency_key, 32) {
        return Err(ReportError::BadEnvelope("idempotency_key: 32 lower-case hex digits expected".into()));
    }
    Ok(env)
}

/// The receiver's private keys, by key id (old keys stay to read reports sealed to them).
pub struct KeyRing {
    keys: BTreeMap<String, <Suite as Kem>::PrivateKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("key_ids", &self.keys.keys().collect::<Vec<_>>()).finish()
    }
}

/// A private key file (`receiver-<key id>.key`, mode 0600).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivateKeyFile {
    faro_reports_private_key: u32,
    key_id: String,
    private: String,
}

/// A public key file (`receiver-<key id>.pub.json`): what `faro publish --reports-key` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKeyFile {
    /// Format version (1).
    pub faro_reports_public_key: u32,
    /// The key's id.
    pub key_id: String,
    /// The X25519 public key, base64.
    pub key: String,
}

/// The files [`generate_keys`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFiles {
    /// The private key (0600): stays with the receiver and the people who triage reports.
    pub private: PathBuf,
    /// The public key, to publish (`faro publish --reports-key`).
    pub public: PathBuf,
    /// The key's id.
    pub key_id: String,
}

fn key_error(path: &Path, reason: impl Into<String>) -> ReportError {
    ReportError::BadKeyFile { path: path.display().to_string(), reason: reason.into() }
}

/// Makes a receiver key pair in `dir` (created if needed): 32 random bytes from the system's
/// secure source derive the X25519 pair (RFC 9180 DeriveKeyPair). Never overwrites a file.
pub fn generate_keys(dir: &Path) -> Result<KeyFiles, ReportError> {
    let mut ikm = [0u8; 32];
    SystemRandom::new().fill(&mut ikm).map_err(|_| bad_random())?;
    let (private, public) = Suite::derive_keypair(&ikm);
    let public = public.to_bytes();
    let id = key_id(&public);
    std::fs::create_dir_all(dir).map_err(|e| key_error(dir, e.to_string()))?;
    let private_path = dir.join(format!("receiver-{id}.key"));
    let public_path = dir.join(format!("receiver-{id}.pub.json"));
    for p in [&private_path, &public_path] {
        if p.exists() {
            return Err(key_error(p, "already exists; not overwritten"));
        }
    }
    let private_file =
        PrivateKeyFile { faro_reports_private_key: 1, key_id: id.clone(), private: B64.encode(private.to_bytes()) };
    let public_file = PublicKeyFile { faro_reports_public_key: 1, key_id: id.clone(), key: B64.encode(public) };
    let write = |path: &Path, bytes: Vec<u8>, private: bool| {
        crate::tuf::store::write_atomically(path, &bytes, private).map_err(|e| key_error(path, e.to_string()))
    };
    write(&private_path, serde_json::to_vec_pretty(&private_file).unwrap_or_default(), true)?;
    write(&public_path, serde_json::to_vec_pretty(&public_file).unwrap_or_default(), false)?;
    Ok(KeyFiles { private: private_path, public: public_path, key_id: id })
}

/// Reads a public key file and checks that its id is its key's.
pub fn read_public_key(path: &Path) -> Result<PublicKeyFile, ReportError> {
    let bytes = std::fs::read(path).map_err(|e| key_error(path, e.to_string()))?;
    let file: PublicKeyFile = serde_json::from_slice(&bytes)
        .map_err(|e| key_error(path, format!("not a Faro receiver public key file ({e})")))?;
    let key = B64.decode(file.key.trim()).map_err(|e| key_error(path, format!("key: not base64 ({e})")))?;
    if key.len() != 32 || key_id(&key) != file.key_id {
        return Err(key_error(path, "key_id does not match the key, or the key is not 32 bytes"));
    }
    Ok(file)
}

impl KeyRing {
    /// Every `*.key` file of `dir`. A key file that cannot be read is an error naming it; a
    /// directory with no key is an error too.
    pub fn load(dir: &Path) -> Result<KeyRing, ReportError> {
        let entries = std::fs::read_dir(dir).map_err(|e| key_error(dir, e.to_string()))?;
        let mut keys = BTreeMap::new();
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "key")) {
            let bytes = std::fs::read(&path).map_err(|e| key_error(&path, e.to_string()))?;
            let file: PrivateKeyFile = serde_json::from_slice(&bytes)
                .map_err(|e| key_error(&path, format!("not a Faro receiver private key file ({e})")))?;
            let raw = B64.decode(file.private.trim()).map_err(|e| key_error(&path, format!("private: {e}")))?;
            let private =
                <Suite as Kem>::PrivateKey::from_bytes(&raw).map_err(|e| key_error(&path, format!("private: {e}")))?;
            let id = key_id(&Suite::sk_to_pk(&private).to_bytes());
            if id != file.key_id {
                return Err(key_error(&path, "key_id does not match the private key"));
            }
            keys.insert(id, private);
        }
        if keys.is_empty() {
            return Err(key_error(dir, "holds no receiver key (*.key); make one with faro reports keygen"));
        }
        Ok(KeyRing { keys })
    }

    /// The ids of the keys held.
    pub fn key_ids(&self) -> Vec<String> {
        self.keys.keys().cloned().collect()
    }

    /// Opens an envelope: parses it, finds its key, decrypts it with the bound associated
    /// data, and reads the report inside.
    pub fn open(&self, bytes: &[u8]) -> Result<(Envelope, Report), ReportError> {
        let env = parse_envelope(bytes)?;
        let private =
            self.keys.get(&env.key_id).ok_or_else(|| ReportError::UnknownKey { key_id: env.key_id.clone() })?;
        let cannot = || ReportError::CannotOpen { key_id: env.key_id.clone() };
        let enc = B64.decode(&env.enc).map_err(|_| ReportError::BadEnvelope("enc: not base64".into()))?;
        let ct = B64.decode(&env.ct).map_err(|_| ReportError::BadEnvelope("ct: not base64".into()))?;
        let enc = <Suite as Kem>::EncappedKey::from_bytes(&enc).map_err(|_| cannot())?;
        let plain = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Suite>(
            &OpModeR::Base,
            private,
            &enc,
            INFO,
            &ct,
            &aad(&env.key_id, &env.idempotency_key),
        )
        .map_err(|_| cannot())?;
        let report: Report = serde_json::from_slice(&plain)
            .map_err(|e| ReportError::BadEnvelope(format!("decrypts, but holds no Faro report: {e}")))?;
        if report.v != REPORT_VERSION {
            return Err(ReportError::BadEnvelope(format!(
                "report version {} (this build reads {REPORT_VERSION})",
                report.v
            )));
        }
        Ok((env, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::{build_report, ReportDraft, ReportKind};
    use crate::sync::receiver::DEFAULT_MAX_BYTES;

    fn receiver(dir: &Path) -> (ReceiverEntry, KeyFiles) {
        let files = generate_keys(dir).unwrap();
        let public = read_public_key(&files.public).unwrap();
        let entry = ReceiverEntry {
            url: "https://reports.example/in".into(),
            key: public.key,
            key_id: public.key_id,
            max_bytes: DEFAULT_MAX_BYTES,
        };
        (entry, files)
    }

    fn report() -> Report {
        let draft = ReportDraft {
            kind: ReportKind::Other,
            sub_kind: None,
            text: "Demo report text".into(),
            listing: None,
            contact: None,
            place: None,
        };
        build_report(&draft, None, None, "2026-12-07T10:00:00Z".parse().unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_report_opens_only_with_its_key_and_binding() {
        let dir = tempfile::tempdir().unwrap();
        let (entry, files) = receiver(&dir.path().join("a"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files.private).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let key = new_idempotency_key().unwrap();
        let sealed = seal(&report(), &entry, &key).unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("Demo report"));
        let ring = KeyRing::load(&dir.path().join("a")).unwrap();
        let (env, opened) = ring.open(&sealed).unwrap();
        assert_eq!(opened, report());
        assert_eq!(env.idempotency_key, key);

        // Another receiver's keys: unknown id.
        receiver(&dir.path().join("b"));
        let other = KeyRing::load(&dir.path().join("b")).unwrap();
        assert!(matches!(other.open(&sealed), Err(ReportError::UnknownKey { .. })));

        // Another private key filed under the same id: does not decrypt.
        let b_key = std::fs::read_dir(dir.path().join("b"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().unwrap() == "key")
            .unwrap();
        let mut forged: serde_json::Value = serde_json::from_slice(&std::fs::read(&b_key).unwrap()).unwrap();
        forged["key_id"] = serde_json::json!(entry.key_id);
        let c = dir.path().join("c");
        std::fs::create_dir(&c).unwrap();
        std::fs::write(c.join("x.key"), serde_json::to_vec(&forged).unwrap()).unwrap();
        assert!(KeyRing::load(&c).unwrap_err().to_string().contains("does not match"));

        // The idempotency key is bound: moving the envelope under another key fails.
        let mut env: Envelope = serde_json::from_slice(&sealed).unwrap();
        env.idempotency_key = new_idempotency_key().unwrap();
        let moved = serde_json::to_vec(&env).unwrap();
        assert!(matches!(ring.open(&moved), Err(ReportError::CannotOpen { .. })));
        // One flipped bit of the ciphertext.
        let mut env: Envelope = serde_json::from_slice(&sealed).unwrap();
        let mut ct = B64.decode(&env.ct).unwrap();
        ct[3] ^= 1;
        env.ct = B64.encode(ct);
        assert!(matches!(ring.open(&serde_json::to_vec(&env).unwrap()), Err(ReportError::CannotOpen { .. })));
    }

    #[test]
    fn envelopes_are_checked_before_opening() {
        assert!(parse_envelope(b"{}").is_err());
        assert!(parse_envelope(b"not json").unwrap_err().to_string().starts_with("not a Faro report envelope"));
        let env = Envelope {
            faro_report: 2,
            key_id: "0123456789abcdef".into(),
            idempotency_key: "00".repeat(16),
            enc: String::new(),
            ct: String::new(),
        };
        assert!(parse_envelope(&serde_json::to_vec(&env).unwrap()).unwrap_err().to_string().contains("version 2"));
        let env = Envelope { faro_report: 1, idempotency_key: "../x".into(), ..env };
        assert!(parse_envelope(&serde_json::to_vec(&env).unwrap())
            .unwrap_err()
            .to_string()
            .contains("idempotency_key"));
    }

    #[test]
    fn idempotency_keys_are_random() {
        let a = new_idempotency_key().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_idempotency_key().unwrap());
    }
}
