//! Section 2, start-up: spawn → ready line, and spawn → first successful member request, median over repeated
//! spawns (one unmeasured warm-up spawn first, so every variant starts with the binary in the page cache).
//!
//! In most runs the platform channel is not opened, so "ready" ends exactly at the ready line. The `channel`
//! variants do what a Gen B host does after `ready` — open the channel WebSocket — and their "ready" ends when the
//! channel is connected (the moment a Gen B host considers the plugin up). Each process is then SIGKILLed, as
//! Temps stops plugins.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use temps_bundle_devhost::{Caller, RunningPlugin};

use crate::plugin::Launch;
use crate::report::{Row, Target, Unit, millis, ratio};
use crate::stats::median;

/// How long the first member request may keep failing before the run gives up.
const FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One start-up variant: what was started and which request must succeed.
#[derive(Debug, Clone)]
pub struct Variant {
    pub launch: Launch,
    pub members: usize,
    /// A member route, e.g. `/synth-000/ping` (composite) or `/health` (split).
    pub probe: String,
    /// Whether the platform channel is opened after `ready` (the timing to "ready" then ends when it is connected).
    pub channel: bool,
}

/// Medians of one variant, with every sample.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StartupResult {
    pub label: String,
    pub members: usize,
    pub channel: bool,
    pub ready_ms: f64,
    pub first_request_ms: f64,
    pub ready_samples_ms: Vec<f64>,
    pub first_request_samples_ms: Vec<f64>,
}

/// Spawns `variant` `runs` + 1 times (the first unmeasured).
pub async fn measure(variant: &Variant, runs: usize) -> anyhow::Result<StartupResult> {
    let (mut ready, mut first) = (Vec::new(), Vec::new());
    for run in 0..=runs {
        let (to_ready, to_first) = once(variant).await?;
        if run > 0 {
            ready.push(ms(to_ready));
            first.push(ms(to_first));
        }
    }
    Ok(StartupResult {
        label: variant.launch.label.clone(),
        members: variant.members,
        channel: variant.channel,
        ready_ms: median(&ready),
        first_request_ms: median(&first),
        ready_samples_ms: ready,
        first_request_samples_ms: first,
    })
}

/// Rows: spawn → channel connected vs spawn → ready line, for each variant measured both ways.
pub fn channel_rows(with_channel: &[StartupResult], without: &[StartupResult]) -> Vec<Row> {
    let mut rows = Vec::new();
    for connected in with_channel {
        let Some(plain) = without.iter().find(|s| s.label == connected.label) else { continue };
        rows.push(Row::versus(
            "2",
            format!("spawn → platform channel connected vs → ready line: {}", connected.label),
            millis(connected.ready_ms),
            millis(plain.ready_ms),
            ratio(connected.ready_ms, plain.ready_ms),
        ));
    }
    rows
}

/// Rows: the composite vs one split process (their mean), and 10 and 100 synthetic members vs 1.
pub fn rows(composite: &StartupResult, splits: &[StartupResult], synth: &[StartupResult]) -> Vec<Row> {
    let mean = |f: fn(&StartupResult) -> f64| splits.iter().map(f).sum::<f64>() / splits.len().max(1) as f64;
    let split_ready = mean(|s| s.ready_ms);
    let split_first = mean(|s| s.first_request_ms);
    let mut rows = vec![
        Row::versus(
            "2",
            format!("spawn → ready: composite ({} real member(s)) vs one split process", composite.members),
            millis(composite.ready_ms),
            millis(split_ready),
            ratio(composite.ready_ms, split_ready),
        ),
        Row::versus(
            "2",
            "spawn → first member request: composite vs one split process",
            millis(composite.first_request_ms),
            millis(split_first),
            ratio(composite.first_request_ms, split_first),
        ),
    ];
    let Some(one) = synth.iter().find(|s| s.members == 1) else { return rows };
    rows.push(Row::plain(
        "2",
        "spawn → ready / → first member request: 1 synthetic member (baseline)",
        format!("{} / {}", millis(one.ready_ms), millis(one.first_request_ms)),
    ));
    for result in synth.iter().filter(|s| s.members != 1) {
        let what = format!("spawn → ready: {} synthetic members vs 1", result.members);
        let mut row =
            Row::versus("2", what, millis(result.ready_ms), millis(one.ready_ms), ratio(result.ready_ms, one.ready_ms));
        if result.members == 100 {
            row = row.target(Target::AtMost(100.0, Unit::Millis), result.ready_ms);
        }
        rows.push(row);
        rows.push(Row::versus(
            "2",
            format!("spawn → first member request: {} synthetic members vs 1", result.members),
            millis(result.first_request_ms),
            millis(one.first_request_ms),
            ratio(result.first_request_ms, one.first_request_ms),
        ));
    }
    rows
}

/// One spawn: time to the ready line, then to the first 2xx on the probe; SIGKILL.
async fn once(variant: &Variant) -> anyhow::Result<(Duration, Duration)> {
    let started = Instant::now();
    let plugin = RunningPlugin::spawn(variant.launch.options(variant.channel))
        .await
        .with_context(|| format!("starting {}", variant.launch.label))?;
    let to_ready = started.elapsed();
    first_success(&plugin, &variant.probe).await?;
    let to_first = started.elapsed();
    let _ = plugin.kill().await;
    Ok((to_ready, to_first))
}

/// Retries `GET probe` (every millisecond) until it answers 2xx.
async fn first_success(plugin: &RunningPlugin, probe: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let caller = Caller::admin();
    loop {
        let last = match plugin.get(probe, &caller).await {
            Ok(response) if response.status.is_success() => return Ok(()),
            Ok(response) => format!("status {}", response.status),
            Err(error) => error.to_string(),
        };
        if started.elapsed() > FIRST_REQUEST_TIMEOUT {
            bail!("GET {probe} did not succeed within {FIRST_REQUEST_TIMEOUT:?} (last: {last})");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
