//! `pages`: every page discovered on a site, with what it looked like when last seen and when last submitted.

use temps_bundle_store::sea_orm;
use temps_bundle_store::sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site: String,
    pub url: String,
    pub content_hash: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_seen_at: i64,
    pub submitted_hash: Option<String>,
    pub submitted_etag: Option<String>,
    pub submitted_last_modified: Option<String>,
    pub last_submitted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
