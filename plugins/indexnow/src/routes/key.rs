//! `GET /key` (the key and where its file must be served), `POST /key` (generate), `POST /key/check`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use temps_bundle_crawl::Url;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use crate::error::IndexNowError;
use crate::key as keys;
use crate::state::IndexNowState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteQuery {
    /// A URL of the site, to name the exact key file URL.
    pub site: Option<String>,
}

/// The key, the file's content and, for `site`, the exact URL the site must serve it at.
pub async fn read(
    caller: Caller,
    State(state): State<IndexNowState>,
    query: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<Value>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let settings = state.settings.current();
    let site = query.site.as_deref().map(parse_site).transpose()?;
    Ok(Json(describe(settings.key.as_deref(), settings.key_location.as_deref(), site.as_ref())))
}

/// Generates a new key and saves it (the old key file stops being valid).
pub async fn generate(caller: Caller, State(state): State<IndexNowState>) -> Result<Json<Value>, Problem> {
    let user = caller.require_admin()?;
    let key = keys::generate()?;
    state.settings.patch(json!({ "key": key })).await.map_err(|error| {
        tracing::error!(%error, "cannot save the new key");
        Problem::internal()
    })?;
    tracing::info!(user = %user.email, "a new IndexNow key was generated");
    Ok(Json(describe(Some(&key), state.settings.current().key_location.as_deref(), None)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    pub site: String,
}

/// Fetches the site's key file now: `{ "url", "ok", "problem" }`.
pub async fn check(
    caller: Caller,
    State(state): State<IndexNowState>,
    body: Result<Json<CheckBody>, Problem>,
) -> Result<Json<Value>, Problem> {
    caller.require_admin()?;
    let Json(body) = body?;
    let site = parse_site(&body.site)?;
    let settings = state.settings.current();
    let Some(key) = settings.key else {
        return Ok(Json(json!({ "url": null, "ok": false, "problem": "no key yet: generate one first" })));
    };
    let url = keys::file_url(&site, &key, settings.key_location.as_deref());
    let problem = keys::check(&state.client, &url, &key).await;
    Ok(Json(json!({ "url": url, "ok": problem.is_none(), "problem": problem })))
}

fn describe(key: Option<&str>, key_location: Option<&str>, site: Option<&Url>) -> Value {
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
    json!({ "key": key, "key_location": key_location, "file_url": file_url, "file_content": key, "instructions": instructions })
}

fn parse_site(site: &str) -> Result<Url, Problem> {
    let parsed = Url::parse(site.trim())
        .map_err(|e| IndexNowError::Invalid { field: "site", message: format!("{site:?} is not a URL: {e}") })?;
    Ok(parsed)
}
