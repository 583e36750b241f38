//! Targets: where notifications go, in which format, for which events. Validation and storage.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use temps_bundle_http::{HttpError, OutboundClient};
use temps_bundle_store::sea_orm::sqlx::{self, Row, SqlitePool, sqlite::SqliteRow};

use crate::error::NotifyError;
use crate::filter::{Filter, pattern_problem};
use crate::format::Format;
use temps_bundle_store::timestamp;

/// What an admin sends to create a target (and, merged with the stored one, to change it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub name: String,
    pub url: String,
    pub format: Format,
    #[serde(default = "default_events")]
    pub events: Vec<String>,
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default = "default_enabled")]
    pub enabled: bool,
}

/// A stored target. The secret is never serialized: it is shown once, when the target is created.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub id: i64,
    #[serde(flatten)]
    pub input: TargetInput,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip)]
    pub secret: String,
}

impl Target {
    pub fn filter(&self) -> Filter<'_> {
        Filter {
            events: &self.input.events,
            project_id: self.input.project_id,
            environment: self.input.environment.as_deref(),
        }
    }
}

impl TargetInput {
    /// Normalizes and checks every field; the URL is resolved and refused if the guard would refuse it.
    pub async fn validate(mut self, client: &OutboundClient) -> Result<Self, NotifyError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return Err(invalid("name", "must be 1 to 100 characters".to_owned()));
        }
        self.url = self.url.trim().to_owned();
        match client.check_target(&self.url).await {
            // A name that does not resolve *now* may later (split-horizon DNS, an outage); the guard checks again
            // on every delivery, and the log shows the failure.
            Ok(()) | Err(HttpError::Resolve { .. }) => {}
            Err(error) => return Err(invalid("url", url_problem(&error))),
        }
        if self.events.is_empty() {
            return Err(invalid("events", "must list at least one pattern".to_owned()));
        }
        if let Some(problem) = self.events.iter().find_map(|p| pattern_problem(p)) {
            return Err(invalid("events", problem));
        }
        self.environment = self.environment.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
        Ok(self)
    }

    /// This input with a JSON merge patch applied (RFC 7396); the result still needs [`Self::validate`].
    pub fn patched(&self, patch: &Value) -> Result<Self, NotifyError> {
        if !patch.is_object() {
            return Err(invalid("body", "a target patch must be a JSON object".to_owned()));
        }
        let mut document = serde_json::to_value(self).map_err(|e| invalid("body", e.to_string()))?;
        temps_bundle_store::merge_patch(&mut document, patch);
        serde_path_to_error::deserialize(&document).map_err(|e| {
            let field = e.path().to_string();
            invalid_owned(field, e.into_inner().to_string())
        })
    }
}

/// Every target, oldest first.
pub async fn list(pool: &SqlitePool) -> Result<Vec<Target>, NotifyError> {
    let rows = sqlx::query("SELECT * FROM targets ORDER BY id")
        .fetch_all(pool)
        .await
        .map_err(NotifyError::db("list targets"))?;
    rows.iter().map(from_row).collect()
}

/// One target.
pub async fn get(pool: &SqlitePool, id: i64) -> Result<Target, NotifyError> {
    let row = sqlx::query("SELECT * FROM targets WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(NotifyError::db("read target"))?;
    row.as_ref().map(from_row).transpose()?.ok_or_else(|| NotifyError::NotFound { what: "target", id: id.to_string() })
}

/// Stores a new target with a fresh secret; the caller shows the secret once.
pub async fn create(pool: &SqlitePool, input: &TargetInput) -> Result<Target, NotifyError> {
    let secret = new_secret()?;
    let now = timestamp::now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO targets (name, url, format, events, project_id, environment, enabled, secret, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&input.name)
    .bind(&input.url)
    .bind(input.format.as_str())
    .bind(events_json(&input.events))
    .bind(input.project_id)
    .bind(&input.environment)
    .bind(input.enabled)
    .bind(&secret)
    .bind(now)
    .bind(now)
    .fetch_one(pool)
    .await
    .map_err(NotifyError::db("create target"))?;
    get(pool, id).await
}

/// Replaces a target's editable fields.
pub async fn update(pool: &SqlitePool, id: i64, input: &TargetInput) -> Result<Target, NotifyError> {
    let updated = sqlx::query(
        "UPDATE targets SET name = ?, url = ?, format = ?, events = ?, project_id = ?, environment = ?, enabled = ?,
         updated_at = ? WHERE id = ?",
    )
    .bind(&input.name)
    .bind(&input.url)
    .bind(input.format.as_str())
    .bind(events_json(&input.events))
    .bind(input.project_id)
    .bind(&input.environment)
    .bind(input.enabled)
    .bind(timestamp::now_ms())
    .bind(id)
    .execute(pool)
    .await
    .map_err(NotifyError::db("update target"))?;
    if updated.rows_affected() == 0 {
        return Err(NotifyError::NotFound { what: "target", id: id.to_string() });
    }
    get(pool, id).await
}

/// Deletes a target and (by cascade) its deliveries.
pub async fn delete(pool: &SqlitePool, id: i64) -> Result<(), NotifyError> {
    let deleted = sqlx::query("DELETE FROM targets WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .map_err(NotifyError::db("delete target"))?;
    if deleted.rows_affected() == 0 {
        return Err(NotifyError::NotFound { what: "target", id: id.to_string() });
    }
    Ok(())
}

fn from_row(row: &SqliteRow) -> Result<Target, NotifyError> {
    let corrupt = |reason: String| NotifyError::Corrupt { what: "target", reason };
    let get_err = |e: sqlx::Error| corrupt(e.to_string());
    let format: String = row.try_get("format").map_err(get_err)?;
    let events: String = row.try_get("events").map_err(get_err)?;
    Ok(Target {
        id: row.try_get("id").map_err(get_err)?,
        input: TargetInput {
            name: row.try_get("name").map_err(get_err)?,
            url: row.try_get("url").map_err(get_err)?,
            format: Format::parse(&format).ok_or_else(|| corrupt(format!("unknown format {format:?}")))?,
            events: serde_json::from_str(&events).map_err(|e| corrupt(e.to_string()))?,
            project_id: row.try_get("project_id").map_err(get_err)?,
            environment: row.try_get("environment").map_err(get_err)?,
            enabled: row.try_get("enabled").map_err(get_err)?,
        },
        created_at: timestamp::format(row.try_get("created_at").map_err(get_err)?),
        updated_at: timestamp::format(row.try_get("updated_at").map_err(get_err)?),
        secret: row.try_get("secret").map_err(get_err)?,
    })
}

/// 32 random bytes as hex, prefixed so a leaked one is recognizable.
fn new_secret() -> Result<String, NotifyError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| NotifyError::Secret(e.to_string()))?;
    Ok(format!("whsec_{}", crate::signature::hex(&bytes)))
}

fn events_json(events: &[String]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned())
}

fn url_problem(error: &HttpError) -> String {
    match error {
        HttpError::InvalidUrl { reason, .. } => format!("not a valid http(s) URL: {reason}"),
        HttpError::Blocked { host, address, reason, .. } => format!(
            "{host} is a {reason} address ({address}); private targets are refused unless the operator allows them \
             (TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS=1 or TEMPS_BUNDLE_ALLOW_HOSTS)"
        ),
        other => other.to_string(),
    }
}

fn invalid(field: &'static str, message: String) -> NotifyError {
    NotifyError::Invalid { field, message }
}

fn invalid_owned(field: String, message: String) -> NotifyError {
    // Field names come from the input struct's own keys; anything else is reported as the body.
    let field = ["name", "url", "format", "events", "project_id", "environment", "enabled"]
        .into_iter()
        .find(|known| field.starts_with(known))
        .unwrap_or("body");
    NotifyError::Invalid { field, message }
}

fn default_events() -> Vec<String> {
    vec!["deployment.*".to_owned()]
}

fn default_enabled() -> bool {
    true
}
