//! `cargo xtask ci`: every check, in the order that fails cheapest first. `.ci/run` runs exactly this.
//!
//! The web steps come before the Rust ones on purpose: the UIs are embedded into the plugin crates, so building
//! them first lets clippy, the tests and the final build compile each crate once, against the real UI.

use std::process::Command;

use anyhow::bail;

use crate::plugins::Plugin;
use crate::project::Project;
use crate::steps::Steps;
use crate::{codegen, dev, invariants, npm, plugins, process, ui};

/// Arguments of `cargo xtask ci`.
#[derive(Debug, clap::Args)]
pub struct CiArgs {
    /// Resume at this step (as printed, e.g. `clippy`) after fixing a failure; CI always runs them all.
    #[arg(long)]
    pub from: Option<String>,
}

/// The steps, in order.
const STEPS: &[&str] = &[
    "cargo fmt --check",
    "invariants",
    "npm ci",
    "typescript",
    "build UIs",
    "codegen --check",
    "clippy",
    "tests",
    "build binaries",
    "browser test",
];

/// `cargo xtask ci`.
pub fn run(project: &Project, args: &CiArgs) -> anyhow::Result<()> {
    let plugins = plugins::discover(project)?;
    let first = match &args.from {
        Some(from) => match STEPS.iter().position(|s| s == from) {
            Some(index) => index,
            None => bail!("no step named `{from}` (steps: {})", STEPS.join(", ")),
        },
        None => 0,
    };
    let mut steps = Steps::new("ci");
    for name in STEPS.iter().skip(first) {
        steps.run(name, || run_step(project, &plugins, name))?;
    }
    steps.finish();
    Ok(())
}

fn run_step(project: &Project, plugins: &[Plugin], name: &str) -> anyhow::Result<()> {
    match name {
        "cargo fmt --check" => process::run(cargo(project).args(["fmt", "--all", "--check"])),
        "invariants" => invariants::check(project),
        "npm ci" => npm::install(project, plugins),
        "typescript" => ui::typecheck_all(project, plugins),
        "build UIs" => ui::build_all(project, &ui::targets(project, plugins), false),
        "codegen --check" => codegen::run(project, true),
        "clippy" => {
            process::run(cargo(project).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
        }
        "tests" => process::run(&mut test_command(project)),
        // The browser test drives the dev bundle (target/debug/temps-bundle-gen-dev) under the dev host.
        "build binaries" => dev::build(project, &dev::dev_bundle(project, None)?).map(|_| ()),
        "browser test" => {
            let mut node = Command::new("node");
            node.args(["--test", "--test-reporter=spec", "e2e/browser.test.mjs"]).current_dir(project.web());
            process::run(&mut node)
        }
        other => bail!("unknown ci step `{other}`"),
    }
}

/// `cargo nextest run --workspace`, or `cargo test --workspace` where nextest is not installed.
fn test_command(project: &Project) -> Command {
    let nextest = cargo(project).args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success());
    let mut command = cargo(project);
    if nextest {
        command.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        eprintln!("    cargo-nextest not found: using cargo test");
        command.args(["test", "--workspace", "--no-fail-fast"]);
    }
    command
}

fn cargo(project: &Project) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(project.root());
    command
}
