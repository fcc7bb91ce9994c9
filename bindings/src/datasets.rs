//! What a repository offers, across the FFI: every dataset with its region, size of a first
//! download and publisher, verified through TUF from the root installed on the device; and
//! subscribing by country or by a point and radius from the regions publishers sign. The
//! choice by place is made on the device: the server only sees the metadata requests.

use std::time::SystemTime;

use chrono::Utc;
use faro_core::country::CountryCode;
use faro_core::geo::Point;
use faro_core::net::Cancel;
use faro_core::sync::region::RegionSource;
use faro_core::sync::{self, ContentKind, RegionChoice as CoreChoice};

use crate::error::FaroError;
use crate::store::FaroStore;
use crate::sync::{net_config, time, SyncSettings};

/// Where a dataset's region was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RegionOrigin {
    /// Signed by the publisher with the dataset.
    Signed,
    /// Read from the country code that ends the dataset's name (`directory/mx`): published
    /// before regions were signed.
    Name,
    /// Not known: show "region unknown".
    Unknown,
}

/// A box in degrees (WGS84).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BoundingBox {
    /// Western edge (longitude).
    pub west: f64,
    /// Southern edge (latitude).
    pub south: f64,
    /// Eastern edge (longitude).
    pub east: f64,
    /// Northern edge (latitude).
    pub north: f64,
}

/// Where a dataset's records are.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DatasetRegion {
    /// Countries (ISO 3166-1 alpha-2, upper case).
    pub countries: Vec<String>,
    /// The box around every record with coordinates, when signed.
    pub bbox: Option<BoundingBox>,
    /// True when some records apply everywhere (rights for all countries).
    pub everywhere: bool,
    /// Where this region was learnt.
    pub origin: RegionOrigin,
}

/// One dataset a repository offers.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AvailableDataset {
    /// Dataset name (`directory/mx`).
    pub dataset: String,
    /// What it holds.
    pub content: ContentKind,
    /// Newest version.
    pub version: u64,
    /// Records in that version.
    pub records: u64,
    /// Bytes of a first download (the compressed full snapshot).
    pub download_bytes: u64,
    /// Who publishes it.
    pub publisher: Option<String>,
    /// When that version was published (signed).
    pub published: SystemTime,
    /// True for invented demo data.
    pub demo: bool,
    /// The data's licence, when the publisher gave it.
    pub license: Option<String>,
    /// Where its records are.
    pub region: DatasetRegion,
    /// True when this device is subscribed to it.
    pub subscribed: bool,
    /// The version held on this device, if any.
    pub held_version: Option<u64>,
}

/// Where the person wants data for.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum RegionChoice {
    /// These countries (ISO 3166-1 alpha-2, any case: `mx`, `GT`).
    Countries {
        /// The country codes.
        codes: Vec<String>,
    },
    /// Within `radius_km` of a point.
    Near {
        /// Latitude in degrees.
        lat: f64,
        /// Longitude in degrees.
        lon: f64,
        /// Radius in kilometres (above zero).
        radius_km: f64,
    },
}

/// What a subscription by region did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RegionSubscription {
    /// Datasets now subscribed for the region (sync next to fetch them).
    pub subscribed: Vec<String>,
    /// Datasets whose region could not answer (none signed; for a point, no box): not
    /// subscribed. Offer them by name if the person needs them.
    pub unplaced: Vec<String>,
}

#[uniffi::export]
impl FaroStore {
    /// Every dataset the repository at `url` offers, sorted by name, after verifying its
    /// signed metadata from the root installed here exactly as a sync does (nothing is
    /// trusted on first use; downloads metadata only). `NotVerified` when a signature, hash
    /// or version does not check (nothing is listed), `Network` when offline, `Busy` while a
    /// sync runs on this database.
    #[uniffi::method(default(settings = None))]
    pub fn available_datasets(
        &self,
        url: String,
        settings: Option<SyncSettings>,
    ) -> Result<Vec<AvailableDataset>, FaroError> {
        self.with_store("available_datasets", |store| {
            let offer = sync::available_datasets(store, &url, &net_config(settings)?, Utc::now(), &Cancel::new())?;
            Ok(offer.datasets.into_iter().map(available).collect())
        })
    }

    /// Subscribes to the datasets of the repository at `url` for `region`, by the regions
    /// their publishers signed (verified as `available_datasets` verifies them): by country,
    /// each dataset for one of the countries or for everywhere; near a point, each dataset
    /// whose records come within the radius. A dataset with no known region is never picked
    /// and is returned in `unplaced`. Then `sync(url)` fetches them. `BadInput` for an unknown
    /// country code, a point out of range or a radius not above zero, or when no dataset
    /// matches (nothing is subscribed then).
    #[uniffi::method(default(settings = None))]
    pub fn subscribe_region(
        &self,
        url: String,
        region: RegionChoice,
        settings: Option<SyncSettings>,
    ) -> Result<RegionSubscription, FaroError> {
        let choice = core_choice(region)?;
        self.with_store("subscribe_region", |store| {
            let offer = sync::available_datasets(store, &url, &net_config(settings)?, Utc::now(), &Cancel::new())?;
            let chosen = sync::choose(&offer, &choice);
            if chosen.datasets.is_empty() {
                return Err(FaroError::bad_input(format!("no dataset of {url} covers that region")));
            }
            sync::subscribe(store, &chosen.datasets)?;
            Ok(RegionSubscription { subscribed: chosen.datasets, unplaced: chosen.unplaced })
        })
    }
}

/// The core's choice for `region`, checked.
fn core_choice(region: RegionChoice) -> Result<CoreChoice, FaroError> {
    match region {
        RegionChoice::Countries { codes } if !codes.is_empty() => Ok(CoreChoice::Countries(
            codes
                .iter()
                .map(|c| {
                    CountryCode::parse(c)
                        .ok_or_else(|| FaroError::bad_input(format!("region: {c:?} is not an ISO 3166-1 country code")))
                })
                .collect::<Result<_, _>>()?,
        )),
        RegionChoice::Countries { .. } => Err(FaroError::bad_input("region: name at least one country")),
        RegionChoice::Near { lat, lon, radius_km } => {
            let point = Point::new(lat, lon)
                .ok_or_else(|| FaroError::bad_input(format!("region: {lat},{lon} is not a point in degrees")))?;
            if !(radius_km > 0.0 && radius_km.is_finite()) {
                return Err(FaroError::bad_input("region: the radius must be above zero kilometres"));
            }
            Ok(CoreChoice::Near { point, radius_km })
        }
    }
}

fn available(d: sync::OfferedDataset) -> AvailableDataset {
    let bbox =
        d.region.bbox().map(|b| BoundingBox { west: b.min_lon, south: b.min_lat, east: b.max_lon, north: b.max_lat });
    AvailableDataset {
        region: DatasetRegion {
            countries: d.region.countries,
            bbox,
            everywhere: d.region.everywhere,
            origin: match d.region_source {
                RegionSource::Signed => RegionOrigin::Signed,
                RegionSource::Name => RegionOrigin::Name,
                RegionSource::Unknown => RegionOrigin::Unknown,
            },
        },
        dataset: d.dataset,
        content: d.content,
        version: d.version,
        records: d.records,
        download_bytes: d.download_bytes,
        publisher: d.publisher,
        published: time(d.published),
        demo: d.demo,
        license: d.source.and_then(|s| s.license),
        subscribed: d.subscribed,
        held_version: d.held_version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_choices_are_checked() {
        let countries =
            |c: &[&str]| core_choice(RegionChoice::Countries { codes: c.iter().map(|s| s.to_string()).collect() });
        assert!(matches!(countries(&["mx", "GT"]), Ok(CoreChoice::Countries(c)) if c.len() == 2));
        for bad in [&["xx"][..], &[]] {
            assert!(matches!(countries(bad), Err(FaroError::BadInput { .. })));
        }
        let near = |lat, lon, radius_km| core_choice(RegionChoice::Near { lat, lon, radius_km });
        assert!(near(14.9, -92.26, 25.0).is_ok());
        for (lat, lon, km) in [(95.0, 0.0, 5.0), (14.9, -92.26, 0.0), (14.9, -92.26, f64::NAN)] {
            assert!(matches!(near(lat, lon, km), Err(FaroError::BadInput { .. })), "{lat} {lon} {km}");
        }
    }

    #[test]
    fn a_store_without_a_root_lists_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = FaroStore::open(dir.path().display().to_string()).unwrap();
        let e = store.available_datasets("http://127.0.0.1:9/".into(), None).unwrap_err();
        assert!(matches!(&e, FaroError::NotVerified { reason } if reason.contains("no trusted root")), "{e:?}");
        let choice = RegionChoice::Countries { codes: vec!["mx".into()] };
        assert!(store.subscribe_region("http://127.0.0.1:9/".into(), choice, None).is_err());
        assert!(store.subscriptions().unwrap().is_empty());
    }
}
