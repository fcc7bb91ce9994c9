//! The HTTP layer against a misbehaving real server on loopback: cuts, trickles, ignored or
//! botched ranges, captive portals, endless bodies, rate limits, server errors, cancellation,
//! a zstd bomb, and what the requests reveal.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::path::Path;
use std::time::{Duration, Instant};

use faro_core::compress::{self, CompressError, Decoder};
use faro_core::net::{Cancel, Fetched, Http, NetConfig, NetError, Validators, USER_AGENT};
use faro_tests::support::fault_server::{Fault, FaultServer};

/// Short limits so failures show in a second or two.
fn quick() -> NetConfig {
    NetConfig {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        file_deadline: Duration::from_secs(20),
        max_attempts: 3,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        retry_after_max: Duration::from_secs(5),
    }
}

fn random_file(len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(len as u64);
    (0..len).map(|_| rng.u8(..)).collect()
}

fn download(http: &Http, url: &str, dest: &Path, len: u64) -> Result<faro_core::net::DownloadReport, NetError> {
    http.download(url, dest, len, &Cancel::new(), &mut |_, _| {})
}

fn partial_of(dest: &Path) -> std::path::PathBuf {
    dest.with_file_name(format!("{}.partial", dest.file_name().unwrap().to_str().unwrap()))
}

fn range_start(seen: &faro_tests::support::fault_server::Seen) -> Option<u64> {
    seen.header("range")?.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok()
}

#[test]
fn cuts_at_random_offsets_resume_without_refetching() {
    let server = FaultServer::start();
    let file = random_file(1 << 20);
    server.put("/t/mx.zst", file.clone());
    let mut rng = fastrand::Rng::new();
    let cuts: Vec<u64> = (0..4).map(|_| rng.u64(1..200_000)).collect();
    server.script(cuts.iter().map(|&n| Fault::CutAfter(n)));

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("mx.zst");
    let http = Http::new(NetConfig { max_attempts: 2, ..quick() }).unwrap();
    let mut calls = Vec::new();
    let report = http
        .download(&server.url("/t/mx.zst"), &dest, file.len() as u64, &Cancel::new(), &mut |d, t| calls.push((d, t)))
        .unwrap_or_else(|e| panic!("cuts {cuts:?}: {e}"));

    assert_eq!(std::fs::read(&dest).unwrap(), file, "file identical after cuts {cuts:?}");
    assert!(!partial_of(&dest).exists());
    assert_eq!(report.attempts, 5, "4 cut attempts (each made progress) + the last");
    assert_eq!(report.wasted_bytes, 0);
    assert!(!report.restarted);
    // Every resume asked for exactly what had arrived: nothing received was fetched again.
    let seen = server.seen();
    let mut have = 0;
    for (i, cut) in cuts.iter().enumerate() {
        assert_eq!(range_start(&seen[i]).unwrap_or(0), have, "request {i}");
        have += cut;
    }
    assert_eq!(range_start(&seen[4]), Some(have));
    assert_eq!(server.body_bytes_sent(), file.len() as u64, "bytes re-fetched: none");
    assert_eq!(report.bytes_fetched, file.len() as u64);
    // Progress: increasing, at most every 64 KiB or so, ending at the total.
    assert_eq!(calls.last(), Some(&(file.len() as u64, file.len() as u64)));
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(calls.len() <= file.len() / (64 * 1024) + 6, "{} progress calls", calls.len());
}

#[test]
fn a_failed_download_keeps_its_partial_for_the_next_call() {
    let server = FaultServer::start();
    let file = random_file(300_000);
    server.put("/f", file.clone());
    server.script([Fault::CutAfter(123_457), Fault::Status(503, None)]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    let http = Http::new(NetConfig { max_attempts: 1, ..quick() }).unwrap();

    let e = download(&http, &server.url("/f"), &dest, file.len() as u64).unwrap_err();
    assert!(matches!(e, NetError::Status { status: 503, .. }), "{e}");
    assert_eq!(std::fs::metadata(partial_of(&dest)).unwrap().len(), 123_457);
    assert!(!dest.exists());

    let report = download(&http, &server.url("/f"), &dest, file.len() as u64).unwrap();
    assert_eq!(report.resumed_from, 123_457);
    assert_eq!(report.bytes_fetched, file.len() as u64 - 123_457);
    assert_eq!(std::fs::read(&dest).unwrap(), file);
}

#[test]
fn a_one_byte_per_second_trickle_hits_the_file_deadline() {
    let server = FaultServer::start();
    server.put("/slow.json", vec![b'{'; 100]);
    server.script([Fault::Trickle(Duration::from_secs(1))]);
    let config =
        NetConfig { read_timeout: Duration::from_secs(3), file_deadline: Duration::from_millis(2500), ..quick() };
    let http = Http::new(config).unwrap();
    let start = Instant::now();
    let e = http.get(&server.url("/slow.json"), 1000, None, &Cancel::new()).unwrap_err();
    let took = start.elapsed();
    assert!(matches!(e, NetError::Timeout { .. }), "{e}");
    assert!(e.to_string().contains("2.5 s allowed for one file"), "{e}");
    assert!(took >= Duration::from_millis(2400) && took < Duration::from_secs(4), "{took:?}");
    assert_eq!(server.seen().len(), 1, "the deadline is not retried");
}

#[test]
fn a_stalled_body_hits_the_read_timeout_and_is_retried() {
    let server = FaultServer::start();
    server.put("/stall", vec![7; 50]);
    server.script([Fault::Trickle(Duration::from_secs(3))]);
    let http = Http::new(NetConfig { read_timeout: Duration::from_millis(500), ..quick() }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = download(&http, &server.url("/stall"), &dir.path().join("stall"), 50).unwrap();
    assert_eq!(report.attempts, 2);
    assert_eq!(report.resumed_from, 0);
    assert_eq!(std::fs::read(dir.path().join("stall")).unwrap(), vec![7; 50]);
}

#[test]
fn a_200_instead_of_206_starts_over() {
    let server = FaultServer::start();
    let file = random_file(50_000);
    server.put("/f", file.clone());
    server.script([Fault::IgnoreRange]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    // A partial whose bytes are wrong: a 200 must replace it, not be appended to it.
    std::fs::write(partial_of(&dest), vec![0xAA; 10_000]).unwrap();
    let report = download(&Http::new(quick()).unwrap(), &server.url("/f"), &dest, file.len() as u64).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), file);
    assert!(report.restarted);
    assert_eq!((report.resumed_from, report.wasted_bytes, report.bytes_fetched), (10_000, 10_000, 50_000));
    assert_eq!(range_start(&server.seen()[0]), Some(10_000));
}

#[test]
fn a_wrong_content_range_starts_over_without_range() {
    let server = FaultServer::start();
    let file = random_file(50_000);
    server.put("/f", file.clone());
    server.script([Fault::WrongContentRange]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    std::fs::write(partial_of(&dest), &file[..20_000]).unwrap();
    let report = download(&Http::new(quick()).unwrap(), &server.url("/f"), &dest, file.len() as u64).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), file);
    assert!(report.restarted);
    assert_eq!(report.wasted_bytes, 20_000);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(range_start(&seen[0]), Some(20_000));
    assert_eq!(seen[1].header("range"), None, "the retry starts from zero");
}

#[test]
fn a_partial_longer_than_the_file_is_discarded() {
    let server = FaultServer::start();
    server.put("/f", b"short".to_vec());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    std::fs::write(partial_of(&dest), vec![1; 100]).unwrap();
    let report = download(&Http::new(quick()).unwrap(), &server.url("/f"), &dest, 5).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"short");
    assert_eq!((report.resumed_from, report.wasted_bytes), (0, 100));
}

#[test]
fn a_captive_portal_page_is_named_as_such() {
    let server = FaultServer::start();
    server.put("/metadata/timestamp.json", b"{\"signed\":{}}".to_vec());
    server.script([Fault::PortalHtml, Fault::PortalHtmlUntyped, Fault::PortalHtml]);
    let http = Http::new(quick()).unwrap();
    let url = server.url("/metadata/timestamp.json");
    for _ in 0..2 {
        let e = http.get(&url, 10_000, None, &Cancel::new()).unwrap_err();
        assert!(matches!(e, NetError::BadResponse { .. }), "{e}");
        assert!(
            e.to_string().contains("got an HTML page, not the expected file — a captive portal or login page?"),
            "{e}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let e = download(&http, &url, &dir.path().join("t"), 13).unwrap_err();
    assert!(e.to_string().contains("captive portal"), "{e}");
    assert_eq!(server.seen().len(), 3, "not retried");
    // The portal is gone: the real file arrives.
    assert!(matches!(http.get(&url, 10_000, None, &Cancel::new()).unwrap(), Fetched::Body { .. }));
}

#[test]
fn an_endless_body_is_cut_at_the_cap() {
    let server = FaultServer::start();
    server.script([Fault::Endless, Fault::Endless]);
    let http = Http::new(quick()).unwrap();
    let start = Instant::now();
    let e = http.get(&server.url("/1.root.json"), 64 * 1024, None, &Cancel::new()).unwrap_err();
    assert!(matches!(e, NetError::TooLarge { limit: 65536, .. }), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big");
    let e = download(&http, &server.url("/big"), &dest, 100_000).unwrap_err();
    assert!(matches!(e, NetError::TooLarge { limit: 100_000, .. }), "{e}");
    assert!(std::fs::metadata(partial_of(&dest)).unwrap().len() <= 100_000);
    assert!(!dest.exists());
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn retry_after_is_honoured() {
    let server = FaultServer::start();
    server.put("/t.json", b"{}".to_vec());
    server.script([Fault::Status(429, Some("1".into()))]);
    let http = Http::new(quick()).unwrap();
    let got = http.get(&server.url("/t.json"), 100, None, &Cancel::new()).unwrap();
    assert!(matches!(got, Fetched::Body { ref bytes, .. } if bytes == b"{}"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(950) && waited < Duration::from_secs(3), "waited {waited:?}");
}

#[test]
fn a_retry_after_past_the_deadline_fails_at_once() {
    let server = FaultServer::start();
    server.put("/t.json", b"{}".to_vec());
    server.script([Fault::Status(503, Some("Wed, 21 Oct 2099 07:28:00 GMT".into()))]);
    let http = Http::new(NetConfig { file_deadline: Duration::from_secs(3), ..quick() }).unwrap();
    let start = Instant::now();
    let e = http.get(&server.url("/t.json"), 100, None, &Cancel::new()).unwrap_err();
    assert!(matches!(e, NetError::Status { status: 503, .. }), "{e}");
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let server = FaultServer::start();
    server.put("/t.json", b"{\"ok\":1}".to_vec());
    server.script([Fault::Status(503, None), Fault::Status(502, None)]);
    let http = Http::new(quick()).unwrap();
    assert!(matches!(http.get(&server.url("/t.json"), 100, None, &Cancel::new()).unwrap(), Fetched::Body { .. }));
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn not_found_and_forbidden_are_not_retried() {
    let server = FaultServer::start();
    let http = Http::new(quick()).unwrap();
    let e = http.get(&server.url("/missing.json"), 100, None, &Cancel::new()).unwrap_err();
    assert!(matches!(e, NetError::NotFound { .. }), "{e}");
    assert!(e.to_string().contains("/missing.json: not found"), "{e}");
    server.script([Fault::Status(403, None)]);
    let e = http.get(&server.url("/x"), 100, None, &Cancel::new()).unwrap_err();
    assert!(matches!(e, NetError::Status { status: 403, .. }), "{e}");
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn cancelling_mid_download_keeps_the_partial_for_a_later_resume() {
    let server = FaultServer::start();
    let file = random_file(20_000);
    server.put("/f", file.clone());
    server.script([Fault::Trickle(Duration::from_millis(1))]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("f");
    let http = Http::new(quick()).unwrap();
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        c2.cancel();
    });
    let start = Instant::now();
    let e = http.download(&server.url("/f"), &dest, file.len() as u64, &cancel, &mut |_, _| {}).unwrap_err();
    canceller.join().unwrap();
    assert!(matches!(e, NetError::Cancelled), "{e}");
    assert!(start.elapsed() < Duration::from_secs(2), "stopped promptly");
    let kept = std::fs::metadata(partial_of(&dest)).unwrap().len();
    assert!(kept > 0 && kept < file.len() as u64, "kept {kept}");
    assert_eq!(&std::fs::read(partial_of(&dest)).unwrap()[..], &file[..kept as usize]);

    let report = download(&http, &server.url("/f"), &dest, file.len() as u64).unwrap();
    assert_eq!(report.resumed_from, kept);
    assert_eq!(std::fs::read(&dest).unwrap(), file);
}

#[test]
fn a_zstd_bomb_is_refused_at_the_cap() {
    let server = FaultServer::start();
    let bomb = compress::compress_to_vec(&vec![0u8; 256 << 20]);
    assert!(bomb.len() < 128 * 1024, "small on the wire: {}", bomb.len());
    server.put("/bomb.zst", bomb.clone());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("bomb.zst");
    download(&Http::new(quick()).unwrap(), &server.url("/bomb.zst"), &dest, bomb.len() as u64).unwrap();

    let cap = 8 << 20;
    let mut decoder = Decoder::new(std::fs::File::open(&dest).unwrap(), cap).unwrap();
    let mut out = Vec::new();
    let e = CompressError::from_io(std::io::Read::read_to_end(&mut decoder, &mut out).unwrap_err());
    assert!(matches!(e, CompressError::TooLarge { limit } if limit == cap), "{e}");
    assert!(out.len() as u64 <= cap);
    assert!(faro_core::Error::from(e).to_string().contains("exceeds the limit of 8388608 bytes"));
}

#[test]
fn flipped_bytes_arrive_exactly_as_sent() {
    // Judging them is the TUF layer's job (hashes); the transport must neither fix nor hide them.
    let server = FaultServer::start();
    let mut file = random_file(70_000);
    for i in [0, 4096, 69_999] {
        file[i] ^= 0xFF;
    }
    server.put("/f", file.clone());
    let dir = tempfile::tempdir().unwrap();
    download(&Http::new(quick()).unwrap(), &server.url("/f"), &dir.path().join("f"), 70_000).unwrap();
    assert_eq!(std::fs::read(dir.path().join("f")).unwrap(), file);
}

#[test]
fn requests_carry_no_cookie_referer_or_identifier() {
    let server = FaultServer::start();
    server.put("/a.json", b"{}".to_vec());
    server.put("/b.json", b"{}".to_vec());
    server.script([Fault::SetCookie, Fault::Redirect("/b.json".into())]);
    let http = Http::new(quick()).unwrap();
    http.get(&server.url("/a.json"), 100, None, &Cancel::new()).unwrap();
    // Follows the redirect to /b.json: that request must carry no Referer and no cookie.
    http.get(&server.url("/a.json"), 100, None, &Cancel::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    download(&http, &server.url("/b.json"), &dir.path().join("b"), 2).unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[2].path, "/b.json");
    let allowed = ["host", "user-agent", "accept", "range", "if-range", "if-none-match", "if-modified-since"];
    for s in &seen {
        assert_eq!(s.header("user-agent"), Some(USER_AGENT), "{s:?}");
        assert_eq!(USER_AGENT, "Faro");
        assert!(s.header("cookie").is_none() && s.header("referer").is_none(), "{s:?}");
        for (name, _) in &s.headers {
            assert!(allowed.contains(&name.as_str()), "unexpected header {name} in {s:?}");
        }
    }
}

#[test]
fn too_many_redirects_fail_without_retrying() {
    let server = FaultServer::start();
    server.script((0..10).map(|_| Fault::Redirect("/loop".into())));
    let e = Http::new(quick()).unwrap().get(&server.url("/loop"), 100, None, &Cancel::new()).unwrap_err();
    assert!(matches!(e, NetError::Transport { .. }), "{e}");
    assert!(e.to_string().contains("more than 5 redirects"), "{e}");
    assert_eq!(server.seen().len(), 6, "the first request and 5 redirects");
}

#[test]
fn conditional_get_answers_not_modified() {
    let server = FaultServer::start();
    server.put("/timestamp.json", b"{\"v\":1}".to_vec());
    let http = Http::new(quick()).unwrap();
    let Fetched::Body { validators, .. } = http.get(&server.url("/timestamp.json"), 100, None, &Cancel::new()).unwrap()
    else {
        panic!("expected a body")
    };
    assert!(validators.etag.is_some());
    let again = http.get(&server.url("/timestamp.json"), 100, Some(&validators), &Cancel::new()).unwrap();
    assert_eq!(again, Fetched::NotModified);
    let stale = Validators { etag: Some("\"old\"".into()), last_modified: None };
    assert!(matches!(
        http.get(&server.url("/timestamp.json"), 100, Some(&stale), &Cancel::new()).unwrap(),
        Fetched::Body { .. }
    ));
}

#[test]
fn a_refused_connection_is_a_transport_error_after_retries() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let http = Http::new(quick()).unwrap();
    let e = http.get(&format!("http://127.0.0.1:{port}/x"), 100, None, &Cancel::new()).unwrap_err();
    assert!(matches!(e, NetError::Transport { .. }), "{e}");
    assert!(e.to_string().contains("could not connect"), "{e}");
}
