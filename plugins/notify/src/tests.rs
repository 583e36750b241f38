//! The router in-process (`oneshot`): the OpenAPI document covers every route, roles are enforced, and bad
//! targets are refused with 422 naming the field.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use temps_bundle_sdk::channel::Scope;
use temps_bundle_sdk::protocol::headers;
use temps_bundle_sdk::{Context, Plugin};
use tower::ServiceExt;

use crate::Notify;
use crate::routes::ROUTES;

async fn app(dir: &tempfile::TempDir) -> axum::Router {
    let ctx = Context::for_tests("notify", dir.path().to_owned(), Scope::default());
    let state = Notify.on_start(&ctx).await.unwrap();
    Notify.router(&ctx, state)
}

async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    role: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method.to_uppercase().as_str()).uri(path);
    if let Some(role) = role {
        request =
            request.header(headers::USER_ID, "1").header(headers::USER_EMAIL, "a@b.c").header(headers::USER_ROLE, role);
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let response = app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[test]
fn the_openapi_document_describes_every_route() {
    let document = crate::openapi::document();
    assert_eq!(document["openapi"], "3.1.0");
    for (method, path) in ROUTES {
        assert!(document["paths"][path][method].is_object(), "{method} {path} is missing from the OpenAPI document");
    }
    let documented: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().keys().filter(|k| *k != "parameters").count())
        .sum();
    assert_eq!(documented, ROUTES.len(), "the document describes routes the router does not serve");
}

#[tokio::test]
async fn every_listed_route_is_served_and_admin_only_except_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir).await;
    for (method, path) in ROUTES {
        let path = path.replace("{id}", "1");
        let body = matches!(*method, "post" | "patch").then(|| json!({}));
        let (anonymous, _) = call(&app, method, &path, None, body.clone()).await;
        assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{method} {path} as anonymous");
        let (reader, _) = call(&app, method, &path, Some("reader"), body).await;
        let expected = if path == "/deliveries" { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(reader, expected, "{method} {path} as reader");
    }
}

#[tokio::test]
async fn bad_targets_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir).await;
    let cases = [
        (json!({"name": "x", "url": "not a url", "format": "json"}), "url: not a valid"),
        (
            json!({"name": "x", "url": "http://127.0.0.1:9/hook", "format": "json"}),
            "url: 127.0.0.1 is a loopback address",
        ),
        (
            json!({"name": "x", "url": "http://localhost:9/hook", "format": "slack"}),
            "url: localhost is a loopback address",
        ),
        (json!({"name": " ", "url": "https://93.184.216.34", "format": "json"}), "name: "),
        (json!({"name": "x", "url": "https://93.184.216.34", "format": "json", "events": ["Nope"]}), "events: "),
        (json!({"name": "x", "url": "https://93.184.216.34", "format": "json", "events": []}), "events: "),
    ];
    for (body, expected) in cases {
        let (status, problem) = call(&app, "post", "/targets", Some("admin"), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.starts_with(expected), "{body}: {detail}");
    }
    let (status, problem) = call(
        &app,
        "post",
        "/targets",
        Some("admin"),
        Some(json!({"name": "x", "url": "https://93.184.216.34", "format": "xml"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["detail"].as_str().unwrap().contains("format"), "{problem}");
}
