//! Storing rights articles and searching them: the write trio that runs inside a caller's
//! transaction, the all-or-nothing file import, and the offline search (accent-insensitive
//! text in every language at once, by topic, by country with "all" included).

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::{check_article, to_json, Article, Topic};
use crate::country::CountryCode;
use crate::error::{Error, Result};
use crate::lang::{LangPrefs, LangTag};
use crate::limit::check_limit;
use crate::model::validate::FieldProblem;
use crate::model::vocabulary;
use crate::search::match_expression;
use crate::store::batch::{BatchSummary, Lined, StoredRecord};
use crate::store::{DatasetInfo, Store};

/// Text columns of the index: all languages of title, summary, body; references; and the
/// tokens of related kinds and services, so that words naming a service in any language
/// ("asilo", "azil") find the articles about it (see [`crate::search::match_expression`]).
fn search_text(a: &Article) -> [String; 5] {
    let all = |t: &crate::model::LocalizedText| t.values().map(String::as_str).collect::<Vec<_>>().join(" \u{2029} ");
    let refs: Vec<String> =
        a.references.iter().map(|r| format!("{} {}", r.instrument, r.article.as_deref().unwrap_or(""))).collect();
    let mut services: Vec<String> = a.related.kinds.iter().map(|k| vocabulary::kind_token(*k)).collect();
    services.extend(a.related.services.iter().map(|s| vocabulary::service_token(*s)));
    [all(&a.title), all(&a.summary), all(&a.body), refs.join(" \u{2029} "), services.join(" ")]
}

/// Articles are kept whole as JSON, with their tags and FTS5 text: the write trio
/// (`put`, `delete`, `clear`) runs inside a caller's transaction (a sync applies listings,
/// articles and warnings in one; [`Store::write_articles`] a file).
impl StoredRecord for Article {
    const TABLE: &'static str = "articles";
    const WHAT: &'static str = "article";
    fn id(&self) -> &str {
        &self.id
    }
    fn problems(&self) -> Vec<FieldProblem> {
        check_article(self)
    }
    fn canonical(&self) -> String {
        to_json(self)
    }
    /// Inserts or replaces the article (by id) in `dataset`, with its indexes.
    fn put(&self, tx: &Transaction<'_>, dataset: &str) -> Result<()> {
        Article::delete(tx, &self.id)?;
        tx.prepare_cached("INSERT INTO articles(id, dataset, reviewed_on, demo, record) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![self.id, dataset, self.reviewed_on.to_string(), self.demo, to_json(self)])?;
        let rowid = tx.last_insert_rowid();
        let mut tag = tx.prepare_cached("INSERT OR IGNORE INTO article_tags(tag, article) VALUES (?1, ?2)")?;
        for t in &self.topics {
            tag.execute(params![format!("topic:{}", t.as_str()), rowid])?;
        }
        for c in &self.countries {
            tag.execute(params![format!("country:{c}"), rowid])?;
        }
        let [title, summary, body, refs, services] = search_text(self);
        tx.prepare_cached(
            "INSERT INTO articles_fts(rowid, title, summary, body, refs, services) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![rowid, title, summary, body, refs, services])?;
        Ok(())
    }
    fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool> {
        let rowid: Option<i64> =
            tx.prepare_cached("SELECT rowid FROM articles WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
        let Some(rowid) = rowid else { return Ok(false) };
        tx.prepare_cached("DELETE FROM articles_fts WHERE rowid = ?1")?.execute([rowid])?;
        tx.prepare_cached("DELETE FROM articles WHERE rowid = ?1")?.execute([rowid])?;
        Ok(true)
    }
    fn clear(tx: &Transaction<'_>, dataset: &str) -> Result<u64> {
        tx.execute(
            "DELETE FROM articles_fts WHERE rowid IN (SELECT rowid FROM articles WHERE dataset = ?1)",
            [dataset],
        )?;
        Ok(tx.execute("DELETE FROM articles WHERE dataset = ?1", [dataset])? as u64)
    }
}

impl Store {
    /// Validates every article and writes them into `dataset` in ONE IMMEDIATE
    /// transaction; on any rejection nothing is written and every rejection is reported.
    pub fn write_articles(
        &self,
        dataset: &DatasetInfo,
        file: &str,
        records: impl IntoIterator<Item = Lined<Article>>,
    ) -> Result<BatchSummary> {
        self.write_records(dataset, file, records)
    }

    /// Articles matching `query`: best text match first, else by title.
    pub fn rights(&self, query: &RightsQuery) -> Result<Vec<ArticleHit>> {
        self.read(|conn| search(conn, query))
    }

    /// One article by id.
    pub fn article(&self, id: &str) -> Result<Article> {
        self.record_by_id(id)
    }
}

/// A search over rights articles; parts combine with AND.
#[derive(Debug, Clone)]
pub struct RightsQuery {
    /// Words in any language, accents and case ignored, each a prefix.
    pub text: Option<String>,
    /// Only articles on one of these topics.
    pub topics: Vec<Topic>,
    /// Only articles that apply in this country (articles for all countries included).
    pub country: Option<CountryCode>,
    /// Languages to show text in.
    pub langs: LangPrefs,
    /// Most articles (1 to [`crate::limit::MAX_RESULTS`]; default 50).
    pub limit: usize,
}

impl Default for RightsQuery {
    /// Every article, at most 50, in the default languages.
    fn default() -> RightsQuery {
        RightsQuery { text: None, topics: Vec::new(), country: None, langs: LangPrefs::default(), limit: 50 }
    }
}

/// One article found.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleHit {
    /// Article id.
    pub id: String,
    /// Title in the article's language ([`Article::text`]).
    pub title: String,
    /// The language the article is shown in.
    pub lang: Option<LangTag>,
    /// Language of the title (another than `lang` only when the article lacks it there).
    pub title_lang: Option<LangTag>,
    /// Summary in the article's language.
    pub summary: String,
    /// Language of the summary (another than `lang` only when the article lacks it there).
    pub summary_lang: Option<LangTag>,
    /// Topics.
    pub topics: Vec<Topic>,
    /// Where it applies.
    pub countries: Vec<String>,
    /// When it was last reviewed.
    pub reviewed_on: chrono::NaiveDate,
    /// True for demo text not reviewed by lawyers.
    pub demo: bool,
    /// The full record.
    #[serde(skip)]
    pub article: Article,
}

fn search(conn: &Connection, q: &RightsQuery) -> Result<Vec<ArticleHit>> {
    let limit = check_limit(q.limit)?;
    let text = q.text.as_deref().and_then(match_expression);
    let mut args: Vec<Value> = Vec::new();
    let mut sql = match &text {
        Some(m) => {
            args.push(Value::Text(m.clone()));
            String::from(
                "SELECT a.record FROM (SELECT rowid AS r, bm25(articles_fts, 10.0, 4.0, 1.0, 2.0, 2.0) AS rank
                 FROM articles_fts WHERE articles_fts MATCH ?) f CROSS JOIN articles a ON a.rowid = f.r WHERE 1",
            )
        }
        None => String::from("SELECT a.record FROM articles a WHERE 1"),
    };
    if !q.topics.is_empty() {
        sql.push_str(&format!(
            " AND a.rowid IN (SELECT article FROM article_tags WHERE tag IN ({}))",
            vec!["?"; q.topics.len()].join(",")
        ));
        args.extend(q.topics.iter().map(|t| Value::Text(format!("topic:{}", t.as_str()))));
    }
    if let Some(c) = q.country {
        sql.push_str(" AND a.rowid IN (SELECT article FROM article_tags WHERE tag IN ('country:all', ?))");
        args.push(Value::Text(format!("country:{}", c.as_str())));
    }
    sql.push_str(if text.is_some() { " ORDER BY f.rank" } else { " ORDER BY a.id" });
    let mut stmt = conn.prepare(&sql)?;
    let records = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut hits = Vec::new();
    for record in records.into_iter().take(limit) {
        let a: Article = serde_json::from_str(&record)
            .map_err(|e| Error::Damaged { what: "a stored article".into(), detail: e.to_string() })?;
        let text = a.text(&q.langs);
        let (title, title_lang) = text.title.map(|p| (p.text, Some(p.lang))).unwrap_or_default();
        let (summary, summary_lang) = text.summary.map(|p| (p.text, Some(p.lang))).unwrap_or_default();
        hits.push(ArticleHit {
            id: a.id.clone(),
            title,
            lang: text.lang,
            title_lang,
            summary,
            summary_lang,
            topics: a.topics.clone(),
            countries: a.countries.clone(),
            reviewed_on: a.reviewed_on,
            demo: a.demo,
            article: a,
        });
    }
    if text.is_none() {
        hits.sort_by_key(|h| h.title.to_lowercase());
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rights::tests::sample;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path().join("r.db")).unwrap();
        (dir, s)
    }

    fn info() -> DatasetInfo {
        DatasetInfo { name: "rights/all".into(), source: None, demo: true }
    }

    #[test]
    fn trio_inside_one_transaction() {
        let (_d, s) = store();
        s.write(|conn| {
            let tx = conn.transaction()?;
            sample().put(&tx, "rights/all")?;
            let mut b = sample();
            b.id = "demo:other".into();
            b.countries = vec!["MX".into()];
            b.put(&tx, "rights/all")?;
            b.put(&tx, "rights/all")?; // replace, not duplicate
            assert!(Article::delete(&tx, "demo:other")?);
            assert!(!Article::delete(&tx, "demo:other")?);
            tx.commit()?;
            Ok(())
        })
        .unwrap();
        let hits = s.rights(&RightsQuery { text: Some("CONSULADO".into()), ..Default::default() }).unwrap();
        assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["demo:consular-36"]);
        let mx = CountryCode::parse("MX");
        let hits =
            s.rights(&RightsQuery { country: mx, topics: vec![Topic::ConsularAssistance], ..Default::default() });
        assert_eq!(hits.unwrap().len(), 1, "articles for all countries apply in MX");
        let hits = s.rights(&RightsQuery { topics: vec![Topic::Health], ..Default::default() }).unwrap();
        assert!(hits.is_empty());
    }

    #[test]
    fn write_is_all_or_nothing() {
        let (_d, s) = store();
        let mut bad = sample();
        bad.id = "demo:bad".into();
        bad.topics.clear();
        let err = s.write_articles(&info(), "r.jsonl", vec![Ok((2, sample())), Ok((3, bad))]).unwrap_err();
        assert_eq!(err.to_string(), "r.jsonl:3: record demo:bad: field topics: needs at least one topic");
        assert!(s.rights(&RightsQuery::default()).unwrap().is_empty());
        let sum = s.write_articles(&info(), "r.jsonl", vec![Ok((2, sample()))]).unwrap();
        assert_eq!(sum.inserted, 1);
        let sum = s.write_articles(&info(), "r.jsonl", vec![Ok((2, sample()))]).unwrap();
        assert_eq!(sum.unchanged, 1);
        s.write(|conn| {
            let tx = conn.transaction()?;
            assert_eq!(Article::clear(&tx, "rights/all")?, 1);
            tx.commit()?;
            Ok(())
        })
        .unwrap();
        assert!(s.rights(&RightsQuery::default()).unwrap().is_empty());
    }

    #[test]
    fn a_damaged_stored_article_is_damaged_storage() {
        let (_d, s) = store();
        s.write(|conn| {
            let tx = conn.transaction()?;
            sample().put(&tx, "rights/all")?;
            tx.execute("UPDATE articles SET record = '[1, 2'", [])?;
            tx.commit()?;
            Ok(())
        })
        .unwrap();
        let id = sample().id;
        let err = s.article(&id).unwrap_err();
        assert!(matches!(&err, Error::Damaged { what, .. } if *what == format!("stored article record {id}")), "{err}");
        let err = s.rights(&RightsQuery::default()).unwrap_err();
        assert!(matches!(&err, Error::Damaged { what, .. } if what == "a stored article"), "{err}");
        assert!(matches!(s.article("demo:none"), Err(Error::NotFound(_))));
    }
}
