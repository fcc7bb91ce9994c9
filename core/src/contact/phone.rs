//! Phone numbers read exactly as libphonenumber reads them, on the `phonenumber` crate's
//! copy of libphonenumber's metadata.
//!
//! The crate's own parser departs from libphonenumber where it matters on the route: it
//! strips the *default region's* national prefix from a number written with `+` (so
//! `+502 1800 111 2993` with region US loses its `1`), tries the region's international
//! prefix after a `+`, strips national prefixes without libphonenumber's viability checks,
//! and matches number patterns as prefixes. This module ports libphonenumber's
//! `parseHelper` (`maybeExtractCountryCode`, `maybeStripInternationalPrefixAndNormalize`,
//! `maybeStripNationalPrefixAndCarrierCode`, `testNumberLength`) and `isValidNumber`
//! (`getRegionCodeForNumber`, `getNumberTypeHelper`) step by step, with whole-string
//! pattern matching. `tests/contact.rs` compares it with libphonenumber itself
//! (`tests/data/phone_cases.tsv`, from `scripts/gen_phone_cases.py`).
//!
//! Only digits and phone punctuation reach it (`contact::normalize` checks); letters
//! (vanity numbers) and extensions are not read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use phonenumber::metadata::{Descriptor, DATABASE};
use phonenumber::Metadata;
use regex::{Regex, RegexBuilder};

/// Why text is not a phone number at all (libphonenumber's `NumberParseException` types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// No country calling code can be found: a national number without a region, or a
    /// `+` followed by no known code.
    InvalidCountryCode,
    /// Not a phone number (fewer than three digits, or other characters).
    NotANumber,
    /// Too few digits after the international prefix.
    TooShortAfterIdd,
    /// Too few digits for a national number.
    TooShortNsn,
    /// More digits than any national number has.
    TooLong,
}

/// A number as libphonenumber parses it: country calling code and national significant
/// number (leading zeros kept, as Italy's). It may still be invalid: see [`Parsed::is_valid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The country calling code (`52` for Mexico).
    pub country_code: u16,
    /// The national significant number, digits only.
    pub national: String,
}

impl Parsed {
    /// E.164: `+`, the country code and the national significant number.
    pub fn e164(&self) -> String {
        format!("+{}{}", self.country_code, self.national)
    }

    /// libphonenumber's `isValidNumber`: the number falls in a range of its country's
    /// numbering plan (fixed line, mobile, toll free, ...).
    pub fn is_valid(&self) -> bool {
        match region_for_number(self.country_code, &self.national) {
            Some(rules) => rules.number_type_known(&self.national),
            None => false,
        }
    }

    /// The ISO 3166-1 region the number belongs to (`"001"` for non-geographic codes),
    /// `None` when no region's plan has it.
    pub fn region(&self) -> Option<String> {
        region_for_number(self.country_code, &self.national).map(|r| r.id.clone())
    }
}

/// Fewest digits of a national significant number (libphonenumber's `MIN_LENGTH_FOR_NSN`).
const MIN_NSN: usize = 2;
/// Most digits of a national significant number (`MAX_LENGTH_FOR_NSN`).
const MAX_NSN: usize = 17;
/// Longest country calling code.
const MAX_CC: usize = 3;

/// Reads `text` (digits, `+` and punctuation) as libphonenumber's `parse(text, region)`
/// does; `region` is an ISO 3166-1 alpha-2 code such as `"MX"` (an unknown one is like none).
pub fn parse(text: &str, region: Option<&str>) -> Result<Parsed, ParseError> {
    let number = extract_possible_number(text);
    if !is_viable(number) {
        return Err(ParseError::NotANumber);
    }
    let default = region.and_then(|r| rules_for_region(&r.to_ascii_uppercase()));
    let starts_with_plus = number.starts_with(['+', '\u{FF0B}']);
    // checkRegionForParsing: a number without + needs a known region.
    if default.is_none() && !starts_with_plus {
        return Err(ParseError::InvalidCountryCode);
    }
    let (country_code, mut national) = match extract_country_code(number, default.as_deref()) {
        Ok(found) => found,
        Err(ParseError::InvalidCountryCode) if starts_with_plus => {
            // libphonenumber tries once more without the pluses (`+0011 ...`, `++52`...).
            let rest = number.trim_start_matches(['+', '\u{FF0B}']);
            match extract_country_code(rest, default.as_deref())? {
                (0, _) => return Err(ParseError::InvalidCountryCode),
                found => found,
            }
        }
        Err(e) => return Err(e),
    };
    let (country_code, rules) = if country_code != 0 {
        (country_code, main_rules_for_code(country_code))
    } else {
        // A national number, read as the default region's.
        national = digits_only(number);
        match default {
            Some(d) => (d.country_code, Some(d)),
            None => return Err(ParseError::InvalidCountryCode),
        }
    };
    if national.len() < MIN_NSN {
        return Err(ParseError::TooShortNsn);
    }
    if let Some(rules) = rules {
        let mut potential = national.clone();
        rules.strip_national_prefix(&mut potential);
        if !matches!(rules.test_length(&potential), Length::TooShort | Length::PossibleLocalOnly | Length::Invalid) {
            national = potential;
        }
    }
    if national.len() < MIN_NSN {
        return Err(ParseError::TooShortNsn);
    }
    if national.len() > MAX_NSN {
        return Err(ParseError::TooLong);
    }
    Ok(Parsed { country_code, national })
}

/// `extractPossibleNumber`: from the first digit or `+`, without trailing punctuation.
fn extract_possible_number(text: &str) -> &str {
    let Some(start) = text.find(|c: char| c.is_ascii_digit() || c == '+' || c == '\u{FF0B}') else {
        return "";
    };
    let rest = &text[start..];
    let end =
        rest.char_indices().rev().find(|(_, c)| c.is_alphanumeric() || *c == '#').map_or(0, |(i, c)| i + c.len_utf8());
    &rest[..end]
}

/// `isViablePhoneNumber` for the characters read here: exactly two digits, or pluses then
/// at least three digits among phone punctuation.
fn is_viable(number: &str) -> bool {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if digits < 2 {
        return false;
    }
    let body = number.trim_start_matches(['+', '\u{FF0B}']);
    let only_phone_chars = body.chars().all(|c| c.is_ascii_digit() || c == '*' || is_punctuation(c));
    only_phone_chars && (digits >= 3 || (digits == 2 && number.chars().all(|c| c.is_ascii_digit())))
}

/// libphonenumber's `VALID_PUNCTUATION`.
fn is_punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | 'x'
            | '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{30FC}'
            | '\u{FF0D}'..='\u{FF0F}'
            | ' '
            | '\u{00A0}'
            | '\u{00AD}'
            | '\u{200B}'
            | '\u{2060}'
            | '\u{3000}'
            | '('
            | ')'
            | '\u{FF08}'
            | '\u{FF09}'
            | '\u{FF3B}'
            | '\u{FF3D}'
            | '.'
            | '['
            | ']'
            | '/'
            | '~'
            | '\u{2053}'
            | '\u{223C}'
            | '\u{FF5E}'
    )
}

fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// `maybeExtractCountryCode`: `(code, national)` with code 0 when the number is national.
fn extract_country_code(number: &str, default: Option<&Rules>) -> Result<(u16, String), ParseError> {
    if number.is_empty() {
        return Ok((0, String::new()));
    }
    // maybeStripInternationalPrefixAndNormalize.
    let (full, international) = if number.starts_with(['+', '\u{FF0B}']) {
        (digits_only(number.trim_start_matches(['+', '\u{FF0B}'])), true)
    } else {
        let digits = digits_only(number);
        match default.and_then(|d| d.strip_idd(&digits)) {
            Some(rest) => (rest, true),
            None => (digits, false),
        }
    };
    if international {
        if full.len() <= MIN_NSN {
            return Err(ParseError::TooShortAfterIdd);
        }
        if !full.starts_with('0') {
            for len in 1..=MAX_CC.min(full.len()) {
                let code: u16 = full[..len].parse().unwrap_or(0);
                if DATABASE.region(&code).is_some() {
                    return Ok((code, full[len..].to_string()));
                }
            }
        }
        return Err(ParseError::InvalidCountryCode);
    }
    if let Some(d) = default {
        // The default country's code written without + or prefix: kept off when the number
        // reads better without it (libphonenumber's rule).
        let code = d.country_code.to_string();
        if let Some(after) = full.strip_prefix(&code) {
            let mut potential = after.to_string();
            d.strip_national_prefix(&mut potential);
            if (!d.general.is_match(&full) && d.general.is_match(&potential)) || d.test_length(&full) == Length::TooLong
            {
                return Ok((d.country_code, potential));
            }
        }
    }
    Ok((0, String::new()))
}

/// How a national number's length compares with the plan's (`ValidationResult`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    Possible,
    PossibleLocalOnly,
    TooShort,
    Invalid,
    TooLong,
}

/// One region's numbering plan, compiled for whole-string matching.
struct Rules {
    id: String,
    country_code: u16,
    idd: Option<Regex>,
    national_prefix: Option<Regex>,
    transform: Option<String>,
    general: Regex,
    lengths: Vec<u16>,
    local_lengths: Vec<u16>,
    types: Vec<(Regex, Vec<u16>)>,
    leading_digits: Option<Regex>,
}

fn compile(pattern: &str, whole: bool) -> Option<Regex> {
    let anchored = if whole { format!("^(?:{pattern})$") } else { format!("^(?:{pattern})") };
    RegexBuilder::new(&anchored).ignore_whitespace(true).size_limit(1 << 22).build().ok()
}

/// Java's `$1` in a replacement is `${1}` in Rust (`$15` would be group 15).
fn java_replacement(rule: &str) -> String {
    let mut out = String::new();
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('$', Some(d)) if d.is_ascii_digit() => {
                out.push_str(&format!("${{{d}}}"));
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

impl Rules {
    fn new(meta: &Metadata) -> Option<Rules> {
        let d = meta.descriptors();
        let types: Vec<&Descriptor> = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ]
        .into_iter()
        .flatten()
        .collect();
        // The general description's lengths are the union of the types' (as libphonenumber's
        // metadata build computes them); local-only lengths that are also full lengths drop.
        let mut lengths: Vec<u16> = types.iter().flat_map(|t| t.possible_length().iter().copied()).collect();
        lengths.extend(d.general().possible_length());
        lengths.sort_unstable();
        lengths.dedup();
        let mut local_lengths: Vec<u16> = types
            .iter()
            .flat_map(|t| t.possible_local_length().iter().copied())
            .chain(d.general().possible_local_length().iter().copied())
            .filter(|l| !lengths.contains(l))
            .collect();
        local_lengths.sort_unstable();
        local_lengths.dedup();
        let national_prefix = match (meta.national_prefix_for_parsing(), meta.national_prefix()) {
            (Some(re), _) => compile(re.as_str(), false),
            (None, Some(p)) if !p.is_empty() => compile(&regex::escape(p), false),
            _ => None,
        };
        Some(Rules {
            id: meta.id().to_string(),
            country_code: meta.country_code(),
            idd: meta.international_prefix().and_then(|re| compile(re.as_str(), false)),
            national_prefix,
            transform: meta.national_prefix_transform_rule().filter(|t| !t.is_empty()).map(java_replacement),
            general: compile(d.general().national_number().as_str(), true)?,
            lengths,
            local_lengths,
            types: types
                .iter()
                .filter_map(|t| Some((compile(t.national_number().as_str(), true)?, t.possible_length().to_vec())))
                .collect(),
            leading_digits: meta.leading_digits().and_then(|re| compile(re.as_str(), false)),
        })
    }

    /// `parsePrefixAsIdd`: the digits after the region's international prefix, unless the
    /// prefix is absent or followed by a 0 (no country code starts with 0).
    fn strip_idd(&self, digits: &str) -> Option<String> {
        let end = self.idd.as_ref()?.find(digits)?.end();
        let rest = &digits[end..];
        (!rest.starts_with('0')).then(|| rest.to_string())
    }

    /// `maybeStripNationalPrefixAndCarrierCode` (the carrier code is not kept).
    fn strip_national_prefix(&self, number: &mut String) {
        let Some(re) = &self.national_prefix else { return };
        if number.is_empty() {
            return;
        }
        let Some(caps) = re.captures(number) else { return };
        let whole = caps.get(0).map_or(0, |m| m.end());
        let viable_before = self.general.is_match(number);
        // Java's `group(groupCount())`: the whole match when the pattern has no group.
        let last_group = caps.get(caps.len() - 1);
        match (&self.transform, last_group) {
            (Some(rule), Some(_)) => {
                let mut transformed = String::new();
                caps.expand(rule, &mut transformed);
                transformed.push_str(&number[whole..]);
                if viable_before && !self.general.is_match(&transformed) {
                    return;
                }
                *number = transformed;
            }
            _ => {
                if viable_before && !self.general.is_match(&number[whole..]) {
                    return;
                }
                number.drain(..whole);
            }
        }
    }

    /// `testNumberLength` for an unknown type.
    fn test_length(&self, number: &str) -> Length {
        let Some((&min, &max)) = self.lengths.first().zip(self.lengths.last()) else {
            return Length::Invalid;
        };
        let len = number.len() as u16;
        if self.local_lengths.contains(&len) {
            Length::PossibleLocalOnly
        } else if len == min {
            Length::Possible
        } else if len < min {
            Length::TooShort
        } else if len > max {
            Length::TooLong
        } else if self.lengths[1..].contains(&len) {
            Length::Possible
        } else {
            Length::Invalid
        }
    }

    /// `getNumberTypeHelper(...) != UNKNOWN`.
    fn number_type_known(&self, national: &str) -> bool {
        let len = national.len() as u16;
        let matches =
            |re: &Regex, lengths: &[u16]| (lengths.is_empty() || lengths.contains(&len)) && re.is_match(national);
        matches(&self.general, &self.lengths) && self.types.iter().any(|(re, lengths)| matches(re, lengths))
    }
}

/// Compiled rules by region id (`"001:800"` for a non-geographic code), built on first use.
fn cache() -> &'static Mutex<HashMap<String, Option<Arc<Rules>>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Rules>>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn cached(key: String, meta: impl FnOnce() -> Option<&'static Metadata>) -> Option<Arc<Rules>> {
    let mut map = cache().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    map.entry(key).or_insert_with(|| meta().and_then(Rules::new).map(Arc::new)).clone()
}

fn rules_for_region(id: &str) -> Option<Arc<Rules>> {
    if id.len() != 2 || !id.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    cached(id.to_string(), || DATABASE.by_id(id))
}

/// The rules of `region` for calling code `code` (`"001"`: the non-geographic entity).
fn rules_for(code: u16, region: &str) -> Option<Arc<Rules>> {
    if region == "001" {
        cached(format!("001:{code}"), || DATABASE.by_code(&code).and_then(|m| m.into_iter().next()))
    } else {
        let rules = rules_for_region(region)?;
        (rules.country_code == code).then_some(rules)
    }
}

/// The main region's rules for a calling code (`getRegionCodeForCountryCode`).
fn main_rules_for_code(code: u16) -> Option<Arc<Rules>> {
    let regions = DATABASE.region(&code)?;
    rules_for(code, regions.first()?)
}

/// `getRegionCodeForNumber`: the region whose plan has the number.
fn region_for_number(code: u16, national: &str) -> Option<Arc<Rules>> {
    let regions = DATABASE.region(&code)?;
    if let [only] = regions.as_slice() {
        return rules_for(code, only);
    }
    regions.iter().filter_map(|r| rules_for(code, r)).find(|rules| match &rules.leading_digits {
        Some(re) => re.is_match(national),
        None => rules.number_type_known(national),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, region: Option<&str>) -> Option<String> {
        parse(text, region).ok().filter(Parsed::is_valid).map(|p| p.e164())
    }

    #[test]
    fn plus_numbers_read_the_same_in_every_region() {
        for region in [None, Some("US"), Some("MX"), Some("CO"), Some("BR"), Some("CU"), Some("GT")] {
            assert_eq!(read("+502 1800 111 2993", region).as_deref(), Some("+50218001112993"), "{region:?}");
            assert_eq!(read("+51 1 123 4676", region).as_deref(), Some("+5111234676"), "{region:?}");
            assert_eq!(read("+1 915 555 0123", region).as_deref(), Some("+19155550123"), "{region:?}");
        }
    }

    #[test]
    fn each_region_has_its_own_international_prefix() {
        assert_eq!(read("011 52 55 5062 2200", Some("US")).as_deref(), Some("+525550622200"));
        assert_eq!(read("119 1 201 555 0033", Some("CU")).as_deref(), Some("+12015550033"));
        // 00 is not the US prefix: libphonenumber reads a national number, not valid.
        assert_eq!(read("001 201 555 0033", Some("US")), None);
        // Colombia: 005 is a carrier's prefix, so 0057... is 005 + 7 (Russia).
        assert_eq!(read("0057 301 061 1973", Some("CO")).as_deref(), Some("+73010611973"));
    }

    #[test]
    fn junk_is_an_error_not_a_panic() {
        for s in ["", "+", "++", "0", "+0", "+999 1", "00", "011", "(((", "+-+-", "1", "12"] {
            for region in [None, Some("US"), Some("XX"), Some("001"), Some("mx")] {
                let _ = parse(s, region).map(|p| p.is_valid());
            }
        }
        assert_eq!(parse("915 555 0123", None), Err(ParseError::InvalidCountryCode));
        assert_eq!(parse("+999 123 4567", None), Err(ParseError::InvalidCountryCode));
    }
}
