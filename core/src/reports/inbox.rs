//! The publisher's side: a directory of received envelopes, one file per idempotency key
//! (`<key>.json`, the envelope's exact bytes, written atomically), and reading them back.
//!
//! [`Inbox::accept`] decides what the reference receiver (`faro reports serve`) answers: a new
//! envelope that opens with one of the receiver's keys is stored (201); the same key with the
//! same bytes again is a replay of a send whose answer was lost (200, stored once); the same
//! key with other bytes is a conflict (409); an envelope over the size limit is 413; one that
//! is not an envelope or does not open is 400. Nothing about the sender is written.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::envelope::{parse_envelope, KeyRing};
use super::{Report, ReportError};

/// What the receiver did with an accepted envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Stored now (HTTP 201).
    Stored,
    /// Already stored with the same bytes (HTTP 200): delivered once.
    Replay,
}

/// Why an envelope was refused: the HTTP status to answer and a clear message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 400, 409, 413 or 500.
    pub status: u16,
    /// What was wrong, for the sender's log.
    pub message: String,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal { status, message: message.into() }
    }
}

/// A directory of received envelopes and the keys that open them.
#[derive(Debug)]
pub struct Inbox {
    dir: PathBuf,
    keys: KeyRing,
    max_bytes: u64,
    /// One acceptance at a time: the check for an existing file and the write are one step.
    lock: Mutex<()>,
}

impl Inbox {
    /// Uses `dir` (created if needed) for envelopes up to `max_bytes`, opened with `keys`.
    pub fn open(dir: &Path, keys: KeyRing, max_bytes: u64) -> Result<Inbox, crate::Error> {
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::Io { path: dir.to_path_buf(), source: e })?;
        Ok(Inbox { dir: dir.to_path_buf(), keys, max_bytes, lock: Mutex::new(()) })
    }

    /// The largest envelope taken.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Checks, opens and stores one envelope (see the module doc for the answers).
    pub fn accept(&self, body: &[u8]) -> Result<Accepted, Refusal> {
        if body.len() as u64 > self.max_bytes {
            return Err(Refusal::new(
                413,
                format!("the envelope is larger than the {} bytes this receiver takes", self.max_bytes),
            ));
        }
        let env = parse_envelope(body).map_err(|e| Refusal::new(400, e.to_string()))?;
        // It must open: a receiver that holds the key can tell a real report from noise.
        self.keys.open(body).map_err(|e| Refusal::new(400, e.to_string()))?;
        let _one = self.lock.lock().map_err(|_| Refusal::new(500, "the receiver's lock was poisoned"))?;
        let path = self.dir.join(format!("{}.json", env.idempotency_key));
        match std::fs::read(&path) {
            Ok(held) if held == body => return Ok(Accepted::Replay),
            Ok(_) => {
                return Err(Refusal::new(
                    409,
                    "another report was already received under this idempotency key; a report is never replaced",
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Refusal::new(500, format!("the receiver could not read its store: {e}"))),
        }
        crate::tuf::store::write_atomically(&path, body, true)
            .map_err(|e| Refusal::new(500, format!("the receiver could not store the report: {e}")))?;
        Ok(Accepted::Stored)
    }
}

/// One received report, read back for triage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxItem {
    /// The envelope's file.
    pub file: String,
    /// When the receiver stored it (the file's time).
    pub received: Option<DateTime<Utc>>,
    /// The idempotency key (the file's name).
    pub idempotency_key: String,
    /// The report, or why it could not be read.
    pub report: Result<Report, String>,
}

/// Reads every envelope in `dir` with `keys`, oldest first. A file that does not open is
/// listed with its error, never dropped.
pub fn read_inbox(dir: &Path, keys: &KeyRing) -> Result<Vec<InboxItem>, crate::Error> {
    let io = |e| crate::Error::Io { path: dir.to_path_buf(), source: e };
    let mut items = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name.starts_with('.') || !name.ends_with(".json") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| crate::Error::Io { path: path.clone(), source: e })?;
        let received = std::fs::metadata(&path).and_then(|m| m.modified()).ok().map(DateTime::<Utc>::from);
        let opened: Result<Report, ReportError> = keys.open(&bytes).map(|(_, r)| r);
        items.push(InboxItem {
            file: path.display().to_string(),
            received,
            idempotency_key: name.trim_end_matches(".json").to_string(),
            report: opened.map_err(|e| e.to_string()),
        });
    }
    items.sort_by(|a, b| (a.received, &a.file).cmp(&(b.received, &b.file)));
    Ok(items)
}
