//! The publisher's report receiver, as the signed targets metadata names it: the target
//! [`RECEIVER_TARGET`] whose `custom.faro_reports` gives the receiver's URL, its X25519 public
//! key (for HPKE sealing, see `reports`) and the largest envelope it takes. Being inside the
//! top-level targets metadata, the URL and the key are as trustworthy as the targets key: a
//! server the publisher did not name can neither collect reports nor swap the key.
//!
//! A new target and a new custom key (not a field of [`super::entry::DatasetEntry`], which
//! old phones read with `deny_unknown_fields`): old phones ignore it. Each verified sync or
//! bundle import replaces the stored entry (or clears it when the repository no longer names
//! a receiver).

use ring::digest;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::status::{get_meta, set_meta};
use crate::error::Result;
use crate::tuf::{Fetcher, TrustStore, Updater};

/// Target path of the receiver's entry in the top-level targets metadata.
pub const RECEIVER_TARGET: &str = "reports/receiver.json";

/// Key of the receiver's fields inside the target's `custom` object.
pub const CUSTOM_KEY: &str = "faro_reports";

/// Default largest envelope a receiver takes, in bytes.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024;

/// The `meta` key under which a phone keeps the verified entry (JSON).
const META_KEY: &str = "reports_receiver";

/// Where reports go and whom they are sealed to (`custom.faro_reports` of [`RECEIVER_TARGET`]).
/// Unknown fields are ignored so that a later publisher may add some without breaking phones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiverEntry {
    /// The URL reports are POSTed to: `https://`, or `http://` to a loopback address only.
    pub url: String,
    /// The receiver's X25519 public key, 32 bytes in standard base64.
    pub key: String,
    /// [`key_id`] of `key`: names the private key the receiver needs.
    pub key_id: String,
    /// Largest envelope the receiver takes, in bytes.
    pub max_bytes: u64,
}

/// The id of an X25519 public key: the first 8 bytes of its SHA-256, in hex (16 characters).
pub fn key_id(public: &[u8]) -> String {
    hex::encode(&digest::digest(&digest::SHA256, public).as_ref()[..8])
}

impl ReceiverEntry {
    /// The public key's 32 bytes, once [`ReceiverEntry::check`] passed.
    pub fn public_key(&self) -> std::result::Result<[u8; 32], String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.key.trim())
            .map_err(|e| format!("key: not base64 ({e})"))?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| format!("key: an X25519 public key has 32 bytes, this one {}", bytes.len()))
    }

    /// Why the entry cannot be used, if it cannot: a URL that is not `https` (or `http` to a
    /// loopback host), a key that is not 32 bytes of base64, a key id that does not match
    /// the key, or a size limit under 1 KiB or over 1 MiB.
    pub fn check(&self) -> std::result::Result<(), String> {
        let url = url::Url::parse(&self.url).map_err(|e| format!("url: {e}"))?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => return Err("url: has no host".into()),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            other => {
                return Err(format!("url: must be https (http only to a loopback address for tests), not {other}"))
            }
        }
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err("url: must not carry a user name, password or fragment".into());
        }
        let key = self.public_key()?;
        if key_id(&key) != self.key_id {
            return Err(format!("key_id: {:?} is not the id of the key ({})", self.key_id, key_id(&key)));
        }
        if !(1024..=1024 * 1024).contains(&self.max_bytes) {
            return Err(format!("max_bytes: {} is outside 1024..=1048576", self.max_bytes));
        }
        Ok(())
    }

    /// The entry as a target's `custom` object.
    pub fn to_custom(&self) -> serde_json::Value {
        serde_json::json!({ CUSTOM_KEY: self })
    }
}

/// Reads and checks the receiver entry the verified targets metadata lists, if any. Only the
/// top-level targets role may name it (a delegation, e.g. the warnings signers, may not). An
/// entry this build cannot use (named by a delegation, or a URL, key or limit it refuses, or a
/// later format) counts as no receiver: reports wait, and the directory still syncs.
pub(crate) fn signed_receiver(
    updater: &mut Updater,
    fetcher: &dyn Fetcher,
    trust: &mut dyn TrustStore,
) -> Result<Option<ReceiverEntry>> {
    let Some(info) = updater.target_info(fetcher, trust, RECEIVER_TARGET)? else { return Ok(None) };
    if info.role != "targets" || info.delegator != "root" {
        return Ok(None);
    }
    let entry = info
        .file
        .custom
        .as_ref()
        .and_then(|c| c.get(CUSTOM_KEY))
        .and_then(|v| serde_json::from_value::<ReceiverEntry>(v.clone()).ok())
        .filter(|e| e.check().is_ok());
    Ok(entry)
}

/// Stores (or, with `None`, forgets) the verified receiver, inside the caller's transaction.
pub(crate) fn save(conn: &Connection, entry: Option<&ReceiverEntry>) -> Result<()> {
    match entry {
        Some(e) => set_meta(conn, META_KEY, &serde_json::to_string(e).unwrap_or_default()),
        None => {
            conn.execute("DELETE FROM meta WHERE key = ?1", [META_KEY])?;
            Ok(())
        }
    }
}

/// The receiver the last verified sync or bundle named, if any.
pub fn load(conn: &Connection) -> Result<Option<ReceiverEntry>> {
    let Some(text) = get_meta(conn, META_KEY)? else { return Ok(None) };
    Ok(serde_json::from_str::<ReceiverEntry>(&text).ok().filter(|e| e.check().is_ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn entry(url: &str) -> ReceiverEntry {
        let key = [7u8; 32];
        ReceiverEntry {
            url: url.into(),
            key: base64::engine::general_purpose::STANDARD.encode(key),
            key_id: key_id(&key),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    #[test]
    fn urls_must_be_https_or_loopback_http() {
        assert!(entry("https://reports.example/in").check().is_ok());
        assert!(entry("http://127.0.0.1:8080/reports").check().is_ok());
        assert!(entry("http://localhost:1/").check().is_ok());
        let e = entry("http://reports.example/in").check().unwrap_err();
        assert!(e.contains("must be https"), "{e}");
        assert!(entry("https://u:p@reports.example/").check().is_err());
        assert!(entry("ftp://reports.example/").check().is_err());
    }

    #[test]
    fn key_id_must_match_the_key() {
        let mut e = entry("https://reports.example/");
        e.key_id = "0000000000000000".into();
        assert!(e.check().unwrap_err().starts_with("key_id"));
        let mut e = entry("https://reports.example/");
        e.key = base64::engine::general_purpose::STANDARD.encode([1u8; 31]);
        assert!(e.check().unwrap_err().contains("32 bytes"));
    }

    #[test]
    fn unknown_fields_are_ignored_and_round_trip() {
        let e = entry("https://reports.example/");
        let mut v = e.to_custom();
        v[CUSTOM_KEY]["later"] = serde_json::json!(1);
        let back: ReceiverEntry = serde_json::from_value(v[CUSTOM_KEY].clone()).unwrap();
        assert_eq!(back, e);
    }
}
