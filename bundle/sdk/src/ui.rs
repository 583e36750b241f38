//! Serving embedded web UIs (a member's `web/dist`, or the bundle's shell) under `/ui/`.
//!
//! The engine sends every request whose path (member prefix already stripped) is `/ui` or starts with `/ui/` to
//! [`ui_router`]. What it does, in order:
//! - `GET /ui` redirects to `ui/` (a relative `Location`, so it works behind any mount prefix);
//! - the rest of the path is decoded and checked (`path::asset_path`): nothing can leave the embedded tree;
//! - a file of the tree is served with its MIME type, a strong ETag (304 on `If-None-Match`), a cache policy
//!   (`assets::cache_control`) and, when the client accepts it, its precompressed `.br`/`.gz` sibling;
//! - a missing *route-like* path (no file extension) gets `index.html` (hash-routed SPAs), a missing asset is a 404.
//!
//! Only `GET` and `HEAD` are served. `HEAD` answers the headers `GET` would, without the body.

mod assets;
mod encoding;
mod path;
mod response;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::Dir;

use crate::problem::Problem;
use assets::Assets;

/// A router serving `dir` at `/ui/` (see the module docs). The file index is built once, here; ETags are computed
/// on first use and cached.
pub(crate) fn ui_router(dir: &'static Dir<'static>) -> Router {
    let assets = Arc::new(Assets::new(dir));
    Router::new().fallback(move |request: Request| {
        let assets = assets.clone();
        async move { serve(&assets, &request) }
    })
}

fn serve(assets: &Assets, request: &Request) -> Response {
    let head = request.method() == Method::HEAD;
    if !head && request.method() != Method::GET {
        return method_not_allowed(request.method());
    }
    let uri_path = request.uri().path();
    if uri_path == "/ui" {
        return redirect_to_slash(request.uri().query());
    }
    let Some(rest) = uri_path.strip_prefix("/ui/") else {
        return Problem::not_found(format!("{uri_path} is not under /ui/")).into_response();
    };
    let asset_path = match path::asset_path(rest) {
        Ok(asset_path) => asset_path,
        Err(rejection) => return Problem::bad_request(rejection.to_string()).into_response(),
    };
    let found = assets.get(&asset_path.file);
    // Only route-like paths fall back to index.html: a missing script or image must be a 404, not HTML.
    let found = found.or_else(|| asset_path.route_like.then(|| assets.index()).flatten());
    match found {
        Some(asset) => response::asset_response(asset, request.headers(), head),
        None if asset_path.route_like => Problem::not_found("this UI has no index.html").into_response(),
        None => Problem::not_found(format!("no UI asset at {}", asset_path.file)).into_response(),
    }
}

fn redirect_to_slash(query: Option<&str>) -> Response {
    let location = match query {
        Some(query) => format!("ui/?{query}"),
        None => "ui/".to_owned(),
    };
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn method_not_allowed(method: &Method) -> Response {
    let problem = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method Not Allowed",
        format!("the UI is read-only: {method} is not allowed, use GET or HEAD"),
    );
    let mut response = problem.into_response();
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}
