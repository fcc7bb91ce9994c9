//! `faro-bench import --format xlsx`: the synthetic directory of `faro-bench search` written
//! as a field team's workbook (the columns of `docs/spreadsheet-template.md`, one row per
//! place, numbers as number cells), then read and imported through the path of
//! `faro import --format xlsx` (`import::sheet::read_sheet`, then one all-or-nothing write),
//! timed next to the native JSON Lines import of the same listings in the same run.
//!
//! The template has no column for the country a consulate represents, so the generator's
//! consulates are written as legal aid in both files: both imports store the same listings.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use faro_core::import::sheet::{read_sheet, SheetFormat, SheetOptions};
use faro_core::Store;
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

use crate::{peak_rss_mb, round3, synthetic_listing, Rng};

/// The workbook's columns (headers as a field team writes them), in order.
const COLUMNS: &[&str] = &[
    "id",
    "kind",
    "name_es",
    "name_en",
    "name_fr",
    "name_ht",
    "description_es",
    "services",
    "locality",
    "country",
    "lat",
    "lon",
    "hours",
    "timezone",
    "languages",
    "free",
    "serves",
    "no_papers",
    "status",
    "demo",
];

/// Runs the benchmark with `listings` synthetic listings from `seed`; returns the report.
pub fn run(listings: usize, seed: u64) -> Result<Value, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut rng = Rng(seed);
    let values: Vec<Value> = (0..listings)
        .map(|i| {
            let mut v = synthetic_listing(&mut rng, i);
            if v["kind"] == "consulate" {
                v["kind"] = json!("legal_aid");
                if let Some(o) = v.as_object_mut() {
                    o.remove("consulate");
                }
            }
            v
        })
        .collect();

    let jsonl = dir.path().join("synthetic.jsonl");
    {
        let mut out = BufWriter::new(std::fs::File::create(&jsonl)?);
        writeln!(out, "{}", json!({"faro": "listings", "version": 1, "dataset": "bench/synthetic", "demo": true}))?;
        for v in &values {
            serde_json::to_writer(&mut out, v)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    let xlsx = dir.path().join("field-team (demo).xlsx");
    let started = Instant::now();
    write_workbook(&values, &xlsx)?;
    let write_s = started.elapsed().as_secs_f64();
    let xlsx_mb = std::fs::metadata(&xlsx)?.len() as f64 / 1_048_576.0;
    drop(values);

    let started = Instant::now();
    let native = Store::open(dir.path().join("native.db"))?.import_listings_file(&jsonl, Default::default())?;
    let native_s = started.elapsed().as_secs_f64();

    let rss_before = peak_rss_mb();
    let started = Instant::now();
    let options = SheetOptions { sheet: None, dataset: Some("bench/xlsx".into()) };
    let converted = read_sheet(&xlsx, SheetFormat::Xlsx, &options)?;
    let read_s = started.elapsed().as_secs_f64();
    let store = Store::open(dir.path().join("xlsx.db"))?;
    let summary = store.write_listings(&converted.dataset, &xlsx.display().to_string(), converted.records())?;
    let xlsx_s = started.elapsed().as_secs_f64();
    if summary.inserted != native.summary.inserted {
        return Err(format!(
            "the workbook gave {} listings, the JSON Lines file {}: the two imports differ",
            summary.inserted, native.summary.inserted
        )
        .into());
    }
    let n = summary.inserted as f64;
    Ok(json!({
        "format": "xlsx",
        "listings": summary.inserted,
        "set_aside": converted.set_aside.len(),
        "workbook_mb": round3(xlsx_mb),
        "workbook_write_seconds": round3(write_s),
        "xlsx_import_seconds": round3(xlsx_s),
        "xlsx_import_records_per_s": (n / xlsx_s).round(),
        "xlsx_read_records_per_s": (n / read_s).round(),
        "native_jsonl_import_records_per_s": (native.summary.inserted as f64 / native_s).round(),
        "xlsx_vs_native_ratio": round3(native_s / xlsx_s),
        "peak_rss_before_xlsx_mb": rss_before,
        "peak_rss_after_xlsx_mb": peak_rss_mb(),
    }))
}

/// Writes the listings (as generated: JSON values) as a workbook of one sheet, `Listings`.
fn write_workbook(values: &[Value], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Listings")?;
    for (c, header) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *header)?;
    }
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let list = |v: &Value| v.as_array().map(|a| a.iter().map(text).collect::<Vec<_>>().join("; ")).unwrap_or_default();
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    for (r, v) in values.iter().enumerate() {
        let row = r as u32 + 1;
        let cells = [
            text(&v["id"]),
            text(&v["kind"]),
            text(&v["name"]["es"]),
            text(&v["name"]["en"]),
            text(&v["name"]["fr"]),
            text(&v["name"]["ht"]),
            text(&v["description"]["es"]),
            list(&v["services"]),
            text(&v["address"]["locality"]),
            text(&v["address"]["country"]),
            String::new(),
            String::new(),
            text(&v["opening_hours"]),
            text(&v["timezone"]),
            list(&v["languages"]),
            match v["cost"].as_str() {
                Some("free") => "yes".into(),
                Some(_) => "no".into(),
                None => String::new(),
            },
            list(&v["serves"]),
            v["eligibility"]["papers_required"].as_bool().map(|p| yes_no(!p)).unwrap_or_default(),
            text(&v["status"]),
            "yes".into(),
        ];
        for (c, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(row, c as u16, cell)?;
            }
        }
        for (c, key) in [(10u16, "lat"), (11, "lon")] {
            if let Some(x) = v["location"][key].as_f64() {
                sheet.write_number(row, c, x)?;
            }
        }
    }
    workbook.save(path)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Test code (ADR 0025).
mod tests {
    use super::*;

    /// The workbook the benchmark times must hold the listings it compares with: every
    /// column read back into the same field, nothing set aside.
    #[test]
    fn workbook_reads_back_as_the_same_listings() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng(7);
        let values: Vec<Value> =
            (0..60).map(|i| synthetic_listing(&mut rng, i)).filter(|v| v["kind"] != "consulate").collect();
        let path = dir.path().join("bench (demo).xlsx");
        write_workbook(&values, &path).unwrap();
        let converted = read_sheet(&path, SheetFormat::Xlsx, &SheetOptions::default()).unwrap();
        assert!(converted.set_aside.is_empty(), "{:?}", converted.set_aside);
        assert_eq!(converted.listings.len(), values.len());
        for (listing, v) in converted.listings.iter().zip(&values) {
            let got: Value = serde_json::from_str(&faro_core::model::to_json(listing)).unwrap();
            for key in ["id", "kind", "services", "name", "description", "languages", "serves", "status"] {
                // An empty list is left out of the stored record.
                let empty = got[key].is_null() && v[key].as_array().is_some_and(Vec::is_empty);
                assert!(empty || got[key] == v[key], "{key} of {}: {} against {}", v["id"], got[key], v[key]);
            }
            // A number cell keeps 15 significant digits, as Excel does: well under a millimetre.
            for axis in ["lat", "lon"] {
                let (a, b) = (got["location"][axis].as_f64().unwrap(), v["location"][axis].as_f64().unwrap());
                assert!((a - b).abs() < 1e-9, "{axis} of {}: {a} against {b}", v["id"]);
            }
            assert_eq!(got["address"]["locality"], v["address"]["locality"]);
            assert_eq!(got["address"]["country"], v["address"]["country"]);
            assert_eq!(got["opening_hours"], v["opening_hours"], "hours of {}", v["id"]);
            assert_eq!(got["eligibility"]["papers_required"], v["eligibility"]["papers_required"]);
            let cost = if v["cost"] == "free" { "free" } else { "paid" };
            assert_eq!(got["cost"], cost);
            assert_eq!(got["demo"], true);
        }
    }
}
