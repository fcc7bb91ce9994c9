//! Offline queries over the directory: text, filters, distance and opening hours, combined
//! in one [`Query`] and answered by [`Store::search`]; plus [`Store::get`] and
//! [`Store::counts`].
//!
//! How a query runs: SQL narrows candidates with the FTS5 index (text), the grid-cell index
//! (a box around the point) and indexed columns and tags (filters), returning only a few columns
//! per candidate. Rust then computes exact distances and opening state, sorts, and loads
//! the full records of the hits alone. "Nearest N" asks for a small box first and widens
//! it until N hits are certain; hits beyond [`NEAR_HORIZON_M`] are marked [`Hit::far`].
//!
//! When the text names a country ("consulado honduras", see `named`), that country's
//! missions come first, then the ordinary text matches.

mod fts;
mod lookup;
mod named;
mod place;

use std::sync::Mutex;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::Value;
use rusqlite::Connection;
use serde::Serialize;

pub use fts::match_expression;
pub use lookup::{KindCount, Region};

use crate::country::CountryCode;
use crate::error::{Error, Result};
use crate::geo::{bounding_boxes, distance_m, Point, EARTH_RADIUS_M};
use crate::hours::{HoursCache, HoursStatus, OpenState};
use crate::lang::{LangPrefs, LangTag};
use crate::limit::{check_limit, MAX_RESULTS};
use crate::model::{Audience, Kind, Listing, ServiceCode, Status};
use crate::store::Store;

/// The moment at which opening hours are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Now, as the store trusts it ([`Store::now`]): "open now" in the CLI and the apps.
    Now,
    /// An instant, judged in each listing's own time zone ("open then").
    Instant(DateTime<Utc>),
    /// A wall-clock time, read in each listing's own time zone ("open at 10:00 there").
    Local(NaiveDateTime),
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best text match first (then nearest).
    Relevance,
    /// Nearest first (needs a point).
    Distance,
}

impl Sort {
    /// Every order, in declaration order.
    pub const ALL: [Sort; 2] = [Sort::Relevance, Sort::Distance];

    /// `relevance` or `distance`, as the CLI and JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Distance => "distance",
        }
    }
}

impl std::str::FromStr for Sort {
    type Err = String;

    /// Reads `relevance` or `distance`; the error names both.
    fn from_str(word: &str) -> std::result::Result<Sort, String> {
        Sort::ALL
            .into_iter()
            .find(|s| s.as_str() == word)
            .ok_or_else(|| format!("{word:?} is not an order: use relevance or distance"))
    }
}

/// A search: every part is optional and they combine with AND.
#[derive(Debug, Clone)]
pub struct Query {
    /// Words to find in names, organizations, descriptions, services and places, in every
    /// language, ignoring case and accents, each as a prefix.
    pub text: Option<String>,
    /// Where the person is (or is asking about).
    pub near: Option<Point>,
    /// Only within this many metres of `near`; without it, the nearest `limit`.
    pub radius_m: Option<f64>,
    /// Only these kinds (any of them).
    pub kinds: Vec<Kind>,
    /// Only listings offering all of these services.
    pub services: Vec<ServiceCode>,
    /// Only listings whose staff speak one of these languages (by primary subtag).
    pub speaks: Vec<LangTag>,
    /// Only consulates representing this country.
    pub consulate_of: Option<CountryCode>,
    /// Only listings located in this country.
    pub in_country: Option<CountryCode>,
    /// Only free services.
    pub free_only: bool,
    /// Only listings that name one of these groups in their `serves`. A listing for
    /// "everyone" does not match a specific group: a filter about a protected group
    /// (unaccompanied minors) must find only places that say they take that group.
    pub serves: Vec<Audience>,
    /// Only listings that state that no papers are required.
    pub no_papers: bool,
    /// Only these statuses; empty means active and temporarily closed (closed places are
    /// shown only when asked for, so nobody is sent to one).
    pub statuses: Vec<Status>,
    /// When opening hours are judged.
    pub when: When,
    /// Only listings open at `when` (unknown hours are excluded).
    pub open_only: bool,
    /// Languages to show text in, most preferred first.
    pub langs: LangPrefs,
    /// Most hits to return (1 to [`MAX_RESULTS`]).
    pub limit: usize,
    /// Order; default: distance with a point, relevance with text, else by name.
    pub sort: Option<Sort>,
}

impl Default for Query {
    fn default() -> Query {
        Query {
            text: None,
            near: None,
            radius_m: None,
            kinds: Vec::new(),
            services: Vec::new(),
            speaks: Vec::new(),
            consulate_of: None,
            in_country: None,
            free_only: false,
            serves: Vec::new(),
            no_papers: false,
            statuses: Vec::new(),
            when: When::Now,
            open_only: false,
            langs: LangPrefs::default(),
            limit: DEFAULT_LIMIT,
            sort: None,
        }
    }
}

/// Hits returned when a query does not say how many.
pub const DEFAULT_LIMIT: usize = 20;

/// How far a search near a point with no radius counts as near: hits further than this
/// are marked [`Hit::far`], so that nobody is sent 900 km away without being told.
pub const NEAR_HORIZON_M: f64 = 50_000.0;

/// When a search near a point with no radius found hits but none within
/// [`NEAR_HORIZON_M`]: the distance in metres of the nearest one. `None` when something
/// is near, nothing was found, or the search had no point or had a radius.
pub fn nothing_near(hits: &[Hit]) -> Option<f64> {
    if hits.is_empty() || !hits.iter().all(|h| h.far) {
        return None;
    }
    hits.iter().filter_map(|h| h.distance_m).min_by(f64::total_cmp)
}

/// One answer to a query.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Listing id.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Name in the first preferred language the listing has.
    pub name: String,
    /// Language of `name`.
    pub name_lang: Option<LangTag>,
    /// Organization, in the preferred language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Metres from the query point, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// True when the query was near a point with no radius and this hit is further than
    /// [`NEAR_HORIZON_M`] from it: show it as far, not as an answer nearby.
    pub far: bool,
    /// Open, closed or unknown at the query's time, when that state next changes (local
    /// time in the listing's zone) and the comment of the rule that applies ("by
    /// appointment"). A listing that is not active is closed.
    pub hours: HoursStatus,
    /// Operating status.
    pub status: Status,
    /// Text-match score (higher is better), when the query had text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// True for invented demo data.
    pub demo: bool,
    /// The dataset the listing belongs to.
    pub dataset: String,
    /// True when that dataset came by a verified sync or bundle (signed by its publisher);
    /// false for a local import, which nobody verified.
    pub verified: bool,
    /// The full record.
    #[serde(skip)]
    pub listing: Listing,
}

/// One candidate row, before records are loaded.
#[derive(Debug, Clone)]
struct Candidate {
    rowid: i64,
    distance_m: Option<f64>,
    rank: Option<f64>,
    name_key: String,
    /// Judged already when the query filters on it; else judged for the final hits only.
    hours: Option<HoursStatus>,
}

/// How the text part of a query is joined.
#[derive(Clone)]
enum TextMode<'a> {
    /// Every match, with its bm25 rank.
    Ranked(&'a str),
    /// The first `cap` matches in index order (-1: all), all given `score`.
    Tier { expr: String, score: f64, cap: i64 },
    /// Matches only filter; no rank (sorting by distance).
    Filter(&'a str),
}

/// Queries whose every word matches at most this many listings are ranked exactly by bm25;
/// broader ones (bm25 must read every match of every word first) by tiers.
const EXACT_RANK_MAX: usize = 3_000;

/// With a point, text matches up to this many filter in SQL; more are checked in Rust.
const SQL_TEXT_FILTER_MAX: usize = 2_000;

/// Matches read per tier of a broad query.
const TIER_CAP: usize = 500;

/// FTS5 column weights: name, organization, description, services, place.
const BM25: &str = "bm25(listings_fts, 10.0, 6.0, 1.0, 2.0, 3.0)";

/// Radii tried, in metres, when looking for the nearest N without a radius.
const WIDENING_M: [f64; 8] = [1e3, 4e3, 16e3, 64e3, 256e3, 1_024e3, 4_096e3, f64::INFINITY];

impl Store {
    /// Answers `query` from the local database only.
    ///
    /// When its text names a country (in es, en, fr, ht or pt: "konsila ayiti") and the query
    /// does not already choose a represented country or exclude consulates, the missions of
    /// that country matching the rest of the text come first, then the ordinary text matches
    /// as typed, then those of the text with the name as the index spells it (the missions
    /// located in that country), each listing once.
    pub fn search(&self, query: &Query) -> Result<Vec<Hit>> {
        validate(query)?;
        if query.when == When::Now {
            return self.search(&Query { when: self.resolve(When::Now)?, ..query.clone() });
        }
        let named = match &query.text {
            Some(text)
                if query.consulate_of.is_none()
                    && (query.kinds.is_empty() || query.kinds.contains(&Kind::Consulate)) =>
            {
                named::find_country(text)
            }
            _ => None,
        };
        let Some(named) = named else { return self.search_plain(query) };
        let mut hits =
            self.search_plain(&Query { text: named.rest.clone(), consulate_of: Some(named.country), ..query.clone() })?;
        for text in [query.text.clone(), Some(named.as_indexed)] {
            if hits.len() >= query.limit {
                break;
            }
            let more = Query { text, limit: (query.limit + hits.len()).min(MAX_RESULTS), ..query.clone() };
            for hit in self.search_plain(&more)? {
                if hits.len() < query.limit && !hits.iter().any(|h| h.id == hit.id) {
                    hits.push(hit);
                }
            }
        }
        Ok(hits)
    }

    /// [`Store::search`] without looking for a country's name in the text.
    fn search_plain(&self, query: &Query) -> Result<Vec<Hit>> {
        let text = query.text.as_deref().and_then(match_expression);
        let sort = query.sort.unwrap_or(match (query.near, &text) {
            (Some(_), _) => Sort::Distance,
            (None, Some(_)) => Sort::Relevance,
            (None, None) => Sort::Relevance,
        });
        if sort == Sort::Distance && query.near.is_none() {
            return Err(Error::BadQuery("sorting by distance needs a point (near)".into()));
        }
        self.read(|conn| {
            let cache = self.hours_cache();
            let mut candidates = match (query.near, query.radius_m) {
                (Some(p), Some(r)) => within(conn, query, text.as_deref(), p, r, cache)?,
                (Some(p), None) => nearest(conn, query, text.as_deref(), p, cache)?,
                (None, _) => ranked(conn, query, text.as_deref(), cache)?,
            };
            sort_candidates(&mut candidates, sort);
            candidates.truncate(query.limit);
            load_hits(conn, candidates, query, cache)
        })
    }
}

impl Store {
    /// Opening state of `listing` at `when`, judged as [`Store::search`] judges it: a
    /// listing that is not active is closed; no hours, or hours that do not parse, are
    /// unknown (never closed). Uses the store's cache of parsed hours.
    pub fn hours_status(&self, listing: &Listing, when: When) -> Result<HoursStatus> {
        Ok(judge_hours(
            self.hours_cache(),
            listing.opening_hours.as_deref(),
            listing.timezone.as_deref(),
            listing.address.as_ref().map(|a| a.country.as_str()),
            listing.status,
            self.resolve(when)?,
        ))
    }

    /// `when` with [`When::Now`] replaced by the store's trusted now.
    fn resolve(&self, when: When) -> Result<When> {
        Ok(match when {
            When::Now => When::Instant(self.now()?),
            other => other,
        })
    }
}

fn validate(q: &Query) -> Result<()> {
    check_limit(q.limit)?;
    if let Some(r) = q.radius_m {
        if !(r.is_finite() && r > 0.0) {
            return Err(Error::BadQuery("radius must be a positive number of metres".into()));
        }
        if q.near.is_none() {
            return Err(Error::BadQuery("a radius needs a point (near)".into()));
        }
    }
    Ok(())
}

/// Builds the candidate SQL: a few columns per listing, all filters applied.
fn candidate_sql(q: &Query, text: Option<TextMode<'_>>, boxes: &[crate::geo::BBox]) -> (String, Vec<Value>) {
    let mut sql =
        String::from("SELECT l.rowid, l.lat, l.lon, l.opening_hours, l.timezone, l.country, l.status, l.id, ");
    let mut args: Vec<Value> = Vec::new();
    // CROSS JOIN fixes the loop order: the narrowing index (text, else place) drives, and
    // each candidate is looked up in `listings` by rowid. Left to itself, SQLite may scan
    // `listings` and re-run the text match for every row.
    let geo_source = |args: &mut Vec<Value>| place::rowids_in(boxes, args);
    let text_drives = matches!(text, Some(TextMode::Ranked(_) | TextMode::Tier { .. }));
    let filter = match &text {
        Some(TextMode::Filter(m)) => Some(m.to_string()),
        _ => None,
    };
    match text {
        Some(TextMode::Ranked(m)) => {
            sql.push_str(&format!(
                "f.rank FROM (SELECT rowid AS r, {BM25} AS rank FROM listings_fts WHERE listings_fts MATCH ?) f \
                 CROSS JOIN listings l ON l.rowid = f.r WHERE 1"
            ));
            args.push(Value::Text(m.to_string()));
        }
        Some(TextMode::Tier { expr, score, cap }) => {
            // Rowid order, no bm25: bm25 must first count every match of every word.
            sql.push_str(&format!(
                "{score:.1} FROM (SELECT rowid AS r FROM listings_fts WHERE listings_fts MATCH ? LIMIT {cap}) f \
                 CROSS JOIN listings l ON l.rowid = f.r WHERE 1"
            ));
            args.push(Value::Text(expr));
        }
        Some(TextMode::Filter(_)) | None if !boxes.is_empty() => {
            let geo = geo_source(&mut args);
            sql.push_str(&format!("NULL FROM ({geo}) g CROSS JOIN listings l ON l.rowid = g.id WHERE 1"));
        }
        Some(TextMode::Filter(_)) | None => sql.push_str("NULL FROM listings l WHERE 1"),
    }
    if let Some(m) = filter {
        sql.push_str(" AND l.rowid IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)");
        args.push(Value::Text(m));
    }
    if !boxes.is_empty() && text_drives {
        let geo = geo_source(&mut args);
        sql.push_str(&format!(" AND l.rowid IN ({geo})"));
    }
    let mut any_of = |sql: &mut String, column: &str, values: Vec<String>| {
        if !values.is_empty() {
            sql.push_str(&format!(" AND {column} IN ({})", vec!["?"; values.len()].join(",")));
            args.extend(values.into_iter().map(Value::Text));
        }
    };
    any_of(&mut sql, "l.kind", q.kinds.iter().map(|k| k.as_str().to_string()).collect());
    let statuses: Vec<String> = if q.statuses.is_empty() {
        vec![Status::Active.as_str().into(), Status::TemporarilyClosed.as_str().into()]
    } else {
        q.statuses.iter().map(|s| s.as_str().to_string()).collect()
    };
    any_of(&mut sql, "l.status", statuses);
    any_of(&mut sql, "l.represents", q.consulate_of.iter().map(|c| c.as_str().to_string()).collect());
    any_of(&mut sql, "l.country", q.in_country.iter().map(|c| c.as_str().to_string()).collect());
    if q.free_only {
        sql.push_str(" AND l.cost = 'free'");
    }
    if q.no_papers {
        sql.push_str(" AND l.papers_required = 0");
    }
    let mut tag_group = |sql: &mut String, tags: Vec<String>| {
        if !tags.is_empty() {
            // Any one of the group: ' AND (instr(l.tags, ?) OR instr(l.tags, ?))'.
            let any: Vec<&str> = tags.iter().map(|_| "instr(l.tags, ?)").collect();
            sql.push_str(&format!(" AND ({})", any.join(" OR ")));
            args.extend(tags.iter().map(|t| Value::Text(crate::store::index::tag_needle(t))));
        }
    };
    // Every service is required: one group each.
    for s in &q.services {
        tag_group(&mut sql, vec![format!("service:{s}")]);
    }
    let mut speaks: Vec<String> = q.speaks.iter().map(|l| format!("lang:{}", l.primary())).collect();
    speaks.dedup();
    tag_group(&mut sql, speaks);
    // Only the groups asked for: "everyone" is not a promise about any one group.
    tag_group(&mut sql, q.serves.iter().map(|a| format!("serves:{a}")).collect());
    (sql, args)
}

/// Which candidate rows to keep, besides the query's own filters.
#[derive(Default)]
struct Keep<'a> {
    /// Only within this circle.
    circle: Option<(Point, f64)>,
    /// Only these rowids (sorted): the text matches, when text filters a place query.
    among: Option<&'a [i64]>,
    /// Stop after this many kept rows.
    stop_after: Option<usize>,
}

/// Column `i` of listing row `rowid` as text or NULL; any other type is [`Error::Damaged`]
/// (Faro writes text there).
fn stored_text<'r>(row: &'r rusqlite::Row<'_>, i: usize, rowid: i64) -> Result<Option<&'r str>> {
    row.get_ref(i)?.as_str_or_null().map_err(|e| Error::damaged_row("listing", rowid, format_args!("column {i}: {e}")))
}

/// Runs the candidate SQL and keeps the rows that pass `keep` and, when the query asks for
/// open places, are open. Opening hours are judged here only for that filter; otherwise
/// only for the final hits, in [`load_hits`].
fn collect(
    conn: &Connection,
    q: &Query,
    sql: &str,
    args: Vec<Value>,
    cache: &Mutex<HoursCache>,
    keep: Keep<'_>,
) -> Result<Vec<Candidate>> {
    let point = keep.circle.map(|(p, _)| p);
    let radius_m = keep.circle.map_or(f64::INFINITY, |(_, r)| r);
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        if keep.among.is_some_and(|among| among.binary_search(&rowid).is_err()) {
            continue;
        }
        let distance = match (point, row.get::<_, Option<f64>>(1)?, row.get::<_, Option<f64>>(2)?) {
            (Some(p), Some(lat), Some(lon)) => Some(distance_m(p, Point { lat, lon })),
            _ => None,
        };
        if point.is_some() && !matches!(distance, Some(d) if d <= radius_m) {
            continue;
        }
        let hours = if q.open_only {
            // A status or hours column that cannot be read is damage, never "active" or "no
            // hours": one could show a closed place as open, the other drop an open one.
            let status = stored_text(row, 6, rowid)?
                .and_then(Status::parse)
                .ok_or_else(|| Error::damaged_row("listing", rowid, "no known status"))?;
            let hours = judge_hours(
                cache,
                stored_text(row, 3, rowid)?,
                stored_text(row, 4, rowid)?,
                stored_text(row, 5, rowid)?,
                status,
                q.when,
            );
            if hours.state != OpenState::Open {
                continue;
            }
            Some(hours)
        } else {
            None
        };
        out.push(Candidate {
            rowid,
            distance_m: distance,
            // bm25 is lower-is-better and negative; flip it so higher is better.
            rank: row.get::<_, Option<f64>>(8)?.map(|r| -r),
            name_key: row.get(7)?,
            hours,
        });
        if keep.stop_after.is_some_and(|n| out.len() >= n) {
            break;
        }
    }
    Ok(out)
}

/// Everything within `r` of `p`; sorted by distance (the default with a point), only the
/// nearest `limit` are needed, so circles widen as for [`nearest`] and stop at `r`.
fn within(
    conn: &Connection,
    q: &Query,
    text: Option<&str>,
    p: Point,
    r: f64,
    cache: &Mutex<HoursCache>,
) -> Result<Vec<Candidate>> {
    let by_distance = q.sort.unwrap_or(Sort::Distance) == Sort::Distance;
    let smaller: &[f64] = if by_distance { &WIDENING_M } else { &[] };
    let radii: Vec<f64> = smaller.iter().copied().filter(|x| *x < r).chain([r]).collect();
    widening(conn, q, text, p, &radii, cache)
}

fn nearest(
    conn: &Connection,
    q: &Query,
    text: Option<&str>,
    p: Point,
    cache: &Mutex<HoursCache>,
) -> Result<Vec<Candidate>> {
    widening(conn, q, text, p, &WIDENING_M, cache)
}

/// The candidates within the first of `radii` (ascending; the last may be infinite) that
/// holds `q.limit` of them, or within the last.
fn widening(
    conn: &Connection,
    q: &Query,
    text: Option<&str>,
    p: Point,
    radii: &[f64],
    cache: &Mutex<HoursCache>,
) -> Result<Vec<Candidate>> {
    let (mode, among) = near_text(conn, q, text)?;
    let mut found = Vec::new();
    for (i, &r) in radii.iter().enumerate() {
        let boxes = if r.is_finite() { bounding_boxes(p, r) } else { Vec::new() };
        let (sql, args) = candidate_sql(q, mode.clone(), &boxes);
        let keep = Keep { circle: Some((p, r.min(EARTH_RADIUS_M * 4.0))), among: among.as_deref(), stop_after: None };
        found = collect(conn, q, &sql, args, cache, keep)?;
        // Everything within r is in the box, so with N hits inside r the N nearest are known.
        if found.len() >= q.limit || i + 1 == radii.len() {
            break;
        }
    }
    Ok(found)
}

/// With a point, text only filters unless the caller sorts by relevance. Few matches: SQL
/// filters on them. Many (a few letters typed): SQLite would build a temporary index of
/// every match for each box, so the matches are read once, in rowid order, and the place
/// candidates are checked against that sorted list instead.
fn near_text<'a>(
    conn: &Connection,
    q: &Query,
    text: Option<&'a str>,
) -> Result<(Option<TextMode<'a>>, Option<Vec<i64>>)> {
    let Some(m) = text else { return Ok((None, None)) };
    if q.sort == Some(Sort::Relevance) {
        return Ok((Some(TextMode::Ranked(m)), None));
    }
    let mut stmt = conn.prepare_cached("SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?1")?;
    let mut rowids: Vec<i64> = stmt.query_map([m], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    if rowids.len() <= SQL_TEXT_FILTER_MAX {
        return Ok((Some(TextMode::Filter(m)), None));
    }
    rowids.sort_unstable();
    Ok((None, Some(rowids)))
}

fn ranked(conn: &Connection, q: &Query, text: Option<&str>, cache: &Mutex<HoursCache>) -> Result<Vec<Candidate>> {
    let Some(m) = text else {
        let (mut sql, args) = candidate_sql(q, None, &[]);
        sql.push_str(" ORDER BY l.id");
        return collect(conn, q, &sql, args, cache, Keep { stop_after: Some(q.limit), ..Keep::default() });
    };
    // bm25 reads the whole match list of every word, so it is used only when each word is
    // narrow. Counting stops past the limit, so a broad word costs little to recognize.
    // (`match_expression` joins words with " AND "; a word itself holds no space.)
    let mut count = conn.prepare_cached(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM listings_fts WHERE listings_fts MATCH ?1 LIMIT {})",
        EXACT_RANK_MAX + 1
    ))?;
    let mut narrow = true;
    for word in m.split(" AND ") {
        let matches: i64 = count.query_row([word], |r| r.get(0))?;
        if matches as usize > EXACT_RANK_MAX {
            narrow = false;
            break;
        }
    }
    drop(count);
    if narrow {
        let (mut sql, args) = candidate_sql(q, Some(TextMode::Ranked(m)), &[]);
        sql.push_str(" ORDER BY f.rank, l.id");
        return collect(conn, q, &sql, args, cache, Keep { stop_after: Some(q.limit), ..Keep::default() });
    }
    // A broad query (a few letters typed): name matches first, then the rest, each tier in
    // index order, bounded; uncapped only if filters leave too few.
    let mut found: Vec<Candidate> = Vec::new();
    let tiers = [
        (format!("{{name organization}} : ({m})"), 2.0, TIER_CAP),
        (m.to_string(), 1.0, TIER_CAP),
        (m.to_string(), 1.0, usize::MAX),
    ];
    for (expr, score, cap) in tiers {
        let cap = if cap == usize::MAX { -1 } else { cap as i64 };
        let (sql, args) = candidate_sql(q, Some(TextMode::Tier { expr, score, cap }), &[]);
        for c in
            collect(conn, q, &sql, args, cache, Keep { stop_after: Some(q.limit + found.len()), ..Keep::default() })?
        {
            if !found.iter().any(|f| f.rowid == c.rowid) {
                found.push(c);
            }
        }
        if found.len() >= q.limit {
            break;
        }
    }
    Ok(found)
}

fn judge_hours(
    cache: &Mutex<HoursCache>,
    expr: Option<&str>,
    tz: Option<&str>,
    country: Option<&str>,
    status: Status,
    when: When,
) -> HoursStatus {
    let unknown = HoursStatus { state: OpenState::Unknown, next_change: None, comment: None };
    if status != Status::Active {
        // A closed place is closed whatever its usual hours say.
        return HoursStatus { state: OpenState::Closed, next_change: None, comment: None };
    }
    let Some(expr) = expr else { return unknown };
    let country = country.and_then(CountryCode::parse);
    // Stored hours were validated on write; a failure here means unknown, not closed.
    // The lock is held for the lookup only, not for the evaluation.
    let parsed = match cache.lock() {
        Ok(mut c) => c.get(expr, tz.unwrap_or("UTC"), country),
        Err(_) => return unknown,
    };
    match parsed {
        Ok(hours) => match when {
            // Resolved by `Store::search` and `Store::hours_status` before judging.
            When::Now => unknown,
            When::Instant(t) => hours.status_at(t),
            When::Local(t) => hours.status_at_local(t),
        },
        Err(_) => unknown,
    }
}

fn sort_candidates(c: &mut [Candidate], sort: Sort) {
    let dist = |x: &Candidate| x.distance_m.unwrap_or(f64::INFINITY);
    let rank = |x: &Candidate| x.rank.unwrap_or(0.0);
    match sort {
        Sort::Distance => c.sort_by(|a, b| dist(a).total_cmp(&dist(b)).then_with(|| a.name_key.cmp(&b.name_key))),
        Sort::Relevance => c.sort_by(|a, b| {
            rank(b)
                .total_cmp(&rank(a))
                .then_with(|| dist(a).total_cmp(&dist(b)))
                .then_with(|| a.name_key.cmp(&b.name_key))
        }),
    }
}

fn load_hits(conn: &Connection, candidates: Vec<Candidate>, q: &Query, cache: &Mutex<HoursCache>) -> Result<Vec<Hit>> {
    let langs = &q.langs;
    let mut stmt = conn.prepare_cached(
        "SELECT r.record, l.dataset, EXISTS(SELECT 1 FROM sync_datasets s WHERE s.name = l.dataset)
         FROM listing_records r JOIN listings l ON l.rowid = r.listing WHERE r.listing = ?1",
    )?;
    candidates
        .into_iter()
        .map(|c| {
            let (record, dataset, verified): (String, String, bool) =
                stmt.query_row([c.rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let listing: Listing =
                serde_json::from_str(&record).map_err(|e| Error::damaged_row("listing", c.rowid, e))?;
            let (name_lang, name) = match langs.pick(&listing.name) {
                Some((l, n)) => (Some(l.clone()), n.to_string()),
                None => (None, listing.id.clone()),
            };
            let organization = langs.pick(&listing.organization).map(|(_, o)| o.to_string());
            let hours = c.hours.unwrap_or_else(|| {
                let country = listing.address.as_ref().map(|a| a.country.as_str().to_string());
                judge_hours(
                    cache,
                    listing.opening_hours.as_deref(),
                    listing.timezone.as_deref(),
                    country.as_deref(),
                    listing.status,
                    q.when,
                )
            });
            Ok(Hit {
                id: listing.id.clone(),
                kind: listing.kind,
                name,
                name_lang,
                organization,
                distance_m: c.distance_m.map(|d| (d * 10.0).round() / 10.0),
                far: q.near.is_some() && q.radius_m.is_none() && c.distance_m.is_some_and(|d| d > NEAR_HORIZON_M),
                hours,
                status: listing.status,
                score: c.rank,
                demo: listing.demo,
                dataset,
                verified,
                listing,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_reads_and_writes_one_word_per_order() {
        for sort in Sort::ALL {
            assert_eq!(sort.as_str().parse::<Sort>(), Ok(sort));
            assert_eq!(serde_json::to_value(sort).unwrap(), sort.as_str());
        }
        let e = "nearest".parse::<Sort>().unwrap_err();
        assert!(e.contains("relevance") && e.contains("distance"), "{e}");
    }
}
