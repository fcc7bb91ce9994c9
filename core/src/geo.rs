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

/// Text that is not `"LAT,LON"` in degrees within range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not LAT,LON in degrees (e.g. 14.9056,-92.2636)")]
pub struct BadPoint(pub String);

impl std::str::FromStr for Point {
    type Err = BadPoint;

    /// [`Point::parse`], with an error that shows the expected form.
    fn from_str(s: &str) -> Result<Point, BadPoint> {
        Point::parse(s).ok_or_else(|| BadPoint(s.to_string()))
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
/// `radius_m` of `center`. When the circle holds a pole, the box spans all longitudes.
///
/// The longitude half-width is that of the two meridians tangent to the circle,
/// `asin(sin(d) / cos(lat))` for an angular radius `d` around latitude `lat`: exact for any
/// radius whose circle holds no pole (`|lat| + d < 90°`), which is also exactly when the
/// ratio is below 1. (Dividing by the cosine of the circle's most polar latitude instead,
/// as before, gave a ratio above 1 for radii of a few thousand kilometres, a NaN box and no
/// results at all.)
pub fn bounding_boxes(center: Point, radius_m: f64) -> Vec<BBox> {
    let d = radius_m / EARTH_RADIUS_M;
    let dlat = d.to_degrees();
    let min_lat = (center.lat - dlat).max(-90.0);
    let max_lat = (center.lat + dlat).min(90.0);
    let ratio = d.sin() / center.lat.to_radians().cos();
    if center.lat.abs() + dlat >= 90.0 || d >= std::f64::consts::FRAC_PI_2 || !ratio.is_finite() || ratio >= 1.0 {
        return vec![BBox { min_lat, max_lat, min_lon: -180.0, max_lon: 180.0 }];
    }
    let dlon = ratio.asin().to_degrees();
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

    #[test]
    fn points_parse_from_lat_lon_text_or_say_the_form() {
        assert_eq!("14.9, -92.26".parse::<Point>(), Ok(Point { lat: 14.9, lon: -92.26 }));
        for bad in ["91,0", "0,181", "14.9", "a,b", ""] {
            let e = bad.parse::<Point>().unwrap_err();
            assert_eq!(e.to_string(), format!("{bad:?} is not LAT,LON in degrees (e.g. 14.9056,-92.2636)"));
        }
    }

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

    /// The point at `distance` metres from `from` on bearing `bearing_deg` (spherical
    /// destination formula), longitude wrapped into -180..=180.
    fn destination(from: Point, bearing_deg: f64, distance: f64) -> Point {
        let (brg, d) = (bearing_deg.to_radians(), distance / EARTH_RADIUS_M);
        let lat1 = from.lat.to_radians();
        let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * brg.cos()).asin();
        let lon2 = from.lon.to_radians() + (brg.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
        let lon = (lon2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0;
        Point { lat: lat2.to_degrees(), lon }
    }

    #[test]
    fn very_large_circles_keep_every_point_and_wrap() {
        // Radii from 3,500 km to half the globe, centres at the equator, mid latitudes, near
        // the antimeridian and near both poles: every point inside the circle (walked on
        // rings at several distances) is in one of the boxes, and every box is well formed.
        let centres = [
            Point { lat: 32.5149, lon: -117.0382 },
            Point { lat: 0.0, lon: 0.0 },
            Point { lat: 45.0, lon: 179.0 },
            Point { lat: -45.0, lon: -179.5 },
            Point { lat: 70.0, lon: 20.0 },
            Point { lat: -80.0, lon: 100.0 },
        ];
        for center in centres {
            for r in [3_500e3, 4_096e3, 6_000e3, 9_000e3, 12_000e3, 19_000e3] {
                let boxes = bounding_boxes(center, r);
                for b in &boxes {
                    for v in [b.min_lat, b.max_lat, b.min_lon, b.max_lon] {
                        assert!(v.is_finite(), "{center:?} {r}: {boxes:?}");
                    }
                    assert!(b.min_lat <= b.max_lat && b.min_lon <= b.max_lon, "{center:?} {r}: {boxes:?}");
                    assert!((-90.0..=90.0).contains(&b.min_lat) && (-90.0..=90.0).contains(&b.max_lat));
                    assert!((-180.0..=180.0).contains(&b.min_lon) && (-180.0..=180.0).contains(&b.max_lon));
                }
                for fraction in [0.25, 0.5, 0.9, 0.999] {
                    for step in 0..720 {
                        let p = destination(center, step as f64 / 2.0, r * fraction);
                        assert!(
                            boxes.iter().any(|b| b.min_lat <= p.lat
                                && p.lat <= b.max_lat
                                && b.min_lon <= p.lon
                                && p.lon <= b.max_lon),
                            "{center:?} r {r}: {p:?} ({fraction} r) outside {boxes:?}"
                        );
                    }
                }
            }
        }
        // A circle that holds no pole is not widened to the whole globe: Tijuana, 3,500 km.
        let b = bounding_boxes(Point { lat: 32.5149, lon: -117.0382 }, 3_500e3);
        assert_eq!(b.len(), 1);
        assert!(b[0].max_lon - b[0].min_lon < 120.0, "{b:?}");
        // One that holds the north pole spans every longitude.
        assert_eq!(bounding_boxes(Point { lat: 70.0, lon: 20.0 }, 3_500e3)[0].min_lon, -180.0);
        // Across the antimeridian at a large radius: two boxes.
        assert_eq!(bounding_boxes(Point { lat: 10.0, lon: 170.0 }, 4_000e3).len(), 2);
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
