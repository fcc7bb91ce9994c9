//! What a caller asks: [`SearchRequest`], [`HoursAt`] and [`CountRegion`], checked and turned
//! into the core's query types. Every rejection is a [`FaroError::BadInput`] naming the field.

use std::time::SystemTime;

use chrono::{DateTime, NaiveDateTime, Utc};
use faro_core::geo::Point;
use faro_core::model::{Audience, Kind, ServiceCode, Status};
use faro_core::search::{Query, Region, Sort, When, DEFAULT_LIMIT};
use faro_core::{CountryCode, LangPrefs, LangTag};

use crate::error::FaroError;
use crate::types::GeoPoint;

/// The moment at which opening hours are judged.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum HoursAt {
    /// Now, by the device clock, in each listing's own time zone.
    Now,
    /// An instant, judged in each listing's own time zone.
    Instant {
        /// The instant.
        time: SystemTime,
    },
    /// A wall-clock time read in each listing's own zone ("open at 10:00 there"),
    /// `YYYY-MM-DDTHH:MM`.
    LocalTime {
        /// `YYYY-MM-DDTHH:MM`, e.g. `2026-11-25T10:30`.
        date_time: String,
    },
}

/// How search results are ordered.
#[uniffi::remote(Enum)]
pub enum Sort {
    /// Best text match first, then nearest.
    Relevance,
    /// Nearest first (needs `near`).
    Distance,
}

/// A search; every part is optional and the parts combine with AND.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SearchRequest {
    /// Words in any language (case and accents ignored, each word a prefix).
    #[uniffi(default)]
    pub text: Option<String>,
    /// Where the person is, or is asking about. With no `radius_m`: the nearest `limit`.
    #[uniffi(default)]
    pub near: Option<GeoPoint>,
    /// Only within this many metres of `near`.
    #[uniffi(default)]
    pub radius_m: Option<f64>,
    /// Only these kinds (any of them); empty: all.
    #[uniffi(default)]
    pub kinds: Vec<Kind>,
    /// Only listings offering all of these services.
    #[uniffi(default)]
    pub services: Vec<ServiceCode>,
    /// Only listings whose staff speak one of these languages (BCP 47: `ht`, `fr`).
    #[uniffi(default)]
    pub speaks: Vec<String>,
    /// Only consulates of this country (ISO 3166-1 alpha-2, `HT`).
    #[uniffi(default)]
    pub consulate_of: Option<String>,
    /// Only listings located in this country (ISO 3166-1 alpha-2).
    #[uniffi(default)]
    pub in_country: Option<String>,
    /// Only free services.
    #[uniffi(default)]
    pub free_only: bool,
    /// Only listings that name one of these groups in what they serve; a listing for
    /// "everyone" does not match a specific group (unaccompanied minors).
    #[uniffi(default)]
    pub serves: Vec<Audience>,
    /// Only listings that state that no papers are required.
    #[uniffi(default)]
    pub no_papers: bool,
    /// Only these statuses; empty: active and temporarily closed.
    #[uniffi(default)]
    pub statuses: Vec<Status>,
    /// When opening hours are judged; `None`: now.
    #[uniffi(default)]
    pub at: Option<HoursAt>,
    /// Only listings open at `at` (unknown hours excluded).
    #[uniffi(default)]
    pub open_only: bool,
    /// Languages to show text in, most preferred first (`["ht", "fr", "es"]`); empty: the
    /// core's default.
    #[uniffi(default)]
    pub languages: Vec<String>,
    /// Most results, 1 to 1000.
    #[uniffi(default = 20)]
    pub limit: u32,
    /// Order; `None`: distance with a point, relevance with text, else by name.
    #[uniffi(default)]
    pub sort: Option<Sort>,
}

/// An area to count listings in.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum CountRegion {
    /// The whole directory.
    All,
    /// Listings located in a country.
    Country {
        /// ISO 3166-1 alpha-2 (`MX`).
        code: String,
    },
    /// Listings within `radius_m` metres of `center`.
    Circle {
        /// Centre.
        center: GeoPoint,
        /// Radius in metres.
        radius_m: f64,
    },
}

/// Checks a point.
pub(crate) fn point(p: GeoPoint, field: &str) -> Result<Point, FaroError> {
    Point::new(p.lat, p.lon).ok_or_else(|| {
        FaroError::bad_input(format!("{field}: latitude must be -90 to 90 and longitude -180 to 180, finite"))
    })
}

/// Parses a language list; empty means the core's default.
pub(crate) fn languages(tags: &[String]) -> Result<LangPrefs, FaroError> {
    if tags.is_empty() {
        return Ok(LangPrefs::default());
    }
    let parsed = tags.iter().map(|t| lang_tag(t, "languages")).collect::<Result<Vec<_>, _>>()?;
    Ok(LangPrefs::new(parsed))
}

fn lang_tag(tag: &str, field: &str) -> Result<LangTag, FaroError> {
    LangTag::parse(tag)
        .map_err(|e| FaroError::bad_input(format!("{field}: {:?} is not a language tag: {}", e.tag, e.reason)))
}

/// Parses an ISO 3166-1 alpha-2 country code, naming `field` when it is not one.
pub(crate) fn country(code: &str, field: &str) -> Result<CountryCode, FaroError> {
    CountryCode::parse(code)
        .ok_or_else(|| FaroError::bad_input(format!("{field}: {code:?} is not an ISO 3166-1 alpha-2 country code")))
}

/// Converts the time to judge hours at.
pub(crate) fn when(at: Option<&HoursAt>) -> Result<When, FaroError> {
    Ok(match at {
        None | Some(HoursAt::Now) => When::Now,
        Some(HoursAt::Instant { time }) => When::Instant(DateTime::<Utc>::from(*time)),
        Some(HoursAt::LocalTime { date_time }) => {
            When::Local(NaiveDateTime::parse_from_str(date_time, "%Y-%m-%dT%H:%M").map_err(|e| {
                FaroError::bad_input(format!("at: {date_time:?} is not a local time YYYY-MM-DDTHH:MM ({e})"))
            })?)
        }
    })
}

impl SearchRequest {
    /// The core query this request stands for, or the first field that is wrong.
    pub(crate) fn to_query(&self) -> Result<Query, FaroError> {
        Ok(Query {
            text: self.text.clone(),
            near: self.near.map(|p| point(p, "near")).transpose()?,
            radius_m: self.radius_m,
            kinds: self.kinds.clone(),
            services: self.services.clone(),
            speaks: self.speaks.iter().map(|t| lang_tag(t, "speaks")).collect::<Result<_, _>>()?,
            consulate_of: self.consulate_of.as_deref().map(|c| country(c, "consulate_of")).transpose()?,
            in_country: self.in_country.as_deref().map(|c| country(c, "in_country")).transpose()?,
            free_only: self.free_only,
            serves: self.serves.clone(),
            no_papers: self.no_papers,
            statuses: self.statuses.clone(),
            when: when(self.at.as_ref())?,
            open_only: self.open_only,
            langs: languages(&self.languages)?,
            limit: self.limit as usize,
            sort: self.sort,
        })
    }
}

impl CountRegion {
    /// The core region, checked.
    pub(crate) fn to_region(&self) -> Result<Region, FaroError> {
        Ok(match self {
            CountRegion::All => Region::All,
            CountRegion::Country { code } => Region::Country(country(code, "code")?),
            CountRegion::Circle { center, radius_m } => {
                Region::Circle { center: point(*center, "center")?, radius_m: *radius_m }
            }
        })
    }
}

impl Default for SearchRequest {
    /// Every field at its default, as Kotlin and Swift get it (the `#[uniffi(default)]`s
    /// above): no text, place or filter, hours now, the core's languages,
    /// [`DEFAULT_LIMIT`] results, the default order. It stands for the core's
    /// `Query::default()`; a test holds the three together.
    fn default() -> SearchRequest {
        SearchRequest { limit: DEFAULT_LIMIT as u32, ..SearchRequest::type_defaults() }
    }
}

impl SearchRequest {
    /// Every field at its type's own default (`None`, empty, `false`, 0): what a bare
    /// `#[uniffi(default)]` gives Kotlin and Swift.
    fn type_defaults() -> SearchRequest {
        SearchRequest {
            text: None,
            near: None,
            radius_m: None,
            kinds: vec![],
            services: vec![],
            speaks: vec![],
            consulate_of: None,
            in_country: None,
            free_only: false,
            serves: vec![],
            no_papers: false,
            statuses: vec![],
            at: None,
            open_only: false,
            languages: vec![],
            limit: 0,
            sort: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(e: FaroError) -> String {
        match e {
            FaroError::BadInput { reason } => reason,
            other => panic!("expected BadInput, got {other:?}"),
        }
    }

    #[test]
    fn every_field_is_checked_and_named() {
        let bad_point = SearchRequest { near: Some(GeoPoint { lat: 91.0, lon: 0.0 }), ..SearchRequest::default() };
        assert!(reason(bad_point.to_query().unwrap_err()).starts_with("near:"));
        let bad_lang = SearchRequest { languages: vec!["not a tag!".into()], ..SearchRequest::default() };
        assert!(reason(bad_lang.to_query().unwrap_err()).starts_with("languages:"));
        let bad_country = SearchRequest { consulate_of: Some("Haiti".into()), ..SearchRequest::default() };
        assert!(reason(bad_country.to_query().unwrap_err()).starts_with("consulate_of:"));
        let bad_time = SearchRequest {
            at: Some(HoursAt::LocalTime { date_time: "25/11/2026".into() }),
            ..SearchRequest::default()
        };
        assert!(reason(bad_time.to_query().unwrap_err()).starts_with("at:"));
        let bad_circle = CountRegion::Circle { center: GeoPoint { lat: 0.0, lon: 200.0 }, radius_m: 5.0 };
        assert!(reason(bad_circle.to_region().unwrap_err()).starts_with("center:"));
    }

    /// Builds the request Kotlin and Swift construct with no arguments, from the defaults
    /// the record's UniFFI metadata gives them.
    fn request_from_uniffi_defaults() -> SearchRequest {
        use uniffi_meta::{DefaultValueMetadata as D, LiteralMetadata as L, Metadata};
        let Metadata::Record(record) = uniffi_meta::read_metadata(&UNIFFI_META_FARO_FFI_RECORD_SEARCHREQUEST).unwrap()
        else {
            panic!("SearchRequest's metadata is not a record's");
        };
        let mut request = SearchRequest::type_defaults();
        for field in &record.fields {
            match (field.name.as_str(), &field.default) {
                ("limit", Some(D::Literal(L::UInt(limit, _, _)))) => request.limit = *limit as u32,
                (_, Some(D::Default)) => {}
                (name, other) => panic!("{name}: a default this test does not know ({other:?}): add it here"),
            }
        }
        request
    }

    #[test]
    fn one_default_from_kotlin_and_swift_to_the_core() {
        // What Kotlin's `SearchRequest()` and Swift's `SearchRequest()` hold is Rust's default...
        assert_eq!(request_from_uniffi_defaults(), SearchRequest::default());
        // ...and it asks the core exactly what the core's default query asks.
        let same_moment = When::Instant(Utc::now());
        let ffi = Query { when: same_moment, ..SearchRequest::default().to_query().unwrap() };
        let core = Query { when: same_moment, ..Query::default() };
        assert_eq!(format!("{ffi:?}"), format!("{core:?}"));
        assert_eq!(Query::default().when, When::Now, "both judge hours at the store's trusted now");
        assert_eq!(SearchRequest::default().to_query().unwrap().when, When::Now);
    }

    #[test]
    fn a_full_request_converts() {
        let req = SearchRequest {
            text: Some("juridica".into()),
            near: Some(GeoPoint { lat: 8.5, lon: -77.3 }),
            radius_m: Some(5000.0),
            speaks: vec!["ht".into()],
            consulate_of: Some("ht".into()),
            at: Some(HoursAt::LocalTime { date_time: "2026-11-25T10:30".into() }),
            languages: vec!["fr".into(), "es".into()],
            sort: Some(Sort::Distance),
            ..SearchRequest::default()
        };
        let q = req.to_query().unwrap();
        assert_eq!(q.consulate_of.unwrap().as_str(), "HT");
        assert_eq!(q.when, When::Local(NaiveDateTime::parse_from_str("2026-11-25T10:30", "%Y-%m-%dT%H:%M").unwrap()));
        assert_eq!(q.langs.tags().len(), 2);
        assert_eq!(q.sort, Some(Sort::Distance));
    }
}
