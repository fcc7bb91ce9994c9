//! Where metadata comes from and where trusted metadata stays: the [`Fetcher`] and
//! [`TrustStore`] traits the client workflow is written against, and their directory
//! implementations ([`DirFetcher`] for a repository on disk or in an unpacked bundle,
//! [`DirTrustStore`] for a client's trusted metadata).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::{TufError, TufResult};

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The repository does not have the file (HTTP 403/404, missing file).
    NotFound,
    /// Any other failure, already worded for a person (no personal data).
    Other(String),
}

/// Transport: fetches one repository file, given its path relative to the metadata base
/// (`timestamp.json`, `3.snapshot.json`) or to the targets base (`directory/<hash>.mx`).
/// Implementations must stop reading past `max_len` bytes and may return up to
/// `max_len + 1` bytes so the caller can report the file as too large.
pub trait Fetcher {
    /// Fetches a metadata file.
    fn fetch_metadata(&self, name: &str, max_len: u64) -> Result<Vec<u8>, FetchError>;
    /// Fetches a target file whose exact length is `len`.
    fn fetch_target(&self, path: &str, len: u64) -> Result<Vec<u8>, FetchError>;
}

/// Persistence of trusted metadata between runs, by role name (`root`, `timestamp`,
/// `snapshot`, `targets`, delegated role names).
pub trait TrustStore {
    /// The stored bytes of `role`, if any.
    fn load(&self, role: &str) -> TufResult<Option<Vec<u8>>>;
    /// Replaces the stored bytes of `role`; must be atomic (all or nothing).
    fn store(&mut self, role: &str, bytes: &[u8]) -> TufResult<()>;
    /// Forgets `role` (no error if it was not stored).
    fn remove(&mut self, role: &str) -> TufResult<()>;
}

/// The file name of a role's metadata: python-tuf's `quote(role, safe="")`, so a role named
/// `a/b` is `a%2Fb.json` and can never escape its directory.
pub fn role_file_name(role: &str) -> String {
    let mut out = String::with_capacity(role.len() + 5);
    for b in role.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str(".json");
    out
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so readers see the old or the new file, never a part. `private` makes the file 0600
/// (key files); otherwise it is 0644.
pub fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = options.open(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Trusted metadata in a directory: `root.json`, `timestamp.json`, ..., `<role>.json`.
#[derive(Debug, Clone)]
pub struct DirTrustStore {
    dir: PathBuf,
}

impl DirTrustStore {
    /// Uses `dir`, creating it if needed.
    pub fn open(dir: impl Into<PathBuf>) -> TufResult<DirTrustStore> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| TufError::Store(format!("{}: {e}", dir.display())))?;
        Ok(DirTrustStore { dir })
    }

    fn path(&self, role: &str) -> PathBuf {
        self.dir.join(role_file_name(role))
    }
}

impl TrustStore for DirTrustStore {
    fn load(&self, role: &str) -> TufResult<Option<Vec<u8>>> {
        let path = self.path(role);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(TufError::Store(format!("{}: {e}", path.display()))),
        }
    }

    fn store(&mut self, role: &str, bytes: &[u8]) -> TufResult<()> {
        let path = self.path(role);
        write_atomically(&path, bytes, false).map_err(|e| TufError::Store(format!("{}: {e}", path.display())))
    }

    fn remove(&mut self, role: &str) -> TufResult<()> {
        let path = self.path(role);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(TufError::Store(format!("{}: {e}", path.display())))
            }
            _ => Ok(()),
        }
    }
}

/// A repository in a directory: metadata under `metadata_dir`, targets under `targets_dir`
/// (for a published repository, `REPO/metadata` and `REPO/targets`; for an unpacked bundle,
/// wherever it was unpacked).
#[derive(Debug, Clone)]
pub struct DirFetcher {
    metadata_dir: PathBuf,
    targets_dir: PathBuf,
}

impl DirFetcher {
    /// A fetcher reading `metadata_dir/<name>` and `targets_dir/<path>`.
    pub fn new(metadata_dir: impl Into<PathBuf>, targets_dir: impl Into<PathBuf>) -> DirFetcher {
        DirFetcher { metadata_dir: metadata_dir.into(), targets_dir: targets_dir.into() }
    }

    /// A fetcher for the usual layout `repo/metadata` and `repo/targets`.
    pub fn for_repository(repo: &Path) -> DirFetcher {
        DirFetcher::new(repo.join("metadata"), repo.join("targets"))
    }

    fn read(base: &Path, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        // Repository paths are relative and use `/`; refuse anything that could leave `base`.
        if rel.is_empty() || rel.starts_with('/') || rel.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
            return Err(FetchError::Other(format!("{rel:?} is not a safe relative repository path")));
        }
        let path = base.join(rel);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FetchError::NotFound),
            Err(e) => return Err(FetchError::Other(format!("{}: {e}", path.display()))),
        };
        let mut bytes = Vec::new();
        // Read at most one byte more than allowed, so "too large" is detectable without
        // reading a huge file.
        file.take(max_len.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| FetchError::Other(format!("{}: {e}", path.display())))?;
        Ok(bytes)
    }
}

impl Fetcher for DirFetcher {
    fn fetch_metadata(&self, name: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        DirFetcher::read(&self.metadata_dir, name, max_len)
    }

    fn fetch_target(&self, path: &str, len: u64) -> Result<Vec<u8>, FetchError> {
        DirFetcher::read(&self.targets_dir, path, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_file_names_are_quoted_like_python_tuf() {
        assert_eq!(role_file_name("warnings"), "warnings.json");
        assert_eq!(role_file_name("a/b c"), "a%2Fb%20c.json");
        assert_eq!(role_file_name(".."), "...json");
    }

    #[test]
    fn dir_trust_store_round_trips_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = DirTrustStore::open(dir.path().join("trust")).unwrap();
        assert_eq!(store.load("timestamp").unwrap(), None);
        store.store("timestamp", b"one").unwrap();
        store.store("timestamp", b"two").unwrap();
        assert_eq!(store.load("timestamp").unwrap().as_deref(), Some(&b"two"[..]));
        store.remove("timestamp").unwrap();
        store.remove("timestamp").unwrap();
        assert_eq!(store.load("timestamp").unwrap(), None);
        // Only the file itself remains in the directory: no temporary leftovers.
        store.store("a/b", b"x").unwrap();
        let names: Vec<_> =
            std::fs::read_dir(dir.path().join("trust")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a%2Fb.json")]);
    }

    #[test]
    fn dir_fetcher_caps_reads_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("metadata")).unwrap();
        std::fs::write(dir.path().join("metadata/timestamp.json"), vec![b'x'; 100]).unwrap();
        let f = DirFetcher::for_repository(dir.path());
        assert_eq!(f.fetch_metadata("timestamp.json", 10).unwrap().len(), 11);
        assert_eq!(f.fetch_metadata("timestamp.json", 1000).unwrap().len(), 100);
        assert_eq!(f.fetch_metadata("1.root.json", 10), Err(FetchError::NotFound));
        assert!(matches!(f.fetch_target("../metadata/timestamp.json", 10), Err(FetchError::Other(_))));
    }
}
