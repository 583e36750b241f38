//! A plugin-shaped crate built against the SDK's documented boundary only (`prelude`, `extract`, `channel`,
//! `protocol`, `testing`, `include_dir`), tested with `temps_bundle_sdk::testing` the way a plugin author would.
//! It compiling is the check that the boundary is enough to write a member; the tests check the harness serves it
//! the way the bundle does.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::routing::get;
use serde_json::{Value, json};
use temps_bundle_sdk::channel::ChannelError;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::include_dir::{Dir, include_dir};
use temps_bundle_sdk::prelude::*;
use temps_bundle_sdk::protocol::{ChannelErrorCode, Method};
use temps_bundle_sdk::testing::{ChannelCall, StartFailed, TestMember, event};

static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests-fixtures/ui");

/// Counts: `POST /count` (admins) adds, every deployment event adds one, `GET /count` reads.
#[derive(Default)]
struct Tally;

#[derive(Clone, Default)]
struct TallyState {
    count: Arc<AtomicI64>,
}

#[derive(serde::Deserialize)]
struct Add {
    by: i64,
}

impl Plugin for Tally {
    type State = TallyState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("tally", "0.1.0")
            .public_path("/badge")
            .event("deployment.*")
            .host_permission(HostPermission::ProjectsRead)
            .host_permission(HostPermission::EventsRead)
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<TallyState, BoxError> {
        tokio::fs::write(ctx.data_dir().join("started"), b"yes").await?;
        Ok(TallyState::default())
    }

    #[allow(clippy::panic, reason = "`/boom` panics on purpose")]
    fn router(&self, ctx: &Context, state: TallyState) -> Router {
        let temps = ctx.temps().clone();
        let temps_too = temps.clone();
        Router::new()
            .route(
                "/count",
                get(|caller: Caller, axum::extract::State(state): axum::extract::State<TallyState>| async move {
                    let user = caller.require_role(&["admin", "reader"])?;
                    Ok::<_, Problem>(Json(json!({ "count": state.count.load(Ordering::SeqCst), "user": user.email })))
                })
                .post(
                    |caller: Caller,
                     axum::extract::State(state): axum::extract::State<TallyState>,
                     Json(add): Json<Add>| async move {
                        caller.require_admin()?;
                        let count = state.count.fetch_add(add.by, Ordering::SeqCst) + add.by;
                        Ok::<_, Problem>((axum::http::StatusCode::CREATED, Json(json!({ "count": count }))))
                    },
                ),
            )
            .route("/badge", get(|caller: Caller| async move { format!("anonymous: {}", caller.user().is_err()) }))
            .route(
                "/projects",
                get(move || async move {
                    match temps.list_projects().await {
                        Ok(projects) => {
                            Json(json!({ "names": projects.iter().map(|p| p.name.clone()).collect::<Vec<_>>() }))
                        }
                        Err(error) => Json(json!({ "error": error.to_string(), "not_found": error.is_not_found() })),
                    }
                }),
            )
            .route(
                "/deployments",
                get(move || async move {
                    let refused = temps_too.list_deployments(1, None, None).await;
                    let denied = matches!(refused, Err(ChannelError::PermissionDenied { .. }));
                    Json(json!({ "denied": denied }))
                }),
            )
            .route(
                "/boom",
                get(|| async {
                    if true {
                        panic!("exploded");
                    }
                    "never"
                }),
            )
            .with_state(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &TallyState, event: PluginEvent) {
        state.count.fetch_add(1, Ordering::SeqCst);
        tracing::info!(event = %event.event_type, "tally counted an event");
    }

    fn ui(&self) -> Option<&'static Dir<'static>> {
        Some(&UI)
    }
}

#[tokio::test]
async fn callers_are_authenticated_and_roles_enforced_as_in_the_bundle() {
    let tally = TestMember::start(Tally).await;
    let added = tally.as_admin().post("/count", json!({ "by": 5 })).await;
    assert_eq!((added.status(), added.json()), (201, json!({ "count": 5 })), "{added}");
    let read = tally.as_role("reader").get("/count").await;
    assert_eq!(read.json(), json!({ "count": 5, "user": "reader@example.com" }));
    assert_eq!(tally.as_role("reader").post("/count", json!({ "by": 1 })).await.status(), 403);
    assert_eq!(tally.as_role("user").get("/count").await.status(), 403);
    let anonymous = tally.anonymous().get("/count").await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.json()["type"], temps_bundle_sdk::protocol::headers::AUTH_REQUIRED_PROBLEM);
    let unsigned = tally.unsigned().get("/count").await;
    assert_eq!(unsigned.json()["detail"], "the x-temps-auth-signature header is missing");
    let bad_body = tally.as_admin().post("/count", json!({ "by": "five" })).await;
    assert_eq!(bad_body.status(), 422, "{bad_body}");
    assert_eq!(bad_body.header("content-type"), Some("application/problem+json"));
}

#[tokio::test]
async fn the_sdk_serves_health_ui_public_paths_and_guards_panics() {
    let tally = TestMember::start(Tally).await;
    let health = tally.unsigned().get("/health").await;
    assert_eq!((health.status(), &health.json()["member"]), (200, &json!("tally")));
    let ui = tally.as_admin().get("/ui/").await;
    assert_eq!(ui.status(), 200);
    assert!(ui.header("content-type").is_some_and(|t| t.starts_with("text/html")), "{ui}");
    assert_eq!(tally.unsigned().get("/ui/").await.status(), 401, "the UI needs the host's signature");
    assert_eq!(tally.unsigned().get("/badge").await.text(), "anonymous: true");
    let boom = tally.as_admin().get("/boom").await;
    assert_eq!((boom.status(), &boom.json()["type"]), (500, &json!("urn:temps-bundle:problem:internal")));
    assert_eq!(tally.as_admin().get("/count").await.status(), 200, "still serving after a panic");
    assert!(tally.data_dir().join("started").exists(), "on_start ran in the member's own data directory");
    assert!(tally.data_dir().starts_with(tally.root_dir()));
}

#[tokio::test]
async fn channel_calls_are_scoped_by_the_manifest_and_answered_by_the_script() {
    let tally = TestMember::builder(Tally)
        .answer(
            Method::ListProjects,
            json!([{ "id": 1, "name": "web", "slug": "web", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z" }]),
        )
        .start()
        .await;
    assert_eq!(tally.as_admin().get("/projects").await.json(), json!({ "names": ["web"] }));
    assert_eq!(tally.as_admin().get("/deployments").await.json(), json!({ "denied": true }));
    let calls = tally.channel_calls();
    assert_eq!(calls, [ChannelCall { method: "list_projects".into(), params: json!({}) }], "refused calls never leave");

    let failing =
        TestMember::builder(Tally).fail(Method::ListProjects, ChannelErrorCode::NotFound, "gone").start().await;
    assert_eq!(failing.as_admin().get("/projects").await.json()["not_found"], true);
    let unscripted = TestMember::start(Tally).await.as_admin().get("/projects").await.json();
    let error = unscripted["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("method_not_found") && error.contains("no answer for list_projects"), "{error}");
}

#[tokio::test]
async fn events_go_through_the_bus_subscriptions_and_dedupe() {
    let tally = TestMember::start(Tally).await;
    let deployed = event("deployment.succeeded", json!({ "project_id": 7 }));
    assert_eq!(deployed.project_id, Some(7));
    assert!(tally.event(deployed.clone()).await);
    assert!(!tally.event(deployed).await, "the same id is delivered once");
    assert!(!tally.event(event("project.created", Value::Null)).await, "not subscribed");
    assert_eq!(tally.state().count.load(Ordering::SeqCst), 1, "on_event finished before event() returned");
}

#[derive(Default)]
struct Unready;

impl Plugin for Unready {
    type State = ();
    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("unready", "1.0.0").build()
    }
    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Err("the database is unreachable".into())
    }
    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
    }
}

#[tokio::test]
async fn a_failing_start_is_reported_with_the_cause_the_503_would_show() {
    let Err(failed) = TestMember::builder(Unready).try_start().await else { panic!("Unready started") };
    assert!(matches!(failed, StartFailed::Start(_)), "{failed}");
    assert_eq!(failed.to_string(), "the member failed to start: on_start failed: the database is unreachable");
}
