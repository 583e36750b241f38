//! notify's failures, and how each becomes an HTTP answer (in one place).

use axum::http::StatusCode;
use temps_bundle_sdk::Problem;
use temps_bundle_store::sea_orm::DbErr;

/// A failed notify operation; user mistakes keep their status, the rest are logged and answered with a 500.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("database operation `{what}` failed: {source}")]
    Database { what: &'static str, source: DbErr },
    #[error("{what} of {bytes} bytes exceeds the limit of {max} bytes")]
    TooLarge { what: &'static str, bytes: usize, max: usize },
    #[error("cannot generate a signing secret: {0}")]
    Secret(String),
    #[error("stored row `{what}` cannot be read: {reason}")]
    Corrupt { what: &'static str, reason: String },
}

impl NotifyError {
    /// A mapper for database errors naming the operation.
    pub fn db(what: &'static str) -> impl FnOnce(DbErr) -> Self {
        move |source| Self::Database { what, source }
    }
}

impl From<NotifyError> for Problem {
    fn from(error: NotifyError) -> Self {
        match &error {
            NotifyError::Invalid { .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", "Invalid Field", error.to_string())
            }
            NotifyError::NotFound { .. } => Problem::not_found(error.to_string()),
            NotifyError::Conflict(_) => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", error.to_string()),
            NotifyError::Database { .. }
            | NotifyError::TooLarge { .. }
            | NotifyError::Secret(_)
            | NotifyError::Corrupt { .. } => {
                tracing::error!(%error, "notify failed");
                Problem::internal()
            }
        }
    }
}
