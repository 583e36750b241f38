//! Starting members: each `on_start` runs on its own task with a deadline; a failure or panic marks only that
//! member failed (its routes answer 503 naming the cause) while the others serve.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::response::{IntoResponse, Response};
use temps_bundle_protocol::PluginManifest;
use tower_http::catch_panic::CatchPanicLayer;

use super::compose::MemberEntry;
use super::logging::panic_message;
use crate::channel::Scope;
use crate::context::{Context, LaunchFacts};
use crate::plugin::Started;
use crate::problem::Problem;

/// How long a member's `on_start` may take unless `TEMPS_BUNDLE_START_TIMEOUT_MS` says otherwise
/// (the host waits 30 s for the ready line).
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A member after start-up, running or failed.
pub struct MemberSlot {
    pub name: String,
    pub manifest: PluginManifest,
    pub ui: Option<Router>,
    pub state: MemberState,
}

/// Whether a member is serving.
pub enum MemberState {
    /// `on_start` succeeded; `router` has the panic guard applied.
    Running { started: Arc<dyn Started>, router: Router, ctx: Context },
    /// `on_start` or router construction failed; `cause` is shown in 503s, `/health` and the manifest.
    Failed { cause: String },
}

impl MemberSlot {
    /// `"running"` or `"failed"`.
    pub fn status(&self) -> &'static str {
        match self.state {
            MemberState::Running { .. } => "running",
            MemberState::Failed { .. } => "failed",
        }
    }

    /// The failure cause, if failed.
    pub fn error(&self) -> Option<&str> {
        match &self.state {
            MemberState::Running { .. } => None,
            MemberState::Failed { cause } => Some(cause),
        }
    }

    /// The member's supervised background tasks (none if it failed to start).
    pub fn tasks(&self) -> Vec<crate::tasks::TaskStatus> {
        match &self.state {
            MemberState::Running { ctx, .. } => ctx.tasks(),
            MemberState::Failed { .. } => Vec::new(),
        }
    }

    /// The started member, if running.
    pub fn started(&self) -> Option<&Arc<dyn Started>> {
        match &self.state {
            MemberState::Running { started, .. } => Some(started),
            MemberState::Failed { .. } => None,
        }
    }
}

/// Starts every member concurrently. `data_dir_of` maps a member name to its data directory.
pub async fn start_members(
    entries: &[MemberEntry],
    data_dir_of: impl Fn(&str) -> PathBuf,
    facts: &LaunchFacts,
) -> Vec<MemberSlot> {
    let deadline = start_timeout();
    let starts =
        entries.iter().map(|entry| start_member(entry.clone(), data_dir_of(&entry.name), facts.clone(), deadline));
    futures_util::future::join_all(starts).await
}

fn start_timeout() -> Duration {
    super::knobs::env_duration("TEMPS_BUNDLE_START_TIMEOUT_MS", DEFAULT_START_TIMEOUT)
}

async fn start_member(entry: MemberEntry, data_dir: PathBuf, mut facts: LaunchFacts, deadline: Duration) -> MemberSlot {
    let ui = entry.member.ui().map(crate::ui::ui_router);
    let state = match start_state(&entry, data_dir, &mut facts, deadline).await {
        Ok(state) => state,
        Err(cause) => {
            tracing::error!(member = %entry.name, %cause, "member failed to start; its routes answer 503");
            MemberState::Failed { cause }
        }
    };
    if let MemberState::Running { .. } = state {
        tracing::info!(member = %entry.name, version = %entry.manifest.version, "member started");
    }
    MemberSlot { name: entry.name, manifest: entry.manifest, ui, state }
}

async fn start_state(
    entry: &MemberEntry,
    data_dir: PathBuf,
    facts: &mut LaunchFacts,
    deadline: Duration,
) -> Result<MemberState, String> {
    tokio::fs::create_dir_all(&data_dir)
        .await
        .map_err(|e| format!("cannot create data directory {}: {e}", data_dir.display()))?;
    // Only members that asked for them see the host's database URL and data dir.
    if !entry.manifest.requires_db {
        facts.database_url = None;
    }
    if !entry.manifest.requires_host_data_access {
        facts.host_data_dir = None;
    }
    let ctx = Context::new(&entry.name, data_dir, facts.clone(), Scope::of(&entry.manifest));
    let mut task = tokio::spawn(entry.member.clone().start(ctx.clone()));
    let started = match tokio::time::timeout(deadline, &mut task).await {
        Err(_) => {
            // A detached on_start would go on opening stores and spawning tasks for a member marked failed.
            task.abort();
            return Err(format!("on_start did not finish within {} ms", deadline.as_millis()));
        }
        Ok(Err(join)) if join.is_panic() => {
            return Err(format!("on_start panicked: {}", panic_message(join.into_panic().as_ref())));
        }
        Ok(Err(join)) => return Err(format!("on_start was cancelled: {join}")),
        Ok(Ok(Err(error))) => return Err(format!("on_start failed: {error}")),
        Ok(Ok(Ok(started))) => started,
    };
    let router = std::panic::catch_unwind(AssertUnwindSafe(|| started.router()))
        .map_err(|payload| format!("building its router panicked: {}", panic_message(payload.as_ref())))?;
    Ok(MemberState::Running { started, router: guard_panics(&entry.name, router), ctx })
}

/// Wraps a member router so a panicking handler answers 500 problem+json instead of dropping the connection.
fn guard_panics(member: &str, router: Router) -> Router {
    let member = member.to_owned();
    router.layer(CatchPanicLayer::custom(move |payload: Box<dyn std::any::Any + Send>| -> Response {
        tracing::error!(%member, panic = %panic_message(payload.as_ref()), "a request handler panicked");
        Problem::internal().into_response()
    }))
}
