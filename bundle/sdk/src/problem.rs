//! `application/problem+json` (RFC 9457) responses: every HTTP error the SDK produces goes through [`Problem`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use temps_bundle_protocol::headers::AUTH_REQUIRED_PROBLEM;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document. Build one with the constructors; it answers with its own status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

impl Problem {
    /// A problem with a type URI of our own (`urn:temps-bundle:problem:<slug>`).
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:temps-bundle:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }

    /// The 401 the protocol prescribes when the host's signature or the caller's identity is missing or wrong.
    pub fn authentication_required(detail: impl Into<String>) -> Self {
        Self {
            kind: AUTH_REQUIRED_PROBLEM.to_owned(),
            title: "Authentication Required".to_owned(),
            status: StatusCode::UNAUTHORIZED.as_u16(),
            detail: detail.into(),
        }
    }

    /// 400: the request was malformed; `detail` says what and where.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", "Bad Request", detail)
    }

    /// 403: the caller is known but lacks the role.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// 404: nothing here.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not Found", detail)
    }

    /// 500 with a generic message; log the real cause before answering with this.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal Server Error",
            "the plugin failed while handling this request; the cause is in its log",
        )
    }

    /// 501: a route that exists but is not implemented yet.
    pub fn not_implemented(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, "not-implemented", "Not Implemented", detail)
    }

    /// The status as a [`StatusCode`].
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.status, self.detail)
    }
}

impl std::error::Error for Problem {}
