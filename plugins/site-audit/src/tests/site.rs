//! The test site (axum on 127.0.0.1 only). `fixed` flips it to its second state: `/missing` is repaired and
//! a new broken link to `/gone` appears.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;

pub struct Site {
    pub addr: SocketAddr,
    pub fixed: Arc<AtomicBool>,
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn fix(&self) {
        self.fixed.store(true, Ordering::SeqCst);
    }
}

/// A page with nothing to report: title, description, one h1, canonical and lang all fine.
pub fn good(path: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><title>The {path} page of the test site</title>\
         <meta name=\"description\" content=\"A page of the site-audit test site, long enough to be a real snippet.\">\
         <link rel=\"canonical\" href=\"{path}\"></head><body><h1>{path}</h1>{body}</body></html>"
    ))
}

pub async fn serve(slow: Duration) -> Site {
    let fixed = Arc::new(AtomicBool::new(false));
    let app = Router::new()
        .route("/", get(|State(fixed): State<Arc<AtomicBool>>| async move {
            let gone = if fixed.load(Ordering::SeqCst) { r#"<a href="/gone">gone</a>"# } else { "" };
            good("/", &format!(r#"<a href="/a">a</a> <a href="/missing">m</a> <a href="/old">old</a> <a href="/to-private">p</a> {gone}"#))
        }))
        .route("/a", get(|| async {
            Html("<html lang=\"en\"><head><title>Page A of the test site</title></head><body><h1>A</h1><a href=\"/b\">b</a></body></html>")
        }))
        .route("/b", get(move || async move {
            tokio::time::sleep(slow).await;
            good("/b", "")
        }))
        .route("/missing", get(|State(fixed): State<Arc<AtomicBool>>| async move {
            if fixed.load(Ordering::SeqCst) { good("/missing", "").into_response() } else { StatusCode::NOT_FOUND.into_response() }
        }))
        .route("/old", get(|| async { Redirect::permanent("/older") }))
        .route("/older", get(|| async { Redirect::temporary("/a") }))
        .route("/to-private", get(|| async { Redirect::temporary("http://10.0.0.1/") }))
        .route("/noindex", get(|| async {
            Html("<html lang=\"en\"><head><title>Hidden page of the test site</title>\
                  <meta name=\"description\" content=\"A page of the site-audit test site, long enough to be a real snippet.\">\
                  <link rel=\"canonical\" href=\"/noindex\"><meta name=\"robots\" content=\"noindex\"></head><body><h1>Hidden</h1></body></html>")
        }))
        .route("/robots.txt", get(|| async { "User-agent: *\nDisallow: /private\n" }))
        .route("/sitemap.xml", get(|request: Request| async move {
            let host = request.headers()[header::HOST].to_str().unwrap().to_owned();
            format!(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://{host}/</loc></url>
                <url><loc>http://{host}/noindex</loc></url><url><loc>http://{host}/private/listed</loc></url></urlset>"#)
        }))
        .with_state(fixed.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Site { addr, fixed }
}
