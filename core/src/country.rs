//! ISO 3166-1 alpha-2 country codes: parsing, validation and English names.
//!
//! The table lives in `country_table.rs`, generated from the ISO data shipped by
//! `pycountry` (see `docs/adr/0004-country-codes.md` for why not a crate).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country_table::COUNTRIES;

/// A validated ISO 3166-1 alpha-2 code, stored upper-case (`"MX"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses an alpha-2 code in any case; `None` if it is not an assigned code.
    pub fn parse(s: &str) -> Option<CountryCode> {
        let b = s.trim().as_bytes();
        if b.len() != 2 || !b.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let code = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
        let text = std::str::from_utf8(&code).ok()?;
        COUNTRIES.binary_search_by(|(a2, _, _)| (*a2).cmp(text)).ok().map(|_| CountryCode(code))
    }

    /// The upper-case code, `"MX"`.
    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The English short name ("Mexico").
    pub fn name(&self) -> &'static str {
        COUNTRIES.binary_search_by(|(a2, _, _)| (*a2).cmp(self.as_str())).map(|i| COUNTRIES[i].2).unwrap_or("unknown")
    }

    /// Finds a code by its alpha-3 code or exact English short name, ignoring case.
    pub fn from_alpha3_or_name(s: &str) -> Option<CountryCode> {
        let s = s.trim();
        COUNTRIES
            .iter()
            .find(|(_, a3, name)| a3.eq_ignore_ascii_case(s) || name.eq_ignore_ascii_case(s))
            .and_then(|(a2, _, _)| CountryCode::parse(a2))
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that is not an assigned ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an ISO 3166-1 alpha-2 country code")]
pub struct UnknownCountry(pub String);

impl FromStr for CountryCode {
    type Err = UnknownCountry;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CountryCode::parse(s).ok_or_else(|| UnknownCountry(s.to_string()))
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn parses_known_codes_in_any_case() {
        assert_eq!(CountryCode::parse("mx").unwrap().as_str(), "MX");
        assert_eq!(CountryCode::parse("HT").unwrap().name(), "Haiti");
        assert_eq!(CountryCode::parse("xk").unwrap().name(), "Kosovo");
    }

    #[test]
    fn rejects_unassigned_and_malformed() {
        for bad in ["XX", "M", "MEX", "1A", "", "ÑA"] {
            assert!(CountryCode::parse(bad).is_none(), "{bad}");
        }
        let err = "ZZ".parse::<CountryCode>().unwrap_err();
        assert!(err.to_string().contains("ZZ"));
    }

    #[test]
    fn finds_by_alpha3_and_name() {
        assert_eq!(CountryCode::from_alpha3_or_name("GTM").unwrap().as_str(), "GT");
        assert_eq!(CountryCode::from_alpha3_or_name("honduras").unwrap().as_str(), "HN");
    }
}
