//! A country named in the search text: "consulado honduras", "embajada de honduras",
//! "konsila ayiti", "ambassade haïti", "consulate of guatemala".
//!
//! A person who types a country's name with or without a word for a mission wants that
//! country's embassies and consulates (the country a mission *represents*), not the missions
//! located in it, and the directory's mission records are named in English only ("Embassy
//! of Honduras in Mexico City"). So the name is looked up, in any of the route's languages,
//! in the generated table `country_names.rs` (case, accents and punctuation ignored), and
//! [`Store::search`](crate::Store::search) first asks for that country's missions, with
//! whatever else was typed, and then for the ordinary text matches.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::country::CountryCode;
use crate::country_names::{COUNTRY_NAMES, MAX_NAME_WORDS};

/// Words for a diplomatic mission, folded, in es, en, fr, ht and pt. They say what the
/// person wants (a mission), which the represented-country filter already says.
const MISSION_WORDS: &[&str] = &[
    "consulado",
    "consulados",
    "embajada",
    "embajadas",
    "consul",
    "consules",
    "consular",
    "consulares",
    "general",
    "consulate",
    "consulates",
    "embassy",
    "embassies",
    "mission",
    "missions",
    "consulat",
    "consulats",
    "ambassade",
    "ambassades",
    "consulaire",
    "consulaires",
    "generale",
    "konsila",
    "konsilat",
    "anbasad",
    "anbasade",
    "konsil",
    "embaixada",
    "embaixadas",
    "geral",
];

/// Short words that join a mission word to a country's name ("embajada *de* Honduras",
/// "ambassade *d'*Haïti", "consulado *de* México *en* Tapachula"), folded, in es, en, fr,
/// ht and pt.
const JOINING_WORDS: &[&str] = &[
    "de", "del", "la", "el", "los", "las", "en", "y", "of", "the", "in", "for", "to", "and", "d", "du", "des", "l",
    "le", "les", "au", "aux", "a", "pour", "et", "nan", "pou", "ak", "an", "peyi", "do", "da", "dos", "das", "em",
    "no", "na", "e",
];

/// What was found in a query's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NamedCountry {
    /// The country named.
    pub country: CountryCode,
    /// The other words, mission and joining words left out ("houston" in
    /// "consulado de honduras en houston"); `None` when nothing else was typed.
    pub rest: Option<String>,
    /// The text with the name replaced by the country's English name as the index holds it
    /// ("konsila Haiti"), joining words left out: finds the missions located in the country.
    pub as_indexed: String,
}

/// Lower case, accents removed (NFD, combining marks dropped), split at anything that is
/// not a letter or a digit: the same folding as `scripts/gen_country_names.py`.
pub(crate) fn fold_words(text: &str) -> Vec<String> {
    let folded: String = text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect();
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

fn lookup(name: &str) -> Option<CountryCode> {
    COUNTRY_NAMES.binary_search_by(|(n, _)| (*n).cmp(name)).ok().and_then(|i| CountryCode::parse(COUNTRY_NAMES[i].1))
}

/// The first country named in `text` (the longest name at the earliest word: "república
/// dominicana" before "dominicana"), or `None`.
pub(crate) fn find_country(text: &str) -> Option<NamedCountry> {
    let words = fold_words(text);
    for start in 0..words.len() {
        for len in (1..=MAX_NAME_WORDS.min(words.len() - start)).rev() {
            let Some(country) = lookup(&words[start..start + len].join(" ")) else { continue };
            let keep = |w: &&String| !JOINING_WORDS.contains(&w.as_str());
            let (before, after) = (&words[..start], &words[start + len..]);
            let rest: Vec<&String> =
                before.iter().chain(after).filter(keep).filter(|w| !MISSION_WORDS.contains(&w.as_str())).collect();
            let mut indexed: Vec<&str> = before.iter().filter(keep).map(String::as_str).collect();
            indexed.push(country.name());
            indexed.extend(after.iter().filter(keep).map(String::as_str));
            let rest = rest.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(" ");
            return Some(NamedCountry {
                country,
                rest: (!rest.is_empty()).then_some(rest),
                // A trailing space: every word is complete, none is still being typed.
                as_indexed: format!("{} ", indexed.join(" ")),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<String> {
        find_country(text).map(|n| n.country.as_str().to_string())
    }

    #[test]
    fn names_in_the_five_languages_with_or_without_accents() {
        for (typed, expect) in [
            ("consulado honduras", "HN"),
            ("embajada de Honduras", "HN"),
            ("konsila ayiti", "HT"),
            ("ambassade haïti", "HT"),
            ("AMBASSADE D'HAITI", "HT"),
            ("consulate of guatemala", "GT"),
            ("consulado-geral do Brasil", "BR"),
            ("embaixada do méxico", "MX"),
            ("consulado de mexico", "MX"),
            ("embajada de EEUU", "US"),
            ("embajada de EE. UU.", "US"),
            ("konsila etazini", "US"),
            ("embajada de estados unidos", "US"),
            ("consulado de la república dominicana", "DO"),
            ("konsila repiblik dominikèn", "DO"),
            ("consulado el salvador", "SV"),
            ("ambassade du Salvador", "SV"),
            ("consulado de Panamá", "PA"),
        ] {
            assert_eq!(code(typed).as_deref(), Some(expect), "{typed}");
        }
    }

    #[test]
    fn the_rest_keeps_only_what_narrows() {
        let n = find_country("consulado de Honduras en Houston").unwrap();
        assert_eq!(n.rest.as_deref(), Some("houston"));
        assert_eq!(n.as_indexed, "consulado Honduras houston ");
        let n = find_country("konsila ayiti").unwrap();
        assert_eq!(n.rest, None);
        assert_eq!(n.as_indexed, "konsila Haiti ");
        // The first country named is the one represented; a second names a place.
        let n = find_country("embajada de guatemala en méxico").unwrap();
        assert_eq!(n.country.as_str(), "GT");
        assert_eq!(n.rest.as_deref(), Some("mexico"));
    }

    #[test]
    fn no_country_no_answer() {
        for typed in
            ["casa del migrante", "asesoria juridica tapachula", "", "de la", "granada", "georgia", "us", "end"]
        {
            assert_eq!(code(typed), None, "{typed}");
        }
    }

    #[test]
    fn folding_matches_the_generator() {
        assert_eq!(fold_words("Haïti, São Tomé & EE.UU."), ["haiti", "sao", "tome", "ee", "uu"]);
        // The table is sorted (binary search) and every entry is folded and a real code.
        assert!(COUNTRY_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        for (name, code) in COUNTRY_NAMES {
            assert_eq!(fold_words(name).join(" "), *name);
            assert!(CountryCode::parse(code).is_some(), "{code}");
            assert!(name.split(' ').count() <= MAX_NAME_WORDS);
        }
    }
}
