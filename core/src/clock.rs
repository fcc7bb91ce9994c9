//! Trusted time: `max(device clock, newest signed time ever accepted, build time)`, and
//! [`Store::now`], the one "now" every time-dependent query uses (warnings in force,
//! contact checks against warnings, "open now"), in the CLI and the apps alike.
//!
//! A phone's clock can be anything (reset to 1970 after the battery ran out, set by hand a
//! year off). Expiry of signed metadata is judged against trusted time, so a clock set back
//! cannot make a withdrawn, replayed dataset look current. A clock far *ahead* of every
//! signed time makes everything look expired; that is reported so the person can fix it,
//! and data is never hidden because of it.

use chrono::{DateTime, Duration, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::error::Result;
use crate::store::Store;

/// `meta` key: newest signed publication time accepted by a sync or bundle (RFC 3339).
pub(crate) const NEWEST_SIGNED: &str = "sync.newest_signed";

/// How far the device clock may run ahead of the newest signed time before it is reported
/// as probably wrong: longer than any metadata lifetime Faro publishes.
pub const AHEAD_TOLERANCE_DAYS: i64 = 400;

/// The build time of this binary (see `core/build.rs`).
pub fn build_time() -> DateTime<Utc> {
    let secs: i64 = env!("FARO_BUILD_UNIX_TIME").parse().unwrap_or(0);
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// What the device clock looks like next to the signed times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockCheck {
    /// Not behind the signed times, and not far ahead of them.
    Plausible,
    /// Behind the newest signed time or the build time: trusted time uses those instead.
    Behind,
    /// More than [`AHEAD_TOLERANCE_DAYS`] ahead of every signed time: metadata will look
    /// expired; the device clock is probably wrong.
    FarAhead,
}

/// Trusted time and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrustedTime {
    /// The time used for expiry decisions.
    pub now: DateTime<Utc>,
    /// The device clock.
    pub device: DateTime<Utc>,
    /// The newest signed time accepted so far (dataset publication times), if any.
    pub newest_signed: Option<DateTime<Utc>>,
    /// This build's time.
    pub build: DateTime<Utc>,
    /// The verdict on the device clock.
    pub clock: ClockCheck,
}

impl TrustedTime {
    /// Trusted time from the device clock, the newest signed time and the build time.
    pub fn new(device: DateTime<Utc>, newest_signed: Option<DateTime<Utc>>, build: DateTime<Utc>) -> TrustedTime {
        let floor = newest_signed.map_or(build, |s| s.max(build));
        let clock = if device < floor {
            ClockCheck::Behind
        } else if device > floor + Duration::days(AHEAD_TOLERANCE_DAYS) {
            ClockCheck::FarAhead
        } else {
            ClockCheck::Plausible
        };
        TrustedTime { now: device.max(floor), device, newest_signed, build, clock }
    }
}

impl Store {
    /// Trusted time for this store from the device clock `device`: never earlier than the
    /// newest signed time this store accepted, nor than this build.
    pub fn trusted_time(&self, device: DateTime<Utc>) -> Result<TrustedTime> {
        let newest: Option<String> = self.read(|c| {
            Ok(c.query_row("SELECT value FROM meta WHERE key = ?1", [NEWEST_SIGNED], |r| r.get(0)).optional()?)
        })?;
        Ok(TrustedTime::new(device, newest.and_then(|s| s.parse().ok()), build_time()))
    }

    /// Now, as this store trusts it ([`Store::trusted_time`] of the device clock): the time
    /// at which warnings, contact checks and "open now" are judged, so that a phone whose
    /// clock was reset to 1970 cannot bring back a withdrawn warning's window or hide one.
    pub fn now(&self) -> Result<DateTime<Utc>> {
        Ok(self.trusted_time(Utc::now())?.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_clock_at_1970_uses_the_signed_time() {
        let tt =
            TrustedTime::new(t("1970-01-01T00:00:00Z"), Some(t("2026-11-20T00:00:00Z")), t("2026-10-01T00:00:00Z"));
        assert_eq!((tt.now, tt.clock), (t("2026-11-20T00:00:00Z"), ClockCheck::Behind));
    }

    #[test]
    fn with_nothing_signed_yet_the_build_time_is_the_floor() {
        let tt = TrustedTime::new(t("2025-11-27T00:00:00Z"), None, t("2026-10-01T00:00:00Z"));
        assert_eq!((tt.now, tt.clock), (t("2026-10-01T00:00:00Z"), ClockCheck::Behind));
    }

    #[test]
    fn a_plausible_clock_is_used_and_a_far_ahead_one_reported() {
        let signed = Some(t("2026-11-20T00:00:00Z"));
        let tt = TrustedTime::new(t("2026-11-27T00:00:00Z"), signed, t("2026-10-01T00:00:00Z"));
        assert_eq!((tt.now, tt.clock), (t("2026-11-27T00:00:00Z"), ClockCheck::Plausible));
        let tt = TrustedTime::new(t("2028-11-27T00:00:00Z"), signed, t("2026-10-01T00:00:00Z"));
        assert_eq!((tt.now, tt.clock), (t("2028-11-27T00:00:00Z"), ClockCheck::FarAhead));
    }

    #[test]
    fn build_time_is_recent() {
        assert!(build_time() > t("2025-01-01T00:00:00Z"));
    }

    /// Records `signed` as the newest signed time accepted, as a sync does.
    fn accept_signed(store: &Store, signed: DateTime<Utc>) {
        store
            .write(|c| {
                let text = signed.to_rfc3339();
                c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", [NEWEST_SIGNED, text.as_str()])?;
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn store_now_is_the_device_clock_never_behind_the_newest_signed_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db")).unwrap();
        let (before, now) = (Utc::now(), store.now().unwrap());
        assert!(now >= before.max(build_time()) && now <= Utc::now().max(build_time()), "{now}");
        let signed = t("2099-01-01T00:00:00Z");
        accept_signed(&store, signed);
        assert_eq!(store.now().unwrap(), signed);
        let tt = store.trusted_time(t("1970-01-01T00:00:00Z")).unwrap();
        assert_eq!((tt.now, tt.newest_signed, tt.clock), (signed, Some(signed), ClockCheck::Behind));
        drop(store);
        // Read-only, as the CLI's queries open it: the same now.
        assert_eq!(Store::open_read_only(dir.path().join("t.db")).unwrap().now().unwrap(), signed);
    }

    #[test]
    fn open_now_is_judged_at_the_store_now() {
        use crate::search::{Query, When};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("h.db")).unwrap();
        let file = concat!(
            r#"{"faro":"listings","version":1,"dataset":"test/h","demo":true}"#,
            "\n",
            r#"{"id":"demo:sunday","kind":"health","name":{"es":"Domingo (demo)"},"opening_hours":"Su 10:00-14:00","timezone":"UTC"}"#,
        );
        store.import_listings_reader(file.as_bytes(), "h.jsonl", Default::default()).unwrap();
        // A Sunday noon, signed: "open now" follows it, whatever the device clock says.
        let signed = t("2099-01-04T12:00:00Z");
        accept_signed(&store, signed);
        let open_now = store.search(&Query { open_only: true, ..Query::default() }).unwrap();
        assert_eq!(open_now.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["demo:sunday"]);
        let listing = store.get("demo:sunday").unwrap();
        assert_eq!(
            store.hours_status(&listing, When::Now).unwrap(),
            store.hours_status(&listing, When::Instant(signed)).unwrap()
        );
    }
}
