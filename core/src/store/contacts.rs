//! The contact index of listings: every phone, link, e-mail and handle of a listing under
//! its normalized key, so that a check is a few indexed lookups. Derived from the records
//! like the other listing indexes (`store::index` calls [`add_entries`],
//! [`remove_listing`] and [`clear`]), with the official names lookalikes are compared with
//! (`contact::names`).

use rusqlite::{params, Transaction};

use crate::contact::names;
use crate::contact::normalize::{self, Contact, ContactKind};
use crate::model::{Listing, Status};

/// The normalized contacts of a listing, with each one's detail (a link's path, a
/// handle's network). Contacts that do not normalize are left out.
pub fn listing_contacts(listing: &Listing) -> Vec<Contact> {
    let mut out: Vec<Contact> = Vec::new();
    // Stored phones are E.164 already; the library still checks them.
    out.extend(listing.phones.iter().map(|p| normalize::phone(&p.number, None)));
    out.extend(listing.emails.iter().map(|e| normalize::email(e)));
    out.extend(listing.websites.iter().map(|w| normalize::normalize(w, None)));
    for account in &listing.social {
        let mut c = normalize::normalize(&account.handle, None);
        if c.kind == ContactKind::Handle && c.network.is_none() {
            c.network = Some(account.network.clone());
        }
        out.push(c);
    }
    out.retain(|c| c.kind != ContactKind::Invalid);
    out
}

/// True when a listing's record makes its contacts official: someone verified it and it is
/// open. A check also requires its dataset to be signed by its publisher (a local import
/// never makes a contact official, `contact::check`); this flag is what the record says.
pub fn is_official(listing: &Listing) -> bool {
    listing.verified.is_some() && listing.status == Status::Active
}

/// The index entries of a listing's contacts: `(key, detail)` for each one that
/// normalizes. Pure computation, so a writer can do it ahead of its transaction.
pub fn entries(listing: &Listing) -> Vec<(String, String)> {
    listing_contacts(listing)
        .into_iter()
        .filter_map(|c| {
            let key = c.key()?;
            Some((key, c.network.unwrap_or(c.path)))
        })
        .collect()
}

/// Indexes contact `entries` (from [`entries`]) of the listing stored at `rowid`;
/// `official` as [`is_official`] says.
pub fn add_entries(
    tx: &Transaction<'_>,
    rowid: i64,
    official: bool,
    entries: &[(String, String)],
) -> rusqlite::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut stmt =
        tx.prepare_cached("INSERT INTO listing_contacts(key, listing, official, detail) VALUES (?1, ?2, ?3, ?4)")?;
    for (key, detail) in entries {
        stmt.execute(params![key, rowid, official, detail])?;
        if official {
            names::add(tx, key)?;
        }
    }
    Ok(())
}

/// Removes the contacts of the listing at `rowid`, and the official names no other
/// official listing has.
pub fn remove_listing(tx: &Transaction<'_>, rowid: i64) -> rusqlite::Result<()> {
    let official: Vec<String> = tx
        .prepare_cached("SELECT DISTINCT key FROM listing_contacts WHERE listing = ?1 AND official = 1")?
        .query_map([rowid], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tx.prepare_cached("DELETE FROM listing_contacts WHERE listing = ?1")?.execute([rowid])?;
    for key in official {
        names::remove_if_unused(tx, &key)?;
    }
    Ok(())
}

/// Empties the contact index, before it is rebuilt from the records.
pub fn clear(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM listing_contacts", [])?;
    names::clear(tx)
}
