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
    match file.try_lock() {
        Ok(()) => Ok(SyncLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(SyncError::AlreadyRunning.into()),
        Err(TryLockError::Error(e)) => Err(Error::Io { path, source: e }),
    }
}
