//! Everything that can go wrong with an outbound request, one variant per cause, each naming the URL.

use std::net::IpAddr;
use std::time::Duration;

/// Why an outbound request failed. URLs in these errors are redacted to scheme, host and port ([`crate::redact`]).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error(
        "refused to connect to {url}: {host} is a {reason} address ({address}); \
         the operator can allow it with TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS=1 or TEMPS_BUNDLE_ALLOW_HOSTS"
    )]
    Blocked { url: String, host: String, address: IpAddr, reason: &'static str },
    #[error("cannot resolve {host} (for {url}): {detail}")]
    Resolve { url: String, host: String, detail: String },
    #[error("{url} did not answer within {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("cannot connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("{url} redirected more than {limit} times")]
    TooManyRedirects { url: String, limit: usize },
    #[error("the response of {url} is larger than the {limit}-byte limit; the download was aborted")]
    TooLarge { url: String, limit: u64 },
    #[error("{url} answered {status}")]
    Status { url: String, status: u16 },
    #[error("request to {url} failed: {detail}")]
    Request { url: String, detail: String },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

impl HttpError {
    /// Whether trying again later could help (timeouts, connection problems, 5xx and 429 answers), as opposed to
    /// a request that will fail the same way every time (blocked target, invalid URL, a 4xx answer).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Connect { .. } | Self::Resolve { .. } | Self::Request { .. } => true,
            Self::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }

    /// This error with every URL in it reduced to scheme, host and port.
    pub(crate) fn redacted(self) -> Self {
        use crate::client::redact;
        match self {
            Self::InvalidUrl { url, reason } => Self::InvalidUrl { url: redact(&url), reason },
            Self::Blocked { url, host, address, reason } => Self::Blocked { url: redact(&url), host, address, reason },
            Self::Resolve { url, host, detail } => Self::Resolve { url: redact(&url), host, detail },
            Self::Timeout { url, after } => Self::Timeout { url: redact(&url), after },
            Self::Connect { url, detail } => Self::Connect { url: redact(&url), detail },
            Self::TooManyRedirects { url, limit } => Self::TooManyRedirects { url: redact(&url), limit },
            Self::TooLarge { url, limit } => Self::TooLarge { url: redact(&url), limit },
            Self::Status { url, status } => Self::Status { url: redact(&url), status },
            Self::Request { url, detail } => Self::Request { url: redact(&url), detail },
            Self::Build(detail) => Self::Build(detail),
        }
    }

    /// The HTTP status the target answered, when the failure is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A refusal raised inside reqwest (by the resolver or the redirect policy), found again in its error chain.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("{host} is a {reason} address ({address})")]
    Blocked { url: Option<String>, host: String, address: IpAddr, reason: &'static str },
    #[error("more than {limit} redirects")]
    TooManyRedirects { limit: usize },
    #[error("redirect to {url}: {reason}")]
    BadRedirect { url: String, reason: String },
}

impl Refusal {
    /// The public error for this refusal; `url` is the request's URL.
    pub(crate) fn into_http_error(self, url: &str) -> HttpError {
        match self {
            Self::Blocked { url: hop, host, address, reason } => {
                HttpError::Blocked { url: hop.unwrap_or_else(|| url.to_owned()), host, address, reason }
            }
            Self::TooManyRedirects { limit } => HttpError::TooManyRedirects { url: url.to_owned(), limit },
            Self::BadRedirect { url: hop, reason } => HttpError::InvalidUrl { url: hop, reason },
        }
    }
}

/// Finds a [`Refusal`] in `error`'s source chain.
pub(crate) fn find_refusal<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e Refusal> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refusal) = e.downcast_ref::<Refusal>() {
            return Some(refusal);
        }
        // `io::Error::source` skips the error it wraps, so look inside it explicitly.
        if let Some(refusal) =
            e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).and_then(|inner| inner.downcast_ref())
        {
            return Some(refusal);
        }
        current = e.source();
    }
    None
}
