//! Request routing: bundle routes, then `/<member>/…` dispatched to the member with the prefix stripped, after the
//! host's signature and the caller's identity were checked.
//!
//! **Invariant:** member routers are never merged into one axum router (overlaps would panic); each member is a
//! separate service behind a name lookup, and the SDK's own `/health` and `/ui/` sit in front of it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};
use temps_bundle_protocol::headers::{
    ACTOR_TOKEN, CHANNEL_PATH, EVENTS_PATH, USER_EMAIL, USER_ID, USER_PERMISSIONS, USER_ROLE,
};
use tower::ServiceExt;

use super::composite::CompositeManifest;
use super::signature::HostSecret;
use super::start::{MemberSlot, MemberState};
use crate::caller::Caller;
use crate::problem::Problem;

/// Everything the router needs, shared by all requests.
pub struct App {
    /// The per-process secret (Gen B); none in Gen A, where the host sends no signature.
    pub secret: HostSecret,
    /// Members sorted by name.
    pub members: Vec<Arc<MemberSlot>>,
    index: HashMap<String, usize>,
    /// `Some` in composite mode, `None` when serving one member alone (split mode).
    pub composite: Option<CompositeManifest>,
    pub shell_ui: Option<Router>,
    /// The OpenAPI description served at `/_bundle/openapi.json`.
    pub openapi: Option<Value>,
}

impl App {
    pub fn new(
        secret: HostSecret,
        members: Vec<MemberSlot>,
        composite: Option<CompositeManifest>,
        shell_ui: Option<Router>,
    ) -> Self {
        let members: Vec<Arc<MemberSlot>> = members.into_iter().map(Arc::new).collect();
        let index = members.iter().enumerate().map(|(i, m)| (m.name.clone(), i)).collect();
        Self { secret, members, index, composite, shell_ui, openapi: None }
    }

    /// Sets the OpenAPI description served at `/_bundle/openapi.json`.
    pub fn with_openapi(self, openapi: Option<Value>) -> Self {
        Self { openapi, ..self }
    }

    fn member(&self, name: &str) -> Option<&Arc<MemberSlot>> {
        self.index.get(name).and_then(|&i| self.members.get(i))
    }

    /// The member a request path belongs to and the member-relative rest of the path: the first segment names
    /// the member in composite mode; in split mode every path is the one member's.
    pub fn member_route(&self, path: &str) -> Option<(Arc<MemberSlot>, String)> {
        if self.composite.is_none() {
            return self.members.first().map(|m| (m.clone(), path.to_owned()));
        }
        let trimmed = path.strip_prefix('/')?;
        let (name, rest) = match trimmed.split_once('/') {
            Some((name, rest)) => (name, format!("/{rest}")),
            None => (trimmed, "/".to_owned()),
        };
        self.member(name).map(|m| (m.clone(), rest))
    }

    /// Checks the host's signature (Gen B) and parses the caller. On public paths a missing or wrong signature
    /// only makes the caller anonymous; elsewhere it is a 401, as is an anonymous caller.
    pub fn authenticate(&self, headers: &HeaderMap, public: bool) -> Result<Caller, Problem> {
        if !self.secret.is_required() {
            // Gen A hosts send no signature and no identity, and nothing says they strip a client's x-temps-*
            // headers: an identity there could be forged, so every Gen A caller is anonymous.
            return Ok(Caller::Anonymous);
        }
        match self.secret.verify(headers) {
            Ok(()) => {}
            // On a public path an unsigned request is simply anonymous: its identity headers are not trusted.
            Err(_) if public => return Ok(Caller::Anonymous),
            Err(problem) => return Err(problem),
        }
        let caller = Caller::from_headers(headers).map_err(|e| Problem::authentication_required(e.to_string()))?;
        if caller == Caller::Anonymous && !public {
            return Err(Problem::authentication_required("this route needs a signed-in Temps user"));
        }
        Ok(caller)
    }
}

/// Removes identity headers the engine did not trust, so a member reading raw headers cannot be fooled either.
fn strip_identity(headers: &mut HeaderMap) {
    for name in [USER_ID, USER_EMAIL, USER_ROLE, USER_PERMISSIONS, ACTOR_TOKEN] {
        headers.remove(name);
    }
}

/// The bundle's own routes (composite: health, shell, manifest; both modes: channel and events). Member
/// requests never reach it: `BundleService` dispatches them first.
pub fn app_router(app: Arc<App>, protocol_routes: Router) -> Router {
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
        .route("/_bundle/openapi.json", get(openapi_document));
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
    match app.authenticate(req.headers(), false) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(problem) => problem.into_response(),
    }
}

async fn bundle_health(State(app): State<Arc<App>>) -> Json<Value> {
    let members: Vec<Value> = app.members.iter().map(|m| member_status(m)).collect();
    let all_running = app.members.iter().all(|m| m.error().is_none());
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
        "error": member.error(),
        "tasks": member.tasks(),
    })
}

async fn live_manifest(State(app): State<Arc<App>>) -> Response {
    let Some(composite) = &app.composite else {
        return Problem::not_found("split mode has no bundle manifest").into_response();
    };
    let mut live = composite.clone();
    for (summary, slot) in live.bundle.members.iter_mut().zip(&app.members) {
        summary.status = Some(slot.status().to_owned());
        summary.error = slot.error().map(str::to_owned);
    }
    Json(live).into_response()
}

async fn openapi_document(State(app): State<Arc<App>>) -> Response {
    match &app.openapi {
        Some(document) => Json(document.clone()).into_response(),
        None => Problem::not_found("no member of this bundle publishes an OpenAPI description").into_response(),
    }
}

async fn root_not_found(State(app): State<Arc<App>>) -> Problem {
    Problem::not_found(format!(
        "nothing is served at /; members are mounted at /<name>/ ({}), the bundle UI is at /ui/",
        member_names(&app)
    ))
}

/// What the router gets is never a known member's (`BundleService` sends those straight to the member).
async fn not_a_member_route(State(app): State<Arc<App>>, req: Request) -> Problem {
    let name = req.uri().path().trim_start_matches('/').split('/').next().unwrap_or_default().to_owned();
    Problem::not_found(format!("no member named {name:?} in this bundle (members: {})", member_names(&app)))
}

/// Serves one request for `member`, `path` being the member-relative path.
pub async fn serve_member(app: &App, member: Arc<MemberSlot>, req: Request, path: &str) -> Response {
    if path == "/health" || path == member.manifest.health_path {
        return member_health(&member);
    }
    let public = member.manifest.is_public_path(path);
    let caller = match app.authenticate(req.headers(), public) {
        Ok(caller) => caller,
        Err(problem) => return problem.into_response(),
    };
    let mut req = match with_path(req, path) {
        Ok(req) => req,
        Err(problem) => return problem.into_response(),
    };
    if caller == Caller::Anonymous {
        strip_identity(req.headers_mut());
    }
    req.extensions_mut().insert(caller);
    if let Some(ui) = &member.ui
        && (path == "/ui" || path.starts_with("/ui/"))
    {
        return oneshot(ui.clone(), req).await;
    }
    match &member.state {
        MemberState::Running { router, .. } => oneshot(router.clone(), req).await,
        MemberState::Failed { cause } => unavailable(&member.name, cause).into_response(),
    }
}

fn member_health(member: &MemberSlot) -> Response {
    match member.error() {
        None => {
            Json(json!({ "status": "ok", "member": member.name, "version": member.manifest.version })).into_response()
        }
        Some(cause) => unavailable(&member.name, cause).into_response(),
    }
}

fn unavailable(member: &str, cause: &str) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "member-unavailable",
        "Member Unavailable",
        format!("member {member:?} failed to start: {cause}"),
    )
}

async fn oneshot(router: Router, req: Request) -> Response {
    match router.oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The request with its path replaced (the query kept).
fn with_path(req: Request, path: &str) -> Result<Request<Body>, Problem> {
    let (mut parts, body) = req.into_parts();
    let path_and_query = match parts.uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    parts.uri = Uri::builder()
        .path_and_query(path_and_query)
        .build()
        .map_err(|e| Problem::bad_request(format!("cannot rewrite the request path {path:?}: {e}")))?;
    Ok(Request::from_parts(parts, body))
}

fn member_names(app: &App) -> String {
    app.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
}
