//! Requests as one caller: the host's signature and the caller's identity headers, exactly as a Temps host sends
//! them, on every request of a [`TestClient`].

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use http_body_util::BodyExt;
use serde::Serialize;
use temps_bundle_protocol::headers::{ACTOR_TOKEN, AUTH_SIGNATURE, USER_EMAIL, USER_ID, USER_PERMISSIONS, USER_ROLE};
use tower::ServiceExt;

use super::response::TestResponse;
use crate::caller::User;
use crate::engine::service::BundleService;

/// Calls a [`super::TestMember`] as one caller. Paths are the member's own (`/targets`, `/ui/`, `/health`).
pub struct TestClient<'m> {
    service: &'m BundleService,
    signature: Option<&'static str>,
    user: Option<User>,
}

impl<'m> TestClient<'m> {
    pub(super) fn new(service: &'m BundleService, signature: Option<&'static str>, user: Option<User>) -> Self {
        Self { service, signature, user }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, Body::empty(), None).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(Method::DELETE, path, Body::empty(), None).await
    }

    /// `POST` with `body` as JSON.
    pub async fn post(&self, path: &str, body: impl Serialize) -> TestResponse {
        self.send_json(Method::POST, path, body).await
    }

    /// `PUT` with `body` as JSON.
    pub async fn put(&self, path: &str, body: impl Serialize) -> TestResponse {
        self.send_json(Method::PUT, path, body).await
    }

    /// `PATCH` with `body` as JSON.
    pub async fn patch(&self, path: &str, body: impl Serialize) -> TestResponse {
        self.send_json(Method::PATCH, path, body).await
    }

    /// Any request; the caller's headers are added to it (replacing any of the same names).
    pub async fn request(&self, mut request: Request) -> TestResponse {
        let headers = request.headers_mut();
        headers.remove(AUTH_SIGNATURE);
        if let Some(signature) = self.signature {
            headers.insert(AUTH_SIGNATURE, HeaderValue::from_static(signature));
        }
        if let Some(user) = &self.user {
            let values = [
                (USER_ID, Some(user.id.to_string())),
                (USER_EMAIL, Some(user.email.clone())),
                (USER_ROLE, Some(user.role.clone())),
                (USER_PERMISSIONS, (!user.permissions.is_empty()).then(|| user.permissions.join(","))),
                (ACTOR_TOKEN, user.actor_token.clone()),
            ];
            for (name, value) in values {
                if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    headers.insert(name, value);
                }
            }
        }
        let response = match self.service.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let (parts, body) = response.into_parts();
        // The SDK's bodies are in-memory or streamed from the member; a failing stream reads as what arrived.
        let body = body.collect().await.map(|collected| collected.to_bytes()).unwrap_or_default();
        TestResponse::new(parts.status, parts.headers, body)
    }

    async fn send_json(&self, method: Method, path: &str, body: impl Serialize) -> TestResponse {
        let body = match serde_json::to_vec(&body) {
            Ok(bytes) => Body::from(bytes),
            #[allow(clippy::panic, reason = "a test helper: a body that cannot be serialized is a bug in the test")]
            Err(error) => panic!("{method} {path}: the request body does not serialize as JSON: {error}"),
        };
        self.send(method, path, body, Some("application/json")).await
    }

    async fn send(&self, method: Method, path: &str, body: Body, content_type: Option<&str>) -> TestResponse {
        let mut builder = Request::builder().method(method.clone()).uri(path);
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        match builder.body(body) {
            Ok(request) => self.request(request).await,
            #[allow(clippy::panic, reason = "a test helper: a malformed path is a bug in the test")]
            Err(error) => panic!("{method} {path}: not a valid request: {error}"),
        }
    }
}
