//! Typed settings: one JSON document per [`SettingsModel::KEY`] in the store's `_settings` table, read at start,
//! changed with JSON merge-patches that are validated before anything is saved.

use std::sync::{Arc, PoisonError, RwLock};

use sea_orm::sqlx::{self, SqliteConnection};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{SettingsError, StoreError};
use crate::merge_patch::merge_patch;
use crate::migrate::{SQL_NOW, begin_immediate, end_transaction, rollback};
use crate::store::Store;

/// A member's settings type.
///
/// Put `#[serde(default)]` on the struct so stored documents from older or newer versions (missing or unknown
/// keys) still load; [`Settings::load`] fills missing keys from [`Default`] either way.
pub trait SettingsModel: Serialize + DeserializeOwned + Default + Clone + Send + Sync + 'static {
    /// The row this type is stored under; unique per store.
    const KEY: &'static str;

    /// Checks a candidate value; each error names the field (a top-level key, or a dotted path) and what is wrong.
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// One problem with one settings field; `PATCH /settings` answers them in the problem's `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// The live settings of type `T`: the current value in memory, its document in the store. Cheap to clone; clones
/// share the value, so a patch through one is seen by all.
#[derive(Debug)]
pub struct Settings<T: SettingsModel> {
    store: Store,
    current: Arc<RwLock<T>>,
}

impl<T: SettingsModel> Clone for Settings<T> {
    fn clone(&self) -> Self {
        Self { store: self.store.clone(), current: self.current.clone() }
    }
}

impl<T: SettingsModel> Settings<T> {
    /// Loads the stored document (defaults when there is none; missing keys take their default values, unknown
    /// keys are ignored).
    pub async fn load(store: &Store) -> Result<Settings<T>, StoreError> {
        let mut conn = store.pool().acquire().await.map_err(|source| read_failed::<T>(source))?;
        let value = read::<T>(&mut conn).await?;
        Ok(Settings { store: store.clone(), current: Arc::new(RwLock::new(value)) })
    }

    /// The current value.
    pub fn current(&self) -> T {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Applies `patch` (RFC 7396 JSON merge-patch) to the stored value, then deserializes and validates the
    /// result; saves and returns it only if both succeed. Unknown top-level keys are refused, so a typo never
    /// silently does nothing.
    ///
    /// The read-modify-write runs in one `BEGIN IMMEDIATE` transaction, so concurrent patches (from this process
    /// or a second one on the same file) never lose each other's changes.
    pub async fn patch(&self, patch: Value) -> Result<T, SettingsError> {
        if !patch.is_object() {
            return Err(SettingsError::Invalid(vec![FieldError::new("", "a settings patch must be a JSON object")]));
        }
        let mut conn = self.store.pool().acquire().await.map_err(|source| write_failed::<T>(source))?;
        begin_immediate(&mut conn).await.map_err(|source| write_failed::<T>(source))?;
        let patched = match patched_value::<T>(&mut conn, &patch).await {
            Ok(value) => value,
            Err(error) => {
                rollback(&mut conn).await;
                return Err(error);
            }
        };
        let saved = save::<T>(&mut conn, &patched).await;
        end_transaction(&mut conn, saved).await.map_err(|source| write_failed::<T>(source))?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = patched.clone();
        Ok(patched)
    }
}

/// The stored value with `patch` applied, checked: deserializable, no unknown keys, valid.
async fn patched_value<T: SettingsModel>(conn: &mut SqliteConnection, patch: &Value) -> Result<T, SettingsError> {
    let stored = read::<T>(conn).await?;
    let mut document = serde_json::to_value(&stored).map_err(|source| decode_failed::<T>(source))?;
    merge_patch(&mut document, patch);
    let value: T = serde_path_to_error::deserialize(&document).map_err(|error| {
        let field = error.path().to_string();
        let field = if field == "." { String::new() } else { field };
        SettingsError::Invalid(vec![FieldError::new(field, error.into_inner().to_string())])
    })?;
    let known = serde_json::to_value(&value).map_err(|source| decode_failed::<T>(source))?;
    let unknown: Vec<FieldError> = patch
        .as_object()
        .into_iter()
        .flat_map(|map| map.keys())
        .filter(|key| known.get(key.as_str()).is_none())
        .map(|key| FieldError::new(key.clone(), "unknown setting"))
        .collect();
    if !unknown.is_empty() {
        return Err(SettingsError::Invalid(unknown));
    }
    value.validate().map_err(SettingsError::Invalid)?;
    Ok(value)
}

/// The stored document over the defaults, so documents written by other versions still load.
async fn read<T: SettingsModel>(conn: &mut SqliteConnection) -> Result<T, StoreError> {
    let stored: Option<(String,)> = sqlx::query_as("SELECT value FROM _settings WHERE key = ?")
        .bind(T::KEY)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|source| read_failed::<T>(source))?;
    let Some((text,)) = stored else { return Ok(T::default()) };
    let stored: Value = serde_json::from_str(&text).map_err(|source| decode_failed::<T>(source))?;
    let mut document = serde_json::to_value(T::default()).map_err(|source| decode_failed::<T>(source))?;
    merge_patch(&mut document, &without_nulls(stored));
    serde_json::from_value(document).map_err(|source| decode_failed::<T>(source))
}

async fn save<T: SettingsModel>(conn: &mut SqliteConnection, value: &T) -> Result<(), sqlx::Error> {
    let text = serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let sql = format!(
        "INSERT INTO _settings (key, value, updated_at) VALUES (?, ?, {SQL_NOW})
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(T::KEY).bind(text).execute(&mut *conn).await.map(drop)
}

/// A stored `null` means "no value" (`Option::None`), not "remove the key" as in a merge-patch: keep the key out
/// of the patch so the default's own value (usually `null` too) stays.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

fn read_failed<T: SettingsModel>(source: sqlx::Error) -> StoreError {
    StoreError::ReadSettings { key: T::KEY, source }
}

fn write_failed<T: SettingsModel>(source: sqlx::Error) -> StoreError {
    StoreError::WriteSettings { key: T::KEY, source }
}

fn decode_failed<T: SettingsModel>(source: serde_json::Error) -> StoreError {
    StoreError::DecodeSettings { key: T::KEY, source }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;
    use crate::migrate::Migration;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    pub(crate) struct Demo {
        pub(crate) enabled: bool,
        pub(crate) limit: u32,
        pub(crate) label: Option<String>,
    }

    impl Default for Demo {
        fn default() -> Self {
            Self { enabled: true, limit: 10, label: None }
        }
    }

    impl SettingsModel for Demo {
        const KEY: &'static str = "demo";

        fn validate(&self) -> Result<(), Vec<FieldError>> {
            if self.limit == 0 || self.limit > 100 {
                return Err(vec![FieldError::new("limit", "must be between 1 and 100")]);
            }
            Ok(())
        }
    }

    pub(crate) async fn store(dir: &tempfile::TempDir) -> Store {
        static NONE: &[Migration] = &[];
        Store::open(&dir.path().join("settings.sqlite3"), NONE).await.unwrap()
    }

    #[tokio::test]
    async fn defaults_then_patches_persist() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let settings = Settings::<Demo>::load(&store).await.unwrap();
        assert_eq!(settings.current(), Demo::default());
        let patched = settings.patch(json!({"limit": 42, "label": "x"})).await.unwrap();
        assert_eq!(patched, Demo { enabled: true, limit: 42, label: Some("x".into()) });
        let cleared = settings.patch(json!({"label": null})).await.unwrap();
        assert_eq!(cleared.label, None);
        let reloaded = Settings::<Demo>::load(&store).await.unwrap();
        assert_eq!(reloaded.current(), Demo { enabled: true, limit: 42, label: None });
    }

    #[tokio::test]
    async fn invalid_patches_name_the_field_and_save_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let settings = Settings::<Demo>::load(&store).await.unwrap();
        let check = async |patch: Value, field: &str, message: &str| {
            let Err(SettingsError::Invalid(errors)) = settings.patch(patch.clone()).await else {
                panic!("{patch} was accepted")
            };
            assert_eq!(errors[0].field, field, "{patch}: {errors:?}");
            assert!(errors[0].message.contains(message), "{patch}: {errors:?}");
        };
        check(json!({"limit": 0}), "limit", "between 1 and 100").await;
        check(json!({"limit": "many"}), "limit", "invalid type").await;
        check(json!({"limt": 5}), "limt", "unknown setting").await;
        check(json!([1]), "", "JSON object").await;
        assert_eq!(Settings::<Demo>::load(&store).await.unwrap().current(), Demo::default());
    }

    #[tokio::test]
    async fn stored_documents_with_missing_or_unknown_keys_load() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        sqlx::query("INSERT INTO _settings (key, value, updated_at) VALUES ('demo', '{\"limit\":7,\"old\":1}', 'x')")
            .execute(store.pool())
            .await
            .unwrap();
        let settings = Settings::<Demo>::load(&store).await.unwrap();
        assert_eq!(settings.current(), Demo { enabled: true, limit: 7, label: None });
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_patches_from_two_stores_lose_nothing() {
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        struct Many {
            a: u32,
            b: u32,
        }
        impl SettingsModel for Many {
            const KEY: &'static str = "many";
        }
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (store(&dir).await, store(&dir).await);
        let (x, y) = (Settings::<Many>::load(&one).await.unwrap(), Settings::<Many>::load(&two).await.unwrap());
        let (a, b) = tokio::join!(x.patch(json!({"a": 1})), y.patch(json!({"b": 2})));
        a.unwrap();
        b.unwrap();
        assert_eq!(Settings::<Many>::load(&one).await.unwrap().current(), Many { a: 1, b: 2 });
    }
}
