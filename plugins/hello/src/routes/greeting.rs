//! `GET /greeting?name=`: greets the caller and counts the visit.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use temps_bundle_sdk::{Caller, Problem};

use crate::state::HelloState;

#[derive(Debug, Deserialize)]
pub struct GreetingQuery {
    name: Option<String>,
}

/// The answer of `GET /greeting`.
#[derive(Debug, Serialize)]
pub struct Greeting {
    pub message: String,
    /// Visits counted so far, this one included.
    pub visits: u64,
    /// The caller's role, or `null` for an anonymous caller.
    pub caller: Option<String>,
}

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
