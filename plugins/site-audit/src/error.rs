//! site-audit's failures, and how each becomes an HTTP answer (in one place).

use axum::http::StatusCode;
use sea_orm::DbErr;
use temps_bundle_sdk::Problem;

/// A failed site-audit operation; user mistakes keep their status, the rest are logged and answered with a 500.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("database operation `{what}` failed: {source}")]
    Database { what: &'static str, source: DbErr },
    #[error("stored row `{what}` cannot be read: {reason}")]
    Corrupt { what: &'static str, reason: String },
}

impl AuditError {
    /// A mapper for database errors naming the operation.
    pub fn db(what: &'static str) -> impl FnOnce(DbErr) -> Self {
        move |source| Self::Database { what, source }
    }
}

impl From<AuditError> for Problem {
    fn from(error: AuditError) -> Self {
        match &error {
            AuditError::Invalid { .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", "Invalid Field", error.to_string())
            }
            AuditError::NotFound { .. } => Problem::not_found(error.to_string()),
            AuditError::Conflict(_) => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", error.to_string()),
            AuditError::Database { .. } | AuditError::Corrupt { .. } => {
                tracing::error!(%error, "site-audit failed");
                Problem::internal()
            }
        }
    }
}
