//! `submitted_urls`: the URLs one submission sent, by batch.

use temps_bundle_store::sea_orm;
use temps_bundle_store::sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submitted_urls")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub submission_id: i64,
    pub url: String,
    pub batch: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
