//! The directory's records: one [`Listing`] per place where a person can get help.
//!
//! The shape follows Open Referral HSDS 3.0 closely enough that a real directory maps onto
//! it (organization, service, location, phone, schedule, language, accessibility, cost,
//! eligibility), flattened into one self-contained record per place because a phone needs
//! to show, sign and sync a place as a unit. `docs/data-format.md` is the field reference.
//!
//! This module only describes and validates records; it knows nothing of files or storage.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::code_enum::code_enum;

use crate::country::CountryCode;
use crate::lang::LangTag;

pub mod plausible;
pub mod validate;
pub mod vocabulary;

/// Text in several languages; defined with the language tags it is keyed by.
pub use crate::lang::LocalizedText;

code_enum! {
    /// What kind of help a listing offers, at the coarsest level.
    Kind ("kind") {
        /// An embassy, consulate or other diplomatic mission (its exact type is kept in
        /// [`Consulate::mission_type`]).
        Consulate => "consulate",
        /// Legal advice or representation: asylum, detention, documents, labour rights.
        LegalAid => "legal_aid",
        /// A clinic, hospital, health post or mobile health team.
        Health => "health",
        /// A shelter, migrant house or safe space to sleep.
        Shelter => "shelter",
    }
}

code_enum! {
    /// A finer-grained service a listing provides; a listing may have several.
    ServiceCode ("service") {
        /// Help applying for asylum or refugee status.
        AsylumHelp => "asylum_help",
        /// Visits, representation or information for people in immigration detention.
        DetentionSupport => "detention_support",
        /// Identity documents: passports, consular IDs, birth certificates, humanitarian visas.
        IdDocuments => "id_documents",
        /// Help returning home, voluntarily and safely.
        Repatriation => "repatriation",
        /// General legal advice (labour, family, regularisation).
        LegalAdvice => "legal_advice",
        /// Representation before courts or migration authorities.
        LegalRepresentation => "legal_representation",
        /// Help for victims of trafficking.
        TraffickingVictimSupport => "trafficking_victim_support",
        /// Emergency and urgent medical care.
        EmergencyCare => "emergency_care",
        /// Primary, general medical care.
        PrimaryCare => "primary_care",
        /// Sexual and reproductive health, including prenatal care.
        SexualReproductiveHealth => "sexual_reproductive_health",
        /// Mental health and psychosocial support.
        MentalHealth => "mental_health",
        /// Vaccination.
        Vaccination => "vaccination",
        /// Support for survivors of gender-based violence.
        GbvSupport => "gbv_support",
        /// Child protection and support for unaccompanied minors.
        ChildProtection => "child_protection",
        /// A bed for the night or longer.
        Shelter => "shelter",
        /// Food or meals.
        Food => "food",
        /// Free phone calls, charging or internet to contact family.
        FamilyContact => "family_contact",
        /// Restoring family links / searching for missing relatives.
        FamilyTracing => "family_tracing",
        /// Cash or in-kind humanitarian assistance.
        HumanitarianAid => "humanitarian_aid",
    }
}

code_enum! {
    /// A consular service offered by a mission.
    ConsularService ("consular service") {
        /// Passports and travel documents.
        Passports => "passports",
        /// Emergency travel documents / safe-conduct passes.
        EmergencyTravelDocument => "emergency_travel_document",
        /// Civil registry: births, marriages, deaths.
        CivilRegistry => "civil_registry",
        /// Consular ID cards (matrícula consular and similar).
        ConsularId => "consular_id",
        /// Visits to and assistance for nationals in detention (VCCR art. 36).
        DetaineeAssistance => "detainee_assistance",
        /// Help returning home.
        Repatriation => "repatriation",
        /// Legal orientation for nationals.
        LegalOrientation => "legal_orientation",
        /// Visas for foreigners.
        Visas => "visas",
    }
}

code_enum! {
    /// Who a listing serves.
    Audience ("group") {
        /// Anyone.
        Everyone => "everyone",
        /// Women.
        Women => "women",
        /// Children (with their families).
        Children => "children",
        /// Children travelling without a parent or guardian.
        UnaccompaniedMinors => "unaccompanied_minors",
        /// Families.
        Families => "families",
        /// LGBTQ+ people.
        Lgbtq => "lgbtq",
        /// Men travelling alone.
        Men => "men",
    }
}

code_enum! {
    /// How much the service costs the person.
    Cost ("cost") {
        /// No charge.
        Free => "free",
        /// A small or sliding-scale fee.
        LowCost => "low_cost",
        /// Paid.
        Paid => "paid",
    }
}

code_enum! {
    /// Whether the listing is operating.
    Status ("status") {
        /// Operating normally.
        Active => "active",
        /// Temporarily closed (see the status note).
        TemporarilyClosed => "temporarily_closed",
        /// Permanently closed; kept so that people are not sent there.
        Closed => "closed",
    }
}

code_enum! {
    /// How a phone number can be used.
    PhoneKind ("phone kind") {
        /// Ordinary voice calls.
        Voice => "voice",
        /// WhatsApp (messages or calls).
        Whatsapp => "whatsapp",
        /// Text messages.
        Sms => "sms",
        /// A free or 24-hour hotline.
        Hotline => "hotline",
        /// Fax.
        Fax => "fax",
    }
}

code_enum! {
    /// Accessibility features of a place.
    Accessibility ("accessibility feature") {
        /// Step-free access for wheelchairs.
        Wheelchair => "wheelchair",
        /// Sign language spoken by staff.
        SignLanguage => "sign_language",
        /// Interpreters available on request.
        Interpretation => "interpretation",
        /// Accessible toilets.
        AccessibleToilet => "accessible_toilet",
        /// Help for people who cannot read.
        LiteracySupport => "literacy_support",
    }
}

/// One place where a person can get help: the unit that is stored, searched, synced and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// Stable identifier, unique across datasets: `wd:Q123` for Wikidata, `demo:...` for
    /// demo data, `<publisher>:<id>` otherwise.
    pub id: String,
    /// Coarse kind.
    pub kind: Kind,
    /// Finer service codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceCode>,
    /// Name of the place or service, per language.
    pub name: LocalizedText,
    /// The organization running it (HSDS `organization.name`), per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub organization: LocalizedText,
    /// What it offers and how to get it, per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub description: LocalizedText,
    /// Present for kind `consulate`: which country it represents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consulate: Option<Consulate>,
    /// Where it is (WGS84).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
    /// E-mail addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Web sites (absolute `https://` or `http://` URLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    /// Social-media accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub social: Vec<SocialAccount>,
    /// Opening hours in OpenStreetMap `opening_hours` syntax; `None` means unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
    /// IANA time zone the opening hours are written in (required with `opening_hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Languages staff speak (BCP 47).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<LangTag>,
    /// Cost to the person; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    /// Who it serves; empty means not stated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serves: Vec<Audience>,
    /// Eligibility: papers, migration status.
    #[serde(default, skip_serializing_if = "Eligibility::is_empty")]
    pub eligibility: Eligibility,
    /// Accessibility features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accessibility: Vec<Accessibility>,
    /// Whether it is operating.
    #[serde(default = "default_status")]
    pub status: Status,
    /// Why it is closed or what changed, per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub status_note: LocalizedText,
    /// Who last checked this listing, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verification>,
    /// Where the record came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// True for invented demonstration records that must never be shown as real.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

fn default_status() -> Status {
    Status::Active
}

/// Consulate-specific details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consulate {
    /// The country the mission represents (ISO 3166-1 alpha-2).
    pub represents: CountryCode,
    /// The mission's type as published: `embassy`, `consulate general`, `honorary consulate`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mission_type: Option<String>,
    /// Consular services offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ConsularService>,
}

/// A WGS84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
}

/// A postal address (HSDS `address`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number, per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub street: LocalizedText,
    /// City or town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// State, department or province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country where the place is (ISO 3166-1 alpha-2).
    pub country: CountryCode,
}

/// A phone number in E.164 form (`+525512345678`) and how to use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// E.164: `+`, country code, subscriber number; 7 to 15 digits in all.
    pub number: String,
    /// How it can be used.
    #[serde(default = "default_phone_kind")]
    pub kind: PhoneKind,
    /// What the number is for ("emergencies 24 h"), per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub note: LocalizedText,
}

fn default_phone_kind() -> PhoneKind {
    PhoneKind::Voice
}

/// An account on a social network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialAccount {
    /// Network name in lower case: `facebook`, `x`, `instagram`, `tiktok`, `youtube`, `telegram`.
    pub network: String,
    /// Handle or page URL as published.
    pub handle: String,
}

/// Who may use the service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Whether identity or migration papers are required; `None` when not stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub papers_required: Option<bool>,
    /// Migration statuses required, when restricted (`asylum_seeker`, `refugee`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migration_status: Vec<String>,
    /// Free-text conditions, per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub note: LocalizedText,
}

impl Eligibility {
    /// True when nothing is stated.
    pub fn is_empty(&self) -> bool {
        self.papers_required.is_none() && self.migration_status.is_empty() && self.note.is_empty()
    }
}

/// Who checked the listing, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// Organization or team that verified it.
    pub by: String,
    /// Date of the check.
    pub on: NaiveDate,
}

/// Provenance of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Human-readable name of the source ("Wikidata via database-of-embassies").
    pub name: String,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Licence of the data (SPDX id or name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Date of the source's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// The listing as compact JSON, the form stored and exchanged (`docs/data-format.md`).
pub fn to_json(listing: &Listing) -> String {
    // Written into a buffer this thread keeps, then copied out at its exact size: one
    // allocation per record instead of the five or so a growing string takes for a
    // kilobyte of JSON (imports and syncs serialize every record).
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| {
        let Ok(mut buffer) = buffer.try_borrow_mut() else {
            // Re-entered (a serializer calling back here): no shared buffer then.
            return serde_json::to_string(listing).unwrap_or_default();
        };
        buffer.clear();
        // Serializing plain data with string keys cannot fail, and serde_json writes UTF-8.
        if serde_json::to_writer(&mut *buffer, listing).is_err() {
            return String::new();
        }
        // (`from_utf8` checks ASCII a word at a time; the lossy form goes byte by byte.)
        let text = match std::str::from_utf8(&buffer) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(&buffer).into_owned(),
        };
        if buffer.capacity() > 1 << 20 {
            // One huge record does not keep its buffer for the thread's life.
            *buffer = Vec::new();
        }
        text
    })
}

/// A record kept in a Faro JSON Lines file (`import::jsonl::read_records` reads them).
/// Defined with the records, so that `rights` and `warnings` implement it without naming the
/// import layer (one-way layers, issue 13); `import::jsonl` re-exports it.
pub trait LineRecord: serde::de::DeserializeOwned {
    /// Marks the record as demo data (the header said the whole file is).
    fn mark_demo(&mut self);
}
