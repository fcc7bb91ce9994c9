//! The HTTP layer against a real nginx on loopback: conditional requests (ETag, 304), a
//! download resumed with `Range` after a partial, and 404.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use faro_core::net::{Cancel, Fetched, Http, NetConfig, NetError};
use faro_tests::support::nginx::Nginx;

fn site() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("metadata")).unwrap();
    let timestamp = dir.path().join("metadata/timestamp.json");
    std::fs::write(&timestamp, b"{\"signed\":{\"version\":7}}").unwrap();
    // A file changed in the same second as the answer's Date is given no Last-Modified
    // validator (a republish within that second would be missed); date it a minute back so
    // the test sees both validators, as a phone does for a repository published earlier.
    let a_minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options().write(true).open(&timestamp).unwrap().set_modified(a_minute_ago).unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let target: Vec<u8> = (0..600_000).map(|_| rng.u8(..)).collect();
    std::fs::create_dir_all(dir.path().join("targets")).unwrap();
    std::fs::write(dir.path().join("targets/mx.zst"), &target).unwrap();
    (dir, target)
}

#[test]
fn etag_makes_the_second_get_a_304() {
    let (root, _) = site();
    let Some(nginx) = Nginx::serve(root.path()) else { return };
    let http = Http::new(NetConfig::default()).unwrap();
    let url = nginx.url("metadata/timestamp.json");
    let Fetched::Body { bytes, validators } = http.get(&url, 1024, None, &Cancel::new()).unwrap() else {
        panic!("first fetch has a body")
    };
    assert_eq!(bytes, b"{\"signed\":{\"version\":7}}");
    assert!(validators.etag.is_some() && validators.last_modified.is_some(), "{validators:?}");
    assert_eq!(http.get(&url, 1024, Some(&validators), &Cancel::new()).unwrap(), Fetched::NotModified);
    let log = nginx.access_log();
    assert!(log.contains("\" 304 "), "nginx answered 304:\n{log}");
}

#[test]
fn a_partial_download_resumes_with_range() {
    let (root, target) = site();
    let Some(nginx) = Nginx::serve(root.path()) else { return };
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("mx.zst");
    std::fs::write(out.path().join("mx.zst.partial"), &target[..250_000]).unwrap();
    let http = Http::new(NetConfig::default()).unwrap();
    let report = http
        .download(&nginx.url("targets/mx.zst"), &dest, target.len() as u64, &Cancel::new(), &mut |_, _| {})
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), target);
    assert_eq!((report.resumed_from, report.bytes_fetched, report.wasted_bytes), (250_000, 350_000, 0));
    assert!(!report.restarted);
    assert!(nginx.access_log().contains("\" 206 "), "nginx answered 206");
}

#[test]
fn a_missing_file_is_not_found_after_one_request() {
    let (root, _) = site();
    let Some(nginx) = Nginx::serve(root.path()) else { return };
    let http = Http::new(NetConfig::default()).unwrap();
    let e = http.get(&nginx.url("metadata/2.root.json"), 1024, None, &Cancel::new()).unwrap_err();
    assert!(matches!(e, NetError::NotFound { .. }), "{e}");
    let out = tempfile::tempdir().unwrap();
    let e = http
        .download(&nginx.url("targets/gt.zst"), &out.path().join("gt.zst"), 10, &Cancel::new(), &mut |_, _| {})
        .unwrap_err();
    assert!(matches!(e, NetError::NotFound { .. }), "{e}");
    assert_eq!(nginx.access_log().lines().count(), 2, "404s are not retried");
}
