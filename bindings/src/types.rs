//! The records and enums Kotlin and Swift see, and their conversion from the core's model.
//!
//! The core's code enums (kinds, services, audiences, ...) cross the FFI as they are, declared
//! here as UniFFI "remote" types so that they are not copied. Localized fields are resolved to
//! one string by the caller's language list before crossing, so apps never pick languages
//! themselves; time values cross as `SystemTime` (`java.time.Instant`, Swift `Date`).

use std::time::SystemTime;

use faro_core::hours::{HoursStatus as CoreHoursStatus, OpenState};
use faro_core::model::{
    self as m, Accessibility, Audience, ConsularService, Cost, Kind, PhoneKind, ServiceCode, Status,
};
use faro_core::search::KindCount;
use faro_core::LangPrefs;

/// What a listing is.
#[uniffi::remote(Enum)]
pub enum Kind {
    /// A consulate or embassy.
    Consulate,
    /// Free or low-cost legal help.
    LegalAid,
    /// A health service.
    Health,
    /// A shelter.
    Shelter,
}

/// A finer-grained service a listing provides; a listing may have several.
#[uniffi::remote(Enum)]
pub enum ServiceCode {
    /// Help applying for asylum or refugee status.
    AsylumHelp,
    /// Visits, representation or information for people in immigration detention.
    DetentionSupport,
    /// Identity documents: passports, consular IDs, birth certificates, humanitarian visas.
    IdDocuments,
    /// Help returning home, voluntarily and safely.
    Repatriation,
    /// General legal advice (labour, family, regularisation).
    LegalAdvice,
    /// Representation before courts or migration authorities.
    LegalRepresentation,
    /// Help for victims of trafficking.
    TraffickingVictimSupport,
    /// Emergency and urgent medical care.
    EmergencyCare,
    /// Primary, general medical care.
    PrimaryCare,
    /// Sexual and reproductive health, including prenatal care.
    SexualReproductiveHealth,
    /// Mental health and psychosocial support.
    MentalHealth,
    /// Vaccination.
    Vaccination,
    /// Support for survivors of gender-based violence.
    GbvSupport,
    /// Child protection and support for unaccompanied minors.
    ChildProtection,
    /// A bed for the night or longer.
    Shelter,
    /// Food or meals.
    Food,
    /// Free phone calls, charging or internet to contact family.
    FamilyContact,
    /// Restoring family links / searching for missing relatives.
    FamilyTracing,
    /// Cash or in-kind humanitarian assistance.
    HumanitarianAid,
}

/// A consular service offered by a mission.
#[uniffi::remote(Enum)]
pub enum ConsularService {
    /// Passports and travel documents.
    Passports,
    /// Emergency travel documents / safe-conduct passes.
    EmergencyTravelDocument,
    /// Civil registry: births, marriages, deaths.
    CivilRegistry,
    /// Consular ID cards (matrícula consular and similar).
    ConsularId,
    /// Visits to and assistance for nationals in detention (VCCR art. 36).
    DetaineeAssistance,
    /// Help returning home.
    Repatriation,
    /// Legal orientation for nationals.
    LegalOrientation,
    /// Visas for foreigners.
    Visas,
}

/// Who a listing serves.
#[uniffi::remote(Enum)]
pub enum Audience {
    /// Anyone.
    Everyone,
    /// Women.
    Women,
    /// Children (with their families).
    Children,
    /// Children travelling without a parent or guardian.
    UnaccompaniedMinors,
    /// Families.
    Families,
    /// LGBTQ+ people.
    Lgbtq,
    /// Men travelling alone.
    Men,
}

/// How much the service costs the person.
#[uniffi::remote(Enum)]
pub enum Cost {
    /// No charge.
    Free,
    /// A small or sliding-scale fee.
    LowCost,
    /// Paid.
    Paid,
}

/// Whether the listing is operating.
#[uniffi::remote(Enum)]
pub enum Status {
    /// Operating normally.
    Active,
    /// Temporarily closed (see the status note).
    TemporarilyClosed,
    /// Permanently closed; kept so that people are not sent there.
    Closed,
}

/// How a phone number can be used.
#[uniffi::remote(Enum)]
pub enum PhoneKind {
    /// Ordinary voice calls.
    Voice,
    /// WhatsApp (messages or calls).
    Whatsapp,
    /// Text messages.
    Sms,
    /// A free or 24-hour hotline.
    Hotline,
    /// Fax.
    Fax,
}

/// Accessibility features of a place.
#[uniffi::remote(Enum)]
pub enum Accessibility {
    /// Step-free access for wheelchairs.
    Wheelchair,
    /// Sign language spoken by staff.
    SignLanguage,
    /// Interpreters available on request.
    Interpretation,
    /// Accessible toilets.
    AccessibleToilet,
    /// Help for people who cannot read.
    LiteracySupport,
}

/// Whether a place is open.
#[uniffi::remote(Enum)]
pub enum OpenState {
    /// Open.
    Open,
    /// Closed (also every listing that is not active).
    Closed,
    /// Unknown: no hours given, "by appointment", or a regional holiday.
    Unknown,
}

/// A WGS84 point in degrees.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct GeoPoint {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lon: f64,
}

/// A phone number and how to use it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Phone {
    /// E.164 (`+525512345678`), ready to dial.
    pub number: String,
    /// Voice, WhatsApp, SMS, hotline or fax.
    pub kind: PhoneKind,
    /// What the number is for, in the best available language.
    pub note: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Address {
    /// Street and number, in the best available language.
    pub street: Option<String>,
    /// City or town.
    pub locality: Option<String>,
    /// State, department or province.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country, ISO 3166-1 alpha-2 (`MX`).
    pub country: String,
}

/// Consulate details.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConsulateInfo {
    /// Country the mission represents, ISO 3166-1 alpha-2.
    pub represents: String,
    /// Type as published (`embassy`, `consulate general`, ...).
    pub mission_type: Option<String>,
    /// Consular services offered.
    pub services: Vec<ConsularService>,
}

/// An account on a social network.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SocialAccount {
    /// Network, lower case (`facebook`, `whatsapp`, `telegram`, ...).
    pub network: String,
    /// Handle or page URL as published.
    pub handle: String,
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SourceInfo {
    /// Human-readable name of the source.
    pub name: String,
    /// Where it came from.
    pub url: Option<String>,
    /// Licence (SPDX id or name).
    pub license: Option<String>,
    /// Date of the source's version, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// Opening state of a listing at the time asked about.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HoursStatus {
    /// Open, closed or unknown.
    pub state: OpenState,
    /// When the state next changes, as an instant; `None` if never (`24/7`) or not within
    /// about a year.
    pub next_change: Option<SystemTime>,
    /// The same moment as wall-clock time in the listing's own time zone,
    /// `YYYY-MM-DDTHH:MM`, for display ("opens at 14:00" where the place is).
    pub next_change_local: Option<String>,
    /// Comment of the rule that applies (`"por cita"`), if any.
    pub comment: Option<String>,
}

/// One place where a person can get help, with text in the caller's best language.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Listing {
    /// Stable id (`wd:Q123`, `demo:...`).
    pub id: String,
    /// What it is.
    pub kind: Kind,
    /// Services offered.
    pub services: Vec<ServiceCode>,
    /// Name in the best available language (the id if the record has no name).
    pub name: String,
    /// Language of `name` (BCP 47), if it has one.
    pub name_language: Option<String>,
    /// Organization running it.
    pub organization: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Consulate details, for consulates.
    pub consulate: Option<ConsulateInfo>,
    /// Where it is.
    pub location: Option<GeoPoint>,
    /// Postal address.
    pub address: Option<Address>,
    /// Phone numbers.
    pub phones: Vec<Phone>,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Websites.
    pub websites: Vec<String>,
    /// Social network accounts.
    pub social: Vec<SocialAccount>,
    /// OpenStreetMap `opening_hours` expression as published.
    pub opening_hours: Option<String>,
    /// IANA time zone of the place.
    pub timezone: Option<String>,
    /// Languages the staff speak (BCP 47).
    pub languages: Vec<String>,
    /// Cost to the person.
    pub cost: Option<Cost>,
    /// Who it serves.
    pub serves: Vec<Audience>,
    /// Whether papers are required; `None` when not stated.
    pub papers_required: Option<bool>,
    /// Migration statuses required, when restricted.
    pub migration_status: Vec<String>,
    /// Other conditions.
    pub eligibility_note: Option<String>,
    /// Accessibility features.
    pub accessibility: Vec<Accessibility>,
    /// Operating status.
    pub status: Status,
    /// Why it is closed, when it is.
    pub status_note: Option<String>,
    /// Who last checked the listing, as its record says. Only a signed dataset makes that
    /// claim count (`SearchHit.verified`, `ContactMatch.dataset_verified`): a local import's
    /// record can say anything, and its contacts never read `Official`.
    pub verified_by: Option<String>,
    /// When it was last checked, `YYYY-MM-DD`, as its record says (see `verified_by`).
    pub verified_on: Option<String>,
    /// Where the record came from.
    pub source: Option<SourceInfo>,
    /// True for invented demo data: show it as such.
    pub demo: bool,
    /// Opening state at the time asked about.
    pub hours: HoursStatus,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SearchHit {
    /// The listing.
    pub listing: Listing,
    /// Metres from the query's point, when it had one.
    pub distance_m: Option<f64>,
    /// Text-match score (higher is better), when the query had text.
    pub score: Option<f64>,
    /// The dataset the listing belongs to.
    pub dataset: String,
    /// True when it came by a verified sync or bundle (signed by its publisher); false for a
    /// local import nobody verified. Show the difference to the person.
    pub verified: bool,
    /// True when the request had `near` but no `radius_m` and this hit is further than 50 km
    /// (`NEAR_HORIZON_M` in the core) from it. When the first hit is far, nothing matched
    /// nearby: say so, and how far the nearest is, before showing far places.
    pub far: bool,
}

/// How many listings of one kind.
#[uniffi::remote(Record)]
pub struct KindCount {
    /// The kind.
    pub kind: Kind,
    /// Listings of that kind, closed ones excluded.
    pub count: u64,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ImportSummary {
    /// Dataset the file belongs to (from its header).
    pub dataset: String,
    /// Listings that were new.
    pub inserted: u64,
    /// Listings whose record changed.
    pub updated: u64,
    /// Listings identical to what was stored.
    pub unchanged: u64,
}

/// Converts a core listing, resolving localized text with `langs`.
pub(crate) fn listing_from_core(l: m::Listing, langs: &LangPrefs, hours: CoreHoursStatus) -> Listing {
    let text = |t: &m::LocalizedText| langs.pick(t).map(|(_, v)| v.to_string());
    let (name_language, name) = match langs.pick(&l.name) {
        Some((tag, v)) => (Some(tag.to_string()), v.to_string()),
        None => (None, l.id.clone()),
    };
    let hours = hours_from_core(hours, l.timezone.as_deref());
    Listing {
        name,
        name_language,
        organization: text(&l.organization),
        description: text(&l.description),
        consulate: l.consulate.map(|c| ConsulateInfo {
            represents: c.represents.as_str().to_string(),
            mission_type: c.mission_type,
            services: c.services,
        }),
        location: l.location.map(|p| GeoPoint { lat: p.lat, lon: p.lon }),
        address: l.address.map(|a| Address {
            street: text(&a.street),
            locality: a.locality,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country.as_str().to_string(),
        }),
        phones: l.phones.into_iter().map(|p| Phone { note: text(&p.note), number: p.number, kind: p.kind }).collect(),
        emails: l.emails,
        websites: l.websites,
        social: l.social.into_iter().map(|s| SocialAccount { network: s.network, handle: s.handle }).collect(),
        opening_hours: l.opening_hours,
        timezone: l.timezone,
        languages: l.languages.iter().map(|t| t.to_string()).collect(),
        cost: l.cost,
        serves: l.serves,
        papers_required: l.eligibility.papers_required,
        migration_status: l.eligibility.migration_status,
        eligibility_note: text(&l.eligibility.note),
        accessibility: l.accessibility,
        status: l.status,
        status_note: text(&l.status_note),
        verified_by: l.verified.as_ref().map(|v| v.by.clone()),
        verified_on: l.verified.as_ref().map(|v| v.on.to_string()),
        source: l.source.map(|s| SourceInfo {
            name: s.name,
            url: s.url,
            license: s.license,
            date: s.date.map(|d| d.to_string()),
        }),
        demo: l.demo,
        id: l.id,
        kind: l.kind,
        services: l.services,
        hours,
    }
}

/// Converts the core's hours status; `next_change` is local time in `timezone`.
pub(crate) fn hours_from_core(h: CoreHoursStatus, timezone: Option<&str>) -> HoursStatus {
    HoursStatus {
        state: h.state,
        next_change: h.next_change_at(timezone).map(SystemTime::from),
        next_change_local: h.next_change.map(|t| t.format("%Y-%m-%dT%H:%M").to_string()),
        comment: h.comment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn next_change_crosses_as_the_instant_and_the_local_time() {
        // 2026-11-25 14:00 in Bogotá (UTC-5, no DST) is 19:00 UTC.
        let local = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_opt(14, 0, 0).unwrap();
        let core = CoreHoursStatus { state: OpenState::Closed, next_change: Some(local), comment: None };
        let h = hours_from_core(core, Some("America/Bogota"));
        let unix = h.next_change.unwrap().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!((unix, h.next_change_local.as_deref()), (1_795_633_200, Some("2026-11-25T14:00")));
    }
}
