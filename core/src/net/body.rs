//! Waiting on the network with every limit watched: each wait is sliced so that the read
//! timeout (no byte for too long), the per-file deadline (a trickle) and cancellation are all
//! noticed within [`SLICE`], and reqwest's errors become [`Failure`]s that say whether to retry.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use super::client::error_chain;
use super::retry::{parse_retry_after, retryable_status, Deadline, Failure};
use super::{display_url, Cancel, Http, NetError};

/// How often a wait wakes up to look at the clock and the cancel handle.
const SLICE: Duration = Duration::from_millis(100);

impl Http {
    /// Drives `future` to completion, failing when `limit` passes with no result, when the
    /// deadline passes, or when cancelled.
    pub(crate) fn wait<T>(
        &self,
        future: impl Future<Output = T>,
        url: &str,
        limit: Duration,
        what: &str,
        deadline: &Deadline,
        cancel: &Cancel,
    ) -> Result<T, Failure> {
        self.runtime.block_on(async {
            let mut future = std::pin::pin!(future);
            let started = Instant::now();
            loop {
                if let Ok(value) = tokio::time::timeout(SLICE, future.as_mut()).await {
                    return Ok(value);
                }
                if cancel.is_cancelled() {
                    return Err(Failure::fatal(NetError::Cancelled));
                }
                if deadline.passed() {
                    return Err(Failure::fatal(deadline.error(url)));
                }
                if started.elapsed() >= limit {
                    let what = format!("{what} for {} s", limit.as_secs_f32());
                    return Err(Failure::transient(NetError::Timeout { url: display_url(url), what }));
                }
            }
        })
    }

    /// Sends `request` and waits for the response head. Error statuses become failures: 404
    /// and other 4xx are fatal, 408/429/5xx transient (with the server's `Retry-After`).
    pub(crate) fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
        deadline: &Deadline,
        cancel: &Cancel,
    ) -> Result<reqwest::Response, Failure> {
        let limit = self.config.connect_timeout + self.config.read_timeout;
        let response = self
            .wait(request.send(), url, limit, "no response", deadline, cancel)?
            .map_err(|e| transport_failure(&e, url))?;
        let status = response.status().as_u16();
        if status < 400 {
            return Ok(response);
        }
        let url = display_url(url);
        if status == 404 || status == 410 {
            return Err(Failure::fatal(NetError::NotFound { url }));
        }
        let error = NetError::Status { url, status };
        if !retryable_status(status) {
            return Err(Failure::fatal(error));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        Err(Failure { retry_after, ..Failure::transient(error) })
    }

    /// Reads the next body chunk (`None` at the end), waiting at most the read timeout for it.
    pub(crate) fn next_chunk(
        &self,
        response: &mut reqwest::Response,
        url: &str,
        deadline: &Deadline,
        cancel: &Cancel,
    ) -> Result<Option<Vec<u8>>, Failure> {
        if cancel.is_cancelled() {
            return Err(Failure::fatal(NetError::Cancelled));
        }
        if deadline.passed() {
            return Err(Failure::fatal(deadline.error(url)));
        }
        let limit = self.config.read_timeout;
        let chunk = self
            .wait(response.chunk(), url, limit, "no data arrived", deadline, cancel)?
            .map_err(|e| transport_failure(&e, url))?;
        Ok(chunk.map(|bytes| bytes.to_vec()))
    }
}

/// A reqwest error as a failure: redirect refusals and bad URLs are fatal, the rest (refused,
/// reset, cut, TLS hiccup, timeouts) transient.
pub(crate) fn transport_failure(error: &reqwest::Error, url: &str) -> Failure {
    let url = display_url(url);
    let reason = error_chain(&UrlFree(error));
    if error.is_timeout() {
        return Failure::transient(NetError::Timeout { url, what: format!("timed out ({reason})") });
    }
    let permanent = error.is_redirect() || error.is_builder();
    let error = NetError::Transport { url, reason };
    if permanent {
        Failure::fatal(error)
    } else {
        Failure::transient(error)
    }
}

/// Displays a reqwest error's kind and causes but not its URL (which may hold a query).
#[derive(Debug)]
struct UrlFree<'a>(&'a reqwest::Error);

impl std::fmt::Display for UrlFree<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = self.0;
        let kind = if e.is_connect() {
            "could not connect"
        } else if e.is_redirect() {
            "redirect refused"
        } else if e.is_body() || e.is_decode() {
            "the connection broke while reading the body"
        } else if e.is_request() {
            "the request failed"
        } else if e.is_builder() {
            "builder error: bad URL"
        } else {
            "HTTP error"
        };
        f.write_str(kind)
    }
}

impl std::error::Error for UrlFree<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(self.0)
    }
}
