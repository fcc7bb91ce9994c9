//! Rights information across the FFI: searching the articles, reading one in the person's
//! language, and "who can help with this near me" (the listings an article names).

use faro_core::lang::Part;
use faro_core::rights::{Article as CoreArticle, RightsQuery as CoreRightsQuery, Topic};
use faro_core::LangPrefs;

use crate::error::FaroError;
use crate::query::{country, languages, point};
use crate::store::{run_query, FaroStore};
use crate::types::{GeoPoint, SearchHit};
use faro_core::model::{ConsularService, Kind, ServiceCode};

/// What a rights article is about.
#[uniffi::remote(Enum)]
pub enum Topic {
    /// Consular information, notification, communication and assistance (VCCR art. 36).
    ConsularAssistance,
    /// Asking for asylum or refugee status.
    AsylumRefuge,
    /// Not being sent back to danger.
    NonRefoulement,
    /// Due process, detention, access to justice.
    DueProcessDetention,
    /// Children and unaccompanied minors.
    Children,
    /// Health care.
    Health,
    /// Education.
    Education,
    /// Work and labour rights.
    Work,
    /// Property, money and remittances.
    PropertyRemittances,
    /// Victims of trafficking and smuggling.
    TraffickingVictims,
    /// Complaints and reporting abuses.
    Complaints,
}

/// A search over rights articles; every part is optional and they combine with AND.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RightsQuery {
    /// Words in any language (case and accents ignored, each a prefix).
    #[uniffi(default)]
    pub text: Option<String>,
    /// Only articles on one of these topics.
    #[uniffi(default)]
    pub topics: Vec<Topic>,
    /// Only articles that apply in this country (ISO 3166-1 alpha-2); articles for every
    /// country included.
    #[uniffi(default)]
    pub country: Option<String>,
    /// Languages to show text in, most preferred first; empty: the core's default.
    #[uniffi(default)]
    pub languages: Vec<String>,
    /// Most articles, 1 to 1000.
    #[uniffi(default = 50)]
    pub limit: u32,
}

/// One article found: what a list shows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ArticleHit {
    /// Article id (open it with `article`).
    pub id: String,
    /// Title in the article's language.
    pub title: String,
    /// The language the article is shown in (BCP 47): the first of the person's languages
    /// that has all of it, else the one that has most of it.
    pub language: Option<String>,
    /// Language of the title: another than `language` only where the article lacks it
    /// (show it marked).
    pub title_language: Option<String>,
    /// Two or three sentences.
    pub summary: String,
    /// Language of the summary: another than `language` only where the article lacks it.
    pub summary_language: Option<String>,
    /// Topics.
    pub topics: Vec<Topic>,
    /// Where it applies: `all` or country codes.
    pub countries: Vec<String>,
    /// When it was last reviewed, `YYYY-MM-DD`.
    pub reviewed_on: String,
    /// True for demonstration text not reviewed by lawyers: show it as such.
    pub demo: bool,
}

/// A legal source an article rests on.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LegalReference {
    /// The treaty, declaration or law.
    pub instrument: String,
    /// Article or section (`art. 36`).
    pub article: Option<String>,
    /// Where to read it.
    pub url: Option<String>,
}

/// The listings that help with what an article is about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RelatedHelp {
    /// Kinds of listings.
    pub kinds: Vec<Kind>,
    /// Services, any of which helps.
    pub services: Vec<ServiceCode>,
    /// Consular services that help.
    pub consular_services: Vec<ConsularService>,
    /// The consulate of the person's own country is the place to go.
    pub own_consulate: bool,
}

/// A rights article, with its text in the best available language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Article {
    /// Stable id.
    pub id: String,
    /// Topics.
    pub topics: Vec<Topic>,
    /// Where it applies: `all` or country codes.
    pub countries: Vec<String>,
    /// Title.
    pub title: String,
    /// The language the article is shown in (BCP 47): the first of the person's languages
    /// that has all of it, else the one that has most of it.
    pub language: Option<String>,
    /// Language of the title: another than `language` only where the article lacks it
    /// (show it marked).
    pub title_language: Option<String>,
    /// Two or three sentences.
    pub summary: String,
    /// Language of the summary: another than `language` only where the article lacks it.
    pub summary_language: Option<String>,
    /// The full text (paragraphs separated by blank lines), when it has one.
    pub body: Option<String>,
    /// Language of the body: another than `language` only where the article lacks it.
    pub body_language: Option<String>,
    /// Legal sources.
    pub references: Vec<LegalReference>,
    /// The listings that help.
    pub related: RelatedHelp,
    /// When it was last reviewed, `YYYY-MM-DD`.
    pub reviewed_on: String,
    /// Who reviewed it.
    pub reviewed_by: Option<String>,
    /// True for demonstration text not reviewed by lawyers: show it as such.
    pub demo: bool,
}

#[uniffi::export]
impl FaroStore {
    /// Rights articles matching `query`: best text match first, else by title.
    pub fn rights(&self, query: RightsQuery) -> Result<Vec<ArticleHit>, FaroError> {
        self.with_store("rights", |store| {
            let core = CoreRightsQuery {
                text: query.text,
                topics: query.topics,
                country: query.country.as_deref().map(|c| country(c, "country")).transpose()?,
                langs: languages(&query.languages)?,
                limit: query.limit as usize,
            };
            Ok(store
                .rights(&core)?
                .into_iter()
                .map(|h| ArticleHit {
                    id: h.id,
                    title: h.title,
                    language: h.lang.map(|l| l.to_string()),
                    title_language: h.title_lang.map(|l| l.to_string()),
                    summary: h.summary,
                    summary_language: h.summary_lang.map(|l| l.to_string()),
                    topics: h.topics,
                    countries: h.countries,
                    reviewed_on: h.reviewed_on.to_string(),
                    demo: h.demo,
                })
                .collect())
        })
    }

    /// The article with `id`, its text in `languages` (most preferred first). `NotFound` if
    /// there is none.
    #[uniffi::method(default(languages = []))]
    pub fn article(&self, id: String, languages: Vec<String>) -> Result<Article, FaroError> {
        self.with_store("article", |store| {
            let langs = crate::query::languages(&languages)?;
            Ok(article_from_core(store.article(&id)?, &langs))
        })
    }

    /// Who can help with article `id` near `near`: its related listings (for consular
    /// assistance, the consulates of `nationality`), nearest first, at most 5. Empty when the
    /// article names no listings, or needs a nationality that was not given.
    #[uniffi::method(default(near = None, nationality = None, languages = []))]
    pub fn article_help(
        &self,
        id: String,
        near: Option<GeoPoint>,
        nationality: Option<String>,
        languages: Vec<String>,
    ) -> Result<Vec<SearchHit>, FaroError> {
        self.with_store("article_help", |store| {
            let near = near.map(|p| point(p, "near")).transpose()?;
            let nationality = nationality.as_deref().map(|c| country(c, "nationality")).transpose()?;
            let langs = crate::query::languages(&languages)?;
            match store.article(&id)?.related_query(near, nationality) {
                Some(query) => run_query(store, &faro_core::search::Query { langs, ..query }),
                None => Ok(Vec::new()),
            }
        })
    }
}

fn article_from_core(a: CoreArticle, langs: &LangPrefs) -> Article {
    let text = a.text(langs);
    let (body, body_language) = split(text.body);
    let (summary, summary_language) = split(text.summary);
    let (title, title_language) = split(text.title);
    Article {
        title: title.unwrap_or_else(|| a.id.clone()),
        language: text.lang.map(|l| l.to_string()),
        title_language,
        summary: summary.unwrap_or_default(),
        summary_language,
        body,
        body_language,
        references: a
            .references
            .into_iter()
            .map(|r| LegalReference { instrument: r.instrument, article: r.article, url: r.url })
            .collect(),
        related: RelatedHelp {
            kinds: a.related.kinds,
            services: a.related.services,
            consular_services: a.related.consular_services,
            own_consulate: a.related.own_consulate,
        },
        reviewed_on: a.reviewed_on.to_string(),
        reviewed_by: a.reviewed_by,
        demo: a.demo,
        id: a.id,
        topics: a.topics,
        countries: a.countries,
    }
}

/// A part's text and language, as the records carry them.
pub(crate) fn split(part: Option<Part>) -> (Option<String>, Option<String>) {
    part.map(|p| (Some(p.text), Some(p.lang.to_string()))).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use faro_core::LangTag;

    #[test]
    fn an_article_is_read_in_the_preferred_language() {
        let a: CoreArticle = serde_json::from_str(
            r#"{"id":"demo:consular-36","topics":["consular_assistance"],"countries":["all"],
            "title":{"es":"Asistencia consular (demo)","en":"Consular help (demo)"},
            "summary":{"es":"Puedes pedir que avisen a tu consulado.","en":"You can ask that your consulate be told."},
            "references":[{"instrument":"Vienna Convention on Consular Relations (1963)","article":"art. 36"}],
            "related":{"kinds":["consulate"],"own_consulate":true},"reviewed_on":"2026-11-27","demo":true}"#,
        )
        .unwrap();
        let en = LangPrefs::new(vec![LangTag::parse("en").unwrap()]);
        let out = article_from_core(a, &en);
        assert_eq!((out.title.as_str(), out.language.as_deref()), ("Consular help (demo)", Some("en")));
        assert_eq!(out.summary, "You can ask that your consulate be told.");
        assert_eq!(out.body, None);
        assert_eq!(out.references[0].article.as_deref(), Some("art. 36"));
        assert!(out.related.own_consulate && out.demo);
        assert_eq!(out.reviewed_on, "2026-11-27");
    }

    #[test]
    fn an_article_is_read_in_one_language_and_says_which_parts_fall_back() {
        let a: CoreArticle = serde_json::from_str(
            r#"{"id":"demo:mixed","topics":["health"],"countries":["all"],
            "title":{"ht":"Swen sante (demo)","es":"Atención de salud (demo)"},
            "summary":{"ht":"Ou gen dwa pou yo swaye w.","es":"Tienes derecho a atención."},
            "body":{"es":"Pide que te atiendan."},"reviewed_on":"2026-11-27","demo":true}"#,
        )
        .unwrap();
        let out = article_from_core(a.clone(), &LangPrefs::parse_list("ht,es").unwrap());
        assert_eq!(out.language.as_deref(), Some("es"), "only Spanish has every part");
        assert_eq!((out.title.as_str(), out.body_language.as_deref()), ("Atención de salud (demo)", Some("es")));
        let out = article_from_core(a, &LangPrefs::parse_list("ht").unwrap());
        assert_eq!((out.language.as_deref(), out.title_language.as_deref()), (Some("ht"), Some("ht")));
        assert_eq!((out.body.as_deref(), out.body_language.as_deref()), (Some("Pide que te atiendan."), Some("es")));
    }
}
