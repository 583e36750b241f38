//! `pages`: one crawled URL of one audit, written as soon as the crawler reports it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub audit_id: i64,
    pub url: String,
    pub depth: i64,
    pub found_on: Option<String>,
    pub in_sitemap: bool,
    pub status: Option<i64>,
    pub failure: Option<String>,
    pub final_url: String,
    /// JSON array of `{url, status, location}` hops.
    pub redirects: String,
    pub content_type: Option<String>,
    pub bytes: i64,
    pub truncated: bool,
    pub elapsed_ms: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub h1_count: Option<i64>,
    pub canonical: Option<String>,
    pub lang: Option<String>,
    pub noindex: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
