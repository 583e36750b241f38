//! The outermost layer of a member's request stack: it names the route (axum's `MatchedPath`), counts the request
//! in flight, records every poll for the watchdog, turns the limits' errors into problem+json (504 deadline, 503
//! overload with `Retry-After`, 413 body) and records status class and latency.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::util::Oneshot;
use tower::{BoxError, Layer, Service, ServiceExt};

use super::MemberIsolation;
use super::metrics::{Rejection, RouteMetrics, UNMATCHED_ROUTE};
use super::watchdog;
use crate::problem::{PROBLEM_JSON, Problem};

/// Seconds a client is told to wait after a 503 for overload.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 1;

/// Builds [`Observe`] around the rest of the member's stack.
#[derive(Clone)]
pub(crate) struct ObserveLayer {
    member: Arc<MemberIsolation>,
}

impl ObserveLayer {
    pub(crate) fn new(member: Arc<MemberIsolation>) -> Self {
        Self { member }
    }
}

impl<S> Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe { inner, member: self.member.clone() }
    }
}

/// See the module documentation.
#[derive(Clone)]
pub(crate) struct Observe<S> {
    inner: S,
    member: Arc<MemberIsolation>,
}

impl<S, B> Service<Request> for Observe<S>
where
    S: Service<Request, Response = http::Response<B>, Error = BoxError> + Clone,
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ObserveFuture<Oneshot<S, Request>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Readiness (the concurrency permit) is decided in the call, so an overloaded member answers at once.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let template = req.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, MatchedPath::as_str);
        let route = self.member.metrics.route(template, &self.member);
        self.member.metrics.in_flight.inc();
        let inner = self.inner.clone();
        ObserveFuture { inner: Box::pin(inner.oneshot(req)), route, member: self.member.clone(), start: Instant::now() }
    }
}

/// The future of one observed request.
pub(crate) struct ObserveFuture<F> {
    inner: Pin<Box<F>>,
    route: Arc<RouteMetrics>,
    member: Arc<MemberIsolation>,
    start: Instant,
}

impl<F, B> Future for ObserveFuture<F>
where
    F: Future<Output = Result<http::Response<B>, BoxError>>,
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = {
            let _guard = watchdog::enter(&self.route.activity);
            match self.inner.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            }
        };
        let response = answer(&self.member, result);
        let seconds = self.start.elapsed().as_secs_f64();
        let status = response.status().as_u16();
        self.route.record(status, seconds);
        self.member.metrics.stats.record(status, seconds);
        Poll::Ready(Ok(response))
    }
}

impl<F> Drop for ObserveFuture<F> {
    fn drop(&mut self) {
        self.member.metrics.in_flight.dec();
    }
}

/// The member's response, or the problem a limit answers with.
fn answer<B>(member: &MemberIsolation, result: Result<http::Response<B>, BoxError>) -> Response
where
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let limits = &member.limits;
    match result {
        Ok(response) if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem(&response) => {
            member.metrics.reject(Rejection::Body);
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "Request Body Too Large",
                format!("member {:?} accepts request bodies of at most {} bytes", member.name, limits.max_body_bytes),
            )
            .into_response()
        }
        Ok(response) => {
            if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
                member.metrics.reject(Rejection::Body);
            }
            response.map(Body::new)
        }
        Err(error) if error.is::<tower::timeout::error::Elapsed>() => {
            member.metrics.reject(Rejection::Deadline);
            tracing::warn!(member = %member.name, timeout_ms = limits.request_timeout_ms, "request deadline exceeded; the handler was dropped");
            Problem::new(
                StatusCode::GATEWAY_TIMEOUT,
                "request-timeout",
                "Member Timed Out",
                format!(
                    "member {:?} did not answer within its {} ms request deadline",
                    member.name, limits.request_timeout_ms
                ),
            )
            .into_response()
        }
        Err(error) if error.is::<tower::load_shed::error::Overloaded>() => {
            member.metrics.reject(Rejection::Overload);
            let mut response = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "member-overloaded",
                "Member Overloaded",
                format!(
                    "member {:?} is handling its limit of {} concurrent requests; retry in {RETRY_AFTER_SECONDS} s",
                    member.name, limits.max_concurrent_requests
                ),
            )
            .into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
            response
        }
        Err(error) => {
            tracing::error!(member = %member.name, %error, "a member request failed in the request stack");
            Problem::internal().into_response()
        }
    }
}

fn is_problem<B>(response: &http::Response<B>) -> bool {
    response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes())
}
