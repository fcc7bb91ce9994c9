//! Sync with wrong device clocks, against a real HTTP server on loopback and real SQLite
//! files. Expiry is judged against trusted time, `max(device clock, newest signed time
//! accepted, build time)`: a clock at 1970 or a year behind syncs fine and is reported as
//! behind; a clock two years ahead makes the metadata look expired, so the sync fails, the
//! data stays readable and the status says since when it is unconfirmed and that the clock
//! is far ahead; and setting the clock back never lets a replayed, expired timestamp through.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use chrono::{DateTime, Duration, Utc};

use faro_core::publish::PublishOptions;
use faro_core::sync::clock::{build_time, ClockCheck};
use faro_core::sync::{self, SyncRoute, SyncStatus};
use faro_core::tuf::TufError;
use faro_core::Error;
use faro_tests::support::fault_server::FaultServer;
use faro_tests::support::sync_repo::{serve_repo, Phone, Repo};

const MX: &str = "directory/mx";

/// A repository with `directory/mx` (100 records) published at `at`, served on loopback.
fn repo_at(at: DateTime<Utc>) -> (Repo, FaultServer) {
    let repo = Repo::new();
    repo.publish(MX, 0..100, |_| String::new(), &PublishOptions { now: at, ..PublishOptions::default() });
    let server = FaultServer::start();
    serve_repo(&server, &repo.dir);
    (repo, server)
}

fn phone_with_clock(repo: &Repo, name: &str, clock: DateTime<Utc>) -> Phone {
    let mut phone = Phone::new(&repo.work().join(name), &repo.metadata("1.root.json"));
    phone.options.device_now = clock;
    phone
}

fn status(phone: &Phone) -> SyncStatus {
    sync::status(&phone.store, phone.options.device_now).unwrap()
}

fn seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap()
}

#[test]
fn a_clock_at_1970_or_a_year_behind_syncs_on_trusted_time() {
    let now = Utc::now();
    let (repo, server) = repo_at(now);
    let v1 = repo.entry(MX);
    let clocks = [("1970", DateTime::<Utc>::UNIX_EPOCH), ("a year behind", now - Duration::days(365))];
    for (i, (what, clock)) in clocks.into_iter().enumerate() {
        let phone = phone_with_clock(&repo, &format!("phone-{i}.db"), clock);
        // Nothing signed seen yet: the build time is the floor.
        let report = phone.sync(&server.url(""), &[MX]).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(report.trusted_now, build_time().max(clock), "{what}");
        assert!(phone.held(MX).is(&v1), "{what}");

        // Now the newest signed time is the floor; the clock is reported as behind.
        let st = status(&phone);
        assert_eq!(st.time.clock, ClockCheck::Behind, "{what}");
        assert_eq!(st.time.newest_signed, Some(seconds(v1.published)), "{what}");
        assert_eq!(st.time.now, seconds(v1.published).max(build_time()), "{what}");
        assert!(!st.datasets[0].stale, "{what}: {:?}", st.datasets[0]);
        let report = phone.sync(&server.url(""), &[]).unwrap();
        assert_eq!((report.datasets[0].route, report.trusted_now), (SyncRoute::Unchanged, st.time.now), "{what}");
    }
}

#[test]
fn a_clock_two_years_ahead_fails_as_expired_and_keeps_the_data_readable() {
    let now = Utc::now();
    let (repo, server) = repo_at(now);
    let v1 = repo.entry(MX);
    let mut phone = phone_with_clock(&repo, "phone.db", now);
    phone.sync(&server.url(""), &[MX]).unwrap();
    assert!(!status(&phone).datasets[0].stale);

    phone.options.device_now = now + Duration::days(730);
    let e = phone.sync(&server.url(""), &[]).unwrap_err();
    assert!(matches!(e, Error::Tuf(TufError::Expired { .. })), "{e}");
    assert!(e.to_string().contains("could not confirm"), "{e}");
    // The data is still there and readable...
    assert!(phone.held(MX).is(&v1));
    assert!(phone.store.get("demo:MX-000007").unwrap().name.values().any(|n| n.contains("Jurídica 7")));
    // ... marked stale since the last confirmation lapsed, with the clock called out.
    let st = status(&phone);
    assert_eq!(st.time.clock, ClockCheck::FarAhead);
    let d = &st.datasets[0];
    assert!(d.stale, "{d:?}");
    let lapsed = d.unconfirmed_since.expect("unconfirmed since");
    let timestamp_expiry = seconds(now + Duration::days(7));
    assert!((lapsed - timestamp_expiry).num_seconds().abs() <= 1, "{lapsed} vs {timestamp_expiry}");
    // With the clock right again, the same data is confirmed.
    phone.options.device_now = Utc::now();
    assert!(!status(&phone).datasets[0].stale);

    // A new phone two years ahead gets nothing, and says so.
    let fresh = phone_with_clock(&repo, "fresh.db", now + Duration::days(730));
    let e = fresh.sync(&server.url(""), &[MX]).unwrap_err();
    assert!(matches!(e, Error::Tuf(TufError::Expired { .. })), "{e}");
    assert_eq!(fresh.held(MX).version, None);
    // Nothing verified, so the repository was not seen to publish MX: not subscribed yet.
    assert!(status(&fresh).pending.is_empty());
}

#[test]
fn a_replayed_expired_timestamp_is_refused_with_the_clock_set_back() {
    // A new phone: a repository frozen a month before this build, and the clock set back to
    // when it was valid. Trusted time is at least the build time: expired.
    let signed = build_time() - Duration::days(30);
    let (repo, server) = repo_at(signed);
    let phone = phone_with_clock(&repo, "new.db", signed + Duration::days(1));
    let e = phone.sync(&server.url(""), &[MX]).unwrap_err();
    assert!(matches!(&e, Error::Tuf(TufError::Expired { role, .. }) if role == "timestamp"), "{e}");
    assert_eq!(phone.held(MX).version, None);
    assert_eq!(status(&phone).time.now, build_time());

    // A phone with history, all in the future of this build so the build time plays no part.
    let b = Utc::now() + Duration::days(100);
    let (repo, server) = repo_at(b);
    let mut phone = phone_with_clock(&repo, "old.db", b + Duration::days(1));
    phone.sync(&server.url(""), &[MX]).unwrap();
    let old_timestamp = repo.metadata("timestamp.json");
    let later = PublishOptions { now: b + Duration::days(20), ..PublishOptions::default() };
    repo.publish(MX, 0..100, |i| if i == 3 { " (v2)".into() } else { String::new() }, &later);
    serve_repo(&server, &repo.dir);
    phone.options.device_now = b + Duration::days(21);
    phone.sync(&server.url(""), &[]).unwrap();
    let v2 = repo.entry(MX);
    assert!(phone.held(MX).is(&v2));

    // The old timestamp (expired at b + 7 days) is replayed, and the clock set back to a day
    // when it was still valid: trusted time stays at the newest signed time, and the replay
    // is refused.
    server.put("/metadata/timestamp.json", old_timestamp);
    phone.options.device_now = b + Duration::days(2);
    let st = status(&phone);
    assert_eq!((st.time.now, st.time.clock), (seconds(b + Duration::days(20)), ClockCheck::Behind));
    let e = phone.sync(&server.url(""), &[]).unwrap_err();
    assert!(matches!(&e, Error::Tuf(TufError::Rollback { role, .. }) if role == "timestamp"), "{e}");
    assert!(phone.held(MX).is(&v2));

    // The current timestamp frozen past its expiry (b + 27 days) is refused too; setting the
    // clock back below the newest signed time (b + 20 days) does not move trusted time.
    serve_repo(&server, &repo.dir);
    phone.options.device_now = b + Duration::days(40);
    let e = phone.sync(&server.url(""), &[]).unwrap_err();
    assert!(matches!(&e, Error::Tuf(TufError::Expired { role, .. }) if role == "timestamp"), "{e}");
    phone.options.device_now = b + Duration::days(1);
    let report = phone.sync(&server.url(""), &[]).unwrap();
    assert_eq!(report.trusted_now, seconds(b + Duration::days(20)));
    assert!(phone.held(MX).is(&v2));
}
