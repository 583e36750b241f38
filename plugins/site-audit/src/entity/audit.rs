//! `audits`: one crawl of one site, with its trigger, status and counts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site: String,
    pub start_url: String,
    pub trigger: String,
    pub event_id: Option<String>,
    pub project_id: Option<i64>,
    pub environment: Option<String>,
    pub status: String,
    pub stop_reason: Option<String>,
    pub error: Option<String>,
    pub pages: i64,
    pub findings: i64,
    pub requested_by: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
