//! `cargo xtask bench`: builds what the benchmark measures — the UIs (when they can be built), the composite
//! release binary with every plugin, one release build per synthetic member count (1, 10, 100, 300), with
//! `--attribution` the composite with its first 1, 2, … plugins by name (the memory attribution), with
//! `--standalone` each plugin alone, and the harness — then runs the harness (`bundle/bench`), which prints the
//! table and writes `target/bench/bench.{md,json}`.
//!
//! Every variant is a bundle file assembled here and built through `temps-bundle-file` (its own generated crate
//! and binary, so builds never overwrite each other); the synthetic members come from one generated crate per
//! count (`target/bench/synth/synth-<n>/`) registering `Synth<0>` … `Synth<n-1>` of `bundle/bench-members`. The
//! binaries are copied into `target/bench/bin/` under the names the harness expects (`bundle/bench/src/bins.rs`).
//! Nothing here is part of a release artifact.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use temps_bundle_file::{BundleFile, Limits, Member, Source};

use crate::project::Project;
use crate::steps::Steps;
use crate::{dev, plugins, process, ui};

/// Arguments of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// A smoke run: three interleaved rounds of ~1 s load phases and 3 start-ups per variant.
    #[arg(long)]
    pub quick: bool,
    /// Also build each plugin alone to compare binary sizes.
    #[arg(long)]
    pub standalone: bool,
    /// Also build the composite with its first 1, 2, … plugins (by name), for the memory attribution's
    /// members-joining series (one release build per count).
    #[arg(long)]
    pub attribution: bool,
}

/// The synthetic member counts (kept in step with `bundle/bench/src/bins.rs`).
const SYNTH_COUNTS: [usize; 4] = [1, 10, 100, 300];

/// `cargo xtask bench`.
pub fn run(project: &Project, args: &BenchArgs) -> anyhow::Result<()> {
    let bin_dir = project.target().join("bench").join("bin");
    let mut steps = Steps::new("bench");
    // A UI that cannot be built (no npm, no network) only costs section 4 of the report, never the whole run.
    let ui_args = ui::UiArgs { plugins: None, force: false };
    if let Err(error) = steps.run("build UIs", || ui::run(project, &ui_args)) {
        eprintln!("warning: {error:#}; the report says \"UI not built\" where no built UI exists");
    }
    steps.run("prepare target/bench/bin", || fresh_dir(&bin_dir))?;
    let mut composite = dev::dev_bundle(project, None)?;
    composite.stem = "bench-all".to_owned();
    // The synthetic builds first: they are small, and what a profile of the request path (`soak`) needs.
    for n in SYNTH_COUNTS {
        let file = synth_bundle(project, &composite, n)?;
        let copy = bin_dir.join(format!("temps-bundle-synth-{n}"));
        steps.run(&format!("build {n} synthetic member(s)"), || build_variant(project, &file, &copy))?;
    }
    steps.run("build the composite (every plugin)", || {
        build_variant(project, &composite, &bin_dir.join("temps-bundle"))
    })?;
    // The memory attribution's series: the composite's first k members (by name), k = 1 … all - 1 (all = the
    // composite itself).
    if args.attribution {
        for k in 1..composite.members.len() {
            let first = first_members(&composite, k);
            let copy = bin_dir.join(format!("temps-bundle-first-{k}"));
            steps.run(&format!("build the first {k} plugin(s)"), || build_variant(project, &first, &copy))?;
        }
    }
    if args.standalone {
        for plugin in plugins::discover(project)? {
            let mut alone = composite.clone();
            alone.stem = format!("bench-only-{}", plugin.name);
            alone.members.retain(|name, _| *name == plugin.name);
            let copy = bin_dir.join(format!("temps-bundle-only-{}", plugin.name));
            steps.run(&format!("build {} alone", plugin.name), || build_variant(project, &alone, &copy))?;
        }
    }
    let harness = steps.run("build the harness", || build_harness(project))?;
    steps.run("run the harness", || run_harness(project, args, &harness, &bin_dir))?;
    steps.finish();
    Ok(())
}

/// A release build of `file`, copied to `copy`.
fn build_variant(project: &Project, file: &BundleFile, copy: &Path) -> anyhow::Result<()> {
    let built = temps_bundle_file::build_with_workspace_lock(&project.workspace(), file, true)?;
    std::fs::copy(&built, copy).with_context(|| format!("copying {} to {}", built.display(), copy.display()))?;
    Ok(())
}

/// `composite` keeping its first `k` members (by name: the members are a sorted map).
fn first_members(composite: &BundleFile, k: usize) -> BundleFile {
    let mut first = composite.clone();
    first.stem = format!("bench-first-{k}");
    first.members = composite.members.iter().take(k).map(|(name, member)| (name.clone(), member.clone())).collect();
    first
}

/// The bundle of `n` synthetic members: a generated crate registering them, named once per member.
fn synth_bundle(project: &Project, base: &BundleFile, n: usize) -> anyhow::Result<BundleFile> {
    let dir = project.target().join("bench/synth").join(format!("synth-{n}"));
    write_synth_crate(project, &dir, n)?;
    let member = Member { source: Source::Path(dir), package: None, limits: Limits::default() };
    let members: BTreeMap<String, Member> = (0..n).map(|i| (format!("synth-{i:03}"), member.clone())).collect();
    Ok(BundleFile { stem: format!("bench-synth-{n}"), members, ..base.clone() })
}

/// `Cargo.toml` and `src/lib.rs` registering `Synth<0>` … `Synth<n-1>` (rewritten only when they change).
fn write_synth_crate(project: &Project, dir: &Path, n: usize) -> anyhow::Result<()> {
    // Relative to the crate when it lies inside the checkout: the generated bundle crate then reaches it (and the
    // SDK it names) through its `checkout` link, the way it reaches every other member, so Cargo sees one SDK.
    let root = match dir.strip_prefix(project.root()) {
        Ok(inside) => inside.components().map(|_| "..").collect::<Vec<_>>().join("/"),
        Err(_) => project.root().display().to_string(),
    };
    let manifest = format!(
        "# Generated by `cargo xtask bench`.\n[package]\nname = \"temps-bundle-bench-synth-{n}\"\nversion = \"0.0.1\"\n\
         edition = \"2024\"\npublish = false\n\n[dependencies]\ntemps-bundle-sdk = {{ path = \"{root}/bundle/sdk\" }}\n\
         temps-bundle-bench-members = {{ path = \"{root}/bundle/bench-members\" }}\n"
    );
    let mut lib = format!("//! Generated by `cargo xtask bench`: {n} synthetic member(s).\n\n");
    for i in 0..n {
        let _ = writeln!(lib, "temps_bundle_sdk::register!(temps_bundle_bench_members::Synth<{i}>);");
    }
    for (path, text) in [(dir.join("Cargo.toml"), manifest), (dir.join("src/lib.rs"), lib)] {
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

fn build_harness(project: &Project) -> anyhow::Result<PathBuf> {
    process::run(cargo(project).args(["build", "--release", "-p", "temps-bundle-bench"]))?;
    release_binary(project, "temps-bundle-bench")
}

fn run_harness(project: &Project, args: &BenchArgs, harness: &Path, bin_dir: &Path) -> anyhow::Result<()> {
    let mut command = Command::new(harness);
    command.current_dir(project.root()).arg("--bin-dir").arg(bin_dir);
    command.arg("--out").arg(project.target().join("bench"));
    command.args(["--command", &invocation(args)]);
    if args.quick {
        command.arg("--quick");
    }
    process::run(&mut command)
}

/// The command line the report shows: how to repeat this run.
fn invocation(args: &BenchArgs) -> String {
    let mut line = "cargo xtask bench".to_owned();
    if args.quick {
        line += " --quick";
    }
    if args.standalone {
        line += " --standalone";
    }
    if args.attribution {
        line += " --attribution";
    }
    line
}

fn cargo(project: &Project) -> Command {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(project.root());
    cargo
}

fn release_binary(project: &Project, name: &str) -> anyhow::Result<PathBuf> {
    let binary = project.target().join("release").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        bail!("cargo succeeded but {} is missing", binary.display());
    }
    Ok(binary)
}

/// Empties `dir` (binaries of an earlier run, e.g. standalone builds, must not be reported again).
fn fresh_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}
