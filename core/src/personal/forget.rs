//! [`forget_personal_data`]: one call that erases everything personal on the device, with no
//! key needed (a person at a checkpoint may not be able to unlock anything), and leaves the
//! synced directory as it was.
//!
//! The personal-data file and its SQLite companions are overwritten with zeros, flushed, then
//! removed. On flash storage (every phone) the overwrite may land on new blocks while the old
//! ones wait for the controller to reclaim them: it helps on some storage and is no guarantee.
//! What protects the data is that it was only ever written sealed, and that the app deletes
//! the key from Keystore or Keychain at the same time (`docs/privacy.md`).
//!
//! Other personal data kept elsewhere (the report outbox inside the directory database) is
//! erased by [`Eraser`]s: [`directory_erasers`] is the one list of them, so that the apps and
//! the CLI erase the same things.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::personal_error::PersonalError;
use crate::store::Store;

/// Something besides the personal-data file that holds personal data and must go with it.
pub trait Eraser {
    /// What it erases, for the report and for errors (never the data itself).
    fn what(&self) -> String;
    /// Erases it. The error names what failed, without personal data.
    fn erase(&mut self) -> Result<(), String>;
}

/// What [`forget_personal_data`] erased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Files overwritten and removed (an absent file is not listed).
    pub files_removed: Vec<PathBuf>,
    /// What the [`Eraser`]s erased, by their [`Eraser::what`].
    pub erased: Vec<String>,
}

/// The erasers of personal data kept inside the directory database `store`: the report
/// outbox (what a person reported, even sealed, says which places they knew).
pub fn directory_erasers(store: &Store) -> Vec<Box<dyn Eraser + '_>> {
    vec![Box::new(OutboxEraser(store))]
}

/// Erases the report outbox of a directory database ([`crate::reports::erase_outbox`]).
struct OutboxEraser<'a>(&'a Store);

impl Eraser for OutboxEraser<'_> {
    fn what(&self) -> String {
        "report outbox".into()
    }

    fn erase(&mut self) -> Result<(), String> {
        crate::reports::erase_outbox(self.0).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Erases the personal-data file at `path` (with its `-journal`, `-wal` and `-shm`
/// companions) and runs every eraser in `others`. Needs no key. Keeps going after a failure,
/// so that as much as possible is erased, then fails with [`PersonalError::NotErased`]
/// listing what was not. Nothing is an error when there was nothing to erase.
///
/// The file must not be open (close the [`super::PersonalStore`] first, or call
/// [`super::PersonalStore::forget`]).
pub fn forget_personal_data(path: &Path, others: &mut [&mut dyn Eraser]) -> Result<Forgotten, PersonalError> {
    let mut done = Forgotten::default();
    let mut failed = Vec::new();
    for file in companions(path) {
        match overwrite_and_remove(&file) {
            Ok(true) => done.files_removed.push(file),
            Ok(false) => {}
            Err(e) => failed.push(e.to_string()),
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The removals reach the disk now rather than at the next flush (best effort: not
        // every platform can open a directory).
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    for eraser in others.iter_mut() {
        match eraser.erase() {
            Ok(()) => done.erased.push(eraser.what()),
            Err(e) => failed.push(format!("{}: {e}", eraser.what())),
        }
    }
    if failed.is_empty() {
        Ok(done)
    } else {
        Err(PersonalError::NotErased(failed))
    }
}

/// The file and every file SQLite may keep beside it.
fn companions(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![path.to_path_buf()];
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        out.push(PathBuf::from(name));
    }
    out
}

/// Overwrites `file` with zeros, flushes it and removes it; `false` if it did not exist.
fn overwrite_and_remove(file: &Path) -> Result<bool, PersonalError> {
    let io = |source| PersonalError::Io { path: file.to_path_buf(), source };
    let len = match std::fs::symlink_metadata(file) {
        Ok(m) if m.is_file() => m.len(),
        // Not a regular file (a link someone placed): remove the entry, never write through it.
        Ok(_) => return std::fs::remove_file(file).map(|()| true).map_err(io),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(e)),
    };
    // A file that cannot be opened for writing (read-only) is still removed.
    if let Ok(mut f) = OpenOptions::new().write(true).open(file) {
        let zeros = [0u8; 64 * 1024];
        let mut left = len;
        while left > 0 {
            let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
            f.write_all(&zeros[..n]).map_err(io)?;
            left -= n as u64;
        }
        f.sync_all().map_err(io)?;
    }
    std::fs::remove_file(file).map_err(io)?;
    Ok(true)
}
