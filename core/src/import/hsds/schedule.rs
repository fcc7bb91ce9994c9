//! HSDS `schedule` rows (RFC 5545 RRULE parts: `freq`, `interval`, `byday`, `opens_at`,
//! `closes_at`, `valid_from`, `valid_to`, ...) to an OpenStreetMap `opening_hours` value,
//! and back for the export.
//!
//! What converts (docs/hsds.md has the table): weekly rows (`freq` WEEKLY or empty,
//! `interval` 1 or empty) with `byday` days and local `opens_at`/`closes_at`; monthly rows
//! whose `byday` names the n-th weekday (`2MO` becomes `Mo[2]`, `-1FR` becomes `Fr[-1]`);
//! `valid_from`/`valid_to`/`until` as a date range in front of the rule. Rows of one
//! validity range are merged per weekday (`Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-14:00`);
//! ranges are joined as additional rules (`, `), so that every row adds its hours.
//!
//! What is refused and why: a malformed value (`byday` XX, `opens_at` 25:00, a date that is
//! no date) is [`Refusal::Invalid`], a problem that stops the import; a well-formed schedule
//! that `opening_hours` cannot say (every 2 weeks, `count`, `bymonthday`, `byweekno`,
//! `byyearday`, times with a UTC offset, a description without times) is
//! [`Refusal::Unsupported`]: the listing is imported without hours and the reason, with the
//! row's own text, is set aside so that the publisher sees it.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Rec;
use crate::error::InputError;

/// `notes` of a schedule row whose `description` is a Faro `opening_hours` value written by
/// the export when the hours have no exact row form (`24/7`, `PH off`, ...). The importer
/// takes the description verbatim (the hours check validates it).
pub const OSM_NOTE: &str = "OpenStreetMap opening_hours (Faro)";

/// Why schedule rows were not converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed values: every problem, located. The import stops.
    Invalid(Vec<InputError>),
    /// Well-formed but not expressible as `opening_hours`: the listing goes in without hours.
    Unsupported(InputError),
}

const DAYS: [(&str, &str); 7] =
    [("MO", "Mo"), ("TU", "Tu"), ("WE", "We"), ("TH", "Th"), ("FR", "Fr"), ("SA", "Sa"), ("SU", "Su")];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A time of day in minutes (0..=1440; 1440 only as a closing time).
type Minute = u16;
/// Opening and closing minute.
type Span = (Minute, Minute);

/// One validity range of rows, merged.
#[derive(Default)]
struct Group {
    /// Weekday (0 = Monday) to its spans.
    weekly: BTreeMap<usize, Vec<(Minute, Minute)>>,
    /// Monthly rules: weekday, n-th, span.
    monthly: Vec<(usize, i8, (Minute, Minute))>,
}

/// Converts the schedule rows of one listing into one `opening_hours` value. `offset_hours`
/// is the UTC offset of the listing's zone now, to accept a row's `timezone` that agrees.
pub(super) fn to_opening_hours(rows: &[&Rec], offset_hours: Option<f64>) -> Result<String, Refusal> {
    if let [row] = rows {
        if row.get("notes") == Some(OSM_NOTE) {
            if let Some(text) = row.get("description") {
                return Ok(text.to_string());
            }
        }
    }
    let mut invalid = Vec::new();
    let mut unsupported = None;
    let mut groups: BTreeMap<(Option<NaiveDate>, Option<NaiveDate>), Group> = BTreeMap::new();
    for row in rows {
        match read_row(row, offset_hours, &mut invalid) {
            Ok(Some((range, add))) => {
                let group = groups.entry(range).or_default();
                match add {
                    Add::Weekly(days, span) => {
                        for d in days {
                            group.weekly.entry(d).or_default().push(span);
                        }
                    }
                    Add::Monthly(list, span) => group.monthly.extend(list.into_iter().map(|(d, n)| (d, n, span))),
                }
            }
            Ok(None) => {}
            Err(e) => {
                unsupported.get_or_insert(e);
            }
        }
    }
    if !invalid.is_empty() {
        return Err(Refusal::Invalid(invalid));
    }
    if let Some(e) = unsupported {
        return Err(Refusal::Unsupported(e));
    }
    let mut rules = Vec::new();
    for ((from, to), group) in groups {
        let prefix = match (from, to) {
            (None, None) => String::new(),
            (Some(f), Some(t)) => format!("{}-{} ", date(f), date(t)),
            (Some(f), None) => format!("{}+ ", date(f)),
            (None, Some(t)) => format!("1900 Jan 01-{} ", date(t)),
        };
        let mut weekly: Vec<String> = Vec::new();
        for (days, spans) in merge_days(&group.weekly) {
            weekly.push(format!("{prefix}{} {}", day_list(&days), span_list(&spans)));
        }
        if !weekly.is_empty() {
            rules.push(weekly.join("; "));
        }
        for (d, n, span) in group.monthly {
            rules.push(format!("{prefix}{}[{n}] {}", DAYS[d].1, span_list(&[span])));
        }
    }
    Ok(rules.join(", "))
}

enum Add {
    Weekly(Vec<usize>, (Minute, Minute)),
    Monthly(Vec<(usize, i8)>, (Minute, Minute)),
}

type Range = (Option<NaiveDate>, Option<NaiveDate>);

/// Reads one row: `Ok(Some)` what it adds, `Err` why it cannot be said (malformed values go
/// into `invalid`, and `Ok(None)` is returned for them).
fn read_row(
    row: &Rec,
    offset_hours: Option<f64>,
    invalid: &mut Vec<InputError>,
) -> Result<Option<(Range, Add)>, InputError> {
    let before = invalid.len();
    let monthly = match row.get("freq").map(str::to_ascii_uppercase).as_deref() {
        None | Some("WEEKLY") => false,
        Some("MONTHLY") => true,
        Some(other) => {
            invalid.push(row.err("freq", format!("{other:?} is not WEEKLY or MONTHLY")));
            false
        }
    };
    if let Some(wkst) = row.get("wkst") {
        if !DAYS.iter().any(|(c, _)| c.eq_ignore_ascii_case(wkst)) {
            invalid.push(row.err("wkst", format!("{wkst:?} is not a day code (MO, TU, WE, TH, FR, SA, SU)")));
        }
    }
    let mut unsupported: Option<InputError> = None;
    let mut refuse = |e: InputError| {
        unsupported.get_or_insert(e);
    };
    match row.get("interval").map(|v| v.parse::<f64>()) {
        None => {}
        Some(Ok(1.0)) => {}
        Some(Ok(n)) if n >= 1.0 && n.fract() == 0.0 => refuse(row.err(
            "interval",
            format!(
                "every {n} {}: opening_hours has no such repetition; the listing is imported without hours",
                if monthly { "months" } else { "weeks" }
            ),
        )),
        Some(_) => invalid.push(row.err("interval", "is not a whole number of at least 1")),
    }
    for field in ["count", "bymonthday", "byweekno", "byyearday"] {
        if let Some(v) = row.get(field) {
            refuse(row.err(
                field,
                format!("{v:?}: {field} is not converted to opening_hours; the listing is imported without hours"),
            ));
        }
    }
    if let Some(tz) = row.get("timezone") {
        match tz.parse::<f64>() {
            Ok(h) if offset_hours.is_some_and(|o| (o - h).abs() < 0.01) => {}
            Ok(h) => refuse(row.err(
                "timezone",
                format!("UTC offset {h} is not the place's own offset now; times are read as local times of the place, write them so"),
            )),
            Err(_) => invalid.push(row.err("timezone", format!("{tz:?} is not a number of hours"))),
        }
    }
    let opens = row.get("opens_at").map(|t| (t, time(t, false)));
    let closes = row.get("closes_at").map(|t| (t, time(t, true)));
    let span = match (opens, closes) {
        (Some((_, Ok(Some(o)))), Some((_, Ok(Some(c))))) if o == c => {
            invalid.push(row.err("closes_at", "is the same time as opens_at"));
            None
        }
        (Some((_, Ok(Some(o)))), Some((_, Ok(Some(c))))) => Some((o, c)),
        (o, c) => {
            for (field, value) in [("opens_at", o), ("closes_at", c)] {
                match value {
                    Some((t, Err(()))) => invalid.push(row.err(field, format!("{t:?} is not a time HH:MM"))),
                    Some((t, Ok(None))) => refuse(row.err(
                        field,
                        format!("{t:?} has a UTC offset: write the local time of the place; the listing is imported without hours"),
                    )),
                    Some((_, Ok(Some(_)))) => {}
                    None => match row.get("description") {
                        Some(text) => refuse(row.err(
                            field,
                            format!("is empty, and the description {text:?} is not converted; the listing is imported without hours"),
                        )),
                        None => invalid.push(row.err(field, "is needed with the schedule's days")),
                    },
                }
            }
            None
        }
    };
    let from = row.get("valid_from").and_then(|d| day(row, "valid_from", d, invalid));
    let to = row.get("valid_to").and_then(|d| day(row, "valid_to", d, invalid));
    let until = row.get("until").and_then(|d| day(row, "until", d, invalid));
    let to = match (to, until) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            invalid.push(row.err("valid_to", format!("{t} is before valid_from {f}")));
        }
    }
    let mut days: Vec<(usize, Option<i8>)> = Vec::new();
    match row.get("byday") {
        None => refuse(row.err("byday", "is empty: the days are not stated; the listing is imported without hours")),
        Some(list) => {
            for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match weekday(part) {
                    Some((d, None)) => days.push((d, None)),
                    Some((d, Some(n))) if monthly => days.push((d, Some(n))),
                    Some(_) => invalid.push(row.err("byday", format!("{part:?}: an n-th weekday needs freq MONTHLY"))),
                    None => invalid.push(row.err(
                        "byday",
                        format!("{part:?} is not a day code (MO..SU, with an n-th such as 2MO or -1FR for MONTHLY)"),
                    )),
                }
            }
        }
    }
    if invalid.len() > before {
        return Ok(None);
    }
    if let Some(e) = unsupported {
        return Err(e);
    }
    let Some(span) = span else { return Ok(None) };
    let range = (from, to);
    let nth: Vec<(usize, i8)> = days.iter().filter_map(|(d, n)| n.map(|n| (*d, n))).collect();
    let plain: Vec<usize> = days.iter().filter(|(_, n)| n.is_none()).map(|(d, _)| *d).collect();
    if !nth.is_empty() && !plain.is_empty() {
        return Err(
            row.err("byday", "mixes plain and n-th weekdays: split the row; the listing is imported without hours")
        );
    }
    Ok(Some((range, if nth.is_empty() { Add::Weekly(plain, span) } else { Add::Monthly(nth, span) })))
}

/// `MO` or `2MO` / `-1FR`: weekday index and n-th.
fn weekday(part: &str) -> Option<(usize, Option<i8>)> {
    let up = part.to_ascii_uppercase();
    let split = up.len().checked_sub(2)?;
    let (n, code) = up.split_at(split);
    let d = DAYS.iter().position(|(c, _)| *c == code)?;
    if n.is_empty() {
        return Some((d, None));
    }
    let n: i8 = n.parse().ok()?;
    ((-5..=5).contains(&n) && n != 0).then_some((d, Some(n)))
}

/// `HH:MM` or `HH:MM:SS` (seconds 00): `Ok(Some(minutes))`; `Ok(None)` when it carries a
/// UTC offset or `Z`; `Err` when it is not a time. `24:00` only as a closing time.
fn time(t: &str, closing: bool) -> Result<Option<Minute>, ()> {
    let t = t.trim();
    let (clock, zoned) = match t.find(['Z', 'z', '+']).or_else(|| t.get(1..).and_then(|r| r.find('-')).map(|i| i + 1)) {
        Some(i) => (&t[..i], true),
        None => (t, false),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let num =
        |s: &str| (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u16>().ok()).flatten();
    let (h, m) = match parts.as_slice() {
        [h, m] => (num(h).ok_or(())?, num(m).ok_or(())?),
        [h, m, s] if num(s) == Some(0) => (num(h).ok_or(())?, num(m).ok_or(())?),
        _ => return Err(()),
    };
    if m > 59 || h > 24 || (h == 24 && (m != 0 || !closing)) {
        return Err(());
    }
    Ok((!zoned).then_some(h * 60 + m))
}

fn day(row: &Rec, field: &str, text: &str, invalid: &mut Vec<InputError>) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            invalid.push(row.err(field, format!("{text:?} is not a date YYYY-MM-DD")));
            None
        }
    }
}

fn date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {} {:02}", d.year(), MONTHS[d.month0() as usize], d.day())
}

/// Days with the same spans, grouped, in the order of their first day.
fn merge_days(weekly: &BTreeMap<usize, Vec<Span>>) -> Vec<(Vec<usize>, Vec<Span>)> {
    let mut out: Vec<(Vec<usize>, Vec<Span>)> = Vec::new();
    for (d, spans) in weekly {
        let mut spans = spans.clone();
        spans.sort_unstable();
        spans.dedup();
        match out.iter_mut().find(|(_, s)| *s == spans) {
            Some((days, _)) => days.push(*d),
            None => out.push((vec![*d], spans)),
        }
    }
    out
}

/// `Mo-Fr`, `Mo,We,Fr`, `Sa-Su`.
fn day_list(days: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", DAYS[days[i]].1, DAYS[days[j]].1)
        } else {
            DAYS[days[i]].1.to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

fn span_list(spans: &[(Minute, Minute)]) -> String {
    let hm = |m: Minute| format!("{:02}:{:02}", m / 60, m % 60);
    spans.iter().map(|(o, c)| format!("{}-{}", hm(*o), hm(*c))).collect::<Vec<_>>().join(",")
}

/// One schedule row of the export: HSDS `byday`, `opens_at`, `closes_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowForm {
    /// `MO,TU,WE`.
    pub byday: String,
    /// `09:00`.
    pub opens_at: String,
    /// `17:00`.
    pub closes_at: String,
}

/// The weekly rows that say exactly `expr`, when the importer would read them back as the
/// same text; `None` for anything else (`24/7`, `PH off`, dates, n-th weekdays), which the
/// export writes as one row with the text in `description` and [`OSM_NOTE`] in `notes`.
pub fn rows_for(expr: &str) -> Option<Vec<RowForm>> {
    let mut weekly: BTreeMap<usize, Vec<(Minute, Minute)>> = BTreeMap::new();
    for rule in expr.split("; ") {
        let (days, spans) = rule.split_once(' ')?;
        let mut ds = Vec::new();
        for part in days.split(',') {
            let idx = |s: &str| DAYS.iter().position(|(_, n)| *n == s);
            match part.split_once('-') {
                Some((a, b)) => ds.extend(idx(a)?..=idx(b)?),
                None => ds.push(idx(part)?),
            }
        }
        for span in spans.split(',') {
            let (o, c) = span.split_once('-')?;
            let (o, c) = (time(o, false).ok()??, time(c, true).ok()??);
            for d in &ds {
                weekly.entry(*d).or_default().push((o, c));
            }
        }
    }
    let hm = |m: Minute| format!("{:02}:{:02}", m / 60, m % 60);
    let mut rows = Vec::new();
    let mut recs = Vec::new();
    for (days, spans) in merge_days(&weekly) {
        let byday = days.iter().map(|d| DAYS[*d].0).collect::<Vec<_>>().join(",");
        for (o, c) in spans {
            rows.push(RowForm { byday: byday.clone(), opens_at: hm(o), closes_at: hm(c) });
        }
    }
    for r in &rows {
        recs.push(Rec::of(&[("byday", &r.byday), ("opens_at", &r.opens_at), ("closes_at", &r.closes_at)]));
    }
    let refs: Vec<&Rec> = recs.iter().collect();
    (to_opening_hours(&refs, None).ok()? == expr).then_some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(rows: &[&[(&str, &str)]]) -> Result<String, Refusal> {
        let recs: Vec<Rec> = rows.iter().map(|r| Rec::of(r)).collect();
        let refs: Vec<&Rec> = recs.iter().collect();
        to_opening_hours(&refs, Some(-5.0))
    }

    fn ok(rows: &[&[(&str, &str)]]) -> String {
        let out = convert(rows).unwrap();
        // Every value made must be one the hours engine accepts.
        crate::hours::Hours::parse_for(&out, "America/New_York", None, None).unwrap();
        out
    }

    fn unsupported_field(rows: &[&[(&str, &str)]]) -> String {
        match convert(rows) {
            Err(Refusal::Unsupported(e)) => e.field.unwrap(),
            other => panic!("{other:?}"),
        }
    }

    fn invalid_fields(rows: &[&[(&str, &str)]]) -> Vec<String> {
        match convert(rows) {
            Err(Refusal::Invalid(es)) => es.into_iter().map(|e| e.field.unwrap()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn conversion_table() {
        let w = |byday, o, c| vec![("byday", byday), ("opens_at", o), ("closes_at", c)];
        type Fields<'a> = Vec<(&'a str, &'a str)>;
        let table: &[(&[Fields], &str)] = &[
            (&[w("MO,TU,WE,TH,FR", "09:00", "17:00")], "Mo-Fr 09:00-17:00"),
            (
                &[w("MO,TU,WE,TH,FR", "09:00:00", "17:00:00"), w("SA", "10:00", "14:00")],
                "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
            ),
            (&[w("MO,WE,FR", "09:00", "12:00"), w("MO,WE,FR", "14:00", "17:00")], "Mo,We,Fr 09:00-12:00,14:00-17:00"),
            (&[w("SA,SU", "22:00", "06:00")], "Sa-Su 22:00-06:00"),
            (&[w("mo", "08:00", "24:00")], "Mo 08:00-24:00"),
        ];
        for (rows, want) in table {
            let rows: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
            assert_eq!(ok(&rows), *want);
        }
        assert_eq!(
            ok(&[&[("freq", "MONTHLY"), ("byday", "2MO,-1FR"), ("opens_at", "10:00"), ("closes_at", "12:00")]]),
            "Mo[2] 10:00-12:00, Fr[-1] 10:00-12:00"
        );
        assert_eq!(
            ok(&[
                &[("byday", "MO"), ("opens_at", "09:00"), ("closes_at", "17:00")],
                &[
                    ("byday", "SA"),
                    ("opens_at", "10:00"),
                    ("closes_at", "12:00"),
                    ("valid_from", "2026-12-01"),
                    ("valid_to", "2026-12-31"),
                    ("timezone", "-5"),
                    ("wkst", "MO"),
                    ("freq", "WEEKLY"),
                    ("interval", "1"),
                ],
            ]),
            "Mo 09:00-17:00, 2026 Dec 01-2026 Dec 31 Sa 10:00-12:00"
        );
    }

    #[test]
    fn what_opening_hours_cannot_say_is_refused_with_the_field() {
        let base = [("byday", "MO"), ("opens_at", "09:00"), ("closes_at", "17:00")];
        let with = |extra: (&'static str, &'static str)| {
            let mut r = base.to_vec();
            r.push(extra);
            r
        };
        assert_eq!(unsupported_field(&[&with(("interval", "2"))]), "interval");
        assert_eq!(unsupported_field(&[&with(("count", "5"))]), "count");
        assert_eq!(unsupported_field(&[&with(("bymonthday", "1,15"))]), "bymonthday");
        assert_eq!(unsupported_field(&[&with(("timezone", "3"))]), "timezone");
        assert_eq!(
            unsupported_field(&[&[("byday", "MO"), ("opens_at", "09:00Z"), ("closes_at", "17:00Z")]]),
            "opens_at"
        );
        assert_eq!(unsupported_field(&[&[("description", "Mornings, call first")]]), "opens_at");
        assert_eq!(unsupported_field(&[&[("opens_at", "09:00"), ("closes_at", "17:00")]]), "byday");
    }

    #[test]
    fn malformed_rows_report_every_field() {
        assert_eq!(
            invalid_fields(&[
                &[("byday", "MO,XX"), ("opens_at", "25:00"), ("closes_at", "17:00")],
                &[("byday", "2MO"), ("opens_at", "09:00"), ("closes_at", "09:00"), ("valid_from", "2026-02-30")],
                &[("freq", "DAILY"), ("byday", "TU"), ("opens_at", "09:00"), ("closes_at", "10:00")],
            ]),
            ["opens_at", "byday", "closes_at", "valid_from", "byday", "freq"]
        );
    }

    #[test]
    fn a_faro_opening_hours_row_is_taken_verbatim() {
        assert_eq!(ok(&[&[("description", "24/7"), ("notes", OSM_NOTE)]]), "24/7");
    }

    #[test]
    fn export_rows_read_back_as_the_same_text() {
        for expr in ["Mo-Fr 09:00-17:00", "Mo-Fr 09:00-17:00; Sa 10:00-14:00", "Mo,We,Fr 09:00-12:00,14:00-17:00"] {
            let rows = rows_for(expr).unwrap_or_else(|| panic!("{expr}"));
            assert!(!rows.is_empty());
        }
        assert_eq!(rows_for("Mo-Fr 09:00-17:00").unwrap()[0].byday, "MO,TU,WE,TH,FR");
        for expr in ["24/7", "Mo-Fr 09:00-17:00; PH off", "Mo-Fr 08:00-12:00, We 14:00-18:00", "Tu,Mo 09:00-10:00"] {
            assert_eq!(rows_for(expr), None, "{expr}");
        }
    }
}
