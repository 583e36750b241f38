//! `GET|POST /audits`, `GET /audits/{id}` (the report), `POST /audits/{id}/cancel`, `GET /audits/{id}/export`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use super::parse_id;
use crate::audits::{self, Trigger};
use crate::report::{self, AuditView, Report};
use crate::state::AuditState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub site: Option<String>,
    pub limit: Option<u64>,
}

/// Audits, newest first (`site` = an origin; `limit` default 50, at most 500).
pub async fn list(
    caller: Caller,
    State(state): State<AuditState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let audits = report::list(state.db(), query.site.as_deref(), limit).await?;
    Ok(Json(json!({ "audits": audits })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAudit {
    /// The page to start from; its origin is the site audited.
    pub url: String,
}

/// Queues an audit (202); 409 while the site already has one queued or running.
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

/// The report: the audit, its findings grouped by kind, what is new and what was fixed.
pub async fn read(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
) -> Result<Json<Report>, Problem> {
    caller.user()?;
    Ok(Json(report::report(state.db(), parse_id(&id)?).await?))
}

/// Cancels a queued or running audit (202).
pub async fn cancel(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<AuditView>), Problem> {
    caller.require_admin()?;
    let row = audits::cancel(&state, parse_id(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}

/// The whole audit as one JSON document, served as a download.
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
