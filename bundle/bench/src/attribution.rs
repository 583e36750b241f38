//! Section 9, memory attribution: what each member adds to a process. Every process is started alone (nothing
//! else of the bench running), read once its start settled (`--quick`: 0.3 s, full: 2 s after start; the members'
//! start-up work may still be running: section 1's idle readings come after the start-up period), loaded over its
//! members' `/health` and `/ui/` and read again:
//!
//! - the runtime: the 1-synthetic-member build (the engine, the SDK, one trivial member);
//! - each real member alone in split mode (`--member m` of the composite binary): its marginal memory is its RSS
//!   minus the runtime's;
//! - with `cargo xtask bench --attribution`, the composite built with the first 1, 2, …, N-1 real members (sorted by
//!   name): the marginal memory of each member as it joins the others;
//! - the composite with every member, against the runtime plus the sum of the members' marginals (what sharing
//!   one process saves).
//!
//! RSS is split into anonymous memory (heap, stacks) and file-backed pages (code and read-only data of the binary
//! and shared libraries) because they behave differently: the first is the process's own, the second mostly the
//! binary's code paged in as it runs.

use std::time::Duration;

use http::StatusCode;

use crate::bins::MemberInfo;
use crate::load::{self, LoadSpec};
use crate::memory::shown;
use crate::plugin::{Launch, host_headers, pid};
use crate::proc_mem::Memory;
use crate::profile::Profile;
use crate::report::{Row, mib, ratio};

/// What a measured process hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Kind {
    Runtime,
    Split,
    FirstK,
    Composite,
}

/// One process to measure.
#[derive(Debug, Clone)]
pub struct Planned {
    pub kind: Kind,
    pub launch: Launch,
    pub members: Vec<MemberInfo>,
}

/// One measured process.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub kind: Kind,
    /// The members it hosts (empty: the runtime with one synthetic member).
    pub members: Vec<String>,
    pub idle: Memory,
    pub loaded: Memory,
}

/// Measures every planned process, one at a time.
pub async fn measure(plan: &[Planned], profile: &Profile) -> anyhow::Result<Vec<Step>> {
    let mut steps = Vec::new();
    for planned in plan {
        eprintln!("    memory: {}", planned.launch.label);
        let (plugin, _) = planned.launch.start().await?;
        tokio::time::sleep(profile.settle).await;
        let idle = Memory::of(pid(&plugin)?)?;
        let prefix = |m: &MemberInfo| if planned.kind == Kind::Split { String::new() } else { format!("/{}", m.name) };
        let mut paths = Vec::new();
        for member in &planned.members {
            paths.push(format!("{}/health", prefix(member)));
            if member.has_ui {
                paths.push(format!("{}/ui/", prefix(member)));
            }
        }
        if paths.is_empty() {
            paths.push("/synth-000/ping".to_owned());
        }
        let spec = LoadSpec::new(plugin.socket_path(), paths, host_headers(&plugin)?, StatusCode::OK, profile);
        let _ = load::run(&spec).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let loaded = Memory::of(pid(&plugin)?)?;
        let _ = plugin.kill().await;
        let members = planned.members.iter().map(|m| m.name.clone()).collect();
        steps.push(Step { kind: planned.kind, members, idle, loaded });
    }
    Ok(steps)
}

/// Rows: the runtime, each member's marginal memory alone and as it joins, and the composite against the runtime
/// plus every marginal.
pub fn rows(steps: &[Step]) -> Vec<Row> {
    let Some(runtime) = steps.iter().find(|s| s.kind == Kind::Runtime) else { return Vec::new() };
    let mut rows =
        vec![Row::plain("9", "runtime + 1 synthetic member: settled after start / after load", pair(runtime))];
    let splits: Vec<&Step> = steps.iter().filter(|s| s.kind == Kind::Split).collect();
    for split in &splits {
        rows.push(Row::plain(
            "9",
            format!(
                "marginal memory of {} (split mode − runtime): settled after start / after load",
                split.members.join(", ")
            ),
            deltas(split, runtime),
        ));
    }
    let mut before = runtime;
    for step in steps.iter().filter(|s| matches!(s.kind, Kind::FirstK | Kind::Composite)) {
        if before.kind != Kind::Runtime || step.kind == Kind::FirstK {
            let added: Vec<&str> =
                step.members.iter().filter(|m| !before.members.contains(m)).map(String::as_str).collect();
            rows.push(Row::plain(
                "9",
                format!("marginal memory of {} joining {} member(s)", added.join(" + "), before.members.len()),
                deltas(step, before),
            ));
        }
        before = step;
    }
    if let Some(composite) = steps.iter().find(|s| s.kind == Kind::Composite) {
        let sum =
            |f: fn(&Step) -> u64| f(runtime) + splits.iter().map(|s| f(s).saturating_sub(f(runtime))).sum::<u64>();
        let (idle, loaded) = (sum(|s| s.idle.rss), sum(|s| s.loaded.rss));
        rows.push(Row::versus(
            "9",
            format!(
                "composite ({} members) vs runtime + the members' marginals: settled after start / after load",
                composite.members.len()
            ),
            format!("{} / {}", mib(composite.idle.rss), mib(composite.loaded.rss)),
            format!("{} / {}", mib(idle), mib(loaded)),
            ratio(composite.loaded.rss as f64, loaded as f64),
        ));
    }
    rows
}

fn pair(step: &Step) -> String {
    let split = |m: Memory| format!("{} (anon {}, file {})", shown(m), mib(m.anon), mib(m.file));
    format!("{} / {}", split(step.idle), split(step.loaded))
}

/// What `step` adds over `base`: RSS settled after start / after load, with its anonymous and file-backed parts.
fn deltas(step: &Step, base: &Step) -> String {
    format!(
        "RSS {} / {} (anonymous {} / {}, file-backed {} / {})",
        delta(step.idle.rss, base.idle.rss),
        delta(step.loaded.rss, base.loaded.rss),
        delta(step.idle.anon, base.idle.anon),
        delta(step.loaded.anon, base.loaded.anon),
        delta(step.idle.file, base.idle.file),
        delta(step.loaded.file, base.loaded.file),
    )
}

/// `+1.2 MiB` (or `-0.3 MiB`).
fn delta(now: u64, before: u64) -> String {
    match now.checked_sub(before) {
        Some(up) => format!("+{}", mib(up)),
        None => format!("-{}", mib(before - now)),
    }
}
