//! The accept loop's warning about failed `accept`s, at most once per interval: under EMFILE every retry fails
//! (one per backoff, 20 a second), and one line a second with the count of the repeats it stands for says as much.

use std::time::{Duration, Instant};

/// How often a failing `accept` is logged at most.
pub(crate) const ACCEPT_WARNING_INTERVAL: Duration = Duration::from_secs(1);

/// Decides which failed `accept`s are logged.
#[derive(Debug)]
pub(crate) struct AcceptWarnings {
    interval: Duration,
    last: Option<Instant>,
    suppressed: u64,
}

impl AcceptWarnings {
    pub(crate) fn new(interval: Duration) -> Self {
        Self { interval, last: None, suppressed: 0 }
    }

    /// A failed `accept` at `now`: `Some(n)` when it is to be logged, `n` being the failures not logged since the
    /// previous line; `None` when it only counts.
    pub(crate) fn failed(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }

    /// Logs `error` if [`Self::failed`] says so.
    pub(crate) fn warn(&mut self, error: &std::io::Error) {
        if let Some(suppressed) = self.failed(Instant::now()) {
            tracing::warn!(%error, suppressed, "cannot accept a connection; retrying shortly");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_within_the_interval_are_counted_into_the_next_line() {
        let mut warnings = AcceptWarnings::new(Duration::from_secs(1));
        let start = Instant::now();
        assert_eq!(warnings.failed(start), Some(0), "the first failure is logged");
        // 50 ms apart, like the accept backoff: 19 more within the second are only counted.
        for i in 1..20 {
            assert_eq!(warnings.failed(start + Duration::from_millis(50 * i)), None, "failure {i}");
        }
        assert_eq!(warnings.failed(start + Duration::from_secs(1)), Some(19), "a second later, with the count");
        assert_eq!(warnings.failed(start + Duration::from_millis(1_010)), None);
        assert_eq!(warnings.failed(start + Duration::from_secs(5)), Some(1), "the count starts again");
    }
}
