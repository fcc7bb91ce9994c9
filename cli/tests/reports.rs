//! Reports from the field end to end (issue 11 item 1), through the real binary, a real nginx
//! serving the signed repository, the real receiver (`faro reports serve`) and, in front of
//! it at the signed address, a capturing TCP proxy that can be down, cut answers, answer 503
//! or redirect: reports queued offline survive a SIGKILL mid-send and arrive exactly once,
//! readable only with the publisher's key; a receiver failing half-way loses and doubles
//! nothing; a URL not in the signed metadata gets nothing; every byte sent is checked for
//! identifiers; the receiver refuses bad, replayed-with-other-bytes, oversized and too many
//! submissions with clear errors.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use faro_tests::support::nginx::Nginx;
use serde_json::Value;
use support::{fails, json, ok, p};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `faro reports serve` on a free port; killed when dropped.
struct Receiver {
    child: Child,
    addr: SocketAddr,
}

impl Receiver {
    fn start(keys: &Path, out: &Path, extra: &[&str]) -> Receiver {
        let mut child = Command::new(env!("CARGO_BIN_EXE_faro"))
            .args(["reports", "serve", "--keys", &p(keys), "--out", &p(out), "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect(&line);
        let addr = url.trim_start_matches("http://").trim_end_matches(';').trim_end_matches('/').parse().unwrap();
        Receiver { child, addr }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the proxy at the signed address does with each request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Pass it to the receiver and its answer back.
    Forward,
    /// Pass it to the receiver, then never answer (the phone waits until killed).
    ForwardThenHang,
    /// Pass it to the receiver, then close the connection without an answer (a lost answer).
    ForwardThenDrop,
    /// Pass on requests until this many were forwarded in all, then answer 503.
    UnavailableAfter(usize),
    /// Answer 307 to another address.
    Redirect(u16),
}

/// A TCP proxy that records every byte a phone sends.
struct Proxy {
    mode: Arc<Mutex<Mode>>,
    captured: Arc<Mutex<Vec<Vec<u8>>>>,
    forwarded: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(port: u16, upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let proxy = Proxy {
            mode: Arc::new(Mutex::new(Mode::Forward)),
            captured: Arc::new(Mutex::new(Vec::new())),
            forwarded: Arc::new(AtomicUsize::new(0)),
        };
        let (mode, captured, forwarded) = (proxy.mode.clone(), proxy.captured.clone(), proxy.forwarded.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (mode, captured, forwarded) = (mode.clone(), captured.clone(), forwarded.clone());
                std::thread::spawn(move || {
                    let mut stream = stream;
                    while let Some(request) = read_message(&mut stream) {
                        captured.lock().unwrap().push(request.clone());
                        let now = *mode.lock().unwrap();
                        match now {
                            Mode::UnavailableAfter(n) if forwarded.load(Ordering::SeqCst) >= n => {
                                let _ =
                                    stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
                            }
                            Mode::Redirect(port) => {
                                let answer = format!(
                                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{port}/steal\r\nContent-Length: 0\r\n\r\n"
                                );
                                let _ = stream.write_all(answer.as_bytes());
                            }
                            _ => {
                                let mut up = TcpStream::connect(upstream).unwrap();
                                up.write_all(&request).unwrap();
                                let answer = read_message(&mut up).unwrap();
                                forwarded.fetch_add(1, Ordering::SeqCst);
                                match now {
                                    Mode::ForwardThenHang => std::thread::sleep(Duration::from_secs(600)),
                                    Mode::ForwardThenDrop => return,
                                    _ => stream.write_all(&answer).unwrap(),
                                }
                            }
                        }
                    }
                });
            }
        });
        proxy
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn posts(&self) -> usize {
        self.captured.lock().unwrap().len()
    }
}

/// One HTTP message (head and `Content-Length` body) read from `stream`, as raw bytes.
fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())).unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    buf.extend(body);
    Some(buf)
}

/// A listener that counts the connections it gets (a host the metadata does not name).
fn stranger() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            drop(s);
        }
    });
    (port, hits)
}

struct World {
    dir: tempfile::TempDir,
    keys: PathBuf,
    repo: PathBuf,
    rkeys: PathBuf,
    port: u16,
    nginx: Nginx,
}

impl World {
    /// Publisher keys, receiver keys, a repository naming the receiver at a free port, served.
    fn new() -> Option<World> {
        let dir = tempfile::tempdir().unwrap();
        let (keys, repo, rkeys) = (dir.path().join("keys"), dir.path().join("repo"), dir.path().join("receiver-keys"));
        ok(&["keygen", "--out", &p(&keys)]);
        let made = json(&["reports", "keygen", "--out", &p(&rkeys), "--json"]);
        let public = made["public"].as_str().unwrap().to_string();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let private = made["private"].as_str().unwrap();
            assert_eq!(std::fs::metadata(private).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let port = free_port();
        let demo = faro_tests::data_dir().join("demo/listings.jsonl");
        let url = format!("http://127.0.0.1:{port}/reports");
        // A plain http URL to another host is refused: phones send to https only.
        let err = fails(&[
            "publish",
            "--keys",
            &p(&keys),
            "--repo",
            &p(&repo),
            "--reports-key",
            &public,
            "--reports-url",
            "http://reports.example/in",
            &p(&demo),
        ]);
        assert!(err.contains("must be https"), "{err}");
        assert!(!repo.join("metadata").exists(), "a refused publish writes nothing");
        ok(&[
            "publish",
            "--keys",
            &p(&keys),
            "--repo",
            &p(&repo),
            "--reports-key",
            &public,
            "--reports-url",
            &url,
            &p(&demo),
        ]);
        let nginx = Nginx::serve(&repo)?;
        Some(World { dir, keys, repo, rkeys, port, nginx })
    }

    /// A phone database that trusts the repository's root and has synced it.
    fn phone(&self, name: &str) -> String {
        let db = p(&self.dir.path().join(name));
        ok(&["trust", "--db", &db, &p(&self.repo.join("metadata/1.root.json"))]);
        ok(&["sync", "--db", &db, "--url", &self.nginx.url(""), "--dataset", "demo/route"]);
        db
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn queue(db: &str, kind: &[&str], text: &str, extra: &[&str]) -> i64 {
    let mut args = vec!["report"];
    args.extend_from_slice(kind);
    args.extend_from_slice(&["--db", db, "--text", text, "--json"]);
    args.extend_from_slice(extra);
    json(&args)["id"].as_i64().unwrap()
}

fn stored(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    files
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn queued_offline_killed_mid_send_then_delivered_exactly_once_and_readable_only_with_the_key() {
    let Some(w) = World::new() else { return };
    let fresh = p(&w.out("never-synced.db"));
    ok(&["trust", "--db", &fresh, &p(&w.repo.join("metadata/1.root.json"))]);
    let err = fails(&["report", "other", "--db", &fresh, "--text", "x"]);
    assert!(err.contains("sync with the publisher's repository first"), "{err}");

    let db = w.phone("phone.db");
    // A phone that only ever got a bundle from this one learns the receiver from its signed
    // metadata too.
    let bundle = p(&w.out("phone.bundle"));
    ok(&["export", "--db", &db, "--out", &bundle]);
    let second = p(&w.out("second.db"));
    ok(&["trust", "--db", &second, &p(&w.repo.join("metadata/1.root.json"))]);
    ok(&["sync", "--db", &second, "--bundle", &bundle]);
    queue(&second, &["other"], "Demo report from a phone that never went online", &[]);

    // Offline: the receiver is down (nothing listens at the signed address).
    let a = queue(
        &db,
        &["correction", "closed"],
        "Shelter (demo) closed since November",
        &["--listing", "demo:gt-xela-shelter"],
    );
    let b = queue(
        &db,
        &["new-place"],
        "A new legal aid desk (demo) by the bus station",
        &["--place", "14.634915,-90.506882"],
    );
    let c = queue(
        &db,
        &["suspected-scam"],
        "This number (demo) offers a ride across for money",
        &["--contact", "+1 201 555 0147", "--place", "14.634915,-90.506882", "--precise-place"],
    );
    let sent = json(&["reports", "send", "--db", &db, "--json", "--timeout", "2"]);
    assert_eq!((sent["sent"].as_u64(), sent["waiting"].as_u64()), (Some(0), Some(3)), "{sent}");
    assert!(sent["outcomes"][0]["error"].as_str().unwrap().contains("could not connect"), "{sent}");
    let list = json(&["reports", "list", "--db", &db, "--json"]);
    assert!(
        list.as_array().unwrap().iter().all(|r| r["status"] == "queued" && r["sealed_bytes"].as_u64().unwrap() > 0),
        "{list}"
    );
    assert_eq!(list[2]["attempts"], 1, "{list}");
    assert!(list[2]["next_try"].is_string(), "{list}");

    // The receiver comes up behind the proxy, which passes the first report on and then
    // never answers: the phone is killed while it waits.
    let out = w.out("inbox");
    let receiver = Receiver::start(&w.rkeys, &out, &[]);
    let proxy = Proxy::start(w.port, receiver.addr);
    proxy.set(Mode::ForwardThenHang);
    let mut sender = Command::new(env!("CARGO_BIN_EXE_faro"))
        .args(["reports", "send", "--db", &db, "--now"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the first report to reach the receiver", || proxy.forwarded.load(Ordering::SeqCst) == 1);
    sender.kill().unwrap(); // SIGKILL
    sender.wait().unwrap();
    assert_eq!(stored(&out).len(), 1);
    let list = json(&["reports", "list", "--db", &db, "--json"]);
    let first = list.as_array().unwrap().iter().find(|r| r["id"] == a).unwrap();
    assert_eq!(first["status"], "sending", "{list}");

    // Restarted: the interrupted report is due at once (the others wait out the backoff of
    // the failed run), then "send now" sends the rest; each is stored once.
    proxy.set(Mode::Forward);
    let sent = json(&["reports", "send", "--db", &db, "--json"]);
    assert_eq!((sent["sent"].as_u64(), sent["waiting"].as_u64()), (Some(1), Some(2)), "{sent}");
    assert_eq!(sent["outcomes"][0]["http_status"], 200, "a replay: the receiver had it: {sent}");
    let sent = json(&["reports", "send", "--db", &db, "--now", "--json"]);
    assert_eq!((sent["sent"].as_u64(), sent["waiting"].as_u64()), (Some(2), Some(0)), "{sent}");
    assert_eq!(proxy.posts(), 4, "the interrupted report is sent twice");
    assert_eq!(stored(&out).len(), 3, "and stored once");
    let list = json(&["reports", "list", "--db", &db, "--json"]);
    for r in list.as_array().unwrap() {
        assert_eq!(r["status"], "sent", "{list}");
        assert_eq!(r["sealed_bytes"], 0, "a sent report keeps no ciphertext: {list}");
    }
    assert!(ok(&["reports", "list", "--db", &db]).contains("sent"));
    // Nothing more to send; a sent report cannot be cancelled; finished rows can be forgotten.
    let again = json(&["reports", "send", "--db", &db, "--json"]);
    assert_eq!(again["outcomes"].as_array().unwrap().len(), 0);
    assert!(
        fails(&["reports", "cancel", "--db", &db, &a.to_string()]).contains("only a queued report can be cancelled")
    );

    // The publisher reads them with the receiver's key.
    let read = json(&["reports", "read", "--keys", &p(&w.rkeys), "--in", &p(&out), "--json"]);
    let reports: Vec<&Value> = read.as_array().unwrap().iter().map(|i| &i["report"]).collect();
    assert_eq!(reports.len(), 3, "{read}");
    let by_kind = |k: &str| *reports.iter().find(|r| r["kind"] == k).unwrap();
    let closed = by_kind("correction");
    assert_eq!(closed["sub_kind"], "closed");
    assert_eq!(closed["listing"]["id"], "demo:gt-xela-shelter");
    let place = &by_kind("new_place")["place"];
    assert_eq!(
        (place["lat"].as_f64(), place["lon"].as_f64(), place["precision"].as_str()),
        (Some(14.63), Some(-90.51), Some("rounded"))
    );
    let scam = by_kind("suspected_scam");
    assert_eq!(scam["contact"], "+1 201 555 0147");
    assert!(scam["contact_verdict"].is_string(), "{scam}");
    assert_eq!(scam["place"]["lat"].as_f64(), Some(14.634915), "asked for: exact");
    assert!(reports.iter().all(|r| r["day"].as_str().unwrap().len() == 10), "the day, not the time");
    // CSV for a spreadsheet.
    let csv = w.out("reports.csv");
    ok(&["reports", "read", "--keys", &p(&w.rkeys), "--in", &p(&out), "--csv", &p(&csv)]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("Shelter (demo) closed since November") && text.contains("'+1 201 555 0147"), "{text}");

    // Another key cannot read them.
    let other = w.out("other-keys");
    ok(&["reports", "keygen", "--out", &p(&other)]);
    let read = json(&["reports", "read", "--keys", &p(&other), "--in", &p(&out), "--json"]);
    assert_eq!(read.as_array().unwrap().len(), 3);
    assert!(
        read.as_array()
            .unwrap()
            .iter()
            .all(|i| i["report"].is_null() && i["error"].as_str().unwrap().contains("not in the key directory")),
        "{read}"
    );

    // Every byte the phone sent: one envelope per POST, no identifier, nothing readable.
    let captured = proxy.captured.lock().unwrap().clone();
    for request in &captured {
        let text = String::from_utf8_lossy(request);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        assert!(lines.next().unwrap().starts_with("POST /reports HTTP/1.1"), "{head}");
        for line in lines {
            let (name, value) = line.split_once(':').unwrap();
            let name = name.to_ascii_lowercase();
            assert!(
                ["host", "user-agent", "content-type", "content-length", "accept"].contains(&name.as_str()),
                "unexpected header {line}"
            );
            if name == "user-agent" {
                assert_eq!(value.trim(), "Faro");
            }
        }
        let env: Value = serde_json::from_str(body).unwrap();
        let keys: Vec<&str> = env.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["ct", "enc", "faro_report", "idempotency_key", "key_id"], "{body}");
        for secret in ["demo", "14.63", "90.5", "201 555", "2015550147", "Shelter", "phone.db", "closed"] {
            assert!(!text.contains(secret), "{secret:?} left the phone in clear: {text}");
        }
    }
    for (i, x) in [a, b, c].iter().enumerate() {
        assert_eq!(*x, i as i64 + 1);
    }
}

#[test]
fn a_receiver_failing_half_way_loses_and_doubles_nothing() {
    let Some(w) = World::new() else { return };
    let db = w.phone("phone.db");
    for i in 0..5 {
        queue(&db, &["other"], &format!("Demo report number {i}"), &[]);
    }
    let out = w.out("inbox");
    let receiver = Receiver::start(&w.rkeys, &out, &[]);
    let proxy = Proxy::start(w.port, receiver.addr);

    // Two go through, then the receiver answers 503: the run stops, the rest wait.
    proxy.set(Mode::UnavailableAfter(2));
    let sent = json(&["reports", "send", "--db", &db, "--json"]);
    assert_eq!(sent["outcomes"].as_array().unwrap().len(), 3, "{sent}");
    assert!(sent["outcomes"].as_array().unwrap().last().unwrap()["error"].as_str().unwrap().contains("503"), "{sent}");
    let delivered = stored(&out).len();
    assert_eq!(delivered, 2, "{sent}");
    assert_eq!(sent["waiting"].as_u64().unwrap() as usize, 5 - delivered, "{sent}");
    // Not due yet (backoff): a plain send tries nothing.
    let later = json(&["reports", "send", "--db", &db, "--json"]);
    assert_eq!(later["outcomes"].as_array().unwrap().len(), 0, "{later}");
    assert_eq!(proxy.posts(), 3);

    // The next answer is lost after the receiver stored the report.
    proxy.set(Mode::ForwardThenDrop);
    let s = json(&["reports", "send", "--db", &db, "--now", "--json"]);
    assert_eq!(s["sent"], 0, "{s}");
    assert_eq!(stored(&out).len(), 3);

    // Back to normal: the rest go, the one whose answer was lost again (a replay, 200).
    proxy.set(Mode::Forward);
    let s = json(&["reports", "send", "--db", &db, "--now", "--json"]);
    assert_eq!((s["sent"].as_u64(), s["waiting"].as_u64()), (Some(3), Some(0)), "{s}");
    assert_eq!(s["outcomes"][0]["http_status"], 200, "the replay: {s}");
    assert_eq!(stored(&out).len(), 5, "each stored once");
    let read = json(&["reports", "read", "--keys", &p(&w.rkeys), "--in", &p(&out), "--json"]);
    let mut texts: Vec<String> =
        read.as_array().unwrap().iter().map(|i| i["report"]["text"].as_str().unwrap().to_string()).collect();
    texts.sort();
    assert_eq!(texts, (0..5).map(|i| format!("Demo report number {i}")).collect::<Vec<_>>());
}

#[test]
fn no_server_outside_the_signed_metadata_gets_a_report() {
    let Some(w) = World::new() else { return };
    let (evil_port, evil_hits) = stranger();

    // A targets metadata whose receiver URL was changed on the server: refused at sync.
    let meta = w.repo.join("metadata");
    let targets = std::fs::read_dir(&meta)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().ends_with(".targets.json"))
        .unwrap();
    let original = std::fs::read(&targets).unwrap();
    let good = format!("http://127.0.0.1:{}/reports", w.port);
    let text = String::from_utf8(original.clone()).unwrap();
    assert!(text.contains(&good), "the receiver is in the signed targets");
    std::fs::write(&targets, text.replace(&good, &format!("http://127.0.0.1:{evil_port}/reports"))).unwrap();
    let tampered = p(&w.out("tampered.db"));
    ok(&["trust", "--db", &tampered, &p(&w.repo.join("metadata/1.root.json"))]);
    let err = fails(&["sync", "--db", &tampered, "--url", &w.nginx.url(""), "--dataset", "demo/route"]);
    assert!(err.contains("signature") || err.contains("targets"), "{err}");
    assert!(fails(&["report", "other", "--db", &tampered, "--text", "x"]).contains("sync with the publisher"));
    std::fs::write(&targets, original).unwrap();

    // A receiver answering a redirect elsewhere: not followed, the report waits.
    let db = w.phone("phone.db");
    queue(&db, &["other"], "Demo text for nobody else", &[]);
    let out = w.out("inbox");
    let receiver = Receiver::start(&w.rkeys, &out, &[]);
    let proxy = Proxy::start(w.port, receiver.addr);
    proxy.set(Mode::Redirect(evil_port));
    let s = json(&["reports", "send", "--db", &db, "--json"]);
    assert!(s["outcomes"][0]["error"].as_str().unwrap().contains("redirect"), "{s}");
    assert_eq!(s["waiting"], 1);
    proxy.set(Mode::Forward);
    let s = json(&["reports", "send", "--db", &db, "--now", "--json"]);
    assert_eq!(s["sent"], 1, "{s}");
    assert_eq!(evil_hits.load(Ordering::SeqCst), 0, "the stranger got nothing");
    let _ = &w.keys;
}

/// A raw HTTP request to the receiver; returns (status, body).
fn post(addr: SocketAddr, method: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!("{method} / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let answer = read_message(&mut s).unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text[9..12].parse().unwrap();
    (status, text.split_once("\r\n\r\n").unwrap().1.to_string())
}

#[test]
fn the_receiver_refuses_bad_replayed_oversized_and_too_many_submissions() {
    use faro_core::reports::envelope::{new_idempotency_key, read_public_key, seal, Envelope};
    use faro_core::reports::{build_report, ReportDraft, ReportKind};
    use faro_core::sync::receiver::ReceiverEntry;

    let dir = tempfile::tempdir().unwrap();
    let rkeys = dir.path().join("rk");
    let made = json(&["reports", "keygen", "--out", &p(&rkeys), "--json"]);
    let public = read_public_key(Path::new(made["public"].as_str().unwrap())).unwrap();
    let entry =
        ReceiverEntry { url: "http://127.0.0.1:1/".into(), key: public.key, key_id: public.key_id, max_bytes: 2048 };
    let draft = |text: &str| ReportDraft {
        kind: ReportKind::Other,
        sub_kind: None,
        text: text.into(),
        listing: None,
        contact: None,
        place: None,
    };
    let day = "2026-12-07T10:00:00Z".parse().unwrap();
    let sealed =
        |text: &str, key: &str| seal(&build_report(&draft(text), None, None, day).unwrap(), &entry, key).unwrap();

    let out = dir.path().join("inbox");
    let receiver = Receiver::start(&rkeys, &out, &["--max-bytes", "2048", "--rate-limit", "7"]);
    let addr = receiver.addr;
    let key = new_idempotency_key().unwrap();
    let one = sealed("Demo first", &key);

    let (status, body) = post(addr, "GET", b"");
    assert_eq!((status, body.contains("POST")), (405, true));
    let (status, body) = post(addr, "POST", b"hello");
    assert_eq!(status, 400);
    assert!(body.contains("not a Faro report envelope"), "{body}");
    assert_eq!(post(addr, "POST", &one).0, 201);
    let (status, body) = post(addr, "POST", &one);
    assert_eq!((status, body.contains("already")), (200, true), "a replay of the same bytes: {body}");
    let (status, body) = post(addr, "POST", &sealed("Demo other", &key));
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("never replaced"), "{body}");
    // Sealed to someone else: does not open here.
    let mut env: Envelope = serde_json::from_slice(&sealed("Demo x", &new_idempotency_key().unwrap())).unwrap();
    let mut ct: Vec<char> = env.ct.chars().collect();
    let i = (10..ct.len() - 10).find(|&i| ct[i] != ct[i + 1] && ct[i] != '=' && ct[i + 1] != '=').unwrap();
    ct.swap(i, i + 1);
    env.ct = ct.into_iter().collect();
    let (status, body) = post(addr, "POST", &serde_json::to_vec(&env).unwrap());
    assert_eq!(status, 400);
    assert!(body.contains("does not decrypt"), "{body}");
    let (status, body) = post(addr, "POST", &vec![b' '; 3000]);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("2048"), "{body}");
    assert_eq!(stored(&out).len(), 1);
    // Seven POSTs a minute from one address: the eighth is told to wait.
    let (status, body) = post(addr, "POST", b"{}");
    assert_eq!(status, 400, "{body}");
    let (status, body) = post(addr, "POST", &one);
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("too many"), "{body}");
    // The stored file is the envelope, and nothing about the sender is on disk.
    let files: Vec<PathBuf> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), one);
    assert!(!String::from_utf8_lossy(&one).contains("127.0.0.1"));
}
