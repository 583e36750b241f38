//! Responses: complete ([`OutboundResponse`]) or streamed ([`OutboundStream`]), both within the size cap.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::client::{ClientConfig, map_reqwest, redact};
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

/// A response whose body is read chunk by chunk ([`crate::OutboundRequest::send_streaming`]). Dropping it aborts
/// the download.
#[derive(Debug)]
pub struct OutboundStream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The URL that answered, after redirects (unredacted: the caller asked for it).
    pub url: String,
    response: reqwest::Response,
    request_url: String,
    started: Instant,
    read: u64,
    config: Arc<ClientConfig>,
}

impl OutboundStream {
    pub(crate) fn new(
        response: reqwest::Response,
        request_url: String,
        started: Instant,
        config: Arc<ClientConfig>,
    ) -> Self {
        Self {
            status: response.status(),
            headers: response.headers().clone(),
            url: response.url().to_string(),
            response,
            request_url,
            started,
            read: 0,
            config,
        }
    }

    /// The next piece of the body, `None` at its end. Fails with [`HttpError::TooLarge`] once the body passes the
    /// client's cap and with [`HttpError::Timeout`] once the request's total time is spent.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        let left = self.config.timeout.saturating_sub(self.started.elapsed());
        let chunk = match tokio::time::timeout(left, self.response.chunk()).await {
            Err(_) => return Err(HttpError::Timeout { url: redact(&self.request_url), after: self.config.timeout }),
            Ok(Err(e)) => return Err(map_reqwest(&self.request_url, e, self.config.timeout).redacted()),
            Ok(Ok(chunk)) => chunk,
        };
        if let Some(chunk) = &chunk {
            self.read += chunk.len() as u64;
            if self.read > self.config.max_response_bytes {
                let limit = self.config.max_response_bytes;
                return Err(HttpError::TooLarge { url: redact(&self.request_url), limit });
            }
        }
        Ok(chunk)
    }

    /// Time from sending the request until now.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}
