//! Section 3, request cost: a trivial member route (`GET /synth-NNN/ping`) through the full stack — Gen B signature
//! check, identity parsing, dispatch to the member with the prefix stripped, the member's isolation stack, panic
//! guard — at 1, 10, 100 and 300 members (round robin over every member), against the bare axum baseline
//! ([`crate::bare`]), all in the same run; on keep-alive connections and with a new connection per request (what the
//! Temps proxy does), each against the bare server under the same shape; and the Gen A path (no signature, every
//! caller anonymous) at 1 member. Variants are interleaved round by round so that drift on a shared machine hits
//! them alike; medians are reported.

use std::path::PathBuf;

use http::StatusCode;
use temps_bundle_devhost::RunningPlugin;

use crate::bare::BareServer;
use crate::load::{self, LoadResult, LoadSpec, Shape};
use crate::memory::shown;
use crate::plugin::{Launch, host_headers, pid, proxy_headers};
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
    pub shape: Shape,
    pub generation: Gen,
    pub requests_per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub errors: u64,
    pub rounds: Vec<LoadResult>,
    pub memory_idle: Memory,
    pub memory_loaded: Memory,
}

/// The protocol generation a variant was started with (the bare server has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Gen {
    None,
    A,
    B,
}

/// A process under load.
enum Server {
    Bare(Box<BareServer>),
    Bundle(Box<RunningPlugin>),
}

/// One load variant: a process (shared by the shapes run against it) and how it is loaded.
struct Planned {
    label: String,
    members: usize,
    shape: Shape,
    generation: Gen,
    /// Index into the started processes.
    server: usize,
}

/// Starts the bare server and one composite per synthetic build (plus a Gen A one of the 1-member build), then
/// runs the interleaved rounds: every process under keep-alive load, and the bare server and every bundle also
/// with a connection per request.
pub async fn measure(synth: &[(usize, PathBuf)], profile: &Profile) -> anyhow::Result<Vec<VariantResult>> {
    let mut servers = vec![Server::Bare(Box::new(BareServer::start().await?))];
    let mut planned = Vec::new();
    for shape in [Shape::KeepAlive, Shape::ConnectionPerRequest] {
        planned.push(Planned { label: "bare axum".to_owned(), members: 0, shape, generation: Gen::None, server: 0 });
    }
    for (n, bin) in synth {
        let (plugin, _) = Launch::composite(&format!("{n} synthetic member(s)"), bin).start().await?;
        servers.push(Server::Bundle(Box::new(plugin)));
        for shape in [Shape::KeepAlive, Shape::ConnectionPerRequest] {
            let label = format!("full stack, {n} member{}", if *n == 1 { "" } else { "s" });
            planned.push(Planned { label, members: *n, shape, generation: Gen::B, server: servers.len() - 1 });
        }
    }
    if let Some((n, bin)) = synth.iter().find(|(n, _)| *n == 1) {
        let (plugin, _) = Launch::composite("1 synthetic member, Gen A", bin).gen_a().start().await?;
        servers.push(Server::Bundle(Box::new(plugin)));
        let label = "full stack, 1 member, Gen A".to_owned();
        planned.push(Planned {
            label,
            members: *n,
            shape: Shape::KeepAlive,
            generation: Gen::A,
            server: servers.len() - 1,
        });
    }
    tokio::time::sleep(profile.settle).await;
    let mut idle = Vec::new();
    for server in &servers {
        idle.push(Memory::of(server_pid(server)?)?);
    }
    let mut specs = Vec::new();
    for plan in &planned {
        specs.push(spec(&servers[plan.server], plan.members, profile)?.shaped(plan.shape));
    }
    let mut rounds: Vec<Vec<LoadResult>> = vec![Vec::new(); planned.len()];
    for round in 0..profile.rounds {
        for offset in 0..planned.len() {
            // Rotate the order each round: no variant always runs first (or right after the heaviest one).
            let index = (round + offset) % planned.len();
            let plan = &planned[index];
            eprintln!("    load: {}, {} (round {}/{})", plan.label, plan.shape.label(), round + 1, profile.rounds);
            rounds[index].push(load::run(&specs[index]).await);
        }
    }
    let mut loaded = Vec::new();
    for server in &servers {
        loaded.push(Memory::of(server_pid(server)?)?);
    }
    let results = planned
        .into_iter()
        .zip(rounds)
        .map(|(plan, rounds)| {
            summarize(
                plan.label,
                plan.members,
                plan.shape,
                plan.generation,
                rounds,
                idle[plan.server],
                loaded[plan.server],
            )
        })
        .collect();
    for server in servers {
        stop(server).await;
    }
    Ok(results)
}

/// Rows: each variant's rate and latency, throughput vs bare under the same load shape, p99 at 100 vs 1 member,
/// memory per member count.
pub fn rows(results: &[VariantResult]) -> Vec<Row> {
    let bare_of = |shape: Shape| results.iter().find(|r| r.members == 0 && r.shape == shape);
    let Some(bare) = bare_of(Shape::KeepAlive) else { return Vec::new() };
    let find = |members: usize, shape: Shape| {
        results.iter().find(|r| r.members == members && r.shape == shape && r.generation == Gen::B)
    };
    let mut rows = vec![Row::plain("3", "bare axum on a Unix socket, keep-alive (baseline)", latency_text(bare))];
    if let Some(bare) = bare_of(Shape::ConnectionPerRequest) {
        rows.push(Row::plain("3", "bare axum, connection per request (baseline)", latency_text(bare)));
    }
    for result in results.iter().filter(|r| r.members > 0) {
        let Some(baseline) = bare_of(result.shape) else { continue };
        let throughput = ratio(result.requests_per_second, baseline.requests_per_second);
        let mut row = Row::versus(
            "3",
            format!("{}, {}: throughput vs bare axum ({})", result.label, result.shape.label(), result.shape.label()),
            latency_text(result),
            per_second(baseline.requests_per_second),
            throughput,
        );
        // The target is set for 1, 10 and 100 members (issue 12); 300 is a point of the growth curve.
        if result.shape == Shape::KeepAlive && result.generation == Gen::B && result.members <= 100 {
            row = row.target(Target::AtLeast(0.9, Unit::Times), throughput);
        }
        rows.push(row);
    }
    if let (Some(one), Some(hundred)) = (find(1, Shape::KeepAlive), find(100, Shape::KeepAlive)) {
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
            LoadSpec::new(plugin.socket_path(), paths, host_headers(plugin)?, StatusCode::OK, profile)
        }
    })
}

fn summarize(
    label: String,
    members: usize,
    shape: Shape,
    generation: Gen,
    rounds: Vec<LoadResult>,
    memory_idle: Memory,
    memory_loaded: Memory,
) -> VariantResult {
    let of = |f: fn(&LoadResult) -> f64| median(&rounds.iter().map(f).collect::<Vec<_>>());
    VariantResult {
        label,
        members,
        shape,
        generation,
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
