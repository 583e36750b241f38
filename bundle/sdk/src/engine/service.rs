//! The service behind the socket. A request for a member goes straight to it after one name lookup; everything
//! else (bundle routes, protocol routes, unknown names) goes through the bundle's axum router. Skipping the outer
//! router for member traffic keeps composition close to the cost of a bare axum handler (`cargo xtask bench`).

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use temps_bundle_protocol::headers::{CHANNEL_PATH, EVENTS_PATH};
use tower::Service;

use super::router::App;
use super::served::Served;

/// The bundle as one tower service.
#[derive(Clone)]
pub(crate) struct BundleService {
    app: Arc<App>,
    router: Router,
}

impl BundleService {
    /// `router` serves whatever is not a member request.
    pub(crate) fn new(app: Arc<App>, router: Router) -> Self {
        Self { app, router }
    }
}

impl Service<Request> for BundleService {
    type Response = Response;
    type Error = Infallible;
    type Future = Served;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let path = req.uri().path();
        let direct = if path == CHANNEL_PATH || path == EVENTS_PATH { None } else { self.app.dispatch.route(path) };
        match direct {
            Some((member, prefix)) => self.app.dispatch.serve(member, req, prefix),
            None => Served::Router { call: Served::route(&self.router, req) },
        }
    }
}
