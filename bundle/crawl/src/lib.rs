//! `temps-bundle-crawl`: the one crawler members share (site-audit checks what it finds, indexnow discovers
//! pages with it).
//!
//! A crawl ([`Crawler::start`] → [`Crawl`]) stays on the start URL's origin, reads robots.txt first and honours it
//! ([`robots`], RFC 9309 through the maintained `robotxt` parser), reads `/sitemap.xml`, the robots.txt `Sitemap:`
//! lines and sitemap indexes, plain or gzip ([`sitemap`]), then fetches pages breadth-first with bounded
//! concurrency. Every bound is in [`CrawlLimits`]: pages, depth, bytes per page, total time, request timeout,
//! concurrency, requests per second (a `governor` rate limiter; one crawl per site at a time makes it the
//! per-host rate), redirects and sitemaps. URLs are normalised by one [`UrlPolicy`] (fragments, default ports,
//! trailing slash, query order) so each page is fetched once.
//!
//! Every request goes through `temps-bundle-http`'s guarded client, one redirect hop at a time: each hop is
//! recorded ([`RedirectHop`]) and each hop's target passes the guard, so a page that redirects to a private
//! address is refused before anything connects there, even when the operator allowed the site itself.
//!
//! Results are pulled one [`CrawlEvent`] at a time ([`Crawl::next`]) while fetches run in the background, so a
//! member persists each page as it arrives and a `SIGKILL` loses at most the pages in flight. [`CancelHandle`]
//! stops a crawl at once (in-flight fetches are aborted); dropping the [`Crawl`] does too.
//!
//! **HTML parsing: `lol_html`, not `scraper`.** `scraper` (html5ever) builds the whole DOM: the page must be held
//! in full, and memory grows with it. The crawler only needs a handful of facts (title, description, H1s,
//! canonical, lang, robots meta, links, insecure sub-resources), which CSS-selector handlers collect as the body
//! streams through `lol_html` chunk by chunk ([`html::HtmlScanner`]); the page is never held, only the facts, and
//! a huge page is read up to `max_page_bytes` and marked truncated. `lol_html`'s `Send` rewriter lets the scan run
//! in the fetch's own task.
//!
//! **Invariant:** this crate makes no request except through `temps_bundle_http::OutboundClient`.

mod config;
mod crawler;
mod error;
mod fetch;
pub mod html;
mod normalize;
mod report;
pub mod robots;
pub mod sitemap;

pub use config::{CrawlConfig, CrawlLimits, FollowLinks};
pub use crawler::{CancelHandle, Crawl, Crawler};
pub use error::{CrawlError, FailureKind, FetchError, FetchFailure};
pub use html::HtmlFacts;
pub use normalize::{TrailingSlash, UrlPolicy, same_origin};
pub use report::{CrawlEvent, CrawlSummary, PageReport, RedirectHop, SitemapRead, StopReason};
pub use robots::RobotsStatus;
pub use temps_bundle_http::OutboundPolicy;
pub use url::Url;
