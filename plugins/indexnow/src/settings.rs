//! indexnow's settings (`GET|PATCH /settings`): the endpoint, the key, which deployments submit, retries, bounds.

use serde::{Deserialize, Serialize};
use temps_bundle_crawl::CrawlLimits;
use temps_bundle_store::{FieldError, SettingsModel};
use utoipa::ToSchema;

use crate::key;

/// The IndexNow protocol's limit of URLs per request.
pub const PROTOCOL_BATCH_LIMIT: usize = 10_000;

/// Which `deployment.succeeded` events start a submission.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnDeploy {
    #[default]
    Production,
    All,
    Off,
}

/// The endpoint, the key, which deployments submit, retries and discovery bounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Settings)]
#[serde(default)]
pub struct IndexNowSettings {
    /// Where submissions go (any IndexNow search engine shares them with the others).
    pub endpoint: String,
    /// The site's key; `POST /key` generates one. `None`: nothing is submitted.
    pub key: Option<String>,
    /// Where the key file is served, when not at `<site>/<key>.txt` (the protocol's `keyLocation`; same host).
    pub key_location: Option<String>,
    pub on_deploy: OnDeploy,
    pub production_environments: Vec<String>,
    /// URLs per request (at most the protocol's 10 000).
    pub batch_size: usize,
    /// Attempts per batch on 429, 5xx and network errors (other 4xx answers are not retried).
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each further failure.
    pub base_backoff_ms: u64,
    /// Bounds of page discovery (the sitemap, else a crawl of the links).
    pub discovery: CrawlLimits,
    /// Pages not submitted for this many days are suggested for resubmission.
    pub stale_days: u32,
}

impl Default for IndexNowSettings {
    fn default() -> Self {
        Self {
            endpoint: "https://api.indexnow.org/indexnow".into(),
            key: None,
            key_location: None,
            on_deploy: OnDeploy::Production,
            production_environments: vec!["production".into()],
            batch_size: PROTOCOL_BATCH_LIMIT,
            max_attempts: 4,
            base_backoff_ms: 2000,
            discovery: CrawlLimits { max_pages: 10_000, ..CrawlLimits::default() },
            stale_days: 30,
        }
    }
}

impl IndexNowSettings {
    pub fn submits_for(&self, environment: Option<&str>) -> bool {
        match self.on_deploy {
            OnDeploy::All => true,
            OnDeploy::Off => false,
            OnDeploy::Production => {
                environment.is_some_and(|env| self.production_environments.iter().any(|p| p.eq_ignore_ascii_case(env)))
            }
        }
    }

    /// The wait after the `attempts`-th failed attempt.
    pub fn backoff_ms(&self, attempts: u32) -> u64 {
        self.base_backoff_ms.saturating_mul(1 << attempts.saturating_sub(1).min(16)).min(600_000)
    }
}

impl SettingsModel for IndexNowSettings {
    const KEY: &'static str = "indexnow";

    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(self.endpoint.starts_with("https://") || self.endpoint.starts_with("http://")) {
            errors.push(FieldError::new("endpoint", "must be an http(s) URL"));
        }
        if let Some(Err(message)) = self.key.as_deref().map(key::validate) {
            errors.push(FieldError::new("key", message));
        }
        if !(1..=PROTOCOL_BATCH_LIMIT).contains(&self.batch_size) {
            errors.push(FieldError::new("batch_size", "must be between 1 and 10000 (the protocol's limit)"));
        }
        if !(1..=10).contains(&self.max_attempts) {
            errors.push(FieldError::new("max_attempts", "must be between 1 and 10"));
        }
        if self.base_backoff_ms > 600_000 {
            errors.push(FieldError::new("base_backoff_ms", "must be at most 10 minutes"));
        }
        if let Err(message) = self.discovery.validate() {
            errors.push(FieldError::new("discovery", message));
        }
        if !(1..=3650).contains(&self.stale_days) {
            errors.push(FieldError::new("stale_days", "must be between 1 and 3650"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}
