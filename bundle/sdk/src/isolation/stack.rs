//! A member's request stack, built once at start-up and applied to its router: observe (metrics, watchdog,
//! problems) → load shed → the member's concurrency permits → deadline → body limit → the member's routes.
//! Applied with `Router::layer`, so the observer sees the matched route template; the permits are one semaphore
//! per member, shared by all of its routes.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;

use super::MemberIsolation;
use super::observe::ObserveLayer;

/// `router` behind the member's limits.
pub(crate) fn apply(router: Router, member: &Arc<MemberIsolation>) -> Router {
    let limits = member.limits;
    router.layer(
        ServiceBuilder::new()
            .layer(ObserveLayer::new(member.clone()))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::with_semaphore(member.requests.clone()))
            .timeout(limits.request_timeout())
            // tower-http refuses a too-large Content-Length up front and caps streamed bodies; axum's extractors
            // get the same number (their own default would otherwise cut at 2 MiB whatever the member's limit).
            .layer(RequestBodyLimitLayer::new(limits.max_body()))
            .layer(DefaultBodyLimit::max(limits.max_body())),
    )
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

        let (status, _, _) = send(&router, get_req("/items/8")).await;
        assert_eq!(status, StatusCode::OK);
        let text = crate::isolation::metrics::encode();
        for series in [
            r#"temps_bundle_request_rejections_total{member="limited",reason="deadline"} 2"#,
            r#"temps_bundle_request_rejections_total{member="limited",reason="overload"} 1"#,
            r#"temps_bundle_request_rejections_total{member="limited",reason="body"} 2"#,
            r#"temps_bundle_requests_total{member="limited",route="/items/{id}",class="2xx"} 1"#,
            r#"temps_bundle_requests_total{member="limited",route="/items/{id}",class="5xx"} 1"#,
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
