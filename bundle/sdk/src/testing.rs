//! Test one member in-process, served exactly as the bundle serves it (feature `testing`, for dev-dependencies).
//!
//! [`TestMember::start`] runs the member's `on_start` the way the engine does (its own data directory in a
//! temporary directory, its manifest's channel scope, the start deadline) and serves it through the engine's own
//! dispatch, as a member served alone: every request is checked for the host's signature and the caller's
//! identity, `/health` and `/ui/` are the SDK's, a panicking handler answers 500. You then call it as somebody:
//!
//! ```
//! # use temps_bundle_sdk::prelude::*;
//! # use axum::routing::post;
//! # #[derive(Default)] struct Notify;
//! # impl Plugin for Notify {
//! #     type State = ();
//! #     fn manifest(&self) -> PluginManifest { ManifestBuilder::new("notify", "1.0.0").build() }
//! #     async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> { Ok(()) }
//! #     fn router(&self, _ctx: &Context, _state: ()) -> Router {
//! #         Router::new().route("/targets", post(|caller: Caller| async move {
//! #             caller.require_admin()?;
//! #             Ok::<_, Problem>((axum::http::StatusCode::CREATED, axum::Json(serde_json::json!({"id": 1}))))
//! #         }))
//! #     }
//! # }
//! use serde_json::json;
//! use temps_bundle_sdk::testing::TestMember;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let notify = TestMember::start(Notify).await;
//! let created = notify.as_admin().post("/targets", json!({ "name": "ops" })).await;
//! assert_eq!(created.status(), 201, "{created}");
//! assert_eq!(created.json()["id"], 1);
//! assert_eq!(notify.as_role("reader").post("/targets", json!({})).await.status(), 403);
//! assert_eq!(notify.anonymous().get("/targets").await.status(), 401);
//! # }
//! ```
//!
//! What else a test can do:
//! - **callers**: [`TestMember::as_admin`], [`TestMember::as_role`], [`TestMember::as_user`] (a signed-in user),
//!   [`TestMember::anonymous`] (signed by the host, no user: what public paths see), [`TestMember::unsigned`] (no
//!   signature at all, e.g. a request that did not come through the host);
//! - **the channel**: calls from `ctx.temps()` are scoped by the member's manifest as in production and answered
//!   by a scripted host: [`TestMember::builder`] then [`Builder::answer`], [`Builder::answer_with`] or
//!   [`Builder::fail`]; an unscripted method answers `method_not_found`. [`TestMember::channel_calls`] lists what
//!   the member asked;
//! - **events**: [`TestMember::event`] delivers a [`PluginEvent`] through the bundle's event bus (subscription
//!   match, de-duplication by id) and waits for `on_event` to finish; [`event`] builds one;
//! - **the member itself**: [`TestMember::state`] (what `on_start` returned, typed), [`TestMember::context`],
//!   [`TestMember::data_dir`], [`TestMember::tasks`], [`TestMember::shutdown`];
//! - **code that takes a `&Context`** without serving anything (a store, a worker): [`context`], [`tasks`];
//! - **the bundle's memory release** (every 30 s in a running bundle): [`run_memory_release_hooks`] runs what kits
//!   registered with [`crate::memory::on_release`];
//! - **the committed `openapi.json`**: [`assert_openapi_current`] fails when it is not the document the code derives.
//!
//! A member whose `on_start` fails makes [`TestMember::start`] panic with the cause; use [`Builder::try_start`]
//! to test the failure itself.

mod client;
mod host;
mod openapi;
mod response;
#[cfg(test)]
mod tests;

use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use temps_bundle_protocol::{CallError, ChannelErrorCode, Generation, Method, PluginEvent, PluginManifest};
use tokio::sync::watch;

pub use client::TestClient;
pub use host::ChannelCall;
pub use openapi::assert_openapi_current;
pub use response::TestResponse;

pub use crate::tasks::{TaskState, TaskStatus};

use crate::caller::User;
use crate::channel::{ChannelHub, Scope};
use crate::context::{Context, LaunchFacts};
use crate::engine::assemble::{Assembly, Parts, assemble};
use crate::engine::compose::Composition;
use crate::engine::openapi::openapi_json;
use crate::engine::signature::HostSecret;
use crate::engine::start::{MemberSlot, MemberState, start_members};
use crate::isolation::MemberIsolation;
use crate::plugin::{Erased, Member, Plugin};
use host::{Responder, ScriptedHost};

/// The secret the test host signs requests with.
const TEST_SECRET: &str = "temps-bundle-sdk-testing-secret-0123456789";
/// How long a channel call waits for the scripted host's answer (it answers at once; this only bounds a bug).
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`TestMember::shutdown`] waits for the member's tasks to stop (they stop at their next poll; this
/// only bounds a bug, generously for a loaded machine).
pub const TASK_STOP_DEADLINE: Duration = Duration::from_secs(10);

/// One member started in-process. Dropping it stops nothing explicitly: its tasks end with the test's runtime.
pub struct TestMember<P: Plugin> {
    assembly: Assembly,
    slot: Arc<MemberSlot>,
    host: Arc<ScriptedHost>,
    shutdown: watch::Sender<bool>,
    dir: tempfile::TempDir,
    _plugin: PhantomData<fn() -> P>,
}

/// Why [`Builder::try_start`] could not start the member.
#[derive(Debug, thiserror::Error)]
pub enum StartFailed {
    /// The manifest breaks a composition rule (name, version, paths, host permissions).
    #[error("the member would not be accepted into a bundle: {0}")]
    Composition(String),
    /// `on_start` failed, panicked or timed out; the text is what its 503s would say.
    #[error("the member failed to start: {0}")]
    Start(String),
    #[error("cannot create the test's data directory: {0}")]
    DataDir(std::io::Error),
}

/// Sets up a [`TestMember`]: the scripted host's answers, then [`Builder::start`].
pub struct Builder<P: Plugin> {
    plugin: P,
    answers: Vec<(String, Responder)>,
}

impl<P: Plugin> TestMember<P> {
    /// Starts `plugin` with a scripted host that answers no channel call (every call gets `method_not_found`).
    /// Panics with the cause if the member cannot start.
    pub async fn start(plugin: P) -> Self {
        Self::builder(plugin).start().await
    }

    /// A builder, to script the host's channel answers first.
    pub fn builder(plugin: P) -> Builder<P> {
        Builder { plugin, answers: Vec::new() }
    }

    /// Calls as a signed-in admin (`id` 1, `admin@example.com`, role `admin`).
    pub fn as_admin(&self) -> TestClient<'_> {
        self.as_role("admin")
    }

    /// Calls as a signed-in user with `role` (`id` 2, `<role>@example.com`).
    pub fn as_role(&self, role: &str) -> TestClient<'_> {
        let id = if role == "admin" { 1 } else { 2 };
        self.as_user(User {
            id,
            email: format!("{role}@example.com"),
            role: role.to_owned(),
            permissions: Vec::new(),
            actor_token: None,
        })
    }

    /// Calls as `user`. When the manifest declares capabilities, an actor token is sent as a host would (the
    /// user's own, or `test-actor-token`).
    pub fn as_user(&self, mut user: User) -> TestClient<'_> {
        if !self.slot.manifest.capabilities.is_empty() && user.actor_token.is_none() {
            user.actor_token = Some("test-actor-token".to_owned());
        }
        TestClient::new(&self.assembly.service, Some(TEST_SECRET), Some(user))
    }

    /// Calls signed by the host but with no user: what a public path sees from a visitor.
    pub fn anonymous(&self) -> TestClient<'_> {
        TestClient::new(&self.assembly.service, Some(TEST_SECRET), None)
    }

    /// Calls without the host's signature: a request that did not come through the host.
    pub fn unsigned(&self) -> TestClient<'_> {
        TestClient::new(&self.assembly.service, None, None)
    }

    /// The short form for table-like tests: one `GET`, `DELETE`, `PATCH`, `PUT` or (any other method) `POST`
    /// (any case, so a route table's `"get"` works) as a user with `role` (`None`: signed by the host, no user),
    /// the body as JSON (`null` when `None`; none for `GET` and `DELETE`). Answers the status and the answer's JSON
    /// (`null` when it is not JSON).
    pub async fn call(&self, method: &str, path: &str, role: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let client = match role {
            Some(role) => self.as_role(role),
            None => self.anonymous(),
        };
        let body = body.unwrap_or(Value::Null);
        let response = match method.to_ascii_uppercase().as_str() {
            "GET" => client.get(path).await,
            "DELETE" => client.delete(path).await,
            "PATCH" => client.patch(path, body).await,
            "PUT" => client.put(path, body).await,
            _ => client.post(path, body).await,
        };
        let json = serde_json::from_slice(response.bytes()).unwrap_or(Value::Null);
        (StatusCode::from_u16(response.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), json)
    }

    /// Delivers `event` as the host would push it, waits for `on_event` to finish, and says whether the member
    /// got it (false: no subscription matches, or an event with the same id was delivered before).
    pub async fn event(&self, event: PluginEvent) -> bool {
        let deliveries = self.assembly.bus.dispatch_tracked(event);
        let delivered = !deliveries.is_empty();
        for (_, task) in deliveries {
            // A panicking handler is logged by the bus, as in production; the test sees its effects (or not).
            let _ = task.await;
        }
        delivered
    }

    /// Every channel call that reached the host so far, in order. Calls the member's scope refused are not
    /// among them: they never leave the member, as in production.
    pub fn channel_calls(&self) -> Vec<ChannelCall> {
        self.host.calls()
    }

    /// What `on_start` returned.
    pub fn state(&self) -> &P::State {
        let state = self.started().map(|started| started.state().downcast_ref::<P::State>());
        match state {
            Some(Some(state)) => state,
            // `start` returns only running members, and the state is the plugin's own type by construction.
            _ => unreachable!("a started TestMember holds its plugin's state"),
        }
    }

    /// The member's context (its data directory, channel client, supervised tasks).
    pub fn context(&self) -> &Context {
        match &self.slot.state {
            MemberState::Running { ctx, .. } => ctx,
            MemberState::Failed { .. } => unreachable!("a started TestMember is running"),
        }
    }

    /// The member's supervised tasks and how they are doing (what `/health` reports).
    pub fn tasks(&self) -> Vec<TaskStatus> {
        self.context().tasks()
    }

    /// The member's data directory (inside a temporary directory removed with the `TestMember`).
    pub fn data_dir(&self) -> &Path {
        self.context().data_dir()
    }

    /// The temporary directory holding the member's data directory.
    pub fn root_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Shuts the member down as a SIGTERM would: `shutdown_requested()` resolves, then `on_shutdown` runs. When it
    /// returns, every supervised task has stopped, so a test can then use the member's state (its store) knowing
    /// no background work (a worker sending, a pruner deleting) runs beside it. Panics if a task is still running
    /// after [`TASK_STOP_DEADLINE`].
    pub async fn shutdown(&self) {
        let _ = self.shutdown.send(true);
        if let Some(started) = self.started() {
            started.on_shutdown().await;
        }
        let started = tokio::time::Instant::now();
        loop {
            let running: Vec<String> = self
                .tasks()
                .into_iter()
                .filter(|task| matches!(task.state, TaskState::Running | TaskState::Restarting | TaskState::Disabled))
                .map(|task| task.name)
                .collect();
            if running.is_empty() {
                return;
            }
            if started.elapsed() > TASK_STOP_DEADLINE {
                #[allow(clippy::panic, reason = "a task that ignores shutdown fails the test, naming it")]
                {
                    panic!("tasks still running {TASK_STOP_DEADLINE:?} after shutdown: {running:?}");
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn started(&self) -> Option<&Arc<dyn crate::plugin::Started>> {
        self.slot.started()
    }
}

impl<P: Plugin> Builder<P> {
    /// The host answers every `method` call with `result`.
    pub fn answer(self, method: Method, result: impl Serialize) -> Self {
        let result = serde_json::to_value(result).map_err(|e| CallError {
            code: ChannelErrorCode::Internal,
            message: format!("the test's scripted answer does not serialize: {e}"),
        });
        self.answer_with(method, move |_params| result.clone())
    }

    /// The host answers `method` calls by running `answer` on their parameters.
    pub fn answer_with(
        mut self,
        method: Method,
        answer: impl Fn(&Value) -> Result<Value, CallError> + Send + Sync + 'static,
    ) -> Self {
        self.answers.push((method.as_str().to_owned(), Arc::new(answer)));
        self
    }

    /// The host answers every `method` call with the error `code` and `message`.
    pub fn fail(self, method: Method, code: ChannelErrorCode, message: &str) -> Self {
        let error = CallError { code, message: message.to_owned() };
        self.answer_with(method, move |_params| Err(error.clone()))
    }

    /// Starts the member; panics with the cause if it cannot start.
    pub async fn start(self) -> TestMember<P> {
        match self.try_start().await {
            Ok(member) => member,
            #[allow(clippy::panic, reason = "a member that cannot start fails the test, with the cause")]
            Err(failed) => panic!("{failed}"),
        }
    }

    /// Starts the member, or says why it could not.
    pub async fn try_start(self) -> Result<TestMember<P>, StartFailed> {
        let member: Arc<dyn Member> = Arc::new(Erased(self.plugin));
        let name = member.manifest().name;
        let set = Composition::validate(vec![(std::any::type_name::<P>(), member)], &[name.as_str()])
            .map_err(|e| StartFailed::Composition(e.to_string()))?;
        let dir = tempfile::tempdir().map_err(StartFailed::DataDir)?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let channel = Arc::new(ChannelHub::with_timeouts(Generation::B, CALL_TIMEOUT, CALL_TIMEOUT));
        let facts = LaunchFacts {
            generation: Generation::B,
            database_url: None,
            host_data_dir: None,
            shutdown: shutdown_rx,
            channel: channel.clone(),
        };
        let root = dir.path().to_owned();
        let slots = start_members(&set.members, |member| root.join(member), MemberIsolation::standalone, &facts).await;
        if let Some(cause) = slots.first().and_then(MemberSlot::error) {
            return Err(StartFailed::Start(cause));
        }
        let openapi = set.members.first().and_then(|entry| entry.member.openapi()).as_ref().map(openapi_json);
        let assembly = assemble(Parts {
            slots,
            secret: HostSecret::required(TEST_SECRET),
            channel: channel.clone(),
            composite: None,
            shell_ui: None,
            openapi,
            switch_store: None,
        });
        // As after `ready`: the host opens the channel.
        channel.mark_ready();
        let host = ScriptedHost::connect(channel, self.answers);
        let Some(slot) = assembly.app.dispatch.members().first().cloned() else {
            unreachable!("one member was started");
        };
        Ok(TestMember { assembly, slot, host, shutdown, dir, _plugin: PhantomData })
    }
}

/// Runs the memory-release hooks once, as a running bundle does right after `ready` and then every 30 s (the heap
/// trim and the code drop that follow them in a bundle are left out: they are the process's, not the test's).
/// Returns how many hooks ran.
pub async fn run_memory_release_hooks() -> usize {
    crate::memory::run_hooks().await
}

/// A context for unit tests of code that takes a `&Context` (a store, a worker) without starting a member: the
/// scope `manifest` declares, `data_dir` as the member's directory, a shutdown that never comes, and a channel that
/// never connects (calls fail with `not connected` after a short wait). Prefer [`TestMember`] for anything served.
pub fn context(manifest: &PluginManifest, data_dir: PathBuf) -> Context {
    Context::for_tests(&manifest.name, data_dir, Scope::of(manifest))
}

/// The supervised tasks `ctx.spawn` started, and how they are doing (what `/health` reports).
pub fn tasks(ctx: &Context) -> Vec<TaskStatus> {
    ctx.tasks()
}

/// An event of `event_type` with `data`, a fresh id (`test-event-<n>`), a fixed timestamp
/// (`2026-01-01T00:00:00Z`; set another with struct update syntax) and `project_id` taken from `data`.
pub fn event(event_type: &str, data: Value) -> PluginEvent {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let data = match data {
        Value::Object(map) => map,
        Value::Null => serde_json::Map::new(),
        other => serde_json::Map::from_iter([("value".to_owned(), other)]),
    };
    PluginEvent {
        id: format!("test-event-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        event_type: event_type.to_owned(),
        timestamp: "2026-01-01T00:00:00Z".to_owned(),
        project_id: data.get("project_id").and_then(Value::as_i64),
        data,
    }
}
