//! Section 1, memory: the composite process hosting every real member against the same members each run in split
//! mode as its own process, right after start (the members' start-up work, first queries and pruning, still
//! running), idle once the start-up period is over (a bundle gives back freed heap memory and the code that stopped
//! running at `ready` and every 30 s after; the mean of readings over one such interval), and after a load phase
//! (the same concurrency and duration as section 3, round robin over each member's `/health` and `/ui/`, routes
//! every member has). The 1.30× target applies to the idle and after-load readings, not to the start-up one.

use std::path::Path;
use std::time::{Duration, Instant};

use http::StatusCode;
use temps_bundle_devhost::RunningPlugin;

use crate::bins::MemberInfo;
use crate::load::{self, LoadResult, LoadSpec};
use crate::plugin::{Launch, pid, proxy_headers};
use crate::proc_mem::Memory;
use crate::profile::Profile;
use crate::report::{Row, Target, Unit, mib, ratio};

/// Memory of the composite and of each split process.
#[derive(Debug, serde::Serialize)]
pub struct MemoryResult {
    /// Right after start, the members' start-up work still running.
    pub composite_started: Memory,
    /// Idle: the mean of the readings over one release interval, once the start-up period is over.
    pub composite_settled: Memory,
    pub composite_loaded: Memory,
    pub composite_load: LoadResult,
    pub splits: Vec<SplitMemory>,
}

/// One member in split mode.
#[derive(Debug, serde::Serialize)]
pub struct SplitMemory {
    pub member: String,
    /// As [`MemoryResult::composite_started`].
    pub started: Memory,
    /// As [`MemoryResult::composite_settled`].
    pub settled: Memory,
    pub loaded: Memory,
    pub load: LoadResult,
}

/// When the idle readings start, from the start of [`measure`] (right after the composite's start): past the
/// bundle's second release of memory, 30 s after `ready`.
const START_UP_OVER: Duration = Duration::from_secs(35);
/// The idle readings span one release interval of the bundle (it gives memory back every 30 s, and whatever runs
/// maps its code back in between), one reading a second, and their mean is what is reported: a single reading
/// would land at some point of that cycle, right after a release or just before the next.
const IDLE_WINDOW: Duration = Duration::from_secs(30);
const IDLE_READINGS: u32 = 30;

/// Measures `composite` (already started) and one split process per member of `bin`, all running at once.
pub async fn measure(
    composite: &RunningPlugin,
    bin: &Path,
    members: &[MemberInfo],
    profile: &Profile,
) -> anyhow::Result<MemoryResult> {
    let started = Instant::now();
    let mut splits = Vec::new();
    for member in members {
        let (plugin, _) = Launch::split(bin, &member.name).start().await?;
        splits.push((member.name.clone(), plugin));
    }
    tokio::time::sleep(profile.settle).await;
    let composite_started = Memory::of(pid(composite)?)?;
    let mut split_started = Vec::new();
    for (_, plugin) in &splits {
        split_started.push(Memory::of(pid(plugin)?)?);
    }
    tokio::time::sleep(START_UP_OVER.saturating_sub(started.elapsed())).await;
    let mut pids = vec![pid(composite)?];
    for (_, plugin) in &splits {
        pids.push(pid(plugin)?);
    }
    let mut readings: Vec<Vec<Memory>> = vec![Vec::new(); pids.len()];
    let mut tick = tokio::time::interval(IDLE_WINDOW / IDLE_READINGS);
    for _ in 0..IDLE_READINGS {
        tick.tick().await;
        for (pid, readings) in pids.iter().zip(&mut readings) {
            readings.push(Memory::of(*pid)?);
        }
    }
    let mut settled = readings.iter().map(|r| Memory::mean(r));
    let composite_settled = settled.next().unwrap_or_default();
    let split_settled: Vec<Memory> = settled.collect();
    let composite_load = load_phase(composite, "temps-bundle", members, true, profile).await?;
    let composite_loaded = after_load(composite).await?;
    let mut results = Vec::new();
    for (((member, plugin), started), settled) in splits.iter().zip(split_started).zip(split_settled) {
        let info = members.iter().filter(|m| &m.name == member).cloned().collect::<Vec<_>>();
        let load = load_phase(plugin, member, &info, false, profile).await?;
        results.push(SplitMemory { member: member.clone(), started, settled, loaded: after_load(plugin).await?, load });
    }
    for (_, plugin) in splits {
        let _ = plugin.kill().await;
    }
    Ok(MemoryResult { composite_started, composite_settled, composite_loaded, composite_load, splits: results })
}

impl MemoryResult {
    /// Failed requests and unexpected statuses over every load phase.
    pub fn errors(&self) -> u64 {
        self.composite_load.errors + self.splits.iter().map(|s| s.load.errors).sum::<u64>()
    }

    /// Composite vs the sum of the splits and vs one split process (their mean), idle and after load.
    pub fn rows(&self) -> Vec<Row> {
        let n = self.splits.len();
        let started: Vec<Memory> = self.splits.iter().map(|s| s.started).collect();
        let settled: Vec<Memory> = self.splits.iter().map(|s| s.settled).collect();
        let loaded: Vec<Memory> = self.splits.iter().map(|s| s.loaded).collect();
        let settled_when = format!(
            "idle (mean of {IDLE_READINGS} readings over {} s from {} s after start)",
            IDLE_WINDOW.as_secs(),
            START_UP_OVER.as_secs()
        );
        let mut rows = Vec::new();
        for (when, composite, splits, targeted) in [
            ("right after start (start-up work running)", self.composite_started, started, false),
            (settled_when.as_str(), self.composite_settled, settled, true),
            ("after load", self.composite_loaded, loaded, true),
        ] {
            let (sum, one) = (Memory::sum(&splits), Memory::mean(&splits));
            let vs_one = ratio(composite.rss as f64, one.rss as f64);
            let row = Row::versus(
                "1",
                format!("RSS {when}: composite ({n} real member(s)) vs one split process"),
                shown(composite),
                shown(one),
                vs_one,
            );
            rows.push(if targeted { row.target(Target::AtMost(1.3, Unit::Times), vs_one) } else { row });
            rows.push(Row::plain(
                "1",
                format!("RSS {when}: composite − one split process (what the other {} member(s) add)", n - 1),
                format!(
                    "{} (anon {}, file {})",
                    mib(composite.rss.saturating_sub(one.rss)),
                    mib(composite.anon.saturating_sub(one.anon)),
                    mib(composite.file.saturating_sub(one.file))
                ),
            ));
            rows.push(Row::versus(
                "1",
                format!("RSS {when}, anonymous / file-backed part: composite vs one split process"),
                format!("{} / {}", mib(composite.anon), mib(composite.file)),
                format!("{} / {}", mib(one.anon), mib(one.file)),
                ratio(composite.anon as f64, one.anon as f64),
            ));
            rows.push(Row::versus(
                "1",
                format!("RSS {when}: composite vs {n} split process(es), summed"),
                shown(composite),
                shown(sum),
                ratio(composite.rss as f64, sum.rss as f64),
            ));
        }
        rows
    }
}

/// `12.3 MiB (PSS 10.1 MiB)`.
pub fn shown(memory: Memory) -> String {
    match memory.pss {
        Some(pss) => format!("{} (PSS {})", mib(memory.rss), mib(pss)),
        None => mib(memory.rss),
    }
}

/// One load phase over every member's `/health` and `/ui/` (prefixed with `/<member>` in composite mode).
async fn load_phase(
    plugin: &RunningPlugin,
    installed_name: &str,
    members: &[MemberInfo],
    composite: bool,
    profile: &Profile,
) -> anyhow::Result<LoadResult> {
    let mut paths = Vec::new();
    for member in members {
        let prefix = if composite { format!("/{}", member.name) } else { String::new() };
        paths.push(format!("{prefix}/health"));
        if member.has_ui {
            paths.push(format!("{prefix}/ui/"));
        }
    }
    let headers = proxy_headers(installed_name, plugin.secret())?;
    Ok(load::run(&LoadSpec::new(plugin.socket_path(), paths, headers, StatusCode::OK, profile)).await)
}

/// Memory right after a load phase, once its connections are closed.
async fn after_load(plugin: &RunningPlugin) -> anyhow::Result<Memory> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    Memory::of(pid(plugin)?)
}
