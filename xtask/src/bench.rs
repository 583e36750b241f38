//! `cargo xtask bench`: builds what the benchmark measures — the UIs (when they can be built), the composite
//! release binary with every plugin, one release build per synthetic member count (1, 10, 100; the host's
//! `bench-members-*` features), with `--standalone` each plugin alone, and the harness — then runs the harness
//! (`bundle/bench`), which prints the table and writes `target/bench/bench.{md,json}`.
//!
//! Each variant of `temps-bundle` is its own release build of the same package, so each is copied out of
//! `target/release/` into `target/bench/bin/` (names the harness expects: see `bundle/bench/src/bins.rs`) before
//! the next build overwrites it. Nothing here is part of a release artifact.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::plugins::{self, Plugin};
use crate::project::Project;
use crate::steps::Steps;
use crate::{process, ui};

/// Arguments of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// A smoke run: three interleaved rounds of ~1 s load phases and 3 start-ups per variant.
    #[arg(long)]
    pub quick: bool,
    /// Also build each plugin alone (`--no-default-features --features <m>`) to compare binary sizes.
    #[arg(long)]
    pub standalone: bool,
}

/// The synthetic member counts; `bench-members-<n>` is the host feature of each.
const SYNTH_COUNTS: [usize; 3] = [1, 10, 100];

/// `cargo xtask bench`.
pub fn run(project: &Project, args: &BenchArgs) -> anyhow::Result<()> {
    let plugins = plugins::discover(project)?;
    let bin_dir = project.target().join("bench").join("bin");
    let mut steps = Steps::new("bench");
    // A UI that cannot be built (no npm, no network) only costs section 4 of the report, never the whole run.
    let ui_args = ui::UiArgs { plugins: None, force: false };
    if let Err(error) = steps.run("build UIs", || ui::run(project, &ui_args)) {
        eprintln!("warning: {error:#}; the report says \"UI not built\" where no built UI exists");
    }
    steps.run("prepare target/bench/bin", || fresh_dir(&bin_dir))?;
    let every_plugin: Vec<String> = plugins.iter().map(|p| p.name.clone()).collect();
    let composite = Variant { features: every_plugin.clone(), members: every_plugin, file: "temps-bundle".into() };
    steps.run("build the composite (every plugin)", || build_host(project, &composite, &bin_dir))?;
    for n in SYNTH_COUNTS {
        let synth = Variant {
            features: vec![format!("bench-members-{n}")],
            members: (0..n).map(|i| format!("synth-{i:03}")).collect(),
            file: format!("temps-bundle-synth-{n}"),
        };
        steps.run(&format!("build {n} synthetic member(s)"), || build_host(project, &synth, &bin_dir))?;
    }
    if args.standalone {
        for Plugin { name, .. } in &plugins {
            let alone = Variant {
                features: vec![name.clone()],
                members: vec![name.clone()],
                file: format!("temps-bundle-only-{name}"),
            };
            steps.run(&format!("build {name} alone"), || build_host(project, &alone, &bin_dir))?;
        }
    }
    let harness = steps.run("build the harness", || build_harness(project))?;
    steps.run("run the harness", || run_harness(project, args, &harness, &bin_dir))?;
    steps.finish();
    Ok(())
}

/// One release build of `temps-bundle`: its features, the members it must host, and its file in the bin dir.
struct Variant {
    features: Vec<String>,
    members: Vec<String>,
    file: String,
}

/// How often a build is repeated when the copied binary turns out to host other members.
const BUILD_ATTEMPTS: usize = 3;

/// `cargo build --release -p temps-bundle --no-default-features --features <features>`, then copies the binary and
/// checks the members it hosts: another build in the same target dir may replace `target/release/temps-bundle`
/// between our build and the copy (cargo's lock covers the build, not the copy), so a mismatch means build again.
fn build_host(project: &Project, variant: &Variant, bin_dir: &Path) -> anyhow::Result<()> {
    if variant.features.is_empty() {
        bail!("no plugins under plugins/ to build a composite from");
    }
    let copy = bin_dir.join(&variant.file);
    for attempt in 1..=BUILD_ATTEMPTS {
        let mut cargo = cargo(project);
        let features = variant.features.join(",");
        cargo.args(["build", "--release", "-p", "temps-bundle", "--no-default-features", "--features", &features]);
        process::run(&mut cargo)?;
        let built = release_binary(project, "temps-bundle")?;
        std::fs::copy(&built, &copy).with_context(|| format!("copying {} to {}", built.display(), copy.display()))?;
        let hosted = hosted_members(&copy)?;
        if hosted == variant.members {
            return Ok(());
        }
        eprintln!(
            "    attempt {attempt}: the copied binary hosts {hosted:?}, not {:?}; building again",
            variant.members
        );
    }
    bail!("{} kept being replaced by another build; retry when no other release build runs", copy.display())
}

/// The members `binary manifest --compact` reports, in its (sorted) order.
fn hosted_members(binary: &Path) -> anyhow::Result<Vec<String>> {
    let text = process::stdout_of(Command::new(binary).args(["manifest", "--compact"]))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("`{} manifest` did not print JSON", binary.display()))?;
    let members = manifest["bundle"]["members"].as_array().into_iter().flatten();
    Ok(members.filter_map(|m| m["name"].as_str().map(str::to_owned)).collect())
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
