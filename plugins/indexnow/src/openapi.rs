//! The OpenAPI 3.1 description of indexnow's routes (hand-written; checked against [`crate::routes::ROUTES`]).

use serde_json::{Value, json};

/// The document `Plugin::openapi` returns.
pub fn document() -> Value {
    let problem = json!({ "description": "A problem document", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let ok = |schema: Value| json!({ "description": "OK", "content": { "application/json": { "schema": schema } } });
    let r = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let site = json!({ "name": "site", "in": "query", "schema": { "type": "string" }, "description": "An origin, e.g. https://example.com" });
    let body = |schema: Value| json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "indexnow",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "IndexNow submissions after deployments: key file check first, pages from the sitemap (else the links), only what changed (ETag, Last-Modified, else content hash), batches of at most 10 000 URLs, retries on 429/5xx. Reads need a signed-in caller; POST routes and PATCH /settings need admin."
        },
        "paths": {
            "/submissions": {
                "get": { "summary": "The submissions log, newest first", "parameters": [site, { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 50 } }], "responses": { "200": ok(json!({ "type": "object", "properties": { "submissions": { "type": "array", "items": r("Submission") } } })), "401": problem } },
                "post": {
                    "summary": "Queue a manual submission: what changed (default), every page (`all`), or exactly `urls`",
                    "requestBody": body(json!({ "type": "object", "required": ["url"], "additionalProperties": false, "properties": { "url": { "type": "string", "format": "uri" }, "urls": { "type": "array", "items": { "type": "string" } }, "all": { "type": "boolean", "default": false } } })),
                    "responses": { "202": ok(r("Submission")), "403": problem, "422": problem }
                }
            },
            "/submissions/{id}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "get": { "summary": "One submission and the URLs it sent", "responses": { "200": ok(json!({ "type": "object", "properties": { "submission": r("Submission"), "urls": { "type": "array", "items": { "type": "string" } } } })), "404": problem } }
            },
            "/suggestions": { "get": { "summary": "Pages never submitted, changed since, or not submitted for stale_days", "parameters": [site], "responses": { "200": ok(json!({ "type": "object", "properties": { "suggestions": { "type": "array", "items": r("Suggestion") }, "stale_days": { "type": "integer" } } })) } } },
            "/key": {
                "get": { "summary": "The key, the key file's content and (with ?site=) the exact URL it must be served at", "parameters": [site], "responses": { "200": ok(r("Key")), "422": problem } },
                "post": { "summary": "Generate a new key (replaces the old one)", "responses": { "200": ok(r("Key")), "403": problem } }
            },
            "/key/check": { "post": { "summary": "Fetch the site's key file now", "requestBody": body(json!({ "type": "object", "required": ["site"], "properties": { "site": { "type": "string" } } })), "responses": { "200": ok(json!({ "type": "object", "properties": { "url": { "type": ["string", "null"] }, "ok": { "type": "boolean" }, "problem": { "type": ["string", "null"] } } })), "403": problem, "422": problem } } },
            "/settings": {
                "get": { "summary": "Read the settings", "responses": { "200": ok(r("Settings")) } },
                "patch": { "summary": "Change the settings (JSON merge patch)", "requestBody": body(r("Settings")), "responses": { "200": ok(r("Settings")), "403": problem, "422": problem } }
            }
        },
        "components": { "schemas": {
            "Problem": { "type": "object", "properties": { "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" } } },
            "Submission": { "type": "object", "properties": {
                "id": { "type": "integer" }, "site": { "type": "string" }, "start_url": { "type": "string" }, "trigger": { "enum": ["deployment", "manual"] },
                "mode": { "enum": ["changed", "all", "urls"] },
                "status": { "enum": ["queued", "running", "submitted", "nothing_changed", "blocked", "failed", "interrupted"] },
                "reason": { "type": ["string", "null"], "description": "Why it is blocked, failed or had nothing to send" },
                "pages_found": { "type": "integer" }, "urls_submitted": { "type": "integer" }, "batches": { "type": "integer" }, "attempts": { "type": "integer" },
                "last_status_code": { "type": ["integer", "null"] }, "requested_by": { "type": ["string", "null"] },
                "created_at": { "type": "string", "format": "date-time" }, "finished_at": { "type": ["string", "null"], "format": "date-time" } } },
            "Suggestion": { "type": "object", "properties": { "url": { "type": "string" }, "last_seen_at": { "type": "string" }, "last_submitted_at": { "type": ["string", "null"] }, "reason": { "type": "string" } } },
            "Key": { "type": "object", "properties": { "key": { "type": ["string", "null"] }, "key_location": { "type": ["string", "null"] }, "file_url": { "type": ["string", "null"] }, "file_content": { "type": ["string", "null"] }, "instructions": { "type": "string" } } },
            "Settings": { "type": "object", "properties": {
                "endpoint": { "type": "string", "default": "https://api.indexnow.org/indexnow" }, "key": { "type": ["string", "null"] }, "key_location": { "type": ["string", "null"] },
                "on_deploy": { "enum": ["production", "all", "off"] }, "production_environments": { "type": "array", "items": { "type": "string" } },
                "batch_size": { "type": "integer", "maximum": 10000, "default": 10000 }, "max_attempts": { "type": "integer", "default": 4 }, "base_backoff_ms": { "type": "integer", "default": 2000 },
                "discovery": { "type": "object", "description": "Crawl limits (as site-audit's `limits`; max_pages 10000)" }, "stale_days": { "type": "integer", "default": 30 } } }
        } }
    })
}
