//! When to try again and how long to wait: exponential backoff with full jitter, the server's
//! `Retry-After` (capped), a per-file deadline no wait may cross, and cancellation during waits.

use std::time::{Duration, Instant, SystemTime};

use super::{display_url, Cancel, NetConfig, NetError};

/// The end of the time allowed for one file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    end: Instant,
    total: Duration,
}

impl Deadline {
    /// A deadline `total` from now.
    pub(crate) fn after(total: Duration) -> Deadline {
        Deadline { end: Instant::now() + total, total }
    }

    /// Time left (zero once passed).
    pub(crate) fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    /// True once the deadline passed.
    pub(crate) fn passed(&self) -> bool {
        Instant::now() >= self.end
    }

    /// The error for a passed deadline.
    pub(crate) fn error(&self, url: &str) -> NetError {
        NetError::Timeout {
            url: display_url(url),
            what: format!("the file did not arrive within the {} s allowed for one file", self.total.as_secs_f32()),
        }
    }
}

/// Why one attempt failed, and whether another may help.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The error reported if no further attempt is made.
    pub error: NetError,
    /// A connect error, timeout, 408/429/5xx or cut body: worth another try.
    pub transient: bool,
    /// The server's `Retry-After`, when it gave one.
    pub retry_after: Option<Duration>,
    /// The attempt stored new bytes, so it does not count against `max_attempts`.
    pub progressed: bool,
}

impl Failure {
    /// A failure no retry can fix (404, 403, bad content, too large, cancelled, disk error).
    pub(crate) fn fatal(error: NetError) -> Failure {
        Failure { error, transient: false, retry_after: None, progressed: false }
    }

    /// A failure that may pass (timeouts, resets, server errors).
    pub(crate) fn transient(error: NetError) -> Failure {
        Failure { error, transient: true, retry_after: None, progressed: false }
    }
}

impl From<NetError> for Failure {
    fn from(error: NetError) -> Failure {
        let transient = matches!(error, NetError::Timeout { .. } | NetError::Transport { .. });
        Failure { error, transient, retry_after: None, progressed: false }
    }
}

/// Statuses worth retrying: request timeout, too many requests, and server errors except those
/// that say the request itself can never work (501 Not Implemented, 505 Version Not Supported).
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429) || ((500..=599).contains(&status) && status != 501 && status != 505)
}

/// Parses `Retry-After`: delta-seconds or an HTTP-date (a date in the past means now).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Backoff before retry number `step` (0-based): uniform in `[0, min(max, base * 2^step)]`
/// ("full jitter": many phones reconnecting at once do not retry in lockstep).
pub(crate) fn backoff(config: &NetConfig, step: u32) -> Duration {
    let ceiling = config.backoff_base.saturating_mul(1u32.checked_shl(step.min(20)).unwrap_or(u32::MAX));
    let ceiling = ceiling.min(config.backoff_max);
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

/// Sleeps `delay` in short slices, returning `Cancelled` as soon as the handle is cancelled.
pub(crate) fn sleep(delay: Duration, cancel: &Cancel) -> Result<(), NetError> {
    const SLICE: Duration = Duration::from_millis(50);
    let end = Instant::now() + delay;
    loop {
        if cancel.is_cancelled() {
            return Err(NetError::Cancelled);
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(SLICE));
    }
}

/// Runs `attempt` until it succeeds, fails for good, runs out of attempts without progress,
/// or the next wait would cross the deadline. `attempt` gets the deadline and the attempt
/// number (1-based); `requests` counts every call.
pub(crate) fn run<T>(
    config: &NetConfig,
    url: &str,
    deadline: &Deadline,
    cancel: &Cancel,
    requests: &mut u32,
    mut attempt: impl FnMut(&Deadline) -> Result<T, Failure>,
) -> Result<T, NetError> {
    let mut failures_in_a_row = 0u32;
    loop {
        if cancel.is_cancelled() {
            return Err(NetError::Cancelled);
        }
        if deadline.passed() {
            return Err(deadline.error(url));
        }
        *requests += 1;
        let failure = match attempt(deadline) {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        if !failure.transient {
            return Err(failure.error);
        }
        failures_in_a_row = if failure.progressed { 0 } else { failures_in_a_row + 1 };
        if failures_in_a_row >= config.max_attempts.max(1) {
            return Err(failure.error);
        }
        let wait = match failure.retry_after {
            Some(asked) => asked.min(config.retry_after_max),
            None if failure.progressed => Duration::ZERO,
            None => backoff(config, failures_in_a_row - 1),
        };
        // A wait that ends past the deadline is pointless: report the real cause now.
        if wait >= deadline.remaining() {
            return Err(failure.error);
        }
        sleep(wait, cancel)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> NetConfig {
        NetConfig {
            max_attempts: 3,
            backoff_base: Duration::from_millis(1),
            backoff_max: Duration::from_millis(4),
            ..NetConfig::default()
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let config =
            NetConfig { backoff_base: Duration::from_millis(100), backoff_max: Duration::from_secs(1), ..quick() };
        for step in 0..40 {
            let ceiling = Duration::from_millis(100 * (1u64 << step.min(4))).min(Duration::from_secs(1));
            for _ in 0..50 {
                assert!(backoff(&config, step) <= ceiling, "step {step}");
            }
        }
        // Full jitter: not always the ceiling.
        assert!((0..50).any(|_| backoff(&config, 3) < Duration::from_millis(700)));
    }

    #[test]
    fn statuses_to_retry() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 410, 416, 501, 505] {
            assert!(!retryable_status(s), "{s}");
        }
    }

    fn transient() -> Failure {
        Failure::transient(NetError::Status { url: "u".into(), status: 503 })
    }

    #[test]
    fn gives_up_after_max_attempts_without_progress() {
        let (mut requests, mut calls) = (0, 0);
        let r: Result<(), _> =
            run(&quick(), "u", &Deadline::after(Duration::from_secs(5)), &Cancel::new(), &mut requests, |_| {
                calls += 1;
                Err(transient())
            });
        assert!(matches!(r, Err(NetError::Status { status: 503, .. })));
        assert_eq!((calls, requests), (3, 3));
    }

    #[test]
    fn progress_does_not_use_up_attempts() {
        let mut requests = 0;
        let mut calls = 0;
        let r = run(&quick(), "u", &Deadline::after(Duration::from_secs(5)), &Cancel::new(), &mut requests, |_| {
            calls += 1;
            if calls < 10 {
                Err(Failure { progressed: true, ..transient() })
            } else {
                Ok(calls)
            }
        });
        assert_eq!(r.unwrap(), 10);
        assert_eq!(requests, 10);
    }

    #[test]
    fn fatal_failures_are_not_retried() {
        let mut requests = 0;
        let r: Result<(), _> =
            run(&quick(), "u", &Deadline::after(Duration::from_secs(5)), &Cancel::new(), &mut requests, |_| {
                Err(Failure::fatal(NetError::NotFound { url: "u".into() }))
            });
        assert!(matches!(r, Err(NetError::NotFound { .. })));
        assert_eq!(requests, 1);
    }

    #[test]
    fn never_waits_past_the_deadline() {
        let mut requests = 0;
        let start = Instant::now();
        let r: Result<(), _> =
            run(&quick(), "u", &Deadline::after(Duration::from_secs(1)), &Cancel::new(), &mut requests, |_| {
                Err(Failure { retry_after: Some(Duration::from_secs(60)), ..transient() })
            });
        assert!(matches!(r, Err(NetError::Status { status: 503, .. })));
        assert!(start.elapsed() < Duration::from_millis(500));
        assert_eq!(requests, 1);
    }

    #[test]
    fn cancel_interrupts_a_backoff_sleep() {
        let cancel = Cancel::new();
        let c2 = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            c2.cancel();
        });
        let start = Instant::now();
        assert!(matches!(sleep(Duration::from_secs(10), &cancel), Err(NetError::Cancelled)));
        assert!(start.elapsed() < Duration::from_secs(2));
        t.join().unwrap();
    }
}
