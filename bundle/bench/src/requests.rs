//! Section 3, request cost: a trivial member route (`GET /synth-NNN/ping`) through the full stack — Gen B signature
//! check, identity parsing, dispatch to the member with the prefix stripped, panic guard — at 1, 10 and 100 members
//! (round robin over every member), against the bare axum baseline ([`crate::bare`]), all in the same run.
//! Variants are interleaved round by round so that drift on a shared machine hits them alike; medians are reported.

use std::path::PathBuf;

use http::StatusCode;
use temps_bundle_devhost::RunningPlugin;

use crate::bare::BareServer;
use crate::load::{self, LoadResult, LoadSpec};
use crate::memory::shown;
use crate::plugin::{Launch, pid, proxy_headers};
use crate::proc_mem::Memory;
use crate::profile::Profile;
use crate::report::{Row, Target, Unit, micros, per_second, ratio};
use crate::stats::median;

/// One variant's medians over the rounds, every round, and its process's memory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VariantResult {
    pub label: String,
    /// 0 for the bare baseline.
    pub members: usize,
    pub requests_per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub errors: u64,
    pub rounds: Vec<LoadResult>,
    pub memory_idle: Memory,
    pub memory_loaded: Memory,
}

/// A process under load.
enum Server {
    Bare(Box<BareServer>),
    Bundle(Box<RunningPlugin>),
}

/// Starts the bare server and one composite per synthetic build, then runs the interleaved rounds.
pub async fn measure(synth: &[(usize, PathBuf)], profile: &Profile) -> anyhow::Result<Vec<VariantResult>> {
    let mut variants = vec![("bare axum".to_owned(), 0, Server::Bare(Box::new(BareServer::start().await?)))];
    for (n, bin) in synth {
        let (plugin, _) = Launch::composite(&format!("{n} synthetic member(s)"), bin).start().await?;
        variants.push((
            format!("full stack, {n} member{}", if *n == 1 { "" } else { "s" }),
            *n,
            Server::Bundle(Box::new(plugin)),
        ));
    }
    tokio::time::sleep(profile.settle).await;
    let mut specs = Vec::new();
    let mut idle = Vec::new();
    for (_, members, server) in &variants {
        specs.push(spec(server, *members, profile)?);
        idle.push(Memory::of(server_pid(server)?)?);
    }
    let mut rounds: Vec<Vec<LoadResult>> = vec![Vec::new(); variants.len()];
    for round in 0..profile.rounds {
        for offset in 0..variants.len() {
            // Rotate the order each round: no variant always runs first (or right after the heaviest one).
            let index = (round + offset) % variants.len();
            eprintln!("    load: {} (round {}/{})", variants[index].0, round + 1, profile.rounds);
            rounds[index].push(load::run(&specs[index]).await);
        }
    }
    let mut results = Vec::new();
    for (((label, members, server), rounds), memory_idle) in variants.into_iter().zip(rounds).zip(idle) {
        let memory_loaded = Memory::of(server_pid(&server)?)?;
        results.push(summarize(label, members, rounds, memory_idle, memory_loaded));
        stop(server).await;
    }
    Ok(results)
}

/// Rows: each variant's rate and latency, throughput vs bare, p99 at 100 vs 1 member, memory per member count.
pub fn rows(results: &[VariantResult]) -> Vec<Row> {
    let Some(bare) = results.iter().find(|r| r.members == 0) else { return Vec::new() };
    let one = results.iter().find(|r| r.members == 1);
    let mut rows = vec![Row::plain("3", "bare axum on a Unix socket (baseline)", latency_text(bare))];
    for result in results.iter().filter(|r| r.members > 0) {
        let throughput = ratio(result.requests_per_second, bare.requests_per_second);
        let mut row = Row::versus(
            "3",
            format!("{}: throughput vs bare axum", result.label),
            latency_text(result),
            per_second(bare.requests_per_second),
            throughput,
        );
        if result.members == 1 {
            row = row.target(Target::AtLeast(0.9, Unit::Times), throughput);
        }
        rows.push(row);
    }
    if let (Some(one), Some(hundred)) = (one, results.iter().find(|r| r.members == 100)) {
        let p99 = ratio(hundred.p99_us, one.p99_us);
        rows.push(
            Row::versus("3", "p99 latency: 100 members vs 1", micros(hundred.p99_us), micros(one.p99_us), p99)
                .target(Target::AtMost(1.1, Unit::Times), p99),
        );
        rows.push(Row::versus(
            "3",
            "RSS after load: 100 synthetic members vs 1",
            shown(hundred.memory_loaded),
            shown(one.memory_loaded),
            ratio(hundred.memory_loaded.rss as f64, one.memory_loaded.rss as f64),
        ));
        rows.push(Row::versus(
            "3",
            "RSS after load: 1 synthetic member vs bare axum process",
            shown(one.memory_loaded),
            shown(bare.memory_loaded),
            ratio(one.memory_loaded.rss as f64, bare.memory_loaded.rss as f64),
        ));
    }
    rows
}

/// `12 345 req/s, p50 40.1 µs, p99 120.3 µs`.
fn latency_text(result: &VariantResult) -> String {
    format!("{}, p50 {}, p99 {}", per_second(result.requests_per_second), micros(result.p50_us), micros(result.p99_us))
}

fn spec(server: &Server, members: usize, profile: &Profile) -> anyhow::Result<LoadSpec> {
    Ok(match server {
        // The bare server ignores the proxy headers; they are sent anyway so both sides parse the same request.
        Server::Bare(bare) => {
            let headers = proxy_headers("bare", "00000000000000000000000000000000")?;
            LoadSpec::new(bare.socket(), vec!["/ping".to_owned()], headers, StatusCode::OK, profile)
        }
        Server::Bundle(plugin) => {
            let paths = (0..members).map(|i| format!("/synth-{i:03}/ping")).collect();
            let headers = proxy_headers(plugin.plugin_name(), plugin.secret())?;
            LoadSpec::new(plugin.socket_path(), paths, headers, StatusCode::OK, profile)
        }
    })
}

fn summarize(
    label: String,
    members: usize,
    rounds: Vec<LoadResult>,
    memory_idle: Memory,
    memory_loaded: Memory,
) -> VariantResult {
    let of = |f: fn(&LoadResult) -> f64| median(&rounds.iter().map(f).collect::<Vec<_>>());
    VariantResult {
        label,
        members,
        requests_per_second: of(|r| r.requests_per_second),
        p50_us: of(|r| r.p50_us),
        p99_us: of(|r| r.p99_us),
        errors: rounds.iter().map(|r| r.errors).sum(),
        rounds,
        memory_idle,
        memory_loaded,
    }
}

fn server_pid(server: &Server) -> anyhow::Result<u32> {
    match server {
        Server::Bare(bare) => bare.pid(),
        Server::Bundle(plugin) => pid(plugin),
    }
}

async fn stop(server: Server) {
    match server {
        Server::Bare(bare) => bare.stop().await,
        Server::Bundle(plugin) => {
            let _ = plugin.kill().await;
        }
    }
}
