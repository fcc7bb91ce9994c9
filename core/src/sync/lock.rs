//! One sync at a time per database: an OS file lock on `<db>.sync-lock` beside the database,
//! held by `sync_from_url` and bundle imports for their whole run. Two syncs would otherwise
//! share a download file and race on the same datasets; the second is told instead. The OS
//! drops the lock when the holder ends, even by a crash, so a stale lock cannot block.

use std::fs::{File, TryLockError};
use std::path::PathBuf;

use super::SyncError;
use crate::error::{Error, Result};
use crate::store::Store;

/// Held while a sync runs; dropping it releases the lock.
pub(crate) struct SyncLock {
    file: File,
}

impl Drop for SyncLock {
    /// Unlocks before the file closes. Closing alone is not enough: a child process forked at
    /// that moment (a test starting nginx, an app starting a helper) holds a copy of the
    /// descriptor until it runs `exec`, and the lock lives as long as any copy, so the next
    /// sync was told "already running" right after this one ended.
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Takes the sync lock of `store`, or fails with [`SyncError::AlreadyRunning`] at once.
/// An exclusive, non-blocking lock through the standard library (`flock` on Linux, Android,
/// iOS and macOS).
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
    match file.try_lock() {
        Ok(()) => {
            // No apply runs in any process now: a text index scratch file is a killed one's.
            crate::store::text_aside::remove_stale(store.path());
            Ok(SyncLock { file })
        }
        Err(TryLockError::WouldBlock) => Err(SyncError::AlreadyRunning.into()),
        Err(TryLockError::Error(e)) => Err(Error::Io { path, source: e }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_the_lock_removes_what_a_killed_apply_left() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("faro.db")).unwrap();
        let left = dir.path().join("faro.db-text-build");
        std::fs::write(&left, b"half an index").unwrap();
        let _lock = lock(&store).unwrap();
        assert!(!left.exists());
    }

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

    #[test]
    fn the_lock_is_free_when_dropped_even_while_a_copy_of_its_descriptor_lives() {
        let dir = tempfile::tempdir().unwrap();
        let a = Store::open(dir.path().join("faro.db")).unwrap();
        let b = Store::open(dir.path().join("faro.db")).unwrap();
        let held = lock(&a).unwrap();
        // What a child forked at this moment holds until its exec.
        let copy = held.file.try_clone().unwrap();
        drop(held);
        lock(&b).expect("free although a copy of the descriptor is still open");
        drop(copy);
    }
}
