//! `temps-bundle-bench`: what one bundle saves against N separate plugin processes, and what composition costs.
//! Run it through `cargo xtask bench [--quick] [--standalone]`, which builds the binaries it measures; see
//! `bundle/bench/README.md` for what each section measures and how.

mod artifact;
mod attribution;
mod bare;
mod bins;
mod busy;
mod counting;
mod crawl;
mod event_stream;
mod growth;
mod launcher;
mod load;
mod machine;
mod memory;
mod plugin;
mod proc_mem;
mod profile;
mod report;
mod requests;
mod run;
mod sigkill;
mod soak;
mod startup;
mod stats;
mod ui_assets;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "temps-bundle-bench",
    about = "Benchmarks temps-bundle: composite vs split processes, and composition costs"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    internal: Option<Internal>,
    #[command(flatten)]
    run: run::RunArgs,
}

/// Commands the harness runs itself in child processes.
#[derive(Debug, Subcommand)]
enum Internal {
    /// The bare axum baseline server (section 3).
    #[command(hide = true)]
    BareServer {
        #[arg(long)]
        socket: PathBuf,
    },
    /// Section 6 alone: the GitHub-source launcher built for BINARY vs BINARY itself (Bun from the web workspace).
    Launcher {
        /// A bundle binary (e.g. target/release/temps-bundle).
        binary: PathBuf,
        /// Starts measured per kind (after one warm-up).
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// One server under steady load, its pid printed first (for attaching a profiler).
    Soak(soak::SoakArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.internal {
        Some(Internal::BareServer { socket }) => bare::serve(&socket),
        Some(Internal::Launcher { binary, runs }) => launcher::main(&binary, runs),
        Some(Internal::Soak(args)) => soak::main(&args),
        None => run::main(&cli.run),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
