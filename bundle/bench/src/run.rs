//! One benchmark run: every section in turn against the binaries in the bin dir, then the report.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use serde_json::Value;

use crate::bins::{self, Binaries, MemberInfo};
use crate::machine::Machine;
use crate::plugin::Launch;
use crate::profile::Profile;
use crate::report::{Report, Row};
use crate::startup::{self, StartupResult, Variant};
use crate::{artifact, memory, requests, ui_assets};

/// Arguments of a run.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Where `cargo xtask bench` put the binaries under test.
    #[arg(long, default_value = "target/bench/bin")]
    pub bin_dir: PathBuf,
    /// Where `bench.md` and `bench.json` are written.
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
    /// A smoke run: three interleaved rounds of ~1 s load phases, 3 start-ups per variant.
    #[arg(long)]
    pub quick: bool,
    /// Concurrent keep-alive connections of every load phase.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// How this run was started, for the report (default: this binary's command line).
    #[arg(long)]
    pub command: Option<String>,
}

/// Builds the runtime (multi-thread, one worker per core) and runs.
pub fn main(args: &RunArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("building the runtime")?;
    runtime.block_on(run(args))
}

async fn run(args: &RunArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let profile = Profile::new(args.quick, args.connections);
    let bins = Binaries::locate(&args.bin_dir)?;
    let members = bins::members(&bins.composite)?;
    let harness =
        std::env::args().map(|a| if a.contains(' ') { format!("'{a}'") } else { a }).collect::<Vec<_>>().join(" ");
    let mut report = Report {
        title: format!("Performance ({} run)", profile.name),
        command: args.command.clone().unwrap_or_else(|| harness.clone()),
        machine: Machine::describe(),
        profile,
        started: temps_bundle_devhost::rfc3339_now(),
        rows: Vec::new(),
        notes: vec![format!("harness: `{harness}`")],
        raw: serde_json::Map::new(),
    };
    eprintln!("bench: {} cores, members {:?}, profile {}", report.machine.cores, names(&members), profile.name);

    section("1 memory, 4 UI assets");
    let (composite, _) = Launch::composite("composite", &bins.composite).start().await?;
    let memory = memory::measure(&composite, &bins.composite, &members, &profile).await?;
    report.rows.extend(memory.rows());
    store(&mut report, "memory", &memory)?;
    let mut errors = vec![("1", memory.errors())];
    match ui_assets::measure(&composite, &members, &profile).await? {
        Some(ui) => {
            report.rows.extend(ui.rows());
            store(&mut report, "ui_assets", &ui)?;
            errors.push(("4", ui.errors()));
        }
        None => report.rows.push(Row::plain("4", "UI assets", "UI not built")),
    }
    let _ = composite.kill().await;

    section("2 start-up");
    let (composite, splits, synth) = startups(&bins, &members, &profile).await?;
    report.rows.extend(startup::rows(&composite, &splits, &synth));
    store(
        &mut report,
        "startup",
        &serde_json::json!({ "composite": composite, "splits": splits, "synthetic": synth }),
    )?;

    section("3 request cost");
    let load = requests::measure(&bins.synth, &profile).await?;
    report.rows.extend(requests::rows(&load));
    store(&mut report, "requests", &load)?;
    errors.push(("3", load.iter().map(|v| v.errors).sum()));

    section("7 crawl");
    // A failed crawl costs its own rows only, never the rest of the report.
    match crate::crawl::measure(&bins.composite, &profile).await {
        Ok(crawl) => {
            report.rows.extend(crawl.rows());
            store(&mut report, "crawl", &crawl)?;
        }
        Err(error) => report.rows.push(Row::plain("7", "crawl", format!("failed: {error:#}"))),
    }

    section("5 artifact");
    let sizes = artifact::measure(&bins)?;
    report.rows.extend(sizes.rows());
    store(&mut report, "artifact", &sizes)?;

    section("6 GitHub-source launcher");
    match crate::launcher::workspace_bun() {
        Some(bun) => {
            let launcher = crate::launcher::measure(&bins.composite, &bun, profile.startup_runs).await?;
            report.rows.extend(launcher.rows());
            store(&mut report, "launcher", &launcher)?;
        }
        None => report.rows.push(Row::plain("6", "GitHub-source launcher", "no Bun: `npm ci` in web/")),
    }

    report.notes.extend(method_notes(&profile, &errors));
    report.notes.push(format!("the run took {:.0} s (builds excluded)", started.elapsed().as_secs_f64()));
    print(&report.markdown());
    let (markdown, json) = report.write(&args.out)?;
    eprintln!("bench: wrote {} and {}", markdown.display(), json.display());
    Ok(())
}

/// Start-up of the composite, of each member in split mode, and of each synthetic build.
async fn startups(
    bins: &Binaries,
    members: &[MemberInfo],
    profile: &Profile,
) -> anyhow::Result<(StartupResult, Vec<StartupResult>, Vec<StartupResult>)> {
    let probe = members.first().map_or_else(|| "/health".to_owned(), |m| format!("/{}/health", m.name));
    let composite = Variant { launch: Launch::composite("composite", &bins.composite), members: members.len(), probe };
    let composite = startup::measure(&composite, profile.startup_runs).await?;
    let mut splits = Vec::new();
    for member in members {
        let split =
            Variant { launch: Launch::split(&bins.composite, &member.name), members: 1, probe: "/health".into() };
        splits.push(startup::measure(&split, profile.startup_runs).await?);
    }
    let mut synth = Vec::new();
    for (n, bin) in &bins.synth {
        let launch = Launch::composite(&format!("{n} synthetic member(s)"), bin);
        let variant = Variant { launch, members: *n, probe: "/synth-000/ping".into() };
        synth.push(startup::measure(&variant, profile.startup_runs).await?);
    }
    Ok((composite, splits, synth))
}

/// How the numbers were taken, printed under the table.
fn method_notes(profile: &Profile, errors: &[(&str, u64)]) -> Vec<String> {
    let mut notes = vec![
        format!(
            "load: {} keep-alive HTTP/1.1 connections (hyper) over the Unix socket from the harness process, which \
             shares the cores with the server under test; each phase is bounded by time and by {} requests",
            profile.connections, profile.max_requests
        ),
        "every bundle is spawned as Temps does it (Gen B handshake through the dev host library, empty environment); \
         requests carry the Gen B proxy headers of a signed-in admin"
            .to_owned(),
        "bare axum baseline: a separate process (`temps-bundle-bench bare-server`) with a tokio runtime built like the \
         engine's (multi-thread, one worker per core)"
            .to_owned(),
        "memory: RSS = VmRSS (/proc/<pid>/status), PSS = smaps_rollup; \"one split process\" is the mean over the \
         split processes; start-up: median, platform channel not opened (the timing ends at the ready line)"
            .to_owned(),
    ];
    for (section, count) in errors.iter().filter(|(_, count)| *count > 0) {
        notes.push(format!("section {section}: {count} failed request(s) or unexpected status(es) (see bench.json)"));
    }
    notes
}

fn store<T: serde::Serialize>(report: &mut Report, key: &str, value: &T) -> anyhow::Result<()> {
    let value: Value = serde_json::to_value(value).with_context(|| format!("serializing {key}"))?;
    report.raw.insert(key.to_owned(), value);
    Ok(())
}

fn section(name: &str) {
    eprintln!("==> bench: {name}");
}

fn names(members: &[MemberInfo]) -> Vec<&str> {
    members.iter().map(|m| m.name.as_str()).collect()
}

#[allow(clippy::print_stdout, reason = "the table is this tool's output")]
fn print(markdown: &str) {
    println!("{markdown}");
}
