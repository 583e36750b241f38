//! The client against a local axum server on 127.0.0.1: the guard, the limits, the user agent.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Redirect;
use axum::routing::get;
use futures_util::stream;

use crate::{ClientConfig, HttpError, OutboundClient, OutboundPolicy};

/// Serves a few routes on 127.0.0.1:0; `/to?url=` redirects anywhere.
async fn server() -> SocketAddr {
    let app = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/ua", get(|headers: HeaderMap| async move { headers["user-agent"].to_str().unwrap().to_owned() }))
        .route("/big", get(|| async { vec![b'x'; 4096] }))
        .route(
            "/stream",
            get(|| async {
                // No Content-Length: the cap must hold while streaming.
                let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 1024]));
                Body::from_stream(stream::iter(chunks))
            }),
        )
        .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await }))
        .route(
            "/to",
            get(
                |axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                    Redirect::temporary(&q["url"])
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn client(policy: OutboundPolicy) -> OutboundClient {
    let config = ClientConfig {
        max_response_bytes: 2048,
        timeout: Duration::from_millis(500),
        max_redirects: 2,
        policy,
        ..ClientConfig::for_member("notify")
    };
    OutboundClient::new(config).unwrap()
}

fn allow_hosts(hosts: &[&str]) -> OutboundPolicy {
    OutboundPolicy { allow_private: false, allow_hosts: hosts.iter().map(|h| (*h).to_owned()).collect() }
}

#[tokio::test]
async fn loopback_is_blocked_by_default_by_literal_and_by_name() {
    let addr = server().await;
    let client = client(OutboundPolicy::default());
    let err = client.get(&format!("http://{addr}/ok")).send().await.unwrap_err();
    assert!(matches!(&err, HttpError::Blocked { address, reason: "loopback", .. } if address.is_loopback()), "{err:?}");
    let err = client.get(&format!("http://localhost:{}/ok", addr.port())).send().await.unwrap_err();
    assert!(matches!(&err, HttpError::Blocked { host, .. } if host == "localhost"), "{err:?}");
    assert!(err.to_string().contains("TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS"), "{err}");
    let err = client.check_target(&format!("http://localhost:{}/", addr.port())).await.unwrap_err();
    assert!(matches!(err, HttpError::Blocked { .. }), "{err:?}");
}

#[tokio::test]
async fn allowed_targets_are_fetched_with_the_user_agent() {
    let addr = server().await;
    let response = client(OutboundPolicy::allow_all()).get(&format!("http://{addr}/ua")).send().await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), format!("temps-bundle/{} (+member notify)", env!("CARGO_PKG_VERSION")));
    let by_name = client(allow_hosts(&["localhost"]));
    let response = by_name.get(&format!("http://localhost:{}/ok", addr.port())).send().await.unwrap();
    assert_eq!(response.text(), "ok");
}

#[tokio::test]
async fn bodies_over_the_cap_are_aborted() {
    let addr = server().await;
    let client = client(OutboundPolicy::allow_all());
    for path in ["big", "stream"] {
        let err = client.get(&format!("http://{addr}/{path}")).send().await.unwrap_err();
        assert!(matches!(err, HttpError::TooLarge { limit: 2048, .. }), "{path}: {err:?}");
    }
}

#[tokio::test]
async fn slow_targets_time_out() {
    let addr = server().await;
    let err = client(OutboundPolicy::allow_all()).get(&format!("http://{addr}/slow")).send().await.unwrap_err();
    assert!(matches!(err, HttpError::Timeout { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn redirects_to_loopback_are_blocked_when_only_the_first_host_is_allowed() {
    let addr = server().await;
    let port = addr.port();
    // localhost is allowed; its redirect to the loopback literal is not.
    let client_a = client(allow_hosts(&["localhost"]));
    let to_literal = format!("http://localhost:{port}/to?url=http://127.0.0.1:{port}/ok");
    let err = client_a.get(&to_literal).send().await.unwrap_err();
    assert!(matches!(&err, HttpError::Blocked { url, .. } if url.contains("127.0.0.1")), "{err:?}");
    // 127.0.0.1 is allowed; its redirect to a name resolving to loopback is caught by the resolver.
    let client_b = client(allow_hosts(&["127.0.0.1"]));
    let to_name = format!("http://127.0.0.1:{port}/to?url=http://localhost:{port}/ok");
    let err = client_b.get(&to_name).send().await.unwrap_err();
    assert!(matches!(&err, HttpError::Blocked { host, .. } if host == "localhost"), "{err:?}");
    // With the guard open the same redirect is followed.
    let open = client(OutboundPolicy::allow_all());
    assert_eq!(open.get(&to_name).send().await.unwrap().text(), "ok");
}

#[tokio::test]
async fn redirect_chains_are_limited() {
    let addr = server().await;
    let hop = |next: &str| format!("http://{addr}/to?url={}", urlencode(next));
    let chain = hop(&hop(&hop(&format!("http://{addr}/ok"))));
    let err = client(OutboundPolicy::allow_all()).get(&chain).send().await.unwrap_err();
    assert!(matches!(err, HttpError::TooManyRedirects { limit: 2, .. }), "{err:?}");
}

#[tokio::test]
async fn invalid_urls_are_refused_before_sending() {
    let client = client(OutboundPolicy::default());
    for url in ["not a url", "ftp://example.com/", "file:///etc/passwd", "http://"] {
        let err = client.check_target(url).await.unwrap_err();
        assert!(matches!(err, HttpError::InvalidUrl { .. }), "{url}: {err:?}");
    }
    let urls = [
        "http://169.254.169.254/latest",
        "http://[::1]:80/",
        "http://0x7f000001/",
        "http://10.0.0.1/",
        // IPv6 forms that carry an IPv4 address (local-use NAT64, IPv4-translated, 6to4), and documentation.
        "http://[64:ff9b:1::a00:1]/",
        "http://[::ffff:0:169.254.169.254]/",
        "http://[2002:7f00:1::1]/",
        "http://192.0.2.1/",
        "http://[2001:db8::1]/",
    ];
    for url in urls {
        let err = client.check_url(url).unwrap_err();
        assert!(matches!(err, HttpError::Blocked { .. }), "{url}: {err:?}");
    }
}

#[test]
fn urls_in_errors_keep_only_scheme_host_and_port() {
    let table = [
        ("https://hooks.slack.com/services/T0/B0/SECRET", "https://hooks.slack.com/…"),
        ("http://127.0.0.1:8080/hook?token=x", "http://127.0.0.1:8080/…"),
        ("https://example.com/", "https://example.com"),
        ("https://user:pass@example.com", "https://example.com"),
        ("not a url", "<unparsable URL>"),
    ];
    for (url, shown) in table {
        assert_eq!(crate::redact(url), shown, "{url}");
    }
}

#[tokio::test]
async fn errors_do_not_repeat_the_path_or_query() {
    let addr = server().await;
    let open = client(OutboundPolicy::allow_all());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let refused = open.post(&format!("http://{closed}/hook/SECRET?token=SECRET")).send().await.unwrap_err();
    assert!(matches!(refused, HttpError::Connect { .. }), "{refused:?}");
    let missing =
        open.get(&format!("http://{addr}/missing/SECRET")).send().await.unwrap().error_for_status().unwrap_err();
    assert_eq!(missing.status(), Some(404));
    let blocked = client(OutboundPolicy::default()).get("http://10.0.0.1/SECRET").send().await.unwrap_err();
    for text in [refused.to_string(), missing.to_string(), blocked.to_string(), format!("{blocked:?}")] {
        assert!(!text.contains("SECRET"), "{text}");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn streamed_bodies_arrive_in_chunks_within_the_cap() {
    let addr = server().await;
    let config = ClientConfig { max_response_bytes: 80 * 1024, ..ClientConfig::for_member("crawl") };
    let roomy = OutboundClient::new(ClientConfig { policy: OutboundPolicy::allow_all(), ..config }).unwrap();
    let mut stream = roomy.get(&format!("http://{addr}/stream")).send_streaming().await.unwrap();
    assert_eq!(stream.status, 200);
    let (mut chunks, mut bytes) = (0, 0);
    while let Some(chunk) = stream.chunk().await.unwrap() {
        chunks += 1;
        bytes += chunk.len();
    }
    assert_eq!(bytes, 64 * 1024);
    assert!(chunks > 1, "the body came in {chunks} chunk(s)");
    let mut capped =
        client(OutboundPolicy::allow_all()).get(&format!("http://{addr}/stream")).send_streaming().await.unwrap();
    let err = loop {
        match capped.chunk().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the cap was not enforced"),
            Err(err) => break err,
        }
    };
    assert!(matches!(err, HttpError::TooLarge { limit: 2048, .. }), "{err:?}");
    let err =
        client(OutboundPolicy::allow_all()).get(&format!("http://{addr}/big")).send_streaming().await.unwrap_err();
    assert!(matches!(err, HttpError::TooLarge { .. }), "a Content-Length over the cap fails at once: {err:?}");
}

#[tokio::test]
async fn zero_redirects_returns_the_redirect_itself() {
    let addr = server().await;
    let config =
        ClientConfig { max_redirects: 0, policy: OutboundPolicy::allow_all(), ..ClientConfig::for_member("crawl") };
    let client = OutboundClient::new(config).unwrap();
    let response = client.get(&format!("http://{addr}/to?url=/ok")).send().await.unwrap();
    assert_eq!(response.status, 307);
    assert_eq!(response.headers["location"], "/ok");
    let stream = client.get(&format!("http://{addr}/to?url=/ok")).send_streaming().await.unwrap();
    assert_eq!(stream.status, 307);
}
