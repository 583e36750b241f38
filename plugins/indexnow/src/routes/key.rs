//! `GET /key` (the key and where its file must be served), `POST /key` (generate), `POST /key/check`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use temps_bundle_crawl::Url;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};
use utoipa::{IntoParams, ToSchema};

use crate::error::IndexNowError;
use crate::key as keys;
use crate::state::IndexNowState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SiteQuery {
    /// A URL of the site, to name the exact key file URL.
    pub site: Option<String>,
}

/// The key and how a site proves it owns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyInfo {
    /// `None` until `POST /key` generates one.
    pub key: Option<String>,
    /// The `key_location` setting: where the key file is served when not at `/<key>.txt`.
    pub key_location: Option<String>,
    /// The exact URL the site must serve the key file at (with `?site=`).
    pub file_url: Option<String>,
    /// What the key file must contain, exactly.
    pub file_content: Option<String>,
    pub instructions: String,
}

/// What `POST /key/check` found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyCheck {
    /// The key file URL fetched (`None` when there is no key yet).
    pub url: Option<String>,
    pub ok: bool,
    /// What is wrong, when not `ok`.
    pub problem: Option<String>,
}

/// The key, the key file's content and (with `?site=`) the exact URL it must be served at
#[utoipa::path(
    get, path = "/key", params(SiteQuery),
    responses(
        (status = 200, description = "The key", body = KeyInfo),
        (status = 422, description = "`site` is not a URL (problem+json)")
    )
)]
pub async fn read(
    caller: Caller,
    State(state): State<IndexNowState>,
    query: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<KeyInfo>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let settings = state.settings.current();
    let site = query.site.as_deref().map(parse_site).transpose()?;
    Ok(Json(describe(settings.key.as_deref(), settings.key_location.as_deref(), site.as_ref())))
}

/// Generate a new key, replacing the old one (admin; the old key file stops being valid)
#[utoipa::path(
    post, path = "/key",
    responses((status = 200, description = "The new key", body = KeyInfo), (status = 403, description = "Not an admin (problem+json)"))
)]
pub async fn generate(caller: Caller, State(state): State<IndexNowState>) -> Result<Json<KeyInfo>, Problem> {
    let user = caller.require_admin()?;
    let key = keys::generate()?;
    state.settings.patch(json!({ "key": key })).await.map_err(|error| {
        tracing::error!(%error, "cannot save the new key");
        Problem::internal()
    })?;
    tracing::info!(user = %user.email, "a new IndexNow key was generated");
    Ok(Json(describe(Some(&key), state.settings.current().key_location.as_deref(), None)))
}

/// `POST /key/check`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// A URL of the site whose key file is fetched.
    pub site: String,
}

/// Fetch the site's key file now (admin)
#[utoipa::path(
    post, path = "/key/check", request_body = CheckBody,
    responses(
        (status = 200, description = "What the fetch found", body = KeyCheck),
        (status = 403, description = "Not an admin (problem+json)"),
        (status = 422, description = "`site` is not a URL (problem+json)")
    )
)]
pub async fn check(
    caller: Caller,
    State(state): State<IndexNowState>,
    body: Result<Json<CheckBody>, Problem>,
) -> Result<Json<KeyCheck>, Problem> {
    caller.require_admin()?;
    let Json(body) = body?;
    let site = parse_site(&body.site)?;
    let settings = state.settings.current();
    let Some(key) = settings.key else {
        return Ok(Json(KeyCheck { url: None, ok: false, problem: Some("no key yet: generate one first".into()) }));
    };
    let url = keys::file_url(&site, &key, settings.key_location.as_deref());
    let problem = keys::check(&state.client, &url, &key).await;
    Ok(Json(KeyCheck { url: Some(url), ok: problem.is_none(), problem }))
}

fn describe(key: Option<&str>, key_location: Option<&str>, site: Option<&Url>) -> KeyInfo {
    let file_url = match (key, site) {
        (Some(key), Some(site)) => Some(keys::file_url(site, key, key_location)),
        _ => None,
    };
    let instructions = match key {
        Some(key) => format!(
            "Serve a UTF-8 text file containing exactly `{key}` at {}, on every site you submit for; submissions are blocked until it is reachable.",
            key_location.map_or_else(|| format!("/{key}.txt"), str::to_owned)
        ),
        None => "Generate a key first.".to_owned(),
    };
    KeyInfo {
        key: key.map(str::to_owned),
        key_location: key_location.map(str::to_owned),
        file_url,
        file_content: key.map(str::to_owned),
        instructions,
    }
}

fn parse_site(site: &str) -> Result<Url, Problem> {
    let parsed = Url::parse(site.trim())
        .map_err(|e| IndexNowError::Invalid { field: "site", message: format!("{site:?} is not a URL: {e}") })?;
    Ok(parsed)
}
