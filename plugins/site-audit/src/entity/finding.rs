//! `findings`: one problem on one URL of one audit, with its fix hint. `(kind, url)` identifies a finding across
//! audits of the same site ("new" and "fixed" compare on it).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub audit_id: i64,
    pub kind: String,
    pub severity: String,
    pub url: String,
    pub detail: String,
    pub hint: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
