//! How hard to measure: the full run (about 20 minutes on 2 cores, builds excluded) or `--quick` (a smoke run,
//! under a minute).

use std::time::Duration;

/// Repetitions and phase lengths of one run.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Profile {
    pub name: &'static str,
    /// Concurrent keep-alive connections of every load phase.
    pub connections: usize,
    /// Not measured at the start of every load phase.
    pub warmup: Duration,
    /// Measured part of every load phase.
    pub load: Duration,
    /// Upper bound on measured requests per load phase, whatever its duration.
    pub max_requests: u64,
    /// Load phases per variant; variants are interleaved round by round and medians reported.
    pub rounds: usize,
    /// Measured spawns per start-up variant (after one unmeasured warm-up spawn).
    pub startup_runs: usize,
    /// Pause before reading an idle process's memory.
    pub settle: Duration,
    /// Events pushed per process in section 8.
    pub stream_events: usize,
}

impl Profile {
    pub fn new(quick: bool, connections: usize) -> Self {
        match quick {
            true => Self {
                name: "quick",
                connections,
                warmup: Duration::from_millis(200),
                load: Duration::from_secs(1),
                max_requests: 500_000,
                // Even a smoke run interleaves rounds: with one round, drift on a shared machine decides the order.
                rounds: 3,
                startup_runs: 3,
                settle: Duration::from_millis(300),
                stream_events: 2_000,
            },
            false => Self {
                name: "full",
                connections,
                warmup: Duration::from_secs(1),
                // Nine rounds of 4 s rather than five of 5 s: on a shared 2-core machine one load phase moves by
                // 10–30 % (run K's bare server: 107k–141k req/s over its five rounds), so more, shorter phases give
                // a steadier median for the same time.
                load: Duration::from_secs(4),
                max_requests: 2_000_000,
                rounds: 9,
                startup_runs: 15,
                settle: Duration::from_secs(2),
                stream_events: 10_000,
            },
        }
    }
}
