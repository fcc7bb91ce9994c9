//! OpenStreetMap extracts (`.osm.pbf`, feature `osm`, ADR 0030): the places a person in
//! transit needs, read into a [`Converted`]. `docs/osm-import.md` is the reference for
//! publishers; this is the rule, in the order it is applied to every tagged element.
//!
//! | OSM tags | Faro |
//! | --- | --- |
//! | `office=diplomatic` + `diplomatic=embassy` or `consulate` | `consulate`; `represents` from `country=` (ISO 3166-1 alpha-2 of the sending state); `mission_type` from `diplomatic=` and its refinement (`consulate=consulate_general`, `embassy=high_commission`, ...) |
//! | `office=diplomatic`, other `diplomatic=` (liaison, permanent mission, ...) or none | set aside: not an embassy or consulate |
//! | `amenity=social_facility` + `social_facility=shelter` (also on `office=ngo`, `amenity=shelter`) | `shelter`, service `shelter` |
//! | `social_facility=ambulatory_care` or `healthcare` | `health` |
//! | `social_facility=` food_bank, soup_kitchen, outreach, day_care | set aside: Faro has no kind for it yet |
//! | `social_facility=` nursing_home, assisted_living, group_home, other | skipped (not a place for people in transit) |
//! | `amenity=hospital`, `clinic`, `doctors`; `healthcare=hospital`, `clinic`, `doctor`, `centre`, `counselling` | `health`; services only from explicit tags: `emergency=yes` → `emergency_care`, `healthcare:speciality=` general/family → `primary_care`, vaccination, psychiatry/psychology → `mental_health`, gynaecology/obstetrics → `sexual_reproductive_health`; `healthcare=counselling` → `mental_health` |
//! | other `healthcare=` (pharmacy, dentist, laboratory, ...) | skipped |
//! | `office=ngo` or `amenity=shelter` without the tags above, whose name or description mentions migrants, refugees or asylum ([`KEYWORDS`]) | set aside: relevant, but no tag says what help it gives |
//! | `amenity=shelter` otherwise (bus stops, picnic and weather shelters, huts: `shelter_type=*`) | skipped: in OSM it is a roof against the weather, not a place to sleep |
//! | anything else | skipped |
//!
//! `social_facility:for=` gives who it serves: women and abused women → `women`, juvenile,
//! child and orphan → `children`, family → `families`, lgbtq → `lgbtq`, men → `men`. Other
//! values (migrant, refugee, homeless, ...) do not restrict who may come and are not recorded.
//!
//! Every kept place needs a name (`name` or `name:<lang>`), a country (`addr:country`, else
//! the one country at its coordinates) and must pass the same checks as any import
//! ([`check_listing`], [`check_plausible`]); otherwise it is set aside with the reason.
//! `name:<lang>` go under their BCP 47 tag; a plain `name` that no `name:<lang>` repeats goes
//! under `und` (language not stated): the reader does not guess the language of a name.
//!
//! Opening hours: `opening_hours` is parsed by the same engine as every import
//! ([`crate::hours`]) in the time zone at the place's coordinates. A value that does not parse
//! does not keep the place out: the place is kept with its hours unknown, and the value is
//! reported in `set_aside` with the OSM id, field `opening_hours`, and a reason starting
//! "imported without opening hours". A shelter with a typo in its hours is still a shelter;
//! hours shown as unknown are honest, a dropped place is not found at all.
//!
//! Phones (`phone`, `contact:phone`, `;`-separated) are read in the place's country; one that
//! is not a valid number is left out and reported the same way ("imported without phone ...").
//!
//! Ways get the centroid of their nodes, relations the centroid of their member nodes and of
//! the nodes of their member ways (one level; nested relations are not followed). Memory: the
//! reader reads the file up to three times, and keeps only the tags of candidate places, the
//! node ids those need, and those nodes' locations, never the extract's full node table; an
//! extract of a country needs megabytes for its few thousand candidate places.
//!
//! A truncated or damaged file is refused with the block number and byte offset where reading
//! failed, before anything is written. A file cut exactly between two blocks cannot be told
//! from a smaller extract.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, SeekFrom};
use std::path::Path;

use osmpbf::{BlobDecode, BlobReader, Element, RelMemberType};

use super::convert::Converted;
use crate::country::CountryCode;
use crate::error::{Error, InputError, Result};
use crate::geo::{distance_m, Point};
use crate::lang::LangTag;
use crate::model::plausible::check_plausible;
use crate::model::plausible::place::{country_at, zone_at};
use crate::model::validate::check_listing;
use crate::model::vocabulary::fold;
use crate::model::{
    Accessibility, Address, Audience, Consulate, Eligibility, Kind, Listing, LocalizedText, Location, Phone, PhoneKind,
    ServiceCode, Source, Status,
};
use crate::store::{DatasetInfo, Store};

/// Name of the source recorded in the dataset and every listing (ODbL attribution).
pub const SOURCE_NAME: &str = "OpenStreetMap contributors";
/// Where the attribution points.
pub const SOURCE_URL: &str = "https://www.openstreetmap.org/copyright";
/// Licence of OpenStreetMap data (SPDX id).
pub const SOURCE_LICENSE: &str = "ODbL-1.0";
/// Dataset name proposed for an extract whose file name gives none (`faro import --dataset`
/// renames it).
pub const DEFAULT_DATASET: &str = "osm/extract";

/// The dataset name an extract proposes: `osm/` and its file name without `.osm.pbf`, lower
/// case, other characters than letters, digits, `-` and `_` as `-` (`Mexico-latest.osm.pbf`
/// gives `osm/mexico-latest`); [`DEFAULT_DATASET`] when nothing is left.
pub fn dataset_name(path: &Path) -> String {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let stem = file.strip_suffix(".osm.pbf").or_else(|| file.strip_suffix(".pbf")).unwrap_or(file);
    let name: String = stem
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' { c } else { '-' })
        .collect();
    let name = name.trim_matches('-');
    if name.is_empty() || name.len() > 90 {
        DEFAULT_DATASET.to_string()
    } else {
        format!("osm/{name}")
    }
}
/// Two places of the same kind whose folded names are equal are the same place when they
/// are at most this far apart, in metres ([`leave_out_known`]).
pub const SAME_PLACE_M: f64 = 100.0;

/// Words (folded: lower case, no accents) that make an `office=ngo` or `amenity=shelter`
/// relevant enough to report when no tag says what help it gives: migrants, refugees,
/// asylum, displaced people, in the five languages of the app.
pub const KEYWORDS: &[&str] =
    &["migra", "refugee", "refugiad", "refugie", "refijye", "asylum", "asilo", "asile", "desplazad", "displaced"];

/// What the tags of an element say it is.
#[derive(Debug, Clone, PartialEq)]
enum Class {
    /// A place to import, with its kind and services.
    Place(Kind, Vec<ServiceCode>),
    /// Relevant but not mappable: the reason.
    SetAside(String),
    /// Not a place Faro lists.
    Skip,
}

/// Classifies an element by its tags (the table in the module docs).
fn classify(tags: &HashMap<String, String>) -> Class {
    let get = |k: &str| tags.get(k).map(String::as_str);
    if get("office") == Some("diplomatic") {
        return match get("diplomatic") {
            Some("embassy" | "consulate") => Class::Place(Kind::Consulate, Vec::new()),
            Some(other) => {
                Class::SetAside(format!("office=diplomatic with diplomatic={other} is not an embassy or consulate"))
            }
            None => Class::SetAside("office=diplomatic without diplomatic=embassy or diplomatic=consulate".into()),
        };
    }
    if let Some(facility) = get("social_facility") {
        match facility {
            "shelter" => return Class::Place(Kind::Shelter, vec![ServiceCode::Shelter]),
            "ambulatory_care" | "healthcare" => return Class::Place(Kind::Health, health_services(tags)),
            "food_bank" | "soup_kitchen" | "outreach" | "day_care" => {
                return Class::SetAside(format!("social_facility={facility}: Faro has no kind for it yet"))
            }
            _ if get("amenity") == Some("social_facility") => return Class::Skip,
            _ => {}
        }
    }
    let health_amenity = matches!(get("amenity"), Some("hospital" | "clinic" | "doctors"));
    let health_care = matches!(get("healthcare"), Some("hospital" | "clinic" | "doctor" | "centre" | "counselling"));
    if health_amenity || health_care {
        return Class::Place(Kind::Health, health_services(tags));
    }
    let ngo = get("office") == Some("ngo");
    let weather_shelter = get("amenity") == Some("shelter");
    if ngo || weather_shelter {
        let text = tags
            .iter()
            .filter(|(k, _)| k.as_str() == "name" || k.starts_with("name:") || k.as_str() == "description")
            .map(|(_, v)| fold(v))
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(word) = KEYWORDS.iter().find(|w| text.contains(*w)) {
            let what = if ngo { "office=ngo" } else { "amenity=shelter" };
            return Class::SetAside(format!(
                "{what} mentions {word:?} but no tag says what help it gives (social_facility=shelter, healthcare=...)"
            ));
        }
    }
    Class::Skip
}

/// Health services stated by explicit tags only.
fn health_services(tags: &HashMap<String, String>) -> Vec<ServiceCode> {
    let mut out = Vec::new();
    if tags.get("emergency").map(String::as_str) == Some("yes") {
        out.push(ServiceCode::EmergencyCare);
    }
    if tags.get("healthcare").map(String::as_str) == Some("counselling") {
        out.push(ServiceCode::MentalHealth);
    }
    for speciality in tags.get("healthcare:speciality").into_iter().flat_map(|v| v.split(';')) {
        let code = match speciality.trim() {
            "general" | "family" => ServiceCode::PrimaryCare,
            "vaccination" => ServiceCode::Vaccination,
            "psychiatry" | "psychology" | "psychotherapy" => ServiceCode::MentalHealth,
            "gynaecology" | "obstetrics" => ServiceCode::SexualReproductiveHealth,
            _ => continue,
        };
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// A candidate place found in the first pass.
struct Candidate {
    /// `osm:node/1`.
    id: String,
    tags: HashMap<String, String>,
    class: Class,
    /// A node's own location.
    point: Option<(f64, f64)>,
    /// Nodes whose centroid places it (a way's nodes; a relation's member nodes).
    nodes: Vec<i64>,
    /// A relation's member ways.
    ways: Vec<i64>,
}

/// Reads blocks of an `.osm.pbf` file, calling `f` on every element; a read or decode
/// failure names the block and its byte offset.
fn each_element(path: &Path, file: &str, mut f: impl FnMut(Element<'_>)) -> Result<()> {
    let open = File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
    let damaged = |block: u64, offset: u64, what: &dyn std::fmt::Display| {
        Error::Input(InputError::new(
            file,
            format!("block {block} at byte {offset}: {what} (the file is truncated or is not an .osm.pbf extract)"),
        ))
    };
    let mut reader = BlobReader::new_seekable(BufReader::new(open)).map_err(|e| damaged(1, 0, &e))?;
    let mut block: u64 = 0;
    let mut offset: u64 = 0;
    let mut saw_header = false;
    loop {
        block += 1;
        let Some(blob) = reader.next() else { break };
        let blob = blob.map_err(|e| damaged(block, offset, &e))?;
        match blob.decode().map_err(|e| damaged(block, offset, &e))? {
            BlobDecode::OsmHeader(header) => {
                if let Some(feature) =
                    header.required_features().iter().find(|f| !matches!(f.as_str(), "OsmSchema-V0.6" | "DenseNodes"))
                {
                    return Err(damaged(block, offset, &format!("needs the unsupported feature {feature:?}")));
                }
                saw_header = true;
            }
            BlobDecode::OsmData(data) => {
                if !saw_header {
                    return Err(damaged(block, offset, &"data before the OSMHeader block"));
                }
                data.for_each_element(&mut f);
            }
            BlobDecode::Unknown(_) => {}
        }
        offset = reader.seek_raw(SeekFrom::Current(0)).map_err(|e| damaged(block + 1, offset, &e))?;
    }
    if !saw_header {
        return Err(damaged(1, 0, &"no OSMHeader block"));
    }
    Ok(())
}

fn tags_of<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> HashMap<String, String> {
    tags.map(|(k, v)| (k.to_string(), v.trim().to_string())).collect()
}

/// An extract read: the converted dataset, and the `wikidata=` tags of its places, which
/// [`OsmExtract::leave_out_known`] matches against listings already present.
#[derive(Debug, Clone)]
pub struct OsmExtract {
    /// The listings, with the dataset and what was set aside.
    pub converted: Converted,
    /// Listing id (`osm:node/1`) to the Wikidata item (`Q123`) its `wikidata=` tag names.
    pub wikidata: HashMap<String, String>,
    /// The name used in messages.
    file: String,
}

/// Reads an `.osm.pbf` extract (see the module docs). `file` is the name used in messages.
pub fn read_osm_pbf(path: &Path, file: &str) -> Result<OsmExtract> {
    // Pass 1: candidates, by their tags.
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut consider = |id: String, tags: HashMap<String, String>, point, nodes, ways| {
        if tags.is_empty() {
            return;
        }
        let class = classify(&tags);
        if class != Class::Skip {
            candidates.push(Candidate { id, tags, class, point, nodes, ways });
        }
    };
    each_element(path, file, |element| match element {
        Element::Node(n) => {
            consider(format!("osm:node/{}", n.id()), tags_of(n.tags()), Some((n.lat(), n.lon())), vec![], vec![])
        }
        Element::DenseNode(n) => {
            consider(format!("osm:node/{}", n.id()), tags_of(n.tags()), Some((n.lat(), n.lon())), vec![], vec![])
        }
        Element::Way(w) => consider(format!("osm:way/{}", w.id()), tags_of(w.tags()), None, w.refs().collect(), vec![]),
        Element::Relation(r) => {
            let (mut nodes, mut ways) = (Vec::new(), Vec::new());
            for m in r.members() {
                match m.member_type {
                    RelMemberType::Node => nodes.push(m.member_id),
                    RelMemberType::Way => ways.push(m.member_id),
                    RelMemberType::Relation => {}
                }
            }
            consider(format!("osm:relation/{}", r.id()), tags_of(r.tags()), None, nodes, ways)
        }
    })?;

    // Pass 2: the nodes of the relations' member ways.
    let member_ways: HashSet<i64> = candidates.iter().flat_map(|c| c.ways.iter().copied()).collect();
    let mut way_nodes: HashMap<i64, Vec<i64>> = HashMap::new();
    if !member_ways.is_empty() {
        each_element(path, file, |element| {
            if let Element::Way(w) = element {
                if member_ways.contains(&w.id()) {
                    way_nodes.insert(w.id(), w.refs().collect());
                }
            }
        })?;
    }
    for c in &mut candidates {
        for way in std::mem::take(&mut c.ways) {
            c.nodes.extend(way_nodes.get(&way).into_iter().flatten().copied());
        }
    }
    drop(way_nodes);

    // Pass 3: the locations of the nodes that place ways and relations.
    let needed: HashSet<i64> = candidates.iter().flat_map(|c| c.nodes.iter().copied()).collect();
    let mut locations: HashMap<i64, (f64, f64)> = HashMap::with_capacity(needed.len());
    if !needed.is_empty() {
        each_element(path, file, |element| {
            let (id, lat, lon) = match element {
                Element::Node(n) => (n.id(), n.lat(), n.lon()),
                Element::DenseNode(n) => (n.id(), n.lat(), n.lon()),
                _ => return,
            };
            if needed.contains(&id) {
                locations.insert(id, (lat, lon));
            }
        })?;
    }

    let mut listings = Vec::new();
    let mut set_aside = Vec::new();
    let mut wikidata = HashMap::new();
    let mut demo_count = 0;
    for c in candidates {
        let aside = |reason: String| InputError::new(file, reason).record(&c.id);
        let kind_services = match &c.class {
            Class::Place(kind, services) => (*kind, services.clone()),
            Class::SetAside(reason) => {
                set_aside.push(aside(reason.clone()));
                continue;
            }
            Class::Skip => continue,
        };
        // OSM stores 7 decimals (about 1 cm): the reader's float conversion adds noise below that.
        let round = |x: f64| (x * 1e7).round() / 1e7;
        let point = c.point.or_else(|| centroid(&c.nodes, &locations)).map(|(lat, lon)| (round(lat), round(lon)));
        match place(&c, kind_services, point, file) {
            Ok((listing, notes)) => {
                demo_count += usize::from(listing.demo);
                let qid = c.tags.get("wikidata").filter(|q| {
                    q.strip_prefix('Q').is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                });
                if let Some(qid) = qid {
                    wikidata.insert(listing.id.clone(), qid.clone());
                }
                set_aside.extend(notes);
                listings.push(listing);
            }
            Err((field, reason)) => set_aside.push(aside(reason).field(field)),
        }
    }
    let demo = !listings.is_empty() && demo_count == listings.len();
    Ok(OsmExtract {
        converted: Converted {
            dataset: DatasetInfo { name: dataset_name(path), source: Some(source(None)), demo },
            listings,
            set_aside,
        },
        wikidata,
        file: file.to_string(),
    })
}

/// The ODbL attribution, for the dataset (`osm_id` `None`) or one element.
fn source(osm_id: Option<&str>) -> Source {
    let url = match osm_id.and_then(|id| id.strip_prefix("osm:")) {
        Some(path) => format!("https://www.openstreetmap.org/{path}"),
        None => SOURCE_URL.to_string(),
    };
    Source { name: SOURCE_NAME.into(), url: Some(url), license: Some(SOURCE_LICENSE.into()), date: None }
}

/// The mean of the located nodes (a closed way's repeated first node counted once).
fn centroid(nodes: &[i64], locations: &HashMap<i64, (f64, f64)>) -> Option<(f64, f64)> {
    let mut seen = HashSet::new();
    let points: Vec<(f64, f64)> =
        nodes.iter().filter(|n| seen.insert(**n)).filter_map(|n| locations.get(n).copied()).collect();
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    Some((points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n))
}

/// Values of a `;`-separated tag and its `contact:` form.
fn values<'a>(tags: &'a HashMap<String, String>, key: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for k in [key.to_string(), format!("contact:{key}")] {
        for v in tags.get(&k).into_iter().flat_map(|v| v.split(';')).map(str::trim).filter(|v| !v.is_empty()) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

type Notes = Vec<InputError>;

/// Builds the listing of a mappable candidate, with the notes about values left out, or says
/// which field keeps it out and why.
fn place(
    c: &Candidate,
    (kind, services): (Kind, Vec<ServiceCode>),
    point: Option<(f64, f64)>,
    file: &str,
) -> std::result::Result<(Listing, Notes), (&'static str, String)> {
    let get = |k: &str| c.tags.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some((lat, lon)) = point else {
        return Err(("location", "no location: none of its nodes is in the extract".into()));
    };
    let mut notes = Vec::new();
    let note = |field: &str, reason: String| InputError::new(file, reason).record(&c.id).field(field);

    // Names: name:<lang> under its tag, a plain name under `und` unless a name:<lang> repeats it.
    let mut name = LocalizedText::new();
    let mut keys: Vec<&String> = c.tags.keys().filter(|k| k.starts_with("name:")).collect();
    keys.sort();
    for key in keys {
        let value = &c.tags[key];
        let tag = key.trim_start_matches("name:");
        match LangTag::parse(tag).ok().filter(|t| t.check_registered().is_ok()) {
            Some(lang) if !value.is_empty() => {
                name.insert(lang, value.clone());
            }
            _ => notes.push(note(key, format!("{key} left out: {tag:?} is not a BCP 47 language tag"))),
        }
    }
    if let Some(plain) = get("name") {
        if !name.values().any(|v| v == plain) {
            let und = LangTag::parse("und").map_err(|e| ("name", e.reason))?;
            name.insert(und, plain.to_string());
        }
    }
    if name.is_empty() {
        return Err(("name", "no name (name or name:<lang>)".into()));
    }

    let country = match get("addr:country") {
        Some(code) => CountryCode::parse(code)
            .ok_or_else(|| ("addr:country", format!("{code:?} is not an ISO 3166-1 alpha-2 code")))?,
        None => country_at(lat, lon).ok_or_else(|| {
            ("addr:country", format!("no addr:country, and {lat:.5},{lon:.5} is not inside exactly one country"))
        })?,
    };

    let consulate = if kind == Kind::Consulate {
        let Some(code) = get("country") else {
            return Err(("country", "no country= tag naming the state the mission represents".into()));
        };
        let represents = CountryCode::parse(code)
            .ok_or_else(|| ("country", format!("country={code:?} is not an ISO 3166-1 alpha-2 code")))?;
        let diplomatic = get("diplomatic").unwrap_or_default();
        let mission_type = get(diplomatic).map_or_else(|| diplomatic.to_string(), |sub| sub.replace('_', " "));
        Some(Consulate { represents, mission_type: Some(mission_type), services: Vec::new() })
    } else {
        None
    };

    let mut phones = Vec::new();
    for raw in values(&c.tags, "phone") {
        let read = crate::contact::normalize::phone(raw, Some(country));
        match read.normalized.filter(|_| read.kind == crate::contact::normalize::ContactKind::Phone) {
            Some(number) if !phones.iter().any(|p: &Phone| p.number == number) => {
                phones.push(Phone { number, kind: PhoneKind::Voice, note: LocalizedText::new() })
            }
            Some(_) => {}
            None => notes.push(note(
                "phone",
                format!("imported without phone {raw:?}: not a valid number in {} ({country})", country.name()),
            )),
        }
    }
    let emails: Vec<String> = values(&c.tags, "email").into_iter().map(str::to_string).collect();
    let websites: Vec<String> = values(&c.tags, "website").into_iter().map(str::to_string).collect();

    let mut street = LocalizedText::new();
    let line = [get("addr:street"), get("addr:housenumber")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    if !line.is_empty() {
        let und = LangTag::parse("und").map_err(|e| ("addr:street", e.reason))?;
        street.insert(und, line);
    }
    let address = Address {
        street,
        locality: get("addr:city").map(str::to_string),
        region: get("addr:state").or_else(|| get("addr:province")).map(str::to_string),
        postal_code: get("addr:postcode").map(str::to_string),
        country,
    };

    let mut serves = Vec::new();
    for who in c.tags.get("social_facility:for").into_iter().flat_map(|v| v.split(';')) {
        let audience = match who.trim() {
            "women" | "abused_women" => Audience::Women,
            "juvenile" | "child" | "orphan" => Audience::Children,
            "family" => Audience::Families,
            "lgbtq" => Audience::Lgbtq,
            "men" => Audience::Men,
            _ => continue,
        };
        if !serves.contains(&audience) {
            serves.push(audience);
        }
    }

    let mut listing = Listing {
        id: c.id.clone(),
        kind,
        services,
        name,
        organization: LocalizedText::new(),
        description: LocalizedText::new(),
        consulate,
        location: Some(Location { lat, lon }),
        address: Some(address),
        phones,
        emails,
        websites,
        social: Vec::new(),
        opening_hours: None,
        timezone: None,
        languages: Vec::new(),
        cost: None,
        serves,
        eligibility: Eligibility::default(),
        accessibility: if get("wheelchair") == Some("yes") { vec![Accessibility::Wheelchair] } else { Vec::new() },
        status: Status::Active,
        status_note: LocalizedText::new(),
        verified: None,
        source: Some(source(Some(&c.id))),
        demo: get("demo") == Some("yes"),
    };

    if let Some(expr) = get("opening_hours") {
        match zone_at(lat, lon) {
            None => notes.push(note(
                "opening_hours",
                format!("imported without opening hours: no single time zone at {lat:.5},{lon:.5}"),
            )),
            Some(tz) => match crate::hours::Hours::parse_for(expr, &tz, Some(country), Some((lat, lon))) {
                Ok(_) => {
                    listing.opening_hours = Some(expr.to_string());
                    listing.timezone = Some(tz);
                }
                Err(e) => notes.push(note("opening_hours", format!("imported without opening hours: {e}"))),
            },
        }
    }

    let mut problems = check_listing(&listing);
    problems.extend(check_plausible(&listing));
    if let Some(first) = problems.first() {
        let reasons: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.reason)).collect();
        let field = match first.field.split(['.', '[']).next().unwrap_or_default() {
            "emails" => "email",
            "websites" => "website",
            "location" => "location",
            "name" => "name",
            "timezone" => "timezone",
            _ => "tags",
        };
        return Err((field, reasons.join("; ")));
    }
    Ok((listing, notes))
}

impl OsmExtract {
    /// Leaves out the places `existing` already has (another dataset: Wikidata missions, a
    /// local directory), so that importing both shows each place once. A place is known when
    /// (1) its `wikidata=Q...` tag names a listing `wd:Q...` of `existing` (the missions
    /// reader's ids), or else (2) a listing of `existing` has the same kind, a folded name
    /// (lower case, no accents) equal to one of its names in any language, and lies within
    /// [`SAME_PLACE_M`]. Each place left out goes to `set_aside` naming the listing it
    /// matched, so that the person sees why; the existing listing is not changed.
    pub fn leave_out_known(self, existing: &[Listing]) -> Converted {
        let OsmExtract { mut converted, wikidata, file } = self;
        let by_id: HashSet<&str> = existing.iter().map(|l| l.id.as_str()).collect();
        let mut kept = Vec::with_capacity(converted.listings.len());
        for listing in converted.listings {
            let by_qid = wikidata.get(&listing.id).map(|q| format!("wd:{q}")).filter(|id| by_id.contains(id.as_str()));
            let matched = by_qid.map(|id| (id, "its wikidata tag".to_string())).or_else(|| {
                existing
                    .iter()
                    .find(|e| same_place(&listing, e))
                    .map(|e| (e.id.clone(), format!("same kind and name within {SAME_PLACE_M} m")))
            });
            match matched {
                Some((id, how)) => converted.set_aside.push(
                    InputError::new(&file, format!("already listed as {id} ({how}): left out, not duplicated"))
                        .record(&listing.id),
                ),
                None => kept.push(listing),
            }
        }
        converted.listings = kept;
        converted
    }
}

/// The listings of `dataset` in `store`, to merge an extract with
/// ([`OsmExtract::leave_out_known`]); a dataset the database does not have is refused, so
/// that a misspelt name does not silently merge with nothing.
pub fn listings_of(store: &Store, dataset: &str) -> Result<Vec<Listing>> {
    store.read(|conn| {
        let known: bool = conn
            .prepare_cached("SELECT EXISTS(SELECT 1 FROM datasets WHERE name = ?1)")?
            .query_row([dataset], |r| r.get(0))?;
        if !known {
            return Err(Error::BadQuery(format!(
                "--merge-with {dataset:?}: this database has no such dataset (`faro status` lists them)"
            )));
        }
        let mut statement = conn.prepare_cached(
            "SELECT l.id, r.record FROM listings l JOIN listing_records r ON r.listing = l.rowid WHERE l.dataset = ?1",
        )?;
        let rows = statement.query_map([dataset], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, record) = row?;
            out.push(serde_json::from_str(&record).map_err(|e| Error::damaged_record("listing", &id, e))?);
        }
        Ok(out)
    })
}

/// Same kind, a shared folded name, and within [`SAME_PLACE_M`].
fn same_place(a: &Listing, b: &Listing) -> bool {
    if a.kind != b.kind {
        return false;
    }
    let (Some(la), Some(lb)) = (a.location, b.location) else { return false };
    let (Some(pa), Some(pb)) = (Point::new(la.lat, la.lon), Point::new(lb.lat, lb.lon)) else { return false };
    if distance_m(pa, pb) > SAME_PLACE_M {
        return false;
    }
    let names_b: HashSet<String> = b.name.values().map(|n| fold(n.trim())).collect();
    a.name.values().any(|n| names_b.contains(&fold(n.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed demo extract (`data/osm/demo-extract.osm`, built by `make.sh`).
    fn demo_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/osm/demo-extract.osm.pbf")
    }

    fn read_demo() -> OsmExtract {
        read_osm_pbf(&demo_path(), "demo-extract.osm.pbf").unwrap()
    }

    fn listing<'a>(c: &'a Converted, id: &str) -> &'a Listing {
        c.listings.iter().find(|l| l.id == id).unwrap_or_else(|| panic!("{id} not imported"))
    }

    fn lang(tag: &str) -> LangTag {
        LangTag::parse(tag).unwrap()
    }

    #[test]
    fn the_demo_extract_imports_exactly_the_places_people_need() {
        let c = read_demo().converted;
        let got: Vec<(&str, Kind)> = c.listings.iter().map(|l| (l.id.as_str(), l.kind)).collect();
        assert_eq!(
            got,
            [
                ("osm:node/1001", Kind::Consulate),
                ("osm:node/1002", Kind::Shelter),
                ("osm:node/1003", Kind::Consulate),
                ("osm:node/1004", Kind::Consulate),
                ("osm:node/1011", Kind::Health),
                ("osm:way/2001", Kind::Health),
                ("osm:relation/4001", Kind::Health),
            ]
        );
        assert_eq!(c.dataset.name, "osm/demo-extract");
        assert_eq!(dataset_name(Path::new("/x/Mexico Latest.osm.pbf")), "osm/mexico-latest");
        assert_eq!(dataset_name(Path::new("..pbf")), "osm/extract");
        assert!(c.dataset.demo, "every place is tagged demo=yes");
        let source = c.dataset.source.as_ref().unwrap();
        assert_eq!(
            (source.name.as_str(), source.url.as_deref(), source.license.as_deref()),
            ("OpenStreetMap contributors", Some("https://www.openstreetmap.org/copyright"), Some("ODbL-1.0"))
        );
        for l in &c.listings {
            let s = l.source.as_ref().unwrap();
            assert_eq!((s.name.as_str(), s.license.as_deref()), ("OpenStreetMap contributors", Some("ODbL-1.0")));
            let path = l.id.strip_prefix("osm:").unwrap();
            assert_eq!(s.url.as_deref(), Some(format!("https://www.openstreetmap.org/{path}").as_str()));
            assert!(check_listing(l).is_empty() && check_plausible(l).is_empty(), "{}", l.id);
        }

        let gt = listing(&c, "osm:node/1001");
        let consulate = gt.consulate.as_ref().unwrap();
        assert_eq!(
            (consulate.represents.as_str(), consulate.mission_type.as_deref()),
            ("GT", Some("consulate general"))
        );
        assert_eq!(
            gt.name,
            LocalizedText::from([
                (lang("en"), "Consulate General of Guatemala (demo)".to_string()),
                (lang("es"), "Consulado General de Guatemala (demo)".to_string()),
            ]),
            "the plain name repeats name:es and is not kept twice"
        );
        assert_eq!(gt.opening_hours.as_deref(), Some("Mo-Fr 09:00-14:00"));
        assert_eq!(gt.timezone.as_deref(), Some("America/Mexico_City"));
        let phones: Vec<&str> = gt.phones.iter().map(|p| p.number.as_str()).collect();
        assert_eq!(phones, ["+525555550101", "+525555550102"]);
        assert_eq!(gt.websites, ["https://consulado-gt.example"]);
        assert_eq!(gt.emails, ["citas@consulado-gt.example"]);
        assert_eq!(gt.accessibility, [Accessibility::Wheelchair]);
        let address = gt.address.as_ref().unwrap();
        assert_eq!(address.street[&lang("und")], "Avenida Demo 12");
        assert_eq!(
            (address.locality.as_deref(), address.postal_code.as_deref(), address.country.as_str()),
            (Some("Ciudad de México"), Some("06000"), "MX")
        );

        let shelter = listing(&c, "osm:node/1002");
        assert_eq!(shelter.services, [ServiceCode::Shelter]);
        assert_eq!(shelter.serves, [Audience::Women], "migrant does not restrict who may come");
        assert_eq!(shelter.address.as_ref().unwrap().country.as_str(), "MX", "from the coordinates");
        assert_eq!(shelter.name[&lang("und")], "Casa de Acogida (demo)");
        assert_eq!(shelter.name[&lang("fr")], "Maison d'accueil (demo)");
        assert_eq!(shelter.phones[0].number, "+525555550103", "contact:phone");
        assert_eq!(shelter.location, Some(Location { lat: 14.9056, lon: -92.2636 }), "7 decimals, as OSM stores them");
        assert_eq!(
            (shelter.opening_hours.as_deref(), shelter.timezone.as_deref()),
            (Some("24/7"), Some("America/Mexico_City"))
        );

        let clinic = listing(&c, "osm:way/2001");
        let loc = clinic.location.unwrap();
        assert!((loc.lat - 19.4205).abs() < 1e-9 && (loc.lon + 99.1395).abs() < 1e-9, "centroid: {loc:?}");
        assert_eq!(clinic.services, [ServiceCode::EmergencyCare, ServiceCode::PrimaryCare, ServiceCode::Vaccination]);
        assert_eq!(clinic.opening_hours.as_deref(), Some("Mo-Sa 08:00-20:00; PH off"));

        let hospital = listing(&c, "osm:relation/4001");
        let loc = hospital.location.unwrap();
        assert!((loc.lat - 14.901).abs() < 1e-9 && (loc.lon + 92.269).abs() < 1e-9, "centroid: {loc:?}");
        assert_eq!(hospital.opening_hours, None, "its value does not parse");
        assert!(listing(&c, "osm:node/1011").phones.is_empty());
    }

    #[test]
    fn relevant_places_that_cannot_be_mapped_are_set_aside_with_the_reason() {
        let c = read_demo().converted;
        let got: Vec<(&str, Option<&str>, &str)> =
            c.set_aside.iter().map(|e| (e.record.as_deref().unwrap(), e.field.as_deref(), e.reason.as_str())).collect();
        let expected: [(&str, Option<&str>, &str); 8] = [
            ("osm:node/1005", None, "office=diplomatic with diplomatic=liaison is not an embassy or consulate"),
            ("osm:node/1006", Some("country"), "no country= tag naming the state the mission represents"),
            ("osm:node/1007", None, "social_facility=soup_kitchen: Faro has no kind for it yet"),
            (
                "osm:node/1008",
                None,
                "office=ngo mentions \"migra\" but no tag says what help it gives (social_facility=shelter, healthcare=...)",
            ),
            (
                "osm:node/1009",
                None,
                "amenity=shelter mentions \"refugiad\" but no tag says what help it gives (social_facility=shelter, healthcare=...)",
            ),
            ("osm:node/1010", Some("name"), "no name (name or name:<lang>)"),
            ("osm:node/1011", Some("phone"), "imported without phone \"555\": not a valid number in Mexico (MX)"),
            ("osm:relation/4001", Some("opening_hours"), ""),
        ];
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for (g, e) in got.iter().zip(expected) {
            assert_eq!((g.0, g.1), (e.0, e.1), "{g:?}");
            if !e.2.is_empty() {
                assert_eq!(g.2, e.2);
            }
        }
        assert!(c.set_aside.iter().all(|e| e.file == "demo-extract.osm.pbf"));
        let skipped = ["osm:node/1012", "osm:node/1013", "osm:node/1014"];
        assert!(c.listings.iter().chain([].iter()).all(|l| !skipped.contains(&l.id.as_str())));
        assert!(got.iter().all(|g| !skipped.contains(&g.0)), "bus stops, pharmacies, nursing homes: skipped");
    }

    #[test]
    fn the_tag_table_row_by_row() {
        let class = |tags: &[(&str, &str)]| {
            classify(&tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>())
        };
        let place = |kind, services: &[ServiceCode]| Class::Place(kind, services.to_vec());
        assert_eq!(class(&[("office", "diplomatic"), ("diplomatic", "embassy")]), place(Kind::Consulate, &[]));
        assert!(matches!(class(&[("office", "diplomatic")]), Class::SetAside(_)));
        // A shelter for people, however it is tagged besides social_facility=shelter.
        for base in [("amenity", "social_facility"), ("office", "ngo"), ("amenity", "shelter")] {
            assert_eq!(class(&[base, ("social_facility", "shelter")]), place(Kind::Shelter, &[ServiceCode::Shelter]));
        }
        assert_eq!(class(&[("office", "ngo"), ("healthcare", "clinic")]), place(Kind::Health, &[]));
        assert_eq!(class(&[("healthcare", "counselling")]), place(Kind::Health, &[ServiceCode::MentalHealth]));
        assert_eq!(
            class(&[("amenity", "hospital"), ("healthcare:speciality", "obstetrics;psychiatry")]),
            place(Kind::Health, &[ServiceCode::SexualReproductiveHealth, ServiceCode::MentalHealth])
        );
        assert_eq!(class(&[("amenity", "doctors")]), place(Kind::Health, &[]), "no service without a tag for it");
        for skipped in [
            &[("amenity", "shelter"), ("shelter_type", "picnic_shelter"), ("name", "Mirador (demo)")][..],
            &[("amenity", "shelter"), ("shelter_type", "basic_hut")],
            &[("healthcare", "pharmacy")],
            &[("healthcare", "dentist")],
            &[("amenity", "social_facility"), ("social_facility", "group_home")],
            &[("office", "ngo"), ("name", "Club de ajedrez (demo)")],
            &[("shop", "bakery")],
        ] {
            assert_eq!(class(skipped), Class::Skip, "{skipped:?}");
        }
        for (name, word) in [
            ("Casa del Migrante (demo)", "migra"),
            ("Aide aux réfugiés (demo)", "refugie"),
            ("Solicitantes de Asilo (demo)", "asilo"),
            ("Sèvis pou refijye (demo)", "refijye"),
        ] {
            let Class::SetAside(reason) = class(&[("office", "ngo"), ("name", name)]) else { panic!("{name}") };
            assert!(reason.contains(&format!("{word:?}")), "{reason}");
        }
    }

    #[test]
    fn a_bad_opening_hours_value_is_reported_with_the_osm_id_and_the_place_kept() {
        let c = read_demo().converted;
        let e = c.set_aside.iter().find(|e| e.field.as_deref() == Some("opening_hours")).unwrap();
        assert_eq!(e.record.as_deref(), Some("osm:relation/4001"));
        assert!(
            e.reason.starts_with("imported without opening hours: invalid opening_hours \"Mo-Fx 08:00-16:00\""),
            "{}",
            e.reason
        );
        assert!(e.to_string().contains("osm:relation/4001"), "{e}");
        assert!(c.listings.iter().any(|l| l.id == "osm:relation/4001"));
    }

    #[test]
    fn a_truncated_or_damaged_file_is_refused_naming_the_block_and_offset() {
        let good = std::fs::read(demo_path()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cut = dir.path().join("cut.osm.pbf");
        std::fs::write(&cut, &good[..good.len() - 40]).unwrap();
        let err = read_osm_pbf(&cut, "cut.osm.pbf").unwrap_err();
        let Error::Input(e) = &err else { panic!("{err:?}") };
        assert_eq!(e.file, "cut.osm.pbf");
        // osmium writes the header, then a block each of nodes, ways and relations: the cut
        // falls in the fourth, which starts at byte 1296.
        assert!(e.reason.starts_with("block 4 at byte 1296: "), "{}", e.reason);
        assert!(e.reason.contains("truncated"), "{}", e.reason);

        // Bytes of the data block overwritten: the block is named, not a panic.
        let mut damaged = good.clone();
        let n = damaged.len();
        for b in &mut damaged[n - 200..n - 100] {
            *b = 0xff;
        }
        let bad = dir.path().join("bad.osm.pbf");
        std::fs::write(&bad, &damaged).unwrap();
        let err = read_osm_pbf(&bad, "bad.osm.pbf").unwrap_err();
        assert!(err.to_string().starts_with("bad.osm.pbf: block 3 at byte "), "{err}");

        let text = dir.path().join("text.osm.pbf");
        std::fs::write(&text, "<osm version=\"0.6\"></osm>").unwrap();
        let err = read_osm_pbf(&text, "text.osm.pbf").unwrap_err();
        assert!(err.to_string().starts_with("text.osm.pbf: block 1 at byte 0: "), "{err}");
    }

    fn existing(id: &str, kind: Kind, name: &str, lat: f64, lon: f64) -> Listing {
        let mut l: Listing = serde_json::from_str(&format!(
            r#"{{"id":"{id}","kind":"health","name":{{"es":"{name}"}},"location":{{"lat":{lat},"lon":{lon}}}}}"#
        ))
        .unwrap();
        l.kind = kind;
        l
    }

    #[test]
    fn merging_leaves_out_places_already_listed_by_wikidata_id_then_name_and_distance() {
        let existing = [
            // The missions listing the embassy's wikidata tag names, placed elsewhere: the id decides.
            existing("wd:Q111669561", Kind::Consulate, "Embassy of Honduras in Mexico City", 19.5, -99.0),
            // Same kind, same name up to case and accents, 45 m away.
            existing("demo:sv", Kind::Consulate, "EMBAJADA DE EL SALVADOR (DEMO)", 19.4204, -99.19),
            // Same name, other kind: not the same place.
            existing("demo:clinic-as-shelter", Kind::Shelter, "Consultorio (demo)", 14.9100, -92.2680),
            // Same name and kind, 1.1 km away: not the same place.
            existing("demo:far", Kind::Shelter, "Casa de Acogida (demo)", 14.9156, -92.2636),
        ];
        let c = read_demo().leave_out_known(&existing);
        let ids: Vec<&str> = c.listings.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["osm:node/1001", "osm:node/1002", "osm:node/1011", "osm:way/2001", "osm:relation/4001"]);
        let merged: Vec<(&str, &str)> = c
            .set_aside
            .iter()
            .filter(|e| e.reason.contains("already listed"))
            .map(|e| (e.record.as_deref().unwrap(), e.reason.as_str()))
            .collect();
        assert_eq!(
            merged,
            [
                ("osm:node/1003", "already listed as wd:Q111669561 (its wikidata tag): left out, not duplicated"),
                (
                    "osm:node/1004",
                    "already listed as demo:sv (same kind and name within 100 m): left out, not duplicated"
                ),
            ]
        );
        // Nothing matches itself twice: the merged set has each place once.
        let mut all: Vec<&str> =
            c.listings.iter().map(|l| l.id.as_str()).chain(existing.iter().map(|l| l.id.as_str())).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 9);
    }
}
