//! Section 6, the GitHub-source launcher: what running the bundle under the Bun launcher costs against running the
//! same binary directly — spawn → ready on a fresh data dir (the launcher extracts the binary) and on a restart
//! (it reuses and re-checks `.bin/<sha256>`), resident memory of launcher + bundle vs the bare bundle, and the size
//! of the compiled `plugin` vs the binary. The launcher is built by the dev host exactly as the newest Temps host
//! builds it, with the web workspace's Bun (`@oven/bun-linux-x64-baseline`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use temps_bundle_devhost::{GithubInstall, RunningPlugin, SpawnOptions, install_github};
use temps_bundle_release::{LauncherSpec, Platform, write_launcher};

use crate::proc_mem::Memory;
use crate::report::{Row, mib, millis, ratio};
use crate::stats::median;

/// How long to let a started process settle before reading its memory.
const SETTLE: Duration = Duration::from_millis(300);

/// The figures of one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LauncherResult {
    pub bare_ready_ms: f64,
    pub first_start_ready_ms: f64,
    pub restart_ready_ms: f64,
    pub bare_memory: Memory,
    pub launcher_memory: Memory,
    pub bundle_under_launcher_memory: Memory,
    pub binary_bytes: u64,
    pub plugin_bytes: u64,
    pub bun_version: String,
    pub target: String,
}

/// The web workspace's Bun, if `npm ci` installed it.
pub fn workspace_bun() -> Option<PathBuf> {
    let bun = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/node_modules/@oven/bun-linux-x64-baseline/bin/bun");
    bun.is_file().then_some(bun)
}

/// `temps-bundle-bench launcher BINARY`: this section alone, printed as table rows on stdout.
pub fn main(binary: &Path, runs: usize) -> anyhow::Result<()> {
    let bun = workspace_bun().context("no Bun: run `npm ci` in web/ (it installs @oven/bun-linux-x64-baseline)")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("building the runtime")?;
    let result = runtime.block_on(measure(binary, &bun, runs))?;
    let mut out = String::from("| # | measurement | value | baseline | ratio |\n|---|---|---|---|---|\n");
    for row in result.rows() {
        out += &format!("| {} | {} | {} | {} | {} |\n", row.section, row.what, row.value, row.baseline, row.ratio);
    }
    use std::io::Write;
    std::io::stdout().lock().write_all(out.as_bytes()).context("writing to stdout")
}

/// Builds the launcher for `binary` and measures `runs` starts of each kind (medians; one warm-up each).
pub async fn measure(binary: &Path, bun: &Path, runs: usize) -> anyhow::Result<LauncherResult> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let manifest = std::process::Command::new(binary).arg("manifest").output().context("running `manifest`")?;
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.stdout).context("`manifest` printed no JSON")?;
    let (name, version) =
        (manifest["name"].as_str().unwrap_or_default(), manifest["version"].as_str().unwrap_or_default());
    let platform = Platform::current().context("this machine is no platform Temps builds for")?;
    let spec = LauncherSpec { name, version, binaries: vec![(platform, binary)], env: Vec::new() };
    let folder = write_launcher(&spec, &dir.path().join("github"))?.folder;
    let build = install_github(&folder, &GithubInstall::new(bun, dir.path().join("build"))).await?;

    let bare = |work: &Path| {
        SpawnOptions::new(binary, temps_bundle_devhost::Generation::B).plugin_name(name).clear_env(true).work_dir(work)
    };
    let launched = |work: &Path| build.spawn_options().work_dir(work);
    let mut samples = [Vec::new(), Vec::new(), Vec::new()];
    for run in 0..=runs {
        let work = dir.path().join(format!("run-{run}"));
        let bare_ms = time_to_ready(bare(&work.join("bare"))).await?;
        let first_ms = time_to_ready(launched(&work.join("launcher"))).await?;
        let restart_ms = time_to_ready(launched(&work.join("launcher"))).await?;
        if run > 0 {
            for (list, value) in samples.iter_mut().zip([bare_ms, first_ms, restart_ms]) {
                list.push(value);
            }
        }
    }
    let bare_memory = settled_memory(bare(&dir.path().join("mem-bare"))).await?;
    let launcher = settled(launched(&dir.path().join("mem-launcher"))).await?;
    let launcher_memory = Memory::of(crate::plugin::pid(&launcher)?)?;
    let child = child_of(crate::plugin::pid(&launcher)?).context("the launcher has no child")?;
    let bundle_under_launcher_memory = Memory::of(child)?;
    let _ = launcher.kill().await;
    Ok(LauncherResult {
        bare_ready_ms: median(&samples[0]),
        first_start_ready_ms: median(&samples[1]),
        restart_ready_ms: median(&samples[2]),
        bare_memory,
        launcher_memory,
        bundle_under_launcher_memory,
        binary_bytes: std::fs::metadata(binary)?.len(),
        plugin_bytes: build.size,
        bun_version: build.bun_version,
        target: build.target,
    })
}

impl LauncherResult {
    pub fn rows(&self) -> Vec<Row> {
        let both = Memory::sum(&[self.launcher_memory, self.bundle_under_launcher_memory]);
        vec![
            Row::versus(
                "6",
                "spawn → ready under the launcher, fresh data dir (extracts the binary) vs the bare binary",
                millis(self.first_start_ready_ms),
                millis(self.bare_ready_ms),
                ratio(self.first_start_ready_ms, self.bare_ready_ms),
            ),
            Row::versus(
                "6",
                "spawn → ready under the launcher, restart (reuses and re-checks .bin/<sha256>) vs the bare binary",
                millis(self.restart_ready_ms),
                millis(self.bare_ready_ms),
                ratio(self.restart_ready_ms, self.bare_ready_ms),
            ),
            Row::versus(
                "6",
                format!(
                    "RSS idle: launcher ({}) + bundle ({}) vs the bare bundle",
                    crate::memory::shown(self.launcher_memory),
                    crate::memory::shown(self.bundle_under_launcher_memory)
                ),
                crate::memory::shown(both),
                crate::memory::shown(self.bare_memory),
                ratio(both.rss as f64, self.bare_memory.rss as f64),
            ),
            Row::versus(
                "6",
                format!("compiled plugin (bun {} --target={}) vs the bundle binary", self.bun_version, self.target),
                mib(self.plugin_bytes),
                mib(self.binary_bytes),
                ratio(self.plugin_bytes as f64, self.binary_bytes as f64),
            ),
        ]
    }
}

/// Spawn → ready (no channel, so "ready" ends at the ready line), then SIGKILL as Temps stops plugins.
async fn time_to_ready(options: SpawnOptions) -> anyhow::Result<f64> {
    let started = Instant::now();
    let plugin = RunningPlugin::spawn(options.connect_channel(false)).await?;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let _ = plugin.kill().await;
    Ok(elapsed)
}

/// A started plugin (channel open, like in production), after it settled.
async fn settled(options: SpawnOptions) -> anyhow::Result<RunningPlugin> {
    let plugin = RunningPlugin::spawn(options).await?;
    tokio::time::sleep(SETTLE).await;
    Ok(plugin)
}

async fn settled_memory(options: SpawnOptions) -> anyhow::Result<Memory> {
    let plugin = settled(options).await?;
    let memory = Memory::of(crate::plugin::pid(&plugin)?)?;
    let _ = plugin.kill().await;
    Ok(memory)
}

/// The one child of `pid` (the bundle under the launcher), from `/proc/*/stat`.
fn child_of(pid: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        let (_, rest) = stat.rsplit_once(')')?;
        let parent: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (parent == pid).then(|| entry.file_name().to_str()?.parse().ok()).flatten()
    })
}
