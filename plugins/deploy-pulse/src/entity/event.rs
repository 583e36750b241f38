//! `events`: every deployment event received, once (the unique `event_id` makes a redelivery a no-op).

use temps_bundle_store::sea_orm;
use temps_bundle_store::sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub event_id: String,
    pub event_type: String,
    pub deployment_id: Option<i64>,
    pub project_id: Option<i64>,
    /// The event's own timestamp (Unix ms), when it parsed.
    pub occurred_at: Option<i64>,
    /// When deploy-pulse stored it (Unix ms): what retention counts from.
    pub received_at: i64,
    /// The event as JSON, at most [`crate::caps::MAX_PAYLOAD_BYTES`] (see [`crate::caps::payload`]).
    pub payload: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
