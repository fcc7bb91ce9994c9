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
