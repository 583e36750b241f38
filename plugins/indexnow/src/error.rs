//! indexnow's failures, and how each becomes an HTTP answer (in one place).

use axum::http::StatusCode;
use temps_bundle_sdk::Problem;
use temps_bundle_store::sea_orm::DbErr;

/// A failed indexnow operation; user mistakes keep their status, the rest are logged and answered with a 500.
#[derive(Debug, thiserror::Error)]
pub enum IndexNowError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("database operation `{what}` failed: {source}")]
    Database { what: &'static str, source: DbErr },
    #[error("cannot generate a key: {0}")]
    Key(String),
    #[error("stored value `{what}` cannot be read: {reason}")]
    Corrupt { what: &'static str, reason: String },
}

impl IndexNowError {
    /// A mapper for database errors naming the operation.
    pub fn db(what: &'static str) -> impl FnOnce(DbErr) -> Self {
        move |source| Self::Database { what, source }
    }
}

impl From<IndexNowError> for Problem {
    fn from(error: IndexNowError) -> Self {
        match &error {
            IndexNowError::Invalid { .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", "Invalid Field", error.to_string())
            }
            IndexNowError::NotFound { .. } => Problem::not_found(error.to_string()),
            IndexNowError::Conflict(_) => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", error.to_string()),
            IndexNowError::Database { .. } | IndexNowError::Key(_) | IndexNowError::Corrupt { .. } => {
                tracing::error!(%error, "indexnow failed");
                Problem::internal()
            }
        }
    }
}
