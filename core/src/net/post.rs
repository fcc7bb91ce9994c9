//! [`Http::post`]: one POST of a small body (a sealed report), one attempt, the answer's
//! status and a short body returned as they are. Retrying is the caller's (the report outbox
//! keeps its own schedule across runs), so that an answer is never lost between two tries.

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};

use super::body::transport_failure;
use super::retry::{parse_retry_after, Deadline};
use super::{Cancel, Http, NetError};

/// Most bytes of an answer's body kept (the receiver's error text).
pub const MAX_ANSWER_BYTES: usize = 2048;

/// The server's answer to a POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The HTTP status.
    pub status: u16,
    /// The start of the body (at most [`MAX_ANSWER_BYTES`]), as text.
    pub body: String,
    /// The server's `Retry-After`, when it gave one.
    pub retry_after: Option<Duration>,
}

impl Http {
    /// POSTs `body` to `url` once with `content_type`, and returns the server's answer
    /// whatever its status. Fails on a connection error, a timeout or a cancel. Use it on a
    /// client built with [`Http::without_redirects`] so that no answer moves the body elsewhere.
    pub fn post(&self, url: &str, content_type: &str, body: Vec<u8>, cancel: &Cancel) -> Result<Posted, NetError> {
        let deadline = Deadline::after(self.config.file_deadline);
        let request = self.client.post(url).header(CONTENT_TYPE, content_type).body(body);
        let limit = self.config.connect_timeout + self.config.read_timeout;
        let mut response = self
            .wait(request.send(), url, limit, "no response", &deadline, cancel)
            .map_err(|f| f.error)?
            .map_err(|e| transport_failure(&e, url).error)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let mut bytes = Vec::new();
        while bytes.len() < MAX_ANSWER_BYTES {
            match self.next_chunk(&mut response, url, &deadline, cancel).map_err(|f| f.error)? {
                Some(chunk) => bytes.extend_from_slice(&chunk),
                None => break,
            }
        }
        bytes.truncate(MAX_ANSWER_BYTES);
        Ok(Posted { status, body: String::from_utf8_lossy(&bytes).into_owned(), retry_after })
    }
}
