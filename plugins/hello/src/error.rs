//! hello's failures, and how each becomes an HTTP answer (in one place).

use std::path::PathBuf;

use temps_bundle_sdk::Problem;

/// A failed hello operation. None is the caller's fault: each is logged and answered with a 500.
#[derive(Debug, thiserror::Error)]
pub enum HelloError {
    #[error("cannot read visit counter {path}: {source}")]
    ReadCounter { path: PathBuf, source: std::io::Error },
    #[error("visit counter {path} holds {content:?}, not a number; refusing to reset it (fix or delete the file)")]
    CorruptCounter { path: PathBuf, content: String },
    #[error("cannot write visit counter {path}: {source}")]
    WriteCounter { path: PathBuf, source: std::io::Error },
}

impl From<HelloError> for Problem {
    fn from(error: HelloError) -> Self {
        tracing::error!(%error, "hello failed");
        Problem::internal()
    }
}
