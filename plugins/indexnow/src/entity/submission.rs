//! `submissions`: one run (discover, compare, submit) for one site, with its outcome.

use temps_bundle_store::sea_orm;
use temps_bundle_store::sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site: String,
    pub start_url: String,
    pub trigger: String,
    pub event_id: Option<String>,
    /// `changed` (what changed since the last submission), `all` (every page found) or `urls` (the given ones).
    pub mode: String,
    pub requested_urls: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub pages_found: i64,
    pub urls_submitted: i64,
    pub batches: i64,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub requested_by: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
