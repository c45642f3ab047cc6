//! When to try a request again and how long to wait: exponential backoff with jitter,
//! `Retry-After` honoured (and capped), and a pace of at most N requests per second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How failed requests are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries after the first one.
    pub retries: u32,
    /// The first wait; each retry doubles it.
    pub base: Duration,
    /// The longest backoff.
    pub cap: Duration,
    /// The longest wait a `Retry-After` can ask for.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            retries: 4,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry `n` (1 for the first retry). The API's `Retry-After` wins, capped
    /// at `retry_after_cap`; otherwise `base * 2^(n-1)`, capped at `cap`, of which a random
    /// half is jitter (`unit` in `[0, 1)`), so that concurrent senders do not retry in step.
    pub(crate) fn delay(&self, n: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.retry_after_cap);
        }
        let exp = self
            .base
            .saturating_mul(1u32 << n.saturating_sub(1).min(20))
            .min(self.cap);
        let half = exp / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Whether an HTTP status is worth retrying: 429 (too many requests) and 5xx.
pub fn retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// A `Retry-After` value in seconds (`120`, or `1.5`). An HTTP date is not honoured (`None`:
/// the backoff applies).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

/// Spaces requests out to at most `rate` per second, across threads.
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// `rate` requests per second; `None` (or not a positive number) for no limit.
    pub fn new(rate: Option<f64>) -> Pacer {
        let interval = rate
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        Pacer {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits for the next free slot, or less if `stopped` says yes meanwhile: whether the slot
    /// came.
    pub fn wait_unless(&self, stopped: &dyn Fn() -> bool) -> bool {
        let Some(at) = self.reserve(Instant::now()) else {
            return true;
        };
        loop {
            if stopped() {
                return false;
            }
            let now = Instant::now();
            if at <= now {
                return true;
            }
            std::thread::sleep((at - now).min(Duration::from_millis(50)));
        }
    }

    /// Takes the next free slot for a request that is ready at `now`, and returns when it may
    /// start (`None`: no limit). Kept apart from the waiting so that it is tested without a clock.
    fn reserve(&self, now: Instant) -> Option<Instant> {
        let interval = self.interval?;
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + interval);
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_ends_the_wait_for_a_slot() {
        // One request per minute: the second waits for its slot until the stop.
        let pacer = Pacer::new(Some(1.0 / 60.0));
        assert!(pacer.wait_unless(&|| false));
        let stop = std::sync::atomic::AtomicBool::new(false);
        let started = Instant::now();
        let came = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            pacer.wait_unless(&|| stop.load(std::sync::atomic::Ordering::SeqCst))
        });
        assert!(!came);
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let p = RetryPolicy {
            retries: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(350),
            retry_after_cap: Duration::from_secs(2),
        };
        assert_eq!(p.delay(1, None, 0.0), Duration::from_millis(50));
        assert_eq!(p.delay(1, None, 1.0), Duration::from_millis(100));
        assert_eq!(p.delay(2, None, 0.0), Duration::from_millis(100));
        // 400 ms capped at 350: half of it fixed, half jitter.
        assert_eq!(p.delay(3, None, 0.5), Duration::from_micros(262_500));
        assert!(p.delay(30, None, 1.0) <= Duration::from_millis(350));
        // Retry-After wins, within its cap.
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(1)), 0.3),
            Duration::from_secs(1)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(600)), 0.3),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn retry_after_is_seconds() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after(" 1.5 "),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-3"), None);
        assert_eq!(parse_retry_after("NaN"), None);
    }

    #[test]
    fn what_is_retried() {
        assert!(retryable_status(429));
        assert!(retryable_status(503));
        assert!(!retryable_status(400));
        assert!(!retryable_status(404));
        assert!(!retryable_status(200));
    }

    #[test]
    fn the_pacer_spaces_requests() {
        let ms = Duration::from_millis;
        let p = Pacer::new(Some(100.0));
        let t0 = Instant::now();
        let slots: Vec<Duration> = (0..6).map(|_| p.reserve(t0).unwrap() - t0).collect();
        assert_eq!(slots, [ms(0), ms(10), ms(20), ms(30), ms(40), ms(50)]);
        // A request ready after the last slot starts when it is ready, not in the past.
        let late = t0 + ms(1000);
        assert_eq!(p.reserve(late), Some(late));
        assert_eq!(p.reserve(late), Some(late + ms(10)));
        // No rate, or one that is not a positive number: no limit.
        for rate in [None, Some(0.0), Some(-1.0), Some(f64::NAN)] {
            assert_eq!(Pacer::new(rate).reserve(t0), None, "{rate:?}");
        }
    }
}
