//! One sync at a time per database: an OS file lock on `<db>.sync-lock` beside the database,
//! held by `sync_from_url` and bundle imports for their whole run. Two syncs would otherwise
//! share a download file and race on the same datasets; the second is told instead. The OS
//! drops the lock when the holder ends, even by a crash, so a stale lock cannot block.

use std::fs::File;
use std::path::PathBuf;

use super::SyncError;
use crate::error::{Error, Result};
use crate::store::Store;

/// Held while a sync runs; dropping it releases the lock.
pub(crate) struct SyncLock {
    _file: File,
}

/// Takes the sync lock of `store`, or fails with [`SyncError::AlreadyRunning`] at once.
pub(crate) fn lock(store: &Store) -> Result<SyncLock> {
    let mut name = store.path().as_os_str().to_owned();
    name.push(".sync-lock");
    let path = PathBuf::from(name);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::Io { path: path.clone(), source: e })?;
    if try_lock(&file).map_err(|e| Error::Io { path, source: e })? {
        Ok(SyncLock { _file: file })
    } else {
        Err(SyncError::AlreadyRunning.into())
    }
}

/// An exclusive, non-blocking `flock` (`File::try_lock` needs Rust 1.89, above the MSRV).
/// True when taken, false when another open file holds it.
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this `File` owns for the whole call.
    #[allow(unsafe_code)] // The one unsafe call in the core (ADR 0016, ADR 0025).
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Phones and the CLI run on Unix; elsewhere syncs are not serialized.
#[cfg(not(unix))]
fn try_lock(_: &File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_database_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let a = Store::open(dir.path().join("faro.db")).unwrap();
        let b = Store::open(dir.path().join("faro.db")).unwrap();
        let held = lock(&a).unwrap();
        let e = lock(&b).err().expect("refused while held");
        assert!(matches!(e, Error::Sync(SyncError::AlreadyRunning)), "{e}");
        drop(held);
        lock(&b).unwrap();
    }
}
