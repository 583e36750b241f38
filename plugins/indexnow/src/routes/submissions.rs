//! `GET|POST /submissions`, `GET /submissions/{id}`, `GET /suggestions`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use crate::state::IndexNowState;
use crate::submissions::{self, Mode, Origin, SubmissionView};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteQuery {
    pub site: Option<String>,
    pub limit: Option<u64>,
}

/// The submissions log, newest first.
pub async fn list(
    caller: Caller,
    State(state): State<IndexNowState>,
    query: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<Value>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let rows = submissions::list(state.db(), query.site.as_deref(), query.limit.unwrap_or(50).clamp(1, 500)).await?;
    Ok(Json(json!({ "submissions": rows })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSubmission {
    /// The site (any URL of it; discovery starts there).
    pub url: String,
    /// Submit exactly these URLs (same site) instead of discovering.
    pub urls: Option<Vec<String>>,
    /// Submit every page found, changed or not.
    #[serde(default)]
    pub all: bool,
}

/// Queues a manual submission (202).
pub async fn create(
    caller: Caller,
    State(state): State<IndexNowState>,
    body: Result<Json<CreateSubmission>, Problem>,
) -> Result<(StatusCode, Json<SubmissionView>), Problem> {
    let user = caller.require_admin()?;
    let Json(body) = body?;
    let mode = match (body.urls, body.all) {
        (Some(urls), _) => Mode::Urls(urls),
        (None, true) => Mode::All,
        (None, false) => Mode::Changed,
    };
    let origin = Origin { event_id: None, requested_by: Some(user.email.clone()) };
    let row = submissions::queue(&state, &body.url, mode, origin).await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}

/// One submission and the URLs it sent.
pub async fn read(
    caller: Caller,
    State(state): State<IndexNowState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    caller.user()?;
    let id: i64 = id.parse().map_err(|_| Problem::not_found(format!("submission {id} does not exist")))?;
    let (submission, urls) = submissions::detail(state.db(), id).await?;
    Ok(Json(json!({ "submission": submission, "urls": urls })))
}

/// Pages worth (re)submitting: never submitted, changed, or stale.
pub async fn suggestions(
    caller: Caller,
    State(state): State<IndexNowState>,
    query: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<Value>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let stale_days = state.settings.current().stale_days;
    let rows = submissions::suggestions(state.db(), query.site.as_deref(), stale_days).await?;
    Ok(Json(json!({ "suggestions": rows, "stale_days": stale_days })))
}
