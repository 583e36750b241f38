//! The OpenAPI 3.1 description of deploy-pulse's routes, served in the handshake's `ready` line.

use serde_json::{Value, json};

pub fn document() -> Value {
    let problem = json!({"description": "A problem document", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let window = json!({"name": "window", "in": "query", "schema": {"type": "string", "enum": ["7d", "30d", "90d"], "default": "30d"}});
    let until = json!({"name": "until", "in": "query", "description": "End of the window (RFC 3339); default now", "schema": {"type": "string", "format": "date-time"}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}});
    let ok = |schema: &str| json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "deploy-pulse",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Deployment health and delivery metrics across Temps projects. Reads need a signed-in caller; \
                            settings changes and backfill need the admin or platform_admin role."
        },
        "paths": {
            "/overview": {"get": {
                "summary": "Every project's metrics over the window, failing projects first",
                "parameters": [window, until],
                "responses": {"200": ok("Overview"), "400": problem, "401": problem}
            }},
            "/projects/{id}": {"get": {
                "summary": "One project's metrics with per-day counts, lead times and the deployment timeline",
                "parameters": [id, window, until],
                "responses": {"200": ok("ProjectDetail"), "400": problem, "401": problem, "404": problem}
            }},
            "/projects/{id}/deployments": {"get": {
                "summary": "One project's deployments, newest first, paged by deployment id",
                "parameters": [
                    id,
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
                    {"name": "before", "in": "query", "description": "Only deployments with a smaller id (the previous page's next_before)", "schema": {"type": "integer"}}
                ],
                "responses": {"200": ok("DeploymentPage"), "400": problem, "401": problem, "404": problem}
            }},
            "/backfill": {"post": {
                "summary": "Pull projects and recent deployments over the platform channel (idempotent; admin)",
                "responses": {"200": ok("BackfillReport"), "401": problem, "403": problem, "502": problem}
            }},
            "/settings": {
                "get": {"summary": "The settings", "responses": {"200": ok("Settings"), "401": problem}},
                "patch": {
                    "summary": "Change settings with a JSON merge-patch (admin)",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Settings"}}}},
                    "responses": {"200": ok("Settings"), "400": problem, "401": problem, "403": problem,
                                  "422": {"description": "Invalid values; `errors` lists each field", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/InvalidSettings"}}}}}
                }
            }
        },
        "components": {"schemas": schemas()}
    })
}

fn schemas() -> Value {
    let time = json!({"type": ["string", "null"], "format": "date-time"});
    let nullable_number = json!({"type": ["number", "null"]});
    json!({
        "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}}},
        "InvalidSettings": {"allOf": [{"$ref": "#/components/schemas/Problem"}, {"type": "object", "properties": {
            "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}}]},
        "Settings": {"type": "object", "properties": {
            "backfill_on_start": {"type": "boolean", "default": true},
            "backfill_limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 100},
            "project_url_template": {"type": "string", "default": "/projects/{slug}"}}},
        "Window": {"type": "object", "properties": {"days": {"type": "integer"}, "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}}},
        "Metrics": {"type": "object", "properties": {
            "deployments": {"type": "integer"}, "succeeded": {"type": "integer"}, "failed": {"type": "integer"},
            "cancelled": {"type": "integer"}, "running": {"type": "integer"},
            "frequency_per_day": {"type": "number", "description": "Deployments in the window ÷ window days"},
            "change_failure_rate": {"type": ["number", "null"], "description": "failed ÷ (succeeded + failed)"},
            "time_to_restore": {"type": "object", "description": "Failure → next success in the same environment; consecutive failures are one incident", "properties": {
                "incidents": {"type": "integer"}, "restored": {"type": "integer"}, "open": {"type": "integer"},
                "mean_seconds": nullable_number, "median_seconds": nullable_number}},
            "lead_time": {"type": "object", "description": "created → succeeded; nearest-rank percentiles", "properties": {
                "samples": {"type": "integer"}, "p50_seconds": nullable_number, "p90_seconds": nullable_number}},
            "current": {"type": ["object", "null"], "properties": {"deployment_id": {"type": "integer"}, "state": {"type": "string"}, "at": {"type": "string"}}},
            "streak": {"type": ["object", "null"], "properties": {"outcome": {"type": "string"}, "length": {"type": "integer"}}}}},
        "Deployment": {"type": "object", "properties": {
            "deployment_id": {"type": "integer"}, "project_id": {"type": "integer"}, "environment_id": {"type": ["integer", "null"]},
            "environment_name": {"type": ["string", "null"]},
            "state": {"type": "string", "enum": ["running", "succeeded", "failed", "cancelled"]},
            "host_state": {"type": ["string", "null"]}, "branch": {"type": ["string", "null"]}, "commit_sha": {"type": ["string", "null"]},
            "commit_message": {"type": ["string", "null"]}, "commit_author": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
            "error_message": {"type": ["string", "null"]}, "created_at": time, "started_at": time, "succeeded_at": time,
            "failed_at": time, "cancelled_at": time, "ready_at": time, "finished_at": time,
            "lead_time_seconds": nullable_number, "event_count": {"type": "integer", "description": "Only in deployment lists"}}},
        "Environment": {"type": "object", "properties": {
            "environment_id": {"type": ["integer", "null"]}, "environment_name": {"type": ["string", "null"]},
            "health": {"type": "string", "enum": ["failing", "healthy", "unknown"]}, "metrics": {"$ref": "#/components/schemas/Metrics"}}},
        "Project": {"type": "object", "properties": {
            "project_id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"},
            "temps_url": {"type": ["string", "null"]}, "health": {"type": "string", "enum": ["failing", "healthy", "unknown"]},
            "metrics": {"$ref": "#/components/schemas/Metrics"},
            "environments": {"type": "array", "items": {"$ref": "#/components/schemas/Environment"}},
            "last_deployment": {"oneOf": [{"$ref": "#/components/schemas/Deployment"}, {"type": "null"}]}}},
        "Overview": {"type": "object", "properties": {
            "window": {"$ref": "#/components/schemas/Window"},
            "totals": {"type": "object", "properties": {"projects": {"type": "integer"}, "failing": {"type": "integer"}, "deployments": {"type": "integer"}}},
            "projects": {"type": "array", "items": {"$ref": "#/components/schemas/Project"}}}},
        "ProjectDetail": {"allOf": [{"$ref": "#/components/schemas/Project"}, {"type": "object", "properties": {
            "window": {"$ref": "#/components/schemas/Window"},
            "daily": {"type": "array", "items": {"type": "object", "properties": {"date": {"type": "string"}, "total": {"type": "integer"},
                "succeeded": {"type": "integer"}, "failed": {"type": "integer"}, "cancelled": {"type": "integer"}, "running": {"type": "integer"}}}},
            "lead_times": {"type": "array", "items": {"type": "object", "properties": {"deployment_id": {"type": "integer"}, "at": {"type": "string"}, "seconds": {"type": "number"}}}},
            "timeline": {"type": "array", "items": {"$ref": "#/components/schemas/Deployment"}}}}]},
        "DeploymentPage": {"type": "object", "properties": {
            "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/Deployment"}},
            "next_before": {"type": ["integer", "null"]}}},
        "BackfillReport": {"type": "object", "properties": {
            "projects": {"type": "integer"}, "deployments_seen": {"type": "integer"}, "inserted": {"type": "integer"},
            "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"project_id": {"type": "integer"}, "message": {"type": "string"}}}}}}
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::routes::ROUTES;
    use crate::tests::{Harness, harness};

    #[tokio::test]
    async fn every_route_is_described_and_every_described_route_is_served() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        for (method, path) in ROUTES {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} is missing from the OpenAPI document");
        }
        let described: usize =
            doc["paths"].as_object().unwrap().values().map(|ops| ops.as_object().unwrap().len()).sum();
        assert_eq!(described, ROUTES.len(), "the document describes a route ROUTES does not list");
        let Harness { app, state, _dir } = harness().await;
        let project = crate::repository::Project { project_id: 1, name: "web".into(), slug: "web".into() };
        crate::repository::record_project(&state.store, &project).await.unwrap();
        for (method, path) in ROUTES {
            let concrete = path.replace("{id}", "1");
            let (status, _) = app.call(&method.to_uppercase(), &concrete, "admin", Some("{}")).await;
            assert!(status != 404 && status != 405, "{method} {path} is not routed (got {status})");
        }
    }
}
