//! Open Referral HSDS 3.0 (Human Services Data Specification): the tabular data package
//! (`datapackage.json` and one CSV file per table) and the API's nested JSON service records,
//! read into a [`Converted`]; and written back as a data package ([`export`]).
//!
//! One listing per `service_at_location` (a service at a place), or per service when it has
//! no location. What is taken from which table, the kind mapping (Faro's own `faro` taxonomy
//! terms, then taxonomy term names, then the service name) and what is refused are in
//! docs/hsds.md. Nothing is guessed silently: a service whose kind cannot be told is set
//! aside with the reason; a malformed value (a phone that is no number, a latitude of 200, a
//! schedule with `byday` XX, a reference to a row that does not exist) is a problem, and
//! every problem of the package is reported at once, each with its file and row (or JSON
//! path) and field, and nothing is imported.
//!
//! HSDS has no IANA time zone: the zone comes from a `faro` `timezone:` term, else (with the
//! `place-checks` feature) from the location's coordinates; without either, the listing is
//! imported without hours and that is set aside. HSDS texts carry no language: it comes from
//! the caller ([`ReadOptions::lang`]) or the package's `language` property.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::country::CountryCode;
use crate::error::{Error, InputError, Result};
use crate::import::convert::Converted;
use crate::lang::LangTag;
use crate::model::validate::check_listing;
use crate::model::{
    Accessibility, Address, Audience, Consulate, Cost, Eligibility, Kind, Listing, LocalizedText, Location, Phone,
    PhoneKind, ServiceCode, Source, Status,
};
use crate::store::DatasetInfo;

pub mod export;
pub mod schedule;

/// How to read a package or file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The language the texts are written in; else the package's `language` property.
    pub lang: Option<LangTag>,
}

/// The tables read, in the order of the HSDS data package, with their default file names.
pub const TABLES: [(&str, &str); 11] = [
    ("organization", "organizations.csv"),
    ("service", "services.csv"),
    ("location", "locations.csv"),
    ("service_at_location", "service_at_location.csv"),
    ("address", "addresses.csv"),
    ("phone", "phones.csv"),
    ("schedule", "schedules.csv"),
    ("language", "languages.csv"),
    ("service_area", "service_areas.csv"),
    ("taxonomy_term", "taxonomy_terms.csv"),
    ("attribute", "attributes.csv"),
];

/// The taxonomy name of Faro's own terms (`kind:health`, `service:food`, ...; docs/hsds.md).
pub const FARO_TAXONOMY: &str = "faro";
/// `location.external_identifier_type` of a location that carries a Faro listing id.
pub const FARO_ID_TYPE: &str = "faro_listing_id";

/// One row of a table (or one object of HSDS JSON), with where it was read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rec {
    file: String,
    line: Option<u64>,
    /// JSON path of the object (`[0].service_at_locations[1].location`), for HSDS JSON.
    path: Option<String>,
    fields: HashMap<String, String>,
}

impl Rec {
    /// A row with only these fields (tests and the export's self-check).
    pub(crate) fn of(fields: &[(&str, &str)]) -> Rec {
        Rec {
            file: "schedules.csv".into(),
            fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Rec::default()
        }
    }

    /// The field's text, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    fn id(&self) -> &str {
        self.get("id").unwrap_or("")
    }

    /// A problem with `field` of this row.
    pub(crate) fn err(&self, field: &str, reason: impl Into<String>) -> InputError {
        let field = match &self.path {
            Some(p) => format!("{p}.{field}"),
            None => field.to_string(),
        };
        let mut e = InputError::new(&self.file, reason).field(field);
        e.line = self.line;
        if let Some(id) = self.get("id") {
            e = e.record(id);
        }
        e
    }
}

type Tables = HashMap<&'static str, Vec<Rec>>;

/// Reads an HSDS tabular data package: `dir/datapackage.json` and the CSV files it lists
/// (tables it does not list are looked for under their default names).
pub fn read_package(dir: &Path, options: &ReadOptions) -> Result<Converted> {
    let meta_path = dir.join("datapackage.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|e| Error::Io { path: meta_path.clone(), source: e })?;
    let meta: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| InputError::new("datapackage.json", format!("not JSON: {e}")).at_line(e.line() as u64))?;
    let mut paths: HashMap<String, String> = HashMap::new();
    for r in meta.get("resources").and_then(|r| r.as_array()).into_iter().flatten() {
        if let (Some(name), Some(path)) =
            (r.get("name").and_then(|v| v.as_str()), r.get("path").and_then(|v| v.as_str()))
        {
            paths.insert(name.to_string(), path.to_string());
        }
    }
    let mut problems = Vec::new();
    let mut tables: Tables = HashMap::new();
    for (table, default) in TABLES {
        // The package's own path, else the schema's file name (also in the plural that
        // some packages use for service_at_location).
        let rel = paths.get(table).cloned().unwrap_or_else(|| {
            let plural = default.replace("location.csv", "locations.csv");
            if !dir.join(default).exists() && dir.join(&plural).exists() {
                plural
            } else {
                default.to_string()
            }
        });
        if rel.contains("..") || Path::new(&rel).is_absolute() {
            problems.push(InputError::new("datapackage.json", format!("{rel:?} is outside the package")).field(table));
            continue;
        }
        let path = dir.join(&rel);
        if !path.exists() {
            if table == "service" {
                problems.push(InputError::new(
                    rel,
                    "the service table is missing: a package without services has no listing",
                ));
            }
            continue;
        }
        tables.insert(table, read_csv(&path, &rel, &mut problems)?);
    }
    let lang = options.lang.clone().map(Ok).or_else(|| {
        meta.get("language").and_then(|v| v.as_str()).map(|s| {
            LangTag::parse(s).map_err(|e| InputError::new("datapackage.json", e.to_string()).field("language"))
        })
    });
    let lang = match lang {
        Some(Ok(l)) => Some(l),
        Some(Err(e)) => {
            problems.push(e);
            None
        }
        None => {
            problems.push(
                InputError::new(
                    "datapackage.json",
                    "HSDS texts carry no language: say which (faro import --text-lang es)",
                )
                .field("language"),
            );
            None
        }
    };
    let str_of = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let title = str_of("title").or_else(|| str_of("name"));
    let license = meta
        .get("licenses")
        .and_then(|l| l.get(0))
        .and_then(|l| l.get("name").or_else(|| l.get("path")))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let demo = meta.get("demo").and_then(|v| v.as_bool()).unwrap_or(false)
        || title.as_deref().is_some_and(|t| t.contains("(demo)"));
    let name = dataset_name(str_of("name").as_deref().unwrap_or("package"));
    let source = Source {
        name: title.unwrap_or_else(|| "HSDS data package".into()),
        url: str_of("homepage"),
        license,
        date: None,
    };
    let dataset = DatasetInfo { name, source: Some(source), demo };
    convert(tables, lang, dataset, problems)
}

/// Reads HSDS JSON: an array of service records as the API gives them, a page of them
/// (`{"contents": [...]}`), or one service.
pub fn read_json(path: &Path, options: &ReadOptions) -> Result<Converted> {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| InputError::new(&file, format!("not JSON: {e}")).at_line(e.line() as u64))?;
    let (services, base) = match &value {
        serde_json::Value::Array(a) => (a.clone(), String::new()),
        serde_json::Value::Object(o) if o.get("contents").is_some_and(|c| c.is_array()) => {
            (o.get("contents").and_then(|c| c.as_array()).cloned().unwrap_or_default(), "contents".to_string())
        }
        serde_json::Value::Object(_) => (vec![value.clone()], String::new()),
        _ => return Err(InputError::new(&file, "is not HSDS JSON: an array of services, a page, or a service").into()),
    };
    let mut tables: Tables = HashMap::new();
    let mut problems = Vec::new();
    let mut seen = Seen::new();
    for (i, s) in services.iter().enumerate() {
        flatten_service(&file, &format!("{base}[{i}]"), s, &mut tables, &mut seen, &mut problems);
    }
    let lang = options.lang.clone();
    if lang.is_none() {
        problems.push(InputError::new(&file, "HSDS texts carry no language: say which (faro import --text-lang es)"));
    }
    let stem = path.file_stem().map_or_else(|| "json".to_string(), |s| s.to_string_lossy().into_owned());
    let dataset = DatasetInfo {
        name: dataset_name(&stem),
        source: Some(Source { name: format!("HSDS JSON {file}"), url: None, license: None, date: None }),
        demo: false,
    };
    convert(tables, lang, dataset, problems)
}

/// `hsds/<name>` in lower case letters, digits and `-`.
fn dataset_name(name: &str) -> String {
    let clean: String = name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let clean = clean.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    format!("hsds/{}", if clean.is_empty() { "package" } else { &clean })
}

fn read_csv(path: &Path, rel: &str, problems: &mut Vec<InputError>) -> Result<Vec<Rec>> {
    let file = std::fs::File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(std::io::BufReader::new(file));
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().trim_start_matches('\u{feff}').to_string()).collect(),
        Err(e) => {
            problems.push(InputError::new(rel, format!("cannot read the header: {e}")).at_line(1));
            return Ok(Vec::new());
        }
    };
    let mut out = Vec::new();
    for row in reader.records() {
        match row {
            Ok(row) => {
                let line = row.position().map(|p| p.line());
                let fields = headers.iter().cloned().zip(row.iter().map(str::to_string)).collect();
                out.push(Rec { file: rel.to_string(), line, path: None, fields });
            }
            Err(e) => {
                let mut err = InputError::new(rel, format!("unreadable row: {e}"));
                err.line = e.position().map(|p| p.line());
                problems.push(err);
            }
        }
    }
    Ok(out)
}

/// The scalar fields of a JSON object as text (nested arrays and objects left out).
fn scalars(file: &str, path: &str, v: &serde_json::Value) -> Rec {
    let mut fields = HashMap::new();
    if let Some(o) = v.as_object() {
        for (k, v) in o {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            fields.insert(k.clone(), text);
        }
    }
    Rec { file: file.to_string(), line: None, path: Some(path.to_string()), fields }
}

fn each<'a>(v: &'a serde_json::Value, key: &str) -> impl Iterator<Item = (usize, &'a serde_json::Value)> {
    v.get(key).and_then(|a| a.as_array()).into_iter().flatten().enumerate()
}

/// Adds `rec` to `table`, with `links` set where the nested form implies them.
fn push(tables: &mut Tables, table: &'static str, mut rec: Rec, links: &[(&str, &str)]) {
    for (k, v) in links {
        if rec.get(k).is_none() && !v.is_empty() {
            rec.fields.insert(k.to_string(), v.to_string());
        }
    }
    tables.entry(table).or_default().push(rec);
}

/// Objects already taken (an organization, location or term repeated in several services).
type Seen = HashSet<(&'static str, String)>;

fn flatten_service(
    file: &str,
    at: &str,
    s: &serde_json::Value,
    tables: &mut Tables,
    seen: &mut Seen,
    problems: &mut Vec<InputError>,
) {
    if !s.is_object() {
        problems.push(InputError::new(file, "is not a service object").field(at));
        return;
    }
    let service = scalars(file, at, s);
    let sid = service.id().to_string();
    let mut org_id = service.get("organization_id").unwrap_or("").to_string();
    if let Some(org) = s.get("organization").filter(|o| o.is_object()) {
        let rec = scalars(file, &format!("{at}.organization"), org);
        if org_id.is_empty() {
            org_id = rec.id().to_string();
        }
        let known = !seen.insert(("organization", rec.id().to_string()));
        if !known {
            push(tables, "organization", rec, &[]);
        }
    }
    push(tables, "service", service, &[("organization_id", &org_id)]);
    let sub = |tables: &mut Tables,
               key: &str,
               table: &'static str,
               base: &str,
               obj: &serde_json::Value,
               links: &[(&str, &str)]| {
        for (i, v) in each(obj, key) {
            push(tables, table, scalars(file, &format!("{base}.{key}[{i}]"), v), links);
        }
    };
    sub(tables, "phones", "phone", at, s, &[("service_id", &sid)]);
    sub(tables, "schedules", "schedule", at, s, &[("service_id", &sid)]);
    sub(tables, "languages", "language", at, s, &[("service_id", &sid)]);
    sub(tables, "service_areas", "service_area", at, s, &[("service_id", &sid)]);
    flatten_attributes(file, at, s, &sid, tables, seen);
    for (i, sal) in each(s, "service_at_locations") {
        let base = format!("{at}.service_at_locations[{i}]");
        let rec = scalars(file, &base, sal);
        let sal_id = rec.id().to_string();
        let mut loc_id = rec.get("location_id").unwrap_or("").to_string();
        if let Some(loc) = sal.get("location").filter(|l| l.is_object()) {
            let lbase = format!("{base}.location");
            let lrec = scalars(file, &lbase, loc);
            if loc_id.is_empty() {
                loc_id = lrec.id().to_string();
            }
            let lid = lrec.id().to_string();
            let known = !seen.insert(("location", lid.clone()));
            if !known {
                push(tables, "location", lrec, &[]);
                sub(tables, "addresses", "address", &lbase, loc, &[("location_id", &lid)]);
                sub(tables, "phones", "phone", &lbase, loc, &[("location_id", &lid)]);
                sub(tables, "schedules", "schedule", &lbase, loc, &[("location_id", &lid)]);
                sub(tables, "languages", "language", &lbase, loc, &[("location_id", &lid)]);
            }
        }
        push(tables, "service_at_location", rec, &[("service_id", &sid), ("location_id", &loc_id)]);
        sub(tables, "phones", "phone", &base, sal, &[("service_at_location_id", &sal_id)]);
        sub(tables, "schedules", "schedule", &base, sal, &[("service_at_location_id", &sal_id)]);
    }
}

fn flatten_attributes(file: &str, at: &str, s: &serde_json::Value, sid: &str, tables: &mut Tables, seen: &mut Seen) {
    for (i, a) in each(s, "attributes") {
        let base = format!("{at}.attributes[{i}]");
        let mut rec = scalars(file, &base, a);
        if let Some(term) = a.get("taxonomy_term").filter(|t| t.is_object()) {
            let trec = scalars(file, &format!("{base}.taxonomy_term"), term);
            if rec.get("taxonomy_term_id").is_none() {
                rec.fields.insert("taxonomy_term_id".into(), trec.id().to_string());
            }
            let known = !seen.insert(("taxonomy_term", trec.id().to_string()));
            if !known {
                push(tables, "taxonomy_term", trec, &[]);
            }
        }
        push(tables, "attribute", rec, &[("link_id", sid), ("link_entity", "service")]);
    }
}

/// What a taxonomy term means for a listing.
#[derive(Debug, Clone, PartialEq)]
enum Meaning {
    Kind(Kind),
    Service(ServiceCode),
    Cost(Cost),
    Serves(Audience),
    Papers(bool),
    Represents(CountryCode),
    Access(Accessibility),
    Zone(String),
}

/// Term names (any taxonomy, compared in lower case) that say a Faro kind.
pub const KIND_TERMS: &[(&str, Kind)] = &[
    ("health", Kind::Health),
    ("health care", Kind::Health),
    ("medical care", Kind::Health),
    ("primary care", Kind::Health),
    ("clinic", Kind::Health),
    ("legal", Kind::LegalAid),
    ("legal aid", Kind::LegalAid),
    ("legal services", Kind::LegalAid),
    ("legal assistance", Kind::LegalAid),
    ("immigration legal services", Kind::LegalAid),
    ("shelter", Kind::Shelter),
    ("emergency shelter", Kind::Shelter),
    ("temporary shelter", Kind::Shelter),
    ("migrant shelter", Kind::Shelter),
];

/// Term names (any taxonomy, lower case) that say a Faro service code.
pub const SERVICE_TERMS: &[(&str, ServiceCode)] = &[
    ("food", ServiceCode::Food),
    ("meals", ServiceCode::Food),
    ("food pantry", ServiceCode::Food),
    ("mental health", ServiceCode::MentalHealth),
    ("counseling", ServiceCode::MentalHealth),
    ("vaccination", ServiceCode::Vaccination),
    ("immunizations", ServiceCode::Vaccination),
    ("emergency care", ServiceCode::EmergencyCare),
    ("primary care", ServiceCode::PrimaryCare),
    ("asylum", ServiceCode::AsylumHelp),
    ("legal representation", ServiceCode::LegalRepresentation),
    ("family reunification", ServiceCode::FamilyTracing),
];

/// Words of a service name (lower case; a word starting with one counts) that say a kind
/// when no term does. Several kinds, or none: the service is set aside.
pub const KIND_WORDS: &[(&str, Kind)] = &[
    ("clinic", Kind::Health),
    ("clínica", Kind::Health),
    ("clinique", Kind::Health),
    ("health", Kind::Health),
    ("salud", Kind::Health),
    ("santé", Kind::Health),
    ("hospital", Kind::Health),
    ("medical", Kind::Health),
    ("médic", Kind::Health),
    ("shelter", Kind::Shelter),
    ("albergue", Kind::Shelter),
    ("refugio", Kind::Shelter),
    ("hébergement", Kind::Shelter),
    ("legal", Kind::LegalAid),
    ("jurídic", Kind::LegalAid),
    ("juridique", Kind::LegalAid),
    ("abogad", Kind::LegalAid),
    ("lawyer", Kind::LegalAid),
    ("asylum", Kind::LegalAid),
    ("asilo", Kind::LegalAid),
];

fn term_meaning(term: &Rec) -> std::result::Result<Vec<Meaning>, InputError> {
    let is_faro = term.get("taxonomy").is_some_and(|t| t.eq_ignore_ascii_case(FARO_TAXONOMY));
    if is_faro {
        let code = term.get("code").unwrap_or("");
        let bad = || term.err("code", format!("{code:?} is not a faro term (docs/hsds.md)"));
        let (k, v) = code.split_once(':').ok_or_else(bad)?;
        let m = match k {
            "kind" => Kind::parse(v).map(Meaning::Kind),
            "service" => ServiceCode::parse(v).map(Meaning::Service),
            "cost" => Cost::parse(v).map(Meaning::Cost),
            "serves" => Audience::parse(v).map(Meaning::Serves),
            "papers" if v == "required" => Some(Meaning::Papers(true)),
            "papers" if v == "not_required" => Some(Meaning::Papers(false)),
            "represents" => CountryCode::parse(v).map(Meaning::Represents),
            "accessibility" => Accessibility::parse(v).map(Meaning::Access),
            "timezone" if v.parse::<chrono_tz::Tz>().is_ok() => Some(Meaning::Zone(v.to_string())),
            _ => None,
        };
        return m.map(|m| vec![m]).ok_or_else(bad);
    }
    // A name can say both ("primary care": kind health, service primary_care).
    let name = term.get("name").unwrap_or("").to_lowercase();
    let kinds = KIND_TERMS.iter().filter(|(n, _)| *n == name).map(|(_, k)| Meaning::Kind(*k));
    let services = SERVICE_TERMS.iter().filter(|(n, _)| *n == name).map(|(_, s)| Meaning::Service(*s));
    Ok(kinds.chain(services).collect())
}

fn kinds_in_name(name: &str) -> Vec<Kind> {
    let lower = name.to_lowercase();
    let mut kinds: Vec<Kind> = Vec::new();
    for word in lower.split(|c: char| !c.is_alphanumeric()) {
        for (w, k) in KIND_WORDS {
            if word.starts_with(w) && !kinds.contains(k) {
                kinds.push(*k);
            }
        }
    }
    kinds
}

/// Indexes of a table by a field.
fn by<'a>(tables: &'a Tables, table: &str, field: &str) -> HashMap<&'a str, Vec<&'a Rec>> {
    let mut out: HashMap<&str, Vec<&Rec>> = HashMap::new();
    for r in tables.get(table).into_iter().flatten() {
        if let Some(v) = r.get(field) {
            out.entry(v).or_default().push(r);
        }
    }
    out
}

/// The tables indexed by the fields a listing is assembled by, built once: a lookup per
/// listing instead of a scan of every table (a package of 100,000 services stays linear).
struct Index<'a> {
    by: HashMap<(&'static str, &'static str), HashMap<&'a str, Vec<&'a Rec>>>,
}

impl<'a> Index<'a> {
    const KEYS: [(&'static str, &'static str); 12] = [
        ("taxonomy_term", "id"),
        ("organization", "id"),
        ("attribute", "link_id"),
        ("address", "location_id"),
        ("phone", "service_at_location_id"),
        ("phone", "service_id"),
        ("phone", "location_id"),
        ("language", "service_id"),
        ("language", "location_id"),
        ("schedule", "service_at_location_id"),
        ("schedule", "service_id"),
        ("schedule", "location_id"),
    ];

    fn new(tables: &'a Tables) -> Index<'a> {
        Index { by: Self::KEYS.iter().map(|&(t, f)| ((t, f), by(tables, t, f))).collect() }
    }

    /// The rows of `table` whose `field` is `value`, in file order.
    fn get(&self, table: &'static str, field: &'static str, value: Option<&str>) -> &[&'a Rec] {
        value.and_then(|v| self.by.get(&(table, field)).and_then(|m| m.get(v))).map_or(&[], Vec::as_slice)
    }
}

fn rows<'a>(tables: &'a Tables, table: &str) -> impl Iterator<Item = &'a Rec> {
    tables.get(table).into_iter().flatten()
}

/// Checks ids (present, unique) and references, every problem at once.
fn check_references(tables: &Tables, problems: &mut Vec<InputError>) {
    let mut ids: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (table, _) in TABLES {
        let seen = ids.entry(table).or_default();
        for r in rows(tables, table) {
            match r.get("id") {
                None => problems.push(r.err("id", "is empty: every HSDS row has an id")),
                Some(id) if !seen.insert(id) => {
                    problems.push(r.err("id", format!("{id:?} is used by another {table} row")))
                }
                Some(_) => {}
            }
        }
    }
    let refs: &[(&str, &str, &str)] = &[
        ("service", "organization_id", "organization"),
        ("service_at_location", "service_id", "service"),
        ("service_at_location", "location_id", "location"),
        ("address", "location_id", "location"),
        ("phone", "service_id", "service"),
        ("phone", "location_id", "location"),
        ("phone", "service_at_location_id", "service_at_location"),
        ("phone", "organization_id", "organization"),
        ("schedule", "service_id", "service"),
        ("schedule", "location_id", "location"),
        ("schedule", "service_at_location_id", "service_at_location"),
        ("language", "service_id", "service"),
        ("language", "location_id", "location"),
        ("service_area", "service_id", "service"),
        ("attribute", "taxonomy_term_id", "taxonomy_term"),
    ];
    for (table, field, target) in refs {
        for r in rows(tables, table) {
            if let Some(v) = r.get(field) {
                if !ids.get(target).is_some_and(|s| s.contains(v)) {
                    problems.push(r.err(field, format!("{v:?} is no {target} of the package")));
                }
            }
        }
    }
    for r in rows(tables, "service_at_location") {
        for field in ["service_id", "location_id"] {
            if r.get(field).is_none() {
                problems.push(r.err(field, "is empty"));
            }
        }
    }
    for r in rows(tables, "attribute") {
        if r.get("taxonomy_term_id").is_none() {
            problems.push(r.err("taxonomy_term_id", "is empty"));
        }
    }
}

/// What one listing is built from.
struct Parts<'a> {
    service: &'a Rec,
    sal: Option<&'a Rec>,
    location: Option<&'a Rec>,
    /// Locations' use count, to know whether a Faro id on a location names this listing.
    sals_of_location: usize,
}

fn convert(
    tables: Tables,
    lang: Option<LangTag>,
    dataset: DatasetInfo,
    mut problems: Vec<InputError>,
) -> Result<Converted> {
    check_references(&tables, &mut problems);
    let mut set_aside = Vec::new();
    let mut listings = Vec::new();
    if let Some(lang) = lang {
        let sals = by(&tables, "service_at_location", "service_id");
        let sal_of_loc = by(&tables, "service_at_location", "location_id");
        let locations: HashMap<&str, &Rec> = rows(&tables, "location").map(|r| (r.id(), r)).collect();
        let ix = Index::new(&tables);
        for service in rows(&tables, "service") {
            let mut parts: Vec<Parts> = Vec::new();
            for sal in sals.get(service.id()).into_iter().flatten() {
                let location = sal.get("location_id").and_then(|l| locations.get(l).copied());
                let n = sal.get("location_id").and_then(|l| sal_of_loc.get(l)).map_or(0, Vec::len);
                parts.push(Parts { service, sal: Some(sal), location, sals_of_location: n });
            }
            if parts.is_empty() {
                parts.push(Parts { service, sal: None, location: None, sals_of_location: 0 });
            }
            for p in parts {
                if let Some(l) = build(&ix, &p, &lang, dataset.demo, &mut problems, &mut set_aside) {
                    listings.push(l);
                }
            }
        }
        let mut seen = HashSet::new();
        for l in &listings {
            if !seen.insert(l.id.clone()) {
                problems.push(InputError::new("package", "two listings have this id").record(&l.id).field("id"));
            }
        }
    }
    if let Some(source) = &dataset.source {
        for l in &mut listings {
            l.source = Some(source.clone());
        }
    }
    // A row shared by several listings (a service's phone at two locations) is reported once.
    let mut seen = HashSet::new();
    problems.retain(|e| seen.insert((e.file.clone(), e.line, e.field.clone(), e.record.clone())));
    let mut seen = HashSet::new();
    set_aside.retain(|e| seen.insert(e.to_string()));
    Error::refuse(problems)?;
    Ok(Converted { dataset, listings, set_aside })
}

fn text(lang: &LangTag, value: Option<&str>) -> LocalizedText {
    value.map(|v| LocalizedText::from([(lang.clone(), v.to_string())])).unwrap_or_default()
}

fn build(
    ix: &Index<'_>,
    p: &Parts<'_>,
    lang: &LangTag,
    demo: bool,
    problems: &mut Vec<InputError>,
    set_aside: &mut Vec<InputError>,
) -> Option<Listing> {
    let before = problems.len();
    let s = p.service;
    let sid = s.id();
    let lid = p.location.map(|l| l.id());
    let sal_id = p.sal.map(|r| r.id());
    // Taxonomy terms of the service (and of its service_at_location).
    let mut meanings = Vec::new();
    let mut term_names = Vec::new();
    let of_sal = if sal_id.is_some() { ix.get("attribute", "link_id", sal_id) } else { &[] };
    for a in ix.get("attribute", "link_id", Some(sid)).iter().chain(of_sal) {
        let Some(term) = ix.get("taxonomy_term", "id", a.get("taxonomy_term_id")).first() else { continue };
        term_names.push(term.get("name").or(term.get("code")).unwrap_or("").to_string());
        match term_meaning(term) {
            Ok(m) => meanings.extend(m),
            Err(e) => problems.push(e),
        }
    }
    let name = s.get("name");
    if name.is_none() {
        problems.push(s.err("name", "is empty"));
    }
    // Kind: a faro term, else the terms' names, else the service's name.
    let mut kinds: Vec<Kind> = Vec::new();
    for m in &meanings {
        if let Meaning::Kind(k) = m {
            if !kinds.contains(k) {
                kinds.push(*k);
            }
        }
    }
    let from_terms = !kinds.is_empty();
    if kinds.is_empty() {
        kinds = kinds_in_name(name.unwrap_or(""));
    }
    // Without a kind the service is set aside, after its other fields are read: their
    // problems are reported all the same.
    let kind = match kinds.as_slice() {
        [k] => Ok(*k),
        [] => Err(s.err(
                "name",
                format!(
                    "no Faro kind: neither its taxonomy terms ({}) nor its name {:?} map to one (docs/hsds.md); add a faro kind: term",
                    if term_names.is_empty() { "none".to_string() } else { term_names.join(", ") },
                    name.unwrap_or("")
                ),
            )),
        many => {
            let list: Vec<&str> = many.iter().map(|k| k.as_str()).collect();
            Err(s.err(
                if from_terms { "attributes" } else { "name" },
                format!(
                    "{} say several kinds ({}): Faro keeps one a listing; add a faro kind: term",
                    if from_terms { "its taxonomy terms" } else { "its name's words" },
                    list.join(", ")
                ),
            ))
        }
    };
    let mut listing = Listing {
        id: String::new(),
        kind: *kind.as_ref().unwrap_or(&Kind::Health),
        services: Vec::new(),
        name: text(lang, name),
        organization: LocalizedText::new(),
        description: text(lang, s.get("description")),
        consulate: None,
        location: None,
        address: None,
        phones: Vec::new(),
        emails: s.get("email").map(|e| vec![e.to_string()]).unwrap_or_default(),
        websites: s.get("url").map(|u| vec![u.to_string()]).unwrap_or_default(),
        social: Vec::new(),
        opening_hours: None,
        timezone: None,
        languages: Vec::new(),
        cost: None,
        serves: Vec::new(),
        eligibility: Eligibility { note: text(lang, s.get("eligibility_description")), ..Eligibility::default() },
        accessibility: Vec::new(),
        status: Status::Active,
        status_note: LocalizedText::new(),
        verified: None,
        source: None,
        demo,
    };
    let mut zone = None; // From a faro timezone: term.
    for m in meanings {
        match m {
            Meaning::Kind(_) => {}
            Meaning::Service(c) if !listing.services.contains(&c) => listing.services.push(c),
            Meaning::Service(_) => {}
            Meaning::Cost(c) => listing.cost = Some(c),
            Meaning::Serves(a) if !listing.serves.contains(&a) => listing.serves.push(a),
            Meaning::Serves(_) => {}
            Meaning::Papers(b) => listing.eligibility.papers_required = Some(b),
            Meaning::Represents(c) => {
                listing.consulate = Some(Consulate { represents: c, mission_type: None, services: Vec::new() })
            }
            Meaning::Access(a) if !listing.accessibility.contains(&a) => listing.accessibility.push(a),
            Meaning::Access(_) => {}
            Meaning::Zone(z) => zone = Some(z),
        }
    }
    listing.status = match s.get("status").map(str::to_lowercase).as_deref() {
        None | Some("active") => Status::Active,
        Some("temporarily closed") => Status::TemporarilyClosed,
        Some("inactive") | Some("defunct") => Status::Closed,
        Some(other) => {
            problems.push(s.err("status", format!("{other:?} is not active, inactive, defunct or temporarily closed")));
            Status::Active
        }
    };
    if let Some(org) = ix.get("organization", "id", s.get("organization_id")).first() {
        listing.organization = text(lang, org.get("name"));
    }
    // Id: the Faro id the export put on the location, else hsds:<service_at_location or service id>.
    let faro_id = p
        .location
        .filter(|l| l.get("external_identifier_type") == Some(FARO_ID_TYPE) && p.sals_of_location == 1)
        .and_then(|l| l.get("external_identifier"));
    listing.id = match (faro_id, sal_id) {
        (Some(id), _) => id.to_string(),
        (None, Some(sal)) => format!("hsds:{sal}"),
        (None, None) => format!("hsds:{sid}"),
    };
    if let Some(l) = p.location {
        match (l.get("latitude"), l.get("longitude")) {
            (None, None) => {}
            (Some(a), Some(o)) => match (a.parse::<f64>(), o.parse::<f64>()) {
                (Ok(lat), Ok(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {
                    listing.location = Some(Location { lat, lon })
                }
                (Ok(lat), _) if !(-90.0..=90.0).contains(&lat) => {
                    problems.push(l.err("latitude", format!("{a} is not within -90..90")))
                }
                (Err(_), _) => problems.push(l.err("latitude", format!("{a:?} is not a number"))),
                (_, Err(_)) => problems.push(l.err("longitude", format!("{o:?} is not a number"))),
                _ => problems.push(l.err("longitude", format!("{o} is not within -180..180"))),
            },
            (Some(_), None) => problems.push(l.err("longitude", "is empty while latitude is given")),
            (None, Some(_)) => problems.push(l.err("latitude", "is empty while longitude is given")),
        }
    }
    // Address: the location's physical one (postal and virtual ones are not where to go).
    let addresses = ix.get("address", "location_id", lid);
    if let Some(a) =
        addresses.iter().find(|a| !matches!(a.get("address_type"), Some("postal") | Some("virtual"))).copied()
    {
        match a.get("country").map(|c| (c, CountryCode::parse(&c.to_ascii_uppercase()))) {
            Some((_, Some(country))) => {
                let street: Vec<&str> = [a.get("address_1"), a.get("address_2")].into_iter().flatten().collect();
                listing.address = Some(Address {
                    street: if street.is_empty() { LocalizedText::new() } else { text(lang, Some(&street.join(", "))) },
                    locality: a.get("city").map(str::to_string),
                    region: a.get("state_province").or(a.get("region")).map(str::to_string),
                    postal_code: a.get("postal_code").map(str::to_string),
                    country,
                });
            }
            Some((c, None)) => problems.push(a.err("country", format!("{c:?} is not an ISO 3166-1 alpha-2 code"))),
            None => problems.push(a.err("country", "is empty (ISO 3166-1 alpha-2, such as MX)")),
        }
    }
    let country = listing.address.as_ref().map(|a| a.country);
    read_phones(ix, p, &mut listing, lang, country, problems, set_aside);
    read_languages(ix, sid, lid, &mut listing, problems, set_aside);
    read_schedules(ix, sid, lid, sal_id, &mut listing, zone, problems, set_aside);
    if problems.len() > before {
        return None;
    }
    let kind = match kind {
        Ok(Kind::Consulate) if listing.consulate.is_none() => {
            Err(s.err("attributes", "kind consulate needs a faro represents: term (the country it represents)"))
        }
        other => other,
    };
    if let Err(e) = kind {
        set_aside.push(e);
        return None;
    }
    let problems_of_listing = check_listing(&listing);
    for fp in problems_of_listing {
        problems.push(s.err(&format!("{} (Faro field)", fp.field), fp.reason));
    }
    Some(listing)
}

#[cfg(feature = "place-checks")]
fn zone_at(lat: f64, lon: f64) -> Option<String> {
    crate::model::plausible::place::zone_at(lat, lon)
}

#[cfg(not(feature = "place-checks"))]
fn zone_at(_lat: f64, _lon: f64) -> Option<String> {
    None
}

fn read_phones(
    ix: &Index<'_>,
    p: &Parts<'_>,
    listing: &mut Listing,
    lang: &LangTag,
    country: Option<CountryCode>,
    problems: &mut Vec<InputError>,
    set_aside: &mut Vec<InputError>,
) {
    let sid = p.service.id();
    let lid = p.location.map(|l| l.id());
    let sal_id = p.sal.map(|r| r.id());
    let mut seen: Vec<&Rec> = Vec::new();
    let candidates = ix
        .get("phone", "service_at_location_id", sal_id)
        .iter()
        .chain(ix.get("phone", "service_id", Some(sid)))
        .chain(ix.get("phone", "location_id", lid));
    for r in candidates.copied() {
        if seen.iter().any(|s| std::ptr::eq(*s, r)) {
            continue;
        }
        seen.push(r);
        let (ps, pl, psal) = (r.get("service_id"), r.get("location_id"), r.get("service_at_location_id"));
        let mine = (psal.is_some() && psal == sal_id)
            || (ps == Some(sid) && (pl.is_none() || pl == lid))
            || (ps.is_none() && psal.is_none() && pl.is_some() && pl == lid);
        if !mine {
            continue;
        }
        let kind = match r.get("type").map(str::to_lowercase).as_deref() {
            None | Some("voice") | Some("cell") => PhoneKind::Voice,
            Some("text") => PhoneKind::Sms,
            Some("fax") => PhoneKind::Fax,
            Some(t @ ("video" | "pager" | "textphone")) => {
                set_aside
                    .push(r.err("type", format!("a {t} number is not kept: Faro lists voice, text and fax numbers")));
                continue;
            }
            Some(t) => {
                problems.push(r.err(
                    "type",
                    format!("{t:?} is not an HSDS phone type (text, voice, fax, cell, video, pager, textphone)"),
                ));
                continue;
            }
        };
        let Some(raw) = r.get("number") else {
            problems.push(r.err("number", "is empty"));
            continue;
        };
        let read = crate::contact::normalize::phone(raw, country);
        let number = match (read.kind, read.normalized) {
            (crate::contact::normalize::ContactKind::Phone, Some(n)) => n,
            _ => {
                let hint = if country.is_none() { " (no address country to read a national number in)" } else { "" };
                problems.push(r.err("number", format!("{raw:?} is not a valid phone number{hint}")));
                continue;
            }
        };
        let mut note: Vec<String> = r.get("description").map(|d| vec![d.to_string()]).unwrap_or_default();
        if let Some(ext) = r.get("extension") {
            note.push(format!("ext. {ext}"));
        }
        let phone = Phone {
            number,
            kind,
            note: if note.is_empty() { LocalizedText::new() } else { text(lang, Some(&note.join("; "))) },
        };
        if !listing.phones.iter().any(|p| p.number == phone.number && p.kind == phone.kind) {
            listing.phones.push(phone);
        }
    }
}

fn read_languages(
    ix: &Index<'_>,
    sid: &str,
    lid: Option<&str>,
    listing: &mut Listing,
    problems: &mut Vec<InputError>,
    set_aside: &mut Vec<InputError>,
) {
    for r in ix.get("language", "service_id", Some(sid)).iter().chain(ix.get("language", "location_id", lid)) {
        let mine = r.get("service_id") == Some(sid)
            || (r.get("service_id").is_none() && lid.is_some() && r.get("location_id") == lid);
        if !mine {
            continue;
        }
        match r.get("code") {
            Some(code) => match LangTag::parse(code) {
                Ok(tag) if !listing.languages.contains(&tag) => listing.languages.push(tag),
                Ok(_) => {}
                Err(e) => problems.push(r.err("code", e.to_string())),
            },
            None => set_aside.push(r.err(
                "code",
                format!(
                    "is empty: the language {:?} is not kept (a BCP 47 code such as es is needed)",
                    r.get("name").unwrap_or("")
                ),
            )),
        }
    }
}

#[allow(clippy::too_many_arguments)] // One listing's parts, read by one caller.
fn read_schedules(
    ix: &Index<'_>,
    sid: &str,
    lid: Option<&str>,
    sal_id: Option<&str>,
    listing: &mut Listing,
    zone: Option<String>,
    problems: &mut Vec<InputError>,
    set_aside: &mut Vec<InputError>,
) {
    // The most specific rows win: the service at this location, else the service's own
    // (for this location or any), else the location's.
    let of_sal: Vec<&Rec> = ix.get("schedule", "service_at_location_id", sal_id).to_vec();
    let of_service: Vec<&Rec> = ix
        .get("schedule", "service_id", Some(sid))
        .iter()
        .copied()
        .filter(|r| r.get("service_at_location_id").is_none())
        .filter(|r| r.get("location_id").is_none() || r.get("location_id") == lid)
        .collect();
    let of_location: Vec<&Rec> = ix
        .get("schedule", "location_id", lid)
        .iter()
        .copied()
        .filter(|r| r.get("service_at_location_id").is_none() && r.get("service_id").is_none())
        .collect();
    let chosen = [of_sal, of_service, of_location].into_iter().find(|v| !v.is_empty());
    let Some(chosen) = chosen else {
        listing.timezone = zone;
        return;
    };
    let zone = zone.or_else(|| listing.location.and_then(|l| zone_at(l.lat, l.lon)));
    let Some(zone) = zone else {
        // Still read the rows, so that their problems are reported.
        match schedule::to_opening_hours(&chosen, None) {
            Err(schedule::Refusal::Invalid(es)) => problems.extend(es),
            _ => set_aside.push(chosen[0].err(
                "service_id",
                "hours not kept: HSDS has no time zone and none is known here (add a faro timezone: term, or coordinates)",
            )),
        }
        return;
    };
    let offset = zone.parse::<chrono_tz::Tz>().ok().map(|tz| {
        use chrono::{Offset, TimeZone};
        f64::from(tz.offset_from_utc_datetime(&chrono::Utc::now().naive_utc()).fix().local_minus_utc()) / 3600.0
    });
    match schedule::to_opening_hours(&chosen, offset) {
        Ok(hours) => {
            listing.opening_hours = Some(hours);
            listing.timezone = Some(zone);
        }
        Err(schedule::Refusal::Invalid(es)) => problems.extend(es),
        Err(schedule::Refusal::Unsupported(e)) => {
            listing.timezone = Some(zone);
            set_aside.push(e);
        }
    }
}

#[cfg(test)]
mod tests;
