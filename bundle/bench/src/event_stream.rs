//! Section 6, events at scale: a stream of deployment events pushed on the platform channel as fast as it takes
//! them, delivered to deploy-pulse and notify, which write them to their real SQLite files (deploy-pulse: the
//! `events` row and the deployment's row; notify: a `deliveries` row per matching target, then sends it to a local
//! webhook receiver). Measured: sustained events/s (first push → last row), event-to-row latency (push → the row
//! is visible to a reader of the file), and the process's memory while the stream arrives; the composite against
//! one split process of each member receiving the same stream, all split processes fed at the same time (so both
//! sides do the same work on the same cores).
//!
//! Rows are found by polling each member's database (read-only, every [`POLL_EVERY`]), so a latency is rounded up
//! to the poll interval at most; both sides are polled the same way.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use serde_json::{Map, Value, json};
use temps_bundle_devhost::{Caller, PluginEvent, RunningPlugin, rfc3339_now};

use crate::bins::MemberInfo;
use crate::plugin::{Launch, pid};
use crate::proc_mem::Memory;
use crate::profile::Profile;
use crate::report::{Row, mib, millis, ratio, thousands};
use crate::stats::percentile;

/// How often each member's database is polled for new rows.
const POLL_EVERY: Duration = Duration::from_millis(2);
/// How often the process's RSS is sampled while the stream arrives.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);
/// How long after the last push the rows may take to appear before the run gives up on the missing ones.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(120);

/// The members this section streams to: each subscribes to `deployment.*` and writes every event to SQLite.
const MEMBERS: [Sink; 2] = [
    Sink {
        member: "deploy-pulse",
        file: "deploy-pulse.sqlite3",
        query: "SELECT id, event_id FROM events WHERE id > ?",
    },
    Sink { member: "notify", file: "notify.sqlite3", query: "SELECT rowid, event_id FROM deliveries WHERE rowid > ?" },
];

/// Where one member's rows land.
#[derive(Debug, Clone, Copy)]
struct Sink {
    member: &'static str,
    file: &'static str,
    /// `(row id, event id)` of the rows after a row id.
    query: &'static str,
}

/// The composite and the split processes, each fed the same stream.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventsResult {
    pub events: usize,
    pub composite: StreamResult,
    pub splits: Vec<StreamResult>,
}

/// One process fed the stream.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StreamResult {
    pub label: String,
    /// Per member: rows seen and latencies.
    pub members: Vec<MemberRows>,
    /// First push → last push.
    pub push_seconds: f64,
    pub idle: Memory,
    /// The highest RSS sampled while the stream arrived and was written.
    pub peak_rss: u64,
    /// Once every row was written.
    pub after: Memory,
}

/// What one member wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MemberRows {
    pub member: String,
    pub rows: usize,
    /// First push → the last row seen.
    pub seconds: f64,
    pub events_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Runs the stream against the composite, then against every member of the bundle in split mode, all those
/// processes running and fed at once (the same work as the composite does, spread over processes); `None` if the
/// bin hosts neither deploy-pulse nor notify.
pub async fn measure(bin: &Path, members: &[MemberInfo], profile: &Profile) -> anyhow::Result<Option<EventsResult>> {
    let sinks: Vec<Sink> = MEMBERS.into_iter().filter(|s| members.iter().any(|m| m.name == s.member)).collect();
    if sinks.is_empty() {
        return Ok(None);
    }
    let receiver = Receiver::start().await?;
    let events = profile.stream_events;
    let composite = prepare(&Launch::composite("composite", bin), &sinks, true, &receiver).await?;
    let mut results = feed(vec![composite], events, profile).await?;
    let Some(composite) = results.pop() else { bail!("the composite's stream produced no result") };
    let mut splits = Vec::new();
    for member in members {
        let own: Vec<Sink> = sinks.iter().copied().filter(|s| s.member == member.name).collect();
        splits.push(prepare(&Launch::split(bin, &member.name), &own, false, &receiver).await?);
    }
    let splits = feed(splits, events, profile).await?;
    Ok(Some(EventsResult { events, composite, splits }))
}

/// A started process, ready to be fed: notify delivers to the receiver, each sink's database is open read-only.
struct Fed {
    label: String,
    plugin: RunningPlugin,
    pools: Vec<(Sink, SqlitePool)>,
}

async fn prepare(launch: &Launch, sinks: &[Sink], composite: bool, receiver: &Receiver) -> anyhow::Result<Fed> {
    // The receiver is on loopback, which the outbound guard refuses unless the operator allows it.
    let options = launch.options(true).env("TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS", "1");
    let plugin = RunningPlugin::spawn(options).await.with_context(|| format!("starting {}", launch.label))?;
    let prefix = |member: &str| if composite { format!("/{member}") } else { String::new() };
    if sinks.iter().any(|s| s.member == "notify") {
        add_target(&plugin, &prefix("notify"), &receiver.url).await?;
    }
    let mut pools = Vec::new();
    for sink in sinks {
        let dir = if composite { plugin.data_dir().join(sink.member) } else { plugin.data_dir().to_owned() };
        pools.push((*sink, open_read_only(&dir.join(sink.file)).await?));
    }
    Ok(Fed { label: launch.label.clone(), plugin, pools })
}

/// Pushes the stream to every process at once (one pusher each, as fast as its channel takes it) and waits for
/// every row; the processes are killed afterwards.
async fn feed(processes: Vec<Fed>, events: usize, profile: &Profile) -> anyhow::Result<Vec<StreamResult>> {
    tokio::time::sleep(profile.settle).await;
    let mut running = Vec::new();
    for fed in processes {
        eprintln!("    events: {} ({events} events)", fed.label);
        let pid = pid(&fed.plugin)?;
        let idle = Memory::of(pid)?;
        running.push((fed, pid, idle));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (fed, pid, idle) in running {
        tasks.push(tokio::spawn(stream(fed, pid, idle, events, started)));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.context("a stream task failed")??);
    }
    Ok(results)
}

/// One process's stream: its pusher, its row pollers and its memory sampler.
async fn stream(fed: Fed, pid: u32, idle: Memory, events: usize, started: Instant) -> anyhow::Result<StreamResult> {
    let Fed { label, plugin, pools } = fed;
    let peak = Arc::new(AtomicU64::new(idle.rss));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn(sample_peak(pid, Arc::clone(&peak), Arc::clone(&done)));
    let sent = Arc::new(std::sync::Mutex::new(HashMap::with_capacity(events)));
    let must_deliver = !pools.is_empty();
    let pollers: Vec<_> = pools
        .into_iter()
        .map(|(sink, pool)| tokio::spawn(poll_rows(sink, pool, Arc::clone(&sent), events, started)))
        .collect();
    for i in 0..events {
        let event = deployment_event(i);
        let id = event.id.clone();
        let pushed = Instant::now();
        if let Ok(mut sent) = sent.lock() {
            sent.insert(id, pushed);
        }
        let delivery = plugin.fire_event(event).await?;
        // A member without a sink may not subscribe at all; it is fed for the load it adds, if any.
        if must_deliver && !delivery.delivered() {
            bail!("event {i} was not delivered to {label}: {delivery:?}");
        }
    }
    let push_seconds = started.elapsed().as_secs_f64();
    let mut members = Vec::new();
    for poller in pollers {
        members.push(poller.await.context("a row poller failed")??);
    }
    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let after = Memory::of(pid)?;
    let _ = plugin.kill().await;
    Ok(StreamResult {
        label,
        members,
        push_seconds,
        idle,
        peak_rss: peak.load(Ordering::Relaxed).max(after.rss),
        after,
    })
}

/// The `i`th event of the stream: a succeeded deployment of its own (so deploy-pulse writes a new deployment row
/// for each), spread over 10 projects.
pub fn deployment_event(i: usize) -> PluginEvent {
    let project_id = (i % 10) as i64 + 1;
    let data = json!({
        "deployment_id": i as i64 + 1,
        "project_id": project_id,
        "environment_id": project_id * 10,
        "environment_name": "production",
        "commit_sha": format!("{:040x}", i),
        "url": format!("https://app-{project_id}.example.com"),
    });
    PluginEvent {
        id: format!("bench-{i:08}"),
        event_type: "deployment.succeeded".to_owned(),
        timestamp: rfc3339_now(),
        project_id: Some(project_id),
        data: match data {
            Value::Object(map) => map,
            _ => Map::new(),
        },
    }
}

/// Polls `sink`'s table until a row for every event was seen (or [`DRAIN_TIMEOUT`] passed without a new row).
async fn poll_rows(
    sink: Sink,
    pool: SqlitePool,
    sent: Arc<std::sync::Mutex<HashMap<String, Instant>>>,
    events: usize,
    started: Instant,
) -> anyhow::Result<MemberRows> {
    let mut last_id = 0_i64;
    let mut latencies_ns = Vec::with_capacity(events);
    let mut last_row = started;
    let mut last_progress = Instant::now();
    while latencies_ns.len() < events && last_progress.elapsed() < DRAIN_TIMEOUT {
        let rows: Vec<(i64, String)> = sea_orm::sqlx::query_as(sink.query)
            .bind(last_id)
            .fetch_all(&pool)
            .await
            .with_context(|| format!("reading {}'s rows", sink.member))?;
        let seen = Instant::now();
        if !rows.is_empty() {
            last_progress = seen;
            last_row = seen;
        }
        {
            let sent = sent.lock().map_err(|_| anyhow::anyhow!("the push log is poisoned"))?;
            for (id, event_id) in rows {
                last_id = last_id.max(id);
                if let Some(pushed) = sent.get(&event_id) {
                    latencies_ns.push(u64::try_from(seen.duration_since(*pushed).as_nanos()).unwrap_or(u64::MAX));
                }
            }
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
    pool.close().await;
    latencies_ns.sort_unstable();
    let seconds = last_row.duration_since(started).as_secs_f64();
    let ms = |p: f64| percentile(&latencies_ns, p).map_or(f64::NAN, |ns| ns as f64 / 1e6);
    Ok(MemberRows {
        member: sink.member.to_owned(),
        rows: latencies_ns.len(),
        seconds,
        events_per_second: if seconds > 0.0 { latencies_ns.len() as f64 / seconds } else { f64::NAN },
        p50_ms: ms(50.0),
        p99_ms: ms(99.0),
    })
}

/// Records the highest RSS of `pid` until `done`.
async fn sample_peak(pid: u32, peak: Arc<AtomicU64>, done: Arc<AtomicBool>) {
    while !done.load(Ordering::Relaxed) {
        if let Ok(memory) = Memory::of(pid) {
            peak.fetch_max(memory.rss, Ordering::Relaxed);
        }
        tokio::time::sleep(SAMPLE_EVERY).await;
    }
}

/// A read-only pool on a member's database (the member keeps writing it).
async fn open_read_only(path: &Path) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening {} read-only", path.display()))
}

/// `POST <prefix>/targets`: a JSON target for every deployment event, pointing at the receiver.
async fn add_target(plugin: &RunningPlugin, prefix: &str, url: &str) -> anyhow::Result<()> {
    let body = json!({ "name": "bench receiver", "url": url, "format": "json", "events": ["deployment.*"] });
    let mut request = http::Request::new(Bytes::from(body.to_string()));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = format!("{prefix}/targets").parse().context("the targets path")?;
    request.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    let answer = plugin.proxy(request, &Caller::admin()).await.context("creating a notify target")?;
    if answer.status != http::StatusCode::CREATED {
        bail!("creating a notify target answered {}: {}", answer.status, answer.text());
    }
    Ok(())
}

/// A local webhook receiver answering every POST with 204, so notify's deliveries succeed.
struct Receiver {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the webhook receiver")?;
        let url = format!("http://{}/hook", listener.local_addr().context("the receiver's address")?);
        let app = axum::Router::new().route("/hook", axum::routing::post(|| async { http::StatusCode::NO_CONTENT }));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { url, task })
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl EventsResult {
    /// Rows: per member, events/s and p99 of the composite vs that member alone; peak RSS vs one split process.
    pub fn rows(&self) -> Vec<Row> {
        let n = thousands(self.events as u64);
        let mut rows = Vec::new();
        for split in &self.splits {
            let (Some(alone), Some(bundled)) =
                (split.members.first(), split.members.first().and_then(|m| self.composite.member(&m.member)))
            else {
                continue;
            };
            let what = |m: &MemberRows| {
                format!(
                    "{} ev/s, p50 {}, p99 {}",
                    thousands(m.events_per_second.round() as u64),
                    millis(m.p50_ms),
                    millis(m.p99_ms)
                )
            };
            rows.push(Row::versus(
                "8",
                format!("{n} events → {} rows: composite vs {} alone (events/s)", alone.member, alone.member),
                format!("{} ({} rows)", what(bundled), thousands(bundled.rows as u64)),
                format!("{} ({} rows)", what(alone), thousands(alone.rows as u64)),
                ratio(bundled.events_per_second, alone.events_per_second),
            ));
            rows.push(Row::versus(
                "8",
                format!("{n} events → {} rows: p99 event-to-row latency, composite vs alone", alone.member),
                millis(bundled.p99_ms),
                millis(alone.p99_ms),
                ratio(bundled.p99_ms, alone.p99_ms),
            ));
        }
        let peaks: Vec<u64> = self.splits.iter().map(|s| s.peak_rss).collect();
        let mean_peak = peaks.iter().sum::<u64>() as f64 / peaks.len().max(1) as f64;
        rows.push(Row::versus(
            "8",
            format!("peak RSS while {n} events arrive: composite vs one split process (mean)"),
            format!("{} (idle {})", mib(self.composite.peak_rss), mib(self.composite.idle.rss)),
            format!("{:.1} MiB", mean_peak / (1024.0 * 1024.0)),
            ratio(self.composite.peak_rss as f64, mean_peak),
        ));
        rows.push(Row::versus(
            "8",
            format!("peak RSS while {n} events arrive: composite vs {} split processes, summed", self.splits.len()),
            mib(self.composite.peak_rss),
            mib(peaks.iter().sum()),
            ratio(self.composite.peak_rss as f64, peaks.iter().sum::<u64>() as f64),
        ));
        rows
    }

    /// Events that never became a row, over every process.
    pub fn missing(&self) -> usize {
        std::iter::once(&self.composite)
            .chain(&self.splits)
            .flat_map(|s| &s.members)
            .map(|m| self.events.saturating_sub(m.rows))
            .sum()
    }
}

impl StreamResult {
    fn member(&self, name: &str) -> Option<&MemberRows> {
        self.members.iter().find(|m| m.member == name)
    }
}
