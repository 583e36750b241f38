//! `cargo xtask`: the project's automation, in Rust so it runs wherever Cargo does.
//!
//! - `bundle [--config FILE]`: build a bundle file (default `bundle/default.toml`): member UIs, the generated host
//!   crate, the release binary, the publishable artifact with its bill of materials;
//! - `ui`: install web dependencies and build the UIs (the first two steps of `bundle`);
//! - `new <name> [--out DIR]`: scaffold a plugin under `plugins/` (and its UI in the web workspace), or a member
//!   crate of its own outside this repository plus a bundle file for it;
//! - `codegen [--check]`: regenerate (or check) the files generated from Rust types: each plugin's `openapi.json`
//!   and its UI's TypeScript API types;
//! - `ci`: everything `.ci/run` checks (format, invariants, lints, tests, type checks, UI build, browser test);
//! - `dev`: build the UIs and a debug bundle and run it under the dev host, with its console;
//!
//! Progress goes to stderr, one plain line per step or UI, with timings.

mod artifact;
mod bench;
mod bundle;
mod ci;
mod codegen;
mod dev;
mod invariants;
mod member_ui;
mod new_outside;
mod new_plugin;
mod npm;
mod platform;
mod plugins;
mod process;
mod project;
mod staging;
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
    /// Build a bundle file (default bundle/default.toml) and assemble target/bundle/<name>-<version>-<platform>/.
    Bundle(bundle::BundleArgs),
    /// Install web dependencies (when the lockfile changed) and build the UIs whose inputs changed.
    Ui(ui::UiArgs),
    /// Scaffold plugins/<name>/ (crate + web UI, added to the web workspace), or with --out a member crate in its
    /// own folder outside this repository plus a bundle file that bundles it.
    New {
        /// The plugin's member name: lowercase letters, digits and single dashes (`deploy-pulse`).
        name: String,
        /// Scaffold into this new (or empty) folder instead, with the SDK by git.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// With --out: the temps-bundle git URL the crate depends on (default: a CHANGE-ME placeholder).
        #[arg(long, requires = "out")]
        sdk_git: Option<String>,
    },
    /// Regenerate each plugin's openapi.json and its UI's web/src/api.gen.ts from the Rust types.
    Codegen {
        /// Write nothing; fail naming the first generated file that differs from what the code generates.
        #[arg(long)]
        check: bool,
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
        Command::New { name, out: None, .. } => new_plugin::run(&project, &name),
        Command::New { name, out: Some(out), sdk_git } => new_outside::run(&project, &name, &out, sdk_git.as_deref()),
        Command::Codegen { check } => codegen::run(&project, check),
        Command::Ci(args) => ci::run(&project, &args),
        Command::Dev(args) => dev::run(&project, &args),
        Command::Bench(args) => bench::run(&project, &args),
    }
}
