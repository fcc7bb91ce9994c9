//! The derived search indexes: facet tags and the grid cell (two columns of the `listings`
//! row, written with it by `store::write`), the FTS5 text index and the contact index.
//!
//! They are always rebuilt from `listing_records.record`, so they can be dropped and
//! recomputed at any time (a migration that changes them sets a flag and [`rebuild`] runs
//! once).

use rusqlite::{params, Transaction};

use crate::model::{vocabulary, Listing};

/// The `listings.tags` value: the listing's facet tags (`service:asylum_help`, `lang:ht`
/// (primary subtag), `serves:women`, `access:wheelchair`, `consular:passports`), sorted, each
/// once, with a space before and after every tag, so that a filter on tag `t` is
/// `instr(tags, ' t ')` (see [`tag_needle`]).
pub fn tags_column(listing: &Listing) -> String {
    // Sorted and each once, without a string per tag: this runs
    // for every record of an import or sync. No facet name is a prefix of another, so
    // ordering by (facet, value) orders the tags as whole strings.
    let mut parts: Vec<(&str, &str)> = Vec::with_capacity(
        listing.services.len()
            + listing.languages.len()
            + listing.serves.len()
            + listing.accessibility.len()
            + listing.consulate.as_ref().map_or(0, |c| c.services.len()),
    );
    parts.extend(listing.services.iter().map(|s| ("service", s.as_str())));
    parts.extend(listing.languages.iter().map(|l| ("lang", l.primary())));
    parts.extend(listing.serves.iter().map(|a| ("serves", a.as_str())));
    parts.extend(listing.accessibility.iter().map(|a| ("access", a.as_str())));
    if let Some(c) = &listing.consulate {
        parts.extend(c.services.iter().map(|s| ("consular", s.as_str())));
    }
    parts.sort_unstable();
    parts.dedup();
    let mut out = String::with_capacity(1 + parts.iter().map(|(f, v)| f.len() + v.len() + 2).sum::<usize>());
    out.push(' ');
    for (facet, value) in parts {
        out.push_str(facet);
        out.push(':');
        out.push_str(value);
        out.push(' ');
    }
    out
}

/// What to look for in `listings.tags` to find `tag`.
pub fn tag_needle(tag: &str) -> String {
    format!(" {tag} ")
}

/// The `listings.geocell` value: the grid cell of the listing's place, if it has one.
pub fn geocell(listing: &Listing) -> Option<i64> {
    listing.location.map(|l| super::geocell::cell(crate::geo::Point { lat: l.lat, lon: l.lon }))
}

/// The five indexed text columns: name, organization, description, service tokens
/// (`kindlegalaid svcasylumhelp`), place.
pub fn search_text(listing: &Listing) -> [String; 5] {
    // Every language's words, each word once: names are often the same in several
    // languages, and a listing should not rank higher (or cost more to index) for
    // repeating itself.
    // (A name has a few words: a list compares faster than a set hashes. ASCII case only:
    // a repeat that differs in accented capitals is indexed twice, which is harmless.)
    // `seen` is one list for the whole listing, emptied for each field.
    fn all<'a>(text: &'a crate::model::LocalizedText, seen: &mut Vec<&'a str>) -> String {
        let mut out = String::with_capacity(text.values().map(|v| v.len() + 3).sum());
        all_into(text, &mut out, seen);
        out
    }
    fn all_into<'a>(text: &'a crate::model::LocalizedText, out: &mut String, seen: &mut Vec<&'a str>) {
        seen.clear();
        for value in text.values() {
            let mut first = true;
            // ASCII white space only (a byte test): the text index splits words at any
            // other separator itself, so a word kept whole here is still indexed apart.
            for word in value.split_ascii_whitespace() {
                if seen.iter().any(|s| s.eq_ignore_ascii_case(word)) {
                    continue;
                }
                seen.push(word);
                if first && !out.is_empty() {
                    out.push_str(" \u{2029} ");
                } else if !first {
                    out.push(' ');
                }
                first = false;
                out.push_str(word);
            }
        }
    }
    // Codes, not words: the query side expands typed words to codes (see
    // `search::fts`), which keeps the index small and imports fast. Written in place: this
    // runs for every record of an import or sync.
    let mut services = String::with_capacity(24 * (1 + listing.services.len()));
    vocabulary::push_token(&mut services, "kind", listing.kind.as_str());
    for code in &listing.services {
        services.push(' ');
        vocabulary::push_token(&mut services, "svc", code.as_str());
    }
    // The parts joined by a paragraph separator (an empty street still takes its place).
    let mut place = String::new();
    let mut parts = 0usize;
    let mut part = |place: &mut String, text: &str| {
        if parts > 0 {
            place.push_str(" \u{2029} ");
        }
        parts += 1;
        place.push_str(text);
    };
    let mut seen = Vec::new();
    if let Some(a) = &listing.address {
        let mut street = String::new();
        all_into(&a.street, &mut street, &mut seen);
        part(&mut place, &street);
        for text in a.locality.iter().chain(a.region.iter()) {
            part(&mut place, text);
        }
        part(&mut place, a.country.name());
    }
    if let Some(c) = &listing.consulate {
        part(&mut place, c.represents.name());
        if let Some(text) = &c.mission_type {
            part(&mut place, text);
        }
    }
    [
        all(&listing.name, &mut seen),
        all(&listing.organization, &mut seen),
        all(&listing.description, &mut seen),
        services,
        place,
    ]
}

/// What a listing's row and index entries hold besides its own fields: its stored record,
/// tags, grid cell, indexed text and contact keys. Computed without the database, so that
/// a large import prepares the next listings on another thread while the writer inserts.
#[derive(Debug)]
pub struct Derived {
    /// The record as stored (`model::to_json`).
    pub record: String,
    /// The `listings.tags` value ([`tags_column`]).
    pub tags: String,
    /// The `listings.geocell` value ([`geocell`]).
    pub geocell: Option<i64>,
    /// The five FTS5 columns ([`search_text`]).
    pub text: [String; 5],
    /// Whether its contacts count as official (`store::contacts::is_official`).
    pub official: bool,
    /// Its contact index entries (`store::contacts::entries`).
    pub contacts: Vec<(String, String)>,
}

impl Derived {
    /// Computes everything [`Derived`] holds for `listing`.
    pub fn of(listing: &Listing) -> Derived {
        Derived::with_record(listing, crate::model::to_json(listing))
    }

    /// [`Derived::of`] with the stored record given: the text `listing` was read from, when
    /// that text is known to be its canonical form or is checked to be before the commit
    /// (a snapshot's line, whose state hash is checked: see `sync::apply`).
    pub fn with_record(listing: &Listing, record: String) -> Derived {
        Derived {
            record,
            tags: tags_column(listing),
            geocell: geocell(listing),
            text: search_text(listing),
            official: super::contacts::is_official(listing),
            contacts: super::contacts::entries(listing),
        }
    }
}

/// Adds `listing` (stored at `rowid`) to the FTS5 and contact indexes; its tags and cell
/// are columns of its row, written with it.
pub fn add(tx: &Transaction<'_>, rowid: i64, listing: &Listing) -> rusqlite::Result<()> {
    let official = super::contacts::is_official(listing);
    add_entries(tx, rowid, &search_text(listing), official, &super::contacts::entries(listing))
}

/// Adds the index entries of a listing stored at `rowid`, computed ahead by [`Derived`].
pub fn add_derived(tx: &Transaction<'_>, rowid: i64, derived: &Derived) -> rusqlite::Result<()> {
    add_entries(tx, rowid, &derived.text, derived.official, &derived.contacts)
}

/// [`add_derived`] with the text index's insert ([`INSERT_TEXT_SQL`]) prepared by the caller,
/// who writes many listings with it.
pub(crate) fn add_derived_with(
    tx: &Transaction<'_>,
    insert_text: &mut rusqlite::Statement<'_>,
    rowid: i64,
    derived: &Derived,
) -> rusqlite::Result<()> {
    let [name, org, description, services, place] = &derived.text;
    insert_text.execute(params![rowid, name, org, description, services, place])?;
    super::contacts::add_entries(tx, rowid, derived.official, &derived.contacts)
}

/// The insert of a listing's text index entry: row id, then the five columns.
pub(crate) const INSERT_TEXT_SQL: &str =
    "INSERT INTO listings_fts(rowid, name, organization, description, services, place) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

fn add_entries(
    tx: &Transaction<'_>,
    rowid: i64,
    text: &[String; 5],
    official: bool,
    contacts: &[(String, String)],
) -> rusqlite::Result<()> {
    let [name, org, description, services, place] = text;
    tx.prepare_cached(INSERT_TEXT_SQL)?.execute(params![rowid, name, org, description, services, place])?;
    super::contacts::add_entries(tx, rowid, official, contacts)
}

/// Removes the listing at `rowid` from the FTS5 and contact indexes (before an update or a
/// delete).
pub fn remove(tx: &Transaction<'_>, rowid: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM listings_fts WHERE rowid = ?1")?.execute([rowid])?;
    super::contacts::remove_listing(tx, rowid)?;
    Ok(())
}

/// Empties and refills every index from the stored records, the tag and cell columns
/// included, and reads the warnings' indicator keys again
/// (`store::warnings::rebuild_indicators`).
pub fn rebuild(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    super::warnings::rebuild_indicators(tx)?;
    tx.execute_batch("DELETE FROM listings_fts;")?;
    super::contacts::clear(tx)?;
    let mut columns = tx.prepare("UPDATE listings SET tags = ?2, geocell = ?3 WHERE rowid = ?1")?;
    for_each_record(tx, "SELECT listing, record FROM listing_records", |rowid, listing: Listing| {
        columns.execute(params![rowid, tags_column(&listing), geocell(&listing)])?;
        add(tx, rowid, &listing)
    })
}

/// Calls `each` with the row id and the parsed JSON record of every row `sql` selects (two
/// columns: row id, record), as a rebuild reads stored records. A record that does not
/// parse fails the rebuild.
pub(crate) fn for_each_record<T: serde::de::DeserializeOwned>(
    tx: &Transaction<'_>,
    sql: &str,
    mut each: impl FnMut(i64, T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let record: String = row.get(1)?;
        let parsed: T = serde_json::from_str(&record)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
        each(rowid, parsed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_text_keeps_every_part_and_each_word_once() {
        let listing: Listing = serde_json::from_str(
            r#"{"id":"demo:c","kind":"consulate","services":["asylum_help","legal_advice"],
                "name":{"es":"Consulado de Honduras (demo)","en":"Consulate of Honduras (demo)"},
                "address":{"locality":"Tapachula","region":"Chiapas","country":"MX"},
                "consulate":{"represents":"HN","mission_type":"consulate"},"demo":true}"#,
        )
        .unwrap();
        let [name, org, description, services, place] = search_text(&listing);
        assert_eq!(name, "Consulate of Honduras (demo) \u{2029} Consulado de");
        assert_eq!((org.as_str(), description.as_str()), ("", ""));
        assert_eq!(services, "kindconsulate svcasylumhelp svclegaladvice");
        // The empty street keeps its place, as a join of the parts would.
        assert_eq!(place, " \u{2029} Tapachula \u{2029} Chiapas \u{2029} Mexico \u{2029} Honduras \u{2029} consulate");
        assert_eq!(vocabulary::kind_token(crate::model::Kind::LegalAid), "kindlegalaid");
    }

    #[test]
    fn the_tags_column_is_the_sorted_tags_each_once() {
        let listing: Listing = serde_json::from_str(
            r#"{"id":"demo:t","kind":"consulate","services":["legal_advice","asylum_help","legal_advice"],
                "name":{"es":"Consulado (demo)"},"languages":["ht","es-MX","es","fr"],
                "serves":["women","everyone"],"accessibility":["wheelchair"],
                "consulate":{"represents":"HN","services":["visas","passports"]},"demo":true}"#,
        )
        .unwrap();
        assert_eq!(
            tags_column(&listing),
            " access:wheelchair consular:passports consular:visas lang:es lang:fr lang:ht \
             serves:everyone serves:women service:asylum_help service:legal_advice "
        );
    }
}
