//! The place part of a query's SQL: the rowids of listings inside a set of boxes, read from
//! the grid-cell index (`listings_by_geocell`, see `store::geocell`) as a few range scans.

use rusqlite::types::Value;

use crate::geo::BBox;
use crate::store::geocell;

/// A subquery yielding `id`, the rowid of every listing inside one of `boxes` (exactly: the
/// index holds the coordinates, so the box edges are checked there), with its arguments
/// appended to `args`. The number of range scans is padded to a power of two with empty
/// ones, so that few distinct statements reach the statement cache.
pub(crate) fn rowids_in(boxes: &[BBox], args: &mut Vec<Value>) -> String {
    let mut scans: Vec<(i64, i64, &BBox)> =
        boxes.iter().flat_map(|b| geocell::ranges(b).into_iter().map(move |(lo, hi)| (lo, hi, b))).collect();
    let Some(&(_, _, first)) = scans.first() else {
        return "SELECT NULL AS id WHERE 0".to_string();
    };
    let padded = scans.len().next_power_of_two();
    scans.resize(padded, (1, 0, first));
    let branch = "SELECT rowid AS id FROM listings INDEXED BY listings_by_geocell \
                  WHERE geocell BETWEEN ? AND ? AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?";
    for (lo, hi, b) in &scans {
        args.extend([Value::Integer(*lo), Value::Integer(*hi)]);
        args.extend([b.min_lat, b.max_lat, b.min_lon, b.max_lon].map(Value::Real));
    }
    vec![branch; scans.len()].join(" UNION ALL ")
}

#[cfg(test)]
mod tests {
    use crate::geo::{distance_m, Point};
    use crate::search::{Query, Region};
    use crate::store::Store;

    /// A store with `points` as health listings `t:0`, `t:1`, ... (real file, real import).
    fn store_with(dir: &std::path::Path, points: &[Point]) -> Store {
        let mut text = String::from("{\"faro\":\"listings\",\"version\":1,\"dataset\":\"test/geo\",\"demo\":true}\n");
        for (i, p) in points.iter().enumerate() {
            text.push_str(&format!(
                "{{\"id\":\"t:{i}\",\"kind\":\"health\",\"name\":{{\"en\":\"Clinic {i}\"}},\"location\":{{\"lat\":{},\"lon\":{}}}}}\n",
                p.lat, p.lon
            ));
        }
        let store = Store::open(dir.join("geo.db")).unwrap();
        store.import_listings_reader(text.as_bytes(), "geo.jsonl", Default::default()).unwrap();
        store
    }

    /// Points clustered around the hard places: the antimeridian, both poles, the equator
    /// at the prime meridian, and a dense town.
    fn points() -> Vec<Point> {
        let mut s = 11u64;
        let mut unit = || {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let centres = [(-17.7, 179.95), (-17.7, -179.95), (89.9, 10.0), (-89.9, -120.0), (0.0, 0.0), (14.9, -92.26)];
        let mut out = Vec::new();
        for (lat, lon) in centres {
            for _ in 0..120 {
                let lat: f64 = (lat + (unit() - 0.5) * 0.6).clamp(-90.0, 90.0);
                let mut lon = lon + (unit() - 0.5) * 0.6;
                if lon > 180.0 {
                    lon -= 360.0;
                } else if lon < -180.0 {
                    lon += 360.0;
                }
                out.push(Point { lat, lon });
            }
        }
        out
    }

    #[test]
    fn radius_and_nearest_match_brute_force_across_the_antimeridian_and_poles() {
        let dir = tempfile::tempdir().unwrap();
        let pts = points();
        let store = store_with(dir.path(), &pts);
        let queries = [(-17.7, 180.0), (-17.75, -179.99), (89.95, -170.0), (-90.0, 0.0), (0.01, -0.01), (14.9, -92.25)];
        for (lat, lon) in queries {
            let at = Point { lat, lon };
            // Up to continental radii: their boxes once came out as NaN (and found nothing).
            for radius in [500.0, 5_000.0, 30_000.0, 200_000.0, 3_500e3, 4_096e3, 9_000e3] {
                let mut expect: Vec<String> =
                    (0..pts.len()).filter(|&i| distance_m(at, pts[i]) <= radius).map(|i| format!("t:{i}")).collect();
                expect.sort();
                let hits = store
                    .search(&Query { near: Some(at), radius_m: Some(radius), limit: 1000, ..Query::default() })
                    .unwrap();
                let mut got: Vec<String> = hits.into_iter().map(|h| h.id).collect();
                got.sort();
                assert_eq!(got, expect, "within {radius} m of {at:?}");
                let counted: u64 = store
                    .counts(Region::Circle { center: at, radius_m: radius })
                    .unwrap()
                    .iter()
                    .map(|c| c.count)
                    .sum();
                assert_eq!(counted as usize, expect.len(), "count within {radius} m of {at:?}");
            }
            let mut by_distance: Vec<f64> = pts.iter().map(|p| distance_m(at, *p)).collect();
            by_distance.sort_by(f64::total_cmp);
            let hits = store.search(&Query { near: Some(at), limit: 15, ..Query::default() }).unwrap();
            let got: Vec<f64> = hits.iter().map(|h| h.distance_m.unwrap()).collect();
            for (g, e) in got.iter().zip(&by_distance) {
                assert!((g - e).abs() < 0.1, "nearest to {at:?}: {got:?} vs {:?}", &by_distance[..15]);
            }
            assert_eq!(got.len(), 15);
        }
    }
}
