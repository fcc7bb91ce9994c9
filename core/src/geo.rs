//! Geography on the WGS84 sphere: exact great-circle distances and the bounding boxes used
//! to ask the place index for candidates before sorting them by exact distance.

/// Mean Earth radius in metres (IUGG), the usual choice for haversine distances.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Latitude, -90..=90.
    pub lat: f64,
    /// Longitude, -180..=180.
    pub lon: f64,
}

impl Point {
    /// A point, or `None` if either coordinate is out of range or not a number.
    pub fn new(lat: f64, lon: f64) -> Option<Point> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some(Point { lat, lon })
    }

    /// Parses `"LAT,LON"` (`"14.9,-92.26"`).
    pub fn parse(s: &str) -> Option<Point> {
        let (lat, lon) = s.split_once(',')?;
        Point::new(lat.trim().parse().ok()?, lon.trim().parse().ok()?)
    }
}

/// Great-circle distance in metres (haversine; error under 0.5 % against the ellipsoid).
pub fn distance_m(a: Point, b: Point) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A latitude/longitude box; `min_lon > max_lon` never happens: boxes crossing the
/// antimeridian are split by [`bounding_boxes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    /// Southern edge.
    pub min_lat: f64,
    /// Northern edge.
    pub max_lat: f64,
    /// Western edge.
    pub min_lon: f64,
    /// Eastern edge.
    pub max_lon: f64,
}

/// The boxes (one, or two across the antimeridian) that contain every point within
/// `radius_m` of `center`. Near a pole the box spans all longitudes.
pub fn bounding_boxes(center: Point, radius_m: f64) -> Vec<BBox> {
    let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
    let min_lat = (center.lat - dlat).max(-90.0);
    let max_lat = (center.lat + dlat).min(90.0);
    // Widest longitude span is at the latitude closest to a pole.
    let widest = center.lat.abs() + dlat;
    if widest >= 90.0 || radius_m >= std::f64::consts::PI * EARTH_RADIUS_M / 2.0 {
        return vec![BBox { min_lat, max_lat, min_lon: -180.0, max_lon: 180.0 }];
    }
    let dlon = ((radius_m / EARTH_RADIUS_M).sin() / widest.to_radians().cos()).asin().to_degrees();
    let (west, east) = (center.lon - dlon, center.lon + dlon);
    if west < -180.0 {
        vec![
            BBox { min_lat, max_lat, min_lon: west + 360.0, max_lon: 180.0 },
            BBox { min_lat, max_lat, min_lon: -180.0, max_lon: east },
        ]
    } else if east > 180.0 {
        vec![
            BBox { min_lat, max_lat, min_lon: west, max_lon: 180.0 },
            BBox { min_lat, max_lat, min_lon: -180.0, max_lon: east - 360.0 },
        ]
    } else {
        vec![BBox { min_lat, max_lat, min_lon: west, max_lon: east }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAPACHULA: Point = Point { lat: 14.9056, lon: -92.2636 };
    const CIUDAD_HIDALGO: Point = Point { lat: 14.6797, lon: -92.1503 };

    #[test]
    fn known_distance() {
        // Tapachula to Ciudad Hidalgo is about 28 km as the crow flies.
        let d = distance_m(TAPACHULA, CIUDAD_HIDALGO);
        assert!((27_000.0..29_000.0).contains(&d), "{d}");
        assert_eq!(distance_m(TAPACHULA, TAPACHULA), 0.0);
        // A quarter of the equator.
        let q = distance_m(Point { lat: 0.0, lon: 0.0 }, Point { lat: 0.0, lon: 90.0 });
        assert!((q - std::f64::consts::PI / 2.0 * EARTH_RADIUS_M).abs() < 1.0);
    }

    #[test]
    fn box_contains_every_point_at_the_radius() {
        for center in [TAPACHULA, Point { lat: 60.0, lon: 10.0 }, Point { lat: -33.0, lon: 179.9 }] {
            let r = 50_000.0;
            let boxes = bounding_boxes(center, r);
            for step in 0..360 {
                // Walk the circle at exactly r (spherical destination formula).
                let brg = (step as f64).to_radians();
                let (lat1, lon1, d) = (center.lat.to_radians(), center.lon.to_radians(), r * 0.999 / EARTH_RADIUS_M);
                let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * brg.cos()).asin();
                let lon2 = lon1 + (brg.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
                let mut lon = lon2.to_degrees();
                if lon > 180.0 {
                    lon -= 360.0;
                } else if lon < -180.0 {
                    lon += 360.0;
                }
                let lat = lat2.to_degrees();
                assert!(
                    boxes.iter().any(|b| b.min_lat <= lat && lat <= b.max_lat && b.min_lon <= lon && lon <= b.max_lon),
                    "{center:?} bearing {step}: {lat},{lon} outside {boxes:?}"
                );
            }
        }
    }

    #[test]
    fn antimeridian_splits_the_box() {
        assert_eq!(bounding_boxes(Point { lat: 0.0, lon: 179.9 }, 50_000.0).len(), 2);
        assert_eq!(bounding_boxes(Point { lat: 89.9, lon: 0.0 }, 50_000.0)[0].min_lon, -180.0);
    }

    #[test]
    fn parses_points() {
        assert_eq!(Point::parse("14.9, -92.26"), Some(Point { lat: 14.9, lon: -92.26 }));
        assert_eq!(Point::parse("91,0"), None);
        assert_eq!(Point::parse("abc"), None);
    }
}
