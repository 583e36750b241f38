//! Tests of the UI server, driven through `ui_router` with `tower::ServiceExt::oneshot` over the fixture tree
//! `tests-fixtures/ui/` (index.html, docs/index.html, favicon.svg, assets/app-abc123.js with `.br`/`.gz`,
//! assets/style-def456.css).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use include_dir::{Dir, include_dir};
use tower::ServiceExt;

use super::ui_router;

static FIXTURE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests-fixtures/ui");
static PLACEHOLDER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/tests-fixtures/placeholder");

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(dir: &'static Dir<'static>, method: Method, uri: &str, headers: &[(header::HeaderName, &str)]) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = ui_router(dir).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer { status, headers, body }
}

async fn get(uri: &str) -> Answer {
    send(&FIXTURE, Method::GET, uri, &[]).await
}

fn fixture(path: &str) -> &'static [u8] {
    FIXTURE.get_file(path).unwrap().contents()
}

#[tokio::test]
async fn ui_without_slash_redirects_relatively_to_ui_slash() {
    let answer = get("/ui").await;
    assert_eq!(answer.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(answer.header(header::LOCATION), "ui/");

    let answer = get("/ui?tab=2").await;
    assert_eq!(answer.header(header::LOCATION), "ui/?tab=2");
}

#[tokio::test]
async fn ui_slash_serves_index_html_uncached() {
    let answer = get("/ui/").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_TYPE), "text/html; charset=utf-8");
    assert_eq!(answer.header(header::CACHE_CONTROL), "no-cache");
    assert_eq!(answer.body, fixture("index.html"));
    assert!(answer.header(header::ETAG).starts_with('"'));
}

#[tokio::test]
async fn files_get_their_mime_type_and_cache_policy() {
    // (path, content type, cache-control)
    let cases = [
        ("/ui/index.html", "text/html; charset=utf-8", "no-cache"),
        ("/ui/assets/app-abc123.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/ui/assets/style-def456.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/ui/favicon.svg", "image/svg+xml", "no-cache"),
        ("/ui/docs/", "text/html; charset=utf-8", "no-cache"),
    ];
    for (uri, content_type, cache_control) in cases {
        let answer = get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert_eq!(answer.header(header::CONTENT_TYPE), content_type, "{uri}");
        assert_eq!(answer.header(header::CACHE_CONTROL), cache_control, "{uri}");
        assert_eq!(answer.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
    }
    assert_eq!(get("/ui/docs/").await.body, fixture("docs/index.html"));
}

#[tokio::test]
async fn route_like_paths_fall_back_to_index_html() {
    for uri in ["/ui/projects", "/ui/projects/7/settings", "/ui/projects/", "/ui/%C3%A9t%C3%A9"] {
        let answer = get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert_eq!(answer.body, fixture("index.html"), "{uri}");
        assert_eq!(answer.header(header::CACHE_CONTROL), "no-cache", "{uri}");
    }
}

#[tokio::test]
async fn missing_assets_are_404_problems_not_html() {
    for uri in ["/ui/assets/missing-abc123.js", "/ui/style.css", "/ui/logo.png", "/ui/docs/missing.html"] {
        let answer = get(uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(answer.header(header::CONTENT_TYPE), "application/problem+json", "{uri}");
        let problem: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(problem["status"], 404, "{uri}");
    }
}

#[tokio::test]
async fn no_path_leaves_the_embedded_tree() {
    let escapes = [
        "/ui/../Cargo.toml",
        "/ui/assets/../../Cargo.toml",
        "/ui/%2e%2e/Cargo.toml",
        "/ui/%2E%2E%2FCargo.toml",
        "/ui/assets/%2e%2e%2f%2e%2e%2fsrc/lib.rs",
        "/ui/..%5c..%5cCargo.toml",
        "/ui/assets\\..\\..\\Cargo.toml",
        "/ui//etc/passwd",
        "/ui/%2fetc/passwd",
        "/ui/./index.html",
        "/ui/..",
        "/ui/%00index.html",
        "/ui/%zz",
        "/ui/%ff",
    ];
    for uri in escapes {
        let answer = get(uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(answer.header(header::CONTENT_TYPE), "application/problem+json", "{uri}");
    }
}

#[tokio::test]
async fn precompressed_variants_follow_accept_encoding() {
    // (Accept-Encoding, expected Content-Encoding, expected body)
    let js = "assets/app-abc123.js";
    let br = format!("{js}.br");
    let gz = format!("{js}.gz");
    let cases = [
        ("gzip, deflate, br, zstd", "br", br.as_str()),
        ("gzip", "gzip", gz.as_str()),
        ("br;q=0.5, gzip;q=0.8", "gzip", gz.as_str()),
        ("br;q=0, gzip;q=0", "", js),
        ("*", "br", br.as_str()),
        ("identity", "", js),
        ("", "", js),
    ];
    for (accept, encoding, body) in cases {
        let answer =
            send(&FIXTURE, Method::GET, "/ui/assets/app-abc123.js", &[(header::ACCEPT_ENCODING, accept)]).await;
        assert_eq!(answer.status, StatusCode::OK, "{accept}");
        assert_eq!(answer.header(header::CONTENT_ENCODING), encoding, "{accept}");
        assert_eq!(answer.header(header::VARY), "accept-encoding", "{accept}");
        assert_eq!(answer.header(header::CONTENT_TYPE), "text/javascript; charset=utf-8", "{accept}");
        assert_eq!(answer.body, fixture(body), "{accept}");
        assert_eq!(answer.header(header::CONTENT_LENGTH), fixture(body).len().to_string(), "{accept}");
    }
}

#[tokio::test]
async fn files_without_variants_do_not_vary() {
    let answer = send(&FIXTURE, Method::GET, "/ui/favicon.svg", &[(header::ACCEPT_ENCODING, "br, gzip")]).await;
    assert_eq!(answer.header(header::CONTENT_ENCODING), "");
    assert_eq!(answer.header(header::VARY), "");
}

#[tokio::test]
async fn variants_are_not_addressable_on_their_own() {
    assert_eq!(get("/ui/assets/app-abc123.js.br").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn etags_are_strong_stable_per_encoding_and_answer_304() {
    let plain = get("/ui/assets/app-abc123.js").await;
    let again = get("/ui/assets/app-abc123.js").await;
    let brotli = send(&FIXTURE, Method::GET, "/ui/assets/app-abc123.js", &[(header::ACCEPT_ENCODING, "br")]).await;
    let etag = plain.header(header::ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34, "{etag}");
    assert_eq!(again.header(header::ETAG), etag);
    assert_ne!(brotli.header(header::ETAG), etag);

    for if_none_match in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_owned()] {
        let answer =
            send(&FIXTURE, Method::GET, "/ui/assets/app-abc123.js", &[(header::IF_NONE_MATCH, &if_none_match)]).await;
        assert_eq!(answer.status, StatusCode::NOT_MODIFIED, "{if_none_match}");
        assert!(answer.body.is_empty());
        assert_eq!(answer.header(header::ETAG), etag);
        assert_eq!(answer.header(header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    }
    let stale = send(&FIXTURE, Method::GET, "/ui/assets/app-abc123.js", &[(header::IF_NONE_MATCH, "\"stale\"")]).await;
    assert_eq!(stale.status, StatusCode::OK);
}

#[tokio::test]
async fn head_answers_get_headers_without_a_body() {
    let get_answer = get("/ui/assets/app-abc123.js").await;
    let head = send(&FIXTURE, Method::HEAD, "/ui/assets/app-abc123.js", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::ETAG, header::CACHE_CONTROL] {
        assert_eq!(head.header(name.clone()), get_answer.header(name.clone()), "{name}");
    }
    assert_eq!(send(&FIXTURE, Method::HEAD, "/ui", &[]).await.status, StatusCode::PERMANENT_REDIRECT);
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        let answer = send(&FIXTURE, method.clone(), "/ui/", &[]).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(answer.header(header::ALLOW), "GET, HEAD");
    }
}

#[tokio::test]
async fn paths_outside_ui_are_404() {
    assert_eq!(get("/uix").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get("/index.html").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_placeholder_tree_is_served_as_is() {
    let answer = send(&PLACEHOLDER, Method::GET, "/ui/", &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.text().contains("cargo xtask ui"), "{}", answer.text());
    assert_eq!(send(&PLACEHOLDER, Method::GET, "/ui/anything", &[]).await.status, StatusCode::OK);
    assert_eq!(send(&PLACEHOLDER, Method::GET, "/ui/assets/app-x.js", &[]).await.status, StatusCode::NOT_FOUND);
}

#[test]
fn precompressed_variants_can_be_turned_off() {
    use super::assets::Assets;
    let js = "assets/app-abc123.js";
    assert!(Assets::with_precompressed(&FIXTURE, true).get(js).unwrap().has_variants());
    let plain = Assets::with_precompressed(&FIXTURE, false);
    assert!(!plain.get(js).unwrap().has_variants(), "no br/gz variant is served, so no Content-Encoding either");
    assert!(plain.get(&format!("{js}.br")).is_none(), "the variants stay unaddressable");
}
