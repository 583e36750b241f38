//! Versioned migrations: each applied once, in order, inside its own `BEGIN IMMEDIATE` transaction, and recorded
//! in `_migrations(version, name, applied_at)`.

use std::path::Path;

use sea_orm::sqlx::{self, SqliteConnection, SqlitePool};

use crate::error::StoreError;

/// One schema change. Versions start at 1 and strictly increase; a released migration is never edited or
/// renumbered (the store refuses a file whose history differs from the code's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    pub version: u32,
    /// A short human name, recorded with the version and compared on every open.
    pub name: &'static str,
    /// One or more SQL statements.
    pub sql: &'static str,
}

/// The store's own tables, created before any member migration: the migration history and the settings.
const BOOTSTRAP: &str = "
    CREATE TABLE IF NOT EXISTS _migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS _settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );";

/// The current UTC time as SQLite writes it (RFC 3339 with milliseconds).
pub(crate) const SQL_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Brings the file at `path` up to `migrations`, or explains why it cannot.
pub(crate) async fn apply_migrations(
    pool: &SqlitePool,
    path: &Path,
    migrations: &'static [Migration],
) -> Result<(), StoreError> {
    check_sequence(path, migrations)?;
    let open_failed = |source| StoreError::Open { path: path.to_owned(), source };
    let mut conn = pool.acquire().await.map_err(open_failed)?;
    begin_immediate(&mut conn).await.map_err(open_failed)?;
    let created = sqlx::raw_sql(BOOTSTRAP).execute(&mut *conn).await.map(drop);
    end_transaction(&mut conn, created).await.map_err(open_failed)?;
    for migration in migrations {
        apply_one(&mut conn, path, migrations, migration).await?;
    }
    Ok(())
}

/// Applies `migration` unless another connection (or process) already did; the history is re-read under the
/// write lock so two openers never both apply it.
async fn apply_one(
    conn: &mut SqliteConnection,
    path: &Path,
    migrations: &'static [Migration],
    migration: &'static Migration,
) -> Result<(), StoreError> {
    begin_immediate(conn).await.map_err(|source| StoreError::ReadMigrations { path: path.to_owned(), source })?;
    let result = async {
        let applied = applied(conn).await.map_err(|source| StoreError::ReadMigrations { path: path.to_owned(), source })?;
        check_history(path, migrations, &applied)?;
        if applied.iter().any(|(version, _)| *version == migration.version) {
            return Ok(());
        }
        let failed = |source| StoreError::Migrate { version: migration.version, name: migration.name.to_owned(), source };
        sqlx::raw_sql(migration.sql).execute(&mut *conn).await.map_err(failed)?;
        let record = format!("INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, {SQL_NOW})");
        sqlx::query(sqlx::AssertSqlSafe(record))
            .bind(migration.version)
            .bind(migration.name)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        tracing::info!(store = %path.display(), version = migration.version, name = migration.name, "applied migration");
        Ok(())
    }
    .await;
    match result {
        Ok(()) => end_transaction(conn, Ok(())).await.map_err(|source| StoreError::Migrate {
            version: migration.version,
            name: migration.name.to_owned(),
            source,
        }),
        Err(error) => {
            rollback(conn).await;
            Err(error)
        }
    }
}

/// Takes the write lock now rather than at the first write: a deferred transaction that reads, then writes, can
/// fail with `SQLITE_BUSY` regardless of the busy timeout when another connection wrote in between.
pub(crate) async fn begin_immediate(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("BEGIN IMMEDIATE").execute(conn).await.map(drop)
}

/// Commits when `result` is `Ok`, rolls back otherwise; a failed commit is rolled back and returned.
pub(crate) async fn end_transaction<T>(
    conn: &mut SqliteConnection,
    result: Result<T, sqlx::Error>,
) -> Result<T, sqlx::Error> {
    match result {
        Ok(value) => match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => Ok(value),
            Err(error) => {
                rollback(conn).await;
                Err(error)
            }
        },
        Err(error) => {
            rollback(conn).await;
            Err(error)
        }
    }
}

/// Rolls back the open transaction, if any; a failure here only means there was nothing to roll back.
pub(crate) async fn rollback(conn: &mut SqliteConnection) {
    if let Err(error) = sqlx::query("ROLLBACK").execute(conn).await {
        tracing::warn!(%error, "rollback failed");
    }
}

async fn applied(conn: &mut SqliteConnection) -> Result<Vec<(u32, String)>, sqlx::Error> {
    sqlx::query_as::<_, (u32, String)>("SELECT version, name FROM _migrations ORDER BY version").fetch_all(conn).await
}

/// The recorded history must be a prefix of the code's migrations: same versions, same names, no gaps.
fn check_history(path: &Path, migrations: &[Migration], applied: &[(u32, String)]) -> Result<(), StoreError> {
    for (index, (version, name)) in applied.iter().enumerate() {
        let Some(known) = migrations.iter().find(|m| m.version == *version) else {
            return Err(StoreError::SchemaAhead { path: path.to_owned(), version: *version, name: name.clone() });
        };
        if known.name != name {
            return Err(StoreError::SchemaDiverged {
                path: path.to_owned(),
                version: *version,
                recorded: name.clone(),
                expected: known.name.to_owned(),
            });
        }
        if let Some(missing) = migrations.get(index).filter(|m| m.version != *version) {
            return Err(StoreError::SchemaGap {
                path: path.to_owned(),
                missing: missing.version,
                name: missing.name.to_owned(),
                applied: *version,
            });
        }
    }
    Ok(())
}

/// Versions start at 1 and strictly increase: anything else is a programming error worth failing loudly on.
fn check_sequence(path: &Path, migrations: &[Migration]) -> Result<(), StoreError> {
    let invalid = |reason: String| StoreError::InvalidMigrations { path: path.to_owned(), reason };
    if let Some(first) = migrations.first().filter(|m| m.version == 0) {
        return Err(invalid(format!("version 0 ({:?}) is reserved; versions start at 1", first.name)));
    }
    for pair in migrations.windows(2) {
        if pair[1].version <= pair[0].version {
            return Err(invalid(format!(
                "versions must strictly increase, but {} ({:?}) follows {} ({:?})",
                pair[1].version, pair[1].name, pair[0].version, pair[0].name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    use crate::store::Store;

    use super::*;

    static V1: &[Migration] =
        &[Migration { version: 1, name: "items", sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER);" }];
    static V2: &[Migration] = &[
        Migration { version: 1, name: "items", sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER);" },
        Migration { version: 2, name: "items label", sql: "ALTER TABLE items ADD COLUMN label TEXT;" },
    ];

    async fn history(store: &Store) -> Vec<(u32, String)> {
        let mut conn = store.pool().acquire().await.unwrap();
        applied(&mut conn).await.unwrap()
    }

    #[tokio::test]
    async fn pending_migrations_apply_in_order_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let store = Store::open(&path, V1).await.unwrap();
        store.db().execute_unprepared("INSERT INTO items (n) VALUES (7)").await.unwrap();
        drop(store);
        let store = Store::open(&path, V2).await.unwrap();
        assert_eq!(history(&store).await, [(1, "items".to_owned()), (2, "items label".to_owned())]);
        let reopened = Store::open(&path, V2).await.unwrap();
        assert_eq!(history(&reopened).await.len(), 2, "nothing re-applied");
        let row = store
            .db()
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT n, label FROM items"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 7, "data kept across migrations");
    }

    #[tokio::test]
    async fn a_newer_or_different_history_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        Store::open(&path, V2).await.unwrap();
        let ahead = Store::open(&path, V1).await.unwrap_err();
        assert!(matches!(ahead, StoreError::SchemaAhead { version: 2, .. }), "{ahead}");
        assert!(ahead.to_string().contains("newer version"), "{ahead}");
        static RENAMED: &[Migration] =
            &[Migration { version: 1, name: "things", sql: "CREATE TABLE things (id INTEGER PRIMARY KEY);" }, V2[1]];
        let diverged = Store::open(&path, RENAMED).await.unwrap_err();
        assert!(matches!(diverged, StoreError::SchemaDiverged { version: 1, .. }), "{diverged}");
    }

    #[tokio::test]
    async fn a_migration_inserted_before_applied_ones_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        static ONE_AND_THREE: &[Migration] =
            &[V1[0], Migration { version: 3, name: "three", sql: "CREATE TABLE three (x INTEGER);" }];
        Store::open(&path, ONE_AND_THREE).await.unwrap();
        static WITH_TWO: &[Migration] = &[V1[0], V2[1], ONE_AND_THREE[1]];
        let gap = Store::open(&path, WITH_TWO).await.unwrap_err();
        assert!(matches!(gap, StoreError::SchemaGap { missing: 2, applied: 3, .. }), "{gap}");
    }

    #[tokio::test]
    async fn a_failing_migration_is_rolled_back_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        static BROKEN: &[Migration] = &[
            V1[0],
            Migration { version: 2, name: "half done", sql: "CREATE TABLE a (x INTEGER); CREATE TABLE oops (;" },
        ];
        let error = Store::open(&path, BROKEN).await.unwrap_err();
        assert!(matches!(error, StoreError::Migrate { version: 2, .. }), "{error}");
        let store = Store::open(&path, V1).await.unwrap();
        assert_eq!(history(&store).await.len(), 1);
        let leftover = store.db().execute_unprepared("SELECT * FROM a").await;
        assert!(leftover.is_err(), "the half-applied statement was rolled back");
    }

    #[tokio::test]
    async fn bad_sequences_are_refused_before_touching_the_file() {
        let dir = tempfile::tempdir().unwrap();
        static BACKWARDS: &[Migration] = &[V2[1], V2[0]];
        let error = Store::open(&dir.path().join("s.sqlite3"), BACKWARDS).await.unwrap_err();
        assert!(error.to_string().contains("strictly increase"), "{error}");
    }

    /// Temps' candidate overlap: two processes (here two independent pools) open and migrate one file at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_opens_of_one_file_both_succeed_and_migrate_once() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("shared.sqlite3");
            let (a, b) = tokio::join!(Store::open(&path, V2), Store::open(&path, V2));
            let (a, b) = (a.unwrap(), b.unwrap());
            assert_eq!(history(&a).await.len(), 2);
            let writes = (0..20).map(|i| {
                let store = if i % 2 == 0 { a.clone() } else { b.clone() };
                async move { store.db().execute_unprepared("INSERT INTO items (n) VALUES (1)").await }
            });
            for result in futures_join_all(writes).await {
                result.unwrap();
            }
            let row = b
                .db()
                .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT COUNT(*) FROM items"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 20);
        }
    }

    async fn futures_join_all<F: Future + Send + 'static>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
    where
        F::Output: Send + 'static,
    {
        let handles: Vec<_> = futures.map(tokio::spawn).collect();
        let mut out = Vec::new();
        for handle in handles {
            out.push(handle.await.unwrap());
        }
        out
    }
}
