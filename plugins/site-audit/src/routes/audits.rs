//! `GET|POST /audits`, `GET /audits/{id}` (the report), `POST /audits/{id}/cancel`, `GET /audits/{id}/export`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};
use utoipa::{IntoParams, ToSchema};

use super::parse_id;
use crate::audits::{self, Trigger};
use crate::report::{self, AuditList, AuditView, Export, Report};
use crate::state::AuditState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this site's audits: an origin, e.g. `https://example.com`.
    pub site: Option<String>,
    /// At most this many (1–500, default 50).
    pub limit: Option<u64>,
}

/// Audits, newest first
#[utoipa::path(
    get, path = "/audits", params(ListQuery),
    responses(
        (status = 200, description = "Newest first", body = AuditList),
        (status = 400, description = "A query parameter is not valid (problem+json)")
    )
)]
pub async fn list(
    caller: Caller,
    State(state): State<AuditState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<AuditList>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    Ok(Json(AuditList { audits: report::list(state.db(), query.site.as_deref(), limit).await? }))
}

/// `POST /audits`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAudit {
    /// The page to start from (http or https); its origin is the site audited.
    pub url: String,
}

/// Queue an audit of a site (admin)
#[utoipa::path(
    post, path = "/audits", request_body = CreateAudit,
    responses(
        (status = 202, description = "Queued", body = AuditView),
        (status = 403, description = "Not an admin (problem+json)"),
        (status = 409, description = "The site already has an audit queued or running (problem+json)"),
        (status = 422, description = "The body is not valid; `detail` starts with the field's name (problem+json)")
    )
)]
pub async fn create(
    caller: Caller,
    State(state): State<AuditState>,
    body: Result<Json<CreateAudit>, Problem>,
) -> Result<(StatusCode, Json<AuditView>), Problem> {
    let user = caller.require_admin()?;
    let Json(body) = body?;
    let trigger = Trigger { requested_by: Some(user.email.clone()), ..Trigger::default() };
    let row = audits::queue(&state, &body.url, trigger).await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}

/// The report: findings grouped by kind, new and fixed since the previous completed audit of the site
#[utoipa::path(
    get, path = "/audits/{id}", params(("id" = i64, Path, description = "The audit id")),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 404, description = "No such audit (problem+json)")
    )
)]
pub async fn read(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
) -> Result<Json<Report>, Problem> {
    caller.user()?;
    Ok(Json(report::report(state.db(), parse_id(&id)?).await?))
}

/// Cancel a queued or running audit (admin)
#[utoipa::path(
    post, path = "/audits/{id}/cancel", params(("id" = i64, Path, description = "The audit id")),
    responses(
        (status = 202, description = "Cancelled, or cancelling", body = AuditView),
        (status = 403, description = "Not an admin (problem+json)"),
        (status = 404, description = "No such audit (problem+json)"),
        (status = 409, description = "The audit is already over (problem+json)")
    )
)]
pub async fn cancel(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<AuditView>), Problem> {
    caller.require_admin()?;
    let row = audits::cancel(&state, parse_id(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}

/// The whole audit (audit, pages, findings, fixed) as one JSON download
#[utoipa::path(
    get, path = "/audits/{id}/export", params(("id" = i64, Path, description = "The audit id")),
    responses(
        (status = 200, description = "An attachment, `site-audit-<id>.json`", body = Export),
        (status = 404, description = "No such audit (problem+json)")
    )
)]
pub async fn export(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Problem> {
    caller.user()?;
    let id = parse_id(&id)?;
    let document = report::export(state.db(), id).await?;
    let disposition = format!("attachment; filename=\"site-audit-{id}.json\"");
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)))
}
