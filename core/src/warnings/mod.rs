//! Warnings about smugglers and traffickers: scams, impersonated officials, fake documents,
//! extortion, kidnapping risk, dangerous routes, fake job offers and fake aid, each with an
//! area, a validity window, text and advice in several languages, the indicators people
//! can recognise (phones, web addresses, accounts, names) and the real listings concerned.
//!
//! [`Warning`] is the record; [`check_warning`] validates it; [`Warning::normalized`]
//! rewrites its indicators into the forms "is this contact real?" compares (E.164, ASCII
//! hosts, handles without `@`). What a query asks and finds is in [`query`]; storage and
//! the queries themselves are in the store (`store::warnings`, which depends on this module,
//! never the reverse). The OASIS Common
//! Alerting Protocol in [`cap`]. Time is always the caller's trusted time.

pub mod area;
pub mod cap;
pub mod query;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use area::{Area, Circle, Geometry};
pub use query::{WarningHit, WarningQuery};

use crate::code_enum::code_enum;
use crate::contact::normalize::{self, ContactKind};
use crate::country::CountryCode;
use crate::lang::{LangPrefs, LangTag, Part};
use crate::model::validate::{
    check_id, check_len, check_text, FieldProblem, MAX_NAME_CHARS, MAX_TEXT_CHARS, MAX_URL_CHARS,
};
use crate::model::LineRecord;
use crate::model::LocalizedText;

code_enum! {
    /// What the danger is.
    WarningKind ("warning kind") {
        /// A scam: money asked for help, papers or a place in a queue that never comes.
        Scam => "scam",
        /// Someone posing as an official, a consulate, a UN agency or an NGO.
        Impersonation => "impersonation",
        /// Fake visas, permits, appointments or asylum papers.
        FakeDocuments => "fake_documents",
        /// Extortion: threats, "fees" on the road, demands to relatives.
        Extortion => "extortion",
        /// Kidnapping risk in an area or on a route.
        KidnappingRisk => "kidnapping_risk",
        /// A dangerous route or crossing: river, jungle, desert, sea.
        DangerousRoute => "dangerous_route",
        /// A fake job offer, or recruitment for trafficking.
        TraffickingRecruitment => "trafficking_recruitment",
        /// A fake shelter or fake aid distribution.
        FakeAid => "fake_aid",
    }
}

code_enum! {
    /// How severe, on the OASIS CAP 1.2 scale.
    Severity ("severity") {
        /// Extraordinary threat to life.
        Extreme => "extreme",
        /// Significant threat to life or property.
        Severe => "severe",
        /// Possible threat to life or property.
        Moderate => "moderate",
        /// Minimal to no known threat.
        Minor => "minor",
        /// Not known.
        Unknown => "unknown",
    }
}

/// A social-media account used by the people warned about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleIndicator {
    /// Network in lower case (`facebook`, `instagram`, `tiktok`, `x`, `telegram`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// The handle (stored without `@`, lower case).
    pub handle: String,
}

/// What people can recognise: contacts and names used by the people warned about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicators {
    /// Phone numbers (any format in a file; E.164 once stored).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// Web addresses or bare domains (stored as lower-case ASCII hosts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// E-mail addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Social-media accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handles: Vec<HandleIndicator>,
    /// Names used (of people, fake organizations, fake programs), as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

/// Who issued the warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// Organization name as shown.
    pub name: String,
    /// CAP `sender`: a stable address of the issuer (`alertas@example.org`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One warning: the unit that is stored, signed, synced and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// Stable id, `namespace:local`.
    pub id: String,
    /// What the danger is.
    pub kind: WarningKind,
    /// How severe (CAP scale).
    pub severity: Severity,
    /// Where it applies.
    pub area: Area,
    /// From when it applies.
    pub valid_from: DateTime<Utc>,
    /// Until when it applies; `None`: until withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// True once the issuer withdrew it (CAP `Cancel`); kept so that a sync removes it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// One line: what is happening.
    pub headline: LocalizedText,
    /// What is known.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub description: LocalizedText,
    /// What to do.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub advice: LocalizedText,
    /// What people can recognise.
    #[serde(default)]
    pub indicators: Indicators,
    /// Who issued it.
    pub issuer: Issuer,
    /// When the issuer sent it (CAP `sent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<DateTime<Utc>>,
    /// Ids of the real listings concerned ("the real consulate's number is ...").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_listings: Vec<String>,
    /// True for invented demonstration records.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

impl LineRecord for Warning {
    fn mark_demo(&mut self) {
        self.demo = true;
    }
}

/// A warning's text for one reader: one language for the whole warning, and each part with
/// the language it is actually in (another one only where the warning lacks it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningText {
    /// The language the warning is shown in ([`LangPrefs::item_lang`]).
    pub lang: Option<LangTag>,
    /// Headline.
    pub headline: Option<Part>,
    /// What is known.
    pub description: Option<Part>,
    /// What to do.
    pub advice: Option<Part>,
    /// How people name the place.
    pub area: Option<Part>,
}

impl Warning {
    /// The warning's text in one language for a reader of `langs`, parts it lacks in that
    /// language falling back along `langs` (and saying so in their `lang`).
    pub fn text(&self, langs: &LangPrefs) -> WarningText {
        let lang = langs.item_lang(&[&self.headline, &self.description, &self.advice, &self.area.description]);
        WarningText {
            headline: langs.part(lang.as_ref(), &self.headline),
            description: langs.part(lang.as_ref(), &self.description),
            advice: langs.part(lang.as_ref(), &self.advice),
            area: langs.part(lang.as_ref(), &self.area.description),
            lang,
        }
    }

    /// True when the warning applies at `at`: not withdrawn, and `at` within its window.
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        !self.withdrawn && self.valid_from <= at && self.valid_until.is_none_or(|u| at < u)
    }

    /// The warning with its indicators in normalized form (phones E.164, with the first
    /// country of the area as the region for national numbers; hosts lower-case ASCII;
    /// handles without `@`), sorted and deduplicated; or the problems found.
    pub fn normalized(&self) -> Result<Warning, Vec<FieldProblem>> {
        let region = self.area.countries.first().copied();
        let mut problems = Vec::new();
        let mut out = self.clone();
        let mut fix = |field: String, value: &str, kind: ContactKind, c: normalize::Contact| -> Option<String> {
            if c.kind == kind {
                c.normalized
            } else {
                let why = c.problem.unwrap_or("of another kind");
                problems.push(FieldProblem { field, reason: format!("{value:?} is not read as a {kind:?}: {why}") });
                None
            }
        };
        // Each list of plain contacts: read with its reader, kept when it reads as `kind`.
        let mut read_list =
            |given: &[String], field: &str, kind: ContactKind, read: &dyn Fn(&str) -> normalize::Contact| {
                let mut list: Vec<String> = given
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| fix(format!("indicators.{field}[{i}]"), v, kind, read(v)))
                    .collect();
                list.sort();
                list.dedup();
                list
            };
        let i = &self.indicators;
        out.indicators.phones =
            read_list(&i.phones, "phones", ContactKind::Phone, &|p| normalize::normalize(p, region));
        out.indicators.domains = read_list(&i.domains, "domains", ContactKind::Url, &|d| normalize::normalize(d, None));
        out.indicators.emails = read_list(&i.emails, "emails", ContactKind::Email, &normalize::email);
        out.indicators.handles = Vec::new();
        for (i, h) in self.indicators.handles.iter().enumerate() {
            let c = normalize::handle(&h.handle, h.network.as_deref());
            if let Some(handle) = fix(format!("indicators.handles[{i}].handle"), &h.handle, ContactKind::Handle, c) {
                out.indicators.handles.push(HandleIndicator { network: h.network.clone(), handle });
            }
        }
        out.indicators.handles.sort_by(|a, b| (&a.handle, &a.network).cmp(&(&b.handle, &b.network)));
        out.indicators.handles.dedup();
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    /// The keys the warning's contacts are indexed under (see
    /// [`crate::contact::Contact::key`]); the warning must be normalized.
    pub fn indicator_keys(&self) -> Vec<String> {
        let i = &self.indicators;
        let mut keys: Vec<String> = i.phones.iter().map(|p| format!("tel:{p}")).collect();
        keys.extend(i.domains.iter().map(|d| format!("web:{d}")));
        keys.extend(i.emails.iter().map(|e| format!("mail:{e}")));
        keys.extend(i.handles.iter().map(|h| format!("handle:{}", h.handle)));
        keys.sort();
        keys.dedup();
        keys
    }
}

/// The warning as compact JSON, the form stored and exchanged.
pub fn to_json(w: &Warning) -> String {
    serde_json::to_string(w).unwrap_or_default()
}

/// Checks a warning beyond its types: id, texts, area, window, indicators, issuer,
/// listing ids. Every problem names its field.
pub fn check_warning(w: &Warning) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if let Err(reason) = check_id(&w.id) {
        out.push(FieldProblem { field: "id".into(), reason });
    }
    check_text("headline", &w.headline, true, MAX_NAME_CHARS, &mut out);
    check_text("description", &w.description, false, MAX_TEXT_CHARS, &mut out);
    check_text("advice", &w.advice, false, MAX_TEXT_CHARS, &mut out);
    check_text("area.description", &w.area.description, false, MAX_TEXT_CHARS, &mut out);
    check_len("issuer.name", &w.issuer.name, MAX_NAME_CHARS, &mut out);
    check_len("issuer.sender", w.issuer.sender.as_deref().unwrap_or(""), MAX_NAME_CHARS, &mut out);
    check_len("issuer.url", w.issuer.url.as_deref().unwrap_or(""), MAX_URL_CHARS, &mut out);
    let i = &w.indicators;
    for (field, values) in [("phones", &i.phones), ("domains", &i.domains), ("emails", &i.emails), ("names", &i.names)]
    {
        for (n, value) in values.iter().enumerate() {
            check_len(&format!("indicators.{field}[{n}]"), value, MAX_NAME_CHARS, &mut out);
        }
    }
    for (n, h) in i.handles.iter().enumerate() {
        check_len(&format!("indicators.handles[{n}].handle"), &h.handle, MAX_NAME_CHARS, &mut out);
        check_len(
            &format!("indicators.handles[{n}].network"),
            h.network.as_deref().unwrap_or(""),
            MAX_NAME_CHARS,
            &mut out,
        );
    }
    out.extend(area::check_area(&w.area).into_iter().map(|(field, reason)| FieldProblem { field, reason }));
    if let Some(until) = w.valid_until {
        if until <= w.valid_from {
            out.push(FieldProblem { field: "valid_until".into(), reason: "must be after valid_from".into() });
        }
    }
    if w.issuer.name.trim().is_empty() {
        out.push(FieldProblem { field: "issuer.name".into(), reason: "is blank".into() });
    }
    for (i, id) in w.related_listings.iter().enumerate() {
        if let Err(reason) = check_id(id) {
            out.push(FieldProblem { field: format!("related_listings[{i}]"), reason });
        }
    }
    for (i, name) in w.indicators.names.iter().enumerate() {
        if name.trim().is_empty() {
            out.push(FieldProblem { field: format!("indicators.names[{i}]"), reason: "is blank".into() });
        }
    }
    if let Err(problems) = w.normalized() {
        out.extend(problems);
    }
    out
}

/// Countries of a warning as stored for "by country" queries.
pub fn countries(w: &Warning) -> &[CountryCode] {
    &w.area.countries
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid demo warning about a fake consulate number near Ciudad Hidalgo.
    pub fn sample() -> Warning {
        serde_json::from_str(
            r#"{"id":"demo:w-fake-consul","kind":"impersonation","severity":"severe",
            "area":{"countries":["MX"],"circles":[{"lat":14.68,"lon":-92.15,"radius_km":30}]},
            "valid_from":"2026-11-01T00:00:00Z","valid_until":"2027-02-01T00:00:00Z",
            "headline":{"es":"Falso consulado pide pagos por WhatsApp (demo)","en":"Fake consulate asks for payments on WhatsApp (demo)"},
            "advice":{"es":"El consulado no cobra por citas."},
            "indicators":{"phones":["+1 (201) 555-0123","wa.me/12015550124"],"domains":["WWW.Consulado-Citas.example"],
              "emails":["Citas@Consulado-Citas.example"],"handles":[{"network":"facebook","handle":"@Consulado.Citas"}],"names":["Lic. Pérez"]},
            "issuer":{"name":"Faro demo team"},"related_listings":["demo:tapachula-legal-01"],"demo":true}"#,
        )
        .unwrap()
    }

    #[test]
    fn normalizes_indicators() {
        let w = sample().normalized().unwrap();
        assert_eq!(w.indicators.phones, ["+12015550123", "+12015550124"]);
        assert_eq!(w.indicators.domains, ["consulado-citas.example"]);
        assert_eq!(w.indicators.emails, ["citas@consulado-citas.example"]);
        assert_eq!(w.indicators.handles[0].handle, "consulado.citas");
        assert!(w.indicator_keys().contains(&"tel:+12015550123".to_string()));
        assert!(check_warning(&sample()).is_empty(), "{:?}", check_warning(&sample()));
    }

    #[test]
    fn active_window() {
        let w = sample();
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert!(!w.active_at(t("2026-10-31T23:59:59Z")));
        assert!(w.active_at(t("2026-11-01T00:00:00Z")));
        assert!(!w.active_at(t("2027-02-01T00:00:00Z")));
        let withdrawn = Warning { withdrawn: true, ..w };
        assert!(!withdrawn.active_at(t("2026-12-01T00:00:00Z")));
    }

    #[test]
    fn long_texts_are_refused_with_length_and_limit() {
        let mut w = sample();
        let lang = w.headline.keys().next().unwrap().clone();
        w.headline.insert(lang.clone(), "x".repeat(301));
        w.description.insert(lang.clone(), "ñ".repeat(5_001));
        w.indicators.names.push("y".repeat(301));
        let problems = check_warning(&w);
        let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.reason.as_str())).collect();
        assert!(got.contains(&(&format!("headline.{lang}"), "is 301 characters long, the limit is 300")), "{got:?}");
        assert!(
            got.contains(&(&format!("description.{lang}"), "is 5001 characters long, the limit is 5000")),
            "{got:?}"
        );
        assert!(got.iter().any(|(f, _)| f.starts_with("indicators.names[")), "{got:?}");
        w.description.insert(lang, "ñ".repeat(5_000));
        w.headline = sample().headline;
        w.indicators = sample().indicators;
        assert!(check_warning(&w).is_empty(), "5,000 characters of 2 bytes each fit");
    }

    #[test]
    fn problems_name_their_fields() {
        let mut w = sample();
        w.id = "nocolon".into();
        w.indicators.phones.push("12".into());
        w.valid_until = Some(w.valid_from);
        w.related_listings.push("bad id".into());
        let fields: Vec<String> = check_warning(&w).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["id", "valid_until", "related_listings[1]", "indicators.phones[2]"]);
    }
}
