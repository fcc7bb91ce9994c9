//! What a repository offers, through a real nginx on loopback (issue 10 item 5): the listing
//! is verified (a tampered targets file lists nothing), its counts and sizes are the
//! published ones, regions are signed by the publisher (or read from an old dataset's name,
//! or unknown), and a choice by a point and radius picks the right regional datasets.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::{Path, PathBuf};

use chrono::Utc;
use faro_core::geo::Point;
use faro_core::net::Cancel;
use faro_core::publish::{publish, PublishOptions};
use faro_core::sync::entry::snapshot_path;
use faro_core::sync::region::{RegionSource, REGION_KEY};
use faro_core::sync::{self, Offer, RegionChoice, SyncOptions};
use faro_core::Store;
use faro_tests::support::nginx::Nginx;
use faro_tests::support::sync_repo::{quick_net, Repo};

/// Tapachula (MX), on the Guatemalan border.
const TAPACHULA: Point = Point { lat: 14.9056, lon: -92.2636 };

/// A listings input for `dataset` with one record per `(country, lat, lon)`, or with no
/// address and no coordinates when `places` is empty (`n` records).
fn input(dir: &Path, dataset: &str, places: &[(&str, f64, f64)]) -> PathBuf {
    let mut text = format!("{{\"faro\":\"listings\",\"version\":1,\"dataset\":\"{dataset}\",\"demo\":true}}\n");
    for (i, (cc, lat, lon)) in places.iter().enumerate() {
        text.push_str(&format!(
            "{{\"id\":\"demo:{}-{i}\",\"kind\":\"shelter\",\"name\":{{\"es\":\"Albergue {i} (demo)\"}},\
             \"location\":{{\"lat\":{lat},\"lon\":{lon}}},\"address\":{{\"country\":\"{cc}\"}}}}\n",
            dataset.replace('/', "-")
        ));
    }
    if places.is_empty() {
        text.push_str(&format!(
            "{{\"id\":\"demo:{}-0\",\"kind\":\"legal_aid\",\"name\":{{\"es\":\"Línea de ayuda (demo)\"}}}}\n",
            dataset.replace('/', "-")
        ));
    }
    let path = dir.join(format!("{}.jsonl", dataset.replace('/', "-")));
    std::fs::write(&path, text).unwrap();
    path
}

fn list(store: &Store, url: &str) -> Result<Offer, faro_core::Error> {
    sync::available_datasets(store, url, &quick_net(), Utc::now(), &Cancel::new())
}

fn phone(repo: &Repo, name: &str) -> Store {
    let store = Store::open(repo.work().join(name)).unwrap();
    sync::install_trusted_root(&store, &repo.metadata("1.root.json")).unwrap();
    store
}

#[test]
fn a_repository_lists_what_it_offers_verified_and_a_place_picks_its_regions() {
    let repo = Repo::new();
    let dir = repo.work();
    let inputs = [
        // Tapachula and Mexico City; Quetzaltenango and Guatemala City (80 km from Tapachula
        // at the nearest); a dataset with no places at all.
        input(dir, "directory/mx", &[("MX", 14.9056, -92.2636), ("MX", 19.4326, -99.1332)]),
        input(dir, "directory/gt", &[("GT", 14.8347, -91.5181), ("GT", 14.6349, -90.5069)]),
        input(dir, "hotlines/national", &[]),
    ];
    publish(&repo.keys, &repo.dir, &inputs, &PublishOptions::default()).unwrap();
    // An old-style dataset: published before regions were signed (its target carries only
    // `custom.faro`), as phones in the field saw it.
    publish(
        &repo.keys,
        &repo.dir,
        &[input(dir, "directory/hn", &[("HN", 14.0723, -87.1921)])],
        &PublishOptions::default(),
    )
    .unwrap();
    let crafter = repo.crafter();
    let mut targets = crafter.targets("targets");
    let hn = targets.targets.get_mut(&snapshot_path("directory/hn")).unwrap();
    hn.custom.as_mut().unwrap().as_object_mut().unwrap().remove(REGION_KEY).unwrap();
    crafter.release("targets", targets, &[&repo.keys.targets]);
    let Some(nginx) = Nginx::serve(&repo.dir) else { return };
    let url = nginx.url("");

    // Nothing is trusted on first use.
    let fresh = Store::open(dir.join("fresh.db")).unwrap();
    let e = list(&fresh, &url).unwrap_err();
    assert!(e.to_string().contains("no trusted root"), "{e}");

    let store = phone(&repo, "phone.db");
    let offer = list(&store, &url).unwrap();
    let names: Vec<&str> = offer.datasets.iter().map(|d| d.dataset.as_str()).collect();
    assert_eq!(names, ["directory/gt", "directory/hn", "directory/mx", "hotlines/national"]);
    assert!(offer.refused.is_empty(), "{:?}", offer.refused);
    let targets = repo.crafter().targets("targets");
    for d in &offer.datasets {
        // Counts, versions and first-download sizes are the signed ones, and the size is the
        // snapshot file's on the server.
        let entry = repo.entry(&d.dataset);
        assert_eq!((d.records, d.version, d.demo), (entry.records, entry.version, true), "{}", d.dataset);
        let on_disk = std::fs::metadata(repo.snapshot_file(&d.dataset)).unwrap().len();
        assert_eq!(d.download_bytes, on_disk, "{}", d.dataset);
        assert_eq!(d.download_bytes, targets.targets[&snapshot_path(&d.dataset)].length);
        assert_eq!(d.publisher.as_deref(), entry.publisher.as_deref());
        assert_eq!(d.content.as_str(), "listings");
        assert!(!d.subscribed && d.held_version.is_none());
    }
    let by_name = |n: &str| offer.datasets.iter().find(|d| d.dataset == n).unwrap();
    let mx = by_name("directory/mx");
    assert_eq!((mx.region_source, mx.region.countries.as_slice()), (RegionSource::Signed, &["MX".to_string()][..]));
    assert_eq!(mx.region.bbox_e6, Some([-99_133_200, 14_905_600, -92_263_600, 19_432_600]));
    let hn = by_name("directory/hn");
    assert_eq!((hn.region_source, hn.region.countries.as_slice()), (RegionSource::Name, &["HN".to_string()][..]));
    assert_eq!(hn.region.bbox_e6, None);
    assert_eq!(by_name("hotlines/national").region_source, RegionSource::Unknown);

    // A point near the border: a small radius picks Mexico only, a big one Guatemala too;
    // datasets with no signed box are not picked by a point, and are named.
    let near = |km| sync::choose(&offer, &RegionChoice::Near { point: TAPACHULA, radius_km: km });
    assert_eq!(near(10.0).datasets, ["directory/mx"]);
    assert_eq!(near(150.0).datasets, ["directory/gt", "directory/mx"]);
    assert_eq!(near(150.0).unplaced, ["directory/hn", "hotlines/national"]);
    let hn_code = faro_core::country::CountryCode::parse("hn").unwrap();
    assert_eq!(sync::choose(&offer, &RegionChoice::Countries(vec![hn_code])).datasets, ["directory/hn"]);

    // Subscribing to the choice and syncing brings exactly those; the listing then says so.
    let chosen = near(150.0).datasets;
    let options = SyncOptions { subscribe: chosen, net: quick_net(), ..SyncOptions::default() };
    let report = sync::sync_from_url(&store, &url, &options, &Cancel::new(), &mut |_| {}).unwrap();
    assert_eq!(report.datasets.len(), 2);
    let again = list(&store, &url).unwrap();
    let subscribed: Vec<_> =
        again.datasets.iter().filter(|d| d.subscribed).map(|d| (&d.dataset[..], d.held_version)).collect();
    assert_eq!(subscribed, [("directory/gt", Some(1)), ("directory/mx", Some(1))]);
}

#[test]
fn a_tampered_targets_file_lists_nothing() {
    let repo = Repo::new();
    let dir = repo.work();
    let inputs = [input(dir, "directory/mx", &[("MX", 14.9056, -92.2636)])];
    publish(&repo.keys, &repo.dir, &inputs, &PublishOptions::default()).unwrap();
    // The record count raised in the newest targets file, without the targets key.
    let version = repo.crafter().snapshot().meta["targets.json"].version;
    let file = repo.dir.join("metadata").join(format!("{version}.targets.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"records\": 1,"), "{text}");
    std::fs::write(&file, text.replace("\"records\": 1,", "\"records\": 9,")).unwrap();
    let Some(nginx) = Nginx::serve(&repo.dir) else { return };

    let store = phone(&repo, "phone.db");
    let e = list(&store, &nginx.url("")).unwrap_err();
    assert!(e.to_string().contains("targets"), "{e}");
    assert!(matches!(e, faro_core::Error::Tuf(_)), "{e:?}");
}
