//! Place checks (feature `place-checks`): coordinates inside the listing's country and a
//! time zone that keeps the clock of the place.
//!
//! Borders: OpenStreetMap's simplified country boundaries as compiled into the
//! `country-boundaries` crate (ODbL, © OpenStreetMap contributors). Time zones: the
//! timezone-boundary-builder polygons (lite) compiled into `tzf-rs`. Both are simplified, so
//! a point is accepted when the country (or the zone) lies within a margin of it:
//! [`MARGIN_LAND_KM`] when the point is on land, [`MARGIN_SEA_KM`] when it falls in the sea
//! (harbours, islands and coasts that the simplified outline cuts off).
//!
//! Two time zones are *equivalent* when they give the same UTC offset at every instant from
//! the start of the current year to [`EQUIVALENT_YEARS`] years later (sampled every 30
//! minutes): opening hours then evaluate identically, whatever the zones are called
//! (`America/Tijuana` and `America/Los_Angeles` today; a link and its target always). A zone
//! with another offset or other daylight-saving dates than the place's is refused:
//! `America/Mexico_City` for Tijuana is two hours off all year.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

use chrono::{Datelike, Duration, Offset, TimeZone, Utc};
use country_boundaries::{BoundingBox, CountryBoundaries, LatLon, BOUNDARIES_ODBL_180X90};

use super::FieldProblem;
use crate::country::CountryCode;
use crate::model::Listing;

/// Margin around a point on land, in km: the simplified borders are off by about a km.
pub const MARGIN_LAND_KM: f64 = 5.0;
/// Margin around a point that falls in the sea, in km: coasts, harbours and small islands.
pub const MARGIN_SEA_KM: f64 = 15.0;
/// Years over which two zones must agree to be equivalent.
pub const EQUIVALENT_YEARS: i32 = 2;

static BORDERS: LazyLock<Option<Borders>> = LazyLock::new(Borders::load);
/// The low-memory finder: it queries the compiled-in polygons in place (about 100 KB of
/// index), where `DefaultFinder` expands them into some 27 MB more of peak memory in an
/// import (measured with `faro-bench search`), for lookups an import does once a record.
static ZONES: LazyLock<tzf_rs::EmbeddedFinder> = LazyLock::new(tzf_rs::EmbeddedFinder::new);
static EQUIVALENT: LazyLock<Mutex<HashMap<(String, String), bool>>> = LazyLock::new(Default::default);

struct Borders {
    boundaries: CountryBoundaries,
    /// Every id the data has, so that a country it lacks is not called wrong.
    known: HashSet<String>,
}

impl Borders {
    fn load() -> Option<Borders> {
        let boundaries = CountryBoundaries::from_reader(BOUNDARIES_ODBL_180X90).ok()?;
        // Two halves: a box from -180 to 180 is read as wrapping around to nothing.
        let mut known = HashSet::new();
        for (west, east) in [(-180.0, 0.0), (0.0, 179.999)] {
            let half = BoundingBox::new(-90.0, west, 90.0, east).ok()?;
            known.extend(boundaries.intersecting_ids(half).into_iter().map(str::to_string));
        }
        Some(Borders { boundaries, known })
    }

    /// The countries (ISO alpha-2 ids only, not subdivisions) at a point.
    fn countries(&self, lat: f64, lon: f64) -> Vec<CountryCode> {
        let Ok(p) = LatLon::new(lat, lon) else { return Vec::new() };
        self.boundaries.ids(p).into_iter().filter(|id| id.len() == 2).filter_map(CountryCode::parse).collect()
    }

    fn is_in(&self, lat: f64, lon: f64, country: CountryCode) -> bool {
        LatLon::new(lat, lon).is_ok_and(|p| self.boundaries.is_in(p, country.as_str()))
    }
}

/// The point `km` away from `lat, lon` at `bearing` degrees (spherical Earth).
fn offset(lat: f64, lon: f64, km: f64, bearing: f64) -> (f64, f64) {
    let (lat1, lon1, b) = (lat.to_radians(), lon.to_radians(), bearing.to_radians());
    let d = km * 1000.0 / crate::geo::EARTH_RADIUS_M;
    let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * b.cos()).asin();
    let lon2 = lon1 + (b.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
    let lon2 = (lon2.to_degrees() + 540.0) % 360.0 - 180.0;
    (lat2.to_degrees(), lon2)
}

/// The point itself, then rings at a third, two thirds and all of `km`, 16 bearings each.
fn around(lat: f64, lon: f64, km: f64) -> impl Iterator<Item = (f64, f64)> {
    std::iter::once((lat, lon)).chain(
        (1..=3).flat_map(move |ring| {
            (0..16).map(move |i| offset(lat, lon, km * f64::from(ring) / 3.0, f64::from(i) * 22.5))
        }),
    )
}

/// Adds the place problems of `listing` to `out`.
pub(super) fn check(listing: &Listing, out: &mut Vec<FieldProblem>) {
    let Some(loc) = listing.location else { return };
    if !(loc.lat.is_finite() && loc.lon.is_finite() && loc.lat.abs() <= 90.0 && loc.lon.abs() <= 180.0) {
        return; // validate reports it
    }
    let country = listing.address.as_ref().map(|a| a.country);
    let mut place_ok = true;
    if let Some(country) = country {
        if let Err(reason) = check_country(loc.lat, loc.lon, country) {
            out.push(FieldProblem::new("location", reason));
            place_ok = false;
        }
    }
    // Against wrong coordinates, the zone at them says nothing: one problem, not two.
    if let (true, Some(tz)) = (place_ok, listing.timezone.as_deref()) {
        if let Err(reason) = check_zone(loc.lat, loc.lon, tz) {
            out.push(FieldProblem::new("timezone", reason));
        }
    }
}

/// The one country at `lat, lon` (ISO alpha-2), `None` at sea, on a border the simplified
/// outlines share, or where the data has no country: for readers whose records carry
/// coordinates but no country (OpenStreetMap places without `addr:country`).
pub fn country_at(lat: f64, lon: f64) -> Option<CountryCode> {
    match BORDERS.as_ref()?.countries(lat, lon).as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The IANA time zone at `lat, lon`, for readers whose records have opening hours but no
/// zone: the land zone at the point, or, for a point the simplified polygons put in the sea
/// (a harbour, a coast), the land zones within [`MARGIN_SEA_KM`]. `None` when there is none,
/// or when the zones found are not all [`equivalent`] (a point on a border of clocks).
pub fn zone_at(lat: f64, lon: f64) -> Option<String> {
    let land = |names: Vec<&'static str>| names.into_iter().filter(|z| !z.starts_with("Etc/")).collect::<Vec<_>>();
    let mut found = land(ZONES.get_tz_names(lon, lat));
    if found.is_empty() {
        for (a, b) in around(lat, lon, MARGIN_SEA_KM) {
            for name in land(ZONES.get_tz_names(b, a)) {
                if !found.contains(&name) {
                    found.push(name);
                }
            }
        }
    }
    let first = *found.first()?;
    let zone = first.parse::<chrono_tz::Tz>().ok()?;
    found.iter().all(|z| equivalent(zone, z)).then(|| first.to_string())
}

/// Checks that `lat, lon` is in `country` or within the margin of it.
pub fn check_country(lat: f64, lon: f64, country: CountryCode) -> Result<(), String> {
    let Some(borders) = BORDERS.as_ref() else { return Ok(()) };
    if !borders.known.contains(country.as_str()) {
        return Ok(()); // no outline to check against
    }
    let here = borders.countries(lat, lon);
    let margin = if here.is_empty() { MARGIN_SEA_KM } else { MARGIN_LAND_KM };
    if around(lat, lon, margin).any(|(a, b)| borders.is_in(a, b, country)) {
        return Ok(());
    }
    let found = match here.first() {
        Some(other) => format!("it is in {} ({other})", other.name()),
        None => "it is in the sea".to_string(),
    };
    let mut reason =
        format!("{lat},{lon} is not in {} ({country}), nor within {margin} km of it: {found}", country.name());
    // A lost minus sign or swapped coordinates: say what was probably meant.
    let candidates = [(lat, -lon, format!("{}", -lon)), (-lat, lon, format!("latitude {}", -lat))];
    let swapped = (lon.abs() <= 90.0).then(|| (lon, lat, format!("{lon},{lat} (latitude first)")));
    if let Some((_, _, meant)) =
        candidates.into_iter().chain(swapped).find(|(a, b, _)| (*a, *b) != (lat, lon) && borders.is_in(*a, *b, country))
    {
        reason.push_str(&format!("; did you mean {meant}?"));
    }
    Err(reason)
}

/// Checks that `tz` keeps the clock of the place at `lat, lon` (see the module docs).
pub fn check_zone(lat: f64, lon: f64, tz: &str) -> Result<(), String> {
    // An unknown zone is reported by the hours check or by `check_plausible`.
    let Ok(zone) = tz.parse::<chrono_tz::Tz>() else { return Ok(()) };
    let at_point = ZONES.get_tz_names(lon, lat);
    let sea = at_point.iter().all(|z| z.starts_with("Etc/"));
    let margin = if sea { MARGIN_SEA_KM } else { MARGIN_LAND_KM };
    let fits = |name: &str| name == tz || equivalent(zone, name);
    // Nearly always the zone at the point itself: the rings only for the rest.
    if at_point.iter().any(|z| fits(z)) {
        return Ok(());
    }
    let mut found: Vec<&str> = Vec::new();
    for (a, b) in around(lat, lon, margin) {
        for name in ZONES.get_tz_names(b, a) {
            if !found.contains(&name) {
                found.push(name);
            }
        }
    }
    // At sea every point is in an Etc/ zone: only a land zone nearby says what the place keeps.
    if found.iter().any(|z| !z.starts_with("Etc/")) {
        found.retain(|z| !z.starts_with("Etc/"));
    }
    if found.is_empty() || found.iter().any(|z| fits(z)) {
        return Ok(());
    }
    let now = Utc::now().naive_utc();
    let describe = |name: &str| match name.parse::<chrono_tz::Tz>() {
        Ok(z) => format!("{name} (UTC{} now)", z.offset_from_utc_datetime(&now).fix()),
        Err(_) => name.to_string(),
    };
    let there: Vec<String> = found.iter().map(|z| describe(z)).collect();
    Err(format!(
        "{} is not the time zone at {lat},{lon}, which keeps {}: opening hours would be shown at the wrong time",
        describe(tz),
        there.join(" or ")
    ))
}

/// True when `a` and `b` give the same UTC offset at every instant of the window (see the
/// module docs). Cached per pair: an import asks about the same few pairs many times.
pub fn equivalent(a: chrono_tz::Tz, b: &str) -> bool {
    let Ok(b) = b.parse::<chrono_tz::Tz>() else { return false };
    if a == b {
        return true;
    }
    let key = (a.name().to_string(), b.name().to_string());
    if let Some(known) = EQUIVALENT.lock().ok().and_then(|m| m.get(&key).copied()) {
        return known;
    }
    let year = Utc::now().year();
    let start = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single().map(|t| t.naive_utc());
    let end = Utc.with_ymd_and_hms(year + EQUIVALENT_YEARS, 1, 1, 0, 0, 0).single().map(|t| t.naive_utc());
    let same = match (start, end) {
        (Some(mut t), Some(end)) => loop {
            if t >= end {
                break true;
            }
            if a.offset_from_utc_datetime(&t).fix() != b.offset_from_utc_datetime(&t).fix() {
                break false;
            }
            t += Duration::minutes(30);
        },
        _ => false,
    };
    if let Ok(mut m) = EQUIVALENT.lock() {
        m.insert(key, same);
    }
    same
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_and_country_at_a_point() {
        assert_eq!(zone_at(19.4326, -99.1332).as_deref(), Some("America/Mexico_City"));
        assert_eq!(zone_at(32.5149, -117.0382).as_deref(), Some("America/Tijuana"));
        // Off Veracruz, past the territorial sea the polygons include: the coast's zone within
        // the margin, none beyond it.
        assert_eq!(ZONES.get_tz_names(-95.7, 19.20), ["Etc/GMT+6"]);
        assert_eq!(zone_at(19.20, -95.7).as_deref(), Some("America/Mexico_City"));
        assert_eq!(zone_at(19.20, -95.5), None);
        assert_eq!(zone_at(0.0, -140.0), None, "open Pacific");
        assert_eq!(country_at(14.9056, -92.2636).map(|c| c.as_str().to_string()).as_deref(), Some("MX"));
        assert_eq!(country_at(0.0, -140.0), None);
    }

    fn cc(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    #[test]
    fn coordinates_in_their_country_pass() {
        for (lat, lon, c) in [
            (32.5149, -117.0382, "MX"), // Tijuana, on the border
            (14.9056, -92.2631, "MX"),  // Tapachula
            (19.4326, -99.1332, "MX"),  // Mexico City
            (14.6349, -90.5069, "GT"),  // Guatemala City
            (8.5167, -76.7333, "CO"),   // Necoclí, on the coast
            (32.5421, -117.0296, "US"), // San Ysidro, across the border
            (18.5944, -72.3074, "HT"),  // Port-au-Prince
        ] {
            assert_eq!(check_country(lat, lon, cc(c)), Ok(()), "{lat},{lon} {c}");
        }
    }

    #[test]
    fn a_lost_minus_sign_is_refused_with_what_was_meant() {
        let err = check_country(14.9056, 92.26, cc("MX")).unwrap_err();
        assert!(err.contains("did you mean -92.26?"), "{err}");
        assert!(err.contains("India (IN)") || err.contains("sea"), "{err}");
        let err = check_country(14.6349, -90.5069, cc("MX")).unwrap_err();
        assert!(err.contains("Guatemala (GT)"), "{err}");
        let err = check_country(20.0, -30.0, cc("MX")).unwrap_err();
        assert!(err.contains("in the sea"), "{err}");
    }

    #[test]
    fn the_zone_must_keep_the_clock_of_the_place() {
        assert_eq!(check_zone(32.5149, -117.0382, "America/Tijuana"), Ok(()));
        // The same clock under another name is accepted (equivalent, see the module docs).
        assert_eq!(check_zone(32.5149, -117.0382, "America/Los_Angeles"), Ok(()));
        let err = check_zone(32.5149, -117.0382, "America/Mexico_City").unwrap_err();
        assert!(err.contains("America/Tijuana"), "{err}");
        assert_eq!(check_zone(14.9056, -92.2631, "America/Mexico_City"), Ok(()));
        // Cancún keeps UTC-5 all year, unlike Mexico City.
        assert!(check_zone(21.1619, -86.8515, "America/Mexico_City").is_err());
        assert_eq!(check_zone(21.1619, -86.8515, "America/Cancun"), Ok(()));
    }

    #[test]
    fn equivalence_is_the_same_offset_at_every_instant() {
        let tz = |s: &str| s.parse::<chrono_tz::Tz>().unwrap();
        assert!(equivalent(tz("America/Tijuana"), "America/Los_Angeles"));
        assert!(equivalent(tz("Mexico/General"), "America/Mexico_City"), "a link and its zone");
        assert!(!equivalent(tz("America/Mexico_City"), "America/Chicago"), "same offset in winter only");
        assert!(!equivalent(tz("America/Mexico_City"), "America/Tijuana"));
    }
}
