//! [`Store`]: a member's SQLite file, opened the way Temps needs it (WAL, busy timeout, foreign keys) and
//! migrated before anyone uses it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, SqlxSqliteConnector, TransactionOptions,
    TransactionTrait,
};

use crate::error::StoreError;
use crate::migrate::{Migration, apply_migrations};

/// How long a statement waits for another connection (or process) holding the write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many pooled connections one store keeps: one writer (SQLite has one at a time) and one reader beside it
/// (WAL). Each connection is a `sqlx-sqlite-worker` thread with its own SQLite caches, and sqlx returns a released
/// connection to the pool asynchronously (after a ping), so even sequential start-up work opens a second or
/// third one while the first is on its way back: with 4, a composite settled at 2–3 per store (11 for four
/// stores). Safe at 2 because no code holds a connection (or transaction) while acquiring another; the tests
/// below hold a write transaction while reading through the pool.
const MAX_CONNECTIONS: u32 = 2;

/// A member's SQLite database. Cheap to clone (the pool is shared).
///
/// Opened with `journal_mode=WAL` (readers never block the writer), `synchronous=NORMAL` (committed
/// transactions survive a `SIGKILL` of the process; WAL only risks the last commits on power loss),
/// `busy_timeout` of [`BUSY_TIMEOUT`] and `foreign_keys=ON`. Two processes may open the same file at once
/// (Temps' candidate overlap): migrations run one per `BEGIN IMMEDIATE` transaction and re-check what is
/// applied inside it, so each one is applied exactly once.
///
/// # Idle connections
///
/// An idle store holds no connection: on each of the bundle's memory releases (right after `ready`, then every
/// 30 s; [`temps_bundle_sdk::memory`]) it closes the connections nobody holds at that moment, so a quiet member
/// has no `sqlx-sqlite-worker` thread, no SQLite page and statement caches (0.1–0.35 MiB each) and none of
/// SQLite's code in use. The next query opens one again: 0.4–0.5 ms more than a query on an open connection (a
/// release build, a local file), which a busy store pays at most twice per release. sqlx's own reaper is off: it is
/// a task per pool that wakes on its own timer, and every wake-up maps its code, and the runtime's, back in.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    db: DatabaseConnection,
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating it if needed) the database at `path` and applies the pending `migrations` in order.
    ///
    /// Refuses a file whose recorded migrations are newer than, or differ from, `migrations`
    /// ([`StoreError::SchemaAhead`], [`StoreError::SchemaDiverged`]): running old code on a newer schema
    /// corrupts data more quietly than refusing to start.
    pub async fn open(path: &Path, migrations: &'static [Migration]) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|source| StoreError::CreateDir { path: path.to_owned(), source })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = connect(path, options).await?;
        apply_migrations(&pool, path, migrations).await?;
        let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool.clone());
        let inner = Arc::new(Inner { path: path.to_owned(), db, pool });
        let open = Arc::downgrade(&inner);
        temps_bundle_sdk::memory::on_release(move || {
            let inner = open.upgrade()?;
            Some(async move { close_idle(&inner.pool, &inner.path).await })
        });
        Ok(Store { inner })
    }

    /// Opens `file_name` inside the member's own data directory (`ctx.data_dir()`).
    pub async fn open_for(
        ctx: &temps_bundle_sdk::Context,
        file_name: &str,
        migrations: &'static [Migration],
    ) -> Result<Store, StoreError> {
        Self::open(&ctx.data_dir().join(file_name), migrations).await
    }

    /// The sea-orm connection: entities, `Statement`s, transactions.
    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`): use it for read-modify-write work. A deferred transaction
    /// (sea-orm's `begin()`) that reads first and writes later fails with `SQLITE_BUSY`, regardless of the busy
    /// timeout, when another connection or process wrote in between; an immediate one waits for the lock instead.
    /// Commit it with `txn.commit().await`; dropping it rolls back.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.inner.db.begin_with_options(options).await
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The underlying sqlx pool, for the few things sea-orm cannot say (`BEGIN IMMEDIATE`).
    pub fn pool(&self) -> &SqlitePool {
        &self.inner.pool
    }
}

/// Connects the pool, retrying while another connection holds the file locked.
///
/// Opening a fresh file runs `PRAGMA journal_mode=WAL`, which needs an exclusive lock; when two processes open
/// one new file at once, SQLite can answer `SQLITE_BUSY` without consulting the busy handler. The open is retried
/// (with a short, growing pause) until [`BUSY_TIMEOUT`] has passed, the same patience every statement has.
async fn connect(path: &Path, options: SqliteConnectOptions) -> Result<SqlitePool, StoreError> {
    let deadline = tokio::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(5);
    loop {
        // No ping before each acquire (sqlx's default): a local file does not hang up, and the ping was one more
        // round trip to the connection's worker thread per query.
        let attempt = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await;
        match attempt {
            Ok(pool) => return Ok(pool),
            Err(source) if is_busy(&source) && tokio::time::Instant::now() + pause < deadline => {
                tracing::debug!(path = %path.display(), "store file busy while opening; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Err(source) => return Err(StoreError::Open { path: path.to_owned(), source }),
        }
    }
}

/// Closes the connections of `pool` that nobody holds right now (see "Idle connections" on [`Store`]).
async fn close_idle(pool: &SqlitePool, path: &Path) {
    let mut closed = 0;
    for _ in 0..pool.num_idle() {
        let Some(connection) = pool.try_acquire() else { break };
        if let Err(error) = connection.close().await {
            tracing::debug!(path = %path.display(), %error, "closing an idle connection failed");
        }
        closed += 1;
    }
    if closed > 0 {
        tracing::debug!(path = %path.display(), closed, "closed idle connections");
    }
}

/// `SQLITE_BUSY` (5) or `SQLITE_LOCKED` (6), extended codes included.
fn is_busy(error: &sea_orm::sqlx::Error) -> bool {
    let sea_orm::sqlx::Error::Database(db) = error else { return false };
    db.code().and_then(|code| code.parse::<i32>().ok()).is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    use super::*;

    static MIGRATIONS: &[Migration] = &[
        Migration {
            version: 1,
            name: "notes",
            sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);",
        },
        Migration {
            version: 2,
            name: "note tags",
            sql: "CREATE TABLE tags (note_id INTEGER NOT NULL REFERENCES notes(id), tag TEXT NOT NULL);
                  CREATE INDEX tags_note ON tags(note_id);",
        },
    ];

    async fn pragma(store: &Store, name: &str) -> String {
        let row = store
            .db()
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}")))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).map(|v| v.to_string()).or_else(|_| row.try_get_by_index::<String>(0)).unwrap()
    }

    #[tokio::test]
    async fn open_creates_the_file_with_the_documented_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/member.sqlite3");
        let store = Store::open(&path, MIGRATIONS).await.unwrap();
        assert!(path.exists());
        assert_eq!(pragma(&store, "journal_mode").await, "wal");
        assert_eq!(pragma(&store, "foreign_keys").await, "1");
        assert_eq!(pragma(&store, "busy_timeout").await, "5000");
        let insert = "INSERT INTO tags (note_id, tag) VALUES (42, 'x')";
        let refused = store.db().execute_unprepared(insert).await.unwrap_err();
        assert!(refused.to_string().contains("FOREIGN KEY"), "{refused}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn write_transactions_from_two_stores_serialize() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite3");
        let (a, b) = (Store::open(&path, MIGRATIONS).await.unwrap(), Store::open(&path, MIGRATIONS).await.unwrap());
        a.db().execute_unprepared("INSERT INTO notes (id, text) VALUES (1, '')").await.unwrap();
        let append = |store: Store, letter: &'static str| async move {
            for _ in 0..10 {
                let txn = store.begin_write().await.unwrap();
                let row = txn
                    .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT text FROM notes WHERE id = 1"))
                    .await
                    .unwrap()
                    .unwrap();
                let text: String = row.try_get_by_index(0).unwrap();
                let update = Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "UPDATE notes SET text = ? WHERE id = 1",
                    [format!("{text}{letter}").into()],
                );
                txn.execute_raw(update).await.unwrap();
                txn.commit().await.unwrap();
            }
        };
        let (first, second) = tokio::join!(tokio::spawn(append(a.clone(), "a")), tokio::spawn(append(b, "b")));
        first.unwrap();
        second.unwrap();
        let row = a
            .db()
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT length(text) FROM notes"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 20, "no read-modify-write was lost");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_beside_an_open_write_transaction_does_not_wait_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3"), MIGRATIONS).await.unwrap();
        let txn = store.begin_write().await.unwrap();
        txn.execute_unprepared("INSERT INTO notes (id, text) VALUES (1, 'uncommitted')").await.unwrap();
        // The pool's second connection serves the read; with one connection this would wait for the commit below.
        let count = "SELECT count(*) FROM notes";
        let read = store.db().query_one_raw(Statement::from_string(DbBackend::Sqlite, count));
        let Ok(read) = tokio::time::timeout(Duration::from_secs(60), read).await else {
            panic!("the read waited for the write transaction");
        };
        let row = read.unwrap().unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 0, "the read sees the last committed snapshot");
        txn.commit().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_queries_share_at_most_two_connections() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.sqlite3"), MIGRATIONS).await.unwrap();
        let queries = (0..16).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let count = Statement::from_string(DbBackend::Sqlite, "SELECT count(*) FROM notes");
                store.db().query_one_raw(count).await.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap()
            })
        });
        for query in queries.collect::<Vec<_>>() {
            assert_eq!(query.await.unwrap(), 0);
        }
        // Two, not MAX_CONNECTIONS: each connection is a thread with its own SQLite caches (see MAX_CONNECTIONS).
        assert!(store.pool().size() <= 2, "{} connections for one store", store.pool().size());
    }

    #[tokio::test]
    async fn an_idle_store_closes_its_connections_and_opens_one_again_when_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("i.sqlite3"), MIGRATIONS).await.unwrap();
        store.db().execute_unprepared("INSERT INTO notes (id, text) VALUES (1, 'kept')").await.unwrap();
        assert!(store.pool().size() >= 1, "the write went through a pooled connection");
        // sqlx gives a released connection back to the pool from a task of its own.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while store.pool().num_idle() < store.pool().size() as usize {
            assert!(tokio::time::Instant::now() < deadline, "the connection never came back to the pool");
            tokio::task::yield_now().await;
        }
        // What the bundle does on each memory release.
        temps_bundle_sdk::testing::run_memory_release_hooks().await;
        assert_eq!(store.pool().size(), 0, "an idle store holds no connection (no worker thread, no SQLite caches)");
        let text = Statement::from_string(DbBackend::Sqlite, "SELECT text FROM notes WHERE id = 1");
        let row = store.db().query_one_raw(text).await.unwrap().unwrap();
        assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "kept", "the next query opens a connection again");
    }

    #[tokio::test]
    async fn a_connection_in_use_is_not_closed_by_a_release() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("u.sqlite3"), MIGRATIONS).await.unwrap();
        let txn = store.begin_write().await.unwrap();
        txn.execute_unprepared("INSERT INTO notes (id, text) VALUES (1, 'in a transaction')").await.unwrap();
        temps_bundle_sdk::testing::run_memory_release_hooks().await;
        assert_eq!(store.pool().size(), 1, "the connection the transaction holds is still open");
        txn.commit().await.unwrap();
        let count = Statement::from_string(DbBackend::Sqlite, "SELECT count(*) FROM notes");
        let row = store.db().query_one_raw(count).await.unwrap().unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 1, "the held connection's transaction committed");
    }

    #[tokio::test]
    async fn open_for_uses_the_member_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = temps_bundle_sdk::PluginManifest::new("m", "1.0.0");
        let ctx = temps_bundle_sdk::testing::context(&manifest, dir.path().to_owned());
        let store = Store::open_for(&ctx, "m.sqlite3", MIGRATIONS).await.unwrap();
        assert_eq!(store.path(), dir.path().join("m.sqlite3"));
    }
}
