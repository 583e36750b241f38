//! Targets: where notifications go, in which format, for which events. Validation and storage.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use temps_bundle_http::{HttpError, OutboundClient};
use temps_bundle_store::sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, QueryOrder, Set};
use temps_bundle_store::timestamp;
use utoipa::ToSchema;

use crate::entity::target;
use crate::error::NotifyError;
use crate::filter::{Filter, pattern_problem};
use crate::format::Format;

/// What an admin sends to create a target (and, merged with the stored one, to change it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    /// 1 to 100 characters.
    pub name: String,
    /// http(s); private, loopback and other non-public targets are refused unless the operator allows them.
    pub url: String,
    pub format: Format,
    /// Patterns: `deployment.failed`, `deployment.*`, `*`; default `["deployment.*"]`.
    #[serde(default = "default_events")]
    pub events: Vec<String>,
    /// Only this project's events, when set.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// Only events whose `environment_name` is this, when set.
    #[serde(default)]
    pub environment: Option<String>,
    /// Default true.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
}

/// A stored target. The secret is never serialized: it is shown once, when the target is created.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Target {
    pub id: i64,
    #[serde(flatten)]
    pub input: TargetInput,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    #[serde(skip)]
    pub secret: String,
}

/// The answer of `POST /targets`: the target and, this once, its signing secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedTarget {
    #[serde(flatten)]
    pub target: Target,
    /// The HMAC key of `x-temps-notify-signature`; never shown again.
    pub secret: String,
}

/// The answer of `GET /targets`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetList {
    pub targets: Vec<Target>,
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
pub async fn list(db: &DatabaseConnection) -> Result<Vec<Target>, NotifyError> {
    let rows = target::Entity::find()
        .order_by_asc(target::Column::Id)
        .all(db)
        .await
        .map_err(NotifyError::db("list targets"))?;
    rows.into_iter().map(Target::try_from).collect()
}

/// One target.
pub async fn get(db: &DatabaseConnection, id: i64) -> Result<Target, NotifyError> {
    let row = target::Entity::find_by_id(id).one(db).await.map_err(NotifyError::db("read target"))?;
    row.map(Target::try_from).transpose()?.ok_or_else(|| NotifyError::NotFound { what: "target", id: id.to_string() })
}

/// Stores a new target with a fresh secret; the caller shows the secret once.
pub async fn create(db: &DatabaseConnection, input: &TargetInput) -> Result<Target, NotifyError> {
    let now = timestamp::now_ms();
    let mut row = fields(input);
    row.secret = Set(new_secret()?);
    row.created_at = Set(now);
    row.updated_at = Set(now);
    row.insert(db).await.map_err(NotifyError::db("create target"))?.try_into()
}

/// Replaces a target's editable fields.
pub async fn update(db: &DatabaseConnection, id: i64, input: &TargetInput) -> Result<Target, NotifyError> {
    let mut row = fields(input);
    row.id = Set(id);
    row.updated_at = Set(timestamp::now_ms());
    match row.update(db).await {
        Ok(updated) => updated.try_into(),
        Err(DbErr::RecordNotUpdated) => Err(NotifyError::NotFound { what: "target", id: id.to_string() }),
        Err(error) => Err(NotifyError::db("update target")(error)),
    }
}

/// Deletes a target and (by cascade) its deliveries.
pub async fn delete(db: &DatabaseConnection, id: i64) -> Result<(), NotifyError> {
    let deleted = target::Entity::delete_by_id(id).exec(db).await.map_err(NotifyError::db("delete target"))?;
    if deleted.rows_affected == 0 {
        return Err(NotifyError::NotFound { what: "target", id: id.to_string() });
    }
    Ok(())
}

impl TryFrom<target::Model> for Target {
    type Error = NotifyError;

    fn try_from(row: target::Model) -> Result<Self, NotifyError> {
        let events = serde_json::from_str(&row.events).map_err(|e| NotifyError::Corrupt {
            what: "target",
            reason: format!("events of target {}: {e}", row.id),
        })?;
        Ok(Target {
            id: row.id,
            input: TargetInput {
                name: row.name,
                url: row.url,
                format: row.format,
                events,
                project_id: row.project_id,
                environment: row.environment,
                enabled: row.enabled,
            },
            created_at: timestamp::format(row.created_at),
            updated_at: timestamp::format(row.updated_at),
            secret: row.secret,
        })
    }
}

/// The editable columns of a target row.
fn fields(input: &TargetInput) -> target::ActiveModel {
    target::ActiveModel {
        name: Set(input.name.clone()),
        url: Set(input.url.clone()),
        format: Set(input.format),
        events: Set(events_json(&input.events)),
        project_id: Set(input.project_id),
        environment: Set(input.environment.clone()),
        enabled: Set(input.enabled),
        ..Default::default()
    }
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
