//! The official names a lookalike can imitate, in a derived table, so that a check looks
//! up a few candidates instead of comparing the input with every official contact.
//!
//! Each official web host, e-mail domain and handle is stored once per contact key
//! (`official_names`) with what [`lookalike`](super::lookalike) compares: the host, the
//! registrable label or handle, and its plain form (confusables folded, digit tricks undone,
//! separators dropped). For small edits, each name is also cut into `k + 1` parts
//! (`official_name_parts`), `k` the edits allowed at its length: a name within `k` edits of
//! the input keeps at least one part intact, shifted by at most `k` characters (each edit
//! breaks at most one part), so looking up the input's substrings at those places finds it.
//!
//! "Official" here is what the records say (verified and active, `listing_contacts.official`):
//! names of locally imported listings are candidates too, and the check keeps only the rows
//! whose dataset is signed (`contact::check`), so a local import never makes a name official.
//!
//! The lookups find every name [`host_alike`](super::lookalike::host_alike) or
//! [`handle_alike`](super::lookalike::handle_alike) can accept, and those functions still
//! decide:
//! - the official host as the start of the input's host: the input's dot prefixes, by host;
//! - the same registrable label under another ending: by label;
//! - the same skeleton or plain form, or the plain form inside the input's: by plain form,
//!   for the input's plain form and each of its substrings of 4 characters or more;
//! - one or two characters added, removed or changed: by parts, then the edit distance
//!   itself (names made of common words share many parts).

use std::collections::BTreeSet;

use rusqlite::{params, Connection, Transaction};

use super::lookalike::{max_edits_for_length, registrable, skeleton_of, unicode_form, untricked};

/// Which official contacts an input is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Web sites and e-mail domains: compared by host.
    Host,
    /// Social-media handles.
    Handle,
}

impl Family {
    fn as_str(self) -> &'static str {
        match self {
            Family::Host => "host",
            Family::Handle => "handle",
        }
    }

    /// Key prefixes of the family, in the order a check reports them.
    pub(crate) fn prefixes(self) -> &'static [&'static str] {
        match self {
            Family::Host => &["web:", "mail:"],
            Family::Handle => &["handle:"],
        }
    }
}

/// What an official contact key is compared by: its family, its host (a web site's, an
/// e-mail's domain; empty for handles) and its name (the host's registrable label, or the
/// handle). `None` for phones.
pub(crate) fn compared_name(key: &str) -> Option<(Family, &str, &str)> {
    if let Some(host) = key.strip_prefix("web:") {
        return Some((Family::Host, host, registrable(host).0));
    }
    if let Some(address) = key.strip_prefix("mail:") {
        let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or(address);
        return Some((Family::Host, domain, registrable(domain).0));
    }
    key.strip_prefix("handle:").map(|handle| (Family::Handle, "", handle))
}

/// The parts, as character ranges, a name of `len` characters is cut into: one more than
/// the edits allowed at that length; none when no edit is allowed.
fn parts(len: usize) -> Vec<(usize, usize)> {
    let k = max_edits_for_length(len);
    if k == 0 {
        return Vec::new();
    }
    (0..=k).map(|i| (i * len / (k + 1), (i + 1) * len / (k + 1))).collect()
}

/// The shown form of `name`, as characters, and its plain form.
fn forms(name: &str) -> (Vec<char>, String) {
    let shown = unicode_form(name);
    let plain = untricked(&skeleton_of(&shown));
    (shown.chars().collect(), plain)
}

/// Records the official contact `key` (a no-op for phones and known keys).
pub(crate) fn add(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<()> {
    let Some((family, host, name)) = compared_name(key) else { return Ok(()) };
    if tx.prepare_cached("SELECT 1 FROM official_names WHERE key = ?1")?.exists([key])? {
        return Ok(());
    }
    let (shown, plain) = forms(name);
    tx.prepare_cached("INSERT INTO official_names(key, family, host, name, plain) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![key, family.as_str(), host, name, plain])?;
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO official_name_parts(family, length, part, text, name) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, (start, end)) in parts(shown.len()).into_iter().enumerate() {
        let text: String = shown[start..end].iter().collect();
        stmt.execute(params![family.as_str(), shown.len() as i64, i as i64, text, name])?;
    }
    Ok(())
}

/// Forgets `key` unless an official listing still has it (call after its listing's rows
/// are gone from `listing_contacts`).
pub(crate) fn remove_if_unused(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<()> {
    let Some((family, _, name)) = compared_name(key) else { return Ok(()) };
    if tx.prepare_cached("SELECT 1 FROM listing_contacts WHERE key = ?1 AND official = 1")?.exists([key])? {
        return Ok(());
    }
    if tx.prepare_cached("DELETE FROM official_names WHERE key = ?1")?.execute([key])? == 0 {
        return Ok(());
    }
    // Parts belong to the name, which other keys (other addresses at a domain) may share.
    let shared = tx
        .prepare_cached("SELECT 1 FROM official_names WHERE family = ?1 AND name = ?2")?
        .exists(params![family.as_str(), name])?;
    if shared {
        return Ok(());
    }
    let (shown, _) = forms(name);
    let mut stmt = tx.prepare_cached(
        "DELETE FROM official_name_parts WHERE family = ?1 AND length = ?2 AND part = ?3 AND text = ?4 AND name = ?5",
    )?;
    for (i, (start, end)) in parts(shown.len()).into_iter().enumerate() {
        let text: String = shown[start..end].iter().collect();
        stmt.execute(params![family.as_str(), shown.len() as i64, i as i64, text, name])?;
    }
    Ok(())
}

/// Empties the tables (before a rebuild of the contact index).
pub(crate) fn clear(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch("DELETE FROM official_names; DELETE FROM official_name_parts;")
}

const BY_HOST: &str = "SELECT key FROM official_names WHERE family = 'host' AND host = ?1";
const BY_LABEL: &str = "SELECT key FROM official_names WHERE family = 'host' AND name = ?1";
const BY_PLAIN: &str = "SELECT key FROM official_names WHERE family = ?1 AND plain = ?2";
// CROSS JOIN keeps the parts as the outer loop: the planner would otherwise walk every
// name of the family.
const BY_PART: &str = "SELECT o.key, o.name FROM official_name_parts p CROSS JOIN official_names o
                       ON o.family = p.family AND o.name = p.name
                       WHERE p.family = ?1 AND p.length = ?2 AND p.part = ?3 AND p.text = ?4";

/// Keys of the official contacts of `family` that `mine` (a host, or a handle) may
/// imitate: every one the lookalike rules can accept, and a few more. In the order of
/// [`Family::prefixes`], then by key, as a scan of the contact index reads them.
pub(crate) fn candidates(conn: &Connection, family: Family, mine: &str) -> rusqlite::Result<Vec<String>> {
    let mut keys: BTreeSet<String> = BTreeSet::new();
    let mut collect = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<()> {
        let mut stmt = conn.prepare_cached(sql)?;
        let found = stmt.query_map(args, |r| r.get::<_, String>(0))?;
        for key in found {
            keys.insert(key?);
        }
        Ok(())
    };
    let f = family.as_str();
    let name = match family {
        Family::Host => {
            for (dot, _) in mine.match_indices('.') {
                collect(BY_HOST, &[&&mine[..dot]])?;
            }
            let label = registrable(mine).0;
            collect(BY_LABEL, &[&label])?;
            label
        }
        Family::Handle => mine,
    };
    let (shown, plain) = forms(name);
    collect(BY_PLAIN, &[&f, &plain])?;
    let mut seen = std::collections::HashSet::from([plain.clone()]);
    let plain: Vec<char> = plain.chars().collect();
    for len in 4..=plain.len() {
        for start in 0..=plain.len() - len {
            let sub: String = plain[start..start + len].iter().collect();
            if seen.insert(sub.clone()) {
                collect(BY_PLAIN, &[&f, &sub])?;
            }
        }
    }
    // Names sharing a part are many when names are made of common words: the edit
    // distance, the only rule this lookup is for, is tested here, once per name.
    let mut stmt = conn.prepare_cached(BY_PART)?;
    let mut near: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    let shown_text: String = shown.iter().collect();
    let n = shown.len();
    for m in n.saturating_sub(2)..=n + 2 {
        let k = max_edits_for_length(m);
        if k == 0 || m.abs_diff(n) > k {
            continue;
        }
        for (i, (start, end)) in parts(m).into_iter().enumerate() {
            for at in start.saturating_sub(k)..=start + k {
                if at + (end - start) > n {
                    continue;
                }
                let text: String = shown[at..at + end - start].iter().collect();
                let mut rows = stmt.query(params![f, m as i64, i as i64, text])?;
                while let Some(row) = rows.next()? {
                    let name: String = row.get(1)?;
                    let within = *near
                        .entry(name)
                        .or_insert_with_key(|name| strsim::levenshtein(&shown_text, &unicode_form(name)) <= k);
                    if within {
                        keys.insert(row.get(0)?);
                    }
                }
            }
        }
    }
    let mut out: Vec<String> = keys.into_iter().collect();
    out.sort_by_key(|key| family.prefixes().iter().position(|p| key.starts_with(p)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lookup_is_an_index_search() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path().join("n.db")).unwrap();
        store
            .read(|conn| {
                for sql in [BY_HOST, BY_LABEL, BY_PLAIN, BY_PART] {
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
                    let plan: Vec<String> = stmt
                        .query_map(rusqlite::params_from_iter(unbound), |r| r.get::<_, String>(3))?
                        .collect::<rusqlite::Result<_>>()?;
                    assert!(plan.iter().all(|step| step.starts_with("SEARCH") && step.contains("=?)")), "{plan:?}");
                    if sql == BY_PART {
                        assert!(
                            plan[0].starts_with("SEARCH p ") && plan[1].contains("(family=? AND name=?)"),
                            "{plan:?}"
                        );
                    }
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn names_compared_by_key() {
        assert_eq!(compared_name("web:citas.sre.gob.mx"), Some((Family::Host, "citas.sre.gob.mx", "sre")));
        assert_eq!(compared_name("mail:info@acnur.org"), Some((Family::Host, "acnur.org", "acnur")));
        assert_eq!(compared_name("handle:demo_x"), Some((Family::Handle, "", "demo_x")));
        assert_eq!(compared_name("tel:+19155550123"), None);
    }

    #[test]
    fn parts_cover_the_name_one_more_than_the_edits_allowed() {
        assert!(parts(3).is_empty());
        assert_eq!(parts(4), [(0, 2), (2, 4)]);
        assert_eq!(parts(6), [(0, 3), (3, 6)]);
        assert_eq!(parts(7), [(0, 2), (2, 4), (4, 7)]);
        for len in 4..70 {
            let p = parts(len);
            assert_eq!((p[0].0, p[p.len() - 1].1), (0, len));
            assert!(p.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1), "{len}: {p:?}");
        }
    }
}
