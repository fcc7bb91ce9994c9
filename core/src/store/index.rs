//! The derived search indexes: facet tags, the FTS5 text index and the R*Tree of places.
//!
//! They are always rebuilt from `listings.record`, so they can be dropped and recomputed
//! at any time (a migration that changes them sets a flag and [`rebuild`] runs once).

use rusqlite::{params, Transaction};

use crate::model::{vocabulary, Listing};

/// Facet tags of a listing: `service:asylum_help`, `lang:ht` (primary subtag),
/// `serves:women`, `access:wheelchair`, `consular:passports`.
pub fn tags(listing: &Listing) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    tags.extend(listing.services.iter().map(|s| format!("service:{s}")));
    tags.extend(listing.languages.iter().map(|l| format!("lang:{}", l.primary())));
    tags.extend(listing.serves.iter().map(|a| format!("serves:{a}")));
    tags.extend(listing.accessibility.iter().map(|a| format!("access:{a}")));
    if let Some(c) = &listing.consulate {
        tags.extend(c.services.iter().map(|s| format!("consular:{s}")));
    }
    tags.sort();
    tags.dedup();
    tags
}

/// The five indexed text columns: name, organization, description, service tokens
/// (`kindlegalaid svcasylumhelp`), place.
pub fn search_text(listing: &Listing) -> [String; 5] {
    fn all(text: &crate::model::LocalizedText) -> String {
        text.values().map(String::as_str).collect::<Vec<_>>().join(" \u{2029} ")
    }
    // Codes, not words: the query side expands typed words to codes (see
    // `search::fts`), which keeps the index small and imports fast.
    let mut services: Vec<String> = vec![vocabulary::kind_token(listing.kind)];
    services.extend(listing.services.iter().map(|s| vocabulary::service_token(*s)));
    let mut place: Vec<String> = Vec::new();
    if let Some(a) = &listing.address {
        place.push(all(&a.street));
        place.extend(a.locality.iter().cloned());
        place.extend(a.region.iter().cloned());
        place.push(a.country.name().to_string());
    }
    if let Some(c) = &listing.consulate {
        place.push(c.represents.name().to_string());
        place.extend(c.mission_type.iter().cloned());
    }
    [
        all(&listing.name),
        all(&listing.organization),
        all(&listing.description),
        services.join(" "),
        place.join(" \u{2029} "),
    ]
}

/// Adds `listing` (stored at `rowid`) to every index.
pub fn add(tx: &Transaction<'_>, rowid: i64, listing: &Listing) -> rusqlite::Result<()> {
    let mut tag_stmt = tx.prepare_cached("INSERT OR IGNORE INTO listing_tags(tag, listing) VALUES (?1, ?2)")?;
    for tag in tags(listing) {
        tag_stmt.execute(params![tag, rowid])?;
    }
    let [name, org, description, services, place] = search_text(listing);
    tx.prepare_cached(
        "INSERT INTO listings_fts(rowid, name, organization, description, services, place) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![rowid, name, org, description, services, place])?;
    if let Some(loc) = listing.location {
        tx.prepare_cached(
            "INSERT INTO listings_geo(id, min_lat, max_lat, min_lon, max_lon) VALUES (?1, ?2, ?2, ?3, ?3)",
        )?
        .execute(params![rowid, loc.lat, loc.lon])?;
    }
    crate::contact::index::add_listing(tx, rowid, listing)?;
    Ok(())
}

/// Removes the listing at `rowid` from every index (before an update or a delete).
pub fn remove(tx: &Transaction<'_>, rowid: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM listing_tags WHERE listing = ?1")?.execute([rowid])?;
    tx.prepare_cached("DELETE FROM listings_fts WHERE rowid = ?1")?.execute([rowid])?;
    tx.prepare_cached("DELETE FROM listings_geo WHERE id = ?1")?.execute([rowid])?;
    crate::contact::index::remove_listing(tx, rowid)?;
    Ok(())
}

/// Empties and refills every index from the stored records.
pub fn rebuild(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch("DELETE FROM listing_tags; DELETE FROM listings_fts; DELETE FROM listings_geo;")?;
    crate::contact::index::clear(tx)?;
    let mut stmt = tx.prepare("SELECT listing, listing, record FROM listing_records")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let record: String = row.get(2)?;
        let listing: Listing = serde_json::from_str(&record)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?;
        add(tx, rowid, &listing)?;
    }
    Ok(())
}
