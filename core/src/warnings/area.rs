//! Where a warning applies: countries, circles and GeoJSON polygons, the exact
//! point-in-area test, and the bounding boxes given to the R*Tree.
//!
//! Point-in-polygon is a ray-casting test on latitude/longitude (even-odd rule, holes
//! subtract), written here rather than taken from `geo`: it is twenty lines, and `geo`
//! would bring a dozen crates to a phone for one function (`docs/adr/0011-cap-xml.md`).
//! Polygons must not cross the antimeridian (none along the route do); split them in two.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::geo::{bounding_boxes, distance_m, BBox, Point};

/// A circle on the ground.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Circle {
    /// Latitude of the centre, degrees.
    pub lat: f64,
    /// Longitude of the centre, degrees.
    pub lon: f64,
    /// Radius in kilometres (CAP's unit).
    pub radius_km: f64,
}

/// A GeoJSON geometry (RFC 7946): positions are `[lon, lat]`, the first ring of a polygon
/// is its outline and the others are holes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Geometry {
    /// One polygon: rings of `[lon, lat]` positions, closed (first = last).
    Polygon {
        /// Outline, then holes.
        coordinates: Vec<Vec<[f64; 2]>>,
    },
    /// Several polygons.
    MultiPolygon {
        /// One list of rings per polygon.
        coordinates: Vec<Vec<Vec<[f64; 2]>>>,
    },
}

impl Geometry {
    /// The polygons, each as outline then holes.
    pub fn polygons(&self) -> Vec<&Vec<Vec<[f64; 2]>>> {
        match self {
            Geometry::Polygon { coordinates } => vec![coordinates],
            Geometry::MultiPolygon { coordinates } => coordinates.iter().collect(),
        }
    }
}

/// The area of a warning: the union of its countries, circles and geometry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Whole countries (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryCode>,
    /// Circles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub circles: Vec<Circle>,
    /// A GeoJSON Polygon or MultiPolygon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry: Option<Geometry>,
    /// How people name the place ("Suchiate river crossings"), per language.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub description: crate::model::LocalizedText,
}

impl Area {
    /// True when `point` is in a circle or the geometry (countries are not tested here:
    /// the caller says which country it is in, see [`super::WarningQuery`]).
    pub fn contains(&self, point: Point) -> bool {
        self.circles.iter().any(|c| in_circle(c, point))
            || self.geometry.as_ref().is_some_and(|g| g.polygons().iter().any(|p| in_polygon(p, point)))
    }

    /// Boxes covering the circles and the geometry, for the R*Tree.
    pub fn boxes(&self) -> Vec<BBox> {
        let mut out = Vec::new();
        for c in &self.circles {
            if let Some(center) = Point::new(c.lat, c.lon) {
                out.extend(bounding_boxes(center, c.radius_km * 1000.0));
            }
        }
        if let Some(g) = &self.geometry {
            for polygon in g.polygons() {
                let outline = polygon.first().map(Vec::as_slice).unwrap_or(&[]);
                if outline.is_empty() {
                    continue;
                }
                let mut b = BBox { min_lat: 90.0, max_lat: -90.0, min_lon: 180.0, max_lon: -180.0 };
                for [lon, lat] in outline {
                    b.min_lat = b.min_lat.min(*lat);
                    b.max_lat = b.max_lat.max(*lat);
                    b.min_lon = b.min_lon.min(*lon);
                    b.max_lon = b.max_lon.max(*lon);
                }
                out.push(b);
            }
        }
        out
    }
}

/// True when `p` is within the circle (great-circle distance).
pub fn in_circle(c: &Circle, p: Point) -> bool {
    Point::new(c.lat, c.lon).is_some_and(|center| distance_m(center, p) <= c.radius_km * 1000.0)
}

/// True when `p` is inside the outline of `polygon` and outside its holes.
pub fn in_polygon(polygon: &[Vec<[f64; 2]>], p: Point) -> bool {
    let mut rings = polygon.iter();
    match rings.next() {
        Some(outline) if in_ring(outline, p) => !rings.any(|hole| in_ring(hole, p)),
        _ => false,
    }
}

/// Even-odd ray casting along the parallel through `p`, eastwards.
fn in_ring(ring: &[[f64; 2]], p: Point) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let ([xi, yi], [xj, yj]) = (ring[i], ring[j]);
        if (yi > p.lat) != (yj > p.lat) && p.lon < (xj - xi) * (p.lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Problems with an area: nothing in it, bad coordinates, open or tiny rings.
pub fn check_area(area: &Area) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if area.countries.is_empty() && area.circles.is_empty() && area.geometry.is_none() {
        out.push(("area".into(), "needs countries, a circle or a geometry".into()));
    }
    for (i, c) in area.circles.iter().enumerate() {
        if Point::new(c.lat, c.lon).is_none() {
            out.push((format!("area.circles[{i}]"), format!("{},{} is not a latitude,longitude", c.lat, c.lon)));
        }
        if !(c.radius_km.is_finite() && c.radius_km > 0.0 && c.radius_km <= 5000.0) {
            out.push((
                format!("area.circles[{i}].radius_km"),
                format!("{} is not a radius (0 to 5000 km)", c.radius_km),
            ));
        }
    }
    if let Some(g) = &area.geometry {
        for (pi, polygon) in g.polygons().iter().enumerate() {
            if polygon.is_empty() {
                out.push((format!("area.geometry.coordinates[{pi}]"), "a polygon needs an outline ring".into()));
            }
            for (ri, ring) in polygon.iter().enumerate() {
                let field = format!("area.geometry.coordinates[{pi}][{ri}]");
                if ring.len() < 4 || ring.first() != ring.last() {
                    out.push((field.clone(), "a ring needs at least 4 positions and must end where it starts".into()));
                }
                if let Some([lon, lat]) = ring.iter().find(|[lon, lat]| Point::new(*lat, *lon).is_none()) {
                    out.push((field, format!("[{lon}, {lat}] is not a [longitude, latitude] position")));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    }

    #[test]
    fn polygon_with_a_hole() {
        let poly = vec![square(-93.0, 14.0, -92.0, 15.0), square(-92.6, 14.4, -92.4, 14.6)];
        assert!(in_polygon(&poly, Point { lat: 14.9, lon: -92.26 }), "Tapachula is inside");
        assert!(!in_polygon(&poly, Point { lat: 14.5, lon: -92.5 }), "the hole is outside");
        assert!(!in_polygon(&poly, Point { lat: 16.0, lon: -92.5 }));
        assert!(!in_polygon(&poly, Point { lat: 14.5, lon: -91.9 }));
    }

    #[test]
    fn concave_polygon() {
        // A "U": the notch between the arms is outside.
        let u = vec![vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 3.0],
            [2.0, 3.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
            [0.0, 0.0],
        ]];
        assert!(in_polygon(&u, Point { lat: 2.0, lon: 0.5 }));
        assert!(!in_polygon(&u, Point { lat: 2.0, lon: 1.5 }));
        assert!(in_polygon(&u, Point { lat: 0.5, lon: 1.5 }));
    }

    #[test]
    fn circles_and_boxes() {
        let area = Area { circles: vec![Circle { lat: 14.68, lon: -92.15, radius_km: 5.0 }], ..Area::default() };
        assert!(area.contains(Point { lat: 14.70, lon: -92.14 }));
        assert!(!area.contains(Point { lat: 14.9056, lon: -92.2636 }), "Tapachula is 28 km away");
        let b = area.boxes();
        assert_eq!(b.len(), 1);
        assert!(b[0].min_lat < 14.68 && b[0].max_lat > 14.68);
        let far_east = Area { circles: vec![Circle { lat: 0.0, lon: 179.99, radius_km: 10.0 }], ..Area::default() };
        assert_eq!(far_east.boxes().len(), 2, "split at the antimeridian");
    }

    #[test]
    fn bad_areas_are_named() {
        assert_eq!(check_area(&Area::default())[0].0, "area");
        let open = Area {
            geometry: Some(Geometry::Polygon { coordinates: vec![vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]] }),
            circles: vec![Circle { lat: 95.0, lon: 0.0, radius_km: -1.0 }],
            ..Area::default()
        };
        let fields: Vec<String> = check_area(&open).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["area.circles[0]", "area.circles[0].radius_km", "area.geometry.coordinates[0][0]"]);
    }
}
