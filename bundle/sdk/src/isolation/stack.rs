//! A member's request stack, built once at start-up and applied to its router with one `Router::layer`:
//! observe (metrics, watchdog, problems) → overload (the member's permits) → deadline → body limit → panic guard →
//! the member's routes. Applied inside the router, so the observer sees the matched route template; the permits
//! are one counter per member, shared by all of its routes.
//!
//! Every member request passes here, so it is one concrete service with one concrete future
//! ([`super::observe::Observed`]) instead of a tower stack of generic layers: no boxed future of its own, no
//! per-request lookup of the route's metrics (resolved on the route's first request and kept by the route), one
//! clock reading at the start shared by the latency, the deadline and the watchdog, and no body wrapper or
//! extension for a request without a body.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::response::Response;
use axum::routing::Route;
use tokio::time::Instant;
use tower::{Layer, Service};

use super::MemberIsolation;
use super::metrics::{Rejection, RouteMetrics, UNMATCHED_ROUTE};
use super::observe::Observed;
use super::panic_guard::PanicGuard;

/// `router` behind the member's limits.
pub(crate) fn apply(router: Router, member: &Arc<MemberIsolation>) -> Router {
    router.layer(MemberLayer { member: member.forever() })
}

/// Builds one [`MemberStack`] per route of the member (what `Router::layer` does with a layer).
#[derive(Clone)]
struct MemberLayer {
    member: &'static Arc<MemberIsolation>,
}

impl Layer<Route> for MemberLayer {
    type Service = MemberStack;

    fn layer(&self, route: Route) -> MemberStack {
        MemberStack {
            inner: PanicGuard::new(&self.member.name, route),
            member: self.member,
            // One per route of the router, built once.
            route: Box::leak(Box::default()),
        }
    }
}

/// One route of a member behind the member's limits. See the module documentation. axum clones a route's
/// service for every request, so everything here but the route itself is a `'static` borrow (see
/// [`MemberIsolation::forever`]).
#[derive(Clone)]
pub(crate) struct MemberStack {
    inner: PanicGuard<Route>,
    member: &'static Arc<MemberIsolation>,
    /// The metrics of the route template this route serves, resolved on its first request.
    route: &'static OnceLock<&'static RouteMetrics>,
}

impl MemberStack {
    /// The metrics of the request's route template. A route serves one template (axum layers every route of a
    /// router separately), so the first request's handles are kept; a request under another template (none is
    /// known to happen) is looked up instead of being counted under the wrong one.
    fn route_metrics(&self, req: &Request) -> &'static RouteMetrics {
        let template = req.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, MatchedPath::as_str);
        match self.route.get() {
            Some(route) if route.template() == template => route,
            Some(_) => self.member.metrics.route(template, self.member),
            None => self.route.get_or_init(|| self.member.metrics.route(template, self.member)),
        }
    }
}

impl Service<Request> for MemberStack {
    type Response = Response;
    type Error = Infallible;
    type Future = Observed<<PanicGuard<Route> as Service<Request>>::Future>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Readiness (the concurrency permit) is decided in the call, so an overloaded member answers at once.
        // The inner `Route` is always ready (axum's routes decide nothing in `poll_ready`).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let start = Instant::now();
        let route = self.route_metrics(&req);
        let member: &'static MemberIsolation = self.member;
        let Some(permit) = member.requests.try_take() else {
            return Observed::rejected(Rejection::Overload, route, member, start);
        };
        let max_body = member.limits.max_body();
        let future = match limit_body(&mut req, max_body) {
            // No body: nothing to limit, nothing to tell the extractors.
            Ok(false) => self.inner.call(req),
            // axum's extractors get the same number (their own default would otherwise cut at 2 MiB whatever the
            // member's limit).
            Ok(true) => DefaultBodyLimit::max(max_body).layer(&mut self.inner).call(req),
            Err(rejection) => return Observed::rejected(rejection, route, member, start),
        };
        Observed::running(future, permit, route, member, start)
    }
}

/// Refuses a body declared larger than `max` up front and caps a streamed one at `max` (the handler's read fails
/// as it crosses the limit, which the extractors answer with 413). `Ok(false)`: the request has no body.
fn limit_body(req: &mut Request, max: usize) -> Result<bool, Rejection> {
    let hint = req.body().size_hint();
    if hint.exact() == Some(0) {
        return Ok(false);
    }
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    let max_u64 = u64::try_from(max).unwrap_or(u64::MAX);
    if hint.lower() > max_u64 || declared.is_some_and(|length| length > max_u64) {
        return Err(Rejection::Body);
    }
    let body = std::mem::take(req.body_mut());
    *req.body_mut() = Body::new(http_body_util::Limited::new(body, max));
    Ok(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use axum::body::{Body, Bytes};
    use axum::extract::Request;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::host::MemberLimits;
    use crate::isolation::EffectiveLimits;

    fn member() -> Arc<MemberIsolation> {
        let limits = MemberLimits {
            request_timeout_ms: Some(50),
            max_concurrent_requests: Some(1),
            max_body_bytes: Some(10),
            ..MemberLimits::DEFAULT
        };
        MemberIsolation::new("limited", EffectiveLimits::resolve(&limits), false)
    }

    fn router(member: &Arc<MemberIsolation>) -> Router {
        let routes = Router::new()
            .route("/forever", get(std::future::pending::<&'static str>))
            .route("/items/{id}", get(|| async { "ok" }))
            .route("/upload", post(|body: Bytes| async move { body.len().to_string() }));
        apply(routes, member)
    }

    async fn send(router: &Router, req: Request) -> (StatusCode, Option<String>, String) {
        let response = router.clone().oneshot(req).await.unwrap();
        let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, retry, String::from_utf8_lossy(&body).into_owned())
    }

    fn get_req(path: &str) -> Request {
        Request::get(path).body(Body::empty()).unwrap()
    }

    // Paused time: the holder below takes the permit before the clock moves, and its 50 ms deadline cannot pass
    // while the next request is refused, however slowly a loaded machine schedules this test.
    #[tokio::test(start_paused = true)]
    async fn deadline_overload_and_body_limits_answer_problems_and_are_counted() {
        let member = member();
        let router = router(&member);
        let (status, _, body) = send(&router, get_req("/forever")).await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{body}");
        assert!(body.contains("did not answer within its 50 ms request deadline"), "{body}");

        // One request holds the only permit; the next is refused at once, with Retry-After.
        let holder = tokio::spawn(send_owned(router.clone(), get_req("/forever")));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        let (status, retry, body) = send(&router, get_req("/items/7")).await;
        assert_eq!((status, retry.as_deref()), (StatusCode::SERVICE_UNAVAILABLE, Some("1")), "{body}");
        assert!(body.contains("its limit of 1 concurrent requests"), "{body}");
        assert_eq!(holder.await.unwrap(), StatusCode::GATEWAY_TIMEOUT);

        let declared =
            Request::post("/upload").header("content-length", "11").body(Body::from("x".repeat(11))).unwrap();
        let (status, _, body) = send(&router, declared).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(body.contains("at most 10 bytes") && body.contains("\"status\":413"), "{body}");
        let streamed = Request::post("/upload").body(Body::from_stream(futures_util::stream::iter([
            Ok::<_, std::io::Error>(Bytes::from("x".repeat(8))),
            Ok(Bytes::from("x".repeat(8))),
        ])));
        let (status, _, body) = send(&router, streamed.unwrap()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        let (status, _, body) = send(&router, Request::post("/upload").body(Body::from("small")).unwrap()).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "5"));
        // No body at all: nothing to limit, the extractor still gets its (empty) body.
        let (status, _, body) = send(&router, Request::post("/upload").body(Body::empty()).unwrap()).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "0"));

        let (status, _, _) = send(&router, get_req("/items/8")).await;
        assert_eq!(status, StatusCode::OK);
        let text = crate::isolation::metrics::encode();
        for series in [
            r#"temps_bundle_request_rejections_total{member="limited",reason="deadline"} 2"#,
            r#"temps_bundle_request_rejections_total{member="limited",reason="overload"} 1"#,
            r#"temps_bundle_request_rejections_total{member="limited",reason="body"} 2"#,
            r#"temps_bundle_requests_total{member="limited",route="/items/{id}",class="2xx"} 1"#,
            r#"temps_bundle_requests_total{member="limited",route="/items/{id}",class="5xx"} 1"#,
            // Each route keeps its own template's handles: nothing of /items/{id} is counted under /upload.
            r#"temps_bundle_requests_total{member="limited",route="/upload",class="4xx"} 2"#,
            r#"temps_bundle_requests_total{member="limited",route="/upload",class="2xx"} 2"#,
            r#"temps_bundle_requests_total{member="limited",route="/forever",class="5xx"} 2"#,
            r#"temps_bundle_requests_in_flight{member="limited"} 0"#,
        ] {
            assert!(text.contains(series), "missing {series} in\n{text}");
        }
        assert!(!text.contains("/items/7"), "raw paths never become labels");
    }

    async fn send_owned(router: Router, req: Request) -> StatusCode {
        router.oneshot(req).await.unwrap().status()
    }
}
