//! What a crawl streams to its caller: one [`CrawlEvent`] at a time, in the order things happen.

use serde::{Deserialize, Serialize};

use crate::error::FetchFailure;
use crate::html::HtmlFacts;
use crate::robots::RobotsStatus;

/// One step of a crawl. The last event of every crawl is [`CrawlEvent::Finished`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CrawlEvent {
    Robots(RobotsStatus),
    Sitemap(SitemapRead),
    Page(Box<PageReport>),
    /// A URL that was found but not fetched because robots.txt disallows it.
    Disallowed {
        url: String,
        found_on: Option<String>,
        in_sitemap: bool,
    },
    Finished(CrawlSummary),
}

/// One sitemap file read (or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitemapRead {
    pub url: String,
    /// Page URLs it listed (same-origin ones; others are ignored, as the sitemaps protocol says).
    pub urls: usize,
    /// Nested sitemaps it listed (sitemap index).
    pub sitemaps: usize,
    pub error: Option<String>,
}

/// One redirect: `url` answered `status` with `Location: location` (resolved).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectHop {
    pub url: String,
    pub status: u16,
    pub location: String,
}

/// One page: how it answered and, for same-origin HTML, what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageReport {
    /// The normalised URL requested.
    pub url: String,
    /// Links from the start page (0), or 1 for sitemap-only pages.
    pub depth: u32,
    /// The first page seen linking here (`None` for the start page and sitemap entries).
    pub found_on: Option<String>,
    pub in_sitemap: bool,
    /// Redirects before the final answer, hop by hop.
    pub redirects: Vec<RedirectHop>,
    /// The URL that gave the final answer.
    pub final_url: String,
    /// The final status; `None` when the fetch failed.
    pub status: Option<u16>,
    pub failure: Option<FetchFailure>,
    pub content_type: Option<String>,
    /// Body bytes read (at most the page limit).
    pub bytes: u64,
    /// The body was larger than the page limit and only its beginning was read.
    pub truncated: bool,
    pub elapsed_ms: u64,
    pub last_modified: Option<String>,
    pub etag: Option<String>,
    /// Hex SHA-256 of the body as read (HTML pages only).
    pub content_hash: Option<String>,
    /// `X-Robots-Tag: noindex` was sent.
    pub header_noindex: bool,
    /// Same-origin HTML only.
    pub html: Option<HtmlFacts>,
    /// Same-origin links found on the page, normalised, without duplicates.
    pub internal_links: Vec<String>,
    /// Links to other origins (not fetched).
    pub external_links: Vec<String>,
}

impl PageReport {
    /// `noindex` by header or by `<meta name="robots">`.
    pub fn noindex(&self) -> bool {
        self.header_noindex || self.html.as_ref().is_some_and(|h| h.meta_noindex)
    }
}

/// Why a crawl ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Every reachable page within the limits was visited.
    Completed,
    /// More pages were found than `max_pages`.
    PageLimit,
    /// `max_duration` passed.
    TimeLimit,
    Cancelled,
}

/// The end of a crawl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlSummary {
    pub stop: StopReason,
    pub pages: usize,
    /// URLs found but not fetched because they were deeper than `max_depth`.
    pub skipped_by_depth: usize,
    pub disallowed: usize,
    pub elapsed_ms: u64,
}
