//! The crawler's failures: starting a crawl, and fetching one URL.

use serde::{Deserialize, Serialize};
use temps_bundle_http::HttpError;

/// Why a crawl could not start.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("invalid start URL {url:?}: {reason}")]
    InvalidStart { url: String, reason: String },
    #[error("a crawl of {origin} is already running; cancel it or wait for it to finish")]
    AlreadyRunning { origin: String },
    #[error("invalid crawl limits: {0}")]
    InvalidLimits(String),
    #[error(transparent)]
    Client(#[from] HttpError),
}

/// Why one URL could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("more than {limit} redirects")]
    TooManyRedirects { limit: usize },
    #[error("redirect loop back to {url}")]
    RedirectLoop { url: String },
    #[error("redirect ({status}) without a usable Location header")]
    BadLocation { status: u16 },
    #[error("the document is larger than the {limit}-byte limit")]
    TooLarge { limit: u64 },
    #[error("cannot parse the HTML: {0}")]
    Html(String),
}

impl FetchError {
    /// The HTTP status, when the failure is a non-success answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http(error) => error.status(),
            _ => None,
        }
    }

    pub fn too_many_redirects(&self) -> bool {
        matches!(self, Self::TooManyRedirects { .. } | Self::Http(HttpError::TooManyRedirects { .. }))
    }

    /// The kind a report stores: stable, short, for grouping and checks.
    pub fn kind(&self) -> FailureKind {
        match self {
            Self::Http(HttpError::Blocked { .. }) => FailureKind::Blocked,
            Self::Http(HttpError::Timeout { .. }) => FailureKind::Timeout,
            Self::Http(HttpError::Connect { .. } | HttpError::Resolve { .. }) => FailureKind::Connect,
            Self::Http(HttpError::TooLarge { .. }) | Self::TooLarge { .. } => FailureKind::TooLarge,
            Self::Http(HttpError::InvalidUrl { .. }) | Self::BadLocation { .. } => FailureKind::InvalidUrl,
            Self::TooManyRedirects { .. }
            | Self::RedirectLoop { .. }
            | Self::Http(HttpError::TooManyRedirects { .. }) => FailureKind::Redirects,
            Self::Http(_) | Self::Html(_) => FailureKind::Other,
        }
    }
}

/// What kind of failure a page fetch ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The guard refused the target (a private, loopback or link-local address the operator did not allow).
    Blocked,
    Timeout,
    Connect,
    TooLarge,
    InvalidUrl,
    Redirects,
    Other,
}

/// A failed fetch as reports store it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchFailure {
    pub kind: FailureKind,
    pub message: String,
}

impl From<&FetchError> for FetchFailure {
    fn from(error: &FetchError) -> Self {
        Self { kind: error.kind(), message: error.to_string() }
    }
}
