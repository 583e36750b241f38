//! `GET /greeting?name=`: greets the caller and counts the visit.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use temps_bundle_sdk::{Caller, Problem};
use utoipa::{IntoParams, ToSchema};

use crate::state::HelloState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GreetingQuery {
    /// Who to greet; default the caller's email, else "stranger".
    name: Option<String>,
}

/// The answer of `GET /greeting`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Greeting {
    pub message: String,
    /// Visits counted so far, this one included.
    pub visits: u64,
    /// The caller's role, or `null` for an anonymous caller.
    pub caller: Option<String>,
}

/// Greet the caller and count the visit
#[utoipa::path(
    get, path = "/greeting", params(GreetingQuery),
    responses((status = 200, description = "The greeting, the visit count and the caller's role", body = Greeting))
)]
pub async fn greet(
    State(state): State<HelloState>,
    caller: Caller,
    Query(query): Query<GreetingQuery>,
) -> Result<Json<Greeting>, Problem> {
    let visits = state.visits.increment().await?;
    let user = caller.user().ok();
    let name = query.name.or_else(|| user.map(|u| u.email.clone())).unwrap_or_else(|| "stranger".into());
    Ok(Json(Greeting { message: format!("Hello, {name}!"), visits, caller: user.map(|u| u.role.clone()) }))
}
