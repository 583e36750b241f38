//! Starting members: each `on_start` runs on its own task with a deadline; a failure or panic marks only that
//! member failed (its routes answer 503 naming the cause) while the others serve.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use temps_bundle_protocol::PluginManifest;

use super::compose::MemberEntry;
use super::dispatch::{MemberService, member_service};
use super::error::StartError;
use crate::channel::Scope;
use crate::context::{Context, LaunchFacts};
use crate::isolation::MemberIsolation;
use crate::panic::panic_message;
use crate::plugin::Started;

/// How long a member's `on_start` may take unless `TEMPS_BUNDLE_START_TIMEOUT_MS` says otherwise
/// (the host waits 30 s for the ready line).
pub(crate) const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A member after start-up, running or failed.
pub(crate) struct MemberSlot {
    pub name: String,
    pub manifest: PluginManifest,
    pub ui: Option<Router>,
    pub state: MemberState,
    /// Limits, metrics and the kill switch.
    pub isolation: Arc<MemberIsolation>,
}

/// Whether a member is serving.
pub(crate) enum MemberState {
    /// `on_start` succeeded; `service` is its router with the per-member layers, built once.
    Running { started: Arc<dyn Started>, service: MemberService, ctx: Context },
    /// `on_start` or router construction failed; the cause's `Display` is shown in 503s, `/health` and the manifest.
    Failed { cause: StartError },
}

impl MemberSlot {
    /// `"running"`, `"disabled"` (by an administrator) or `"failed"`.
    pub(crate) fn status(&self) -> &'static str {
        match self.state {
            MemberState::Running { .. } if self.is_disabled() => "disabled",
            MemberState::Running { .. } => "running",
            MemberState::Failed { .. } => "failed",
        }
    }

    /// Whether an administrator has disabled the member.
    pub(crate) fn is_disabled(&self) -> bool {
        self.isolation.switch.is_disabled()
    }

    /// The failure cause as shown to people, if failed.
    pub(crate) fn error(&self) -> Option<String> {
        match &self.state {
            MemberState::Running { .. } => None,
            MemberState::Failed { cause } => Some(cause.to_string()),
        }
    }

    /// The member's supervised background tasks (none if it failed to start).
    pub(crate) fn tasks(&self) -> Vec<crate::tasks::TaskStatus> {
        match &self.state {
            MemberState::Running { ctx, .. } => ctx.tasks(),
            MemberState::Failed { .. } => Vec::new(),
        }
    }

    /// The started member, if running.
    pub(crate) fn started(&self) -> Option<&Arc<dyn Started>> {
        match &self.state {
            MemberState::Running { started, .. } => Some(started),
            MemberState::Failed { .. } => None,
        }
    }
}

/// Starts every member concurrently. `data_dir_of` maps a member name to its data directory, `isolation_of` to its
/// limits and kill switch.
pub(crate) async fn start_members(
    entries: &[MemberEntry],
    data_dir_of: impl Fn(&str) -> PathBuf,
    isolation_of: impl Fn(&str) -> Arc<MemberIsolation>,
    facts: &LaunchFacts,
) -> Vec<MemberSlot> {
    let deadline = start_timeout();
    let starts = entries.iter().map(|entry| {
        let isolation = isolation_of(&entry.name);
        start_member(entry.clone(), data_dir_of(&entry.name), isolation, facts.clone(), deadline)
    });
    futures_util::future::join_all(starts).await
}

fn start_timeout() -> Duration {
    super::knobs::env_duration("TEMPS_BUNDLE_START_TIMEOUT_MS", DEFAULT_START_TIMEOUT)
}

async fn start_member(
    entry: MemberEntry,
    data_dir: PathBuf,
    isolation: Arc<MemberIsolation>,
    mut facts: LaunchFacts,
    deadline: Duration,
) -> MemberSlot {
    let ui = entry.member.ui().map(crate::ui::ui_router);
    let state = match start_state(&entry, data_dir, &isolation, &mut facts, deadline).await {
        Ok(state) => state,
        Err(cause) => {
            tracing::error!(member = %entry.name, %cause, "member failed to start; its routes answer 503");
            MemberState::Failed { cause }
        }
    };
    if let MemberState::Running { .. } = state {
        tracing::info!(member = %entry.name, version = %entry.manifest.version, "member started");
    }
    MemberSlot { name: entry.name, manifest: entry.manifest, ui, state, isolation }
}

async fn start_state(
    entry: &MemberEntry,
    data_dir: PathBuf,
    isolation: &Arc<MemberIsolation>,
    facts: &mut LaunchFacts,
    deadline: Duration,
) -> Result<MemberState, StartError> {
    tokio::fs::create_dir_all(&data_dir)
        .await
        .map_err(|source| StartError::CreateDataDir { path: data_dir.clone(), source })?;
    // Only members that asked for them see the host's database URL and data dir.
    if !entry.manifest.requires_db {
        facts.database_url = None;
    }
    if !entry.manifest.requires_host_data_access {
        facts.host_data_dir = None;
    }
    let ctx = Context::for_member(data_dir, facts.clone(), Scope::of(&entry.manifest), isolation.clone());
    let mut task = tokio::spawn(entry.member.clone().start(ctx.clone()));
    let started = match tokio::time::timeout(deadline, &mut task).await {
        Err(_) => {
            // A detached on_start would go on opening stores and spawning tasks for a member marked failed.
            task.abort();
            return Err(StartError::Timeout { after: deadline });
        }
        Ok(Err(join)) if join.is_panic() => {
            return Err(StartError::Panicked { message: panic_message(join.into_panic().as_ref()) });
        }
        Ok(Err(join)) => return Err(StartError::Cancelled { detail: join.to_string() }),
        Ok(Ok(Err(error))) => return Err(StartError::Failed(error)),
        Ok(Ok(Ok(started))) => started,
    };
    let router: Router = std::panic::catch_unwind(AssertUnwindSafe(|| started.router()))
        .map_err(|payload| StartError::RouterPanicked { message: panic_message(payload.as_ref()) })?;
    Ok(MemberState::Running { started, service: member_service(isolation, router), ctx })
}
