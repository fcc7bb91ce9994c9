//! The client's trusted TUF metadata, kept in the database (`tuf_metadata`, and every root
//! version in `tuf_roots` so that a bundle can carry the chain to phones with older roots).
//! Each store is its own small transaction: the TUF workflow persists a role as soon as it
//! verified, and a crash between two roles leaves a consistent older state.

use rusqlite::{params, Connection, OptionalExtension};

use crate::store::Store;
use crate::tuf::metadata::{Envelope, Root};
use crate::tuf::{TrustStore, TufError, TufResult};

/// [`TrustStore`] over a Faro database.
pub struct DbTrustStore<'a> {
    store: &'a Store,
    /// Why the last targets metadata was refused by the warnings pin (taken by the caller
    /// to report a [`SyncError`](super::SyncError) rather than a store error).
    refused: Option<crate::Error>,
}

impl<'a> DbTrustStore<'a> {
    /// Trusted metadata of `store`.
    pub fn new(store: &'a Store) -> DbTrustStore<'a> {
        DbTrustStore { store, refused: None }
    }

    /// The refusal of the last targets metadata by the warnings pin, if any.
    pub fn take_refusal(&mut self) -> Option<crate::Error> {
        self.refused.take()
    }

    /// Every root version held, oldest first, as `(version, bytes)`.
    pub fn roots(&self) -> TufResult<Vec<(u64, Vec<u8>)>> {
        self.store
            .read(|c| {
                let mut stmt = c.prepare("SELECT version, bytes FROM tuf_roots ORDER BY version")?;
                let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .map_err(state)
    }
}

fn state(e: crate::Error) -> TufError {
    TufError::State(format!("trusted metadata store: {e}"))
}

impl TrustStore for DbTrustStore<'_> {
    fn load(&self, role: &str) -> TufResult<Option<Vec<u8>>> {
        self.store
            .read(|c| {
                Ok(c.query_row("SELECT bytes FROM tuf_metadata WHERE role = ?1", [role], |r| r.get(0)).optional()?)
            })
            .map_err(state)
    }

    fn store(&mut self, role: &str, bytes: &[u8]) -> TufResult<()> {
        // Parsed before the write, so a bad root is a TUF error, not a store error.
        if role == "root" {
            Root::from_envelope(&Envelope::parse("root", bytes)?)?;
        }
        let result = self.store.write(|c| {
            let tx = c.transaction()?;
            if role == "targets" {
                // The root is stored before targets, so this is the root it verified under.
                let root = load_role(&tx, "root")?.ok_or_else(|| TufError::State("no trusted root".into()))?;
                let version = Root::from_envelope(&Envelope::parse("root", &root)?)?.common.version;
                if let Err(e) = super::pin::check_warnings_pin(&tx, bytes, version) {
                    return Ok(Err(e));
                }
            }
            put_role(&tx, role, bytes)?;
            tx.commit()?;
            Ok(Ok(()))
        });
        match result.map_err(state)? {
            Ok(()) => Ok(()),
            Err(refused) => {
                let reason = refused.to_string();
                self.refused = Some(refused);
                Err(TufError::State(reason))
            }
        }
    }

    fn remove(&mut self, role: &str) -> TufResult<()> {
        self.store.write(|c| remove_role(c, role)).map_err(state)
    }
}

/// The trusted metadata of `role` as `conn` sees it (inside a caller's transaction).
pub(crate) fn load_role(conn: &Connection, role: &str) -> crate::Result<Option<Vec<u8>>> {
    Ok(conn.query_row("SELECT bytes FROM tuf_metadata WHERE role = ?1", [role], |r| r.get(0)).optional()?)
}

/// Stores verified metadata of `role` through `conn` (a root also joins the chain of roots),
/// so that a caller can make it part of a larger transaction.
pub(crate) fn put_role(conn: &Connection, role: &str, bytes: &[u8]) -> crate::Result<()> {
    conn.execute("INSERT OR REPLACE INTO tuf_metadata(role, bytes) VALUES (?1, ?2)", params![role, bytes])?;
    if role == "root" {
        // Roots are verified before they are stored, so the version can be read back.
        let version = Root::from_envelope(&Envelope::parse("root", bytes)?)?.common.version;
        conn.execute(
            "INSERT OR REPLACE INTO tuf_roots(version, bytes) VALUES (?1, ?2)",
            params![version as i64, bytes],
        )?;
    }
    Ok(())
}

/// Forgets the trusted metadata of `role` through `conn`.
pub(crate) fn remove_role(conn: &Connection, role: &str) -> crate::Result<()> {
    conn.execute("DELETE FROM tuf_metadata WHERE role = ?1", [role])?;
    Ok(())
}

/// Installs the initial trusted root in `store` (as an app ships it; no trust on first
/// use): it must be signed by its own root keys. Returns its version.
pub fn install_trusted_root(store: &Store, root_bytes: &[u8]) -> crate::Result<u64> {
    let root = crate::tuf::install_root(&mut DbTrustStore::new(store), root_bytes)?;
    Ok(root.common.version)
}
