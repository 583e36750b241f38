//! The OpenAPI 3.1 description of site-audit's routes (hand-written; checked against [`crate::routes::ROUTES`]).

use serde_json::{Value, json};

/// The document `Plugin::openapi` returns.
pub fn document() -> Value {
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" }, "description": "The audit id." }]);
    let problem = json!({ "description": "A problem document", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let ok = |schema: Value| json!({ "description": "OK", "content": { "application/json": { "schema": schema } } });
    let accepted =
        |schema: Value| json!({ "description": "Accepted", "content": { "application/json": { "schema": schema } } });
    let r = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "site-audit",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Crawls a site (same origin, robots.txt honoured, sitemaps read, bounded) and reports broken links, redirect chains, missing or badly sized metadata, noindex pages in the sitemap and mixed content, each with a fix hint. Reads need a signed-in caller; POST routes and PATCH /settings need admin."
        },
        "paths": {
            "/audits": {
                "get": {
                    "summary": "Audits, newest first",
                    "parameters": [
                        { "name": "site", "in": "query", "schema": { "type": "string" }, "description": "An origin, e.g. https://example.com" },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 50 } }
                    ],
                    "responses": { "200": ok(json!({ "type": "object", "properties": { "audits": { "type": "array", "items": r("Audit") } } })), "401": problem }
                },
                "post": {
                    "summary": "Queue an audit of a site",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["url"], "additionalProperties": false, "properties": { "url": { "type": "string", "format": "uri" } } } } } },
                    "responses": { "202": accepted(r("Audit")), "403": problem, "409": problem, "422": problem }
                }
            },
            "/audits/{id}": { "parameters": id, "get": { "summary": "The report: findings grouped by kind, new and fixed since the previous completed audit of the site", "responses": { "200": ok(r("Report")), "404": problem } } },
            "/audits/{id}/cancel": { "parameters": id, "post": { "summary": "Cancel a queued or running audit", "responses": { "202": accepted(r("Audit")), "404": problem, "409": problem } } },
            "/audits/{id}/export": { "parameters": id, "get": { "summary": "The whole audit (audit, pages, findings, fixed) as one JSON download", "responses": { "200": ok(json!({ "type": "object" })), "404": problem } } },
            "/audits/{id}/pages": { "parameters": id, "get": { "summary": "The pages crawled, in crawl order", "responses": { "200": ok(json!({ "type": "object", "properties": { "pages": { "type": "array", "items": r("Page") } } })), "404": problem } } },
            "/audits/{id}/page": {
                "parameters": id,
                "get": {
                    "summary": "One page: its answer, metadata, findings, and links in and out",
                    "parameters": [{ "name": "url", "in": "query", "required": true, "schema": { "type": "string" } }],
                    "responses": { "200": ok(r("PageDetail")), "404": problem }
                }
            },
            "/kinds": { "get": { "summary": "Every kind of finding with its severity and fix hint", "responses": { "200": ok(json!({ "type": "object" })) } } },
            "/settings": {
                "get": { "summary": "Read the settings", "responses": { "200": ok(r("Settings")) } },
                "patch": { "summary": "Change the settings (JSON merge patch)", "requestBody": { "required": true, "content": { "application/json": { "schema": r("Settings") } } }, "responses": { "200": ok(r("Settings")), "403": problem, "422": problem } }
            }
        },
        "components": { "schemas": schemas() }
    })
}

fn schemas() -> Value {
    let time = json!({ "type": "string", "format": "date-time" });
    let nullable_time = json!({ "type": ["string", "null"], "format": "date-time" });
    let finding = json!({ "type": "object", "properties": {
        "kind": { "type": "string" }, "severity": { "enum": ["error", "warning", "notice"] }, "url": { "type": "string" },
        "detail": { "type": "string" }, "hint": { "type": "string" }, "new": { "type": "boolean" } } });
    json!({
        "Problem": { "type": "object", "properties": { "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" } } },
        "Audit": { "type": "object", "properties": {
            "id": { "type": "integer" }, "site": { "type": "string" }, "start_url": { "type": "string" },
            "trigger": { "enum": ["manual", "deployment"] }, "project_id": { "type": ["integer", "null"] }, "environment": { "type": ["string", "null"] },
            "status": { "enum": ["queued", "running", "completed", "cancelled", "failed", "interrupted"] },
            "stop_reason": { "type": ["string", "null"], "enum": ["completed", "page_limit", "time_limit", "cancelled", null] },
            "error": { "type": ["string", "null"] }, "pages": { "type": "integer" }, "findings": { "type": "integer" },
            "requested_by": { "type": ["string", "null"] }, "created_at": time, "started_at": nullable_time, "finished_at": nullable_time } },
        "Finding": finding,
        "Report": { "type": "object", "properties": {
            "audit": { "$ref": "#/components/schemas/Audit" }, "previous_audit_id": { "type": ["integer", "null"] },
            "groups": { "type": "array", "items": { "type": "object", "properties": {
                "kind": { "type": "string" }, "severity": { "type": "string" }, "hint": { "type": "string" }, "count": { "type": "integer" },
                "new": { "type": "integer" }, "findings": { "type": "array", "items": { "$ref": "#/components/schemas/Finding" } } } } },
            "new": { "type": "integer" }, "fixed": { "type": "array", "items": { "$ref": "#/components/schemas/Finding" } } } },
        "Page": { "type": "object", "properties": {
            "url": { "type": "string" }, "depth": { "type": "integer" }, "found_on": { "type": ["string", "null"] }, "in_sitemap": { "type": "boolean" },
            "status": { "type": ["integer", "null"] }, "failure": { "type": ["string", "null"] }, "final_url": { "type": "string" },
            "redirects": { "type": "array", "items": { "type": "object", "properties": { "url": { "type": "string" }, "status": { "type": "integer" }, "location": { "type": "string" } } } },
            "content_type": { "type": ["string", "null"] }, "bytes": { "type": "integer" }, "truncated": { "type": "boolean" }, "elapsed_ms": { "type": "integer" },
            "title": { "type": ["string", "null"] }, "description": { "type": ["string", "null"] }, "h1_count": { "type": ["integer", "null"] },
            "canonical": { "type": ["string", "null"] }, "lang": { "type": ["string", "null"] }, "noindex": { "type": "boolean" } } },
        "PageDetail": { "type": "object", "properties": {
            "page": { "$ref": "#/components/schemas/Page" }, "findings": { "type": "array", "items": { "$ref": "#/components/schemas/Finding" } },
            "linked_from": { "type": "array", "items": { "type": "string" } }, "links_to": { "type": "array", "items": { "type": "string" } } } },
        "Settings": { "type": "object", "properties": {
            "on_deploy": { "enum": ["production", "all", "off"], "default": "production" },
            "production_environments": { "type": "array", "items": { "type": "string" }, "default": ["production"] },
            "limits": { "type": "object", "properties": {
                "max_pages": { "type": "integer", "default": 500 }, "max_depth": { "type": "integer", "default": 10 },
                "max_page_bytes": { "type": "integer", "default": 2097152 }, "max_duration_ms": { "type": "integer", "default": 300000 },
                "request_timeout_ms": { "type": "integer", "default": 15000 }, "concurrency": { "type": "integer", "default": 4 },
                "requests_per_second": { "type": "integer", "default": 10, "description": "0 = no limit" },
                "max_redirects": { "type": "integer", "default": 5 }, "max_sitemaps": { "type": "integer", "default": 20 } } },
            "url_policy": { "type": "object", "properties": { "trailing_slash": { "enum": ["keep", "strip", "add"] }, "sort_query": { "type": "boolean" } } },
            "respect_robots": { "type": "boolean", "default": true },
            "keep_audits": { "type": "integer", "default": 50 } } }
    })
}
