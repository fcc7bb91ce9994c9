//! The publisher's key directory (`faro keygen --out KEYDIR`): one ed25519 key file per
//! top-level role and two for the `warnings` delegation, which needs both signatures.
//! Key files are private (mode 0600); keep the root keys offline: once the repository
//! exists, `faro publish` needs only the online keys (targets, snapshot, timestamp) and the
//! warnings keys, and a key directory without `root.key.json` is enough.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::tuf::keys::{PublicKey, Scheme};
use crate::tuf::signing::SigningKey;

/// Key files a key directory holds, by role; `warnings` has two.
pub const KEY_FILES: [(&str, &str); 6] = [
    ("root", "root.key.json"),
    ("targets", "targets.key.json"),
    ("snapshot", "snapshot.key.json"),
    ("timestamp", "timestamp.key.json"),
    ("warnings", "warnings-1.key.json"),
    ("warnings", "warnings-2.key.json"),
];

/// Signatures the `warnings` delegation requires.
pub const WARNINGS_THRESHOLD: u64 = 2;

/// A publisher's signing keys.
#[derive(Debug)]
pub struct KeySet {
    /// Signs new roots: needed to create a repository and to rotate keys, not to publish.
    /// `None` when the key directory holds no root key (kept offline).
    pub root: Option<SigningKey>,
    /// Signs top-level targets (directory, rights).
    pub targets: SigningKey,
    /// Signs the snapshot.
    pub snapshot: SigningKey,
    /// Signs the timestamp.
    pub timestamp: SigningKey,
    /// The two keys of the `warnings` delegation.
    pub warnings: [SigningKey; 2],
}

impl KeySet {
    /// New random keys.
    pub fn generate() -> Result<KeySet> {
        let key = || SigningKey::generate(Scheme::Ed25519).map_err(Error::from);
        Ok(KeySet {
            root: Some(key()?),
            targets: key()?,
            snapshot: key()?,
            timestamp: key()?,
            warnings: [key()?, key()?],
        })
    }

    /// Writes the key files into `dir` (created if needed); refuses to overwrite keys.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        for (_, file) in KEY_FILES {
            let path = dir.join(file);
            if path.exists() {
                return Err(Error::Keys(format!(
                    "{} already exists; keygen never overwrites keys (choose an empty directory)",
                    path.display()
                )));
            }
        }
        for (key, (_, file)) in self.all().into_iter().zip(KEY_FILES) {
            if let Some(key) = key {
                key.save(&dir.join(file))?;
            }
        }
        Ok(())
    }

    /// Loads the key files of `dir`. The root key may be absent (kept offline); every other
    /// key file must be there.
    pub fn load(dir: &Path) -> Result<KeySet> {
        let load = |file: &str| -> Result<SigningKey> {
            let path = dir.join(file);
            if !path.exists() {
                return Err(Error::Keys(format!(
                    "{} is missing: create keys with `faro keygen --out {}`",
                    path.display(),
                    dir.display()
                )));
            }
            Ok(SigningKey::load(&path)?)
        };
        let root_path = dir.join(KEY_FILES[0].1);
        Ok(KeySet {
            root: if root_path.exists() { Some(SigningKey::load(&root_path)?) } else { None },
            targets: load(KEY_FILES[1].1)?,
            snapshot: load(KEY_FILES[2].1)?,
            timestamp: load(KEY_FILES[3].1)?,
            warnings: [load(KEY_FILES[4].1)?, load(KEY_FILES[5].1)?],
        })
    }

    /// The root key, or an error saying that `what` needs it and where it belongs.
    pub fn root_for(&self, what: &str) -> Result<&SigningKey> {
        self.root.as_ref().ok_or_else(|| {
            Error::Keys(format!(
                "{what} needs the root key ({}): bring it from where it is kept offline",
                KEY_FILES[0].1
            ))
        })
    }

    /// Every key, in [`KEY_FILES`] order (the root may be absent).
    pub fn all(&self) -> [Option<&SigningKey>; 6] {
        [
            self.root.as_ref(),
            Some(&self.targets),
            Some(&self.snapshot),
            Some(&self.timestamp),
            Some(&self.warnings[0]),
            Some(&self.warnings[1]),
        ]
    }

    /// The public key of a top-level role.
    pub fn public(&self, role: &str) -> Option<&PublicKey> {
        Some(match role {
            "root" => self.root.as_ref()?.public(),
            "targets" => self.targets.public(),
            "snapshot" => self.snapshot.public(),
            "timestamp" => self.timestamp.public(),
            _ => return None,
        })
    }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: PathBuf::from(path), source }
}
