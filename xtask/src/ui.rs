//! Building the web UIs: the shell and every selected plugin's `web/`, in parallel, each skipped while the hash
//! of its inputs (its sources and config, the kit's sources, the lockfile) is unchanged and its `dist` is built.
//! Vite writes the precompressed `.br`/`.gz` siblings itself (the kit's `precompress` plugin).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, bail};
use temps_bundle_build::PLACEHOLDER_MARKER;

use crate::plugins::{self, Plugin};
use crate::project::Project;
use crate::stamp::{InputHash, Stamp};
use crate::steps::{Steps, seconds};
use crate::{npm, process};

/// Arguments of `cargo xtask ui`.
#[derive(Debug, clap::Args)]
pub struct UiArgs {
    /// Only these plugins' UIs (comma-separated member names); default: every plugin. The shell is always built.
    #[arg(long, value_delimiter = ',')]
    pub plugins: Option<Vec<String>>,
    /// Rebuild even when the inputs are unchanged.
    #[arg(long)]
    pub force: bool,
}

/// One UI to build.
#[derive(Debug, Clone)]
pub struct UiTarget {
    /// `shell`, or the plugin's member name.
    pub key: String,
    /// For messages: `shell` or `plugin hello`.
    pub label: String,
    /// The folder with its `package.json` and `vite.config.ts`.
    pub dir: PathBuf,
}

/// `cargo xtask ui`.
pub fn run(project: &Project, args: &UiArgs) -> anyhow::Result<()> {
    let all = plugins::discover(project)?;
    let selected = plugins::select(&all, args.plugins.as_deref())?;
    let mut steps = Steps::new("ui");
    install_and_build(&mut steps, project, &all, &selected, args.force)?;
    steps.finish();
    Ok(())
}

/// The first two steps of `ui`, `bundle` and `dev`: web dependencies for every plugin, then the shell's and the
/// `selected` plugins' UIs.
pub fn install_and_build(
    steps: &mut Steps,
    project: &Project,
    all: &[Plugin],
    selected: &[Plugin],
    force: bool,
) -> anyhow::Result<()> {
    steps.run("install web dependencies", || npm::install(project, all))?;
    steps.run("build UIs", || build_all(project, &targets(project, selected), force))
}

/// The shell plus every plugin in `plugins` that has a UI.
pub fn targets(project: &Project, plugins: &[Plugin]) -> Vec<UiTarget> {
    let shell = UiTarget { key: "shell".into(), label: "shell".into(), dir: project.shell() };
    let members = plugins.iter().filter_map(|p| {
        let dir = p.web()?;
        Some(UiTarget { key: p.name.clone(), label: format!("plugin {}", p.name), dir })
    });
    std::iter::once(shell).chain(members).collect()
}

/// Builds `targets` on as many threads as there are cores; reports every failure, not only the first.
pub fn build_all(project: &Project, targets: &[UiTarget], force: bool) -> anyhow::Result<()> {
    let queue = Mutex::new(targets.iter().collect::<VecDeque<_>>());
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(targets.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(target) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    if let Err(error) = build_one(project, target, force) {
                        eprintln!("    ui {}: FAILED", target.label);
                        if let Ok(mut failures) = failures.lock() {
                            failures.push(format!("{error:#}"));
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_default();
    if !failures.is_empty() {
        bail!("{} UI build(s) failed:\n{}", failures.len(), failures.join("\n"));
    }
    Ok(())
}

/// Type-checks the kit, the shell and every plugin UI (`tsc --noEmit -p .` in each).
pub fn typecheck_all(project: &Project, plugins: &[Plugin]) -> anyhow::Result<()> {
    let kit = UiTarget { key: "kit".into(), label: "kit".into(), dir: project.kit() };
    for target in std::iter::once(kit).chain(targets(project, plugins)) {
        let started = Instant::now();
        let mut tsc = Command::new(npm::bin(project, "tsc"));
        tsc.args(["--noEmit", "-p", "."]).current_dir(&target.dir);
        process::run_quiet(&mut tsc).with_context(|| format!("type errors in the {} UI", target.label))?;
        eprintln!("    tsc {}: ok in {}", target.label, seconds(started.elapsed()));
    }
    Ok(())
}

fn build_one(project: &Project, target: &UiTarget, force: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let hash = input_hash(project, &target.dir)?;
    let stamp = Stamp::new(&project.stamps(), &format!("ui-{}", target.key));
    let _building = stamp.lock()?;
    let dist = target.dir.join("dist");
    if !force && stamp.matches(&hash) && is_built(&dist) {
        eprintln!("    ui {}: skipped (inputs unchanged)", target.label);
        return Ok(());
    }
    stamp.clear();
    let mut vite = Command::new(npm::bin(project, "vite"));
    vite.args(["build", "--configLoader", "runner"]).current_dir(&target.dir);
    // The output is captured and shown only on failure, in a log or CI page: no colour codes.
    vite.env("NO_COLOR", "1").env("FORCE_COLOR", "0");
    process::run_quiet(&mut vite).with_context(|| format!("building the UI of {}", target.label))?;
    if !is_built(&dist) {
        bail!("building the UI of {}: vite succeeded but {} has no index.html", target.label, dist.display());
    }
    stamp.write(&hash)?;
    let (files, compressed) = count_outputs(&dist)?;
    eprintln!(
        "    ui {}: built in {} ({files} files, {compressed} precompressed)",
        target.label,
        seconds(started.elapsed())
    );
    Ok(())
}

/// The UI's own files (sources, `index.html`, configs, `package.json`, `public/`), the kit and the lockfile.
fn input_hash(project: &Project, dir: &Path) -> anyhow::Result<String> {
    let root = project.root();
    Ok(InputHash::new()
        .tree(root, dir)?
        .tree(root, &project.kit())?
        .file(root, &project.web().join("package-lock.json"))?
        .finish())
}

fn is_built(dist: &Path) -> bool {
    std::fs::read_to_string(dist.join("index.html")).is_ok_and(|html| !html.contains(PLACEHOLDER_MARKER))
}

fn count_outputs(dist: &Path) -> anyhow::Result<(usize, usize)> {
    let files = crate::stamp::files_under(dist)?;
    let compressed = files.iter().filter(|f| f.extension().is_some_and(|e| e == "br" || e == "gz")).count();
    Ok((files.len() - compressed, compressed))
}
