//! Checks a [`Listing`] beyond what its types guarantee: ids, coordinates, E.164 phones,
//! e-mail and web addresses, consulate details, time zones and opening hours.
//!
//! Every problem is reported with the path of the field, so that a publisher can fix the
//! row: `phones[1].number: "+52 962 123" is not E.164 (+ and 8 to 15 digits)`.

use super::{Kind, Listing, LocalizedText};
use crate::error::InputError;

/// One problem found in a listing: the field path and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Path of the field (`phones[0].number`).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl FieldProblem {
    pub(crate) fn new(field: impl Into<String>, reason: impl Into<String>) -> FieldProblem {
        FieldProblem { field: field.into(), reason: reason.into() }
    }

    /// Turns the problem into an [`InputError`] located in `file` at `line`.
    pub fn at(self, file: &str, line: Option<u64>, record: &str) -> InputError {
        let mut e = InputError::new(file, self.reason).record(record).field(self.field);
        e.line = line;
        e
    }
}

/// Longest accepted id, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// Checks an id: `<namespace>:<local>`, namespace in `[a-z0-9_-]`, local part printable
/// ASCII without spaces, at most [`MAX_ID_LEN`] bytes.
pub fn check_id(id: &str) -> Result<(), String> {
    let Some((ns, local)) = id.split_once(':') else {
        return Err(format!("{id:?} must look like namespace:local-id (e.g. demo:tapachula-legal-01)"));
    };
    if id.len() > MAX_ID_LEN {
        return Err(format!("longer than {MAX_ID_LEN} bytes"));
    }
    if ns.is_empty() || !ns.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
        return Err(format!("{id:?}: the namespace before ':' must be lower-case letters, digits, '_' or '-'"));
    }
    if local.is_empty() || !local.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("{id:?}: the part after ':' must be non-empty printable ASCII without spaces"));
    }
    Ok(())
}

/// True for an E.164 number (defined with the contact reading, which `model` depends on).
pub use crate::contact::normalize::is_e164;

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
}

fn is_web_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/') && !s.chars().any(char::is_whitespace))
}

/// Longest name, title, headline or other short text (a street, a handle, a phone note),
/// in characters. Documented in `docs/data-format.md`, with the other limits.
pub const MAX_NAME_CHARS: usize = 300;
/// Longest description, summary, note or advice, in characters (about two pages).
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Longest rights article body, in characters (a long legal explainer is 30,000).
pub const MAX_BODY_CHARS: usize = 100_000;
/// Longest URL or e-mail address, in characters.
pub const MAX_URL_CHARS: usize = 2_000;

/// Checks that `value` has at most `max` characters; the problem says the length and the
/// limit, never the text.
pub(crate) fn check_len(field: &str, value: &str, max: usize, out: &mut Vec<FieldProblem>) {
    // A string of at most `max` bytes has at most `max` characters: count only longer ones.
    if value.len() > max {
        let chars = value.chars().count();
        if chars > max {
            out.push(FieldProblem::new(field, format!("is {chars} characters long, the limit is {max}")));
        }
    }
}

pub(crate) fn check_text(field: &str, text: &LocalizedText, required: bool, max: usize, out: &mut Vec<FieldProblem>) {
    if required && text.is_empty() {
        out.push(FieldProblem::new(field, "is required (at least one language)"));
    }
    for (lang, value) in text {
        if value.trim().is_empty() {
            out.push(FieldProblem::new(format!("{field}.{lang}"), "is blank"));
        }
        // The field's name is written only for a value that may be too long: this runs for
        // every text of every record of an import or sync.
        if value.len() > max {
            check_len(&format!("{field}.{lang}"), value, max, out);
        }
    }
}

/// Checks everything about `listing` except its opening hours, which need the hours
/// engine (see [`crate::hours`]); returns every problem found, empty when valid.
pub fn check_listing(listing: &Listing) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if let Err(reason) = check_id(&listing.id) {
        out.push(FieldProblem::new("id", reason));
    }
    check_text("name", &listing.name, true, MAX_NAME_CHARS, &mut out);
    check_text("organization", &listing.organization, false, MAX_NAME_CHARS, &mut out);
    check_text("description", &listing.description, false, MAX_TEXT_CHARS, &mut out);
    check_text("status_note", &listing.status_note, false, MAX_TEXT_CHARS, &mut out);
    check_text("eligibility.note", &listing.eligibility.note, false, MAX_TEXT_CHARS, &mut out);
    for (i, status) in listing.eligibility.migration_status.iter().enumerate() {
        check_len(&format!("eligibility.migration_status[{i}]"), status, MAX_NAME_CHARS, &mut out);
    }
    if let Some(mission_type) = listing.consulate.as_ref().and_then(|c| c.mission_type.as_ref()) {
        check_len("consulate.mission_type", mission_type, MAX_NAME_CHARS, &mut out);
    }
    if let Some(verified) = &listing.verified {
        check_len("verified.by", &verified.by, MAX_NAME_CHARS, &mut out);
    }
    if let Some(source) = &listing.source {
        check_len("source.name", &source.name, MAX_NAME_CHARS, &mut out);
        check_len("source.url", source.url.as_deref().unwrap_or(""), MAX_URL_CHARS, &mut out);
        check_len("source.license", source.license.as_deref().unwrap_or(""), MAX_NAME_CHARS, &mut out);
    }
    match (listing.kind, &listing.consulate) {
        (Kind::Consulate, None) => out.push(FieldProblem::new(
            "consulate",
            "is required for kind consulate (at least {\"represents\": \"<ISO 3166-1 code>\"})",
        )),
        (kind, Some(_)) if kind != Kind::Consulate => {
            out.push(FieldProblem::new("consulate", format!("is only allowed for kind consulate, not {kind}")))
        }
        _ => {}
    }
    if let Some(loc) = listing.location {
        if !(loc.lat.is_finite() && (-90.0..=90.0).contains(&loc.lat)) {
            out.push(FieldProblem::new("location.lat", format!("{} is not a latitude (-90 to 90)", loc.lat)));
        }
        if !(loc.lon.is_finite() && (-180.0..=180.0).contains(&loc.lon)) {
            out.push(FieldProblem::new("location.lon", format!("{} is not a longitude (-180 to 180)", loc.lon)));
        }
        if loc.lat == 0.0 && loc.lon == 0.0 {
            out.push(FieldProblem::new("location", "0,0 is a placeholder, not a place (leave location out instead)"));
        }
    }
    if let Some(address) = &listing.address {
        check_text("address.street", &address.street, false, MAX_NAME_CHARS, &mut out);
        for (field, value) in
            [("locality", &address.locality), ("region", &address.region), ("postal_code", &address.postal_code)]
        {
            let value = value.as_deref().unwrap_or("");
            if value.len() > MAX_NAME_CHARS {
                check_len(&format!("address.{field}"), value, MAX_NAME_CHARS, &mut out);
            }
        }
    }
    let country = listing.address.as_ref().map(|a| a.country);
    for (i, phone) in listing.phones.iter().enumerate() {
        if !is_e164(&phone.number) {
            // Read in the listing's country, to say what was meant (or that it is not a
            // number there: a neighbouring country's number without its code).
            let reading =
                super::plausible::phone_problem(&phone.number, country).map(|r| format!(": {r}")).unwrap_or_default();
            out.push(FieldProblem::new(
                format!("phones[{i}].number"),
                format!(
                    "{:?} is not E.164 (+, country code and number, 7 to 15 digits, no spaces){reading}",
                    phone.number
                ),
            ));
        }
        check_text(&format!("phones[{i}].note"), &phone.note, false, MAX_NAME_CHARS, &mut out);
    }
    for (i, email) in listing.emails.iter().enumerate() {
        check_len(&format!("emails[{i}]"), email, MAX_URL_CHARS, &mut out);
        if !is_email(email) {
            out.push(FieldProblem::new(format!("emails[{i}]"), format!("{email:?} is not an e-mail address")));
        }
    }
    for (i, url) in listing.websites.iter().enumerate() {
        check_len(&format!("websites[{i}]"), url, MAX_URL_CHARS, &mut out);
        if !is_web_url(url) {
            out.push(FieldProblem::new(format!("websites[{i}]"), format!("{url:?} is not an http(s) URL")));
        }
    }
    for (i, account) in listing.social.iter().enumerate() {
        if account.network.is_empty() || account.network.bytes().any(|b| !b.is_ascii_lowercase()) {
            out.push(FieldProblem::new(
                format!("social[{i}].network"),
                "must be a lower-case network name (facebook, x, instagram, ...)",
            ));
        }
        check_len(&format!("social[{i}].network"), &account.network, MAX_NAME_CHARS, &mut out);
        check_len(&format!("social[{i}].handle"), &account.handle, MAX_NAME_CHARS, &mut out);
        if account.handle.trim().is_empty() {
            out.push(FieldProblem::new(format!("social[{i}].handle"), "is blank"));
        }
    }
    if listing.opening_hours.is_some() && listing.timezone.is_none() {
        out.push(FieldProblem::new(
            "timezone",
            "is required with opening_hours (an IANA zone such as America/Mexico_City)",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(check_id("wd:Q106450319").is_ok());
        assert!(check_id("demo:tapachula-legal-01").is_ok());
        assert!(check_id("no-namespace").is_err());
        assert!(check_id("Demo:x").is_err());
        assert!(check_id("demo:with space").is_err());
        assert!(check_id("demo:").is_err());
        assert!(check_id(&format!("demo:{}", "x".repeat(200))).is_err());
    }

    #[test]
    fn e164() {
        assert!(is_e164("+529621234567"));
        assert!(is_e164("+50422223333"));
        assert!(!is_e164("529621234567"), "needs +");
        assert!(!is_e164("+52 962 123 4567"), "no spaces");
        assert!(!is_e164("+0123456789"));
        assert!(is_e164("+6834022"), "Niue");
        assert!(!is_e164("+123456"), "too short");
        assert!(!is_e164("+1234567890123456"), "too long");
    }

    #[test]
    fn emails_and_urls() {
        assert!(is_email("info@example.org"));
        assert!(!is_email("info@example"));
        assert!(!is_email("@example.org"));
        assert!(!is_email("a b@example.org"));
        assert!(is_web_url("https://example.org/x"));
        assert!(!is_web_url("ftp://example.org"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("javascript:alert(1)"));
    }
}
