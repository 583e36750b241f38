//! `GET /`: the console page (one self-contained HTML file, vanilla JS).

use axum::http::header;
use axum::response::IntoResponse;

const CONSOLE_HTML: &str = include_str!("console.html");

pub(crate) async fn page() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], CONSOLE_HTML)
}
