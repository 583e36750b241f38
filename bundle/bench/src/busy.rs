//! Section 3b, request cost while events flow: the composite with its real members and the platform channel open,
//! loaded like section 1 (round robin over each member's `/health` and `/ui/`), once with no events and once while
//! deployment events are pushed on the channel at a steady [`EVENTS_PER_SECOND`] (deploy-pulse and notify write
//! each one to SQLite). Rounds alternate; medians are reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use http::StatusCode;
use temps_bundle_devhost::RunningPlugin;

use crate::bins::MemberInfo;
use crate::event_stream::deployment_event;
use crate::load::{self, LoadResult, LoadSpec};
use crate::plugin::{Launch, host_headers};
use crate::profile::Profile;
use crate::report::{Row, micros, per_second, ratio};
use crate::stats::median;

/// The steady event rate while the "events flow" rounds run.
pub const EVENTS_PER_SECOND: u64 = 200;

/// Both halves, medians over rounds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BusyResult {
    pub events_per_second: u64,
    pub quiet: Vec<LoadResult>,
    pub busy: Vec<LoadResult>,
    /// Events pushed during the busy rounds.
    pub events_pushed: u64,
}

/// Starts the composite (channel open) and runs the alternating rounds.
pub async fn measure(bin: &std::path::Path, members: &[MemberInfo], profile: &Profile) -> anyhow::Result<BusyResult> {
    let launch = Launch::composite("composite", bin);
    let plugin = RunningPlugin::spawn(launch.options(true)).await.context("starting the composite")?;
    let plugin = Arc::new(plugin);
    let mut paths = Vec::new();
    for member in members {
        paths.push(format!("/{}/health", member.name));
        if member.has_ui {
            paths.push(format!("/{}/ui/", member.name));
        }
    }
    let spec = LoadSpec::new(plugin.socket_path(), paths, host_headers(&plugin)?, StatusCode::OK, profile);
    let (mut quiet, mut busy) = (Vec::new(), Vec::new());
    let pushed = Arc::new(AtomicU64::new(0));
    for round in 0..profile.rounds {
        eprintln!("    load: composite without / with events (round {}/{})", round + 1, profile.rounds);
        quiet.push(load::run(&spec).await);
        let stop = Arc::new(AtomicBool::new(false));
        let pusher = tokio::spawn(push_steadily(Arc::clone(&plugin), Arc::clone(&stop), Arc::clone(&pushed)));
        busy.push(load::run(&spec).await);
        stop.store(true, Ordering::Relaxed);
        let _ = pusher.await;
    }
    if let Ok(plugin) = Arc::try_unwrap(plugin) {
        let _ = plugin.kill().await;
    }
    Ok(BusyResult { events_per_second: EVENTS_PER_SECOND, quiet, busy, events_pushed: pushed.load(Ordering::Relaxed) })
}

/// Pushes events at [`EVENTS_PER_SECOND`] until `stop`; numbering continues across rounds so no id repeats.
async fn push_steadily(plugin: Arc<RunningPlugin>, stop: Arc<AtomicBool>, pushed: Arc<AtomicU64>) {
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / EVENTS_PER_SECOND));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        // Ids after the stream of section 8 would collide only within one process; this one is its own.
        let n = pushed.fetch_add(1, Ordering::Relaxed);
        let _ = plugin.fire_event(deployment_event(usize::try_from(n).unwrap_or(usize::MAX))).await;
    }
}

impl BusyResult {
    pub fn errors(&self) -> u64 {
        self.quiet.iter().chain(&self.busy).map(|r| r.errors).sum()
    }

    pub fn rows(&self) -> Vec<Row> {
        let of = |rounds: &[LoadResult], f: fn(&LoadResult) -> f64| median(&rounds.iter().map(f).collect::<Vec<_>>());
        let text = |rounds: &[LoadResult]| {
            format!("{}, p99 {}", per_second(of(rounds, |r| r.requests_per_second)), micros(of(rounds, |r| r.p99_us)))
        };
        vec![
            Row::versus(
                "3",
                format!(
                    "composite (real members, channel open): throughput while {} events/s arrive vs none",
                    self.events_per_second
                ),
                text(&self.busy),
                text(&self.quiet),
                ratio(of(&self.busy, |r| r.requests_per_second), of(&self.quiet, |r| r.requests_per_second)),
            ),
            Row::versus(
                "3",
                "composite, channel open: p99 latency while events arrive vs none",
                micros(of(&self.busy, |r| r.p99_us)),
                micros(of(&self.quiet, |r| r.p99_us)),
                ratio(of(&self.busy, |r| r.p99_us), of(&self.quiet, |r| r.p99_us)),
            ),
        ]
    }
}
