//! `faro report` and `faro reports ...` (issue 11): reports from the field, sealed to the
//! publisher, queued offline and sent when a connection appears; and the publisher's
//! reference receiver (`serve`) and triage (`read`), with the receiver's key pair (`keygen`).
//!
//! The phone side is the core's `reports` module; this file only reads arguments and prints.
//! The receiver is a small HTTP server on `tiny_http` (ADR 0033): a few worker threads, the
//! body read up to the size limit only, a rate limit per peer address kept in memory, and
//! nothing about the sender written to disk.

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::{Args, Subcommand};

use faro_core::geo::Point;
use faro_core::net::Cancel;
use faro_core::reports::envelope::{generate_keys, read_public_key, KeyRing};
use faro_core::reports::inbox::{read_inbox, Accepted, Inbox, InboxItem};
use faro_core::reports::{
    cancel_report, forget_reports, queue_report, reports, send_reports, OutboxEntry, PlaceAttachment, ReportDraft,
    ReportKind, SendOptions, SubKind,
};
use faro_core::sync::receiver::ReceiverEntry;
use faro_core::{Error, InputError};

use crate::i18n as tr;
use crate::output;

/// Arguments of `faro report`.
#[derive(Args)]
pub struct ReportArgs {
    /// What it is about: correction, new-place, suspected-scam, complaint, other.
    #[arg(value_parser = parse_kind)]
    kind: ReportKind,
    /// For a correction: closed, moved, new-hours, wrong-phone; for a complaint:
    /// mistreatment, fees-for-free-service.
    #[arg(value_parser = parse_sub_kind)]
    sub_kind: Option<SubKind>,
    /// Database file (synced: the publisher's signed metadata names where reports go).
    #[arg(long)]
    db: PathBuf,
    /// What is wrong, or what happened, in the person's words.
    #[arg(long)]
    text: String,
    /// The listing it is about (its id, as `faro search` shows it).
    #[arg(long)]
    listing: Option<String>,
    /// A phone number, link or handle (required for suspected-scam; check-contact's verdict
    /// goes with it).
    #[arg(long)]
    contact: Option<String>,
    /// A place, "LAT,LON": rounded to 2 decimals (about 1 km) unless --precise-place.
    #[arg(long, allow_hyphen_values = true)]
    place: Option<Point>,
    /// Send the place exactly as given (only when the person asks for it).
    #[arg(long, requires = "place")]
    precise_place: bool,
    /// Print the queued report's status row as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `faro reports`.
#[derive(Args)]
pub struct ReportsArgs {
    #[command(subcommand)]
    command: ReportsCommand,
}

#[derive(Subcommand)]
enum ReportsCommand {
    /// The outbox: every report and where it stands (queued, sent, refused, cancelled).
    List(DbArgs),
    /// Send the waiting reports to the publisher's receiver (the address its signed metadata names).
    Send(SendArgs),
    /// Cancel a queued report: it is never sent and its sealed copy is deleted.
    Cancel(CancelArgs),
    /// Remove finished reports (sent, refused, cancelled) from the list.
    Forget(DbArgs),
    /// Make the receiver's key pair (publishers): the private key stays with the receiver.
    Keygen(KeygenArgs),
    /// Run the reference receiver (publishers): an HTTP server storing each sealed report once.
    Serve(ServeArgs),
    /// Decrypt received reports for triage (publishers).
    Read(ReadArgs),
}

#[derive(Args)]
struct DbArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SendArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Also send reports whose next try is later (after a failure): "send now".
    #[arg(long)]
    now: bool,
    /// Seconds to wait for a connection and for an answer.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Print the run's summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct CancelArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// The report's number, as `faro reports list` shows it.
    id: i64,
    /// Print the report's status row as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct KeygenArgs {
    /// Directory for the key files (created; existing files are never overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Print the files and the key id as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ServeArgs {
    /// Directory with the receiver's private key files (`*.key`).
    #[arg(long)]
    keys: PathBuf,
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0: any free port). Put a TLS proxy
    /// in front of it on a public address: phones send to https URLs only.
    #[arg(long)]
    listen: String,
    /// Directory where envelopes are stored, one file per idempotency key.
    #[arg(long)]
    out: PathBuf,
    /// Largest envelope taken, in bytes (answer 413 above it).
    #[arg(long, default_value_t = faro_core::sync::receiver::DEFAULT_MAX_BYTES)]
    max_bytes: u64,
    /// Most requests per peer address per minute (answer 429 above it; kept in memory only).
    #[arg(long, default_value_t = 60)]
    rate_limit: u32,
}

#[derive(Args)]
struct ReadArgs {
    /// Directory with the receiver's private key files (`*.key`).
    #[arg(long)]
    keys: PathBuf,
    /// Directory of stored envelopes (the receiver's --out).
    #[arg(long = "in")]
    input: PathBuf,
    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Write the reports to this CSV file for a spreadsheet.
    #[arg(long)]
    csv: Option<PathBuf>,
}

fn parse_kind(s: &str) -> Result<ReportKind, String> {
    ReportKind::parse(s)
        .ok_or_else(|| format!("unknown kind {s:?}; one of correction, new-place, suspected-scam, complaint, other"))
}

fn parse_sub_kind(s: &str) -> Result<SubKind, String> {
    SubKind::parse(s).ok_or_else(|| {
        format!(
            "unknown sub-kind {s:?}; one of closed, moved, new-hours, wrong-phone, mistreatment, fees-for-free-service"
        )
    })
}

/// The receiver entry `faro publish --reports-key FILE --reports-url URL` names, if any.
pub fn receiver_entry(key: Option<&Path>, url: Option<&str>, max_bytes: u64) -> Result<Option<ReceiverEntry>, Error> {
    let (Some(key), Some(url)) = (key, url) else { return Ok(None) };
    let file = read_public_key(key)?;
    let entry = ReceiverEntry { url: url.to_string(), key: file.key, key_id: file.key_id, max_bytes };
    entry.check().map_err(|reason| InputError::new(url, reason).field("--reports-url"))?;
    Ok(Some(entry))
}

/// Runs `faro report`.
pub fn report(args: ReportArgs) -> Result<(), Error> {
    let store = crate::open_existing(&args.db, crate::NEEDS_TRUST)?;
    let draft = ReportDraft {
        kind: args.kind,
        sub_kind: args.sub_kind,
        text: args.text,
        listing: args.listing,
        contact: args.contact,
        place: args.place.map(|p| PlaceAttachment { lat: p.lat, lon: p.lon, precise: args.precise_place }),
    };
    let row = queue_report(&store, &draft, Utc::now())?;
    if args.json {
        output::print_json(&row);
    } else {
        outln!("{}", tr::f("report_queued", &[&row.id.to_string()]));
    }
    Ok(())
}

/// Runs `faro reports ...`.
pub fn run(args: ReportsArgs) -> Result<(), Error> {
    match args.command {
        ReportsCommand::List(a) => {
            let store = crate::open_existing(&a.db, crate::NEEDS_TRUST)?;
            let rows = reports(&store)?;
            if a.json {
                output::print_json(&rows);
            } else if rows.is_empty() {
                outln!("{}", tr::t("reports_none"));
            } else {
                for r in &rows {
                    print_row(r);
                }
            }
            Ok(())
        }
        ReportsCommand::Send(a) => send(a),
        ReportsCommand::Cancel(a) => {
            let store = crate::open_existing(&a.db, crate::NEEDS_TRUST)?;
            let row = cancel_report(&store, a.id)?;
            if a.json {
                output::print_json(&row);
            } else {
                outln!("{}", tr::f("report_cancelled", &[&row.id.to_string()]));
            }
            Ok(())
        }
        ReportsCommand::Forget(a) => {
            let store = crate::open_existing(&a.db, crate::NEEDS_TRUST)?;
            let n = forget_reports(&store)?;
            if a.json {
                output::print_json(&serde_json::json!({ "forgotten": n }));
            } else {
                outln!("{}", tr::f("reports_forgotten", &[&n.to_string()]));
            }
            Ok(())
        }
        ReportsCommand::Keygen(a) => {
            let files = generate_keys(&a.out)?;
            if a.json {
                output::print_json(&serde_json::json!({
                    "key_id": files.key_id, "private": files.private, "public": files.public,
                }));
            } else {
                let (private, public) = (files.private.display().to_string(), files.public.display().to_string());
                outln!("{}", tr::f("reports_keygen", &[&files.key_id, &private, &public]));
            }
            Ok(())
        }
        ReportsCommand::Serve(a) => serve(a),
        ReportsCommand::Read(a) => read(a),
    }
}

fn print_row(r: &OutboxEntry) {
    let kind = match &r.sub_kind {
        Some(s) => format!("{}/{s}", r.kind),
        None => r.kind.clone(),
    };
    let listing = r.listing.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
    let status = tr::t(&format!("report_status_{}", r.status.as_str()));
    let mut line = format!("#{:<4} {:<10} {kind}{listing}  {}", r.id, status, r.created.format("%Y-%m-%d %H:%M"));
    if let Some(next) = r.next_try {
        line.push_str(&format!("  {}", tr::f("report_next_try", &[&next.format("%Y-%m-%d %H:%M").to_string()])));
    }
    outln!("{line}");
    if let Some(e) = &r.last_error {
        outln!("      {e}");
    }
}

fn send(a: SendArgs) -> Result<(), Error> {
    let store = crate::open_existing(&a.db, crate::NEEDS_TRUST)?;
    let mut options = SendOptions { ignore_schedule: a.now, ..SendOptions::default() };
    options.net.connect_timeout = Duration::from_secs(a.timeout.max(1));
    options.net.read_timeout = Duration::from_secs(a.timeout.max(1));
    let summary = send_reports(&store, &options, &Cancel::new(), &mut |_| {})?;
    if a.json {
        output::print_json(&summary);
    } else {
        for o in &summary.outcomes {
            if let Some(e) = &o.error {
                outln!("#{}: {e}", o.id);
            }
        }
        let counts = [summary.sent.to_string(), summary.refused.to_string(), summary.waiting.to_string()];
        outln!("{}", tr::f("reports_sent", &[&counts[0], &counts[1], &counts[2]]));
    }
    Ok(())
}

/// Requests per peer address in the current minute, in memory only.
struct RateLimit {
    per_minute: u32,
    seen: HashMap<IpAddr, (Instant, u32)>,
}

impl RateLimit {
    /// `Ok` when `peer` may send now, else the seconds until it may.
    fn check(&mut self, peer: Option<IpAddr>) -> Result<(), u64> {
        let Some(peer) = peer else { return Ok(()) };
        let now = Instant::now();
        const WINDOW: Duration = Duration::from_secs(60);
        if self.seen.len() > 100_000 {
            self.seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let slot = self.seen.entry(peer).or_insert((now, 0));
        if now.duration_since(slot.0) >= WINDOW {
            *slot = (now, 0);
        }
        if slot.1 >= self.per_minute {
            return Err(WINDOW.saturating_sub(now.duration_since(slot.0)).as_secs().max(1));
        }
        slot.1 += 1;
        Ok(())
    }
}

fn answer(status: u16, body: serde_json::Value) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]);
    let mut response = tiny_http::Response::from_data(body.to_string().into_bytes()).with_status_code(status);
    if let Ok(h) = header {
        response.add_header(h);
    }
    response
}

fn refuse(status: u16, message: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    answer(status, serde_json::json!({ "error": message }))
}

/// Handles one request: only POSTs of envelopes; size, then rate, then the inbox's checks.
fn handle(
    request: &mut tiny_http::Request,
    inbox: &Inbox,
    limits: &Mutex<RateLimit>,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    if *request.method() != tiny_http::Method::Post {
        return refuse(405, "POST sealed Faro reports here");
    }
    let peer = request.remote_addr().map(|a| a.ip());
    if let Ok(mut limits) = limits.lock() {
        if let Err(wait) = limits.check(peer) {
            let mut r = refuse(429, "too many reports from this address; try again later");
            if let Ok(h) = tiny_http::Header::from_bytes(&b"Retry-After"[..], wait.to_string().as_bytes()) {
                r.add_header(h);
            }
            return r;
        }
    }
    let max = inbox.max_bytes();
    let too_large = || refuse(413, &format!("the envelope is larger than the {max} bytes this receiver takes"));
    if request.body_length().is_some_and(|n| n as u64 > max) {
        return too_large();
    }
    let mut body = Vec::new();
    if request.as_reader().take(max + 1).read_to_end(&mut body).is_err() {
        return refuse(400, "the request body could not be read");
    }
    if body.len() as u64 > max {
        return too_large();
    }
    match inbox.accept(&body) {
        Ok(Accepted::Stored) => answer(201, serde_json::json!({ "ok": true, "stored": "new" })),
        Ok(Accepted::Replay) => answer(200, serde_json::json!({ "ok": true, "stored": "already" })),
        Err(refusal) => refuse(refusal.status, &refusal.message),
    }
}

fn serve(a: ServeArgs) -> Result<(), Error> {
    let keys = KeyRing::load(&a.keys)?;
    let inbox = Arc::new(Inbox::open(&a.out, keys, a.max_bytes)?);
    let server = tiny_http::Server::http(&a.listen).map_err(|e| Error::Io {
        path: PathBuf::from(&a.listen),
        source: std::io::Error::other(format!("cannot listen: {e}")),
    })?;
    let server = Arc::new(server);
    let address = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_else(|| a.listen.clone());
    outln!("{}", tr::f("reports_serving", &[&format!("http://{address}/"), &a.out.display().to_string()]));
    let limits = Arc::new(Mutex::new(RateLimit { per_minute: a.rate_limit.max(1), seen: HashMap::new() }));
    // A few workers: one slow sender does not hold the others up.
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (server, inbox, limits) = (server.clone(), inbox.clone(), limits.clone());
            std::thread::spawn(move || {
                while let Ok(mut request) = server.recv() {
                    let response = handle(&mut request, &inbox, &limits);
                    let _ = request.respond(response);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

/// A spreadsheet cell: text a spreadsheet would run as a formula gets a leading `'`.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn read(a: ReadArgs) -> Result<(), Error> {
    let keys = KeyRing::load(&a.keys)?;
    let items = read_inbox(&a.input, &keys)?;
    if let Some(path) = &a.csv {
        write_csv(path, &items)?;
        outln!("{}", tr::f("reports_csv", &[&items.len().to_string(), &path.display().to_string()]));
        return Ok(());
    }
    if a.json {
        let rows: Vec<serde_json::Value> = items
            .iter()
            .map(|i| match &i.report {
                Ok(r) => serde_json::json!({
                    "idempotency_key": i.idempotency_key, "received": i.received, "report": r,
                }),
                Err(e) => serde_json::json!({
                    "idempotency_key": i.idempotency_key, "received": i.received, "error": e,
                }),
            })
            .collect();
        output::print_json(&rows);
        return Ok(());
    }
    if items.is_empty() {
        outln!("{}", tr::t("reports_none"));
    }
    for i in &items {
        match &i.report {
            Ok(r) => {
                let kind = match r.sub_kind {
                    Some(s) => format!("{}/{}", r.kind.as_str(), s.as_str()),
                    None => r.kind.as_str().to_string(),
                };
                let listing = r.listing.as_ref().map(|l| format!(" {}", l.id)).unwrap_or_default();
                outln!("{} {kind}{listing} [{}]", r.day, &i.idempotency_key[..8.min(i.idempotency_key.len())]);
                if let Some(c) = &r.contact {
                    outln!("  {c} ({})", r.contact_verdict.as_deref().unwrap_or("-"));
                }
                if let Some(p) = &r.place {
                    outln!("  {:.5},{:.5} ({:?})", p.lat, p.lon, p.precision);
                }
                outln!("  {}", r.text);
            }
            Err(e) => outln!("{}: {}", i.file, tr::f("report_unreadable", &[e])),
        }
    }
    Ok(())
}

fn write_csv(path: &Path, items: &[InboxItem]) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io { path: path.to_path_buf(), source: e };
    let mut w = csv::Writer::from_path(path).map_err(|e| io(std::io::Error::other(e)))?;
    let header = [
        "received",
        "idempotency_key",
        "day",
        "kind",
        "sub_kind",
        "listing",
        "dataset",
        "version",
        "contact",
        "contact_verdict",
        "lat",
        "lon",
        "precision",
        "text",
        "error",
    ];
    w.write_record(header).map_err(|e| io(std::io::Error::other(e)))?;
    for i in items {
        let received = i.received.map(|t| t.to_rfc3339()).unwrap_or_default();
        let row: Vec<String> = match &i.report {
            Ok(r) => {
                let l = r.listing.as_ref();
                let p = r.place.as_ref();
                vec![
                    received,
                    i.idempotency_key.clone(),
                    r.day.clone(),
                    r.kind.as_str().into(),
                    r.sub_kind.map(|s| s.as_str().to_string()).unwrap_or_default(),
                    cell(l.map(|l| l.id.as_str()).unwrap_or_default()),
                    cell(l.and_then(|l| l.dataset.as_deref()).unwrap_or_default()),
                    l.and_then(|l| l.version).map(|v| v.to_string()).unwrap_or_default(),
                    cell(r.contact.as_deref().unwrap_or_default()),
                    r.contact_verdict.clone().unwrap_or_default(),
                    p.map(|p| p.lat.to_string()).unwrap_or_default(),
                    p.map(|p| p.lon.to_string()).unwrap_or_default(),
                    p.map(|p| format!("{:?}", p.precision).to_lowercase()).unwrap_or_default(),
                    cell(&r.text),
                    String::new(),
                ]
            }
            Err(e) => {
                let mut row = vec![received, i.idempotency_key.clone()];
                row.extend(std::iter::repeat_n(String::new(), 12));
                row.push(e.clone());
                row
            }
        };
        w.write_record(&row).map_err(|e| io(std::io::Error::other(e)))?;
    }
    w.flush().map_err(io)
}
