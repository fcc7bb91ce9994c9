//! Does a web address or handle imitate an official one? The tricks scammers use against
//! people who cannot check: confusable characters (Cyrillic `а` for Latin `a`, `rn` for
//! `m`), small edits, the same name under another top-level domain, and added hyphens,
//! digits or words (`sre-citas.mx`, `consulado_mx_oficial`).
//!
//! Confusables follow Unicode's skeleton algorithm (UTS #39, `unicode-security` crate).
//! The registrable label is found with a short list of second-level suffixes used along
//! the route (`gob.mx`, `com.co`, ...), not the full Public Suffix List: see
//! `docs/adr/0010-contact-checks.md`.

use serde::Serialize;
use unicode_security::confusable_detection::skeleton;

/// How an input imitates an official address or handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Likeness {
    /// Looks the same once confusable characters are folded (UTS #39 skeleton).
    Confusable,
    /// One or two characters added, removed or changed.
    SmallEdit,
    /// The same name under another top-level or second-level domain.
    OtherDomainEnding,
    /// The official name with hyphens, dots, digits or words added or swapped.
    Decorated,
    /// The official host used as a sub-domain of someone else's domain.
    OfficialNameAsSubdomain,
}

/// Second-level labels under a country code that are not registrable on their own.
const SECOND_LEVEL: &[&str] =
    &["com", "org", "net", "gob", "gov", "edu", "ac", "co", "mil", "nom", "int", "info", "go", "or"];

/// Splits a host into its registrable label and the ending after it:
/// `citas.sre.gob.mx` -> (`sre`, `gob.mx`), `example.org` -> (`example`, `org`).
pub fn registrable(host: &str) -> (&str, &str) {
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let suffix_labels = if n >= 3 && labels[n - 1].len() == 2 && SECOND_LEVEL.contains(&labels[n - 2]) { 2 } else { 1 };
    if n <= suffix_labels {
        return (host, "");
    }
    let label = labels[n - suffix_labels - 1];
    let start = host.len() - labels[n - suffix_labels..].iter().map(|l| l.len() + 1).sum::<usize>() + 1;
    (label, &host[start..])
}

/// The text a person sees for an ASCII (punycode) label.
pub(crate) fn unicode_form(label: &str) -> String {
    let (text, result) = idna::domain_to_unicode(label);
    if result.is_ok() {
        text
    } else {
        label.to_string()
    }
}

pub(crate) fn skeleton_of(s: &str) -> String {
    skeleton(s).collect()
}

/// Digits and separators scammers swap in: `0`->`o`, `1`->`l`, `3`->`e`, `5`->`s`,
/// separators dropped.
pub(crate) fn untricked(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .map(|c| match c {
            '0' => 'o',
            '1' => 'l',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            c => c,
        })
        .collect()
}

/// Largest edit distance still called a lookalike, by the official name's length: short
/// names differ from many real names by one character.
fn max_edits(official: &str) -> usize {
    max_edits_for_length(official.chars().count())
}

/// [`max_edits`] for a name of `chars` characters.
pub(crate) fn max_edits_for_length(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

/// Compares two names (labels or handles) that are not equal.
fn names_alike(input: &str, official: &str) -> Option<Likeness> {
    if input == official {
        return None;
    }
    let (shown_in, shown_off) = (unicode_form(input), unicode_form(official));
    if skeleton_of(&shown_in) == skeleton_of(&shown_off) {
        return Some(Likeness::Confusable);
    }
    let (plain_in, plain_off) = (untricked(&skeleton_of(&shown_in)), untricked(&skeleton_of(&shown_off)));
    if plain_in == plain_off {
        return Some(Likeness::Decorated);
    }
    let limit = max_edits(&shown_off);
    if limit > 0 && strsim::levenshtein(&shown_in, &shown_off) <= limit {
        return Some(Likeness::SmallEdit);
    }
    // The official name plus words: `sre-citas`, `consulado_mx_oficial`.
    if plain_off.chars().count() >= 4 && plain_in.contains(&plain_off) {
        return Some(Likeness::Decorated);
    }
    None
}

/// Does `input` (an ASCII host) imitate `official` (an ASCII host)? Equal hosts and
/// sub-domains of the official host are not lookalikes (they belong to the same owner).
pub fn host_alike(input: &str, official: &str) -> Option<Likeness> {
    if input == official || input.ends_with(&format!(".{official}")) {
        return None;
    }
    if input.starts_with(&format!("{official}.")) {
        return Some(Likeness::OfficialNameAsSubdomain);
    }
    let (label_in, end_in) = registrable(input);
    let (label_off, end_off) = registrable(official);
    if label_in == label_off {
        return (end_in != end_off).then_some(Likeness::OtherDomainEnding);
    }
    names_alike(label_in, label_off)
}

/// Does handle `input` imitate handle `official` (both lower case, without `@`)?
pub fn handle_alike(input: &str, official: &str) -> Option<Likeness> {
    names_alike(input, official)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_labels() {
        assert_eq!(registrable("citas.sre.gob.mx"), ("sre", "gob.mx"));
        assert_eq!(registrable("example.org"), ("example", "org"));
        assert_eq!(registrable("www.cancilleria.gov.co"), ("cancilleria", "gov.co"));
        assert_eq!(registrable("localhost"), ("localhost", ""));
    }

    #[test]
    fn catches_the_usual_tricks() {
        let official = "cancilleria.gov.co";
        assert_eq!(host_alike("cancilleria.com", official), Some(Likeness::OtherDomainEnding));
        assert_eq!(host_alike("cancileria.gov.co", official), Some(Likeness::SmallEdit));
        assert_eq!(host_alike("canciileria.gov.co", official), Some(Likeness::SmallEdit));
        assert_eq!(host_alike("cancilleria-citas.com", official), Some(Likeness::Decorated));
        assert_eq!(
            host_alike("cancilleria.gov.co.tramites.example", official),
            Some(Likeness::OfficialNameAsSubdomain)
        );
        // Cyrillic а (U+0430) in punycode.
        let cyrillic = idna::domain_to_ascii("cаncilleria.gov.co").unwrap();
        assert_eq!(host_alike(&cyrillic, official), Some(Likeness::Confusable));
        assert_eq!(host_alike("canci11eria.gov.co", official), Some(Likeness::Confusable), "digit one looks like l");
        assert_eq!(host_alike("canci-lleria.gov.co", official), Some(Likeness::Decorated));
        assert_eq!(host_alike("rnigracion.gob.mx", "migracion.gob.mx"), Some(Likeness::Confusable));
    }

    #[test]
    fn leaves_the_real_and_the_unrelated_alone() {
        let official = "cancilleria.gov.co";
        assert_eq!(host_alike("cancilleria.gov.co", official), None);
        assert_eq!(host_alike("citas.cancilleria.gov.co", official), None);
        assert_eq!(host_alike("wikipedia.org", official), None);
        assert_eq!(host_alike("acnur.org", "unhcr.org"), None);
        // Short names: one edit is too common to flag.
        assert_eq!(host_alike("sra.gob.mx", "sre.gob.mx"), None);
    }

    #[test]
    fn handles() {
        assert_eq!(handle_alike("demo_puentesur1", "demo_puentesur"), Some(Likeness::SmallEdit));
        assert_eq!(handle_alike("demo.puente.sur", "demo_puentesur"), Some(Likeness::Decorated));
        assert_eq!(handle_alike("demo_puentesur_oficial_mx", "demo_puentesur"), Some(Likeness::Decorated));
        assert_eq!(handle_alike("dеmo_puentesur", "demo_puentesur"), Some(Likeness::Confusable));
        assert_eq!(handle_alike("demo_riocoatan", "demo_puentesur"), None);
    }
}
