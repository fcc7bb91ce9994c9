//! The client's trusted TUF metadata, kept in the database (`tuf_metadata`, and every root
//! version in `tuf_roots` so that a bundle can carry the chain to phones with older roots).
//! Each store is its own small transaction: the TUF workflow persists a role as soon as it
//! verified, and a crash between two roles leaves a consistent older state.

use rusqlite::{params, OptionalExtension};

use crate::store::Store;
use crate::tuf::metadata::{Envelope, Root};
use crate::tuf::{TrustStore, TufError, TufResult};

/// [`TrustStore`] over a Faro database.
pub struct DbTrustStore<'a> {
    store: &'a Store,
}

impl<'a> DbTrustStore<'a> {
    /// Trusted metadata of `store`.
    pub fn new(store: &'a Store) -> DbTrustStore<'a> {
        DbTrustStore { store }
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
        // Roots are verified before they are stored, so the version can be read back.
        let root_version = if role == "root" {
            Some(Root::from_envelope(&Envelope::parse("root", bytes)?)?.common.version)
        } else {
            None
        };
        self.store
            .write(|c| {
                let tx = c.transaction()?;
                tx.execute("INSERT OR REPLACE INTO tuf_metadata(role, bytes) VALUES (?1, ?2)", params![role, bytes])?;
                if let Some(v) = root_version {
                    tx.execute(
                        "INSERT OR REPLACE INTO tuf_roots(version, bytes) VALUES (?1, ?2)",
                        params![v as i64, bytes],
                    )?;
                }
                tx.commit()?;
                Ok(())
            })
            .map_err(state)
    }

    fn remove(&mut self, role: &str) -> TufResult<()> {
        self.store
            .write(|c| {
                c.execute("DELETE FROM tuf_metadata WHERE role = ?1", [role])?;
                Ok(())
            })
            .map_err(state)
    }
}

/// Installs the initial trusted root in `store` (as an app ships it; no trust on first
/// use): it must be signed by its own root keys. Returns its version.
pub fn install_trusted_root(store: &Store, root_bytes: &[u8]) -> crate::Result<u64> {
    let root = crate::tuf::install_root(&mut DbTrustStore::new(store), root_bytes)?;
    Ok(root.common.version)
}
