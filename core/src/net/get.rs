//! [`Http::get`]: a small file (TUF metadata) into memory, capped while reading, conditional
//! when validators are known, and refusing captive-portal HTML.

use std::time::Duration;

use reqwest::header::{
    HeaderMap, CONTENT_LENGTH, CONTENT_TYPE, DATE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

use super::retry::{self, Deadline, Failure};
use super::{display_url, Cancel, Fetched, Http, NetError, Validators};

/// The message for a body that is a web page: the usual cause is a Wi-Fi login page.
pub(crate) const HTML_REASON: &str =
    "got an HTML page, not the expected file — a captive portal or login page? Open a browser to log in to this network, then sync again";

impl Http {
    /// GETs a small file into memory (TUF metadata): at most `max_len` bytes, never buffering
    /// more; a conditional request when `validators` are given, answered `NotModified` on 304.
    /// Retries transient failures; rejects an HTML page (`text/html`, or a body starting with
    /// `<`) with a clear error.
    pub fn get(
        &self,
        url: &str,
        max_len: u64,
        validators: Option<&Validators>,
        cancel: &Cancel,
    ) -> Result<Fetched, NetError> {
        let deadline = Deadline::after(self.config.file_deadline);
        let mut requests = 0;
        retry::run(&self.config, url, &deadline, cancel, &mut requests, |deadline| {
            self.get_once(url, max_len, validators, deadline, cancel)
        })
    }

    fn get_once(
        &self,
        url: &str,
        max_len: u64,
        validators: Option<&Validators>,
        deadline: &Deadline,
        cancel: &Cancel,
    ) -> Result<Fetched, Failure> {
        let mut request = self.client.get(url);
        // The ETag when there is one: it changes with the content, a date only by the second.
        match validators {
            Some(Validators { etag: Some(etag), .. }) => request = request.header(IF_NONE_MATCH, etag),
            Some(Validators { last_modified: Some(date), .. }) => request = request.header(IF_MODIFIED_SINCE, date),
            _ => {}
        }
        let mut response = self.send(request, url, deadline, cancel)?;
        let status = response.status().as_u16();
        if status == 304 {
            return match validators {
                Some(v) if !v.is_empty() => Ok(Fetched::NotModified),
                _ => Err(bad(url, "the server answered 304 Not Modified to a request that was not conditional")),
            };
        }
        if status != 200 {
            return Err(bad(url, &format!("expected HTTP 200, got {status}")));
        }
        let headers = response.headers().clone();
        reject_html_type(&headers, url)?;
        if let Some(len) = content_length(&headers) {
            if len > max_len {
                return Err(Failure::fatal(NetError::TooLarge { url: display_url(url), limit: max_len }));
            }
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = self.next_chunk(&mut response, url, deadline, cancel)? {
            if bytes.len() as u64 + chunk.len() as u64 > max_len {
                return Err(Failure::fatal(NetError::TooLarge { url: display_url(url), limit: max_len }));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
            return Err(bad(url, HTML_REASON));
        }
        Ok(Fetched::Body { bytes, validators: validators_of(&headers) })
    }
}

fn bad(url: &str, reason: &str) -> Failure {
    Failure::fatal(NetError::BadResponse { url: display_url(url), reason: reason.to_string() })
}

/// A `text/html` (or XHTML) body is a portal or error page, never one of our files.
pub(crate) fn reject_html_type(headers: &HeaderMap, url: &str) -> Result<(), Failure> {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim_start().to_ascii_lowercase())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/xhtml"));
    if html {
        Err(bad(url, HTML_REASON))
    } else {
        Ok(())
    }
}

/// The `Content-Length` header, when present and a number.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// How much older than the response's `Date` a `Last-Modified` must be to identify a version:
/// dates have one-second resolution, so a file changed again within the same second as the
/// response would keep its date, and a 304 would hide the new version (RFC 9110 8.8.2.2 calls
/// such a date weak).
const SETTLED: Duration = Duration::from_secs(2);

/// `ETag` and `Last-Modified` of a response. A `Last-Modified` that is not at least
/// [`SETTLED`] older than the response's `Date` (or that cannot be compared with one) is left
/// out, so that no conditional request or resume relies on it.
pub(crate) fn validators_of(headers: &HeaderMap) -> Validators {
    let text =
        |name| headers.get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_string);
    let settled = |modified: &String| {
        let date = text(DATE).and_then(|d| httpdate::parse_http_date(&d).ok());
        let modified = httpdate::parse_http_date(modified).ok();
        matches!((date, modified), (Some(d), Some(m)) if d.duration_since(m).is_ok_and(|age| age >= SETTLED))
    };
    Validators { etag: text(ETAG), last_modified: text(LAST_MODIFIED).filter(settled) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn html_content_types_are_refused() {
        let mut h = HeaderMap::new();
        assert!(reject_html_type(&h, "u").is_ok());
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert!(reject_html_type(&h, "u").is_ok());
        h.insert(CONTENT_TYPE, HeaderValue::from_static("Text/HTML; charset=utf-8"));
        let e = reject_html_type(&h, "http://x/1.root.json").unwrap_err();
        assert!(e.error.to_string().contains("captive portal"), "{}", e.error);
        assert!(!e.transient);
    }

    #[test]
    fn validators_are_read_verbatim() {
        let mut h = HeaderMap::new();
        h.insert(ETAG, HeaderValue::from_static("W/\"5f-1\""));
        let v = validators_of(&h);
        assert_eq!(v, Validators { etag: Some("W/\"5f-1\"".into()), last_modified: None });
        h.insert(CONTENT_LENGTH, HeaderValue::from_static(" 42"));
        assert_eq!(content_length(&h), Some(42));
    }

    #[test]
    fn a_last_modified_within_two_seconds_of_the_date_is_not_a_validator() {
        let headers = |modified: &'static str, date: Option<&'static str>| {
            let mut h = HeaderMap::new();
            h.insert(LAST_MODIFIED, HeaderValue::from_static(modified));
            if let Some(date) = date {
                h.insert(DATE, HeaderValue::from_static(date));
            }
            validators_of(&h).last_modified
        };
        let modified = "Fri, 04 Dec 2026 20:00:00 GMT";
        assert_eq!(headers(modified, Some("Fri, 04 Dec 2026 20:00:02 GMT")).as_deref(), Some(modified));
        assert_eq!(headers(modified, Some("Fri, 04 Dec 2026 20:00:01 GMT")), None, "same second or next: weak");
        assert_eq!(headers(modified, Some("Fri, 04 Dec 2026 19:59:00 GMT")), None, "dated after the response");
        assert_eq!(headers(modified, None), None, "nothing to compare with");
        assert_eq!(headers("yesterday", Some("Fri, 04 Dec 2026 20:00:02 GMT")), None);
    }
}
