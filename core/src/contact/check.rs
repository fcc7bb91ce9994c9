//! The verdict on a contact: `warning`, `official`, `lookalike`, `unknown` or `invalid`,
//! with the listings and warnings it matched.
//!
//! A warning match wins over an official one: warnings are issued exactly when a listed
//! contact has been taken over or spoofed (a stolen WhatsApp account, a cloned number),
//! and they are newer and signed by two keys. Calling a number twice costs little; trusting
//! a hijacked one can cost a person everything.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;

use super::lookalike::{handle_alike, host_alike, Likeness};
use super::names::{self, Family};
use super::normalize::{normalize, Contact, ContactKind, MAX_INPUT_BYTES};
use crate::country::CountryCode;
use crate::error::Result;
use crate::lang::LangPrefs;
use crate::model::Listing;
use crate::store::Store;
use crate::warnings::Warning;

/// The answer to "is this contact real?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Verdict {
    /// It belongs to a verified, active listing.
    #[serde(rename = "official")]
    Official,
    /// It is named in an active warning.
    #[serde(rename = "warning")]
    Warning,
    /// It imitates a verified listing's web address or handle.
    #[serde(rename = "lookalike")]
    Lookalike,
    /// Not verified: found in no verified listing and no warning. Never "safe".
    #[serde(rename = "unknown")]
    Unknown,
    /// Not a contact that can be read.
    #[serde(rename = "invalid")]
    Invalid,
}

/// Where a match comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchSource {
    /// A directory listing.
    Listing,
    /// A warning.
    Warning,
}

/// How the contact relates to the matched record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The same contact.
    Exact,
    /// A sub-domain of the record's web address, or an e-mail at its web domain.
    SameDomain,
    /// The same host as the record's web address but another page on it.
    SameHostOtherPage,
    /// The same handle on another network than the record's.
    SameNameOtherNetwork,
    /// In a listing that is not verified, or not active: not an official contact.
    ListedNotVerified,
    /// Imitates the record's contact.
    Imitates(Likeness),
}

/// One listing or warning the contact matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactMatch {
    /// Listing or warning.
    #[serde(rename = "type")]
    pub source: MatchSource,
    /// Its id.
    pub id: String,
    /// Its name (listing) or headline (warning), in the preferred language.
    pub name: String,
    /// How the contact relates to it.
    pub relation: Relation,
    /// The record's own contact that was matched or imitated (normalized).
    pub contact: String,
    /// True for demo data.
    pub demo: bool,
}

/// The full answer, shaped as `faro check-contact --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactCheck {
    /// The input (cut to [`MAX_INPUT_BYTES`]).
    pub input: String,
    /// What the input was read as.
    pub kind: ContactKind,
    /// The normalized contact, `None` when invalid.
    pub normalized: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The records behind the verdict.
    pub matches: Vec<ContactMatch>,
}

/// Most matches reported.
const MAX_MATCHES: usize = 10;

impl ContactCheck {
    /// Normalization only, with no database: verdict `unknown` or `invalid`.
    pub fn offline(input: &str, region: Option<CountryCode>) -> ContactCheck {
        let contact = normalize(input, region);
        ContactCheck::start(input, &contact)
    }

    fn start(input: &str, contact: &Contact) -> ContactCheck {
        let mut cut = input.len().min(MAX_INPUT_BYTES);
        while !input.is_char_boundary(cut) {
            cut -= 1;
        }
        ContactCheck {
            input: input[..cut].to_string(),
            kind: contact.kind,
            normalized: contact.normalized.clone(),
            verdict: if contact.kind == ContactKind::Invalid { Verdict::Invalid } else { Verdict::Unknown },
            matches: Vec::new(),
        }
    }
}

impl Store {
    /// Checks `input` against the verified listings and the warnings active at `at`
    /// (trusted time, from the caller). `region` reads national phone numbers; `langs`
    /// picks the names shown.
    pub fn check_contact(
        &self,
        input: &str,
        region: Option<CountryCode>,
        at: DateTime<Utc>,
        langs: &LangPrefs,
    ) -> Result<ContactCheck> {
        self.check_contact_with(input, region, at, langs, Search::Indexed)
    }

    /// [`Store::check_contact`] comparing the input with every official web address,
    /// e-mail and handle, without the index of official names: the reference the
    /// benchmark and tests compare it with, and the baseline it is timed against.
    #[doc(hidden)]
    pub fn check_contact_by_scan(
        &self,
        input: &str,
        region: Option<CountryCode>,
        at: DateTime<Utc>,
        langs: &LangPrefs,
    ) -> Result<ContactCheck> {
        self.check_contact_with(input, region, at, langs, Search::Scan)
    }

    fn check_contact_with(
        &self,
        input: &str,
        region: Option<CountryCode>,
        at: DateTime<Utc>,
        langs: &LangPrefs,
        search: Search,
    ) -> Result<ContactCheck> {
        let contact = normalize(input, region);
        let mut out = ContactCheck::start(input, &contact);
        if contact.kind == ContactKind::Invalid {
            return Ok(out);
        }
        self.read(|conn| {
            let warned = warning_matches(conn, &contact, at, langs)?;
            let listed = listing_matches(conn, &contact, langs, search)?;
            out.verdict = if !warned.is_empty() {
                Verdict::Warning
            } else if listed.iter().any(|(m, official)| *official && is_ownership(m.relation)) {
                Verdict::Official
            } else if listed.iter().any(|(m, _)| matches!(m.relation, Relation::Imitates(_))) {
                Verdict::Lookalike
            } else {
                Verdict::Unknown
            };
            out.matches = warned;
            out.matches.extend(listed.into_iter().map(|(m, _)| m));
            out.matches.truncate(MAX_MATCHES);
            Ok(out)
        })
    }
}

/// How official names a contact may imitate are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// Candidates from the index of official names (`contact::names`).
    Indexed,
    /// Every official web address, e-mail and handle.
    Scan,
}

fn is_ownership(r: Relation) -> bool {
    matches!(r, Relation::Exact | Relation::SameDomain)
}

/// `host` and its parent domains down to the registrable one (`a.b.sre.gob.mx` -> ...,
/// `sre.gob.mx`).
fn host_and_parents(host: &str) -> Vec<&str> {
    let (_, ending) = super::lookalike::registrable(host);
    let mut out = vec![host];
    let mut rest = host;
    while let Some((_, parent)) = rest.split_once('.') {
        if parent == ending || !parent.contains('.') {
            break;
        }
        out.push(parent);
        rest = parent;
    }
    out
}

/// Indicator keys a contact can match in warnings: itself, plus its domain and parent
/// domains for links and e-mails (a warning about `fraude.example` covers
/// `citas.fraude.example` and `x@fraude.example`).
fn warning_keys(contact: &Contact) -> Vec<String> {
    let mut keys: Vec<String> = contact.key().into_iter().collect();
    if let Some(host) = contact.host() {
        keys.extend(host_and_parents(host).into_iter().map(|h| format!("web:{h}")));
    }
    keys.dedup();
    keys
}

fn warning_matches(
    conn: &Connection,
    contact: &Contact,
    at: DateTime<Utc>,
    langs: &LangPrefs,
) -> Result<Vec<ContactMatch>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.id, w.record FROM warning_indicators i JOIN warnings w ON w.rowid = i.warning
         WHERE i.key = ?1 AND w.withdrawn = 0 AND w.valid_from <= ?2 AND (w.valid_until IS NULL OR w.valid_until > ?2)",
    )?;
    let mut out = Vec::new();
    for key in warning_keys(contact) {
        let rows =
            stmt.query_map(params![key, at.timestamp()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, record) = row?;
            let Ok(w) = serde_json::from_str::<Warning>(&record) else { continue };
            let relation = if Some(&key) == contact.key().as_ref() { Relation::Exact } else { Relation::SameDomain };
            out.push(ContactMatch {
                source: MatchSource::Warning,
                id,
                name: langs.text(&w.headline).to_string(),
                relation,
                contact: key.split_once(':').map(|(_, v)| v.to_string()).unwrap_or_default(),
                demo: w.demo,
            });
        }
    }
    Ok(out)
}

/// One indexed contact of a listing.
struct Row {
    listing_rowid: i64,
    official: bool,
    detail: String,
    key: String,
}

fn rows_for(conn: &Connection, key: &str) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached("SELECT listing, official, detail FROM listing_contacts WHERE key = ?1")?;
    let rows = stmt
        .query_map([key], |r| {
            Ok(Row { listing_rowid: r.get(0)?, official: r.get(1)?, detail: r.get(2)?, key: key.to_string() })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Matches in listings, each with whether the listing is official (verified and active).
fn listing_matches(
    conn: &Connection,
    contact: &Contact,
    langs: &LangPrefs,
    search: Search,
) -> Result<Vec<(ContactMatch, bool)>> {
    let mut found: Vec<(Row, Relation)> = Vec::new();
    let key = contact.key().unwrap_or_default();
    match contact.kind {
        ContactKind::Phone | ContactKind::Email => {
            found.extend(rows_for(conn, &key)?.into_iter().map(|r| (r, Relation::Exact)));
        }
        ContactKind::Handle => {
            for r in rows_for(conn, &key)? {
                let other_network = matches!(&contact.network, Some(n) if !r.detail.is_empty() && *n != r.detail);
                found.push((r, if other_network { Relation::SameNameOtherNetwork } else { Relation::Exact }));
            }
        }
        ContactKind::Url => {
            for r in rows_for(conn, &key)? {
                let page = r.detail.is_empty()
                    || contact.path == r.detail
                    || contact.path.starts_with(&format!("{}/", r.detail));
                found.push((r, if page { Relation::Exact } else { Relation::SameHostOtherPage }));
            }
        }
        ContactKind::Invalid => {}
    }
    if let Some(host) = contact.host() {
        // Sub-domains of an official site, and e-mails at its domain.
        let parents = host_and_parents(host);
        let start = usize::from(contact.kind == ContactKind::Url);
        for parent in &parents[start..] {
            found.extend(rows_for(conn, &format!("web:{parent}"))?.into_iter().map(|r| (r, Relation::SameDomain)));
        }
    }
    if !found.iter().any(|(r, rel)| r.official && is_ownership(*rel)) {
        found.extend(lookalikes(conn, contact, search)?);
    }
    // The listings a verdict rests on first.
    found.sort_by_key(|(r, rel)| match (r.official, is_ownership(*rel)) {
        (true, true) => 0,
        (_, true) => 1,
        _ => 2,
    });
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row, relation) in found {
        if out.len() >= MAX_MATCHES || !seen.insert((row.listing_rowid, row.key.clone())) {
            continue;
        }
        let Some(listing) = load_listing(conn, row.listing_rowid)? else { continue };
        // An unverified listing's contact is reported, never called official.
        let relation = if !row.official && is_ownership(relation) { Relation::ListedNotVerified } else { relation };
        out.push((
            ContactMatch {
                source: MatchSource::Listing,
                id: listing.id.clone(),
                name: langs.text(&listing.name).to_string(),
                relation,
                contact: row.key.split_once(':').map(|(_, v)| v.to_string()).unwrap_or_default(),
                demo: listing.demo,
            },
            row.official,
        ));
    }
    Ok(out)
}

/// Official hosts (web sites and e-mail domains) or handles that the contact imitates.
fn lookalikes(conn: &Connection, contact: &Contact, search: Search) -> Result<Vec<(Row, Relation)>> {
    let (family, mine) = match contact.kind {
        ContactKind::Url | ContactKind::Email => (Family::Host, contact.host().unwrap_or_default()),
        ContactKind::Handle => (Family::Handle, contact.normalized.as_deref().unwrap_or_default()),
        _ => return Ok(Vec::new()),
    };
    let keys = match search {
        Search::Indexed => names::candidates(conn, family, mine)?,
        Search::Scan => every_official_key(conn, family)?,
    };
    let mut out = Vec::new();
    for key in keys {
        let likeness = match names::compared_name(&key) {
            Some((Family::Host, host, _)) => host_alike(mine, host),
            Some((Family::Handle, _, handle)) => handle_alike(mine, handle),
            None => None,
        };
        if let Some(l) = likeness {
            out.extend(rows_for(conn, &key)?.into_iter().filter(|r| r.official).map(|r| (r, Relation::Imitates(l))));
        }
    }
    Ok(out)
}

/// Every official key of `family`, by prefix then key.
fn every_official_key(conn: &Connection, family: Family) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT key FROM listing_contacts WHERE key >= ?1 AND key < ?2 AND official = 1")?;
    let mut out = Vec::new();
    for prefix in family.prefixes() {
        // Keys starting with `prefix`: up to the prefix with its ':' bumped to ';'.
        let end = format!("{};", &prefix[..prefix.len() - 1]);
        for key in stmt.query_map(params![prefix, end], |r| r.get::<_, String>(0))? {
            out.push(key?);
        }
    }
    Ok(out)
}

fn load_listing(conn: &Connection, rowid: i64) -> Result<Option<Listing>> {
    let mut stmt = conn.prepare_cached("SELECT record FROM listing_records WHERE listing = ?1")?;
    let mut rows = stmt.query([rowid])?;
    let Some(row) = rows.next()? else { return Ok(None) };
    let record: String = row.get(0)?;
    Ok(serde_json::from_str(&record).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_stop_before_the_top_level_domain() {
        assert_eq!(host_and_parents("a.citas.sre.gob.mx"), ["a.citas.sre.gob.mx", "citas.sre.gob.mx", "sre.gob.mx"]);
        assert_eq!(host_and_parents("example.org"), ["example.org"]);
    }

    #[test]
    fn offline_check_only_normalizes() {
        let c = ContactCheck::offline("+1 915 555 0123", None);
        assert_eq!(
            (c.kind, c.normalized.as_deref(), &c.verdict),
            (ContactKind::Phone, Some("+19155550123"), &Verdict::Unknown)
        );
        let c = ContactCheck::offline("😀", None);
        assert_eq!(c.verdict, Verdict::Invalid);
        let long = "é".repeat(MAX_INPUT_BYTES);
        assert!(ContactCheck::offline(&long, None).input.len() <= MAX_INPUT_BYTES);
    }
}
