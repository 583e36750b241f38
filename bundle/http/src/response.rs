//! A complete response, read within the size cap.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::error::HttpError;

/// What the target answered: status, headers and the whole body (never more than the client's cap).
#[derive(Debug, Clone)]
pub struct OutboundResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The URL that answered, after redirects.
    pub url: String,
    /// From sending the request to the end of the body.
    pub elapsed: Duration,
}

impl OutboundResponse {
    /// `Err(HttpError::Status)` unless the status is 2xx.
    pub fn error_for_status(self) -> Result<Self, HttpError> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(HttpError::Status { url: crate::client::redact(&self.url), status: self.status.as_u16() })
        }
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
