//! deploy-pulse's settings (`GET|PATCH /settings`).

use serde::{Deserialize, Serialize};
use temps_bundle_store::{FieldError, SettingsModel};
use utoipa::ToSchema;

/// The most deployments per project `list_deployments` returns (the host caps `limit` at 100).
pub const MAX_BACKFILL_LIMIT: u32 = 100;
/// The longest retention window an admin may set, in days (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// What admins can change (`PATCH /settings`, a JSON merge patch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Settings)]
#[serde(default)]
pub struct PulseSettings {
    /// Pull projects and recent deployments over the channel when the member starts.
    pub backfill_on_start: bool,
    /// How many recent deployments per project a backfill asks for (1–100).
    pub backfill_limit: u32,
    /// Where the Temps console shows a project, relative to the console's origin; `{id}` and `{slug}` are replaced.
    pub project_url_template: String,
    /// Events and deployments older than this many days are deleted by the pruner (1–3650; default 90, the
    /// longest metrics window).
    pub retention_days: u32,
}

impl Default for PulseSettings {
    fn default() -> Self {
        Self {
            backfill_on_start: true,
            backfill_limit: MAX_BACKFILL_LIMIT,
            project_url_template: "/projects/{slug}".into(),
            retention_days: 90,
        }
    }
}

impl SettingsModel for PulseSettings {
    const KEY: &'static str = "deploy-pulse";

    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(1..=MAX_BACKFILL_LIMIT).contains(&self.backfill_limit) {
            errors.push(FieldError::new("backfill_limit", format!("must be between 1 and {MAX_BACKFILL_LIMIT}")));
        }
        if !(1..=MAX_RETENTION_DAYS).contains(&self.retention_days) {
            errors.push(FieldError::new("retention_days", format!("must be between 1 and {MAX_RETENTION_DAYS}")));
        }
        let template = self.project_url_template.trim();
        if !(template.starts_with('/') || template.starts_with("https://") || template.starts_with("http://")) {
            errors.push(FieldError::new("project_url_template", "must start with /, http:// or https://"));
        } else if !(template.contains("{id}") || template.contains("{slug}")) {
            errors.push(FieldError::new("project_url_template", "must contain {id} or {slug}"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

impl PulseSettings {
    /// The Temps console link of a project.
    pub fn project_url(&self, project_id: i64, slug: &str) -> Option<String> {
        if slug.is_empty() && self.project_url_template.contains("{slug}") {
            return None;
        }
        Some(self.project_url_template.trim().replace("{id}", &project_id.to_string()).replace("{slug}", slug))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn validation_and_links() {
        assert!(PulseSettings::default().validate().is_ok());
        let bad = PulseSettings {
            backfill_limit: 0,
            project_url_template: "projects".into(),
            retention_days: 0,
            ..Default::default()
        };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["backfill_limit", "retention_days", "project_url_template"]);
        assert_eq!(PulseSettings::default().project_url(3, "docs"), Some("/projects/docs".into()));
        assert_eq!(PulseSettings::default().project_url(3, ""), None);
    }
}
