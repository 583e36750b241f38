//! site-audit's settings (`GET|PATCH /settings`): when deployments trigger audits, and the crawl's bounds.

use serde::{Deserialize, Serialize};
use temps_bundle_crawl::{CrawlLimits, UrlPolicy};
use temps_bundle_store::{FieldError, SettingsModel};
use utoipa::ToSchema;

/// Which `deployment.succeeded` events start an audit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnDeploy {
    /// Deployments to an environment named in `production_environments`.
    #[default]
    Production,
    /// Every successful deployment that has a URL.
    All,
    /// Only `POST /audits`.
    Off,
}

/// When deployments trigger audits, and the crawl's bounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Settings)]
#[serde(default)]
pub struct AuditSettings {
    pub on_deploy: OnDeploy,
    /// Environment names that count as production (compared case-insensitively).
    pub production_environments: Vec<String>,
    /// The crawl's bounds: pages, depth, bytes per page, time, concurrency, requests per second, redirects.
    pub limits: CrawlLimits,
    pub url_policy: UrlPolicy,
    /// Skip what robots.txt disallows (on by default).
    pub respect_robots: bool,
    /// Reports kept per site; older ones are deleted after each audit.
    pub keep_audits: u32,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            on_deploy: OnDeploy::Production,
            production_environments: vec!["production".into()],
            limits: CrawlLimits::default(),
            url_policy: UrlPolicy::default(),
            respect_robots: true,
            keep_audits: 50,
        }
    }
}

impl AuditSettings {
    /// Whether a successful deployment to `environment` starts an audit.
    pub fn audits_environment(&self, environment: Option<&str>) -> bool {
        match self.on_deploy {
            OnDeploy::All => true,
            OnDeploy::Off => false,
            OnDeploy::Production => {
                environment.is_some_and(|env| self.production_environments.iter().any(|p| p.eq_ignore_ascii_case(env)))
            }
        }
    }
}

impl SettingsModel for AuditSettings {
    const KEY: &'static str = "site-audit";

    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(message) = self.limits.validate() {
            errors.push(FieldError::new("limits", message));
        }
        if !(1..=1000).contains(&self.keep_audits) {
            errors.push(FieldError::new("keep_audits", "must be between 1 and 1000"));
        }
        if self.on_deploy == OnDeploy::Production && self.production_environments.iter().all(|e| e.trim().is_empty()) {
            errors.push(FieldError::new("production_environments", "name at least one environment"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}
