//! Fuzzing entry points (feature `fuzzing`): one function per parser a stranger can feed,
//! each taking raw bytes and driving the same public functions the CLI and the app call.
//!
//! The cargo-fuzz targets in `fuzz/` and the replay test `tests/fuzz_corpus.rs` both call
//! these, so a crash found by the fuzzer stays fixed under plain `cargo test`. A function
//! returns normally for any input, accepted or refused; a panic, an abort, a hang or runaway
//! memory is the bug. Writes go into a fresh scratch database per input, so every input
//! behaves the same whatever ran before it (libFuzzer needs that to reproduce a crash).

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};

use crate::contact::normalize::normalize;
use crate::contact::ContactCheck;
use crate::country::CountryCode;
use crate::import::jsonl::{file_kind, read_records, DatasetHeader};
use crate::import::{listings, missions};
use crate::lang::LangPrefs;
use crate::rights::Article;
use crate::store::{DatasetInfo, Store};
use crate::tuf::metadata::{Envelope, Root};
use crate::tuf::{ExpiryPolicy, FetchError, Fetcher, Limits, Snapshot, Targets, Timestamp, TrustStore, TufResult};
use crate::warnings::cap::{parse_alert, to_cap};
use crate::warnings::{check_warning, Warning};

/// The root a scratch database trusts: `fuzz/fixtures/root.json`, the root of the demo
/// repository the seed bundle and the seed TUF metadata come from (its keys are not kept).
pub const TRUSTED_ROOT: &[u8] = include_bytes!("../../fuzz/fixtures/root.json");

/// The device clock every input is judged at, fixed so that runs repeat exactly.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).single().unwrap_or_default()
}

/// A `faro import` of a listings JSON Lines file: read, validate, write in one transaction.
pub fn listings_jsonl(data: &[u8]) {
    let Ok((header, records)) = listings::read_listings(data, "fuzz.jsonl") else { return };
    let info = DatasetInfo { name: header.dataset, source: header.source, demo: header.demo };
    with_store(|store| store.write_listings(&info, "fuzz.jsonl", records).is_ok());
}

/// A `faro import` of a rights or warnings JSON Lines file, picked by its header as the CLI
/// does (`rights_cmd::import_if_rights_or_warnings`), then written.
pub fn records_jsonl(data: &[u8]) {
    let first = String::from_utf8_lossy(data);
    let kind = file_kind(first.lines().next().unwrap_or(""));
    let info = |h: DatasetHeader| DatasetInfo { name: h.dataset, source: h.source, demo: h.demo };
    match kind.as_deref() {
        Some("rights") => {
            let Ok((h, records)) = read_records::<_, Article>(data, "fuzz.jsonl", "rights") else { return };
            with_store(|store| store.write_articles(&info(h), "fuzz.jsonl", records).is_ok());
        }
        Some("warnings") => {
            let Ok((h, records)) = read_records::<_, Warning>(data, "fuzz.jsonl", "warnings") else { return };
            with_store(|store| store.write_warnings(&info(h), "fuzz.jsonl", records).is_ok());
        }
        _ => {}
    }
}

/// A `faro import` of a Wikidata missions CSV: read, then write the rows it accepted.
pub fn missions_csv(data: &[u8]) {
    let Ok(read) = missions::read_missions_csv(data, "fuzz.csv") else { return };
    let info = DatasetInfo { name: "wikidata/missions".into(), source: None, demo: false };
    with_store(|store| {
        store.write_listings(&info, "fuzz.csv", read.listings.into_iter().map(|l| Ok((None, l)))).is_ok()
    });
}

/// `faro cap import` of one CAP 1.2 alert, and the round trips publishers rely on: an alert
/// that passes the checks becomes a warnings line `faro import` reads back, and exports
/// to CAP that parses again.
pub fn cap_xml(data: &[u8]) {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    let Ok(warning) = parse_alert(xml, "fuzz.xml") else { return };
    if !check_warning(&warning).is_empty() {
        return;
    }
    let Ok(normal) = warning.normalized() else { return };
    let line = format!(
        "{{\"faro\":\"warnings\",\"version\":1,\"dataset\":\"warnings/cap\"}}\n{}\n",
        crate::warnings::to_json(&normal)
    );
    let (_, mut records) = read_records::<_, Warning>(line.as_bytes(), "cap.jsonl", "warnings")
        .expect("the header written for a CAP import reads back");
    match records.next() {
        Some(Ok(_)) => {}
        other => panic!("a checked CAP alert wrote a warnings line that does not read back: {other:?}"),
    }
    if let Err(e) = parse_alert(&to_cap(&normal, fixed_now()), "export.xml") {
        panic!("a checked warning exported to CAP does not parse again: {e}");
    }
}

/// `faro sync --bundle` of the bytes as a bundle file, into a database that trusts
/// [`TRUSTED_ROOT`], at [`fixed_now`]. Refused or applied, it must return.
pub fn bundle(data: &[u8]) {
    with_scratch_store(|store| {
        let Some(dir) = store.path().parent() else { return };
        let path = dir.join("fuzz.bundle");
        if std::fs::write(&path, data).is_ok() {
            let _ = crate::sync::import_bundle(store, &path, fixed_now());
        }
    });
}

/// TUF metadata as a client meets it: installed as the shipped root, offered as the next
/// root and as `timestamp.json` to a client that trusts [`TRUSTED_ROOT`], and parsed as
/// every role (parsing happens before and after signature checks in the client).
pub fn tuf_metadata(data: &[u8]) {
    let _ = crate::tuf::install_root(&mut MemTrust::default(), data);
    for name in ["2.root.json", "timestamp.json"] {
        let mut trust = MemTrust::default();
        if crate::tuf::install_root(&mut trust, TRUSTED_ROOT).is_err() {
            return;
        }
        let Ok(mut updater) = crate::tuf::Updater::load(&trust, ExpiryPolicy::ReportExpired, Limits::default()) else {
            return;
        };
        let fetcher = MemFetcher { name, bytes: data };
        let _ = updater.refresh(&fetcher, &mut trust, fixed_now());
    }
    let Ok(env) = Envelope::parse("fuzz", data) else { return };
    if let Ok(root) = Root::from_envelope(&env) {
        let _ = root.verify("root", &env);
    }
    let _ = Timestamp::from_envelope(&env);
    let _ = Snapshot::from_envelope(&env);
    if let Ok(targets) = Targets::from_envelope("targets", &env) {
        if let Some(delegations) = &targets.delegations {
            for role in &delegations.roles {
                let _ = targets.verify_delegate(role, &env);
            }
        }
    }
}

/// An opening-hours value as a listing gives it: the first line is the expression, a second
/// line the IANA time zone (Mexico City when absent). Parsed for Mexico and evaluated at a
/// fixed instant and a fixed local time.
pub fn hours(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.splitn(2, '\n');
    let expr = lines.next().unwrap_or("");
    let tz = lines.next().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("America/Mexico_City");
    let Ok(hours) = crate::hours::Hours::parse_for(expr, tz, CountryCode::parse("MX"), None) else { return };
    let _ = hours.status_at(fixed_now());
    let _ = hours.status_at_local(fixed_now().naive_utc());
}

/// `faro check-contact`: normalizing, the offline check, and the check against a database
/// holding the demo listings and warnings.
pub fn contact(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let mx = CountryCode::parse("MX");
    let _ = normalize(input, None);
    let _ = normalize(input, mx);
    let _ = ContactCheck::offline(input, mx);
    if let Some(store) = demo_store() {
        let _ = store.check_contact(input, mx, fixed_now(), &LangPrefs::default());
    }
}

/// Runs `f` on this thread's scratch database, which `f` leaves as it found it when it
/// returns false (a refused write rolls back); after a write that changed it (true), the
/// next input gets a new one. Opening a database per input would cost most of the time.
fn with_store(f: impl FnOnce(&Store) -> bool) {
    thread_local! {
        static STORE: std::cell::RefCell<Option<(tempfile::TempDir, Store)>> = const { std::cell::RefCell::new(None) };
    }
    STORE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = scratch_store();
        }
        let changed = slot.as_ref().is_none_or(|(_, store)| f(store));
        if changed {
            *slot = None;
        }
    });
}

/// A new database that trusts [`TRUSTED_ROOT`] (a copy of one made once), in its own
/// directory.
fn scratch_store() -> Option<(tempfile::TempDir, Store)> {
    let template = template()?;
    let dir = tempfile::Builder::new().prefix("faro-fuzz-").tempdir().ok()?;
    let path = dir.path().join("faro.db");
    std::fs::copy(template, &path).ok()?;
    let store = Store::open(&path).ok()?;
    Some((dir, store))
}

/// Runs `f` on a new database that trusts [`TRUSTED_ROOT`] (a copy of one made once), in a
/// directory removed afterwards.
fn with_scratch_store(f: impl FnOnce(&Store)) {
    if let Some((_dir, store)) = scratch_store() {
        f(&store);
    }
}

/// The database every scratch store starts as: empty, trusting [`TRUSTED_ROOT`].
fn template() -> Option<&'static Path> {
    static TEMPLATE: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::Builder::new().prefix("faro-fuzz-template-").tempdir().ok()?;
            let path = dir.path().join("template.db");
            {
                let store = Store::open(&path).ok()?;
                crate::sync::install_trusted_root(&store, TRUSTED_ROOT).ok()?;
                store.checkpoint().ok()?;
            }
            Some((dir, path))
        })
        .as_ref()
        .map(|(_, path)| path.as_path())
}

/// A database with the demo listings and warnings, built once and only read.
fn demo_store() -> Option<&'static Store> {
    static DEMO: OnceLock<Option<(tempfile::TempDir, Store)>> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("faro-fuzz-demo-").tempdir().ok()?;
        let store = Store::open(dir.path().join("demo.db")).ok()?;
        let listings = include_bytes!("../../data/demo/listings.jsonl");
        let (h, records) = listings::read_listings(BufReader::new(&listings[..]), "listings.jsonl").ok()?;
        store.write_listings(&DatasetInfo { name: h.dataset, source: h.source, demo: h.demo }, "l", records).ok()?;
        let warnings = include_bytes!("../../data/demo/warnings.jsonl");
        let (h, records) = read_records::<_, Warning>(&warnings[..], "warnings.jsonl", "warnings").ok()?;
        store.write_warnings(&DatasetInfo { name: h.dataset, source: h.source, demo: h.demo }, "w", records).ok()?;
        Some((dir, store))
    })
    .as_ref()
    .map(|(_, store)| store)
}

/// A repository serving one metadata file, `name`, with `bytes`; nothing else exists.
struct MemFetcher<'a> {
    name: &'a str,
    bytes: &'a [u8],
}

impl Fetcher for MemFetcher<'_> {
    fn fetch_metadata(&self, name: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        if name != self.name {
            return Err(FetchError::NotFound);
        }
        let keep = self.bytes.len().min(usize::try_from(max_len.saturating_add(1)).unwrap_or(usize::MAX));
        Ok(self.bytes[..keep].to_vec())
    }

    fn fetch_target(&self, _path: &str, _len: u64) -> Result<Vec<u8>, FetchError> {
        Err(FetchError::NotFound)
    }
}

/// Trusted metadata kept in memory.
#[derive(Default)]
struct MemTrust(BTreeMap<String, Vec<u8>>);

impl TrustStore for MemTrust {
    fn load(&self, role: &str) -> TufResult<Option<Vec<u8>>> {
        Ok(self.0.get(role).cloned())
    }

    fn store(&mut self, role: &str, bytes: &[u8]) -> TufResult<()> {
        self.0.insert(role.to_string(), bytes.to_vec());
        Ok(())
    }

    fn remove(&mut self, role: &str) -> TufResult<()> {
        self.0.remove(role);
        Ok(())
    }
}

/// A fuzz target: takes any bytes, returns for every input a stranger could give.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/` call it.
pub const TARGETS: &[(&str, Target)] = &[
    ("listings_jsonl", listings_jsonl),
    ("records_jsonl", records_jsonl),
    ("missions_csv", missions_csv),
    ("cap_xml", cap_xml),
    ("bundle", bundle),
    ("tuf_metadata", tuf_metadata),
    ("hours", hours),
    ("contact", contact),
];
