//! The OpenAPI description of hello's routes.

use serde_json::{Value, json};

/// The document `Plugin::openapi` returns.
pub fn document() -> Value {
    let json_ok =
        |description: &str| json!({ "200": { "description": description, "content": { "application/json": {} } } });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Hello", "version": env!("CARGO_PKG_VERSION") },
        "paths": {
            "/greeting": { "get": {
                "summary": "Greet the caller and count the visit",
                "parameters": [{ "name": "name", "in": "query", "required": false, "schema": { "type": "string" } }],
                "responses": json_ok("The greeting, the visit count and the caller's role"),
            } },
            "/events": { "get": { "summary": "The last deployment events received", "responses": json_ok("Recent events") } },
            "/public/ping": { "get": { "summary": "Liveness without a login", "responses": json_ok("Pong") } },
        },
    })
}
