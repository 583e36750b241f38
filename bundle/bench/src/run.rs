//! One benchmark run: every section in turn against the binaries in the bin dir, then the report.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use serde_json::Value;

use crate::bins::{self, Binaries, MemberInfo};
use crate::growth::{self, Curve};
use crate::load::Shape;
use crate::machine::Machine;
use crate::plugin::Launch;
use crate::profile::Profile;
use crate::report::{Report, Row};
use crate::requests::{Gen, VariantResult};
use crate::startup::{self, StartupResult, Variant};
use crate::{artifact, attribution, busy, event_stream, memory, requests, ui_assets};

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
    /// Run only these sections (e.g. `--only 1,3`); every section when absent. The growth charts need 2 and 3.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
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
        charts: Vec::new(),
        notes: vec![format!("harness: `{harness}`")],
        raw: serde_json::Map::new(),
    };
    eprintln!("bench: {} cores, members {:?}, profile {}", report.machine.cores, names(&members), profile.name);

    let wanted = |id: &str| args.only.is_empty() || args.only.iter().any(|o| o == id);
    let mut errors = Vec::new();
    if wanted("1") || wanted("4") {
        section("1 memory, 4 UI assets");
        let (composite, _) = Launch::composite("composite", &bins.composite).start().await?;
        let memory = memory::measure(&composite, &bins.composite, &members, &profile).await?;
        report.rows.extend(memory.rows());
        store(&mut report, "memory", &memory)?;
        errors.push(("1", memory.errors()));
        match ui_assets::measure(&composite, &members, &profile).await? {
            Some(ui) => {
                report.rows.extend(ui.rows());
                store(&mut report, "ui_assets", &ui)?;
                errors.push(("4", ui.errors()));
            }
            None => report.rows.push(Row::plain("4", "UI assets", "UI not built")),
        }
        let _ = composite.kill().await;
    }

    let mut synthetic_starts = Vec::new();
    if wanted("2") {
        section("2 start-up");
        let starts = startups(&bins, &members, &profile).await?;
        report.rows.extend(startup::rows(&starts.composite, &starts.splits, &starts.synthetic));
        let without: Vec<StartupResult> =
            std::iter::once(starts.composite.clone()).chain(starts.synthetic.clone()).collect();
        report.rows.extend(startup::channel_rows(&starts.with_channel, &without));
        store(&mut report, "startup", &starts)?;
        synthetic_starts = starts.synthetic;
    }

    let mut load = Vec::new();
    if wanted("3") {
        section("3 request cost");
        load = requests::measure(&bins.synth, &profile).await?;
        report.rows.extend(requests::rows(&load));
        store(&mut report, "requests", &load)?;
        errors.push(("3", load.iter().map(|v| v.errors).sum()));

        let busy = busy::measure(&bins.composite, &members, &profile).await?;
        report.rows.extend(busy.rows());
        store(&mut report, "requests_while_events_flow", &busy)?;
        errors.push(("3", busy.errors()));
    }
    let curves = growth_curves(&load, &synthetic_starts);
    report.charts.push(growth::text_chart(&curves));
    store(&mut report, "growth", &curves)?;

    if wanted("8") {
        section("8 events at scale");
        match event_stream::measure(&bins.composite, &members, &profile).await? {
            Some(events) => {
                report.rows.extend(events.rows());
                store(&mut report, "events", &events)?;
                errors.push(("8", events.missing() as u64));
            }
            None => {
                report.rows.push(Row::plain("8", "events at scale", "neither deploy-pulse nor notify is in the bundle"))
            }
        }
    }

    if wanted("10") {
        section("10 events lost at SIGKILL");
        if let Some(lost) = crate::sigkill::measure(&bins.composite, &members).await? {
            report.rows.extend(lost.rows());
            store(&mut report, "events_lost_at_sigkill", &lost)?;
        }
    }

    if wanted("9") {
        section("9 memory attribution");
        let steps = attribution::measure(&attribution_plan(&bins, &members)?, &profile).await?;
        report.rows.extend(attribution::rows(&steps));
        store(&mut report, "attribution", &steps)?;
    }

    if wanted("5") {
        section("5 artifact");
        let sizes = artifact::measure(&bins)?;
        report.rows.extend(sizes.rows());
        store(&mut report, "artifact", &sizes)?;
    }

    if wanted("7") {
        section("7 crawl");
        // A failed crawl costs its own rows only, never the rest of the report.
        match crate::crawl::measure(&bins.composite, &profile).await {
            Ok(crawl) => {
                report.rows.extend(crawl.rows());
                store(&mut report, "crawl", &crawl)?;
            }
            Err(error) => report.rows.push(Row::plain("7", "crawl", format!("failed: {error:#}"))),
        }
    }

    if wanted("6") {
        section("6 GitHub-source launcher");
        match crate::launcher::workspace_bun() {
            Some(bun) => {
                let launcher = crate::launcher::measure(&bins.composite, &bun, profile.startup_runs).await?;
                report.rows.extend(launcher.rows());
                store(&mut report, "launcher", &launcher)?;
            }
            None => report.rows.push(Row::plain("6", "GitHub-source launcher", "no Bun: `npm ci` in web/")),
        }
    }

    report.notes.extend(method_notes(&profile, &errors));
    report.notes.push(format!("the run took {:.0} s (builds excluded)", started.elapsed().as_secs_f64()));
    print(&report.markdown());
    let (markdown, json) = report.write(&args.out)?;
    let svg = args.out.join("growth.svg");
    std::fs::write(&svg, growth::svg(&curves)).with_context(|| format!("writing {}", svg.display()))?;
    eprintln!("bench: wrote {}, {} and {}", markdown.display(), json.display(), svg.display());
    Ok(())
}

/// What section 2 measured.
#[derive(Debug, serde::Serialize)]
struct Startups {
    composite: StartupResult,
    splits: Vec<StartupResult>,
    synthetic: Vec<StartupResult>,
    /// The composite and the 1-member build again, this time until the platform channel is connected.
    with_channel: Vec<StartupResult>,
}

/// Start-up of the composite, of each member in split mode, of each synthetic build, and of the composite and the
/// 1-member build until the channel is connected.
async fn startups(bins: &Binaries, members: &[MemberInfo], profile: &Profile) -> anyhow::Result<Startups> {
    let probe = members.first().map_or_else(|| "/health".to_owned(), |m| format!("/{}/health", m.name));
    let composite_launch = Launch::composite("composite", &bins.composite);
    let composite = Variant { launch: composite_launch, members: members.len(), probe, channel: false };
    let mut with_channel =
        vec![startup::measure(&Variant { channel: true, ..composite.clone() }, profile.startup_runs).await?];
    let composite = startup::measure(&composite, profile.startup_runs).await?;
    let mut splits = Vec::new();
    for member in members {
        let launch = Launch::split(&bins.composite, &member.name);
        let split = Variant { launch, members: 1, probe: "/health".into(), channel: false };
        splits.push(startup::measure(&split, profile.startup_runs).await?);
    }
    let mut synthetic = Vec::new();
    for (n, bin) in &bins.synth {
        let launch = Launch::composite(&format!("{n} synthetic member(s)"), bin);
        let variant = Variant { launch, members: *n, probe: "/synth-000/ping".into(), channel: false };
        if *n == 1 {
            with_channel
                .push(startup::measure(&Variant { channel: true, ..variant.clone() }, profile.startup_runs).await?);
        }
        synthetic.push(startup::measure(&variant, profile.startup_runs).await?);
    }
    Ok(Startups { composite, splits, synthetic, with_channel })
}

/// The memory attribution's processes: the runtime, each member alone in split mode, the first-k builds (when
/// `cargo xtask bench --attribution` made them), then the composite.
fn attribution_plan(bins: &Binaries, members: &[MemberInfo]) -> anyhow::Result<Vec<attribution::Planned>> {
    use attribution::{Kind, Planned};
    let mut plan = Vec::new();
    if let Some((_, bin)) = bins.synth.iter().find(|(n, _)| *n == 1) {
        plan.push(Planned { kind: Kind::Runtime, launch: Launch::composite("runtime", bin), members: Vec::new() });
    }
    for member in members {
        let launch = Launch::split(&bins.composite, &member.name);
        plan.push(Planned { kind: Kind::Split, launch, members: vec![member.clone()] });
    }
    for (k, bin) in &bins.first {
        let hosted = bins::members(bin)?;
        if hosted.len() != *k {
            anyhow::bail!("{} does not host {k} member(s)", bin.display());
        }
        plan.push(Planned {
            kind: Kind::FirstK,
            launch: Launch::composite(&format!("first {k}"), bin),
            members: hosted,
        });
    }
    let launch = Launch::composite("composite", &bins.composite);
    plan.push(Planned { kind: Kind::Composite, launch, members: members.to_vec() });
    Ok(plan)
}

/// Throughput and p99 (keep-alive, Gen B), start-up and RSS after load, by synthetic member count.
fn growth_curves(load: &[VariantResult], startups: &[StartupResult]) -> Vec<Curve> {
    let bundles: Vec<&VariantResult> =
        load.iter().filter(|r| r.members > 0 && r.shape == Shape::KeepAlive && r.generation == Gen::B).collect();
    let curve = |title, unit, f: &dyn Fn(&VariantResult) -> f64| Curve {
        title,
        unit,
        points: bundles.iter().map(|r| (r.members, f(r))).collect(),
    };
    vec![
        curve("request throughput, keep-alive", "req/s", &|r| r.requests_per_second),
        curve("p99 latency, keep-alive", "µs", &|r| r.p99_us),
        Curve {
            title: "spawn → ready",
            unit: "ms",
            points: startups.iter().map(|s| (s.members, s.ready_ms)).collect(),
        },
        curve("RSS after load", "MiB", &|r| r.memory_loaded.rss as f64 / (1024.0 * 1024.0)),
    ]
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
        "load shapes: keep-alive (each connection sends request after request) and connection per request (a new \
         Unix-socket connection for every request, closed after the answer: what the Temps proxy does; its latency \
         includes connect and handshake); each bundle is compared with the bare server under the same shape"
            .to_owned(),
        "memory: RSS = VmRSS (/proc/<pid>/status), PSS = smaps_rollup; \"one split process\" is the mean over the \
         split processes; start-up: median, platform channel not opened (the timing ends at the ready line) except \
         in the \"channel connected\" rows"
            .to_owned(),
        format!(
            "events at scale: {} deployment events pushed on the platform channel as fast as it takes them, rows found \
             by polling each member's SQLite file read-only every 2 ms (latencies are rounded up to that); notify \
             delivers to a local receiver (TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS=1)",
            profile.stream_events
        ),
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
