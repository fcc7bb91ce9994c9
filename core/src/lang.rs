//! BCP 47 language tags and the caller-chosen fallback chain that picks which text to show.
//!
//! A person who reads Haitian Creole asks for `ht, fr, es, en`: every localized field is
//! shown in the first of those languages the record has, then in any language it has, so a
//! listing is never blank.
//!
//! An article or a warning is read as a whole: [`LangPrefs::item_lang`] picks one language
//! for all of its parts (title, summary, body...), so that a reader never gets a Creole title
//! over an English body without being told; a part missing in that language is a
//! [`Part`] whose `lang` says which language it falls back to.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[rustfmt::skip]
pub mod subtags;

/// Text in several languages, keyed by BCP 47 tag (`"es"`, `"ht"`, `"pt-BR"`).
///
/// Which one a person sees is chosen by [`LangPrefs::pick`].
pub type LocalizedText = BTreeMap<LangTag, String>;

/// A well-formed BCP 47 language tag in canonical case (`es`, `pt-BR`, `zh-Hant`).
///
/// Compared, ordered and hashed as its text. A tag of up to [`INLINE`] bytes (nearly all:
/// `es`, `pt-BR`, `sr-Latn-RS`) is held inline: a listing has a tag per language of each of
/// its texts, and a large import or sync reads hundreds of thousands of them, which would
/// otherwise each be a heap string to make and free.
#[derive(Clone)]
pub struct LangTag(Repr);

/// Bytes of a tag held inline in a [`LangTag`].
const INLINE: usize = 15;

#[derive(Clone)]
enum Repr {
    /// The first `len` bytes of `bytes` (ASCII, as every well-formed tag is).
    Inline { len: u8, bytes: [u8; INLINE] },
    /// A longer tag.
    Heap(Box<str>),
}

impl LangTag {
    /// Holds `tag`, already well-formed and normalized.
    fn from_normalized(tag: &str) -> LangTag {
        let b = tag.as_bytes();
        if b.len() > INLINE {
            return LangTag(Repr::Heap(tag.into()));
        }
        let mut bytes = [0u8; INLINE];
        bytes[..b.len()].copy_from_slice(b);
        LangTag(Repr::Inline { len: b.len() as u8, bytes })
    }
}

impl PartialEq for LangTag {
    fn eq(&self, other: &LangTag) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for LangTag {}

impl PartialOrd for LangTag {
    fn partial_cmp(&self, other: &LangTag) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LangTag {
    fn cmp(&self, other: &LangTag) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for LangTag {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for LangTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LangTag").field(&self.as_str()).finish()
    }
}

/// Error for a string that is not a well-formed BCP 47 tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{tag:?} is not a BCP 47 language tag: {reason}")]
pub struct BadLangTag {
    /// The rejected input.
    pub tag: String,
    /// Why it was rejected.
    pub reason: String,
}

impl LangTag {
    /// Parses and canonicalizes case (`PT-br` becomes `pt-BR`).
    pub fn parse(s: &str) -> Result<LangTag, BadLangTag> {
        // Nearly every tag in a record is a bare two- or three-letter language in lower case
        // (`es`, `ht`): already well-formed and normalized, so it is taken as it is without
        // the full parser (which allocates twice); the test below checks every such string
        // against the parser.
        if is_bare_language(s) {
            return Ok(LangTag::from_normalized(s));
        }
        let parsed = oxilangtag::LanguageTag::parse_and_normalize(s.trim())
            .map_err(|e| BadLangTag { tag: s.to_string(), reason: e.to_string() })?;
        Ok(LangTag::from_normalized(parsed.as_str()))
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always ASCII: only well-formed tags are held (the check costs a few bytes).
            Repr::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default(),
            Repr::Heap(tag) => tag,
        }
    }

    /// The primary language subtag (`pt` for `pt-BR`), lower case.
    pub fn primary(&self) -> &str {
        let tag = self.as_str();
        tag.split('-').next().unwrap_or(tag)
    }
}

/// A two- or three-letter primary language in lower case: a well-formed, normalized tag.
fn is_bare_language(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

impl fmt::Display for LangTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LangTag {
    type Err = BadLangTag;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LangTag::parse(s)
    }
}

impl Serialize for LangTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LangTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read as borrowed text where the input allows (a JSON key or string without
        // escapes): a tag then costs no heap string at all.
        struct Tag;
        impl serde::de::Visitor<'_> for Tag {
            type Value = LangTag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a BCP 47 language tag")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<LangTag, E> {
                LangTag::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(Tag)
    }
}

/// Names people write where a language tag belongs, in the languages of the route, and the
/// tag meant. English names of two-letter languages come from the registry
/// ([`subtags::NAMES`]); these are the autonyms and spellings it does not hold.
const NAME_HINTS: &[(&str, &str)] = &[
    ("castellano", "es"),
    ("creole", "ht"),
    ("creol", "ht"),
    ("creole haitien", "ht"),
    ("criollo", "ht"),
    ("english", "en"),
    ("espanol", "es"),
    ("francais", "fr"),
    ("haitien", "ht"),
    ("ingles", "en"),
    ("kreyol", "ht"),
    ("kreyol ayisyen", "ht"),
    ("portugues", "pt"),
];

/// Lower case without the accents of the Latin letters our five languages use, matching
/// what the index's `remove_diacritics` does to the same words.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// Lower case without accents or separators (`Kreyòl_ayisyen` -> `kreyol ayisyen`), the form
/// [`name_hint`] looks names up in.
fn fold_name(s: &str) -> String {
    fold(s).replace(['-', '_'], " ")
}

/// The tag meant by a language's name written as a tag (`kreyol` -> `ht`, `English` -> `en`).
pub fn name_hint(written: &str) -> Option<&'static str> {
    let name = fold_name(written.trim());
    NAME_HINTS.iter().chain(subtags::NAMES).find(|(n, _)| *n == name).map(|(_, tag)| *tag)
}

impl LangTag {
    /// Checks that the tag's language, script and region subtags are registered in the IANA
    /// Language Subtag Registry (as of [`subtags::FILE_DATE`]) and that its language is not
    /// deprecated. A well-formed tag can still be a word (`kreyol`, `english`: BCP 47 allows
    /// 5 to 8 letters for a language); the error then says which tag was meant.
    /// Private-use tags (`x-...`) and irregular grandfathered ones (`i-...`) are not checked.
    pub fn check_registered(&self) -> Result<(), String> {
        let tag = self.as_str();
        if tag.starts_with("x-") || tag.starts_with("i-") {
            return Ok(());
        }
        // A bare language (nearly every tag) is its own primary subtag, without a script or
        // region: no parse.
        let parsed = if is_bare_language(tag) {
            None
        } else {
            match oxilangtag::LanguageTag::parse(tag) {
                Ok(parsed) => Some(parsed),
                Err(_) => return Err(format!("{tag:?} is not a BCP 47 language tag")),
            }
        };
        let language = parsed.as_ref().map_or(tag, |p| p.primary_language());
        let registered = subtags::pack(language).is_some_and(|p| subtags::LANGUAGES.binary_search(&p).is_ok());
        if !registered {
            let hint = match name_hint(language).or_else(|| name_hint(tag)) {
                Some(meant) => format!(" (a language's name, not its tag: use {meant})"),
                None => " (use a code such as es, en, fr, ht or pt)".to_string(),
            };
            return Err(format!("{tag:?}: {language:?} is not a registered language subtag{hint}"));
        }
        if let Ok(i) = subtags::DEPRECATED.binary_search_by(|(d, _)| d.cmp(&language)) {
            let preferred = subtags::DEPRECATED[i].1;
            return Err(format!("{tag:?}: {language:?} is a deprecated language subtag: use {preferred}"));
        }
        let Some(parsed) = parsed else { return Ok(()) };
        if let Some(script) = parsed.script() {
            if subtags::SCRIPTS.binary_search(&script).is_err() {
                return Err(format!("{tag:?}: {script:?} is not a registered script subtag"));
            }
        }
        if let Some(region) = parsed.region() {
            if subtags::REGIONS.binary_search(&region).is_err() {
                return Err(format!("{tag:?}: {region:?} is not a registered region subtag"));
            }
        }
        Ok(())
    }
}

/// The languages a person reads, most preferred first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangPrefs(Vec<LangTag>);

impl Default for LangPrefs {
    /// Spanish, then English: the lingua francas along the route.
    fn default() -> Self {
        LangPrefs(vec![LangTag::from_normalized("es"), LangTag::from_normalized("en")])
    }
}

impl LangPrefs {
    /// A chain from tags, most preferred first.
    pub fn new(tags: Vec<LangTag>) -> LangPrefs {
        LangPrefs(tags)
    }

    /// Parses a comma-separated list (`"ht,fr,es,en"`).
    pub fn parse_list(s: &str) -> Result<LangPrefs, BadLangTag> {
        s.split(',').filter(|t| !t.trim().is_empty()).map(LangTag::parse).collect::<Result<Vec<_>, _>>().map(LangPrefs)
    }

    /// The tags, most preferred first.
    pub fn tags(&self) -> &[LangTag] {
        &self.0
    }

    /// Picks the text to show: the first preferred language present (exact tag, then
    /// same primary language, so `es` matches `es-MX` and the reverse), else the first
    /// text the record has. `None` only when the field is empty.
    pub fn pick<'a>(&self, text: &'a LocalizedText) -> Option<(&'a LangTag, &'a str)> {
        for want in &self.0 {
            if let Some((tag, value)) = text.get_key_value(want) {
                return Some((tag, value.as_str()));
            }
            if let Some((tag, value)) = text.iter().find(|(t, _)| t.primary() == want.primary()) {
                return Some((tag, value.as_str()));
            }
        }
        text.iter().next().map(|(t, v)| (t, v.as_str()))
    }

    /// Like [`LangPrefs::pick`] but only the text, empty when the field is empty.
    pub fn text<'a>(&self, text: &'a LocalizedText) -> &'a str {
        self.pick(text).map(|(_, v)| v).unwrap_or("")
    }
}

/// One localized part of an item as shown: the text and the language it is written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The text.
    pub text: String,
    /// Its language.
    pub lang: LangTag,
}

/// The text of `text` in `lang`: the exact tag, else the same primary language.
fn text_in<'a>(text: &'a LocalizedText, lang: &LangTag) -> Option<(&'a LangTag, &'a str)> {
    text.get_key_value(lang)
        .or_else(|| text.iter().find(|(t, _)| t.primary() == lang.primary()))
        .map(|(t, v)| (t, v.as_str()))
}

impl LangPrefs {
    /// The one language to show an item (an article, a warning) in, given all of its
    /// localized parts: the first preferred language that has every non-empty part; if none
    /// has them all, the preferred language that has the most parts (the reader reads it);
    /// if none has any, the language the item has most parts in. `None` when every part is
    /// empty.
    pub fn item_lang(&self, parts: &[&LocalizedText]) -> Option<LangTag> {
        let parts: Vec<&LocalizedText> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
        let covered = |lang: &LangTag| parts.iter().filter(|p| text_in(p, lang).is_some()).count();
        let most = |langs: &mut dyn Iterator<Item = &LangTag>| {
            let mut best: Option<(&LangTag, usize)> = None;
            for lang in langs {
                let n = covered(lang);
                if n > best.map_or(0, |(_, b)| b) {
                    best = Some((lang, n));
                }
            }
            best.map(|(l, _)| l.clone())
        };
        // The first to reach the maximum wins, so a complete preferred language comes first.
        most(&mut self.0.iter()).or_else(|| most(&mut parts.iter().flat_map(|p| p.keys())))
    }

    /// One part of an item shown in `item` (from [`LangPrefs::item_lang`]): its text in that
    /// language, else in the caller's chain ([`LangPrefs::pick`]); `None` when the part is empty.
    pub fn part(&self, item: Option<&LangTag>, text: &LocalizedText) -> Option<Part> {
        item.and_then(|l| text_in(text, l))
            .or_else(|| self.pick(text))
            .map(|(lang, text)| Part { text: text.to_string(), lang: lang.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pairs: &[(&str, &str)]) -> LocalizedText {
        pairs.iter().map(|(l, v)| (LangTag::parse(l).unwrap(), v.to_string())).collect()
    }

    #[test]
    fn canonicalizes_case() {
        assert_eq!(LangTag::parse("PT-br").unwrap().as_str(), "pt-BR");
        assert_eq!(LangTag::parse("ht").unwrap().primary(), "ht");
    }

    #[test]
    fn the_short_path_agrees_with_the_parser_on_every_two_and_three_letter_tag() {
        let letters = || (b'a'..=b'z').map(char::from);
        let mut tags: Vec<String> = letters().flat_map(|a| letters().map(move |b| format!("{a}{b}"))).collect();
        tags.extend(tags.clone().into_iter().flat_map(|ab| letters().map(move |c| format!("{ab}{c}"))));
        assert_eq!(tags.len(), 26 * 26 + 26 * 26 * 26);
        for tag in tags {
            let full = oxilangtag::LanguageTag::parse_and_normalize(&tag).map(|t| t.into_inner());
            assert_eq!(LangTag::parse(&tag).map(|t| t.as_str().to_owned()).ok(), full.ok(), "{tag}");
        }
    }

    #[test]
    fn short_and_long_tags_compare_order_and_read_back_as_their_text() {
        let long = LangTag::parse("es-419-x-private").unwrap();
        assert!(long.as_str().len() > INLINE && matches!(long.0, Repr::Heap(_)));
        let mut tags: Vec<LangTag> =
            ["pt-BR", "es-419-x-private", "es", "zh-Hant-TW", "es-MX"].iter().map(|t| t.parse().unwrap()).collect();
        tags.sort();
        let texts: Vec<&str> = tags.iter().map(LangTag::as_str).collect();
        assert_eq!(texts, ["es", "es-419-x-private", "es-MX", "pt-BR", "zh-Hant-TW"]);
        assert_eq!((long.primary(), tags[4].primary()), ("es", "zh"));
        let hash = |t: &LangTag| {
            use std::hash::{BuildHasher, BuildHasherDefault};
            BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(t)
        };
        assert_eq!(hash(&long), hash(&LangTag::parse("ES-419-x-PRIVATE").unwrap()));
        assert_eq!(format!("{long} {long:?}"), r#"es-419-x-private LangTag("es-419-x-private")"#);
        // Keys read from JSON, escaped or not, and written back.
        let text: LocalizedText =
            serde_json::from_str(r#"{"es-419-x-private":"a","\u0065s":"b","pt-br":"c"}"#).unwrap();
        assert_eq!(serde_json::to_string(&text).unwrap(), r#"{"es":"b","es-419-x-private":"a","pt-BR":"c"}"#);
        assert!(serde_json::from_str::<LocalizedText>(r#"{"es_MX":"a"}"#).is_err());
    }

    #[test]
    fn rejects_malformed_tags() {
        for bad in ["", "e", "toolonglanguage", "es_MX", "es--MX"] {
            assert!(LangTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn follows_the_callers_chain() {
        let t = text(&[("en", "Legal aid"), ("fr", "Aide juridique"), ("es", "Ayuda legal")]);
        let prefs = LangPrefs::parse_list("ht,fr,es,en").unwrap();
        assert_eq!(prefs.text(&t), "Aide juridique");
        let prefs = LangPrefs::parse_list("ht").unwrap();
        assert_eq!(prefs.pick(&t).unwrap().0.as_str(), "en", "falls back to the first text");
    }

    #[test]
    fn matches_regional_variants_both_ways() {
        let t = text(&[("pt-BR", "Ajuda jurídica")]);
        assert_eq!(LangPrefs::parse_list("pt").unwrap().text(&t), "Ajuda jurídica");
        let t = text(&[("es", "Ayuda")]);
        assert_eq!(LangPrefs::parse_list("es-MX").unwrap().text(&t), "Ayuda");
    }

    #[test]
    fn an_item_is_shown_in_the_first_language_that_has_all_its_parts() {
        let title = text(&[("ht", "Dwa w"), ("es", "Tus derechos"), ("en", "Your rights")]);
        let body = text(&[("es", "Cuerpo"), ("en", "Body")]);
        let prefs = LangPrefs::parse_list("ht,fr,es,en").unwrap();
        let lang = prefs.item_lang(&[&title, &body]).unwrap();
        assert_eq!(lang.as_str(), "es", "ht lacks the body: the whole item in Spanish");
        assert_eq!(prefs.part(Some(&lang), &title).unwrap().text, "Tus derechos");
        assert_eq!(prefs.part(Some(&lang), &body).unwrap().text, "Cuerpo");
    }

    #[test]
    fn without_a_complete_language_the_fallback_part_says_its_language() {
        let title = text(&[("ht", "Dwa w"), ("en", "Your rights")]);
        let body = text(&[("en", "Body")]);
        let empty = LocalizedText::new();
        let prefs = LangPrefs::parse_list("ht").unwrap();
        let lang = prefs.item_lang(&[&title, &body, &empty]).unwrap();
        assert_eq!(lang.as_str(), "ht", "the preferred language with the most parts");
        assert_eq!(prefs.part(Some(&lang), &title).unwrap().lang.as_str(), "ht");
        let body = prefs.part(Some(&lang), &body).unwrap();
        assert_eq!((body.text.as_str(), body.lang.as_str()), ("Body", "en"));
        assert!(prefs.part(Some(&lang), &empty).is_none());
        // No preferred language at all: the language with the most parts.
        let prefs = LangPrefs::parse_list("pt").unwrap();
        assert_eq!(prefs.item_lang(&[&title, &text(&[("en", "Body")])]).unwrap().as_str(), "en");
        assert!(prefs.item_lang(&[&empty]).is_none());
    }

    #[test]
    fn registered_subtags_are_accepted_and_words_refused_with_the_tag_meant() {
        for good in ["es", "en", "fr", "ht", "pt-BR", "es-419", "zh-Hant", "quc", "mam", "x-private", "qaa"] {
            assert_eq!(LangTag::parse(good).unwrap().check_registered(), Ok(()), "{good}");
        }
        let err = |t: &str| LangTag::parse(t).unwrap().check_registered().unwrap_err();
        assert!(err("kreyol").contains("use ht"), "{}", err("kreyol"));
        assert!(err("english").contains("use en"), "{}", err("english"));
        assert!(err("Espanol").contains("use es"), "{}", err("Espanol"));
        assert!(err("zz").contains("not a registered language"), "{}", err("zz"));
        assert!(err("iw").contains("use he"), "{}", err("iw"));
        assert!(err("es-Abcd").contains("script"), "{}", err("es-Abcd"));
        assert!(err("es-ZX").contains("region"), "{}", err("es-ZX"));
    }

    #[test]
    fn empty_field_is_none() {
        assert!(LangPrefs::default().pick(&LocalizedText::new()).is_none());
    }
}
