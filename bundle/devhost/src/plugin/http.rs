//! HTTP to the plugin: raw requests on the socket, and requests through the simulated Temps proxy.

use bytes::Bytes;
use temps_bundle_protocol::Generation;

use super::RunningPlugin;
use crate::caller::Caller;
use crate::error::DevHostError;
use crate::proxy::{self, Injected};
use crate::response::Response;
use crate::unix_http;

impl RunningPlugin {
    /// Sends `request` as is over a new socket connection (HTTP/1.1, `Host: localhost` when absent, nothing else added).
    pub async fn send(&self, request: http::Request<Bytes>) -> Result<Response, DevHostError> {
        unix_http::send_unix(&self.paths.socket_path, request, self.request_timeout).await
    }

    /// Sends `request` the way the Temps proxy forwards `/api/x/<name><path>`: `request`'s path is the one *after* the
    /// prefix. Client cookies, credentials and `x-temps-*` headers are stripped; the host's headers are set per
    /// generation and caller. `/_events` and `/_temps/channel` are never forwarded (404 from the host).
    /// Unlike Temps, anonymous and odd callers are forwarded on every path, so tests can check the plugin's own
    /// rejection; an unreachable socket is an error ([`DevHostError::is_bad_gateway`]), where Temps answers 502.
    pub async fn proxy(&self, request: http::Request<Bytes>, caller: &Caller) -> Result<Response, DevHostError> {
        let (parts, body) = request.into_parts();
        if proxy::is_never_forwarded(parts.uri.path()) {
            return Ok(not_forwarded(parts.uri.path()));
        }
        let mut headers = proxy::forwardable(&parts.headers);
        let mints_actor = self.generation == Generation::B && !self.manifest().capabilities.is_empty();
        let actor_token = match caller {
            Caller::User { .. } if mints_actor => Some(self.host.mint_actor_token()),
            _ => None,
        };
        let injected = Injected {
            generation: self.generation,
            plugin_name: &self.manifest().name,
            secret: &self.secret,
            caller,
            actor_token,
        };
        proxy::inject(&mut headers, &injected)?;
        let mut forwarded = http::Request::new(body);
        *forwarded.method_mut() = parts.method;
        *forwarded.uri_mut() = parts.uri;
        *forwarded.headers_mut() = headers;
        self.send(forwarded).await
    }

    /// `GET path` through the proxy.
    pub async fn get(&self, path: &str, caller: &Caller) -> Result<Response, DevHostError> {
        let uri: http::Uri =
            path.parse().map_err(|e| DevHostError::InvalidRequest(format!("bad path `{path}`: {e}")))?;
        let mut request = http::Request::new(Bytes::new());
        *request.uri_mut() = uri;
        self.proxy(request, caller).await
    }
}

/// The host's own 404 for paths it never forwards.
fn not_forwarded(path: &str) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": format!("the host never forwards {path} to a plugin"),
    });
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/problem+json"));
    Response { status: http::StatusCode::NOT_FOUND, headers, body: Bytes::from(body.to_string()) }
}
