//! The HTTP front of `temps-devhost`: the Temps-like `/api/x/...` routes, the console page and its helper API.

mod console;
mod devhost_api;
mod front_proxy;
mod problem;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;

use crate::caller::Caller;
use crate::plugin::RunningPlugin;

/// What every handler sees: the plugin and the identity the dev user has.
#[derive(Debug, Clone)]
pub struct FrontState {
    pub plugin: Arc<RunningPlugin>,
    pub caller: Arc<Caller>,
}

impl FrontState {
    pub fn new(plugin: Arc<RunningPlugin>, caller: Caller) -> Self {
        Self { plugin, caller: Arc::new(caller) }
    }
}

/// All routes: `/` (console), `GET /api/x/plugins`, `/api/x/<name>/...` (proxied), `/_devhost/...` (console API).
pub fn router(state: FrontState) -> Router {
    Router::new()
        .route("/", get(console::page))
        .route("/api/x/plugins", get(devhost_api::plugins))
        .route("/_devhost/info", get(devhost_api::info))
        .route("/_devhost/events", post(devhost_api::fire_event))
        .route("/_devhost/calls", get(devhost_api::calls))
        .route("/_devhost/stderr", get(devhost_api::stderr))
        .fallback(front_proxy::forward)
        .with_state(state)
}

/// Serves the front on an already-bound listener until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: FrontState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
