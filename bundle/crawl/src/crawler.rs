//! [`Crawler`] (one crawl per site at a time) and [`Crawl`], the running crawl the caller pulls events from.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use temps_bundle_http::{ClientConfig, OutboundClient};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

use crate::config::{CrawlConfig, FollowLinks};
use crate::error::CrawlError;
use crate::fetch::{Fetcher, PageLimits};
use crate::normalize::same_origin;
use crate::report::{CrawlEvent, CrawlSummary, PageReport, SitemapRead, StopReason};
use crate::robots::RobotsRules;
use crate::sitemap::{self, MAX_SITEMAP_BYTES};

/// How deep sitemap indexes may nest (an index of indexes).
const MAX_SITEMAP_NESTING: u32 = 2;

/// Starts crawls, at most one per origin at a time. Cheap to clone; clones share the set of running crawls.
#[derive(Debug, Clone, Default)]
pub struct Crawler {
    running: Arc<Mutex<HashSet<String>>>,
}

impl Crawler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a crawl of `config.start`'s origin; nothing is fetched until [`Crawl::next`] is polled.
    pub fn start(&self, config: CrawlConfig) -> Result<Crawl, CrawlError> {
        config.limits.validate().map_err(CrawlError::InvalidLimits)?;
        let origin = config.start.origin().ascii_serialization();
        let claim = SiteClaim::take(&self.running, &origin)?;
        let client = OutboundClient::new(ClientConfig {
            member: config.member.clone(),
            timeout: config.limits.request_timeout(),
            // The crawler caps bodies itself (a page is read up to its limit and marked truncated, not failed).
            max_response_bytes: u64::MAX,
            // Redirects are followed by the fetcher, hop by hop, so chains are recorded.
            max_redirects: 0,
            policy: config.policy.clone(),
            ..ClientConfig::for_member(&config.member)
        })?;
        let fetcher = Fetcher::new(client, config.limits.rate(), config.limits.max_redirects);
        let (cancel, cancelled) = watch::channel(false);
        let start = config.urls.normalize(&config.start);
        let limits =
            PageLimits { origin: start.clone(), policy: config.urls, max_page_bytes: config.limits.max_page_bytes };
        let mut crawl = Crawl {
            deadline: Instant::now() + config.limits.max_duration(),
            started_at: Instant::now(),
            config,
            fetcher,
            limits,
            robots: RobotsRules::ignored(),
            phase: Phase::Robots,
            frontier: Frontier::default(),
            tasks: JoinSet::new(),
            pending: VecDeque::new(),
            summary: CrawlSummary {
                stop: StopReason::Completed,
                pages: 0,
                skipped_by_depth: 0,
                disallowed: 0,
                elapsed_ms: 0,
            },
            fetches_started: 0,
            sitemaps_read: 0,
            cancel: Arc::new(cancel),
            cancelled,
            _claim: claim,
        };
        crawl.frontier.seen.insert(start.to_string());
        crawl.frontier.queue.push_back(Queued { url: start, depth: 0, found_on: None });
        Ok(crawl)
    }

    /// Whether a crawl of `origin` (`scheme://host[:port]`) is running.
    pub fn is_running(&self, origin: &str) -> bool {
        self.running.lock().unwrap_or_else(PoisonError::into_inner).contains(origin)
    }
}

/// Stops a crawl from anywhere (an HTTP handler, a shutdown hook). Cheap to clone.
#[derive(Debug, Clone)]
pub struct CancelHandle(Arc<watch::Sender<bool>>);

impl CancelHandle {
    /// The crawl's next event is `Finished` with [`StopReason::Cancelled`]; fetches in flight are aborted.
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }
}

/// A running crawl. Pull its events with [`Crawl::next`]: fetches run concurrently in the background, results
/// arrive in completion order, so the caller persists each page as it comes. Dropping it aborts the crawl.
#[derive(Debug)]
pub struct Crawl {
    config: CrawlConfig,
    fetcher: Fetcher,
    limits: PageLimits,
    robots: RobotsRules,
    phase: Phase,
    frontier: Frontier,
    tasks: JoinSet<(Queued, PageReport)>,
    pending: VecDeque<CrawlEvent>,
    summary: CrawlSummary,
    fetches_started: usize,
    sitemaps_read: usize,
    deadline: Instant,
    started_at: Instant,
    cancel: Arc<watch::Sender<bool>>,
    cancelled: watch::Receiver<bool>,
    _claim: SiteClaim,
}

#[derive(Debug)]
enum Phase {
    Robots,
    Sitemaps(VecDeque<(Url, u32)>),
    Pages,
    Done,
}

#[derive(Debug, Default)]
struct Frontier {
    queue: VecDeque<Queued>,
    /// Every URL ever queued, disallowed or skipped: each is looked at once.
    seen: HashSet<String>,
    in_sitemap: HashSet<String>,
    /// Pages were left unqueued because `max_pages` was reached.
    limit_hit: bool,
}

#[derive(Debug, Clone)]
struct Queued {
    url: Url,
    depth: u32,
    found_on: Option<String>,
}

/// Why the crawl loop stops waiting.
enum Interrupt {
    Cancelled,
    TimeLimit,
}

impl Crawl {
    /// The origin this crawl is bounded to.
    pub fn origin(&self) -> String {
        self.limits.origin.origin().ascii_serialization()
    }

    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.cancel.clone())
    }

    /// The next event; `None` after [`CrawlEvent::Finished`].
    pub async fn next(&mut self) -> Option<CrawlEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Done => return None,
                Phase::Robots => self.read_robots().await,
                Phase::Sitemaps(queue) => self.read_one_sitemap(queue).await,
                Phase::Pages => self.step_pages().await,
            }
        }
    }

    async fn read_robots(&mut self) {
        if self.config.respect_robots {
            let (fetcher, origin) = (self.fetcher.clone(), self.limits.origin.clone());
            match self.interruptible(async move { RobotsRules::fetch(&fetcher, &origin).await }).await {
                Ok(rules) => self.robots = rules,
                Err(interrupt) => return self.finish(interrupt.into()),
            }
            self.pending.push_back(CrawlEvent::Robots(self.robots.status.clone()));
        }
        let mut sitemaps = VecDeque::new();
        if self.config.use_sitemaps {
            let mut default = self.limits.origin.clone();
            default.set_path("/sitemap.xml");
            let listed = self.robots.sitemaps().into_iter().chain(self.config.extra_sitemaps.iter().cloned());
            for url in std::iter::once(default).chain(listed) {
                if same_origin(&url, &self.limits.origin) && !sitemaps.iter().any(|(u, _)| *u == url) {
                    sitemaps.push_back((url, 0));
                }
            }
        }
        // The start page passes robots.txt like every other page.
        if let Some(start) = self.frontier.queue.pop_front() {
            self.enqueue_checked(start, false);
        }
        self.phase = Phase::Sitemaps(sitemaps);
    }

    async fn read_one_sitemap(&mut self, mut queue: VecDeque<(Url, u32)>) {
        let budget = self.config.limits.max_sitemaps.saturating_sub(self.sitemaps_read);
        let Some((url, nesting)) = queue.pop_front().filter(|_| budget > 0) else {
            self.phase = Phase::Pages;
            return;
        };
        self.sitemaps_read += 1;
        let (fetcher, target) = (self.fetcher.clone(), url.clone());
        let fetch = async move { sitemap::fetch(&fetcher, &target, MAX_SITEMAP_BYTES).await };
        let result = match self.interruptible(fetch).await {
            Ok(result) => result,
            Err(interrupt) => return self.finish(interrupt.into()),
        };
        let mut read = SitemapRead { url: url.to_string(), urls: 0, sitemaps: 0, error: None };
        match result {
            // A missing default `/sitemap.xml` is normal, not worth an event.
            Err(error) if nesting == 0 && error.status() == Some(404) && url.path() == "/sitemap.xml" => {}
            Err(error) => {
                read.error = Some(error.to_string());
                self.pending.push_back(CrawlEvent::Sitemap(read));
            }
            Ok(found) => {
                for nested in found.sitemaps.iter().filter_map(|s| Url::parse(s).ok()) {
                    if nesting < MAX_SITEMAP_NESTING && same_origin(&nested, &self.limits.origin) {
                        read.sitemaps += 1;
                        queue.push_back((nested, nesting + 1));
                    }
                }
                for (loc, _) in &found.pages {
                    let Ok(page) = Url::parse(loc) else { continue };
                    let page = self.config.urls.normalize(&page);
                    if !same_origin(&page, &self.limits.origin) {
                        continue;
                    }
                    read.urls += 1;
                    self.frontier.in_sitemap.insert(page.to_string());
                    if self.frontier.seen.insert(page.to_string()) {
                        self.enqueue_checked(Queued { url: page, depth: 1, found_on: None }, true);
                    }
                }
                self.pending.push_back(CrawlEvent::Sitemap(read));
            }
        }
        self.phase = Phase::Sitemaps(queue);
    }

    async fn step_pages(&mut self) {
        self.phase = Phase::Pages;
        while self.tasks.len() < self.config.limits.concurrency && self.fetches_started < self.config.limits.max_pages {
            let Some(queued) = self.frontier.queue.pop_front() else { break };
            self.fetches_started += 1;
            let (fetcher, limits) = (self.fetcher.clone(), self.limits.clone());
            self.tasks.spawn(async move {
                let report = fetcher.page(queued.url.clone(), &limits).await;
                (queued, report)
            });
        }
        if self.tasks.is_empty() {
            let more = !self.frontier.queue.is_empty() || self.frontier.limit_hit;
            return self.finish(if more { StopReason::PageLimit } else { StopReason::Completed });
        }
        let joined = {
            let tasks = &mut self.tasks;
            let cancelled = &mut self.cancelled;
            tokio::select! {
                biased;
                _ = cancelled.wait_for(|c| *c) => Err(Interrupt::Cancelled),
                _ = tokio::time::sleep_until(self.deadline) => Err(Interrupt::TimeLimit),
                joined = tasks.join_next() => Ok(joined),
            }
        };
        match joined {
            Err(interrupt) => self.finish(interrupt.into()),
            Ok(Some(Ok((queued, report)))) => self.page_done(queued, report),
            Ok(Some(Err(error))) => tracing::error!(%error, "a crawl fetch task failed"),
            Ok(None) => {}
        }
    }

    fn page_done(&mut self, queued: Queued, mut report: PageReport) {
        report.depth = queued.depth;
        report.found_on = queued.found_on;
        report.in_sitemap = self.frontier.in_sitemap.contains(&report.url);
        // A same-origin redirect target is a page of its own (its content is checked under its own URL).
        let redirect_target = Url::parse(&report.final_url)
            .ok()
            .filter(|_| !report.redirects.is_empty())
            .map(|u| self.config.urls.normalize(&u))
            .filter(|u| same_origin(u, &self.limits.origin))
            .map(String::from);
        let follow = match self.config.follow_links {
            FollowLinks::Always => true,
            FollowLinks::UnlessSitemap => self.frontier.in_sitemap.is_empty(),
        };
        let links = if follow { report.internal_links.as_slice() } else { &[] };
        for link in links.iter().chain(&redirect_target) {
            if !self.frontier.seen.insert(link.clone()) {
                continue;
            }
            let Ok(url) = Url::parse(link) else { continue };
            if queued.depth + 1 > self.config.limits.max_depth {
                self.summary.skipped_by_depth += 1;
                continue;
            }
            self.enqueue_checked(Queued { url, depth: queued.depth + 1, found_on: Some(report.url.clone()) }, false);
        }
        self.summary.pages += 1;
        self.pending.push_back(CrawlEvent::Page(Box::new(report)));
    }

    /// Queues `queued` unless robots.txt disallows it (then reports it) or `max_pages` is already covered.
    fn enqueue_checked(&mut self, queued: Queued, in_sitemap: bool) {
        if !self.robots.allows(&queued.url) {
            self.summary.disallowed += 1;
            let url = queued.url.to_string();
            let in_sitemap = in_sitemap || self.frontier.in_sitemap.contains(&url);
            self.pending.push_back(CrawlEvent::Disallowed { url, found_on: queued.found_on, in_sitemap });
            return;
        }
        if self.fetches_started + self.frontier.queue.len() >= self.config.limits.max_pages {
            self.frontier.limit_hit = true;
            return;
        }
        self.frontier.queue.push_back(queued);
    }

    fn finish(&mut self, stop: StopReason) {
        self.tasks.abort_all();
        self.summary.stop = stop;
        self.summary.elapsed_ms = u64::try_from(self.started_at.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.pending.push_back(CrawlEvent::Finished(self.summary.clone()));
        self.phase = Phase::Done;
    }

    /// Runs `work` unless the crawl is cancelled or out of time first.
    async fn interruptible<T>(&mut self, work: impl Future<Output = T>) -> Result<T, Interrupt> {
        let cancelled = &mut self.cancelled;
        tokio::select! {
            biased;
            _ = cancelled.wait_for(|c| *c) => Err(Interrupt::Cancelled),
            _ = tokio::time::sleep_until(self.deadline) => Err(Interrupt::TimeLimit),
            value = work => Ok(value),
        }
    }
}

impl From<Interrupt> for StopReason {
    fn from(interrupt: Interrupt) -> Self {
        match interrupt {
            Interrupt::Cancelled => StopReason::Cancelled,
            Interrupt::TimeLimit => StopReason::TimeLimit,
        }
    }
}

/// A site's place in the running set, given back when the crawl is dropped.
#[derive(Debug)]
struct SiteClaim {
    running: Arc<Mutex<HashSet<String>>>,
    origin: String,
}

impl SiteClaim {
    fn take(running: &Arc<Mutex<HashSet<String>>>, origin: &str) -> Result<Self, CrawlError> {
        let mut set = running.lock().unwrap_or_else(PoisonError::into_inner);
        if !set.insert(origin.to_owned()) {
            return Err(CrawlError::AlreadyRunning { origin: origin.to_owned() });
        }
        Ok(Self { running: running.clone(), origin: origin.to_owned() })
    }
}

impl Drop for SiteClaim {
    fn drop(&mut self) {
        self.running.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.origin);
    }
}
