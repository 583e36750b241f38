//! The test site and the IndexNow receiver, both axum on 127.0.0.1 only.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

/// The site: five pages in its sitemap; `edit()` changes `/a` and `/b`; `/dynamic` changes on every request but
/// keeps its ETag; the key file is served once `serve_key` is set.
#[derive(Clone, Default)]
pub struct SiteState {
    pub version: Arc<AtomicU32>,
    pub hits: Arc<AtomicU32>,
    /// The key file: `(key, content)`, served at `/<key>.txt`.
    pub key: Arc<Mutex<Option<(String, String)>>>,
}

pub struct Site {
    pub addr: SocketAddr,
    pub state: SiteState,
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn serve_key(&self, key: &str) {
        self.serve_key_file(key, key);
    }

    pub fn serve_key_file(&self, key: &str, content: &str) {
        *self.state.key.lock().unwrap() = Some((key.to_owned(), content.to_owned()));
    }

    pub fn edit(&self) {
        self.state.version.fetch_add(1, Ordering::SeqCst);
    }
}

pub async fn site() -> Site {
    let state = SiteState::default();
    let app = Router::new()
        .route("/{page}", get(page))
        .route("/", get(|| async { Html("<html><body><h1>Home</h1><a href=\"/a\">a</a></body></html>") }))
        .route(
            "/sitemap.xml",
            get(|request: Request| async move {
                let host = request.headers()[header::HOST].to_str().unwrap().to_owned();
                let urls: String = ["/", "/a", "/b", "/c", "/dynamic"]
                    .iter()
                    .map(|p| format!("<url><loc>http://{host}{p}</loc></url>"))
                    .collect();
                format!(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>"#)
            }),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Site { addr, state }
}

async fn page(State(state): State<SiteState>, Path(page): Path<String>) -> Response {
    if let Some((_, content)) = state.key.lock().unwrap().clone().filter(|(k, _)| page == format!("{k}.txt")) {
        return content.into_response();
    }
    let version = state.version.load(Ordering::SeqCst);
    match page.as_str() {
        "a" | "b" => Html(format!("<html><body><h1>{page} v{version}</h1></body></html>")).into_response(),
        "c" => Html("<html><body><h1>c</h1></body></html>").into_response(),
        "dynamic" => {
            let hit = state.hits.fetch_add(1, Ordering::SeqCst);
            ([(header::ETAG, "\"stable\"")], Html(format!("<html><body>rendered {hit}</body></html>"))).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The IndexNow endpoint: records every body it receives and answers the scripted statuses (then 200).
#[derive(Clone, Default)]
pub struct Receiver {
    pub bodies: Arc<Mutex<Vec<Value>>>,
    pub script: Arc<Mutex<VecDeque<u16>>>,
    pub addr: Option<SocketAddr>,
}

impl Receiver {
    pub fn endpoint(&self) -> String {
        format!("http://{}/indexnow", self.addr.unwrap())
    }

    pub fn answer(&self, statuses: &[u16]) {
        self.script.lock().unwrap().extend(statuses);
    }

    /// The `urlList`s received, paths only.
    pub fn url_lists(&self, site: &Site) -> Vec<Vec<String>> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| {
                b["urlList"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u.as_str().unwrap().replace(&site.url(""), ""))
                    .collect()
            })
            .collect()
    }

    pub fn clear(&self) {
        self.bodies.lock().unwrap().clear();
    }
}

pub async fn receiver() -> Receiver {
    let mut receiver = Receiver::default();
    let app = Router::new()
        .route(
            "/indexnow",
            post(|State(r): State<Receiver>, body: axum::Json<Value>| async move {
                r.bodies.lock().unwrap().push(body.0);
                let status = r.script.lock().unwrap().pop_front().unwrap_or(200);
                StatusCode::from_u16(status).unwrap()
            }),
        )
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    receiver.addr = Some(listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    receiver
}
