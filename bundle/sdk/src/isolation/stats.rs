//! The figures behind the shell's per-member charts: request and error counts and a latency histogram per member,
//! sampled every [`SAMPLE_INTERVAL`] into a short ring, so the JSON view can say "requests/min, error rate, p99
//! over the last minute" and draw the last few minutes. Prometheus gets the same numbers from [`super::metrics`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::metrics::LATENCY_BUCKETS;

/// How often the sampler snapshots every member.
pub(crate) const SAMPLE_INTERVAL: Duration = Duration::from_secs(5);
/// Samples kept (five minutes at the default interval, plus the one they are measured from).
pub(crate) const SAMPLES_KEPT: usize = 61;
/// Stalls remembered per member for the shell.
pub(crate) const RECENT_STALLS: usize = 10;

const BUCKETS: usize = LATENCY_BUCKETS.len() + 1;

/// A member's running totals.
#[derive(Debug, Default)]
pub(crate) struct MemberStats {
    requests: AtomicU64,
    errors: AtomicU64,
    buckets: [AtomicU64; BUCKETS],
    samples: Mutex<VecDeque<Sample>>,
    stalls: Mutex<VecDeque<Stall>>,
}

/// The totals at one moment.
#[derive(Debug, Clone)]
struct Sample {
    at: Instant,
    unix_ms: u64,
    requests: u64,
    errors: u64,
    buckets: [u64; BUCKETS],
}

/// One stall the watchdog saw, as the shell lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stall {
    pub at_unix_ms: u64,
    /// `route`, `event` or `task`.
    pub kind: &'static str,
    /// The route template, event type or task name.
    pub name: String,
    /// How long the poll had run when it was reported (at least the threshold).
    pub stalled_ms: u64,
    /// The runtime worker thread it held.
    pub thread: String,
}

/// Figures over a window, for the JSON view.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Window {
    pub unix_ms: u64,
    pub seconds: f64,
    pub requests: u64,
    pub errors: u64,
    /// 99th percentile latency in milliseconds: the upper bound of the histogram bucket it falls in.
    pub p99_ms: Option<f64>,
}

impl MemberStats {
    /// Records one answered request (5xx count as errors).
    pub(crate) fn record(&self, status: u16, seconds: f64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if status >= 500 {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let bucket = LATENCY_BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(LATENCY_BUCKETS.len());
        if let Some(counter) = self.buckets.get(bucket) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(crate) fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    pub(crate) fn record_stall(&self, stall: Stall) {
        let mut stalls = self.stalls.lock().unwrap_or_else(PoisonError::into_inner);
        if stalls.len() == RECENT_STALLS {
            stalls.pop_front();
        }
        stalls.push_back(stall);
    }

    /// The most recent stalls, newest last.
    pub(crate) fn recent_stalls(&self) -> Vec<Stall> {
        self.stalls.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }

    fn now(&self) -> Sample {
        Sample {
            at: Instant::now(),
            unix_ms: unix_ms(),
            requests: self.requests(),
            errors: self.errors(),
            buckets: std::array::from_fn(|i| self.buckets.get(i).map_or(0, |b| b.load(Ordering::Relaxed))),
        }
    }

    /// Takes a sample (the sampler calls this every [`SAMPLE_INTERVAL`]).
    pub(crate) fn sample(&self) {
        let sample = self.now();
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        if samples.len() == SAMPLES_KEPT {
            samples.pop_front();
        }
        samples.push_back(sample);
    }

    /// From the sample closest to `window` ago (or the oldest one) to now.
    pub(crate) fn last(&self, window: Duration) -> Window {
        let now = self.now();
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let since = samples.iter().find(|s| now.at.duration_since(s.at) <= window).or(samples.back());
        match since {
            Some(since) => between(since, &now),
            None => between(&Sample { requests: 0, errors: 0, buckets: [0; BUCKETS], ..now.clone() }, &now),
        }
    }

    /// One window per sampling interval, oldest first.
    pub(crate) fn series(&self) -> Vec<Window> {
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        samples.iter().zip(samples.iter().skip(1)).map(|(a, b)| between(a, b)).collect()
    }
}

fn between(from: &Sample, to: &Sample) -> Window {
    let deltas: [u64; BUCKETS] = std::array::from_fn(|i| {
        let (a, b) = (from.buckets.get(i).copied().unwrap_or(0), to.buckets.get(i).copied().unwrap_or(0));
        b.saturating_sub(a)
    });
    Window {
        unix_ms: to.unix_ms,
        seconds: to.at.duration_since(from.at).as_secs_f64(),
        requests: to.requests.saturating_sub(from.requests),
        errors: to.errors.saturating_sub(from.errors),
        p99_ms: p99_ms(&deltas),
    }
}

/// The 99th percentile's bucket bound, in ms; above the last bound it is reported as that bound.
fn p99_ms(buckets: &[u64; BUCKETS]) -> Option<f64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = total.saturating_mul(99).div_ceil(100);
    let mut seen = 0;
    for (i, count) in buckets.iter().enumerate() {
        seen += count;
        if seen >= rank {
            let bound = LATENCY_BUCKETS.get(i).or(LATENCY_BUCKETS.last()).copied().unwrap_or(0.0);
            return Some(bound * 1000.0);
        }
    }
    None
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Samples every member's figures until the process ends.
pub(crate) fn spawn_sampler(members: Vec<Arc<super::MemberIsolation>>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SAMPLE_INTERVAL);
        loop {
            tick.tick().await;
            for member in &members {
                member.metrics.stats.sample();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p99_is_the_bucket_of_the_99th_percentile() {
        let stats = MemberStats::default();
        for _ in 0..98 {
            stats.record(200, 0.0004);
        }
        stats.record(500, 0.2);
        stats.record(200, 0.2);
        let window = stats.last(Duration::from_secs(60));
        assert_eq!((window.requests, window.errors), (100, 1));
        assert_eq!(window.p99_ms, Some(250.0));
        stats.sample();
        stats.record(200, 0.003);
        assert_eq!(stats.last(Duration::from_secs(60)).p99_ms, Some(5.0), "measured from the sample");
    }
}
