//! [`Http::download`]: a file of known length streamed to `<dest>.partial` and resumed with
//! `Range` after any cut, renamed to `dest` only when complete.
//!
//! A resume is trusted only when the server answers `206` with a `Content-Range` that starts
//! where the partial file ends and whose total is the expected length; a `200`, a wrong
//! `Content-Range` or a `416` throws the partial away and starts over. Nothing past the expected
//! length is ever written or read. The validators of the first response are kept beside the
//! partial (`<dest>.partial.validators`) and sent as `If-Range`, so that a file replaced on the
//! server is not spliced onto an old beginning.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use reqwest::header::{HeaderMap, CONTENT_RANGE, IF_RANGE, RANGE};

use super::get::{content_length, reject_html_type, validators_of};
use super::retry::{self, Deadline, Failure};
use super::{display_url, Cancel, DownloadReport, Http, NetError, Validators};

/// Progress is reported at most once per this many bytes (and at the end).
const PROGRESS_STEP: u64 = 64 * 1024;

/// The partial file and what is known about it.
struct Partial {
    path: PathBuf,
    validators_path: PathBuf,
    file: File,
    len: u64,
    validators: Validators,
}

impl Partial {
    fn open(dest: &Path) -> Result<Partial, NetError> {
        let name = dest.file_name().ok_or_else(|| io_error(dest, "the destination has no file name"))?;
        let with_suffix = |suffix: &str| {
            let mut n = name.to_os_string();
            n.push(suffix);
            dest.with_file_name(n)
        };
        let path = with_suffix(".partial");
        let validators_path = with_suffix(".partial.validators");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|source| NetError::Io { path: path.clone(), source })?;
        let len = file.metadata().map_err(|source| NetError::Io { path: path.clone(), source })?.len();
        // A missing or unreadable note only costs the If-Range check, never the bytes.
        let validators =
            fs::read(&validators_path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        Ok(Partial { path, validators_path, file, len, validators })
    }

    fn io(&self, source: std::io::Error) -> NetError {
        NetError::Io { path: self.path.clone(), source }
    }

    /// Cuts the partial file back to `len` bytes.
    fn truncate(&mut self, len: u64) -> Result<(), NetError> {
        self.file.set_len(len).map_err(|e| self.io(e))?;
        self.len = len;
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        use std::io::{Seek, SeekFrom};
        self.file.seek(SeekFrom::Start(self.len)).map_err(|e| self.io(e))?;
        self.file.write_all(bytes).map_err(|e| self.io(e))?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    fn remember(&mut self, validators: Validators) -> Result<(), NetError> {
        let json = serde_json::to_vec(&validators).expect("validators serialize");
        fs::write(&self.validators_path, json)
            .map_err(|source| NetError::Io { path: self.validators_path.clone(), source })?;
        self.validators = validators;
        Ok(())
    }

    /// The `If-Range` value: a strong ETag, else the date (weak tags are not allowed there).
    fn if_range(&self) -> Option<&str> {
        match &self.validators.etag {
            Some(tag) if !tag.starts_with("W/") => Some(tag),
            _ => self.validators.last_modified.as_deref(),
        }
    }

    /// fsyncs, renames to `dest` and fsyncs the folder, so a crash leaves either the partial
    /// or the whole file.
    fn finish(self, dest: &Path) -> Result<(), NetError> {
        self.file.sync_all().map_err(|e| self.io(e))?;
        drop(self.file);
        fs::rename(&self.path, dest).map_err(|source| NetError::Io { path: dest.to_path_buf(), source })?;
        #[cfg(unix)]
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir).and_then(|d| d.sync_all()).map_err(|source| NetError::Io { path: dir.into(), source })?;
        }
        let _ = fs::remove_file(&self.validators_path);
        Ok(())
    }
}

fn io_error(path: &Path, reason: &str) -> NetError {
    NetError::Io { path: path.to_path_buf(), source: std::io::Error::new(std::io::ErrorKind::InvalidInput, reason) }
}

/// A `Content-Range: bytes START-END/TOTAL` header.
#[derive(Debug, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    end: u64,
    total: u64,
}

fn content_range(headers: &HeaderMap) -> Option<ContentRange> {
    let v = headers.get(CONTENT_RANGE)?.to_str().ok()?.trim();
    let rest = v.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let r = ContentRange {
        start: start.trim().parse().ok()?,
        end: end.trim().parse().ok()?,
        total: total.trim().parse().ok()?,
    };
    (r.start <= r.end && r.end < r.total).then_some(r)
}

/// The state one download carries across attempts.
struct Run<'a> {
    url: &'a str,
    expected_len: u64,
    partial: Partial,
    report: DownloadReport,
    /// The last `done` given to `progress`.
    reported: Option<u64>,
    progress: &'a mut dyn FnMut(u64, u64),
}

impl Run<'_> {
    /// Throws the partial file away (the server would not resume it).
    fn start_over(&mut self) -> Result<(), NetError> {
        self.report.wasted_bytes += self.partial.len;
        self.report.restarted = true;
        self.partial.truncate(0)
    }

    fn bad(&self, reason: String) -> Failure {
        Failure::fatal(NetError::BadResponse { url: display_url(self.url), reason })
    }

    /// Reports after every [`PROGRESS_STEP`] bytes and once at the end.
    fn report_progress(&mut self) {
        let done = self.partial.len;
        let due = done == self.expected_len || done.saturating_sub(self.reported.unwrap_or(0)) >= PROGRESS_STEP;
        if due && self.reported != Some(done) {
            self.reported = Some(done);
            (self.progress)(done, self.expected_len);
        }
    }
}

impl Http {
    /// Downloads a file of known length to `dest`, through `<dest>.partial`, resuming from
    /// whatever a previous call left there with `Range`. Retries transient failures (an
    /// attempt that stored bytes does not count against `max_attempts`), stops at the per-file
    /// deadline, never stores more than `expected_len` bytes (a longer body is `TooLarge`),
    /// and on success fsyncs and renames the partial to `dest`. On error or cancellation the
    /// partial file stays for the next call. `progress(done, total)` is called at most every
    /// 64 KiB and once at the end.
    pub fn download(
        &self,
        url: &str,
        dest: &Path,
        expected_len: u64,
        cancel: &Cancel,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<DownloadReport, NetError> {
        let deadline = Deadline::after(self.config.file_deadline);
        let partial = Partial::open(dest)?;
        let mut run = Run { url, expected_len, partial, report: DownloadReport::default(), reported: None, progress };
        if run.partial.len > expected_len {
            run.start_over()?;
        }
        run.report.resumed_from = run.partial.len;
        let mut requests = 0;
        let result = retry::run(&self.config, url, &deadline, cancel, &mut requests, |deadline| {
            self.attempt(&mut run, deadline, cancel)
        });
        run.report.attempts = requests;
        match result {
            Ok(()) => {
                run.report_progress();
                run.partial.finish(dest)?;
                Ok(run.report)
            }
            Err(e) => {
                // Keep what arrived for the next resume, durably.
                let _ = run.partial.file.sync_data();
                Err(e)
            }
        }
    }

    /// One request: asks for the rest of the file and appends what arrives.
    fn attempt(&self, run: &mut Run<'_>, deadline: &Deadline, cancel: &Cancel) -> Result<(), Failure> {
        let start = run.partial.len;
        if start == run.expected_len {
            return Ok(());
        }
        let mut request = self.client.get(run.url);
        if start > 0 {
            request = request.header(RANGE, format!("bytes={start}-"));
            if let Some(v) = run.partial.if_range() {
                request = request.header(IF_RANGE, v);
            }
        }
        let mut response = match self.send(request, run.url, deadline, cancel) {
            Err(f) if start > 0 && matches!(f.error, NetError::Status { status: 416, .. }) => {
                run.start_over()?;
                return Err(Failure { progressed: true, ..f });
            }
            other => other?,
        };
        let headers = response.headers().clone();
        reject_html_type(&headers, run.url)?;
        let end = match response.status().as_u16() {
            200 => {
                if start > 0 {
                    run.start_over()?;
                }
                match content_length(&headers) {
                    Some(len) if len > run.expected_len => {
                        let limit = run.expected_len;
                        return Err(Failure::fatal(NetError::TooLarge { url: display_url(run.url), limit }));
                    }
                    Some(len) if len != run.expected_len => {
                        return Err(run.bad(format!(
                            "the server sends {len} bytes, the signed metadata says {}",
                            run.expected_len
                        )))
                    }
                    _ => {}
                }
                run.partial.remember(validators_of(&headers))?;
                run.expected_len
            }
            206 if start > 0 => match content_range(&headers) {
                Some(r) if r.start == start && r.total == run.expected_len => r.end + 1,
                _ => {
                    // Not the bytes asked for: start over without Range, right away.
                    run.start_over()?;
                    let got = headers.get(CONTENT_RANGE).and_then(|v| v.to_str().ok()).unwrap_or("none").to_string();
                    let reason = format!(
                        "asked for bytes {start}- of {}, got Content-Range {got:?}; starting over",
                        run.expected_len
                    );
                    let error = NetError::BadResponse { url: display_url(run.url), reason };
                    return Err(Failure { progressed: true, ..Failure::transient(error) });
                }
            },
            status => return Err(run.bad(format!("expected HTTP 200 or 206, got {status}"))),
        };
        let response_start = run.partial.len;
        while let Some(chunk) = self
            .next_chunk(&mut response, run.url, deadline, cancel)
            .map_err(|f| Failure { progressed: f.progressed || run.partial.len > response_start, ..f })?
        {
            if run.partial.len + chunk.len() as u64 > end {
                // More than asked for or promised: drop this response's bytes, keep earlier ones.
                run.report.wasted_bytes += run.partial.len - response_start;
                run.partial.truncate(response_start)?;
                return Err(Failure::fatal(NetError::TooLarge { url: display_url(run.url), limit: run.expected_len }));
            }
            run.partial.append(&chunk)?;
            run.report.bytes_fetched += chunk.len() as u64;
            run.report_progress();
        }
        if run.partial.len < run.expected_len {
            let reason = format!("the connection closed after {} of {} bytes", run.partial.len, run.expected_len);
            let error = NetError::Transport { url: display_url(run.url), reason };
            return Err(Failure { progressed: run.partial.len > response_start, ..Failure::transient(error) });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn range(v: &'static str) -> Option<ContentRange> {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_RANGE, HeaderValue::from_static(v));
        content_range(&h)
    }

    #[test]
    fn content_range_is_parsed_strictly() {
        assert_eq!(range("bytes 100-199/200"), Some(ContentRange { start: 100, end: 199, total: 200 }));
        assert_eq!(range("bytes 100-199/*"), None);
        assert_eq!(range("bytes 150-100/200"), None);
        assert_eq!(range("bytes 100-200/200"), None);
        assert_eq!(range("items 1-2/3"), None);
        assert_eq!(content_range(&HeaderMap::new()), None);
    }

    #[test]
    fn partial_file_sits_beside_the_destination() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("mx.zst");
        let mut p = Partial::open(&dest).unwrap();
        assert_eq!(p.path, dir.path().join("mx.zst.partial"));
        p.append(b"abc").unwrap();
        p.remember(Validators { etag: Some("W/\"weak\"".into()), last_modified: Some("date".into()) }).unwrap();
        assert_eq!(p.if_range(), Some("date"), "weak tags are not used for If-Range");
        drop(p);
        let p = Partial::open(&dest).unwrap();
        assert_eq!(p.len, 3);
        assert_eq!(p.validators.last_modified.as_deref(), Some("date"));
        p.finish(&dest).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"abc");
        assert!(!dir.path().join("mx.zst.partial.validators").exists());
    }
}
