//! `GET /audits/{id}/pages`, `GET /audits/{id}/page?url=` (one page's detail) and `GET /kinds`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};
use utoipa::IntoParams;

use super::parse_id;
use crate::checks::{KINDS, KindList};
use crate::report::{self, PageDetail, PageList};
use crate::state::AuditState;

/// The pages crawled, in crawl order
#[utoipa::path(
    get, path = "/audits/{id}/pages", params(("id" = i64, Path, description = "The audit id")),
    responses(
        (status = 200, description = "In crawl order", body = PageList),
        (status = 404, description = "No such audit (problem+json)")
    )
)]
pub async fn list(
    caller: Caller,
    State(state): State<AuditState>,
    Path(id): Path<String>,
) -> Result<Json<PageList>, Problem> {
    caller.user()?;
    Ok(Json(PageList { pages: report::pages(state.db(), parse_id(&id)?).await? }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The page's URL, as the audit's pages list it.
    pub url: String,
}

/// One page: its answer, metadata, findings, and links in and out
#[utoipa::path(
    get, path = "/audits/{id}/page", params(("id" = i64, Path, description = "The audit id"), PageQuery),
    responses(
        (status = 200, description = "The page", body = PageDetail),
        (status = 400, description = "`url` is missing (problem+json)"),
        (status = 404, description = "No such audit, or the audit has no such page (problem+json)")
    )
)]
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

/// Every kind of finding with its severity and fix hint
#[utoipa::path(get, path = "/kinds", responses((status = 200, description = "Errors first", body = KindList)))]
pub async fn kinds(caller: Caller) -> Result<Json<KindList>, Problem> {
    caller.user()?;
    Ok(Json(KindList { kinds: KINDS }))
}
