//! The future of one request to the bundle ([`super::service::BundleService`]): an answer known at once, a
//! member's call, or a router's. One concrete type, so the serving loop polls it in place: no boxed future and
//! no copy of the request into a heap-allocated state machine per request (`cargo xtask bench`, section 3).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, Uri};
use axum::response::Response;
use axum::routing::future::RouteFuture;
use pin_project_lite::pin_project;
use tower::Service;

use super::dispatch::{member_path, problem_for_bare_status};
use crate::isolation::MemberIsolation;

pin_project! {
    /// See the module documentation.
    #[project = ServedProj]
    pub(crate) enum Served {
        /// Answered without calling anything (health, authentication refusals, disabled or failed members).
        Now { response: Option<Response> },
        /// A router's call: the bundle's own routes, or a member's embedded UI.
        Router { #[pin] call: RouteFuture<Infallible> },
        /// A running member's call. Its bare 404 and 405 become problems naming the member, the method and the
        /// member-relative path (`original` with its first `prefix` bytes of path skipped).
        Member {
            #[pin]
            call: RouteFuture<Infallible>,
            member: &'static MemberIsolation,
            method: Method,
            original: Uri,
            prefix: usize,
        },
    }
}

impl Served {
    pub(crate) fn now(response: Response) -> Self {
        Self::Now { response: Some(response) }
    }

    /// `router`'s answer to `req` (a router is always ready: axum decides nothing in `poll_ready`).
    pub(crate) fn route(router: &Router, req: Request) -> RouteFuture<Infallible> {
        router.clone().call(req)
    }
}

impl Future for Served {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            // Polled again after it answered (a contract violation of the caller): an error rather than a panic.
            ServedProj::Now { response } => Poll::Ready(Ok(response.take().unwrap_or_else(internal))),
            ServedProj::Router { call } => call.poll(cx),
            ServedProj::Member { call, member, method, original, prefix } => {
                let response = match call.poll(cx) {
                    Poll::Ready(Ok(response)) => response,
                    Poll::Ready(Err(never)) => match never {},
                    Poll::Pending => return Poll::Pending,
                };
                let path = member_path(original, *prefix);
                Poll::Ready(Ok(problem_for_bare_status(response, &member.name, method, path)))
            }
        }
    }
}

fn internal() -> Response {
    axum::response::IntoResponse::into_response(crate::problem::Problem::internal())
}
