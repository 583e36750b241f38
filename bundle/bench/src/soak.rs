//! `temps-bundle-bench soak`: one server under one steady load for a while, its pid printed first, so a profiler
//! can be attached to it from outside (`perf record -p <pid>`; see `bundle/bench/README.md`, "Profiling").

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use http::StatusCode;

use crate::bare::BareServer;
use crate::load::{self, LoadSpec, Shape};
use crate::plugin::{Launch, host_headers, pid, proxy_headers};
use crate::profile::Profile;
use crate::report::{micros, per_second};

/// What to soak.
#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    /// A bundle binary hosting synthetic members (`target/bench/bin/temps-bundle-synth-1`); the bare axum server
    /// when absent.
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// How many synthetic members `--bin` hosts (requests go round robin over `/synth-NNN/ping`).
    #[arg(long, default_value_t = 1)]
    pub members: usize,
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// A new connection per request instead of keep-alive.
    #[arg(long)]
    pub per_request: bool,
    /// Start the bundle as a Gen A host would.
    #[arg(long)]
    pub gen_a: bool,
}

pub fn main(args: &SoakArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("building the runtime")?;
    runtime.block_on(soak(args))
}

async fn soak(args: &SoakArgs) -> anyhow::Result<()> {
    let mut profile = Profile::new(true, args.connections);
    profile.load = Duration::from_secs(args.seconds);
    profile.max_requests = u64::MAX;
    let shape = if args.per_request { Shape::ConnectionPerRequest } else { Shape::KeepAlive };
    let result = match &args.bin {
        None => {
            let bare = BareServer::start().await?;
            eprintln!("server pid: {}", bare.pid()?);
            let headers = proxy_headers("bare", "00000000000000000000000000000000")?;
            let spec = LoadSpec::new(bare.socket(), vec!["/ping".to_owned()], headers, StatusCode::OK, &profile);
            let result = load::run(&spec.shaped(shape)).await;
            bare.stop().await;
            result
        }
        Some(bin) => {
            let launch = Launch::composite("soak", bin);
            let launch = if args.gen_a { launch.gen_a() } else { launch };
            let (plugin, _) = launch.start().await?;
            eprintln!("server pid: {}", pid(&plugin)?);
            let paths = (0..args.members).map(|i| format!("/synth-{i:03}/ping")).collect();
            let spec = LoadSpec::new(plugin.socket_path(), paths, host_headers(&plugin)?, StatusCode::OK, &profile);
            let result = load::run(&spec.shaped(shape)).await;
            let _ = plugin.kill().await;
            result
        }
    };
    eprintln!(
        "{} over {:.1} s, p50 {}, p99 {}, {} error(s)",
        per_second(result.requests_per_second),
        result.seconds,
        micros(result.p50_us),
        micros(result.p99_us),
        result.errors
    );
    Ok(())
}
