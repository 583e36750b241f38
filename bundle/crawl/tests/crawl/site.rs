//! The test sites: axum on 127.0.0.1 only, plus "traps" that count connections a refused redirect must never make.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

/// A running site: its address and how many requests it served.
pub struct Site {
    pub addr: SocketAddr,
    pub requests: Arc<AtomicUsize>,
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A listener that only counts connection attempts.
pub struct Trap {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
}

pub async fn trap(bind: &str) -> Option<Trap> {
    let listener = tokio::net::TcpListener::bind(bind).await.ok()?;
    let addr = listener.local_addr().ok()?;
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    Some(Trap { addr, connections })
}

pub async fn serve(app: Router<Arc<AtomicUsize>>) -> Site {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = app.with_state(requests.clone()).layer(axum::middleware::from_fn(
        move |request: Request, next: axum::middleware::Next| {
            counter.fetch_add(1, Ordering::SeqCst);
            next.run(request)
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Site { addr, requests }
}

pub fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><title>{title}</title>\
         <meta name=\"description\" content=\"{title} page\"></head><body><h1>{title}</h1>{body}</body></html>"
    ))
}

/// The audit test site. `private` names the non-loopback redirect targets; `trap_v4`/`trap_v6` are loopback
/// listeners reachable only by names/literals the policy does not allow.
pub async fn audit_site(trap_v4: SocketAddr, trap_v6: Option<SocketAddr>) -> Site {
    let v6_target = trap_v6.map(|a| format!("http://[::1]:{}/", a.port())).unwrap_or_else(|| "http://[::1]/".into());
    let by_name = format!("http://localhost:{}/", trap_v4.port());
    let app = Router::new()
        .route("/", get(|| async {
            page("Home", r#"<a href="/a">a</a> <a href="/b#top">b</a> <a href="/missing">missing</a>
                <a href="/old">old</a> <a href="/secret/x">secret</a> <a href="/huge">huge</a>
                <a href="/slow">slow</a> <a href="/to-private">p</a> <a href="/to-metadata">m</a>
                <a href="/to-v6">v6</a> <a href="/to-name">name</a> <a href="https://example.invalid/out">out</a>"#)
        }))
        .route("/a", get(|| async { page("A", r#"<a href="/b">b</a> <a href="/a?">self</a>"#) }))
        .route("/b", get(|| async { page("B", r#"<a href="/a#x">a</a> <a href="/missing">missing again</a>"#) }))
        .route("/old", get(|| async { Redirect::permanent("/older") }))
        .route("/older", get(|| async { Redirect::temporary("/a") }))
        .route("/to-private", get(|| async { Redirect::temporary("http://10.0.0.1/admin") }))
        .route("/to-metadata", get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data/") }))
        .route("/to-v6", get(move || { let to = v6_target.clone(); async move { Redirect::temporary(&to) } }))
        .route("/to-name", get(move || { let to = by_name.clone(); async move { Redirect::temporary(&to) } }))
        .route("/secret/x", get(|| async { page("Secret", "") }))
        .route("/noindex", get(|| async {
            Html("<html lang=\"en\"><head><title>Hidden</title><meta name=\"robots\" content=\"noindex\"></head><body><h1>Hidden</h1></body></html>")
        }))
        .route("/only-in-sitemap", get(|| async { page("Orphan", "") }))
        .route("/huge", get(|| async { huge_page(3 * 1024 * 1024) }))
        .route("/slow", get(|| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            page("Slow", "")
        }))
        .route("/robots.txt", get(|State(_): State<Arc<AtomicUsize>>, request: Request| async move {
            let host = request.headers()[header::HOST].to_str().unwrap().to_owned();
            format!("User-agent: *\nDisallow: /secret\n\nSitemap: http://{host}/sitemap-index.xml\n")
        }))
        .route("/sitemap-index.xml", get(|request: Request| async move {
            let host = request.headers()[header::HOST].to_str().unwrap().to_owned();
            format!(r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <sitemap><loc>http://{host}/pages.xml.gz</loc></sitemap></sitemapindex>"#)
        }))
        .route("/pages.xml.gz", get(|request: Request| async move {
            let host = request.headers()[header::HOST].to_str().unwrap().to_owned();
            let xml = format!(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <url><loc>http://{host}/</loc></url><url><loc>http://{host}/noindex</loc></url>
                <url><loc>http://{host}/only-in-sitemap</loc></url><url><loc>http://{host}/secret/listed</loc></url>
                <url><loc>https://elsewhere.invalid/x</loc></url></urlset>"#);
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(xml.as_bytes()).unwrap();
            ([(header::CONTENT_TYPE, "application/gzip")], gz.finish().unwrap())
        }))
        .fallback(|| async { (StatusCode::NOT_FOUND, page("Not found", "")) });
    serve(app).await
}

/// A page of `bytes` bytes whose first link is near the top and whose second is at the very end.
fn huge_page(bytes: usize) -> Response {
    let head = "<html><head><title>Huge</title></head><body><a href=\"/a\">a</a><p>".to_owned();
    let tail = "</p><a href=\"/beyond-the-cap\">never seen</a></body></html>";
    let filler = bytes - head.len() - tail.len();
    let chunks = std::iter::once(head.into_bytes())
        .chain((0..filler / 1024).map(|_| vec![b'x'; 1024]))
        .chain(std::iter::once(vec![b'y'; filler % 1024]))
        .chain(std::iter::once(tail.as_bytes().to_vec()))
        .map(Ok::<_, std::io::Error>);
    ([(header::CONTENT_TYPE, "text/html")], Body::from_stream(futures_util::stream::iter(chunks))).into_response()
}

/// `n` pages in a chain of links (`/p/0` → `/p/1` …) plus links back home; every response waits `delay`.
pub async fn chain_site(n: usize, delay: Duration) -> Site {
    let app = Router::new().route(
        "/p/{i}",
        get(move |axum::extract::Path(i): axum::extract::Path<usize>| async move {
            tokio::time::sleep(delay).await;
            let next = if i + 1 < n { format!("<a href=\"/p/{}\">next</a>", i + 1) } else { String::new() };
            page(&format!("Page {i}"), &format!("{next} <a href=\"/p/0\">first</a>"))
        }),
    );
    serve(app).await
}
