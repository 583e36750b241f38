//! `cargo xtask ci`: every check, in the order that fails cheapest first. `.ci/run` runs exactly this.
//!
//! The web steps come before the Rust ones on purpose: the UIs are embedded into the plugin crates, so building
//! them first lets clippy, the tests and the final build compile each crate once, against the real UI.

use std::process::Command;

use crate::project::Project;
use crate::steps::Steps;
use crate::{invariants, npm, plugins, process, ui};

/// `cargo xtask ci`.
pub fn run(project: &Project) -> anyhow::Result<()> {
    let plugins = plugins::discover(project)?;
    let mut steps = Steps::new("ci");
    steps.run("cargo fmt --check", || process::run(cargo(project).args(["fmt", "--all", "--check"])))?;
    steps.run("invariants", || invariants::check(project))?;
    steps.run("npm ci", || npm::install(project, &plugins))?;
    steps.run("typescript", || ui::typecheck_all(project, &plugins))?;
    steps.run("build UIs", || ui::build_all(project, &ui::targets(project, &plugins), false))?;
    steps.run("clippy", || {
        process::run(cargo(project).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
    })?;
    steps.run("tests", || process::run(&mut test_command(project)))?;
    steps.run("build binaries", || {
        process::run(cargo(project).args(["build", "-p", "temps-bundle", "-p", "temps-bundle-devhost"]))
    })?;
    steps.run("browser test", || {
        let mut node = Command::new("node");
        node.args(["--test", "--test-reporter=spec", "e2e/browser.test.mjs"]).current_dir(project.web());
        process::run(&mut node)
    })?;
    steps.finish();
    Ok(())
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
