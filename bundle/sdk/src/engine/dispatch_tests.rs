//! Dispatch over `oneshot`: real members started by `start_members`, requests through `BundleService` as the
//! socket would hand them over.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Request};
use axum::http::StatusCode;
use axum::routing::get;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use temps_bundle_protocol::headers::{AUTH_REQUIRED_PROBLEM, AUTH_SIGNATURE, USER_EMAIL, USER_ID, USER_ROLE};
use temps_bundle_protocol::{Generation, PluginManifest};
use tokio::sync::watch;
use tower::ServiceExt;

use super::Dispatch;
use crate::builder::ManifestBuilder;
use crate::caller::Caller;
use crate::channel::ChannelHub;
use crate::context::{Context, LaunchFacts};
use crate::engine::compose::{Composition, MemberEntry};
use crate::engine::router::{App, app_router};
use crate::engine::service::BundleService;
use crate::engine::signature::HostSecret;
use crate::engine::start::start_members;
use crate::isolation::MemberIsolation;
use crate::plugin::{BoxError, Erased, Member, Plugin};

const SECRET: &str = "s3cret";

/// Answers with what it was given: the path and query it saw, the caller, and any identity header left over.
#[derive(Default)]
struct Echo;

impl Plugin for Echo {
    type State = ();
    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("echo", "1.2.3").public_path("/hook").build()
    }
    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Ok(())
    }
    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        let echo = |caller: Caller, OriginalUri(original): OriginalUri, req: Request| async move {
            axum::Json(json!({
                "original": original.to_string(),
                "path": req.uri().path(),
                "query": req.uri().query(),
                "user": caller.user().ok().map(|u| u.email.clone()),
                "raw_user_id": req.headers().get(USER_ID).and_then(|v| v.to_str().ok()),
            }))
        };
        // A nested router with its own fallback: the member's answer, which the engine must leave alone.
        let own = Router::new()
            .route("/x", get(|| async { "x" }))
            .fallback(|| async { (StatusCode::NOT_FOUND, axum::Json(json!({ "mine": true }))) });
        Router::new()
            .nest("/own", own)
            .route("/", get(echo))
            .route("/whoami", get(echo))
            .route("/hook", get(echo))
            .route(
                "/boom",
                get(|| async {
                    if true {
                        panic!("handler exploded");
                    }
                    "unreachable"
                }),
            )
    }
}

/// Fails to start.
#[derive(Default)]
struct Broken;

impl Plugin for Broken {
    type State = ();
    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("broken", "0.1.0").build()
    }
    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Err("the database is unreachable".into())
    }
    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
    }
}

fn entries() -> Vec<MemberEntry> {
    let found: Vec<(&'static str, Arc<dyn Member>)> =
        vec![("echo-package", Arc::new(Erased(Echo))), ("broken-package", Arc::new(Erased(Broken)))];
    Composition::validate(found, &["broken", "echo"]).unwrap().members
}

/// The bundle's service over freshly started members; `split` serves `echo` alone.
async fn service(split: bool) -> (BundleService, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (_stop, shutdown) = watch::channel(false);
    let wait = Duration::from_millis(20);
    let channel = Arc::new(ChannelHub::with_timeouts(Generation::B, wait, wait));
    let facts = LaunchFacts { generation: Generation::B, database_url: None, host_data_dir: None, shutdown, channel };
    let mut members = entries();
    if split {
        members.retain(|m| m.name == "echo");
    }
    let root = dir.path().to_owned();
    let slots = start_members(&members, |name| root.join(name), MemberIsolation::standalone, &facts).await;
    let app = Arc::new(App::new(Dispatch::new(HostSecret::required(SECRET), slots, split), None, None));
    (BundleService::new(app.clone(), app_router(app, Router::new())), dir)
}

enum As {
    Unsigned,
    WrongSignature,
    SignedAnonymous,
    Admin,
}

async fn get_as(service: &BundleService, path: &str, who: As) -> (StatusCode, Value) {
    let mut request = Request::get(path);
    request = match who {
        As::Unsigned => request,
        As::WrongSignature => request.header(AUTH_SIGNATURE, "nope"),
        As::SignedAnonymous => request.header(AUTH_SIGNATURE, SECRET),
        As::Admin => request.header(AUTH_SIGNATURE, SECRET),
    };
    if matches!(who, As::Admin | As::Unsigned) {
        // Unsigned requests carry a forged identity: it must never be believed.
        request = request.header(USER_ID, "1").header(USER_EMAIL, "ada@example.com").header(USER_ROLE, "admin");
    }
    let response = service.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn authentication_is_checked_before_the_member_runs() {
    let (service, _dir) = service(false).await;
    for (who, detail) in [
        (As::Unsigned, "the x-temps-auth-signature header is missing"),
        (As::WrongSignature, "the x-temps-auth-signature header is wrong"),
        (As::SignedAnonymous, "this route needs a signed-in Temps user"),
    ] {
        let (status, body) = get_as(&service, "/echo/whoami", who).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!((body["type"].as_str(), body["detail"].as_str()), (Some(AUTH_REQUIRED_PROBLEM), Some(detail)));
    }
    let (status, body) = get_as(&service, "/echo/whoami", As::Admin).await;
    assert_eq!((status, &body["user"]), (StatusCode::OK, &json!("ada@example.com")));
}

#[tokio::test]
async fn public_paths_serve_unsigned_callers_as_anonymous_without_their_identity_headers() {
    let (service, _dir) = service(false).await;
    let (status, body) = get_as(&service, "/echo/hook", As::Unsigned).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((&body["user"], &body["raw_user_id"]), (&Value::Null, &Value::Null), "forged identity reached it");
    let (_, body) = get_as(&service, "/echo/hook", As::Admin).await;
    assert_eq!(body["user"], "ada@example.com", "a signed caller on a public path is still known");
}

#[tokio::test]
async fn the_member_prefix_is_stripped_and_the_query_kept() {
    let (service, _dir) = service(false).await;
    let (_, body) = get_as(&service, "/echo/whoami?since=2&x=%20", As::Admin).await;
    assert_eq!((&body["path"], &body["query"]), (&json!("/whoami"), &json!("since=2&x=%20")));
    assert_eq!(body["original"], "/echo/whoami?since=2&x=%20", "OriginalUri is what the host sent");
    let (_, body) = get_as(&service, "/echo", As::Admin).await;
    assert_eq!(body["path"], "/", "the bare mount is the member's root");
}

#[tokio::test]
async fn split_mode_serves_every_path_to_the_one_member() {
    let (service, _dir) = service(true).await;
    let (_, body) = get_as(&service, "/whoami?a=1", As::Admin).await;
    assert_eq!((&body["path"], &body["query"]), (&json!("/whoami"), &json!("a=1")));
    assert_eq!(body["original"], "/whoami?a=1");
    let (status, body) = get_as(&service, "/health", As::Unsigned).await;
    assert_eq!((status, &body["member"], &body["version"]), (StatusCode::OK, &json!("echo"), &json!("1.2.3")));
    let (status, _) = get_as(&service, "/echo/whoami", As::Admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no member prefix in split mode: /echo is the member's own path");
}

#[tokio::test]
async fn unknown_members_are_404_problems_naming_the_members() {
    let (service, _dir) = service(false).await;
    let (status, body) = get_as(&service, "/nobody/x", As::Admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("no member named \"nobody\"") && detail.contains("(members: broken, echo)"), "{detail}");
}

#[tokio::test]
async fn a_failed_member_answers_503_with_its_typed_cause_and_health_needs_no_auth() {
    let (service, _dir) = service(false).await;
    let (status, body) = get_as(&service, "/broken/anything", As::Admin).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["detail"], "member \"broken\" failed to start: on_start failed: the database is unreachable");
    let (status, _) = get_as(&service, "/broken/health", As::Unsigned).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, body) = get_as(&service, "/echo/health", As::Unsigned).await;
    assert_eq!((status, &body["status"]), (StatusCode::OK, &json!("ok")));
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_problem_and_the_member_keeps_serving() {
    let (service, _dir) = service(false).await;
    let (status, body) = get_as(&service, "/echo/boom", As::Admin).await;
    assert_eq!(
        (status, &body["type"]),
        (StatusCode::INTERNAL_SERVER_ERROR, &json!("urn:temps-bundle:problem:internal"))
    );
    let (status, _) = get_as(&service, "/echo/whoami", As::Admin).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_member_routers_own_404_and_405_are_problems_but_its_own_fallback_is_kept() {
    let (service, _dir) = service(false).await;
    let (status, body) = get_as(&service, "/echo/nothing-here", As::Admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["detail"], "member \"echo\" has no route GET /nothing-here", "{body}");
    let post = Request::post("/echo/whoami")
        .header(AUTH_SIGNATURE, SECRET)
        .header(USER_ID, "1")
        .header(USER_EMAIL, "ada@example.com")
        .header(USER_ROLE, "admin")
        .body(Body::empty())
        .unwrap();
    let response = service.clone().oneshot(post).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert!(response.headers()["allow"].to_str().unwrap().contains("GET"));
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(body["detail"].as_str().unwrap().contains("does not accept POST on /whoami"), "{body}");
    let (status, body) = get_as(&service, "/echo/own/missing", As::Admin).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({ "mine": true })), "the member's own fallback");
}

#[tokio::test]
async fn unsigned_callers_get_401_for_unknown_paths_and_never_the_member_names() {
    let (service, _dir) = service(false).await;
    for path in ["/", "/nobody/x", "/nobody"] {
        let (status, body) = get_as(&service, path, As::Unsigned).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert!(!body.to_string().contains("echo"), "{path} lists members to an unsigned caller: {body}");
    }
    let (status, body) = get_as(&service, "/", As::Admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().unwrap().contains("broken, echo"), "{body}");
}
