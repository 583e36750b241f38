//! `deliveries`: one row per (target, event), written before the first network call. Times are Unix ms.

use temps_bundle_store::sea_orm;
use temps_bundle_store::sea_orm::entity::prelude::*;

use crate::deliveries::Status;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    /// A UUIDv4, sent as `x-temps-notify-delivery` on every attempt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub target_id: i64,
    pub event_id: String,
    pub event_type: String,
    /// The request body, at most [`crate::deliveries::MAX_BODY_BYTES`].
    pub body: String,
    pub test: bool,
    pub status: Status,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_attempt_at: Option<i64>,
    pub last_status_code: Option<i64>,
    /// The last failure, at most [`crate::deliveries::MAX_ERROR_BYTES`].
    pub last_error: Option<String>,
    pub latency_ms: Option<i64>,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::target::Entity",
        from = "Column::TargetId",
        to = "super::target::Column::Id",
        on_delete = "Cascade"
    )]
    Target,
}

impl Related<super::target::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Target.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
