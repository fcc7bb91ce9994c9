//! Where a dataset's records are: the countries and the bounding box its publisher signs
//! under `custom.faro_region` of the snapshot target, next to `custom.faro` (ADR 0035).
//!
//! It is a key of its own because [`super::entry::DatasetEntry`] refuses unknown fields:
//! phones already in the field would drop an entry that grew a field, while they ignore a
//! key of `custom` they do not read. [`Region`] itself ignores unknown fields, so it can grow.
//! Signed metadata is canonical JSON, which has no floats: the box is in microdegrees.
//!
//! Datasets published before this carry no region; [`region_from_name`] then reads a
//! country from the name's last segment (`directory/mx`), and nothing else is guessed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::geo::{distance_m, Point};
use crate::sync::content::ContentKind;

/// The key of `custom` that holds a [`Region`].
pub const REGION_KEY: &str = "faro_region";

/// Where a dataset's records are, as its publisher signed it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Region {
    /// Countries (ISO 3166-1 alpha-2, upper case, sorted) the records are in or apply to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// The box around every record's coordinates, `[west, south, east, north]` in
    /// microdegrees; absent when no record has coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox_e6: Option<[i64; 4]>,
    /// True when some records apply everywhere (rights articles for `"all"` countries).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub everywhere: bool,
}

/// Where a region came from, for people: signed by the publisher, read from the name, or
/// unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionSource {
    /// Signed by the publisher under `custom.faro_region`.
    Signed,
    /// Read from the country code that ends the dataset's name (`directory/mx`).
    Name,
    /// Not known: published without a region and not named after a country.
    Unknown,
}

impl Region {
    /// The region of a dataset's records (canonical record texts of content `kind`):
    /// listings by address country and coordinates, rights by their countries, warnings by
    /// their area's countries, circles and geometry.
    pub fn of_records<'a>(kind: ContentKind, records: impl IntoIterator<Item = &'a String>) -> Region {
        let mut acc = Accumulator::default();
        for text in records {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else { continue };
            match kind {
                ContentKind::Listings => {
                    acc.country(v.pointer("/address/country"));
                    acc.point(v.pointer("/location/lat"), v.pointer("/location/lon"));
                }
                ContentKind::Rights => {
                    for c in v.get("countries").and_then(|c| c.as_array()).into_iter().flatten() {
                        if c.as_str() == Some("all") {
                            acc.everywhere = true;
                        }
                        acc.country(Some(c));
                    }
                }
                ContentKind::Warnings => {
                    let area = v.get("area");
                    for c in area.and_then(|a| a.get("countries")).and_then(|c| c.as_array()).into_iter().flatten() {
                        acc.country(Some(c));
                    }
                    for c in area.and_then(|a| a.get("circles")).and_then(|c| c.as_array()).into_iter().flatten() {
                        acc.circle(c);
                    }
                    if let Some(g) = area.and_then(|a| a.pointer("/geometry/coordinates")) {
                        acc.positions(g);
                    }
                }
            }
        }
        acc.finish()
    }

    /// Reads the region signed in a target's `custom`; `None` when there is none (or it is
    /// not one this build can read).
    pub fn from_custom(custom: Option<&serde_json::Value>) -> Option<Region> {
        serde_json::from_value(custom?.get(REGION_KEY)?.clone()).ok()
    }

    /// The box as degrees, when there is one.
    pub fn bbox(&self) -> Option<crate::geo::BBox> {
        let [w, s, e, n] = self.bbox_e6?;
        let deg = |v: i64| v as f64 / 1e6;
        Some(crate::geo::BBox { min_lat: deg(s), max_lat: deg(n), min_lon: deg(w), max_lon: deg(e) })
    }

    /// True when the region names `country` (or applies everywhere).
    pub fn has_country(&self, country: CountryCode) -> bool {
        self.everywhere || self.countries.iter().any(|c| c == country.as_str())
    }

    /// Distance in metres from `point` to the nearest point of the box (0 inside it);
    /// `None` without a box.
    pub fn distance_m(&self, point: Point) -> Option<f64> {
        let b = self.bbox()?;
        let nearest = Point { lat: point.lat.clamp(b.min_lat, b.max_lat), lon: point.lon.clamp(b.min_lon, b.max_lon) };
        Some(distance_m(point, nearest))
    }
}

/// The region a dataset's name gives: its last segment when that is a country code
/// (`directory/mx` -> MX); `None` otherwise.
pub fn region_from_name(dataset: &str) -> Option<Region> {
    let last = dataset.rsplit('/').next()?;
    let code = CountryCode::parse(last).filter(|_| last.len() == 2)?;
    Some(Region { countries: vec![code.as_str().to_string()], bbox_e6: None, everywhere: false })
}

#[derive(Default)]
struct Accumulator {
    countries: BTreeSet<String>,
    bbox: Option<[f64; 4]>,
    everywhere: bool,
}

impl Accumulator {
    fn country(&mut self, v: Option<&serde_json::Value>) {
        if let Some(code) = v.and_then(|v| v.as_str()).and_then(CountryCode::parse) {
            self.countries.insert(code.as_str().to_string());
        }
    }

    fn point(&mut self, lat: Option<&serde_json::Value>, lon: Option<&serde_json::Value>) {
        let (Some(lat), Some(lon)) = (lat.and_then(|v| v.as_f64()), lon.and_then(|v| v.as_f64())) else { return };
        let Some(p) = Point::new(lat, lon) else { return };
        let b = self.bbox.get_or_insert([p.lon, p.lat, p.lon, p.lat]);
        *b = [b[0].min(p.lon), b[1].min(p.lat), b[2].max(p.lon), b[3].max(p.lat)];
    }

    /// A warning's circle (`lat`, `lon`, `radius_km`): the box around all of it.
    fn circle(&mut self, c: &serde_json::Value) {
        let num = |k: &str| c.get(k).and_then(|v| v.as_f64());
        let (Some(lat), Some(lon)) = (num("lat"), num("lon")) else { return };
        let Some(center) = Point::new(lat, lon) else { return };
        for b in crate::geo::bounding_boxes(center, num("radius_km").unwrap_or(0.0).max(0.0) * 1000.0) {
            self.point(Some(&b.min_lat.into()), Some(&b.min_lon.into()));
            self.point(Some(&b.max_lat.into()), Some(&b.max_lon.into()));
        }
    }

    /// Every `[lon, lat]` position in nested GeoJSON coordinate arrays.
    fn positions(&mut self, v: &serde_json::Value) {
        let Some(items) = v.as_array() else { return };
        match items.as_slice() {
            [lon, lat] if lon.is_number() && lat.is_number() => self.point(Some(lat), Some(lon)),
            _ => items.iter().for_each(|i| self.positions(i)),
        }
    }

    fn finish(self) -> Region {
        // Rounded outwards, so that every record stays inside the signed box.
        let bbox_e6 = self.bbox.map(|[w, s, e, n]| {
            let down = |v: f64| (v * 1e6).floor() as i64;
            let up = |v: f64| (v * 1e6).ceil() as i64;
            [down(w), down(s), up(e), up(n)]
        });
        Region { countries: self.countries.into_iter().collect(), bbox_e6, everywhere: self.everywhere }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(cc: &str, lat: f64, lon: f64) -> String {
        serde_json::json!({"id": "demo:x", "address": {"country": cc}, "location": {"lat": lat, "lon": lon}})
            .to_string()
    }

    #[test]
    fn listings_give_countries_and_a_box_that_holds_every_point() {
        let recs = [listing("mx", 14.9056, -92.2636), listing("MX", 19.4326, -99.1332)];
        let r = Region::of_records(ContentKind::Listings, &recs);
        assert_eq!(r.countries, ["MX"]);
        assert_eq!(r.bbox_e6, Some([-99_133_200, 14_905_600, -92_263_600, 19_432_600]));
        assert!(!r.everywhere);
        assert_eq!(r.distance_m(Point { lat: 16.0, lon: -95.0 }), Some(0.0));
        let d = r.distance_m(Point { lat: 14.6349, lon: -90.5069 }).unwrap();
        assert!((185_000.0..195_000.0).contains(&d), "{d}");
        // Round trip through custom, next to (not inside) custom.faro.
        let custom = serde_json::json!({"faro": {}, REGION_KEY: r});
        assert_eq!(Region::from_custom(Some(&custom)), Some(r));
        assert_eq!(Region::from_custom(Some(&serde_json::json!({"faro": {}}))), None);
    }

    #[test]
    fn rights_and_warnings_have_regions_too() {
        let rights = [serde_json::json!({"countries": ["all", "gt"]}).to_string()];
        let r = Region::of_records(ContentKind::Rights, &rights);
        assert!(r.everywhere && r.countries == ["GT"] && r.bbox_e6.is_none(), "{r:?}");
        assert!(r.has_country(CountryCode::parse("br").unwrap()));
        let warning = serde_json::json!({"area": {"countries": ["MX"], "circles": [{"lat": 14.7, "lon": -92.1, "radius_km": 0.0}],
            "geometry": {"type": "Polygon", "coordinates": [[[-92.3, 14.6], [-92.0, 14.6], [-92.0, 14.8], [-92.3, 14.6]]]}}});
        let r = Region::of_records(ContentKind::Warnings, &[warning.to_string()]);
        assert_eq!(r.countries, ["MX"]);
        assert_eq!(r.bbox_e6, Some([-92_300_000, 14_600_000, -92_000_000, 14_800_000]));
    }

    #[test]
    fn old_datasets_get_a_country_only_from_their_name() {
        assert_eq!(region_from_name("directory/gt").unwrap().countries, ["GT"]);
        assert_eq!(region_from_name("rights/all"), None);
        assert_eq!(region_from_name("wikidata/missions"), None);
        assert_eq!(region_from_name("directory/zz"), None);
        assert_eq!(region_from_name("osm/mx-south"), None);
    }
}
