//! The figures behind the shell's per-member charts: request and error counts and a latency histogram per member,
//! sampled every [`SAMPLE_INTERVAL`] into a short ring, so the JSON view can say "requests/min, error rate, p99
//! over the last minute" and draw the last few minutes. The counts are the member's route metrics summed
//! ([`super::metrics::MemberMetrics::totals`]): a request is counted once, by its route, not again here.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::histogram::BUCKETS;
use super::metrics::LATENCY_BUCKETS;

/// How often the sampler snapshots every member.
pub(crate) const SAMPLE_INTERVAL: Duration = Duration::from_secs(5);
/// Samples kept (five minutes at the default interval, plus the one they are measured from).
pub(crate) const SAMPLES_KEPT: usize = 61;
/// Stalls remembered per member for the shell.
pub(crate) const RECENT_STALLS: usize = 10;

/// A member's samples of its totals, and its recent stalls.
#[derive(Debug, Default)]
pub(crate) struct MemberStats {
    samples: Mutex<VecDeque<Sample>>,
    stalls: Mutex<VecDeque<Stall>>,
}

/// A member's request totals since start: answered requests, those with a 5xx status, and the latency histogram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub requests: u64,
    pub errors: u64,
    pub buckets: [u64; BUCKETS],
}

impl Totals {
    /// Adds another route's totals.
    pub(crate) fn add(&mut self, other: &Totals) {
        self.requests += other.requests;
        self.errors += other.errors;
        for (total, count) in self.buckets.iter_mut().zip(other.buckets) {
            *total += count;
        }
    }
}

/// The totals at one moment.
#[derive(Debug, Clone)]
struct Sample {
    at: Instant,
    unix_ms: u64,
    totals: Totals,
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

    /// Keeps `totals` as the sample of now (the sampler calls this every [`SAMPLE_INTERVAL`]).
    pub(crate) fn sample(&self, totals: Totals) {
        let sample = Sample::now(totals);
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        if samples.len() == SAMPLES_KEPT {
            samples.pop_front();
        }
        samples.push_back(sample);
    }

    /// From the sample closest to `window` ago (or the oldest one) to now, when the totals are `totals`.
    pub(crate) fn last(&self, window: Duration, totals: Totals) -> Window {
        let now = Sample::now(totals);
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let since = samples.iter().find(|s| now.at.duration_since(s.at) <= window).or(samples.back());
        match since {
            Some(since) => between(since, &now),
            None => between(&Sample { totals: Totals::default(), ..now.clone() }, &now),
        }
    }

    /// One window per sampling interval, oldest first.
    pub(crate) fn series(&self) -> Vec<Window> {
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        samples.iter().zip(samples.iter().skip(1)).map(|(a, b)| between(a, b)).collect()
    }
}

impl Sample {
    fn now(totals: Totals) -> Self {
        Self { at: Instant::now(), unix_ms: unix_ms(), totals }
    }
}

fn between(from: &Sample, to: &Sample) -> Window {
    let (a, b) = (&from.totals, &to.totals);
    let deltas: [u64; BUCKETS] = std::array::from_fn(|i| {
        let (a, b) = (a.buckets.get(i).copied().unwrap_or(0), b.buckets.get(i).copied().unwrap_or(0));
        b.saturating_sub(a)
    });
    Window {
        unix_ms: to.unix_ms,
        seconds: to.at.duration_since(from.at).as_secs_f64(),
        requests: b.requests.saturating_sub(a.requests),
        errors: b.errors.saturating_sub(a.errors),
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
                member.metrics.stats.sample(member.metrics.totals());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Totals after `latencies` (seconds, status) were answered on top of `base`.
    fn answered(base: Totals, latencies: &[(f64, u16)]) -> Totals {
        let mut totals = base;
        for (seconds, status) in latencies {
            totals.requests += 1;
            totals.errors += u64::from(*status >= 500);
            totals.buckets[super::super::histogram::bucket_of(*seconds)] += 1;
        }
        totals
    }

    #[test]
    fn p99_is_the_bucket_of_the_99th_percentile() {
        let stats = MemberStats::default();
        let mut latencies = vec![(0.0004, 200); 98];
        latencies.extend([(0.2, 500), (0.2, 200)]);
        let totals = answered(Totals::default(), &latencies);
        let window = stats.last(Duration::from_secs(60), totals);
        assert_eq!((window.requests, window.errors), (100, 1));
        assert_eq!(window.p99_ms, Some(250.0));
        stats.sample(totals);
        let later = answered(totals, &[(0.003, 200)]);
        let window = stats.last(Duration::from_secs(60), later);
        assert_eq!((window.requests, window.p99_ms), (1, Some(5.0)), "measured from the sample");
    }
}
