//! Fetching through the guarded client, one redirect hop at a time (so chains are recorded and every hop passes
//! the guard), rate-limited, with the body streamed through the HTML scanner and a hash.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use temps_bundle_http::{OutboundClient, OutboundStream};
use url::Url;

use crate::error::{FetchError, FetchFailure};
use crate::html::HtmlScanner;
use crate::normalize::{UrlPolicy, same_origin};
use crate::report::{PageReport, RedirectHop};

/// The client, the rate limit and the redirect limit one crawl shares between its fetches. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    client: OutboundClient,
    /// One limiter per crawl, and one crawl per site at a time: this is the per-host rate.
    rate: Option<Arc<DefaultDirectRateLimiter>>,
    max_redirects: usize,
}

/// What one page fetch needs besides the URL.
#[derive(Debug, Clone)]
pub(crate) struct PageLimits {
    pub origin: Url,
    pub policy: UrlPolicy,
    pub max_page_bytes: u64,
}

impl Fetcher {
    /// `client` must not follow redirects itself (`max_redirects: 0`); this fetcher follows up to `max_redirects`.
    pub(crate) fn new(client: OutboundClient, requests_per_second: Option<NonZeroU32>, max_redirects: usize) -> Self {
        let rate = requests_per_second.map(|n| Arc::new(RateLimiter::direct(Quota::per_second(n))));
        Self { client, rate, max_redirects }
    }

    /// One request, no redirects followed.
    pub(crate) async fn get(&self, url: &Url) -> Result<OutboundStream, FetchError> {
        if let Some(rate) = &self.rate {
            rate.until_ready().await;
        }
        Ok(self
            .client
            .get(url.as_str())
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .send_streaming()
            .await?)
    }

    /// Follows redirects (robots.txt, sitemaps); the final answer may be any status.
    pub(crate) async fn get_following(&self, url: &Url) -> Result<OutboundStream, FetchError> {
        let mut hops = Vec::new();
        let mut current = url.clone();
        loop {
            let response = self.get(&current).await?;
            match self.next_hop(&mut hops, &current, &response)? {
                Some(next) => current = next,
                None => return Ok(response),
            }
        }
    }

    /// Fetches one page: redirects hop by hop (wherever they lead, each hop guarded), then, for a same-origin HTML
    /// answer that was not redirected, streams the body through the scanner up to the page limit. A redirected
    /// page reports its hops and the final status only; the crawl visits the final URL as a page of its own.
    pub(crate) async fn page(&self, url: Url, limits: &PageLimits) -> PageReport {
        let mut report = PageReport::new(&url);
        let mut current = url;
        let response = loop {
            let response = match self.get(&current).await {
                Ok(response) => response,
                Err(error) => return report.failed(&current, &error),
            };
            match self.next_hop(&mut report.redirects, &current, &response) {
                Ok(Some(next)) => current = next,
                Ok(None) => break response,
                Err(error) => return report.failed(&current, &error),
            }
        };
        report.final_url = current.to_string();
        report.status = Some(response.status.as_u16());
        read_headers(&mut report, &response.headers);
        report.elapsed_ms = millis(response.elapsed());
        let is_html = report.content_type.as_deref().is_some_and(|t| t.contains("html"));
        if is_html
            && report.redirects.is_empty()
            && response.status.is_success()
            && same_origin(&current, &limits.origin)
            && let Err(error) = scan_body(&mut report, response, &current, limits).await
        {
            report.failure = Some(FetchFailure::from(&error));
        }
        report
    }

    /// The next URL when `response` is a redirect, recording the hop; `None` when it is the final answer.
    fn next_hop(
        &self,
        hops: &mut Vec<RedirectHop>,
        current: &Url,
        response: &OutboundStream,
    ) -> Result<Option<Url>, FetchError> {
        if !response.status.is_redirection() || response.status == http::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let status = response.status.as_u16();
        let location = response.headers.get(header::LOCATION).and_then(|v| v.to_str().ok());
        let next = location.and_then(|l| current.join(l).ok()).ok_or(FetchError::BadLocation { status })?;
        let mut next_clean = next.clone();
        next_clean.set_fragment(None);
        hops.push(RedirectHop { url: current.to_string(), status, location: next_clean.to_string() });
        if hops.len() > self.max_redirects {
            return Err(FetchError::TooManyRedirects { limit: self.max_redirects });
        }
        if hops.iter().any(|hop| hop.url == next_clean.as_str()) {
            return Err(FetchError::RedirectLoop { url: next_clean.to_string() });
        }
        Ok(Some(next_clean))
    }
}

/// Reads a whole body up to `limit` bytes; `true` when it was cut there.
pub(crate) async fn read_capped(response: &mut OutboundStream, limit: u64) -> Result<(Vec<u8>, bool), FetchError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = usize::try_from(limit).unwrap_or(usize::MAX).saturating_sub(body.len());
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

async fn scan_body(
    report: &mut PageReport,
    mut response: OutboundStream,
    page: &Url,
    limits: &PageLimits,
) -> Result<(), FetchError> {
    let mut scanner = HtmlScanner::new(page.clone());
    let mut hash = Sha256::new();
    let mut left = limits.max_page_bytes;
    let mut scan_error = None;
    while let Some(chunk) = response.chunk().await? {
        let take = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let piece = &chunk[..take];
        hash.update(piece);
        report.bytes += take as u64;
        left -= take as u64;
        if scan_error.is_none() {
            scan_error = scanner.write(piece).err();
        }
        if take < chunk.len() || left == 0 {
            // Dropping the response aborts the rest of the download.
            report.truncated = take < chunk.len() || response.chunk().await.ok().flatten().is_some();
            break;
        }
    }
    report.elapsed_ms = millis(response.elapsed());
    report.content_hash = Some(hex(&hash.finalize()));
    let facts = scanner.finish();
    for link in &facts.links {
        let normalized = limits.policy.normalize(link);
        let list = if same_origin(&normalized, &limits.origin) {
            &mut report.internal_links
        } else {
            &mut report.external_links
        };
        if !list.iter().any(|l| l == normalized.as_str()) {
            list.push(normalized.to_string());
        }
    }
    report.html = Some(facts);
    match scan_error {
        Some(error) => Err(FetchError::Html(error.to_string())),
        None => Ok(()),
    }
}

fn read_headers(report: &mut PageReport, headers: &HeaderMap) {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    report.content_type = text(header::CONTENT_TYPE);
    report.last_modified = text(header::LAST_MODIFIED);
    report.etag = text(header::ETAG);
    report.header_noindex =
        headers.get_all("x-robots-tag").iter().filter_map(|v| v.to_str().ok()).any(|v| {
            v.to_ascii_lowercase().split(',').any(|d| d.trim().trim_start_matches("all:").trim() == "noindex")
        });
}

fn millis(elapsed: std::time::Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl PageReport {
    fn new(url: &Url) -> Self {
        Self {
            url: url.to_string(),
            depth: 0,
            found_on: None,
            in_sitemap: false,
            redirects: Vec::new(),
            final_url: url.to_string(),
            status: None,
            failure: None,
            content_type: None,
            bytes: 0,
            truncated: false,
            elapsed_ms: 0,
            last_modified: None,
            etag: None,
            content_hash: None,
            header_noindex: false,
            html: None,
            internal_links: Vec::new(),
            external_links: Vec::new(),
        }
    }

    fn failed(mut self, at: &Url, error: &FetchError) -> Self {
        self.final_url = at.to_string();
        self.failure = Some(FetchFailure::from(error));
        self
    }
}
