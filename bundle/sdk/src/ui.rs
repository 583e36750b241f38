//! Serving embedded web UIs (a member's `web/dist`, or the bundle's shell) under `/ui/`.
//!
//! Placeholder: being written in parallel (issue 5). `ui_router` must serve `/ui` (redirect), `/ui/` and `/ui/{*path}`.

use axum::Router;
use include_dir::Dir;

/// A router serving `dir` at `/ui/`.
pub fn ui_router(dir: &'static Dir<'static>) -> Router {
    let _ = dir;
    Router::new()
}
