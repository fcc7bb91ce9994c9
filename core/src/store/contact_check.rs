//! The query "is this contact real?" ([`Store::check_contact`]): compares a contact read by
//! `contact::normalize` with the contact index of the listings ([`super::contacts`]), the
//! index of official names (`contact::names`) and the warnings' indicators, and gives the
//! verdict of [`ContactCheck`] (its rules are documented in `contact::check`).
//!
//! It lives in the store, above `contact` (the pure reading of contacts) and `warnings`
//! (the records), which do not depend on it (one-way layers, issue 13).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::Store;
use crate::contact::check::MAX_MATCHES;
use crate::contact::lookalike::{handle_alike, host_alike};
use crate::contact::names::{self, Family};
use crate::contact::normalize::{normalize, Contact, ContactKind};
use crate::contact::{scope, ContactCheck, ContactMatch, MatchSource, Relation, Verdict};
use crate::country::CountryCode;
use crate::error::{Error, Result};
use crate::lang::LangPrefs;
use crate::model::Listing;
use crate::warnings::Warning;

impl Store {
    /// Checks `input` against the verified listings of signed datasets and the warnings
    /// active at `at` (trusted time, from the caller). `region` reads national phone numbers; `langs`
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
        if contact.kind == ContactKind::Invalid && contact.also.is_empty() {
            return Ok(out);
        }
        self.read(|conn| {
            let warned = warning_matches(conn, &contact, at, langs)?;
            let listed = if contact.kind == ContactKind::Invalid {
                Vec::new()
            } else {
                listing_matches(conn, &contact, langs, search)?
            };
            out.verdict = if !warned.is_empty() {
                Verdict::Warning
            } else if listed.iter().any(|(m, official)| *official && is_ownership(m.relation)) {
                Verdict::Official
            } else if listed.iter().any(|(m, official)| *official && is_same_name(m.relation)) {
                Verdict::NameMatch
            } else if listed.iter().any(|(m, _)| matches!(m.relation, Relation::Imitates { .. })) {
                Verdict::Lookalike
            } else if listed.iter().any(|(m, _)| m.relation == Relation::ListedNotVerified) {
                Verdict::Listed
            } else {
                out.verdict.clone()
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

fn is_same_name(r: Relation) -> bool {
    matches!(r, Relation::SameNameOtherNetwork | Relation::SameNameNoNetwork)
}

/// `host` and its parent domains down to the registrable one (`a.b.sre.gob.mx` -> ...,
/// `sre.gob.mx`).
fn host_and_parents(host: &str) -> Vec<&str> {
    let (_, ending) = crate::contact::lookalike::registrable(host);
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

/// Indicator keys a contact can match in warnings, each with the relation it stands for:
/// itself, its other readings (a phone), plus its domain and parent domains for links and
/// e-mails (a warning about `fraude.example` covers `citas.fraude.example` and
/// `x@fraude.example`).
fn warning_keys(contact: &Contact) -> Vec<(String, Relation)> {
    let mut keys: Vec<(String, Relation)> = contact.key().into_iter().map(|k| (k, Relation::Exact)).collect();
    keys.extend(contact.also.iter().map(|n| (format!("tel:{n}"), Relation::OtherReading)));
    if let Some(host) = contact.host() {
        keys.extend(host_and_parents(host).into_iter().map(|h| (format!("web:{h}"), Relation::SameDomain)));
    }
    keys.dedup_by(|a, b| a.0 == b.0);
    keys
}

fn warning_matches(
    conn: &Connection,
    contact: &Contact,
    at: DateTime<Utc>,
    langs: &LangPrefs,
) -> Result<Vec<ContactMatch>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.id, w.record, w.dataset, EXISTS(SELECT 1 FROM sync_datasets s WHERE s.name = w.dataset)
         FROM warning_indicators i JOIN warnings w ON w.rowid = i.warning
         WHERE i.key = ?1 AND w.withdrawn = 0 AND w.valid_from <= ?2 AND (w.valid_until IS NULL OR w.valid_until > ?2)",
    )?;
    let mut out = Vec::new();
    for (key, relation) in warning_keys(contact) {
        let rows = stmt.query_map(params![key, at.timestamp()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?))
        })?;
        for row in rows {
            let (id, record, dataset, dataset_verified) = row?;
            let Ok(w) = serde_json::from_str::<Warning>(&record) else { continue };
            out.push(ContactMatch {
                source: MatchSource::Warning,
                id,
                name: langs.text(&w.headline).to_string(),
                relation,
                contact: key.split_once(':').map(|(_, v)| v.to_string()).unwrap_or_default(),
                network: None,
                demo: w.demo,
                dataset,
                dataset_verified,
            });
        }
    }
    Ok(out)
}

/// One indexed contact of a listing.
struct Row {
    listing_rowid: i64,
    /// Verified, active and in a signed dataset ([`rows_for`]).
    official: bool,
    detail: String,
    key: String,
}

/// The listings that have contact `key`. A row is official when its listing is verified
/// and active (`listing_contacts.official`, from the record) *and* its dataset came signed
/// by its publisher (a verified sync or bundle: `sync_datasets`). A record's own `verified`
/// proves nothing by itself: anyone can write it in a file and have it imported locally.
fn rows_for(conn: &Connection, key: &str) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.listing, c.official AND EXISTS(SELECT 1 FROM sync_datasets s WHERE s.name = l.dataset), c.detail
         FROM listing_contacts c JOIN listings l ON l.rowid = c.listing WHERE c.key = ?1",
    )?;
    let rows = stmt
        .query_map([key], |r| {
            Ok(Row { listing_rowid: r.get(0)?, official: r.get(1)?, detail: r.get(2)?, key: key.to_string() })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Matches in listings, each with whether the listing is official (verified, active and in
/// a signed dataset: [`rows_for`]).
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
            // An account is official only on the network it is listed for (the detail).
            for r in rows_for(conn, &key)? {
                let relation = match &contact.network {
                    Some(n) if *n == r.detail => Relation::Exact,
                    Some(_) => Relation::SameNameOtherNetwork,
                    None => Relation::SameNameNoNetwork,
                };
                found.push((r, relation));
            }
        }
        ContactKind::Url => {
            let host = contact.normalized.as_deref().unwrap_or_default();
            for r in rows_for(conn, &key)? {
                let within = scope::site_covers(host, &r.detail, &contact.path);
                found.push((r, if within { Relation::Exact } else { Relation::SameHostOtherPage }));
            }
        }
        ContactKind::Invalid => {}
    }
    if let Some(host) = contact.host() {
        // Sites on the contact's domain or a parent domain: shown, official only for an
        // e-mail at a site that is its whole, unshared domain.
        for (i, parent) in host_and_parents(host).into_iter().enumerate() {
            let own_host = i == 0;
            if own_host && contact.kind == ContactKind::Url {
                continue; // compared by path above
            }
            for r in rows_for(conn, &format!("web:{parent}"))? {
                let owns = own_host && scope::site_owns_mail(parent, &r.detail);
                found.push((r, if owns { Relation::SameDomain } else { Relation::SameDomainNotListed }));
            }
        }
    }
    if !found.iter().any(|(r, rel)| r.official && is_ownership(*rel)) {
        found.extend(lookalikes(conn, contact, search)?);
    }
    // The listings a verdict rests on first.
    found.sort_by_key(|(r, rel)| match (r.official, is_ownership(*rel), is_same_name(*rel)) {
        (true, true, _) => 0,
        (_, true, _) => 1,
        (true, _, true) => 2,
        _ => 3,
    });
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row, relation) in found {
        if out.len() >= MAX_MATCHES || !seen.insert((row.listing_rowid, row.key.clone())) {
            continue;
        }
        let Some((listing, dataset, dataset_verified)) = load_listing(conn, row.listing_rowid)? else { continue };
        // An unverified listing's contact is reported, never called official.
        let relation = if !row.official && is_ownership(relation) { Relation::ListedNotVerified } else { relation };
        out.push((
            ContactMatch {
                source: MatchSource::Listing,
                id: listing.id.clone(),
                name: langs.text(&listing.name).to_string(),
                relation,
                contact: row.key.split_once(':').map(|(_, v)| v.to_string()).unwrap_or_default(),
                network: (row.key.starts_with("handle:") && !row.detail.is_empty()).then(|| row.detail.clone()),
                demo: listing.demo,
                dataset,
                dataset_verified,
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
            out.extend(
                rows_for(conn, &key)?
                    .into_iter()
                    .filter(|r| r.official)
                    .map(|r| (r, Relation::Imitates { likeness: l })),
            );
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

/// A listing with its dataset and whether that dataset came signed (a verified sync or
/// bundle, `sync_datasets`) rather than by a local import.
fn load_listing(conn: &Connection, rowid: i64) -> Result<Option<(Listing, String, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.record, l.dataset, EXISTS(SELECT 1 FROM sync_datasets s WHERE s.name = l.dataset)
         FROM listing_records r JOIN listings l ON l.rowid = r.listing WHERE r.listing = ?1",
    )?;
    let mut rows = stmt.query([rowid])?;
    let Some(row) = rows.next()? else { return Ok(None) };
    let (record, dataset, verified): (String, String, bool) = (row.get(0)?, row.get(1)?, row.get(2)?);
    // A damaged record is an error, not a listing skipped: skipping it could turn an official
    // contact into an unknown one.
    let listing = serde_json::from_str(&record).map_err(|e| Error::damaged_row("listing", rowid, e))?;
    Ok(Some((listing, dataset, verified)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_stop_before_the_top_level_domain() {
        assert_eq!(host_and_parents("a.citas.sre.gob.mx"), ["a.citas.sre.gob.mx", "citas.sre.gob.mx", "sre.gob.mx"]);
        assert_eq!(host_and_parents("example.org"), ["example.org"]);
    }
}
