//! What can go wrong opening, migrating and using a member's store, and changing its settings.

use std::path::PathBuf;

use sea_orm::sqlx;

use crate::settings::FieldError;

/// A failed store operation; each variant names the file, migration or settings key involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory of store {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open store {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("the migrations of store {path} are not valid: {reason}")]
    InvalidMigrations { path: PathBuf, reason: String },
    #[error("cannot read the applied migrations of store {path}: {source}")]
    ReadMigrations { path: PathBuf, source: sqlx::Error },
    #[error(
        "store {path} has migration {version} ({name:?}) applied, which this build does not know: the file was \
         written by a newer version of the plugin; refusing to use it"
    )]
    SchemaAhead { path: PathBuf, version: u32, name: String },
    #[error(
        "store {path} recorded migration {version} as {recorded:?} but this build calls it {expected:?}: the \
         schema history differs from the code's; refusing to use it"
    )]
    SchemaDiverged { path: PathBuf, version: u32, recorded: String, expected: String },
    #[error(
        "store {path} has migration {applied} applied but not {missing} ({name:?}), which this build places before \
         it: a migration was inserted into released history; refusing to use the file"
    )]
    SchemaGap { path: PathBuf, missing: u32, name: String, applied: u32 },
    #[error("migration {version} ({name:?}) failed: {source}")]
    Migrate { version: u32, name: String, source: sqlx::Error },
    #[error("cannot read settings {key:?}: {source}")]
    ReadSettings { key: &'static str, source: sqlx::Error },
    #[error("settings {key:?} are stored in a form this build cannot read: {source}")]
    DecodeSettings { key: &'static str, source: serde_json::Error },
    #[error("cannot save settings {key:?}: {source}")]
    WriteSettings { key: &'static str, source: sqlx::Error },
}

/// Why a settings patch was not applied.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The patched settings do not deserialize or do not validate; nothing was saved.
    #[error("invalid settings: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// The store failed; nothing was saved.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}
