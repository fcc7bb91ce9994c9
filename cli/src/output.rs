//! How the CLI prints things: aligned text for people, stable JSON for scripts.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{json, Value};

use faro_core::hours::{HoursStatus, OpenState};
use faro_core::model::{vocabulary, Listing};
use faro_core::search::{nothing_near, Hit, NEAR_HORIZON_M};
use faro_core::store::WriteSummary;
use faro_core::{InputError, LangPrefs};

use crate::i18n as tr;

/// Prints any serializable value as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => eprintln!("faro: cannot encode output: {e}"),
    }
}

/// Local time as `YYYY-MM-DDTHH:MM`, the CLI's one time format.
pub fn local_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// When `hours` next changes, in IANA zone `tz` (UTC when absent) as RFC 3339 with its
/// offset (`2026-11-25T17:00:00-06:00`), so that a script knows the instant; the local time
/// if the zone is unknown to this build (never for stored listings, whose zones were checked).
pub fn next_change_rfc3339(hours: &HoursStatus, tz: Option<&str>) -> Option<String> {
    let local = hours.next_change?;
    Some(hours.next_change_at(tz).map(|at| at.to_rfc3339()).unwrap_or_else(|| local_time(local)))
}

/// The JSON array `faro search --json` prints: one object per hit with what a person needs
/// to go there (address, phones, hours text and zone, languages, cost); `far` marks hits
/// beyond the near horizon of a search near a point without a radius. Texts in several
/// languages are given whole (JSON is never localized).
pub fn json_hits(hits: &[Hit]) -> Value {
    Value::Array(
        hits.iter()
            .map(|h| {
                let mut v = json!({
                    "id": h.id,
                    "kind": h.kind,
                    "name": h.name,
                    "name_lang": h.name_lang,
                    "open": h.hours.open(),
                    "next_change": next_change_rfc3339(&h.hours, h.listing.timezone.as_deref()),
                    "status": h.status,
                    "far": h.far,
                    "address": h.listing.address,
                    "phones": h.listing.phones,
                    "opening_hours": h.listing.opening_hours,
                    "timezone": h.listing.timezone,
                    "languages": h.listing.languages,
                    "cost": h.listing.cost,
                    "serves": h.listing.serves,
                    "demo": h.demo,
                    "dataset": h.dataset,
                    "verified": h.verified,
                });
                let obj = v.as_object_mut().expect("object literal");
                if let Some(o) = &h.organization {
                    obj.insert("organization".into(), json!(o));
                }
                if let Some(d) = h.distance_m {
                    obj.insert("distance_m".into(), json!(d));
                }
                if let Some(s) = h.score {
                    obj.insert("score".into(), json!((s * 1000.0).round() / 1000.0));
                }
                if let Some(c) = &h.hours.comment {
                    obj.insert("hours_comment".into(), json!(c));
                }
                if let Some(loc) = h.listing.location {
                    obj.insert("lat".into(), json!(loc.lat));
                    obj.insert("lon".into(), json!(loc.lon));
                }
                if let Some(c) = &h.listing.consulate {
                    obj.insert("represents".into(), json!(c.represents));
                    if let Some(t) = &c.mission_type {
                        obj.insert("mission_type".into(), json!(t));
                    }
                }
                v
            })
            .collect(),
    )
}

/// `faro hours --json`: `{"open": bool|null, "next_change": RFC 3339 in `tz`|null,
/// "next_change_local": "YYYY-MM-DDTHH:MM"|null, "holidays_checked": bool}`; the last says
/// whether a country's public holidays were known, so that `PH` rules could match.
pub fn json_hours(status: &HoursStatus, tz: &str, holidays_checked: bool) -> Value {
    let mut v = json!({
        "open": status.open(),
        "next_change": next_change_rfc3339(status, Some(tz)),
        "next_change_local": status.next_change.map(local_time),
        "holidays_checked": holidays_checked,
    });
    if let Some(c) = &status.comment {
        v.as_object_mut().expect("object literal").insert("comment".into(), json!(c));
    }
    v
}

/// One line for the open state: "open until 2026-11-27T17:00", "closed, opens ...".
pub fn open_phrase(hours: &HoursStatus) -> String {
    match (hours.state, hours.next_change) {
        (OpenState::Open, Some(t)) => tr::f("open_until", &[&tr::when(t)]),
        (OpenState::Open, None) => tr::t("open_always").into(),
        (OpenState::Closed, Some(t)) => tr::f("closed_opens", &[&tr::when(t)]),
        (OpenState::Closed, None) => tr::t("closed").into(),
        (OpenState::Unknown, _) => tr::t("hours_unknown").into(),
    }
}

/// Human-readable status of `faro hours`.
pub fn print_hours(status: &HoursStatus) {
    let mut line = open_phrase(status);
    if let Some(c) = &status.comment {
        line.push_str(&format!(" ({c})"));
    }
    outln!("{line}");
}

fn distance(d: f64) -> String {
    if d < 1000.0 {
        format!("{:.0} m", d)
    } else if d < 100_000.0 {
        format!("{:.1} km", d / 1000.0)
    } else {
        format!("{:.0} km", d / 1000.0)
    }
}

/// The label of a kind in the first preferred language that has one.
fn kind_label(kind: faro_core::Kind, langs: &LangPrefs) -> String {
    let words = vocabulary::kind_words(kind);
    for want in langs.tags() {
        if let Some((_, w)) = words.iter().find(|(l, _)| *l == want.primary()) {
            return first_words(w);
        }
    }
    kind.as_str().to_string()
}

fn first_words(w: &str) -> String {
    // Labels start with the main term: "asesoría jurídica ayuda legal" -> "asesoría jurídica".
    let parts: Vec<&str> = w.split(' ').collect();
    match parts.as_slice() {
        [a, b, ..] if ["asesoría", "aide", "èd", "assistência", "legal", "casa"].contains(a) => format!("{a} {b}"),
        [a, ..] => a.to_string(),
        [] => String::new(),
    }
}

/// Numbered list of hits, two lines each. Far hits (beyond the near horizon) come under a
/// line that says so: "nothing within 50 km, the nearest is N km away" when every hit is
/// far, "more than 50 km away" before the first far one otherwise.
pub fn print_hits(hits: &[Hit], langs: &LangPrefs) {
    if hits.is_empty() {
        outln!("{}", tr::t("no_results"));
        return;
    }
    let horizon_km = format!("{:.0}", NEAR_HORIZON_M / 1000.0);
    if let Some(nearest) = nothing_near(hits) {
        outln!("{}", tr::f("nothing_near", &[&horizon_km, &format!("{:.0}", nearest / 1000.0)]));
    }
    // Sorted by distance, the far hits are the tail: one heading. Otherwise each says so.
    let far_tail = hits.iter().position(|h| h.far).filter(|&i| i > 0 && hits[i..].iter().all(|h| h.far));
    let label_each = far_tail.is_none() && nothing_near(hits).is_none();
    for (i, h) in hits.iter().enumerate() {
        if far_tail == Some(i) {
            outln!("{}", tr::f("far_beyond", &[&horizon_km]));
        }
        let mut head = format!("{:>2}. {}", i + 1, h.name);
        if h.demo && !h.name.contains("(demo)") {
            head.push_str(&format!(" {}", tr::t("demo_data")));
        }
        let mut facts = vec![kind_label(h.kind, langs)];
        if let Some(d) = h.distance_m {
            facts.push(distance(d));
        }
        if h.far && label_each {
            facts.push(tr::t("far").to_string());
        }
        if h.status != faro_core::model::Status::Active {
            facts.push(tr::t(h.status.as_str()).to_string());
        } else {
            facts.push(open_phrase(&h.hours));
        }
        outln!("{head}\n    {}   [{}]", facts.join(" · "), h.id);
        outln!("    {}", origin_label(h));
        let mut detail: Vec<String> = Vec::new();
        if let Some(o) = &h.organization {
            detail.push(o.clone());
        }
        if let Some(a) = &h.listing.address {
            let mut place: Vec<String> = Vec::new();
            let street = langs.text(&a.street);
            if !street.is_empty() {
                place.push(street.to_string());
            }
            place.extend(a.locality.iter().cloned());
            place.push(a.country.name().to_string());
            detail.push(place.join(", "));
        }
        if let Some(p) = h.listing.phones.first() {
            detail.push(format!("{} ({})", p.number, tr::t(p.kind.as_str())));
        }
        if !detail.is_empty() {
            outln!("    {}", detail.join(" · "));
        }
    }
}

/// Where a hit comes from: verified (synced, with its dataset) or an unverified local import.
pub fn origin_label(h: &Hit) -> String {
    if h.verified {
        tr::f("verified_in", &[&h.dataset])
    } else {
        tr::f("local_import", &[&h.dataset])
    }
}

/// Full human-readable view of one listing; `origin` is its dataset and whether that came
/// signed (`Store::origin`), shown under what the record says of its verification.
pub fn print_listing(l: &Listing, origin: &(String, bool), langs: &LangPrefs) {
    outln!("{}", langs.text(&l.name));
    if l.demo {
        outln!("{}", tr::t("demo_listing"));
    }
    let row = |label: &str, value: String| {
        if !value.is_empty() {
            outln!("  {:<13} {value}", tr::t(label));
        }
    };
    row("id", l.id.clone());
    row("kind", kind_label(l.kind, langs));
    row("organization", langs.text(&l.organization).to_string());
    if let Some(c) = &l.consulate {
        row("represents", format!("{} ({})", c.represents.name(), c.represents));
        row("mission", c.mission_type.clone().unwrap_or_default());
        row("consular", c.services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "));
    }
    row("status", tr::t(l.status.as_str()).to_string());
    row("status_note", langs.text(&l.status_note).to_string());
    row("services", l.services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "));
    row("description", langs.text(&l.description).to_string());
    if let Some(a) = &l.address {
        let mut parts: Vec<String> = Vec::new();
        let street = langs.text(&a.street);
        if !street.is_empty() {
            parts.push(street.to_string());
        }
        parts.extend(a.locality.iter().cloned());
        parts.extend(a.region.iter().cloned());
        parts.extend(a.postal_code.iter().cloned());
        parts.push(a.country.name().to_string());
        row("address", parts.join(", "));
    }
    if let Some(loc) = l.location {
        row("location", format!("{:.5},{:.5}", loc.lat, loc.lon));
    }
    for p in &l.phones {
        let note = langs.text(&p.note);
        row(
            "phone",
            format!(
                "{} ({}){}",
                p.number,
                tr::t(p.kind.as_str()),
                if note.is_empty() { String::new() } else { format!(" {note}") }
            ),
        );
    }
    row("email", l.emails.join(", "));
    row("web", l.websites.join(", "));
    row("social", l.social.iter().map(|s| format!("{} {}", s.network, s.handle)).collect::<Vec<_>>().join(", "));
    if let Some(h) = &l.opening_hours {
        row("hours", format!("{h} ({})", l.timezone.as_deref().unwrap_or("?")));
    } else {
        row("hours", tr::t("unknown").into());
    }
    row("languages", l.languages.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "));
    row("cost", tr::t(l.cost.map_or("unknown", |c| c.as_str())).into());
    row("serves", l.serves.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "));
    match l.eligibility.papers_required {
        Some(true) => row("papers", tr::t("required").into()),
        Some(false) => row("papers", tr::t("not_required").into()),
        None => {}
    }
    row("eligibility", langs.text(&l.eligibility.note).to_string());
    row("access", l.accessibility.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "));
    if let Some(v) = &l.verified {
        row("verified", tr::f("by_on", &[&v.by, &v.on.to_string()]));
    }
    // Where it came from, under the record's own claim: a local import's `verified` is only
    // what its file says.
    let (dataset, signed) = origin;
    outln!("  {:<13} {}", "", tr::f(if *signed { "dataset_signed" } else { "dataset_unsigned" }, &[dataset]));
    if let Some(s) = &l.source {
        let mut text = s.name.clone();
        if let Some(d) = s.date {
            text.push_str(&format!(", {d}"));
        }
        if let Some(lic) = &s.license {
            text.push_str(&format!(", {lic}"));
        }
        row("source", text);
    }
}

/// What `faro import` reports.
#[derive(Serialize)]
pub struct ImportReport {
    dataset: String,
    inserted: u64,
    updated: u64,
    unchanged: u64,
    /// Listings the file no longer has, deleted by `--replace`.
    deleted: u64,
    rejected: Vec<RejectedRow>,
    /// Rows among `rejected` set aside as implausible (missions whose coordinates are not in
    /// their host country).
    set_aside: u64,
    /// Rows the file had, when the format has rows (missions).
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<u64>,
    phones_dropped: u64,
}

#[derive(Serialize)]
struct RejectedRow {
    line: Option<u64>,
    record: Option<String>,
    field: Option<String>,
    reason: String,
}

impl ImportReport {
    /// A report from a write summary and the rows an importer skipped.
    pub fn new(dataset: &str, s: WriteSummary, rejected: Vec<InputError>, phones_dropped: u64) -> ImportReport {
        ImportReport {
            dataset: dataset.to_string(),
            inserted: s.inserted,
            updated: s.updated,
            unchanged: s.unchanged,
            deleted: s.deleted,
            set_aside: 0,
            rows: None,
            rejected: rejected
                .into_iter()
                .map(|e| RejectedRow { line: e.line, record: e.record, field: e.field, reason: e.reason })
                .collect(),
            phones_dropped,
        }
    }

    /// Says how many of the file's `rows` were set aside as implausible (among the skipped).
    pub fn set_aside(mut self, set_aside: u64, rows: u64) -> ImportReport {
        self.set_aside = set_aside;
        self.rows = Some(rows);
        self
    }

    /// Warns on stderr, whatever the output format, when rows were set aside as implausible:
    /// they are not in the database, and the publisher should know.
    pub fn warn(&self) {
        if self.set_aside > 0 {
            let rows = [self.set_aside.to_string(), self.rows.unwrap_or_default().to_string()];
            eprintln!("faro: {}", tr::f("import_set_aside", &[&rows[0], &rows[1]]));
        }
    }

    /// Summary line, then every skipped row with its line and reason.
    pub fn print_human(&self) {
        outln!(
            "{}: {} new, {} updated, {} unchanged, {} rows not imported",
            self.dataset,
            self.inserted,
            self.updated,
            self.unchanged,
            self.rejected.len()
        );
        if self.deleted > 0 {
            outln!("  {}", tr::f("import_deleted", &[&self.deleted.to_string()]));
        }
        if self.phones_dropped > 0 {
            outln!("  {} phone numbers could not be read as E.164 and were left out", self.phones_dropped);
        }
        for r in &self.rejected {
            let mut line = String::from("  ");
            if let Some(n) = r.line {
                line.push_str(&format!("line {n}: "));
            }
            if let Some(id) = &r.record {
                line.push_str(&format!("{id}: "));
            }
            if let Some(f) = &r.field {
                line.push_str(&format!("{f}: "));
            }
            line.push_str(&r.reason);
            outln!("{line}");
        }
    }
}
