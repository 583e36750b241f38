//! The bundle's admin routes (composite mode, signed callers with an admin role): `GET /_bundle/metrics`
//! (Prometheus/OpenMetrics text), `GET /_bundle/metrics.json` (the same numbers per member, for the shell) and the
//! kill switch `POST /_bundle/members/{name}/disable|enable`.

use std::collections::BTreeSet;
use std::sync::{Arc, PoisonError};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::router::App;
use super::start::MemberSlot;
use crate::caller::Caller;
use crate::isolation::metrics::{self, EventOutcome};
use crate::isolation::stats::SAMPLE_INTERVAL;
use crate::problem::Problem;

/// The window of the JSON view's `last_minute` figures.
const LAST_MINUTE: std::time::Duration = std::time::Duration::from_secs(60);

/// The admin routes, to be merged behind the bundle's authentication.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/_bundle/metrics", get(metrics_text))
        .route("/_bundle/metrics.json", get(metrics_json))
        .route("/_bundle/members/{name}/disable", post(disable))
        .route("/_bundle/members/{name}/enable", post(enable))
}

async fn metrics_text(caller: Caller) -> Result<Response, Problem> {
    caller.require_admin()?;
    let mut response = metrics::encode().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(metrics::CONTENT_TYPE));
    Ok(response)
}

async fn metrics_json(caller: Caller, State(app): State<Arc<App>>) -> Result<Json<Value>, Problem> {
    caller.require_admin()?;
    let members: Vec<Value> = app.members().iter().map(|slot| member_figures(slot)).collect();
    Ok(Json(json!({ "interval_seconds": SAMPLE_INTERVAL.as_secs(), "members": members })))
}

fn member_figures(slot: &MemberSlot) -> Value {
    let isolation = &slot.isolation;
    let m = &isolation.metrics;
    let events: serde_json::Map<String, Value> =
        EventOutcome::ALL.iter().map(|o| (o.as_str().to_owned(), Value::from(m.events(*o)))).collect();
    let totals = m.totals();
    json!({
        "member": slot.name,
        "status": slot.status(),
        "disabled": slot.is_disabled(),
        "limits": isolation.limits,
        "requests_total": totals.requests,
        "errors_total": totals.errors,
        "in_flight": m.in_flight.get(),
        "last_minute": m.stats.last(LAST_MINUTE, totals),
        "series": m.stats.series(),
        "stalls_total": m.stalls.get(),
        "recent_stalls": m.stats.recent_stalls(),
        "events": events,
        "event_backlog": m.event_backlog.get(),
    })
}

async fn disable(caller: Caller, State(app): State<Arc<App>>, Path(name): Path<String>) -> Result<Response, Problem> {
    set_disabled(&caller, &app, &name, true)
}

async fn enable(caller: Caller, State(app): State<Arc<App>>, Path(name): Path<String>) -> Result<Response, Problem> {
    set_disabled(&caller, &app, &name, false)
}

/// Flips the switch: stored first (so what the bundle reports is what survives a restart), then applied.
fn set_disabled(caller: &Caller, app: &App, name: &str, disabled: bool) -> Result<Response, Problem> {
    let admin = caller.require_admin()?;
    let slot = app.member(name).ok_or_else(|| {
        Problem::not_found(format!("no member named {name:?} in this bundle (members: {})", app.dispatch.names()))
    })?;
    let store = app.switch_store.as_ref().ok_or_else(|| Problem::not_found("split mode has no kill switch"))?;
    let _serialized = app.switch_lock.lock().unwrap_or_else(PoisonError::into_inner);
    let mut stored: BTreeSet<String> =
        app.members().iter().filter(|m| m.is_disabled()).map(|m| m.name.clone()).collect();
    if disabled {
        stored.insert(name.to_owned());
    } else {
        stored.remove(name);
    }
    store.save(stored).map_err(|error| {
        tracing::error!(%error, member = name, "cannot store the kill-switch state");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "switch-not-stored",
            "Kill Switch Not Stored",
            error.to_string(),
        )
    })?;
    if slot.isolation.set_disabled(disabled) {
        let action = if disabled { "disabled" } else { "enabled" };
        tracing::warn!(member = name, by = %admin.email, "member {action} by an administrator");
    }
    Ok(Json(json!({ "member": name, "status": slot.status(), "disabled": disabled })).into_response())
}
