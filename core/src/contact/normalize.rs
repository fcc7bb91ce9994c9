//! Reading a contact the way people write or paste it: phone numbers in any format,
//! `tel:` and WhatsApp links, web addresses, e-mails and social-media handles, into one
//! normalized form that can be compared with the directory and the warnings.
//!
//! Nothing here panics on any input: it is bounded in length, hidden formatting characters
//! (right-to-left overrides, zero-width joiners) are dropped before reading, and the phone
//! library only ever sees short strings of digits and phone punctuation.

use serde::Serialize;
use url::Url;

use crate::country::CountryCode;

/// Longest input read, in bytes; anything longer is not a contact.
pub const MAX_INPUT_BYTES: usize = 2048;

/// What a piece of text turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    /// A phone number (also from `tel:`, `wa.me/` and `api.whatsapp.com` links).
    Phone,
    /// A web address.
    Url,
    /// An e-mail address.
    Email,
    /// A social-media account.
    Handle,
    /// Not a contact this code can read.
    Invalid,
}

/// A contact in normalized form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// What it is.
    pub kind: ContactKind,
    /// E.164 for phones, the lower-case ASCII host (punycode, no `www.`) for links, the
    /// lower-case address for e-mails, the handle without `@` for accounts; `None` when invalid.
    pub normalized: Option<String>,
    /// Lower-case path of a link (no trailing `/`), empty for a bare host.
    pub path: String,
    /// Network of a handle (`instagram`, `facebook`, `x`, `tiktok`, `telegram`, `youtube`),
    /// `None` when written as a bare `@name`.
    pub network: Option<String>,
    /// Why the input is not a contact (no personal data: never echoes the input).
    pub problem: Option<&'static str>,
    /// Other readings of a phone number, E.164, never the normalized number: the number
    /// written with `00` or `011` where that is not the region's international prefix,
    /// read as an international number ("also checked as +1 201 555 0033"). Compared with
    /// warnings only: a scam number written the foreign way still matches its warning.
    pub also: Vec<String>,
}

impl Contact {
    fn invalid(problem: &'static str) -> Contact {
        Contact {
            kind: ContactKind::Invalid,
            normalized: None,
            path: String::new(),
            network: None,
            problem: Some(problem),
            also: Vec::new(),
        }
    }

    fn of(kind: ContactKind, normalized: String) -> Contact {
        Contact {
            kind,
            normalized: Some(normalized),
            path: String::new(),
            network: None,
            problem: None,
            also: Vec::new(),
        }
    }

    /// The host of a link or e-mail, else `None`.
    pub fn host(&self) -> Option<&str> {
        match self.kind {
            ContactKind::Url => self.normalized.as_deref(),
            ContactKind::Email => self.normalized.as_deref().and_then(|e| e.rsplit_once('@')).map(|(_, h)| h),
            _ => None,
        }
    }

    /// The key this contact is indexed under (`tel:+1...`, `web:host`, `mail:a@b`,
    /// `handle:name`), shared by listings, warnings and queries.
    pub fn key(&self) -> Option<String> {
        let n = self.normalized.as_deref()?;
        Some(match self.kind {
            ContactKind::Phone => format!("tel:{n}"),
            ContactKind::Url => format!("web:{n}"),
            ContactKind::Email => format!("mail:{n}"),
            ContactKind::Handle => format!("handle:{n}"),
            ContactKind::Invalid => return None,
        })
    }
}

/// Reads `input` as a contact; `region` is the country whose national formats are assumed
/// for phone numbers written without `+` or `00` (trunk prefixes such as Colombia's or
/// Mexico's are handled by the phone library).
pub fn normalize(input: &str, region: Option<CountryCode>) -> Contact {
    if input.len() > MAX_INPUT_BYTES {
        return Contact::invalid("too long to be a contact");
    }
    // Bidi overrides and zero-width characters can make a link look like another; they are
    // never part of a real contact.
    let clean: String = input.chars().filter(|c| !is_hidden(*c)).collect();
    let text = clean.trim();
    if text.is_empty() {
        return Contact::invalid("empty");
    }
    let lower = text.to_lowercase();
    if let Some(rest) = strip_scheme(&lower, &["tel:", "sms:", "callto:"]) {
        return phone(rest, region);
    }
    if let Some(rest) = strip_scheme(&lower, &["mailto:"]) {
        return email(rest.split('?').next().unwrap_or(""));
    }
    if let Some(rest) = lower.strip_prefix('@') {
        return handle(rest, None);
    }
    if text.chars().any(char::is_whitespace) {
        // Only phone numbers are written with spaces.
        return phone(text, region);
    }
    if lower.contains("://") || lower.starts_with("www.") {
        return link(&lower, region);
    }
    if let Some((local, _)) = lower.split_once('@') {
        if !local.contains('/') {
            return email(&lower);
        }
    }
    if lower.contains('.') && lower.chars().any(|c| c.is_alphabetic()) {
        return link(&lower, region);
    }
    if lower.chars().all(is_phone_char) {
        return phone(text, region);
    }
    if lower.chars().all(is_handle_char) && lower.chars().any(char::is_alphabetic) {
        return handle(&lower, None);
    }
    Contact::invalid("not a phone number, web address, e-mail or handle")
}

fn strip_scheme<'a>(s: &'a str, schemes: &[&str]) -> Option<&'a str> {
    schemes.iter().find_map(|p| s.strip_prefix(p)).map(|r| r.trim_start_matches('/'))
}

/// Formatting and control characters: bidi overrides and isolates, zero-width characters,
/// the byte-order mark, and C0/C1 controls.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

fn is_phone_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | '(' | ')' | '/' | ' ' | '\u{a0}')
}

fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Mexico's numbering reform (August 2019) dropped the `1` written after `+52` before a
/// mobile number and the `044`, `045` and `01` national prefixes. libphonenumber's metadata
/// no longer reads them, but WhatsApp links and many people still write them: a number that
/// libphonenumber calls invalid and is one of those plus a valid 10-digit Mexican number is
/// that number (no valid Mexican number has 11 to 13 digits, so nothing else is meant).
fn mexican_legacy(p: &super::phone::Parsed) -> Option<String> {
    if p.country_code != 52 {
        return None;
    }
    let rest =
        ["1", "044", "045", "01"].iter().find_map(|pre| p.national.strip_prefix(pre).filter(|r| r.len() == 10))?;
    let n = super::phone::Parsed { country_code: 52, national: rest.to_string() };
    n.is_valid().then(|| n.e164())
}

/// A valid number as libphonenumber reads `text` in `region`, or by the Mexican rule above.
fn valid_reading(text: &str, region: Option<&str>) -> Result<Option<String>, super::phone::ParseError> {
    let parsed = super::phone::parse(text, region)?;
    Ok(if parsed.is_valid() { Some(parsed.e164()) } else { mexican_legacy(&parsed) })
}

/// A phone number, read exactly as libphonenumber reads it for `region` (see
/// [`super::phone`]): a number written with `+` reads the same in every region, and the
/// international prefix is the region's own (`011` in the US, `119` in Cuba, `00` with a
/// carrier code in Colombia and Brazil, `00` in most of the route).
///
/// Two rules go beyond libphonenumber, both where it has no answer: Mexico's pre-2019
/// forms (`+52 1 ...`, `044 ...`: see `mexican_legacy`), and, with no region at all, a
/// leading `00` read as the international prefix most of the world uses.
///
/// A number written with `00` or `011` where that is not the region's international prefix
/// (`001 201 555 0033` in the US) is not that number there; its reading as an international
/// number is kept in [`Contact::also`], for matching warnings only.
pub fn phone(raw: &str, region: Option<CountryCode>) -> Contact {
    let raw = raw.trim();
    if !raw.chars().all(is_phone_char) {
        return Contact::invalid("a phone number holds only digits, spaces and + - . ( ) /");
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if !(3..=25).contains(&digits.len()) {
        return Contact::invalid("too few or too many digits for a phone number");
    }
    let compact: String = raw.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    if compact.rfind('+').is_some_and(|i| i > 0) {
        return Contact::invalid("'+' can only start a phone number");
    }
    let region_id = region.map(|r| r.as_str().to_string());
    let plus = |rest: &str| valid_reading(&format!("+{rest}"), None).ok().flatten();
    let reading = match (region_id.as_deref(), digits.strip_prefix("00")) {
        (None, Some(rest)) if !compact.starts_with('+') => Ok(plus(rest)),
        (r, _) => valid_reading(raw, r),
    };
    // The number as dialled from elsewhere: "00 ..." or "011 ..." read as "+ ...".
    let mut also: Vec<String> = Vec::new();
    if !compact.starts_with('+') {
        for prefix in ["00", "011"] {
            if let Some(e164) = digits.strip_prefix(prefix).and_then(plus) {
                if reading.as_ref().ok().and_then(Option::as_ref) != Some(&e164) && !also.contains(&e164) {
                    also.push(e164);
                }
            }
        }
    }
    let mut contact = match reading {
        Ok(Some(e164)) if is_e164(&e164) => Contact::of(ContactKind::Phone, e164),
        Err(super::phone::ParseError::InvalidCountryCode) if region_id.is_none() && !compact.starts_with('+') => {
            Contact::invalid("a national phone number needs a country (give a region, or write it with +)")
        }
        _ => Contact::invalid("not a valid number in its country's numbering plan"),
    };
    contact.also = also;
    contact
}

/// An e-mail address (`local@domain`), the domain through IDNA.
pub fn email(raw: &str) -> Contact {
    let raw = raw.trim().to_lowercase();
    let Some((local, domain)) = raw.rsplit_once('@') else {
        return Contact::invalid("an e-mail address has an @");
    };
    if local.is_empty()
        || local.len() > 64
        || !local.chars().all(|c| c.is_alphanumeric() || "._%+-!#$&'*/=?^`{|}~".contains(c))
    {
        return Contact::invalid("the part before @ is not an e-mail user name");
    }
    match domain_name(domain) {
        Some(host) => Contact::of(ContactKind::Email, format!("{local}@{host}")),
        None => Contact::invalid("the part after @ is not a domain name"),
    }
}

/// A handle without `@`, lower case; `network` when known.
pub fn handle(raw: &str, network: Option<&str>) -> Contact {
    let name = raw.trim().trim_start_matches('@').to_lowercase();
    if name.is_empty() || name.len() > 64 || !name.chars().all(is_handle_char) {
        return Contact::invalid("a handle is 1 to 64 letters, digits, '_', '.' or '-'");
    }
    let mut c = Contact::of(ContactKind::Handle, name);
    c.network = network.map(str::to_string);
    c
}

/// Social networks recognised in links, by host (without `www.`/`m.`).
const NETWORKS: &[(&str, &str)] = &[
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("instagram.com", "instagram"),
    ("tiktok.com", "tiktok"),
    ("x.com", "x"),
    ("twitter.com", "x"),
    ("t.me", "telegram"),
    ("telegram.me", "telegram"),
    ("youtube.com", "youtube"),
];

/// A link: a web address, or a WhatsApp link (a phone) or a social profile (a handle).
fn link(lower: &str, region: Option<CountryCode>) -> Contact {
    let with_scheme = if lower.contains("://") { lower.to_string() } else { format!("https://{lower}") };
    let Ok(url) = Url::parse(&with_scheme) else {
        return Contact::invalid("not a web address");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Contact::invalid("only http and https links are read");
    }
    let Some(host) = url.host_str().and_then(domain_name) else {
        return Contact::invalid("the link has no domain name");
    };
    let host = host.strip_prefix("m.").filter(|h| h.contains('.')).unwrap_or(&host).to_string();
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    if host == "wa.me" {
        return match segments.first() {
            Some(number) => phone(&format!("+{}", number.trim_start_matches('+')), region),
            None => Contact::invalid("a wa.me link without a number"),
        };
    }
    if host == "api.whatsapp.com" || host == "web.whatsapp.com" {
        return match url.query_pairs().find(|(k, _)| k == "phone") {
            Some((_, number)) => phone(&format!("+{}", number.trim().trim_start_matches('+')), region),
            None => Contact::invalid("a WhatsApp link without a phone number"),
        };
    }
    if let Some((_, network)) = NETWORKS.iter().find(|(h, _)| *h == host) {
        // `t.me/s/<name>` is Telegram's web preview of channel <name>: only that exact
        // segment is skipped (`t.me/s<name>` is another account, maybe an impostor's).
        let skip = usize::from(*network == "telegram" && segments.len() > 1 && segments[0] == "s");
        let first = segments.get(skip).copied().unwrap_or("");
        if !first.is_empty() && !matches!(first, "profile.php" | "pages" | "groups" | "watch" | "channel" | "share") {
            return handle(first, Some(network));
        }
    }
    let path = url.path().trim_end_matches('/').to_string();
    Contact { kind: ContactKind::Url, normalized: Some(host), path, network: None, problem: None, also: Vec::new() }
}

/// A domain name in lower-case ASCII (IDNA to punycode), without `www.` or a trailing dot;
/// `None` unless it has at least two labels and an alphabetic top-level domain.
pub fn domain_name(raw: &str) -> Option<String> {
    let ascii = idna::domain_to_ascii(raw.trim().trim_end_matches('.')).ok()?;
    let host = ascii.strip_prefix("www.").unwrap_or(&ascii).to_string();
    let tld = host.rsplit('.').next()?;
    let valid_tld = tld.len() >= 2 && (tld.bytes().all(|b| b.is_ascii_lowercase()) || tld.starts_with("xn--"));
    (host.contains('.') && valid_tld && host.split('.').all(|l| !l.is_empty() && l.len() <= 63)).then_some(host)
}

/// True for an E.164 number: `+`, a country code not starting with 0, 7 to 15 digits in all
/// (Niue's `+683 4022` is the shortest in use).
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else { return false };
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mx() -> Option<CountryCode> {
        CountryCode::parse("MX")
    }

    fn norm(s: &str, region: Option<CountryCode>) -> (ContactKind, Option<String>) {
        let c = normalize(s, region);
        (c.kind, c.normalized)
    }

    #[test]
    fn phones_in_the_formats_people_write() {
        let us = CountryCode::parse("US");
        let want = (ContactKind::Phone, Some("+19155550123".to_string()));
        for s in [
            "+1 915 555 0123",
            "+1-915-555-0123",
            "+1.915.555.0123",
            "(915) 555-0123",
            "1 915 555 0123",
            "011 1 915 555 0123",
            "tel:+19155550123",
            "TEL:+1-915-555-0123",
            "https://wa.me/19155550123",
            "wa.me/19155550123",
            "https://api.whatsapp.com/send?phone=19155550123&text=hola",
            "\u{202E}+1 915 555 0123\u{202C}",
        ] {
            assert_eq!(norm(s, us), want, "{s:?}");
        }
        // Mexico: national number with the region, 00 international prefix; with no region,
        // 00 is read as the international prefix.
        assert_eq!(norm("55 5062 2200", mx()).1.as_deref(), Some("+525550622200"));
        assert_eq!(norm("0052 55 5062 2200", mx()).1.as_deref(), Some("+525550622200"));
        assert_eq!(norm("0052 55 5062 2200", None).1.as_deref(), Some("+525550622200"));
        // Colombia: national mobile; in Colombia 005 is a carrier's international prefix, so
        // 0057... dials Russia (as libphonenumber reads it); 00 + 57 is only another reading.
        assert_eq!(norm("300 123 4567", CountryCode::parse("CO")).1.as_deref(), Some("+573001234567"));
        let c = normalize("0057-301-0611973", CountryCode::parse("CO"));
        assert_eq!(
            (c.normalized.as_deref(), c.also.as_slice()),
            (Some("+73010611973"), &["+573010611973".to_string()][..])
        );
        // Guatemala: 8-digit national.
        assert_eq!(norm("2411-1900", CountryCode::parse("GT")).1.as_deref(), Some("+50224111900"));
    }

    #[test]
    fn plus_numbers_read_the_same_whatever_the_region() {
        for region in ["US", "MX", "GT", "CO", "BR", "CU", "DO", "CA", "PE", "AR"] {
            let r = CountryCode::parse(region);
            assert_eq!(norm("+502 1800 111 2993", r).1.as_deref(), Some("+50218001112993"), "{region}");
            assert_eq!(norm("+51 1 123 4676", r).1.as_deref(), Some("+5111234676"), "{region}");
            assert_eq!(norm("wa.me/50218001112993", r).1.as_deref(), Some("+50218001112993"), "{region}");
        }
    }

    #[test]
    fn foreign_international_prefixes_are_only_another_reading() {
        let us = CountryCode::parse("US");
        let c = normalize("001 201 555 0033", us);
        assert_eq!((c.kind, c.normalized.as_deref()), (ContactKind::Invalid, None));
        assert_eq!(c.also, ["+12015550033"]);
        // Cuba's international prefix is 119; Brazil's is 00 and a carrier code.
        assert_eq!(norm("119 1 201 555 0033", CountryCode::parse("CU")).1.as_deref(), Some("+12015550033"));
        assert_eq!(norm("0021 52 55 5062 2200", CountryCode::parse("BR")).1.as_deref(), Some("+525550622200"));
        // A + number has no other reading.
        assert!(normalize("+1 201 555 0033", us).also.is_empty());
    }

    #[test]
    fn mexican_numbers_in_their_pre_2019_forms() {
        for (s, region) in [
            ("+52 1 962 555 0199", None),
            ("+52 1 (962) 555 0199", mx()),
            ("+52 1 962 555 0199", CountryCode::parse("US")),
            ("https://wa.me/5219625550199", None),
            ("5219625550199", mx()),
            ("044 962 555 0199", mx()),
            ("045 962 555 0199", mx()),
            ("01 962 555 0199", mx()),
            ("011 52 1 962 555 0199", CountryCode::parse("US")),
        ] {
            assert_eq!(norm(s, region), (ContactKind::Phone, Some("+529625550199".to_string())), "{s:?} in {region:?}");
        }
    }

    #[test]
    fn national_numbers_need_a_region() {
        let c = normalize("915 555 0123", None);
        assert_eq!(c.kind, ContactKind::Invalid);
        assert!(c.problem.unwrap().contains("needs a country"));
        assert_eq!(normalize("+1 000 000 0000", None).kind, ContactKind::Invalid);
        assert_eq!(normalize("12", mx()).kind, ContactKind::Invalid);
    }

    #[test]
    fn links_are_lower_case_ascii_hosts_without_www() {
        let c = normalize("HTTPS://WWW.Example.ORG/Faro-Demo/Esperanza/", None);
        assert_eq!(
            (c.kind, c.normalized.as_deref(), c.path.as_str()),
            (ContactKind::Url, Some("example.org"), "/faro-demo/esperanza")
        );
        assert_eq!(norm("sre.gob.mx", None).1.as_deref(), Some("sre.gob.mx"));
        assert_eq!(norm("www.migración.mx", None).1.as_deref(), Some("xn--migracin-13a.mx"));
        // The real host of https://sre.gob.mx@evil.example is evil.example.
        assert_eq!(norm("https://sre.gob.mx@evil.example/", None).1.as_deref(), Some("evil.example"));
        assert_eq!(normalize("javascript:alert(1)", None).kind, ContactKind::Invalid);
    }

    #[test]
    fn emails_and_handles() {
        assert_eq!(norm("Info@Example.ORG", None), (ContactKind::Email, Some("info@example.org".into())));
        assert_eq!(norm("mailto:info@example.org?subject=x", None).1.as_deref(), Some("info@example.org"));
        assert_eq!(norm("@Demo_PuenteSur", None), (ContactKind::Handle, Some("demo_puentesur".into())));
        let c = normalize("https://www.instagram.com/demo_riocoatan/", None);
        assert_eq!(
            (c.kind, c.normalized.as_deref(), c.network.as_deref()),
            (ContactKind::Handle, Some("demo_riocoatan"), Some("instagram"))
        );
        let c = normalize("https://t.me/demo_colibri_salud", None);
        assert_eq!(c.network.as_deref(), Some("telegram"));
        let c = normalize("https://t.me/s/demo_colibri_salud", None);
        assert_eq!((c.normalized.as_deref(), c.network.as_deref()), (Some("demo_colibri_salud"), Some("telegram")));
        let c = normalize("https://www.tiktok.com/@demo_x", None);
        assert_eq!((c.normalized.as_deref(), c.network.as_deref()), (Some("demo_x"), Some("tiktok")));
        let c = normalize("https://m.facebook.com/demo_puentesur", None);
        assert_eq!((c.normalized.as_deref(), c.network.as_deref()), (Some("demo_puentesur"), Some("facebook")));
    }

    #[test]
    fn only_the_exact_telegram_preview_segment_is_skipped() {
        let read = |s: &str| {
            let c = normalize(s, None);
            (c.kind, c.normalized, c.network)
        };
        let telegram = |h: &str| (ContactKind::Handle, Some(h.to_string()), Some("telegram".to_string()));
        assert_eq!(read("https://t.me/s/demo_colibri_salud"), telegram("demo_colibri_salud"));
        assert_eq!(read("telegram.me/s/demo_colibri_salud/"), telegram("demo_colibri_salud"));
        // Other accounts, whose names start with "s": never read as the official one.
        assert_eq!(read("https://t.me/sdemo_colibri_salud"), telegram("sdemo_colibri_salud"));
        assert_eq!(read("https://t.me/sssssdemo_colibri_salud"), telegram("sssssdemo_colibri_salud"));
        assert_eq!(read("https://telegram.me/sdemo_colibri_salud"), telegram("sdemo_colibri_salud"));
        assert_eq!(read("https://t.me/s"), telegram("s"));
        assert_eq!(read("https://t.me/ss/demo_colibri_salud"), telegram("ss"));
    }

    #[test]
    fn bad_input_never_panics_and_is_invalid() {
        let huge = "9".repeat(1 << 20);
        for s in [
            "",
            "   ",
            "\u{0}\u{1}\u{7f}",
            "\u{202E}\u{202D}",
            "😀😀",
            "@",
            "@@@",
            "+",
            "++1",
            "http://",
            &huge,
            "a b c",
            "ﷺ",
        ] {
            assert_eq!(normalize(s, mx()).kind, ContactKind::Invalid, "{s:?}");
        }
    }
}
