//! Storing warnings and asking for them: the write trio that runs inside a caller's
//! transaction (a sync applies listings, articles and warnings in one), the all-or-nothing
//! file import, and the queries "here and now", by country and by kind.
//!
//! The warnings' storage sits in the store beside the listings' writer: `store` depends on
//! the warning records (`crate::warnings`), never the other way (one-way layers, issue 13);
//! the index rebuild of a schema step re-reads their indicator keys ([`rebuild_indicators`]).
//!
//! A query narrows candidates with the R*Tree of area boxes and the country table, keeps
//! those valid at the caller's time in SQL, and only then tests the exact area in Rust.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::batch::{BatchSummary, Lined, StoredRecord};
use super::{DatasetInfo, Store};
use crate::error::{Error, InputError, Result};
use crate::geo::Point;
use crate::limit::check_limit;
use crate::model::validate::FieldProblem;
use crate::warnings::{check_warning, to_json, Severity, Warning, WarningHit, WarningQuery};

/// Reads every stored warning's indicator keys again with the current normalizers
/// (`contact::phone` for phone numbers) and replaces its rows in `warning_indicators`: the
/// keys are derived from the record like the listings' contact keys (`store::index::rebuild`
/// calls this). A record is never rewritten (a synced dataset's state hash rests on it); one
/// that no longer normalizes keeps the keys it has as written.
pub(crate) fn rebuild_indicators(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut delete = tx.prepare("DELETE FROM warning_indicators WHERE warning = ?1")?;
    let mut insert = tx.prepare("INSERT OR IGNORE INTO warning_indicators(key, warning) VALUES (?1, ?2)")?;
    super::index::for_each_record(tx, "SELECT rowid, record FROM warnings", |rowid, w: Warning| {
        let keys = w.normalized().map(|n| n.indicator_keys()).unwrap_or_else(|_| w.indicator_keys());
        delete.execute([rowid])?;
        for key in keys {
            insert.execute(params![key, rowid])?;
        }
        Ok(())
    })
}

fn remove_boxes(tx: &Transaction<'_>, filter: &str, arg: impl rusqlite::ToSql) -> Result<()> {
    tx.execute(
        &format!("DELETE FROM warnings_geo WHERE id IN (SELECT box FROM warning_boxes WHERE {filter})"),
        [&arg],
    )?;
    Ok(())
}

/// Warnings are kept whole as JSON (normalized), with their countries, indicator keys and
/// area boxes: the write trio (`put`, `delete`, `clear`) runs inside a caller's transaction
/// (a sync applies listings, articles and warnings in one; [`Store::write_warnings`] a file).
impl StoredRecord for Warning {
    const TABLE: &'static str = "warnings";
    const WHAT: &'static str = "warning";
    fn id(&self) -> &str {
        &self.id
    }
    /// The checks of [`check_warning`], then those of normalizing its indicators.
    fn problems(&self) -> Vec<FieldProblem> {
        let problems = check_warning(self);
        match self.normalized() {
            Err(more) if problems.is_empty() => more,
            _ => problems,
        }
    }
    /// The normalized warning's JSON (the stored form).
    fn canonical(&self) -> String {
        to_json(&self.normalized().unwrap_or_else(|_| self.clone()))
    }
    /// Inserts or replaces the warning (by id) in `dataset`, with its indexes. It is
    /// normalized first; one that does not normalize is refused.
    fn put(&self, tx: &Transaction<'_>, dataset: &str) -> Result<()> {
        let w = self.normalized().map_err(|p| {
            let first = p.into_iter().next().map(|p| p.at("warning", None, &self.id));
            Error::Input(first.unwrap_or_else(|| InputError::new("warning", "invalid")))
        })?;
        Warning::delete(tx, &w.id)?;
        tx.prepare_cached(
            "INSERT INTO warnings(id, dataset, kind, severity, withdrawn, valid_from, valid_until, demo, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            w.id,
            dataset,
            w.kind.as_str(),
            w.severity.as_str(),
            w.withdrawn,
            w.valid_from.timestamp(),
            w.valid_until.map(|u| u.timestamp()),
            w.demo,
            to_json(&w),
        ])?;
        let rowid = tx.last_insert_rowid();
        let mut stmt =
            tx.prepare_cached("INSERT OR IGNORE INTO warning_countries(country, warning) VALUES (?1, ?2)")?;
        for c in &w.area.countries {
            stmt.execute(params![c.as_str(), rowid])?;
        }
        let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO warning_indicators(key, warning) VALUES (?1, ?2)")?;
        for key in w.indicator_keys() {
            stmt.execute(params![key, rowid])?;
        }
        for b in w.area.boxes() {
            tx.prepare_cached("INSERT INTO warning_boxes(warning) VALUES (?1)")?.execute([rowid])?;
            let id = tx.last_insert_rowid();
            tx.prepare_cached(
                "INSERT INTO warnings_geo(id, min_lat, max_lat, min_lon, max_lon) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id, b.min_lat, b.max_lat, b.min_lon, b.max_lon])?;
        }
        Ok(())
    }
    fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool> {
        let rowid: Option<i64> =
            tx.prepare_cached("SELECT rowid FROM warnings WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
        let Some(rowid) = rowid else { return Ok(false) };
        remove_boxes(tx, "warning = ?1", rowid)?;
        tx.prepare_cached("DELETE FROM warnings WHERE rowid = ?1")?.execute([rowid])?;
        Ok(true)
    }
    fn clear(tx: &Transaction<'_>, dataset: &str) -> Result<u64> {
        remove_boxes(tx, "warning IN (SELECT rowid FROM warnings WHERE dataset = ?1)", dataset)?;
        Ok(tx.execute("DELETE FROM warnings WHERE dataset = ?1", [dataset])? as u64)
    }
}

impl Store {
    /// Validates every warning and writes them into `dataset` in ONE IMMEDIATE
    /// transaction; on any rejection nothing is written and every rejection is reported
    /// (file, line, record id, field). An id of another dataset is a rejection.
    pub fn write_warnings(
        &self,
        dataset: &DatasetInfo,
        file: &str,
        records: impl IntoIterator<Item = Lined<Warning>>,
    ) -> Result<BatchSummary> {
        self.write_records(dataset, file, records)
    }

    /// Warnings matching `query`, most severe first, then newest.
    pub fn warnings(&self, query: &WarningQuery) -> Result<Vec<WarningHit>> {
        self.read(|conn| find(conn, query))
    }

    /// One warning by id, whatever its state.
    pub fn warning(&self, id: &str) -> Result<Warning> {
        self.record_by_id(id)
    }
}

fn find(conn: &Connection, q: &WarningQuery) -> Result<Vec<WarningHit>> {
    check_limit(q.limit)?;
    let mut sql = String::from("SELECT w.rowid, w.severity, w.valid_from FROM warnings w WHERE w.withdrawn = 0 AND w.valid_from <= ?1 AND (w.valid_until IS NULL OR w.valid_until > ?1)");
    let mut args: Vec<Value> = vec![Value::Integer(q.at.timestamp())];
    let mut place: Vec<String> = Vec::new();
    if let Some(p) = q.near {
        place.push(
            "w.rowid IN (SELECT b.warning FROM warnings_geo g JOIN warning_boxes b ON b.box = g.id
             WHERE g.min_lat <= ? AND g.max_lat >= ? AND g.min_lon <= ? AND g.max_lon >= ?)"
                .into(),
        );
        args.extend([p.lat, p.lat, p.lon, p.lon].map(Value::Real));
    }
    if let Some(c) = q.country {
        place.push("w.rowid IN (SELECT warning FROM warning_countries WHERE country = ?)".into());
        args.push(Value::Text(c.as_str().to_string()));
    }
    if !place.is_empty() {
        sql.push_str(&format!(" AND ({})", place.join(" OR ")));
    }
    if !q.kinds.is_empty() {
        sql.push_str(&format!(" AND w.kind IN ({})", vec!["?"; q.kinds.len()].join(",")));
        args.extend(q.kinds.iter().map(|k| Value::Text(k.as_str().to_string())));
    }
    // Most severe first, then newest: sorted here on two columns, so that only the records
    // returned are read and parsed (a country can have hundreds of country-wide warnings).
    // Only the exact area test below drops rows, and it keeps the order.
    let rank: Vec<String> =
        Severity::ALL.iter().enumerate().map(|(i, s)| format!("WHEN '{}' THEN {i}", s.as_str())).collect();
    sql.push_str(&format!(
        " ORDER BY CASE w.severity {} ELSE {} END, w.valid_from DESC, w.rowid",
        rank.join(" "),
        Severity::ALL.len()
    ));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut record_of = conn.prepare_cached("SELECT record FROM warnings WHERE rowid = ?1")?;
    let mut hits = Vec::new();
    let mut rowids = stmt.query(rusqlite::params_from_iter(args))?;
    // The column holds whole seconds: past the limit, warnings of the last one's severity
    // and second are read too, and the sort below orders them to the sub-second.
    let mut last: Option<(String, i64)> = None;
    while let Some(row) = rowids.next()? {
        let rowid: i64 = row.get(0)?;
        let order: (String, i64) = (row.get(1)?, row.get(2)?);
        if hits.len() >= q.limit && last.as_ref() != Some(&order) {
            break;
        }
        let record: String = record_of.query_row([rowid], |r| r.get(0))?;
        let Ok(w) = serde_json::from_str::<Warning>(&record) else { continue };
        let here = q.near.is_some_and(|p| w.area.contains(p));
        let in_country = q.country.is_some_and(|c| w.area.countries.contains(&c));
        if q.near.is_some() && !here && !in_country {
            continue; // in a box, not in the area
        }
        let text = w.text(&q.langs);
        hits.push(WarningHit {
            id: w.id.clone(),
            kind: w.kind,
            severity: w.severity,
            headline: text.headline.as_ref().map(|p| p.text.clone()).unwrap_or_default(),
            advice: text.advice.as_ref().map(|p| p.text.clone()).unwrap_or_default(),
            headline_lang: text.headline.map(|p| p.lang),
            advice_lang: text.advice.map(|p| p.lang),
            lang: text.lang,
            here,
            valid_until: w.valid_until,
            demo: w.demo,
            warning: w,
        });
        last = Some(order);
    }
    hits.sort_by(|a, b| a.severity.cmp(&b.severity).then(b.warning.valid_from.cmp(&a.warning.valid_from)));
    hits.truncate(q.limit);
    Ok(hits)
}

/// Every warning matching `q`, tested one by one without the indexes: the baseline the
/// benchmark compares [`Store::warnings`] with, and a cross-check in tests.
#[doc(hidden)]
pub fn scan_here(conn: &Connection, at: DateTime<Utc>, point: Point) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT record FROM warnings")?;
    let mut out = Vec::new();
    for record in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let w: Warning = serde_json::from_str(&record?)
            .map_err(|e| Error::Damaged { what: "a stored warning".into(), detail: e.to_string() })?;
        if w.active_at(at) && w.area.contains(point) {
            out.push(w.id);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::country::CountryCode;
    use crate::warnings::tests::sample;

    #[test]
    fn the_limit_keeps_the_most_severe_and_newest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("w.db")).unwrap();
        let start: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let mut all = Vec::new();
        for i in 0..60u32 {
            let mut w = sample();
            w.id = format!("demo:w-{i}");
            w.severity = Severity::ALL[(i * 7 % 5) as usize];
            // Some share a second, and the sub-second part orders them.
            w.valid_from = start + chrono::Duration::milliseconds(i64::from(i * 37 % 11) * 400);
            // Away from the point asked about: found by the country only.
            if i % 3 == 0 {
                w.area.circles[0].lat = -30.0;
            }
            all.push(w);
        }
        let info = DatasetInfo { name: "warnings/test".into(), source: None, demo: true };
        store
            .write_warnings(&info, "w.jsonl", all.iter().cloned().enumerate().map(|(i, w)| Ok((i as u64, w))))
            .unwrap();
        let at: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let mut expected = all.clone();
        expected.sort_by(|a, b| a.severity.cmp(&b.severity).then(b.valid_from.cmp(&a.valid_from)));
        let expected: Vec<&str> = expected.iter().map(|w| w.id.as_str()).collect();
        for limit in [1, 5, 17, 60, 100] {
            let q = WarningQuery {
                near: Point::new(14.68, -92.15),
                country: CountryCode::parse("MX"),
                limit,
                ..WarningQuery::at(at)
            };
            let got: Vec<String> = store.warnings(&q).unwrap().into_iter().map(|h| h.id).collect();
            assert_eq!(got, expected[..limit.min(60)], "limit {limit}");
        }
    }

    #[test]
    fn a_file_s_unreadable_indicators_are_all_reported_with_their_line_and_nothing_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("w.db")).unwrap();
        let good = sample();
        let mut bad = sample();
        bad.id = "demo:w-bad".into();
        bad.indicators.phones = vec!["not a phone".into()];
        bad.indicators.emails = vec!["nobody".into()];
        let info = DatasetInfo { name: "warnings/test".into(), source: None, demo: true };
        let err = store.write_warnings(&info, "w.jsonl", [Ok((2, good)), Ok((3, bad))]).unwrap_err().to_string();
        for part in ["w.jsonl", ":3", "demo:w-bad", "indicators.phones[0]", "indicators.emails[0]"] {
            assert!(err.contains(part), "{part} missing from {err}");
        }
        assert!(matches!(store.warning("demo:w-fake-consul"), Err(Error::NotFound(_))), "nothing written");
    }

    #[test]
    fn a_damaged_stored_warning_is_damaged_storage() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("w.db")).unwrap();
        let info = DatasetInfo { name: "warnings/test".into(), source: None, demo: true };
        store.write_warnings(&info, "w.jsonl", [Ok((1, sample()))]).unwrap();
        store.write(|c| Ok(c.execute("UPDATE warnings SET record = 'null'", [])?)).unwrap();
        let id = sample().id;
        let err = store.warning(&id).unwrap_err();
        assert!(matches!(&err, Error::Damaged { what, .. } if *what == format!("stored warning record {id}")), "{err}");
        assert!(matches!(store.warning("demo:none"), Err(Error::NotFound(_))));
    }
}
