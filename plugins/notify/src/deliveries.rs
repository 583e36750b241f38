//! Deliveries: one row per (target, event), written before any network call, then moved through
//! `pending → sending → delivered | dead` by the worker. `sending` rows left by a killed process go back to
//! `pending` at start, so nothing is lost (and a receiver may see a delivery twice: at-least-once).

use serde::{Deserialize, Serialize};
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::sea_orm::sqlx::{self, Row, SqlitePool, sqlite::SqliteRow};

use crate::error::NotifyError;
use crate::targets::Target;
use temps_bundle_store::timestamp;

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Sending,
    Delivered,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }
}

/// A delivery as the log shows it (no body, no secret).
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    pub id: String,
    pub target_id: i64,
    pub target_name: String,
    pub event_id: String,
    pub event_type: String,
    pub test: bool,
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub latency_ms: Option<i64>,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
}

/// A claimed delivery with what the worker needs to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub event_type: String,
    pub body: String,
    pub test: bool,
    pub attempts: u32,
    pub target: Target,
}

/// The log filters of `GET /deliveries`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogQuery {
    pub target: Option<i64>,
    pub status: Option<Status>,
    pub limit: Option<u32>,
}

/// The result of one attempt, as recorded.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub status: Status,
    pub attempts: u32,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: i64,
    pub next_attempt_at: i64,
}

/// Records a pending delivery of `event` to `target` (once per pair; a repeated event id is ignored).
/// Returns whether a row was added.
pub async fn enqueue(pool: &SqlitePool, target: &Target, event: &PluginEvent, body: &str) -> Result<bool, NotifyError> {
    let now = timestamp::now_ms();
    let inserted = sqlx::query(
        "INSERT OR IGNORE INTO deliveries (id, target_id, event_id, event_type, body, test, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, 0, 'pending', ?, ?)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(target.id)
    .bind(&event.id)
    .bind(&event.event_type)
    .bind(body)
    .bind(now)
    .bind(now)
    .execute(pool)
    .await
    .map_err(NotifyError::db("enqueue delivery"))?;
    Ok(inserted.rows_affected() == 1)
}

/// Records a test delivery already claimed by the caller (status `sending`), and returns it.
pub async fn enqueue_claimed_test(
    pool: &SqlitePool,
    target: &Target,
    event: &PluginEvent,
    body: &str,
) -> Result<Claimed, NotifyError> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = timestamp::now_ms();
    sqlx::query(
        "INSERT INTO deliveries (id, target_id, event_id, event_type, body, test, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, 1, 'sending', ?, ?)",
    )
    .bind(&id)
    .bind(target.id)
    .bind(&event.id)
    .bind(&event.event_type)
    .bind(body)
    .bind(now)
    .bind(now)
    .execute(pool)
    .await
    .map_err(NotifyError::db("enqueue test delivery"))?;
    Ok(Claimed {
        id,
        event_type: event.event_type.clone(),
        body: body.to_owned(),
        test: true,
        attempts: 0,
        target: target.clone(),
    })
}

/// Puts deliveries a killed process left in `sending` back to `pending`. Returns how many.
pub async fn recover_interrupted(pool: &SqlitePool) -> Result<u64, NotifyError> {
    let done = sqlx::query("UPDATE deliveries SET status = 'pending' WHERE status = 'sending'")
        .execute(pool)
        .await
        .map_err(NotifyError::db("recover interrupted deliveries"))?;
    Ok(done.rows_affected())
}

/// The ids of pending deliveries that are due, oldest first.
pub async fn due(pool: &SqlitePool, limit: u32) -> Result<Vec<String>, NotifyError> {
    sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
    )
    .bind(timestamp::now_ms())
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(NotifyError::db("list due deliveries"))
}

/// When the next pending delivery is due (Unix ms), if any.
pub async fn next_due_at(pool: &SqlitePool) -> Result<Option<i64>, NotifyError> {
    sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'")
        .fetch_one(pool)
        .await
        .map_err(NotifyError::db("find the next due delivery"))
}

/// Moves a pending delivery to `sending` if nobody else did; `None` when it was not pending any more.
pub async fn claim(pool: &SqlitePool, id: &str) -> Result<Option<Claimed>, NotifyError> {
    let claimed = sqlx::query("UPDATE deliveries SET status = 'sending' WHERE id = ? AND status = 'pending'")
        .bind(id)
        .execute(pool)
        .await
        .map_err(NotifyError::db("claim delivery"))?;
    if claimed.rows_affected() == 0 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT target_id, event_type, body, test, attempts FROM deliveries WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(NotifyError::db("read claimed delivery"))?;
    let corrupt = |e: sqlx::Error| NotifyError::Corrupt { what: "delivery", reason: e.to_string() };
    let target_id: i64 = row.try_get("target_id").map_err(corrupt)?;
    let attempts: i64 = row.try_get("attempts").map_err(corrupt)?;
    Ok(Some(Claimed {
        id: id.to_owned(),
        event_type: row.try_get("event_type").map_err(corrupt)?,
        body: row.try_get("body").map_err(corrupt)?,
        test: row.try_get("test").map_err(corrupt)?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        target: crate::targets::get(pool, target_id).await?,
    }))
}

/// Records the outcome of an attempt.
pub async fn record(pool: &SqlitePool, id: &str, outcome: &AttemptRecord) -> Result<(), NotifyError> {
    let now = timestamp::now_ms();
    let delivered_at = (outcome.status == Status::Delivered).then_some(now);
    sqlx::query(
        "UPDATE deliveries SET status = ?, attempts = ?, last_attempt_at = ?, last_status_code = ?, last_error = ?,
         latency_ms = ?, next_attempt_at = ?, delivered_at = ? WHERE id = ?",
    )
    .bind(outcome.status.as_str())
    .bind(outcome.attempts)
    .bind(now)
    .bind(outcome.status_code)
    .bind(&outcome.error)
    .bind(outcome.latency_ms)
    .bind(outcome.next_attempt_at)
    .bind(delivered_at)
    .bind(id)
    .execute(pool)
    .await
    .map_err(NotifyError::db("record attempt"))?;
    Ok(())
}

/// Makes a delivered or dead delivery pending again, with a fresh attempt budget.
pub async fn retry(pool: &SqlitePool, id: &str) -> Result<DeliveryView, NotifyError> {
    let reset = sqlx::query(
        "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL
         WHERE id = ? AND status IN ('delivered', 'dead')",
    )
    .bind(timestamp::now_ms())
    .bind(id)
    .execute(pool)
    .await
    .map_err(NotifyError::db("retry delivery"))?;
    let view = get(pool, id).await?;
    if reset.rows_affected() == 0 {
        return Err(NotifyError::Conflict(format!(
            "delivery {id} is {} already; only delivered or dead deliveries can be retried",
            view.status
        )));
    }
    Ok(view)
}

/// One delivery as the log shows it.
pub async fn get(pool: &SqlitePool, id: &str) -> Result<DeliveryView, NotifyError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{VIEW_SELECT} WHERE d.id = ?")))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(NotifyError::db("read delivery"))?;
    row.as_ref()
        .map(view_from_row)
        .transpose()?
        .ok_or_else(|| NotifyError::NotFound { what: "delivery", id: id.to_owned() })
}

/// The delivery log, newest first.
pub async fn log(pool: &SqlitePool, query: &LogQuery) -> Result<Vec<DeliveryView>, NotifyError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    let sql = format!(
        "{VIEW_SELECT} WHERE (?1 IS NULL OR d.target_id = ?1) AND (?2 IS NULL OR d.status = ?2)
         ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(query.target)
        .bind(query.status.map(Status::as_str))
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(NotifyError::db("read the delivery log"))?;
    rows.iter().map(view_from_row).collect()
}

/// The log columns; only ever combined with constant SQL (hence `AssertSqlSafe`).
const VIEW_SELECT: &str = "SELECT d.*, t.name AS target_name FROM deliveries d JOIN targets t ON t.id = d.target_id";

fn view_from_row(row: &SqliteRow) -> Result<DeliveryView, NotifyError> {
    let corrupt = |e: sqlx::Error| NotifyError::Corrupt { what: "delivery", reason: e.to_string() };
    let time = |column: &str| -> Result<Option<String>, NotifyError> {
        Ok(row.try_get::<Option<i64>, _>(column).map_err(corrupt)?.map(timestamp::format))
    };
    let status: String = row.try_get("status").map_err(corrupt)?;
    let pending = status == "pending";
    Ok(DeliveryView {
        id: row.try_get("id").map_err(corrupt)?,
        target_id: row.try_get("target_id").map_err(corrupt)?,
        target_name: row.try_get("target_name").map_err(corrupt)?,
        event_id: row.try_get("event_id").map_err(corrupt)?,
        event_type: row.try_get("event_type").map_err(corrupt)?,
        test: row.try_get("test").map_err(corrupt)?,
        attempts: row.try_get("attempts").map_err(corrupt)?,
        last_status_code: row.try_get("last_status_code").map_err(corrupt)?,
        last_error: row.try_get("last_error").map_err(corrupt)?,
        latency_ms: row.try_get("latency_ms").map_err(corrupt)?,
        created_at: timestamp::format(row.try_get("created_at").map_err(corrupt)?),
        last_attempt_at: time("last_attempt_at")?,
        next_attempt_at: if pending { time("next_attempt_at")? } else { None },
        delivered_at: time("delivered_at")?,
        status,
    })
}
