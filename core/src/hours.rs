//! Opening hours: parsing and evaluating OpenStreetMap `opening_hours` values
//! (`Mo-Fr 08:00-17:00; PH off`) in the listing's own time zone.
//!
//! This module is a thin wrapper around the [`opening_hours`] crate (remi-dupre/opening-hours-rs).
//! We use it rather than our own parser because it implements the full OSM grammar (nth
//! weekdays, date ranges, times past midnight, fallback rules, sun events), it is well kept and
//! fuzzed, and it embeds public-holiday calendars for many countries (from nager.date), so
//! `PH off` works offline: nothing here touches the network.
//!
//! What the wrapper adds:
//!
//! * validated IANA time zones ([`parse_timezone`]) and the country's holiday calendar
//!   ([`Hours::parse_for`]);
//! * errors that say what was wrong and at which character ([`HoursError`]);
//! * OSM's rule that a rule whose only modifier is a comment (`Mo-Fr 08:00-14:00 "por cita"`)
//!   has an *unknown* state, not an open one (the crate treats it as open; see
//!   [`Hours::parse`]);
//! * a bounded search for the next change ([`NEXT_CHANGE_HORIZON_DAYS`]), so that no
//!   expression can make an evaluation scan centuries ahead;
//! * a small parse cache for evaluating many listings ([`HoursCache`]).
//!
//! All times handed in and out are either UTC instants or *local wall-clock* times of the
//! listing; `next_change` is always local wall-clock time.

use std::collections::HashMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use chrono_tz::Tz;
use opening_hours::localization::{Coordinates, Country, Localize, TzLocation};
use opening_hours::{Context, DateTimeRange, OpeningHours, RuleKind, DATE_END};
use serde::Serialize;

use crate::country::CountryCode;
use crate::error::InputError;

/// How far ahead [`HoursStatus::next_change`] is searched, in days.
///
/// 400 days covers every yearly-recurring rule, including the worst case of consecutive Easter
/// dates (up to 35 days more than a year apart) and `Nov Th[4]`-style rules (up to 371 days).
/// A change further away than this (a rule for a year far in the future, `Feb 29` in a
/// non-leap year) is reported as `None`, like a state that never changes. The bound also caps
/// the work of one evaluation: the crate walks the calendar day by day when nothing matches
/// (an expired `2020 Mo-Fr 08:00-17:00` would otherwise be scanned up to year 9999, seconds of
/// CPU per call).
pub const NEXT_CHANGE_HORIZON_DAYS: i64 = 400;

/// How far ahead the next change is searched for the expressions walked one day at a
/// time (see [`needs_day_by_day`]): each day costs a call into the crate, so a value that
/// never changes (`Mo-Su 00:00-48:00`) would otherwise cost 400 calls per evaluation
/// (1,000 search results took 15 s). Five weeks cover every weekly and monthly schedule;
/// a change further away is reported as `None`.
pub const DAY_BY_DAY_HORIZON_DAYS: i64 = 35;

/// Longest accepted expression, in bytes.
///
/// OpenStreetMap caps tag values at 255 characters; this leaves room for data from other
/// sources while keeping the per-day evaluation cost (linear in the number of rules) small.
pub const MAX_EXPR_LEN: usize = 2000;

/// Instant at which every expression is evaluated once when parsed (see [`HoursError::Evaluation`]).
const PROBE_INSTANT: (i32, u32, u32) = (2026, 1, 5);

/// A parsed `opening_hours` expression together with its evaluation context: the listing's time
/// zone, its country's public holidays and, optionally, its coordinates (for sunrise/sunset).
///
/// Cheap to clone (the parsed rules and holiday calendars are shared).
#[derive(Clone)]
pub struct Hours {
    /// The expression as given (trimmed).
    expr: String,
    /// Parsed expression with its context.
    oh: OpeningHours<TzLocation<Tz>>,
    /// The listing's time zone (UTC when unknown).
    tz: Tz,
    /// Whether a public-holiday calendar is attached.
    holidays_known: bool,
    /// Whether to walk the calendar one day at a time (see [`needs_day_by_day`]).
    day_by_day: bool,
}

/// Whether a place is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenState {
    /// Open (an `open` rule, or a rule with no modifier).
    Open,
    /// Closed (an `off`/`closed` rule, or no rule applies).
    Closed,
    /// Unknown: an `unknown` rule, a rule with only a comment (`"by appointment"`), or a public
    /// holiday that applies to only part of the country.
    Unknown,
}

/// The state of a listing at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoursStatus {
    /// Open, closed or unknown.
    pub state: OpenState,
    /// Next local wall-clock time (in the listing's time zone) at which `state` changes.
    /// `None` if it never changes (`24/7`, `off`) or not within [`NEXT_CHANGE_HORIZON_DAYS`].
    /// A change of comment alone (`Open` -> `Open "last entry 16:30"`) is not a change.
    pub next_change: Option<NaiveDateTime>,
    /// Comment of the rule that applies now (`"por cita"`), if any.
    pub comment: Option<String>,
}

impl HoursStatus {
    /// Open: `Some(true)`, closed: `Some(false)`, unknown: `None`; as `faro search --json`
    /// and `faro hours --json` give it (`"open": true|false|null`).
    pub fn open(&self) -> Option<bool> {
        match self.state {
            OpenState::Open => Some(true),
            OpenState::Closed => Some(false),
            OpenState::Unknown => None,
        }
    }

    /// When the state next changes, with the UTC offset of IANA zone `timezone` (the
    /// listing's; UTC when `None`) at that moment, as [`local_with_offset`] reads it. `None`
    /// when it never changes, or the zone is unknown to this build (never for stored
    /// listings, whose zones were checked).
    pub fn next_change_at(&self, timezone: Option<&str>) -> Option<DateTime<FixedOffset>> {
        local_with_offset(self.next_change?, parse_timezone(timezone.unwrap_or("UTC")).ok()?)
    }
}

/// Why an `opening_hours` value or its context was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HoursError {
    /// The value is empty or only spaces.
    #[error("empty opening_hours value")]
    Empty,

    /// The value is longer than [`MAX_EXPR_LEN`] bytes.
    #[error("opening_hours value is {len} bytes long, the limit is {MAX_EXPR_LEN}")]
    TooLong {
        /// Length of the value, in bytes.
        len: usize,
    },

    /// The value does not follow the `opening_hours` grammar.
    #[error("invalid opening_hours {expr:?}: {detail}")]
    Syntax {
        /// The value.
        expr: String,
        /// What was wrong, with the character position when the parser reports one
        /// (`at character 4 (near "Fx 08:00"): expected a weekday (Mo, Tu, ...)`).
        detail: String,
    },

    /// The value is valid OSM syntax but uses a feature the evaluator does not support.
    #[error("opening_hours {expr:?} uses an unsupported feature: {detail}")]
    Unsupported {
        /// The value.
        expr: String,
        /// The feature.
        detail: String,
    },

    /// The value parsed but the evaluator failed on it (a defect of the `opening_hours` crate).
    #[error("opening_hours {expr:?} cannot be evaluated: {detail}")]
    Evaluation {
        /// The value.
        expr: String,
        /// What failed.
        detail: String,
    },

    /// The time zone is not an IANA time zone name known to this build.
    #[error("unknown time zone {0:?}: expected an IANA name such as \"America/Mexico_City\"")]
    UnknownTimezone(String),

    /// The coordinates are out of range (latitude within ±90, longitude within ±180).
    #[error("invalid coordinates ({lat}, {lon}): latitude must be within ±90 and longitude within ±180")]
    InvalidLocation {
        /// Latitude in degrees.
        lat: f64,
        /// Longitude in degrees.
        lon: f64,
    },
}

impl HoursError {
    /// This error as an [`InputError`] about the `opening_hours` field of a record in `file`.
    pub fn input_error(&self, file: impl Into<String>) -> InputError {
        InputError::new(file, self.to_string()).field("opening_hours")
    }
}

impl From<HoursError> for InputError {
    /// An [`InputError`] whose origin is the value itself (`file` is `"opening_hours"`).
    fn from(e: HoursError) -> InputError {
        InputError::new("opening_hours", e.to_string())
    }
}

/// Parses an IANA time zone name (`"America/Tijuana"`), ignoring surrounding spaces.
pub fn parse_timezone(tz: &str) -> Result<Tz, HoursError> {
    tz.trim().parse::<Tz>().map_err(|_| HoursError::UnknownTimezone(tz.to_string()))
}

/// Wall-clock time `local` in zone `tz` as a time with its UTC offset (for RFC 3339 output
/// and for instants). In the hour repeated when clocks go back, the first occurrence; a time
/// skipped when clocks go forward cannot be a change time (the engine reports the first valid
/// minute), but if one comes, the time one hour later stands for it.
pub fn local_with_offset(local: NaiveDateTime, tz: Tz) -> Option<DateTime<FixedOffset>> {
    use chrono::TimeZone;
    let at = tz
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())?;
    Some(at.fixed_offset())
}

impl Hours {
    /// Parses an expression with no location: evaluated in UTC, no public holidays (`PH` rules
    /// never match), sunrise/sunset at the crate's fixed defaults (07:00/19:00).
    ///
    /// A rule whose only modifier is a comment (`Mo-Fr 08:00-14:00 "por cita"`,
    /// `|| "by appointment"`) is evaluated as [`OpenState::Unknown`], as the OSM specification
    /// says; write `open "..."` to mean open. The `opening_hours` crate would report such rules
    /// as open.
    pub fn parse(expr: &str) -> Result<Hours, HoursError> {
        Hours::build(expr, Tz::UTC, None, None)
    }

    /// Parses an expression for a listing in time zone `tz` (IANA name), in `country` and at
    /// `location` (`(latitude, longitude)` in degrees).
    ///
    /// The country's public holidays (from the data embedded in the `opening_hours` crate) are
    /// attached so that `PH off` works; holidays of only some regions of the country make `PH`
    /// rules evaluate to [`OpenState::Unknown`] on those days. For a country the crate has no
    /// data for, `PH` never matches (see [`Hours::holidays_known`]). Coordinates give accurate
    /// `sunrise`/`sunset`/`dawn`/`dusk`; without them fixed defaults are used. Comment-only rules
    /// are unknown, as for [`Hours::parse`].
    pub fn parse_for(
        expr: &str,
        tz: &str,
        country: Option<CountryCode>,
        location: Option<(f64, f64)>,
    ) -> Result<Hours, HoursError> {
        let tz = parse_timezone(tz)?;
        let coords = match location {
            None => None,
            Some((lat, lon)) => Some(Coordinates::new(lat, lon).ok_or(HoursError::InvalidLocation { lat, lon })?),
        };
        Hours::build(expr, tz, country, coords)
    }

    fn build(
        expr: &str,
        tz: Tz,
        country: Option<CountryCode>,
        coords: Option<Coordinates>,
    ) -> Result<Hours, HoursError> {
        let expr = expr.trim();
        if expr.is_empty() {
            return Err(HoursError::Empty);
        }
        if expr.len() > MAX_EXPR_LEN {
            return Err(HoursError::TooLong { len: expr.len() });
        }
        // Repeating times ("10:00-16:00/01:30") never describe an office's hours, and the
        // parser crate trips an internal assertion on some of them (found by fuzzing): refused.
        let b = expr.as_bytes();
        if let Some(at) = (5..b.len())
            .find(|&i| b[i] == b'/' && b[i - 3] == b':' && [1, 2, 4, 5].iter().all(|&k| b[i - k].is_ascii_digit()))
        {
            return Err(HoursError::Syntax {
                expr: expr.to_string(),
                detail: format!("at character {}: repeating times (\"10:00-16:00/01:30\") are not supported", at + 1),
            });
        }
        let parsed: OpeningHours = expr.parse().map_err(|e| parse_error(expr, &e))?;
        if let Some(detail) = impossible_date(&parsed) {
            return Err(HoursError::Syntax { expr: expr.to_string(), detail });
        }
        // Comment-only rules become explicit `unknown` rules; the rewritten text is built from
        // the original, so a failure here would be a defect of the rewrite: keep the original.
        let parsed = match mark_comment_only_rules_unknown(expr) {
            Some(rewritten) => rewritten.parse().unwrap_or(parsed),
            None => parsed,
        };

        let mut ctx = Context::default();
        let mut holidays_known = false;
        if let Some(country) = country.and_then(|c| c.as_str().parse::<Country>().ok()) {
            let holidays = country.holidays();
            holidays_known = holidays.get_public().iter().next().is_some();
            ctx = ctx.with_holidays(holidays).with_holidays_unknown(country.holidays_regional());
        }
        let mut locale = TzLocation::new(tz);
        if let Some(coords) = coords {
            locale = locale.with_coords(coords);
        }
        let day_by_day = needs_day_by_day(&parsed);
        let hours = Hours {
            day_by_day,
            expr: expr.to_string(),
            oh: parsed.with_context(ctx.with_locale(locale)),
            tz,
            holidays_known,
        };

        // One evaluation up front, so that an expression the crate cannot evaluate is rejected
        // here rather than failing later for every listing that uses it.
        let (y, m, d) = PROBE_INSTANT;
        let probe = chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default();
        hours
            .try_status(probe.with_timezone(&tz))
            .map_err(|detail| HoursError::Evaluation { expr: expr.to_string(), detail })?;
        Ok(hours)
    }

    /// The expression as given (surrounding spaces removed).
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// The time zone the expression is evaluated in (UTC for [`Hours::parse`]).
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Whether a public-holiday calendar is attached, i.e. whether `PH` rules can match.
    pub fn holidays_known(&self) -> bool {
        self.holidays_known
    }

    /// State at a local wall-clock time of the listing.
    ///
    /// A time skipped by a daylight-saving change (02:30 on the night clocks jump from 02:00 to
    /// 03:00) is evaluated at the first valid minute after it.
    pub fn status_at_local(&self, local: NaiveDateTime) -> HoursStatus {
        self.status(self.oh.get_context().locale.datetime(local))
    }

    /// State at an instant, evaluated in the listing's time zone; `next_change` is local time.
    pub fn status_at(&self, at: DateTime<Utc>) -> HoursStatus {
        self.status(at.with_timezone(&self.tz))
    }

    fn status(&self, at: DateTime<Tz>) -> HoursStatus {
        // Parsing already evaluated the expression once, so a failure here is unexpected; answer
        // "unknown" rather than a wrong open/closed.
        self.try_status(at).unwrap_or(HoursStatus { state: OpenState::Unknown, next_change: None, comment: None })
    }

    /// Evaluates, turning a panic of the crate into an error message.
    fn try_status(&self, at: DateTime<Tz>) -> Result<HoursStatus, String> {
        catch_unwind(AssertUnwindSafe(|| self.evaluate(at))).map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the evaluator panicked".to_string())
        })
    }

    fn evaluate(&self, at: DateTime<Tz>) -> HoursStatus {
        if !self.day_by_day {
            return summarize(self.oh.iter_range(at, at + Duration::days(NEXT_CHANGE_HORIZON_DAYS)));
        }
        let horizon = at + Duration::days(DAY_BY_DAY_HORIZON_DAYS);
        // One day at a time: every call starts from that day's own schedule, so the crate's
        // "nothing changes after today" shortcut cannot skip days.
        let locale = &self.oh.get_context().locale;
        let days = std::iter::successors(Some(at), |start| {
            let midnight = start.naive_local().date().succ_opt()?.and_hms_opt(0, 0, 0)?;
            Some(locale.datetime(midnight)).filter(|next| *next < horizon)
        });
        summarize(days.flat_map(|start| {
            let midnight = start.naive_local().date().succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0));
            let end = midnight.map_or(horizon, |m| locale.datetime(m).min(horizon));
            self.oh.iter_range(start, end)
        }))
    }
}

/// State and comment of the first range, start of the first range with another state.
fn summarize(mut ranges: impl Iterator<Item = DateTimeRange<DateTime<Tz>>>) -> HoursStatus {
    let Some(first) = ranges.next() else {
        return HoursStatus { state: OpenState::Closed, next_change: None, comment: None };
    };
    let state = open_state(first.kind);
    let comment = (!first.comment.is_empty()).then(|| first.comment.to_string());
    let next_change =
        ranges.find(|r| open_state(r.kind) != state).map(|r| r.range.start.naive_local()).filter(|t| *t < DATE_END);
    HoursStatus { state, next_change, comment }
}

impl fmt::Debug for Hours {
    // Not derived: the crate's context would print whole holiday calendars.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hours")
            .field("expr", &self.expr)
            .field("tz", &self.tz)
            .field("holidays_known", &self.holidays_known)
            .field("day_by_day", &self.day_by_day)
            .finish()
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expr)
    }
}

/// Whether the crate's own walk over days would be wrong for this expression.
///
/// The crate skips days it believes cannot change the state, and two of its shortcuts are
/// wrong (found by comparing both walks over 100k random expressions; today's *state* is
/// always right, only `next_change` suffers):
///
/// * it decides the expression "is constant" from the last rule alone, so a last rule without
///   date or time selectors (`Mo-Fr 08:00-17:00 || "by appointment"`, `, 24/7 unknown`) makes it
///   report that nothing ever changes (a single rule is handled correctly);
/// * a time range ending at `48:00` spills over the whole next day, which the skip ignores at
///   the end of a date range (`Apr 1-Nov 3 00:00-48:00` would never close).
///
/// Walking one day at a time is correct in both cases and about 5 times slower, so it is used
/// only for them.
fn needs_day_by_day(oh: &OpeningHours) -> bool {
    let expr = oh.get_expression();
    (expr.is_constant() && expr.rules.len() > 1) || expr.to_string().contains("48:00")
}

/// Describes the first date of `oh` that no calendar has (`Jun 31`, `Feb 30`, `2026 Feb 29`):
/// the crate would treat the rule as applying every day.
fn impossible_date(oh: &OpeningHours) -> Option<String> {
    use opening_hours_syntax::rules::day::{Date, MonthdayRange};
    let expression = oh.get_expression();
    let dates = expression.rules.iter().flat_map(|rule| &rule.day_selector.monthday).flat_map(|range| match range {
        MonthdayRange::Date { start, end } => vec![&start.0, &end.0],
        MonthdayRange::Month { .. } => vec![],
    });
    for date in dates {
        let Date::Fixed { year, month, day } = date else { continue };
        let month_number = *month as u32;
        // Without a year, Feb 29 exists (in leap years).
        let year_or_leap = year.map_or(2024, |y| y.0);
        let days = (28..=31)
            .rev()
            .find(|d| chrono::NaiveDate::from_ymd_opt(year_or_leap, month_number, *d).is_some())
            .unwrap_or(31);
        if u32::from(*day) > days {
            let when = match year {
                Some(y) => format!("{} {} {day}", y.0, month.as_str()),
                None => format!("{} {day}", month.as_str()),
            };
            return Some(format!(
                "{when} is not a date ({} has {days} days{})",
                month.as_str(),
                match year {
                    Some(y) if month_number == 2 => format!(" in {}", y.0),
                    _ => String::new(),
                }
            ));
        }
    }
    None
}

fn open_state(kind: RuleKind) -> OpenState {
    match kind {
        RuleKind::Open => OpenState::Open,
        RuleKind::Closed => OpenState::Closed,
        RuleKind::Unknown => OpenState::Unknown,
    }
}

/// Inserts `unknown` before every comment used as the only rule modifier.
///
/// The OSM specification says a rule with a comment but no `open`/`closed`/`off`/`unknown`
/// has an unknown state; the crate's parser defaults it to open and does not record whether
/// `open` was written. Comments before a `:` are selector comments, not modifiers, and are left
/// alone. Comments cannot contain `"`, so quotes pair up. Returns `None` when nothing changes.
fn mark_comment_only_rules_unknown(expr: &str) -> Option<String> {
    const MODIFIERS: [&str; 4] = ["open", "closed", "off", "unknown"];
    let mut out = String::with_capacity(expr.len() + 16);
    let mut copied = 0; // bytes of `expr` already in `out`
    let mut changed = false;
    let mut from = 0;
    while let Some(open) = expr[from..].find('"').map(|i| from + i) {
        let Some(close) = expr[open + 1..].find('"').map(|i| open + 1 + i + 1) else {
            break;
        };
        from = close;
        let before = expr[..open].trim_end();
        let word_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphabetic())
            .last()
            .map_or(before.len(), |(i, _)| i);
        let explicit = MODIFIERS.iter().any(|m| before[word_start..].eq_ignore_ascii_case(m));
        let selector = expr[close..].trim_start().starts_with(':');
        if !explicit && !selector {
            out.push_str(&expr[copied..open]);
            out.push_str("unknown ");
            copied = open;
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&expr[copied..]);
    Some(out)
}

/// Turns the crate's parse error into a [`HoursError`] with a readable detail.
fn parse_error(expr: &str, err: &(dyn std::error::Error + 'static)) -> HoursError {
    let text = err.to_string();
    if let Some(feature) = text.strip_prefix("using an unsupported feature: ") {
        return HoursError::Unsupported { expr: expr.to_string(), detail: feature.to_string() };
    }
    if err.source().is_none() {
        // Not a grammar error (a number out of range, an inverted range, ...): its message is
        // already a sentence.
        return HoursError::Syntax { expr: expr.to_string(), detail: text };
    }
    // A grammar error, displayed by pest as:
    //  --> 1:4
    //   |
    // 1 | Mo-Fx 08:00
    //   |    ^---
    //   |
    //   = expected wday
    let position = text.lines().find_map(|l| l.trim().strip_prefix("--> ")).and_then(|pos| {
        let (line, col) = pos.trim().split_once(':')?;
        Some((line.parse::<usize>().ok()?, col.parse::<usize>().ok()?))
    });
    let message = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map(friendly_rule_names)
        .unwrap_or_else(|| "does not follow the opening_hours syntax".to_string());
    let message = if message == "unknown parsing error" {
        "does not follow the opening_hours syntax".to_string()
    } else {
        message
    };
    let detail = match position {
        Some((1, col)) => {
            let near: String = expr.chars().skip(col.saturating_sub(1)).take(16).collect();
            if near.is_empty() {
                format!("at character {col} (the end): {message}")
            } else {
                format!("at character {col} (near {near:?}): {message}")
            }
        }
        Some((line, col)) => format!("at line {line}, character {col}: {message}"),
        None => message,
    };
    HoursError::Syntax { expr: expr.to_string(), detail }
}

/// Replaces grammar rule names in a pest message with words a data editor understands.
fn friendly_rule_names(message: &str) -> String {
    fn name(rule: &str) -> Option<&'static str> {
        Some(match rule {
            "EOI" => "the end of the value",
            "any_rule_separator" => "a rule separator (\";\", \",\" or \"||\")",
            "rules_modifier" | "rules_modifier_enum" => "open, off, closed, unknown or a \"comment\"",
            "always_open" => "24/7",
            "small_range_selectors" | "weekday_selector" => "weekdays or times",
            "week_selector" | "week" => "a week selector (week 01-53)",
            "monthday_range" | "monthday_selector" => "a month or date (Jan, Dec 25)",
            "year" | "year_selector" | "year_range" => "a year (1900-9999)",
            "comment" => "a \"comment\"",
            "comment_delimiter" => "a closing quote",
            "wday" => "a weekday (Mo, Tu, We, Th, Fr, Sa, Su)",
            "timespan" | "time_selector" => "a time range such as 08:00-17:00",
            "holiday" | "holiday_sequence" => "PH or SH",
            "time" => "a time hh:mm",
            "extended_time" => "a time hh:mm (up to 48:00)",
            "hour_minutes" | "extended_hour_minutes" => "a time hh:mm",
            "hour" | "extended_hour" => "an hour",
            "minute" => "minutes (00-59)",
            "daynum" => "a day of the month (01-31)",
            "month" => "a month (Jan-Dec)",
            "weeknum" => "a week number (01-53)",
            "nth" | "nth_entry" => "an occurrence such as [1] or [-1]",
            "space" => "a space",
            "timespan_plus" => "\"-\" and a closing time (or \"+\" for an open end)",
            "plus_or_minus" => "+ or -",
            _ => return None,
        })
    }
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    for c in message.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        out.push_str(name(&word).unwrap_or(&word));
        word.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// A small cache so that evaluating the same expression for 100k listings does not re-parse:
/// keyed by (expr, tz, country).
///
/// Entries are built with [`Hours::parse_for`] without coordinates (sun events use the fixed
/// defaults). Errors are cached too. When `capacity` entries are held, the cache is cleared
/// before inserting a new one. A lookup makes no string: entries are found by the hash of
/// their key and told apart by the key itself (an import or sync looks up every record).
#[derive(Debug)]
pub struct HoursCache {
    capacity: usize,
    len: usize,
    hasher: std::collections::hash_map::RandomState,
    entries: HashMap<u64, Vec<CacheEntry>>,
}

/// One expression parsed for a time zone and country.
#[derive(Debug)]
struct CacheEntry {
    expr: String,
    tz: String,
    country: Option<CountryCode>,
    value: Result<Arc<Hours>, HoursError>,
}

impl HoursCache {
    /// A cache holding at most `capacity` entries (0 caches nothing).
    pub fn new(capacity: usize) -> Self {
        HoursCache { capacity, len: 0, hasher: Default::default(), entries: HashMap::new() }
    }

    /// The parsed expression for a listing in time zone `tz` and `country`, parsed on first use.
    pub fn get(&mut self, expr: &str, tz: &str, country: Option<CountryCode>) -> Result<Arc<Hours>, HoursError> {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one((expr, tz, country));
        let same = |e: &&CacheEntry| e.expr == expr && e.tz == tz && e.country == country;
        if let Some(hit) = self.entries.get(&hash).and_then(|bucket| bucket.iter().find(same)) {
            return hit.value.clone();
        }
        let value = Hours::parse_for(expr, tz, country, None).map(Arc::new);
        if self.capacity > 0 {
            if self.len >= self.capacity {
                self.entries.clear();
                self.len = 0;
            }
            let entry = CacheEntry { expr: expr.to_string(), tz: tz.to_string(), country, value: value.clone() };
            self.entries.entry(hash).or_default().push(entry);
            self.len += 1;
        }
        value
    }

    /// Number of cached entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test time")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        at(s).and_utc()
    }

    fn hours(expr: &str) -> Hours {
        Hours::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn mx() -> Option<CountryCode> {
        CountryCode::parse("MX")
    }

    /// (state, next change, comment) at a local time.
    fn check(h: &Hours, local: &str, state: OpenState, next: Option<&str>, comment: Option<&str>) {
        let s = h.status_at_local(at(local));
        let want = HoursStatus { state, next_change: next.map(at), comment: comment.map(str::to_string) };
        assert_eq!(s, want, "{:?} at {local}", h.expr());
    }

    use OpenState::{Closed, Open, Unknown};

    // 2026-05-04 is a Monday.

    #[test]
    fn weekday_range() {
        let h = hours("Mo-Fr 08:00-17:00");
        check(&h, "2026-05-06 10:00", Open, Some("2026-05-06 17:00"), None);
        check(&h, "2026-05-06 08:00", Open, Some("2026-05-06 17:00"), None);
        check(&h, "2026-05-06 07:59", Closed, Some("2026-05-06 08:00"), None);
        check(&h, "2026-05-08 17:00", Closed, Some("2026-05-11 08:00"), None);
        check(&h, "2026-05-09 12:00", Closed, Some("2026-05-11 08:00"), None);
    }

    #[test]
    fn later_rule_replaces_the_whole_day() {
        // `;` rules override earlier ones for the days they select.
        let h = hours("Mo-Fr 09:00-18:00; We 10:00-12:00");
        check(&h, "2026-05-06 10:30", Open, Some("2026-05-06 12:00"), None);
        check(&h, "2026-05-06 15:00", Closed, Some("2026-05-07 09:00"), None);
        check(&h, "2026-05-05 15:00", Open, Some("2026-05-05 18:00"), None);
    }

    #[test]
    fn off_rule_closes_the_day() {
        let h = hours("Mo-Fr 09:00-18:00; We off");
        check(&h, "2026-05-06 10:00", Closed, Some("2026-05-07 09:00"), None);
        check(&h, "2026-05-05 10:00", Open, Some("2026-05-05 18:00"), None);
    }

    #[test]
    fn off_rule_with_times_only_closes_those_times() {
        // An `off` rule does not wipe the day, unlike an open rule: only 12:00-14:00 closes.
        let h = hours("Mo-Fr 09:00-18:00; We 12:00-14:00 off");
        check(&h, "2026-05-06 10:00", Open, Some("2026-05-06 12:00"), None);
        check(&h, "2026-05-06 13:00", Closed, Some("2026-05-06 14:00"), None);
        check(&h, "2026-05-06 15:00", Open, Some("2026-05-06 18:00"), None);
    }

    #[test]
    fn additional_rule_adds_hours() {
        let h = hours("Mo-Fr 09:00-13:00, We 16:00-19:00");
        check(&h, "2026-05-06 14:00", Closed, Some("2026-05-06 16:00"), None);
        check(&h, "2026-05-06 10:00", Open, Some("2026-05-06 13:00"), None);
    }

    #[test]
    fn off_and_closed_never_change() {
        for expr in ["off", "closed", "24/7 off"] {
            check(&hours(expr), "2026-05-06 10:00", Closed, None, None);
        }
    }

    #[test]
    fn always_open() {
        check(&hours("24/7"), "2026-05-06 10:00", Open, None, None);
        check(&hours("24/7"), "2026-12-31 23:59", Open, None, None);
    }

    #[test]
    fn times_past_midnight_belong_to_the_previous_day() {
        let h = hours("Fr-Sa 20:00-03:00");
        // Saturday 02:00: still Friday night.
        check(&h, "2026-05-09 02:00", Open, Some("2026-05-09 03:00"), None);
        check(&h, "2026-05-09 03:00", Closed, Some("2026-05-09 20:00"), None);
        // Sunday 02:00: Saturday night.
        check(&h, "2026-05-10 02:00", Open, Some("2026-05-10 03:00"), None);
        check(&h, "2026-05-07 02:00", Closed, Some("2026-05-08 20:00"), None);
        // Friday evening runs into Saturday without a change at midnight.
        check(&h, "2026-05-08 21:00", Open, Some("2026-05-09 03:00"), None);
    }

    #[test]
    fn nth_weekday_of_month() {
        let h = hours("Mo[1] 10:00-12:00");
        check(&h, "2026-05-04 10:30", Open, Some("2026-05-04 12:00"), None);
        check(&h, "2026-05-11 10:30", Closed, Some("2026-06-01 10:00"), None);
        let last = hours("Fr[-1] 09:00-13:00");
        check(&last, "2026-05-22 10:00", Closed, Some("2026-05-29 09:00"), None);
    }

    #[test]
    fn month_range() {
        let h = hours("Jan-Mar Mo-Fr 08:00-12:00");
        check(&h, "2026-03-31 09:00", Open, Some("2026-03-31 12:00"), None);
        // Next opening is the first weekday of January: Friday 2027-01-01.
        check(&h, "2026-04-01 09:00", Closed, Some("2027-01-01 08:00"), None);
    }

    #[test]
    fn date_range_across_new_year() {
        let h = hours("Mo-Fr 08:00-17:00; 2026 Dec 24-2027 Jan 02 off");
        check(&h, "2026-12-23 09:00", Open, Some("2026-12-23 17:00"), None);
        // 2027-01-02 is a Saturday: reopens Monday 4th.
        check(&h, "2026-12-24 09:00", Closed, Some("2027-01-04 08:00"), None);
        check(&hours("2026 Dec 24-2027 Jan 02 off"), "2026-12-24 09:00", Closed, None, None);
    }

    #[test]
    fn comment_only_rule_is_unknown_with_its_comment() {
        let h = hours("Mo-Fr 08:00-14:00 \"por cita\"");
        check(&h, "2026-05-06 10:00", Unknown, Some("2026-05-06 14:00"), Some("por cita"));
        check(&h, "2026-05-06 15:00", Closed, Some("2026-05-07 08:00"), None);
        assert_eq!(h.expr(), "Mo-Fr 08:00-14:00 \"por cita\"");
    }

    #[test]
    fn explicit_open_with_comment_is_open() {
        let h = hours("Mo-Fr 08:00-14:00 open \"por cita\"");
        check(&h, "2026-05-06 10:00", Open, Some("2026-05-06 14:00"), Some("por cita"));
    }

    #[test]
    fn unknown_rules_and_appointment_fallback() {
        let h = hours("Mo-Fr 10:00-18:00 unknown");
        check(&h, "2026-05-06 15:00", Unknown, Some("2026-05-06 18:00"), None);

        let h = hours("Mo-Fr 08:00-12:00,13:00-17:00 || \"by appointment\"");
        check(&h, "2026-05-06 09:00", Open, Some("2026-05-06 12:00"), None);
        // The weekday rule matches the day, so the fallback is not used.
        check(&h, "2026-05-06 12:30", Closed, Some("2026-05-06 13:00"), None);
        check(
            &h,
            "2026-05-09 12:30",
            Unknown,
            // Monday 00:00: the weekday rule matches again (closed until 08:00).
            Some("2026-05-11 00:00"),
            Some("by appointment"),
        );

        check(&hours("\"by appointment\""), "2026-05-06 10:00", Unknown, None, Some("by appointment"));
    }

    #[test]
    fn range_ending_at_48_00_spills_over_the_next_day() {
        // Open around the clock from Apr 1 to Nov 3, the Nov 3 range running until Nov 5 00:00
        // (the crate alone reports no change at all).
        let h = hours("Apr 1-Nov 3 00:00-48:00");
        check(&h, "2026-10-20 15:00", Open, Some("2026-11-05 00:00"), None);
        // Further than DAY_BY_DAY_HORIZON_DAYS ahead: not searched.
        check(&h, "2026-05-06 15:00", Open, None, None);
    }

    #[test]
    fn comment_change_alone_is_not_a_state_change() {
        let h = hours("Mo-Fr 08:00-17:00, Mo-Fr 16:00-17:00 open \"last entry 16:30\"");
        check(&h, "2026-05-06 10:00", Open, Some("2026-05-06 17:00"), None);
        check(&h, "2026-05-06 16:10", Open, Some("2026-05-06 17:00"), Some("last entry 16:30"));
    }

    #[test]
    fn rewrite_of_comment_only_rules() {
        let r = mark_comment_only_rules_unknown;
        assert_eq!(r("Mo 10:00-12:00 \"x\"").as_deref(), Some("Mo 10:00-12:00 unknown \"x\""));
        assert_eq!(r("\"x\"").as_deref(), Some("unknown \"x\""));
        assert_eq!(r("Mo 10:00-12:00 || \"x\"").as_deref(), Some("Mo 10:00-12:00 || unknown \"x\""));
        for kept in [
            "Mo open \"x\"",
            "Mo OFF \"x\"",
            "PH closed \"y\"",
            "Mo unknown \"z\"",
            "\"summer\": Jun 10:00-12:00",
            "Mo 10:00",
        ] {
            assert_eq!(r(kept), None, "{kept}");
        }
        assert_eq!(
            r("Mo open \"a\"; Tu \"b\"; We off \"c\"").as_deref(),
            Some("Mo open \"a\"; Tu unknown \"b\"; We off \"c\"")
        );
    }

    #[test]
    fn public_holiday_off_in_mexico() {
        // 2026-09-16 (Independence Day) is a Wednesday.
        let expr = "Mo-Fr 08:00-17:00; PH off";
        let h = Hours::parse_for(expr, "America/Mexico_City", mx(), None).unwrap();
        assert!(h.holidays_known());
        check(&h, "2026-09-16 09:00", Closed, Some("2026-09-17 08:00"), None);
        check(&h, "2026-09-15 09:00", Open, Some("2026-09-15 17:00"), None);
        check(&h, "2026-09-15 17:00", Closed, Some("2026-09-17 08:00"), None);
        // Without a country the holiday is not known and the office looks open.
        let h = hours(expr);
        assert!(!h.holidays_known());
        check(&h, "2026-09-16 09:00", Open, Some("2026-09-16 17:00"), None);
    }

    #[test]
    fn public_holiday_with_own_hours() {
        let h = Hours::parse_for("Mo-Fr 08:00-17:00; PH 10:00-12:00", "America/Mexico_City", mx(), None).unwrap();
        check(&h, "2026-09-16 09:00", Closed, Some("2026-09-16 10:00"), None);
        check(&h, "2026-09-16 11:00", Open, Some("2026-09-16 12:00"), None);
    }

    #[test]
    fn regional_holiday_is_unknown() {
        // Columbus Day (2026-10-12, a Monday) is a holiday in some US states only.
        let us = CountryCode::parse("US");
        let h = Hours::parse_for("Mo-Fr 09:00-17:00; PH off", "America/New_York", us, None).unwrap();
        assert_eq!(h.status_at_local(at("2026-10-12 10:00")).state, Unknown);
        check(&h, "2026-10-13 10:00", Open, Some("2026-10-13 17:00"), None);
        // Independence Day observed on Friday 2026-07-03 is federal.
        check(&h, "2026-07-03 10:00", Closed, Some("2026-07-06 09:00"), None);
    }

    #[test]
    fn country_without_holiday_data() {
        let h = Hours::parse_for("Mo-Fr 08:00-17:00; PH off", "America/Port_of_Spain", CountryCode::parse("TT"), None)
            .unwrap();
        assert!(!h.holidays_known());
        check(&h, "2026-05-06 09:00", Open, Some("2026-05-06 17:00"), None);
    }

    #[test]
    fn same_instant_in_two_time_zones() {
        // 2026-07-01 (a Wednesday) 15:30 UTC: 09:30 in Mexico City (UTC-6, no DST since 2022),
        // 08:30 in Tijuana (UTC-7, follows US daylight saving time).
        let expr = "Mo-Fr 09:00-17:00";
        let now = utc("2026-07-01 15:30");
        let cdmx = Hours::parse_for(expr, "America/Mexico_City", mx(), None).unwrap();
        let tijuana = Hours::parse_for(expr, "America/Tijuana", mx(), None).unwrap();
        assert_eq!(
            cdmx.status_at(now),
            HoursStatus { state: Open, next_change: Some(at("2026-07-01 17:00")), comment: None }
        );
        assert_eq!(
            tijuana.status_at(now),
            HoursStatus { state: Closed, next_change: Some(at("2026-07-01 09:00")), comment: None }
        );
        // In January Tijuana is UTC-8: 16:30 UTC is 08:30 there, 10:30 in Mexico City.
        let winter = utc("2026-01-07 16:30");
        assert_eq!(tijuana.status_at(winter).state, Closed);
        assert_eq!(cdmx.status_at(winter).state, Open);
        // Without a zone, UTC is used.
        assert_eq!(hours(expr).status_at(now).state, Open);
        assert_eq!(hours(expr).status_at(now).next_change, Some(at("2026-07-01 17:00")));
    }

    #[test]
    fn local_times_get_their_offset_even_around_dst_changes() {
        let local = |y, m, d, h, mi| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap();
        let ny: Tz = "America/New_York".parse().unwrap();
        let mx: Tz = "America/Mexico_City".parse().unwrap();
        // Mexico City keeps UTC-6 all year since 2022.
        assert_eq!(local_with_offset(local(2026, 7, 1, 9, 0), mx).unwrap().to_rfc3339(), "2026-07-01T09:00:00-06:00");
        assert_eq!(local_with_offset(local(2026, 1, 5, 9, 0), ny).unwrap().to_rfc3339(), "2026-01-05T09:00:00-05:00");
        // 01:30 happens twice on 1 Nov 2026 in New York: the first time, still on summer time.
        assert_eq!(local_with_offset(local(2026, 11, 1, 1, 30), ny).unwrap().to_rfc3339(), "2026-11-01T01:30:00-04:00");
        // 02:30 never happens on 8 Mar 2026: an hour later stands for it.
        assert_eq!(local_with_offset(local(2026, 3, 8, 2, 30), ny).unwrap().to_rfc3339(), "2026-03-08T03:30:00-04:00");
    }

    #[test]
    fn the_next_change_is_an_instant_in_the_listings_zone() {
        let local = |h| chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let status = |h| HoursStatus { state: OpenState::Open, next_change: Some(local(h)), comment: None };
        // 14:00 in Bogotá (UTC-5, no DST) is 19:00 UTC.
        let at = status(14).next_change_at(Some("America/Bogota")).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-25T14:00:00-05:00");
        assert_eq!(at, status(19).next_change_at(None).unwrap(), "no zone: UTC");
        assert_eq!(status(14).next_change_at(Some("Mars/Olympus")), None);
        let never = HoursStatus { next_change: None, ..status(14) };
        assert_eq!(never.next_change_at(Some("America/Bogota")), None);
    }

    #[test]
    fn next_change_is_local_wall_clock_across_dst() {
        // US clocks go forward on Sunday 2026-03-08: Friday 18:00 PST is 02:00 UTC Saturday,
        // the next opening is Monday 09:00 PDT (16:00 UTC), reported as 09:00 local.
        let h = Hours::parse_for("Mo-Fr 09:00-17:00", "America/Tijuana", mx(), None).unwrap();
        let s = h.status_at(utc("2026-03-07 02:00"));
        assert_eq!(s.state, Closed);
        assert_eq!(s.next_change, Some(at("2026-03-09 09:00")));
        // A local time skipped by the change is evaluated, not rejected.
        let h = Hours::parse_for("02:00-04:00", "America/Tijuana", mx(), None).unwrap();
        assert_eq!(h.status_at_local(at("2026-03-08 02:30")).state, Open);
    }

    #[test]
    fn sunrise_sunset_uses_coordinates() {
        // Without coordinates the crate's fixed times are used: sunrise 07:00, sunset 19:00.
        let fixed = hours("sunrise-sunset");
        check(&fixed, "2026-12-15 10:00", Open, Some("2026-12-15 19:00"), None);
        check(&fixed, "2026-12-15 20:00", Closed, Some("2026-12-16 07:00"), None);
        // Mexico City: sunset around 18:00 in mid-December, sunrise around 07:10.
        let cdmx = Hours::parse_for("sunrise-sunset", "America/Mexico_City", mx(), Some((19.43, -99.13))).unwrap();
        let sunset = cdmx.status_at_local(at("2026-12-15 10:00")).next_change.unwrap();
        assert!(sunset > at("2026-12-15 17:45") && sunset < at("2026-12-15 18:15"), "{sunset}");
        let sunrise = cdmx.status_at_local(at("2026-12-15 20:00")).next_change.unwrap();
        assert!(sunrise > at("2026-12-16 06:45") && sunrise < at("2026-12-16 07:30"), "{sunrise}");
        assert_ne!(sunrise, at("2026-12-16 07:00"));
    }

    #[test]
    fn invalid_coordinates() {
        let e = Hours::parse_for("24/7", "UTC", None, Some((95.0, 0.0))).unwrap_err();
        assert_eq!(e, HoursError::InvalidLocation { lat: 95.0, lon: 0.0 });
        assert!(Hours::parse_for("24/7", "UTC", None, Some((f64::NAN, 0.0))).is_err());
    }

    #[test]
    fn next_change_search_is_bounded() {
        // Expired: the crate alone would scan every day up to year 9999 (seconds).
        let started = std::time::Instant::now();
        let h = hours("2020 Mo-Fr 08:00-17:00");
        check(&h, "2026-05-06 10:00", Closed, None, None);
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
        // The day-by-day walk (see `needs_day_by_day`) over a state that never changes.
        let started = std::time::Instant::now();
        let h = hours("2020 Mo-Fr 08:00-17:00 || unknown");
        check(&h, "2026-05-06 10:00", Unknown, None, None);
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
        // Further than the horizon: reported as no change.
        check(&hours("2030 Mo-Fr 08:00-17:00"), "2026-05-06 10:00", Closed, None, None);
        // Yearly rules are within it, Easter included.
        check(&hours("easter 10:00-12:00"), "2027-03-28 13:00", Closed, Some("2028-04-16 10:00"), None);
    }

    fn syntax_detail(expr: &str) -> String {
        match Hours::parse(expr) {
            Err(HoursError::Syntax { expr: e, detail }) => {
                assert_eq!(e, expr.trim());
                detail
            }
            other => panic!("{expr}: expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_expressions_say_where() {
        let d = syntax_detail("Mo-Fx 08:00");
        assert!(d.starts_with("at character 4 (near \"Fx 08:00\")"), "{d}");
        assert!(d.contains("weekday"), "{d}");

        let d = syntax_detail("Mo-Fr 25:00-26:00");
        assert!(d.starts_with("at character 7"), "{d}");
        assert!(d.contains("time range"), "{d}");

        let d = syntax_detail("hello");
        assert!(d.starts_with("at character 1 (near \"hello\")"), "{d}");

        let d = syntax_detail("Mo-Fr 08:00-17:00;");
        assert!(d.starts_with("at character 19 (the end)"), "{d}");

        let d = syntax_detail("Mo-Fr 08:00-49:00");
        assert!(d.contains("up to 48:00"), "{d}");

        // A single time is not a range.
        let d = syntax_detail("10:00");
        assert!(d.contains("closing time"), "{d}");

        // Errors found after the grammar: their own sentence, no position.
        let d = syntax_detail("week 05-02 Mo 10:00-12:00");
        assert!(d.contains("do you mean '2-5'"), "{d}");

        let e = Hours::parse("Mo-Fr 08:00-12:00/24:00").unwrap_err().to_string();
        assert!(e.contains("at character 18: repeating times"), "{e}");
        let e = Hours::parse("Mo-Fx 08:00").unwrap_err().to_string();
        assert!(e.starts_with("invalid opening_hours \"Mo-Fx 08:00\": at character 4"), "{e}");
    }

    #[test]
    fn impossible_dates_are_refused() {
        for (expr, detail) in [
            ("Jun 31 10:00-11:00", "June 31 is not a date (June has 30 days)"),
            ("Apr 31 off", "April 31 is not a date (April has 30 days)"),
            ("Mo-Fr 09:00-17:00; Feb 30 off", "February 30 is not a date (February has 29 days)"),
            ("Nov 28-Nov 31 off", "November 31 is not a date"),
            ("2026 Feb 29 off", "2026 February 29 is not a date (February has 28 days in 2026)"),
        ] {
            let e = Hours::parse(expr).unwrap_err().to_string();
            assert!(e.contains(detail), "{expr}: {e}");
        }
        // Feb 29 exists in leap years; month ends are fine.
        for expr in ["Feb 29 off", "2028 Feb 29 off", "Jan 31 10:00-11:00", "Apr 30 off", "Dec 24-Jan 06 off"] {
            assert!(Hours::parse(expr).is_ok(), "{expr}");
        }
        // Evaluated, the value closed one day a year, not every day.
        check(&hours("Mo-Fr 09:00-17:00; Feb 29 off"), "2026-05-06 10:00", Open, Some("2026-05-06 17:00"), None);
    }

    #[test]
    fn extended_hours_evaluations_are_bounded() {
        // Never changes: the whole day-by-day horizon is walked.
        let h = hours("Mo 00:00-48:00; Tu-Su 00:00-48:00");
        let start = std::time::Instant::now();
        for _ in 0..1000 {
            assert_eq!(h.status_at_local(at("2026-05-06 10:00")).state, Open);
        }
        let took = start.elapsed();
        assert!(took < std::time::Duration::from_secs(3), "1,000 evaluations took {took:?}");
        // A change beyond the bounded horizon is not searched for.
        check(&hours("Jan 01 10:00-48:00"), "2026-05-06 10:00", Closed, None, None);
        check(&hours("Jan 01 10:00-48:00"), "2026-12-20 10:00", Closed, Some("2027-01-01 10:00"), None);
    }

    #[test]
    fn empty_and_too_long() {
        assert_eq!(Hours::parse("").unwrap_err(), HoursError::Empty);
        assert_eq!(Hours::parse("   ").unwrap_err(), HoursError::Empty);
        let long = vec!["Mo 08:00-09:00"; 200].join("; ");
        assert_eq!(Hours::parse(&long).unwrap_err(), HoursError::TooLong { len: long.len() });
    }

    #[test]
    fn long_expression_still_fast() {
        let expr = vec!["Mo-Fr 08:00-09:00"; 100].join("; ");
        assert!(expr.len() <= MAX_EXPR_LEN);
        let started = std::time::Instant::now();
        let h = hours(&format!("{expr}; 2020 Su 10:00-11:00"));
        h.status_at_local(at("2026-05-06 10:00"));
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    }

    #[test]
    fn unknown_timezone() {
        let e = Hours::parse_for("24/7", "Mars/Olympus", None, None).unwrap_err();
        assert_eq!(e, HoursError::UnknownTimezone("Mars/Olympus".into()));
        assert!(e.to_string().contains("\"Mars/Olympus\""));
        assert!(parse_timezone("").is_err());
        assert_eq!(parse_timezone(" America/Tijuana ").unwrap(), chrono_tz::America::Tijuana);
    }

    #[test]
    fn errors_become_input_errors() {
        let e = Hours::parse("hello").unwrap_err();
        let ie = e.input_error("data/mx.jsonl").at_line(3).record("mx:1");
        assert!(ie.to_string().starts_with("data/mx.jsonl:3: record mx:1: field opening_hours: invalid opening_hours"));
        let ie: InputError = HoursError::Empty.into();
        assert_eq!(ie.to_string(), "opening_hours: empty opening_hours value");
    }

    #[test]
    fn state_serializes_snake_case() {
        assert_eq!(serde_json::to_string(&Unknown).unwrap(), "\"unknown\"");
        let s = hours("Mo-Fr 08:00-17:00").status_at_local(at("2026-05-06 10:00"));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"state":"open","next_change":"2026-05-06T17:00:00","comment":null}"#
        );
    }

    #[test]
    fn shareable_between_threads_and_short_debug() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Hours>();
        send_sync::<HoursCache>();
        let h = Hours::parse_for("Mo-Fr 08:00-17:00; PH off", "America/Mexico_City", mx(), None).unwrap();
        assert_eq!(h.to_string(), "Mo-Fr 08:00-17:00; PH off");
        let debug = format!("{h:?}");
        assert!(debug.contains("America/Mexico_City") && debug.len() < 200, "{debug}");
    }

    #[test]
    fn cache_reuses_parses() {
        let mut cache = HoursCache::new(2);
        let a = cache.get("Mo-Fr 08:00-17:00", "America/Mexico_City", mx()).unwrap();
        let b = cache.get("Mo-Fr 08:00-17:00", "America/Mexico_City", mx()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let c = cache.get("Mo-Fr 08:00-17:00", "America/Tijuana", mx()).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.timezone(), chrono_tz::America::Tijuana);
        assert_eq!(cache.len(), 2);
        // Full: cleared before the next insertion.
        assert!(cache.get("hello", "UTC", None).is_err());
        assert_eq!(cache.len(), 1);
        let d = cache.get("Mo-Fr 08:00-17:00", "America/Tijuana", None).unwrap();
        assert!(!Arc::ptr_eq(&c, &d), "another country, another entry");
        assert_eq!(cache.len(), 2);
        assert!(matches!(cache.get("24/7", "Mars/Olympus", None), Err(HoursError::UnknownTimezone(_))));
        let mut none = HoursCache::new(0);
        assert!(none.get("24/7", "UTC", None).is_ok());
        assert!(none.is_empty());
    }
}
