//! `targets`: where notifications go. The domain type is [`crate::targets::Target`]; this is its row.

use temps_bundle_store::sea_orm;
use temps_bundle_store::sea_orm::entity::prelude::*;

use crate::format::Format;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "targets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub url: String,
    pub format: Format,
    /// The event patterns as a JSON array.
    pub events: String,
    pub project_id: Option<i64>,
    pub environment: Option<String>,
    pub enabled: bool,
    pub secret: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::delivery::Entity")]
    Delivery,
}

impl Related<super::delivery::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Delivery.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
