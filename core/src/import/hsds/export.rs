//! Writes listings as an HSDS 3.0 tabular data package: `datapackage.json` and the CSV
//! files of the tables Faro fills (organization, service, location, service_at_location,
//! address, phone, schedule, language, taxonomy_term, attribute), each row with a UUID id
//! derived from the listing id, so that exporting the same data twice gives the same ids.
//!
//! Faro fields HSDS has no column for travel as `faro` taxonomy terms (kind, services, cost,
//! audience, papers, represented country, accessibility, time zone), and the listing id as
//! the location's `external_identifier`, so that importing the export gives the same
//! listings. What is not carried (other languages than the package's, a second e-mail or
//! web site, social accounts, consular details beyond the country, status notes, who
//! verified, an address without all the parts HSDS requires) is counted in
//! [`ExportSummary`] and listed in docs/hsds.md.

use std::collections::BTreeMap;
use std::path::Path;

use super::schedule::{rows_for, OSM_NOTE};
use super::{FARO_ID_TYPE, FARO_TAXONOMY};
use crate::error::{Error, Result};
use crate::lang::LangTag;
use crate::model::{Listing, LocalizedText, PhoneKind, Status};
use crate::store::DatasetInfo;

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Listings written (one service, location and service_at_location each).
    pub listings: usize,
    /// The language of the package's texts.
    pub lang: String,
    /// Texts in other languages, left out.
    pub texts_left_out: usize,
    /// Values HSDS has no place for (a second e-mail or web site, social accounts, consular
    /// details beyond the country, status notes, verification), left out.
    pub values_left_out: usize,
}

const COLUMNS: [(&str, &str, &[&str]); 10] = [
    ("organization", "organizations.csv", &["id", "name", "description"]),
    (
        "service",
        "services.csv",
        &["id", "organization_id", "name", "description", "url", "email", "status", "eligibility_description"],
    ),
    (
        "location",
        "locations.csv",
        &["id", "location_type", "name", "latitude", "longitude", "external_identifier", "external_identifier_type"],
    ),
    ("service_at_location", "service_at_location.csv", &["id", "service_id", "location_id"]),
    (
        "address",
        "addresses.csv",
        &["id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
    ),
    ("phone", "phones.csv", &["id", "service_id", "number", "type", "description"]),
    (
        "schedule",
        "schedules.csv",
        &["id", "service_id", "freq", "byday", "opens_at", "closes_at", "description", "notes"],
    ),
    ("language", "languages.csv", &["id", "service_id", "code"]),
    ("taxonomy_term", "taxonomy_terms.csv", &["id", "code", "name", "description", "taxonomy"]),
    ("attribute", "attributes.csv", &["id", "link_id", "link_entity", "taxonomy_term_id"]),
];

/// A name-based UUID (SHA-256 of `seed`, version and variant bits set): the same listing
/// gets the same HSDS ids in every export.
fn uuid(seed: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// Tables being filled: table name to rows of (column, value).
type Out = BTreeMap<&'static str, Vec<BTreeMap<&'static str, String>>>;

fn row(pairs: &[(&'static str, String)]) -> BTreeMap<&'static str, String> {
    pairs.iter().filter(|(_, v)| !v.is_empty()).cloned().collect()
}

/// The language most listing names are in: the package's one language.
fn main_lang(listings: &[Listing]) -> Option<LangTag> {
    let mut count: BTreeMap<&LangTag, usize> = BTreeMap::new();
    for l in listings {
        for k in l.name.keys() {
            *count.entry(k).or_default() += 1;
        }
    }
    count.into_iter().max_by_key(|(_, n)| *n).map(|(k, _)| k.clone())
}

/// Writes `listings` of `dataset` as an HSDS data package in `dir` (created if missing).
pub fn write_package(dataset: &DatasetInfo, listings: &[Listing], dir: &Path) -> Result<ExportSummary> {
    let lang =
        main_lang(listings).ok_or_else(|| Error::BadQuery(format!("dataset {} has no listings", dataset.name)))?;
    let mut summary = ExportSummary { listings: listings.len(), lang: lang.to_string(), ..Default::default() };
    let mut out: Out = BTreeMap::new();
    let mut pick = |t: &LocalizedText| -> String {
        summary.texts_left_out += t.keys().filter(|k| **k != lang).count();
        t.get(&lang).cloned().unwrap_or_default()
    };
    let mut orgs: BTreeMap<String, String> = BTreeMap::new();
    let mut terms: BTreeMap<String, String> = BTreeMap::new();
    let mut left_out = 0;
    for l in listings {
        let seed = |what: &str| uuid(&format!("{}\u{0}{}\u{0}{what}", dataset.name, l.id));
        let (sid, lid, salid) = (seed("service"), seed("location"), seed("service_at_location"));
        let name = pick(&l.name);
        // Every service needs an organization: the listing's, else one named like the listing.
        let org_name = match pick(&l.organization) {
            o if o.is_empty() => name.clone(),
            o => o,
        };
        let org_id = orgs
            .entry(org_name.clone())
            .or_insert_with(|| {
                let id = uuid(&format!("{}\u{0}organization\u{0}{org_name}", dataset.name));
                out.entry("organization").or_default().push(row(&[
                    ("id", id.clone()),
                    ("name", org_name.clone()),
                    ("description", org_name.clone()),
                ]));
                id
            })
            .clone();
        out.entry("service").or_default().push(row(&[
            ("id", sid.clone()),
            ("organization_id", org_id),
            ("name", name.clone()),
            ("description", pick(&l.description)),
            ("url", l.websites.first().cloned().unwrap_or_default()),
            ("email", l.emails.first().cloned().unwrap_or_default()),
            (
                "status",
                match l.status {
                    Status::Active => "active",
                    Status::TemporarilyClosed => "temporarily closed",
                    Status::Closed => "inactive",
                }
                .to_string(),
            ),
            ("eligibility_description", pick(&l.eligibility.note)),
        ]));
        left_out += l.emails.len().saturating_sub(1) + l.websites.len().saturating_sub(1) + l.social.len();
        left_out += usize::from(!l.status_note.is_empty()) + usize::from(l.verified.is_some());
        left_out += l.eligibility.migration_status.len();
        left_out += l.consulate.as_ref().map_or(0, |c| usize::from(c.mission_type.is_some()) + c.services.len());
        let coord =
            |f: fn(&crate::model::Location) -> f64| l.location.as_ref().map(|p| f(p).to_string()).unwrap_or_default();
        out.entry("location").or_default().push(row(&[
            ("id", lid.clone()),
            ("location_type", "physical".into()),
            ("name", name.clone()),
            ("latitude", coord(|p| p.lat)),
            ("longitude", coord(|p| p.lon)),
            ("external_identifier", l.id.clone()),
            ("external_identifier_type", FARO_ID_TYPE.into()),
        ]));
        out.entry("service_at_location").or_default().push(row(&[
            ("id", salid),
            ("service_id", sid.clone()),
            ("location_id", lid.clone()),
        ]));
        // HSDS requires every part of an address: one that lacks a part is not written.
        let complete = l.address.as_ref().filter(|a| {
            a.street.contains_key(&lang) && a.locality.is_some() && a.region.is_some() && a.postal_code.is_some()
        });
        left_out += usize::from(l.address.is_some() && complete.is_none());
        if let Some(a) = complete {
            out.entry("address").or_default().push(row(&[
                ("id", seed("address")),
                ("location_id", lid.clone()),
                ("address_1", pick(&a.street)),
                ("city", a.locality.clone().unwrap_or_default()),
                ("state_province", a.region.clone().unwrap_or_default()),
                ("postal_code", a.postal_code.clone().unwrap_or_default()),
                ("country", a.country.as_str().to_string()),
                ("address_type", "physical".into()),
            ]));
        }
        for (i, p) in l.phones.iter().enumerate() {
            let kind = match p.kind {
                PhoneKind::Voice | PhoneKind::Hotline | PhoneKind::Whatsapp => "voice",
                PhoneKind::Sms => "text",
                PhoneKind::Fax => "fax",
            };
            left_out += usize::from(matches!(p.kind, PhoneKind::Hotline | PhoneKind::Whatsapp));
            out.entry("phone").or_default().push(row(&[
                ("id", seed(&format!("phone{i}"))),
                ("service_id", sid.clone()),
                ("number", p.number.clone()),
                ("type", kind.into()),
                ("description", pick(&p.note)),
            ]));
        }
        if let Some(hours) = &l.opening_hours {
            match rows_for(hours) {
                Some(rows) => {
                    for (i, r) in rows.into_iter().enumerate() {
                        out.entry("schedule").or_default().push(row(&[
                            ("id", seed(&format!("schedule{i}"))),
                            ("service_id", sid.clone()),
                            ("freq", "WEEKLY".into()),
                            ("byday", r.byday),
                            ("opens_at", r.opens_at),
                            ("closes_at", r.closes_at),
                        ]));
                    }
                }
                None => out.entry("schedule").or_default().push(row(&[
                    ("id", seed("schedule0")),
                    ("service_id", sid.clone()),
                    ("description", hours.clone()),
                    ("notes", OSM_NOTE.into()),
                ])),
            }
        }
        for (i, tag) in l.languages.iter().enumerate() {
            out.entry("language").or_default().push(row(&[
                ("id", seed(&format!("language{i}"))),
                ("service_id", sid.clone()),
                ("code", tag.to_string()),
            ]));
        }
        let mut codes = vec![format!("kind:{}", l.kind.as_str())];
        codes.extend(l.services.iter().map(|s| format!("service:{}", s.as_str())));
        codes.extend(l.cost.map(|c| format!("cost:{}", c.as_str())));
        codes.extend(l.serves.iter().map(|a| format!("serves:{}", a.as_str())));
        codes.extend(
            l.eligibility.papers_required.map(|p| format!("papers:{}", if p { "required" } else { "not_required" })),
        );
        codes.extend(l.consulate.as_ref().map(|c| format!("represents:{}", c.represents.as_str())));
        codes.extend(l.accessibility.iter().map(|a| format!("accessibility:{}", a.as_str())));
        codes.extend(l.timezone.as_ref().map(|z| format!("timezone:{z}")));
        // A listing that names a value twice gets one attribute for it (ids stay unique).
        let mut seen = std::collections::HashSet::new();
        codes.retain(|c| seen.insert(c.clone()));
        for code in codes {
            let term_id = terms
                .entry(code.clone())
                .or_insert_with(|| {
                    let id = uuid(&format!("{FARO_TAXONOMY}\u{0}{code}"));
                    out.entry("taxonomy_term").or_default().push(row(&[
                        ("id", id.clone()),
                        ("code", code.clone()),
                        ("name", code.clone()),
                        ("description", format!("Faro vocabulary term {code} (docs/hsds.md)")),
                        ("taxonomy", FARO_TAXONOMY.into()),
                    ]));
                    id
                })
                .clone();
            out.entry("attribute").or_default().push(row(&[
                ("id", seed(&format!("attribute {code}"))),
                ("link_id", sid.clone()),
                ("link_entity", "service".into()),
                ("taxonomy_term_id", term_id),
            ]));
        }
    }
    summary.values_left_out = left_out;
    std::fs::create_dir_all(dir).map_err(|e| Error::Io { path: dir.to_path_buf(), source: e })?;
    let mut resources = Vec::new();
    for (table, file, columns) in COLUMNS {
        let path = dir.join(file);
        let io = |e: std::io::Error| Error::Io { path: path.clone(), source: e };
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| Error::Internal(format!("writing {file}: {e}"));
        w.write_record(columns).map_err(csv_err)?;
        for r in out.get(table).into_iter().flatten() {
            w.write_record(columns.iter().map(|c| r.get(c).map_or("", String::as_str))).map_err(csv_err)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Internal(format!("writing {file}: {e}")))?;
        std::fs::write(&path, bytes).map_err(io)?;
        resources.push(serde_json::json!({
            "name": table, "path": file, "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "schema": {"fields": columns.iter().map(|c| serde_json::json!({"name": c, "type": "string"})).collect::<Vec<_>>()},
        }));
    }
    let source = dataset.source.as_ref();
    let short = dataset.name.strip_prefix("hsds/").unwrap_or(&dataset.name).replace('/', "-");
    let mut meta = serde_json::json!({
        "profile": "tabular-data-package",
        "name": short,
        "title": source.map_or_else(|| dataset.name.clone(), |s| s.name.clone()),
        "language": summary.lang,
        "demo": dataset.demo,
        "resources": resources,
    });
    if let Some(url) = source.and_then(|s| s.url.clone()) {
        meta["homepage"] = url.into();
    }
    if let Some(license) = source.and_then(|s| s.license.clone()) {
        meta["licenses"] = serde_json::json!([{ "name": license }]);
    }
    let path = dir.join("datapackage.json");
    let text = serde_json::to_string_pretty(&meta).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(&path, text + "\n").map_err(|e| Error::Io { path: path.clone(), source: e })?;
    Ok(summary)
}

/// Writes stored dataset `name` as an HSDS data package in `dir` (`faro export --format
/// hsds`): its listings in id order, its source and licence in `datapackage.json`.
pub fn export_dataset(store: &crate::store::Store, name: &str, dir: &Path) -> Result<ExportSummary> {
    let (dataset, records) = store.read(|conn| {
        let info = conn
            .query_row("SELECT source_name, source_url, license, demo FROM datasets WHERE name = ?1", [name], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::BadQuery(format!("no dataset {name} in this database")),
                e => e.into(),
            })?;
        let mut stmt = conn.prepare(
            "SELECT l.id, r.record FROM listings l JOIN listing_records r ON r.listing = l.rowid
             WHERE l.dataset = ?1 ORDER BY l.id",
        )?;
        let records = stmt
            .query_map([name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (source_name, url, license, demo) = info;
        let source = source_name.map(|n| crate::model::Source { name: n, url, license, date: None });
        Ok((DatasetInfo { name: name.to_string(), source, demo }, records))
    })?;
    let mut listings = Vec::with_capacity(records.len());
    for (id, json) in records {
        let listing: Listing =
            serde_json::from_str(&json).map_err(|e| Error::damaged_row("listing", 0, format!("{id}: {e}")))?;
        listings.push(listing);
    }
    write_package(&dataset, &listings, dir)
}
