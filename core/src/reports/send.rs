//! Sending the outbox: each waiting envelope is POSTed to the receiver URL the last verified
//! sync named (never to any other host: no redirect is followed), oldest first.
//!
//! - 2xx: delivered. The row becomes `sent` and its ciphertext is deleted. The receiver
//!   answers 200 again for the same idempotency key and bytes, so a report whose answer was
//!   lost (connection cut, process killed) is sent again and still stored once.
//! - 400, 409, 413, 415, 422: the receiver says the envelope itself is bad; `refused`, with
//!   its answer kept, never retried.
//! - Anything else (no connection, timeout, 429, 5xx, other 4xx, a redirect): the report
//!   stays queued for a later run, at `now + backoff` (exponential, 1 min doubling to 6 h,
//!   with jitter), and the run stops there: the receiver is not taking reports now, and the
//!   rest wait as long, without spending the person's data.
//!
//! One attempt per report per run: the retry schedule lives in the table, so it survives
//! restarts. The row is marked `sending` (its schedule consumed) before the POST, in one
//! transaction, so a killed process leaves it due at once on the next run.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::outbox::{rfc3339, ReportStatus};
use super::ReportError;
use crate::error::{Error, Result};
use crate::net::{Cancel, Http, NetConfig, NetError};
use crate::store::Store;
use crate::sync::receiver;

/// Content type of an envelope.
pub const CONTENT_TYPE: &str = "application/json";

/// First wait after a failed try; it doubles with each failure.
pub const BACKOFF_FIRST: Duration = Duration::from_secs(60);

/// Longest wait between tries.
pub const BACKOFF_MAX: Duration = Duration::from_secs(6 * 3600);

/// Options of [`send_reports`].
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// The device clock (for the retry schedule only; nothing of it is sent).
    pub device_now: DateTime<Utc>,
    /// Timeouts (retries are the outbox's schedule, not the client's).
    pub net: NetConfig,
    /// Send reports whose next try is still in the future too (the person pressed "send now").
    pub ignore_schedule: bool,
}

impl Default for SendOptions {
    fn default() -> SendOptions {
        SendOptions { device_now: Utc::now(), net: NetConfig::default(), ignore_schedule: false }
    }
}

/// Where a send run stands, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SendProgress {
    /// Reports handled so far in this run.
    pub done: u32,
    /// Reports this run tries.
    pub total: u32,
}

/// What happened to one report in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendOutcome {
    /// The report.
    pub id: i64,
    /// Its status after the try.
    pub status: ReportStatus,
    /// The receiver's HTTP status, when it answered.
    pub http_status: Option<u16>,
    /// Why it was not delivered.
    pub error: Option<String>,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendSummary {
    /// Delivered in this run.
    pub sent: u32,
    /// Refused for good in this run.
    pub refused: u32,
    /// Still waiting after the run (queued, including those not tried).
    pub waiting: u32,
    /// Per report tried.
    pub outcomes: Vec<SendOutcome>,
}

/// Sends every waiting report that is due (all waiting ones with `ignore_schedule`). Fails
/// with [`ReportError::NoReceiver`] when no verified sync named a receiver; a cancel leaves
/// the report being sent queued and returns [`Error::Cancelled`].
pub fn send_reports(
    store: &Store,
    options: &SendOptions,
    cancel: &Cancel,
    progress: &mut dyn FnMut(&SendProgress),
) -> Result<SendSummary> {
    let receiver = store.read(receiver::load)?.ok_or(ReportError::NoReceiver)?;
    let now = options.device_now;
    let due: Vec<i64> = store.read(|c| {
        let mut stmt = c.prepare(
            "SELECT id FROM report_outbox WHERE status IN ('queued', 'sending') AND envelope IS NOT NULL
             AND (?1 OR next_try IS NULL OR next_try <= ?2) ORDER BY id",
        )?;
        let ids = stmt.query_map(params![options.ignore_schedule, rfc3339(now)], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
    })?;
    let total = due.len() as u32;
    let mut summary = SendSummary { sent: 0, refused: 0, waiting: 0, outcomes: Vec::new() };
    progress(&SendProgress { done: 0, total });
    if !due.is_empty() {
        let http = Http::without_redirects(options.net.clone())?;
        for id in due {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let envelope: Option<Vec<u8>> = store.write(|c| {
                let n = c.execute(
                    "UPDATE report_outbox SET status = 'sending', next_try = NULL
                     WHERE id = ?1 AND status IN ('queued', 'sending')",
                    [id],
                )?;
                if n == 0 {
                    return Ok(None);
                }
                Ok(c.query_row("SELECT envelope FROM report_outbox WHERE id = ?1", [id], |r| r.get(0))?)
            })?;
            // Cancelled (or sent by another run) meanwhile.
            let Some(envelope) = envelope else { continue };
            let outcome = match http.post(&receiver.url, CONTENT_TYPE, envelope, cancel) {
                Err(NetError::Cancelled) => {
                    store.write(|c| {
                        c.execute(
                            "UPDATE report_outbox SET status = 'queued' WHERE id = ?1 AND status = 'sending'",
                            [id],
                        )?;
                        Ok(())
                    })?;
                    return Err(Error::Cancelled);
                }
                Ok(answer) if (200..300).contains(&answer.status) => {
                    store.write(|c| {
                        c.execute(
                            "UPDATE report_outbox SET status = 'sent', envelope = NULL, next_try = NULL, last_error = NULL,
                             attempts = attempts + 1, sent = ?2 WHERE id = ?1",
                            params![id, rfc3339(Utc::now())],
                        )?;
                        Ok(())
                    })?;
                    summary.sent += 1;
                    SendOutcome { id, status: ReportStatus::Sent, http_status: Some(answer.status), error: None }
                }
                Ok(answer) if matches!(answer.status, 400 | 409 | 413 | 415 | 422) => {
                    let why = format!("the receiver refused it (HTTP {}): {}", answer.status, short(&answer.body));
                    store.write(|c| {
                        c.execute(
                            "UPDATE report_outbox SET status = 'refused', next_try = NULL, last_error = ?2,
                             attempts = attempts + 1 WHERE id = ?1",
                            params![id, why],
                        )?;
                        Ok(())
                    })?;
                    summary.refused += 1;
                    SendOutcome {
                        id,
                        status: ReportStatus::Refused,
                        http_status: Some(answer.status),
                        error: Some(why),
                    }
                }
                Ok(answer) => {
                    let why = if (300..400).contains(&answer.status) {
                        format!(
                            "the receiver answered a redirect (HTTP {}); reports go only to the signed address",
                            answer.status
                        )
                    } else {
                        format!(
                            "the receiver answered HTTP {}: {}; will try again later",
                            answer.status,
                            short(&answer.body)
                        )
                    };
                    let outcome = retry_later(store, id, now, answer.retry_after, &why, Some(answer.status))?;
                    summary.outcomes.push(outcome);
                    break;
                }
                Err(e) => {
                    let why = format!("{e}; will try again later");
                    let outcome = retry_later(store, id, now, None, &why, None)?;
                    summary.outcomes.push(outcome);
                    break;
                }
            };
            summary.outcomes.push(outcome);
            progress(&SendProgress { done: summary.outcomes.len() as u32, total });
        }
    }
    summary.waiting = store.read(|c| {
        Ok(c.query_row("SELECT count(*) FROM report_outbox WHERE status IN ('queued', 'sending')", [], |r| r.get(0))?)
    })?;
    Ok(summary)
}

/// Puts a report back in the queue with its next try after the backoff (or the server's
/// `Retry-After`, capped at [`BACKOFF_MAX`], when longer).
fn retry_later(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
    retry_after: Option<Duration>,
    why: &str,
    http_status: Option<u16>,
) -> Result<SendOutcome> {
    store.write(|c| {
        let attempts: u32 = c.query_row("SELECT attempts FROM report_outbox WHERE id = ?1", [id], |r| r.get(0))?;
        let wait = backoff(attempts).max(retry_after.unwrap_or_default().min(BACKOFF_MAX));
        let next = now + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(6));
        let next = rfc3339(next);
        c.execute(
            "UPDATE report_outbox SET status = 'queued', attempts = attempts + 1, next_try = ?2, last_error = ?3
             WHERE id = ?1",
            params![id, next, why],
        )?;
        // The receiver is not taking reports now: the others wait as long (untried, so their
        // attempts do not count up).
        c.execute(
            "UPDATE report_outbox SET next_try = ?2
             WHERE id != ?1 AND status = 'queued' AND (next_try IS NULL OR next_try < ?2)",
            params![id, next],
        )?;
        Ok(())
    })?;
    Ok(SendOutcome { id, status: ReportStatus::Queued, http_status, error: Some(why.into()) })
}

/// The wait after `failures` earlier failed tries: `BACKOFF_FIRST * 2^failures`, at most
/// [`BACKOFF_MAX`], then a uniform draw in its upper half (phones coming back online at once
/// do not retry in step, and no wait is much shorter than planned).
pub fn backoff(failures: u32) -> Duration {
    let ceiling = BACKOFF_FIRST.saturating_mul(1u32.checked_shl(failures.min(20)).unwrap_or(u32::MAX)).min(BACKOFF_MAX);
    let ms = ceiling.as_millis() as u64;
    Duration::from_millis(fastrand::u64(ms / 2..=ms))
}

fn short(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_ceiling_with_jitter() {
        for _ in 0..50 {
            let first = backoff(0);
            assert!(first >= Duration::from_secs(30) && first <= Duration::from_secs(60), "{first:?}");
            let third = backoff(2);
            assert!(third >= Duration::from_secs(120) && third <= Duration::from_secs(240), "{third:?}");
            assert!(backoff(30) <= BACKOFF_MAX && backoff(30) >= BACKOFF_MAX / 2);
        }
    }
}
