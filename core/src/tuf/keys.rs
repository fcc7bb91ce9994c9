//! Public keys as TUF metadata lists them, and signature verification with `ring`.
//!
//! Supported (keytype / scheme / `keyval.public`), as securesystemslib writes them:
//! `ed25519`/`ed25519` (32 bytes, hex), `ecdsa`/`ecdsa-sha2-nistp256` (PEM SPKI; signatures
//! are DER ASN.1), `rsa`/`rsassa-pss-sha256` and `rsa`/`rsa-pkcs1v15-sha256` (PEM SPKI,
//! 2048 to 8192 bits; PSS with a 32-byte salt, as securesystemslib signs). Signatures are
//! hex in the metadata.

use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use serde_json::{json, Value};
use spki::der::Decode;
use spki::ObjectIdentifier;

use super::canonical;
use super::error::{TufError, TufResult};

/// `id-ecPublicKey` (RFC 5480).
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / `prime256v1`.
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `rsaEncryption` (RFC 8017).
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A signature scheme Faro can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `ed25519` keytype and scheme.
    Ed25519,
    /// `ecdsa` keytype, `ecdsa-sha2-nistp256` scheme.
    EcdsaP256,
    /// `rsa` keytype, `rsassa-pss-sha256` scheme.
    RsaPssSha256,
    /// `rsa` keytype, `rsa-pkcs1v15-sha256` scheme.
    RsaPkcs1Sha256,
}

impl Scheme {
    /// The `keytype` and `scheme` strings of this scheme in TUF metadata.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Scheme::Ed25519 => ("ed25519", "ed25519"),
            Scheme::EcdsaP256 => ("ecdsa", "ecdsa-sha2-nistp256"),
            Scheme::RsaPssSha256 => ("rsa", "rsassa-pss-sha256"),
            Scheme::RsaPkcs1Sha256 => ("rsa", "rsa-pkcs1v15-sha256"),
        }
    }

    fn from_names(keytype: &str, scheme: &str) -> Option<Scheme> {
        // securesystemslib still accepts the deprecated keytype `ecdsa-sha2-nistp256`.
        match (keytype, scheme) {
            ("ed25519", "ed25519") => Some(Scheme::Ed25519),
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => Some(Scheme::EcdsaP256),
            ("rsa", "rsassa-pss-sha256") => Some(Scheme::RsaPssSha256),
            ("rsa", "rsa-pkcs1v15-sha256") => Some(Scheme::RsaPkcs1Sha256),
            _ => None,
        }
    }
}

/// A public key from metadata: its scheme, the raw key ring needs, and the JSON object it
/// was read from (kept whole, unknown fields included, so it can be written back as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    scheme: Scheme,
    /// Ed25519: 32 bytes; ECDSA: the uncompressed point; RSA: the PKCS#1 `RSAPublicKey`.
    raw: Vec<u8>,
    json: Value,
}

impl PublicKey {
    /// Parses a key object (`{"keytype", "scheme", "keyval": {"public"}}`); `keyid` only
    /// names the key in errors.
    pub fn from_json(keyid: &str, json: &Value) -> TufResult<PublicKey> {
        let bad = |reason: String| TufError::BadKey { keyid: keyid.to_string(), reason };
        let field = |name: &str| {
            json.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("field {name} is missing or not a string")))
        };
        let keytype = field("keytype")?;
        let scheme_name = field("scheme")?;
        let public = json
            .get("keyval")
            .and_then(|kv| kv.get("public"))
            .and_then(Value::as_str)
            .ok_or_else(|| bad("field keyval.public is missing or not a string".into()))?;
        let scheme = Scheme::from_names(keytype, scheme_name)
            .ok_or_else(|| bad(format!("unsupported keytype/scheme {keytype}/{scheme_name}")))?;
        let raw = match scheme {
            Scheme::Ed25519 => {
                let raw = hex::decode(public).map_err(|e| bad(format!("keyval.public is not hex: {e}")))?;
                if raw.len() != 32 {
                    return Err(bad(format!("ed25519 public key has {} bytes, expected 32", raw.len())));
                }
                raw
            }
            Scheme::EcdsaP256 => spki_key(public, OID_EC_PUBLIC_KEY, Some(OID_P256)).map_err(bad)?,
            Scheme::RsaPssSha256 | Scheme::RsaPkcs1Sha256 => spki_key(public, OID_RSA, None).map_err(bad)?,
        };
        Ok(PublicKey { scheme, raw, json: json.clone() })
    }

    /// Builds the metadata form of a key from its scheme and `keyval.public` string.
    pub fn from_public(scheme: Scheme, public: &str) -> TufResult<PublicKey> {
        let (keytype, scheme_name) = scheme.names();
        PublicKey::from_json(
            "(new key)",
            &json!({"keytype": keytype, "scheme": scheme_name, "keyval": {"public": public}}),
        )
    }

    /// The key's scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The key object as found in (or written to) metadata.
    pub fn to_json(&self) -> &Value {
        &self.json
    }

    /// The default key id: hex SHA-256 of the canonical JSON of `keytype`, `scheme` and
    /// `keyval`, as securesystemslib computes it. Clients must not recompute ids of keys
    /// they read (metadata is free to choose ids); this is for keys Faro creates.
    pub fn key_id(&self) -> String {
        let subset = json!({
            "keytype": self.json["keytype"],
            "scheme": self.json["scheme"],
            "keyval": self.json["keyval"],
        });
        let bytes = canonical::encode(&subset).expect("key fields are strings");
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &bytes))
    }

    /// Whether `signature` is a valid signature of `message` by this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let algorithm: &'static dyn VerificationAlgorithm = match self.scheme {
            Scheme::Ed25519 => &signature::ED25519,
            Scheme::EcdsaP256 => &signature::ECDSA_P256_SHA256_ASN1,
            Scheme::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
            Scheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        };
        UnparsedPublicKey::new(algorithm, &self.raw).verify(message, signature).is_ok()
    }
}

/// Decodes a PEM `PUBLIC KEY` (SPKI), checks its algorithm (and curve), and returns the
/// bit string ring wants.
fn spki_key(pem: &str, algorithm: ObjectIdentifier, curve: Option<ObjectIdentifier>) -> Result<Vec<u8>, String> {
    let (label, der) = pem_rfc7468_decode(pem).map_err(|e| format!("keyval.public is not a PEM public key: {e}"))?;
    if label != "PUBLIC KEY" {
        return Err(format!("keyval.public is a PEM {label:?}, expected \"PUBLIC KEY\""));
    }
    let info = spki::SubjectPublicKeyInfoRef::from_der(&der)
        .map_err(|e| format!("keyval.public is not a SubjectPublicKeyInfo: {e}"))?;
    if info.algorithm.oid != algorithm {
        return Err(format!("keyval.public has algorithm {}, expected {algorithm}", info.algorithm.oid));
    }
    if let Some(curve) = curve {
        let got = info.algorithm.parameters_oid().map_err(|e| format!("keyval.public names no curve: {e}"))?;
        if got != curve {
            return Err(format!("keyval.public is on curve {got}, only P-256 ({curve}) is supported"));
        }
    }
    info.subject_public_key
        .as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| "keyval.public has a bit string with unused bits".to_string())
}

fn pem_rfc7468_decode(pem: &str) -> Result<(String, Vec<u8>), String> {
    // Some tools end PEM text with extra blank lines or use CRLF; RFC 7468 decoding is strict.
    let normalized = pem.replace("\r\n", "\n");
    let trimmed = normalized.trim();
    let (label, der) = spki::der::pem::decode_vec(trimmed.as_bytes()).map_err(|e| e.to_string())?;
    Ok((label.to_string(), der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_key_id_matches_securesystemslib() {
        // Key id printed by python securesystemslib 1.6.0 for this key
        // (`SSlibKey.from_dict`; `compute_default_keyid`).
        let key =
            PublicKey::from_public(Scheme::Ed25519, "4e3fd4b4e3c49b1d1ee9ae4fa6a5a9a6b6f2a2a6c06dbb0c1ab3d1b7b0f1fb5f")
                .unwrap();
        assert_eq!(key.key_id(), KEYID_FIXTURE);
    }
    const KEYID_FIXTURE: &str = "8544bca925c59b2a070aad367abd3df033a40d9d2848cfabcb7f04153d308437";

    /// Keys and signatures made by python securesystemslib / `cryptography`
    /// (tests/tuf_interop/make_fixtures.py), one per scheme.
    #[test]
    fn verifies_signatures_made_by_securesystemslib() {
        let fixtures: Value =
            serde_json::from_str(include_str!("../../../tests/tuf_interop/fixtures/signatures.json")).unwrap();
        let message = canonical::encode(&fixtures["message"]).unwrap();
        assert_eq!(message, fixtures["canonical"].as_str().unwrap().as_bytes(), "canonical JSON differs from python");
        let mut schemes = Vec::new();
        for case in fixtures["cases"].as_array().unwrap() {
            let key = PublicKey::from_json("fixture", &case["key"]).unwrap();
            let sig = hex::decode(case["sig"].as_str().unwrap()).unwrap();
            assert!(key.verify(&message, &sig), "{:?}", key.scheme());
            let mut tampered = message.clone();
            tampered[5] ^= 1;
            assert!(!key.verify(&tampered, &sig), "{:?}", key.scheme());
            assert_eq!(key.key_id(), case["keyid"].as_str().unwrap(), "{:?}", key.scheme());
            schemes.push(key.scheme());
        }
        assert_eq!(schemes, [Scheme::Ed25519, Scheme::EcdsaP256, Scheme::RsaPssSha256, Scheme::RsaPkcs1Sha256]);
    }

    #[test]
    fn a_signature_of_one_rsa_padding_does_not_verify_under_the_other() {
        let fixtures: Value =
            serde_json::from_str(include_str!("../../../tests/tuf_interop/fixtures/signatures.json")).unwrap();
        let message = canonical::encode(&fixtures["message"]).unwrap();
        let pss = &fixtures["cases"][2];
        let mut as_pkcs1 = pss["key"].clone();
        as_pkcs1["scheme"] = json!("rsa-pkcs1v15-sha256");
        let key = PublicKey::from_json("fixture", &as_pkcs1).unwrap();
        assert!(!key.verify(&message, &hex::decode(pss["sig"].as_str().unwrap()).unwrap()));
    }

    #[test]
    fn bad_keys_are_named() {
        let e =
            PublicKey::from_json("k1", &json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "zz"}}))
                .unwrap_err();
        assert!(e.to_string().starts_with("key k1: keyval.public is not hex"), "{e}");
        let e = PublicKey::from_json("k2", &json!({"keytype": "dsa", "scheme": "x", "keyval": {"public": "00"}}))
            .unwrap_err();
        assert!(e.to_string().contains("unsupported keytype/scheme dsa/x"), "{e}");
        let e = PublicKey::from_json(
            "k3",
            &json!({"keytype": "rsa", "scheme": "rsassa-pss-sha256", "keyval": {"public": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("key k3: keyval.public is not a SubjectPublicKeyInfo"), "{e}");
    }
}
