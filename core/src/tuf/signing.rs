//! Private keys for publishers: generation with `ring`, signing, and the key file format.
//!
//! A key file is JSON, written with mode 0600:
//! ```json
//! {"keytype": "ed25519", "scheme": "ed25519", "keyid": "<hex sha256>",
//!  "keyval": {"public": "<as in metadata>"}, "private_pkcs8": "<hex of the PKCS#8 v2 document>"}
//! ```
//! `keyval.public` is what goes into metadata (hex for ed25519, a PEM SPKI for ecdsa), so
//! the public part of a key file is exactly a TUF key object. Supported: `ed25519` and
//! `ecdsa`/`ecdsa-sha2-nistp256` (signatures in DER, as securesystemslib writes them).

use std::path::Path;

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::{json, Value};
use spki::der::{asn1::BitStringRef, AnyRef, Encode};

use super::error::{TufError, TufResult};
use super::keys::{PublicKey, Scheme};

enum Pair {
    Ed25519(Ed25519KeyPair),
    EcdsaP256(EcdsaKeyPair),
}

/// A private key that can sign metadata, with its public half.
pub struct SigningKey {
    pair: Pair,
    pkcs8: Vec<u8>,
    public: PublicKey,
    keyid: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private part.
        f.debug_struct("SigningKey").field("keyid", &self.keyid).field("scheme", &self.public.scheme()).finish()
    }
}

impl SigningKey {
    /// Generates a new key of `scheme` (`Ed25519` or `EcdsaP256`) from the system RNG.
    pub fn generate(scheme: Scheme) -> TufResult<SigningKey> {
        let rng = SystemRandom::new();
        let pkcs8 = match scheme {
            Scheme::Ed25519 => Ed25519KeyPair::generate_pkcs8(&rng),
            Scheme::EcdsaP256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng),
            other => return Err(cannot_sign(other)),
        }
        .map_err(|_| TufError::BadKey { keyid: "(new key)".into(), reason: "the system RNG failed".into() })?;
        SigningKey::from_pkcs8(scheme, pkcs8.as_ref())
    }

    /// Loads a key from a PKCS#8 v2 document.
    pub fn from_pkcs8(scheme: Scheme, pkcs8: &[u8]) -> TufResult<SigningKey> {
        let bad = |reason: &str| TufError::BadKey { keyid: "(private key)".into(), reason: reason.into() };
        let (pair, public) = match scheme {
            Scheme::Ed25519 => {
                let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| bad("not an ed25519 PKCS#8 v2 key"))?;
                let public = hex::encode(pair.public_key().as_ref());
                (Pair::Ed25519(pair), public)
            }
            Scheme::EcdsaP256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &SystemRandom::new())
                    .map_err(|_| bad("not a P-256 PKCS#8 key"))?;
                let public = p256_spki_pem(pair.public_key().as_ref())?;
                (Pair::EcdsaP256(pair), public)
            }
            other => return Err(cannot_sign(other)),
        };
        let public = PublicKey::from_public(scheme, &public)?;
        let keyid = public.key_id();
        Ok(SigningKey { pair, pkcs8: pkcs8.to_vec(), public, keyid })
    }

    /// The public key, as it goes into metadata.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The key id (securesystemslib's default: SHA-256 of the canonical key object).
    pub fn key_id(&self) -> &str {
        &self.keyid
    }

    /// Signs `message`, returning the raw signature bytes.
    pub fn sign(&self, message: &[u8]) -> TufResult<Vec<u8>> {
        match &self.pair {
            Pair::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Pair::EcdsaP256(pair) => pair
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| TufError::BadKey { keyid: self.keyid.clone(), reason: "ECDSA signing failed".into() }),
        }
    }

    /// The key file's JSON (see the module docs). Contains the private key.
    pub fn to_key_file_json(&self) -> Value {
        let mut v = self.public.to_json().clone();
        v["keyid"] = json!(self.keyid);
        v["private_pkcs8"] = json!(hex::encode(&self.pkcs8));
        v
    }

    /// Reads a key file written by [`SigningKey::save`].
    pub fn load(path: &Path) -> TufResult<SigningKey> {
        let name = path.display().to_string();
        let bad = |reason: String| TufError::BadKey { keyid: name.clone(), reason };
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        let public = PublicKey::from_json(&name, &v)?;
        let private = v
            .get("private_pkcs8")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("field private_pkcs8 is missing or not a string".into()))?;
        let pkcs8 = hex::decode(private).map_err(|e| bad(format!("field private_pkcs8 is not hex: {e}")))?;
        let key = SigningKey::from_pkcs8(public.scheme(), &pkcs8).map_err(|e| bad(e.to_string()))?;
        if key.public.to_json()["keyval"] != public.to_json()["keyval"] {
            return Err(bad("keyval.public does not match the private key".into()));
        }
        Ok(key)
    }

    /// Writes the key file to `path` with mode 0600, atomically (temporary file + rename).
    pub fn save(&self, path: &Path) -> TufResult<()> {
        let text = serde_json::to_vec_pretty(&self.to_key_file_json()).expect("JSON values serialize");
        super::store::write_atomically(path, &text, true)
            .map_err(|e| TufError::BadKey { keyid: path.display().to_string(), reason: format!("cannot write: {e}") })
    }
}

fn cannot_sign(scheme: Scheme) -> TufError {
    TufError::BadKey { keyid: "(new key)".into(), reason: format!("Faro cannot sign with {scheme:?} keys") }
}

/// PEM `PUBLIC KEY` (SPKI) for an uncompressed P-256 point.
fn p256_spki_pem(point: &[u8]) -> TufResult<String> {
    let bad = |e: spki::der::Error| TufError::BadKey { keyid: "(new key)".into(), reason: format!("SPKI: {e}") };
    let curve = spki::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    let info = spki::SubjectPublicKeyInfoRef {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: spki::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
            parameters: Some(AnyRef::from(&curve)),
        },
        subject_public_key: BitStringRef::from_bytes(point).map_err(bad)?,
    };
    let der = info.to_der().map_err(bad)?;
    spki::der::pem::encode_string("PUBLIC KEY", spki::der::pem::LineEnding::LF, &der)
        .map_err(|e| TufError::BadKey { keyid: "(new key)".into(), reason: format!("PEM: {e}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify() {
        for scheme in [Scheme::Ed25519, Scheme::EcdsaP256] {
            let key = SigningKey::generate(scheme).unwrap();
            let sig = key.sign(b"hello").unwrap();
            assert!(key.public().verify(b"hello", &sig), "{scheme:?}");
            assert!(!key.public().verify(b"hellO", &sig), "{scheme:?}");
            assert_eq!(key.key_id(), key.public().key_id());
        }
    }

    #[test]
    fn key_files_round_trip_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        for (i, scheme) in [Scheme::Ed25519, Scheme::EcdsaP256].into_iter().enumerate() {
            let path = dir.path().join(format!("k{i}.json"));
            let key = SigningKey::generate(scheme).unwrap();
            key.save(&path).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            }
            let loaded = SigningKey::load(&path).unwrap();
            assert_eq!(loaded.key_id(), key.key_id());
            assert!(key.public().verify(b"m", &loaded.sign(b"m").unwrap()));
        }
    }

    #[test]
    fn a_key_file_with_a_foreign_public_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        let mut v = SigningKey::generate(Scheme::Ed25519).unwrap().to_key_file_json();
        v["keyval"]["public"] =
            json!(SigningKey::generate(Scheme::Ed25519).unwrap().public().to_json()["keyval"]["public"]);
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        let e = SigningKey::load(&path).unwrap_err();
        assert!(e.to_string().contains("does not match the private key"), "{e}");
    }
}
