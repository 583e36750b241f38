//! What a crawl is allowed to do: where it starts, its limits, and the URL policy.

use std::num::NonZeroU32;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use temps_bundle_http::OutboundPolicy;
use url::Url;

use crate::error::CrawlError;
use crate::normalize::UrlPolicy;

/// One crawl's settings. [`CrawlConfig::new`] gives the defaults and the operator's outbound policy.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Where the crawl starts; its origin (scheme, host, port) bounds the crawl.
    pub start: Url,
    pub limits: CrawlLimits,
    pub urls: UrlPolicy,
    /// Read robots.txt and skip what it disallows (on by default; off only for sites the operator owns).
    pub respect_robots: bool,
    /// Read `/sitemap.xml` and the `Sitemap:` lines of robots.txt.
    pub use_sitemaps: bool,
    /// More sitemaps to read (same origin only).
    pub extra_sitemaps: Vec<Url>,
    /// Whether links found on pages are followed.
    pub follow_links: FollowLinks,
    /// Which non-public targets the guard lets through (tests allow exactly the test site's address).
    pub policy: OutboundPolicy,
    /// The member crawling, named in the user agent.
    pub member: String,
}

impl CrawlConfig {
    pub fn new(member: &str, start: &str) -> Result<Self, CrawlError> {
        let invalid = |reason: String| CrawlError::InvalidStart { url: start.to_owned(), reason };
        let parsed = Url::parse(start.trim()).map_err(|e| invalid(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("the start URL must be an http or https URL with a host".to_owned()));
        }
        Ok(Self {
            start: parsed,
            limits: CrawlLimits::default(),
            urls: UrlPolicy::default(),
            respect_robots: true,
            use_sitemaps: true,
            extra_sitemaps: Vec::new(),
            follow_links: FollowLinks::Always,
            policy: OutboundPolicy::from_env(),
            member: member.to_owned(),
        })
    }
}

/// Which pages a crawl visits besides the start page and the sitemap's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowLinks {
    /// Every same-origin link (an audit).
    #[default]
    Always,
    /// Links only when the sitemaps listed no page: the sitemap, else the links (page discovery for indexnow).
    UnlessSitemap,
}

/// Every bound of a crawl. Serializable so members can keep it in their settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrawlLimits {
    /// Pages fetched at most (redirect hops are not counted separately).
    pub max_pages: usize,
    /// Link depth from the start page (0 = the start page only; sitemap pages are depth 1).
    pub max_depth: u32,
    /// Body bytes read of one page; the rest is not downloaded and the page is marked truncated.
    pub max_page_bytes: u64,
    /// The whole crawl's time budget.
    pub max_duration_ms: u64,
    /// One request's time budget, body included.
    pub request_timeout_ms: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests per second to the site; 0 = no limit.
    pub requests_per_second: u32,
    /// Redirect hops followed per URL.
    pub max_redirects: usize,
    /// Sitemap files read (indexes included).
    pub max_sitemaps: usize,
}

impl Default for CrawlLimits {
    fn default() -> Self {
        Self {
            max_pages: 500,
            max_depth: 10,
            max_page_bytes: 2 * 1024 * 1024,
            max_duration_ms: 5 * 60 * 1000,
            request_timeout_ms: 15_000,
            concurrency: 4,
            requests_per_second: 10,
            max_redirects: 5,
            max_sitemaps: 20,
        }
    }
}

impl CrawlLimits {
    /// Checks every bound; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let checks = [
            (self.max_pages >= 1 && self.max_pages <= 1_000_000, "max_pages must be between 1 and 1000000"),
            (self.max_depth <= 1000, "max_depth must be at most 1000"),
            (self.max_page_bytes >= 1024, "max_page_bytes must be at least 1024"),
            (self.max_duration_ms >= 100, "max_duration_ms must be at least 100"),
            (self.request_timeout_ms >= 100, "request_timeout_ms must be at least 100"),
            ((1..=64).contains(&self.concurrency), "concurrency must be between 1 and 64"),
            (self.max_redirects <= 20, "max_redirects must be at most 20"),
            (self.max_sitemaps <= 1000, "max_sitemaps must be at most 1000"),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, message)) => Err((*message).to_owned()),
            None => Ok(()),
        }
    }

    pub fn max_duration(&self) -> Duration {
        Duration::from_millis(self.max_duration_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub fn rate(&self) -> Option<NonZeroU32> {
        NonZeroU32::new(self.requests_per_second)
    }
}
