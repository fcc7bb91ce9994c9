//! Grid cells for the geography index. A point's cell is the Morton (Z-order) code of its
//! latitude and longitude, each quantized to 31 bits (about 1 cm), stored in
//! `listings.geocell` under an ordinary B-tree index.
//!
//! Why not the R*Tree: an R*Tree insert costs several node reads, splits and a second
//! table, and was 40 % of an import; a B-tree index entry on an integer is one insert.
//! Every quadtree square, at any size, is one contiguous range of codes, so a box becomes
//! a few range scans ([`ranges`]), and the exact box and distance checks follow.

use crate::geo::{BBox, Point};

/// Bits per axis: the codes fit in 62 bits, a positive SQLite integer.
const BITS: u32 = 31;

/// Squares per axis at the finest level.
const STEPS: u64 = 1 << BITS;

/// At most this many squares per axis cover a box: more squares follow the box closer
/// (less to read past its edges) but cost more range scans.
const MAX_PER_AXIS: u64 = 4;

/// The cell of `p`.
pub fn cell(p: Point) -> i64 {
    interleave(quantize_lat(p.lat), quantize_lon(p.lon)) as i64
}

/// Inclusive ranges of cells that together hold every point of `b` (and some around it),
/// sorted and merged where they touch. Empty when the box is empty.
pub fn ranges(b: &BBox) -> Vec<(i64, i64)> {
    if b.min_lat > b.max_lat || b.min_lon > b.max_lon {
        return Vec::new();
    }
    let (lat0, lat1) = (quantize_lat(b.min_lat), quantize_lat(b.max_lat));
    let (lon0, lon1) = (quantize_lon(b.min_lon), quantize_lon(b.max_lon));
    // The smallest square size for which the box spans few squares on both axes.
    let mut level = 0;
    while (lat1 >> level) - (lat0 >> level) + 1 > MAX_PER_AXIS || (lon1 >> level) - (lon0 >> level) + 1 > MAX_PER_AXIS {
        level += 1;
    }
    let span = 1u64 << (2 * level);
    let mut out: Vec<(i64, i64)> = Vec::new();
    for i in (lat0 >> level)..=(lat1 >> level) {
        for j in (lon0 >> level)..=(lon1 >> level) {
            let first = interleave(i, j) << (2 * level);
            out.push((first as i64, (first + span - 1) as i64));
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(out.len());
    for (lo, hi) in out {
        match merged.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

fn quantize(v: f64, min: f64, span: f64) -> u64 {
    let q = ((v - min) / span * STEPS as f64).floor();
    // NaN becomes 0; the poles and the antimeridian fall in the last square.
    if q.is_nan() || q < 0.0 {
        0
    } else {
        (q as u64).min(STEPS - 1)
    }
}

fn quantize_lat(lat: f64) -> u64 {
    quantize(lat, -90.0, 180.0)
}

fn quantize_lon(lon: f64) -> u64 {
    quantize(lon, -180.0, 360.0)
}

/// Latitude bits at odd positions, longitude bits at even ones.
fn interleave(lat: u64, lon: u64) -> u64 {
    (spread(lat) << 1) | spread(lon)
}

/// Moves bit k of a 32-bit value to bit 2k.
fn spread(x: u64) -> u64 {
    let mut x = x & 0xFFFF_FFFF;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::bounding_boxes;

    /// splitmix64, for reproducible points.
    fn points(n: usize) -> Vec<Point> {
        let mut s = 7u64;
        let mut next = || {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n).map(|_| Point { lat: next() * 180.0 - 90.0, lon: next() * 360.0 - 180.0 }).collect()
    }

    fn inside(r: &[(i64, i64)], c: i64) -> bool {
        r.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }

    #[test]
    fn codes_are_positive_and_keep_corners_apart() {
        let corners = [(-90.0, -180.0), (-90.0, 180.0), (90.0, -180.0), (90.0, 180.0), (0.0, 0.0)];
        let cells: Vec<i64> = corners.iter().map(|&(lat, lon)| cell(Point { lat, lon })).collect();
        assert!(cells.iter().all(|&c| c >= 0));
        assert_eq!(cells[0], 0);
        assert_eq!(cells[3], (1i64 << 62) - 1);
        let mut distinct = cells.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), cells.len());
    }

    #[test]
    fn every_point_in_a_box_is_in_its_ranges() {
        let pts = points(20_000);
        for (k, center) in points(60).into_iter().enumerate() {
            let radius = [50.0, 900.0, 25_000.0, 400_000.0, 3_000_000.0][k % 5];
            for b in bounding_boxes(center, radius) {
                let r = ranges(&b);
                assert!(!r.is_empty() && r.len() <= (MAX_PER_AXIS * MAX_PER_AXIS) as usize);
                assert!(r.windows(2).all(|w| w[0].1 + 1 < w[1].0), "sorted, merged: {r:?}");
                for p in &pts {
                    let in_box = (b.min_lat..=b.max_lat).contains(&p.lat) && (b.min_lon..=b.max_lon).contains(&p.lon);
                    if in_box {
                        assert!(inside(&r, cell(*p)), "{p:?} in {b:?} but not in {r:?}");
                    }
                }
                // The box's own corners, on its edges, are inside too.
                for (lat, lon) in [(b.min_lat, b.min_lon), (b.max_lat, b.max_lon), (b.min_lat, b.max_lon)] {
                    assert!(inside(&r, cell(Point { lat, lon })));
                }
            }
        }
    }

    #[test]
    fn a_small_box_reads_little_beyond_itself() {
        // 1 km around Tapachula: the covered squares stay within a few km.
        let b = bounding_boxes(Point { lat: 14.9056, lon: -92.2636 }, 1_000.0)[0];
        let far = Point { lat: 14.9056 + 0.1, lon: -92.2636 };
        assert!(!inside(&ranges(&b), cell(far)), "11 km away is not read");
    }

    #[test]
    fn an_empty_box_has_no_ranges() {
        assert!(ranges(&BBox { min_lat: 1.0, max_lat: 0.0, min_lon: 0.0, max_lon: 1.0 }).is_empty());
    }
}
