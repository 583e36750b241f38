//! `GET /audits/{id}/pages`, `GET /audits/{id}/page?url=` (one page's detail) and `GET /kinds`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use super::parse_id;
use crate::checks::KINDS;
use crate::report::{self, PageDetail};
use crate::state::AuditState;

/// Every page of an audit, in crawl order.
pub async fn list(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    caller.user()?;
    let pages = report::pages(state.db(), parse_id(&id)?).await?;
    Ok(Json(json!({ "pages": pages })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub url: String,
}

/// One page: what it answered, what it says, its findings, and the links in and out.
pub async fn detail(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<PageDetail>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    Ok(Json(report::page_detail(state.db(), parse_id(&id)?, &query.url).await?))
}

/// Every kind of finding with its severity and fix hint.
pub async fn kinds(caller: Caller) -> Result<Json<Value>, Problem> {
    caller.user()?;
    Ok(Json(json!({ "kinds": KINDS })))
}
