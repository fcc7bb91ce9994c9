//! `faro datasets`: what a repository offers, verified through TUF from the root the database
//! trusts, one line per dataset (name, content, region, records, size of a first download,
//! version, publisher, demo, subscribed). And the choice by region `faro sync` makes with
//! `--country` or `--near LAT,LON --radius-km N` ([`choose_by_region`]).

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use faro_core::country::CountryCode;
use faro_core::geo::Point;
use faro_core::net::{Cancel, NetConfig};
use faro_core::sync::region::RegionSource;
use faro_core::sync::{self, OfferedDataset, RegionChoice};
use faro_core::{Error, LangPrefs, Store};

use crate::i18n::{f, t};
use crate::output;

/// `faro datasets`.
#[derive(Args)]
pub struct DatasetsArgs {
    /// Database file (its trusted root verifies the repository: `faro trust` first).
    #[arg(long)]
    db: PathBuf,
    /// Repository base URL (with `metadata/` and `targets/` under it).
    #[arg(long)]
    url: String,
    /// Print the datasets as JSON.
    #[arg(long)]
    json: bool,
    /// Language of the text (es, en, fr, ht, pt).
    #[arg(long, value_parser = crate::parse_langs)]
    lang: Option<LangPrefs>,
}

/// `faro datasets`.
pub fn datasets(args: DatasetsArgs) -> Result<(), Error> {
    let store = crate::open_existing(&args.db, crate::NEEDS_TRUST)?;
    let offer = sync::available_datasets(&store, &args.url, &NetConfig::default(), Utc::now(), &Cancel::new())?;
    if args.json {
        output::print_json(&offer);
        return Ok(());
    }
    if offer.datasets.is_empty() {
        outln!("{}", t("ds_none"));
    }
    for d in &offer.datasets {
        outln!("{}", line(d));
    }
    for r in &offer.refused {
        eprintln!("faro: {}", f("ds_refused", &[&r.target, &r.reason]));
    }
    Ok(())
}

/// One dataset for people: name, content, version, records, first download, region,
/// publisher and flags.
fn line(d: &OfferedDataset) -> String {
    let mut flags = Vec::new();
    if d.demo {
        flags.push(t("ds_demo").to_string());
    }
    if d.subscribed {
        flags.push(match d.held_version {
            Some(v) => f("ds_subscribed_held", &[&format!("v{v}")]),
            None => t("ds_subscribed").to_string(),
        });
    }
    format!(
        "  {:<22} {:<9} v{:<4} {} {:>9}  {}  {}{}",
        d.dataset,
        d.content.as_str(),
        d.version,
        f("ds_records", &[&d.records.to_string()]),
        size(d.download_bytes),
        region(d),
        f("ds_by", &[d.publisher.as_deref().unwrap_or("?")]),
        if flags.is_empty() { String::new() } else { format!("  [{}]", flags.join(", ")) }
    )
}

/// The region as people read it: countries, the box's corners, or that it is unknown.
fn region(d: &OfferedDataset) -> String {
    let r = &d.region;
    let mut parts: Vec<String> = Vec::new();
    if r.everywhere {
        parts.push(t("ds_everywhere").to_string());
    }
    if !r.countries.is_empty() {
        parts.push(r.countries.join(","));
    }
    if let Some(b) = r.bbox() {
        parts.push(format!("[{:.2},{:.2} .. {:.2},{:.2}]", b.min_lat, b.min_lon, b.max_lat, b.max_lon));
    }
    match d.region_source {
        RegionSource::Signed if !parts.is_empty() => parts.join(" "),
        RegionSource::Name => f("ds_region_from_name", &[&parts.join(" ")]),
        _ => t("ds_region_unknown").to_string(),
    }
}

/// Bytes as people read them (KB and MB of 1000).
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{} KB", b.div_ceil(1000)),
        b => format!("{b} B"),
    }
}

/// A choice by region from `faro sync`'s `--country` / `--near` and `--radius-km`, checked.
pub fn region_choice(
    country: Option<&str>,
    near: Option<Point>,
    radius_km: Option<f64>,
) -> Result<Option<RegionChoice>, Error> {
    match (country, near, radius_km) {
        (Some(list), None, None) => {
            let codes = list
                .split(',')
                .map(|c| {
                    CountryCode::parse(c)
                        .ok_or_else(|| Error::BadQuery(f("ds_bad_country", &[&format!("{:?}", c.trim())])))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(RegionChoice::Countries(codes)))
        }
        (None, Some(point), Some(km)) if km > 0.0 && km.is_finite() => {
            Ok(Some(RegionChoice::Near { point, radius_km: km }))
        }
        (None, None, None) => Ok(None),
        _ => Err(Error::BadQuery(t("ds_bad_choice").to_string())),
    }
}

/// Lists what the repository offers and picks the datasets for `choice`; says which ones
/// were chosen and which could not be placed. Fails when nothing matches.
pub fn choose_by_region(store: &Store, url: &str, choice: &RegionChoice, json: bool) -> Result<Vec<String>, Error> {
    let offer = sync::available_datasets(store, url, &NetConfig::default(), Utc::now(), &Cancel::new())?;
    let chosen = sync::choose(&offer, choice);
    let say = |line: String| {
        // With --json, stdout holds only the report: the choice goes to stderr.
        if json {
            eprintln!("faro: {line}");
        } else {
            outln!("{line}");
        }
    };
    if !chosen.unplaced.is_empty() {
        say(f("ds_unplaced", &[&chosen.unplaced.join(", ")]));
    }
    if chosen.datasets.is_empty() {
        return Err(Error::BadQuery(f("ds_nothing_there", &[url])));
    }
    say(f("ds_chosen", &[&chosen.datasets.join(", ")]));
    Ok(chosen.datasets)
}

/// The error for a sync with nothing chosen on a fresh database: how to list and choose.
pub fn nothing_chosen(db: &std::path::Path, url: &str) -> Error {
    Error::BadQuery(f("sync_nothing_chosen", &[&db.display().to_string(), url]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_choices_read_as_people_expect() {
        assert_eq!((size(999), size(1001), size(2_500_000)), ("999 B".into(), "2 KB".into(), "2.5 MB".into()));
        let p = Point { lat: 14.9, lon: -92.26 };
        assert!(
            matches!(region_choice(Some("mx, gt"), None, None), Ok(Some(RegionChoice::Countries(c))) if c.len() == 2)
        );
        assert!(region_choice(Some("mx,zz"), None, None).unwrap_err().to_string().contains("\"zz\""));
        assert!(matches!(region_choice(None, Some(p), Some(5.0)), Ok(Some(RegionChoice::Near { .. }))));
        for (near, km) in [(Some(p), None), (None, Some(5.0)), (Some(p), Some(0.0))] {
            assert!(region_choice(None, near, km).is_err());
        }
        assert!(region_choice(Some("mx"), Some(p), Some(5.0)).is_err());
        assert_eq!(region_choice(None, None, None).unwrap(), None);
    }
}
