//! Warnings about smugglers and traffickers across the FFI: the warnings that apply where
//! the person is, now, and one warning by id. "Now" is always trusted time (a phone clock
//! set back cannot bring back an expired warning, nor hide a current one), and "where" is
//! the point and the country the app gives; the core never guesses a country.

use chrono::Utc;
use faro_core::warnings::{Severity, Warning as CoreWarning, WarningKind, WarningQuery};
use faro_core::LangPrefs;

use crate::error::FaroError;
use crate::query::point;
use crate::rights::split;
use crate::store::FaroStore;
use crate::sync::time;
use crate::types::GeoPoint;

/// What the danger is.
#[uniffi::remote(Enum)]
pub enum WarningKind {
    /// A scam: money asked for help, papers or a place in a queue that never comes.
    Scam,
    /// Someone posing as an official, a consulate, a UN agency or an NGO.
    Impersonation,
    /// Fake visas, permits, appointments or asylum papers.
    FakeDocuments,
    /// Extortion: threats, "fees" on the road, demands to relatives.
    Extortion,
    /// Kidnapping risk in an area or on a route.
    KidnappingRisk,
    /// A dangerous route or crossing: river, jungle, desert, sea.
    DangerousRoute,
    /// A fake job offer, or recruitment for trafficking.
    TraffickingRecruitment,
    /// A fake shelter or fake aid distribution.
    FakeAid,
}

/// How severe, on the OASIS CAP 1.2 scale.
#[uniffi::remote(Enum)]
pub enum Severity {
    /// Extraordinary threat to life.
    Extreme,
    /// Significant threat to life or property.
    Severe,
    /// Possible threat to life or property.
    Moderate,
    /// Minimal to no known threat.
    Minor,
    /// Not known.
    Unknown,
}

/// A social-media account used by the people warned about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HandleIndicator {
    /// Network in lower case (`facebook`, `instagram`, ...), when known.
    pub network: Option<String>,
    /// The handle, without `@`.
    pub handle: String,
}

/// What people can recognise: contacts and names used by the people warned about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WarningIndicators {
    /// Phone numbers, E.164.
    pub phones: Vec<String>,
    /// Web hosts, lower-case ASCII.
    pub domains: Vec<String>,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Social-media accounts.
    pub handles: Vec<HandleIndicator>,
    /// Names used (of people, fake organizations, fake programs).
    pub names: Vec<String>,
}

/// One warning, with its text in the best available language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Warning {
    /// Stable id.
    pub id: String,
    /// What the danger is.
    pub kind: WarningKind,
    /// How severe.
    pub severity: Severity,
    /// One line: what is happening.
    pub headline: String,
    /// The language the warning is shown in (BCP 47): the first of the person's languages
    /// that has all of it, else the one that has most of it.
    pub language: Option<String>,
    /// Language of the headline: another than `language` only where the warning lacks it
    /// (show it marked).
    pub headline_language: Option<String>,
    /// What is known.
    pub description: Option<String>,
    /// Language of the description: another than `language` only where the warning lacks it.
    pub description_language: Option<String>,
    /// What to do.
    pub advice: Option<String>,
    /// Language of the advice: another than `language` only where the warning lacks it.
    pub advice_language: Option<String>,
    /// How people name the place ("Suchiate river crossings").
    pub area_description: Option<String>,
    /// Language of the area's description: another than `language` only where the warning
    /// lacks it.
    pub area_description_language: Option<String>,
    /// Countries it covers as a whole (ISO 3166-1 alpha-2).
    pub countries: Vec<String>,
    /// From when it applies.
    pub valid_from: std::time::SystemTime,
    /// Until when it applies; `None`: until withdrawn.
    pub valid_until: Option<std::time::SystemTime>,
    /// True when it applies at trusted time now (not withdrawn, within its window).
    pub active: bool,
    /// Who issued it.
    pub issuer: String,
    /// Where to read more about the issuer.
    pub issuer_url: Option<String>,
    /// Contacts and names people can recognise.
    pub indicators: WarningIndicators,
    /// Ids of the real listings concerned (open them with `listing`).
    pub related_listings: Vec<String>,
    /// True for invented demonstration data: show it as such.
    pub demo: bool,
}

/// A warning that applies where the person is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WarningHit {
    /// The warning.
    pub warning: Warning,
    /// True when the point given is inside its circles or polygons (not only its country).
    pub here: bool,
}

#[uniffi::export]
impl FaroStore {
    /// The warnings that apply at trusted time now where the person is: inside their area
    /// around `near`, or covering all of `country` (ISO 3166-1 alpha-2, the country the app
    /// knows the person is in). Neither given: every active warning. Only `kinds` when not
    /// empty. Most severe first, then newest; at most 100.
    #[uniffi::method(default(near = None, country = None, kinds = [], languages = []))]
    pub fn warnings_here(
        &self,
        near: Option<GeoPoint>,
        country: Option<String>,
        kinds: Vec<WarningKind>,
        languages: Vec<String>,
    ) -> Result<Vec<WarningHit>, FaroError> {
        self.with_store("warnings_here", |store| {
            let langs = crate::query::languages(&languages)?;
            let now = store.now()?;
            let query = WarningQuery {
                near: near.map(|p| point(p, "near")).transpose()?,
                country: country.as_deref().map(|c| crate::query::country(c, "country")).transpose()?,
                kinds,
                langs: langs.clone(),
                ..WarningQuery::at(now)
            };
            Ok(store
                .warnings(&query)?
                .into_iter()
                .map(|h| WarningHit { here: h.here, warning: warning_from_core(h.warning, &langs, now) })
                .collect())
        })
    }

    /// The warning with `id` whatever its state (`active` says whether it applies now).
    /// `NotFound` if there is none.
    #[uniffi::method(default(languages = []))]
    pub fn warning(&self, id: String, languages: Vec<String>) -> Result<Warning, FaroError> {
        self.with_store("warning", |store| {
            let langs = crate::query::languages(&languages)?;
            let now = store.now()?;
            Ok(warning_from_core(store.warning(&id)?, &langs, now))
        })
    }
}

fn warning_from_core(w: CoreWarning, langs: &LangPrefs, now: chrono::DateTime<Utc>) -> Warning {
    let text = w.text(langs);
    let (headline, headline_language) = split(text.headline);
    let (description, description_language) = split(text.description);
    let (advice, advice_language) = split(text.advice);
    let (area_description, area_description_language) = split(text.area);
    Warning {
        active: w.active_at(now),
        headline: headline.unwrap_or_else(|| w.id.clone()),
        language: text.lang.map(|l| l.to_string()),
        headline_language,
        description,
        description_language,
        advice,
        advice_language,
        area_description,
        area_description_language,
        countries: w.area.countries.iter().map(|c| c.as_str().to_string()).collect(),
        valid_from: time(w.valid_from),
        valid_until: w.valid_until.map(time),
        issuer: w.issuer.name,
        issuer_url: w.issuer.url,
        indicators: WarningIndicators {
            phones: w.indicators.phones,
            domains: w.indicators.domains,
            emails: w.indicators.emails,
            handles: w
                .indicators
                .handles
                .into_iter()
                .map(|h| HandleIndicator { network: h.network, handle: h.handle })
                .collect(),
            names: w.indicators.names,
        },
        related_listings: w.related_listings,
        demo: w.demo,
        id: w.id,
        kind: w.kind,
        severity: w.severity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faro_core::LangTag;

    #[test]
    fn a_warning_is_converted_with_its_window_judged_now() {
        let w: CoreWarning = serde_json::from_str(
            r#"{"id":"demo:w1","kind":"impersonation","severity":"severe",
            "area":{"countries":["MX"],"circles":[{"lat":14.9,"lon":-92.26,"radius_km":25}],"description":{"es":"Tapachula"}},
            "valid_from":"2026-11-01T00:00:00Z","valid_until":"2027-05-01T00:00:00Z",
            "headline":{"es":"Falso consulado (demo)","en":"Fake consulate (demo)"},
            "indicators":{"phones":["+12015550143"],"handles":[{"network":"facebook","handle":"consulado.citas.demo"}]},
            "issuer":{"name":"Faro demo team"},"demo":true}"#,
        )
        .unwrap();
        let en = LangPrefs::new(vec![LangTag::parse("en").unwrap()]);
        let at = |s: &str| s.parse::<chrono::DateTime<Utc>>().unwrap();
        let out = warning_from_core(w.clone(), &en, at("2026-11-27T00:00:00Z"));
        assert_eq!((out.headline.as_str(), out.language.as_deref()), ("Fake consulate (demo)", Some("en")));
        assert_eq!(out.area_description.as_deref(), Some("Tapachula"), "falls back to the language there is");
        assert_eq!(out.area_description_language.as_deref(), Some("es"), "and says which");
        assert_eq!(out.headline_language.as_deref(), Some("en"));
        assert_eq!(out.countries, ["MX"]);
        assert_eq!(out.indicators.handles[0].network.as_deref(), Some("facebook"));
        assert!(out.active && out.demo);
        assert!(!warning_from_core(w, &en, at("2027-05-01T00:00:00Z")).active);
    }
}
