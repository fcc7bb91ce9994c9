//! What a repository offers: every dataset its signed metadata lists, verified exactly as a
//! sync verifies it (from the root installed in the database, never trusted on first use),
//! with what a person needs to choose: content, region, record count, size of a first
//! download, version, publisher, demo flag, and whether it is subscribed here. Then the
//! choice by country or by a point and radius ([`choose`]), from the signed regions.
//!
//! Listing downloads metadata only (the same files a sync reads first); nothing about the
//! person is sent, and a choice by place is made on the device.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::apply::local_version;
use super::client::HttpFetcher;
use super::content::ContentKind;
use super::entry::{check_dataset_name, from_custom, DatasetEntry};
use super::region::{region_from_name, Region, RegionSource};
use super::status;
use super::trust::DbTrustStore;
use crate::country::CountryCode;
use crate::error::Result;
use crate::geo::Point;
use crate::net::{Cancel, Http, NetConfig};
use crate::store::Store;
use crate::tuf::{ExpiryPolicy, Limits, Updater};

/// One dataset a repository offers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferedDataset {
    /// Dataset name (`directory/mx`).
    pub dataset: String,
    /// What it holds.
    pub content: ContentKind,
    /// Newest version.
    pub version: u64,
    /// Records in that version.
    pub records: u64,
    /// Bytes of a first download (the full snapshot file, compressed).
    pub download_bytes: u64,
    /// Who publishes it.
    pub publisher: Option<String>,
    /// When that version was published (signed).
    pub published: DateTime<Utc>,
    /// True for invented demo data.
    pub demo: bool,
    /// Where the data came from, with its licence.
    pub source: Option<crate::model::Source>,
    /// Where its records are (empty when unknown).
    pub region: Region,
    /// Whether the region was signed, read from the name, or is unknown.
    pub region_source: RegionSource,
    /// True when this database is subscribed to it.
    pub subscribed: bool,
    /// The version held here, if any.
    pub held_version: Option<u64>,
}

/// A target that looks like a dataset but is not offered, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedDataset {
    /// The target path.
    pub target: String,
    /// Why a sync would refuse it.
    pub reason: String,
}

/// What a repository offers, verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    /// Trusted time the metadata was judged at.
    pub trusted_now: DateTime<Utc>,
    /// Version of the trusted root after the refresh.
    pub root_version: u64,
    /// The datasets, sorted by name.
    pub datasets: Vec<OfferedDataset>,
    /// Dataset targets a sync would refuse (wrong signer, unreadable entry), not offered.
    pub refused: Vec<RefusedDataset>,
}

/// Lists what the repository at `url` offers, after verifying its metadata from the root
/// installed in `store` (the same refresh as a sync: a tampered or expired file fails the
/// whole listing and nothing is listed). Takes the sync lock: fails with
/// `SyncError::AlreadyRunning` while a sync runs on this database.
pub fn available_datasets(
    store: &Store,
    url: &str,
    net: &NetConfig,
    device_now: DateTime<Utc>,
    cancel: &Cancel,
) -> Result<Offer> {
    let _lock = super::lock::lock(store)?;
    let http = Http::new(net.clone())?;
    let time = store.trusted_time(device_now)?;
    let base = url.trim_end_matches('/').to_string();
    let fetcher = HttpFetcher::new(store, &http, &base, cancel)?;
    let mut trust = DbTrustStore::new(store);
    let mut updater = Updater::load(&trust, ExpiryPolicy::Enforce, Limits::default())?;
    let refreshed = updater.refresh(&fetcher, &mut trust, time.now);
    let refreshed = refreshed.map_err(|e| trust.take_refusal().unwrap_or_else(|| fetcher.explain(e)))?;
    let paths = updater.target_paths(&fetcher, &mut trust).map_err(|e| fetcher.explain(e))?;
    let subscribed = status::subscriptions(store)?;
    let mut offer = Offer {
        trusted_now: time.now,
        root_version: refreshed.root_version,
        datasets: Vec::new(),
        refused: Vec::new(),
    };
    for path in paths {
        // Snapshots only: a delta's name (`x.from-5`) is not a dataset name.
        let Some(dataset) = path.strip_suffix(".jsonl.zst").filter(|d| check_dataset_name(d).is_ok()) else {
            continue;
        };
        let mut refuse = |reason: String| offer.refused.push(RefusedDataset { target: path.clone(), reason });
        // THE trusted entry, by the delegation rules (a role may list paths it is not trusted for).
        let Some(info) = updater.target_info(&fetcher, &mut trust, &path).map_err(|e| fetcher.explain(e))? else {
            refuse("listed by a role that is not trusted for it".into());
            continue;
        };
        let Some(entry) = from_custom::<DatasetEntry>(info.file.custom.as_ref()).filter(|e| e.dataset == dataset)
        else {
            refuse("its signed entry is not a Faro dataset entry this version can read".into());
            continue;
        };
        let Some(content) = ContentKind::parse(&entry.content) else {
            refuse(format!("holds {:?}, which this version does not know", entry.content));
            continue;
        };
        if let Err(e) = store.read(|c| super::check_dataset_trust(c, dataset, content, &info)) {
            refuse(e.to_string());
            continue;
        }
        let (region, region_source) = match Region::from_custom(info.file.custom.as_ref()) {
            Some(r) => (r, RegionSource::Signed),
            None => match region_from_name(dataset) {
                Some(r) => (r, RegionSource::Name),
                None => (Region::default(), RegionSource::Unknown),
            },
        };
        offer.datasets.push(OfferedDataset {
            dataset: dataset.to_string(),
            content,
            version: entry.version,
            records: entry.records,
            download_bytes: info.file.length,
            publisher: entry.publisher,
            published: entry.published,
            demo: entry.demo,
            source: entry.source,
            region,
            region_source,
            subscribed: subscribed.iter().any(|s| s == dataset),
            held_version: store.read(|c| local_version(c, dataset))?,
        });
    }
    Ok(offer)
}

/// Where a person wants data for.
#[derive(Debug, Clone, PartialEq)]
pub enum RegionChoice {
    /// These countries.
    Countries(Vec<CountryCode>),
    /// Within `radius_km` of a point.
    Near {
        /// The point.
        point: Point,
        /// The radius in kilometres (above zero).
        radius_km: f64,
    },
}

/// The datasets a [`RegionChoice`] picks from an [`Offer`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Chosen {
    /// Datasets whose region matches, sorted.
    pub datasets: Vec<String>,
    /// Datasets whose region cannot answer the choice (no region at all; for a point, no
    /// signed box), so they were not picked: say so, and let the person pick by name.
    pub unplaced: Vec<String>,
}

/// Picks the datasets of `offer` for `choice`, by their regions: by country, every dataset
/// whose region names one of the countries or applies everywhere; near a point, every
/// dataset whose signed box comes within the radius, or that applies everywhere. A dataset
/// with no region is never picked (it is listed in `unplaced`), and nothing is guessed.
pub fn choose(offer: &Offer, choice: &RegionChoice) -> Chosen {
    let mut chosen = Chosen::default();
    for d in &offer.datasets {
        let r = &d.region;
        let picked = match choice {
            RegionChoice::Countries(codes) => {
                if r.countries.is_empty() && !r.everywhere {
                    None
                } else {
                    Some(codes.iter().any(|&c| r.has_country(c)))
                }
            }
            RegionChoice::Near { point, radius_km } => match r.distance_m(*point) {
                _ if r.everywhere => Some(true),
                Some(m) => Some(m <= radius_km * 1000.0),
                None => None,
            },
        };
        match picked {
            Some(true) => chosen.datasets.push(d.dataset.clone()),
            Some(false) => {}
            None => chosen.unplaced.push(d.dataset.clone()),
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(name: &str, region: Region) -> OfferedDataset {
        OfferedDataset {
            dataset: name.into(),
            content: ContentKind::Listings,
            version: 1,
            records: 1,
            download_bytes: 1,
            publisher: None,
            published: Utc::now(),
            demo: true,
            source: None,
            region,
            region_source: RegionSource::Signed,
            subscribed: false,
            held_version: None,
        }
    }

    #[test]
    fn choice_by_country_and_by_point_follows_the_regions() {
        let region = |cc: &str, bbox| Region { countries: vec![cc.into()], bbox_e6: bbox, everywhere: false };
        let offer = Offer {
            trusted_now: Utc::now(),
            root_version: 1,
            datasets: vec![
                offered("directory/gt", region("GT", Some([-91_520_000, 14_630_000, -90_500_000, 14_840_000]))),
                offered("directory/mx", region("MX", Some([-99_140_000, 14_900_000, -92_260_000, 19_440_000]))),
                offered("directory/hn", region("HN", None)),
                offered("rights/all", Region { everywhere: true, ..Region::default() }),
                offered("wikidata/missions", Region::default()),
            ],
            refused: vec![],
        };
        let mx = CountryCode::parse("mx").unwrap();
        let by_country = choose(&offer, &RegionChoice::Countries(vec![mx]));
        assert_eq!(by_country.datasets, ["directory/mx", "rights/all"]);
        assert_eq!(by_country.unplaced, ["wikidata/missions"]);
        let tapachula = Point { lat: 14.9056, lon: -92.2636 };
        let near = |km| choose(&offer, &RegionChoice::Near { point: tapachula, radius_km: km });
        assert_eq!(near(10.0).datasets, ["directory/mx", "rights/all"]);
        assert_eq!(near(150.0).datasets, ["directory/gt", "directory/mx", "rights/all"]);
        // No box: a point cannot place it, and that is said.
        assert_eq!(near(150.0).unplaced, ["directory/hn", "wikidata/missions"]);
    }
}
