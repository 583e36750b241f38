//! Deliveries: one row per (target, event), written before any network call, then moved through
//! `pending → sending → delivered | dead` by the worker. `sending` rows left by a killed process go back to
//! `pending` at start, so nothing is lost (and a receiver may see a delivery twice: at-least-once). Finished
//! deliveries older than the retention setting are pruned ([`prune`]).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TryInsertResult,
};
use serde::{Deserialize, Serialize};
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::{cap, sea_orm, timestamp};
use utoipa::{IntoParams, ToSchema};

use crate::entity::{delivery, target};
use crate::error::NotifyError;
use crate::targets::Target;

/// The most bytes of a stored request body; a larger rendered body is refused before it is stored.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The most bytes of a stored error message.
pub const MAX_ERROR_BYTES: usize = 2 * 1024;

/// Where a delivery is in its life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Status {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sending")]
    Sending,
    #[sea_orm(string_value = "delivered")]
    Delivered,
    #[sea_orm(string_value = "dead")]
    Dead,
}

/// A delivery as the log shows it (no body, no secret). Times are RFC 3339.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryView {
    /// Sent as `x-temps-notify-delivery` on every attempt.
    pub id: String,
    pub target_id: i64,
    pub target_name: String,
    pub event_id: String,
    pub event_type: String,
    pub test: bool,
    pub status: Status,
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
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Only this target's deliveries.
    pub target: Option<i64>,
    /// Only deliveries in this state.
    pub status: Option<Status>,
    /// At most this many (1–500, default 100).
    pub limit: Option<u32>,
}

/// The answer of `GET /deliveries`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryLog {
    pub deliveries: Vec<DeliveryView>,
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
pub async fn enqueue(
    db: &DatabaseConnection,
    target: &Target,
    event: &PluginEvent,
    body: &str,
) -> Result<bool, NotifyError> {
    let row = new_row(target, event, body, false)?;
    let inserted = delivery::Entity::insert(row)
        .on_conflict_do_nothing_on([delivery::Column::TargetId, delivery::Column::EventId])
        .exec_without_returning(db)
        .await
        .map_err(NotifyError::db("enqueue delivery"))?;
    Ok(matches!(inserted, TryInsertResult::Inserted(1..)))
}

/// Records a test delivery already claimed by the caller (status `sending`), and returns it.
pub async fn enqueue_claimed_test(
    db: &DatabaseConnection,
    target: &Target,
    event: &PluginEvent,
    body: &str,
) -> Result<Claimed, NotifyError> {
    let row = new_row(target, event, body, true)?.insert(db).await.map_err(NotifyError::db("enqueue test delivery"))?;
    Ok(Claimed {
        id: row.id,
        event_type: row.event_type,
        body: row.body,
        test: true,
        attempts: 0,
        target: target.clone(),
    })
}

/// Puts deliveries a killed process left in `sending` back to `pending`. Returns how many.
pub async fn recover_interrupted(db: &DatabaseConnection) -> Result<u64, NotifyError> {
    let done = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(Status::Pending))
        .filter(delivery::Column::Status.eq(Status::Sending))
        .exec(db)
        .await
        .map_err(NotifyError::db("recover interrupted deliveries"))?;
    Ok(done.rows_affected)
}

/// The ids of pending deliveries that are due, oldest first.
pub async fn due(db: &DatabaseConnection, limit: u32) -> Result<Vec<String>, NotifyError> {
    delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Id)
        .filter(delivery::Column::Status.eq(Status::Pending))
        .filter(delivery::Column::NextAttemptAt.lte(timestamp::now_ms()))
        .order_by_asc(delivery::Column::NextAttemptAt)
        .order_by_asc(delivery::Column::CreatedAt)
        .limit(u64::from(limit))
        .into_tuple()
        .all(db)
        .await
        .map_err(NotifyError::db("list due deliveries"))
}

/// When the next pending delivery is due (Unix ms), if any.
pub async fn next_due_at(db: &DatabaseConnection) -> Result<Option<i64>, NotifyError> {
    let next: Option<Option<i64>> = delivery::Entity::find()
        .select_only()
        .column_as(delivery::Column::NextAttemptAt.min(), "next")
        .filter(delivery::Column::Status.eq(Status::Pending))
        .into_tuple()
        .one(db)
        .await
        .map_err(NotifyError::db("find the next due delivery"))?;
    Ok(next.flatten())
}

/// Moves a pending delivery to `sending` if nobody else did; `None` when it was not pending any more.
pub async fn claim(db: &DatabaseConnection, id: &str) -> Result<Option<Claimed>, NotifyError> {
    let claimed = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(Status::Sending))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq(Status::Pending))
        .exec(db)
        .await
        .map_err(NotifyError::db("claim delivery"))?;
    if claimed.rows_affected == 0 {
        return Ok(None);
    }
    let row = delivery::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(NotifyError::db("read claimed delivery"))?
        .ok_or_else(|| NotifyError::NotFound { what: "delivery", id: id.to_owned() })?;
    Ok(Some(Claimed {
        attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        target: crate::targets::get(db, row.target_id).await?,
        id: row.id,
        event_type: row.event_type,
        body: row.body,
        test: row.test,
    }))
}

/// Records the outcome of an attempt.
pub async fn record(db: &DatabaseConnection, id: &str, outcome: &AttemptRecord) -> Result<(), NotifyError> {
    let now = timestamp::now_ms();
    let row = delivery::ActiveModel {
        id: Set(id.to_owned()),
        status: Set(outcome.status),
        attempts: Set(i64::from(outcome.attempts)),
        last_attempt_at: Set(Some(now)),
        last_status_code: Set(outcome.status_code.map(i64::from)),
        last_error: Set(outcome.error.as_deref().map(|e| cap::truncate(e, MAX_ERROR_BYTES))),
        latency_ms: Set(Some(outcome.latency_ms)),
        next_attempt_at: Set(outcome.next_attempt_at),
        delivered_at: Set((outcome.status == Status::Delivered).then_some(now)),
        ..Default::default()
    };
    row.update(db).await.map_err(NotifyError::db("record attempt"))?;
    Ok(())
}

/// Makes a delivered or dead delivery pending again, with a fresh attempt budget.
pub async fn retry(db: &DatabaseConnection, id: &str) -> Result<DeliveryView, NotifyError> {
    let reset = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(Status::Pending))
        .col_expr(delivery::Column::Attempts, Expr::value(0))
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(timestamp::now_ms()))
        .col_expr(delivery::Column::LastError, Expr::value(Option::<String>::None))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.is_in([Status::Delivered, Status::Dead]))
        .exec(db)
        .await
        .map_err(NotifyError::db("retry delivery"))?;
    let view = get(db, id).await?;
    if reset.rows_affected == 0 {
        return Err(NotifyError::Conflict(format!(
            "delivery {id} is {} already; only delivered or dead deliveries can be retried",
            view.status.to_value()
        )));
    }
    Ok(view)
}

/// One delivery as the log shows it.
pub async fn get(db: &DatabaseConnection, id: &str) -> Result<DeliveryView, NotifyError> {
    let found = delivery::Entity::find_by_id(id)
        .find_also_related(target::Entity)
        .one(db)
        .await
        .map_err(NotifyError::db("read delivery"))?;
    found.map(view).ok_or_else(|| NotifyError::NotFound { what: "delivery", id: id.to_owned() })
}

/// The delivery log, newest first.
pub async fn log(db: &DatabaseConnection, query: &LogQuery) -> Result<Vec<DeliveryView>, NotifyError> {
    let mut select = delivery::Entity::find().find_also_related(target::Entity);
    if let Some(target_id) = query.target {
        select = select.filter(delivery::Column::TargetId.eq(target_id));
    }
    if let Some(status) = query.status {
        select = select.filter(delivery::Column::Status.eq(status));
    }
    let rows = select
        .order_by_desc(delivery::Column::CreatedAt)
        .order_by_desc(Expr::cust("deliveries.rowid"))
        .limit(u64::from(query.limit.unwrap_or(100).clamp(1, 500)))
        .all(db)
        .await
        .map_err(NotifyError::db("read the delivery log"))?;
    Ok(rows.into_iter().map(view).collect())
}

/// Deletes delivered and dead deliveries created before `cutoff` (Unix ms); pending and sending ones are still
/// owed to their receiver and stay. Returns how many were deleted.
pub async fn prune(db: &DatabaseConnection, cutoff: i64) -> Result<u64, NotifyError> {
    let deleted = delivery::Entity::delete_many()
        .filter(delivery::Column::Status.is_in([Status::Delivered, Status::Dead]))
        .filter(delivery::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await
        .map_err(NotifyError::db("prune deliveries"))?;
    Ok(deleted.rows_affected)
}

/// A new delivery row, refused when its body exceeds [`MAX_BODY_BYTES`] (a receiver needs the whole body, so it
/// is never cut).
fn new_row(target: &Target, event: &PluginEvent, body: &str, test: bool) -> Result<delivery::ActiveModel, NotifyError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(NotifyError::TooLarge { what: "delivery body", bytes: body.len(), max: MAX_BODY_BYTES });
    }
    let now = timestamp::now_ms();
    Ok(delivery::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        target_id: Set(target.id),
        event_id: Set(event.id.clone()),
        event_type: Set(cap::truncate(&event.event_type, MAX_ERROR_BYTES)),
        body: Set(body.to_owned()),
        test: Set(test),
        status: Set(if test { Status::Sending } else { Status::Pending }),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    })
}

fn view((row, target): (delivery::Model, Option<target::Model>)) -> DeliveryView {
    let time = |ms: Option<i64>| ms.map(timestamp::format);
    DeliveryView {
        target_name: target.map(|t| t.name).unwrap_or_default(),
        next_attempt_at: if row.status == Status::Pending { time(Some(row.next_attempt_at)) } else { None },
        id: row.id,
        target_id: row.target_id,
        event_id: row.event_id,
        event_type: row.event_type,
        test: row.test,
        status: row.status,
        attempts: row.attempts,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        latency_ms: row.latency_ms,
        created_at: timestamp::format(row.created_at),
        last_attempt_at: time(row.last_attempt_at),
        delivered_at: time(row.delivered_at),
    }
}
