//! The Wikidata diplomatic-missions CSV published by the database-of-embassies project
//! (`data/wikidata/diplomatic-missions-wikidata-2022.csv`, CC0): one row per embassy,
//! consulate or other mission, semicolon-separated, columns found by header name.
//!
//! Each row becomes one [`Listing`] of kind [`Kind::Consulate`] with id `wd:<QID>`, or is
//! rejected with its line and the reason. Nothing is guessed: the sending state (`operator`)
//! and the host country (`country`) must map to an ISO 3166-1 alpha-2 code, through the
//! country table or the explicit alias table below for Wikidata labels that differ from the
//! ISO names. Entities without an ISO code (Quebec, Somaliland, the Sovereign Military Order
//! of Malta, ...) are rejected, as are rows without coordinates.
//!
//! The file has no mission names, so an English one is built from the type, the sending
//! state and the city: "Embassy of Honduras in Mexico City".

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDate;

use crate::country::CountryCode;
use crate::error::{Error, InputError, Result};
use crate::lang::LangTag;
use crate::model::plausible::check_plausible;
use crate::model::{
    Address, Consulate, Eligibility, Kind, Listing, LocalizedText, Location, Phone, PhoneKind, SocialAccount, Source,
    Status,
};

/// Outcome of reading a missions file: listings to write, and the rows not imported with why.
#[derive(Debug, Clone, Default)]
pub struct MissionsImport {
    /// One listing per imported row, in file order.
    pub listings: Vec<Listing>,
    /// One error per row not imported, in file order, each naming file, line, record
    /// (`wd:Q...` when the id could be read), field and reason.
    pub rejected: Vec<InputError>,
    /// Data rows read (header excluded): `listings.len() + rejected.len()`.
    pub rows: u64,
    /// Phone numbers left out of imported listings because they could not be normalized
    /// to a valid E.164 number; the rest of their row was imported.
    pub phones_dropped: u64,
    /// Rows set aside as implausible ([`crate::model::plausible::check_plausible`]: with the
    /// `place-checks` feature, coordinates outside the host country). They are among
    /// [`MissionsImport::rejected`], each with its problems; the other rows are imported.
    pub implausible: u64,
}

/// Name of the source recorded in every listing.
const SOURCE_NAME: &str = "Wikidata via database-of-embassies";
/// Licence of the data (SPDX id).
const SOURCE_LICENSE: &str = "CC0-1.0";
/// Version of the database-of-embassies export.
const SOURCE_DATE: (i32, u32, u32) = (2022, 11, 16);

/// Columns a file must have. Other known columns are optional; unknown ones are ignored.
pub(crate) const REQUIRED: [&str; 7] = ["operator", "country", "city", "latitude", "longitude", "type", "QID"];

/// Wikidata English labels that are not an ISO 3166-1 English short name, mapped to the
/// alpha-2 code they denote. `true` marks an organ of a state (a ministry, a government):
/// the mission is named after the state's ISO name rather than the organ's label.
///
/// Non-state and sub-national operators (Quebec, Saxony, Government of New Mexico,
/// European Parliament, Sovereign Military Order of Malta, Abkhazia, South Ossetia,
/// Somaliland, Turkish Republic of Northern Cyprus, Sahrawi Arab Democratic Republic,
/// Central Tibetan Administration, Indigenous Australians) and a bare "Ministry of Foreign
/// Affairs" that names no state are deliberately absent: they have no ISO code and are
/// rejected. The Sahrawi Republic is not mapped to `EH` (Western Sahara), which is a
/// territory, not the operator.
const ALIASES: &[(&str, &str, bool)] = &[
    ("United States of America", "US", false),
    ("People's Republic of China", "CN", false),
    ("Russia", "RU", false),
    ("Turkey", "TR", false),
    ("Czech Republic", "CZ", false),
    ("Republic of Ireland", "IE", false),
    ("Ivory Coast", "CI", false),
    ("Democratic Republic of the Congo", "CD", false),
    ("Republic of the Congo", "CG", false),
    ("Brunei", "BN", false),
    ("Cape Verde", "CV", false),
    ("East Timor", "TL", false),
    ("The Gambia", "GM", false),
    ("The Bahamas", "BS", false),
    ("Federated States of Micronesia", "FM", false),
    ("São Tomé and Príncipe", "ST", false),
    ("Kingdom of Denmark", "DK", false),
    ("Kingdom of the Netherlands", "NL", false),
    ("Macau", "MO", false),
    // Apostolic nunciatures are the Holy See's; ISO gives it and Vatican City one code.
    ("Vatican", "VA", false),
    ("Vatican City", "VA", false),
    ("Holy See", "VA", false),
    ("Palestine", "PS", false),
    ("State of Palestine", "PS", false),
    ("Government of Sweden", "SE", true),
    ("Ministry of Foreign Affairs of the People's Republic of China", "CN", true),
    ("Ministry of Foreign Affairs of the Russian Federation", "RU", true),
    ("Ministry of Foreign Affairs and Cooperation of the Republic of Rwanda", "RW", true),
];

/// Mission types that already name the sending state ("British High Commission"); the
/// built name does not repeat it. Types containing " of " are treated the same way.
const SELF_NAMED_TYPES: &[&str] = &[
    "British High Commission",
    "Australian High Commission",
    "Taipei Representative Office",
    "Quebec Government Office",
];

/// Maps a Wikidata country label to its ISO code and the name to use in a mission's name.
fn country_code(label: &str) -> Option<(CountryCode, String)> {
    let label = label.trim();
    if label.is_empty() {
        return None;
    }
    if let Some((_, code, organ)) = ALIASES.iter().find(|(l, _, _)| l.eq_ignore_ascii_case(label)) {
        let code = CountryCode::parse(code)?;
        let name = if *organ { code.name().to_string() } else { label.to_string() };
        return Some((code, name));
    }
    CountryCode::from_alpha3_or_name(label).map(|code| (code, label.to_string()))
}

/// The Wikidata item id (`Q123`) of an entity URL or bare id, `None` if malformed.
fn parse_qid(value: &str) -> Option<&str> {
    let qid = ["http://www.wikidata.org/entity/", "https://www.wikidata.org/entity/"]
        .iter()
        .find_map(|prefix| value.strip_prefix(prefix))
        .unwrap_or(value);
    let digits = qid.strip_prefix('Q')?;
    let well_formed = !digits.is_empty()
        && digits.len() <= 12
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed.then_some(qid)
}

/// Upper-cases the first character.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Embassy of Honduras in Mexico City", from the type, the sending state and the place.
fn mission_name(mission_type: &str, operator: &str, place: &str) -> String {
    if mission_type.is_empty() {
        return format!("Diplomatic mission of {operator} in {place}");
    }
    let self_named = mission_type.to_lowercase().contains(" of ")
        || SELF_NAMED_TYPES.iter().any(|t| t.eq_ignore_ascii_case(mission_type));
    if self_named {
        format!("{} in {place}", capitalize(mission_type))
    } else {
        format!("{} of {operator} in {place}", capitalize(mission_type))
    }
}

/// Parses a coordinate, checking it is a finite number within `-limit..=limit`.
fn coordinate(value: &str, what: &str, limit: f64) -> std::result::Result<f64, String> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && (-limit..=limit).contains(&v) => Ok(v),
        Ok(v) if v.is_finite() => Err(format!("{value:?} is not a {what} (-{limit} to {limit})")),
        _ => Err(format!("{value:?} is not a number")),
    }
}

/// Normalizes a phone number to E.164, reading national numbers as the host country's.
/// `None` if it does not parse or is not a valid number.
fn normalize_phone(raw: &str, host: CountryCode) -> Option<String> {
    // The same reading as "is this contact real?" (libphonenumber's, ADR 0022), so that a
    // mission's number and the number a person types meet in the contact index.
    let contact = crate::contact::normalize::phone(raw, Some(host));
    (contact.kind == crate::contact::normalize::ContactKind::Phone).then_some(contact.normalized).flatten()
}

/// An e-mail address from a `mailto:` URL or a bare address, `None` if malformed.
fn email(value: &str) -> Option<String> {
    let addr = match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &value[7..],
        _ => value,
    };
    let addr = addr.split('?').next().unwrap_or_default().trim();
    let (local, domain) = addr.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !addr.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
    ok.then(|| addr.to_string())
}

/// An absolute `http`/`https` URL with a host, `None` otherwise.
fn web_url(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))?;
    let ok = !rest.is_empty() && !rest.starts_with('/') && !value.chars().any(char::is_whitespace);
    ok.then(|| value.to_string())
}

/// Turns a `csv` error into a located [`InputError`].
fn csv_error(err: &csv::Error, file: &str) -> Error {
    let line = err.position().map(csv::Position::line);
    let reason = match err.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("not valid UTF-8 in field {} (the file must be UTF-8)", err.field() + 1)
        }
        csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
        _ => format!("not valid CSV: {err}"),
    };
    let mut e = InputError::new(file, reason);
    e.line = line;
    Error::Input(e)
}

/// Column positions found in the header.
struct Columns {
    index: HashMap<String, usize>,
    /// Header fields up to the last named one (a trailing `;` adds an unnamed one).
    named: usize,
    /// All header fields.
    total: usize,
}

impl Columns {
    fn from_header(header: &csv::StringRecord, file: &str) -> Result<Columns> {
        let mut index = HashMap::new();
        let mut named = 0;
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            if !name.is_empty() {
                index.entry(name.to_string()).or_insert(i);
                named = i + 1;
            }
        }
        let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !index.contains_key(*c)).collect();
        if !missing.is_empty() {
            return Err(InputError::new(
                file,
                format!(
                    "the header lacks required column(s) {}; expected a semicolon-separated \
                     Wikidata missions file with columns {}",
                    missing.join(", "),
                    REQUIRED.join(", ")
                ),
            )
            .at_line(1)
            .into());
        }
        Ok(Columns { index, named, total: header.len() })
    }

    /// The trimmed value of `column` in `row`, empty when the column or value is absent.
    fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> &'r str {
        self.index.get(column).and_then(|&i| row.get(i)).unwrap_or("").trim()
    }
}

/// Reads a Wikidata diplomatic-missions CSV (see the module docs).
///
/// `file` is the name used in messages. Structural problems (missing required header column,
/// invalid UTF-8, CSV syntax) -> `Err(Error::Input(..))` naming file and line; per-row
/// problems -> pushed to [`MissionsImport::rejected`] (an [`InputError`] with file, 1-based
/// physical line number, record `wd:Q...` when known, field name and reason) and the row
/// skipped. A row is rejected for the first of: missing or malformed `QID`, a `QID` already
/// seen, missing or invalid coordinates, an `operator` or host `country` without an ISO
/// 3166-1 code. A row that reads but is implausible (coordinates outside its host country)
/// is set aside the same way and counted in [`MissionsImport::implausible`]. Phone numbers
/// that cannot be normalized are dropped and counted in [`MissionsImport::phones_dropped`];
/// malformed e-mails and non-http(s) URLs are left out.
pub fn read_missions_csv<R: Read>(reader: R, file: &str) -> Result<MissionsImport> {
    let mut csv = csv::ReaderBuilder::new().delimiter(b';').flexible(true).has_headers(true).from_reader(reader);
    let header = csv.headers().map_err(|e| csv_error(&e, file))?.clone();
    let columns = Columns::from_header(&header, file)?;
    let source_date = NaiveDate::from_ymd_opt(SOURCE_DATE.0, SOURCE_DATE.1, SOURCE_DATE.2);
    let en = LangTag::parse("en").expect("\"en\" is a valid language tag");

    let mut out = MissionsImport::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut row = csv::StringRecord::new();
    while csv.read_record(&mut row).map_err(|e| csv_error(&e, file))? {
        out.rows += 1;
        let line = row.position().map_or(out.rows + 1, csv::Position::line);
        let reject = |field: &str, reason: String| InputError::new(file, reason).at_line(line).field(field);

        // A shifted row (an unquoted ';' in a value, a truncated line) cannot be read by name.
        let extra_filled = row.iter().skip(columns.named).any(|v| !v.trim().is_empty());
        if row.len() < columns.named || row.len() > columns.total || extra_filled {
            out.rejected.push(
                InputError::new(file, format!("has {} fields, the header has {}", row.len(), columns.named))
                    .at_line(line),
            );
            continue;
        }

        let qid_value = columns.get(&row, "QID");
        let Some(qid) = parse_qid(qid_value) else {
            let reason = if qid_value.is_empty() {
                "no Wikidata id".to_string()
            } else {
                format!("{qid_value:?} is not a Wikidata item (http://www.wikidata.org/entity/Q...)")
            };
            out.rejected.push(reject("QID", reason));
            continue;
        };
        let id = format!("wd:{qid}");
        if let Some(first) = seen.get(qid) {
            out.rejected.push(reject("QID", format!("duplicate id, first seen at line {first}")).record(&id));
            continue;
        }
        seen.insert(qid.to_string(), line);

        match mission(&columns, &row, qid, &id, &en, source_date, &mut out.phones_dropped) {
            // Wikidata has coordinates with a lost minus sign or of another place: one such
            // row is set aside, not allowed to stop the other 9,000.
            Ok(listing) => match check_plausible(&listing).as_slice() {
                [] => out.listings.push(listing),
                problems => {
                    // One rejection per row (the report counts rows), naming the CSV columns.
                    out.implausible += 1;
                    let column = |field: &str| match field {
                        "location" => "latitude/longitude".to_string(),
                        "phones[0].number" => "phone".to_string(),
                        other => other.to_string(),
                    };
                    let reasons: Vec<String> =
                        problems.iter().map(|p| format!("{}: {}", column(&p.field), p.reason)).collect();
                    let field = column(&problems[0].field);
                    let reason = match problems {
                        [one] => format!("implausible: {}", one.reason),
                        _ => format!("implausible: {}", reasons.join("; ")),
                    };
                    out.rejected.push(reject(&field, reason).record(&id));
                }
            },
            Err((field, reason)) => out.rejected.push(reject(field, reason).record(&id)),
        }
    }
    Ok(out)
}

/// Builds the listing of one row whose id is known, or says which field is wrong and why.
fn mission(
    columns: &Columns,
    row: &csv::StringRecord,
    qid: &str,
    id: &str,
    en: &LangTag,
    source_date: Option<NaiveDate>,
    phones_dropped: &mut u64,
) -> std::result::Result<Listing, (&'static str, String)> {
    let get = |column: &str| columns.get(row, column);

    let (lat, lon) = (get("latitude"), get("longitude"));
    if lat.is_empty() {
        return Err(("latitude", "no coordinates".to_string()));
    }
    if lon.is_empty() {
        return Err(("longitude", "no coordinates".to_string()));
    }
    let lat = coordinate(lat, "latitude", 90.0).map_err(|r| ("latitude", r))?;
    let lon = coordinate(lon, "longitude", 180.0).map_err(|r| ("longitude", r))?;
    if lat == 0.0 && lon == 0.0 {
        return Err(("latitude", "0,0 is a placeholder, not a place".to_string()));
    }

    let operator = get("operator");
    let Some((represents, operator_name)) = country_code(operator) else {
        return Err(("operator", format!("operator {operator:?} is not a country with an ISO 3166-1 code")));
    };
    let host_label = get("country");
    let Some((host, host_name)) = country_code(host_label) else {
        return Err(("country", format!("country {host_label:?} is not a country with an ISO 3166-1 code")));
    };

    let city = get("city");
    let mission_type = get("type");
    let place = if city.is_empty() { host_name.as_str() } else { city };
    let name = mission_name(mission_type, &operator_name, place);

    let mut street = LocalizedText::new();
    if !get("address").is_empty() {
        street.insert(en.clone(), get("address").to_string());
    }

    let mut phones: Vec<Phone> = Vec::new();
    let raw_phone = get("phone");
    if !raw_phone.is_empty() {
        match normalize_phone(raw_phone, host) {
            Some(number) => phones.push(Phone { number, kind: PhoneKind::Voice, note: LocalizedText::new() }),
            None => *phones_dropped += 1,
        }
    }

    let social = [("facebook", "facebook"), ("twitter", "x"), ("youtube", "youtube")]
        .into_iter()
        .filter(|(column, _)| !get(column).is_empty())
        .map(|(column, network)| SocialAccount { network: network.to_string(), handle: get(column).to_string() })
        .collect();

    Ok(Listing {
        id: id.to_string(),
        kind: Kind::Consulate,
        services: Vec::new(),
        name: LocalizedText::from([(en.clone(), name)]),
        organization: LocalizedText::new(),
        description: LocalizedText::new(),
        consulate: Some(Consulate {
            represents,
            mission_type: (!mission_type.is_empty()).then(|| mission_type.to_string()),
            services: Vec::new(),
        }),
        location: Some(Location { lat, lon }),
        address: Some(Address {
            street,
            locality: (!city.is_empty()).then(|| city.to_string()),
            region: None,
            postal_code: None,
            country: host,
        }),
        phones,
        emails: email(get("email")).into_iter().collect(),
        websites: web_url(get("website")).into_iter().collect(),
        social,
        opening_hours: None,
        timezone: None,
        languages: Vec::new(),
        cost: None,
        serves: Vec::new(),
        eligibility: Eligibility::default(),
        accessibility: Vec::new(),
        status: Status::Active,
        status_note: LocalizedText::new(),
        verified: None,
        source: Some(Source {
            name: SOURCE_NAME.to_string(),
            url: Some(format!("https://www.wikidata.org/wiki/{qid}")),
            license: Some(SOURCE_LICENSE.to_string()),
            date: source_date,
        }),
        demo: false,
    })
}

#[cfg(test)]
mod tests {
    /// Operators in the real file that are not states with an ISO 3166-1 code.
    const NOT_STATES: &[&str] = &[
        "Quebec",
        "Saxony",
        "Government of New Mexico",
        "European Parliament",
        "Sovereign Military Order of Malta",
        "Abkhazia",
        "South Ossetia",
        "Somaliland",
        "Turkish Republic of Northern Cyprus",
        "Sahrawi Arab Democratic Republic",
        "Central Tibetan Administration",
        "Indigenous Australians",
        "Ministry of Foreign Affairs",
    ];

    use std::collections::{BTreeMap, HashSet};

    use super::*;

    const HEADER: &str = "operator;operatorQID;jurisdictions;jurisdictionQIDs;country;countryQID;city;cityQID;address;latitude;longitude;phone;email;website;facebook;twitter;youtube;picture;pictureAuthor;pictureLicense;pictureLicenseURL;type;typeQID;creation;QID;";

    /// A data row in the real file's layout (25 fields).
    #[allow(clippy::too_many_arguments)]
    fn row(
        operator: &str,
        country: &str,
        city: &str,
        lat: &str,
        lon: &str,
        phone: &str,
        kind: &str,
        qid: &str,
    ) -> String {
        let qid = if qid.starts_with('Q') { format!("http://www.wikidata.org/entity/{qid}") } else { qid.to_string() };
        format!(
            "{operator};http://www.wikidata.org/entity/Q1;;;{country};http://www.wikidata.org/entity/Q2;{city};;;{lat};{lon};{phone};mailto:info@example.org;https://example.org/;fbpage;xhandle;;;;;;{kind};;;{qid}"
        )
    }

    fn read(rows: &[String]) -> MissionsImport {
        let text = format!("{HEADER}\n{}\n", rows.join("\n"));
        read_missions_csv(text.as_bytes(), "m.csv").unwrap()
    }

    fn only_rejection(rows: &[String]) -> InputError {
        let out = read(rows);
        assert!(out.listings.is_empty(), "{:?}", out.listings);
        assert_eq!(out.rejected.len(), 1, "{:?}", out.rejected);
        out.rejected[0].clone()
    }

    #[test]
    fn maps_a_row_to_a_consulate_listing() {
        let out = read(&[row(
            "Honduras",
            "Mexico",
            "Mexico City",
            "19.40742",
            "-99.17366",
            "+52 55 5211 5747",
            "embassy",
            "Q111669561",
        )]);
        assert_eq!((out.rows, out.rejected.len(), out.phones_dropped), (1, 0, 0));
        let l = &out.listings[0];
        let en = LangTag::parse("en").unwrap();
        assert_eq!(l.id, "wd:Q111669561");
        assert_eq!(l.kind, Kind::Consulate);
        assert_eq!(l.name.get(&en).map(String::as_str), Some("Embassy of Honduras in Mexico City"));
        assert_eq!(l.name.len(), 1, "English only");
        let c = l.consulate.as_ref().unwrap();
        assert_eq!(c.represents.as_str(), "HN");
        assert_eq!(c.mission_type.as_deref(), Some("embassy"));
        assert_eq!(l.location, Some(Location { lat: 19.40742, lon: -99.17366 }));
        let a = l.address.as_ref().unwrap();
        assert_eq!((a.country.as_str(), a.locality.as_deref()), ("MX", Some("Mexico City")));
        assert!(a.street.is_empty());
        assert_eq!(l.phones.len(), 1);
        assert_eq!((l.phones[0].number.as_str(), l.phones[0].kind), ("+525552115747", PhoneKind::Voice));
        assert_eq!(l.emails, ["info@example.org"]);
        assert_eq!(l.websites, ["https://example.org/"]);
        let social: Vec<_> = l.social.iter().map(|s| (s.network.as_str(), s.handle.as_str())).collect();
        assert_eq!(social, [("facebook", "fbpage"), ("x", "xhandle")]);
        let s = l.source.as_ref().unwrap();
        assert_eq!(s.name, "Wikidata via database-of-embassies");
        assert_eq!(s.url.as_deref(), Some("https://www.wikidata.org/wiki/Q111669561"));
        assert_eq!(s.license.as_deref(), Some("CC0-1.0"));
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2022, 11, 16));
        assert_eq!(
            (l.status, l.demo, l.verified.is_none(), l.opening_hours.is_none()),
            (Status::Active, false, true, true)
        );
    }

    #[test]
    fn names_missions_from_type_operator_and_place() {
        let out = read(&[
            row("Mexico", "United States of America", "Tucson", "32.2", "-110.9", "", "consulate general", "Q1"),
            row("United Kingdom", "Kenya", "Nairobi", "-1.3", "36.8", "", "British High Commission", "Q2"),
            row("Sweden", "Norway", "Oslo", "59.9", "10.7", "", "Consulate General of Sweden", "Q3"),
            row(
                "Government of Sweden",
                "United States of America",
                "Redmond",
                "47.7",
                "-122.1",
                "",
                "honorary consulate",
                "Q4",
            ),
            row("Azerbaijan", "United Arab Emirates", "", "24.4", "54.4", "", "embassy", "Q5"),
            row("Vatican", "Peru", "Lima", "-12.1", "-77.0", "", "apostolic nunciature", "Q6"),
        ]);
        let en = LangTag::parse("en").unwrap();
        let names: Vec<&str> = out.listings.iter().map(|l| l.name[&en].as_str()).collect();
        assert_eq!(
            names,
            [
                "Consulate general of Mexico in Tucson",
                "British High Commission in Nairobi",
                "Consulate General of Sweden in Oslo",
                "Honorary consulate of Sweden in Redmond",
                "Embassy of Azerbaijan in United Arab Emirates",
                "Apostolic nunciature of Vatican in Lima",
            ]
        );
        let codes: Vec<&str> = out.listings.iter().map(|l| l.consulate.as_ref().unwrap().represents.as_str()).collect();
        assert_eq!(codes, ["MX", "GB", "SE", "SE", "AZ", "VA"]);
        assert_eq!(out.listings[0].address.as_ref().unwrap().country.as_str(), "US");
        assert_eq!(out.listings[4].address.as_ref().unwrap().locality, None);
    }

    #[test]
    fn maps_wikidata_labels_through_the_alias_table() {
        for (label, code) in [
            ("United States of America", "US"),
            ("People's Republic of China", "CN"),
            ("Russia", "RU"),
            ("Turkey", "TR"),
            ("The Bahamas", "BS"),
            ("The Gambia", "GM"),
            ("Ivory Coast", "CI"),
            ("East Timor", "TL"),
            ("Republic of Ireland", "IE"),
            ("Vatican", "VA"),
            ("Palestine", "PS"),
            ("Taiwan", "TW"),
            ("Macau", "MO"),
            ("Kosovo", "XK"),
            ("Kingdom of Denmark", "DK"),
            ("Ministry of Foreign Affairs of the People's Republic of China", "CN"),
            ("Ministry of Foreign Affairs of the Russian Federation", "RU"),
            ("Ministry of Foreign Affairs and Cooperation of the Republic of Rwanda", "RW"),
            ("Honduras", "HN"),
        ] {
            assert_eq!(country_code(label).map(|(c, _)| c.as_str().to_string()), Some(code.to_string()), "{label}");
        }
        for label in NOT_STATES.iter().chain([&""]) {
            assert!(country_code(label).is_none(), "{label} must not get an ISO code");
        }
        // Every alias points at an assigned code.
        for (label, code, _) in ALIASES {
            assert!(CountryCode::parse(code).is_some(), "{label} -> {code}");
        }
    }

    #[test]
    fn rejects_a_missing_or_malformed_qid() {
        let e = only_rejection(&[row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "", "embassy", "")]);
        assert_eq!((e.line, e.record.as_deref(), e.field.as_deref()), (Some(2), None, Some("QID")));
        assert_eq!(e.reason, "no Wikidata id");
        let e = only_rejection(&[row(
            "Honduras",
            "Mexico",
            "Mexico City",
            "19.4",
            "-99.1",
            "",
            "embassy",
            "http://example.org/P31",
        )]);
        assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("QID")));
        assert!(e.reason.contains("\"http://example.org/P31\" is not a Wikidata item"), "{}", e.reason);
    }

    #[test]
    fn rejects_a_duplicate_qid_naming_the_first_line() {
        let out = read(&[
            row("Iraq", "Kuwait", "Kuwait City", "29.3", "48.0", "", "embassy", "Q106686567"),
            row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "", "embassy", "Q2"),
            row("Nepal", "Kuwait", "Kuwait City", "29.3", "48.0", "", "embassy", "Q106686567"),
        ]);
        assert_eq!((out.rows, out.listings.len()), (3, 2));
        let e = &out.rejected[0];
        assert_eq!((e.line, e.record.as_deref(), e.field.as_deref()), (Some(4), Some("wd:Q106686567"), Some("QID")));
        assert_eq!(e.reason, "duplicate id, first seen at line 2");
        assert_eq!(e.to_string(), "m.csv:4: record wd:Q106686567: field QID: duplicate id, first seen at line 2");
    }

    #[test]
    fn rejects_missing_and_invalid_coordinates_with_the_value() {
        let out = read(&[
            row("Honduras", "Mexico", "Mexico City", "", "", "", "embassy", "Q1"),
            row("Honduras", "Mexico", "Mexico City", "19.4", "", "", "embassy", "Q2"),
            row("Honduras", "Mexico", "Mexico City", "91.5", "-99.1", "", "embassy", "Q3"),
            row("Honduras", "Mexico", "Mexico City", "19.4", "-181", "", "embassy", "Q4"),
            row("Honduras", "Mexico", "Mexico City", "19,4", "-99.1", "", "embassy", "Q5"),
            row("Honduras", "Mexico", "Mexico City", "NaN", "-99.1", "", "embassy", "Q6"),
            row("Honduras", "Mexico", "Mexico City", "0", "0", "", "embassy", "Q7"),
        ]);
        assert!(out.listings.is_empty());
        let got: Vec<(u64, &str, &str, &str)> = out
            .rejected
            .iter()
            .map(|e| (e.line.unwrap(), e.record.as_deref().unwrap(), e.field.as_deref().unwrap(), e.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "wd:Q1", "latitude", "no coordinates"),
                (3, "wd:Q2", "longitude", "no coordinates"),
                (4, "wd:Q3", "latitude", "\"91.5\" is not a latitude (-90 to 90)"),
                (5, "wd:Q4", "longitude", "\"-181\" is not a longitude (-180 to 180)"),
                (6, "wd:Q5", "latitude", "\"19,4\" is not a number"),
                (7, "wd:Q6", "latitude", "\"NaN\" is not a number"),
                (8, "wd:Q7", "latitude", "0,0 is a placeholder, not a place"),
            ]
        );
    }

    #[test]
    fn rejects_operators_and_host_countries_without_an_iso_code() {
        let e = only_rejection(&[row(
            "Quebec",
            "Mexico",
            "Mexico City",
            "19.4",
            "-99.1",
            "",
            "Quebec Government Office",
            "Q9",
        )]);
        assert_eq!((e.line, e.record.as_deref(), e.field.as_deref()), (Some(2), Some("wd:Q9"), Some("operator")));
        assert_eq!(e.reason, "operator \"Quebec\" is not a country with an ISO 3166-1 code");
        let e = only_rejection(&[row("Denmark", "Nordic countries", "Oslo", "59.9", "10.7", "", "embassy", "Q8")]);
        assert_eq!((e.line, e.record.as_deref(), e.field.as_deref()), (Some(2), Some("wd:Q8"), Some("country")));
        assert_eq!(e.reason, "country \"Nordic countries\" is not a country with an ISO 3166-1 code");
    }

    #[test]
    fn rejects_shifted_rows_and_counts_lines_across_quoted_newlines() {
        let shifted =
            format!("{};extra", row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "", "embassy", "Q1"));
        let short = "Honduras;x;y".to_string();
        let mut quoted = row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "", "embassy", "Q3");
        quoted = quoted.replacen("fbpage", "\"fb\nsecond line\"", 1);
        let after = row("Quebec", "Mexico", "Mexico City", "19.4", "-99.1", "", "embassy", "Q4");
        let out = read(&[shifted, short, quoted, after]);
        assert_eq!((out.rows, out.listings.len()), (4, 1));
        let got: Vec<(u64, &str)> = out.rejected.iter().map(|e| (e.line.unwrap(), e.reason.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "has 26 fields, the header has 25"),
                (3, "has 3 fields, the header has 25"),
                (6, "operator \"Quebec\" is not a country with an ISO 3166-1 code"),
            ]
        );
        assert_eq!(out.listings[0].social[0].handle, "fb\nsecond line");
        // A trailing empty field, as in the header, is accepted.
        let trailing = format!("{};", row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "", "embassy", "Q1"));
        assert_eq!(read(&[trailing]).listings.len(), 1);
    }

    #[test]
    fn structural_problems_are_errors_naming_file_and_line() {
        let err =
            read_missions_csv("operator;country;latitude\nHonduras;Mexico;1\n".as_bytes(), "bad.csv").unwrap_err();
        let Error::Input(e) = err else { panic!("{err:?}") };
        assert_eq!((e.file.as_str(), e.line), ("bad.csv", Some(1)));
        assert!(e.reason.contains("city, longitude, type, QID"), "{}", e.reason);

        let err = read_missions_csv("".as_bytes(), "empty.csv").unwrap_err();
        assert!(err.to_string().starts_with("empty.csv:1: the header lacks required column(s) operator"), "{err}");

        let ok = row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "", "embassy", "Q1");
        let mut bytes = format!("{HEADER}\n{ok}\n").into_bytes();
        bytes.extend_from_slice(b"Hond\xffuras;x\n");
        let err = read_missions_csv(&bytes[..], "latin1.csv").unwrap_err();
        let Error::Input(e) = err else { panic!("{err:?}") };
        assert_eq!((e.file.as_str(), e.line), ("latin1.csv", Some(3)));
        assert!(e.reason.contains("not valid UTF-8"), "{}", e.reason);
    }

    #[test]
    fn normalizes_phones_to_e164_and_drops_the_rest() {
        let host = |c: &str| CountryCode::parse(c).unwrap();
        // International formats, whatever the host.
        assert_eq!(normalize_phone("+1-613-563-4223", host("CA")).as_deref(), Some("+16135634223"));
        assert_eq!(normalize_phone("+1 (212) 736-4600", host("NL")).as_deref(), Some("+12127364600"));
        assert_eq!(normalize_phone("+52 55 5211 5747", host("MX")).as_deref(), Some("+525552115747"));
        assert_eq!(normalize_phone("+504 2236-6800", host("HN")).as_deref(), Some("+50422366800"));
        // National formats read as the host country's.
        assert_eq!(normalize_phone("(613) 563-4223", host("CA")).as_deref(), Some("+16135634223"));
        assert_eq!(normalize_phone("55 5211 5747", host("MX")).as_deref(), Some("+525552115747"));
        assert_eq!(normalize_phone("2236-6800", host("HN")).as_deref(), Some("+50422366800"));
        assert_eq!(normalize_phone("020 7499 9000", host("GB")).as_deref(), Some("+442074999000"));
        // Not numbers, or not valid ones.
        for bad in ["n/a", "+1 613", "12", "+999 1234 5678"] {
            assert_eq!(normalize_phone(bad, host("CA")), None, "{bad}");
        }

        let out = read(&[
            row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "55 5211 5747", "embassy", "Q1"),
            row("Honduras", "Mexico", "Mexico City", "19.4", "-99.1", "call us", "embassy", "Q2"),
        ]);
        assert_eq!((out.listings.len(), out.phones_dropped), (2, 1), "a bad phone does not reject the row");
        assert_eq!(out.listings[0].phones[0].number, "+525552115747");
        assert!(out.listings[1].phones.is_empty());
    }

    #[test]
    fn keeps_only_well_formed_emails_and_web_urls() {
        assert_eq!(email("mailto:consulado@sre.gob.mx").as_deref(), Some("consulado@sre.gob.mx"));
        assert_eq!(email("MAILTO:a@b.org?subject=x").as_deref(), Some("a@b.org"));
        assert_eq!(email("info@example.org").as_deref(), Some("info@example.org"));
        assert_eq!(email("mailto:nobody"), None);
        assert_eq!(email(""), None);
        assert_eq!(web_url("https://embamex.sre.gob.mx/").as_deref(), Some("https://embamex.sre.gob.mx/"));
        assert_eq!(web_url("HTTP://example.org").as_deref(), Some("HTTP://example.org"));
        assert_eq!(web_url("ftp://example.org"), None);
        assert_eq!(web_url("www.example.org"), None);
        assert_eq!(web_url("https://"), None);
    }

    #[test]
    fn imports_the_real_wikidata_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/wikidata/diplomatic-missions-wikidata-2022.csv");
        let file = std::fs::File::open(path).expect("data/wikidata/diplomatic-missions-wikidata-2022.csv");
        let out = read_missions_csv(std::io::BufReader::new(file), "diplomatic-missions-wikidata-2022.csv").unwrap();

        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &out.rejected {
            *reasons.entry(e.reason.as_str()).or_default() += 1;
        }
        let phones_kept: usize = out.listings.iter().map(|l| l.phones.len()).sum();
        println!("rows {}, imported {}, rejected {}", out.rows, out.listings.len(), out.rejected.len());
        println!("phones: {phones_kept} normalized, {} dropped", out.phones_dropped);
        println!("implausible: {}", out.implausible);
        for (reason, n) in &reasons {
            println!("{n:6}  {reason}");
        }

        assert_eq!(out.rows, 9852);
        // Coordinates outside the host country (the Australian rows at 350-376 hold
        // Australia's missions abroad under the wrong host): set aside, each reported.
        let implausible: Vec<&InputError> =
            out.rejected.iter().filter(|e| e.reason.starts_with("implausible: ")).collect();
        assert_eq!(implausible.len() as u64, out.implausible);
        assert_eq!(out.implausible, if cfg!(feature = "place-checks") { 42 } else { 0 });
        let nigeria = implausible.iter().find(|e| e.record.as_deref() == Some("wd:Q111977441"));
        assert!(
            !cfg!(feature = "place-checks") || nigeria.is_some_and(|e| e.reason.contains("Nigeria (NG)")),
            "{nigeria:?}"
        );
        assert_eq!(out.listings.len() + out.rejected.len(), 9852);
        // Coordinates are checked right after the id, so every row without them is
        // rejected for that reason (the duplicate row has coordinates).
        assert_eq!(reasons.get("no coordinates"), Some(&1132));
        assert_eq!(reasons.get("duplicate id, first seen at line 3682"), Some(&1));
        let rejected_operators: HashSet<&str> = out
            .rejected
            .iter()
            .filter(|e| e.field.as_deref() == Some("operator"))
            .map(|e| e.reason.split('"').nth(1).unwrap())
            .collect();
        let expected: HashSet<&str> = NOT_STATES.iter().copied().collect();
        assert!(rejected_operators.is_subset(&expected), "unexpected: {:?}", rejected_operators.difference(&expected));
        assert!(out.rejected.iter().all(|e| e.line.is_some() && e.field.is_some()));

        let mut ids = HashSet::new();
        for l in &out.listings {
            assert!(ids.insert(l.id.as_str()), "duplicate {}", l.id);
            assert!(l.consulate.as_ref().is_some_and(|c| !c.represents.as_str().is_empty()), "{}", l.id);
            let problems = crate::model::validate::check_listing(l);
            assert!(problems.is_empty(), "{}: {problems:?}", l.id);
        }

        let hn = out.listings.iter().find(|l| l.id == "wd:Q111669561").expect("Honduran embassy in Mexico City");
        assert_eq!(hn.consulate.as_ref().unwrap().represents.as_str(), "HN");
        assert_eq!(hn.address.as_ref().unwrap().country.as_str(), "MX");
        let loc = hn.location.unwrap();
        assert!((loc.lat - 19.407).abs() < 0.001 && (loc.lon + 99.174).abs() < 0.001, "{loc:?}");
        assert_eq!(hn.name[&LangTag::parse("en").unwrap()], "Embassy of Honduras in Mexico City");

        let af = out.listings.iter().find(|l| l.id == "wd:Q13634268").expect("Afghan embassy in Ottawa");
        let numbers: Vec<&str> = af.phones.iter().map(|p| p.number.as_str()).collect();
        assert_eq!(numbers, ["+16135634223"], "from +1-613-563-4223");
        assert!(phones_kept > 700, "most of the 885 phones normalize: {phones_kept}");
    }
}
