//! The bundle's own routes: `/health`, the shell UI, `/_bundle/*`, the protocol routes, and the 404s for paths
//! that name no member. Member requests never reach this router: [`super::service::BundleService`] hands them to
//! [`super::dispatch`] first.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};
use temps_bundle_protocol::headers::{CHANNEL_PATH, EVENTS_PATH};

use super::composite::CompositeManifest;
use super::dispatch::{Dispatch, authenticate};
use super::start::MemberSlot;
use crate::caller::Caller;
use crate::isolation::switch::SwitchStore;
use crate::problem::Problem;

/// Everything the bundle serves, shared by all requests.
pub(crate) struct App {
    /// The members and how requests reach them.
    pub dispatch: Dispatch,
    /// `Some` in composite mode, `None` when serving one member alone (split mode).
    pub composite: Option<CompositeManifest>,
    pub shell_ui: Option<Router>,
    /// The OpenAPI description served at `/_bundle/openapi.json`, as compact JSON.
    pub openapi: Option<Bytes>,
    /// Where the kill switch is stored (composite mode only).
    pub switch_store: Option<SwitchStore>,
    /// Serializes kill-switch changes, so two administrators cannot lose each other's write.
    pub switch_lock: std::sync::Mutex<()>,
}

impl App {
    pub(crate) fn new(dispatch: Dispatch, composite: Option<CompositeManifest>, shell_ui: Option<Router>) -> Self {
        Self {
            dispatch,
            composite,
            shell_ui,
            openapi: None,
            switch_store: None,
            switch_lock: std::sync::Mutex::new(()),
        }
    }

    /// Sets where the kill switch is stored.
    pub(crate) fn with_switch_store(self, switch_store: Option<SwitchStore>) -> Self {
        Self { switch_store, ..self }
    }

    /// Sets the OpenAPI description served at `/_bundle/openapi.json`.
    pub(crate) fn with_openapi(self, openapi: Option<Bytes>) -> Self {
        Self { openapi, ..self }
    }

    pub(crate) fn members(&self) -> &[Arc<MemberSlot>] {
        self.dispatch.members()
    }

    /// The member named `name`.
    pub(crate) fn member(&self, name: &str) -> Option<&Arc<MemberSlot>> {
        self.members().iter().find(|m| m.name == name)
    }
}

/// The bundle's own routes (composite: health, shell, manifest; both modes: channel and events). Member
/// requests never reach it: `BundleService` dispatches them first.
pub(crate) fn app_router(app: Arc<App>, protocol_routes: Router) -> Router {
    let router = match &app.composite {
        Some(_) => composite_routes(&app),
        // In split mode `BundleService` sends everything but the protocol routes to the member.
        None => Router::new().fallback(not_a_member_route),
    };
    let router = [CHANNEL_PATH, EVENTS_PATH]
        .into_iter()
        .fold(router, |router, path| router.route_service(path, protocol_routes.clone()));
    router.with_state(app)
}

fn composite_routes(app: &Arc<App>) -> Router<Arc<App>> {
    let mut authenticated = Router::new()
        .route("/_bundle/manifest", get(live_manifest))
        .route("/_bundle/openapi.json", get(openapi_document))
        .merge(super::admin::routes());
    if let Some(shell) = &app.shell_ui {
        for path in ["/ui", "/ui/", "/ui/{*path}"] {
            authenticated = authenticated.route_service(path, shell.clone());
        }
    }
    Router::new()
        .route("/health", get(bundle_health))
        .merge(authenticated.route_layer(middleware::from_fn_with_state(app.clone(), require_auth)))
        .route("/", any(root_not_found))
        .fallback(not_a_member_route)
}

async fn require_auth(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    match authenticate(app.dispatch.secret(), req.headers(), false) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(problem) => problem.into_response(),
    }
}

async fn bundle_health(State(app): State<Arc<App>>) -> Json<Value> {
    let members: Vec<Value> = app.members().iter().map(|m| member_status(m)).collect();
    let all_running = app.members().iter().all(|m| m.error().is_none());
    let (name, version) =
        app.composite.as_ref().map(|c| (c.manifest.name.as_str(), c.manifest.version.as_str())).unwrap_or_default();
    Json(json!({
        "status": if all_running { "ok" } else { "degraded" },
        "name": name,
        "version": version,
        "members": members,
    }))
}

fn member_status(member: &MemberSlot) -> Value {
    json!({
        "name": member.name,
        "version": member.manifest.version,
        "status": member.status(),
        "disabled": member.is_disabled(),
        "error": member.error(),
        "tasks": member.tasks(),
    })
}

async fn live_manifest(State(app): State<Arc<App>>) -> Response {
    let Some(composite) = &app.composite else {
        return Problem::not_found("split mode has no bundle manifest").into_response();
    };
    let mut live = composite.clone();
    for (summary, slot) in live.bundle.members.iter_mut().zip(app.members()) {
        summary.status = Some(slot.status().to_owned());
        summary.error = slot.error();
    }
    Json(live).into_response()
}

async fn openapi_document(State(app): State<Arc<App>>) -> Response {
    match &app.openapi {
        Some(document) => ([(CONTENT_TYPE, "application/json")], document.clone()).into_response(),
        None => Problem::not_found("no member of this bundle publishes an OpenAPI description").into_response(),
    }
}

async fn root_not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Problem {
    let members = match listed_members(&app, &headers) {
        Ok(members) => members,
        Err(problem) => return problem,
    };
    Problem::not_found(format!(
        "nothing is served at /; members are mounted at /<name>/{members}, the bundle UI is at /ui/"
    ))
}

/// What the router gets is never a known member's (`BundleService` sends those straight to the member).
async fn not_a_member_route(State(app): State<Arc<App>>, req: Request) -> Problem {
    let members = match listed_members(&app, req.headers()) {
        Ok(members) => members,
        Err(problem) => return problem,
    };
    let name = req.uri().path().trim_start_matches('/').split('/').next().unwrap_or_default();
    Problem::not_found(format!("no member named {name:?} in this bundle{members}"))
}

/// The member list for a 404, only for a signed-in caller: an unsigned Gen B request gets the 401 every other
/// unsigned request gets, and a Gen A caller (always anonymous) a 404 without names, so nobody can enumerate
/// the members without the host's secret.
fn listed_members(app: &App, headers: &HeaderMap) -> Result<String, Problem> {
    match authenticate(app.dispatch.secret(), headers, false)? {
        Caller::User(_) => Ok(format!(" (members: {})", app.dispatch.names())),
        Caller::Anonymous => Ok(String::new()),
    }
}
