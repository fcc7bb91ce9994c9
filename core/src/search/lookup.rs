//! Direct lookups: one listing by id, and how many listings of each kind a region has.

use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::country::CountryCode;
use crate::error::{Error, Result};
use crate::geo::{bounding_boxes, distance_m, Point};
use crate::model::{Kind, Listing};
use crate::store::Store;

/// An area to count in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Region {
    /// The whole directory.
    All,
    /// Listings located in a country.
    Country(CountryCode),
    /// Listings within `radius_m` metres of `center`.
    Circle {
        /// Centre of the circle.
        center: Point,
        /// Radius in metres.
        radius_m: f64,
    },
}

/// Number of listings of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindCount {
    /// The kind.
    pub kind: Kind,
    /// How many listings (closed ones excluded).
    pub count: u64,
}

impl Store {
    /// The listing with `id`, or [`Error::NotFound`].
    pub fn get(&self, id: &str) -> Result<Listing> {
        self.read(|conn| {
            let record: Option<String> = conn
                .prepare_cached(
                    "SELECT r.record FROM listings l JOIN listing_records r ON r.listing = l.rowid WHERE l.id = ?1",
                )?
                .query_row([id], |r| r.get(0))
                .optional()?;
            let record = record.ok_or_else(|| Error::NotFound(id.to_string()))?;
            serde_json::from_str(&record).map_err(|e| Error::damaged_record("listing", id, e))
        })
    }

    /// Counts listings by kind in `region`, every kind listed (zero included), closed
    /// listings excluded.
    pub fn counts(&self, region: Region) -> Result<Vec<KindCount>> {
        self.read(|conn| {
            let mut counts: Vec<KindCount> = Kind::ALL.iter().map(|&kind| KindCount { kind, count: 0 }).collect();
            let mut add = |kind: &str, n: u64| {
                if let Some(c) = counts.iter_mut().find(|c| c.kind.as_str() == kind) {
                    c.count += n;
                }
            };
            match region {
                Region::All | Region::Country(_) => {
                    let (filter, args): (&str, Vec<Value>) = match region {
                        Region::Country(c) => ("AND country = ?1", vec![Value::Text(c.as_str().to_string())]),
                        _ => ("", vec![]),
                    };
                    let sql =
                        format!("SELECT kind, count(*) FROM listings WHERE status != 'closed' {filter} GROUP BY kind");
                    let mut stmt = conn.prepare_cached(&sql)?;
                    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
                    while let Some(row) = rows.next()? {
                        add(row.get_ref(0)?.as_str().unwrap_or(""), row.get::<_, i64>(1)? as u64);
                    }
                }
                Region::Circle { center, radius_m } => {
                    if !(radius_m.is_finite() && radius_m > 0.0) {
                        return Err(Error::BadQuery("radius must be a positive number of metres".into()));
                    }
                    let mut args: Vec<Value> = Vec::new();
                    let inside = super::place::rowids_in(&bounding_boxes(center, radius_m), &mut args);
                    let mut stmt = conn.prepare_cached(&format!(
                        "SELECT l.kind, l.lat, l.lon FROM ({inside}) g CROSS JOIN listings l ON l.rowid = g.id
                         WHERE l.status != 'closed'"
                    ))?;
                    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
                    while let Some(row) = rows.next()? {
                        let p = Point { lat: row.get(1)?, lon: row.get(2)? };
                        if distance_m(center, p) <= radius_m {
                            add(row.get_ref(0)?.as_str().unwrap_or(""), 1);
                        }
                    }
                }
            }
            Ok(counts)
        })
    }

    /// Number of listings stored, all statuses.
    pub fn listing_count(&self) -> Result<u64> {
        self.read(|conn| Ok(conn.query_row("SELECT count(*) FROM listings", [], |r| r.get::<_, i64>(0))? as u64))
    }

    /// The dataset of the listing with `id`, and whether that dataset came signed by its
    /// publisher (a verified sync or bundle) rather than by a local import, as search hits
    /// say it: a record's own `verified` counts only when this is true. [`Error::NotFound`]
    /// when no listing has that id.
    pub fn origin(&self, id: &str) -> Result<(String, bool)> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT l.dataset, EXISTS(SELECT 1 FROM sync_datasets s WHERE s.name = l.dataset)
                 FROM listings l WHERE l.id = ?1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| Error::NotFound(id.to_string()))
        })
    }
}
