//! Section 7, crawl: site-audit crawling a local site of 10 000 pages (2 000 with `--quick`) with rate limiting off.
//! Pages per second over the wall time from `POST /audits` to the completed report (polled every 200 ms), and the
//! bundle's peak RSS growth while it crawls (sampled every 50 ms against the RSS just before the audit). The site is served by this harness process on
//! 127.0.0.1, so it shares the cores with the bundle under test; the bundle may reach exactly that address.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::extract::Path;
use axum::response::Html;
use bytes::Bytes;
use serde_json::{Value, json};
use temps_bundle_devhost::{Caller, RunningPlugin};

use crate::plugin::{Launch, pid};
use crate::proc_mem::Memory;
use crate::profile::Profile;
use crate::report::{Row, Target, Unit, mib};

/// What one crawl measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CrawlResult {
    pub pages: u64,
    pub seconds: f64,
    pub pages_per_second: f64,
    pub rss_before: u64,
    pub rss_peak: u64,
    pub status: String,
}

impl CrawlResult {
    pub fn rows(&self) -> Vec<Row> {
        let growth = self.rss_peak.saturating_sub(self.rss_before);
        vec![
            Row::plain(
                "7",
                format!("crawl: site-audit over {} local pages, no rate limit ({})", self.pages, self.status),
                format!("{:.0} pages/s ({} pages in {:.1} s)", self.pages_per_second, self.pages, self.seconds),
            )
            .target(Target::AtLeast(300.0, Unit::PerSecond), self.pages_per_second),
            Row::plain(
                "7",
                "crawl: peak RSS growth of the bundle during the crawl",
                format!("{} (from {} to {})", mib(growth), mib(self.rss_before), mib(self.rss_peak)),
            )
            .target(Target::AtMost(64.0, Unit::MiB), growth as f64 / (1024.0 * 1024.0)),
        ]
    }
}

/// Runs one audit of a generated site against the composite bundle `bin`.
pub async fn measure(bin: &std::path::Path, profile: &Profile) -> anyhow::Result<CrawlResult> {
    let pages: usize = if profile.name == "quick" { 2_000 } else { 10_000 };
    let site = serve_site(pages).await?;
    let launch = Launch::composite("composite (crawl)", bin);
    let options = launch.options(true).env("TEMPS_BUNDLE_ALLOW_HOSTS", "127.0.0.1");
    let plugin = RunningPlugin::spawn(options).await.context("starting the bundle for the crawl")?;
    let result = crawl(&plugin, &site, pages).await;
    let _ = plugin.kill().await;
    result
}

async fn crawl(plugin: &RunningPlugin, site: &str, pages: usize) -> anyhow::Result<CrawlResult> {
    let limits = json!({ "limits": {
        "max_pages": pages, "max_depth": 10, "requests_per_second": 0, "concurrency": 8,
        "max_duration_ms": 600_000, "request_timeout_ms": 15_000
    } });
    send(plugin, "PATCH", "/site-audit/settings", &limits, 200).await?;
    let pid = pid(plugin)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = Memory::of(pid)?.rss;
    let started = Instant::now();
    let audit = send(plugin, "POST", "/site-audit/audits", &json!({ "url": format!("{site}/p/0") }), 202).await?;
    let path = format!("/site-audit/audits/{}", audit["id"]);
    let mut rss_peak = rss_before;
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut last_poll = Instant::now();
    let report = loop {
        rss_peak = rss_peak.max(Memory::of(pid)?.rss);
        if last_poll.elapsed() >= Duration::from_millis(200) {
            last_poll = Instant::now();
            let report = send(plugin, "GET", &path, &Value::Null, 200).await?;
            if !matches!(report["audit"]["status"].as_str(), Some("queued" | "running")) {
                break report;
            }
        }
        if Instant::now() > deadline {
            bail!("the crawl did not finish within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    let audit = &report["audit"];
    let crawled = audit["pages"].as_u64().unwrap_or(0);
    let status =
        format!("{}, {}", audit["status"].as_str().unwrap_or("?"), audit["stop_reason"].as_str().unwrap_or("?"));
    Ok(CrawlResult {
        pages: crawled,
        seconds,
        pages_per_second: crawled as f64 / seconds,
        rss_before,
        rss_peak,
        status,
    })
}

async fn send(plugin: &RunningPlugin, method: &str, path: &str, body: &Value, status: u16) -> anyhow::Result<Value> {
    let bytes = if body.is_null() { Bytes::new() } else { Bytes::from(body.to_string()) };
    let request =
        http::Request::builder().method(method).uri(path).header("content-type", "application/json").body(bytes)?;
    let response = plugin.proxy(request, &Caller::admin()).await?;
    if response.status.as_u16() != status {
        bail!("{method} {path} answered {}: {}", response.status, response.text());
    }
    Ok(response.json().unwrap_or(Value::Null))
}

/// A site of `pages` pages in a tree of ten children per page (`/p/0` is the root), each with a title, a
/// description, one H1 and a link home; its origin.
async fn serve_site(pages: usize) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/p/{n}",
        axum::routing::get(move |Path(n): Path<usize>| async move {
            let children: String = (10 * n + 1..=10 * n + 10)
                .filter(|c| *c < pages)
                .map(|c| format!("<li><a href=\"/p/{c}\">page {c}</a></li>"))
                .collect();
            Html(format!(
                "<!doctype html><html lang=\"en\"><head><title>Benchmark page {n}</title>\
                 <meta name=\"description\" content=\"Page {n} of the generated site the crawl benchmark audits.\">\
                 <link rel=\"canonical\" href=\"/p/{n}\"></head><body><h1>Page {n}</h1><ul>{children}</ul>\
                 <p>{}</p><a href=\"/p/0\">home</a></body></html>",
                "Some text of a typical page. ".repeat(40)
            ))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the crawl site")?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}
