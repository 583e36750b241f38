//! The header deadline without a timer per request. A connection that is not handling a request — waiting for
//! the next request's head, reading a slow (slowloris) head, or sitting idle between keep-alive requests — is
//! closed once it has been so for the header timeout. One sweep per tick over the open connections does it,
//! against a coarse millisecond clock that the sweep itself advances.
//!
//! hyper's own `header_read_timeout` arms a boxed Tokio timer for every request head and cancels it when the
//! head is parsed (an allocation, two timer-wheel locks and a clock reading per request). Here a request costs a
//! relaxed store when it ends and one per socket write, which keeps a connection still writing a response (a large
//! or slow-to-read body) from counting as idle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The sweep's period for a header timeout: a quarter of it, between 10 ms and 1 s, so a connection is closed
/// between the timeout and the timeout plus one period.
pub(crate) fn sweep_period(header_timeout: Duration) -> Duration {
    (header_timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// Milliseconds since the server started, as of the last tick.
pub(crate) struct CoarseClock {
    start: Instant,
    now_ms: AtomicU64,
}

impl Default for CoarseClock {
    fn default() -> Self {
        Self { start: Instant::now(), now_ms: AtomicU64::new(0) }
    }
}

impl CoarseClock {
    /// Advances the clock to the real time (the sweep calls it before each sweep).
    pub(crate) fn tick(&self) -> u64 {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.set(now);
        now
    }

    /// The time as of the last tick.
    pub(crate) fn now(&self) -> u64 {
        self.now_ms.load(Ordering::Relaxed)
    }

    pub(crate) fn set(&self, now_ms: u64) {
        self.now_ms.store(now_ms, Ordering::Relaxed);
    }
}

/// When a connection last showed progress of its own (admitted, a request ended, a response byte written).
#[derive(Default)]
pub(crate) struct LastProgress(AtomicU64);

impl LastProgress {
    pub(crate) fn mark(&self, clock: &CoarseClock) {
        self.0.store(clock.now(), Ordering::Relaxed);
    }

    /// Whether more than `timeout_ms` passed since the last mark, at `now_ms`.
    pub(crate) fn expired(&self, now_ms: u64, timeout_ms: u64) -> bool {
        now_ms.saturating_sub(self.0.load(Ordering::Relaxed)) > timeout_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_is_a_quarter_of_the_timeout_within_bounds() {
        assert_eq!(sweep_period(Duration::from_secs(30)), Duration::from_secs(1));
        assert_eq!(sweep_period(Duration::from_millis(300)), Duration::from_millis(75));
        assert_eq!(sweep_period(Duration::from_millis(1)), Duration::from_millis(10));
    }

    #[test]
    fn progress_expires_only_after_the_timeout() {
        let clock = CoarseClock::default();
        let progress = LastProgress::default();
        clock.set(1_000);
        progress.mark(&clock);
        assert!(!progress.expired(1_300, 300));
        assert!(progress.expired(1_301, 300));
        clock.set(1_200);
        progress.mark(&clock);
        assert!(!progress.expired(1_301, 300));
    }
}
