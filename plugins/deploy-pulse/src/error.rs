//! deploy-pulse's failures, and how each becomes an HTTP answer (in one place).

use axum::http::StatusCode;
use temps_bundle_sdk::Problem;
use temps_bundle_sdk::channel::ChannelError;
use temps_bundle_store::sea_orm::DbErr;

/// A failed deploy-pulse operation. Unknown projects keep their 404, a failed platform call is a 502; the
/// rest are logged and answered with a 500.
#[derive(Debug, thiserror::Error)]
pub enum PulseError {
    #[error("deploy-pulse knows no project {0} (no event or backfill mentioned it)")]
    UnknownProject(i64),
    #[error("cannot list projects over the platform channel: {0}")]
    ListProjects(#[source] ChannelError),
    #[error("database operation failed: {0}")]
    Database(#[from] DbErr),
}

impl From<PulseError> for Problem {
    fn from(error: PulseError) -> Self {
        match &error {
            PulseError::UnknownProject(_) => Problem::not_found(error.to_string()),
            PulseError::ListProjects(_) => {
                Problem::new(StatusCode::BAD_GATEWAY, "platform-channel", "Platform Channel Failed", error.to_string())
            }
            PulseError::Database(_) => {
                tracing::error!(%error, "deploy-pulse request failed");
                Problem::internal()
            }
        }
    }
}
