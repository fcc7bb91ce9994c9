//! The verdict on a contact: `warning`, `official`, `name_match`, `lookalike`, `listed`,
//! `unknown` or `invalid`, with the listings and warnings it matched, each with the dataset
//! it came in and whether that dataset was signed by its publisher.
//!
//! Official means this exact contact: a listed phone or e-mail, a link within a listed
//! site (`contact::scope`), a handle on the network it is listed for, of a listing that is
//! verified, active, and came in a dataset signed by its publisher (a verified sync or
//! bundle). A listing imported locally is never official, whatever its record says: anyone
//! can write `verified` in a file and get a person to import it. Its contacts read `listed`,
//! and so do not make a name official for `name_match` or `lookalike` either. A handle written
//! without its network, or on another one, only shares a name (`name_match`): anyone can
//! register that name elsewhere.
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
use super::scope;
use crate::country::CountryCode;
use crate::error::{Error, Result};
use crate::lang::LangPrefs;
use crate::model::Listing;
use crate::store::Store;
use crate::warnings::Warning;

/// The answer to "is this contact real?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Verdict {
    /// It belongs to a verified, active listing of a signed dataset (a verified sync or
    /// bundle; never a local import).
    #[serde(rename = "official")]
    Official,
    /// It is named in an active warning.
    #[serde(rename = "warning")]
    Warning,
    /// The same name as a verified listing's account, but not that account: the handle was
    /// given without its network, or on another network. The listing's account is official
    /// only on its own network (in the match); anyone can register the name elsewhere.
    #[serde(rename = "name_match")]
    NameMatch,
    /// It imitates a verified listing's web address or handle.
    #[serde(rename = "lookalike")]
    Lookalike,
    /// In the directory, but not verified: a listing has this contact and nobody has
    /// verified that listing, or it is no longer active, or its dataset was imported on this
    /// device rather than signed by its publisher (whatever the record says of itself). The
    /// match says which listing and dataset, and whether the dataset is signed.
    #[serde(rename = "listed")]
    Listed,
    /// Not verified: found in no listing and no warning. Never "safe".
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
    /// An e-mail at the domain of the record's web site, which covers the whole domain (no
    /// path) on a domain that is not shared; for a warning, a sub-domain of or an e-mail at
    /// the domain it names.
    SameDomain,
    /// On the domain of the record's web site (another sub-domain, or an e-mail address the
    /// record does not list) where the site does not make it official: the site is listed
    /// for one path, or the domain is shared hosting, or it is another sub-domain.
    SameDomainNotListed,
    /// The same host as the record's web address but outside its listed path.
    SameHostOtherPage,
    /// The same handle on another network than the record's.
    SameNameOtherNetwork,
    /// The same handle, written without a network: the record's account is official only
    /// on its own network (`network` in the match).
    SameNameNoNetwork,
    /// In a listing that is not verified, not active, or not in a signed dataset (a local
    /// import): not an official contact.
    ListedNotVerified,
    /// A warning's number, matched by another reading of the input: written with `00` or
    /// `011` where that is not the region's international prefix, read as an international
    /// number (`ContactCheck::also`).
    OtherReading,
    /// Imitates the record's contact. (JSON: `{"imitates": "small_edit"}`.)
    #[serde(serialize_with = "Likeness::serialize")]
    Imitates {
        /// How it imitates it.
        likeness: Likeness,
    },
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
    /// The network of the record's account, when `contact` is a handle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// True for demo data.
    pub demo: bool,
    /// The dataset the record came in.
    pub dataset: String,
    /// True when that dataset came by a verified sync or bundle (signed by its publisher);
    /// false for a local import, which nobody verified.
    pub dataset_verified: bool,
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
    /// Other readings of a phone number compared with the warnings only, E.164 ("also
    /// checked as +1 201 555 0033"): see [`Contact::also`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
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
            also: contact.also.clone(),
            verdict: if contact.kind == ContactKind::Invalid { Verdict::Invalid } else { Verdict::Unknown },
            matches: Vec::new(),
        }
    }
}

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

    #[test]
    fn an_imitation_is_written_as_before_in_json() {
        let rel = Relation::Imitates { likeness: Likeness::SmallEdit };
        assert_eq!(serde_json::to_string(&rel).unwrap(), r#"{"imitates":"small_edit"}"#);
        assert_eq!(serde_json::to_string(&Relation::SameHostOtherPage).unwrap(), r#""same_host_other_page""#);
    }
}
