//! The OpenAPI 3.1 description of notify's routes (hand-written; checked against [`crate::routes::ROUTES`]).

use serde_json::{Value, json};

/// The document `Plugin::openapi` returns.
pub fn document() -> Value {
    let id = |what: &str| json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": format!("The {what} id.") }]);
    let problem = json!({ "description": "A problem document", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let ok = |schema: Value| json!({ "description": "OK", "content": { "application/json": { "schema": schema } } });
    let target = json!({ "$ref": "#/components/schemas/Target" });
    let delivery = json!({ "$ref": "#/components/schemas/Delivery" });
    let body = |schema: Value| json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "notify",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Deployment notifications to Slack, Discord and signed JSON webhooks. Every route needs the admin role except `GET /deliveries` (any signed-in caller)."
        },
        "paths": {
            "/targets": {
                "get": { "summary": "List targets", "responses": { "200": ok(json!({ "type": "object", "properties": { "targets": { "type": "array", "items": target } } })), "403": problem } },
                "post": {
                    "summary": "Create a target (the answer shows its signing secret, once)",
                    "requestBody": body(json!({ "$ref": "#/components/schemas/TargetInput" })),
                    "responses": {
                        "201": { "description": "Created", "content": { "application/json": { "schema": { "allOf": [target, { "type": "object", "properties": { "secret": { "type": "string" } }, "required": ["secret"] }] } } } },
                        "422": problem
                    }
                }
            },
            "/targets/{id}": {
                "parameters": id("target"),
                "get": { "summary": "Read a target", "responses": { "200": ok(target.clone()), "404": problem } },
                "patch": { "summary": "Change a target (JSON merge patch of TargetInput)", "requestBody": body(json!({ "type": "object" })), "responses": { "200": ok(target.clone()), "404": problem, "422": problem } },
                "delete": { "summary": "Delete a target and its deliveries", "responses": { "204": { "description": "Deleted" }, "404": problem } }
            },
            "/targets/{id}/test": {
                "parameters": id("target"),
                "post": { "summary": "Send a test delivery now and return its outcome", "responses": { "200": ok(delivery.clone()), "404": problem } }
            },
            "/deliveries": {
                "get": {
                    "summary": "The delivery log, newest first",
                    "parameters": [
                        { "name": "target", "in": "query", "schema": { "type": "integer" } },
                        { "name": "status", "in": "query", "schema": { "enum": ["pending", "sending", "delivered", "dead"] } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 100 } }
                    ],
                    "responses": { "200": ok(json!({ "type": "object", "properties": { "deliveries": { "type": "array", "items": delivery } } })), "400": problem, "401": problem }
                }
            },
            "/deliveries/{id}/retry": {
                "parameters": id("delivery"),
                "post": { "summary": "Send a delivered or dead delivery again", "responses": { "202": ok(delivery.clone()), "404": problem, "409": problem } }
            },
            "/settings": {
                "get": { "summary": "Read the retry settings", "responses": { "200": ok(json!({ "$ref": "#/components/schemas/Settings" })) } },
                "patch": { "summary": "Change the retry settings (JSON merge patch)", "requestBody": body(json!({ "$ref": "#/components/schemas/Settings" })), "responses": { "200": ok(json!({ "$ref": "#/components/schemas/Settings" })), "422": problem } }
            }
        },
        "components": { "schemas": schemas() }
    })
}

fn schemas() -> Value {
    let time = json!({ "type": "string", "format": "date-time" });
    let nullable_time = json!({ "type": ["string", "null"], "format": "date-time" });
    json!({
        "Problem": { "type": "object", "properties": { "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" } } },
        "TargetInput": {
            "type": "object",
            "required": ["name", "url", "format"],
            "additionalProperties": false,
            "properties": {
                "name": { "type": "string", "maxLength": 100 },
                "url": { "type": "string", "format": "uri", "description": "http(s); private, loopback and other non-public targets are refused unless the operator allows them" },
                "format": { "enum": ["slack", "discord", "json"] },
                "events": { "type": "array", "items": { "type": "string" }, "default": ["deployment.*"], "description": "Patterns: `deployment.failed`, `deployment.*`, `*`" },
                "project_id": { "type": ["integer", "null"] },
                "environment": { "type": ["string", "null"], "description": "Matches the event's environment_name" },
                "enabled": { "type": "boolean", "default": true }
            }
        },
        "Target": {
            "allOf": [
                { "$ref": "#/components/schemas/TargetInput" },
                { "type": "object", "properties": { "id": { "type": "integer" }, "created_at": time, "updated_at": time } }
            ]
        },
        "Delivery": {
            "type": "object",
            "properties": {
                "id": { "type": "string", "description": "Sent as x-temps-notify-delivery on every attempt" },
                "target_id": { "type": "integer" }, "target_name": { "type": "string" },
                "event_id": { "type": "string" }, "event_type": { "type": "string" }, "test": { "type": "boolean" },
                "status": { "enum": ["pending", "sending", "delivered", "dead"] },
                "attempts": { "type": "integer" },
                "last_status_code": { "type": ["integer", "null"] }, "last_error": { "type": ["string", "null"] },
                "latency_ms": { "type": ["integer", "null"] },
                "created_at": time, "last_attempt_at": nullable_time, "next_attempt_at": nullable_time, "delivered_at": nullable_time
            }
        },
        "Settings": {
            "type": "object",
            "properties": {
                "max_attempts": { "type": "integer", "minimum": 1, "maximum": 20, "default": 5 },
                "base_backoff_ms": { "type": "integer", "minimum": 10, "default": 10000 },
                "max_backoff_ms": { "type": "integer", "default": 3600000 }
            }
        }
    })
}
