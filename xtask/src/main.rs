//! `cargo xtask`: the project's automation, in Rust so it runs wherever Cargo does.
//!
//! - `bundle`: build the selected plugin UIs and the shell, the release binary, and the publishable artifact;
//! - `ui`: install web dependencies and build the UIs (the first two steps of `bundle`);
//! - `new <name>`: scaffold a plugin and wire it into the host, the workspace and the web workspace;
//! - `ci`: everything `.ci/run` checks (format, invariants, lints, tests, type checks, UI build, browser test);
//! - `dev`: build the UIs and a debug bundle and run it under the dev host, with its console;
//!
//! Progress goes to stderr, one plain line per step or UI, with timings.

mod artifact;
mod bench;
mod bundle;
mod ci;
mod dev;
mod invariants;
mod new_plugin;
mod npm;
mod platform;
mod plugins;
mod process;
mod project;
mod stamp;
mod steps;
mod ui;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use project::Project;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "temps-bundle project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the release binary with the selected plugins and assemble target/bundle/<name>-<version>-<platform>/.
    Bundle(bundle::BundleArgs),
    /// Install web dependencies (when the lockfile changed) and build the UIs whose inputs changed.
    Ui(ui::UiArgs),
    /// Scaffold plugins/<name>/ (crate + web UI) and wire it into the host, the workspace and the web workspace.
    New {
        /// The plugin's member name: lowercase letters, digits and single dashes (`deploy-pulse`).
        name: String,
    },
    /// Run every check CI runs, in order, stopping at the first failure.
    Ci(ci::CiArgs),
    /// Build the UIs and a debug bundle, then run it under the dev host (a Temps simulator) with its console.
    Dev(dev::DevArgs),
    /// Benchmark the bundle: memory, start-up, request cost, UI assets and size vs separate plugin processes.
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    let project = Project::locate()?;
    match command {
        Command::Bundle(args) => bundle::run(&project, &args),
        Command::Ui(args) => ui::run(&project, &args),
        Command::New { name } => new_plugin::run(&project, &name),
        Command::Ci(args) => ci::run(&project, &args),
        Command::Dev(args) => dev::run(&project, &args),
        Command::Bench(args) => bench::run(&project, &args),
    }
}
