//! What a warnings query asks ([`WarningQuery`]) and what it finds ([`WarningHit`]): plain
//! records, answered by `Store::warnings` (in `store::warnings`, which depends on these
//! types; nothing here depends on the store).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Severity, Warning, WarningKind};
use crate::country::CountryCode;
use crate::geo::Point;
use crate::lang::{LangPrefs, LangTag};

/// Which warnings to return. Every part is optional and they combine with AND, except
/// `near` and `country`, which combine with OR: a warning applies where the person is
/// when the point is in its circles or polygons, or when it covers the whole country
/// the person says they are in (the app knows the country; the core never guesses it
/// from coordinates).
#[derive(Debug, Clone)]
pub struct WarningQuery {
    /// The caller's trusted time: only warnings valid then, and not withdrawn.
    pub at: DateTime<Utc>,
    /// Where the person is.
    pub near: Option<Point>,
    /// The country the person is in, or asks about.
    pub country: Option<CountryCode>,
    /// Only these kinds (any of them); empty: all.
    pub kinds: Vec<WarningKind>,
    /// Languages to show text in.
    pub langs: LangPrefs,
    /// Most warnings returned (1 to [`crate::limit::MAX_RESULTS`]).
    pub limit: usize,
}

impl WarningQuery {
    /// Every active warning at `at`.
    pub fn at(at: DateTime<Utc>) -> WarningQuery {
        WarningQuery { at, near: None, country: None, kinds: Vec::new(), langs: LangPrefs::default(), limit: 100 }
    }
}

/// One warning found.
#[derive(Debug, Clone, Serialize)]
pub struct WarningHit {
    /// Warning id.
    pub id: String,
    /// Kind.
    pub kind: WarningKind,
    /// Severity.
    pub severity: Severity,
    /// Headline in the warning's language ([`Warning::text`]).
    pub headline: String,
    /// Advice in the warning's language (may be empty).
    pub advice: String,
    /// The language the warning is shown in.
    pub lang: Option<LangTag>,
    /// Language of the headline (another than `lang` only when the warning lacks it there).
    pub headline_lang: Option<LangTag>,
    /// Language of the advice (another than `lang` only when the warning lacks it there).
    pub advice_lang: Option<LangTag>,
    /// True when the point given is inside the warning's circles or polygons.
    pub here: bool,
    /// Until when it applies.
    pub valid_until: Option<DateTime<Utc>>,
    /// True for demo data.
    pub demo: bool,
    /// The full record.
    #[serde(skip)]
    pub warning: Warning,
}
