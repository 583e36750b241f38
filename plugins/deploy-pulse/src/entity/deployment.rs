//! `deployments`: one row per deployment with its lifecycle moments (Unix ms, UTC). The domain calls a row a
//! [`crate::lifecycle::Deployment`] and gives it its methods there.

use temps_bundle_store::sea_orm;
use temps_bundle_store::sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, Default, DeriveEntityModel)]
#[sea_orm(table_name = "deployments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub deployment_id: i64,
    pub project_id: i64,
    pub environment_id: Option<i64>,
    pub environment_name: Option<String>,
    /// One of [`crate::lifecycle::SUCCEEDED`], `FAILED`, `CANCELLED`, `RUNNING`.
    pub state: String,
    /// The host's own word for the state, as last backfilled.
    pub host_state: Option<String>,
    pub branch: Option<String>,
    pub commit_sha: Option<String>,
    pub commit_message: Option<String>,
    pub commit_author: Option<String>,
    pub url: Option<String>,
    pub error_message: Option<String>,
    pub created_at: Option<i64>,
    pub started_at: Option<i64>,
    pub succeeded_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub ready_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
