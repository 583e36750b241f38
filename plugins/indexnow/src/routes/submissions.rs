//! `GET|POST /submissions`, `GET /submissions/{id}`, `GET /suggestions`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};
use utoipa::{IntoParams, ToSchema};

use crate::state::IndexNowState;
use crate::submissions::{self, Mode, Origin, SubmissionDetail, SubmissionList, SubmissionView, SuggestionList};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SiteQuery {
    /// Only this site: an origin, e.g. `https://example.com`.
    pub site: Option<String>,
    /// At most this many (1–500, default 50; `GET /submissions` only).
    pub limit: Option<u64>,
}

/// The submissions log, newest first
#[utoipa::path(
    get, path = "/submissions", params(SiteQuery),
    responses(
        (status = 200, description = "Newest first", body = SubmissionList),
        (status = 400, description = "A query parameter is not valid (problem+json)")
    )
)]
pub async fn list(
    caller: Caller,
    State(state): State<IndexNowState>,
    query: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<SubmissionList>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let rows = submissions::list(state.db(), query.site.as_deref(), query.limit.unwrap_or(50).clamp(1, 500)).await?;
    Ok(Json(SubmissionList { submissions: rows }))
}

/// `POST /submissions`.
#[derive(Debug, Deserialize, ToSchema)]
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

/// Queue a manual submission: what changed (default), every page (`all`), or exactly `urls` (admin)
#[utoipa::path(
    post, path = "/submissions", request_body = CreateSubmission,
    responses(
        (status = 202, description = "Queued", body = SubmissionView),
        (status = 403, description = "Not an admin (problem+json)"),
        (status = 422, description = "The body is not valid; `detail` names the field (problem+json)")
    )
)]
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

/// One submission and the URLs it sent
#[utoipa::path(
    get, path = "/submissions/{id}", params(("id" = i64, Path, description = "The submission id")),
    responses(
        (status = 200, description = "The submission", body = SubmissionDetail),
        (status = 404, description = "No such submission (problem+json)")
    )
)]
pub async fn read(
    caller: Caller,
    State(state): State<IndexNowState>,
    Path(id): Path<String>,
) -> Result<Json<SubmissionDetail>, Problem> {
    caller.user()?;
    let id: i64 = id.parse().map_err(|_| Problem::not_found(format!("submission {id} does not exist")))?;
    let (submission, urls) = submissions::detail(state.db(), id).await?;
    Ok(Json(SubmissionDetail { submission, urls }))
}

/// Pages never submitted, changed since, or not submitted for `stale_days`
#[utoipa::path(
    get, path = "/suggestions", params(SiteQuery),
    responses(
        (status = 200, description = "The suggestions", body = SuggestionList),
        (status = 400, description = "A query parameter is not valid (problem+json)")
    )
)]
pub async fn suggestions(
    caller: Caller,
    State(state): State<IndexNowState>,
    query: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<SuggestionList>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let stale_days = state.settings.current().stale_days;
    let rows = submissions::suggestions(state.db(), query.site.as_deref(), stale_days).await?;
    Ok(Json(SuggestionList { suggestions: rows, stale_days }))
}
