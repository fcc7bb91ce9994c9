//! Rights information: short articles a person can read offline about consular
//! assistance, asylum and non-refoulement, due process, children, health, education, work,
//! property and remittances, help for trafficking victims and how to complain. Each has
//! topics, the countries where it applies (or all), text in several languages, legal
//! references and a reviewed-on date, and names the kinds of listings that help with it
//! ("your right to consular assistance" -> the consulates near you).
//!
//! [`Article`] is the record and [`check_article`] validates it; storage and search are
//! in [`store`].

pub mod store;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use store::{ArticleHit, RightsQuery};

use crate::code_enum::code_enum;
use crate::country::CountryCode;
use crate::geo::Point;
use crate::lang::{LangPrefs, LangTag, Part};
use crate::model::validate::{
    check_id, check_len, check_text, FieldProblem, MAX_BODY_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS, MAX_URL_CHARS,
};
use crate::model::LineRecord;
use crate::model::{ConsularService, Kind, LocalizedText, ServiceCode};
use crate::search::Query;

code_enum! {
    /// What an article is about.
    Topic ("topic") {
        /// Consular information, notification, communication and assistance (VCCR art. 36).
        ConsularAssistance => "consular_assistance",
        /// Asking for asylum or refugee status.
        AsylumRefuge => "asylum_refuge",
        /// Not being sent back to danger.
        NonRefoulement => "non_refoulement",
        /// Due process, detention, access to justice.
        DueProcessDetention => "due_process_detention",
        /// Children and unaccompanied minors.
        Children => "children",
        /// Health care.
        Health => "health",
        /// Education.
        Education => "education",
        /// Work and labour rights.
        Work => "work",
        /// Property, money and remittances.
        PropertyRemittances => "property_remittances",
        /// Victims of trafficking and smuggling.
        TraffickingVictims => "trafficking_victims",
        /// Complaints and reporting abuses.
        Complaints => "complaints",
    }
}

/// A legal source an article rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalReference {
    /// The instrument: treaty, declaration or national law ("Vienna Convention on Consular
    /// Relations (1963)", "Ley de Migración (México)").
    pub instrument: String,
    /// Article or section, when one applies ("art. 36").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// Where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The listings that help with what an article is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// Kinds of listings (`consulate`, `legal_aid`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<Kind>,
    /// Service codes, any of which helps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceCode>,
    /// Consular services that help.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consular_services: Vec<ConsularService>,
    /// The consulate of the person's own country is the place to go.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub own_consulate: bool,
}

/// One rights article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// Stable id, `namespace:local`.
    pub id: String,
    /// What it is about (at least one).
    pub topics: Vec<Topic>,
    /// Where it applies: `"all"` or ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    /// Title, per language.
    pub title: LocalizedText,
    /// Two or three sentences, per language.
    pub summary: LocalizedText,
    /// The full text, per language (plain text, paragraphs separated by blank lines).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub body: LocalizedText,
    /// Legal sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<LegalReference>,
    /// Listings that help.
    #[serde(default, skip_serializing_if = "is_default")]
    pub related: Related,
    /// When a person qualified to do so last reviewed it.
    pub reviewed_on: NaiveDate,
    /// Who reviewed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    /// True for demonstration text not yet reviewed by lawyers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

fn is_default(r: &Related) -> bool {
    *r == Related::default()
}

impl LineRecord for Article {
    fn mark_demo(&mut self) {
        self.demo = true;
    }
}

/// An article's text for one reader: one language for the whole article, and each part
/// with the language it is actually in (another one only where the article lacks it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleText {
    /// The language the article is shown in ([`LangPrefs::item_lang`]).
    pub lang: Option<LangTag>,
    /// Title.
    pub title: Option<Part>,
    /// Summary.
    pub summary: Option<Part>,
    /// Full text, when the article has one.
    pub body: Option<Part>,
}

impl Article {
    /// The article's text in one language for a reader of `langs`, parts it lacks in that
    /// language falling back along `langs` (and saying so in their `lang`).
    pub fn text(&self, langs: &LangPrefs) -> ArticleText {
        let lang = langs.item_lang(&[&self.title, &self.summary, &self.body]);
        ArticleText {
            title: langs.part(lang.as_ref(), &self.title),
            summary: langs.part(lang.as_ref(), &self.summary),
            body: langs.part(lang.as_ref(), &self.body),
            lang,
        }
    }

    /// True when the article applies in `country` (articles for all countries included).
    pub fn applies_in(&self, country: CountryCode) -> bool {
        self.countries.iter().any(|c| c == "all" || c == country.as_str())
    }

    /// The directory query for "who can help with this, near me": the related kinds and
    /// services around `near`, and for `own_consulate` the consulates of `nationality`.
    /// `None` when the article names no listings (or needs a nationality not given).
    pub fn related_query(&self, near: Option<Point>, nationality: Option<CountryCode>) -> Option<Query> {
        let r = &self.related;
        let mut q = Query { near, limit: 5, ..Query::default() };
        if r.own_consulate {
            q.consulate_of = Some(nationality?);
            q.kinds = vec![Kind::Consulate];
        } else if !r.kinds.is_empty() {
            q.kinds = r.kinds.clone();
        } else {
            return None;
        }
        Some(q)
    }
}

/// The article as compact JSON, the form stored and exchanged.
pub fn to_json(a: &Article) -> String {
    serde_json::to_string(a).unwrap_or_default()
}

/// Checks an article beyond its types; every problem names its field.
pub fn check_article(a: &Article) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if let Err(reason) = check_id(&a.id) {
        out.push(FieldProblem { field: "id".into(), reason });
    }
    if a.topics.is_empty() {
        out.push(FieldProblem { field: "topics".into(), reason: "needs at least one topic".into() });
    }
    if a.countries.is_empty() {
        out.push(FieldProblem {
            field: "countries".into(),
            reason: "needs \"all\" or at least one country code".into(),
        });
    }
    for (i, c) in a.countries.iter().enumerate() {
        if c != "all" && CountryCode::parse(c).is_none_or(|code| code.as_str() != c) {
            out.push(FieldProblem {
                field: format!("countries[{i}]"),
                reason: format!("{c:?} is not \"all\" or an upper-case ISO 3166-1 alpha-2 code"),
            });
        }
    }
    check_text("title", &a.title, true, MAX_NAME_CHARS, &mut out);
    check_text("summary", &a.summary, true, MAX_TEXT_CHARS, &mut out);
    check_text("body", &a.body, false, MAX_BODY_CHARS, &mut out);
    for (i, r) in a.references.iter().enumerate() {
        if r.instrument.trim().is_empty() {
            out.push(FieldProblem { field: format!("references[{i}].instrument"), reason: "is blank".into() });
        }
        check_len(&format!("references[{i}].instrument"), &r.instrument, MAX_NAME_CHARS, &mut out);
        check_len(&format!("references[{i}].article"), r.article.as_deref().unwrap_or(""), MAX_NAME_CHARS, &mut out);
        check_len(&format!("references[{i}].url"), r.url.as_deref().unwrap_or(""), MAX_URL_CHARS, &mut out);
    }
    check_len("reviewed_by", a.reviewed_by.as_deref().unwrap_or(""), MAX_NAME_CHARS, &mut out);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid article on consular assistance.
    pub fn sample() -> Article {
        serde_json::from_str(
            r#"{"id":"demo:consular-36","topics":["consular_assistance"],"countries":["all"],
            "title":{"es":"Tu derecho a la asistencia consular (demo)","en":"Your right to consular help (demo)"},
            "summary":{"es":"Si te detienen, puedes pedir que avisen a tu consulado.","en":"If you are detained, you can ask that your consulate be told."},
            "references":[{"instrument":"Vienna Convention on Consular Relations (1963)","article":"art. 36"}],
            "related":{"kinds":["consulate"],"consular_services":["detainee_assistance"],"own_consulate":true},
            "reviewed_on":"2026-11-27","demo":true}"#,
        )
        .unwrap()
    }

    #[test]
    fn valid_sample_and_located_problems() {
        assert!(check_article(&sample()).is_empty());
        let mut a = sample();
        a.countries = vec!["mx".into(), "XX".into()];
        a.topics.clear();
        let fields: Vec<String> = check_article(&a).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["topics", "countries[0]", "countries[1]"]);
    }

    #[test]
    fn a_body_over_the_limit_is_refused() {
        let mut a = sample();
        let lang = a.title.keys().next().unwrap().clone();
        a.body.insert(lang.clone(), "x".repeat(MAX_BODY_CHARS + 1));
        let problems = check_article(&a);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, format!("body.{lang}"));
        assert_eq!(problems[0].reason, "is 100001 characters long, the limit is 100000");
    }

    #[test]
    fn related_query_needs_the_nationality_for_the_own_consulate() {
        let a = sample();
        assert!(a.related_query(None, None).is_none());
        let hn = CountryCode::parse("HN");
        let q = a.related_query(Some(Point { lat: 14.9, lon: -92.26 }), hn).unwrap();
        assert_eq!((q.consulate_of, q.kinds), (hn, vec![Kind::Consulate]));
        assert!(a.applies_in(CountryCode::parse("MX").unwrap()));
    }
}
