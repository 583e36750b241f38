//! `/api/x/<name>/<rest>` → the plugin's socket as `/<rest>`, through the simulated Temps proxy.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::FrontState;
use super::problem::Problem;

/// The largest request body the front buffers.
const MAX_REQUEST_BODY: usize = 32 * 1024 * 1024;

/// Mount prefix of every plugin.
const MOUNT_PREFIX: &str = "/api/x/";

/// Everything not routed elsewhere: plugin routes, or 404.
pub(crate) async fn forward(State(state): State<FrontState>, request: Request) -> Result<Response, Problem> {
    let path = request.uri().path().to_owned();
    let Some((name, rest)) = split_mount(&path) else {
        return Err(Problem::new(StatusCode::NOT_FOUND, format!("no route for {path}")));
    };
    let plugin = &state.plugin;
    if name != plugin.manifest().name && name != plugin.plugin_name() {
        return Err(Problem::new(StatusCode::NOT_FOUND, format!("no running plugin named `{name}`")));
    }
    let (mut parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_REQUEST_BODY)
        .await
        .map_err(|e| Problem::new(StatusCode::PAYLOAD_TOO_LARGE, format!("cannot read the request body: {e}")))?;
    let target = match parts.uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    parts.uri = target.parse().map_err(|e| Problem::new(StatusCode::BAD_REQUEST, format!("bad path {target}: {e}")))?;
    let is_head = parts.method == http::Method::HEAD;
    let response = plugin.proxy(http::Request::from_parts(parts, body), &state.caller).await?;
    warn_on_escaping_redirect(&response.headers, name);
    Ok(into_axum(response, is_head))
}

/// `/api/x/<name>/<rest>` → (`name`, `/<rest>`); `/api/x/<name>` → (`name`, `/`).
fn split_mount(path: &str) -> Option<(&str, &str)> {
    let after = path.strip_prefix(MOUNT_PREFIX)?;
    let (name, rest) = match after.find('/') {
        Some(slash) => (&after[..slash], &after[slash..]),
        None => (after, "/"),
    };
    (!name.is_empty()).then_some((name, rest))
}

fn into_axum(response: crate::Response, is_head: bool) -> Response {
    let crate::Response { status, mut headers, body } = response;
    for hop_by_hop in [header::TRANSFER_ENCODING, header::CONNECTION] {
        headers.remove(hop_by_hop);
    }
    if !is_head {
        // The body is buffered: let the server compute the length.
        headers.remove(header::CONTENT_LENGTH);
    }
    let mut out = (status, Body::from(body)).into_response();
    *out.headers_mut() = headers;
    out
}

/// A redirect to an absolute path leaves the plugin's mount: the classic base-path bug of plugin UIs.
fn warn_on_escaping_redirect(headers: &http::HeaderMap, name: &str) {
    let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok());
    if let Some(location) = location.filter(|l| l.starts_with('/') && !l.starts_with(MOUNT_PREFIX)) {
        tracing::warn!(plugin = name, location, "the plugin redirects to an absolute path outside /api/x/{name}/");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_split() {
        assert_eq!(split_mount("/api/x/p/ui/index.html"), Some(("p", "/ui/index.html")));
        assert_eq!(split_mount("/api/x/p"), Some(("p", "/")));
        assert_eq!(split_mount("/api/x/p/"), Some(("p", "/")));
        assert_eq!(split_mount("/api/x/"), None);
        assert_eq!(split_mount("/other"), None);
    }
}
