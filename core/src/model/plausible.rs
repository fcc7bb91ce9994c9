//! Checks that a well-formed [`Listing`] describes a real place: language tags registered in
//! the IANA registry, phone numbers valid in their country's numbering plan, coordinates
//! inside the listing's country and a time zone that keeps the clock of the place.
//!
//! [`validate`](super::validate) checks the shape of each field; this module checks the
//! fields against each other and against the world, and reports EVERY problem of a record
//! in one pass, each with its field path, so that a publisher fixes a file in one go.
//!
//! The language and phone checks are cheap and always on. The place checks (coordinates,
//! time zone) need compiled-in boundary data (country borders from OpenStreetMap through the
//! `country-boundaries` crate, time-zone polygons through `tzf-rs`, ADR 0021) and are built
//! only with the `place-checks` feature: on for the CLI and the benchmark, off for the phone
//! library, which imports files from publishers that have checked them.
//!
//! They run on local imports ([`crate::store::Store::write_listings`] and the missions
//! reader), not on verified datasets from sync: those were checked where they were
//! published, and refusing a whole signed update on a phone would leave its person with
//! older data.

use super::validate::{is_e164, FieldProblem};
use super::{Listing, LocalizedText};
use crate::contact::normalize::{self, ContactKind};
use crate::country::CountryCode;

/// Every plausibility problem of `listing` (see the module docs), each with its field path;
/// empty when it is plausible. Fields that are malformed (a phone that is not E.164) are left
/// to [`super::validate::check_listing`], which reports them.
pub fn check_plausible(listing: &Listing) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    check_languages(listing, &mut out);
    let country = listing.address.as_ref().map(|a| a.country);
    for (i, phone) in listing.phones.iter().enumerate() {
        if is_e164(&phone.number) {
            if let Some(reason) = phone_problem(&phone.number, country) {
                out.push(FieldProblem::new(format!("phones[{i}].number"), reason));
            }
        }
    }
    // With opening hours, the hours check reports an unknown zone already.
    if let (Some(tz), None) = (&listing.timezone, &listing.opening_hours) {
        if tz.parse::<chrono_tz::Tz>().is_err() {
            out.push(FieldProblem::new(
                "timezone",
                format!("{tz:?} is not an IANA time zone (such as America/Mexico_City)"),
            ));
        }
    }
    #[cfg(feature = "place-checks")]
    place::check(listing, &mut out);
    out
}

/// Every language tag of the listing: its `languages` and the keys of its texts.
fn check_languages(listing: &Listing, out: &mut Vec<FieldProblem>) {
    for (i, tag) in listing.languages.iter().enumerate() {
        if let Err(reason) = tag.check_registered() {
            out.push(FieldProblem::new(format!("languages[{i}]"), reason));
        }
    }
    let mut texts: Vec<(String, &LocalizedText)> = vec![
        ("name".into(), &listing.name),
        ("organization".into(), &listing.organization),
        ("description".into(), &listing.description),
        ("status_note".into(), &listing.status_note),
        ("eligibility.note".into(), &listing.eligibility.note),
    ];
    if let Some(address) = &listing.address {
        texts.push(("address.street".into(), &address.street));
    }
    for (i, phone) in listing.phones.iter().enumerate() {
        texts.push((format!("phones[{i}].note"), &phone.note));
    }
    for (field, text) in texts {
        for tag in text.keys() {
            if let Err(reason) = tag.check_registered() {
                out.push(FieldProblem::new(format!("{field}.{tag}"), reason));
            }
        }
    }
}

/// Why `number` is not a phone number a person can call, read as the number of a listing in
/// `country`; `None` when it is valid. An E.164 number is checked in the plan of its own
/// country code (a consulate lists numbers of the country it represents); a national number
/// (no `+`) is read in `country`, and if it is valid there the reason says how to write it.
pub fn phone_problem(number: &str, country: Option<CountryCode>) -> Option<String> {
    let read = normalize::phone(number, country);
    let valid = read.kind == ContactKind::Phone;
    let where_ = country.map_or_else(|| "the listing's country".to_string(), |c| format!("{} ({c})", c.name()));
    if number.starts_with('+') {
        if valid {
            return None;
        }
        let code = calling_code(number);
        let own = country.and_then(|c| phonenumber::metadata::DATABASE.by_id(c.as_str())).map(|m| m.country_code());
        let hint = match (code, own) {
            (Some(code), Some(own)) if code == own => format!(
                "; if it is a number of another country, write it with that country's code instead of +{own} \
                 (+502 for Guatemala)"
            ),
            _ => String::new(),
        };
        let plan = code.map_or_else(|| "any country's".to_string(), |c| format!("the +{c}"));
        return Some(format!("{number:?} is not a valid number in {plan} numbering plan{hint}"));
    }
    Some(match (valid, read.normalized) {
        (true, Some(e164)) if !is_e164(number) => {
            format!("read in {where_} it is {e164}: write it so (+ and country code)")
        }
        (true, _) => return None,
        _ => format!(
            "without a country code it is not a valid number in {where_}; a number of another country \
             needs + and its country code (+502 for Guatemala)"
        ),
    })
}

/// The country calling code an international number starts with (`52` for `+52...`).
fn calling_code(number: &str) -> Option<u16> {
    crate::contact::phone::parse(number, None).ok().map(|p| p.country_code)
}

#[cfg(feature = "place-checks")]
pub mod place;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, Kind, Location, Phone, PhoneKind};

    pub(crate) fn listing(country: &str, lat: f64, lon: f64) -> Listing {
        let mut l: Listing = serde_json::from_str(
            r#"{"id":"demo:x","kind":"shelter","name":{"es":"Casa (demo)"},"timezone":"America/Mexico_City"}"#,
        )
        .unwrap();
        l.kind = Kind::Shelter;
        l.location = Some(Location { lat, lon });
        l.address = Some(Address {
            street: LocalizedText::new(),
            locality: None,
            region: None,
            postal_code: None,
            country: CountryCode::parse(country).unwrap(),
        });
        l
    }

    fn fields(problems: &[FieldProblem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn words_for_languages_are_refused_with_the_tag_meant() {
        let mut l = listing("MX", 19.43, -99.13);
        l.languages = vec!["es".parse().unwrap(), "kreyol".parse().unwrap(), "english".parse().unwrap()];
        l.name.insert("english".parse().unwrap(), "Shelter (demo)".into());
        let problems = check_plausible(&l);
        assert_eq!(fields(&problems), ["languages[1]", "languages[2]", "name.english"], "{problems:?}");
        assert!(problems[0].reason.contains("use ht"), "{}", problems[0].reason);
        assert!(problems[1].reason.contains("use en"), "{}", problems[1].reason);
    }

    #[test]
    fn phones_are_read_in_their_country() {
        let mx = CountryCode::parse("MX");
        assert_eq!(phone_problem("+525552115747", mx), None);
        assert_eq!(phone_problem("+50224111900", mx), None, "a Guatemalan number with its code");
        // A Guatemalan number given the listing's code, or no code at all: not Mexican.
        let r = phone_problem("+5224111900", mx).unwrap();
        assert!(r.contains("+52 numbering plan") && r.contains("+502"), "{r}");
        let r = phone_problem("24111900", mx).unwrap();
        assert!(r.contains("not a valid number in Mexico (MX)") && r.contains("+502"), "{r}");
        let r = phone_problem("55 5211 5747", mx).unwrap();
        assert!(r.contains("+525552115747"), "{r}");
    }

    #[test]
    fn every_problem_of_a_record_in_one_pass() {
        let mut l = listing("MX", 19.43, -99.13);
        l.languages = vec!["kreyol".parse().unwrap()];
        l.phones = vec![Phone { number: "+5224111900".into(), kind: PhoneKind::Voice, note: LocalizedText::new() }];
        l.timezone = Some("America/Mexico_Cty".into());
        let problems = check_plausible(&l);
        assert_eq!(fields(&problems), ["languages[0]", "phones[0].number", "timezone"], "{problems:?}");
    }
}
