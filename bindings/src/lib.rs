//! `faro-ffi`: the UniFFI façade that Kotlin and Swift call. It maps the core's types to
//! small FFI records and its errors to [`FaroError`], and nothing more: all logic stays in
//! `faro-core`. This first cut exposes opening a directory, searching it and fetching a
//! listing; issue 5 adds the full surface, progress callbacks and the generated packages.
#![deny(missing_docs)]

use std::sync::Arc;

use faro_core::geo::Point;
use faro_core::search::{Query, When};
use faro_core::{Kind, LangPrefs, Store};

uniffi::setup_scaffolding!();

/// Errors a Kotlin or Swift caller can act on; `reason` is human-readable and carries no
/// personal data.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum FaroError {
    /// Input data or a query argument was rejected.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What was wrong.
        reason: String,
    },
    /// The database is damaged or was written by a newer Faro; it was left untouched.
    #[error("database unusable: {reason}")]
    Database {
        /// What was wrong.
        reason: String,
    },
    /// No listing has that id.
    #[error("not found: {reason}")]
    NotFound {
        /// The id asked for.
        reason: String,
    },
    /// Anything else (disk full, I/O).
    #[error("internal error: {reason}")]
    Internal {
        /// What happened.
        reason: String,
    },
}

impl From<faro_core::Error> for FaroError {
    fn from(e: faro_core::Error) -> Self {
        use faro_core::Error as E;
        let reason = e.to_string();
        match e {
            E::Input(_) | E::InputMany(_) | E::BadQuery(_) => FaroError::InvalidInput { reason },
            E::Corrupt { .. } | E::SchemaTooNew { .. } => FaroError::Database { reason },
            E::NotFound(_) => FaroError::NotFound { reason },
            // The sync API (issue 5) gives these their own variants.
            _ => FaroError::Internal { reason },
        }
    }
}

/// What to look for; every field is optional.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SearchRequest {
    /// Words in any language (accents and case ignored, prefixes match).
    pub text: Option<String>,
    /// Latitude of the point to search around.
    pub lat: Option<f64>,
    /// Longitude of the point to search around.
    pub lon: Option<f64>,
    /// Only within this many metres of the point.
    pub radius_m: Option<f64>,
    /// Only this kind: `consulate`, `legal_aid`, `health`, `shelter`.
    pub kind: Option<String>,
    /// Only listings open now in their own time zone.
    pub open_now: bool,
    /// Languages to show text in, most preferred first (`["ht", "fr", "es"]`).
    pub languages: Vec<String>,
    /// Most results.
    pub limit: u32,
}

/// One search result.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SearchHit {
    /// Listing id.
    pub id: String,
    /// Kind code.
    pub kind: String,
    /// Name in the best available language.
    pub name: String,
    /// Metres from the point, when one was given.
    pub distance_m: Option<f64>,
    /// Open now: true, false, or null when the hours are unknown.
    pub open: Option<bool>,
    /// Next local time (`YYYY-MM-DDTHH:MM`) the open state changes.
    pub next_change: Option<String>,
    /// True for invented demo data.
    pub demo: bool,
}

/// A local Faro directory database.
#[derive(uniffi::Object)]
pub struct Directory {
    store: Store,
}

#[uniffi::export]
impl Directory {
    /// Opens (or creates) the database at `path`.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Directory>, FaroError> {
        Ok(Arc::new(Directory { store: Store::open(path)? }))
    }

    /// Searches the directory offline.
    pub fn search(&self, request: SearchRequest) -> Result<Vec<SearchHit>, FaroError> {
        let invalid = |reason: String| FaroError::InvalidInput { reason };
        let near = match (request.lat, request.lon) {
            (Some(lat), Some(lon)) => Some(Point::new(lat, lon).ok_or_else(|| invalid("point out of range".into()))?),
            (None, None) => None,
            _ => return Err(invalid("lat and lon go together".into())),
        };
        let kinds = match request.kind.as_deref() {
            Some(k) => vec![Kind::parse(k).ok_or_else(|| invalid(format!("unknown kind {k:?}")))?],
            None => Vec::new(),
        };
        let langs = if request.languages.is_empty() {
            LangPrefs::default()
        } else {
            LangPrefs::parse_list(&request.languages.join(",")).map_err(|e| invalid(e.to_string()))?
        };
        let query = Query {
            text: request.text,
            near,
            radius_m: request.radius_m,
            kinds,
            open_only: request.open_now,
            when: When::Instant(chrono::Utc::now()),
            langs,
            limit: request.limit as usize,
            ..Query::default()
        };
        Ok(self
            .store
            .search(&query)?
            .into_iter()
            .map(|h| SearchHit {
                id: h.id,
                kind: h.kind.as_str().to_string(),
                name: h.name,
                distance_m: h.distance_m,
                open: h.open,
                next_change: h.next_change.map(|t| t.format("%Y-%m-%dT%H:%M").to_string()),
                demo: h.demo,
            })
            .collect())
    }

    /// The full listing with `id`, as its JSON record (see `docs/data-format.md`).
    pub fn listing_json(&self, id: String) -> Result<String, FaroError> {
        let listing = self.store.get(&id)?;
        Ok(faro_core::model::to_json(&listing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_actionable_variants() {
        let dir = std::env::temp_dir().join(format!("faro-ffi-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.db");
        std::fs::write(&path, b"not a database at all").unwrap();
        let err = Directory::open(path.display().to_string()).err().unwrap();
        assert!(matches!(err, FaroError::Database { .. }), "{err}");
        let good = Directory::open(dir.join("ok.db").display().to_string()).unwrap();
        let err = good.listing_json("demo:none".into()).unwrap_err();
        assert!(matches!(err, FaroError::NotFound { .. }));
        let bad = SearchRequest {
            text: None,
            lat: Some(14.9),
            lon: None,
            radius_m: None,
            kind: None,
            open_now: false,
            languages: vec![],
            limit: 5,
        };
        assert!(matches!(good.search(bad), Err(FaroError::InvalidInput { .. })));
        std::fs::remove_dir_all(&dir).ok();
    }
}
