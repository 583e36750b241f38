//! `GET|PATCH /settings` for any [`SettingsModel`]: reading needs a signed-in caller, changing needs an admin,
//! and invalid values answer 422 with one entry per field.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::Value;
use temps_bundle_sdk::Caller;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{PROBLEM_JSON, Problem};

use crate::error::SettingsError;
use crate::settings::{FieldError, Settings, SettingsModel};

/// A router serving `GET /settings` (any signed-in caller) and `PATCH /settings` (admins; body: a JSON
/// merge-patch). Merge it into the member's router:
///
/// ```text
/// Router::new().route("/things", get(things)).with_state(state).merge(settings_routes(settings))
/// ```
///
/// A patch that does not deserialize or validate answers `422 application/problem+json` with an `errors`
/// extension: `[{"field": "limit", "message": "must be between 1 and 100"}]`.
pub fn settings_routes<T: SettingsModel>(settings: Settings<T>) -> Router {
    Router::new().route("/settings", get(read_settings::<T>).patch(patch_settings::<T>)).with_state(settings)
}

async fn read_settings<T: SettingsModel>(
    State(settings): State<Settings<T>>,
    caller: Caller,
) -> Result<Json<T>, Problem> {
    caller.user()?;
    Ok(Json(settings.current()))
}

async fn patch_settings<T: SettingsModel>(
    State(settings): State<Settings<T>>,
    caller: Caller,
    body: Result<Json<Value>, Problem>,
) -> Result<Json<T>, Response> {
    // The role is checked before the body: a caller who may not change settings learns nothing from its body.
    let user = caller.require_admin().map_err(IntoResponse::into_response)?;
    let Json(patch) = body.map_err(IntoResponse::into_response)?;
    match settings.patch(patch).await {
        Ok(value) => {
            tracing::info!(key = T::KEY, user = %user.email, "settings changed");
            Ok(Json(value))
        }
        Err(SettingsError::Invalid(errors)) => Err(InvalidSettings::new(errors).into_response()),
        Err(SettingsError::Store(error)) => {
            tracing::error!(%error, key = T::KEY, "cannot save settings");
            Err(Problem::internal().into_response())
        }
    }
}

/// The 422 problem document with the per-field `errors` extension.
#[derive(Debug, Serialize)]
struct InvalidSettings {
    #[serde(flatten)]
    problem: Problem,
    errors: Vec<FieldError>,
}

impl InvalidSettings {
    fn new(errors: Vec<FieldError>) -> Self {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        let problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-settings", "Invalid Settings", detail);
        Self { problem, errors }
    }
}

impl IntoResponse for InvalidSettings {
    fn into_response(self) -> Response {
        let status = self.problem.status_code();
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use temps_bundle_sdk::User;
    use tower::ServiceExt;

    use super::*;
    use crate::settings::tests::{Demo, store};

    fn as_role(role: &str) -> Caller {
        Caller::User(User {
            id: 1,
            email: "dev@localhost".into(),
            role: role.into(),
            permissions: vec![],
            actor_token: None,
        })
    }

    async fn call(app: &Router, method: &str, caller: Caller, body: &str) -> (u16, Option<String>, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri("/settings")
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        request.extensions_mut().insert(caller);
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, content_type, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn roles_and_validation_over_http() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::<Demo>::load(&store(&dir).await).await.unwrap();
        let app = settings_routes(settings.clone());
        let (status, _, body) = call(&app, "GET", as_role("reader"), "").await;
        assert_eq!((status, body["limit"].as_u64()), (200, Some(10)));
        assert_eq!(call(&app, "GET", Caller::Anonymous, "").await.0, 401);
        assert_eq!(call(&app, "PATCH", as_role("reader"), r#"{"limit":5}"#).await.0, 403);
        assert_eq!(call(&app, "PATCH", as_role("reader"), "{nope").await.0, 403, "the role is checked first");
        let (status, content_type, body) = call(&app, "PATCH", as_role("admin"), r#"{"limit":500}"#).await;
        assert_eq!((status, content_type.as_deref()), (422, Some(PROBLEM_JSON)));
        assert_eq!(body["errors"], serde_json::json!([{"field": "limit", "message": "must be between 1 and 100"}]));
        assert_eq!(body["status"], 422);
        let (status, _, body) = call(&app, "PATCH", as_role("platform_admin"), r#"{"limit":5}"#).await;
        assert_eq!((status, body["limit"].as_u64()), (200, Some(5)));
        assert_eq!(settings.current().limit, 5);
        assert_eq!(call(&app, "PATCH", as_role("admin"), "{nope").await.0, 400);
    }
}
