//! The HTTP layer of sync: every request Faro makes goes through [`Http`], built in one place
//! ([`client`]) with one TLS policy (rustls on `ring`, embedded Mozilla roots), one privacy
//! policy (no cookies, no `Referer`, a generic `User-Agent`) and one retry policy ([`retry`]).
//!
//! Three operations: [`Http::post`] sends a sealed report once and returns the answer as is;
//! [`Http::get`] fetches a small file (TUF metadata) into memory, capped and
//! conditional; [`Http::download`] streams a file of known length to disk through
//! `<dest>.partial` and resumes it with HTTP `Range`. Nothing here judges the bytes: hashes and
//! signatures are the TUF layer's job. Everything is synchronous; mobile callers run it off the
//! main thread and stop it with a [`Cancel`] handle.

mod body;
mod client;
mod download;
mod get;
mod post;
mod retry;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use client::{Http, MAX_REDIRECTS, USER_AGENT};
pub use post::Posted;

/// Timeouts and retry limits of an [`Http`] client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    /// Longest wait for a TCP + TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait with no byte arriving (for the response head, then between body chunks).
    pub read_timeout: Duration,
    /// Longest time for one file, all attempts and waits between them included. A link that
    /// trickles a byte now and then never trips `read_timeout`; this catches it.
    pub file_deadline: Duration,
    /// Most attempts for one file that make no progress. An attempt that stored new bytes of a
    /// download does not use one up (a flaky link that keeps cutting still finishes).
    pub max_attempts: u32,
    /// First backoff step; step `n` waits a random time in `[0, min(backoff_max, base * 2^n)]`.
    pub backoff_base: Duration,
    /// Largest backoff step.
    pub backoff_max: Duration,
    /// Largest wait a server's `Retry-After` may ask for; longer requests are shortened to this.
    pub retry_after_max: Duration,
}

impl Default for NetConfig {
    /// Values for a cheap phone on 2G/3G: slow but live links finish, dead ones fail in well
    /// under a minute, and a sync never hangs for more than the file deadline per file.
    fn default() -> NetConfig {
        NetConfig {
            connect_timeout: Duration::from_secs(20),
            read_timeout: Duration::from_secs(30),
            file_deadline: Duration::from_secs(15 * 60),
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            retry_after_max: Duration::from_secs(120),
        }
    }
}

/// What a server said identifies a version of a file, sent back to make the next request
/// conditional. Persisted by the caller between syncs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` header, verbatim (quotes and `W/` included).
    pub etag: Option<String>,
    /// The `Last-Modified` header, verbatim.
    pub last_modified: Option<String>,
}

impl Validators {
    /// True when the server gave neither validator (a conditional request is impossible).
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// The result of [`Http::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The file, and the validators to send next time.
    Body {
        /// The bytes, at most the `max_len` asked for.
        bytes: Vec<u8>,
        /// `ETag` / `Last-Modified` of this version.
        validators: Validators,
    },
    /// `304 Not Modified`: the copy the validators describe is still current.
    NotModified,
}

/// What [`Http::download`] did, for progress reports and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownloadReport {
    /// Bytes received from the network and kept (or discarded, see `wasted_bytes`).
    pub bytes_fetched: u64,
    /// Length of the partial file found when the download began (0 for a fresh start).
    pub resumed_from: u64,
    /// True when a partial file had to be thrown away (the server ignored or botched `Range`).
    pub restarted: bool,
    /// Bytes already on disk that were thrown away and fetched again.
    pub wasted_bytes: u64,
    /// HTTP requests made.
    pub attempts: u32,
}

/// Stops a running [`Http::get`] or [`Http::download`] from another thread: checked while
/// waiting for bytes (at least every 100 ms), between chunks and during backoff sleeps; a
/// cancelled download keeps its partial file for the next resume.
pub use crate::cancel::Cancel;

/// Everything that can go wrong fetching a file. URLs are shown without user name, password,
/// query or fragment; nothing about the user is ever included.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The server has no such file (404 or 410). Not retried.
    #[error("{url}: not found on the server (404); check the repository URL")]
    NotFound {
        /// The file.
        url: String,
    },

    /// The server answered with an error status (after retries, when it was transient).
    #[error("{url}: the server answered HTTP {status}{}", status_hint(*.status))]
    Status {
        /// The file.
        url: String,
        /// The HTTP status.
        status: u16,
    },

    /// A timeout or the per-file deadline passed.
    #[error("{url}: {what}; the link is too slow or down, try again later (a partial download is kept)")]
    Timeout {
        /// The file.
        url: String,
        /// Which limit, and its value.
        what: String,
    },

    /// The file is longer than allowed; reading stopped at the limit.
    #[error(
        "{url}: the file is longer than the {limit} bytes allowed; the server sent more than the signed metadata says"
    )]
    TooLarge {
        /// The file.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// The caller cancelled. A partial download is kept for the next resume.
    #[error("cancelled; a partial download is kept and resumes next time")]
    Cancelled,

    /// The server answered something that is not the file (an HTML page, a bad header, a
    /// wrong length).
    #[error("{url}: {reason}")]
    BadResponse {
        /// The file.
        url: String,
        /// What was wrong.
        reason: String,
    },

    /// Reading or writing the partial or final file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file on disk.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// The connection failed (DNS, refused, reset, TLS, too many redirects, ...).
    #[error("{url}: {reason}")]
    Transport {
        /// The file.
        url: String,
        /// What failed, as the HTTP stack reported it.
        reason: String,
    },

    /// The HTTP client could not be built (TLS setup failed). A bug or a broken build.
    #[error("could not set up HTTP: {0}")]
    Setup(String),
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => " (access denied); check the repository URL",
        408 | 429 => " (too many requests or too slow); try again later",
        500..=599 => " (server error); try again later",
        _ => "",
    }
}

/// The URL as shown in errors: no user name, password, query or fragment.
pub(crate) fn display_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            // Setting these only fails for URLs that cannot have them; nothing to hide then.
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_errors_lose_credentials_and_query() {
        assert_eq!(
            display_url("https://bob:pw@example.org/m/1.root.json?t=abc#x"),
            "https://example.org/m/1.root.json"
        );
    }

    #[test]
    fn validators_round_trip_through_json() {
        let v = Validators { etag: Some("\"abc\"".into()), last_modified: None };
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<Validators>(&json).unwrap(), v);
        assert!(!v.is_empty());
        assert!(Validators::default().is_empty());
    }

    #[test]
    fn status_errors_say_what_to_do() {
        let e = NetError::Status { url: "https://x/y".into(), status: 503 };
        assert_eq!(e.to_string(), "https://x/y: the server answered HTTP 503 (server error); try again later");
    }
}
