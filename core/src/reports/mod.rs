//! Reports from the field (issue 11): corrections, new places, suspected scams, complaints,
//! written on the phone, sealed at once to the publisher's receiver key, queued in the
//! directory database, and sent when a connection appears.
//!
//! - [`Report`]: what a report holds, the plaintext inside the envelope (versioned JSON). Only
//!   what the person typed and chose to attach: no device or install id, no precise place
//!   unless asked for (rounded to 2 decimals, about 1 km, by default), the day (UTC) rather
//!   than the time.
//! - [`envelope`]: HPKE sealing (RFC 9180 base mode, X25519-HKDF-SHA256, ChaCha20-Poly1305) to
//!   the key the signed targets metadata names (`sync::receiver`), the receiver's key files.
//! - [`outbox`]: the queue (schema step 11): only ciphertext the phone cannot read, plus the
//!   few fields the status list shows.
//! - [`send`]: POSTs each envelope to the signed URL, once per idempotency key at the receiver,
//!   with exponential backoff and jitter between runs.
//! - [`inbox`]: the publisher's side: accepts, deduplicates, stores and reads envelopes.

pub mod envelope;
pub mod inbox;
pub mod outbox;
pub mod send;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::report_error::ReportError;
pub use outbox::{cancel_report, erase_outbox, forget_reports, queue_report, reports, OutboxEntry, ReportStatus};
pub use send::{send_reports, SendOptions, SendOutcome, SendProgress, SendSummary};

/// Version of the plaintext report format ([`Report::v`]).
pub const REPORT_VERSION: u32 = 1;

/// Longest report text, in bytes: a few paragraphs, enough for a field note.
pub const MAX_TEXT_BYTES: usize = 4000;

/// Longest attached contact, in bytes.
pub const MAX_CONTACT_BYTES: usize = 300;

/// What the report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A listing is wrong: see [`SubKind`] `closed`, `moved`, `new_hours`, `wrong_phone`.
    Correction,
    /// A place that should be in the directory.
    NewPlace,
    /// A contact (phone, link, handle) that looks like a scam or a smuggler.
    SuspectedScam,
    /// A service mistreated people or charged for what is free: sub-kinds `mistreatment`,
    /// `fees_for_free_service`.
    Complaint,
    /// Anything else.
    Other,
}

/// The precise kind of a correction or a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubKind {
    /// Correction: the place closed.
    Closed,
    /// Correction: the place moved.
    Moved,
    /// Correction: the opening hours changed.
    NewHours,
    /// Correction: the phone number is wrong (or now belongs to someone else).
    WrongPhone,
    /// Complaint: people were mistreated.
    Mistreatment,
    /// Complaint: fees were charged for a service that is free.
    FeesForFreeService,
}

impl ReportKind {
    /// `correction`, `new_place`, ... as JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Correction => "correction",
            ReportKind::NewPlace => "new_place",
            ReportKind::SuspectedScam => "suspected_scam",
            ReportKind::Complaint => "complaint",
            ReportKind::Other => "other",
        }
    }

    /// Reads [`ReportKind::as_str`]'s words (and `-` for `_`).
    pub fn parse(word: &str) -> Option<ReportKind> {
        let word = word.replace('-', "_");
        [
            ReportKind::Correction,
            ReportKind::NewPlace,
            ReportKind::SuspectedScam,
            ReportKind::Complaint,
            ReportKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == word)
    }

    /// The sub-kinds this kind takes (one of them is required when not empty).
    pub fn sub_kinds(self) -> &'static [SubKind] {
        match self {
            ReportKind::Correction => &[SubKind::Closed, SubKind::Moved, SubKind::NewHours, SubKind::WrongPhone],
            ReportKind::Complaint => &[SubKind::Mistreatment, SubKind::FeesForFreeService],
            _ => &[],
        }
    }
}

impl SubKind {
    /// `closed`, `new_hours`, ... as JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SubKind::Closed => "closed",
            SubKind::Moved => "moved",
            SubKind::NewHours => "new_hours",
            SubKind::WrongPhone => "wrong_phone",
            SubKind::Mistreatment => "mistreatment",
            SubKind::FeesForFreeService => "fees_for_free_service",
        }
    }

    /// Reads [`SubKind::as_str`]'s words (and `-` for `_`).
    pub fn parse(word: &str) -> Option<SubKind> {
        let word = word.replace('-', "_");
        [
            SubKind::Closed,
            SubKind::Moved,
            SubKind::NewHours,
            SubKind::WrongPhone,
            SubKind::Mistreatment,
            SubKind::FeesForFreeService,
        ]
        .into_iter()
        .find(|k| k.as_str() == word)
    }
}

/// A place the person chose to attach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaceAttachment {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Send it as given. Off by default: the place is rounded to 2 decimals (about 1 km).
    pub precise: bool,
}

/// What the person wrote and chose to attach, before it is sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDraft {
    /// What the report is about.
    pub kind: ReportKind,
    /// Required for corrections and complaints, refused for the other kinds.
    pub sub_kind: Option<SubKind>,
    /// What the person typed (1 to [`MAX_TEXT_BYTES`] bytes).
    pub text: String,
    /// The listing the report is about; its dataset and the version held are attached.
    pub listing: Option<String>,
    /// A contact (phone, link, handle): required for a suspected scam, which also carries
    /// check-contact's verdict on it.
    pub contact: Option<String>,
    /// A place, rounded unless marked precise.
    pub place: Option<PlaceAttachment>,
}

/// The listing a report is about, as the phone holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingRef {
    /// The listing id.
    pub id: String,
    /// Its dataset, when the listing is held on this phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// The dataset's version held, when it came from a verified sync or bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// How exact an attached place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacePrecision {
    /// Rounded to 2 decimals (about 1.1 km north-south).
    Rounded,
    /// As the person gave it (they asked for it).
    Exact,
}

/// A place inside a report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReportPlace {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Rounded or exact.
    pub precision: PlacePrecision,
}

/// The plaintext inside an envelope: the whole report as the publisher reads it, versioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Format version ([`REPORT_VERSION`]).
    pub v: u32,
    /// What it is about.
    pub kind: ReportKind,
    /// The precise kind (corrections and complaints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_kind: Option<SubKind>,
    /// What the person typed.
    pub text: String,
    /// The listing, if one was attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListingRef>,
    /// The contact, if one was attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// check-contact's verdict on the contact when the report was written (`warning`,
    /// `unknown`, `lookalike`, ...), for suspected scams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_verdict: Option<String>,
    /// The place, if one was attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<ReportPlace>,
    /// The day the report was written, UTC (`YYYY-MM-DD`): not the time.
    pub day: String,
}

/// Rounds a coordinate to 2 decimals (about 1.1 km of latitude).
pub fn round_coordinate(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Builds the plaintext of `draft` as written at `now`: checks every field, rounds the place
/// unless it is marked precise, keeps the day only. `listing` and `verdict` are what the
/// phone knows of the attached listing and contact (filled by [`outbox::queue_report`]).
pub fn build_report(
    draft: &ReportDraft,
    listing: Option<ListingRef>,
    contact_verdict: Option<String>,
    now: DateTime<Utc>,
) -> Result<Report, ReportError> {
    let bad = |field: &str, reason: &str| ReportError::BadReport { field: field.into(), reason: reason.into() };
    let text = draft.text.trim();
    if text.is_empty() {
        return Err(bad("text", "write what is wrong or what happened"));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(bad("text", &format!("longer than {MAX_TEXT_BYTES} bytes")));
    }
    let allowed = draft.kind.sub_kinds();
    match draft.sub_kind {
        None if !allowed.is_empty() => {
            let words: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            return Err(bad("sub_kind", &format!("a {} needs one of {}", draft.kind.as_str(), words.join(", "))));
        }
        Some(s) if !allowed.contains(&s) => {
            return Err(bad("sub_kind", &format!("{} is not a kind of {}", s.as_str(), draft.kind.as_str())));
        }
        _ => {}
    }
    let contact = draft.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(String::from);
    if contact.as_ref().is_some_and(|c| c.len() > MAX_CONTACT_BYTES) {
        return Err(bad("contact", &format!("longer than {MAX_CONTACT_BYTES} bytes")));
    }
    if draft.kind == ReportKind::SuspectedScam && contact.is_none() {
        return Err(bad("contact", "a suspected scam needs the phone number, link or handle"));
    }
    let place = match draft.place {
        None => None,
        Some(p) => {
            if !(-90.0..=90.0).contains(&p.lat) || !(-180.0..=180.0).contains(&p.lon) {
                return Err(bad("place", "latitude must be within -90..90 and longitude within -180..180"));
            }
            Some(if p.precise {
                ReportPlace { lat: p.lat, lon: p.lon, precision: PlacePrecision::Exact }
            } else {
                ReportPlace {
                    lat: round_coordinate(p.lat),
                    lon: round_coordinate(p.lon),
                    precision: PlacePrecision::Rounded,
                }
            })
        }
    };
    let listing = match (listing, draft.listing.as_deref().map(str::trim).filter(|l| !l.is_empty())) {
        (Some(found), _) => Some(found),
        (None, Some(id)) => Some(ListingRef { id: id.into(), dataset: None, version: None }),
        (None, None) => None,
    };
    Ok(Report {
        v: REPORT_VERSION,
        kind: draft.kind,
        sub_kind: draft.sub_kind,
        text: text.into(),
        listing,
        contact,
        contact_verdict: contact_verdict.filter(|_| draft.kind == ReportKind::SuspectedScam),
        place,
        day: now.format("%Y-%m-%d").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: ReportKind, sub: Option<SubKind>) -> ReportDraft {
        ReportDraft {
            kind,
            sub_kind: sub,
            text: " The shelter (demo) closed in November. ".into(),
            listing: None,
            contact: None,
            place: None,
        }
    }

    fn at() -> DateTime<Utc> {
        "2026-12-07T13:47:12Z".parse().unwrap()
    }

    #[test]
    fn places_are_rounded_unless_asked_and_only_the_day_is_kept() {
        let mut d = draft(ReportKind::NewPlace, None);
        d.place = Some(PlaceAttachment { lat: 14.634_915, lon: -90.506_882, precise: false });
        let r = build_report(&d, None, None, at()).unwrap();
        assert_eq!(r.place, Some(ReportPlace { lat: 14.63, lon: -90.51, precision: PlacePrecision::Rounded }));
        assert_eq!(r.day, "2026-12-07");
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("634915") && !json.contains("506882") && !json.contains("13:47"), "{json}");
        assert!(!json.contains("device") && !json.contains("install"), "{json}");
        d.place = Some(PlaceAttachment { lat: 14.634_915, lon: -90.506_882, precise: true });
        let r = build_report(&d, None, None, at()).unwrap();
        assert_eq!(r.place.unwrap().precision, PlacePrecision::Exact);
        assert!(serde_json::to_string(&r).unwrap().contains("14.634915"));
    }

    #[test]
    fn sub_kinds_belong_to_their_kind() {
        assert!(build_report(&draft(ReportKind::Correction, Some(SubKind::Closed)), None, None, at()).is_ok());
        let e = build_report(&draft(ReportKind::Correction, None), None, None, at()).unwrap_err();
        assert!(e.to_string().contains("closed, moved, new_hours, wrong_phone"), "{e}");
        let e = build_report(&draft(ReportKind::Complaint, Some(SubKind::Closed)), None, None, at()).unwrap_err();
        assert!(e.to_string().contains("closed is not a kind of complaint"), "{e}");
        assert!(build_report(&draft(ReportKind::Other, Some(SubKind::Moved)), None, None, at()).is_err());
        assert_eq!(ReportKind::parse("suspected-scam"), Some(ReportKind::SuspectedScam));
        assert_eq!(SubKind::parse("fees-for-free-service"), Some(SubKind::FeesForFreeService));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut d = draft(ReportKind::Other, None);
        d.text = "  ".into();
        assert!(
            matches!(build_report(&d, None, None, at()), Err(ReportError::BadReport { field, .. }) if field == "text")
        );
        d.text = "x".repeat(MAX_TEXT_BYTES + 1);
        assert!(build_report(&d, None, None, at()).is_err());
        let d = draft(ReportKind::SuspectedScam, None);
        assert!(
            matches!(build_report(&d, None, None, at()), Err(ReportError::BadReport { field, .. }) if field == "contact")
        );
        let mut d = draft(ReportKind::NewPlace, None);
        d.place = Some(PlaceAttachment { lat: 91.0, lon: 0.0, precise: false });
        assert!(build_report(&d, None, None, at()).is_err());
    }

    #[test]
    fn the_verdict_rides_only_with_a_suspected_scam() {
        let mut d = draft(ReportKind::SuspectedScam, None);
        d.contact = Some("+1 201 555 0147".into());
        let r = build_report(&d, None, Some("warning".into()), at()).unwrap();
        assert_eq!(r.contact_verdict.as_deref(), Some("warning"));
        let r = build_report(&draft(ReportKind::Other, None), None, Some("warning".into()), at()).unwrap();
        assert_eq!(r.contact_verdict, None);
    }
}
