//! The crawler against local test sites (127.0.0.1 only): findings, limits, the guard on redirects, cancellation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod site;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use temps_bundle_crawl::{
    CrawlConfig, CrawlError, CrawlEvent, Crawler, FailureKind, OutboundPolicy, PageReport, RobotsStatus, StopReason,
};

/// A crawl config for `start` that allows exactly 127.0.0.1 (the test site), nothing else non-public.
fn config(start: &str) -> CrawlConfig {
    let mut config = CrawlConfig::new("crawl-test", start).unwrap();
    config.policy = OutboundPolicy { allow_private: false, allow_hosts: vec!["127.0.0.1".into()] };
    config.limits.requests_per_second = 0;
    config.limits.request_timeout_ms = 500;
    config.limits.max_page_bytes = 64 * 1024;
    config
}

async fn run(config: CrawlConfig) -> Vec<CrawlEvent> {
    let mut crawl = Crawler::new().start(config).unwrap();
    let mut events = Vec::new();
    while let Some(event) = crawl.next().await {
        events.push(event);
    }
    events
}

fn pages(events: &[CrawlEvent]) -> BTreeMap<String, PageReport> {
    events
        .iter()
        .filter_map(|e| match e {
            CrawlEvent::Page(page) => Some((page.url.clone(), (**page).clone())),
            _ => None,
        })
        .collect()
}

fn finished(events: &[CrawlEvent]) -> &temps_bundle_crawl::CrawlSummary {
    match events.last() {
        Some(CrawlEvent::Finished(summary)) => summary,
        other => panic!("the last event is not Finished: {other:?}"),
    }
}

/// What each page ended in, in one short word: the status, or the failure kind.
fn outcome(page: &PageReport) -> String {
    match (&page.status, &page.failure) {
        (_, Some(failure)) => format!("{:?}", failure.kind),
        (Some(status), None) => status.to_string(),
        (None, None) => "nothing".into(),
    }
}

#[tokio::test]
async fn the_audit_site_yields_exactly_the_expected_pages() {
    let trap_v4 = site::trap("127.0.0.1:0").await.unwrap();
    let trap_v6 = site::trap("[::1]:0").await;
    let site = site::audit_site(trap_v4.addr, trap_v6.as_ref().map(|t| t.addr)).await;
    let events = run(config(&site.url("/"))).await;
    let pages = pages(&events);
    let u = |path: &str| site.url(path);
    let outcomes: BTreeMap<String, String> = pages.iter().map(|(url, page)| (url.clone(), outcome(page))).collect();
    let expected: BTreeMap<String, String> = [
        ("/", "200"),
        ("/a", "200"),
        ("/b", "200"),
        ("/missing", "404"),
        ("/old", "200"),
        ("/huge", "200"),
        ("/slow", "Timeout"),
        ("/to-private", "Blocked"),
        ("/to-metadata", "Blocked"),
        ("/to-v6", "Blocked"),
        ("/to-name", "Blocked"),
        ("/noindex", "200"),
        ("/only-in-sitemap", "200"),
    ]
    .into_iter()
    .map(|(path, outcome)| (u(path), outcome.to_owned()))
    .collect();
    assert_eq!(outcomes, expected);

    // The redirect chain, hop by hop; /a itself was not fetched a second time through it.
    let old = &pages[&u("/old")];
    let hops: Vec<(String, u16, String)> =
        old.redirects.iter().map(|h| (h.url.clone(), h.status, h.location.clone())).collect();
    assert_eq!(hops, [(u("/old"), 308, u("/older")), (u("/older"), 307, u("/a"))]);
    assert_eq!(old.final_url, u("/a"));

    // Refused before connecting: the private literals never reach the network, the loopback ones never reach the traps.
    let private = &pages[&u("/to-private")];
    assert_eq!(private.redirects[0].location, "http://10.0.0.1/admin");
    assert!(private.failure.as_ref().unwrap().message.contains("private address"), "{private:?}");
    assert!(pages[&u("/to-metadata")].failure.as_ref().unwrap().message.contains("link-local"));
    assert_eq!(trap_v4.connections.load(Ordering::SeqCst), 0, "localhost is not 127.0.0.1 to the policy");
    if let Some(trap) = &trap_v6 {
        assert_eq!(trap.connections.load(Ordering::SeqCst), 0, "[::1] is not 127.0.0.1 to the policy");
    }

    // The huge page: read up to the page limit, its first link found, the one past the cap not.
    let huge = &pages[&u("/huge")];
    assert!(huge.truncated);
    assert_eq!(huge.bytes, 64 * 1024);
    assert_eq!(huge.internal_links, [u("/a")]);

    // noindex and the sitemap; robots.txt.
    assert!(pages[&u("/noindex")].noindex() && pages[&u("/noindex")].in_sitemap);
    assert!(!pages[&u("/a")].in_sitemap);
    assert_eq!(pages[&u("/only-in-sitemap")].depth, 1);
    let disallowed: Vec<(String, bool)> = events
        .iter()
        .filter_map(|e| match e {
            CrawlEvent::Disallowed { url, in_sitemap, .. } => Some((url.clone(), *in_sitemap)),
            _ => None,
        })
        .collect();
    assert_eq!(disallowed, [(u("/secret/listed"), true), (u("/secret/x"), false)]);
    assert!(
        matches!(&events[0], CrawlEvent::Robots(RobotsStatus::Applied { sitemaps, .. }) if sitemaps == &[u("/sitemap-index.xml")])
    );

    // Links: normalised (fragments and empty queries dropped), referrers kept, externals apart.
    assert_eq!(pages[&u("/b")].internal_links, [u("/a"), u("/missing")]);
    assert_eq!(pages[&u("/missing")].found_on.as_deref(), Some(u("/").as_str()));
    assert_eq!(pages[&u("/")].external_links, ["https://example.invalid/out"]);
    let home = pages[&u("/")].html.clone().unwrap();
    assert_eq!((home.title.as_deref(), home.lang.as_deref(), home.h1.len()), (Some("Home"), Some("en"), 1));
    assert!(pages[&u("/")].content_hash.as_ref().is_some_and(|h| h.len() == 64));

    let summary = finished(&events);
    assert_eq!((summary.stop, summary.pages, summary.disallowed), (StopReason::Completed, 13, 2));
}

#[tokio::test]
async fn page_and_depth_limits_hold() {
    let site = site::chain_site(50, Duration::ZERO).await;
    let mut limited = config(&site.url("/p/0"));
    limited.limits.max_pages = 5;
    let events = run(limited).await;
    assert_eq!(pages(&events).len(), 5);
    assert_eq!(finished(&events).stop, StopReason::PageLimit);

    let mut shallow = config(&site.url("/p/0"));
    shallow.limits.max_depth = 2;
    let events = run(shallow).await;
    let urls: Vec<String> = pages(&events).into_keys().collect();
    assert_eq!(urls, [site.url("/p/0"), site.url("/p/1"), site.url("/p/2")]);
    let summary = finished(&events);
    assert_eq!((summary.stop, summary.skipped_by_depth), (StopReason::Completed, 1));
}

#[tokio::test]
async fn the_rate_limit_and_time_limit_hold() {
    let site = site::chain_site(50, Duration::ZERO).await;
    let mut slow = config(&site.url("/p/0"));
    slow.limits.requests_per_second = 4;
    slow.limits.max_duration_ms = 1100;
    let started = Instant::now();
    let events = run(slow).await;
    assert_eq!(finished(&events).stop, StopReason::TimeLimit);
    // Unlimited, the 50 pages at 4/s would take 12.5 s; the bound leaves a loaded machine room above the 1.1 s.
    assert!(started.elapsed() < Duration::from_secs(8), "the time limit stopped the crawl");
    // A burst of 4, then one every 250 ms: robots.txt, sitemap.xml and pages together stay within that.
    assert!(site.requests() <= 4 + 5, "{} requests in 1.1 s at 4/s", site.requests());
    assert!(site.requests() >= 4, "the crawl did run");
}

#[tokio::test]
async fn cancel_stops_the_crawl_without_waiting_for_its_requests() {
    let site = site::chain_site(50, Duration::from_secs(30)).await;
    let mut crawl = Crawler::new().start(config(&site.url("/p/0"))).unwrap();
    let cancel = crawl.cancel_handle();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let started = Instant::now();
    let mut last = None;
    while let Some(event) = crawl.next().await {
        last = Some(event);
    }
    let elapsed = started.elapsed();
    assert!(matches!(last, Some(CrawlEvent::Finished(ref s)) if s.stop == StopReason::Cancelled), "{last:?}");
    // The pages answer after 30 s: a crawl that waited for its requests would take that long; cancelled, it stops
    // at once (a second on an idle machine; the bound is generous for a loaded one).
    assert!(elapsed < Duration::from_secs(10), "stopped after {elapsed:?}");
}

#[tokio::test]
async fn links_are_followed_only_without_a_sitemap_when_asked() {
    let trap = site::trap("127.0.0.1:0").await.unwrap();
    let site = site::audit_site(trap.addr, None).await;
    let mut sitemap_only = config(&site.url("/"));
    sitemap_only.follow_links = temps_bundle_crawl::FollowLinks::UnlessSitemap;
    let urls: Vec<String> = pages(&run(sitemap_only).await).into_keys().collect();
    assert_eq!(urls, [site.url("/"), site.url("/noindex"), site.url("/only-in-sitemap")]);
    let chain = site::chain_site(3, Duration::ZERO).await;
    let mut no_sitemap = config(&chain.url("/p/0"));
    no_sitemap.follow_links = temps_bundle_crawl::FollowLinks::UnlessSitemap;
    assert_eq!(pages(&run(no_sitemap).await).len(), 3, "without a sitemap, links are followed");
}

#[tokio::test]
async fn one_crawl_per_site_at_a_time() {
    let site = site::chain_site(2, Duration::ZERO).await;
    let crawler = Crawler::new();
    let first = crawler.start(config(&site.url("/p/0"))).unwrap();
    let err = crawler.start(config(&site.url("/p/1"))).unwrap_err();
    assert!(matches!(&err, CrawlError::AlreadyRunning { origin } if *origin == site.url("")), "{err:?}");
    assert!(crawler.is_running(&site.url("")));
    drop(first);
    assert!(crawler.start(config(&site.url("/p/1"))).is_ok(), "dropping a crawl frees its site");
}

#[tokio::test]
async fn the_default_policy_refuses_the_loopback_site_itself() {
    let site = site::chain_site(2, Duration::ZERO).await;
    let mut closed = config(&site.url("/p/0"));
    closed.policy = OutboundPolicy::default();
    closed.respect_robots = false;
    let events = run(closed).await;
    let page = &pages(&events)[&site.url("/p/0")];
    assert_eq!(page.failure.as_ref().map(|f| f.kind), Some(FailureKind::Blocked));
    assert_eq!(site.requests(), 0);
}
